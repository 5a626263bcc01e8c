"""Native layer of the classad module (libclassad).  Import ``classad`` instead."""

from collections.abc import Iterator, Mapping
from typing import Any, Iterable, Optional, Union

_Value = Any  # bool | int | float | str | list | dict | datetime | classad.Value | ExprTree

class ClassAd:
    """A ClassAd: a mutable mapping of attribute names (case-insensitive) to expressions.

    ``ClassAd()`` is empty; ``ClassAd(text)`` parses one ad in the new syntax
    (``'[a = 1; b = a + 2]'``, ``ClassAdParseError`` if it is not one); ``ClassAd(mapping)``
    converts each value (``None`` to ``undefined``, a mapping to a nested ad, another iterable to
    a list, a ``datetime`` to an absolute time); ``ClassAd(ad)`` copies.

    ``ad[name]`` is the attribute's value when its expression is a literal (``int``, ``float``,
    ``str``, ``bool``, ``list``, ``dict`` for a nested ad, :class:`Value` for ``undefined`` and
    ``error``), else the :class:`ExprTree`.  Assigning a Python value stores it as a literal, an
    :class:`ExprTree` as that expression.  ``del`` of a missing attribute is silently ignored, as in
    v1.  Ads compare equal when they have the same attributes and expressions; they are picklable
    and unhashable.
    """
    def __init__(self, input: Union[None, str, Mapping[str, Any], "ClassAd"] = None) -> None: ...
    def __getitem__(self, key: str) -> _Value: ...
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __delitem__(self, key: str) -> None: ...
    def __contains__(self, key: object) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def keys(self) -> Iterator[str]:
        """The attribute names, as an iterator over a snapshot (changing the ad while iterating is safe)."""
    def values(self) -> Iterator[_Value]:
        """The attributes' values (as ``ad[name]`` gives them), as an iterator over a snapshot."""
    def items(self) -> Iterator[tuple[str, _Value]]:
        """``(name, value)`` pairs (values as ``ad[name]`` gives them), as an iterator over a snapshot."""
    def get(self, key: str, default: Any = None) -> _Value:
        """``ad[key]``, or ``default`` if the ad has no attribute ``key``."""
    def setdefault(self, key: str, default: Any = None) -> _Value:
        """``ad[key]``, after setting the attribute to ``default`` if the ad does not have it."""
    def update(self, other: Union["ClassAd", Mapping[str, Any], Iterable[tuple[str, Any]]]) -> None:
        """Set every attribute of ``other``: a ClassAd, a mapping, or an iterable of ``(name, value)`` pairs."""
    def eval(self, attr: str) -> _Value:
        """The value of attribute ``attr`` evaluated in this ad: a Python value, ``Value.Undefined`` or
        ``Value.Error``.  ``KeyError`` if the ad has no such attribute.
        """
    def lookup(self, attr: str) -> "ExprTree":
        """The expression of attribute ``attr``, unevaluated.  ``KeyError`` if the ad has no such attribute.

        The :class:`ExprTree` holds its own copy of the expression and keeps this ad alive as its
        scope: its :meth:`~ExprTree.eval` sees the ad as it is at evaluation time.
        """
    def printOld(self) -> str:
        """The ad in the old ClassAd syntax: one ``name = expression`` line per attribute."""
    def printJson(self) -> str:
        """The ad as a JSON object (an expression that is not a literal becomes the string ``/Expr(...)/``)."""
    def flatten(self, expr: Union[str, "ExprTree"]) -> _Value:
        """Partially evaluate ``expr`` (text or :class:`ExprTree`) in this ad: references to the ad's
        attributes are replaced by their values.  A Python value when the result is a literal, else the
        simplified :class:`ExprTree`.
        """
    def matches(self, ad: Union["ClassAd", Mapping[str, Any]]) -> bool:
        """Whether the ``Requirements`` of ``ad`` (an ad or mapping) is true with this ad as its ``TARGET``."""
    def symmetricMatch(self, ad: Union["ClassAd", Mapping[str, Any]]) -> bool:
        """Whether the ``Requirements`` of both ads are true, each with the other as ``TARGET``."""
    def externalRefs(self, expr: Union[str, "ExprTree"]) -> list[str]:
        """The names ``expr`` needs from outside this ad (attributes it does not define, ``TARGET.x``)."""
    def internalRefs(self, expr: Union[str, "ExprTree"]) -> list[str]:
        """The names of this ad's attributes that ``expr`` refers to."""
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __copy__(self) -> "ClassAd": ...
    def __deepcopy__(self, memo: Any) -> "ClassAd": ...
    def __reduce__(self) -> tuple[Any, ...]: ...

class ExprTree:
    """A ClassAd expression.

    ``ExprTree(text)`` parses one expression in the new syntax (``ClassAdParseError`` if it is not
    one); ``ExprTree(expr)`` copies; other Python values become literals.

    Python operators build new expressions rather than computing (``ExprTree("a") + 1`` is
    ``a + 1``; ``==`` gives an expression too): evaluate with :meth:`eval`.  ``&&``, ``||``,
    ``=?=`` and ``=!=`` are :meth:`and_`, :meth:`or_`, :meth:`is_` and :meth:`isnt_`; ``~e`` is
    ``!e``.  ``bool()``, ``int()`` and ``float()`` evaluate first (``bool`` of ``undefined`` is
    ``False``, of ``error`` raises ``ClassAdEvaluationError``).  ``e[i]`` indexes a list expression,
    or the evaluated string or list.  ``repr()`` is the expression's text, ``str()`` its
    pretty-printed form.
    """
    def __init__(self, expr: Any) -> None: ...
    def eval(self, scope: Union[None, ClassAd, Mapping[str, Any]] = None) -> _Value:
        """Evaluate the expression: in ``scope`` (a ClassAd or mapping) if given, else in the ad it was
        taken from (if any).  Returns a Python value, ``Value.Undefined`` or ``Value.Error``.
        """
    def simplify(self, scope: Union[None, ClassAd, Mapping[str, Any]] = None,
                 target: Union[None, ClassAd, Mapping[str, Any]] = None) -> "ExprTree":
        """Evaluate as :meth:`eval` does (with ``target`` as the ``TARGET`` ad) and return the result as a
        literal expression.
        """
    def sameAs(self, expr: "ExprTree") -> bool:
        """Whether ``expr`` is the same expression (the same tree, not merely the same value)."""
    def and_(self, expr: Any) -> "ExprTree":
        """The expression ``self && expr``."""
    def or_(self, expr: Any) -> "ExprTree":
        """The expression ``self || expr``."""
    def is_(self, expr: Any) -> "ExprTree":
        """The expression ``self =?= expr`` (same type and value; never ``undefined``)."""
    def isnt_(self, expr: Any) -> "ExprTree":
        """The expression ``self =!= expr``."""
    def __bool__(self) -> bool: ...
    def __int__(self) -> int: ...
    def __float__(self) -> float: ...
    def __getitem__(self, index: Any) -> _Value: ...
    def _get(self, index: Any) -> "ExprTree": ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: Any) -> "ExprTree": ...  # type: ignore[override]
    def __ne__(self, other: Any) -> "ExprTree": ...  # type: ignore[override]
    def __lt__(self, other: Any) -> "ExprTree": ...
    def __le__(self, other: Any) -> "ExprTree": ...
    def __gt__(self, other: Any) -> "ExprTree": ...
    def __ge__(self, other: Any) -> "ExprTree": ...
    def __add__(self, other: Any) -> "ExprTree": ...
    def __radd__(self, other: Any) -> "ExprTree": ...
    def __sub__(self, other: Any) -> "ExprTree": ...
    def __rsub__(self, other: Any) -> "ExprTree": ...
    def __mul__(self, other: Any) -> "ExprTree": ...
    def __rmul__(self, other: Any) -> "ExprTree": ...
    def __truediv__(self, other: Any) -> "ExprTree": ...
    def __rtruediv__(self, other: Any) -> "ExprTree": ...
    def __mod__(self, other: Any) -> "ExprTree": ...
    def __rmod__(self, other: Any) -> "ExprTree": ...
    def __and__(self, other: Any) -> "ExprTree": ...
    def __rand__(self, other: Any) -> "ExprTree": ...
    def __or__(self, other: Any) -> "ExprTree": ...
    def __ror__(self, other: Any) -> "ExprTree": ...
    def __xor__(self, other: Any) -> "ExprTree": ...
    def __rxor__(self, other: Any) -> "ExprTree": ...
    def __lshift__(self, other: Any) -> "ExprTree": ...
    def __rlshift__(self, other: Any) -> "ExprTree": ...
    def __rshift__(self, other: Any) -> "ExprTree": ...
    def __rrshift__(self, other: Any) -> "ExprTree": ...
    def __neg__(self) -> "ExprTree": ...
    def __pos__(self) -> "ExprTree": ...
    def __invert__(self) -> "ExprTree": ...
    def __reduce__(self) -> tuple[Any, ...]: ...

class _AdReader:
    def __iter__(self) -> "_AdReader": ...
    def __next__(self) -> ClassAd: ...

def Literal(obj: Any) -> ExprTree:
    """An expression that is the literal value of ``obj``: a Python ``bool``, ``int``, ``float``,
    ``str``, ``datetime``, ``None`` (``undefined``), :class:`Value`, or an :class:`ExprTree`
    (evaluated first).  Lists and
    ads are not literals (``ClassAdValueError``): use :class:`ExprTree` or :class:`ClassAd`.
    """
def Attribute(name: str) -> ExprTree:
    """An expression referring to the attribute ``name`` (looked up where it is evaluated)."""
def Function(name: str, *args: Any) -> ExprTree:
    """An expression calling the ClassAd function ``name`` with ``args`` (Python values or expressions)."""
def quote(input: str) -> str:
    """``input`` as a ClassAd string literal: in double quotes, with quotes and backslashes escaped."""
def unquote(input: str) -> str:
    """The string that the ClassAd string literal ``input`` denotes (the inverse of :func:`quote`).

    ``ClassAdParseError`` if ``input`` is not a string literal.
    """
def lastError() -> str:
    """The last error message libclassad recorded (of a failed parse, evaluation or library load)."""
def registerLibrary(path: str) -> None:
    """Load a shared library of ClassAd functions (libclassad's plugin interface) from ``path``;
    ``ClassAdOSError`` if it cannot be loaded.
    """
def version() -> str:
    """The version of the linked libclassad (HTCondor's version number, such as ``'23.9.6'``)."""
def _register(name: str) -> None: ...
def _parse_ads(input: Any, parser: int) -> _AdReader: ...
def _parse_next(input: Any, parser: int) -> ClassAd: ...
def _parse_one(input: Any, parser: int) -> ClassAd: ...
