"""Job event logs: real jobs in the pool, following, pickling, threads, bad input, and the
same events/keys/values as the official v1 module on the same files."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import htcondor
from htcondor import JobEventType as T

HERE = Path(__file__).parent
LOGS = HERE / "data" / "logs"


def cli_submit(pool, directory: Path, description: str) -> int:
    """Submit with the built condor_submit (independent of the bindings under test)."""
    sub = directory / "job.sub"
    sub.write_text(description)
    res = pool.run_command(["condor_submit", str(sub)], timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    return int(re.search(r"submitted to cluster (\d+)", res.stdout).group(1))


def follow_until(log: Path, done, timeout: float = 120.0) -> list:
    """Follow a log (with the bindings) until done(events) or the timeout."""
    deadline = time.time() + timeout
    while not log.exists():
        assert time.time() < deadline, f"{log} never appeared"
        time.sleep(0.2)
    events = []
    jel = htcondor.JobEventLog(str(log))
    while time.time() < deadline:
        for e in jel.events(stop_after=2):
            events.append(e)
            if done(events):
                return events
    raise AssertionError(f"timed out; saw {[(str(e.type), e.cluster, e.proc) for e in events]}")


def terminal(n):
    return lambda evs: sum(e.type in (T.JOB_TERMINATED, T.JOB_ABORTED) for e in evs) >= n


@pytest.fixture(scope="module")
def jobs(pool, tmp_path_factory):
    """Real jobs of every kind, submitted once; their logs, followed to the end."""
    d = tmp_path_factory.mktemp("jobs")
    os.chmod(d, 0o755)
    out = {}
    out["normal"] = (cli_submit(pool, d, f"executable = /bin/sleep\narguments = 1\nlog = {d}/normal.log\n"
                                         "transfer_executable = false\nqueue\n"), d / "normal.log")
    out["exit3"] = (cli_submit(pool, d, f"executable = /bin/sh\narguments = \"-c 'exit 3'\"\nlog = {d}/exit3.log\n"
                                        "transfer_executable = false\nqueue\n"), d / "exit3.log")
    out["signal"] = (cli_submit(pool, d, f"executable = /bin/sh\narguments = \"-c 'kill -9 $$'\"\n"
                                         f"log = {d}/signal.log\ntransfer_executable = false\nqueue\n"), d / "signal.log")
    out["multi"] = (cli_submit(pool, d, f"executable = /bin/true\nlog = {d}/multi.log\n"
                                        "transfer_executable = false\nqueue 3\n"), d / "multi.log")
    out["xml"] = (cli_submit(pool, d, f"executable = /bin/true\nlog = {d}/xml.log\nlog_xml = true\n"
                                      "transfer_executable = false\nqueue\n"), d / "xml.log")
    held = cli_submit(pool, d, f"executable = /bin/sleep\narguments = 300\nlog = {d}/held.log\n"
                               "transfer_executable = false\nqueue\n")
    out["held"] = (held, d / "held.log")
    results = {}
    for name in ("normal", "exit3", "signal", "xml"):
        results[name] = follow_until(out[name][1], terminal(1))
    results["multi"] = follow_until(out["multi"][1], terminal(3))
    # run -> hold -> release -> remove, by the CLI; the log shows each step.
    follow_until(out["held"][1], lambda evs: any(e.type == T.EXECUTE for e in evs))
    pool.run_command(["condor_hold", "-reason", "testing holds", str(held)], check=True)
    follow_until(out["held"][1], lambda evs: any(e.type == T.JOB_HELD for e in evs))
    pool.run_command(["condor_release", str(held)], check=True)
    follow_until(out["held"][1], lambda evs: any(e.type == T.JOB_RELEASED for e in evs))
    pool.run_command(["condor_rm", str(held)], check=True)
    results["held"] = follow_until(out["held"][1], terminal(1))
    return {k: (out[k][0], out[k][1], results[k]) for k in out}


def types(events):
    return [e.type for e in events]


def test_normal_exit(jobs):
    cluster, _, events = jobs["normal"]
    assert types(events)[0] == T.SUBMIT and T.EXECUTE in types(events)
    term = events[-1]
    assert term.type == T.JOB_TERMINATED and term.cluster == cluster and term.proc == 0
    assert term["TerminatedNormally"] is True and term["ReturnValue"] == 0
    assert "TerminatedBySignal" not in term
    assert term["MyType"] == "JobTerminatedEvent" and term["Cluster"] == cluster
    sub = events[0]
    assert sub["SubmitHost"].startswith("<127.0.0.1:") and isinstance(sub.timestamp, int)
    assert abs(sub.timestamp - time.time()) < 600
    ex = next(e for e in events if e.type == T.EXECUTE)
    assert ex["ExecuteHost"].startswith("<127.0.0.1:")


def test_nonzero_exit(jobs):
    term = jobs["exit3"][2][-1]
    assert term.type == T.JOB_TERMINATED and term["TerminatedNormally"] is True
    assert term["ReturnValue"] == 3


def test_killed_by_signal(jobs):
    term = jobs["signal"][2][-1]
    assert term.type == T.JOB_TERMINATED and term["TerminatedNormally"] is False
    assert term["TerminatedBySignal"] == 9


def test_multi_proc_cluster(jobs):
    cluster, _, events = jobs["multi"]
    terms = [e for e in events if e.type == T.JOB_TERMINATED]
    assert sorted(e.proc for e in terms) == [0, 1, 2]
    assert {e.cluster for e in events} == {cluster}
    assert sorted(e.proc for e in events if e.type == T.SUBMIT) == [0, 1, 2]


def test_hold_release_remove(jobs):
    _, _, events = jobs["held"]
    kinds = types(events)
    assert kinds[0] == T.SUBMIT
    held = next(e for e in events if e.type == T.JOB_HELD)
    assert held["HoldReason"].startswith("testing holds") and held["HoldReasonCode"] == 1  # by user
    assert T.JOB_RELEASED in kinds and kinds[-1] == T.JOB_ABORTED
    assert "condor_rm" in events[-1]["Reason"] or "removed" in events[-1]["Reason"].lower()


def test_xml_log(jobs):
    cluster, log, events = jobs["xml"]
    assert log.read_text().lstrip().startswith('<c>\n    <a n="')  # HTCondor's XML event format
    assert types(events)[0] == T.SUBMIT and events[-1].type == T.JOB_TERMINATED
    assert events[-1]["ReturnValue"] == 0 and events[-1].cluster == cluster


def test_same_events_as_v1_on_the_same_files(jobs):
    files = sorted(str(p) for p in LOGS.glob("*.log")) + [str(j[1]) for j in jobs.values()]
    results = {}
    for python in (os.environ["HTCPB_ORACLE_PYTHON"], sys.executable):
        res = subprocess.run([python, str(HERE / "event_probe.py"), *files], capture_output=True,
                             text=True, timeout=120, env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
        assert res.returncode == 0, res.stderr[-2000:]
        results[python] = json.loads(res.stdout)
    v1, ours = results.values()
    assert sum(len(v["events"]) for v in v1.values()) > 30
    for f in files:
        assert ours[f] == v1[f], f


def test_event_mapping_and_text(jobs):
    e = jobs["normal"][2][0]
    assert set(e.keys()) == set(e) and len(e) == len(e.keys()) and "MyType" in e
    assert e.get("NoSuchKey") is None and e.get("NoSuchKey", 1) == 1 and e.has_key("Cluster")
    with pytest.raises(KeyError):
        e["NoSuchKey"]
    assert dict(e.items()) == dict(zip(e.keys(), e.values()))
    assert str(e).startswith(f"000 ({e.cluster:03d}.000.000)")
    assert repr(e) == f"JobEvent(type=0, cluster={e.cluster}, proc=0, timestamp={e.timestamp})"


def test_seed_log_rebuilds_from_str():
    """str(event) + '...\\n' joined gives back the log (upstream's test)."""
    text = (LOGS / "job.log").read_text()
    events = list(htcondor.JobEventLog(str(LOGS / "job.log")).events(0))
    assert "".join(str(e) + "...\n" for e in events) == text


def test_enums():
    assert T.SUBMIT == 0 and T.FILE_REMOVED == 45 and T.JOB_HELD == 12 and T.NONE == 39
    assert len(T.names) == 46 and str(T.JOB_TERMINATED) == "JOB_TERMINATED"
    assert T.values[5] is T.JOB_TERMINATED and isinstance(T.EXECUTE, int)
    assert int(T(46)) == 46  # DATAFLOW_JOB_SKIPPED: unnamed, as in v1
    F = htcondor.FileTransferEventType
    assert [(m.name, int(m)) for m in F] == [("IN_QUEUED", 1), ("IN_STARTED", 2), ("IN_FINISHED", 3),
                                             ("OUT_QUEUED", 4), ("OUT_STARTED", 5), ("OUT_FINISHED", 6)]
    assert [(m.name, int(m)) for m in htcondor.JobStatus][:2] == [("IDLE", 1), ("RUNNING", 2)]


# --- following ---------------------------------------------------------------------------------

def _split_events(path: Path) -> list[str]:
    text = path.read_text()
    return [chunk + "...\n" for chunk in text.split("...\n") if chunk.strip()]


def test_follow_semantics(tmp_path):
    chunks = _split_events(LOGS / "job.log")
    log = tmp_path / "follow.log"
    log.write_text(chunks[0])
    jel = htcondor.JobEventLog(str(log))
    assert [str(e.type) for e in jel.events(0)] == ["SUBMIT"]
    t0 = time.monotonic()
    assert list(jel.events(stop_after=1)) == []
    assert 0.95 <= time.monotonic() - t0 < 3  # exactly the second asked for
    with open(log, "a") as f:
        f.write("".join(chunks[1:]))
    assert [str(e.type) for e in jel.events(0)] == ["EXECUTE", "IMAGE_SIZE", "JOB_TERMINATED"]
    # An event without its terminator is withheld until the terminator arrives.
    body = chunks[1][: -len("...\n")]
    with open(log, "a") as f:
        f.write(body)
    assert list(jel.events(0)) == []
    with open(log, "a") as f:
        f.write("...\n")
    assert [str(e.type) for e in jel.events(0)] == ["EXECUTE"]
    jel.close()
    assert list(jel.events(0)) == []


def test_context_manager_and_pickle(tmp_path):
    with htcondor.JobEventLog(str(LOGS / "job.log")) as jel:
        first = next(jel)
        assert first.type == T.SUBMIT
        clone = pickle.loads(pickle.dumps(jel))
        assert [str(e.type) for e in clone.events(0)] == ["EXECUTE", "IMAGE_SIZE", "JOB_TERMINATED"]
        assert re.match(r"JobEventLog\(filename=.*job\.log, deadline=0, offset=\d+\)", repr(jel))
    assert list(jel.events(0)) == []


def test_pickle_resumes_in_a_new_process(tmp_path):
    jel = htcondor.JobEventLog(str(LOGS / "job.log")).events(0)
    next(jel)
    blob = tmp_path / "jel.pickle"
    blob.write_bytes(pickle.dumps(jel))
    code = ("import pickle, sys, htcondor; jel = pickle.load(open(sys.argv[1], 'rb'));"
            "print([str(e.type) for e in jel.events(0)])")
    res = subprocess.run([sys.executable, "-c", code, str(blob)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
    assert res.stdout.strip() == "['EXECUTE', 'IMAGE_SIZE', 'JOB_TERMINATED']", res.stderr


def test_waiting_releases_the_gil_and_wakes_promptly(tmp_path):
    chunks = _split_events(LOGS / "job.log")
    log = tmp_path / "gil.log"
    log.write_text(chunks[0])
    jel = htcondor.JobEventLog(str(log))
    next(jel)
    got = []

    def follower():
        for e in jel.events(stop_after=20):
            got.append((e.type, time.monotonic()))
            return

    t = threading.Thread(target=follower)
    t.start()
    # While the follower waits, this thread keeps running Python code.
    spins, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 1.0:
        spins += 1
    assert spins > 100_000, f"main thread starved while the follower waited ({spins} spins)"
    written = time.monotonic()
    with open(log, "a") as f:
        f.write(chunks[1])
    t.join(10)
    assert not t.is_alive()
    assert got and got[0][0] == T.EXECUTE
    assert got[0][1] - written < 1.0, "follower did not wake promptly on file growth"


def test_missing_and_bad_logs(tmp_path):
    with pytest.raises(htcondor.HTCondorIOError, match="No such file"):
        htcondor.JobEventLog(str(tmp_path / "missing.log"))
    with pytest.raises(htcondor.HTCondorTypeError):
        htcondor.JobEventLog(str(LOGS / "job.log")).events("soon")
    # Garbage mid-log: events before it are returned, then iteration stops (as v1 23.10/24.x).
    assert [str(e.type) for e in htcondor.JobEventLog(str(LOGS / "bad.log")).events(0)] == ["SUBMIT"]
    # Truncated, binary and empty files never crash; they end iteration or raise HTCondorIOError.
    good = (LOGS / "job.log").read_bytes()
    cases = {
        "truncated": good[: len(good) // 2],
        "binary": bytes(range(256)) * 64,
        "empty": b"",
        "header_only": b"005 (1.0.0) 2024-01-15 10:00:10 Job terminated.\n",
        "nul": good.replace(b"Job", b"\0ob"),
    }
    for name, data in cases.items():
        p = tmp_path / f"{name}.log"
        p.write_bytes(data)
        try:
            list(htcondor.JobEventLog(str(p)).events(0))
        except htcondor.HTCondorIOError:
            pass


def test_json_format_log(tmp_path, jobs):
    """A JSON-format event log (each event ad as JSON, as WriteUserLog writes it with
    DEFAULT_USERLOG_FORMAT_OPTIONS = JSON).  libcondor_utils 23.9's reader returns only the first
    event of such a log (v1 likewise); that event must come back intact and as v1 reads it."""
    _, log, events = jobs["normal"]
    json_log = tmp_path / "events.json.log"
    json_log.write_text("".join(e._classad().printJson() + "\n" for e in events))
    again = list(htcondor.JobEventLog(str(json_log)).events(0))
    assert [(e.type, e.cluster, e.proc) for e in again] == [(events[0].type, events[0].cluster, 0)]
    assert dict(again[0].items()) == dict(events[0].items())
    res = subprocess.run([os.environ["HTCPB_ORACLE_PYTHON"], str(HERE / "event_probe.py"), str(json_log)],
                         capture_output=True, text=True, timeout=120, env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
    ours = subprocess.run([sys.executable, str(HERE / "event_probe.py"), str(json_log)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
    assert json.loads(res.stdout) == json.loads(ours.stdout)


def test_rotated_log_keeps_following_the_opened_file(tmp_path):
    """When the log is renamed away (rotated) and a new file takes its name, the reader keeps
    reading the file it opened, exactly as v1 (same library reader); it neither crashes nor
    mixes the two files.  A new JobEventLog on the path reads the new file."""
    chunks = _split_events(LOGS / "job.log")
    log = tmp_path / "rot.log"
    log.write_text(chunks[0])
    jel = htcondor.JobEventLog(str(log))
    assert [str(e.type) for e in jel.events(0)] == ["SUBMIT"]
    log.rename(tmp_path / "rot.log.old")
    log.write_text(chunks[1] + chunks[2])
    assert list(jel.events(0)) == []
    with open(tmp_path / "rot.log.old", "a") as f:
        f.write(chunks[3])
    assert [str(e.type) for e in jel.events(0)] == ["JOB_TERMINATED"]
    assert [str(e.type) for e in htcondor.JobEventLog(str(log)).events(0)] == ["EXECUTE", "IMAGE_SIZE"]
    code = ("import htcondor, sys; jel = htcondor.JobEventLog(sys.argv[1]); "
            "print([str(e.type) for e in jel.events(0)])")
    res = subprocess.run([os.environ["HTCPB_ORACLE_PYTHON"], "-c", code, str(log)], capture_output=True,
                         text=True, timeout=60, env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
    assert res.stdout.strip() == "['EXECUTE', 'IMAGE_SIZE']"
