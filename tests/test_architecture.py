"""The layers stay apart: enforced, not hoped for.

- core, sim and bedside never import Qt (in the source, and when every module is imported);
- core imports nothing of the program outside core; bedside nothing of sim or ui; sim nothing of bedside or ui;
  the monitor feed (PCD-01 parsing, framing, summaries) nothing but core;
- no module imports one that imports it back, directly or around a circle (function-level and type-only imports
  count: a helper that takes the whole window is a circle even if it only imports it for a type);
- ui/ holds no clinical rule: it never calls the engine's rule modules (the bedside layer does) and states no
  clinical number in its texts (they come from the protocol or the engine).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "norepi_gui"
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")
QT_FREE = ("core", "sim", "bedside", "monitor")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("subpackage", QT_FREE)
def test_core_sim_and_bedside_sources_import_no_qt(subpackage: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in sorted((PACKAGE / subpackage).rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in QT_MODULES
    ]
    assert offenders == []


def test_importing_every_core_sim_and_bedside_module_loads_no_qt() -> None:
    modules = [
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for sub in QT_FREE
        for path in sorted((PACKAGE / sub).rglob("*.py"))
        if path.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_calc_command_imports_no_qt() -> None:
    code = (
        "import sys\n"
        "from norepi_gui.cli import main\n"
        "rc = main(['calc', '--weight', '70 kg', '--concentration', '16 mcg/mL', '--dose', '0.1', '--json'])\n"
        f"print('QT' if any(m.split('.')[0] in {QT_MODULES!r} for m in sys.modules) else 'CLEAN', rc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "CLEAN 0"


def test_every_python_package_is_listed_for_installation() -> None:
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {".".join(init.parent.relative_to(PACKAGE.parent).parts) for init in PACKAGE.rglob("__init__.py")}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"


# ------------------------------------------------------------------------------------------------ the module graph
def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _edges(name: str, path: Path) -> set[str]:
    """The program's modules ``name`` imports, anywhere in the file (a ``from a import b`` of a submodule b counts as
    importing a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in MODULES else module)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _edges(name, path) for name, path in MODULES.items()}


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _circles() == []


def test_the_circle_finder_finds_a_circle() -> None:
    # the finder itself, on a made-up graph: a -> b -> c -> a and d alone
    saved = dict(GRAPH)
    try:
        GRAPH.clear()
        GRAPH.update({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()})
        assert _circles() == [["a", "b", "c"]]
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


LAYERS = {
    # layer -> the program's subpackages it may not import
    "norepi_gui.core": ("norepi_gui.sim", "norepi_gui.bedside", "norepi_gui.ui", "norepi_gui.cli",
                        "norepi_gui.selftest"),
    "norepi_gui.bedside": ("norepi_gui.sim", "norepi_gui.ui", "norepi_gui.cli", "norepi_gui.selftest"),
    "norepi_gui.sim": ("norepi_gui.bedside", "norepi_gui.ui", "norepi_gui.cli", "norepi_gui.selftest"),
    "norepi_gui.monitor": ("norepi_gui.sim", "norepi_gui.bedside", "norepi_gui.ui", "norepi_gui.cli",
                           "norepi_gui.selftest"),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    forbidden = LAYERS[layer]
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items() if name == layer or name.startswith(layer + ".")
        for target in targets if any(target == f or target.startswith(f + ".") for f in forbidden)
    )
    assert offenders == []


# The engine's rule modules: only the bedside layer (and the simulator's own advisor policy) calls them.
ENGINE_RULES = tuple(f"norepi_gui.core.titration.{m}" for m in (
    "engine", "decision", "escalation", "interval", "limits", "lines", "rules", "safety", "start", "targets",
    "history", "findings", "nee"))


def test_the_window_calls_no_clinical_rule_itself() -> None:
    offenders = sorted(f"{name} imports {target}" for name, targets in GRAPH.items()
                       if name.startswith("norepi_gui.ui.") for target in targets if target in ENGINE_RULES)
    assert offenders == []


CLINICAL_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:mcg|mg|mmHg|U/min|mL/kg|mmol|gtt)")
# Texts that carry a number and a unit without stating anything clinical.
NOT_CLINICAL = {
    "0.000 mcg",  # the width of a co-infusion dose field, measured in the field's font
    "e.g. 4 mg",  # how a drug amount is typed (number and unit), in the placeholder of the amount field
}


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def _clinical_numbers(paths: list[Path]) -> list[str]:
    return sorted(f"{path.name}:{line}: {text!r}" for path in paths for line, text in _strings(path)
                  if text not in NOT_CLINICAL and CLINICAL_NUMBER.search(text))


def test_the_window_states_no_clinical_number_of_its_own() -> None:
    assert _clinical_numbers(sorted((PACKAGE / "ui").rglob("*.py"))) == []


def test_the_clinical_number_scan_finds_one(tmp_path: Path) -> None:
    planted = tmp_path / "panel.py"
    planted.write_text('TIP = "start at 0.1 mcg/kg/min"\nOK = "0.000 mcg"\n', encoding="utf-8")
    assert _clinical_numbers([planted]) == ["panel.py:1: 'start at 0.1 mcg/kg/min'"]
