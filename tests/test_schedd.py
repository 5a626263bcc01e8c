"""Schedd against the real pool: submit, query, edit, act, history, transactions, iterators,
failures; cross-checked with the built CLI and with the official v1 module."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
import warnings

import pytest

import classad
import htcondor
from htcondor import JobAction

SLEEP = {"executable": "/bin/sleep", "arguments": "300", "transfer_executable": "false"}


@pytest.fixture(scope="module")
def schedd(pool):
    return htcondor.Schedd()


def cluster_ads(schedd, cluster, projection=("ClusterId", "ProcId", "JobStatus")):
    proj = list(projection) + (["ProcId"] if projection and "ProcId" not in projection else [])
    return sorted(schedd.query(f"ClusterId == {cluster}", proj), key=lambda a: a["ProcId"])


def condor_q(pool, cluster, *attrs):
    res = pool.run_command(["condor_q", str(cluster), "-af", *attrs], check=True)
    return [line.split() for line in res.stdout.splitlines() if line.strip()]


def wait_until(fn, timeout=60.0, step=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not reached in time")


def test_locate_and_location(schedd, pool):
    loc = schedd.location
    assert loc.daemon_type == htcondor.DaemonTypes.Schedd
    assert loc.address.startswith("<127.0.0.1:") and "23.9.6" in loc.version
    ad = classad.ClassAd({"MyAddress": loc.address, "Name": "x", "CondorVersion": loc.version})
    assert htcondor.Schedd(ad).location.address == loc.address


def test_submit_query_and_cli_agree(schedd, pool):
    result = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=3)
    assert result.num_procs() == 3 and result.first_proc() == 0 and int(result) == result.cluster()
    assert result.clusterad()["ClusterId"] == result.cluster()
    ads = cluster_ads(schedd, result.cluster(), ["ClusterId", "ProcId", "JobStatus", "Cmd", "Args"])
    assert [(a["ProcId"], a["JobStatus"], a["Cmd"], a["Args"]) for a in ads] == [
        (p, 5, "/bin/sleep", "300") for p in range(3)]
    assert all("ServerTime" in a for a in ads)
    assert condor_q(pool, result.cluster(), "ProcId", "JobStatus") == [[str(p), "5"] for p in range(3)]
    # limit, callback, summary
    assert len(schedd.query(f"ClusterId == {result.cluster()}", ["ProcId"], limit=2)) == 2
    assert sorted(schedd.query(f"ClusterId == {result.cluster()}", ["ProcId"],
                               callback=lambda ad: ad["ProcId"] * 10)) == [0, 10, 20]
    summary = schedd.query(f"ClusterId == {result.cluster()}", [], opts=htcondor.QueryOpts.SummaryOnly)
    assert summary[-1]["MyType"] == "Summary" and summary[-1]["Held"] >= 3
    schedd.act(JobAction.Remove, f"ClusterId == {result.cluster()}")


def test_itemdata_and_ad_results(schedd):
    sub = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(word) $(n)", "hold": "true"})
    ads = []
    result = schedd.submit(sub, count=2, ad_results=ads, itemdata=iter([{"word": "a", "n": 1}, {"word": "b", "n": 2}]))
    assert result.num_procs() == 4 and len(ads) == 4
    got = cluster_ads(schedd, result.cluster(), ["ProcId", "Args"])
    assert [a["Args"] for a in got] == ["a 1", "a 1", "b 2", "b 2"]
    assert [a["Args"] for a in ads] == ["a 1", "a 1", "b 2", "b 2"]
    schedd.act(JobAction.Remove, [f"{result.cluster()}.{p}" for p in range(4)])


def test_act_hold_release_remove(schedd, pool):
    c = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=2).cluster()
    r = schedd.act(JobAction.Release, f"ClusterId == {c}")
    assert r["TotalSuccess"] == 2 and r["TotalNotFound"] == 0 and r["TotalError"] == 0
    r = schedd.act(JobAction.Hold, job_spec=[f"{c}.0"], reason=("testing", 42))  # v1's keywords
    assert r["TotalSuccess"] == 1
    held = cluster_ads(schedd, c, ["ProcId", "JobStatus", "HoldReason", "HoldReasonSubCode"])[0]
    assert held["JobStatus"] == 5 and held["HoldReason"].startswith("testing") and held["HoldReasonSubCode"] == 42
    assert condor_q(pool, f"{c}.0", "JobStatus") == [["5"]]
    r = schedd.act(JobAction.Remove, str(c))
    assert r["TotalSuccess"] == 2
    assert wait_until(lambda: not cluster_ads(schedd, c))
    r = schedd.act(JobAction.Hold, [f"{c}.0"])
    assert r["TotalSuccess"] == 0 and (r["TotalNotFound"] == 1 or r["TotalError"] >= 1)


def test_edit(schedd, pool):
    c = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=2).cluster()
    res = schedd.edit([f"{c}.0", f"{c}.1"], "Foo", '"bar"')
    assert int(res) == 2 and str(res) == "edited 2 jobs"
    schedd.edit(f"ClusterId == {c}", "Answer", classad.ExprTree("6 * 7"))
    schedd.edit(f"{c}.1", classad.ClassAd({"Pi": 3.25, "Name": "x"}))
    ads = cluster_ads(schedd, c, ["ProcId", "Foo", "Answer", "Pi", "Name"])
    assert [a["Foo"] for a in ads] == ["bar", "bar"]
    assert [a.eval("Answer") for a in ads] == [42, 42]
    assert ads[1]["Pi"] == 3.25 and ads[1]["Name"] == "x" and "Pi" not in ads[0]
    assert condor_q(pool, f"{c}.0", "Foo") == [["bar"]]
    with pytest.raises(htcondor.HTCondorIOError):
        schedd.edit(f"{c}.0", "ClusterId", "17")  # the schedd protects it
    with pytest.raises(htcondor.HTCondorValueError):
        schedd.edit(["1.x"], "Foo", "1")
    schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_history_after_completion(schedd, pool):
    sub = htcondor.Submit({"executable": "/bin/sh", "arguments": "\"-c 'exit 7'\"", "transfer_executable": "false"})
    c = schedd.submit(sub, count=2).cluster()
    wait_until(lambda: not cluster_ads(schedd, c), timeout=120)
    hist = wait_until(lambda: list(schedd.history(f"ClusterId == {c}", ["ClusterId", "ProcId", "ExitCode"])))
    assert sorted((h["ProcId"], h["ExitCode"]) for h in hist) == [(0, 7), (1, 7)]
    cli = pool.run_command(["condor_history", str(c), "-af", "ProcId", "ExitCode"], check=True).stdout.split()
    assert sorted(cli) == sorted(["0", "7", "1", "7"])
    assert len(list(schedd.history(None, ["ClusterId"], match=1))) == 1
    assert len(list(schedd.history(f"ClusterId == {c}", [], since=f"{c}.1"))) <= 1
    with pytest.raises(classad.ClassAdParseError):
        schedd.history("ClusterId ==", [])


def test_ten_thousand_procs_in_one_transaction(schedd, pool):
    sub = htcondor.Submit(dict(SLEEP, hold="true"))
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with schedd.transaction() as txn:
            cluster = sub.queue(txn, count=10_000)
    elapsed = time.time() - t0
    ads = schedd.query(f"ClusterId == {cluster}", ["ClusterId", "ProcId", "JobStatus"])
    assert len(ads) == 10_000
    assert sorted(a["ProcId"] for a in ads) == list(range(10_000))
    assert all(set(a.keys()) <= {"ClusterId", "ProcId", "JobStatus", "ServerTime"} for a in ads)
    print(f"10,000 procs submitted in {elapsed:.1f} s")
    r = schedd.act(JobAction.Remove, f"ClusterId == {cluster}")
    assert r["TotalSuccess"] == 10_000


def test_failed_transaction_leaves_nothing(schedd):
    before = {a["ClusterId"] for a in schedd.query("true", ["ClusterId"])}
    sub = htcondor.Submit(dict(SLEEP, hold="true"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(RuntimeError, match="boom"):
            with schedd.transaction() as txn:
                sub.queue(txn, count=5)
                raise RuntimeError("boom")
        after = {a["ClusterId"] for a in schedd.query("true", ["ClusterId"])}
        assert after == before
        # and the process can open a new transaction afterwards
        with schedd.transaction() as txn:
            c = sub.queue(txn, count=1)
    assert len(cluster_ads(schedd, c)) == 1
    with pytest.raises(htcondor.HTCondorIOError, match="already in progress"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            with schedd.transaction():
                schedd.transaction()
    schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_xquery_and_poll(schedd):
    clusters = [schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=n).cluster() for n in (2, 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        its = [schedd.xquery(f"ClusterId == {c}", ["ClusterId", "ProcId"], name=f"q{c}") for c in clusters]
    got = {}
    for it in htcondor.poll(its, timeout_ms=10000):
        for ad in it.nextAdsNonBlocking():
            got.setdefault(it.tag(), []).append(ad["ProcId"])
    assert {k: sorted(v) for k, v in got.items()} == {f"q{clusters[0]}": [0, 1], f"q{clusters[1]}": [0, 1, 2]}
    assert all(it.done() for it in its) and all(it.watch() == -1 for it in its)
    it = schedd.xquery(f"ClusterId == {clusters[0]}", ["ProcId"])
    assert sorted(a["ProcId"] for a in it) == [0, 1]
    with pytest.raises(StopIteration):
        next(it)
    for c in clusters:
        schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_failure_paths(schedd, pool, tmp_path):
    dead = classad.ClassAd({"MyAddress": "<127.0.0.1:1>", "Name": "x", "MyType": "Scheduler",
                            "CondorVersion": htcondor.version()})
    with pytest.raises(htcondor.HTCondorIOError, match="Failed to fetch ads from schedd"):
        htcondor.Schedd(dead).query()
    with pytest.raises(htcondor.HTCondorIOError):
        htcondor.Schedd(dead).submit(htcondor.Submit(SLEEP))
    with pytest.raises(htcondor.HTCondorIOError):
        htcondor.Schedd(dead).xquery()
    with pytest.raises(htcondor.HTCondorValueError, match="Invalid constraint"):
        schedd.query("ClusterId ==")
    with pytest.raises(htcondor.HTCondorValueError, match="Not a Submit"):
        schedd.submit("executable = /bin/true")
    with pytest.raises(htcondor.HTCondorValueError, match="address not specified"):
        htcondor.Schedd(classad.ClassAd({"Name": "x"}))
    with pytest.raises(htcondor.HTCondorValueError):
        schedd.submit(htcondor.Submit({"executable": "/bin/true", "universe": "bogus"}))
    env = dict(pool.env(), CONDOR_CONFIG=str(tmp_path / "none"))
    (tmp_path / "none").write_text("COLLECTOR_HOST = 127.0.0.1:1\nSCHEDD_ADDRESS_FILE = /nonexistent\n")
    code = "import htcondor\ntry:\n    htcondor.Schedd()\nexcept htcondor.HTCondorLocateError as e:\n    print('LOCATE', e)\n"
    import sys
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "LOCATE Unable to locate" in res.stdout, res.stdout + res.stderr


def test_v1_and_ours_see_the_same_pool(schedd, pool, tmp_path):
    """The official v1 module, against the same schedd: same job ads from the same query, same
    act() result ad, and jobs it submits are seen by us."""
    ours = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=2).cluster()
    script = tmp_path / "v1.py"
    script.write_text(textwrap.dedent(f"""
        import json, htcondor
        s = htcondor.Schedd()
        ads = s.query("ClusterId == {ours}", ["ClusterId", "ProcId", "JobStatus", "Cmd"])
        r = s.submit(htcondor.Submit({{"executable": "/bin/sleep", "arguments": "300", "hold": "true",
                                       "transfer_executable": "false"}}), count=1)
        act = s.act(htcondor.JobAction.Release, "ClusterId == {ours}")
        print(json.dumps({{"ads": sorted([dict(a) for a in ads], key=lambda a: a["ProcId"]),
                          "act": dict(act), "cluster": r.cluster()}}))
    """))
    res = subprocess.run([os.environ["HTCPB_ORACLE_PYTHON"], str(script)], env=pool.env(), capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    v1 = json.loads(res.stdout)
    mine = [dict(a) for a in cluster_ads(schedd, ours, ["ClusterId", "ProcId", "JobStatus", "Cmd"])]
    assert [a["JobStatus"] for a in v1["ads"]] == [5, 5]  # held when v1 looked; released since
    for a, b in zip(v1["ads"], mine):
        for k in ("ServerTime", "JobStatus"):
            a.pop(k), b.pop(k)
    assert v1["ads"] == mine and len(mine) == 2
    mine_act = dict(schedd.act(JobAction.Hold, f"ClusterId == {ours}"))
    assert set(mine_act) == set(v1["act"]) and v1["act"]["TotalSuccess"] == mine_act["TotalSuccess"] == 2
    theirs = cluster_ads(schedd, v1["cluster"], ["ClusterId", "ProcId", "Cmd", "JobStatus"])
    assert [(a["ProcId"], a["Cmd"], a["JobStatus"]) for a in theirs] == [(0, "/bin/sleep", 5)]
    for c in (ours, v1["cluster"]):
        schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_seed_examples_run_verbatim(pool, tmp_path):
    import shutil
    import sys

    examples = os.environ.get("HTCPB_EXAMPLES")
    assert examples, "HTCPB_EXAMPLES must point at the examples directory (ci/test.sh sets it)"
    for name, expected in (("sleep_job.py", "Job terminated normally with return value 0."),
                           ("sleep_job_deadline.py", "Deadline expired.")):
        work = tmp_path / name
        work.mkdir()
        shutil.copy(os.path.join(examples, name), work)
        res = subprocess.run([sys.executable, name], cwd=work, env=pool.env(), capture_output=True, text=True,
                             timeout=180)
        assert res.returncode == 0, res.stderr[-2000:]
        assert res.stdout.strip().splitlines()[-1] == expected


def test_spool_and_retrieve_move_files(schedd, tmp_path, monkeypatch):
    work = tmp_path / "spool"
    work.mkdir()
    os.chmod(work, 0o755)
    (work / "in.txt").write_text("hello spool\n")
    script = work / "job.sh"
    script.write_text("#!/bin/sh\ntr a-z A-Z < in.txt > out.txt\necho done\n")
    script.chmod(0o755)
    monkeypatch.chdir(work)  # the job's Iwd
    sub = htcondor.Submit({"executable": "job.sh", "transfer_input_files": "in.txt", "output": "job.out",
                           "should_transfer_files": "YES", "when_to_transfer_output": "ON_EXIT"})
    result = schedd.submit(sub, spool=True)
    c = result.cluster()
    ad = cluster_ads(schedd, c, ["JobStatus", "HoldReasonCode"])[0]
    assert ad["JobStatus"] == 5 and ad["HoldReasonCode"] == 16  # held for spooling
    schedd.spool(list(sub.jobs(clusterid=c)))
    done = wait_until(lambda: [a for a in cluster_ads(schedd, c, ["ProcId", "JobStatus"]) if a["JobStatus"] == 4],
                      timeout=120)
    assert done
    assert not (work / "out.txt").exists()  # still in the spool
    schedd.retrieve(f"ClusterId == {c}")
    assert (work / "out.txt").read_text() == "HELLO SPOOL\n"
    assert (work / "job.out").read_text() == "done\n"
    schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_export_unexport_and_import(schedd, tmp_path):
    c = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true")), count=2).cluster()
    with pytest.raises(htcondor.HTCondorIOError, match="export job log"):
        schedd.export_jobs(f"ClusterId == {c}", str(tmp_path / "missing-dir"), str(tmp_path / "ns"))
    export_dir = tmp_path / "export"
    export_dir.mkdir()
    result = schedd.export_jobs(f"ClusterId == {c}", str(export_dir), str(tmp_path / "newspool"))
    assert result["TotalJobAds"] == 2 and result["ActionResult"] == 1
    managed = cluster_ads(schedd, c, ["ProcId", "Managed"])
    assert [a.get("Managed") for a in managed] == ["External", "External"]
    assert (export_dir / "job_queue.log").exists()
    schedd.unexport_jobs(f"ClusterId == {c}")
    assert [a.get("Managed") for a in cluster_ads(schedd, c, ["ProcId", "Managed"])] != ["External", "External"]
    (tmp_path / "export2").mkdir()
    schedd.export_jobs([f"{c}.0"], str(tmp_path / "export2"), str(tmp_path / "newspool2"))
    # Nothing was run externally, so the import succeeds and brings back no job changes; the
    # job stays externally managed until unexported.
    reply = schedd.import_exported_job_results(str(tmp_path / "export2"))
    assert reply["ActionResult"] == 1 and reply["TotalJobAds"] == 0
    assert cluster_ads(schedd, c, ["ProcId", "Managed"])[0].get("Managed") == "External"
    schedd.unexport_jobs([f"{c}.0"])
    assert cluster_ads(schedd, c, ["ProcId", "Managed"])[0].get("Managed") != "External"
    schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_submit_many_and_raw_ad(schedd):
    cluster_ad = classad.ClassAd({"Cmd": "/bin/sleep", "Arguments": "300"})
    held = {"JobStatus": 5, "HoldReason": "raw", "HoldReasonCode": 1}
    results = []
    c = schedd.submitMany(cluster_ad, [(classad.ClassAd(dict(held, Foo=1)), 2), (classad.ClassAd(dict(held, Foo=2)), 1)],
                          ad_results=results)
    ads = cluster_ads(schedd, c, ["ProcId", "Foo", "Cmd", "JobStatus", "Iwd"])
    assert [(a["ProcId"], a["Foo"], a["Cmd"]) for a in ads] == [(0, 1, "/bin/sleep"), (1, 1, "/bin/sleep"),
                                                               (2, 2, "/bin/sleep")]
    assert len(results) == 3 and all(a["JobStatus"] == 5 for a in ads)
    with pytest.warns(FutureWarning):
        c2 = schedd.submit(classad.ClassAd(dict(held, Cmd="/bin/sleep", Arguments="300")), count=2)
    assert len(cluster_ads(schedd, c2)) == 2
    for cl in (c, c2):
        schedd.act(JobAction.Remove, f"ClusterId == {cl}")


def test_refresh_proxy_failure_is_an_io_error(schedd, tmp_path):
    c = schedd.submit(htcondor.Submit(dict(SLEEP, hold="true"))).cluster()
    with pytest.raises(htcondor.HTCondorIOError, match="proxy"):
        schedd.refreshGSIProxy(c, 0, str(tmp_path / "no-such-proxy"), -1)
    schedd.act(JobAction.Remove, f"ClusterId == {c}")


def test_transaction_in_one_thread_makes_others_wait_not_fail(schedd):
    import threading

    sub = htcondor.Submit(dict(SLEEP, hold="true"))
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with schedd.transaction() as txn:
            c1 = sub.queue(txn, count=1)

            def other():
                results["query"] = len(schedd.query(f"ClusterId == {c1}", ["ProcId"]))
                results["submit"] = schedd.submit(sub, count=1).cluster()

            t = threading.Thread(target=other)
            t.start()
            time.sleep(1.0)
            assert t.is_alive()  # waiting for this transaction, not failing
    t.join(60)
    assert results["query"] == 1 and results["submit"] > c1
    for c in (c1, results["submit"]):
        schedd.act(JobAction.Remove, f"ClusterId == {c}")
