"""The interface's own kit stays in one place: ``ui/qt.py`` is the only module
under ui/ that imports Qt (as Anki's ``aqt.qt``), and no two modules under ui/
define the same public class or function (two ``FieldErrors``, two background
runners)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "ui"
QT_PACKAGES = {"PySide6", "shiboken6"}


def qt_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every Qt import in ``source``: at the top, inside a
    function or a class, and through ``importlib.import_module`` or
    ``__import__`` with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        found += [(node.lineno, name) for name in names if name.split(".")[0] in QT_PACKAGES]
    return found


def test_only_ui_qt_imports_qt():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted(UI.rglob("*.py")) if path != UI / "qt.py"
        for line, module in qt_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "import these from ui.qt (add them there if missing):\n" + "\n".join(offenders)


def test_the_check_finds_every_kind_of_qt_import():
    source = (
        "import PySide6.QtCore\n"
        "from shiboken6 import isValid\n"
        "def later():\n"
        "    from PySide6.QtWidgets import QWidget\n"
        "class Page:\n"
        "    def build(self):\n"
        "        import importlib\n"
        "        return importlib.import_module('PySide6.QtGui'), __import__('shiboken6')\n"
        "from ui.qt import QWidget\n"
        "from .PySide6 import nothing\n"
    )
    assert sorted(line for line, _module in qt_imports(source)) == [1, 2, 4, 8, 8]
    assert qt_imports((UI / "qt.py").read_text(encoding="utf-8"))  # the one place does import Qt


def test_no_two_ui_modules_define_the_same_public_name():
    defined: dict[str, list[str]] = defaultdict(list)
    for path in sorted(UI.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_"):
                defined[node.name].append(str(path.relative_to(ROOT)))
    twice = {name: paths for name, paths in defined.items() if len(paths) > 1}
    assert twice == {}, "keep one and move its users to it"
