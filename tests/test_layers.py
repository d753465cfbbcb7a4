"""The core stays free of Qt: a test fails if anything under shelter/ imports it;
and no module of shelter/ or ui/ imports one that imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_qt_import_under_shelter():
    offenders = []
    for path in (ROOT / "shelter").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6", "ui"} for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "shelter").rglob("*.py")
        if p.name != "__init__.py" and "migrations" not in p.parts
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_widgets_build_no_sql():
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "sqlalchemy" in text or "sqlcipher3" in text or "shelter.storage.models" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# Cycles the test tolerates, each with the reason it is not cut yet. Keep it
# empty if you can: a cycle means neither module can be read, tested or
# moved without the other.
ALLOWED_CYCLES: list[frozenset[str]] = []


def _project_modules() -> dict[str, Path]:
    modules = {}
    for top in ("shelter", "ui"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``module`` imports, at module level or inside a
    function; not those under ``if TYPE_CHECKING:``, which never run. The
    parent packages Python runs first do not count: a package's
    ``__init__`` that gathers its own modules is no cycle."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # "from x import y" imports the module x.y when there is one.
                found.add(f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in modules and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one
    that imports itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(components)


def test_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert _cycles(graph) == [["a", "b", "c"], ["e"]]


def test_no_import_cycles_in_shelter_or_ui():
    modules = _project_modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    found = _cycles(graph)
    cycles = [c for c in found if frozenset(c) not in ALLOWED_CYCLES]
    report = [" <-> ".join(c) + "\n      " + "; ".join(
        f"{m} imports {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in cycles]
    assert cycles == [], "import cycles:\n  " + "\n  ".join(report)
    # A cycle that was cut leaves the list too.
    assert [sorted(c) for c in ALLOWED_CYCLES if c not in {frozenset(x) for x in found}] == []


def test_the_domain_imports_no_storage_and_no_services():
    """shelter/domain holds the rules and words of the case work: readable and
    testable without a database, so it imports no storage, no store, no service."""
    offenders = []
    for path in (ROOT / "shelter" / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"sqlalchemy", "sqlcipher3", "alembic"} or name.startswith(
                        ("shelter.storage", "shelter.store", "shelter.services", "shelter.security")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert offenders == []
