"""The documentation: it builds with warnings as errors without importing the compiled extension,
documents every public name of ``htcondor`` and ``classad`` (checked against the real, imported
package), and every Python example in it runs against the personal pool.

Examples are the ``.. code-block:: python`` blocks of ``docs/**/*.rst`` and of the package's
docstrings.  Each runs as a script of its own in a fresh directory, with ``CONDOR_CONFIG``
pointing at the session's pool.  A block that is deliberately not runnable (it shows a pool that
does not exist, say) carries the option ``:class: no-run``; there are only a few.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import os
import re
import subprocess
import sys
import textwrap
import types
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import classad
import htcondor
import htcondor.personal

DOCS = Path(__file__).parent.parent / "docs"
MODULES = ["htcondor", "classad", "htcondor.personal"]
MAX_NO_RUN = 5


def _source_root() -> Path:
    """What the docs are built from: the checkout's ``src/`` when it sits beside ``docs/``, else
    the installed package (the same sources the imported package runs)."""
    checkout = DOCS.parent / "src"
    if (checkout / "htcondor" / "__init__.py").is_file():
        return checkout
    return Path(htcondor.__file__).resolve().parent.parent


SRC = _source_root()

# Importing either package fails inside the docs build: proof that the build does not need them.
_BLOCKER = """
import sys

class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("htcondor", "classad"):
            raise ImportError(f"the docs build must not import {name}")
        return None

sys.meta_path.insert(0, _Blocker())
"""


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs-html")
    site = tmp_path_factory.mktemp("docs-site")
    (site / "sitecustomize.py").write_text(_BLOCKER)
    env = dict(os.environ, HTCPB_DOCS_SRC=str(SRC), PYTHONPATH=str(site))
    res = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(out)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_sphinx_build_is_clean(built_docs: Path) -> None:
    assert (built_docs / "index.html").exists() and (built_docs / "differences.html").exists()
    for page in ("tutorial", "migration", "architecture", "api/htcondor", "api/classad", "api/personal"):
        assert (built_docs / f"{page}.html").exists(), page


# -- every public name is documented ------------------------------------------------------------

def read_inventory(path: Path) -> dict[str, str]:
    """``objects.inv``: object name -> ``domain:role``."""
    with open(path, "rb") as f:
        header = [f.readline() for _ in range(4)]
        assert header[0].startswith(b"# Sphinx inventory version 2"), header[0]
        text = zlib.decompress(f.read()).decode()
    found = {}
    for line in text.splitlines():
        m = re.match(r"(\S+)\s+(\w+:\w+)\s+-?\d+\s", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def public_names(modname: str) -> set[str]:
    """``__all__``, plus every other non-underscore name ``dir()`` shows that this module (or one
    of its private submodules) defines: a public class left out of ``__all__`` still needs
    documenting.  Names imported from elsewhere (``htcondor.personal`` uses ``HTCondorIOError``)
    are documented where they come from."""
    mod = importlib.import_module(modname)
    names = set(getattr(mod, "__all__", []))
    for name in dir(mod):
        if name.startswith("_"):
            continue
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            continue  # submodules: see public_submodules
        home = getattr(obj, "__module__", None)
        if isinstance(home, str) and (home == modname or home.startswith(modname + "._")):
            names.add(name)
    return names


def public_submodules(modname: str) -> set[str]:
    mod = importlib.import_module(modname)
    return {f"{modname}.{n}" for n in dir(mod) if not n.startswith("_")
            and isinstance(getattr(mod, n), types.ModuleType) and getattr(mod, n).__name__ == f"{modname}.{n}"}


def missing_names(modname: str, inventory: dict[str, str]) -> list[str]:
    return sorted(n for n in public_names(modname) if f"{modname}.{n}" not in inventory)


@pytest.mark.parametrize("modname", MODULES)
def test_every_public_name_is_documented(built_docs: Path, modname: str) -> None:
    inventory = read_inventory(built_docs / "objects.inv")
    assert inventory.get(modname) == "py:module"
    assert not missing_names(modname, inventory), f"undocumented in {modname}: {missing_names(modname, inventory)}"
    for sub in public_submodules(modname):
        assert inventory.get(sub) == "py:module", f"submodule {sub} is not documented"


def test_the_name_check_can_fail(built_docs: Path) -> None:
    inventory = read_inventory(built_docs / "objects.inv")
    assert "htcondor.Schedd" in inventory and "classad.ClassAd.eval" in inventory
    del inventory["htcondor.Schedd"]
    assert missing_names("htcondor", inventory) == ["Schedd"]
    assert missing_class_members(htcondor.Submit, "htcondor.Submit", {"htcondor.Submit": "py:class"})


def _classes() -> list[tuple[str, type]]:
    out = []
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in sorted(public_names(modname)):
            obj = getattr(mod, name)
            if isinstance(obj, type) and not issubclass(obj, BaseException):
                out.append((f"{modname}.{name}", obj))
    out.append(("htcondor._Param", type(htcondor.param)))  # documented as in the v1 reference
    return out


def missing_class_members(cls: type, qualname: str, inventory: dict[str, str]) -> list[str]:
    """Public members a class defines itself (not inherited ones, not enum members)."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(cls, enum.EnumMeta) and name in cls.__members__:
            continue
        members.append(name)
    return sorted(m for m in members if f"{qualname}.{m}" not in inventory)


@pytest.mark.parametrize("qualname, cls", _classes(), ids=[q for q, _ in _classes()])
def test_every_public_member_is_documented(built_docs: Path, qualname: str, cls: type) -> None:
    inventory = read_inventory(built_docs / "objects.inv")
    assert qualname in inventory
    missing = missing_class_members(cls, qualname, inventory)
    assert not missing, f"{qualname}: undocumented members {missing}"


def test_every_enum_member_is_documented(built_docs: Path) -> None:
    inventory = read_inventory(built_docs / "objects.inv")
    cpp_available = (SRC / "cpp").is_dir()
    unlisted = []
    for qualname, cls in _classes():
        if not isinstance(cls, enum.EnumMeta):
            continue
        documented = [m for m in cls.__members__ if f"{qualname}.{m}" in inventory]
        if not documented and not cpp_available:
            unlisted.append(qualname)  # members come from C++ tables this build could not read
            continue
        missing = [m for m in cls.__members__ if f"{qualname}.{m}" not in inventory]
        assert not missing, f"{qualname}: undocumented members {missing}"
    if unlisted:
        pytest.skip(f"docs built without the C++ sources ({SRC / 'cpp'}): members of {', '.join(unlisted)} "
                    "not listed")


# -- every example runs -------------------------------------------------------------------------

@dataclass
class Example:
    origin: str  # file:line
    code: str
    options: dict[str, str]

    @property
    def runnable(self) -> bool:
        return "no-run" not in self.options.get("class", "").split()


_DIRECTIVE = re.compile(r"^(\s*)\.\. code-block::\s*python3?\s*$")
_OPTION = re.compile(r"^\s+:([\w-]+):\s*(.*)$")


def code_blocks(text: str, origin: str, first_line: int = 1) -> list[Example]:
    """The ``.. code-block:: python`` blocks of reStructuredText."""
    lines = text.splitlines()
    found = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        start = i
        i += 1
        options = {}
        while i < len(lines) and _OPTION.match(lines[i]):
            key, value = _OPTION.match(lines[i]).groups()  # type: ignore[union-attr]
            options[key] = value.strip()
            i += 1
        body = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            body.append(lines[i])
            i += 1
        code = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        found.append(Example(f"{origin}:{first_line + start}", code, options))
    return found


def _docstrings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and \
                        isinstance(stmt.value.value, str):
                    out.append((stmt.lineno, stmt.value.value))
    return out


def collect_examples() -> list[Example]:
    examples = []
    for rst in sorted(DOCS.rglob("*.rst")):
        if "_build" in rst.parts:
            continue
        examples += code_blocks(rst.read_text(), str(rst.relative_to(DOCS.parent)))
    for pkg in (htcondor, classad):
        root = Path(pkg.__file__).parent
        for src in sorted(list(root.glob("*.py")) + list(root.glob("*.pyi"))):
            for line, doc in _docstrings(src):
                examples += code_blocks(inspect.cleandoc(doc), f"{pkg.__name__}/{src.name}", line)
    return examples


EXAMPLES = collect_examples()
RUNNABLE = [e for e in EXAMPLES if e.runnable]


def test_examples_are_found_and_few_are_skipped() -> None:
    assert len(RUNNABLE) >= 10, [e.origin for e in EXAMPLES]
    assert any(e.origin.startswith("docs/tutorial.rst") for e in RUNNABLE)
    skipped = [e.origin for e in EXAMPLES if not e.runnable]
    assert len(skipped) <= MAX_NO_RUN, f"too many examples marked no-run: {skipped}"
    # The extractor itself: options, indentation, the end of a block.
    found = code_blocks("x\n\n  .. code-block:: python\n     :class: no-run\n\n     a = 1\n\n       b = 2\n\n  after\n",
                        "t")
    assert [(e.code, e.runnable, e.origin) for e in found] == [("a = 1\n\n  b = 2\n", False, "t:3")]


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.origin for e in RUNNABLE])
def test_example_runs(example: Example, pool, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(example.code)
    env = dict(os.environ, CONDOR_CONFIG=str(pool.config_file))
    res = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, f"{example.origin} failed:\n{example.code}\n--- stdout\n{res.stdout}\n--- stderr\n{res.stderr}"
