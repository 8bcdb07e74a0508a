"""No import cycle in the package (issue 14).

Every module under src/faderpilot is parsed with ``ast``; every import in it counts, at module
level or inside a function (a lazy import that closes a cycle is still a cycle). A package's
``__init__`` is a module of its own. ``import a.b`` and ``from a.b import x`` are edges to
``a.b``; ``from a import b`` where ``a.b`` is a submodule is an edge to ``a.b`` only (the
package ``a`` is already importing or imported by then, and its ``__init__`` is not what is
used). The ``__init__`` of the packages above an imported module runs too, but is not an edge
(else every package importing its own submodules would be a cycle). Imports from outside the
package are ignored.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "faderpilot"


def modules(root: Path = SRC / PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package (``__init__`` as the package)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _known(name: str, mods: dict[str, Path]) -> str | None:
    """The module ``name`` names, or the nearest enclosing one; None outside the package."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in mods:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """The package modules that module ``name`` (in ``path``) imports, anywhere in its body."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]  # the package of relative imports
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, mods)
                if target:
                    out.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                target = sub if sub in mods else _known(mod, mods)
                if target:
                    out.add(target)
    out.discard(name)
    return out


def graph(root: Path = SRC / PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    mods = modules(root)
    return {name: imports_of(name, path, mods) for name, path in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One concrete cycle (a -> b -> ... -> a) per strongly connected component of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[set[str]] = []

    def strong(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    for v in sorted(g):
        if v not in index:
            strong(v)
    out = []
    for comp in sorted(comps, key=min):
        start = min(comp)
        # shortest path back to start inside the component (breadth first)
        prev: dict[str, str] = {}
        frontier = [start]
        found = None
        while frontier and found is None:
            nxt = []
            for v in frontier:
                for w in sorted(g[v] & comp):
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            frontier = nxt
        path = [start]
        v = found
        while v != start:
            path.insert(1, v)
            v = prev[v]
        out.append([*path, start])
        if len(comp) > len(path):
            out[-1].append(f"(tangled with {', '.join(sorted(comp - set(path)))})")
    return out


def test_graph_sees_every_kind_of_import(tmp_path):
    files = {
        "pkg/__init__.py": "def api():\n    from .a import g\n",  # function-local
        "pkg/a.py": "import os\nfrom . import b\nfrom .sub import thing\nimport pkg.sub.deep\n",
        "pkg/b.py": "from .sub.deep import x\nfrom .. import elsewhere\n",
        "pkg/sub/__init__.py": "from ..a import g as h\n",
        "pkg/sub/deep.py": "from .. import b\nfrom pkg import a\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    g = graph(tmp_path / "pkg")
    assert g == {
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.b", "pkg.sub", "pkg.sub.deep"},
        "pkg.b": {"pkg.sub.deep"},
        "pkg.sub": {"pkg.a"},
        "pkg.sub.deep": {"pkg.a", "pkg.b"},
    }
    assert cycles(g) == [
        ["pkg.a", "pkg.sub", "pkg.a", "(tangled with pkg.b, pkg.sub.deep)"],
    ]
    # the real package is read too
    real = graph()
    assert "faderpilot.session.model" in real["faderpilot.session.io"]


def test_cycles_are_found():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b", "a"], ["c", "d", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    found = cycles(graph())
    if found:
        pytest.fail("import cycles in the package:\n" + "\n".join("  " + " -> ".join(c) for c in found))
