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


def _mypy_strict(files: list[Path], tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *extra, "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
         *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )


def test_mypy_strict_accepts_the_examples(tmp_path):
    """The scripts in examples/: the main job under --strict; the seed examples, which are the API
    reference's verbatim (their functions carry no annotations), under --strict with untyped
    functions allowed but their bodies checked."""
    examples = HERE.parent / "examples"
    seeds = sorted(p for p in examples.glob("*.py") if p.name.startswith("sleep_job"))
    assert len(seeds) >= 2
    res = _mypy_strict([examples / "main_job.py"], tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    res = _mypy_strict(seeds, tmp_path, "--allow-untyped-defs", "--allow-untyped-calls", "--check-untyped-defs")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_strict_accepts_the_docs_examples(tmp_path):
    """Every runnable ``.. code-block:: python`` of docs/ and of the docstrings, each as a module
    (third-party imports such as pandas, which is optional, need no stubs)."""
    from test_docs import collect_examples

    files = []
    for i, ex in enumerate(e for e in collect_examples() if e.runnable):
        f = tmp_path / f"docs_example_{i:03d}.py"
        f.write_text(f"# {ex.origin}\n{ex.code}")
        files.append(f)
    assert len(files) >= 10
    res = _mypy_strict(files, tmp_path, "--disable-error-code", "import-untyped", "--disable-error-code",
                       "import-not-found")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("module", ["classad._core", "htcondor._core", "classad", "htcondor"])
def test_stubtest_finds_no_drift(module, tmp_path):
    """mypy's stubtest compares the stubs with the built modules: names, kinds, signatures."""
    allow = HERE / "typing" / "stubtest-allowlist.txt"
    res = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", module, "--ignore-unused-allowlist", "--mypy-config-file", str(HERE / "typing" / "stubtest.ini"),
         "--allowlist", str(allow)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout[-8000:] + res.stderr[-2000:]
