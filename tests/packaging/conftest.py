"""Packaging test fixtures: the build scripts in packaging/ are scripts, not a package, so they are loaded by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return _load("norepi_packaging_build", ROOT / "packaging" / "build.py")


@pytest.fixture(scope="session")
def icons_script() -> ModuleType:
    return _load("norepi_packaging_icons", ROOT / "packaging" / "icons.py")
