"""Import hygiene of dashboard/: no import circle inside a package, and no module reaching
into another module's underscore (private) names.

Usage: .venv/bin/python scripts/check_imports.py   (exit status 1 and a list when something
is wrong; tests/test_imports.py runs the same checks).

Read with `ast`, nothing is imported or run. A circle counts module-level imports (what Python
runs while importing; `if TYPE_CHECKING:` blocks left out) -- and, separately, imports inside
functions that close a circle, since a lazy import that only dodges a circle still ties the two
modules into one. A package's own `__init__` is a module of the package like any other: a
submodule that imports its package while the package imports it is a circle too.

A private name is one with a single leading underscore, imported from another dashboard module
(`from .read import _find_header`) or read off one (`maps._parse(...)`). Dunder names
(`__version__`) are not private.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = "dashboard"

# What other branches still own, allowed here until they land (session 7: the ui tile code,
# ui/context.py, ui/data.py and ui/gate.py belong to h-figures). Each entry is
# (importing module, imported module, name); "*" matches any name. Remove an entry when the
# code it covers is fixed: an entry that matches nothing is reported as stale.
ALLOWED_PRIVATE: set[tuple[str, str, str]] = set()
# Circles still owned elsewhere: each a frozenset of the modules of one circle.
ALLOWED_CIRCLES: set[frozenset[str]] = set()


class Module:
    def __init__(self, name: str, path: Path, is_package: bool):
        self.name = name  # dotted: dashboard.ingest.read
        self.path, self.is_package = path, is_package
        self.top: set[str] = set()  # modules imported at module level
        self.lazy: set[str] = set()  # modules imported inside functions
        self.private: list[tuple[int, str, str]] = []  # (line, module, name)


def _modules(root: Path) -> dict[str, Module]:
    out = {}
    for path in sorted((root / TOP).rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = Module(".".join(parts), path, is_package)
    return out


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


class _Reader(ast.NodeVisitor):
    def __init__(self, mod: Module, mods: dict[str, Module]):
        self.mod, self.mods = mod, mods
        self.depth = 0  # inside a function (or a class body's method) when > 0
        self.aliases: dict[str, str] = {}  # local name -> dashboard module it is bound to

    # The package a relative import starts from.
    def _base(self, level: int) -> str:
        parts = self.mod.name.split(".")
        if not self.mod.is_package:
            parts = parts[:-1]
        return ".".join(parts[: len(parts) - (level - 1)] if level > 1 else parts)

    def _add(self, target: str, node) -> None:
        if target == self.mod.name or target not in self.mods:
            return
        (self.mod.lazy if self.depth else self.mod.top).add(target)

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_If(self, node):
        if _type_checking(node):
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        for a in node.names:
            if a.name.split(".")[0] != TOP:
                continue
            # `import a.b.c` imports a, a.b and a.b.c
            parts = a.name.split(".")
            for i in range(1, len(parts) + 1):
                self._add(".".join(parts[:i]), node)
            if a.asname:
                self.aliases[a.asname] = a.name

    def visit_ImportFrom(self, node):
        base = self._base(node.level) if node.level else ""
        src = ".".join(p for p in (base, node.module or "") if p)
        if src.split(".")[0] != TOP:
            return
        for a in node.names:
            sub = f"{src}.{a.name}"
            if sub in self.mods:  # `from pkg import submodule`
                self._add(sub, node)
                self.aliases[a.asname or a.name] = sub
            else:  # a name defined in src (a module or a package's __init__)
                self._add(src, node)
                if _is_private(a.name) and src != self.mod.name:
                    self.mod.private.append((node.lineno, src, a.name))

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.aliases and _is_private(node.attr):
            target = self.aliases[node.value.id]
            if target != self.mod.name:
                self.mod.private.append((node.lineno, target, node.attr))
        self.generic_visit(node)


def read(root: Path = ROOT) -> dict[str, Module]:
    mods = _modules(root)
    for mod in mods.values():
        _Reader(mod, mods).visit(ast.parse(mod.path.read_text("utf-8"), str(mod.path)))
    return mods


def _package(name: str, mods: dict[str, Module]) -> str:
    """The package a module belongs to (a package's __init__ belongs to the package itself)."""
    return name if mods[name].is_package else name.rsplit(".", 1)[0]


def _circles(mods: dict[str, Module], lazy: bool) -> list[list[str]]:
    """Strongly connected components (more than one module) of the import graph, restricted
    to edges between modules of the same package (a package's __init__ and its direct
    submodules, a subpackage standing for itself)."""

    def edges(m: str):
        pkg = _package(m, mods)
        targets = mods[m].top | (mods[m].lazy if lazy else set())
        for t in sorted(targets):
            # same package: t's package is pkg, or t is pkg's __init__ itself
            if t == pkg or _package(t, mods) == pkg or (mods[m].is_package and _package(t, mods) == m):
                yield t

    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges(v):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(mods):
        if v not in index:
            strong(v)
    return sorted(out)


def problems(root: Path = ROOT) -> list[str]:
    """Every circle and private import, as lines a person can act on; [] when all is well."""
    mods = read(root)
    out = []
    used_private, used_circles = set(), set()
    for lazy in (False, True):
        for comp in _circles(mods, lazy):
            key = frozenset(comp)
            if key in ALLOWED_CIRCLES:
                used_circles.add(key)
                continue
            kind = "import circle (counting imports inside functions)" if lazy else "import circle"
            line = f"{kind}: " + " <-> ".join(comp)
            if line not in out:
                out.append(line)
    for mod in mods.values():
        for lineno, target, name in mod.private:
            for key in ((mod.name, target, name), (mod.name, target, "*")):
                if key in ALLOWED_PRIVATE:
                    used_private.add(key)
                    break
            else:
                rel = mod.path.relative_to(root)
                out.append(f"{rel}:{lineno}: private name {target}.{name} used in {mod.name}")
    out += [f"stale allowance: {k}" for k in sorted(ALLOWED_PRIVATE - used_private)]
    out += [f"stale allowance: {sorted(k)}" for k in ALLOWED_CIRCLES - used_circles]
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)" if found else "imports: no circle, no private name of another module")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
