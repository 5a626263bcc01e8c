#!/usr/bin/env python3
"""Benchmarks: the same work through htcondor-pybind, the official v1 module and htcondor2.

Each case runs as a fresh subprocess per implementation and repeat, interleaved (ours, v1, v2,
ours, ...), against the same personal pool and the same files; the time is measured inside the
subprocess around the work only.  Reports medians and ratios (our throughput over theirs) and
writes them to benchmarks/results/.

    python benchmarks/run.py [--repeats N] [--full] [--only NAME ...]

``--full`` uses the sizes of the project's targets (1,000,000 events, 100,000 ads, 20,000 jobs);
the default sizes are smaller so a run takes a few minutes.  Run through ci/bench.sh, which sets
up the pool user and the reference venv.

The floor: where there is one, the same work done without Python, by benchmarks/floor.cpp (built
once per run with g++ against the HTCondor build; parse, eval, event log, query) or by the built
CLI (condor_submit, whose time includes its process startup).  It is reported next to the
others; a floor that cannot be built or run shows as n/a and never fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

IMPLS = {
    "ours": ("{ours}", "import htcondor, classad"),
    "v1": ("{oracle}", "import htcondor, classad"),
    "v2": ("{oracle}", "import htcondor2 as htcondor, classad2 as classad"),
}

QUERY_PROJ = ["ClusterId", "ProcId", "JobStatus", "Owner", "RequestMemory"]
QUERY_CONSTRAINT = "JobStatus == 5 && BenchQuery =?= true"
CPU_LOOP = "x = 0\nfor i in range(2_000_000):\n    x += i * i"

# Each case: setup (run once per implementation process, untimed), work (timed), and what the
# count of items is.  {n}, {path} etc. are filled in.
CASES = {
    "import": dict(
        unit="imports", n=1, setup="", pre_import=True,
        work="", note="wall time of the import statement",
    ),
    "parseAds": dict(
        unit="ads", setup="text = open({ads_file!r}).read()",
        work="count = sum(1 for _ in classad.parseAds(text))\nassert count == {n}",
    ),
    "eval_requirements": dict(
        unit="evals",
        setup=textwrap.dedent("""\
            ads = list(classad.parseAds(open({ads_file!r}).read()))[:{n}]
            req = classad.ExprTree({requirement!r})
        """),
        work="hits = sum(1 for ad in ads if req.eval(ad) is True)",
    ),
    "event_log": dict(
        unit="events", setup="",
        work=textwrap.dedent("""\
            count = 0
            for e in htcondor.JobEventLog({log_file!r}).events(0):
                count += 1
                _ = e.type, e.cluster
            assert count == {n}, count
        """),
    ),
    "schedd_query": dict(
        unit="ads", setup="schedd = htcondor.Schedd()",
        work=textwrap.dedent("""\
            ads = schedd.query("JobStatus == 5 && BenchQuery =?= true",
                               ["ClusterId", "ProcId", "JobStatus", "Owner", "RequestMemory"], limit={n})
            assert len(ads) == {n}, len(ads)
        """),
    ),
    # Columns for analysis: ours builds numpy columns in C++; the official modules have no
    # columnar API, so theirs is the usual query-then-loop-in-Python.
    "query_columns": dict(
        # numpy is imported before the clock starts (its import is not the query's cost).
        unit="ads", setup="schedd = htcondor.Schedd()\nPROJ = " + repr(QUERY_PROJ)
        + "\ntry:\n    import numpy\nexcept ImportError:\n    pass",
        work=textwrap.dedent("""\
            ads = schedd.query("JobStatus == 5 && BenchQuery =?= true", PROJ, limit={n})
            cols = {{a: [ad.get(a) for ad in ads] for a in PROJ}}
            assert len(cols["ProcId"]) == {n}
        """),
        work_ours=textwrap.dedent("""\
            cols = schedd.query_columns("JobStatus == 5 && BenchQuery =?= true", PROJ, limit={n})
            assert len(cols["ProcId"]) == {n}
        """),
    ),
    # Memory: five query results of {n} ads each held at once (100,000 ads at --full sizes);
    # the peak RSS column is the figure of interest.
    "hold_query_results": dict(
        unit="ads held", setup="schedd = htcondor.Schedd()",
        work=textwrap.dedent("""\
            held = [schedd.query("JobStatus == 5 && BenchQuery =?= true",
                                 ["ClusterId", "ProcId", "JobStatus", "Owner", "RequestMemory"], limit={n} // 5)
                    for _ in range(5)]
            assert sum(map(len, held)) == {n}
        """),
    ),
    # A CPU-bound Python loop while 4 threads query the schedd: the loop's time (lower is
    # better); cpu_loop_alone is the same loop with no other thread.
    "cpu_loop_alone": dict(unit="loops", n=1, setup="", work=CPU_LOOP),
    "cpu_loop_vs_queries": dict(
        unit="loops", n=1,
        setup=textwrap.dedent("""\
            import threading
            schedd = htcondor.Schedd()
            stop = threading.Event()
            done = [0]
            def hammer():
                while not stop.is_set():
                    schedd.query("BenchQuery =?= true", ["ClusterId", "ProcId"], limit=1000)
                    done[0] += 1
            threads = [threading.Thread(target=hammer) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.3)
        """),
        work=CPU_LOOP,
        teardown="stop.set()\nfor t in threads:\n    t.join()\nassert done[0] > 0",
    ),
    "schedd_submit": dict(
        unit="jobs",
        setup=textwrap.dedent("""\
            schedd = htcondor.Schedd()
            sub = htcondor.Submit({{"executable": "/bin/sleep", "arguments": "600", "hold": "true",
                                   "MY.BenchSubmit": "true"}})
        """),
        work="result = schedd.submit(sub, count={n})",
        teardown='schedd.act(htcondor.JobAction.Remove, "BenchSubmit =?= true")',
    ),
}

RUNNER = textwrap.dedent("""\
    import os, sys, time, resource, json
    t0 = time.perf_counter()
    {import_line}
    t_import = time.perf_counter() - t0
    {setup}
    gc_was = __import__("gc").isenabled()
    t0 = time.perf_counter()
    {work}
    elapsed = time.perf_counter() - t0
    {teardown}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"elapsed": elapsed, "import": t_import, "maxrss_kb": rss}}))
""")


def make_ads_file(path: Path, n: int) -> None:
    with open(path, "w") as f:
        for i in range(n):
            f.write(f'[ ClusterId = {i // 10}; ProcId = {i % 10}; Owner = "user{i % 17}"; Memory = {1024 + i % 4096}; '
                    f'Cpus = {1 + i % 8}; Disk = {i * 13 % 100000}; Arch = "X86_64"; OpSys = "LINUX"; '
                    f'State = "{"Claimed" if i % 3 else "Unclaimed"}"; LoadAvg = {i % 100 / 100.0}; '
                    f'Name = "slot{i % 64}@host{i // 64}"; Requirements = TARGET.RequestMemory <= Memory ]\n')


REQUIREMENT = " && ".join([
    'Arch == "X86_64"', 'OpSys == "LINUX"', "Memory >= 1024", "Cpus >= 1", "Disk >= 0", "LoadAvg < 1.5",
    'State =!= "Owner"', "ClusterId >= 0", "ProcId < 10", 'Owner =!= "nobody"', 'regexp("slot", Name)',
    "Memory * 2 > Cpus", "isInteger(ProcId)", "size(Owner) > 0", "Disk < 100000000", "Cpus <= 64",
    "LoadAvg >= 0.0", "Memory < 1000000", 'strcmp(Arch, "ARM") != 0', "(ClusterId % 7) < 7",
])


def make_event_log(path: Path, n: int, seed_log: Path) -> None:
    chunks = [c + "...\n" for c in seed_log.read_text().split("...\n") if c.strip()]
    with open(path, "w") as f:
        written = 0
        cluster = 1
        while written < n:
            for c in chunks:
                if written >= n:
                    break
                f.write(c.replace("(123.000.000)", f"({cluster:03d}.000.000)"))
                written += 1
            cluster += 1


SUBMIT_FILE = textwrap.dedent("""\
    executable = /bin/sleep
    arguments = 600
    hold = true
    MY.BenchSubmit = true
    queue {n}
""")


def build_floor(prefix: Path, out_dir: Path) -> tuple[Path | None, str]:
    """Compile benchmarks/floor.cpp against the HTCondor build at prefix (the include
    directories and definitions of cmake/FindHTCondor.cmake).  Returns (binary, "") or
    (None, why not)."""
    lib = prefix / "lib"
    src = prefix / "src" / "src"
    utils = sorted(lib.glob("libcondor_utils_*.so"))
    classad_lib = sorted(lib.glob("libclassad.so.*"))
    if not utils or not classad_lib or not (prefix / "include" / "config.h").is_file():
        return None, f"no HTCondor libraries/headers under {prefix}"
    arch = platform.machine().upper()
    incs = [f"-I{prefix / 'include'}"] + [
        f"-isystem{src / d}" for d in ("condor_includes", "condor_utils", "condor_daemon_client", "condor_io",
                                       "safefile", "classad", "condor_daemon_core.V6", "ccb")]
    out = out_dir / "floor"
    cmd = [os.environ.get("CXX", "g++"), "-O2", "-std=c++20", "-w", "-DHAVE_CONFIG_H", '-DLINUX="LINUX"',
           f"-D{arch}={arch}", *incs, str(HERE / "floor.cpp"), "-o", str(out),
           str(utils[0]), str(classad_lib[0]), f"-Wl,-rpath,{lib}"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"compiling floor.cpp: {e}"
    if res.returncode != 0:
        err = ([line for line in res.stderr.splitlines() if "error" in line] or res.stderr.splitlines()
               or [f"exit {res.returncode}"])
        return None, f"compiling floor.cpp failed: {err[0][:300]}"
    return out, ""


def run_floor(name: str, floor_bin: Path | None, params: dict, env: dict, work: Path) -> dict | None:
    """One floor sample for a case: {"elapsed": s, ...}, {"error": why}, or None (no floor)."""
    n = params["n"]
    if name == "schedd_submit":
        desc = work / "floor.sub"
        desc.write_text(SUBMIT_FILE.format(n=n))
        try:
            t0 = time.perf_counter()
            res = subprocess.run(["condor_submit", str(desc)], capture_output=True, text=True, env=env,
                                 cwd=work, timeout=3600)
            elapsed = time.perf_counter() - t0
            subprocess.run(["condor_rm", "-constraint", "BenchSubmit =?= true"], capture_output=True, env=env,
                           timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            return {"error": f"condor_submit: {e}"}
        if res.returncode != 0:
            return {"error": "condor_submit: " + ((res.stderr or res.stdout).strip().splitlines() or ["?"])[-1]}
        return {"elapsed": elapsed, "how": "condor_submit (wall time, includes process startup)"}
    args = {
        "parseAds": ["parse", params["ads_file"]],
        "eval_requirements": ["eval", params["ads_file"], str(n), params["requirement"]],
        "event_log": ["events", params["log_file"]],
        "schedd_query": ["query", QUERY_CONSTRAINT, str(n), *QUERY_PROJ],
    }.get(name)
    if args is None:
        return None
    if floor_bin is None:
        return {"error": "floor.cpp not built"}
    try:
        res = subprocess.run([str(floor_bin), *args], capture_output=True, text=True, env=env, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"error": f"floor {args[0]}: {e}"}
    if res.returncode != 0:
        return {"error": f"floor {args[0]}: " + (res.stderr.strip().splitlines() or [f"exit {res.returncode}"])[-1]}
    out = json.loads(res.stdout.strip().splitlines()[-1])
    if name != "eval_requirements" and out["count"] != n:
        return {"error": f"floor {args[0]}: counted {out['count']}, expected {n}"}
    out["how"] = f"floor.cpp {args[0]} (C++ on libcondor_utils)"
    if name == "schedd_query":
        # The CLI for comparison (wall time, with its startup): condor_q -af, same query.
        cli = ["condor_q", "-allusers", "-constraint", QUERY_CONSTRAINT, "-limit", str(n), "-af", *QUERY_PROJ]
        try:
            t0 = time.perf_counter()
            r = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=3600)
            if r.returncode == 0 and len(r.stdout.splitlines()) == n:
                out["cli_seconds"] = time.perf_counter() - t0
            else:
                out["cli_error"] = (r.stderr.strip().splitlines() or [f"{len(r.stdout.splitlines())} lines"])[-1]
        except (OSError, subprocess.TimeoutExpired) as e:
            out["cli_error"] = str(e)
    return out


def run_case(python: str, import_line: str, case: dict, params: dict, env: dict, impl: str) -> dict:
    fill = lambda s: s.format(**params)  # noqa: E731
    work = case.get(f"work_{impl}", case.get("work", ""))
    code = RUNNER.format(import_line=import_line, setup=fill(case.get("setup", "")),
                         work=fill(work) or "pass",
                         teardown=fill(case.get("teardown", "")))
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=3600)
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--no-sweep", action="store_true", help="skip the throughput-vs-size sweep and plot")
    ap.add_argument("--ours", default=sys.executable)
    ap.add_argument("--oracle", default=os.environ.get("HTCPB_ORACLE_PYTHON", ""))
    args = ap.parse_args()
    if not args.oracle:
        print("set HTCPB_ORACLE_PYTHON (ci/bench.sh does) to the reference venv's python", file=sys.stderr)
        return 2

    sizes = dict(ads=100_000, evals=20_000, events=1_000_000, query=20_000, submit=20_000, hold=100_000) if args.full else \
        dict(ads=20_000, evals=5_000, events=100_000, query=5_000, submit=2_000, hold=25_000)

    os.environ.setdefault("CONDOR_CONFIG", "/dev/null")  # the pool sets the real one
    import htcondor
    from htcondor.personal import PersonalPool

    work = Path(tempfile.mkdtemp(prefix="htcpb-bench-"))
    ads_file = work / "ads.txt"
    make_ads_file(ads_file, sizes["ads"])
    log_file = work / "events.log"
    make_event_log(log_file, sizes["events"], HERE.parent / "tests" / "data" / "logs" / "job.log")

    cases = {k: v for k, v in CASES.items() if not args.only or k in args.only}
    rows = []
    with PersonalPool(config={"SCHEDD_INTERVAL": "60"}) as pool:
        env = pool.env()
        floor_bin, floor_why = build_floor(pool.prefix, work)
        if floor_bin is None:
            print(f"floor: n/a ({floor_why})", file=sys.stderr, flush=True)
        schedd = htcondor.Schedd()
        if {"schedd_query", "query_columns", "hold_query_results", "cpu_loop_vs_queries"} & set(cases):
            sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true",
                                   "MY.BenchQuery": "true"})
            for start in range(0, sizes["query"], 5000):
                schedd.submit(sub, count=min(5000, sizes["query"] - start))
        for name, case in cases.items():
            n = case.get("n", {"parseAds": sizes["ads"], "eval_requirements": sizes["evals"],
                               "event_log": sizes["events"], "schedd_query": sizes["query"],
                               "query_columns": sizes["query"], "hold_query_results": sizes["hold"],
                               "schedd_submit": sizes["submit"]}.get(name, 1))
            params = dict(n=n, ads_file=str(ads_file), log_file=str(log_file), requirement=REQUIREMENT)
            samples: dict[str, list[dict]] = {k: [] for k in IMPLS}
            floor_samples: list[dict] = []
            for _ in range(args.repeats):
                for impl, (py, import_line) in IMPLS.items():
                    python = py.format(ours=args.ours, oracle=args.oracle)
                    samples[impl].append(run_case(python, import_line, case, params, env, impl))
                try:
                    f = run_floor(name, floor_bin, params, env, work)
                except Exception as e:  # the floor never fails the run
                    f = {"error": f"floor: {type(e).__name__}: {e}"}
                if f is not None:
                    floor_samples.append(f)
            row = {"case": name, "n": n, "unit": case["unit"]}
            for impl, results in samples.items():
                ok = [r for r in results if "error" not in r]
                if not ok:
                    row[impl] = {"error": results[0]["error"]}
                    continue
                key = "import" if name == "import" else "elapsed"
                t = statistics.median(r[key] for r in ok)
                row[impl] = {"seconds": t, "rate": n / t if t > 0 else float("inf"),
                             "maxrss_mb": statistics.median(r["maxrss_kb"] for r in ok) / 1024}
            if floor_samples:
                ok = [r for r in floor_samples if "error" not in r]
                if not ok:
                    row["floor"] = {"error": floor_samples[0]["error"]}
                    print(f"floor for {name}: n/a ({row['floor']['error']})", file=sys.stderr, flush=True)
                else:
                    t = statistics.median(r["elapsed"] for r in ok)
                    row["floor"] = {"seconds": t, "rate": n / t if t > 0 else float("inf"), "how": ok[0]["how"]}
                    cli = [r["cli_seconds"] for r in ok if "cli_seconds" in r]
                    if cli:
                        row["floor"]["cli_seconds"] = statistics.median(cli)
                    elif any("cli_error" in r for r in ok):
                        row["floor"]["cli_error"] = next(r["cli_error"] for r in ok if "cli_error" in r)
            rows.append(row)
            print(format_row(row), flush=True)

        # Throughput against size for the query paths (limit=n over the same queue).
        sweep: list[dict] = []
        if not args.no_sweep and {"schedd_query", "query_columns"} <= set(CASES) and not args.only:
            for name in ("schedd_query", "query_columns"):
                for n in [s for s in (250, 1000, 5000, 20_000) if s <= sizes["query"]]:
                    params = dict(n=n)
                    point = {"case": name, "n": n}
                    for impl, (py, import_line) in IMPLS.items():
                        python = py.format(ours=args.ours, oracle=args.oracle)
                        got = [run_case(python, import_line, CASES[name], params, env, impl)
                               for _ in range(args.repeats)]
                        ok = [g["elapsed"] for g in got if "error" not in g]
                        point[impl] = n / statistics.median(ok) if ok else None
                    sweep.append(point)
                    print("sweep", point, flush=True)

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    meta = {"when": stamp, "full": args.full, "repeats": args.repeats, "htcondor": htcondor.version(),
            "floor": "floor.cpp built" if floor_bin else f"floor.cpp not built: {floor_why}"}
    if sweep:
        (RESULTS / "throughput.svg").write_text(svg_plot(sweep))
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "rows": rows, "sweep": sweep}, indent=1))
    (RESULTS / "latest.md").write_text(markdown(rows, meta))
    print((RESULTS / "latest.md").read_text())
    return 0


def svg_plot(sweep: list[dict]) -> str:
    """Throughput (ads/s) against size, log-log, one line per case and implementation."""
    import math

    width, height, margin = 720, 420, 60
    points = [(p["n"], p[i]) for p in sweep for i in IMPLS if p.get(i)]
    xs = [math.log10(n) for n, _ in points]
    ys = [math.log10(r) for _, r in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys)) if math.ceil(max(ys)) > math.floor(min(ys)) else math.floor(min(ys)) + 1

    def sx(n: float) -> float:
        return margin + (math.log10(n) - x0) / (x1 - x0) * (width - 2 * margin)

    def sy(r: float) -> float:
        return height - margin - (math.log10(r) - y0) / (y1 - y0) * (height - 2 * margin)

    colours = {"ours": "#1b6ac9", "v1": "#d1495b", "v2": "#2e8b57"}
    dashes = {"schedd_query": "", "query_columns": "6,4"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">Query throughput against result size (log-log)</text>',
           f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" y2="{height - margin}" stroke="black"/>',
           f'<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{height - margin}" stroke="black"/>',
           f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">jobs returned</text>',
           f'<text x="15" y="{height / 2}" text-anchor="middle" transform="rotate(-90 15 {height / 2})">ads per second</text>']
    for n in sorted({p["n"] for p in sweep}):
        out.append(f'<text x="{sx(n):.1f}" y="{height - margin + 16}" text-anchor="middle">{n}</text>')
    for e in range(y0, y1 + 1):
        y = height - margin - (e - y0) / (y1 - y0) * (height - 2 * margin)
        out.append(f'<text x="{margin - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
        out.append(f'<line x1="{margin}" y1="{y:.1f}" x2="{width - margin}" y2="{y:.1f}" stroke="#ddd"/>')
    legend_y = margin
    for case in dashes:
        for impl, colour in colours.items():
            pts = [(p["n"], p[impl]) for p in sweep if p["case"] == case and p.get(impl)]
            if not pts:
                continue
            path = " ".join(f"{sx(n):.1f},{sy(r):.1f}" for n, r in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                       f'stroke-dasharray="{dashes[case]}"/>')
            out.append(f'<line x1="{width - 220}" y1="{legend_y}" x2="{width - 190}" y2="{legend_y}" stroke="{colour}" '
                       f'stroke-width="2" stroke-dasharray="{dashes[case]}"/>')
            out.append(f'<text x="{width - 185}" y="{legend_y + 4}">{impl} {case}</text>')
            legend_y += 16
    out.append("</svg>")
    return "\n".join(out) + "\n"


def ratio(row: dict, other: str) -> str:
    ours, theirs = row.get("ours", {}), row.get(other, {})
    if "seconds" not in ours or "seconds" not in theirs:
        return "n/a (" + (ours.get("error") or theirs.get("error") or "?")[:60] + ")"
    return f"{theirs['seconds'] / ours['seconds']:.2f}x"


def floor_ratio(row: dict) -> str:
    """Floor time over our time: the fraction of the floor's speed we reach (1.00x: at the floor)."""
    if "floor" not in row:
        return "-"
    ours, floor = row.get("ours", {}), row["floor"]
    if "seconds" not in ours or "seconds" not in floor:
        return "n/a"
    return f"{floor['seconds'] / ours['seconds']:.2f}x"


def floor_seconds(row: dict) -> str:
    if "floor" not in row:
        return "-"
    f = row["floor"]
    return f"{f['seconds']:.3f}" if "seconds" in f else "n/a (" + f.get("error", "?")[:60] + ")"


def format_row(row: dict) -> str:
    parts = [f"{row['case']:<18} n={row['n']:<8}"]
    for impl in IMPLS:
        r = row.get(impl, {})
        parts.append(f"{impl}: " + (f"{r['seconds']:.3f}s" if "seconds" in r else f"ERR {r.get('error', '')[:40]}"))
    parts.append(f"vs v1 {ratio(row, 'v1')}, vs v2 {ratio(row, 'v2')}")
    if "floor" in row:
        parts.append(f"floor {floor_seconds(row)}s, ours/floor {floor_ratio(row)}")
    return "  ".join(parts)


def markdown(rows: list[dict], meta: dict) -> str:
    lines = [f"# Benchmark results ({meta['when']}, {'full' if meta['full'] else 'reduced'} sizes, "
             f"median of {meta['repeats']})", "",
             "Ratios are our speed over theirs (>1: we are faster). Reference: PyPI htcondor==23.10.29 "
             "(v1 `htcondor` and `htcondor2`), same pool, same files.", "",
             "The floor is the same work without Python: benchmarks/floor.cpp on libcondor_utils (parseAds, "
             "eval_requirements, event_log, schedd_query) or the built CLI (schedd_submit: `condor_submit` with "
             "`queue n`, wall time including its process startup). ours/floor is the floor's time over ours "
             "(1.00x: we are at the floor).", "",
             "| case | n | ours (s) | v1 (s) | v2 (s) | vs v1 | vs v2 | peak RSS ours/v1/v2 (MB) | floor (s) | ours/floor |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        def sec(i: str) -> str:
            r = row.get(i, {})
            return f"{r['seconds']:.3f}" if "seconds" in r else "error"

        def rss(i: str) -> str:
            r = row.get(i, {})
            return f"{r['maxrss_mb']:.0f}" if "maxrss_mb" in r else "-"

        lines.append(f"| {row['case']} | {row['n']} | {sec('ours')} | {sec('v1')} | {sec('v2')} | "
                     f"{ratio(row, 'v1')} | {ratio(row, 'v2')} | {rss('ours')}/{rss('v1')}/{rss('v2')} | "
                     f"{floor_seconds(row)} | {floor_ratio(row)} |")
    by_case = {row["case"]: row for row in rows}
    cli = by_case.get("schedd_query", {}).get("floor", {}).get("cli_seconds")
    if cli is not None:
        lines += ["", f"schedd_query through the CLI (`condor_q -af`, same constraint, projection and limit; "
                  f"wall time including process startup): {cli:.3f} s."]
    if "not built" in meta.get("floor", ""):
        lines += ["", f"Floor: {meta['floor']}."]
    if {"cpu_loop_alone", "cpu_loop_vs_queries"} <= set(by_case):
        alone, loaded = by_case["cpu_loop_alone"], by_case["cpu_loop_vs_queries"]
        parts = []
        for impl in IMPLS:
            a, b = alone.get(impl, {}), loaded.get(impl, {})
            if "seconds" in a and "seconds" in b:
                parts.append(f"{impl} {b['seconds'] / a['seconds']:.2f}x")
        lines += ["", "Slowdown of a CPU-bound Python loop while 4 threads query the schedd "
                  "(loop time with the queries over the loop alone; 1.00x = no slowdown): " + ", ".join(parts) + "."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
