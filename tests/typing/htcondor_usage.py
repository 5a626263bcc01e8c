"""A typical use of the htcondor module; checked with mypy --strict by tests/test_typing.py."""

from __future__ import annotations

import htcondor


def submit_and_follow(log: str) -> int:
    sub = htcondor.Submit({"executable": "/bin/sleep", "arguments": "1", "log": log})
    schedd = htcondor.Schedd()
    result: htcondor.SubmitResult = schedd.submit(sub, count=1)
    for ad in schedd.query(f"ClusterId == {result.cluster()}", ["ProcId", "JobStatus"]):
        print(ad["ProcId"], htcondor.JobStatus(ad["JobStatus"]).name)
    for event in htcondor.JobEventLog(log).events(stop_after=60):
        if event.type == htcondor.JobEventType.JOB_TERMINATED:
            return int(event["ReturnValue"])
    return -1


def config() -> str:
    value = htcondor.param.get("COLLECTOR_HOST", "")
    return str(value) + htcondor.version()
