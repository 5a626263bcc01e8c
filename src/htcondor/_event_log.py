"""``JobEventLog`` and ``JobEvent``: following a job event log (text, XML or JSON format)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any, Optional

from . import _core
from ._enums import JobEventType
from ._exceptions import HTCondorTypeError

# Members by number, so event.type costs a list index, not an enum lookup.
_TYPES = {int(m): m for m in JobEventType}


class JobEvent(Mapping):  # type: ignore[type-arg]
    """One event of a job event log: a read-only mapping of the event's attributes.

    ``type``, ``cluster``, ``proc`` and ``timestamp`` (seconds since the epoch) are attributes;
    everything else (``event["ReturnValue"]``) is a key.  ``str(event)`` is the event's text as
    in the log (without the ``...`` line).
    """

    __slots__ = ("_event", "_ad")

    def __init__(self, event: Any) -> None:
        self._event = event
        self._ad: Any = None

    @property
    def type(self) -> JobEventType:
        n = self._event.type
        member = _TYPES.get(n)
        return member if member is not None else JobEventType(n)

    @property
    def cluster(self) -> int:
        return self._event.cluster  # type: ignore[no-any-return]

    @property
    def proc(self) -> int:
        return self._event.proc  # type: ignore[no-any-return]

    @property
    def timestamp(self) -> int:
        return self._event.timestamp  # type: ignore[no-any-return]

    def _classad(self) -> Any:
        if self._ad is None:
            self._ad = self._event.ad()
        return self._ad

    def __getitem__(self, key: str) -> Any:
        return self._classad()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classad())

    def __len__(self) -> int:
        return len(self._classad())

    def __contains__(self, key: object) -> bool:
        return key in self._classad()

    def get(self, key: str, default: Any = None) -> Any:
        return self._classad().get(key, default)

    def keys(self) -> list[str]:  # type: ignore[override]
        return list(self._classad().keys())

    def values(self) -> list[Any]:  # type: ignore[override]
        return list(self._classad().values())

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return list(self._classad().items())

    # v1's Python-2 era spellings.
    def has_key(self, key: str) -> bool:
        return key in self

    def iterkeys(self) -> Iterator[str]:
        return iter(self.keys())

    def itervalues(self) -> Iterator[Any]:
        return iter(self.values())

    def iteritems(self) -> Iterator[tuple[str, Any]]:
        return iter(self.items())

    def __str__(self) -> str:
        return self._event.text()  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (f"JobEvent(type={self._event.type}, cluster={self.cluster}, proc={self.proc}, "
                f"timestamp={self.timestamp})")


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
        if self._deadline == 0:
            timeout = -1
        else:
            timeout = max(0, int((self._deadline - time.time()) * 1000))
        event = self._reader.read(timeout)
        if event is None:
            raise StopIteration
        return JobEvent(event)

    def close(self) -> None:
        """Release the file and its watch; iteration then stops."""
        self._reader.close()

    def __enter__(self) -> "JobEventLog":
        self._deadline = 0
        return self

    def __exit__(self, *exc: object) -> bool:
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
