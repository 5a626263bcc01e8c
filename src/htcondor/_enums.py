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
"""The type of a job event (:attr:`JobEvent.type`): HTCondor's event numbers."""
FileTransferEventType = _make("FileTransferEventType")
"""The stage of a file transfer that a ``FILE_TRANSFER`` event reports: input or output, queued,
started or finished.
"""



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
"""Kinds of daemon, for locating one (:meth:`Collector.locate`, :meth:`Collector.locateAll`)."""
JobAction = _make("JobAction")
"""What :meth:`Schedd.act` does to the jobs."""
TransactionFlags = _make("TransactionFlags")
"""Flags of job-queue changes (:meth:`Schedd.transaction`, :meth:`Schedd.edit`): ``NonDurable``
lets the schedd skip forcing the change to disk, ``SetDirty`` marks the changed attributes as
dirty (so they are sent on to the job's shadow), ``ShouldLog`` records them in the job's event
log.
"""
QueryOpts = _make("QueryOpts")
"""Options of :meth:`Schedd.query` and :meth:`Schedd.xquery`: ``SummaryOnly`` returns only the
summary ad, ``AutoCluster``/``GroupBy`` autocluster ads, ``DefaultMyJobsOnly`` the querying
user's jobs, ``IncludeClusterAd``, ``ClusterAds``, ``IncludeJobsetAds`` and ``JobsetAds`` cluster
and job-set ads.
"""
BlockingMode = _make("BlockingMode", [("NonBlocking", 0), ("Blocking", 1)])
"""Whether :meth:`QueryIterator.next` waits for the next ad (``Blocking``) or returns ``None`` when
none has arrived yet (``NonBlocking``).
"""
AdTypes = _make("AdTypes")
"""Kinds of ad a collector holds, for :meth:`Collector.query`."""
DaemonCommands = _make("DaemonCommands")
"""Administrative commands for :func:`send_command`, the ones ``condor_on``, ``condor_off``,
``condor_restart`` and ``condor_reconfig`` send (``RestartPeacful`` keeps v1's spelling).
"""
SubsystemType = _make("SubsystemType")
"""Kinds of subsystem, for :func:`set_subsystem`."""
LogLevel = _make("LogLevel")
"""Debug levels for :func:`log` (HTCondor's debug categories), and the formatting flags
``Timestamp``, ``PID``, ``SubSecond`` and ``NoHeader`` to or with one.
"""
DrainTypes = _make("DrainTypes")
"""How :meth:`Startd.drainJobs` treats running jobs: ``Graceful`` lets them run out their
retirement time, ``Quick`` evicts them at once (with a graceful shutdown), ``Fast`` kills them.
"""
VacateTypes = _make("VacateTypes")
"""How jobs are vacated: ``Graceful`` (soft kill, time to shut down cleanly) or ``Fast`` (hard kill)."""
CredTypes = _make("CredTypes")
"""Kinds of credential a credd stores (:class:`Credd`)."""
