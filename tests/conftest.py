"""Shared fixtures: one real personal HTCondor pool for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Until the pool fixture points the configuration at the pool, use an empty one (importing with
# none at all warns, and warnings are errors in this suite).
os.environ.setdefault("CONDOR_CONFIG", "/dev/null")

import htcondor  # noqa: E402
from htcondor.personal import PersonalPool  # noqa: E402


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"htcondor: {htcondor.version()}", f"htcondor module: {Path(htcondor.__file__).parent}"]


@pytest.fixture(scope="session")
def pool(tmp_path_factory: pytest.TempPathFactory):
    """A running personal pool; this process's configuration points at it."""
    if os.getuid() == 0:
        pytest.fail("the pool refuses root: run the suite through ci/test.sh (as an unprivileged user)")
    local_dir = tmp_path_factory.mktemp("pool")
    # The credd keeps Kerberos and OAuth credentials here.  A "pid" file naming no process says
    # no credmon runs (tests/credmon_stub.py stands in for one where a test needs it);
    # Only the credd is told where they are: a schedd that knows a Kerberos directory waits for
    # a credmon's first sweep before it starts.
    for sub in ("krb", "oauth"):
        d = local_dir / "cred_dir" / sub
        d.mkdir(parents=True, mode=0o700)
        (d / "pid").write_text("0\n")
    # Runtime configuration lets RemoteParam set values (ADMINISTRATOR level, the pool's owner).
    p = PersonalPool(local_dir=local_dir, extra_daemons=["CREDD"],
                     config={"ENABLE_RUNTIME_CONFIG": "True", "SETTABLE_ATTRS_ADMINISTRATOR": "*",
                             "CREDD.SEC_CREDENTIAL_DIRECTORY_KRB": "$(LOCAL_DIR)/cred_dir/krb",
                             "CREDD.SEC_CREDENTIAL_DIRECTORY_OAUTH": "$(LOCAL_DIR)/cred_dir/oauth"})
    try:
        p.start()
    except htcondor.HTCondorException as err:
        pytest.fail(f"personal pool failed to start: {err}", pytrace=False)
    yield p
    p.stop()
    leftovers = _pool_processes(local_dir)
    assert not leftovers, f"daemons still running after stop: {leftovers}"


def _pool_processes(local_dir: Path) -> list[str]:
    """Processes whose command line or environment mentions the pool's directory."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(local_dir).encode() in environ:
            found.append(f"{proc.name}: {cmdline}")
    return found
