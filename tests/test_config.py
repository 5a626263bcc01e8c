"""version(), platform(), param and reload_config(), against the pool's configuration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import MutableMapping

import pytest

import htcondor


def test_version_is_23_9_6():
    assert re.match(r"^\$CondorVersion: 23\.9\.6 .* \$$", htcondor.version())
    assert htcondor.__version__ == "23.9.6"


def test_version_matches_the_built_cli(pool):
    lines = pool.run_command(["condor_version"], check=True).stdout.splitlines()
    assert htcondor.version() == lines[0]
    assert htcondor.platform() == lines[1]
    assert htcondor.platform().startswith("$CondorPlatform: ")


def test_param_is_a_mutable_mapping(pool):
    assert isinstance(htcondor.param, MutableMapping)
    assert "COLLECTOR_HOST" in htcondor.param
    assert "NO_SUCH_PARAM_FOR_SURE" not in htcondor.param
    assert 1 not in htcondor.param
    with pytest.raises(KeyError):
        htcondor.param["NO_SUCH_PARAM_FOR_SURE"]
    assert htcondor.param.get("NO_SUCH_PARAM_FOR_SURE") is None
    assert htcondor.param.get("NO_SUCH_PARAM_FOR_SURE", 7) == 7
    keys = list(htcondor.param)
    assert len(htcondor.param) == len(keys) > 500  # defaults are listed too
    assert "SCHEDD_INTERVAL" in keys


def test_param_reads_the_pools_settings(pool):
    # Values the personal pool wrote, typed by HTCondor's parameter table.
    assert htcondor.param["NEGOTIATOR_INTERVAL"] == 2
    assert htcondor.param["NUM_CPUS"] == 4
    assert htcondor.param["USE_SHARED_PORT"] is False
    assert htcondor.param["BIND_ALL_INTERFACES"] is False
    assert htcondor.param["ENABLE_IPV6"] == "False"  # a string knob in the table
    assert htcondor.param["COLLECTOR_HOST"] == pool.collector_address
    # Macros are expanded, as condor_config_val does.
    assert htcondor.param["SPOOL"] == pool.get_config_val("SPOOL") == str(pool.local_dir / "spool")
    # A double from the table.
    assert isinstance(htcondor.param["NEGOTIATOR_SOCKET_CACHE_SIZE"], int)
    assert isinstance(htcondor.param["PRIORITY_HALFLIFE"], float)
    # Every name the pool config sets reads the same through the bindings and the CLI.
    for name in ("UID_DOMAIN", "DAEMON_LIST", "LOCAL_DIR"):
        assert str(htcondor.param[name]) == pool.get_config_val(name)


def test_param_set_is_process_local_and_lost_on_reload(pool):
    htcondor.param["HTCPB_TEST_KNOB"] = "hello"
    assert htcondor.param["HTCPB_TEST_KNOB"] == "hello"
    htcondor.param["NEGOTIATOR_INTERVAL"] = "17"
    assert htcondor.param["NEGOTIATOR_INTERVAL"] == 17  # typed by the param table
    assert htcondor.param.setdefault("HTCPB_TEST_KNOB", "other") == "hello"
    assert htcondor.param.setdefault("HTCPB_OTHER_KNOB", "x") == "x"
    htcondor.param.update({"HTCPB_THIRD": "3"})
    assert htcondor.param["HTCPB_THIRD"] == "3"
    # The pool itself is untouched.
    assert pool.get_config_val("NEGOTIATOR_INTERVAL") == "2"
    htcondor.reload_config()
    assert "HTCPB_TEST_KNOB" not in htcondor.param
    assert htcondor.param["NEGOTIATOR_INTERVAL"] == 2


def test_param_rejects_bad_names_and_values(pool):
    with pytest.raises(htcondor.HTCondorValueError, match="Invalid configuration parameter name"):
        htcondor.param["BAD NAME"] = "1"
    with pytest.raises(TypeError):
        htcondor.param["HTCPB_X"] = 3
    with pytest.raises(TypeError):
        htcondor.param[3]


def test_param_delete(pool):
    htcondor.param["HTCPB_DEL"] = "1"
    del htcondor.param["HTCPB_DEL"]
    assert "HTCPB_DEL" not in htcondor.param
    assert "HTCPB_DEL" not in list(htcondor.param)
    with pytest.raises(KeyError):
        del htcondor.param["HTCPB_DEL"]
    htcondor.param["HTCPB_DEL"] = "2"
    assert htcondor.param["HTCPB_DEL"] == "2"
    htcondor.reload_config()


def test_reload_config_picks_up_a_changed_file(pool, tmp_path):
    extra = tmp_path / "extra.config"
    extra.write_text("HTCPB_FROM_FILE = first\n")
    saved = os.environ["CONDOR_CONFIG"]
    combined = tmp_path / "combined.config"
    combined.write_text(f"include : {saved}\ninclude : {extra}\n")
    os.environ["CONDOR_CONFIG"] = str(combined)
    try:
        htcondor.reload_config()
        assert htcondor.param["HTCPB_FROM_FILE"] == "first"
        extra.write_text("HTCPB_FROM_FILE = second\n")
        assert htcondor.param["HTCPB_FROM_FILE"] == "first"  # not before a reload
        htcondor.reload_config()
        assert htcondor.param["HTCPB_FROM_FILE"] == "second"
    finally:
        os.environ["CONDOR_CONFIG"] = saved
        htcondor.reload_config()
    assert "HTCPB_FROM_FILE" not in htcondor.param


def test_reload_config_keeps_environment_overrides(pool, monkeypatch):
    monkeypatch.setenv("_condor_HTCPB_ENV_KNOB", "from-env")
    htcondor.reload_config()
    assert htcondor.param["HTCPB_ENV_KNOB"] == "from-env"
    monkeypatch.delenv("_condor_HTCPB_ENV_KNOB")
    htcondor.reload_config()
    assert "HTCPB_ENV_KNOB" not in htcondor.param


def test_reload_with_missing_config_raises_instead_of_exiting(pool, tmp_path):
    saved = os.environ["CONDOR_CONFIG"]
    os.environ["CONDOR_CONFIG"] = str(tmp_path / "does-not-exist")
    try:
        with pytest.raises(htcondor.HTCondorIOError, match="Failed to reload"):
            htcondor.reload_config()
    finally:
        os.environ["CONDOR_CONFIG"] = saved
        htcondor.reload_config()
    assert htcondor.param["COLLECTOR_HOST"] == pool.collector_address


def _run_python(code: str, env: dict[str, str], cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=cwd,
        capture_output=True, text=True, timeout=60,
    )


def test_import_without_any_config_warns_and_uses_null_config(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CONDOR_CONFIG" and not k.lower().startswith("_condor_")}
    env["HOME"] = str(tmp_path)
    res = _run_python(
        """
        import os, warnings
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            import htcondor
        print(os.environ["CONDOR_CONFIG"])
        print([str(x.message)[:40] for x in w if x.category is UserWarning])
        print(htcondor.param.get("COLLECTOR_HOST"))
        print(htcondor.param["MAX_JOBS_RUNNING"])
        """,
        env, str(tmp_path),
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    if os.path.exists("/etc/condor/condor_config"):
        pytest.fail("this machine has a system HTCondor config; the null-config path is untestable")
    assert out[0] == "/dev/null"
    assert "Neither the environment variable CONDOR" in out[1]
    assert out[3] == "10000"


def test_import_from_any_directory_needs_no_library_path(tmp_path):
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    res = _run_python(
        "import htcondor, os; print(os.path.dirname(htcondor._core.__file__))", env, str(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    libdir = os.path.join(os.path.dirname(res.stdout.strip()), "htcondor_pybind.libs")
    libs = sorted(os.listdir(libdir))
    assert any(n.startswith("libcondor_utils_23_9_6") for n in libs), libs
    assert any(n.startswith("libclassad.so") for n in libs), libs
