"""docs/rules.md lists every dosing and input-safety alert the infusion recompute can raise, each with a real test."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rules.md"
CODE = ROOT / "norepi_gui" / "core" / "infusion.py"


def _rows() -> dict[str, str]:
    section = DOC.read_text(encoding="utf-8").split("\n## Dosing and input safety", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] not in ("ID", "") and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[-1]
    return rows


def test_every_alert_code_raised_by_the_infusion_recompute_is_documented() -> None:
    raised = set(re.findall(r'"([A-Z][A-Z_]+)"', CODE.read_text(encoding="utf-8")))
    documented = set(_rows())
    assert raised - documented == set()


def test_every_documented_row_names_tests_that_exist() -> None:
    for rule_id, cell in _rows().items():
        refs = re.findall(r"`([\w/]+\.py)?::(test_\w+)`", cell)
        assert refs, f"{rule_id}: no test named in {cell!r}"
        current = ""
        for path, name in refs:
            current = path or current
            assert f"def {name}(" in (ROOT / current).read_text(encoding="utf-8"), f"{rule_id}: {current}::{name}"
