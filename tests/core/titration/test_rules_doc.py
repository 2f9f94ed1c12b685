"""docs/rules.md and the code list the same titration rule IDs, and every row names a test that exists."""

from __future__ import annotations

import re
from pathlib import Path

from norepi_gui.core.titration import rules
from norepi_gui.core.titration.rules import RULES

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "rules.md"
HERE = Path(__file__).resolve().parent


def _titration_rows() -> dict[str, str]:
    """ID -> test cell, from the tables between '## Titration engine' and the next level-2 heading."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Titration engine", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("ID", "") or set(cells[0]) <= {"-"}:
            continue
        assert cells[0] not in rows, f"{cells[0]} listed twice"
        rows[cells[0]] = cells[-1]
    return rows


def test_every_rule_id_in_code_is_in_docs_and_vice_versa() -> None:
    assert set(_titration_rows()) == set(RULES)


def test_every_rule_constant_is_registered() -> None:
    constants = {v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str)}
    assert constants == set(RULES)


def test_every_docs_row_names_an_existing_test() -> None:
    for rule_id, cell in _titration_rows().items():
        match = re.fullmatch(r"`(test_\w+\.py)::(test_\w+)`", cell)
        assert match, f"{rule_id}: test cell {cell!r} is not `file.py::test_name`"
        source = (HERE / match.group(1)).read_text(encoding="utf-8")
        assert f"def {match.group(2)}(" in source, f"{rule_id}: {cell} does not exist"


def test_docs_keep_a_heading_for_dosing_and_input_safety() -> None:
    assert "\n## Dosing and input safety" in DOC.read_text(encoding="utf-8")


def test_every_full_test_path_in_the_docs_names_an_existing_test() -> None:
    # Outside the titration tables, cells name tests by their path from the repository root.
    text = DOC.read_text(encoding="utf-8")
    refs = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text)
    assert len(refs) > 20
    for path, name in refs:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"docs/rules.md names {path}::{name}, which does not exist"
