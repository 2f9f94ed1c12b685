"""The flowsheet of a session: rows, what changed and why, who; the CSV read back with the csv module.

The session and its hand-computed figures: tests/bedside/handover_session.py (times UTC, read in Paris, UTC+1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from norepi_gui.bedside.inputs import Unavailable
from norepi_gui.core.flowsheet import CSV_COLUMNS
from tests.bedside.handover_session import NOT_APPLIED, PARIS, at, build


def test_the_session_runs_as_computed_by_hand() -> None:
    session, _clock = build()
    advice = session.advice
    assert not isinstance(advice, Unavailable) and advice.action == "hold"
    assert [r.map_mmhg for r in session.state.readings] == [58.0, 62.0, 66.0, 92.0, 72.0, 70.0, 71.0, 69.0]
    q = session.quality()
    assert q is not None
    hour, shift, infusion = q.windows
    assert hour.map.in_band_pct == pytest.approx(100 * 34 / 60)  # 56.7 %
    assert hour.map.below_pct == pytest.approx(20.0)  # 12 of 60 min
    assert hour.map.below_floor_pct == pytest.approx(10.0)  # 6 of 60 min
    assert shift.map.in_band_pct == pytest.approx(68.0)  # 34 of the 50 min since 08:10
    assert shift.map.below_pct == pytest.approx(4.0)  # 62 from 08:10 to 08:12
    # due 08:05 on time, 08:11 on time, 08:17 late, 08:25 on time, 08:31 late, 08:39 missed
    assert (infusion.checks.on_time, infusion.checks.late, infusion.checks.missed) == (3, 2, 1)
    assert (shift.checks.on_time, shift.checks.late, shift.checks.missed) == (2, 2, 1)
    assert infusion.dose_changes == 2 and infusion.changes_per_hour == pytest.approx(2.0)
    assert q.nee_now == pytest.approx(0.225)  # 0.15 + 0.03 U/min x 2.5


def test_rows_say_what_changed_why_and_who() -> None:
    session, _clock = build()
    rows = session.flowsheet(PARIS)
    events = [(r.at, r.event) for r in rows]
    assert (at(0), "AB signed on, bed ICU 4") in events
    dose = next(r for r in rows if r.event == "Norepinephrine 0.10 -> 0.15 mcg/kg/min")
    assert dose.reason == "advice applied: MAP 62 < target 65" and dose.initials == "AB"
    assert dose.rate_ml_per_h == 39.4  # 0.15 x 262.5 = 39.375
    assert next(r for r in rows if r.at == at(10)).event == "Handover AB to CD"
    corrected = next(r for r in rows if r.at == at(12))
    assert corrected.map_mmhg == 66.0 and corrected.initials == "CD"  # charted after the handover
    assert corrected.reason == "corrected 09:36 by CD"  # 08:36 UTC in Paris
    refused = next(r for r in rows if r.kind == "check")
    assert refused.event == "Advice not applied (decrease to 0.105 mcg/kg/min)"
    assert refused.reason == NOT_APPLIED and refused.at == at(26)
    deleted = next(r for r in rows if r.kind == "deletion")
    assert (deleted.at, deleted.event, deleted.initials) == (at(38), "Entry deleted: reading", "CD")
    assert all(r.map_mmhg != 95.0 for r in rows)
    late = next(r for r in rows if r.at == at(34))
    assert late.map_mmhg == 72.0 and late.ne_mcg_per_kg_per_min == 0.15 and late.co_infusions == ""
    block = [r for r in rows if r.at >= at(45) and r.kind == "reading"]
    assert [r.co_infusions for r in block] == ["vasopressin 0.03 U/min"] * 3


def test_the_flowsheet_csv_reads_back_with_the_csv_module(tmp_path: Path) -> None:
    session, _clock = build()
    path = tmp_path / "flowsheet.csv"
    session.export_flowsheet_csv(path, PARIS)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    readings = [r for r in rows if r["event"] == "Reading"]
    assert [r["map_mmhg"] for r in readings] == ["58", "62", "66", "92", "72", "70", "71", "69"]
    assert readings[0]["time"] == "2026-01-01T09:00:00+01:00"
    assert (readings[1]["ne_mcg_per_kg_per_min"], readings[1]["ne_mcg_per_min"], readings[1]["rate_ml_per_h"]) == \
        ("0.1", "7", "26.3")  # 0.1 x 70 = 7 mcg/min, 26.25 -> 26.3 mL/h
    assert readings[2]["ne_mcg_per_kg_per_min"] == "0.15" and readings[2]["rate_ml_per_h"] == "39.4"
    assert readings[2]["initials"] == "CD" and readings[2]["reason"] == "corrected 09:36 by CD"
    refused = next(r for r in rows if r["event"].startswith("Advice not applied"))
    assert refused["time"] == "2026-01-01T09:26:00+01:00" and refused["reason"] == NOT_APPLIED
    assert readings[-1]["co_infusions"] == "vasopressin 0.03 U/min"
