"""Memory stays flat over many iterations of the common operations (no per-call leaks): RSS
grows by less than 2 MB over 20,000 iterations of parsing, event reading, submit descriptions,
and queries, columnar queries and submits against the session pool.  Each test prints the growth
it measured (``pytest -s`` shows it; docs/reliability.rst quotes it)."""

from __future__ import annotations

import gc
import resource
from pathlib import Path

import pytest

import classad
import htcondor

LOGS = Path(__file__).parent / "data" / "logs"


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _growth(fn, n: int, what: str = "") -> int:
    for _ in range(max(1, n // 10)):  # warm up allocator caches and the library's own caches
        fn()
    gc.collect()
    before = _rss_kb()
    for _ in range(n):
        fn()
    gc.collect()
    grown = _rss_kb() - before
    print(f"{what or fn.__qualname__}: {n} iterations, RSS {before} kB -> {before + grown} kB ({grown:+d} kB)")
    return grown


def test_classad_operations_do_not_leak():
    text = '[a = 1; b = a + 2; c = "x"; l = {1, [d = 2]}; e = strcat(c, "y")]'

    def work():
        ad = classad.ClassAd(text)
        ad["z"] = {"k": [1, 2.5, None]}
        _ = [ad.eval(k) for k in ad]
        _ = ad.lookup("b").eval(), repr(ad), ad.printJson()
        _ = list(classad.parseAds(text + text))
        try:
            classad.ClassAd("[a = ")
        except classad.ClassAdParseError:
            pass

    assert _growth(work, 20_000) < 2048


def test_event_reading_does_not_leak():
    events = len(list(htcondor.JobEventLog(str(LOGS / "job.log")).events(0)))
    assert events == 4

    def work():
        for e in htcondor.JobEventLog(str(LOGS / "job.log")).events(0):
            _ = e.type, e["MyType"], str(e)

    assert _growth(work, 20_000 // events, "events (4 per log)") < 2048


def test_submit_descriptions_do_not_leak():
    def work():
        s = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(Item)"})
        _ = list(s.jobs(count=2, qdate=1))
        del s["arguments"]

    assert _growth(work, 20_000) < 2048


# -- against the pool ----------------------------------------------------------------------------


@pytest.fixture
def held_cluster(pool):
    """A cluster of 5 held jobs, removed afterwards."""
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true", "MY.LeakTest": "true"})
    cluster = schedd.submit(sub, count=5).cluster()
    yield schedd, cluster
    schedd.act(htcondor.JobAction.Remove, f"ClusterId == {cluster}")


def test_schedd_queries_do_not_leak(held_cluster):
    schedd, cluster = held_cluster

    def work():
        ads = schedd.query(f"ClusterId == {cluster}", ["ClusterId", "ProcId", "JobStatus"])
        assert len(ads) == 5 and ads[0]["ClusterId"] == cluster

    assert _growth(work, 20_000, "Schedd.query (5 ads)") < 2048

    def xwork():
        assert sum(1 for _ in schedd.xquery(f"ClusterId == {cluster}", ["ProcId"])) == 5

    assert _growth(xwork, 5_000, "Schedd.xquery (5 ads)") < 2048


def test_columnar_queries_do_not_leak(held_cluster):
    schedd, cluster = held_cluster

    def work():
        cols = schedd.query_columns(f"ClusterId == {cluster}", ["ClusterId", "ProcId", "Cmd"])
        assert list(cols["ProcId"]) == [0, 1, 2, 3, 4]

    assert _growth(work, 20_000, "Schedd.query_columns (5 rows)") < 2048


def test_schedd_submits_do_not_leak(pool):
    """20,000 procs submitted (and removed) in clusters of 10."""
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true", "MY.LeakTest": "true"})

    def work():
        r = schedd.submit(sub, count=10)
        assert r.num_procs() == 10
        schedd.act(htcondor.JobAction.Remove, f"ClusterId == {r.cluster()}")

    assert _growth(work, 2_000, "Schedd.submit (10 procs) + act(Remove)") < 2048
