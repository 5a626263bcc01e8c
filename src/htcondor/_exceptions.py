"""The exception hierarchy of the ``htcondor`` module.

Each class also derives from the built-in exceptions the v1 module raised before 8.9.9, in the
same order as v1, so ``except ValueError`` and friends keep working.
"""

__all__ = [
    "HTCondorException",
    "HTCondorEnumError",
    "HTCondorInternalError",
    "HTCondorIOError",
    "HTCondorLocateError",
    "HTCondorReplyError",
    "HTCondorTypeError",
    "HTCondorValueError",
]


class HTCondorException(Exception):
    """Parent of every exception the htcondor module raises; never raised itself."""


class HTCondorEnumError(HTCondorException, ValueError, NotImplementedError):
    """A value is not a member of the expected enumeration."""


class HTCondorInternalError(HTCondorException, RuntimeError, TypeError, ValueError):
    """An unexpected internal state, a bug, or an EXCEPT/ASSERT inside libcondor_utils."""


class HTCondorIOError(HTCondorException, OSError, RuntimeError, ValueError):
    """A network or file operation failed (retrying may help)."""


class HTCondorLocateError(HTCondorException, OSError, RuntimeError, ValueError):
    """A daemon could not be located."""


class HTCondorReplyError(HTCondorException, RuntimeError, ValueError):
    """A daemon sent back an error or a malformed reply."""


class HTCondorTypeError(HTCondorException, TypeError, RuntimeError, ValueError):
    """An argument has the wrong type."""


class HTCondorValueError(HTCondorException, ValueError, RuntimeError):
    """An argument has a bad value."""


for _cls in (
    HTCondorException,
    HTCondorEnumError,
    HTCondorInternalError,
    HTCondorIOError,
    HTCondorLocateError,
    HTCondorReplyError,
    HTCondorTypeError,
    HTCondorValueError,
):
    _cls.__module__ = "htcondor"
del _cls
