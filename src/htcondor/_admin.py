"""``Negotiator``, ``Startd`` and ``SecMan``: accounting, draining and security sessions."""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

import classad

from . import _core
from ._enums import DaemonTypes, DrainTypes
from ._exceptions import HTCondorEnumError, HTCondorIOError, HTCondorLocateError, HTCondorValueError
from ._schedd import DaemonLocation, constraint_text

_C = _core._NEGOTIATOR_COMMANDS

_PRIORITY_ATTRS = [
    "Name", "Priority", "ResourcesUsed", "Requested", "WeightedResourcesUsed", "PriorityFactor",
    "BeginUsageTime", "LastUsageTime", "WeightedAccumulatedUsage", "AccountingGroup", "IsAccountingGroup",
    "AccumulatedUsage", "Ceiling", "EffectiveQuota", "ConfigQuota", "SubtreeQuota", "GroupSortKey",
    "SurplusPolicy", "HierWeightedResourcesUsed", "SubmitterShare", "SubmitterLimit",
]


def _location(ad: Any, daemon_type: DaemonTypes) -> tuple[str, str]:
    """(address, version) of a location ad, a DaemonLocation tuple, or the local daemon."""
    if ad is None:
        loc = _core._locate(int(daemon_type))
        return loc["address"], loc["version"]
    if isinstance(ad, classad.ClassAd):
        if "MyAddress" not in ad:
            raise HTCondorValueError("address not specified.")
        return str(ad["MyAddress"]), str(ad.get("CondorVersion", ""))
    if isinstance(ad, tuple) and len(ad) >= 2:
        return str(ad[1]), str(ad[2]) if len(ad) > 2 else ""
    raise HTCondorValueError("Unknown type")


def _split_indexed(ad: classad.ClassAd, attrs: list[str]) -> list[classad.ClassAd]:
    """Reply ads carry entries as Name1, Priority1, ...; one ad per index, stopping at the first
    index with no attribute at all."""
    out: list[classad.ClassAd] = []
    i = 1
    while True:
        entry = classad.ClassAd()
        for a in attrs:
            key = f"{a}{i}"
            if key in ad:
                entry[a] = ad.lookup(key)
        if not len(entry):
            return out
        out.append(entry)
        i += 1


class Negotiator:
    """Accounting commands of the negotiator (as ``condor_userprio`` sends them)."""

    def __init__(self, ad: Any = None) -> None:
        self._address, self._version = _location(ad, DaemonTypes.Negotiator)

    @property
    def location(self) -> DaemonLocation:
        """The negotiator's location: a named tuple ``(daemon_type, address, version)``."""
        return DaemonLocation(DaemonTypes.Negotiator, self._address, self._version)

    @staticmethod
    def _user(user: str) -> str:
        if "@" not in user:
            raise HTCondorValueError("You must specify the submitter (user@uid.domain)")
        return user

    def _send(self, cmd: str, user: str, kind: int = 0, value: float = 0) -> None:
        _core._negotiator_command(self._address, _C[cmd], user, kind, value)

    def setPriority(self, user: str, prio: float) -> None:
        """Set the user priority of submitter ``user`` (``name@uid.domain``); ``prio`` must not be negative."""
        if prio < 0:
            raise HTCondorValueError("User priority must be non-negative")
        self._send("SET_PRIORITY", self._user(user), 1, prio)

    def setFactor(self, user: str, factor: float) -> None:
        """Set the priority factor of submitter ``user``; ``factor`` must be at least 1."""
        if factor < 1:
            raise HTCondorValueError("Priority factors must be >= 1")
        self._send("SET_PRIORITYFACTOR", self._user(user), 1, factor)

    def setCeiling(self, user: str, ceiling: float) -> None:
        """Set the most resources submitter ``user`` may use at once (-1: no ceiling)."""
        if ceiling < -1:
            raise HTCondorValueError("Ceiling must be greater than -1")
        self._send("SET_CEILING", self._user(user), 3, int(ceiling))

    def setUsage(self, user: str, usage: float) -> None:
        """Set the accumulated usage of submitter ``user``; ``usage`` must not be negative."""
        if usage < 0:
            raise HTCondorValueError("Usage must be non-negative")
        self._send("SET_ACCUMUSAGE", self._user(user), 1, usage)

    def setBeginUsage(self, user: str, value: int) -> None:
        """Set when submitter ``user`` first used resources (seconds since the epoch)."""
        self._send("SET_BEGINTIME", self._user(user), 2, int(value))

    def setLastUsage(self, user: str, value: int) -> None:
        """Set when submitter ``user`` last used resources (seconds since the epoch)."""
        self._send("SET_LASTTIME", self._user(user), 2, int(value))

    def resetUsage(self, user: str) -> None:
        """Reset the accumulated usage of submitter ``user`` to zero."""
        self._send("RESET_USAGE", self._user(user))

    def deleteUser(self, user: str) -> None:
        """Remove submitter ``user`` from the negotiator's accounting records."""
        self._send("DELETE_USER", self._user(user))

    def resetAllUsage(self) -> None:
        """Reset the accumulated usage of every submitter to zero."""
        self._send("RESET_ALL_USAGE", "")

    def getPriorities(self, rollup: bool = False) -> list[classad.ClassAd]:
        """One ad per submitter and accounting group: ``Name``, ``Priority``, ``ResourcesUsed``,
        ``PriorityFactor``, usage times, quotas and so on.  With ``rollup`` group usage includes that
        of the groups below.
        """
        ad = _core._negotiator_query(self._address, _C["GET_PRIORITY_ROLLUP" if rollup else "GET_PRIORITY"], "")
        return _split_indexed(ad, _PRIORITY_ATTRS)

    def getResourceUsage(self, user: str) -> list[classad.ClassAd]:
        """The resources submitter ``user`` is using: one ad per slot, with ``Name`` and ``StartTime``."""
        ad = _core._negotiator_query(self._address, _C["GET_RESLIST"], self._user(user))
        return _split_indexed(ad, ["Name", "StartTime"])


class Startd:
    """Draining a startd (as ``condor_drain`` does).  ``Startd()`` is the local startd."""

    def __init__(self, ad: Any = None) -> None:
        self._address, self._version = ("", "") if ad is None else _location(ad, DaemonTypes.Startd)

    @property
    def location(self) -> DaemonLocation:
        """The startd's location: a named tuple ``(daemon_type, address, version)``; the address is
        empty for ``Startd()`` until a request has located the local startd."""
        return DaemonLocation(DaemonTypes.Startd, self._address, self._version)

    def _addr(self) -> str:
        if not self._address:
            try:
                self._address = _core._locate(int(DaemonTypes.Startd))["address"]
            except HTCondorLocateError:
                raise
        return self._address

    def drainJobs(self, drain_type: int = 0, on_completion: int = 0, check_expr: Any = "true",
                  start_expr: Any = "false", reason: Optional[str] = "by command") -> str:
        """Start draining the startd's slots; returns the request id (for :meth:`cancelDrainJobs`).

        ``drain_type`` is a :class:`DrainTypes`; ``on_completion`` what the startd does once
        drained (HTCondor's codes: 0 nothing, 1 resume, 2 exit, 3 restart, 4 reconfig);
        ``check_expr`` must be true of every slot, else nothing drains; ``start_expr`` is the
        slots' ``START`` expression while they drain; ``reason`` is recorded with the request.
        """
        check = constraint_text(check_expr)
        start = repr(start_expr) if isinstance(start_expr, classad.ExprTree) else str(start_expr)
        return _core._drain_jobs(self._addr(), int(drain_type), int(on_completion), check, start,  # type: ignore[no-any-return]
                                 reason or "")

    def cancelDrainJobs(self, request_id: Optional[str] = "") -> None:
        """Cancel draining: the request ``request_id`` returned by :meth:`drainJobs`, or with ``""`` any."""
        _core._cancel_drain_jobs(self._addr(), request_id or "")


class Token:
    """An IDTOKEN (its text).  :meth:`write` stores it where HTCondor clients look for tokens."""

    def __init__(self, contents: str) -> None:
        self._contents = str(contents).strip()

    def write(self, tokenfile: Optional[str] = None) -> None:
        """Write the token into the user's token directory (``SEC_TOKEN_DIRECTORY``, default
        ``~/.condor/tokens.d``) as ``tokenfile`` (default ``python_generated_tokens``).

        ``HTCondorValueError`` if ``tokenfile`` is not a plain file name, ``HTCondorIOError`` if
        the file cannot be written (v1 only logged that)."""
        import os

        from . import param

        directory = param.get("SEC_TOKEN_DIRECTORY") or os.path.expanduser("~/.condor/tokens.d")
        name = tokenfile or "python_generated_tokens"
        if os.sep in name or name in (".", "..") or "\0" in name:
            raise HTCondorValueError("tokenfile must be a file name, not a path")
        path = os.path.join(directory, name)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(self._contents + "\n")
        except OSError as err:  # v1 logged the failure and returned; here it raises
            raise HTCondorIOError(f"Cannot write token to {path}: {err.strerror}") from None

    def __repr__(self) -> str:
        return "<htcondor.Token (contents hidden)>"  # never print secrets

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self._contents,))


class TokenRequest:
    """A request for an IDTOKEN from a daemon (by default the pool's collector), which the
    pool's administrator approves (``condor_token_request_approve``) unless the daemon grants
    it at once (an already-authorised client asking for its own identity).

    :param identity: the identity the token should carry ("" lets the daemon choose).
    :param bounding_set: authorization levels the token is limited to (``["READ"]``, ...).
    :param lifetime: the token's maximum lifetime in seconds (-1: the daemon's default).
    """

    def __init__(self, identity: str = "", bounding_set: Optional[Any] = None, lifetime: int = -1) -> None:
        self._identity = str(identity or "")
        self._bounding_set = [str(b) for b in bounding_set] if bounding_set is not None else []
        self._lifetime = int(lifetime)
        self._target: Optional[tuple[str, int]] = None
        self._client_id = ""
        self._request_id = ""
        self._token = ""

    def __repr__(self) -> str:
        state = "unsubmitted" if self._target is None else ("done" if self._token else "pending")
        return f"<htcondor.TokenRequest identity={self._identity!r} {state}>"  # never the token

    @property
    def request_id(self) -> str:
        """The id the administrator approves (``condor_token_request_approve -reqid``)."""
        if not self._request_id:
            raise HTCondorIOError("Request ID requested prior to submitting request!")
        return self._request_id

    def submit(self, ad: Optional[classad.ClassAd] = None) -> None:
        """Send the request to the daemon of location ad ``ad`` (default: the collector)."""
        if self._target is not None:
            raise HTCondorIOError("Token request already submitted.")
        if ad is None:
            target = ("", int(DaemonTypes.Collector))
        else:
            if not isinstance(ad, classad.ClassAd):
                raise HTCondorValueError("Expected a location ClassAd")
            my_type = ad.get("MyType")
            if not isinstance(my_type, str):
                raise HTCondorValueError("Daemon type not available in location ClassAd.")
            daemon_type = _TOKEN_DAEMONS.get(my_type.lower())
            if daemon_type is None:
                raise HTCondorEnumError("Unknown daemon type.")
            if "MyAddress" not in ad:
                raise HTCondorValueError("address not specified.")
            target = (str(ad["MyAddress"]), int(daemon_type))
        client_id, token, request_id = _core._token_request_start(
            target[0], target[1], self._identity, self._bounding_set, self._lifetime)
        self._target, self._client_id, self._token, self._request_id = target, client_id, token, request_id

    def done(self) -> bool:
        """Whether the token has been issued (asks the daemon once if not yet)."""
        if self._token:
            return True
        if self._target is None:
            raise HTCondorIOError("Request has not been submitted to a remote daemon")
        self._token = _core._token_request_finish(self._target[0], self._target[1], self._client_id,
                                                  self._request_id)
        return bool(self._token)

    def result(self, timeout: int = 0) -> "Token":
        """Wait for approval (``timeout`` seconds, 0 = forever) and return the :class:`Token`.

        Waits in Python (other threads run; Ctrl-C interrupts), asking the daemon at growing
        intervals up to every 5 s.
        """
        import time

        if self._target is None:
            raise HTCondorIOError("Request has not been submitted to a remote daemon")
        deadline = None if not timeout else time.monotonic() + timeout
        interval = 0.25
        while not self.done():
            if deadline is not None and time.monotonic() >= deadline:
                raise HTCondorIOError("Timed out waiting for token approval")
            pause = interval if deadline is None else min(interval, max(deadline - time.monotonic(), 0))
            time.sleep(pause)
            interval = min(interval * 2, 5.0)
        return Token(self._token)


# Daemons a token request may go to, by the MyType of their ad.
_TOKEN_DAEMONS = {
    "daemonmaster": DaemonTypes.Master, "machine": DaemonTypes.Startd, "slot": DaemonTypes.Startd,
    "scheduler": DaemonTypes.Schedd, "collector": DaemonTypes.Collector,
    "negotiator": DaemonTypes.Negotiator, "credd": DaemonTypes.Credd, "generic": DaemonTypes.Generic,
    "had": DaemonTypes.HAD,
}


class SecMan:
    """The process's security session manager: ``ping`` a daemon, name commands, forget
    sessions (process-wide: libcondor_utils keeps one cache).

    Settings (:meth:`setConfig`, :meth:`setTag`, :meth:`setPoolPassword`, :meth:`setToken`)
    apply to every call this thread makes inside ``with SecMan() as s:`` and to :meth:`ping`;
    other threads never see them.
    """

    def __init__(self) -> None:
        self._config: dict[str, str] = {}
        self._tag: Optional[str] = None
        self._pool_password: Optional[str] = None
        self._token: Optional[str] = None
        self._proxy: Optional[str] = None
        self._entered = False

    def __repr__(self) -> str:
        return f"<htcondor.SecMan config={sorted(self._config)} tag={self._tag!r}>"  # no secrets

    def _apply(self, active: bool) -> None:
        _core._set_thread_security(active, list(self._config.items()), self._tag, self._pool_password,
                                   self._token, self._proxy)

    def __enter__(self) -> "SecMan":
        self._entered = True
        self._apply(True)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self._entered = False
        _core._set_thread_security(False, [], None, None, None, None)
        return False

    def setConfig(self, key: str, value: str) -> None:
        """Set configuration value ``key`` (a security setting such as
        ``SEC_CLIENT_AUTHENTICATION_METHODS``) for this thread's calls inside ``with`` and for :meth:`ping`.
        """
        self._config[str(key)] = str(value)
        if self._entered:
            self._apply(True)

    def setTag(self, tag: str) -> None:
        """Use the security sessions cached under ``tag`` (sessions of one tag are not used under another)."""
        self._tag = str(tag)
        if self._entered:
            self._apply(True)

    def setPoolPassword(self, new_pass: str) -> None:
        """Use ``new_pass`` as the pool password (``PASSWORD`` authentication)."""
        self._pool_password = str(new_pass)
        if self._entered:
            self._apply(True)

    def setToken(self, token: "Token") -> None:
        """Use ``token`` (a :class:`Token` or its text) for ``TOKEN`` authentication."""
        self._token = token._contents if isinstance(token, Token) else str(token)
        if self._entered:
            self._apply(True)

    def setGSICredential(self, filename: str) -> None:
        """Use the X.509 proxy in ``filename`` (``X509_USER_PROXY``) for this thread's calls."""
        self._proxy = str(filename)
        if self._entered:
            self._apply(True)

    def invalidateAllSessions(self) -> None:
        """Forget every cached security session of this process; the next connections authenticate anew."""
        _core._invalidate_all_sessions()

    def ping(self, ad: Union[classad.ClassAd, str], command: Union[str, int] = "DC_NOP") -> classad.ClassAd:
        """Authenticate to a daemon for ``command`` (an authorization level such as ``"WRITE"``,
        a command name, or a number) and return the session's policy ad."""
        address = ad["MyAddress"] if isinstance(ad, classad.ClassAd) else str(ad)
        if isinstance(command, int):
            number = command
        else:
            number = _core._command_number(str(command))
            if number < 0:
                raise HTCondorEnumError(f"Unknown command name {command!r}")
        if self._entered:
            return _core._ping(address, number)  # type: ignore[no-any-return]
        self._apply(True)  # settings made outside `with` still apply to ping (as in v1)
        try:
            return _core._ping(address, number)  # type: ignore[no-any-return]
        finally:
            _core._set_thread_security(False, [], None, None, None, None)

    def getCommandString(self, command_int: int) -> str:
        """The name of HTCondor command number ``command_int``; ``HTCondorValueError`` if there is none."""
        name = _core._command_string(int(command_int))
        if name is None:
            raise HTCondorValueError(f"Unknown command number {command_int}")
        return name  # type: ignore[no-any-return]
