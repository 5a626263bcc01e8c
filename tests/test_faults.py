"""Fault injection against real daemons (no mocks): a pool of this module's own, whose schedd and
collector are killed (SIGKILL) or frozen (SIGSTOP: the kernel still completes TCP handshakes on
the listening socket, so the daemon accepts and never answers) while the bindings talk to them.

Each fault must give the documented exception (``HTCondorIOError``) within the configured
timeout; after the daemon is back (the master restarts killed daemons; frozen ones get SIGCONT)
the *same* ``Schedd``/``Collector``/``JobEventLog`` objects must work again on their first try;
and a transaction whose schedd died leaves no half-submitted cluster.

The pool: the schedd has a fixed port (``SCHEDD_ARGS = -p``), so a restarted schedd is at the
address the client objects hold, as behind a shared port in a production pool; query workers
are off (``SCHEDD_QUERY_WORKERS = 0``) so the process we kill is the one sending the ads; the
master restarts a dead daemon after 2 s; client timeouts (``Q_QUERY_TIMEOUT``,
``QUERY_TIMEOUT``, ``SEC_TCP_SESSION_TIMEOUT``, ``SEC_DEFAULT_AUTHENTICATION_TIMEOUT``) are
``TIMEOUT`` seconds.  The process configuration points at this pool only inside each test
(``PersonalPool.configured()``); the session pool of the other tests is not touched.

"Full disk": an unprivileged test cannot fill a real filesystem, and the event log reader
writes nothing but its debug log.  So the test points the process's debug log (``TOOL_LOG``)
at ``/dev/full`` (every write fails with ENOSPC, as on a full disk) with full debug output on,
and then reads an event log and queries the schedd.  It does not cover a job event log whose
*writer* (the schedd or shadow) hits a full disk.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

import htcondor
from htcondor import DaemonTypes, JobAction, JobEventType
from htcondor.personal import PersonalPool

TIMEOUT = 4  # seconds: the client-side network timeouts of the fault pool
SLACK = 6  # connect, teardown and scheduling on a loaded two-core CI machine
RESTART = 90  # master backoff (2 s) + daemon start-up + re-advertising, generously

HELD = {"executable": "/bin/sleep", "arguments": "600", "hold": "true", "transfer_executable": "false"}


def _free_port() -> int:
    from htcondor.personal import _free_port as outside_ephemeral_range

    return outside_ephemeral_range()


@pytest.fixture(scope="module")
def fpool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PersonalPool]:
    if os.getuid() == 0:
        pytest.fail("the pool refuses root: run the suite through ci/test.sh (as an unprivileged user)")
    local_dir = tmp_path_factory.mktemp("faultpool")
    p = PersonalPool(local_dir=local_dir, use_config=False, config={
        "SCHEDD_ARGS": f"-p {_free_port()}",
        "SCHEDD_QUERY_WORKERS": 0,
        "MASTER_BACKOFF_CONSTANT": 1,
        "MASTER_BACKOFF_FACTOR": 1.0,
        "MASTER_BACKOFF_CEILING": 2,
        "Q_QUERY_TIMEOUT": TIMEOUT,
        "QUERY_TIMEOUT": TIMEOUT,
        "SEC_TCP_SESSION_TIMEOUT": TIMEOUT,
        "SEC_DEFAULT_AUTHENTICATION_TIMEOUT": TIMEOUT,
    })
    try:
        p.start()
    except htcondor.HTCondorException as err:
        pytest.fail(f"fault pool failed to start: {err}", pytrace=False)
    yield p
    p.stop()


@pytest.fixture
def fault(fpool: PersonalPool) -> Iterator[PersonalPool]:
    """The fault pool, with this process's configuration pointing at it for one test; every
    daemon is thawed and answering again afterwards."""
    try:
        with fpool.configured():
            yield fpool
    finally:
        for name in ("condor_schedd", "condor_collector"):
            pid = daemon_pid(fpool, name)
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        wait_ready(fpool, "condor_schedd")


# -- daemons -------------------------------------------------------------------------------
def daemon_pid(pool: PersonalPool, binary: str) -> Optional[int]:
    """The pid of the pool master's live child running ``binary``."""
    assert pool._master is not None
    master = pool._master.pid
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            argv0 = (proc / "cmdline").read_bytes().split(b"\0")[0].decode()
        except (OSError, IndexError, UnicodeDecodeError):
            continue
        state, ppid = fields[0], int(fields[1])
        if ppid == master and state not in ("Z", "X") and os.path.basename(argv0) == binary:
            return int(proc.name)
    return None


def kill(pool: PersonalPool, binary: str, sig: int = signal.SIGKILL) -> int:
    pid = daemon_pid(pool, binary)
    assert pid is not None, f"no {binary} running\n{pool.logs()}"
    os.kill(pid, sig)
    if sig == signal.SIGKILL:
        deadline = time.monotonic() + 10
        while daemon_pid(pool, binary) == pid:
            assert time.monotonic() < deadline, f"{binary} {pid} survived SIGKILL"
            time.sleep(0.05)
    return pid


@contextlib.contextmanager
def frozen(pool: PersonalPool, binary: str) -> Iterator[int]:
    """``binary`` stopped (it accepts connections, in the kernel, and never answers)."""
    pid = kill(pool, binary, signal.SIGSTOP)
    try:
        yield pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def wait_ready(pool: PersonalPool, binary: str, old_pid: Optional[int] = None) -> int:
    """Wait until ``binary`` runs (as a new process if ``old_pid``) and answers the command-line
    tools, which share no connection or security session with this process."""
    deadline = time.monotonic() + RESTART
    check = {"condor_schedd": ["condor_q", "-totals"],
             "condor_collector": ["condor_status", "-schedd", "-af", "Name"]}[binary]
    while time.monotonic() < deadline:
        pid = daemon_pid(pool, binary)
        if pid is not None and pid != old_pid:
            try:
                res = pool.run_command(check, timeout=20)
            except subprocess.TimeoutExpired:
                continue
            if res.returncode == 0 and res.stdout.strip():
                return pid
        time.sleep(0.25)
    raise AssertionError(f"{binary} not back within {RESTART} s\n{pool.logs()}")


def in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        t0 = time.monotonic()
        try:
            out["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - reported by the test
            out["error"] = err
        out["elapsed"] = time.monotonic() - t0

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def marker_jobs(pool: PersonalPool, marker: str) -> list[str]:
    """Job ids with ``FaultTest == marker``, as condor_q (a separate process) sees them."""
    res = pool.run_command(["condor_q", "-allusers", "-constraint", f'FaultTest == "{marker}"',
                            "-af", "ClusterId", "ProcId"], check=True)
    return [".".join(line.split()) for line in res.stdout.splitlines() if line.strip()]


def submit_held(schedd: htcondor.Schedd, marker: str, count: int, **extra: str) -> int:
    sub = htcondor.Submit(dict(HELD, **{"MY.FaultTest": f'"{marker}"'}, **extra))
    return schedd.submit(sub, count=count).cluster()


# -- the tests ---------------------------------------------------------------------------
def test_stopped_schedd_query_times_out(fault):
    """A schedd that accepts and never answers: query() and xquery() raise HTCondorIOError
    after the timeout, not before and not much after; thawed, the same object answers."""
    schedd = htcondor.Schedd()
    cluster = submit_held(schedd, "stopped-query", 3)
    with frozen(fault, "condor_schedd"):
        t0 = time.monotonic()
        with pytest.raises(htcondor.HTCondorIOError):
            schedd.query(f"ClusterId == {cluster}", ["ProcId"])
        elapsed = time.monotonic() - t0
        assert TIMEOUT - 1 <= elapsed <= TIMEOUT + SLACK, elapsed
        t0 = time.monotonic()
        with pytest.raises(htcondor.HTCondorIOError):
            list(schedd.xquery(f"ClusterId == {cluster}", ["ProcId"]))
        elapsed = time.monotonic() - t0
        assert TIMEOUT - 1 <= elapsed <= TIMEOUT + SLACK, elapsed
    assert sorted(a["ProcId"] for a in schedd.query(f"ClusterId == {cluster}", ["ProcId"])) == [0, 1, 2]
    assert sorted(a["ProcId"] for a in schedd.xquery(f"ClusterId == {cluster}", ["ProcId"])) == [0, 1, 2]
    schedd.act(JobAction.Remove, f"ClusterId == {cluster}")


def test_stopped_schedd_submit_times_out(fault):
    """Submitting to a schedd that never answers raises HTCondorIOError within the timeout
    (rather than hanging until the schedd wakes up); nothing of it is queued afterwards, and
    the same object submits again once the schedd is thawed."""
    schedd = htcondor.Schedd()
    sub = htcondor.Submit(dict(HELD, **{"MY.FaultTest": '"stopped-submit"'}))
    with frozen(fault, "condor_schedd"):
        t, out = in_thread(lambda: schedd.submit(sub, count=2))
        t.join(TIMEOUT + SLACK)
        hung = t.is_alive()
    t.join(60)  # thawed: a hung submit now finishes
    assert not hung, f"submit to a stopped schedd still waiting after {TIMEOUT + SLACK} s: {out}"
    assert isinstance(out.get("error"), htcondor.HTCondorIOError), out
    assert out["elapsed"] <= TIMEOUT + SLACK
    assert marker_jobs(fault, "stopped-submit") == []
    cluster = schedd.submit(sub, count=2).cluster()
    assert marker_jobs(fault, "stopped-submit") == [f"{cluster}.0", f"{cluster}.1"]
    schedd.act(JobAction.Remove, f"ClusterId == {cluster}")


def test_schedd_killed_during_queries(fault):
    """SIGKILL while an xquery streams a large result and while a query() waits for its
    answer: both raise HTCondorIOError at once (well within the timeout); after the master
    restarts the schedd, the same Schedd object queries again and every committed job is
    still there."""
    schedd = htcondor.Schedd()
    n = 1500
    # A 16 kB attribute per job (in the cluster ad, sent with every job ad): about 25 MB of
    # ads, far more than the socket buffers hold, so the kill lands mid-stream.
    cluster = submit_held(schedd, "killed-query", n, **{"MY.Padding": '"' + "x" * 16384 + '"'})
    it = schedd.xquery(f"ClusterId == {cluster}", [])
    first = next(it)
    assert first["ClusterId"] == cluster and len(first["Padding"]) == 16384
    with frozen(fault, "condor_schedd"):
        # A query() connects (the kernel accepts it) and waits for the frozen schedd.
        t, out = in_thread(lambda: schedd.query(f"ClusterId == {cluster}", ["ProcId"]))
        time.sleep(0.5)  # let it connect and block
        assert t.is_alive(), out
        old = kill(fault, "condor_schedd")
        t0 = time.monotonic()
        got = 1
        with pytest.raises(htcondor.HTCondorIOError):
            for _ad in it:
                got += 1
        stream_elapsed = time.monotonic() - t0
        t.join(TIMEOUT + SLACK)
    assert not t.is_alive(), "query() still waiting after its schedd was killed"
    assert isinstance(out.get("error"), htcondor.HTCondorIOError), out
    assert got < n, "the stream ended normally: the kill did not land mid-stream"
    assert stream_elapsed < TIMEOUT and out["elapsed"] < TIMEOUT + 1, (stream_elapsed, out["elapsed"])
    assert it.done()
    wait_ready(fault, "condor_schedd", old)
    ads = schedd.query(f"ClusterId == {cluster}", ["ProcId"])
    assert sorted(a["ProcId"] for a in ads) == list(range(n))
    assert sum(1 for _ in schedd.xquery(f"ClusterId == {cluster}", ["ProcId"])) == n
    schedd.act(JobAction.Remove, f"ClusterId == {cluster}")


@pytest.mark.parametrize("when", ["before-commit", "between-queues"])
def test_schedd_killed_in_transaction_leaves_no_cluster(fault, when):
    """The schedd dies inside an open transaction: the next step (another queue(), or the
    commit when the block ends) raises HTCondorIOError; after the restart no job of the
    transaction exists (the schedd logs a transaction only when it is committed), the queue
    gate is free again, and the same Schedd object runs a new transaction."""
    schedd = htcondor.Schedd()
    marker = f"txn-{when}"
    sub = htcondor.Submit(dict(HELD, **{"MY.FaultTest": f'"{marker}"'}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t0 = time.monotonic()
        with pytest.raises(htcondor.HTCondorIOError):
            with schedd.transaction() as txn:
                doomed = sub.queue(txn, count=5)
                old = kill(fault, "condor_schedd")
                t0 = time.monotonic()
                if when == "between-queues":
                    sub.queue(txn, count=5)
        elapsed = time.monotonic() - t0
    assert elapsed < TIMEOUT + SLACK, elapsed
    wait_ready(fault, "condor_schedd", old)
    assert marker_jobs(fault, marker) == []
    assert schedd.query(f'FaultTest == "{marker}" || ClusterId == {doomed}', ["ClusterId"]) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with schedd.transaction() as txn:
            cluster = sub.queue(txn, count=2)
    assert marker_jobs(fault, marker) == [f"{cluster}.0", f"{cluster}.1"]
    schedd.act(JobAction.Remove, f"ClusterId == {cluster}")


def test_event_log_follow_survives_schedd_kill(fault, tmp_path):
    """Following a job's event log while its schedd is killed: the reader is file-based, so it
    neither fails nor returns early; it waits out its deadline (events(stop_after=N) ends
    after N s).  After the restart the same JobEventLog sees the job's new events."""
    work = tmp_path / "job"
    work.mkdir()
    os.chmod(work, 0o755)
    log = work / "job.log"
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/sh", "arguments": "\"-c 'exit 3'\"", "hold": "true",
                           "transfer_executable": "false", "log": str(log), "initialdir": str(work),
                           "MY.FaultTest": '"eventlog"'})
    cluster = schedd.submit(sub).cluster()
    jel = htcondor.JobEventLog(str(log))
    seen = [e.type for e in jel.events(0)]
    assert seen and seen[0] == JobEventType.SUBMIT, seen
    old = kill(fault, "condor_schedd")
    t0 = time.monotonic()
    late = list(jel.events(stop_after=3))
    waited = time.monotonic() - t0
    assert late == [] and 2.9 <= waited <= 3 + SLACK, (late, waited)
    wait_ready(fault, "condor_schedd", old)
    schedd.act(JobAction.Release, f"ClusterId == {cluster}")
    types = []
    deadline = time.monotonic() + 120
    for event in jel.events(stop_after=120):
        types.append(event.type)
        if event.type == JobEventType.JOB_TERMINATED:
            assert event["ReturnValue"] == 3
            break
        assert time.monotonic() < deadline
    assert JobEventType.JOB_RELEASED in types and types[-1] == JobEventType.JOB_TERMINATED, (types, fault.logs())


def test_collector_down_for_locate(fault):
    """locate() through a collector that is frozen raises HTCondorIOError within
    QUERY_TIMEOUT, and through a killed one at once; the same Collector object locates the
    schedd again once the collector is back (thawed, or restarted by the master and
    re-advertised to)."""
    coll = htcondor.Collector(fault.collector_address)
    before = coll.locate(DaemonTypes.Schedd)
    with frozen(fault, "condor_collector"):
        t0 = time.monotonic()
        with pytest.raises(htcondor.HTCondorIOError):
            coll.locate(DaemonTypes.Schedd)
        elapsed = time.monotonic() - t0
        assert TIMEOUT - 1 <= elapsed <= TIMEOUT + SLACK, elapsed
    assert coll.locate(DaemonTypes.Schedd)["MyAddress"] == before["MyAddress"]
    # Killed, with the master frozen meanwhile so it cannot restart the collector yet.
    assert fault._master is not None
    os.kill(fault._master.pid, signal.SIGSTOP)
    try:
        old = kill(fault, "condor_collector")
        t0 = time.monotonic()
        with pytest.raises(htcondor.HTCondorIOError):
            coll.locate(DaemonTypes.Schedd)
        assert time.monotonic() - t0 < TIMEOUT
    finally:
        os.kill(fault._master.pid, signal.SIGCONT)
    wait_ready(fault, "condor_collector", old)
    assert coll.locate(DaemonTypes.Schedd)["MyAddress"] == before["MyAddress"]


def test_debug_log_on_a_full_disk(fpool, tmp_path):
    """The process's debug log on a full device (/dev/full: every write fails with ENOSPC):
    the process survives, the failure surfaces once as HTCondorIOError, and event-log reading
    and schedd queries keep working.  (libcondor_utils' dprintf exits the process on a failed
    write.)  Run in a child process: the failure disables dprintf for the rest of a process."""
    log = Path(__file__).parent / "data" / "logs" / "job.log"
    script = tmp_path / "full.py"
    script.write_text(textwrap.dedent(f"""
        import signal
        import htcondor
        htcondor.param["TOOL_LOG"] = "/dev/full"
        htcondor.param["TOOL_DEBUG"] = "D_FULLDEBUG"
        htcondor.enable_log()
        try:
            htcondor.log(htcondor.LogLevel.Always, "hello")
            print("LOGGED")
        except htcondor.HTCondorIOError as err:
            print("IOERROR", err)
        print("BLOCKED", sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        events = [int(e.type) for e in htcondor.JobEventLog({str(log)!r}).events(0)]
        print("EVENTS", events)
        print("JOBS", len(htcondor.Schedd().query("true", ["ClusterId"], limit=1)) >= 0)
    """))
    res = subprocess.run([sys.executable, str(script)], env=fpool.env(), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, (res.returncode, res.stdout, res.stderr[-2000:])
    lines = res.stdout.splitlines()
    assert lines[0].startswith("IOERROR"), lines
    # dprintf blocks signals around its writes in daemons; nothing may stay blocked here.
    assert lines[1:] == ["BLOCKED []", "EVENTS [0, 1, 6, 5]", "JOBS True"], lines
