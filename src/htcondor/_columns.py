"""Columnar results: query, history and event-log results as ``{attribute: numpy array}``.

Built in C++ straight from the ads the daemon sends (or the events the log holds), without one
Python ``ClassAd`` per row.  numpy is needed (an optional dependency); pandas is not, but
``pandas.DataFrame(columns)`` takes the result as it is.

Column types, by the values present in the column:

- only booleans: ``bool``; only integers: ``int64``; integers and reals: ``float64``;
- only strings: ``object`` (Python ``str``);
- anything else (mixed kinds, lists, nested ads): ``object`` with each value as
  :meth:`classad.ExprTree.eval` gives it.

Attributes are evaluated in their own ad, so an expression that needs a match target (or an
``error``) counts as missing.  A column with a missing value is a ``numpy.ma.MaskedArray``
whose mask is ``True`` where the value is missing (the data there is ``NaN`` for ``float64``,
``0``/``False``/``None`` otherwise); a column with no missing value is a plain ``ndarray``.
With a projection the columns are exactly the projection's attributes, in its order (a
requested attribute no ad has is an all-masked ``float64`` column); without one, every
attribute seen, in the order first seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    import classad

Columns = dict  # {attribute name: numpy.ndarray | numpy.ma.MaskedArray}


def require_numpy() -> None:
    """Raise a clear ImportError when numpy is missing."""
    try:
        import numpy  # noqa: F401
    except ImportError as err:
        raise ImportError("columnar results need numpy: pip install numpy") from err


def projection_list(projection: Optional[Iterable[str]]) -> list[str]:
    """A projection argument as a list of names ([] for None: every attribute)."""
    if projection is None:
        return []
    if isinstance(projection, str):
        from ._exceptions import HTCondorValueError

        raise HTCondorValueError("projection must be a list of attribute names, not a str")
    return [str(p) for p in projection]


def ads_to_columns(ads: "Iterable[classad.ClassAd]", projection: Optional[Iterable[str]] = None) -> dict[str, Any]:
    """Columns of ads already in Python (for example a :meth:`Schedd.query` result)."""
    from . import _core

    require_numpy()
    return _core._columns_of_ads(list(ads), projection_list(projection))  # type: ignore[no-any-return]
