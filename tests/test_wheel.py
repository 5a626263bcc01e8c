"""Packaging invariants that hold for the installed package too (the wheel itself is built,
repaired and smoke-tested where no HTCondor is visible by ci/wheel.sh, which .ci/run runs after
this suite: it needs a mount namespace and the whole checkout)."""

from __future__ import annotations

import os
import re
from importlib.metadata import metadata, version
from pathlib import Path

import pytest

import classad  # noqa: F401  (its extension must be mapped too)
import htcondor

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"


@pytest.fixture(scope="module")
def project():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with open(PYPROJECT, "rb") as f:
        return tomllib.load(f)


def test_version_is_uploadable_and_installed(project):
    ours = project["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", ours), ours
    assert version("htcondor-pybind") == ours


def test_summary_names_the_htcondor_release_built_against(project):
    assert htcondor.__version__ == "23.9.6"
    expected = f"HTCondor {htcondor.__version__}'s"
    assert expected in project["project"]["description"]
    assert expected in metadata("htcondor-pybind")["Summary"]


def test_htcondor_libraries_come_from_the_package():
    libdir = Path(htcondor.__file__).resolve().parent.parent / "htcondor_pybind.libs"
    with open("/proc/self/maps") as f:
        mapped = {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}
    for name in ("libcondor_utils", "libclassad"):
        paths = {p for p in mapped if os.path.basename(p).startswith(name)}
        assert paths, f"{name} is not mapped"
        assert {os.path.dirname(os.path.realpath(p)) for p in paths} == {str(libdir)}, paths


def test_cibuildwheel_configuration_matches_the_project(project):
    cibw = project["tool"]["cibuildwheel"]
    lowest = tuple(int(x) for x in re.fullmatch(r">=(\d+)\.(\d+)", project["project"]["requires-python"]).groups())
    assert lowest == (3, 9)
    assert cibw["build"] == [f"cp3{minor}-*" for minor in range(9, 15)]
    assert cibw["skip"] == ["*-musllinux_*"]
    assert set(cibw["linux"]["archs"]) == {"x86_64", "aarch64"}
    assert "ci/build-htcondor.sh" in cibw["before-all"][-1]
    prefix = cibw["environment"]["HTCONDOR_PREFIX"]
    assert prefix in cibw["before-all"][-1]
    # The smoke test of ci/wheel.sh, forbidden to map anything from the build prefix or the project.
    assert cibw["test-command"].startswith("python {project}/ci/wheel_smoke.py ")
    assert f"--forbid {prefix}" in cibw["test-command"] and "--forbid {project}" in cibw["test-command"]
    assert cibw["linux"]["repair-wheel-command"].startswith("auditwheel repair ")


def test_sdist_settings_keep_the_build_inputs(project):
    sdist = project["tool"]["scikit-build"]["sdist"]
    assert {"src", "cmake", "CMakeLists.txt"} <= set(sdist["include"])
    assert {"tests", "ci", ".ci", "build"} <= set(sdist["exclude"])
