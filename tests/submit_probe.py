"""Differential probe for htcondor.Submit (offline): run under any v1-style htcondor; prints JSON.

Usage: submit_probe.py DATA_DIR (holding submit.sub).  Runs in that directory (queue ... matching).
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
import htcondor  # noqa: E402

SELECTED = ["ClusterId", "ProcId", "Cmd", "Args", "Arguments", "Out", "RequestMemory", "RequestCpus", "Foo",
            "Bar", "QDate", "JobStatus", "Item", "Iwd", "JobUniverse", "Requirements", "MyType", "TargetType"]


def attempt(fn):
    try:
        return ["ok", fn()]
    except Exception as e:  # noqa: BLE001
        return ["EXC", type(e).__name__]


def ad_attrs(ad):
    return {k: (str(ad.lookup(k)) if k in ad else None) for k in SELECTED}


def probe(data):
    os.chdir(data)
    text = open("submit.sub").read()
    s = htcondor.Submit(text)
    out = {
        "str": attempt(lambda: str(s)),
        "keys": attempt(lambda: list(s.keys())),
        "items": attempt(lambda: [list(i) for i in s.items()]),
        "values": attempt(lambda: list(s.values())),
        "len": attempt(lambda: len(s)),
        "getitem": attempt(lambda: [s["request_memory"], s["my.Foo"], s["+Bar"], s["MY.Bar"]]),
        "missing": attempt(lambda: s["nope"]),
        "get_default": attempt(lambda: s.get("nope", "dflt")),
        "qargs": attempt(lambda: s.getQArgs()),
        "itemdata": attempt(lambda: list(s.itemdata())),
        "expand": attempt(lambda: [s.expand("output"), s.expand("arguments"), s.expand("request_memory")]),
        "method": attempt(lambda: s.getSubmitMethod()),
        "jobs": attempt(lambda: [ad_attrs(a) for a in s.jobs(clusterid=123, qdate=1700000000)]),
        "jobs_count_keys": attempt(lambda: sorted(next(iter(s.jobs(clusterid=7, qdate=1))).keys())),
        "procs_keys": attempt(lambda: [sorted(a.keys()) for a in s.procs(clusterid=5, qdate=1)]),
        "jobs_count2": attempt(lambda: [ad_attrs(a)["ProcId"] for a in s.jobs(count=0, clusterid=9, qdate=1)]),
    }
    d = htcondor.Submit({"executable": "/bin/sleep", "arguments": "1"})
    out["dict_str"] = attempt(lambda: str(d))
    out["dict_qargs"] = attempt(lambda: d.getQArgs())
    out["dict_itemdata"] = attempt(lambda: list(d.itemdata()))

    def set_qargs():
        d.setQArgs("3")
        return [str(d), d.getQArgs(), [ad_attrs(a)["ProcId"] for a in d.jobs(qdate=1)]]

    out["setqargs"] = attempt(set_qargs)
    out["kwargs"] = attempt(lambda: str(htcondor.Submit(executable="/bin/true", universe="vanilla")))
    out["values_conv"] = attempt(lambda: str(htcondor.Submit({"a": 1, "b": True, "c": None, "d": 2.5})))
    m = htcondor.Submit("executable = x\nqueue name,age from (\n bob 20\n sue 30\n)\n")
    out["multivar"] = attempt(lambda: list(m.itemdata()))
    out["multivar_jobs"] = attempt(lambda: [str(a.lookup("ProcId")) for a in m.jobs(qdate=1)])
    out["matching"] = attempt(lambda: list(htcondor.Submit("executable = x\nqueue f matching *.log\n").itemdata()))
    out["queue5"] = attempt(lambda: [list(htcondor.Submit("executable = x\nqueue 5\n").itemdata()),
                                     htcondor.Submit("executable = x\nqueue 5\n").getQArgs()])
    out["in_list"] = attempt(lambda: list(htcondor.Submit("executable = x\nqueue 2 v in (a, b c, d)\n").itemdata()))
    out["bad_line"] = attempt(lambda: htcondor.Submit("executable = x\nthis is not a submit line\n"))
    out["method_99"] = attempt(lambda: htcondor.Submit().setSubmitMethod(99))
    out["method_1"] = attempt(lambda: (htcondor.Submit().setSubmitMethod(1, True), ))

    def mutate():
        s2 = htcondor.Submit(text)
        s2["foo"] = "1"
        s2.setdefault("bar", "2")
        s2.setdefault("foo", "3")
        s2.update({"baz": "4"})
        return str(s2)

    out["mutate"] = attempt(mutate)
    out["itemdata_override"] = attempt(lambda: list(htcondor.Submit("executable=x\n").itemdata("v in (x, y)")))
    return out


if __name__ == "__main__":
    json.dump(probe(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
