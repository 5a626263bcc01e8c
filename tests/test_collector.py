"""Collector, RemoteParam, send_command and the daemon enums against the real pool,
cross-checked with the built condor_status / condor_config_val."""

from __future__ import annotations

import os
import time

import pytest

import classad
import htcondor
from htcondor import AdTypes, DaemonTypes


@pytest.fixture(scope="module")
def collector(pool):
    return htcondor.Collector()


def test_query_matches_condor_status(collector, pool):
    ours = sorted(a["Name"] for a in collector.query(AdTypes.Startd, "true", ["Name", "State"]))
    cli = sorted(pool.run_command(["condor_status", "-af", "Name"], check=True).stdout.split())
    assert ours == cli and ours
    types = {a["MyType"] for a in collector.query(AdTypes.Any, projection=["MyType"])}
    assert {"Machine", "Scheduler", "Negotiator", "Collector", "DaemonMaster"} <= types
    only = collector.query(AdTypes.Startd, projection=["Name"])[0]
    assert set(only.keys()) <= {"Name", "MyType", "TargetType", "AuthenticatedIdentity", "AuthenticationMethod",
                                "LastHeardFrom", "UpdatesLost", "UpdatesSequenced", "UpdatesTotal",
                                "UpdatesHistory"}
    with pytest.raises(htcondor.HTCondorValueError):
        collector.query(AdTypes.Startd, "Name ==")


def test_locate(collector, pool):
    schedd = collector.locate(DaemonTypes.Schedd)
    assert schedd["MyAddress"] == htcondor.Schedd().location.address
    named = collector.locate(DaemonTypes.Schedd, schedd["Name"])
    assert named["Name"] == schedd["Name"] and named["MyAddress"].startswith("<127.0.0.1:")
    assert [a["Name"] for a in collector.locateAll(DaemonTypes.Negotiator)]
    coll = htcondor.Collector(pool.collector_address).locate(DaemonTypes.Collector)
    assert coll["MyAddress"].startswith("<127.0.0.1:")
    with pytest.raises(htcondor.HTCondorLocateError):
        collector.locate(DaemonTypes.Schedd, "no-such-schedd")
    with pytest.raises(htcondor.HTCondorEnumError):
        collector.locate(DaemonTypes.Any)


def test_direct_query(collector):
    ad = collector.directQuery(DaemonTypes.Schedd, projection=["Name", "TotalIdleJobs"])
    assert ad["MyType"] == "Scheduler" and "TotalIdleJobs" in ad


def test_advertise_generic_ad(collector):
    ad = classad.ClassAd({"MyType": "Generic", "Name": "htcpb-test-ad", "MyAddress": "<127.0.0.1:1>", "Answer": 42})
    collector.advertise([ad], "UPDATE_AD_GENERIC")
    got = []
    for _ in range(20):
        got = collector.query(AdTypes.Generic, 'Name == "htcpb-test-ad"', ["Name", "Answer"])
        if got:
            break
        time.sleep(0.25)
    assert got and got[0]["Answer"] == 42
    with pytest.raises(htcondor.HTCondorEnumError):
        collector.advertise([ad], "NOT_A_COMMAND")
    collector.advertise([], "UPDATE_AD_GENERIC")  # no-op


def test_dead_collector():
    with pytest.raises(htcondor.HTCondorIOError, match="Failed communication with collector"):
        htcondor.Collector("127.0.0.1:1").query(AdTypes.Startd)


def test_remote_param_and_reconfig(collector, pool):
    schedd_ad = collector.locate(DaemonTypes.Schedd)
    rp = htcondor.RemoteParam(schedd_ad)
    assert rp["SCHEDD_INTERVAL"] == pool.get_config_val("SCHEDD_INTERVAL")
    assert "MAX_JOBS_RUNNING" in rp and "HTCPB_NOT_SET" not in rp and rp.get("HTCPB_NOT_SET") is None
    assert len(rp) > 100
    with pytest.raises(KeyError):
        rp["HTCPB_NOT_SET"]
    rp["HTCPB_RUNTIME"] = "hello"
    htcondor.send_command(schedd_ad, htcondor.DaemonCommands.Reconfig)
    for _ in range(40):
        rp.refresh()
        if rp.get("HTCPB_RUNTIME") == "hello":
            break
        time.sleep(0.25)
    assert rp["HTCPB_RUNTIME"] == "hello"
    del rp["HTCPB_RUNTIME"]
    htcondor.send_command(schedd_ad, htcondor.DaemonCommands.Reconfig)
    with pytest.raises(htcondor.HTCondorValueError):
        rp["BAD NAME"] = "1"


def test_enums_match_v1_values():
    assert (int(AdTypes.Startd), int(AdTypes.Any), int(AdTypes.Slot), int(getattr(AdTypes, "None"))) == (0, 10, 24, -1)
    assert (int(DaemonTypes.Schedd), int(DaemonTypes.Credd), int(DaemonTypes.Generic)) == (3, 13, 18)
    D = htcondor.DaemonCommands
    assert (int(D.Reconfig), int(D.DaemonsOn), int(D.RestartPeacful), int(D.OffForce)) == (60012, 455, 485, 60042)
    S = htcondor.SubsystemType
    assert (int(S.Master), int(S.Tool), int(S.Job)) == (1, 12, 14)
    L = htcondor.LogLevel
    assert (int(L.FullDebug), int(L.NoHeader), int(L.Audit)) == (1024, -2147483648, 27)
    assert str(DaemonTypes.Schedd) == "Schedd" and DaemonTypes.names["Startd"] == DaemonTypes.Startd


def test_send_alive(pool, monkeypatch):
    monkeypatch.delenv("CONDOR_INHERIT", raising=False)
    with pytest.raises(htcondor.HTCondorValueError, match="CONDOR_INHERIT"):
        htcondor.send_alive()
    master = htcondor.Collector().locate(DaemonTypes.Master)
    htcondor.send_alive(master, pid=os.getpid(), timeout=60)  # delivered (the master ignores a stranger)
    with pytest.raises(htcondor.HTCondorIOError, match="keepalive"):
        htcondor.send_alive(classad.ClassAd({"MyAddress": "<127.0.0.1:1>"}), timeout=5)
