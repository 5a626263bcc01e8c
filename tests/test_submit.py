"""htcondor.Submit offline: v1 differential, the mapping protocol, v1 bugs fixed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import classad
import htcondor

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("submit_probe")
    shutil.copy(HERE / "data" / "submit.sub", d)
    for log in (HERE / "data" / "logs").glob("*.log"):
        shutil.copy(log, d)
    return d


def _probe(python, d):
    res = subprocess.run([python, str(HERE / "submit_probe.py"), str(d)], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, CONDOR_CONFIG="/dev/null"))
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout)


def test_same_results_as_v1(probe_dir):
    v1 = _probe(os.environ["HTCPB_ORACLE_PYTHON"], probe_dir)
    ours = _probe(sys.executable, probe_dir)
    assert len(v1) >= 25
    diffs = [f"{k}:\n  v1:   {v1[k]}\n  ours: {ours.get(k)}" for k in v1 if v1[k] != ours.get(k)]
    assert not diffs, "\n".join(diffs)
    # the probe is not vacuous
    assert v1["itemdata"] == ["ok", ["alpha", "beta", "gamma"]]
    assert v1["jobs"][1][0]["Args"] == '"alpha 0"'


def test_mapping_protocol_fixes_v1_bugs():
    s = htcondor.Submit({"executable": "/bin/sleep", "arguments": "1", "+Foo": '"bar"'})
    assert list(iter(s)) == ["executable", "arguments", "MY.Foo"]  # v1: TypeError
    assert "executable" in s and "nope" not in s  # v1: TypeError
    assert s.get("nope") is None  # v1: ArgumentError
    del s["arguments"]  # v1: segfault
    assert "arguments" not in s and len(s) == 2 and str(s) == 'executable = /bin/sleep\nMY.Foo = "bar"\n'
    with pytest.raises(KeyError):
        del s["arguments"]
    s["arguments"] = "2"
    assert s["arguments"] == "2"
    with pytest.raises(KeyError):
        s.expand("nope")  # v1: RuntimeError from a null C++ string
    assert s.expand("executable") == "/bin/sleep"


def test_values_are_converted_like_v1():
    s = htcondor.Submit()
    s["a"] = None
    s["b"] = classad.ExprTree("x + 1")
    s["c"] = classad.ClassAd({"y": 1})
    s["d"] = True
    assert (s["a"], s["b"], s["c"], s["d"]) == ("undefined", "x + 1", "[ y = 1 ]", "True")


def test_constructor_forms():
    assert str(htcondor.Submit(executable="/bin/true")) == "executable = /bin/true\n"
    assert str(htcondor.Submit([("executable", "/bin/true")])) == "executable = /bin/true\n"
    s = htcondor.Submit("executable = /bin/true\nqueue 3\n", arguments="x")
    assert s.getQArgs() == "3" and s["arguments"] == "x"
    with pytest.raises(htcondor.HTCondorValueError, match="Invalid submit description"):
        htcondor.Submit("executable = x\nnot a command line\n")
    with pytest.raises(TypeError):
        htcondor.Submit("a", "b")


def test_qargs_and_itemdata():
    s = htcondor.Submit("executable = x\nqueue name,age from (\n bob 20\n sue 30\n)\n")
    assert list(s.itemdata()) == [{"name": "bob", "age": "20"}, {"name": "sue", "age": "30"}]
    assert list(s.itemdata("v in (x, y)")) == [{"v": "x"}, {"v": "y"}]  # str only for Item
    assert list(s.itemdata("in (x, y)")) == ["x", "y"]
    s.setQArgs("queue 2")
    assert s.getQArgs() == "2" and list(s.itemdata()) == []
    with pytest.raises(htcondor.HTCondorValueError):
        s.setQArgs("1\n2")
    s.setQArgs("")
    assert s.getQArgs() == "" and not str(s).endswith("queue")


def test_jobs_with_itemdata_and_errors():
    s = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(a) $(b)"})
    ads = list(s.jobs(itemdata=[{"a": "1", "b": "x"}, {"a": "2", "b": "y"}], clusterid=4, qdate=1))
    assert [(a["ClusterId"], a["ProcId"], a["Args"]) for a in ads] == [(4, 0, "1 x"), (4, 1, "2 y")]
    ads = list(s.jobs(count=2, itemdata=iter(["p", "q"]), qdate=1))
    assert len(ads) == 4
    with pytest.raises(htcondor.HTCondorValueError):
        s.jobs(clusterid=-1)
    with pytest.raises(htcondor.HTCondorValueError):
        s.jobs(owner="a b")
    bad = htcondor.Submit({"executable": "/bin/echo", "universe": "bogus"})
    with pytest.raises(htcondor.HTCondorValueError, match="bogus"):
        list(bad.jobs(qdate=1))


def test_submit_method():
    s = htcondor.Submit()
    assert s.getSubmitMethod() == 2
    with pytest.raises(htcondor.HTCondorValueError, match="100 or greater"):
        s.setSubmitMethod(99)
    s.setSubmitMethod(123)
    assert s.getSubmitMethod() == 123
    ad = next(iter(htcondor.Submit({"executable": "x"}).jobs(qdate=1)))
    assert ad["JobSubmitMethod"] == 2


def test_nul_bytes_are_refused_not_hung():
    """libcondor_utils' submit-file reader loops forever on a NUL byte (found by fuzzing)."""
    for text in ("executable = x\0\n", "queue\0", "a\0b"):
        with pytest.raises(htcondor.HTCondorValueError, match="NUL"):
            htcondor.Submit(text)
    s = htcondor.Submit()
    with pytest.raises(htcondor.HTCondorValueError, match="NUL"):
        s["executable"] = "a\0b"
    with pytest.raises(htcondor.HTCondorValueError):
        s.setQArgs("3\0")
