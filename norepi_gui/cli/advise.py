"""``norepi-gui advise``: the titration engine for scripts, one check at a time. Imports no Qt.

Reads every reading so far from a CSV file and prints the advice for the last one. The advice is as of the last
reading's time (the same file always gives the same answer). Exit 0 on success, 2 on bad input (the message names the
line number and column of a bad row).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from norepi_gui.bedside.replay import advice_for_readings
from norepi_gui.core.dosing import Salt, parse_concentration, parse_weight
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType, Population, load_protocol
from norepi_gui.core.titration import Advice, InfusionState, PatientInfo, Reading
from norepi_gui.core.units import Q, parse_quantity

EXIT_OK = 0
EXIT_BAD_INPUT = 2

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


class RowError(InputError):
    """A bad CSV row: names the file, line and column."""

    def __init__(self, source: str, line: int, column: str, problem: str, accepted: str = "") -> None:
        self.line = line
        self.column = column
        super().__init__(f"{source}: line {line}, column {column}", problem, accepted)


@dataclass(frozen=True)
class ReadingsFile:
    readings: list[Reading]
    minutes_mode: bool  # times were given as minutes from start


def _number(text: str) -> float:
    value = float(text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip())
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _parse_time(text: str) -> tuple[datetime, bool]:
    """ISO 8601 (naive = UTC) or minutes from start."""
    stripped = text.strip()
    try:
        return MINUTES_ORIGIN + timedelta(minutes=_number(stripped)), True
    except ValueError:
        pass
    when = datetime.fromisoformat(stripped)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC), False


def read_readings(path: Path) -> ReadingsFile:
    """Parse the readings CSV. Raises :class:`InputError` (a :class:`RowError` for a bad row)."""
    source = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError("readings", f"{source} cannot be read: {exc.strerror}", "a readable CSV file") from exc
    with handle:
        reader = csv.reader(handle)
        header_row = next(reader, None)
        if header_row is None:
            raise InputError("readings", f"{source} is empty", "a header line, then one row per reading")
        header = [h.strip().lower() for h in header_row]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise RowError(source, 1, unknown[0], "unknown column", ", ".join(COLUMNS))
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
            try:
                at, minutes = _parse_time(cells["time"])
            except ValueError as exc:
                raise RowError(source, line, "time", f"{cells['time']!r} is not a time",
                               "ISO 8601 (2026-01-01T08:00:00Z) or minutes from start") from exc
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
            ams = cells.get("altered_mental_status", "").strip().lower()
            if ams:
                if ams not in _TRUE | _FALSE:
                    raise RowError(source, line, "altered_mental_status", f"{ams!r} is not yes or no",
                                   "1/0, true/false, yes/no")
                values["altered_mental_status"] = ams in _TRUE
            try:
                readings.append(Reading(at=at, **values))
            except InputError as exc:
                raise RowError(source, line, exc.field, exc.problem, exc.accepted) from exc
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
        "not a certified medical device. Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("--readings", required=True, type=Path, help="CSV file of readings (with a header)")
    p.add_argument("--weight", required=True, help='patient weight, e.g. "70 kg" or "154 lb"')
    p.add_argument("--concentration", required=True, help='"16 mcg/mL", "4 mg/250 mL" or "4 mg in 250 mL"')
    p.add_argument("--salt", default="base", help="what the vial states: base (default) | bitartrate")
    p.add_argument("--target", type=float, help="an individual MAP target in mmHg (default: from the protocol)")
    p.add_argument("--line", default="central", help="central | peripheral | io (default central)")
    p.add_argument("--line-hours", type=float, default=0.0, help="hours the line has been in place")
    p.add_argument("--population", default="adult", choices=[x.value for x in Population])
    p.add_argument("--age", type=float, help="age in years")
    p.add_argument("--chronic-hypertension", action="store_true")
    p.add_argument("--baseline-sbp", type=float, help="pre-existing systolic pressure, mmHg")
    p.add_argument("--cardiac-dysfunction", action="store_true")
    p.add_argument("--ards", action="store_true")
    p.add_argument("--intra-abdominal-hypertension", action="store_true")
    p.add_argument("--fluids-ml-kg", type=float, help="crystalloid given so far, mL/kg")
    p.add_argument("--bag-volume-left", help='volume left in the bag, e.g. "120 mL"')
    p.add_argument("--protocol", type=Path, help="protocol TOML file (default: the shipped protocol)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _bag_ml(text: str | None) -> float | None:
    if text is None:
        return None
    q = parse_quantity(text, "bag-volume-left", "mL")
    if q.dimensionality != Q(1, "mL").dimensionality:
        raise InputError("bag-volume-left", f"{text!r} is not a volume", "e.g. 120 mL")
    return float(q.to("mL").magnitude)


def build_advice(args: argparse.Namespace) -> tuple[Advice, ReadingsFile]:
    protocol = load_protocol(args.protocol)
    data = read_readings(args.readings)
    weight = float(parse_weight(args.weight).to("kg").magnitude)
    patient = PatientInfo(
        weight_kg=weight,
        population=Population(args.population),
        age_years=args.age,
        chronic_hypertension=args.chronic_hypertension,
        baseline_sbp_mmhg=args.baseline_sbp,
        ards=args.ards,
        intra_abdominal_hypertension=args.intra_abdominal_hypertension,
        cardiac_dysfunction=args.cardiac_dysfunction,
        line=LineType.parse(args.line),
        line_hours=args.line_hours,
        fluids_ml_per_kg=args.fluids_ml_kg,
        target_map_mmhg=args.target,
    )
    last = data.readings[-1]
    infusion = InfusionState(
        concentration=parse_concentration(args.concentration, Salt.parse(args.salt)),
        dose_mcg_per_kg_per_min=last.ne_dose_mcg_per_kg_per_min or 0.0,
        bag_volume_left_ml=_bag_ml(args.bag_volume_left),
    )
    # the same record the window would hold, and the advice its bedside layer derives (one input builder)
    return advice_for_readings(data.readings, patient, infusion, protocol, now=last.at), data


def _text(advice: Advice) -> str:
    lines = [advice.rationale]
    lines += [f"[{a.priority.value.upper()}] {a.code}: {a.message}" for a in advice.alerts]
    lines += [f"-> {e.code}: {e.reason}" for e in advice.escalations]
    lines += [f"Reminder: {r.message}" for r in advice.reminders]
    if advice.extravasation:
        lines.append(advice.extravasation)
    lines.append(f"Target {advice.target_map:g}-{advice.target_map_upper:g} ({advice.target_reason}); "
                 f"NEE {advice.nee_mcg_per_kg_per_min:.3g} mcg/kg/min; rules {', '.join(advice.rules)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        advice, data = build_advice(args)
    except InputError as exc:
        print(f"norepi-gui advise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        out = advice.to_json()
        if data.minutes_mode:
            out["next_check_due_min"] = (advice.next_check_due - MINUTES_ORIGIN).total_seconds() / 60.0
        print(json.dumps(out))
    else:
        print(_text(advice))
    return EXIT_OK
