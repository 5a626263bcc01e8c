"""The personal pool the suite runs against is real: daemons, CLI, authentication."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import pytest

import htcondor
from htcondor.personal import PersonalPool, PersonalPoolState, find_htcondor_prefix


def test_condor_status_shows_a_slot(pool):
    res = pool.run_command(["condor_status", "-af", "Name", "State", "Activity"], check=True)
    lines = [line.split() for line in res.stdout.splitlines() if line.strip()]
    assert lines, f"no startd slot in condor_status output: {res.stdout!r} {res.stderr!r}"
    assert all(name.endswith("@" + name.split("@")[-1]) for name, *_ in lines)
    assert any(state == "Unclaimed" for _, state, _ in lines)


def test_collector_lists_every_daemon(pool):
    types = {ad["MyType"] for ad in pool.daemon_ads()}
    assert {"Collector", "Negotiator", "Scheduler", "Machine", "DaemonMaster"} <= types


def test_bindings_point_at_the_pool(pool):
    assert os.environ["CONDOR_CONFIG"] == str(pool.config_file)
    assert htcondor.param["COLLECTOR_HOST"] == pool.collector_address
    assert htcondor.param["LOG"] == str(pool.log_dir)


def test_pool_requires_authentication_and_integrity(pool):
    assert pool.get_config_val("SEC_DEFAULT_AUTHENTICATION") == "REQUIRED"
    assert pool.get_config_val("SEC_DEFAULT_INTEGRITY") == "REQUIRED"
    # condor_ping reports how a WRITE session to the schedd was secured.
    res = pool.run_command(["condor_ping", "-type", "schedd", "-verbose", "WRITE"], check=True)
    fields = dict(
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in res.stdout.splitlines() if ":" in line)
    )
    assert fields["Authenticated using"] == "FS"
    assert fields["Integrity"] not in ("", "NONE", "none")
    assert fields["Remote Mapping"].split("@")[0] == pwd.getpwuid(os.getuid()).pw_name
    assert fields["Authorized"] == "TRUE"


def test_other_users_are_refused(pool):
    """A client whose identity is not the pool owner's is denied by the collector."""
    env = pool.env()
    # Pretend to be someone else with a claim-to-be that FS cannot vouch for: authentication with
    # only CLAIMTOBE offered is refused because the pool requires FS.
    env["_condor_SEC_CLIENT_AUTHENTICATION_METHODS"] = "CLAIMTOBE"
    res = subprocess.run(
        ["condor_status", "-af", "Name"], env=env, capture_output=True, text=True, timeout=60
    )
    assert res.returncode != 0 or not res.stdout.strip()


def test_find_prefix_is_the_build_with_daemons():
    prefix = find_htcondor_prefix()
    for daemon in ("condor_master", "condor_collector", "condor_schedd", "condor_startd"):
        assert (prefix / "sbin" / daemon).is_file()


def test_missing_daemons_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("HTCONDOR_PREFIX", raising=False)
    import htcondor._build_info as info

    monkeypatch.setattr(info, "HTCONDOR_PREFIX", str(tmp_path / "nowhere"))
    with pytest.raises(htcondor.HTCondorLocateError, match="No HTCondor daemons found"):
        find_htcondor_prefix()


def test_a_second_pool_starts_and_stops_cleanly(tmp_path):
    """Lifecycle: start, ready, stop; the process group is gone afterwards."""
    before = os.environ.get("CONDOR_CONFIG")
    p = PersonalPool(local_dir=tmp_path / "p2", use_config=False)
    assert p.state is PersonalPoolState.UNINITIALIZED
    with p:
        assert p.state is PersonalPoolState.READY
        pgid = p._master.pid
        assert os.environ.get("CONDOR_CONFIG") == before
        assert Path(p.log_dir / "CollectorLog").exists()
    assert p.state is PersonalPoolState.STOPPED
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)


def test_pool_does_not_outlive_a_killed_parent(tmp_path):
    """If the process that started a pool is killed, the daemons go too (no strays)."""
    import signal
    import sys
    import time

    code = ("import sys, time, os\nos.environ.setdefault('CONDOR_CONFIG', '/dev/null')\n"
            "from htcondor.personal import PersonalPool\n"
            "p = PersonalPool(local_dir=sys.argv[1], use_config=False).start()\n"
            "print(p._master.pid, flush=True)\ntime.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "p")], stdout=subprocess.PIPE, text=True)
    try:
        with proc.stdout:
            line = proc.stdout.readline()
        assert line.strip().isdigit(), "the pool did not start (its error is in the captured stderr)"
        master = int(line)
    except BaseException:
        proc.kill()
        proc.wait(10)
        raise
    os.kill(master, 0)  # running
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    for _ in range(60):
        try:
            os.killpg(master, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(master, 0)
