"""A typical use of the classad module; checked with mypy --strict by tests/test_typing.py."""

from __future__ import annotations

import classad


def summarise(text: str) -> dict[str, object]:
    ad = classad.ClassAd(text)
    ad["Extra"] = [1, 2, 3]
    ad.update({"Owner": "alice"})
    expr: classad.ExprTree = ad.lookup("Requirements")
    result: dict[str, object] = {k: ad.eval(k) for k in ad.keys()}
    result["requirements"] = repr(expr)
    result["matches"] = ad.matches(classad.ClassAd({"Memory": 2048}))
    result["n"] = sum(1 for _ in classad.parseAds("[a = 1] [a = 2]", classad.Parser.New))
    return result


def combined(e: classad.ExprTree) -> classad.ExprTree:
    return (e + 1).and_(classad.Attribute("x") > 2)


if __name__ == "__main__":
    print(summarise('[Requirements = TARGET.Memory > 1024; Memory = 4096; Name = "slot1"]'))
    print(combined(classad.ExprTree("a")))
    print(classad.quote("x"), classad.Value.Undefined)
