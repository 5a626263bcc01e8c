"""``Collector``, ``RemoteParam`` and ``send_command``: the pool's directory and daemon admin."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any, Optional, Union

import classad

from . import _core
from ._columns import projection_list, require_numpy
from ._enums import AdTypes, DaemonCommands, DaemonTypes
from ._exceptions import HTCondorEnumError, HTCondorLocateError, HTCondorValueError
from ._schedd import constraint_text

# The ad type each daemon type advertises (v1's table).
_AD_OF_DAEMON = {
    DaemonTypes.Master: AdTypes.Master, DaemonTypes.Schedd: AdTypes.Schedd,
    DaemonTypes.Startd: AdTypes.Startd, DaemonTypes.Collector: AdTypes.Collector,
    DaemonTypes.Negotiator: AdTypes.Negotiator, DaemonTypes.Credd: AdTypes.Credd,
    DaemonTypes.HAD: AdTypes.HAD, DaemonTypes.Generic: AdTypes.Generic,
}
_LOCATE_ATTRS = ["MyAddress", "AddressV1", "CondorVersion", "CondorPlatform", "Name", "Machine"]


def _ad_type_for(daemon_type: Any) -> AdTypes:
    try:
        return _AD_OF_DAEMON[DaemonTypes(int(daemon_type))]
    except (KeyError, ValueError) as err:
        raise HTCondorEnumError("Unknown daemon type.") from err


class Collector:
    """A client of a pool's collector(s): ``Collector()`` uses ``COLLECTOR_HOST``; a
    ``"host:port"``, a comma list, a list of those, or a location ad name others."""

    def __init__(self, pool: Any = None) -> None:
        if pool is None or pool == "":
            self._pool = ""
        elif isinstance(pool, str):
            self._pool = pool
        elif isinstance(pool, classad.ClassAd):
            if "MyAddress" not in pool:
                raise HTCondorValueError("address not specified.")
            self._pool = pool["MyAddress"]
        elif isinstance(pool, tuple) and len(pool) >= 2:
            self._pool = str(pool[1])
        elif isinstance(pool, Iterable):
            self._pool = ",".join(str(p) for p in pool)
        else:
            raise HTCondorValueError("Unknown type")

    location = None  # v1 always returned None
    """Always ``None``, as in v1."""

    def __repr__(self) -> str:
        return f"<htcondor.Collector {self._pool or '(COLLECTOR_HOST)'}>"

    def query(self, ad_type: AdTypes = AdTypes.Any, constraint: Any = "", projection: Optional[list[str]] = None,
              statistics: str = "") -> list[classad.ClassAd]:
        """Ads of ``ad_type`` matching ``constraint``, with only ``projection``'s attributes."""
        try:
            ad_type = AdTypes(int(ad_type))
        except ValueError as err:
            raise HTCondorEnumError(f"Unknown ad type {ad_type!r}") from err
        return _core._collector_query(self._pool, int(ad_type), constraint_text(constraint),  # type: ignore[no-any-return]
                                      list(projection or []), statistics, "")

    def query_columns(self, ad_type: AdTypes = AdTypes.Any, constraint: Any = "",
                      projection: Optional[list[str]] = None, statistics: str = "") -> dict[str, Any]:
        """Like :meth:`query`, as columns ``{attribute: numpy array}`` (see
        :mod:`htcondor._columns`)."""
        require_numpy()
        try:
            ad_type = AdTypes(int(ad_type))
        except ValueError as err:
            raise HTCondorEnumError(f"Unknown ad type {ad_type!r}") from err
        return _core._collector_query_columns(self._pool, int(ad_type), constraint_text(constraint),  # type: ignore[no-any-return]
                                              projection_list(projection), statistics)

    def locateAll(self, daemon_type: DaemonTypes) -> list[classad.ClassAd]:
        """Location ads of every daemon of a type."""
        return self.query(_ad_type_for(daemon_type), "", _LOCATE_ATTRS)

    def locate(self, daemon_type: DaemonTypes, name: Optional[str] = None) -> classad.ClassAd:
        """The location ad of one daemon (by ``name``, else the local/only one)."""
        ad_type = _ad_type_for(daemon_type)
        if name:
            quoted = classad.quote(name)
            ads = _core._collector_query(self._pool, int(ad_type), f"stricmp(Name, {quoted}) == 0",
                                         _LOCATE_ATTRS, "", name)
            if not ads:
                raise HTCondorLocateError(f"Unable to find daemon {name!r} of type {DaemonTypes(int(daemon_type))!s}.")
            return ads[0]  # type: ignore[no-any-return]
        if not self._pool:
            loc = _core._locate(int(daemon_type))
            ad = classad.ClassAd({"MyAddress": loc["address"], "Name": loc["name"] or "Unknown",
                                  "MyType": _core._ad_type_name(int(ad_type)), "CondorVersion": loc["version"]})
            ad["Machine"] = loc["address"].split(":")[0].lstrip("<")
            return ad
        ads = self.query(ad_type, "", _LOCATE_ATTRS)
        if not ads:
            raise HTCondorLocateError("Unable to locate the daemon.")
        return ads[0]

    def directQuery(self, daemon_type: DaemonTypes, name: str = "", projection: Optional[list[str]] = None,
                    statistics: str = "") -> classad.ClassAd:
        """Ask the daemon itself (not the collector) for its ad."""
        loc = self.locate(daemon_type, name or None)
        ads = Collector(loc["MyAddress"]).query(_ad_type_for(daemon_type), "", projection, statistics)
        return ads[0]

    def advertise(self, ad_list: list[classad.ClassAd], command: str = "UPDATE_AD_GENERIC",
                  use_tcp: bool = True) -> None:
        """Send ads to every collector with an update command (``UPDATE_STARTD_AD``, ...)."""
        if not ad_list:
            return
        try:
            _core._advertise(self._pool, [classad.ClassAd(a) for a in ad_list], str(command), bool(use_tcp))
        except RuntimeError as err:
            if "not implemented" in str(err):
                raise NotImplementedError(str(err)) from err
            raise


def _address_of(ad: Any) -> str:
    if isinstance(ad, classad.ClassAd):
        if "MyAddress" not in ad:
            raise HTCondorValueError("Address not available in location ClassAd.")
        return str(ad["MyAddress"])
    if isinstance(ad, str):
        return ad
    raise HTCondorValueError("Expected a location ClassAd")


def send_command(ad: classad.ClassAd, dc: DaemonCommands, target: str = "") -> None:
    """Send an administrative command (``DaemonCommands``) to the daemon of a location ad."""
    try:
        dc = DaemonCommands(int(dc))
    except ValueError as err:
        raise HTCondorEnumError(f"Unknown daemon command {dc!r}") from err
    daemon_type = int(DaemonTypes.Any)
    _core._send_command(_address_of(ad), daemon_type, int(dc), str(target))


def send_alive(ad: Optional[classad.ClassAd] = None, pid: Optional[int] = None,
               timeout: Optional[int] = None) -> None:
    """Tell the parent condor_master this process is alive (for jobs/daemons it started).

    ``ad`` defaults to the parent from ``CONDOR_INHERIT``, ``pid`` to this process, ``timeout``
    to ``NOT_RESPONDING_TIMEOUT`` (at least 1 s).
    """
    import os

    from . import param

    if ad is None:
        inherit = os.environ.get("CONDOR_INHERIT", "").split()
        if len(inherit) < 2 or not inherit[1].startswith("<"):
            raise HTCondorValueError("No location specified and $CONDOR_INHERIT not set or malformed")
        address = inherit[1]
    else:
        address = _address_of(ad)
    if pid is None:
        pid = os.getpid()
    if timeout is None:
        timeout = int(param.get("NOT_RESPONDING_TIMEOUT", 3600))
    _core._send_alive(address, int(pid), max(int(timeout), 1))


class RemoteParam(MutableMapping):  # type: ignore[type-arg]
    """The configuration of a running daemon (given by its location ad), as a mapping of str.

    Names are fetched once, values on first use (``refresh()`` forgets both).  Setting a value
    uses runtime configuration (the daemon must allow it: ``ENABLE_RUNTIME_CONFIG``) and takes
    effect after a reconfig; ``del`` unsets it the same way.
    """

    def __init__(self, ad: classad.ClassAd) -> None:
        self._address = _address_of(ad)
        self._names: Optional[list[str]] = None
        self._cache: dict[str, Optional[str]] = {}

    def refresh(self) -> None:
        """Forget the names and values fetched so far; they are fetched again when next used."""
        self._names = None
        self._cache.clear()

    def _lookup(self, key: str) -> Optional[str]:
        k = key.upper()
        if k not in self._cache:
            self._cache[k] = _core._remote_param(self._address, key)
        return self._cache[k]

    def __getitem__(self, key: str) -> str:
        value = self._lookup(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __setitem__(self, key: str, value: str) -> None:
        _core._remote_set_param(self._address, key, str(value))
        self._cache.pop(key.upper(), None)

    def __delitem__(self, key: str) -> None:
        _core._remote_set_param(self._address, key, "")
        self._cache.pop(key.upper(), None)

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = list(_core._remote_param_names(self._address))
        return self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def get(self, key: str, default: Any = None) -> Any:
        """The daemon's value of ``key``, or ``default`` if it has none."""
        value = self._lookup(key)
        return default if value is None else value
