"""The shipped stubs and annotations type-check typical user code under mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("example", ["classad_usage.py", "htcondor_usage.py"])
def test_mypy_strict_accepts_typical_code(example, tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path),
         str(HERE / "typing" / example)],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_stubs_and_marker_ship():
    import classad
    import htcondor

    for pkg in (classad, htcondor):
        d = Path(pkg.__file__).parent
        assert (d / "py.typed").exists() and (d / "_core.pyi").exists()
