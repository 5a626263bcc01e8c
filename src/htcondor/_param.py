"""``htcondor.param``: the live configuration of this process as a mutable mapping."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, Union

from . import _core

ParamValue = Union[str, int, float, bool]


class _Param(MutableMapping):  # type: ignore[type-arg]
    """The HTCondor configuration of this process.

    Values are typed by HTCondor's parameter table (``int``, ``bool``, ``float``, else ``str``);
    unknown names give their expanded text.  Assignments change this process's configuration
    only and are lost on :func:`htcondor.reload_config`.  Listings include defaults.

    Unlike v1, ``del param[name]`` works: the name reads as undefined in this process until it
    is set again or the configuration is reloaded.
    """

    def __init__(self) -> None:
        self._deleted: set[str] = set()

    def _forget_deletions(self) -> None:
        self._deleted.clear()

    def __getitem__(self, key: str) -> ParamValue:
        if not isinstance(key, str):
            raise TypeError(f"configuration parameter names are str, not {type(key).__name__}")
        if key.upper() in self._deleted:
            raise KeyError(key)
        return _core._param_get(key)  # type: ignore[no-any-return]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"configuration parameter names are str, not {type(key).__name__}")
        if not isinstance(value, str):
            raise TypeError(f"configuration values are str, not {type(value).__name__}")
        _core._param_set(key, value)
        self._deleted.discard(key.upper())

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        _core._param_set(key, "")
        self._deleted.add(key.upper())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or key.upper() in self._deleted:
            return False
        return bool(_core._param_contains(key))

    def __iter__(self) -> Iterator[str]:
        deleted = self._deleted
        return iter([k for k in _core._param_keys() if k.upper() not in deleted])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def get(self, key: str, default: Any = None) -> Any:
        """``param[key]``, or ``default`` if the configuration does not define ``key``."""
        try:
            return self[key]
        except KeyError:
            return default

    def setdefault(self, key: str, default: str = "") -> Any:  # type: ignore[override]
        """``param[key]``, after setting it to ``default`` if the configuration does not define ``key``."""
        try:
            return self[key]
        except KeyError:
            self[key] = default
            return default

    def __repr__(self) -> str:
        return f"<htcondor.param: {len(self)} parameters>"
