"""Differential probe for job event logs: run under any v1-style ``htcondor``; prints JSON.

Usage: event_probe.py LOGFILE...  For each file: every event's type, cluster, proc, timestamp,
items and text, read with ``events(stop_after=0)``; plus resuming through pickle.
"""

from __future__ import annotations

import json
import os
import pickle
import sys

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
import htcondor  # noqa: E402
from classad_probe import norm  # noqa: E402  (one normalisation for every probe)


def read(path):
    out = []
    try:
        for e in htcondor.JobEventLog(path).events(stop_after=0):
            out.append({
                "type": [str(e.type), int(e.type)], "cluster": e.cluster, "proc": e.proc,
                "timestamp": e.timestamp, "items": {k: norm(v) for k, v in e.items()},
                "len": len(e), "text": str(e), "repr": repr(e),
            })
    except Exception as exc:  # noqa: BLE001
        out.append("EXC:" + type(exc).__name__)
    return out


def resumed(path):
    jel = htcondor.JobEventLog(path).events(stop_after=0)
    try:
        first = next(jel)
    except StopIteration:
        return []
    again = pickle.loads(pickle.dumps(jel))
    return [str(first.type)] + [str(e.type) for e in again.events(stop_after=0)]


if __name__ == "__main__":
    json.dump({p: {"events": read(p), "resumed": resumed(p)} for p in sys.argv[1:]}, sys.stdout,
              indent=1, sort_keys=True)
