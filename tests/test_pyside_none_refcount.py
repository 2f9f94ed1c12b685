"""Guard against the PySide6 6.12.0 / Python 3.11 defect that decrements the refcount of None on every Qt call
returning nothing, which aborts the process ("deallocating None") after a few thousand calls."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest


def test_python_311_never_gets_pyside6_612() -> None:
    version = tuple(int(part) for part in metadata.version("PySide6-Essentials").split(".")[:2])
    if sys.version_info[:2] == (3, 11):
        assert version < (6, 12), "PySide6 6.12.x corrupts None's refcount on Python 3.11: keep it on <6.12"


def test_ten_thousand_void_qt_calls_keep_none_refcount() -> None:
    QtCore = pytest.importorskip("PySide6.QtCore")  # noqa: N806 - module alias
    obj = QtCore.QObject()
    before = sys.getrefcount(None)
    for i in range(10_000):
        obj.setObjectName(f"n{i % 7}")  # returns nothing (void)
    after = sys.getrefcount(None)
    # Immortal None (3.12+) reports a constant; on 3.11 a leak shows as a fall of about 10,000.
    assert after >= before - 100
