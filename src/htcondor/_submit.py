"""``Submit``: a submit description (the submit language of condor_submit) as a mapping."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Optional, Union

import classad

from . import _core
from ._exceptions import HTCondorIOError, HTCondorTypeError, HTCondorValueError

ItemRow = Union[str, Mapping[str, Any], Iterable[str]]


def _submit_value(value: Any) -> str:
    """v1's conversion of a Python value to submit-language text."""
    if isinstance(value, str):
        return value
    if value is None:
        return "undefined"
    if isinstance(value, classad.ExprTree):
        return str(value)
    if isinstance(value, classad.ClassAd):
        return repr(value)
    return str(value)


# Submit.from_dag's option keys (v1's names, lower case) and the DagmanOptions they set.
_DAG_OPTIONS = {
    "dagman": "DagmanPath", "force": "Force", "schedd-daemon-ad-file": "ScheddDaemonAdFile",
    "schedd-address-file": "ScheddAddressFile", "alwaysrunpost": "PostRun", "maxidle": "MaxIdle",
    "maxjobs": "MaxJobs", "maxpre": "MaxPre", "maxpost": "MaxPost", "usedagdir": "UseDagDir",
    "debug": "DebugLevel", "outfile_dir": "OutfileDir", "config": "ConfigFile", "batch-name": "BatchName",
    "autorescue": "AutoRescue", "dorescuefrom": "DoRescueFrom", "load_save": "SaveFile",
    "allowversionmismatch": "AllowVersionMismatch", "do_recurse": "Recurse", "update_submit": "UpdateSubmit",
    "import_env": "ImportEnv", "include_env": "GetFromEnv", "insert_env": "AddToEnv",
    "dumprescue": "DumpRescueDag", "valgrind": "RunValgrind", "priority": "Priority",
    "suppress_notification": "SuppressNotification", "dorecov": "DoRecovery",
}


def _build_prefix_tool(name: str) -> Optional[str]:
    """A tool of the HTCondor build these bindings were compiled against, if it is here."""
    import os

    try:
        from . import _build_info
    except ImportError:  # pragma: no cover - source checkout without a build
        return None
    path = os.path.join(_build_info.HTCONDOR_PREFIX, "bin", name)
    return path if os.access(path, os.X_OK) else None


def _key(key: str) -> str:
    return "MY." + key[1:] if key.startswith("+") else key


def rows_from_itemdata(itemdata: Iterable[ItemRow]) -> tuple[list[str], list[list[str]]]:
    """Item data rows (dicts, sequences of str, or str) as variable names and value rows."""
    names: list[str] = []
    rows: list[list[str]] = []
    for n, row in enumerate(itemdata):
        if isinstance(row, Mapping):
            if n == 0:
                names = [_key(str(k)) for k in row.keys()]
            values = {_key(str(k)): v for k, v in row.items()}
            unknown = set(values) - set(names)
            if unknown:
                raise HTCondorValueError(f"item data row {n} has keys the first row lacks: {sorted(unknown)}")
            rows.append([_submit_value(values.get(k, "")) for k in names])
        elif isinstance(row, str):
            if n == 0:
                names = ["Item"]
            rows.append([row])
        else:
            values_list = [_submit_value(v) for v in row]
            if n == 0:
                if len(values_list) > 10:
                    raise HTCondorValueError("item data rows may have at most 10 values")
                names = ["Item"] + [f"Item{i}" for i in range(1, len(values_list))]
            rows.append(values_list)
    return names, rows


class QueueItemsIterator(Iterator[Union[str, dict]]):  # type: ignore[type-arg]
    """The items of a queue statement: ``str`` for a single ``Item`` variable, else ``dict``."""

    def __init__(self, names: list[str], rows: list[list[str]]) -> None:
        self._names = names
        self._rows = iter(rows)

    def __iter__(self) -> "QueueItemsIterator":
        return self

    def __next__(self) -> Union[str, dict]:  # type: ignore[type-arg]
        row = next(self._rows)
        if not self._names or self._names == ["Item"]:
            return row[0] if row else ""
        return dict(zip(self._names, row))


class SubmitJobsIterator(Iterator[classad.ClassAd]):
    """The job ads a submit description makes (see :meth:`Submit.jobs`)."""

    def __init__(self, cluster_ad: classad.ClassAd, ads: list[classad.ClassAd]) -> None:
        self._cluster_ad = cluster_ad
        self._ads = iter(ads)

    def __iter__(self) -> "SubmitJobsIterator":
        return self

    def __next__(self) -> classad.ClassAd:
        return next(self._ads)

    def clusterad(self) -> classad.ClassAd:
        """The cluster ad: the attributes the jobs of the cluster share."""
        return self._cluster_ad


class SubmitResult:
    """What :meth:`Schedd.submit` returns: methods, not properties, as in v1."""

    def __init__(self, cluster: int, clusterad: classad.ClassAd, first_proc: int, num_procs: int) -> None:
        self._cluster = cluster
        self._clusterad = clusterad
        self._first_proc = first_proc
        self._num_procs = num_procs

    def cluster(self) -> int:
        """The id of the new cluster."""
        return self._cluster

    def clusterad(self) -> classad.ClassAd:
        """The cluster ad: the attributes the submitted jobs share."""
        return self._clusterad

    def first_proc(self) -> int:
        """The proc id of the first job submitted."""
        return self._first_proc

    def num_procs(self) -> int:
        """How many jobs were submitted."""
        return self._num_procs

    def __int__(self) -> int:
        return self._cluster

    def __str__(self) -> str:
        return (f"Submitted {self._num_procs} jobs into cluster {self._cluster},{self._first_proc} :\n"
                + self._clusterad.printOld())

    def __repr__(self) -> str:
        return f"SubmitResult(cluster={self._cluster}, first_proc={self._first_proc}, num_procs={self._num_procs})"


def _warn(messages: list[str]) -> None:
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=3)


class Submit(MutableMapping):  # type: ignore[type-arg]
    """A submit description: ``Submit(text)``, ``Submit(dict)`` or ``Submit(**commands)``.

    A mutable mapping of submit commands to their (unexpanded) text.  ``+Name`` is shorthand
    for ``MY.Name``.  A ``queue`` statement in the text is remembered (:meth:`getQArgs`) and
    used by :meth:`itemdata`, :meth:`jobs` and :meth:`queue`; :meth:`Schedd.submit` ignores it,
    as in v1.

    Unlike v1: ``del submit[key]`` works (v1 crashed), ``key in submit`` and ``iter(submit)``
    work, ``get(key)`` defaults to ``None``, ``expand`` of an unknown key raises ``KeyError``.
    """

    def __init__(self, input: Any = None, **kwargs: Any) -> None:
        self._h = _core._Submit()
        if input is not None:
            if isinstance(input, str):
                self._h.parse(input)
            elif isinstance(input, Mapping) or hasattr(input, "keys"):
                self.update(input)
            else:
                try:
                    self.update(dict(input))
                except (TypeError, ValueError):
                    self._h.parse(str(input))
        self.update(kwargs)

    # -- mapping ----------------------------------------------------------------------------
    def __getitem__(self, key: str) -> str:
        value = self._h.get(key)
        if value is None:
            raise KeyError(key)
        return value  # type: ignore[no-any-return]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise HTCondorTypeError(f"submit commands are str, not {type(key).__name__}")
        self._h.set(key, _submit_value(value))

    def __delitem__(self, key: str) -> None:
        self._h.remove(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._h.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._h.items())

    def keys(self) -> list[str]:  # type: ignore[override]
        """The submit commands, in the order they were set (a list)."""
        return [k for k, _ in self._h.items()]

    def values(self) -> list[str]:  # type: ignore[override]
        """The commands' values, unexpanded (a list)."""
        return [v for _, v in self._h.items()]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """``(command, value)`` pairs (a list)."""
        return list(self._h.items())

    def get(self, key: str, default: Any = None) -> Any:
        """The value of command ``key``, or ``default`` if it is not set."""
        value = self._h.get(key)
        return default if value is None else value

    def setdefault(self, key: str, default: Any = "") -> str:  # type: ignore[override]
        """The value of command ``key``, after setting it to ``default`` if it was not set."""
        value = self._h.get(key)
        if value is None:
            self[key] = default
            return _submit_value(default)
        return value  # type: ignore[no-any-return]

    def update(self, other: Any = (), **kwargs: Any) -> None:  # type: ignore[override]
        """Set commands from a mapping or ``(command, value)`` pairs, then from keyword arguments.  As with
        ``submit[command] = value``, ``None`` becomes ``undefined``, an :class:`~classad.ExprTree` or
        :class:`~classad.ClassAd` its ClassAd text, anything else ``str(value)``.
        """
        if isinstance(other, Mapping) or hasattr(other, "keys"):
            pairs = [(k, other[k]) for k in other.keys()]
        else:
            try:
                pairs = [tuple(p) for p in other]
            except TypeError as err:
                raise HTCondorTypeError("update() needs a mapping or (key, value) pairs") from err
            if any(len(p) != 2 for p in pairs):
                raise HTCondorTypeError("update() needs a mapping or (key, value) pairs")
        for k, v in list(pairs) + list(kwargs.items()):
            self[k] = v

    def __str__(self) -> str:
        text = "".join(f"{k} = {v}\n" for k, v in self._h.items())
        if self._h.has_queue:
            text += "queue" + (" " + self._h.qargs if self._h.qargs else "")
        return text

    def __repr__(self) -> str:
        return repr(str(self))

    # -- the submit language ----------------------------------------------------------------
    def expand(self, attr: str) -> str:
        """The value of ``attr`` with ``$(macros)`` expanded."""
        return self._h.expand(attr)  # type: ignore[no-any-return]

    def getQArgs(self) -> str:
        """The arguments of the description's ``queue`` statement (``""`` if none)."""
        return self._h.qargs  # type: ignore[no-any-return]

    def setQArgs(self, args: str) -> None:
        """Replace the ``queue`` statement's arguments (a leading ``queue`` is dropped)."""
        self._h.qargs = args

    def itemdata(self, qargs: str = "") -> QueueItemsIterator:
        """The items of the queue statement (or of ``qargs``, given in queue-statement form)."""
        names, rows, _ = self._h.itemdata(qargs)
        return QueueItemsIterator(names, rows)

    def setSubmitMethod(self, method_value: int = -1, allow_reserved_values: bool = False) -> None:
        """Set the value the jobs' ``JobSubmitMethod`` attribute gets.  Values 0 to 99 are reserved for
        HTCondor's own tools: they need ``allow_reserved_values=True``.
        """
        if 0 <= method_value < 100 and not allow_reserved_values:
            raise HTCondorValueError("Submit Method value must be 100 or greater. Or allow_reserved_values "
                                     "must be set to True.")
        self._h.submit_method = method_value

    def getSubmitMethod(self) -> int:
        """The value the jobs' ``JobSubmitMethod`` attribute gets (see :meth:`setSubmitMethod`)."""
        return self._h.submit_method  # type: ignore[no-any-return]

    def _plan(self, count: int, itemdata: Optional[Iterable[ItemRow]]) -> tuple[int, list[str], list[list[str]]]:
        if itemdata is not None:
            names, rows = rows_from_itemdata(itemdata)
            return count or 1, names, rows
        names, rows, qcount = self._h.itemdata("", True)  # values as bytes: passed on as they are
        if count and self._h.qargs and count != qcount:
            raise HTCondorValueError("count argument conflicts with the count in the submit QUEUE statement")
        return count or qcount or 1, names, rows

    def _jobs(self, count: int, itemdata: Any, clusterid: int, procid: int, qdate: int, owner: str,
              flatten: bool) -> tuple[classad.ClassAd, list[classad.ClassAd]]:
        if clusterid < 0 or procid < 0:
            raise HTCondorValueError("clusterid and procid must not be negative")
        if any(c.isspace() for c in owner):
            raise HTCondorValueError("owner must not contain whitespace")
        n, names, rows = self._plan(count, itemdata)
        cluster_ad, ads, warns = self._h.jobs(n, names, rows, clusterid or 1, procid, qdate, owner, flatten)
        _warn(warns)
        return cluster_ad, ads

    def jobs(self, count: int = 0, itemdata: Any = None, clusterid: int = 1, procid: int = 0,
             qdate: int = 0, owner: str = "") -> SubmitJobsIterator:
        """The complete job ads this description makes, without a schedd."""
        cluster_ad, ads = self._jobs(count, itemdata, clusterid, procid, qdate, owner, True)
        return SubmitJobsIterator(cluster_ad, ads)

    def procs(self, count: int = 0, itemdata: Any = None, clusterid: int = 1, procid: int = 0,
              qdate: int = 0, owner: str = "") -> SubmitJobsIterator:
        """Like :meth:`jobs`, but after the first ad only each proc's own attributes."""
        cluster_ad, ads = self._jobs(count, itemdata, clusterid, procid, qdate, owner, False)
        if ads:
            first = classad.ClassAd(cluster_ad)
            first.update(ads[0])
            ads[0] = first
        return SubmitJobsIterator(cluster_ad, ads)

    # -- DAGs -------------------------------------------------------------------------------
    @staticmethod
    def from_dag(filename: str, options: Optional[Mapping[str, Any]] = None) -> "Submit":
        """The submit description of the DAGMan job that runs the DAG in ``filename``, as
        ``condor_submit_dag`` makes it; like that tool, this writes ``<filename>.condor.sub``
        (and checks that the DAG's output files do not exist yet, unless ``force``).

        ``options`` are ``condor_submit_dag``'s (case-insensitive keys): ``dagman`` (path of
        ``condor_dagman``; default: found on ``PATH``), ``force``, ``maxidle``, ``maxjobs``,
        ``maxpre``, ``maxpost``, ``batch-name``, ``priority``, ``config``, ``outfile_dir``,
        ``usedagdir``, ``dorecov``, ... with str, int or bool values.  An unknown key warns
        (``UserWarning``) and is skipped.
        """
        import os
        import shutil

        path = os.fspath(filename)
        try:
            with open(path, "rb"):
                pass
        except OSError as err:
            raise HTCondorIOError(f"Could not read DAG file {path}: {err.strerror}") from None
        pairs: list[tuple[str, str, str]] = []
        dagman = None
        for key, value in (options or {}).items():
            name = _DAG_OPTIONS.get(str(key).lower())
            if name is None:
                warnings.warn(f"DAGMan option {key!r} not recognized, skipping", UserWarning, stacklevel=2)
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, (int, str)):
                text = str(value)
            else:
                raise HTCondorTypeError(f"DAGMan option {key!r} must be a str, int or bool, not "
                                        f"{type(value).__name__}")
            if name == "DagmanPath":
                dagman = text
            pairs.append((name, text.strip() if name == "AddToEnv" else text, str(key)))
        if dagman is not None and not os.access(dagman, os.X_OK):
            raise HTCondorIOError(f"condor_dagman executable {dagman} not found or not executable")
        if dagman is None:
            found = shutil.which("condor_dagman") or _build_prefix_tool("condor_dagman")
            if not found:
                raise HTCondorIOError("Failed to locate condor_dagman executable in PATH")
            pairs.append(("DagmanPath", found, "dagman"))
        sub_file = _core._write_dag_submit_file(path, pairs)
        try:
            with open(sub_file) as f:
                text = f.read()
        except OSError as err:
            raise HTCondorIOError(f"Could not read generated DAG submit file {sub_file}: {err.strerror}") from None
        return Submit(text)

    # -- deprecated transaction API ----------------------------------------------------------
    def queue(self, txn: Any, count: int = 0, ad_results: Optional[list] = None) -> int:  # type: ignore[type-arg]
        """Deprecated: queue jobs in an open :class:`Transaction` (honours the QUEUE statement)."""
        warnings.warn("Submit.queue() was deprecated in version 10.7.0 and will be removed in a future "
                      "release.  Use Schedd.submit() instead.", FutureWarning, stacklevel=2)
        from ._schedd import Transaction

        if not isinstance(txn, Transaction):
            raise HTCondorValueError("Job queue attempt without active transaction")
        n, names, rows = self._plan(count, None)
        result = txn._submit(self, n, names, rows, ad_results is not None)
        if ad_results is not None:
            ad_results.extend(result[3])
        return result[0]  # type: ignore[no-any-return]

    def queue_with_itemdata(self, txn: Any, count: int = 1, itemdata: Any = None,
                            spool: bool = False) -> SubmitResult:
        """Deprecated: like :meth:`Schedd.submit`, inside an open :class:`Transaction`."""
        warnings.warn("Submit.queue_with_itemdata() was deprecated in version 10.7.0 and will be removed in "
                      "a future release.  Use Schedd.submit() instead.", FutureWarning, stacklevel=2)
        from ._schedd import Transaction

        if not isinstance(txn, Transaction):
            raise HTCondorValueError("Job queue attempt without active transaction")
        names, rows = rows_from_itemdata(itemdata) if itemdata is not None else ([], [])
        cluster, n, cad, _, _ = txn._submit(self, count or 1, names, rows, False, spool)
        return SubmitResult(cluster, cad, 0, n)
