"""Memory stays flat over many iterations of the common operations (no per-call leaks)."""

from __future__ import annotations

import gc
import resource
from pathlib import Path

import classad
import htcondor

LOGS = Path(__file__).parent / "data" / "logs"


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _growth(fn, n: int) -> int:
    for _ in range(n // 4):  # warm up allocator caches
        fn()
    gc.collect()
    before = _rss_kb()
    for _ in range(n):
        fn()
    gc.collect()
    return _rss_kb() - before


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
    def work():
        for e in htcondor.JobEventLog(str(LOGS / "job.log")).events(0):
            _ = e.type, e["MyType"], str(e)

    assert _growth(work, 3_000) < 2048


def test_submit_descriptions_do_not_leak():
    def work():
        s = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(Item)"})
        _ = list(s.jobs(count=2, qdate=1))
        del s["arguments"]

    assert _growth(work, 3_000) < 2048
