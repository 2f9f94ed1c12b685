"""``norepi-gui advise``: the titration engine for scripts, one check at a time. Imports no Qt.

Reads every reading so far from a CSV file and prints the advice for the last one. The advice is as of ``--now``,
or of the last reading's time without it (the same file always gives the same answer). Exit 0 on success, 2 on bad
input (one line naming the option, or the line number and column of a bad row), 3 when a dose in the file is above
the hard limit.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from norepi_gui.bedside.replay import advice_for_readings
from norepi_gui.cli.inputs import (
    EXIT_OK,
    add_patient_and_bag,
    fail,
    finite,
    hard_limit_per_kg,
    read_patient_and_bag,
    text_option,
)
from norepi_gui.core.errors import HardLimitError, InputError
from norepi_gui.core.protocol import Protocol, load_protocol
from norepi_gui.core.titration import Advice, InfusionState, PatientInfo, Reading
from norepi_gui.core.titration.readings import check_reading
from norepi_gui.core.units import Q, parse_quantity

# "minutes from start" times are placed on this fixed, documented origin so the output stays deterministic.
MINUTES_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)

NUMBER_COLUMNS = {
    "map": "map_mmhg",
    "sbp": "sbp_mmhg",
    "dbp": "dbp_mmhg",
    "hr": "hr_per_min",
    "ne_dose_mcg_kg_min": "ne_dose_mcg_per_kg_per_min",
    "vasopressin_u_min": "vasopressin_u_per_min",
    "epinephrine_mcg_kg_min": "epinephrine_mcg_per_kg_per_min",
    "dobutamine_mcg_kg_min": "dobutamine_mcg_per_kg_per_min",
    "lactate_mmol_l": "lactate_mmol_per_l",
    "urine_ml_kg_h": "urine_ml_per_kg_per_h",
    "crt_s": "crt_s",
}
COLUMNS = ("time", *NUMBER_COLUMNS, "altered_mental_status")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}

# Bounds on the file itself (not clinical): a readings file is a few hundred short lines.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_LINE_CHARS = 1000
MAX_CELL_CHARS = 64
# Times must fall in this span: a check due hours or a day later still has a date (9999-12-31 plus 5 min does not).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class RowError(InputError):
    """A bad CSV row: names the file, line and column."""

    def __init__(self, source: str, line: int, column: str, problem: str, accepted: str = "") -> None:
        self.line = line
        self.column = column
        super().__init__(f"{source}: line {line}, column {column}", problem, accepted)


class HardLimitRowError(RowError, HardLimitError):
    """A row's dose above the hard limit (exit 3)."""


@dataclass(frozen=True)
class ReadingsFile:
    readings: list[Reading]
    minutes_mode: bool  # times were given as minutes from start


def _number(text: str) -> float:
    value = float(text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip())
    if not math.isfinite(value):
        raise ValueError(text)
    return value


TIME_ACCEPTED = "ISO 8601 (2026-01-01T08:00:00Z) or minutes from start, from 1900 to 9000"


def _parse_time(text: str) -> tuple[datetime, bool]:
    """ISO 8601 (naive = UTC) or minutes from start. ValueError for anything else, or a time out of the span."""
    stripped = text.strip()
    try:
        minutes: float | None = _number(stripped)
    except ValueError:
        minutes = None
    try:
        if minutes is not None:
            when, is_minutes = MINUTES_ORIGIN + timedelta(minutes=minutes), True
        else:
            when = datetime.fromisoformat(stripped)
            when = (when.replace(tzinfo=UTC) if when.tzinfo is None else when).astimezone(UTC)
            is_minutes = False
    except OverflowError as exc:
        raise _OutOfRangeError(f"{text!r} is out of range") from exc
    if not EARLIEST <= when <= LATEST:
        raise _OutOfRangeError(f"{text!r} is out of range")
    return when, is_minutes


class _OutOfRangeError(ValueError):
    pass


def _time_problem(text: str, exc: ValueError) -> str:
    return str(exc) if isinstance(exc, _OutOfRangeError) else f"{text!r} is not a time"


def _text(path: Path) -> str:
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError("readings", f"{source} cannot be read: {exc.strerror}", "a readable CSV file") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputError("readings", f"{source} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                         "a CSV file of readings")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("readings", f"{source}: line {line} is not UTF-8 (byte 0x{data[exc.start]:02x} "
                         f"at offset {exc.start}: {exc.reason})", "a UTF-8 text file") from exc
    for number, line_text in enumerate(text.splitlines(), start=1):
        if len(line_text) > MAX_LINE_CHARS:
            raise InputError("readings", f"{source}: line {number} has {len(line_text)} characters",
                             f"lines of at most {MAX_LINE_CHARS} characters")
    return text


def read_readings(path: Path, protocol: Protocol | None = None, hard_max: float | None = None) -> ReadingsFile:
    """Parse the readings CSV. Raises :class:`InputError` (a :class:`RowError` for a bad row). With a protocol,
    every MAP is checked against its plausible range (rule READ-PLAUSIBLE); a dose above ``hard_max``
    (mcg/kg/min) raises :class:`HardLimitRowError`."""
    source = str(path)
    try:
        return _read_rows(source, csv.reader(io.StringIO(_text(path), newline="")), protocol, hard_max)
    except csv.Error as exc:
        raise InputError("readings", f"{source}: {exc}", "a CSV file with one reading per line") from exc


def _read_rows(source: str, reader: Any, protocol: Protocol | None, hard_max: float | None) -> ReadingsFile:
    header_row = next(reader, None)
    if header_row is None:
        raise InputError("readings", f"{source} is empty", "a header line, then one row per reading")
    header = [h.strip().lower() for h in header_row]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RowError(source, 1, unknown[0][:MAX_CELL_CHARS], "unknown column", ", ".join(COLUMNS))
    duplicate = next((h for i, h in enumerate(header) if h in header[:i]), None)
    if duplicate is not None:
        raise RowError(source, 1, duplicate, "duplicate column", "each column once")
    if "time" not in header:
        raise RowError(source, 1, "time", "missing column", "a time column (ISO 8601 or minutes from start)")
    if "map" not in header and not ("sbp" in header and "dbp" in header):
        raise RowError(source, 1, "map", "missing column", "a map column, or sbp and dbp columns")
    if "ne_dose_mcg_kg_min" not in header:
        raise RowError(source, 1, "ne_dose_mcg_kg_min", "missing column", "the NE dose running at each reading")
    readings: list[Reading] = []
    mode: bool | None = None
    last_line = 1
    for row in reader:
        line = last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RowError(source, line, header[min(len(row), len(header) - 1)],
                           f"{len(row)} cells for {len(header)} columns", "one cell per column")
        cells = dict(zip(header, row, strict=True))
        long_cell = next((c for c in header if len(cells[c]) > MAX_CELL_CHARS), None)
        if long_cell is not None:
            raise RowError(source, line, long_cell, f"{len(cells[long_cell])} characters",
                           f"at most {MAX_CELL_CHARS}")
        try:
            at, minutes = _parse_time(cells["time"])
        except ValueError as exc:
            raise RowError(source, line, "time", _time_problem(cells["time"], exc), TIME_ACCEPTED) from exc
        if mode is not None and minutes != mode:
            raise RowError(source, line, "time", "mixes ISO times and minutes from start", "one kind of time")
        mode = minutes
        if readings and at <= readings[-1].at:
            raise RowError(source, line, "time", "not after the previous row", "rows in time order")
        values: dict[str, Any] = {}
        for column, attr in NUMBER_COLUMNS.items():
            text = cells.get(column, "").strip()
            if text:
                try:
                    values[attr] = _number(text)
                except ValueError as exc:
                    raise RowError(source, line, column, f"{text!r} is not a number", "a finite number") from exc
        dose = values.get("ne_dose_mcg_per_kg_per_min")
        if hard_max is not None and dose is not None and dose > hard_max:
            raise HardLimitRowError(source, line, "ne_dose_mcg_kg_min", f"{dose:g} mcg/kg/min is above the hard "
                                    "limit: refused", f"0 to {hard_max:g} mcg/kg/min")
        ams = cells.get("altered_mental_status", "").strip().lower()
        if ams:
            if ams not in _TRUE | _FALSE:
                raise RowError(source, line, "altered_mental_status", f"{ams!r} is not yes or no",
                               "1/0, true/false, yes/no")
            values["altered_mental_status"] = ams in _TRUE
        try:
            reading = Reading(at=at, **values)
            if protocol is not None:
                check_reading(reading, protocol)
        except InputError as exc:
            raise RowError(source, line, exc.field, exc.problem, exc.accepted) from exc
        readings.append(reading)
    if not readings:
        raise InputError("readings", f"{source} has no rows", "one row per reading after the header")
    if readings[-1].ne_dose_mcg_per_kg_per_min is None:
        raise RowError(source, last_line, "ne_dose_mcg_kg_min", "empty in the last row",
                       "the dose running now (0 when not running)")
    return ReadingsFile(readings, bool(mode))


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "advise",
        help="titration advice for the last of a file of readings",
        description="Print what to do now, why and when to look again, for the last reading of a CSV file "
        "(columns: time, map or sbp+dbp, hr, ne_dose_mcg_kg_min, vasopressin_u_min, epinephrine_mcg_kg_min, "
        "dobutamine_mcg_kg_min, lactate_mmol_l, urine_ml_kg_h, crt_s, altered_mental_status). Decision support, "
        "not a certified medical device. Exit 0 on success, 2 on bad input, 3 when a dose in the file is above the "
        "hard limit.",
    )
    p.add_argument("--readings", required=True, type=Path, help="CSV file of readings (with a header)")
    add_patient_and_bag(p, weight_required=True)
    p.add_argument("--now", type=text_option,
                   help="the time to advise at, as the file gives times (ISO 8601, or minutes from start); "
                   "default: the last reading's time")
    p.add_argument("--target", type=finite, help="an individual MAP target in mmHg (default: from the protocol)")
    p.add_argument("--line-hours", type=finite, default=0.0, help="hours the line has been in place")
    p.add_argument("--age", type=finite, help="age in years")
    p.add_argument("--chronic-hypertension", action="store_true")
    p.add_argument("--baseline-sbp", type=finite, help="pre-existing systolic pressure, mmHg")
    p.add_argument("--cardiac-dysfunction", action="store_true")
    p.add_argument("--ards", action="store_true")
    p.add_argument("--intra-abdominal-hypertension", action="store_true")
    p.add_argument("--fluids-ml-kg", type=finite, help="crystalloid given so far, mL/kg")
    p.add_argument("--bag-volume-left", type=text_option, help='volume left in the bag, e.g. "120 mL"')


def _bag_ml(text: str | None) -> float | None:
    if text is None:
        return None
    q = parse_quantity(text, "bag-volume-left", "mL")
    if q.dimensionality != Q(1, "mL").dimensionality:
        raise InputError("bag-volume-left", f"{text!r} is not a volume", "e.g. 120 mL")
    return float(q.to("mL").magnitude)


def _now(text: str | None, data: ReadingsFile) -> datetime:
    if text is None:
        return data.readings[-1].at
    try:
        when, minutes = _parse_time(text)
    except ValueError as exc:
        raise InputError("now", _time_problem(text, exc), TIME_ACCEPTED) from exc
    if minutes != data.minutes_mode:
        kind = "minutes from start" if data.minutes_mode else "ISO 8601 times"
        raise InputError("now", f"{text!r} is not given as the file gives times", kind)
    return when


def build_advice(args: argparse.Namespace) -> tuple[Advice, ReadingsFile]:
    protocol = load_protocol(args.protocol)
    common = read_patient_and_bag(args)
    weight = common.weight_kg
    if weight is None:  # pragma: no cover - argparse requires --weight
        raise InputError("weight", "no weight given", "a weight in kg or lb")
    data = read_readings(args.readings, protocol, hard_limit_per_kg(protocol, common.population, weight))
    patient = PatientInfo(
        weight_kg=weight,
        population=common.population,
        age_years=args.age,
        chronic_hypertension=args.chronic_hypertension,
        baseline_sbp_mmhg=args.baseline_sbp,
        ards=args.ards,
        intra_abdominal_hypertension=args.intra_abdominal_hypertension,
        cardiac_dysfunction=args.cardiac_dysfunction,
        line=common.line,
        line_hours=args.line_hours,
        fluids_ml_per_kg=args.fluids_ml_kg,
        target_map_mmhg=args.target,
    )
    last = data.readings[-1]
    infusion = InfusionState(
        concentration=common.concentration,
        dose_mcg_per_kg_per_min=last.ne_dose_mcg_per_kg_per_min or 0.0,
        bag_volume_left_ml=_bag_ml(args.bag_volume_left),
    )
    # the same record the window would hold, and the advice its bedside layer derives (one input builder)
    return advice_for_readings(data.readings, patient, infusion, protocol, now=_now(args.now, data)), data


def _minute_clock(when: datetime) -> str:
    """A time in a file of "minutes from start": as the file gives it."""
    return f"minute {(when - MINUTES_ORIGIN).total_seconds() / 60.0:g}"


def _text_output(advice: Advice, minutes_mode: bool = False) -> str:
    lines = [advice.rationale]
    if advice.waiting is not None:  # the same sentence the advice panel shows (times as the file gives them)
        lines.append((advice.waiting.text(_minute_clock) if minutes_mode else advice.waiting.text()) + ".")
    if advice.needs_confirmation:
        lines.append("Needs the nurse's confirmation before the pump is changed.")
    lines += [f"[{a.priority.value.upper()}] {a.code}: {a.message}" for a in advice.alerts]
    lines += [f"-> {e.code}: {e.reason}" for e in advice.escalations]
    lines += [f"Reminder: {r.message}" for r in advice.reminders]
    if advice.extravasation:
        lines.append(advice.extravasation)
    if advice.target_map is None:
        target = f"No target ({advice.target_reason})"
    else:
        target = f"Target {advice.target_map:g}-{advice.target_map_upper:g} ({advice.target_reason})"
    lines.append(f"{target}; NEE {advice.nee_mcg_per_kg_per_min:.3g} mcg/kg/min; rules {', '.join(advice.rules)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        advice, data = build_advice(args)
    except InputError as exc:
        return fail("advise", exc)
    if args.json:
        out = advice.to_json()
        if data.minutes_mode:
            out["next_check_due_min"] = (advice.next_check_due - MINUTES_ORIGIN).total_seconds() / 60.0
        print(json.dumps(out, allow_nan=False))
    else:
        print(_text_output(advice, data.minutes_mode))
    return EXIT_OK
