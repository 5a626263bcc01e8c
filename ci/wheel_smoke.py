"""Smoke test of an installed htcondor-pybind wheel, standard library only.

    python wheel_smoke.py [--forbid DIR]...

Meant to run from a fresh venv on a machine (or in a mount namespace) with no HTCondor and no
build tree: ci/wheel.sh runs it that way, and cibuildwheel runs it as its test-command.  It
checks that the HTCondor libraries are the wheel's own copies (through /proc/self/maps), then
exercises the configuration, a submit description, a job event log and a ClassAd.  Every
--forbid DIR is a directory no mapped file may come from (the HTCondor prefix, the checkout).

Prints one line per check and closes with "smoke: N passed, M failed"; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

# An event log written by hand for this test: submit, execute, normal termination with 3.
EVENT_LOG = """\
000 (042.000.000) 2024-05-01 12:00:00 Job submitted from host: <127.0.0.1:9618?addrs=127.0.0.1-9618>
...
001 (042.000.000) 2024-05-01 12:00:02 Job executing on host: <127.0.0.1:9618?addrs=127.0.0.1-9618>
...
005 (042.000.000) 2024-05-01 12:00:07 Job terminated.
\t(1) Normal termination (return value 3)
\t\tUsr 0 00:00:01, Sys 0 00:00:00  -  Run Remote Usage
\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
\t\tUsr 0 00:00:01, Sys 0 00:00:00  -  Total Remote Usage
\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Total Local Usage
\t10  -  Run Bytes Sent By Job
\t20  -  Run Bytes Received By Job
\t10  -  Total Bytes Sent By Job
\t20  -  Total Bytes Received By Job
...
"""

SUBMIT = """\
executable = /bin/echo
arguments = $(Item) $(Process)
output = out.$(Cluster).$(Process).$(Item).txt
request_memory = 128MB
my.Smoke = "yes"
queue 1 Item in (alpha, beta, gamma)
"""

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def mapped_files() -> list[str]:
    with open("/proc/self/maps") as f:
        return sorted({line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6
                       and line.split(None, 5)[5].startswith("/")})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forbid", action="append", default=[], help="no mapped file may come from DIR")
    args = ap.parse_args()
    forbidden = [os.path.realpath(d) for d in args.forbid]

    # What a user of a fresh machine has: no CONDOR_CONFIG, no HTCondor configuration files.  The
    # import then warns and falls back to the null configuration (as v1 does).
    os.environ.pop("CONDOR_CONFIG", None)
    os.environ["_CONDOR_HTCPB_SMOKE_KNOB"] = "from-the-environment"
    with warnings.catch_warnings(record=True) as import_warnings:
        warnings.simplefilter("always")
        import classad
        import htcondor
    site = Path(htcondor.__file__).resolve().parent.parent
    libdir = site / "htcondor_pybind.libs"

    @check
    def installed_in_this_python():
        for mod in (htcondor, classad):
            path = Path(mod.__file__).resolve()
            assert str(path).startswith(os.path.realpath(sys.prefix) + os.sep), f"{path} is outside {sys.prefix}"
            assert not any(str(path).startswith(d + os.sep) for d in forbidden), path

    @check
    def libraries_come_from_the_wheel():
        files = mapped_files()
        ours = {name: [f for f in files if re.search(name, os.path.basename(f))]
                for name in (r"^libcondor_utils", r"^libclassad")}
        for name, paths in ours.items():
            assert paths, f"no {name} mapped; mapped: {files}"
            for p in paths:
                assert os.path.dirname(os.path.realpath(p)) == str(libdir), f"{p} is not in {libdir}"
        bad = [f for f in files if any(os.path.realpath(f).startswith(d + os.sep) for d in forbidden)]
        assert not bad, f"mapped from a forbidden directory: {bad}"
        print(f"    libraries: {', '.join(os.path.basename(p) for v in ours.values() for p in v)} in {libdir}")

    @check
    def one_openssl_with_the_dlopened_libraries():
        # libcondor_utils dlopen()s libssl, Kerberos, munge and SciTokens by SONAME when first
        # needed (HTCondor's DLOPEN_SECURITY_LIBS; auditwheel cannot see these).  Those system
        # libraries must share the process's one libcrypto with libcondor_utils.
        utils = next(f for f in mapped_files() if os.path.basename(f).startswith("libcondor_utils"))
        with open(utils, "rb") as f:
            names = sorted({n.decode() for n in re.findall(
                rb"(?:libssl|libSciTokens|libkrb5|libk5crypto|libgssapi_krb5|libmunge)\.so\.[0-9.]*[0-9]", f.read())})
        import ctypes
        absent = []
        for name in names:
            try:
                ctypes.CDLL(name)
            except OSError:
                absent.append(name)
        cryptos = {os.path.realpath(f) for f in mapped_files() if os.path.basename(f).startswith("libcrypto")}
        assert len(cryptos) <= 1, f"two OpenSSL libcrypto copies in one process: {sorted(cryptos)}"
        print(f"    dlopen()ed by name: {names}; not on this system: {absent or 'none'}; libcrypto: {sorted(cryptos)}")

    @check
    def versions():
        from importlib.metadata import metadata, version

        from htcondor import _build_info
        assert re.search(r"\$CondorVersion: 23\.9\.6 ", htcondor.version()), htcondor.version()
        assert htcondor.__version__ == _build_info.HTCONDOR_VERSION == "23.9.6", htcondor.__version__
        ours = version("htcondor-pybind")
        assert "+" not in ours, f"local version {ours} cannot be uploaded"
        summary = metadata("htcondor-pybind")["Summary"]
        assert f"HTCondor {htcondor.__version__}'s" in summary, summary  # the scheme in CHANGELOG.md
        print(f"    htcondor-pybind {ours}, HTCondor {htcondor.__version__}, {htcondor.platform()}")

    @check
    def param_lookup():
        assert any("Neither the environment variable CONDOR" in str(w.message) for w in import_warnings), \
            [str(w.message) for w in import_warnings]
        assert os.environ["CONDOR_CONFIG"] == "/dev/null"
        assert htcondor.param["MAX_JOBS_RUNNING"] == 10000  # a built-in default, typed as in v1
        assert htcondor.param["HTCPB_SMOKE_KNOB"] == "from-the-environment"
        assert htcondor.param.get("HTCPB_NO_SUCH_KNOB", "absent") == "absent"
        htcondor.param["HTCPB_SET_KNOB"] = "set"
        assert htcondor.param["HTCPB_SET_KNOB"] == "set"

    @check
    def submit_description():
        sub = htcondor.Submit(SUBMIT)
        assert sub["executable"] == "/bin/echo"
        assert sub.expand("request_memory") == "128MB"
        assert sub.getQArgs() == "1 Item in (alpha, beta, gamma)", sub.getQArgs()
        ads = list(sub.jobs(clusterid=7, qdate=1700000000))
        assert [ad["ProcId"] for ad in ads] == [0, 1, 2]
        assert [ad["Args"] for ad in ads] == ["alpha 0", "beta 1", "gamma 2"], [ad.get("Args") for ad in ads]
        assert ads[2]["Out"] == "out.7.2.gamma.txt", ads[2].get("Out")
        assert ads[0]["ClusterId"] == 7 and ads[0]["Smoke"] == "yes" and ads[0]["RequestMemory"] == 128
        assert ads[0]["Cmd"] == "/bin/echo"

    @check
    def event_log():
        with tempfile.TemporaryDirectory() as d:
            log = Path(d) / "job.log"
            log.write_text(EVENT_LOG)
            with htcondor.JobEventLog(str(log)) as jel:
                events = list(jel.events(stop_after=0))
        types = [e.type for e in events]
        T = htcondor.JobEventType
        assert types == [T.SUBMIT, T.EXECUTE, T.JOB_TERMINATED], types
        assert all((e.cluster, e.proc) == (42, 0) for e in events)
        end = events[-1]
        assert end["TerminatedNormally"] is True and end["ReturnValue"] == 3, dict(end)
        assert end["SentBytes"] == 10, dict(end)

    @check
    def classad_parse():
        ad = classad.parseOne('[ a = 2; b = a * 21; s = strcat("x", "y"); l = { 1, 2, 3 } ]')
        assert ad.eval("b") == 42 and ad["s"] == "xy" and list(ad["l"]) == [1, 2, 3]
        old = classad.parseOne('Foo = "bar"\nN = 3\n', parser=classad.Parser.Old)
        assert old["Foo"] == "bar" and old["N"] == 3
        assert classad.ExprTree("1 + 2").eval() == 3
        assert classad.ExprTree("undefined_attr").eval() is classad.Value.Undefined

    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
        except Exception:
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"ok   {fn.__name__}")
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
