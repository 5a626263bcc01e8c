"""Negotiator, Startd draining and SecMan against the real pool, cross-checked with the CLI."""

from __future__ import annotations

import os
import pwd
import time

import pytest

import htcondor


@pytest.fixture(scope="module")
def user(pool):
    return pwd.getpwuid(os.getuid()).pw_name + "@personal.pool"


def test_negotiator_priorities_match_condor_userprio(pool, user):
    neg = htcondor.Negotiator()
    assert neg.location.address.startswith("<127.0.0.1:")
    neg.setFactor(user, 7.0)
    neg.setPriority(user, 3.0)
    prios = {a["Name"]: a for a in neg.getPriorities()}
    assert prios[user]["PriorityFactor"] == 7.0 and prios[user]["Priority"] == pytest.approx(21.0)
    cli = pool.run_command(["condor_userprio", "-allusers", "-af", "Name", "PriorityFactor"], check=True).stdout
    assert f"{user} 7.0" in cli or f"{user} 7" in cli
    neg.setCeiling(user, 10)
    neg.setUsage(user, 2.5)
    neg.setBeginUsage(user, 1_700_000_000)
    neg.setLastUsage(user, 1_700_000_100)
    a = {x["Name"]: x for x in neg.getPriorities()}[user]
    assert a["Ceiling"] == 10 and a["WeightedAccumulatedUsage"] == pytest.approx(2.5, rel=1e-3)
    assert a["BeginUsageTime"] == 1_700_000_000 and a["LastUsageTime"] == 1_700_000_100
    assert isinstance(neg.getResourceUsage(user), list)
    neg.resetUsage(user)
    assert {x["Name"]: x for x in neg.getPriorities()}[user]["WeightedAccumulatedUsage"] == 0
    neg.setFactor(user, 1000.0)
    for bad in (lambda: neg.setPriority(user, -1), lambda: neg.setFactor(user, 0.5),
                lambda: neg.setCeiling(user, -2), lambda: neg.setUsage(user, -1),
                lambda: neg.setPriority("no-at-sign", 1)):
        with pytest.raises(htcondor.HTCondorValueError):
            bad()


def test_startd_drain_and_cancel(pool):
    ad = htcondor.Collector().locate(htcondor.DaemonTypes.Startd)
    startd = htcondor.Startd(ad)
    request = startd.drainJobs(htcondor.DrainTypes.Graceful, reason="testing drain")
    assert request
    for _ in range(40):
        out = pool.run_command(["condor_status", "-af", "Draining"], check=True).stdout.split()
        if "true" in out:
            break
        time.sleep(0.25)
    assert "true" in out
    startd.cancelDrainJobs(request)
    for _ in range(40):
        out = pool.run_command(["condor_status", "-af", "Draining"], check=True).stdout.split()
        if "true" not in out:
            break
        time.sleep(0.25)
    assert "true" not in out
    with pytest.raises(htcondor.HTCondorReplyError):
        startd.cancelDrainJobs("no-such-request")


def test_secman_ping_and_commands(pool):
    schedd_ad = htcondor.Collector().locate(htcondor.DaemonTypes.Schedd)
    sm = htcondor.SecMan()
    write = sm.ping(schedd_ad, "WRITE")
    assert write["AuthCommand"] == 60021 and write["AuthMethods"] == "FS"
    assert sm.ping(schedd_ad)["AuthCommand"] == 60011
    assert sm.getCommandString(60021) == "DC_NOP_WRITE"
    with pytest.raises(htcondor.HTCondorEnumError):
        sm.ping(schedd_ad, "NOT_A_COMMAND")
    with pytest.raises(htcondor.HTCondorIOError):
        sm.ping("<127.0.0.1:1>", "READ")
    sm.invalidateAllSessions()
    assert sm.ping(schedd_ad, "READ")["AuthCommand"] == 60020


def test_secman_settings_apply_inside_with_only(pool):
    import threading

    schedd = htcondor.Schedd()
    schedd.query("false", ["ClusterId"])  # works with the pool's FS authentication
    htcondor.SecMan().invalidateAllSessions()
    with htcondor.SecMan() as sm:
        # Only CLAIMTOBE offered: the pool (FS required) must refuse this thread's requests.
        sm.setConfig("SEC_CLIENT_AUTHENTICATION_METHODS", "CLAIMTOBE")
        sm.setTag("htcpb-claimtobe")
        with pytest.raises(htcondor.HTCondorIOError):
            schedd.query("false", ["ClusterId"])
        other = {}
        t = threading.Thread(target=lambda: other.setdefault("n", len(schedd.query("false", ["ClusterId"]))))
        t.start()
        t.join(60)
        assert other == {"n": 0}  # another thread is unaffected
    assert schedd.query("false", ["ClusterId"]) == []  # and so is this one, after the block
    assert "SEC_CLIENT_AUTHENTICATION_METHODS" in repr(sm)


def test_token_write_and_repr_hide_the_secret(tmp_path):
    import pickle

    htcondor.param["SEC_TOKEN_DIRECTORY"] = str(tmp_path / "tokens.d")
    try:
        tok = htcondor.Token("eyJhbGciOiJIUzI1NiJ9.secret.part")
        assert "secret" not in repr(tok)
        tok.write()
        tok.write("other")
        f = tmp_path / "tokens.d" / "python_generated_tokens"
        assert f.read_text() == "eyJhbGciOiJIUzI1NiJ9.secret.part\n" and (f.stat().st_mode & 0o777) == 0o600
        assert (tmp_path / "tokens.d" / "other").exists()
        assert pickle.loads(pickle.dumps(tok))._contents == tok._contents
        with pytest.raises(htcondor.HTCondorValueError):
            tok.write("../escape")
    finally:
        htcondor.reload_config()
