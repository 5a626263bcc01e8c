"""``stubdoc``: the API reference, read statically from the package sources.

Nothing of the documented packages is imported (the docs build where ``import htcondor`` fails):
the shim's ``.py`` files and the compiled modules' ``.pyi`` stubs are parsed with :mod:`ast`, a
public name is followed through the package's re-exports (``from ._schedd import Schedd``,
``ClassAd = _core.ClassAd``) to where it is defined, and ``py:`` directives are emitted with the
signatures and docstrings found there.

Directives::

    .. stubdoc:: htcondor.Schedd          a class (with its members), function or data item
       :members: query, xquery            only these members, in this order
       :exclude-members: next             all public members but these
       :no-members:                       the class alone
       :no-init:                          no constructor signature (objects the module makes)

    .. stubdoc:: htcondor.personal        a module: ``py:module`` and the module docstring
       :all:                              ... and then every name of its ``__all__``

Where a docstring is read:

* ``def``/``class``: its own docstring;
* ``name = <expr>`` followed by a string literal: that string (the attribute-docstring
  convention), else ``name.__doc__ = "..."`` in the same module, else the docstring of whatever
  ``<expr>`` resolves to.

Enumerations that the shim builds at import time from tables of the native module
(``JobEventType = _make("JobEventType")``) get their members from a literal table in the call,
else from the ``tables["JobEventType"] = ...`` statements of the C++ sources when those are
available (``stubdoc_cpp_dirs``); values are shown where they are literal numbers, otherwise the
C++ constant they come from.

Checks (warnings, so errors under ``sphinx -W``): a documented object without a docstring, a name
that cannot be resolved, and (``stubdoc_complete_modules``) a name of a module's ``__all__`` that
no ``stubdoc`` directive documented.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

_ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.StrEnum"}
# Dunders worth a line under "Supports" (the protocols a class implements), in display order.
_PROTOCOLS = [
    ("__getitem__", "``x[key]``"), ("__setitem__", "``x[key] = value``"), ("__delitem__", "``del x[key]``"),
    ("__contains__", "``key in x``"), ("__len__", "``len(x)``"), ("__iter__", "``iter(x)``"),
    ("__next__", "``next(x)``"), ("__enter__", "``with``"), ("__bool__", "``bool(x)``"),
    ("__int__", "``int(x)``"), ("__float__", "``float(x)``"), ("__str__", "``str(x)``"),
    ("__eq__", "``==``"), ("__lt__", "``<``, ``<=``, ``>``, ``>=``"), ("__hash__", "``hash(x)``"),
    ("__add__", "arithmetic (``+ - * / %``)"), ("__and__", "bitwise (``& | ^ << >>``)"),
    ("__neg__", "unary ``-``, ``+``, ``~``"), ("__copy__", "``copy.copy``"),
    ("__deepcopy__", "``copy.deepcopy``"), ("__reduce__", "pickling"), ("__getstate__", "pickling"),
]


# -- the source model -----------------------------------------------------------------------------

@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    is_package: bool
    defs: dict[str, ast.AST] = field(default_factory=dict)  # class and def statements
    assigns: dict[str, tuple[ast.expr, Optional[str]]] = field(default_factory=dict)  # value, docstring
    imports: dict[str, tuple[str, Optional[str]]] = field(default_factory=dict)  # (module, name or None)
    docs: dict[str, str] = field(default_factory=dict)  # name.__doc__ = "..."
    all: Optional[list[str]] = None
    aliases: dict[str, ast.expr] = field(default_factory=dict)  # type aliases, substituted in signatures

    @property
    def docstring(self) -> Optional[str]:
        return ast.get_docstring(self.tree)


@dataclass
class Obj:
    """What a name resolves to."""

    kind: str  # class, function, data, module, enum (built by a factory), external
    module: str  # where it is defined
    name: str  # its name there
    node: Optional[ast.AST] = None
    doc: Optional[str] = None
    value: Optional[ast.expr] = None  # data: the assigned expression
    members: Optional[list[tuple[str, Optional[str], Optional[str]]]] = None  # enum: name, value, C++ source
    base: Optional[str] = None  # enum built by a factory: its base class

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


def _statements(body: list[ast.stmt]):
    """Top-level statements, looking into ``if``/``try`` blocks (imports inside ``try:``)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)
            yield from _statements(stmt.finalbody)
        else:
            yield stmt


def _string(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Expr):
        node = node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return inspect.cleandoc(node.value)
    return None


def _is_type_alias(value: ast.expr) -> bool:
    if isinstance(value, ast.Subscript):
        return True
    if isinstance(value, ast.Name) and value.id == "Any":
        return True
    return isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr)


class Sources:
    def __init__(self, roots: list[Path], cpp_dirs: list[Path], factories: dict[str, str]) -> None:
        self.roots = roots
        self.cpp_dirs = cpp_dirs
        self.factories = factories
        self._modules: dict[str, Optional[Module]] = {}
        self._tables: Optional[dict[str, list[tuple[str, Optional[str], Optional[str]]]]] = None

    # -- files --
    def path_of(self, modname: str) -> Optional[tuple[Path, bool]]:
        parts = modname.split(".")
        for root in self.roots:
            base = root.joinpath(*parts)
            for cand, pkg in ((base.parent / (base.name + ".py"), False), (base.parent / (base.name + ".pyi"), False),
                              (base / "__init__.py", True), (base / "__init__.pyi", True)):
                if cand.is_file():
                    return cand, pkg
        return None

    def module(self, modname: str) -> Optional[Module]:
        if modname not in self._modules:
            found = self.path_of(modname)
            self._modules[modname] = self._parse(modname, *found) if found else None
        return self._modules[modname]

    def _parse(self, modname: str, path: Path, is_package: bool) -> Module:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        m = Module(modname, path, tree, is_package)
        body = list(_statements(tree.body))
        for i, stmt in enumerate(body):
            following = body[i + 1] if i + 1 < len(body) else None
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                m.defs[stmt.name] = stmt
            elif isinstance(stmt, ast.ImportFrom):
                src = self._absolute(m, stmt.module, stmt.level)
                for a in stmt.names:
                    m.imports[a.asname or a.name] = (src, a.name)
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if a.asname:
                        m.imports[a.asname] = (a.name, None)
                    else:
                        top = a.name.split(".")[0]
                        m.imports[top] = (top, None)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = stmt.value
                if value is None:
                    continue
                for t in targets:
                    if isinstance(t, ast.Name):
                        if t.id == "__all__" and isinstance(value, (ast.List, ast.Tuple)):
                            m.all = [e.value for e in value.elts if isinstance(e, ast.Constant)]
                            continue
                        m.assigns[t.id] = (value, _string(following))
                        if _is_type_alias(value):
                            m.aliases[t.id] = value
                    elif (isinstance(t, ast.Attribute) and t.attr == "__doc__" and isinstance(t.value, ast.Name)
                          and _string(value) is not None):
                        m.docs[t.value.id] = _string(value)  # type: ignore[assignment]
        return m

    @staticmethod
    def _absolute(m: Module, name: Optional[str], level: int) -> str:
        if not level:
            return name or ""
        parts = m.name.split(".")
        if not m.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        return ".".join(parts + ([name] if name else []))

    # -- names --
    def resolve(self, modname: str, name: str, depth: int = 0) -> Optional[Obj]:
        if depth > 20:
            return None
        m = self.module(modname)
        if m is None:
            return Obj("external", modname, name)
        override = m.docs.get(name)
        if name in m.defs:
            node = m.defs[name]
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            return Obj(kind, modname, name, node, override or ast.get_docstring(node))
        if name in m.assigns:
            value, adoc = m.assigns[name]
            doc = adoc or override
            enum = self._factory_enum(m, name, value, doc, depth)
            if enum is not None:
                return enum
            if isinstance(value, (ast.Name, ast.Attribute)):
                target = self.resolve_expr(modname, value, depth + 1)
                if target is not None and target.kind != "external":
                    if doc:
                        target = Obj(**{**target.__dict__, "doc": doc})
                    return target
            return Obj("data", modname, name, None, doc, value)
        if name in m.imports:
            src, attr = m.imports[name]
            if attr is None:
                return Obj("module", src, "", doc=self._module_doc(src))
            if self.path_of(f"{src}.{attr}"):
                return Obj("module", f"{src}.{attr}", "", doc=self._module_doc(f"{src}.{attr}"))
            return self.resolve(src, attr, depth + 1)
        if m.is_package and self.path_of(f"{modname}.{name}"):
            return Obj("module", f"{modname}.{name}", "", doc=self._module_doc(f"{modname}.{name}"))
        return None

    def _module_doc(self, modname: str) -> Optional[str]:
        m = self.module(modname)
        return m.docstring if m else None

    def resolve_expr(self, modname: str, expr: ast.expr, depth: int = 0) -> Optional[Obj]:
        if isinstance(expr, ast.Name):
            found = self.resolve(modname, expr.id, depth)
            if found is None and hasattr(builtins, expr.id):
                return Obj("external", "builtins", expr.id)
            return found
        if isinstance(expr, ast.Attribute):
            base = self.resolve_expr(modname, expr.value, depth + 1)
            if base is None:
                return None
            if base.kind == "module":
                return self.resolve(base.module, expr.attr, depth + 1)
            if base.kind == "external":
                return Obj("external", base.dotted, expr.attr)
        return None

    def dotted_name(self, modname: str, expr: ast.expr) -> str:
        """The full name of a base class or factory expression (``enum.IntEnum``, ``htcondor._enums.V1IntEnum``)."""
        obj = self.resolve_expr(modname, expr)
        if obj is None:
            return ast.unparse(expr)
        if obj.kind == "external" and obj.module == "builtins":
            return obj.name
        return obj.dotted

    # -- enumerations built at import time --
    def _factory_enum(self, m: Module, name: str, value: ast.expr, doc: Optional[str], depth: int) -> Optional[Obj]:
        if not (isinstance(value, ast.Call) and self.factories):
            return None
        factory = self.dotted_name(m.name, value.func)
        if factory not in self.factories:
            return None
        args = value.args
        table = args[0].value if args and isinstance(args[0], ast.Constant) else name
        members: Optional[list[tuple[str, Optional[str], Optional[str]]]] = None
        if len(args) > 1 and isinstance(args[1], (ast.List, ast.Tuple)):
            members = []
            for elt in args[1].elts:
                if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and isinstance(elt.elts[0], ast.Constant):
                    members.append((str(elt.elts[0].value), ast.unparse(elt.elts[1]), None))
        elif self.cpp_tables() is not None:
            members = self.cpp_tables().get(str(table), [])  # type: ignore[union-attr]
        return Obj("enum", m.name, name, None, doc, value, members, self.factories[factory])

    def cpp_tables(self) -> Optional[dict[str, list[tuple[str, Optional[str], Optional[str]]]]]:
        """``tables["Name"] = ...`` of the C++ sources: name -> [(member, literal value, C++ constant)]."""
        if self._tables is None:
            files = [f for d in self.cpp_dirs for f in sorted(d.rglob("*.cpp"))]
            if not files:
                return None
            self._tables = {}
            for f in files:
                self._tables.update(_cpp_tables(f.read_text(encoding="utf-8", errors="replace")))
        return self._tables


def _strip_cpp_comments(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


_TABLE = re.compile(r'tables\["(\w+)"\]\s*=')
_MEMBER = re.compile(r'"(\w+)"\s*,')
_CAST = re.compile(r"^static_cast<\w+>\((.*)\)$")


def _cpp_tables(text: str) -> dict[str, list[tuple[str, Optional[str], Optional[str]]]]:
    text = _strip_cpp_comments(text)
    tables = {}
    for t in _TABLE.finditer(text):
        end = _statement_end(text, t.end())
        body = text[t.end():end]
        members = []
        pos = 0
        while True:
            mm = _MEMBER.search(body, pos)
            if not mm:
                break
            vend = _value_end(body, mm.end())
            raw = " ".join(body[mm.end():vend].split())
            inner = _CAST.match(raw)
            const = inner.group(1) if inner else raw
            literal = const if re.fullmatch(r"-?\d+", const) else None
            members.append((mm.group(1), literal, None if literal else const))
            pos = vend
        tables[t.group(1)] = members
    return tables


def _statement_end(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == ";" and depth <= 0:
            return i
        elif c == '"':
            i = text.find('"', i + 1)
        i += 1
    return i


def _value_end(text: str, i: int) -> int:
    """End of a value in ``{"Name", VALUE}`` or ``make_tuple("Name", VALUE)``."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
        i += 1
    return i


# -- rendering ------------------------------------------------------------------------------------

class _Unquote(ast.NodeTransformer):
    """String annotations ("ClassAd") as expressions; private type aliases replaced by their value."""

    def __init__(self, aliases: dict[str, ast.expr]) -> None:
        self.aliases = aliases

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, str):
            try:
                return self.visit(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return node
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.aliases:
            return self.visit(_copy(self.aliases[node.id]))
        return node


def _copy(node: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body


def _annotation(node: Optional[ast.expr], aliases: dict[str, ast.expr]) -> str:
    if node is None:
        return ""
    return ast.unparse(_Unquote(aliases).visit(_copy(node)))


def _signature(fn: ast.FunctionDef, aliases: dict[str, ast.expr], drop_first: bool) -> str:
    a = fn.args
    parts: list[str] = []

    def one(arg: ast.arg, default: Optional[ast.expr]) -> str:
        text = arg.arg
        ann = _annotation(arg.annotation, aliases)
        if ann:
            text += f": {ann}"
        if default is not None:
            text += f" = {ast.unparse(default)}" if ann else f"={ast.unparse(default)}"
        return text

    positional = a.posonlyargs + a.args
    defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    items = list(zip(positional, defaults))
    if drop_first and items:
        items = items[1:]
    n_posonly = max(len(a.posonlyargs) - (1 if drop_first else 0), 0)
    for i, (arg, d) in enumerate(items):
        parts.append(one(arg, d))
        if n_posonly and i == n_posonly - 1:
            parts.append("/")
    if a.vararg:
        parts.append("*" + one(a.vararg, None))
    elif a.kwonlyargs:
        parts.append("*")
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        parts.append(one(arg, d))
    if a.kwarg:
        parts.append("**" + one(a.kwarg, None))
    sig = f"({', '.join(parts)})"
    ret = _annotation(fn.returns, aliases)
    return sig + (f" -> {ret}" if ret and fn.name != "__init__" else "")


def _decorators(fn: ast.FunctionDef) -> set[str]:
    out = set()
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        out.add(ast.unparse(target).split(".")[-1] if isinstance(target, ast.Attribute) and
                target.attr in ("setter", "deleter") else ast.unparse(target))
    return out


def _indent(lines: list[str], n: int = 3) -> list[str]:
    pad = " " * n
    return [pad + line if line.strip() else "" for line in lines]


class Renderer:
    def __init__(self, sources: Sources, warn, warn_missing: bool) -> None:
        self.sources = sources
        self.warn = warn
        self.warn_missing = warn_missing
        self.documented: list[str] = []

    def _doc(self, doc: Optional[str], what: str) -> list[str]:
        if not doc:
            if self.warn_missing:
                self.warn(f"stubdoc: no docstring for {what}")
            return []
        return doc.splitlines() + [""]

    def _aliases(self, modname: str) -> dict[str, ast.expr]:
        m = self.sources.module(modname)
        if m is None:
            return {}
        public = set(m.all or [])
        return {k: v for k, v in m.aliases.items() if k not in public}

    # -- entry point --
    def render(self, public_module: str, name: str, obj: Obj, options: dict[str, Any]) -> list[str]:
        full = f"{public_module}.{name}"
        self.documented.append(full)
        if obj.kind == "class":
            return self._class(public_module, name, obj, options)
        if obj.kind == "enum":
            return self._factory_enum(public_module, name, obj)
        if obj.kind == "function":
            assert isinstance(obj.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            sig = _signature(obj.node, self._aliases(obj.module), False)  # type: ignore[arg-type]
            return [f".. py:function:: {name}{sig}", f"   :module: {public_module}", ""] + _indent(
                self._doc(obj.doc, full))
        if obj.kind == "data":
            lines = [f".. py:data:: {name}", f"   :module: {public_module}"]
            if isinstance(obj.value, ast.Call):
                target = self.sources.resolve_expr(obj.module, obj.value.func)
                if target is not None and target.kind == "class":
                    lines.append(f"   :type: {public_module}.{target.name}" if target.module.startswith(
                        public_module) else f"   :type: {target.dotted}")
            elif isinstance(obj.value, ast.Constant):
                lines.append(f"   :value: {obj.value.value!r}")
            return lines + [""] + _indent(self._doc(obj.doc, full))
        self.warn(f"stubdoc: cannot document {full} (a {obj.kind})")
        return []

    def _bases(self, obj: Obj) -> list[str]:
        node = obj.node
        assert isinstance(node, ast.ClassDef)
        return [self.sources.dotted_name(obj.module, b) for b in node.bases]

    def _is_enum(self, obj: Obj, depth: int = 0) -> bool:
        if obj.kind == "enum":
            return True
        if obj.kind != "class" or depth > 10:
            return False
        for b in self._bases(obj):
            if b in _ENUM_BASES:
                return True
            if "." in b:
                mod, _, nm = b.rpartition(".")
                target = self.sources.resolve(mod, nm)
                if target is not None and self._is_enum(target, depth + 1):
                    return True
        return False

    def _is_exception(self, obj: Obj, depth: int = 0) -> bool:
        if obj.kind != "class" or depth > 10:
            return False
        for b in self._bases(obj):
            builtin = getattr(builtins, b, None)
            if isinstance(builtin, type) and issubclass(builtin, BaseException):
                return True
            if "." in b:
                mod, _, nm = b.rpartition(".")
                target = self.sources.resolve(mod, nm)
                if target is not None and self._is_exception(target, depth + 1):
                    return True
        return False

    def _base_text(self, public_module: str, bases: list[str]) -> str:
        out = []
        for b in bases:
            pkg = public_module.split(".")[0]
            if b.startswith(pkg + "."):
                out.append(f":class:`~{pkg}.{b.rpartition('.')[2]}`")  # exported by the package
            else:
                out.append(f":class:`{b}`" if "." not in b and "[" not in b else f"``{b}``")
        return ", ".join(out)

    def _class(self, public_module: str, name: str, obj: Obj, options: dict[str, Any]) -> list[str]:
        node = obj.node
        assert isinstance(node, ast.ClassDef)
        full = f"{public_module}.{name}"
        aliases = self._aliases(obj.module)
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        sig = _signature(init, aliases, True) if init is not None and "no-init" not in options else ""
        kind = "exception" if self._is_exception(obj) else "class"
        lines = [f".. py:{kind}:: {name}{sig.split(' -> ')[0]}", f"   :module: {public_module}", ""]
        body: list[str] = []
        body += self._doc(obj.doc, full)
        if init is not None and ast.get_docstring(init):
            body += inspect.cleandoc(ast.get_docstring(init) or "").splitlines() + [""]
        bases = [b for b in self._bases(obj) if b != "object"]
        if bases:
            body += [f"Bases: {self._base_text(public_module, bases)}", ""]
        is_enum = self._is_enum(obj)
        supported = []
        present = {s.name for s in node.body if isinstance(s, ast.FunctionDef)}
        if not is_enum:
            for dunder, text in _PROTOCOLS:
                if dunder in present and text not in supported:
                    supported.append(text)
        if supported:
            body += ["Supports: " + ", ".join(supported) + ".", ""]
        if not options.get("no-members"):
            body += self._members(public_module, name, obj, node, aliases, is_enum, options)
        return lines + _indent(body)

    def _members(self, public_module: str, cls: str, obj: Obj, node: ast.ClassDef, aliases: dict[str, ast.expr],
                 is_enum: bool, options: dict[str, Any]) -> list[str]:
        entries: dict[str, list[str]] = {}
        overloads: dict[str, list[str]] = {}
        prefix = f"{public_module}.{cls}"
        for i, stmt in enumerate(node.body):
            following = node.body[i + 1] if i + 1 < len(node.body) else None
            if isinstance(stmt, ast.FunctionDef):
                if stmt.name.startswith("_"):
                    continue
                decos = _decorators(stmt)
                if "setter" in decos or "deleter" in decos:
                    continue
                full = f"{prefix}.{stmt.name}"
                doc = ast.get_docstring(stmt)
                if "property" in decos:
                    ret = _annotation(stmt.returns, aliases)
                    lines = [f".. py:property:: {stmt.name}"] + ([f"   :type: {ret}"] if ret else [])
                    entries[stmt.name] = lines + [""] + _indent(self._doc(doc, full))
                    continue
                static = "staticmethod" in decos
                sig = _signature(stmt, aliases, not static)
                if "overload" in decos:
                    overloads.setdefault(stmt.name, []).append(sig)
                    continue
                sigs = overloads.pop(stmt.name, []) or [sig]
                head = [f".. py:method:: {stmt.name}{sigs[0]}"] + [f"               {stmt.name}{s}" for s in sigs[1:]]
                if static:
                    head.append("   :staticmethod:")
                elif "classmethod" in decos:
                    head.append("   :classmethod:")
                entries[stmt.name] = head + [""] + _indent(self._doc(doc, full))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if not isinstance(t, ast.Name) or t.id.startswith("_"):
                        continue
                    lines = [f".. py:attribute:: {t.id}"]
                    if isinstance(stmt, ast.AnnAssign):
                        lines.append(f"   :type: {_annotation(stmt.annotation, aliases)}")
                    if stmt.value is not None:
                        lines.append(f"   :value: {ast.unparse(stmt.value)}")
                    doc = _string(following)
                    if doc is None and self.warn_missing and not is_enum:
                        self.warn(f"stubdoc: no docstring for {prefix}.{t.id}")
                    entries[t.id] = lines + [""] + (_indent(doc.splitlines() + [""]) if doc else [])
        for name, sigs in overloads.items():  # overloads without an implementation (stubs)
            entries[name] = [f".. py:method:: {name}{sigs[0]}"] + [f"               {name}{s}" for s in sigs[1:]] + [""]
        return self._select(prefix, entries, options)

    def _select(self, prefix: str, entries: dict[str, list[str]], options: dict[str, Any]) -> list[str]:
        wanted = options.get("members")
        excluded = set(options.get("exclude-members") or [])
        names = wanted if wanted else [n for n in entries if n not in excluded]
        out: list[str] = []
        for n in names:
            if n not in entries:
                self.warn(f"stubdoc: {prefix} has no member {n!r}")
                continue
            self.documented.append(f"{prefix}.{n}")
            out += entries[n]
        return out

    def _factory_enum(self, public_module: str, name: str, obj: Obj) -> list[str]:
        full = f"{public_module}.{name}"
        lines = [f".. py:class:: {name}", f"   :module: {public_module}", ""]
        body = self._doc(obj.doc, full)
        if obj.base:
            mod, _, nm = obj.base.rpartition(".")
            base = self.sources.resolve(mod, nm)
            shown = self._bases(base) if base is not None and base.kind == "class" else [obj.base]
            body += [f"Bases: {self._base_text(public_module, shown)}", ""]
        if obj.members is None:
            body += ["Its members are defined by the native module (from HTCondor's C++ headers); the C++ "
                     "sources were not available when this page was built.", ""]
            return lines + _indent(body)
        for member, value, const in obj.members:
            self.documented.append(f"{full}.{member}")
            body += [f".. py:attribute:: {member}"] + ([f"   :value: {value}"] if value is not None else []) + [""]
            if const:
                body += [f"   HTCondor's ``{const}``.", ""]
        return lines + _indent(body)


# -- Sphinx glue ----------------------------------------------------------------------------------

def _sources(app: Sphinx) -> Sources:
    if not hasattr(app, "_stubdoc_sources"):
        cfg = app.config
        roots = [Path(app.confdir, r).resolve() for r in cfg.stubdoc_source_dirs]
        cpp = [Path(app.confdir, d).resolve() for d in cfg.stubdoc_cpp_dirs]
        app._stubdoc_sources = Sources(roots, [d for d in cpp if d.is_dir()], dict(cfg.stubdoc_enum_factories))
    return app._stubdoc_sources  # type: ignore[no-any-return]


def _names(argument: str) -> list[str]:
    return [n.strip() for n in argument.replace("\n", ",").split(",") if n.strip()]


class StubdocDirective(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec = {
        "members": _names,
        "exclude-members": _names,
        "no-members": directives.flag,
        "no-init": directives.flag,
        "all": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        sources = _sources(self.env.app)
        target = self.arguments[0]
        location = self.get_location()
        warnings: list[str] = []

        def warn(msg: str) -> None:
            warnings.append(msg)

        renderer = Renderer(sources, warn, self.config.stubdoc_warn_missing_docstrings)
        lines: list[str] = []
        if sources.module(target) is not None:
            m = sources.module(target)
            assert m is not None
            previous = self.env.ref_context.get("py:module")
            lines += [f".. py:module:: {target}", ""]
            lines += (m.docstring or "").splitlines() + [""]
            renderer.documented.append(target)
            if "all" in self.options:
                for name in m.all or []:
                    lines += self._one(sources, renderer, target, name, {}, warn)
            if previous and previous != target:  # a submodule documented inside its parent's page
                lines += [f".. py:currentmodule:: {previous}", ""]
        else:
            module, _, name = target.rpartition(".")
            while module and sources.module(module) is None:
                module, _, head = module.rpartition(".")
                name = f"{head}.{name}"
            if not module:
                warn(f"stubdoc: no module found for {target} (looked in {sources.roots})")
            else:
                lines += self._one(sources, renderer, module, name, self.options, warn)
        for msg in warnings:
            logger.warning(msg, location=location)
        documented = self.env.stubdoc_documented.setdefault(self.env.docname, set())  # type: ignore[attr-defined]
        documented.update(renderer.documented)
        if self.config.stubdoc_debug_dir:
            out = Path(self.config.stubdoc_debug_dir)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{target}.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=f"<stubdoc {target}>"), container)
        return container.children

    def _one(self, sources: Sources, renderer: Renderer, module: str, name: str, options: dict[str, Any],
             warn) -> list[str]:
        obj = sources.resolve(module, name)
        if obj is None:
            warn(f"stubdoc: cannot resolve {module}.{name}")
            return []
        return renderer.render(module, name, obj, options) + [""]


def _env_init(app: Sphinx, env: Any, docnames: Any = None) -> None:
    if not hasattr(env, "stubdoc_documented"):
        env.stubdoc_documented = {}


def _purge(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "stubdoc_documented", {}).pop(docname, None)


def _merge(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    _env_init(app, env)
    for d in docnames:
        if d in getattr(other, "stubdoc_documented", {}):
            env.stubdoc_documented[d] = other.stubdoc_documented[d]


def _check_complete(app: Sphinx, env: Any) -> None:
    sources = _sources(app)
    documented = set().union(*getattr(env, "stubdoc_documented", {}).values())
    for modname in app.config.stubdoc_complete_modules:
        m = sources.module(modname)
        if m is None:
            logger.warning(f"stubdoc: module {modname} not found in {sources.roots}")
            continue
        if m.all is None:
            logger.warning(f"stubdoc: module {modname} has no static __all__ to check against")
            continue
        missing = [n for n in m.all if f"{modname}.{n}" not in documented]
        if missing:
            logger.warning(f"stubdoc: names of {modname}.__all__ not documented: {', '.join(missing)}")


class ExactAnnotationRefs(SphinxPostTransform):
    """Type annotations in signatures look their names up exactly, not "fuzzily".

    Sphinx resolves a name in an annotation like a ``:class:`.name``` reference, so ``-> None``
    or ``x: Any`` found the enum members ``DaemonTypes.None`` / ``AdTypes.Any`` ("more than one
    target found").  Dropping ``refspecific`` makes the lookup exact: ``name``, then
    ``module.name`` and ``module.class.name`` of the signature's context.
    """

    default_priority = 5  # before ReferencesResolver (10)

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(addnodes.pending_xref):
            if node.get("refdomain") != "py" or "refspecific" not in node.attributes or node["refspecific"]:
                continue
            parent = node.parent
            while parent is not None and not isinstance(parent, addnodes.desc_signature):
                parent = parent.parent
            if parent is not None:
                del node["refspecific"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("stubdoc_source_dirs", [], "env")
    app.add_config_value("stubdoc_cpp_dirs", [], "env")
    app.add_config_value("stubdoc_enum_factories", {}, "env")
    app.add_config_value("stubdoc_complete_modules", [], "env")
    app.add_config_value("stubdoc_warn_missing_docstrings", True, "env")
    app.add_config_value("stubdoc_debug_dir", "", "")
    app.add_directive("stubdoc", StubdocDirective)
    app.add_post_transform(ExactAnnotationRefs)
    app.connect("env-before-read-docs", _env_init)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check_complete)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
