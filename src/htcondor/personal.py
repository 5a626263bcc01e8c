"""Personal HTCondor pools: a whole pool for one user, in one directory, on 127.0.0.1.

:class:`PersonalPool` starts ``condor_master`` (with a collector, negotiator, schedd and startd,
plus any extra daemons asked for) from an HTCondor installation, waits until the collector knows
every daemon, and stops it again:

.. code-block:: python

    import htcondor
    from htcondor.personal import PersonalPool

    with PersonalPool() as pool:
        print(pool.run_command(["condor_status"]).stdout)
        print(htcondor.Collector().locate(htcondor.DaemonTypes.Schedd)["Name"])

The pool requires authentication (``FS``, so only the user running it gets in) and integrity on
every connection, as a production pool does.  Inside the ``with`` block the process's
configuration points at the pool (``CONDOR_CONFIG`` and :func:`htcondor.reload_config`), so the
bindings talk to it as a user's code would.

The daemons are found in, in order: the ``prefix`` argument, ``$HTCONDOR_PREFIX``, the HTCondor
build these bindings were compiled against, and ``condor_master`` on ``PATH``.
"""

from __future__ import annotations

import contextlib
import enum
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ._exceptions import HTCondorIOError, HTCondorLocateError

__all__ = ["PersonalPool", "PersonalPoolState", "find_htcondor_prefix"]


class PersonalPoolState(str, enum.Enum):
    """Lifecycle of a :class:`PersonalPool`."""

    UNINITIALIZED = "UNINITIALIZED"
    STARTING = "STARTING"
    READY = "READY"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


_DAEMONS = ("MASTER", "COLLECTOR", "NEGOTIATOR", "SCHEDD", "STARTD")


def find_htcondor_prefix(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Return the HTCondor installation whose ``sbin/condor_master`` the pool will run."""
    tried = []
    candidates: list[tuple[str, str | os.PathLike[str] | None]] = [
        ("the prefix argument", prefix),
        ("$HTCONDOR_PREFIX", os.environ.get("HTCONDOR_PREFIX")),
    ]
    try:
        from . import _build_info

        candidates.append(("the build these bindings were compiled against", _build_info.HTCONDOR_PREFIX))
    except ImportError:  # pragma: no cover - source checkout without a build
        pass
    for what, cand in candidates:
        if not cand:
            continue
        p = Path(cand)
        if (p / "sbin" / "condor_master").is_file():
            return p
        tried.append(f"{what} ({p})")
    master = shutil.which("condor_master")
    if master:
        return Path(master).resolve().parent.parent
    tried.append("condor_master on PATH")
    raise HTCondorLocateError(
        "No HTCondor daemons found to run a personal pool; looked in: "
        + ", ".join(tried)
        + ". Build them with ci/build-htcondor.sh or set HTCONDOR_PREFIX."
    )


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send condor_master SIGQUIT (fast shutdown of the
    whole pool) if the process that started it dies without stopping it (killed, crashed)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)
    except Exception:  # pragma: no cover - not Linux: the pool then outlives a killed parent
        pass


def _free_port() -> int:
    """A free port for the collector, outside the kernel's ephemeral range: a port the kernel
    hands out (bind to port 0) can be taken by any other socket, another pool's daemons
    included, between this check and the collector's bind (seen: "Address already in use")."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    ranges = [(r0, r1) for r0, r1 in ((10000, low - 1), (high + 1, 65535)) if r1 - r0 > 100]
    rng = random.SystemRandom()
    for _ in range(200):
        r0, r1 = rng.choice(ranges) if ranges else (low, high)
        port = rng.randint(r0, r1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PersonalPool:
    """A personal HTCondor pool (see the module documentation).

    :param local_dir: where the pool keeps its config, logs, spool and execute directories;
        a new temporary directory (removed on :meth:`stop`) if not given.
    :param config: extra configuration, as a mapping of names to values.
    :param raw_config: extra configuration text, appended last.
    :param extra_daemons: daemons to run besides master, collector, negotiator, schedd, startd
        (for example ``["CREDD"]``).
    :param use_config: point this process's configuration at the pool while it runs.
    :param prefix: the HTCondor installation to run (see :func:`find_htcondor_prefix`).
    :param start_timeout: seconds to wait for every daemon to report to the collector.
    """

    def __init__(
        self,
        local_dir: str | os.PathLike[str] | None = None,
        config: Mapping[str, object] | None = None,
        raw_config: str | None = None,
        extra_daemons: Sequence[str] = (),
        use_config: bool = True,
        prefix: str | os.PathLike[str] | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.prefix = find_htcondor_prefix(prefix)
        self._own_dir = local_dir is None
        self.local_dir = Path(local_dir) if local_dir is not None else None
        self.config = dict(config or {})
        self.raw_config = raw_config or ""
        self.daemons = tuple(_DAEMONS) + tuple(d.upper() for d in extra_daemons)
        self.use_config = use_config
        self.start_timeout = start_timeout
        self.state = PersonalPoolState.UNINITIALIZED
        self.port: int | None = None
        self._master: subprocess.Popen[bytes] | None = None
        self._saved_env: str | None = None
        self._configured = False

    # -- paths ------------------------------------------------------------------------------
    @property
    def config_file(self) -> Path:
        """The pool's configuration file (``condor_config`` in ``local_dir``)."""
        assert self.local_dir is not None, "the pool has not been started"
        return self.local_dir / "condor_config"

    @property
    def log_dir(self) -> Path:
        """The directory of the daemons' logs."""
        assert self.local_dir is not None, "the pool has not been started"
        return self.local_dir / "log"

    @property
    def collector_address(self) -> str:
        """``127.0.0.1:<port>``: the pool's collector (its ``COLLECTOR_HOST``)."""
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment under which HTCondor tools talk to this pool."""
        env = dict(os.environ)
        env["CONDOR_CONFIG"] = str(self.config_file)
        env["PATH"] = f"{self.prefix / 'bin'}{os.pathsep}{self.prefix / 'sbin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    # -- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> "PersonalPool":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "PersonalPool":
        """Write the configuration, start ``condor_master`` and wait until the pool is ready."""
        if self.state is not PersonalPoolState.UNINITIALIZED:
            raise HTCondorIOError(f"personal pool cannot start from state {self.state.value}")
        self.state = PersonalPoolState.STARTING
        if self.local_dir is None:
            self.local_dir = Path(tempfile.mkdtemp(prefix="htcondor-pool-"))
        self.local_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("log", "spool", "execute", "lock", "run", "cred_dir"):
            (self.local_dir / sub).mkdir(mode=0o755, exist_ok=True)
        os.chmod(self.local_dir / "cred_dir", 0o700)
        self.port = _free_port()
        self.config_file.write_text(self._config_text())
        try:
            with open(self.log_dir / "master.stderr", "wb") as stderr:
                self._master = subprocess.Popen(
                    [str(self.prefix / "sbin" / "condor_master"), "-f"],
                    env=self.env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,  # own process group: stop() can reap every daemon
                    # The death signal follows the *thread* that started the pool, so it is only
                    # armed from the main thread (whose end is the process's end).
                    preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
                )
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        if self.use_config:
            self._saved_env = os.environ.get("CONDOR_CONFIG")
            os.environ["CONDOR_CONFIG"] = str(self.config_file)
            self._configured = True
            self._reload()
        self.state = PersonalPoolState.READY
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the pool down, kill any straggler in its process group, restore the config."""
        if self.state in (PersonalPoolState.STOPPED, PersonalPoolState.UNINITIALIZED):
            return
        self.state = PersonalPoolState.STOPPING
        if self._master is not None:
            pgid = self._master.pid
            if self._master.poll() is None:
                self._master.send_signal(signal.SIGQUIT)  # fast shutdown of every daemon
                try:
                    self._master.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._master.wait(5)
        if self._configured:
            self._configured = False
            if self._saved_env is None:
                os.environ.pop("CONDOR_CONFIG", None)
            else:
                os.environ["CONDOR_CONFIG"] = self._saved_env
            with contextlib.suppress(Exception):
                self._reload()
        if self._own_dir and self.local_dir is not None:
            shutil.rmtree(self.local_dir, ignore_errors=True)
        self.state = PersonalPoolState.STOPPED

    @staticmethod
    def _reload() -> None:
        import htcondor

        htcondor.reload_config()

    # -- tools ------------------------------------------------------------------------------
    def run_command(
        self, args: Sequence[str], timeout: float = 60.0, check: bool = False,
        cwd: str | os.PathLike[str] | None = None, input_text: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run an HTCondor command-line tool against this pool and capture its output
        (``input_text`` is fed to its standard input)."""
        return subprocess.run(
            list(args), env=self.env(), capture_output=True, text=True, timeout=timeout, check=check, cwd=cwd,
            input=input_text, stdin=None if input_text is not None else subprocess.DEVNULL,
        )

    def get_config_val(self, name: str) -> str:
        """The pool's value of a configuration macro, as ``condor_config_val`` prints it."""
        return self.run_command(["condor_config_val", name], check=True).stdout.strip()

    def daemon_ads(self) -> list[dict[str, str]]:
        """``MyType`` and ``Name`` of every ad in the collector (through ``condor_status``)."""
        res = self.run_command(
            ["condor_status", "-any", "-af:t", "MyType", "Name"], timeout=20
        )
        ads = []
        for line in res.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 2:
                ads.append({"MyType": parts[0], "Name": parts[1]})
        return ads

    def logs(self, tail: int = 40) -> str:
        """The last lines of every daemon log, for failure reports."""
        out = []
        if self.local_dir is None:
            return ""
        for log in sorted(self.log_dir.glob("*")):
            if log.is_file():
                lines = log.read_text(errors="replace").splitlines()[-tail:]
                out.append(f"==> {log.name} <==\n" + "\n".join(lines))
        return "\n\n".join(out)

    @contextlib.contextmanager
    def configured(self) -> Iterator["PersonalPool"]:
        """Point this process's configuration at the pool for the duration of a block."""
        saved = os.environ.get("CONDOR_CONFIG")
        os.environ["CONDOR_CONFIG"] = str(self.config_file)
        self._reload()
        try:
            yield self
        finally:
            if saved is None:
                os.environ.pop("CONDOR_CONFIG", None)
            else:
                os.environ["CONDOR_CONFIG"] = saved
            self._reload()

    # -- internals --------------------------------------------------------------------------
    def _wait_ready(self) -> None:
        want = {"DaemonMaster", "Collector", "Negotiator", "Scheduler", "Machine"}
        if "CREDD" in self.daemons:
            want.add("CredD")
        deadline = time.monotonic() + self.start_timeout
        seen: set[str] = set()
        while time.monotonic() < deadline:
            assert self._master is not None
            if self._master.poll() is not None:
                raise HTCondorIOError(
                    f"condor_master exited with status {self._master.returncode} while the "
                    f"personal pool started.\n{self.logs()}"
                )
            try:
                seen = {ad["MyType"] for ad in self.daemon_ads()}
            except subprocess.TimeoutExpired:
                seen = set()
            if want <= seen:
                return
            time.sleep(0.5)
        raise HTCondorIOError(
            f"personal pool not ready after {self.start_timeout:.0f} s: the collector lists "
            f"{sorted(seen)}, waiting for {sorted(want - seen)}.\n{self.logs()}"
        )

    def _config_text(self) -> str:
        assert self.local_dir is not None
        user = pwd.getpwuid(os.getuid()).pw_name
        base = textwrap.dedent(
            f"""\
            # Personal pool written by htcondor.personal
            RELEASE_DIR = {self.prefix}
            SBIN = $(RELEASE_DIR)/sbin
            BIN = $(RELEASE_DIR)/bin
            LIB = $(RELEASE_DIR)/lib
            LIBEXEC = $(RELEASE_DIR)/libexec
            LOCAL_DIR = {self.local_dir}
            LOG = $(LOCAL_DIR)/log
            SPOOL = $(LOCAL_DIR)/spool
            EXECUTE = $(LOCAL_DIR)/execute
            LOCK = $(LOCAL_DIR)/lock
            RUN = $(LOCAL_DIR)/run
            SEC_CREDENTIAL_DIRECTORY = $(LOCAL_DIR)/cred_dir
            SEC_PASSWORD_DIRECTORY = $(LOCAL_DIR)/cred_dir
            SEC_TOKEN_SYSTEM_DIRECTORY = $(LOCAL_DIR)/cred_dir/tokens.d
            SEC_PASSWORD_FILE = $(LOCAL_DIR)/cred_dir/pool_password
            # The token signing key defaults to SEC_PASSWORD_FILE; keep it apart, so a pool
            # password stored or deleted through the credd cannot replace the collector's key.
            SEC_TOKEN_POOL_SIGNING_KEY_FILE = $(LOCAL_DIR)/cred_dir/POOL

            DAEMON_LIST = {" ".join(self.daemons)}
            # Every daemon on an ephemeral port (the credd's default is a fixed 9620), so pools
            # can run side by side.
            CREDD_ARGS = -f
            CONDOR_HOST = 127.0.0.1
            COLLECTOR_HOST = 127.0.0.1:{self.port}
            NETWORK_INTERFACE = 127.0.0.1
            BIND_ALL_INTERFACES = False
            ENABLE_IPV6 = False
            USE_SHARED_PORT = False
            UID_DOMAIN = personal.pool
            FILESYSTEM_DOMAIN = personal.pool
            MAIL = /bin/true
            CONDOR_ADMIN =

            # Every connection authenticates (FS: local users only) and is integrity-checked;
            # only the user running the pool is authorised, by identity, not by host.
            SEC_DEFAULT_AUTHENTICATION = REQUIRED
            SEC_DEFAULT_AUTHENTICATION_METHODS = FS
            SEC_CLIENT_AUTHENTICATION_METHODS = FS
            SEC_DEFAULT_INTEGRITY = REQUIRED
            SEC_DEFAULT_ENCRYPTION = OPTIONAL
            ALLOW_READ = {user}@*
            ALLOW_WRITE = {user}@*
            ALLOW_DAEMON = {user}@*
            ALLOW_ADMINISTRATOR = {user}@*
            ALLOW_NEGOTIATOR = {user}@*
            ALLOW_CONFIG = {user}@*
            ALLOW_ADVERTISE_STARTD = {user}@*
            ALLOW_ADVERTISE_SCHEDD = {user}@*
            ALLOW_ADVERTISE_MASTER = {user}@*

            # Quick turnaround for tests and demos.
            SCHEDD_INTERVAL = 5
            NEGOTIATOR_INTERVAL = 2
            NEGOTIATOR_MIN_INTERVAL = 1
            NEGOTIATOR_CYCLE_DELAY = 1
            UPDATE_INTERVAL = 5
            MASTER_UPDATE_INTERVAL = 5
            STARTER_UPDATE_INTERVAL = 5
            JOB_START_DELAY = 0
            SHADOW_SIZE_ESTIMATE = 1800
            STARTD_DETECT_GPUS =
            NUM_CPUS = 4
            MEMORY = 4096
            START = True
            SUSPEND = False
            CONTINUE = True
            PREEMPT = False
            KILL = False
            WANT_SUSPEND = False
            WANT_VACATE = False
            RANK = 0

            # Personal pools live in temporary directories: DAGMan would refuse node logs there.
            DAGMAN_USE_STRICT = 0

            # Containers and unprivileged users: no keyrings, namespaces or cgroups.
            DISCARD_SESSION_KEYRING_ON_STARTUP = False
            USE_PID_NAMESPACES = False
            ENABLE_KERNEL_TUNING = False
            STARTD_ENFORCE_DISK_LIMITS = False
            BASE_CGROUP =
            """
        )
        extra = "".join(f"{k} = {v}\n" for k, v in self.config.items())
        return base + extra + self.raw_config + ("\n" if self.raw_config else "")
