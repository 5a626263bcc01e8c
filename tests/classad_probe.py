"""Differential probe for the classad module.

Run with any Python that has a v1-style ``classad`` (this project's, or the official v1 of PyPI
``htcondor``): it evaluates a fixed corpus and prints one JSON document of normalised results.
The tests run it under both and compare.  ``import htcondor`` first registers libcondor_utils'
extra ClassAd functions (``stringListMember``, ``split``, ...), as v1 users get them.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import sys

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
import htcondor  # noqa: E402,F401
import classad  # noqa: E402

# --- the corpus -------------------------------------------------------------------------------

BUILTIN_CALLS = [
    # type predicates
    'isUndefined(x)', 'isUndefined(1)', 'isError(1/0)', 'isError(error)', 'isString("a")',
    'isInteger(3)', 'isInteger(3.0)', 'isReal(3.0)', 'isList({1})', 'isClassAd([a=1])',
    'isBoolean(true)', 'isAbsTime(absTime(0))', 'isRelTime(relTime(5))', 'isString(1)',
    # conversions
    'int(3.7)', 'int("42")', 'int("x")', 'int(true)', 'int(undefined)', 'real(3)', 'real("2.5")',
    'real("x")', 'string(3)', 'string(3.5)', 'string(true)', 'string({1,2})', 'bool("true")',
    'bool(0)', 'bool(1.5)', 'bool("nope")', 'int(-3.7)',
    # math
    'floor(3.7)', 'floor(-3.2)', 'ceiling(3.2)', 'ceil(3.2)', 'round(2.5)', 'round(3.5)',
    'round(-2.5)', 'pow(2, 10)', 'pow(2.0, 0.5)', 'pow(2, -1)', 'log(100, 10)', 'log(8, 2)',
    'quantize(7, 5)', 'quantize(7.5, 2)', 'quantize(12, {5, 10, 20})', 'quantize(3, 0)',
    'sum({1, 2, 3})', 'sum({1, 2.5})', 'sum({})', 'avg({1, 2, 3, 4})', 'avg({})',
    'min({3, 1, 2})', 'max({3, 1, 2})', 'min({})', 'max({1, "a"})', 'sum({1, "a"})',
    # strings
    'strcat("a", "b", 3)', 'strcat()', 'strcat("a", undefined)', 'substr("hello", 1)',
    'substr("hello", 1, 3)', 'substr("hello", -3)', 'substr("hello", 1, -1)', 'substr("hi", 10)',
    'strcmp("a", "b")', 'strcmp("b", "a")', 'strcmp("a", "a")', 'stricmp("A", "a")',
    'toUpper("abc")', 'toLower("ABC")', 'size("hello")', 'size({1, 2, 3})', 'size([a=1; b=2])',
    'size(undefined)', 'join(",", {"a", "b"})', 'join(",", "a", "b", "c")', 'join({"x", "y"})',
    'split("a b  c")', 'split("a,b,c", ",")', 'splitUserName("alice@example.com")',
    'splitUserName("alice")', 'splitSlotName("slot1_2@host")', 'splitSlotName("host")',
    'replace("a.c", "a", "x")', 'replaceAll("a", "banana", "o")', 'regexp("^a.*z$", "abcz")',
    'regexp("b+", "abbbc")', 'regexp("(", "x")', 'regexp("A", "a", "i")',
    'regexps("(a)(b)", "ab", "\\\\2\\\\1")', 'regexpMember("^b", {"abc", "bcd"})',
    'unparse(x)', 'unresolved(x)', 'member(2, {1, 2, 3})', 'member("a", {"A"})',
    'identicalMember("a", {"A", "a"})', 'identicalMember(1, {1.0})', 'anyCompare("<", {1, 2}, 2)',
    'allCompare("<", {1, 2}, 3)', 'anyCompare("==", {}, 1)', 'stringListsIntersect("a,b", "b,c")',
    'stringListsIntersect("a,b", "c,d")',
    # HTCondor's additions (libcondor_utils)
    'stringListMember("b", "a,b,c")', 'stringListMember("B", "a,b,c")',
    'stringListIMember("B", "a,b,c")', 'stringListSize("a,b,c")', 'stringListSize("")',
    'stringListSum("1,2,3")', 'stringListAvg("1,2,3")', 'stringListMin("3,1,2")',
    'stringListMax("3,1,2")', 'stringListSubsetMatch("a,b", "a,b,c")',
    'stringListISubsetMatch("A", "a,b")', 'stringList_regexpMember("^a", "abc,def")',
    'countMatches("a", "banana")', 'argsToList("a b c")', 'listToArgs({"a", "b c"})',
    'mergeEnvironment("A=1", "B=2")', 'splitSinful("<127.0.0.1:9618?sock=x>")',
    # versions
    'versioncmp("1.2.3", "1.10")', 'versionGT("2.0", "1.9")', 'versionLE("1.0", "1.0")',
    'versionEQ("1.0", "1.00")', 'versionLT("a", "b")', 'versionGE("1.10", "1.9")',
    'version_in_range("1.5", "1.0", "2.0")',
    # time
    'formatTime(0, "%Y-%m-%d")', 'formatTime(86400 * 365, "%j")', 'getYear(absTime(0))',
    'getMonth(absTime(86400 * 40))', 'getDayOfMonth(absTime(86400 * 40))',
    'getDayOfWeek(absTime(0))', 'getDayOfYear(absTime(86400 * 40))', 'getDays(relTime(90061))',
    'getHours(relTime(90061))', 'getMinutes(relTime(90061))', 'getSeconds(relTime(90061))',
    'interval(90061)', 'interval(0)', 'splitTime(relTime(90061))', 'splitTime(absTime(0))',
    'relTime("1+01:01:01")', 'absTime("2013-11-12T07:50:23")', 'absTime(0)',
    'absTime("nonsense")', 'isInteger(time())', 'isAbsTime(currentTime())',
    'isInteger(timezoneOffset())', 'isInteger(dayTime())', 'isReal(random())',
    'isInteger(random(10))',
    # control, eval, misc
    'ifThenElse(true, 1, 2)', 'ifThenElse(false, 1, 2)', 'ifThenElse(undefined, 1, 2)',
    'ifThenElse("x", 1, 2)', 'eval("1 + 2")', 'eval("1 +")', 'debug(1)', 'ifThenElse(1/0, 1, 2)',
    'nosuchfunction(1)', 'evalInEachContext(x, {[x=1], [x=2]})', 'countMatches(1, {[x=1]})',
]

OPERATORS = [
    '1 + 2', '1 + 2.5', '"a" + 1', '7 / 2', '7.0 / 2', '7 % 3', '-7 % 3', '1 / 0', '1.0 / 0',
    '1 % 0', '2 * 3', '2 - 5', '-(3)', '+(3)', '!true', '!1', '!"x"', '~5', '6 & 3', '6 | 3',
    '6 ^ 3', '1 << 4', '-16 >> 2', '-16 >>> 2', '1 < 2', '2 <= 2', '"a" < "b"', '"A" == "a"',
    '"A" =?= "a"', '"A" is "a"', '1 == 1.0', '1 =?= 1.0', 'undefined == 1', 'undefined =?= undefined',
    'undefined =!= 1', 'undefined isnt undefined', 'error == 1', 'error =?= error', 'true && false',
    'false && error', 'true && undefined', 'false && undefined', 'true || undefined',
    'undefined || true', 'undefined && false', 'error || true', 'true ? 1 : 2', 'undefined ? 1 : 2',
    'error ? 1 : 2', '{1, 2, 3}[1]', '{1, 2, 3}[5]', '[a = 1; b = 2].b', '[a = 1].c',
    '"abc"[1]', 'x + 1', 'x * 0', '1 + undefined', '1 + error', 'undefined + error',
    '{1, 2} == {1, 2}', '{1, 2} =?= {1, 2}', '[a=1] == [a=1]', 'true == 1', '1e3', '0x10', '1.5e-3',
    '"\\t"', '"\\u00e9"', '9223372036854775807 + 1', '-9223372036854775807 - 2',
    'relTime(60) + relTime(30)', 'absTime(0) + relTime(60)', 'absTime(60) - absTime(0)',
    'absTime(0) < absTime(1)', 'relTime(60) * 2', 'true + 1', '"1" + 1', 'strcat("a") == "A"',
]

SCOPED = [
    # (ad, expression)
    ('[a = 1; b = a + 1; c = b * 2]', 'c'),
    ('[a = 1; b = a + 1; c = b * 2]', 'c + missing'),
    ('[a = b; b = a]', 'a'),
    ('[x = 5; y = [x = 7; z = x]]', 'y.z'),
    ('[x = 5; y = [z = parent.x]]', 'y.z'),
    ('[l = {1, 2, 3}; s = size(l)]', 's'),
    ('[Name = "slot1@host"; Memory = 2048]', 'Memory > 1024 && regexp("slot", Name)'),
    ('[a = "x"]', 'MY.a'),
    ('[a = "x"]', 'TARGET.a'),
    ('[A = 1]', 'a'),
    ('[s = "a,b,c"]', 'stringListMember("b", s)'),
    ('[t = 10]', 'ifThenElse(t > 5, "big", "small")'),
    ('[x = undefined]', 'x =?= undefined'),
    ('[x = error]', 'isError(x)'),
]

DOCUMENTS = [
    '[a = 1; b = a + 2; c = "x"; d = undefined; e = b > 2 ? "yes" : "no"; f = {1, "two", 3.5}; '
    'g = [h = 1]; i = error; j = strcat(c, "y"); k = real(7)/2; l = true && false]',
    '[ Requirements = TARGET.Memory > 1024; Rank = Memory; Memory = 4096; Name = "slot1" ]',
    '[ a = {[b = 1], [b = 2]}; c = a[0].b + a[1].b ]',
    '[ s = "quote \\" and backslash \\\\ and tab \\t"; u = "\\u00fc" ]',
    '[ big = 9223372036854775807; small = -9223372036854775808; r = 1.0e308; tiny = 1.0e-308 ]',
    '[ t = absTime("2020-02-29T12:00:00"); d = relTime(3725) ]',
    '[ nested = [ inner = [ deepest = {1, {2, 3}} ] ] ]',
    '[]',
]

OLD_DOCUMENTS = [
    'MyType = "Job"\nClusterId = 12\nCmd = "/bin/sleep"\nRequirements = (Memory > 10) && (Arch == "X86_64")\n',
    'A = 1\nB = A + 1\n# comment\nC = "str"\n\nA = 2\n\n\nD = undefined\n',
    'X = {1, 2}\nY = [a = 1]\n',
]

PY_VALUES = {
    "none": None, "true": True, "false": False, "int": 42, "neg": -7, "big": 2**62,
    "float": 1.5, "nan_free": 1e100, "str": "hello", "quote": 'a "q" \\ b', "empty": "",
    "bytes": b"raw", "list": [1, "two", 3.0, None, [4]], "tuple": (1, 2), "dict": {"a": 1, "b": [2]},
    "datetime": datetime.datetime(2020, 1, 2, 3, 4, 5), "expr": "EXPR:a + 1",
}

QUOTE_INPUTS = ['foo', '"foo', 'a "b" \\ c', '', 'tab\there', 'new\nline', 'unicode é']
UNQUOTE_INPUTS = ['"foo"', '"a \\"b\\""', '"tab\\there"', 'foo', '1', '"unterminated', '""']

EXPR_CONVERSIONS = ['1.0 + 3.6', '"34"', '"34.foo"', 'undefined', 'error', '"abc"', 'true', '2 > 1',
                    'x', '1/0', '-2.5', '"  7"']


# --- normalisation ----------------------------------------------------------------------------

def norm(x):
    if isinstance(x, classad.Value):
        return "Value." + x.name
    if isinstance(x, classad.ExprTree):
        return "Expr:" + repr(x)
    if isinstance(x, classad.ClassAd):
        return "Ad:" + repr(x)
    if isinstance(x, bool):
        return ["bool", x]
    if isinstance(x, int):
        return ["int", x]
    if isinstance(x, float):
        return ["float", repr(x)]
    if isinstance(x, str):
        return ["str", x]
    if isinstance(x, datetime.datetime):
        return ["datetime", x.isoformat()]
    if isinstance(x, dict):
        return ["dict", {k: norm(v) for k, v in x.items()}]
    if isinstance(x, (list, tuple)):
        return ["list", [norm(v) for v in x]]
    return ["other", type(x).__name__, repr(x)]


def attempt(fn):
    try:
        return norm(fn())
    except Exception as e:  # noqa: BLE001 - the exception class is the result
        return "EXC:" + type(e).__name__


def py_value(v):
    if isinstance(v, str) and v.startswith("EXPR:"):
        return classad.ExprTree(v[5:])
    return v


def probe():
    out = {}
    out["builtins"] = {e: attempt(lambda e=e: classad.ExprTree(e).eval()) for e in BUILTIN_CALLS}
    out["operators"] = {e: attempt(lambda e=e: classad.ExprTree(e).eval()) for e in OPERATORS}
    out["unparse"] = {e: attempt(lambda e=e: repr(classad.ExprTree(e))) for e in BUILTIN_CALLS + OPERATORS}
    out["scoped"] = {f"{a} :: {e}": attempt(lambda a=a, e=e: classad.ExprTree(e).eval(classad.ClassAd(a)))
                     for a, e in SCOPED}
    docs = {}
    for d in DOCUMENTS:
        r = {}
        # Kept alive on purpose: v1's ExprTrees from items()/values() point into the ad and
        # crash once a temporary ad is gone (a v1 bug this module does not have; see
        # test_classad.py::test_expressions_outlive_a_temporary_ad).
        ad = classad.ClassAd(d)
        r["str"] = attempt(lambda: str(classad.ClassAd(d)))
        r["repr"] = attempt(lambda: repr(classad.ClassAd(d)))
        r["printOld"] = attempt(lambda: classad.ClassAd(d).printOld())
        r["printJson"] = attempt(lambda: classad.ClassAd(d).printJson())
        r["keys"] = attempt(lambda: list(classad.ClassAd(d).keys()))
        r["items"] = attempt(lambda: list(ad.items()))
        r["values"] = attempt(lambda: list(ad.values()))
        r["eval"] = attempt(lambda: {k: attempt(lambda k=k: ad.eval(k)) for k in ad})
        r["lookup"] = attempt(lambda: {k: repr(ad.lookup(k)) for k in ad})
        r["len"] = attempt(lambda: len(classad.ClassAd(d)))
        r["parseAds"] = attempt(lambda: [repr(a) for a in classad.parseAds(d + "\n" + d)])
        r["parseOne"] = attempt(lambda: repr(classad.parseOne(d)))
        r["parseNext"] = attempt(lambda: repr(classad.parseNext(d)))
        docs[d] = r
    out["documents"] = docs
    old = {}
    for d in OLD_DOCUMENTS:
        old[d] = {
            "auto": attempt(lambda: [repr(a) for a in classad.parseAds(d)]),
            "old": attempt(lambda: [repr(a) for a in classad.parseAds(d, classad.Parser.Old)]),
            "one": attempt(lambda: repr(classad.parseOne(d, classad.Parser.Old))),
            "file": attempt(lambda: [repr(a) for a in classad.parseAds(io.StringIO(d))]),
        }
    out["old"] = old
    conv = {}
    for name, value in PY_VALUES.items():
        v = py_value(value)
        conv[name] = {
            "item": attempt(lambda v=v: classad.ClassAd({"k": v})["k"]),
            "repr": attempt(lambda v=v: repr(classad.ClassAd({"k": v}))),
            "literal": attempt(lambda v=v: repr(classad.Literal(v))),
            "eq_self": attempt(lambda v=v: classad.ClassAd({"k": v}) == classad.ClassAd({"k": v})),
        }
    out["conversions"] = conv
    out["quote"] = {s: attempt(lambda s=s: classad.quote(s)) for s in QUOTE_INPUTS}
    out["roundtrip"] = {s: attempt(lambda s=s: classad.unquote(classad.quote(s)) == s) for s in QUOTE_INPUTS}
    out["unquote"] = {s: attempt(lambda s=s: classad.unquote(s)) for s in UNQUOTE_INPUTS}
    out["int"] = {e: attempt(lambda e=e: int(classad.ExprTree(e))) for e in EXPR_CONVERSIONS}
    out["float"] = {e: attempt(lambda e=e: float(classad.ExprTree(e))) for e in EXPR_CONVERSIONS}
    out["bool"] = {e: attempt(lambda e=e: bool(classad.ExprTree(e))) for e in EXPR_CONVERSIONS}
    e = classad.ExprTree("a")
    out["builders"] = {
        "add": attempt(lambda: repr(e + 1)), "radd": attempt(lambda: repr(1 + e)),
        "eq": attempt(lambda: repr(e == 3)), "ne": attempt(lambda: repr(e != "x")),
        "lt": attempt(lambda: repr(e < 2.5)), "and": attempt(lambda: repr(e.and_(True))),
        "or": attempt(lambda: repr(e.or_(classad.ExprTree("b")))), "is": attempt(lambda: repr(e.is_(None))),
        "isnt": attempt(lambda: repr(e.isnt_(classad.Value.Error))), "mul": attempt(lambda: repr(e * 2)),
        "sub": attempt(lambda: repr(e - 2)), "div": attempt(lambda: repr(e / 2)), "mod": attempt(lambda: repr(e % 2)),
        "band": attempt(lambda: repr(e & 1)), "bor": attempt(lambda: repr(e | 1)), "xor": attempt(lambda: repr(e ^ 1)),
        "lshift": attempt(lambda: repr(e << 1)), "rshift": attempt(lambda: repr(e >> 1)),
        "attribute": attempt(lambda: repr(classad.Attribute("foo") == 3)),
        "function": attempt(lambda: repr(classad.Function("strcat", "a", classad.Attribute("b"), 3))),
        "literal_expr": attempt(lambda: repr(classad.Literal(classad.ExprTree("1 + 2")))),
        "eq_object": attempt(lambda: repr(e == object())),
        "sameAs": attempt(lambda: classad.ExprTree("a + 1").sameAs(classad.ExprTree("a+1"))),
        "simplify": attempt(lambda: repr(classad.ExprTree("1 + 2 * 3").simplify())),
        "subscript": attempt(lambda: classad.ExprTree("{1, 2, 3}")[1]),
        "subscript_str": attempt(lambda: classad.ExprTree('"abc"')[0]),
        "flatten": attempt(lambda: repr(classad.ClassAd("[a = 1; b = a + x]").flatten(classad.ExprTree("b")))),
        "matches": attempt(lambda: classad.ClassAd("[Requirements = TARGET.x == 1]").matches(classad.ClassAd("[x = 1]"))),
        "symmetric": attempt(lambda: classad.ClassAd("[Requirements = TARGET.x == 1; y = 2]").symmetricMatch(
            classad.ClassAd("[x = 1; Requirements = TARGET.y == 2]"))),
        "ad_eq_dict": attempt(lambda: classad.ClassAd({"a": 1}) == {"a": 1}),
        "ad_str_vs_int": attempt(lambda: classad.ClassAd({"foo": "2"}) == classad.ClassAd({"foo": 2})),
    }
    errors = {}
    for text in ['[a = ]', '[a = 1', 'a = 1', '[a = "x]', '[a = 1;; b = 2]']:
        errors[text] = attempt(lambda text=text: classad.ClassAd(text))
    for text in ['1 +', '(', '"abc', 'a b']:
        errors["expr:" + text] = attempt(lambda text=text: classad.ExprTree(text))
    errors["keyerror"] = attempt(lambda: classad.ClassAd()["missing"])
    errors["bad_value"] = attempt(lambda: classad.ClassAd({"k": object()}))
    errors["huge_int"] = attempt(lambda: classad.ClassAd({"k": 2**70}))
    errors["bool_error"] = attempt(lambda: bool(classad.ExprTree("error")))
    errors["int_undefined"] = attempt(lambda: int(classad.Value.Undefined))
    out["errors"] = errors
    return out


if __name__ == "__main__":
    json.dump(probe(), sys.stdout, indent=1, sort_keys=True)
