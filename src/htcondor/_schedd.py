"""``Schedd``: submitting, querying and managing jobs; transactions; query iterators."""

from __future__ import annotations

import collections
import select
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Callable, Literal, Optional, Union

import classad

from . import _core
from ._columns import projection_list, require_numpy
from ._enums import BlockingMode, DaemonTypes, JobAction, QueryOpts, TransactionFlags
from ._exceptions import (
    HTCondorInternalError,
    HTCondorIOError,
    HTCondorValueError,
)
from ._submit import Submit, SubmitResult, rows_from_itemdata

DaemonLocation = collections.namedtuple("DaemonLocation", ["daemon_type", "address", "version"])


def constraint_text(constraint: Any, error: type[Exception] = HTCondorValueError) -> str:
    """A constraint argument as ClassAd text ("" for none), by v1's rules."""
    if constraint is None or constraint is True:
        return ""
    if isinstance(constraint, classad.ExprTree):
        return repr(constraint)
    if isinstance(constraint, (bool, int, float)):
        return repr(classad.Literal(constraint))
    if isinstance(constraint, str):
        if constraint.strip() in ("", "true", "TRUE", "True"):
            return ""
        try:
            expr = classad.ExprTree(constraint)
        except classad.ClassAdParseError as err:
            raise error(f"Invalid constraint: {constraint}") from err
        text = repr(expr)
        try:  # libclassad's unparse does not always re-parse ("1 .A" unparses as "1.A")
            classad.ExprTree(text)
        except classad.ClassAdParseError:
            return constraint
        return text
    raise error(f"Invalid constraint of type {type(constraint).__name__}.")


def parse_job_spec(spec: Any) -> tuple[str, list[str]]:
    """A job_spec: a list of "c.p" ids, a single id string, or a constraint."""
    if isinstance(spec, list):
        ids = [str(s) for s in spec]
        for i in ids:
            parts = i.split(".")
            if not (1 <= len(parts) <= 2 and all(p.isdigit() for p in parts)):
                raise HTCondorValueError(f"Invalid ID: {i}")
        return "", ids
    if isinstance(spec, str):
        parts = spec.strip().split(".")
        if 1 <= len(parts) <= 2 and all(p.isdigit() for p in parts):
            if len(parts) == 1:
                return f"ClusterId == {parts[0]}", []
            return "", [spec.strip()]
    text = constraint_text(spec)
    return text or "true", []


_projection = projection_list


class Transaction:
    """An open job-queue transaction (deprecated API).  Commits on a clean exit from ``with``,
    aborts when the block raises."""

    def __init__(self, schedd: "Schedd", flags: int = 0) -> None:
        warnings.warn("Transaction was deprecated in version 10.7.0 and will be removed in a future "
                      "release.  Use Schedd.submit() instead.", FutureWarning, stacklevel=3)
        self._schedd = schedd
        self._flags = int(flags)
        self._conn: Any = _core._QueueConnection(schedd._address)

    def _submit(self, desc: Submit, count: int, names: list[str], rows: list[list[str]], keep: bool,
                spool: bool = False) -> Any:
        if self._conn is None or not self._conn.active:
            raise HTCondorValueError("Job queue attempt without active transaction")
        result = self._conn.submit(desc._h, count, 0, 1, names, rows, keep, self._schedd._version, spool)
        for message in result[4]:
            warnings.warn(message, UserWarning, stacklevel=3)
        return result

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Literal[False]:
        conn, self._conn = self._conn, None
        self._schedd._txn = None
        if conn is None:
            return False
        if exc_type is None:
            conn.commit(self._flags)
            self._schedd.reschedule()
        else:
            conn.abort()
        return False

    def __del__(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None and conn.active:
            conn.abort()  # never entered or exited: nothing is committed behind the user's back


class QueryIterator:
    """Ads of an :meth:`Schedd.xquery`, as the schedd sends them."""

    def __init__(self, stream: Any, tag: str, projection: Optional[list[str]] = None) -> None:
        self._stream = stream
        self._tag = tag
        self._projection = list(projection or [])

    def __iter__(self) -> "QueryIterator":
        return self

    def __next__(self, mode: BlockingMode = BlockingMode.Blocking) -> Optional[classad.ClassAd]:
        ad = self._stream.next(int(mode) == int(BlockingMode.Blocking))
        if ad is None:
            if self._stream.done:
                raise StopIteration
            return None
        return ad  # type: ignore[no-any-return]

    def next(self, mode: BlockingMode = BlockingMode.Blocking) -> Optional[classad.ClassAd]:
        """The next ad.  With ``BlockingMode.Blocking`` this waits for it; with ``NonBlocking`` it returns
        ``None`` if none has arrived yet.  ``StopIteration`` after the last ad.
        """
        return self.__next__(mode)

    def nextAdsNonBlocking(self) -> list[classad.ClassAd]:
        """Every ad that has already arrived (possibly none); never raises StopIteration."""
        ads = []
        while not self._stream.done:
            ad = self._stream.next(False)
            if ad is None:
                break
            ads.append(ad)
        return ads

    def columns(self) -> dict[str, Any]:
        """Every remaining ad, as columns ``{attribute: numpy array}`` (waits for the end of
        the query; see :mod:`htcondor._columns`)."""
        require_numpy()
        return self._stream.columns(self._projection)  # type: ignore[no-any-return]

    def tag(self) -> str:
        """The query's tag: the ``name`` given to :meth:`Schedd.xquery`, else the schedd's name or address."""
        return self._tag

    def done(self) -> bool:
        """Whether every ad of the query has been received."""
        return bool(self._stream.done)

    def watch(self) -> int:
        """The file descriptor to select() on for more ads (-1 when done)."""
        return int(self._stream.fd)


class HistoryIterator:
    """Ads of a history query, newest first."""

    def __init__(self, stream: Any, projection: Optional[list[str]] = None) -> None:
        self._stream = stream
        self._projection = list(projection or [])

    def __iter__(self) -> "HistoryIterator":
        return self

    def columns(self) -> dict[str, Any]:
        """Every remaining ad, as columns ``{attribute: numpy array}`` (see
        :mod:`htcondor._columns`)."""
        require_numpy()
        return self._stream.columns(self._projection)  # type: ignore[no-any-return]

    def __next__(self) -> classad.ClassAd:
        ad = self._stream.next(True)
        if ad is None:
            raise StopIteration
        return ad  # type: ignore[no-any-return]


class BulkQueryIterator:
    """Yields whichever of several :class:`QueryIterator` has ads ready (see :func:`poll`)."""

    def __init__(self, queries: Iterable[QueryIterator], timeout_ms: int) -> None:
        self._queries = list(queries)
        self._timeout = timeout_ms / 1000.0

    def __iter__(self) -> "BulkQueryIterator":
        return self

    def __next__(self) -> QueryIterator:
        self._queries = [q for q in self._queries if not q.done()]
        if not self._queries:
            raise StopIteration
        by_fd = {q.watch(): q for q in self._queries}
        ready, _, _ = select.select(list(by_fd), [], [], self._timeout)
        if not ready:
            raise HTCondorIOError("Timeout when waiting for ClassAds from the schedds")
        return by_fd[ready[0]]


def poll(queries: Iterable[QueryIterator], timeout_ms: int = 20000) -> BulkQueryIterator:
    """Wait on several :meth:`Schedd.xquery` iterators at once."""
    return BulkQueryIterator(queries, timeout_ms)


class Schedd:
    """A client of one condor_schedd: the local one, or one given by a location ad."""

    def __init__(self, location_ad: Any = None) -> None:
        if location_ad is None:
            loc = _core._locate(int(DaemonTypes.Schedd))
            self._address, self._name, self._version = loc["address"], loc["name"], loc["version"]
        elif isinstance(location_ad, classad.ClassAd):
            if "MyAddress" not in location_ad:
                raise HTCondorValueError("address not specified.")
            self._address = location_ad["MyAddress"]
            self._name = location_ad.get("Name", "")
            self._version = location_ad.get("CondorVersion", "")
        elif isinstance(location_ad, tuple) and len(location_ad) >= 2:
            self._address = str(location_ad[1])
            self._version = str(location_ad[2]) if len(location_ad) > 2 else ""
            self._name = str(location_ad[3]) if len(location_ad) > 3 else ""
        else:
            raise HTCondorValueError("Unknown type")
        self._txn: Optional[Transaction] = None

    @property
    def location(self) -> DaemonLocation:
        """The schedd's location: a named tuple ``(daemon_type, address, version)``."""
        return DaemonLocation(DaemonTypes.Schedd, self._address, self._version)

    def __repr__(self) -> str:
        return f"<htcondor.Schedd {self._name or '?'} at {self._address}>"

    # -- queries ----------------------------------------------------------------------------
    def query(self, constraint: Any = "true", projection: Optional[list[str]] = None,
              callback: Optional[Callable[[classad.ClassAd], Any]] = None, limit: int = -1,
              opts: QueryOpts = QueryOpts.Default) -> list[Any]:
        """Job ads matching ``constraint``, with only ``projection``'s attributes (all if empty).

        ``callback`` is applied to each ad and its non-None results are returned instead of the
        ads (as v1 documents; v1 actually returned the ads).
        """
        ads = _core._query(self._address, constraint_text(constraint), _projection(projection),
                           int(limit), int(opts))
        if callback is None:
            return ads  # type: ignore[no-any-return]
        results = []
        for ad in ads:
            r = callback(ad)
            if r is not None:
                results.append(r)
        return results

    def query_columns(self, constraint: Any = "true", projection: Optional[list[str]] = None,
                      limit: int = -1, opts: QueryOpts = QueryOpts.Default) -> dict[str, Any]:
        """Like :meth:`query`, as columns: ``{attribute: numpy array}`` (see
        :mod:`htcondor._columns` for the types and how missing values show)."""
        require_numpy()
        proj = _projection(projection)
        return _core._query_columns(self._address, constraint_text(constraint), proj,  # type: ignore[no-any-return]
                                    int(limit), int(opts))

    def xquery(self, constraint: Any = "true", projection: Optional[list[str]] = None, limit: int = -1,
               opts: QueryOpts = QueryOpts.Default, name: Optional[str] = None) -> QueryIterator:
        """Like :meth:`query`, but returns ads as they arrive (a :class:`QueryIterator`)."""
        request = classad.ClassAd()
        request["SendServerTime"] = False
        text = constraint_text(constraint, classad.ClassAdParseError)
        request["Requirements"] = classad.ExprTree(text or "true")
        request["LimitResults"] = int(limit)
        if int(opts):
            request["QueryDefaultAutocluster"] = int(opts)
        request["Projection"] = _projection(projection)
        # Each read waits Q_QUERY_TIMEOUT at most, as query() does (v1: always 20 s).
        from . import param

        stream = _core._AdStream(self._address, _core.QUERY_JOB_ADS, request,
                                 int(param.get("Q_QUERY_TIMEOUT", 20)))
        return QueryIterator(stream, name if name is not None else (self._name or self._address),
                             _projection(projection))

    def history(self, constraint: Any, projection: Optional[list[str]], match: int = -1,
                since: Any = None) -> HistoryIterator:
        """Ads of jobs that left the queue, newest first."""
        return self._history(constraint, projection, match, since, None)

    def jobEpochHistory(self, constraint: Any, projection: Optional[list[str]], match: int = -1,
                        since: Any = None, ad_type: Optional[str] = None) -> HistoryIterator:
        """Like :meth:`history`, over the job epoch (per-run) records."""
        return self._history(constraint, projection, match, since, ad_type or "", "JOB_EPOCH")

    def _history(self, constraint: Any, projection: Optional[list[str]], match: int, since: Any,
                 ad_type: Optional[str], source: str = "") -> HistoryIterator:
        request = classad.ClassAd()
        text = constraint_text(constraint, classad.ClassAdParseError)
        if text:
            request["Requirements"] = classad.ExprTree(text)
        request["NumJobMatches"] = int(match)
        if since is not None:
            request["Since"] = _since_expr(since)
        request["Projection"] = _projection(projection)
        if source:
            request["HistoryRecordSource"] = source
        if ad_type:
            request["HistoryAdTypeFilter"] = ad_type
        stream = _core._AdStream(self._address, _core.QUERY_SCHEDD_HISTORY, request)
        return HistoryIterator(stream, _projection(projection))

    # -- acting on jobs ---------------------------------------------------------------------
    def act(self, action: JobAction, job_spec: Any, reason: Union[str, tuple[str, Any], None] = None
            ) -> classad.ClassAd:
        """Hold, release, remove, vacate, suspend or continue jobs; returns the totals ad."""
        try:
            action = JobAction(int(action))
        except ValueError as err:
            raise HTCondorValueError(f"Unknown job action {action!r}") from err
        constraint, ids = parse_job_spec(job_spec)
        code = ""
        if isinstance(reason, tuple):
            reason, code = reason[0], str(reason[1])
        if reason is None:
            reason = "Python-initiated action"
        return _core._act(self._address, int(action), constraint, ids, str(reason), code)  # type: ignore[no-any-return]

    def edit(self, job_spec: Any, attr: Any, value: Any = None, flags: int = 0) -> "EditResult":
        """Set attribute ``attr`` to the expression ``value`` (text or ExprTree) on jobs;
        or, with a ClassAd/dict as the second argument, set each of its attributes."""
        if isinstance(attr, (classad.ClassAd, dict)):
            ad = attr if isinstance(attr, classad.ClassAd) else classad.ClassAd(attr)
            updates = [(k, ad.lookup(k)) for k in ad]
            flags = int(value) if value is not None else int(flags)
        else:
            updates = [(str(attr), value)]
        constraint, ids = parse_job_spec(job_spec)
        own_txn = self._txn is None
        conn = self._txn._conn if self._txn is not None else _core._QueueConnection(self._address)
        flags = int(flags) | 2  # SetAttribute_NoAck, as v1
        try:
            for name, v in updates:
                text = repr(v) if isinstance(v, classad.ExprTree) else (
                    repr(classad.Literal(v)) if not isinstance(v, str) else v)
                if ids:
                    for i in ids:
                        c, _, p = i.partition(".")
                        conn.set_attribute("", name, text, flags, True, int(c), int(p or 0))
                else:
                    conn.set_attribute(constraint, name, text, flags | 16, False, 0, 0)
            if own_txn:
                conn.commit(0)
        except BaseException:
            if own_txn:
                conn.abort()
            raise
        return EditResult(len(ids) if ids else -1)

    def reschedule(self) -> None:
        """Ask the schedd to match idle jobs now (failures are only logged, as in v1)."""
        _core._reschedule(self._address)

    # -- submitting -------------------------------------------------------------------------
    def submit(self, description: Any, count: int = 1, spool: bool = False,
               ad_results: Optional[list] = None, itemdata: Any = None) -> SubmitResult:  # type: ignore[type-arg]
        """Submit ``count`` jobs per item of ``itemdata`` into one new cluster.

        As in v1 the description's own ``queue`` statement is ignored.  Unlike v1, ``itemdata``
        may be any iterable (v1 silently ignored lists).
        """
        if isinstance(description, classad.ClassAd):
            if itemdata is not None:
                raise HTCondorValueError("itemdata cannot be used with a raw ClassAd")
            warnings.warn("Submitting a raw ClassAd is deprecated; use a Submit object.", FutureWarning,
                          stacklevel=2)
            return self.submitMany(description, [(classad.ClassAd(), count or 1)], spool, ad_results)  # type: ignore[return-value]
        if not isinstance(description, Submit):
            raise HTCondorValueError("Not a Submit object")
        names, rows = rows_from_itemdata(itemdata) if itemdata is not None else ([], [])
        conn = _core._QueueConnection(self._address)
        try:
            cluster, n, cluster_ad, ads, warns = conn.submit(
                description._h, int(count) if count else 1, 0, 1, names, rows, ad_results is not None,
                self._version, bool(spool))
            conn.commit(0)
        except BaseException:
            conn.abort()
            raise
        for message in warns:
            warnings.warn(message, UserWarning, stacklevel=2)
        if ad_results is not None:
            ad_results.extend(ads)
        from . import param

        if param.get("SUBMIT_SEND_RESCHEDULE", True):
            self.reschedule()
        return SubmitResult(cluster, cluster_ad, 0, n)

    def submitMany(self, cluster_ad: classad.ClassAd, proc_ads: Iterable[tuple[classad.ClassAd, int]],
                   spool: bool = False, ad_results: Optional[list] = None) -> int:  # type: ignore[type-arg]
        """Submit raw job ads: a cluster ad (over HTCondor's default vanilla job ad) and
        ``(proc_ad, count)`` pairs.  Returns the cluster id."""
        procs = [(classad.ClassAd(ad) if not isinstance(ad, classad.ClassAd) else ad, int(n)) for ad, n in proc_ads]
        cluster, ads = _core._submit_many(self._address, classad.ClassAd(cluster_ad), procs, bool(spool),
                                          ad_results is not None)
        if ad_results is not None:
            ad_results.extend(ads)
        from . import param

        if param.get("SUBMIT_SEND_RESCHEDULE", True):
            self.reschedule()
        return cluster  # type: ignore[no-any-return]

    def spool(self, ad_list: list[classad.ClassAd]) -> None:
        """Send the input files of jobs submitted with ``spool=True`` (ads as from
        ``Submit.jobs(clusterid=...)``); the schedd then releases them."""
        _core._spool(self._address, list(ad_list))

    def retrieve(self, job_spec: Any) -> None:
        """Fetch the output files of spooled jobs into their ``Iwd``."""
        constraint, ids = parse_job_spec(job_spec)
        if ids:
            constraint = " || ".join(
                f"(ClusterId == {i.split('.')[0]} && ProcId == {i.split('.')[1] if '.' in i else 0})" for i in ids)
        _core._retrieve(self._address, constraint)

    def export_jobs(self, job_spec: Any, export_dir: str, new_spool_dir: str) -> classad.ClassAd:
        """Hand jobs to an external manager: their queue state goes to ``export_dir``."""
        constraint, ids = parse_job_spec(job_spec)
        return _checked_reply(_core._export(self._address, constraint, ids, str(export_dir), str(new_spool_dir)),
                              "export jobs")

    def import_exported_job_results(self, import_dir: str) -> classad.ClassAd:
        """Bring back the results of jobs exported with :meth:`export_jobs`."""
        return _core._import(self._address, str(import_dir))  # type: ignore[no-any-return]

    def unexport_jobs(self, job_spec: Any) -> classad.ClassAd:
        """Undo :meth:`export_jobs` for jobs not yet imported."""
        constraint, ids = parse_job_spec(job_spec)
        return _checked_reply(_core._unexport(self._address, constraint, ids), "unexport jobs")

    def refreshGSIProxy(self, cluster: int, proc: int, proxy_filename: str, lifetime: int) -> int:
        """Send a job a fresh X.509 proxy; returns its remaining lifetime in seconds."""
        return _core._refresh_proxy(self._address, int(cluster), int(proc), str(proxy_filename), int(lifetime))  # type: ignore[no-any-return]

    def transaction(self, flags: TransactionFlags = TransactionFlags(0), continue_txn: bool = False) -> Transaction:
        """Open a job-queue transaction (deprecated; use :meth:`submit`)."""
        warnings.warn("Schedd.transaction() was deprecated in version 10.7.0 and will be removed in a "
                      "future release.  Use Schedd.submit() instead.", FutureWarning, stacklevel=2)
        if self._txn is not None and self._txn._conn is not None:
            if continue_txn:
                return self._txn
            raise HTCondorIOError("Transaction already in progress for schedd.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self._txn = Transaction(self, int(flags))
        return self._txn


def _checked_reply(reply: classad.ClassAd, what: str) -> classad.ClassAd:
    """A schedd reply ad whose ErrorCode/ErrorString report a failure becomes HTCondorIOError."""
    if reply.get("ErrorCode", 0) or reply.get("ErrorString"):
        raise HTCondorIOError(f"Failed to {what}: {reply.get('ErrorString', 'error')} "
                              f"(code {reply.get('ErrorCode', 0)})")
    return reply


def _since_expr(since: Any) -> classad.ExprTree:
    if isinstance(since, classad.ExprTree):
        return since
    if isinstance(since, int) and not isinstance(since, bool):
        return classad.ExprTree(f"ClusterId == {since}")
    if isinstance(since, str):
        parts = since.split(".")
        if len(parts) == 1 and parts[0].isdigit():
            return classad.ExprTree(f"ClusterId == {parts[0]}")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return classad.ExprTree(f"ClusterId == {parts[0]} && ProcId == {parts[1]}")
        return classad.ExprTree(since)
    raise HTCondorValueError("invalid since argument")


class EditResult:
    """What :meth:`Schedd.edit` returns: ``int()`` is the number of jobs edited by id (-1 for a
    constraint edit, whose match count the schedd does not report back)."""

    def __init__(self, matched: int) -> None:
        self._matched = matched

    def __int__(self) -> int:
        return self._matched

    def __str__(self) -> str:
        return f"edited {self._matched} jobs"


__all__ = ["Schedd", "Transaction", "QueryIterator", "HistoryIterator", "BulkQueryIterator", "poll",
           "EditResult", "DaemonLocation", "HTCondorInternalError"]
