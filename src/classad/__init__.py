"""The ``classad`` module of HTCondor's version-1 Python API, over libclassad.

ClassAds (``ClassAd``), expressions (``ExprTree``), the values ``Value.Undefined`` and
``Value.Error``, parsers for the new and old ClassAd syntaxes, and registration of Python
functions callable from ClassAd expressions.
"""

from __future__ import annotations

import collections.abc as _abc
import enum as _enum
import warnings as _warnings
from typing import IO, Any, Callable, Iterator, Optional, Union

from ._exceptions import (
    ClassAdEnumError,
    ClassAdEvaluationError,
    ClassAdException,
    ClassAdInternalError,
    ClassAdOSError,
    ClassAdParseError,
    ClassAdTypeError,
    ClassAdValueError,
)
from ._value import Value

try:
    from . import _core
except ImportError as _err:  # pragma: no cover - broken installation
    raise ImportError(f"classad's native module failed to load (broken installation?): {_err}") from _err

ClassAd = _core.ClassAd
ExprTree = _core.ExprTree
Literal = _core.Literal
Attribute = _core.Attribute
Function = _core.Function
quote = _core.quote
unquote = _core.unquote
lastError = _core.lastError
registerLibrary = _core.registerLibrary
version = _core.version

for _obj in (ClassAd, ExprTree):
    _obj.__module__ = "classad"
_abc.MutableMapping.register(ClassAd)


class Parser(_enum.IntEnum):
    """Which ClassAd syntax a parser reads: ``Auto`` decides from the first character."""

    Auto = 0
    Old = 1
    New = 2

    def __str__(self) -> str:
        return self.name


Parser.__module__ = "classad"

_registered_functions: dict[str, Callable[..., Any]] = {}

Input = Union[str, IO[str], IO[bytes]]


def _parser(parser: Any) -> int:
    if isinstance(parser, Parser):
        return int(parser)
    raise ClassAdEnumError(f"parser must be a classad.Parser member, not {parser!r}")


def parseAds(input: Input, parser: Parser = Parser.Auto) -> Iterator[ClassAd]:
    """Iterate over the ads in a string or file (blank-line separated in the old syntax)."""
    return _core._parse_ads(input, _parser(parser))  # type: ignore[no-any-return]


def parseNext(input: Input, parser: Parser = Parser.Auto) -> ClassAd:
    """The next ad of a file (which is left just after it), or the first ad of a string.

    Raises ``StopIteration`` when there is none.
    """
    return _core._parse_next(input, _parser(parser))


def parseOne(input: Input, parser: Parser = Parser.Auto) -> ClassAd:
    """All ads of the input merged into one; later attributes win."""
    return _core._parse_one(input, _parser(parser))


def parse(input: Input) -> ClassAd:
    """Deprecated: parse one ad in the new syntax.  Use :func:`parseOne`."""
    _warnings.warn(
        "ClassAd Deprecation: parse is deprecated; use parseOne, parseNext, or parseAds instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    text = input.read() if hasattr(input, "read") else input
    if isinstance(text, bytes):
        text = text.decode()
    return ClassAd(text)


def parseOld(input: Input) -> ClassAd:
    """Deprecated: parse one ad in the old syntax.  Use :func:`parseOne`."""
    _warnings.warn(
        "ClassAd Deprecation: parseOld is deprecated; use parseOne, parseNext, or parseAds instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return _core._parse_one(input, int(Parser.Old))


def parseOldAds(input: Input) -> Iterator[ClassAd]:
    """Deprecated: iterate over old-syntax ads.  Use :func:`parseAds`."""
    _warnings.warn(
        "ClassAd Deprecation: parseOldAds is deprecated; use parseAds instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return _core._parse_ads(input, int(Parser.Old))  # type: ignore[no-any-return]


def register(function: Callable[..., Any], name: Optional[str] = None) -> None:
    """Make a Python callable available to ClassAd expressions as ``name`` (default: its name).

    Literal arguments arrive as Python values, others as :class:`ExprTree`; a function with a
    ``state`` parameter (or ``**kwargs``) also gets a copy of the ad being evaluated.  An
    exception raised by the function propagates out of the evaluation that called it.
    """
    if name is None:
        name = function.__name__
    if not isinstance(name, str) or not name:
        raise ClassAdValueError("register() needs a non-empty function name")
    _registered_functions[name.lower()] = function
    _core._register(name)


__version__ = version()

__all__ = [
    "Attribute",
    "ClassAd",
    "ClassAdEnumError",
    "ClassAdEvaluationError",
    "ClassAdException",
    "ClassAdInternalError",
    "ClassAdOSError",
    "ClassAdParseError",
    "ClassAdTypeError",
    "ClassAdValueError",
    "ExprTree",
    "Function",
    "Literal",
    "Parser",
    "Value",
    "lastError",
    "parse",
    "parseAds",
    "parseNext",
    "parseOld",
    "parseOldAds",
    "parseOne",
    "quote",
    "register",
    "registerLibrary",
    "unquote",
    "version",
]
