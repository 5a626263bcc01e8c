"""Property-based fuzzing (hypothesis) of every parser the bindings expose: ClassAd expressions
and documents (new, old, JSON-ish), submit descriptions and queue statements, constraints, job
specs and event logs.  A fixed seed keeps the suite deterministic; every input must either work
or raise a documented exception, never crash or hang."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import classad
import htcondor

# HTCPB_FUZZ_EXAMPLES=N (and HTCPB_FUZZ_RANDOM=1 for fresh inputs) makes a longer run.
EXAMPLES = int(os.environ.get("HTCPB_FUZZ_EXAMPLES", "300"))
DERANDOMIZE = os.environ.get("HTCPB_FUZZ_RANDOM", "") != "1"
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE,
                    suppress_health_check=[HealthCheck.too_slow])

TOKENS = ["[", "]", "{", "}", "(", ")", ";", ",", "=", "==", "=?=", "!", "&&", "||", "+", "-", "*", "/", "%",
          "?", ":", ".", "a", "b", "MY", "TARGET", "parent", "1", "2.5", "1e308", "-9223372036854775808",
          '"s"', '"\\"', "'", "undefined", "error", "true", "strcat(", "size(", "regexp(", "eval(", "absTime(",
          "split(", "stringListMember(", "\\", "\n", " ", "\0", "é", "#", "[a=", "{1,", "/*", "*/"]

token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
text = st.one_of(token_soup, st.text(max_size=200))

CLASSAD_ERRORS = (classad.ClassAdException, KeyError, IndexError, StopIteration, UnicodeError)


@SETTINGS
@given(text)
def test_expressions(s):
    try:
        e = classad.ExprTree(s)
    except classad.ClassAdParseError:
        return
    for op in (lambda: e.eval(), lambda: repr(e), lambda: str(e), lambda: e.simplify(),
               lambda: bool(e), lambda: int(e), lambda: float(e), lambda: e + 1, lambda: e == e,
               lambda: classad.ExprTree(repr(e)).sameAs(e), lambda: e.eval({"a": 1, "b": [1, 2]})):
        try:
            op()
        except (*CLASSAD_ERRORS, ValueError, TypeError):
            pass


@SETTINGS
@given(text)
def test_documents(s):
    for parser in (classad.Parser.Auto, classad.Parser.New, classad.Parser.Old):
        try:
            for ad in classad.parseAds(s, parser):
                repr(ad), ad.printOld(), ad.printJson(), list(ad.items())
        except CLASSAD_ERRORS:
            pass
    try:
        ad = classad.ClassAd(s)
        classad.ClassAd(repr(ad)) == ad
    except CLASSAD_ERRORS:
        pass
    try:
        classad.unquote(s)
    except CLASSAD_ERRORS:
        pass
    assert classad.unquote(classad.quote(s.replace("\0", ""))) == s.replace("\0", "")


SUBMIT_TOKENS = ["executable", "=", "/bin/true", "arguments", "$(Item)", "$(Process)", "queue", "in", "from",
                 "matching", "files", "(", ")", "a", "b,c", "\n", " ", "+Foo", "MY.x", "request_memory",
                 "1GB", "universe", "vanilla", "if", "endif", "$", "$(", "log", "hold", "true", "3", "#", "="]
submit_text = st.one_of(st.lists(st.sampled_from(SUBMIT_TOKENS), max_size=40).map(" ".join), st.text(max_size=200))


@SETTINGS
@given(submit_text)
def test_submit_descriptions(s):
    try:
        sub = htcondor.Submit(s)
    except (htcondor.HTCondorException, UnicodeError):
        return
    str(sub), repr(sub), list(sub.items())
    for op in (lambda: list(sub.itemdata()), lambda: list(sub.jobs(qdate=1)), lambda: sub.expand("executable"),
               lambda: sub.setQArgs(s.splitlines()[0] if s else ""), lambda: list(sub.itemdata(s[:50]))):
        try:
            op()
        except (htcondor.HTCondorException, KeyError, UnicodeError):
            pass


@SETTINGS
@given(st.one_of(text, st.lists(st.text(max_size=10), max_size=4), st.integers(), st.floats(), st.none()))
def test_constraints_and_job_specs(spec):
    from htcondor._schedd import constraint_text, parse_job_spec

    for fn in (constraint_text, parse_job_spec):
        try:
            fn(spec)
        except (htcondor.HTCondorException, classad.ClassAdException):
            pass


LOG_CHUNKS = [
    "000 (1.000.000) 2024-01-15 10:00:00 Job submitted from host: <127.0.0.1:1>\n", "...\n",
    "005 (1.000.000) 2024-01-15 10:00:10 Job terminated.\n", "\t(1) Normal termination (return value 3)\n",
    "012 (001.001.000) 01/15 10:00:00 Job was held.\n", "\tCode 1 Subcode 0\n", "<c>\n", '<a n="Proc"><i>0</i></a>\n',
    "</c>\n", "{\n", '"MyType": "SubmitEvent",\n', "}\n", "garbage\n", "\0\0\0", "999 (x.y.z) bad\n",
]


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LOG_CHUNKS), max_size=30), st.binary(max_size=64))
def test_event_logs(chunks, noise):
    with tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False) as f:
        f.write("".join(chunks).encode() + noise)
        path = f.name
    try:
        for e in htcondor.JobEventLog(path).events(0):
            e.type, str(e), dict(e.items())
    except htcondor.HTCondorIOError:
        pass
    finally:
        os.unlink(path)
