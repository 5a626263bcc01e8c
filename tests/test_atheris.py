"""Coverage-guided fuzzing (atheris) in the suite: a fixed-corpus run of every target of
``tests/fuzz/atheris_harness.py``: each seed of ``tests/fuzz/corpus/<target>/``, then a bounded
number of mutated inputs from a fixed seed (``-runs``, ``-seed=1``), in a subprocess of its own so
that a segfault or an abort is a failure like an unexpected exception.

``HTCPB_ATHERIS_RUNS`` (default 2000) sets the number of runs per target; ``bash ci/fuzz.sh
SECONDS`` runs every target for longer with a growing corpus.  The test is skipped only when
atheris is not importable (ci/setup.sh installs it).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris is not installed (ci/setup.sh installs it: pip install atheris)")

FUZZ = Path(__file__).parent / "fuzz"
HARNESS = FUZZ / "atheris_harness.py"
CORPUS = FUZZ / "corpus"
RUNS = int(os.environ.get("HTCPB_ATHERIS_RUNS", "2000"))
TARGETS = ["expr", "classad", "unquote", "submit", "queue", "constraint", "eventlog", "token", "columns"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, CONDOR_CONFIG="/dev/null", TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    if env.get("HTCPB_ASAN_PRELOAD"):  # ci/asan.sh: the fuzzing processes run under ASan too
        env["LD_PRELOAD"] = env["HTCPB_ASAN_PRELOAD"]
    return env


def test_targets_and_corpus_match(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, str(HARNESS), "--list"], capture_output=True, text=True, timeout=120,
                         env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == TARGETS
    for target in TARGETS:
        seeds = list((CORPUS / target).iterdir())
        assert seeds, f"no seeds for {target}"
        assert all(s.stat().st_size <= 4096 for s in seeds), "seeds are small files"


@pytest.mark.parametrize("target", TARGETS)
def test_fixed_corpus_run(target: str, tmp_path: Path) -> None:
    out = tmp_path / "new-inputs"  # libFuzzer writes new inputs into the first directory
    out.mkdir()
    cmd = [sys.executable, str(HARNESS), target, f"-runs={RUNS}", "-seed=1", "-max_len=4096", "-timeout=60",
           "-rss_limit_mb=2048", "-print_final_stats=1", f"-artifact_prefix={tmp_path}/", str(out),
           str(CORPUS / target)]
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600, env=_env(tmp_path))
    log = res.stdout + res.stderr
    crashes = sorted(tmp_path.glob("crash-*")) + sorted(tmp_path.glob("timeout-*")) + sorted(tmp_path.glob("oom-*"))
    found = "\n".join(f"{c.name}: base64 {base64.b64encode(c.read_bytes()[:2000]).decode()}" for c in crashes)
    tail = "\n".join(line for line in log.splitlines() if not line.startswith("INFO: Instrumenting"))[-6000:]
    assert res.returncode == 0, f"{target}: exit status {res.returncode}\n{found}\n{tail}"
    assert f"Done {RUNS} runs" in log, tail
    seeds = len(list((CORPUS / target).iterdir()))
    print(f"{target}: {seeds} seeds, {RUNS} runs, {len(list(out.iterdir()))} new inputs kept")
