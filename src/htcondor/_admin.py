"""``Negotiator``, ``Startd`` and ``SecMan``: accounting, draining and security sessions."""

from __future__ import annotations

from typing import Any, Optional, Union

import classad

from . import _core
from ._enums import DaemonTypes, DrainTypes
from ._exceptions import HTCondorEnumError, HTCondorLocateError, HTCondorValueError
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
    out = []
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
        return DaemonLocation(DaemonTypes.Negotiator, self._address, self._version)

    @staticmethod
    def _user(user: str) -> str:
        if "@" not in user:
            raise HTCondorValueError("You must specify the submitter (user@uid.domain)")
        return user

    def _send(self, cmd: str, user: str, kind: int = 0, value: float = 0) -> None:
        _core._negotiator_command(self._address, _C[cmd], user, kind, value)

    def setPriority(self, user: str, prio: float) -> None:
        if prio < 0:
            raise HTCondorValueError("User priority must be non-negative")
        self._send("SET_PRIORITY", self._user(user), 1, prio)

    def setFactor(self, user: str, factor: float) -> None:
        if factor < 1:
            raise HTCondorValueError("Priority factors must be >= 1")
        self._send("SET_PRIORITYFACTOR", self._user(user), 1, factor)

    def setCeiling(self, user: str, ceiling: float) -> None:
        if ceiling < -1:
            raise HTCondorValueError("Ceiling must be greater than -1")
        self._send("SET_CEILING", self._user(user), 3, int(ceiling))

    def setUsage(self, user: str, usage: float) -> None:
        if usage < 0:
            raise HTCondorValueError("Usage must be non-negative")
        self._send("SET_ACCUMUSAGE", self._user(user), 1, usage)

    def setBeginUsage(self, user: str, value: int) -> None:
        self._send("SET_BEGINTIME", self._user(user), 2, int(value))

    def setLastUsage(self, user: str, value: int) -> None:
        self._send("SET_LASTTIME", self._user(user), 2, int(value))

    def resetUsage(self, user: str) -> None:
        self._send("RESET_USAGE", self._user(user))

    def deleteUser(self, user: str) -> None:
        self._send("DELETE_USER", self._user(user))

    def resetAllUsage(self) -> None:
        self._send("RESET_ALL_USAGE", "")

    def getPriorities(self, rollup: bool = False) -> list[classad.ClassAd]:
        ad = _core._negotiator_query(self._address, _C["GET_PRIORITY_ROLLUP" if rollup else "GET_PRIORITY"], "")
        return _split_indexed(ad, _PRIORITY_ATTRS)

    def getResourceUsage(self, user: str) -> list[classad.ClassAd]:
        ad = _core._negotiator_query(self._address, _C["GET_RESLIST"], self._user(user))
        return _split_indexed(ad, ["Name", "StartTime"])


class Startd:
    """Draining a startd (as ``condor_drain`` does).  ``Startd()`` is the local startd."""

    def __init__(self, ad: Any = None) -> None:
        self._address, self._version = ("", "") if ad is None else _location(ad, DaemonTypes.Startd)

    @property
    def location(self) -> DaemonLocation:
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
        """Start draining; returns the request id."""
        check = constraint_text(check_expr)
        start = repr(start_expr) if isinstance(start_expr, classad.ExprTree) else str(start_expr)
        return _core._drain_jobs(self._addr(), int(drain_type), int(on_completion), check, start,  # type: ignore[no-any-return]
                                 reason or "")

    def cancelDrainJobs(self, request_id: Optional[str] = "") -> None:
        _core._cancel_drain_jobs(self._addr(), request_id or "")


class Token:
    """An IDTOKEN (its text).  :meth:`write` stores it where HTCondor clients look for tokens."""

    def __init__(self, contents: str) -> None:
        self._contents = str(contents).strip()

    def write(self, tokenfile: Optional[str] = None) -> None:
        """Write the token into the user's token directory (``SEC_TOKEN_DIRECTORY``, default
        ``~/.condor/tokens.d``) as ``tokenfile`` (default ``python_generated_tokens``)."""
        import os

        from . import param

        directory = param.get("SEC_TOKEN_DIRECTORY") or os.path.expanduser("~/.condor/tokens.d")
        name = tokenfile or "python_generated_tokens"
        if os.sep in name:
            raise HTCondorValueError("tokenfile must be a file name, not a path")
        os.makedirs(directory, mode=0o700, exist_ok=True)
        path = os.path.join(directory, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self._contents + "\n")

    def __repr__(self) -> str:
        return "<htcondor.Token (contents hidden)>"  # never print secrets

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self._contents,))


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
        self._entered = False

    def __repr__(self) -> str:
        return f"<htcondor.SecMan config={sorted(self._config)} tag={self._tag!r}>"  # no secrets

    def _apply(self, active: bool) -> None:
        _core._set_thread_security(active, list(self._config.items()), self._tag, self._pool_password,
                                   self._token)

    def __enter__(self) -> "SecMan":
        self._entered = True
        self._apply(True)
        return self

    def __exit__(self, *exc: object) -> bool:
        self._entered = False
        _core._set_thread_security(False, [], None, None, None)
        return False

    def setConfig(self, key: str, value: str) -> None:
        self._config[str(key)] = str(value)
        if self._entered:
            self._apply(True)

    def setTag(self, tag: str) -> None:
        self._tag = str(tag)
        if self._entered:
            self._apply(True)

    def setPoolPassword(self, new_pass: str) -> None:
        self._pool_password = str(new_pass)
        if self._entered:
            self._apply(True)

    def setToken(self, token: "Token") -> None:
        self._token = token._contents if isinstance(token, Token) else str(token)
        if self._entered:
            self._apply(True)

    def invalidateAllSessions(self) -> None:
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
            _core._set_thread_security(False, [], None, None, None)

    def getCommandString(self, command_int: int) -> str:
        name = _core._command_string(int(command_int))
        if name is None:
            raise HTCondorValueError(f"Unknown command number {command_int}")
        return name  # type: ignore[no-any-return]
