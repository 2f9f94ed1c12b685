"""Flowsheet rows on paper and in a CSV: block charting of stable stretches, local times, atomic writes."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from norepi_gui.core import export_file
from norepi_gui.core.flowsheet import (
    CHECK,
    CSV_COLUMNS,
    DOSE,
    READING,
    SUMMARY,
    FlowsheetRow,
    block_chart,
    local_iso,
    write_flowsheet_csv,
)
from norepi_gui.core.storage_errors import ExportError

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")  # UTC+1 in January


def reading(minute: float, map_mmhg: float, *, in_band: bool = True, **kw: object) -> FlowsheetRow:
    return FlowsheetRow(at=T0 + timedelta(minutes=minute), kind=READING, event="Reading", map_mmhg=map_mmhg,
                        in_band=in_band, ne_mcg_per_kg_per_min=0.1, rate_ml_per_h=26.3, initials="AB",
                        **kw)  # type: ignore[arg-type]


def test_a_stable_stretch_of_three_or_more_readings_becomes_one_summary_row() -> None:
    rows = [reading(0, 66), reading(15, 72), reading(30, 70), reading(45, 60, in_band=False), reading(60, 68)]
    charted = block_chart(rows)
    assert [r.kind for r in charted] == [SUMMARY, READING, READING]
    block = charted[0].block
    assert block is not None
    assert (block.start, block.end, block.readings, block.map_low, block.map_high) == \
        (T0, T0 + timedelta(minutes=30), 3, 66.0, 72.0)
    assert charted[0].event == "Summary (block charting): 3 readings"
    assert charted[0].rate_ml_per_h == 26.3  # the rate that ran through the block


def test_a_change_a_perfusion_marker_or_four_hours_ends_a_block() -> None:
    change = FlowsheetRow(at=T0 + timedelta(minutes=20), kind=DOSE, event="Norepinephrine 0.1 -> 0.15")
    rows = [reading(0, 70), reading(10, 70), change, reading(30, 70), reading(40, 70, lactate_mmol_per_l=2.1)]
    assert [r.kind for r in block_chart(rows)] == [READING, READING, DOSE, READING, READING]
    long = [reading(60 * h, 70) for h in range(9)]  # hourly for 8 h: blocks of 0-4 h and 5-8 h
    blocks = [r.block for r in block_chart(long)]
    assert [(b.readings if b else 0) for b in blocks] == [5, 4]  # 00-04 h (5 readings), 05-08 h (4)


def test_times_are_local_with_their_offset() -> None:
    assert local_iso(T0, PARIS) == "2026-01-01T09:00:00+01:00"
    assert local_iso(T0, UTC) == "2026-01-01T08:00:00+00:00"


def test_the_csv_has_named_columns_and_plain_numbers(tmp_path: Path) -> None:
    path = tmp_path / "flowsheet.csv"
    write_flowsheet_csv([reading(0, 66.5, sbp_mmhg=98.0, dbp_mmhg=51.0, hr_per_min=92.0)], path, PARIS)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["time"] == "2026-01-01T09:00:00+01:00"
    assert (rows[0]["map_mmhg"], rows[0]["sbp_mmhg"], rows[0]["hr_per_min"]) == ("66.5", "98", "92")
    assert (rows[0]["ne_mcg_per_kg_per_min"], rows[0]["rate_ml_per_h"], rows[0]["lactate_mmol_per_l"]) == \
        ("0.1", "26.3", "")
    assert not list(tmp_path.glob(".*.part*"))  # the temporary file was renamed, not left behind


def test_a_failed_export_leaves_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flowsheet.csv"
    path.write_text("the export of yesterday\n", encoding="utf-8")

    def fail(_src: object, _dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export_file.os, "replace", fail)
    with pytest.raises(ExportError, match="disk full"):
        write_flowsheet_csv([reading(0, 70)], path, PARIS)
    assert path.read_text(encoding="utf-8") == "the export of yesterday\n"
    assert not list(tmp_path.glob(".*.part*"))


def test_a_typed_reason_a_spreadsheet_would_evaluate_is_written_as_text(tmp_path: Path) -> None:
    # A "not applied" reason typed as a formula: written with a leading ' (OWASP CSV injection), every cell quoted.
    path = tmp_path / "flowsheet.csv"
    row = FlowsheetRow(at=T0, kind=CHECK, event="Advice not applied", reason='=HYPERLINK("http://x")')
    write_flowsheet_csv([row], path, PARIS)
    text = path.read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://x"")"' in text
    with path.open(newline="", encoding="utf-8") as fh:
        assert next(csv.DictReader(fh))["reason"] == "'=HYPERLINK(\"http://x\")"
