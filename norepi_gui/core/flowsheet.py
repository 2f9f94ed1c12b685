"""The flowsheet: one row per time point of a titration, as a nurse charts it (Qt-free, plain inputs).

A row is a reading (with the dose and rate running and the co-infusions), a change (a dose set, a co-infusion, a
bag), a check whose advice was not applied and why, a sign-on or handover, an order, a deletion. Corrections are
said on the row they corrected. Each row names the nurse on duty who recorded it.

Two outputs read these rows: the flowsheet CSV (:func:`write_flowsheet_csv`: named columns, local time with its UTC
offset, plain numbers, readable by a spreadsheet, the ``csv`` module and pandas without a custom parser) and the
handover report's table, where :func:`block_chart` may summarise a stable stretch (block charting, at most 4 h:
Hospital Pharmacist's Letter 2020 [S], clinical-reference "Titration workload and order").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from norepi_gui.core.export_file import write_export
from norepi_gui.core.spreadsheet_safe import csv_text

if TYPE_CHECKING:
    from pathlib import Path

READING = "reading"
DOSE = "dose"
CO_INFUSION = "co-infusion"
BAG = "bag"
CHECK = "check"
HANDOVER = "handover"
ORDER = "order"
DELETION = "deletion"
SUMMARY = "summary"

BLOCK_MAX = timedelta(hours=4)  # block charting of titration in blocks of up to 4 h [S]
BLOCK_MIN_READINGS = 3  # fewer stable readings than this are listed one by one

CSV_COLUMNS = (
    "time", "map_mmhg", "sbp_mmhg", "dbp_mmhg", "hr_per_min", "lactate_mmol_per_l", "urine_ml_per_kg_per_h",
    "crt_s", "ne_mcg_per_kg_per_min", "ne_mcg_per_min", "rate_ml_per_h", "co_infusions", "event", "reason",
    "initials",
)


@dataclass(frozen=True)
class Block:
    """A stable stretch summarised: from ``start`` to ``end``, ``readings`` readings with MAP from ``map_low`` to
    ``map_high``, all in the band, at one dose and rate."""

    start: datetime
    end: datetime
    readings: int
    map_low: float
    map_high: float


@dataclass(frozen=True)
class FlowsheetRow:
    at: datetime
    kind: str
    event: str
    reason: str = ""
    initials: str = ""
    map_mmhg: float | None = None
    map_computed: bool = False
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None
    lactate_mmol_per_l: float | None = None
    urine_ml_per_kg_per_h: float | None = None
    crt_s: float | None = None
    altered_mental_status: bool | None = None
    ne_mcg_per_kg_per_min: float | None = None
    ne_mcg_per_min: float | None = None
    rate_ml_per_h: float | None = None
    co_infusions: str = ""
    in_band: bool | None = None  # a reading: MAP within the band the report measures against
    block: Block | None = None  # a summary row (block charting)

    @property
    def perfusion(self) -> bool:
        return any(v is not None for v in (self.lactate_mmol_per_l, self.urine_ml_per_kg_per_h, self.crt_s,
                                            self.altered_mental_status))


def _number(value: float | None, decimals: int = 3) -> str:
    """A plain number for the CSV: no unit, no thousands separator, at most ``decimals`` decimals."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def local_iso(when: datetime, tz: tzinfo | None) -> str:
    """``2026-01-01T09:00:00+01:00``: the local clock time with its offset from UTC (``tz`` None: this computer's)."""
    return when.astimezone(tz).isoformat(timespec="seconds")


def csv_row(row: FlowsheetRow, tz: tzinfo | None) -> tuple[str, ...]:
    return (
        local_iso(row.at, tz), _number(row.map_mmhg, 1), _number(row.sbp_mmhg, 0), _number(row.dbp_mmhg, 0),
        _number(row.hr_per_min, 0), _number(row.lactate_mmol_per_l, 2), _number(row.urine_ml_per_kg_per_h, 2),
        _number(row.crt_s, 1), _number(row.ne_mcg_per_kg_per_min, 4), _number(row.ne_mcg_per_min, 3),
        _number(row.rate_ml_per_h, 3), row.co_infusions, row.event, row.reason, row.initials,
    )


def write_flowsheet_csv(rows: Sequence[FlowsheetRow], path: Path, tz: tzinfo | None = None) -> None:
    """The flowsheet as CSV (UTF-8, a header of :data:`CSV_COLUMNS`, every cell quoted and none a spreadsheet would
    evaluate: :mod:`norepi_gui.core.spreadsheet_safe`), written atomically and checked
    (:func:`~norepi_gui.core.export_file.write_export`): a failure raises
    :class:`~norepi_gui.core.storage_errors.ExportError` and never leaves half a file."""
    write_export(path, csv_text([CSV_COLUMNS, *(csv_row(row, tz) for row in rows)]).encode("utf-8"))


def _stable(row: FlowsheetRow) -> bool:
    return row.kind == READING and row.in_band is True and not row.perfusion and row.map_mmhg is not None


def _same_running(a: FlowsheetRow, b: FlowsheetRow) -> bool:
    return (a.ne_mcg_per_kg_per_min, a.ne_mcg_per_min, a.rate_ml_per_h, a.co_infusions, a.initials) == \
        (b.ne_mcg_per_kg_per_min, b.ne_mcg_per_min, b.rate_ml_per_h, b.co_infusions, b.initials)


def block_chart(rows: Sequence[FlowsheetRow], *, max_span: timedelta = BLOCK_MAX,
                min_readings: int = BLOCK_MIN_READINGS) -> list[FlowsheetRow]:
    """``rows`` with each run of at least ``min_readings`` stable readings (MAP in band, no perfusion marker, the
    same dose, rate, co-infusions and nurse, nothing else charted between them, at most ``max_span`` from first to
    last) replaced by one summary row, marked as a summary."""
    out: list[FlowsheetRow] = []
    run: list[FlowsheetRow] = []

    def flush() -> None:
        if len(run) >= min_readings:
            out.append(summary(run))
        else:
            out.extend(run)
        run.clear()

    for row in rows:
        if _stable(row) and run and _same_running(run[0], row) and row.at - run[0].at <= max_span:
            run.append(row)
            continue
        flush()
        if _stable(row):
            run.append(row)
        else:
            out.append(row)
    flush()
    return out


def summary(run: Sequence[FlowsheetRow]) -> FlowsheetRow:
    maps = [r.map_mmhg for r in run if r.map_mmhg is not None]
    first, last = run[0], run[-1]
    block = Block(first.at, last.at, len(run), min(maps), max(maps))
    return replace(first, kind=SUMMARY, event=f"Summary (block charting): {len(run)} readings",
                   reason="MAP in band, no change", map_mmhg=None, sbp_mmhg=None, dbp_mmhg=None, hr_per_min=None,
                   block=block)
