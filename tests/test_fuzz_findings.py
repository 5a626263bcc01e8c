"""Regressions for what the fuzzers (tests/test_fuzz.py, tests/test_atheris.py) found: each input
used to crash (segfault, abort), hang or raise an undocumented exception.  Each case runs in a
subprocess of its own with a timeout, so that a regression is a failed test, not a dead suite."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def run(code: str, timeout: float = 60) -> str:
    env = dict(os.environ, CONDOR_CONFIG="/dev/null")
    try:
        res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                             timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung (killed after {timeout} s)")
    assert res.returncode == 0, f"exit status {res.returncode}\n{res.stdout}\n{res.stderr[-3000:]}"
    return res.stdout


@pytest.mark.parametrize("text", [
    "y = $INT(y)",                        # stack overflow in evaluate_macro_func (segfault)
    "a = $INT(b)\nb = $INT(a)",           # the same through two macros
    "a = $(b)\nb = $(a)",                 # expand_macro looped for ever
    "y = $RANDOM_CHOICE($(y))",           # looped for ever
    "a = $(b:$(a))",                      # a default that refers back
    "a = x $(b)\nb = $(c) y\nc = $Fn(a)",  # a longer cycle
])
def test_macro_cycles_are_refused(text):
    out = run(f"""
        import htcondor
        sub = htcondor.Submit({text!r} + "\\nexecutable = /bin/true\\narguments = $({text.split()[0]})\\n")
        for call in (lambda: sub.expand({text.split()[0]!r}), lambda: list(sub.jobs(qdate=1))):
            try:
                call()
            except htcondor.HTCondorValueError as e:
                assert "cycle" in str(e), e
                print("refused:", e)
            else:
                raise AssertionError("not refused")
    """)
    assert out.count("refused:") == 2
    assert " -> " in out


def test_macros_that_are_not_cycles_still_expand():
    out = run("""
        import htcondor
        sub = htcondor.Submit("executable = /bin/true\\nx = $(x) more\\nbase = 7\\nn = $INT(base)\\n"
                              "arguments = $(n) $CHOICE(Process, a, b) $(missing:dflt) $$(Memory)\\na = 1\\n")
        args = [ad["Args"] for ad in sub.jobs(count=2, qdate=1)]
        print(args)
        assert args == ["7 a dflt $$(Memory)", "7 b dflt $$(Memory)"], args
    """)
    assert "7 a dflt" in out


def test_unit_separated_items_with_an_empty_last_field():
    # SubmitForeachArgs::split_item appended fields until std::bad_alloc here.
    out = run("""
        import htcondor
        sub = htcondor.Submit("executable = /bin/echo\\narguments = [$(x)] [$(y)]\\n")
        rows = [ad["Args"] for ad in sub.jobs(itemdata=iter([{"x": "a"}]), qdate=1)]
        sub = htcondor.Submit("executable = /bin/echo\\narguments = [$(x)] [$(y)]\\nqueue x, y in (a\\x1f)\\n")
        print([ad["Args"] for ad in sub.jobs(qdate=1)])
    """)
    assert "[a] []" in out


def test_deep_expressions_are_refused_not_overflowing_the_stack():
    out = run("""
        import classad
        for text in ["a" + ".b" * 50000, "1" + " + 1" * 50000, "- " * 50000 + "1", "x" + "[0]" * 50000]:
            try:
                classad.ExprTree(text).eval()
            except classad.ClassAdParseError as e:
                assert "nested" in str(e), e
                print("refused")
        try:
            classad.ClassAd("[a = " + "1 + " * 50000 + "1]")
        except classad.ClassAdParseError:
            print("refused")
        print(classad.ExprTree("1" + " + 1" * 1000).eval())
    """)
    assert out.split() == ["refused"] * 5 + ["1001"]


def test_text_that_is_not_utf8():
    out = run("""
        import classad, htcondor
        bad = b"caf\\xe9".decode("utf-8", "surrogateescape")  # what os.fsdecode makes of Latin-1 bytes
        for fn in (classad.ExprTree, classad.ClassAd, classad.quote, htcondor.Submit):
            try:
                fn(bad)
            except UnicodeEncodeError:
                print("refused")
        ad = classad.parseOne(b'[s = "caf\\xe9"]')
        print(repr(ad) == repr(ad), str(ad).count("caf"), ad.printJson().count("caf"))
    """)
    assert out.split()[:4] == ["refused"] * 4
    assert out.split()[4:] == ["True", "1", "1"]


def test_item_values_do_not_dangle_after_a_failed_job():
    # Live item variables pointed into the rows' strings; an error in a later row's job ad left
    # them pointing at freed memory, read by the next items()/expand() (ASan: heap-use-after-free).
    out = run("""
        import htcondor
        sub = htcondor.Submit("executable = /bin/true\\nrequest_memory = $(m)\\narguments = $(a)\\n")
        rows = [{"m": "10", "a": "x" * 100}, {"m": "not a number (", "a": "y" * 100}]
        try:
            list(sub.jobs(itemdata=iter(rows), qdate=1))
        except htcondor.HTCondorException as e:
            print("refused:", type(e).__name__)
        print(sorted(k for k, v in sub.items()), repr(sub.expand("arguments")))
    """)
    assert "refused: HTCondorValueError" in out
    assert "'a', 'arguments'" in out and "''" in out.splitlines()[-1]


def test_simplify_and_literal_of_lists_and_ads():
    # Literal::MakeLiteral returns null for list and ad values; simplify() of "[]" crashed.
    out = run("""
        import classad
        print(classad.ExprTree("[]").simplify().eval(), classad.ExprTree("{1, 2}").simplify().eval(),
              classad.ExprTree("[a = 1; b = 2]").simplify().eval()["b"],
              classad.Literal(classad.ExprTree('ifThenElse(true, {"a", "b"}, 0)')).eval())
    """)
    assert out.splitlines()[0] == "{} [1, 2] 2 ['a', 'b']"


def test_xml_event_log_with_text_inside_a_list(tmp_path):
    # libclassad's XML parser loops for ever on text directly inside <l> (100% CPU, no return).
    log = tmp_path / "bad.xml"
    log.write_bytes(b'<c>Su <a n="EventTypeNumber"><l>4<\xff>\n<c>012 \n...\nEventTypeNumber><i>2')
    out = run(f"""
        import htcondor
        try:
            with htcondor.JobEventLog({str(log)!r}) as jel:
                print(list(jel.events(0)))
        except htcondor.HTCondorIOError as e:
            print("refused:", e)
    """, timeout=30)
    assert "refused:" in out and "inside a list element" in out


def test_constraint_text_that_unparses_badly_is_sent_as_written():
    from htcondor._schedd import constraint_text

    import classad

    text = constraint_text("1      .A")
    classad.ExprTree(text)  # what is sent parses
