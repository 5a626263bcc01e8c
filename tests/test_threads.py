"""Concurrency: many threads mixing queries, submits, edits, log follows and ClassAd work for a
bounded time: no deadlock, no crash, every result correct; and a thread blocked in the library
does not stop the others.

The first test found a real dead-lock: while one thread's job-queue transaction is open the
schedd serves nothing else from this process, so another thread's query (holding the library
lock) and the transaction waited on each other until the schedd timed the transaction out.
Schedd requests now wait for other threads' transactions (the queue gate)."""

from __future__ import annotations

import os
import threading
import time
import warnings

import classad
import htcondor
from htcondor import JobAction

LOG = os.path.join(os.path.dirname(__file__), "data", "logs", "job.log")


def test_sixteen_threads_mixing_operations(pool, tmp_path):
    schedd = htcondor.Schedd()
    stop = time.time() + 20
    errors: list[BaseException] = []
    counts = {"query": 0, "submit": 0, "edit": 0, "events": 0, "classad": 0, "xquery": 0}
    lock = threading.Lock()
    clusters: list[int] = []

    def bump(kind):
        with lock:
            counts[kind] += 1

    def submitter():
        sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true",
                               "MY.ThreadTest": "true"})
        while time.time() < stop:
            # One queue connection per process: concurrent submits wait for each other.
            r = schedd.submit(sub, count=3)
            assert r.num_procs() == 3
            with lock:
                clusters.append(r.cluster())
            bump("submit")

    def querier():
        while time.time() < stop:
            ads = schedd.query("ThreadTest =?= true", ["ClusterId", "ProcId", "JobStatus"])
            assert all(a["JobStatus"] == 5 for a in ads)
            bump("query")

    def xquerier():
        while time.time() < stop:
            n = sum(1 for _ in schedd.xquery("ThreadTest =?= true", ["ProcId"]))
            assert n >= 0
            bump("xquery")

    def editor():
        while time.time() < stop:
            with lock:
                target = clusters[-1] if clusters else None
            if target is None:
                time.sleep(0.05)
                continue
            schedd.edit(f"ClusterId == {target}", "Touched", "true")
            bump("edit")

    def follower():
        while time.time() < stop:
            events = list(htcondor.JobEventLog(LOG).events(0))
            assert [int(e.type) for e in events] == [0, 1, 6, 5] and events[-1]["ReturnValue"] == 3
            bump("events")

    def classad_worker():
        text = '[a = 1; b = a + 2; c = strcat("x", "y"); l = {1, 2, 3}]'
        while time.time() < stop:
            ad = classad.ClassAd(text)
            assert ad.eval("b") == 3 and ad.eval("c") == "xy" and ad["l"] == [1, 2, 3]
            assert len(list(classad.parseAds(text * 5))) == 5
            bump("classad")

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as err:  # noqa: BLE001
                errors.append(err)
        return run

    workers = ([submitter] * 2 + [querier] * 4 + [xquerier] * 2 + [editor] * 2 + [follower] * 3
               + [classad_worker] * 3)
    assert len(workers) == 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        threads = [threading.Thread(target=guard(w)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not any(t.is_alive() for t in threads), "deadlock: threads still running"
    assert not errors, errors
    assert all(counts[k] > 0 for k in counts), counts
    total = schedd.query("ThreadTest =?= true", ["ClusterId"])
    assert len(total) == 3 * counts["submit"]
    schedd.act(JobAction.Remove, "ThreadTest =?= true")
    print(counts)


def test_blocked_query_does_not_stop_python_threads(pool):
    """A thread inside a schedd round trip holds the library lock with the GIL released: pure
    Python work elsewhere keeps running at full speed."""
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true", "MY.GilTest": "true"})
    schedd.submit(sub, count=2000)
    done = threading.Event()

    def queries():
        while not done.is_set():
            schedd.query("GilTest =?= true", ["ClusterId", "ProcId"])

    def spin(seconds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            n += 1
        return n

    alone = spin(1.0)
    t = threading.Thread(target=queries)
    t.start()
    try:
        beside = spin(1.0)
    finally:
        done.set()
        t.join(60)
    schedd.act(JobAction.Remove, "GilTest =?= true")
    # The querying thread converts ads to Python objects with the GIL, so some slowdown is
    # expected, but the loop must not be starved.
    assert beside > alone * 0.25, (alone, beside)
