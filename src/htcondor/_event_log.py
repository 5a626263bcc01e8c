"""``JobEventLog`` and ``JobEvent``: following a job event log (text, XML or JSON format)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal, Optional

from . import _core
from ._exceptions import HTCondorTypeError

JobEvent = _core.JobEvent
JobEvent.__module__ = "htcondor"
JobEvent.__doc__ = """One event of a job event log: a read-only mapping of the event's attributes.

``type`` (a :class:`JobEventType`), ``cluster``, ``proc`` and ``timestamp`` (seconds since the
epoch) are attributes; everything else (``event["ReturnValue"]``) is a key.  ``str(event)`` is
the event's text as in the log (without the ``...`` line)."""
Mapping.register(JobEvent)


class JobEventLog:
    """Reads the job event log ``filename`` (created by a job's ``log =`` command).

    Iterating blocks until the next event arrives unless a deadline was set with
    :meth:`events`.  Waiting releases the GIL and wakes as soon as the file grows (inotify).
    Picklable: an unpickled copy resumes at the same offset.
    """

    def __init__(self, filename: str) -> None:
        if not isinstance(filename, str):
            filename = str(filename)
        self._filename = filename
        self._reader = _core._EventReader(filename)
        self._deadline: float = 0  # 0: block forever (v1's encoding)

    def events(self, stop_after: Optional[int] = None) -> "JobEventLog":
        """Iterate over events, waiting ``stop_after`` seconds for each new one.

        ``None`` (the default; v1 required the argument) waits forever; ``0`` returns only what
        is in the log now.  The deadline is fixed when this is called, as in v1.
        """
        if stop_after is None:
            self._deadline = 0
        elif isinstance(stop_after, int) and not isinstance(stop_after, bool):
            # v1 rounds the deadline down to a whole second (so stop_after=1 could return at
            # once); here it is exactly stop_after seconds from now.
            self._deadline = time.time() + stop_after
        else:
            raise HTCondorTypeError("deadline must be an integer")
        return self

    def __iter__(self) -> "JobEventLog":
        return self

    def __next__(self) -> JobEvent:
        return self._reader.next(self._deadline)  # type: ignore[no-any-return]

    def columns(self, projection: Optional[list[str]] = None) -> dict[str, Any]:
        """Every event already in the log from the current position, as columns of the events'
        attributes ``{attribute: numpy array}`` (no waiting; the position moves past them).
        See :mod:`htcondor._columns` for the types and missing values."""
        from ._columns import projection_list, require_numpy

        require_numpy()
        return self._reader.columns(projection_list(projection))  # type: ignore[no-any-return]

    def close(self) -> None:
        """Release the file and its watch; iteration then stops."""
        self._reader.close()

    def __enter__(self) -> "JobEventLog":
        self._deadline = 0
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def __getstate__(self) -> dict[str, Any]:
        return {"filename": self._filename, "deadline": self._deadline, "offset": self._reader.offset}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._filename = state["filename"]
        self._reader = _core._EventReader(self._filename)
        self._reader.offset = state["offset"]
        self._deadline = state["deadline"]

    def __repr__(self) -> str:
        return (f"JobEventLog(filename={self._filename}, deadline={self._deadline}, "
                f"offset={self._reader.offset})")
