"""The handover report's content, built from plain inputs and ready to lay out (no Qt here).

Everything the report prints is decided here: which readings fall in the last 12 hours, the order of the alerts, how
times and numbers are written. ``norepi_gui.ui.report`` only lays the result out on a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from norepi_gui import DISCLAIMER
from norepi_gui.core.alerts import Alert, by_priority
from norepi_gui.core.clock import Clock
from norepi_gui.core.errors import InputError

DEFAULT_WINDOW_HOURS = 12.0  # issue 4: the handover lists "the last 12 h of readings"
TITLE = "Norepinephrine infusion handover"


@dataclass(frozen=True)
class PatientDetails:
    weight_kg: float | None
    population: str
    flags: tuple[str, ...] = ()  # e.g. "age 65 or over", "chronic hypertension (baseline SBP 160 mmHg)"
    line: str = ""  # e.g. "peripheral"
    line_inserted_at: datetime | None = None


@dataclass(frozen=True)
class InfusionDetails:
    concentration: str  # as the core describes it, e.g. "4 mg base in 250 mL = 16 mcg/mL base"
    dose_mcg_per_min: float
    pump_rate_ml_per_h: float
    dose_mcg_per_kg_per_min: float | None = None
    co_infusions: tuple[str, ...] = ()  # e.g. "vasopressin 0.03 U/min since 09:10"


@dataclass(frozen=True)
class AdviceDetails:
    text: str
    rationale: str = ""
    rule_ids: tuple[str, ...] = ()
    next_check_at: datetime | None = None


@dataclass(frozen=True)
class EscalationLine:
    name: str
    reason: str


@dataclass(frozen=True)
class HandoverReading:
    at: datetime
    map_mmhg: float
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None
    dose_mcg_per_kg_per_min: float | None = None  # running at the time of the reading, when known


READING_COLUMNS = ("Time", "MAP mmHg", "SBP/DBP mmHg", "HR /min", "NE mcg/kg/min")


@dataclass(frozen=True)
class HandoverData:
    """The report, as labelled text: what each section says, in order."""

    title: str
    generated_at: datetime
    generated_at_text: str
    protocol_text: str
    patient_rows: tuple[tuple[str, str], ...]
    infusion_rows: tuple[tuple[str, str], ...]
    advice_text: str
    advice_rows: tuple[tuple[str, str], ...]
    escalations: tuple[EscalationLine, ...]
    alerts: tuple[Alert, ...]
    readings_heading: str
    reading_columns: tuple[str, ...]
    reading_rows: tuple[tuple[str, ...], ...]
    disclaimer: str
    readings_left_out: int = 0  # readings outside the window (older, or after the report time)

    def plain_text(self) -> str:
        """The whole report as plain text (for tests, the clipboard and as a printed fallback)."""
        lines = [self.title, f"Generated {self.generated_at_text}", self.protocol_text, "", "Patient"]
        lines += [f"  {label}: {value}" for label, value in self.patient_rows]
        lines += ["", "Infusion"]
        lines += [f"  {label}: {value}" for label, value in self.infusion_rows]
        lines += ["", "Current advice", f"  {self.advice_text}"]
        lines += [f"  {label}: {value}" for label, value in self.advice_rows]
        lines += ["", "Escalations"]
        lines += [f"  {e.name}: {e.reason}" for e in self.escalations] or ["  none suggested"]
        lines += ["", "Alerts"]
        lines += [f"  [{a.priority.value}] {a.message}" for a in self.alerts] or ["  none"]
        lines += ["", self.readings_heading, "  " + " | ".join(self.reading_columns)]
        lines += ["  " + " | ".join(row) for row in self.reading_rows] or ["  no readings in this period"]
        lines += ["", self.disclaimer]
        return "\n".join(lines)


def format_number(value: float, decimals: int) -> str:
    """At most ``decimals`` decimals, without trailing zeros: 26.30 -> "26.3", 7.0 -> "7"."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_time(when: datetime, tz: tzinfo | None, *, with_date: bool = True) -> str:
    """Clock time in ``tz`` (None: the computer's local zone), with the zone's name."""
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%d %b %H:%M").strip()


def _aware(when: datetime, field_name: str) -> datetime:
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise InputError(field_name, "the time has no time zone", "a timezone-aware datetime (the core's UTC)")
    return when


def _patient_rows(patient: PatientDetails, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    if patient.weight_kg is not None and not patient.weight_kg > 0:
        raise InputError("patient weight", f"{patient.weight_kg!r} kg is not a weight", "a positive number of kg")
    rows = [
        ("Weight", "not entered" if patient.weight_kg is None else f"{format_number(patient.weight_kg, 1)} kg"),
        ("Population", patient.population or "not entered"),
        ("Flags", ", ".join(patient.flags) if patient.flags else "none"),
    ]
    line = patient.line or "not entered"
    if patient.line_inserted_at is not None:
        line += f", inserted {format_time(_aware(patient.line_inserted_at, 'line inserted at'), tz)}"
    rows.append(("Line", line))
    return tuple(rows)


def _infusion_rows(infusion: InfusionDetails) -> tuple[tuple[str, str], ...]:
    if infusion.dose_mcg_per_min < 0 or infusion.pump_rate_ml_per_h < 0:
        raise InputError("infusion", "dose and pump rate cannot be negative", "0 or more")
    dose = f"{format_number(infusion.dose_mcg_per_min, 2)} mcg/min"
    if infusion.dose_mcg_per_kg_per_min is not None:
        dose = f"{format_number(infusion.dose_mcg_per_kg_per_min, 3)} mcg/kg/min ({dose})"
    return (
        ("Concentration", infusion.concentration),
        ("Dose", dose),
        ("Pump rate", f"{format_number(infusion.pump_rate_ml_per_h, 2)} mL/h"),
        ("Co-infusions", "; ".join(infusion.co_infusions) if infusion.co_infusions else "none"),
    )


def _advice_rows(advice: AdviceDetails, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    if advice.rationale:
        rows.append(("Why", advice.rationale))
    if advice.rule_ids:
        rows.append(("Rules", ", ".join(advice.rule_ids)))
    if advice.next_check_at is not None:
        rows.append(("Next check", format_time(_aware(advice.next_check_at, "next check at"), tz)))
    return tuple(rows)


def _reading_row(reading: HandoverReading, tz: tzinfo | None) -> tuple[str, ...]:
    pressure = (
        f"{format_number(reading.sbp_mmhg, 0)}/{format_number(reading.dbp_mmhg, 0)}"
        if reading.sbp_mmhg is not None and reading.dbp_mmhg is not None
        else "-"
    )
    return (
        format_time(reading.at, tz, with_date=False),
        format_number(reading.map_mmhg, 1),
        pressure,
        "-" if reading.hr_per_min is None else format_number(reading.hr_per_min, 0),
        "-" if reading.dose_mcg_per_kg_per_min is None else format_number(reading.dose_mcg_per_kg_per_min, 3),
    )


def build_handover(
    *,
    patient: PatientDetails,
    infusion: InfusionDetails,
    advice: AdviceDetails,
    escalations: Sequence[EscalationLine],
    alerts: Sequence[Alert],
    readings: Sequence[HandoverReading],
    protocol_name: str,
    protocol_version: str,
    clock: Clock,
    tz: tzinfo | None = None,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    disclaimer: str = DISCLAIMER,
) -> HandoverData:
    """Build the report as of ``clock.now()``; times are written in ``tz`` (None: the computer's local zone)."""
    if not window_hours > 0:
        raise InputError("window hours", f"{window_hours!r} is not a period", "a positive number of hours")
    now = _aware(clock.now(), "clock")
    since = now - timedelta(hours=window_hours)
    for reading in readings:
        _aware(reading.at, "reading time")
    shown = sorted((r for r in readings if since <= r.at <= now), key=lambda r: r.at)
    return HandoverData(
        title=TITLE,
        generated_at=now,
        generated_at_text=format_time(now, tz),
        protocol_text=f"Protocol: {protocol_name} (version {protocol_version})",
        patient_rows=_patient_rows(patient, tz),
        infusion_rows=_infusion_rows(infusion),
        advice_text=advice.text or "no advice yet",
        advice_rows=_advice_rows(advice, tz),
        escalations=tuple(escalations),
        alerts=tuple(by_priority(list(alerts))),
        readings_heading=(
            f"Readings, last {format_number(window_hours, 1)} h ({format_time(since, tz)} to {format_time(now, tz)})"
        ),
        reading_columns=READING_COLUMNS,
        reading_rows=tuple(_reading_row(r, tz) for r in shown),
        disclaimer=disclaimer,
        readings_left_out=len(readings) - len(shown),
    )
