"""Submit.from_dag: the DAGMan job's description, compared with condor_submit_dag's, and a
two-node DAG run to completion on the pool."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import htcondor

DAG = "JOB A node.sub\nJOB B node.sub\nPARENT A CHILD B\n"
NODE = "executable = /bin/true\ntransfer_executable = false\nlog = nodes.log\nqueue\n"


def make_dag(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    (where / "node.sub").write_text(NODE)
    dag = where / "diamond.dag"
    dag.write_text(DAG)
    return dag


def lines(text: str) -> list[str]:
    """Submit-description lines without comments, spacing around '=' normalised."""
    return [re.sub(r"\s*=\s*", " = ", line.strip(), count=1) for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def test_from_dag_matches_condor_submit_dag(pool, tmp_path, monkeypatch):
    ours_dir, cli_dir = tmp_path / "ours", tmp_path / "cli"
    make_dag(ours_dir)
    make_dag(cli_dir)
    monkeypatch.chdir(ours_dir)
    sub = htcondor.Submit.from_dag("diamond.dag", {"maxidle": 7, "MaxJobs": 3, "batch-name": "nightly",
                                                   "force": True, "priority": 5})
    written = (ours_dir / "diamond.dag.condor.sub").read_text()
    assert sub["universe"] == "scheduler" and sub["executable"].endswith("condor_dagman")
    assert sub["My.JobBatchName"] == '"nightly"'
    assert "-MaxIdle 7" in sub["arguments"] and "-MaxJobs 3" in sub["arguments"]
    assert "-Priority 5" in sub["arguments"]
    assert lines(str(sub)) == lines(written)  # the object is the file it wrote
    res = pool.run_command(["condor_submit_dag", "-no_submit", "-maxidle", "7", "-maxjobs", "3",
                            "-batch-name", "nightly", "-force", "-priority", "5", "diamond.dag"], cwd=cli_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    cli = lines((cli_dir / "diamond.dag.condor.sub").read_text())
    # condor_submit_dag's only additions: copy_to_spool (a condor_submit option the bindings
    # leave out, as v1 does) and the schedd address files it found in the configuration.
    cli = [line for line in cli if not line.startswith("copy_to_spool")]
    cli = [re.sub(r" _CONDOR_SCHEDD_(ADDRESS|DAEMON_AD)_FILE=\S+?(?=[ \"])", "", line) for line in cli]
    assert lines(written) == cli


def test_from_dag_runs_the_dag(pool, tmp_path, monkeypatch):
    make_dag(tmp_path)
    monkeypatch.chdir(tmp_path)
    sub = htcondor.Submit.from_dag(str(tmp_path / "diamond.dag"))
    schedd = htcondor.Schedd()
    cluster = schedd.submit(sub).cluster()
    deadline = time.time() + 180
    while time.time() < deadline:
        if not schedd.query(f"ClusterId == {cluster} || DAGManJobId == {cluster}", ["ClusterId"]):
            break
        time.sleep(1)
    else:
        pytest.fail(f"DAG not done after 180 s:\n{(tmp_path / 'diamond.dag.dagman.out').read_text()}")
    done = {ad["DAGNodeName"]: ad for ad in schedd.history(f"DAGManJobId == {cluster}",
                                                             ["DAGNodeName", "ExitCode", "JobStatus"])}
    assert sorted(done) == ["A", "B"]
    assert all(ad["ExitCode"] == 0 and ad["JobStatus"] == 4 for ad in done.values())
    dagman = next(iter(schedd.history(f"ClusterId == {cluster}", ["ExitCode"])))
    assert dagman["ExitCode"] == 0
    # Node B started only after A ended (PARENT A CHILD B), as the node log records.
    events = [(e.type, e.cluster) for e in htcondor.JobEventLog(str(tmp_path / "nodes.log")).events(0)]
    ends = [c for t, c in events if t == htcondor.JobEventType.JOB_TERMINATED]
    assert len(ends) == 2


def test_from_dag_errors(pool, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(htcondor.HTCondorIOError, match="Could not read DAG file"):
        htcondor.Submit.from_dag("missing.dag")
    make_dag(tmp_path)
    with pytest.raises(htcondor.HTCondorTypeError, match="maxidle"):
        htcondor.Submit.from_dag("diamond.dag", {"maxidle": "lots"})
    with pytest.raises(htcondor.HTCondorTypeError):
        htcondor.Submit.from_dag("diamond.dag", {"maxidle": 1.5})
    with pytest.warns(UserWarning, match="not recognized"):
        htcondor.Submit.from_dag("diamond.dag", {"no_such_option": 1})
    # A second submission of the same DAG finds its output files: refused unless forced.
    (tmp_path / "diamond.dag.dagman.out").write_text("old run\n")
    with pytest.raises(htcondor.HTCondorIOError, match="force"):
        htcondor.Submit.from_dag("diamond.dag")
    htcondor.Submit.from_dag("diamond.dag", {"force": True})
    (tmp_path / "bad.dag").write_text("JOB A node.sub\nCONFIG\n")
    with pytest.raises(htcondor.HTCondorIOError, match="bad.dag"):
        htcondor.Submit.from_dag("bad.dag")
    with pytest.raises(htcondor.HTCondorIOError, match="condor_dagman"):
        htcondor.Submit.from_dag("diamond.dag", {"dagman": "/nonexistent/condor_dagman", "force": True})
