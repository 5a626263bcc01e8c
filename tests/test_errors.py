"""The exception hierarchy and the one translator, branch by branch."""

from __future__ import annotations

import pytest

import htcondor
from htcondor import _core

BASES = {
    "HTCondorException": (Exception,),
    "HTCondorEnumError": (htcondor.HTCondorException, ValueError, NotImplementedError),
    "HTCondorInternalError": (htcondor.HTCondorException, RuntimeError, TypeError, ValueError),
    "HTCondorIOError": (htcondor.HTCondorException, OSError, RuntimeError, ValueError),
    "HTCondorLocateError": (htcondor.HTCondorException, OSError, RuntimeError, ValueError),
    "HTCondorReplyError": (htcondor.HTCondorException, RuntimeError, ValueError),
    "HTCondorTypeError": (htcondor.HTCondorException, TypeError, RuntimeError, ValueError),
    "HTCondorValueError": (htcondor.HTCondorException, ValueError, RuntimeError),
}


@pytest.mark.parametrize("name", sorted(BASES))
def test_exception_bases_match_v1(name):
    cls = getattr(htcondor, name)
    assert cls.__bases__ == BASES[name]
    assert cls.__module__ == "htcondor"
    assert name in htcondor.__all__


# Order of htcpb::ErrorKind in src/cpp/bindings.h.
KINDS = [
    "HTCondorEnumError",
    "HTCondorInternalError",
    "HTCondorIOError",
    "HTCondorLocateError",
    "HTCondorReplyError",
    "HTCondorTypeError",
    "HTCondorValueError",
]


@pytest.mark.parametrize("kind,name", list(enumerate(KINDS)))
def test_translator_maps_each_error_kind(kind, name):
    with pytest.raises(getattr(htcondor, name), match=f"message {kind}") as info:
        _core._test.raise_error(kind, f"message {kind}")
    assert type(info.value) is getattr(htcondor, name)


def test_foreign_cpp_exceptions_fall_through_to_pybind11():
    with pytest.raises(IndexError, match="no such error kind"):
        _core._test.raise_error(99, "x")


def test_except_becomes_internal_error_not_exit():
    with pytest.raises(htcondor.HTCondorInternalError, match="deliberate failure 42"):
        _core._test.trigger_except("deliberate failure 42")
    # The interpreter is alive, the library lock was released by unwinding, and it can be
    # triggered again.
    assert _core._test.lock_is_free()
    with pytest.raises(htcondor.HTCondorInternalError, match="again"):
        _core._test.trigger_except("again")


def test_assert_becomes_internal_error():
    _core._test.trigger_assert(True)
    with pytest.raises(htcondor.HTCondorInternalError, match="Assertion ERROR"):
        _core._test.trigger_assert(False)
    assert _core._test.lock_is_free()
