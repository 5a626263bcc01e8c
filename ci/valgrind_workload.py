"""The representative workload ci/valgrind.sh runs under valgrind's memcheck: every area of the
binding layer once per round, offline and against a personal pool this script starts (the
daemons are separate processes and are not traced).  Prints what it did; exits non-zero if a
result is wrong.

    python ci/valgrind_workload.py [ROUNDS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
warnings.simplefilter("ignore")

import classad  # noqa: E402
import htcondor  # noqa: E402
from htcondor.personal import PersonalPool  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
LOGS = Path(__file__).resolve().parent.parent / "tests" / "data" / "logs"
counts: dict[str, int] = {}


def did(what: str) -> None:
    counts[what] = counts.get(what, 0) + 1


def offline() -> None:
    ad = classad.ClassAd('[a = 1; b = a + 2; s = "x"; l = {1, [d = 2]}; e = strcat(s, "y"); r = regexp("x+", s)]')
    ad["z"] = {"k": [1, 2.5, None, True]}
    assert ad.eval("b") == 3 and ad.eval("e") == "xy"
    _ = [ad.eval(k) for k in ad], repr(ad), ad.printJson(), ad.printOld(), ad.flatten(classad.ExprTree("a + b + q"))
    expr = classad.ExprTree("a + b * 2 > 4 && stringListMember(s, \"x,y\")")
    assert expr.eval(ad) is True
    _ = ad.matches(classad.ClassAd({"Requirements": classad.ExprTree("true")}))
    for text, cls in (("[a = ", classad.ClassAdParseError), ("1 +", classad.ClassAdParseError)):
        try:
            classad.ClassAd(text) if text.startswith("[") else classad.ExprTree(text)
        except cls:
            pass
    assert len(list(classad.parseAds("[a=1]\n[b=2]\n"))) == 2
    assert len(list(classad.parseAds("a = 1\nb = 2\n\nc = 3\n", classad.Parser.Old))) == 2
    assert classad.unquote(classad.quote('a"b\\c')) == 'a"b\\c'
    did("classad")

    sub = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(Item) $(Process)", "request_memory": "10"})
    cluster, procs = None, list(sub.jobs(count=3, qdate=1))
    assert len(procs) == 3 and procs[2]["Args"].endswith("2")
    sub2 = htcondor.Submit("executable = /bin/true\nqueue x in (a, b, c)\n")
    assert len(list(sub2.jobs(qdate=1))) == 3
    try:
        htcondor.Submit("queue x in (a")
    except htcondor.HTCondorException:
        pass
    did("submit description")

    for name in ("job.log", "extra.log", "bad.log", "oldfmt.log"):
        try:
            for event in htcondor.JobEventLog(str(LOGS / name)).events(0):
                _ = event.type, event.cluster, str(event), dict(event)
        except htcondor.HTCondorException:
            pass
    did("event log")

    cols = htcondor.ads_to_columns([classad.ClassAd({"a": i, "b": str(i), "c": i / 2}) for i in range(50)],
                                   ["a", "b", "c", "missing"])
    assert list(cols["a"])[:3] == [0, 1, 2]
    did("columns")
    assert "(contents hidden)" in repr(htcondor.Token("secret.token.value"))
    _ = htcondor.param.get("COLLECTOR_HOST"), htcondor.version()
    did("token/param")


def online(pool: PersonalPool) -> None:
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "600", "hold": "true", "MY.Valgrind": "true"})
    result = schedd.submit(sub, count=3)
    c = result.cluster()
    ads = schedd.query(f"ClusterId == {c}", ["ClusterId", "ProcId", "JobStatus"])
    assert sorted(a["ProcId"] for a in ads) == [0, 1, 2], ads
    assert sum(1 for _ in schedd.xquery(f"ClusterId == {c}", ["ProcId"])) == 3
    cols = schedd.query_columns(f"ClusterId == {c}", ["ProcId", "JobStatus"])
    assert sorted(cols["ProcId"]) == [0, 1, 2]
    with schedd.transaction() as txn:
        schedd.edit(f"ClusterId == {c}", "Valgrind2", "42")
    assert all(a["Valgrind2"] == 42 for a in schedd.query(f"ClusterId == {c}", ["Valgrind2"]))
    schedd.act(htcondor.JobAction.Remove, f"ClusterId == {c}")
    did("schedd")
    coll = htcondor.Collector()
    assert coll.query(htcondor.AdTypes.Schedd, projection=["Name"])
    assert coll.locate(htcondor.DaemonTypes.Schedd)["MyType"] == "Scheduler"
    did("collector")
    try:
        htcondor.Schedd(classad.ClassAd({"MyAddress": "<127.0.0.1:1>", "Name": "nobody"})).query("true", limit=1)
    except htcondor.HTCondorException:
        did("dead schedd refused")


def main() -> None:
    for _ in range(ROUNDS):
        offline()
    with tempfile.TemporaryDirectory(prefix="htcpb-vg-") as d, PersonalPool(local_dir=Path(d) / "pool") as pool:
        for _ in range(max(1, ROUNDS // 4)):
            online(pool)
    print("valgrind workload:", ", ".join(f"{k} x{v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
