"""Coverage-guided fuzzing (atheris, libFuzzer) of every parser the bindings expose.

    python tests/fuzz/atheris_harness.py TARGET [libFuzzer options] [corpus directories]
    python tests/fuzz/atheris_harness.py --list

``HTCPB_FUZZ_LAST=FILE`` writes each input to FILE before running it: after a segfault (which
libFuzzer cannot catch in a process without a sanitizer runtime) FILE holds the input.

One harness, one target per run (``--list`` names them).  Each target feeds the fuzzer's bytes to
one family of parsers and then uses what came out (printing, evaluating, round trips).  An input
may work or raise one of the exceptions the API documents for bad input (``classad.ClassAd*Error``,
``htcondor.HTCondor*Error``, and the few built-in ones listed per target); any other exception is
reported by atheris as a crash, and so are segfaults, aborts, hangs (``-timeout``) and memory
blow-ups (``-rss_limit_mb``).  Text that is not valid UTF-8 is tried twice: decoded with
``replace`` (the parsers see it all), and once as a ``str`` with lone surrogates, which must give
``UnicodeEncodeError`` (as in v1) or a documented error.

Coverage feedback comes from the Python layer of ``htcondor`` and ``classad`` (instrumented at
import) and atheris' comparison hooks; the native libraries are not built with libFuzzer
instrumentation, so inside them the mutations are blind (guided by the seed corpus,
``tests/fuzz/corpus/TARGET``).

The first corpus directory given is where libFuzzer writes new inputs: pass a scratch directory
first and the seed directory second to leave the seeds untouched (``tests/test_atheris.py`` and
``ci/fuzz.sh`` do).

Inputs never run commands: submit descriptions containing ``|``, ``include`` or ``$ENV`` are only
parsed far enough to be refused (the submit language runs ``include : cmd |`` and ``queue from
cmd |``, as condor_submit does).  The process works in a scratch directory of its own.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
import tempfile
import warnings
from typing import Callable

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")  # no pool needed
warnings.simplefilter("ignore")  # Submit warns about some descriptions; not a failure

import atheris  # noqa: E402

with atheris.instrument_imports(include=["classad", "htcondor"]):
    import classad  # noqa: E402
    import htcondor  # noqa: E402
    from htcondor._schedd import constraint_text, parse_job_spec  # noqa: E402

import numpy  # noqa: E402,F401  (columns need it; imported here so a missing numpy fails at once)

SCRATCH = tempfile.mkdtemp(prefix="htcpb-fuzz-")  # under $TMPDIR; libFuzzer exits without cleanup
EVENT_LOG = os.path.join(SCRATCH, "fuzz.log")
TOKEN_DIR = os.path.join(SCRATCH, "tokens.d")
htcondor.param["SEC_TOKEN_DIRECTORY"] = TOKEN_DIR


def enter_scratch() -> None:
    """Work in the scratch directory: "queue matching *" globs there, "queue from file" reads there."""
    os.chdir(SCRATCH)
    for name in ("a.txt", "b.dat"):
        with open(name, "w") as f:
            f.write("x\n")
    os.makedirs("dir", exist_ok=True)


CLASSAD_ERRORS: tuple[type[BaseException], ...] = (classad.ClassAdException,)
HTCONDOR_ERRORS: tuple[type[BaseException], ...] = (htcondor.HTCondorException, classad.ClassAdException)


def texts(data: bytes) -> tuple[str, "str | None"]:
    """The input as text the parsers can take, and (when the bytes are not UTF-8) the same bytes
    as a str with lone surrogates, which the bindings must refuse cleanly."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), data.decode("utf-8", "surrogateescape")


def refused(fn: Callable[[], object], allowed: tuple[type[BaseException], ...]) -> None:
    """Run `fn`; an allowed exception is a clean refusal, anything else propagates (a finding)."""
    try:
        fn()
    except allowed:
        pass


def surrogates(bad: "str | None", fn: Callable[[str], object], allowed: tuple[type[BaseException], ...]) -> None:
    if bad is not None:
        refused(lambda: fn(bad), allowed + (UnicodeEncodeError,))


# -- ClassAd expressions ---------------------------------------------------------------------

SCOPE = {"a": 1, "b": [1, 2, {"c": "x"}], "s": "str"}


def fuzz_expr(data: bytes) -> None:
    text, bad = texts(data)
    surrogates(bad, classad.ExprTree, CLASSAD_ERRORS)
    try:
        e = classad.ExprTree(text)
    except classad.ClassAdParseError:
        return
    r = repr(e)
    # The unparse re-parses (it is not always a fixed point: "-\v0" unparses as " -0", which
    # re-parses as "-0"; not a defect).
    classad.ExprTree(r)
    str(e), hash(e)
    # Conversions that can fail on the value: documented as ClassAd*Error (and v1's built-in
    # bases); int()/float() of a value out of range for Python's conversion give OverflowError
    # only from float('inf') -> int, which is Python's own rule.
    for op in (e.eval, e.simplify, lambda: bool(e), lambda: int(e), lambda: float(e), lambda: e.eval(SCOPE),
               lambda: e + 1, lambda: e == e, lambda: e.and_(True), lambda: e[0], lambda: e._get(0),
               lambda: classad.ClassAd({"x": e}).eval("x"), lambda: classad.ClassAd({"x": e}).printJson()):
        refused(op, CLASSAD_ERRORS + (IndexError, OverflowError))


# -- ClassAd documents: new, old and JSON-ish text through every parser ------------------------

def _use_ad(ad: "classad.ClassAd") -> None:
    repr(ad), ad.printOld(), ad.printJson(), list(ad.items()), len(ad)
    for k in list(ad.keys())[:20]:
        refused(lambda: ad.eval(k), CLASSAD_ERRORS)
        refused(lambda: ad[k], CLASSAD_ERRORS)
    # The new-syntax text of an ad parses back to an equal ad.
    again = classad.ClassAd(repr(ad))
    assert len(again) == len(ad), (repr(ad), repr(again))


def fuzz_classad(data: bytes) -> None:
    text, bad = texts(data)
    surrogates(bad, classad.ClassAd, CLASSAD_ERRORS)
    for parser in (classad.Parser.Auto, classad.Parser.New, classad.Parser.Old):
        surrogates(bad, lambda s: list(classad.parseAds(s, parser)), CLASSAD_ERRORS)

        def parse_all() -> None:
            for n, ad in enumerate(classad.parseAds(text, parser)):
                _use_ad(ad)
                if n > 50:
                    break

        refused(parse_all, CLASSAD_ERRORS)
        refused(lambda: _use_ad(classad.parseOne(text, parser)), CLASSAD_ERRORS)
        refused(lambda: _use_ad(classad.parseNext(text, parser)), CLASSAD_ERRORS + (StopIteration,))
        # Files: text and binary, parseNext leaves the file after the ad it read.
        f = io.StringIO(text)
        refused(lambda: [classad.parseNext(f, parser) for _ in range(3)], CLASSAD_ERRORS + (StopIteration,))
        b = io.BytesIO(data)
        refused(lambda: list(classad.parseAds(b, parser)), CLASSAD_ERRORS)
    try:
        ad = classad.ClassAd(text)
    except classad.ClassAdParseError:
        return
    _use_ad(ad)


def fuzz_unquote(data: bytes) -> None:
    text, bad = texts(data)
    surrogates(bad, classad.unquote, CLASSAD_ERRORS)
    surrogates(bad, classad.quote, CLASSAD_ERRORS)
    refused(lambda: classad.unquote(text), CLASSAD_ERRORS)
    if "\0" not in text:
        assert classad.unquote(classad.quote(text)) == text, text


# -- Submit descriptions and queue statements ------------------------------------------------

_RUNS_COMMANDS = re.compile(r"\||include|\$env", re.IGNORECASE)


def _safe(text: str) -> bool:
    return _RUNS_COMMANDS.search(text) is None


def _use_submit(sub: "htcondor.Submit") -> None:
    str(sub), repr(sub), list(sub.items())
    for k in list(sub.keys())[:20]:
        refused(lambda: sub.expand(k), HTCONDOR_ERRORS)
    names, rows, count = sub._h.itemdata("", True)  # how many ads jobs() would make
    refused(lambda: list(sub.itemdata()), HTCONDOR_ERRORS)
    if max(count, 1) * max(len(rows), 1) <= 20:
        refused(lambda: list(sub.jobs(qdate=1, owner="fuzz")), HTCONDOR_ERRORS)
        refused(lambda: list(sub.procs(qdate=1, owner="fuzz")), HTCONDOR_ERRORS)


def fuzz_submit(data: bytes) -> None:
    text, bad = texts(data)
    if not _safe(text):
        return
    surrogates(bad, htcondor.Submit, HTCONDOR_ERRORS)
    try:
        sub = htcondor.Submit(text)
    except htcondor.HTCondorException:
        return
    refused(lambda: _use_submit(sub), HTCONDOR_ERRORS)


BASE_SUBMIT = "executable = /bin/echo\narguments = $(Item) $(x) $(y)\nlog = job.log\n"


def fuzz_queue(data: bytes) -> None:
    text, bad = texts(data)
    if not _safe(text):
        return
    sub = htcondor.Submit(BASE_SUBMIT)
    surrogates(bad, sub.itemdata, HTCONDOR_ERRORS)
    surrogates(bad, sub.setQArgs, HTCONDOR_ERRORS)
    refused(lambda: list(sub.itemdata(text)), HTCONDOR_ERRORS)

    def with_qargs() -> None:
        sub.setQArgs(text)
        sub.getQArgs()
        _use_submit(sub)

    refused(with_qargs, HTCONDOR_ERRORS)
    # The statement as the last line of a description, with inline items after it.
    refused(lambda: _use_submit(htcondor.Submit(BASE_SUBMIT + "queue " + text)), HTCONDOR_ERRORS)


# -- constraints and job specs ---------------------------------------------------------------

def fuzz_constraint(data: bytes) -> None:
    text, bad = texts(data)
    for fn in (constraint_text, parse_job_spec):
        surrogates(bad, fn, HTCONDOR_ERRORS)
        refused(lambda: fn(text), HTCONDOR_ERRORS)
    refused(lambda: parse_job_spec(text.split()), HTCONDOR_ERRORS)
    refused(lambda: parse_job_spec(text.split(",")), HTCONDOR_ERRORS)
    try:
        c = constraint_text(text)
    except htcondor.HTCondorException:
        return
    if c:
        classad.ExprTree(c)  # what is sent to a schedd parses


# -- job event logs --------------------------------------------------------------------------

def fuzz_eventlog(data: bytes) -> None:
    with open(EVENT_LOG, "wb") as f:
        f.write(data)

    def read() -> None:
        with htcondor.JobEventLog(EVENT_LOG) as log:
            for n, e in enumerate(log.events(0)):
                e.type, e.cluster, e.proc, e.timestamp, str(e), repr(e), dict(e.items()), len(e)
                refused(lambda: e["MyType"], (KeyError,))
                if n > 200:
                    break

    refused(read, HTCONDOR_ERRORS)

    def columns() -> None:
        log = htcondor.JobEventLog(EVENT_LOG)
        try:
            log.columns()
        finally:
            log.close()
        log = htcondor.JobEventLog(EVENT_LOG)
        try:
            log.columns(["EventTypeNumber", "Cluster", "ReturnValue", "Nonexistent"])
        finally:
            log.close()

    refused(columns, HTCONDOR_ERRORS)


# -- tokens ----------------------------------------------------------------------------------

def fuzz_token(data: bytes) -> None:
    """``Token(contents).write(tokenfile)``: the first line names the file, the rest is the token."""
    raw_name, _, raw_contents = data.partition(b"\n")
    name, bad_name = texts(raw_name)
    contents, bad_contents = texts(raw_contents)
    try:
        if bad_contents is not None:
            refused(lambda: htcondor.Token(bad_contents).write("bad"), HTCONDOR_ERRORS + (UnicodeEncodeError,))
        if bad_name is not None:
            refused(lambda: htcondor.Token("t").write(bad_name), HTCONDOR_ERRORS + (UnicodeEncodeError,))
        token = htcondor.Token(contents)
        assert repr(token) == "<htcondor.Token (contents hidden)>", repr(token)  # never shows the secret
        try:
            token.write(name or None)
        except HTCONDOR_ERRORS:
            return
        path = os.path.join(TOKEN_DIR, name or "python_generated_tokens")
        with open(path, newline="") as f:  # "\r" in a token stays "\r"
            assert f.read() == contents.strip() + "\n"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)
        assert stat.S_IMODE(os.stat(TOKEN_DIR).st_mode) == 0o700, oct(os.stat(TOKEN_DIR).st_mode)
    finally:
        shutil.rmtree(TOKEN_DIR, ignore_errors=True)


# -- columns of ads --------------------------------------------------------------------------

def fuzz_columns(data: bytes) -> None:
    text, _ = texts(data)
    head, _, body = text.partition("\n")
    projection = head.split()[:8]
    try:
        ads = list(classad.parseAds(body))[:50]
    except classad.ClassAdException:
        return
    for proj in (None, projection or None):  # an empty projection means every attribute
        try:
            cols = htcondor.ads_to_columns(ads, proj)
        except HTCONDOR_ERRORS:
            continue
        for name, col in cols.items():
            assert len(col) == len(ads), (name, len(col), len(ads))
        if proj is not None:
            # Attribute names are case-insensitive: one column per name, as first spelled.
            wanted: list[str] = []
            for name in proj:
                if name.lower() not in {w.lower() for w in wanted}:
                    wanted.append(name)
            assert [c.lower() for c in cols] == [w.lower() for w in wanted], (list(cols), proj)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "expr": fuzz_expr,
    "classad": fuzz_classad,
    "unquote": fuzz_unquote,
    "submit": fuzz_submit,
    "queue": fuzz_queue,
    "constraint": fuzz_constraint,
    "eventlog": fuzz_eventlog,
    "token": fuzz_token,
    "columns": fuzz_columns,
}


def _without_library_sleep() -> None:
    """Re-run this process with tests/fuzz/no_sleep.c preloaded (built with cc on first use):
    the event-log reader sleeps a second before retrying a malformed event.  Skipped when
    HTCPB_FUZZ_SLEEP=1 or when no C compiler is found (event logs are then fuzzed slowly)."""
    if os.environ.get("HTCPB_FUZZ_SLEEP") == "1" or os.environ.get("_HTCPB_NO_SLEEP"):
        return
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "no_sleep.c")
    lib = os.path.join(tempfile.gettempdir(), f"htcpb-no-sleep-{os.getuid()}-{os.stat(src).st_mtime_ns}.so")
    if not os.path.exists(lib):
        tmp = f"{lib}.{os.getpid()}"
        import subprocess

        if subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", tmp, src]).returncode != 0:
            return
        os.replace(tmp, lib)
    env = dict(os.environ, _HTCPB_NO_SLEEP="1")
    # After the ASan runtime when there is one (ci/asan.sh moves it to HTCPB_ASAN_PRELOAD).
    asan = env.get("LD_PRELOAD") or env.get("HTCPB_ASAN_PRELOAD", "")
    env["LD_PRELOAD"] = " ".join(p for p in (asan, lib) if p)
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "--list":
        print("\n".join(TARGETS))
        return
    target = sys.argv[1]
    if target not in TARGETS:
        sys.exit(f"unknown target {target!r}; one of: {', '.join(TARGETS)}")
    fn = TARGETS[target]
    last = os.environ.get("HTCPB_FUZZ_LAST")
    if last:  # each input written before it runs: the one a segfault leaves there is the culprit
        inner = fn

        def fn(data: bytes) -> None:
            with open(last, "wb") as f:
                f.write(data)
            inner(data)

    _without_library_sleep()
    # Corpus directories and artifact paths are the caller's: make them absolute before moving
    # into the scratch directory.
    argv = [sys.argv[0]]
    for a in sys.argv[2:]:
        if not a.startswith("-"):
            a = os.path.abspath(a)
        else:
            for opt in ("-artifact_prefix=", "-exact_artifact_path=", "-dict="):
                if a.startswith(opt):
                    value = a[len(opt):]
                    a = opt + os.path.abspath(value) + ("/" if value.endswith("/") else "")
        argv.append(a)
    enter_scratch()
    atheris.Setup(argv, fn)
    atheris.Fuzz()

if __name__ == "__main__":
    main()
