"""The exception hierarchy of the ``classad`` module (v1's bases, in v1's order)."""

__all__ = [
    "ClassAdException",
    "ClassAdEnumError",
    "ClassAdEvaluationError",
    "ClassAdInternalError",
    "ClassAdOSError",
    "ClassAdParseError",
    "ClassAdTypeError",
    "ClassAdValueError",
]


class ClassAdException(Exception):
    """Parent of every exception the classad module raises; never raised itself."""


class ClassAdEnumError(ClassAdException, TypeError):
    """A value is not a member of the expected enumeration."""


class ClassAdEvaluationError(ClassAdException, TypeError, RuntimeError):
    """An expression could not be evaluated (or evaluated to ``error`` where a value was needed)."""


class ClassAdInternalError(ClassAdException, ValueError, RuntimeError):
    """An unexpected internal state."""


class ClassAdParseError(ClassAdException, ValueError, SyntaxError, RuntimeError):
    """Text is not valid ClassAd syntax.

    v1 lost the message (``str()`` gave ``'None'``: SyntaxError's ``__str__`` reads ``msg``,
    which its ``__init__`` never set); here ``str()`` is the message.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        if args:
            self.msg = str(args[0])

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ClassAdValueError(ClassAdException, ValueError, RuntimeError, TypeError):
    """A value cannot be converted or is out of range."""


class ClassAdTypeError(ClassAdException, TypeError, ValueError):
    """An argument has the wrong type."""


class ClassAdOSError(ClassAdException, OSError, RuntimeError):
    """An operating-system level failure (loading a function library)."""


for _cls in (
    ClassAdException,
    ClassAdEnumError,
    ClassAdEvaluationError,
    ClassAdInternalError,
    ClassAdOSError,
    ClassAdParseError,
    ClassAdTypeError,
    ClassAdValueError,
):
    _cls.__module__ = "classad"
del _cls
