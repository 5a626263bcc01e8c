"""Columnar results (numpy) from real queries, history, collector ads and event logs, checked
against the same data read ad by ad and against the built CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import classad
import htcondor

DATA = Path(__file__).parent / "data" / "logs"
N = 40


@pytest.fixture(scope="module")
def schedd(pool):
    return htcondor.Schedd()


@pytest.fixture(scope="module")
def cluster(schedd):
    sub = htcondor.Submit({
        "executable": "/bin/true", "hold": "true",
        "My.IntAttr": "$(Process) * 3",
        "My.RealAttr": "$(Process) + 0.5",
        "My.StrAttr": '"s$(Process)"',
        "My.Mixed": "$(Process)",
        "My.ListAttr": "{1, 2, $(Process)}",
    })
    c = schedd.submit(sub, count=N).cluster()
    # Every third job gains an attribute the others lack; one job's Mixed becomes a string.
    schedd.edit([f"{c}.{p}" for p in range(0, N, 3)], "Sometimes", "true")
    schedd.edit([f"{c}.7"], "Mixed", '"seven"')
    yield c
    schedd.act(htcondor.JobAction.Remove, f"ClusterId == {c}")


PROJ = ["ProcId", "IntAttr", "RealAttr", "StrAttr", "Sometimes", "Mixed", "ListAttr", "NoSuchAttr"]


def check_columns(cols, c):
    assert list(cols) == PROJ
    order = np.argsort(cols["ProcId"])
    proc = cols["ProcId"][order]
    assert cols["ProcId"].dtype == np.int64 and not np.ma.isMaskedArray(cols["ProcId"])
    assert proc.tolist() == list(range(N))
    assert cols["IntAttr"].dtype == np.int64 and cols["IntAttr"][order].tolist() == [3 * p for p in range(N)]
    assert cols["RealAttr"].dtype == np.float64 and cols["RealAttr"][order].tolist() == [p + 0.5 for p in range(N)]
    assert cols["StrAttr"].dtype == object and cols["StrAttr"][order].tolist() == [f"s{p}" for p in range(N)]
    some = cols["Sometimes"]
    assert np.ma.isMaskedArray(some) and some.dtype == bool
    assert some.mask[order].tolist() == [p % 3 != 0 for p in range(N)]
    assert some.compressed().tolist() == [True] * len(range(0, N, 3))
    mixed = cols["Mixed"][order]
    assert cols["Mixed"].dtype == object
    assert mixed.tolist() == [("seven" if p == 7 else p) for p in range(N)]
    assert cols["ListAttr"][order].tolist() == [[1, 2, p] for p in range(N)]
    missing = cols["NoSuchAttr"]
    assert np.ma.isMaskedArray(missing) and missing.mask.all() and np.isnan(missing.data).all()


def test_schedd_query_columns(schedd, cluster, pool):
    cols = schedd.query_columns(f"ClusterId == {cluster}", PROJ)
    check_columns(cols, cluster)
    # The same numbers through the CLI.
    cli = pool.run_command(["condor_q", str(cluster), "-af", "ProcId", "IntAttr", "RealAttr"], check=True).stdout
    rows = sorted(tuple(float(x) for x in line.split()) for line in cli.splitlines())
    ours = sorted(zip(cols["ProcId"].tolist(), cols["IntAttr"].tolist(), cols["RealAttr"].tolist()))
    assert [tuple(float(x) for x in r) for r in ours] == rows


def test_columns_match_ad_by_ad(schedd, cluster):
    ads = schedd.query(f"ClusterId == {cluster}", PROJ)
    by_ads = htcondor.ads_to_columns(ads, PROJ)
    check_columns(by_ads, cluster)
    direct = schedd.query_columns(f"ClusterId == {cluster}", PROJ)
    for name in PROJ:
        a, b = direct[name], by_ads[name]
        assert type(a) is type(b) and a.dtype == b.dtype, name
        assert np.ma.getmaskarray(a).tolist() == np.ma.getmaskarray(b).tolist()


def test_xquery_columns_and_limit(schedd, cluster):
    it = schedd.xquery(f"ClusterId == {cluster}", PROJ)
    check_columns(it.columns(), cluster)
    assert it.done()
    again = it.columns()  # drained: no rows left
    assert all(len(v) == 0 for v in again.values())
    limited = schedd.query_columns(f"ClusterId == {cluster}", ["ProcId"], limit=5)
    assert len(limited["ProcId"]) == 5


def test_columns_without_projection_take_every_attribute(schedd, cluster):
    cols = schedd.query_columns(f"ClusterId == {cluster}")
    assert {"ClusterId", "ProcId", "Owner", "IntAttr", "Sometimes"} <= set(cols)
    assert all(len(v) == N for v in cols.values())
    assert np.ma.isMaskedArray(cols["Sometimes"]) and cols["Sometimes"].count() == len(range(0, N, 3))
    assert set(cols["ClusterId"].tolist()) == {cluster}


def test_history_columns(schedd, pool):
    sub = htcondor.Submit({"executable": "/bin/sh", "arguments": "\"-c 'exit $(Process)'\"",
                           "transfer_executable": "false"})
    c = schedd.submit(sub, count=3).cluster()
    deadline = time.monotonic() + 180
    cols = {}
    while time.monotonic() < deadline:
        cols = schedd.history(f"ClusterId == {c}", ["ProcId", "ExitCode", "JobStatus"]).columns()
        if len(cols["ProcId"]) == 3:
            break
        time.sleep(1)
    assert len(cols["ProcId"]) == 3, cols
    pairs = sorted(zip(cols["ProcId"].tolist(), cols["ExitCode"].tolist()))
    assert pairs == [(0, 0), (1, 1), (2, 2)]
    assert cols["JobStatus"].tolist() == [4, 4, 4]
    cli = pool.run_command(["condor_history", str(c), "-af", "ProcId", "ExitCode"], check=True).stdout
    assert sorted(tuple(map(int, line.split())) for line in cli.splitlines()) == pairs


def test_collector_query_columns(pool):
    coll = htcondor.Collector()
    cols = coll.query_columns(htcondor.AdTypes.Startd, projection=["Name", "Cpus", "Memory", "State"])
    ads = coll.query(htcondor.AdTypes.Startd, projection=["Name", "Cpus", "Memory", "State"])
    assert sorted(cols["Name"].tolist()) == sorted(a["Name"] for a in ads)
    assert cols["Cpus"].dtype == np.int64 and cols["Memory"].dtype == np.int64
    cli = pool.run_command(["condor_status", "-af", "Name", "Cpus"], check=True).stdout
    assert sorted(zip(cols["Name"].tolist(), cols["Cpus"].tolist())) == \
        sorted((n, int(k)) for n, k in (line.split() for line in cli.splitlines()))
    # An ad type the library does not know fails as it does for query().
    with pytest.raises(htcondor.HTCondorValueError):
        coll.query(12345)
    with pytest.raises(htcondor.HTCondorValueError):
        coll.query_columns(12345)


def test_event_log_columns_match_iteration():
    path = str(DATA / "job.log")
    events = list(htcondor.JobEventLog(path).events(0))
    log = htcondor.JobEventLog(path)
    cols = log.columns(["EventTypeNumber", "Cluster", "Proc", "ReturnValue"])
    assert cols["EventTypeNumber"].tolist() == [int(e.type) for e in events]
    assert cols["Cluster"].tolist() == [e.cluster for e in events]
    rv = cols["ReturnValue"]
    assert [None if m else v for v, m in zip(rv.data.tolist(), np.ma.getmaskarray(rv).tolist())] == \
        [e.get("ReturnValue") for e in events]
    # The position moved past them: nothing new.
    assert all(len(v) == 0 for v in log.columns(["Cluster"]).values())
    every = htcondor.JobEventLog(path).columns()
    assert {"MyType", "EventTypeNumber", "Cluster", "EventTime"} <= set(every)
    assert all(len(v) == len(events) for v in every.values())


def test_event_log_columns_errors(tmp_path):
    bad = tmp_path / "garbage.log"
    bad.write_bytes(b"000 (not an event\n\x00\xff garbage\n")
    try:
        cols = htcondor.JobEventLog(str(bad)).columns()
    except htcondor.HTCondorIOError as err:
        assert str(bad) in str(err)
    else:
        assert all(len(v) == 0 for v in cols.values())


def test_ads_to_columns_edge_cases():
    assert htcondor.ads_to_columns([]) == {}
    ads = [classad.ClassAd({"A": 1, "B": "x"}), classad.ClassAd({"a": 2.5}), classad.ClassAd({"C": True})]
    cols = htcondor.ads_to_columns(ads)
    assert list(cols) == ["A", "B", "C"]  # first spelling wins, attributes are case-insensitive
    assert cols["A"].dtype == np.float64 and cols["A"].tolist() == [1.0, 2.5, None]
    assert cols["A"].mask.tolist() == [False, False, True] and np.isnan(cols["A"].data[2])
    assert cols["B"].mask.tolist() == [False, True, True]
    err = classad.ClassAd({"E": classad.ExprTree("1/0"), "U": classad.ExprTree("undefined")})
    cols = htcondor.ads_to_columns([err], ["E", "U"])
    assert cols["E"].mask.all() and cols["U"].mask.all()
    with pytest.raises(htcondor.HTCondorValueError):
        htcondor.ads_to_columns(ads, "A")


def test_columns_feed_pandas_like_consumers(schedd, cluster):
    cols = schedd.query_columns(f"ClusterId == {cluster}", ["ProcId", "IntAttr"])
    table = np.rec.fromarrays([cols["ProcId"], cols["IntAttr"]], names="ProcId,IntAttr")
    assert int(table.IntAttr.sum()) == sum(3 * p for p in range(N))


def test_missing_numpy_is_a_clear_import_error(pool):
    code = "import sys; sys.modules['numpy'] = None\nimport htcondor\ntry:\n    htcondor.ads_to_columns([])\n" \
           "except ImportError as e:\n    print('ImportError:', e)\n"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, CONDOR_CONFIG=str(pool.config_file)))
    assert "ImportError: columnar results need numpy" in res.stdout, res.stdout + res.stderr
