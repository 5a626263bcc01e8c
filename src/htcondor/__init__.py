"""HTCondor's version-1 Python API, as pybind11 bindings over libcondor_utils.

Import-time behaviour follows the v1 module: with no HTCondor configuration anywhere, a
``UserWarning`` is issued and an empty configuration (``CONDOR_CONFIG=/dev/null``) is used.
"""

from __future__ import annotations

import os as _os
import re as _re
import warnings as _warnings

from ._exceptions import (
    HTCondorEnumError,
    HTCondorException,
    HTCondorInternalError,
    HTCondorIOError,
    HTCondorLocateError,
    HTCondorReplyError,
    HTCondorTypeError,
    HTCondorValueError,
)


def _check_for_config() -> None:
    if "CONDOR_CONFIG" in _os.environ:
        return
    candidates = ["/etc/condor/condor_config", "/usr/local/etc/condor_config"]
    try:
        candidates.append(_os.path.expanduser("~condor/condor_config"))
    except Exception:  # pragma: no cover - no condor user
        pass
    if any(_os.path.exists(c) for c in candidates):
        return
    _warnings.warn(
        "Neither the environment variable CONDOR_CONFIG, /etc/condor/, /usr/local/etc/, "
        "nor ~condor/ contain a condor_config source. Therefore, we are using a null "
        "condor_config.",
        UserWarning,
        stacklevel=3,
    )
    _os.environ["CONDOR_CONFIG"] = "/dev/null"


_check_for_config()

import classad as _classad  # noqa: F401  (registers ClassAd/ExprTree before htcondor._core)

try:
    from . import _core
except ImportError as _err:  # pragma: no cover - broken installation
    raise ImportError(
        "htcondor-pybind's native module failed to load; the wheel ships libcondor_utils "
        f"and libclassad next to it, so this means a broken installation: {_err}"
    ) from _err

_core._init_config()

from ._admin import Negotiator, SecMan, Startd, Token, TokenRequest  # noqa: E402
from ._credd import CredCheck, Credd, CredStatus  # noqa: E402
from ._collector import Collector, RemoteParam, send_alive, send_command  # noqa: E402
from ._enums import (  # noqa: E402
    AdTypes,
    BlockingMode,
    CredTypes,
    DaemonCommands,
    DrainTypes,
    LogLevel,
    VacateTypes,
    SubsystemType,
    DaemonTypes,
    FileTransferEventType,
    JobAction,
    JobEventType,
    JobStatus,
    QueryOpts,
    TransactionFlags,
)
from ._schedd import (  # noqa: E402
    BulkQueryIterator,
    EditResult,
    HistoryIterator,
    QueryIterator,
    Schedd,
    Transaction,
    poll,
)
from ._submit import QueueItemsIterator, Submit, SubmitJobsIterator, SubmitResult  # noqa: E402
from ._event_log import JobEvent, JobEventLog  # noqa: E402
from ._param import _Param  # noqa: E402
from ._columns import ads_to_columns  # noqa: E402

param = _Param()
"""The configuration of this process (:class:`_Param`)."""

version = _core.version
platform = _core.platform
enable_debug = _core.enable_debug
enable_log = _core.enable_log
log = _core.log
set_subsystem = _core.set_subsystem


def reload_config() -> None:
    """Re-read the HTCondor configuration (files, ``_CONDOR_*`` variables, ``CONDOR_CONFIG``).

    Values set through :data:`param` are dropped.  Unlike v1, a missing or invalid configuration
    raises :class:`HTCondorIOError` instead of ending the interpreter.
    """
    _core.reload_config()
    param._forget_deletions()


_m = _re.search(r"\$CondorVersion:\s+(\S+)", version())
__version__ = _m.group(1) if _m else "unknown"
del _m

__all__ = [
    "ads_to_columns",
    "CredCheck",
    "CredStatus",
    "CredTypes",
    "Credd",
    "DrainTypes",
    "Negotiator",
    "SecMan",
    "Startd",
    "Token",
    "TokenRequest",
    "VacateTypes",
    "AdTypes",
    "Collector",
    "DaemonCommands",
    "LogLevel",
    "RemoteParam",
    "SubsystemType",
    "send_alive",
    "send_command",
    "set_subsystem",
    "BlockingMode",
    "BulkQueryIterator",
    "DaemonTypes",
    "EditResult",
    "HistoryIterator",
    "JobAction",
    "QueryIterator",
    "QueryOpts",
    "QueueItemsIterator",
    "Schedd",
    "Submit",
    "SubmitJobsIterator",
    "SubmitResult",
    "Transaction",
    "TransactionFlags",
    "poll",
    "FileTransferEventType",
    "JobEvent",
    "JobEventLog",
    "JobEventType",
    "JobStatus",
    "HTCondorEnumError",
    "HTCondorException",
    "HTCondorInternalError",
    "HTCondorIOError",
    "HTCondorLocateError",
    "HTCondorReplyError",
    "HTCondorTypeError",
    "HTCondorValueError",
    "enable_debug",
    "enable_log",
    "log",
    "param",
    "platform",
    "reload_config",
    "version",
]
