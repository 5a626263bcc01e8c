"""``classad.Value``: the ClassAd values ``undefined`` and ``error`` as Python objects."""

from __future__ import annotations

import enum
from typing import Any

from ._exceptions import ClassAdEvaluationError, ClassAdValueError


class Value(enum.Enum):
    """``Value.Undefined`` and ``Value.Error``, as evaluations return them.

    As in v1: ``bool(Undefined)`` is ``False``, ``bool(Error)`` raises
    :class:`ClassAdEvaluationError`, ``int()``/``float()`` raise :class:`ClassAdValueError`,
    and operators build :class:`ExprTree` objects.
    """

    Error = 1
    Undefined = 2

    def __repr__(self) -> str:
        return f"classad.Value.{self.name}"

    def __str__(self) -> str:
        return self.name

    def __bool__(self) -> bool:
        if self is Value.Error:
            raise ClassAdEvaluationError("Unable to evaluate expression: the value is error")
        return False

    def __int__(self) -> int:
        raise ClassAdValueError(f"Unable to convert {self.name} to an integer")

    def __float__(self) -> float:
        raise ClassAdValueError(f"Unable to convert {self.name} to a float")

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def _expr(self) -> Any:
        from ._core import Literal

        return Literal(self)

    # Arithmetic and comparison with ClassAd semantics build expressions, as in v1.
    def __add__(self, o: Any) -> Any: return self._expr() + o
    def __radd__(self, o: Any) -> Any: return self._expr().__radd__(o)
    def __sub__(self, o: Any) -> Any: return self._expr() - o
    def __mul__(self, o: Any) -> Any: return self._expr() * o
    def __truediv__(self, o: Any) -> Any: return self._expr() / o
    def __lt__(self, o: Any) -> Any: return self._expr() < o
    def __le__(self, o: Any) -> Any: return self._expr() <= o
    def __gt__(self, o: Any) -> Any: return self._expr() > o
    def __ge__(self, o: Any) -> Any: return self._expr() >= o

    def and_(self, o: Any) -> Any:
        """The expression ``self && o``."""
        return self._expr().and_(o)

    def or_(self, o: Any) -> Any:
        """The expression ``self || o``."""
        return self._expr().or_(o)

    def is_(self, o: Any) -> Any:
        """The expression ``self =?= o``."""
        return self._expr().is_(o)

    def isnt_(self, o: Any) -> Any:
        """The expression ``self =!= o``."""
        return self._expr().isnt_(o)


Value.__module__ = "classad"
