"""Debrief files and the class table, without Qt.

A training debrief is exported as JSON (:func:`debrief_json`: everything the debrief says, the metrics as named
fields) and as a one-row CSV of the metrics (:func:`debrief_csv`, columns :data:`METRIC_FIELDS`).
``norepi-gui class-table`` reads many such files (either kind) into one table, one trainee's run per row, with the
class mean of each number below (:func:`class_csv`); a file that cannot be read is reported by name and left out.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from norepi_gui.core.spreadsheet_safe import csv_text

if TYPE_CHECKING:
    from norepi_gui.core.events import JsonValue
    from norepi_gui.sim.training import TrainingDebrief

FORMAT = "norepi-gui training debrief"
MAX_FILE_BYTES = 5_000_000  # a debrief file is a few kB; anything much larger is not one

#: The class table's columns: (metric field, column heading).
CLASS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("trainee", "Trainee"),
    ("scenario", "Scenario"),
    ("seed", "Seed"),
    ("simulated_min", "Min"),
    ("band", "Band scored"),
    ("time_in_band_pct", "In band\n%"),
    ("time_below_band_pct", "Below\nband %"),
    ("time_below_floor_pct", "Below\nfloor %"),
    ("time_above_band_pct", "Above\nband %"),
    ("time_to_first_titration_min", "First\ntitration min"),
    ("mean_prompt_response_min", "Prompt\nresponse min"),
    ("mean_event_response_min", "Event\nresponse min"),
    ("key_actions_on_time", "Key actions\non time"),
    ("key_actions", "Key\nactions"),
    ("score", "Score"),
    ("key_points_max", "Score\npossible"),
    ("flags", "Errors\nflagged"),
    ("limit_alerts", "Limit\nalerts"),
    ("max_dose_mcg_per_kg_per_min", "Max NE\nmcg/kg/min"),
)


class DebriefFileError(ValueError):
    """A file that is not a readable debrief: ``file``, what is wrong and what is accepted."""

    def __init__(self, file: str, problem: str, accepted: str) -> None:
        self.file = file
        self.problem = problem
        self.accepted = accepted
        super().__init__(f"{file}: {problem} (accepted: {accepted})")


def debrief_json(d: TrainingDebrief) -> bytes:
    from norepi_gui.sim.training import debrief_document

    return (json.dumps(debrief_document(d), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def debrief_csv(d: TrainingDebrief) -> bytes:
    from norepi_gui.sim.training import METRIC_FIELDS, metrics_record

    values = metrics_record(d)
    names = [name for name, _ in METRIC_FIELDS]
    return csv_text([names, [values[n] for n in names]]).encode("utf-8")


@dataclass(frozen=True)
class ClassRow:
    """One trainee's run: its metrics by field name, and the file it came from."""

    source: str
    metrics: dict[str, JsonValue]


def _number(text: str) -> JsonValue:
    text = text.strip().lstrip("'")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def read_debrief_file(path: Path) -> ClassRow:
    """A debrief exported as JSON or CSV; DebriefFileError names the file and the problem."""
    from norepi_gui.sim.training import METRIC_FIELDS

    name = str(path)
    accepted = "a debrief exported by norepi-gui (JSON, or the metrics CSV)"
    try:
        data = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise DebriefFileError(name, f"cannot be read: {exc.strerror or exc}", accepted) from exc
    if len(data) > MAX_FILE_BYTES:
        raise DebriefFileError(name, "is too large to be a debrief", f"a file of at most {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DebriefFileError(name, "is not UTF-8 text", accepted) from exc
    fields = [n for n, _ in METRIC_FIELDS]
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            doc = json.loads(text, parse_constant=lambda c: None)
        except json.JSONDecodeError as exc:
            raise DebriefFileError(name, f"is not JSON (line {exc.lineno}: {exc.msg})", accepted) from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("metrics"), dict):
            raise DebriefFileError(name, "is JSON but not a norepi-gui debrief", f'"format": "{FORMAT}"')
        metrics = doc["metrics"]
    else:
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) < 2 or [c.strip() for c in rows[0]] != fields:
            raise DebriefFileError(name, "is not a debrief metrics CSV (its first row is not the metric names)",
                                   "the header " + ",".join(fields[:3]) + ",...")
        metrics = {f: _number(v) for f, v in zip(fields, rows[1], strict=False)}
    missing = [f for f in ("scenario", "time_in_band_pct") if f not in metrics]
    if missing:
        raise DebriefFileError(name, f"has no {missing[0]}", "the metrics of a debrief")
    return ClassRow(name, {f: metrics.get(f) for f in fields})


def collect(paths: Iterable[Path]) -> tuple[list[ClassRow], list[DebriefFileError]]:
    """Every readable debrief of ``paths`` (folders: their *.json and *.csv), and the problems of the others."""
    rows: list[ClassRow] = []
    problems: list[DebriefFileError] = []
    for path in paths:
        files = sorted([*path.glob("*.json"), *path.glob("*.csv")]) if path.is_dir() else [path]
        for file in files:
            try:
                rows.append(read_debrief_file(file))
            except DebriefFileError as exc:
                problems.append(exc)
    rows.sort(key=lambda r: (str(r.metrics.get("scenario") or ""), str(r.metrics.get("trainee") or ""), r.source))
    return rows, problems


def class_means(rows: Sequence[ClassRow]) -> dict[str, float | None]:
    """The mean of each numeric column over the rows that have it."""
    out: dict[str, float | None] = {}
    for name, _heading in CLASS_COLUMNS:
        values = [float(v) for r in rows if isinstance(v := r.metrics.get(name), int | float)
                  and not isinstance(v, bool) and math.isfinite(float(v))]
        out[name] = sum(values) / len(values) if values and name != "seed" else None
    return out


def cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3g}"
    return str(value)


def class_table_rows(rows: Sequence[ClassRow]) -> list[list[str]]:
    """Heading, one row per run, then the class means (text cells, as the CSV and the PDF show them)."""
    table = [[heading for _n, heading in CLASS_COLUMNS]]
    table += [[cell(r.metrics.get(name)) for name, _h in CLASS_COLUMNS] for r in rows]
    if rows:
        means = class_means(rows)
        table.append(["Class mean" if i == 0 else ("" if means[name] is None else f"{means[name]:.1f}")
                      for i, (name, _h) in enumerate(CLASS_COLUMNS)])
    return table


def class_csv(rows: Sequence[ClassRow]) -> bytes:
    """The class table as CSV (every metric of every run, then the class means), with the source file per row."""
    from norepi_gui.sim.training import METRIC_FIELDS

    names = [n for n, _ in METRIC_FIELDS]
    out: list[list[object]] = [[*names, "file"]]
    out += [[*(r.metrics.get(n) for n in names), r.source] for r in rows]
    if rows:
        means = class_means(rows)
        out.append([*("class mean" if n == "trainee" else means.get(n) for n in names), ""])
    return csv_text(out).encode("utf-8")
