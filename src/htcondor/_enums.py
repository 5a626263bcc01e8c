"""Enumerations with v1's behaviour, built from tables the native module takes from HTCondor's
C++ headers (so the values cannot drift from the library we link).

v1's Boost.Python enums are ints (``isinstance(x, int)``, ``x == 3``, usable as dict keys),
``str(member)`` is the bare name, and each class has ``.names`` (name -> member) and
``.values`` (int -> member).  Values without a name (``JobEventType(46)``) become unnamed
members instead of raising, as in v1.
"""

from __future__ import annotations

import enum
from typing import Any

from . import _core


class _V1EnumMeta(enum.EnumMeta):
    @property
    def names(cls) -> dict[str, Any]:
        return dict(cls.__members__)

    @property
    def values(cls) -> dict[int, Any]:
        return {int(m): m for m in cls.__members__.values()}


class V1IntEnum(enum.IntEnum, metaclass=_V1EnumMeta):
    """Base of every htcondor enumeration."""

    def __str__(self) -> str:
        return self._name_ if self._name_ is not None else str(int(self))

    def __repr__(self) -> str:
        if self._name_ is None:
            return f"htcondor.{type(self).__name__}({int(self)})"
        return f"htcondor.{type(self).__name__}.{self._name_}"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = None  # type: ignore[assignment]
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)


def _make(name: str, members: list[tuple[str, int]] | None = None) -> Any:
    table = members if members is not None else _core._enum_tables[name]
    cls = V1IntEnum(name, table, module="htcondor")  # type: ignore[call-overload]
    cls.__module__ = "htcondor"
    return cls


JobEventType = _make("JobEventType")
FileTransferEventType = _make("FileTransferEventType")



class JobStatus(enum.IntEnum):
    """A job's ``JobStatus`` attribute (a plain ``IntEnum``, as in v1)."""

    IDLE = 1
    RUNNING = 2
    REMOVED = 3
    COMPLETED = 4
    HELD = 5
    TRANSFERRING_OUTPUT = 6
    SUSPENDED = 7


JobStatus.__module__ = "htcondor"

DaemonTypes = _make("DaemonTypes")
JobAction = _make("JobAction")
TransactionFlags = _make("TransactionFlags")
QueryOpts = _make("QueryOpts")
BlockingMode = _make("BlockingMode", [("NonBlocking", 0), ("Blocking", 1)])
AdTypes = _make("AdTypes")
DaemonCommands = _make("DaemonCommands")
SubsystemType = _make("SubsystemType")
LogLevel = _make("LogLevel")
DrainTypes = _make("DrainTypes")
VacateTypes = _make("VacateTypes")
CredTypes = _make("CredTypes")
