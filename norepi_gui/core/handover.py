"""The handover report's content, built from plain inputs and ready to lay out (no Qt here).

Everything the report prints is decided here: which rows fall in the last 12 hours, how a stable stretch is
summarised, what the chart shows and where its ticks go, the order of the alerts, how times and numbers are written.
``norepi_gui.ui.report`` only lays the result out on a page. Every time a nurse reads is local clock time in the zone
asked for (None: this computer's), and the zone is named; advice is labelled as decision support, never as an order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from norepi_gui import DISCLAIMER
from norepi_gui.core.alerts import Alert, by_priority
from norepi_gui.core.clock import Clock
from norepi_gui.core.errors import InputError
from norepi_gui.core.flowsheet import SUMMARY, FlowsheetRow, block_chart
from norepi_gui.core.order import TitrationOrder
from norepi_gui.core.quality import METHOD, QualityFigures, figure_rows

DEFAULT_WINDOW_HOURS = 12.0  # issue 4: the handover lists "the last 12 h of readings"
MIN_CHART_MINUTES = 30.0  # a chart of a few minutes is drawn at least this wide, so points do not pile up
TITLE = "Norepinephrine infusion handover"
TICK_STEPS_MIN = (5, 10, 15, 20, 30, 60, 120, 180, 240, 360)
MAX_TICKS = 8


@dataclass(frozen=True)
class PatientDetails:
    weight_kg: float | None
    population: str
    flags: tuple[str, ...] = ()  # e.g. "age 65 or over", "chronic hypertension (baseline SBP 160 mmHg)"
    line: str = ""  # e.g. "peripheral"
    line_inserted_at: datetime | None = None
    line_max_hours: float | None = None  # the protocol's limit for this line (None or 0: none)
    label: str = ""  # the patient label the session was opened with
    bed: str = ""


@dataclass(frozen=True)
class InfusionDetails:
    concentration: str  # as the core describes it, e.g. "4 mg base in 250 mL = 16 mcg/mL base"
    dose_mcg_per_min: float
    pump_rate_ml_per_h: float
    dose_mcg_per_kg_per_min: float | None = None
    co_infusions: tuple[str, ...] = ()  # e.g. "vasopressin 0.03 U/min since 09:10"
    salt: str = "base"  # what the vial's strength states (doses are always base)
    bag_left_ml: float | None = None
    running_since: datetime | None = None


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
    first_at: datetime | None = None  # when it was first suggested in the report's window
    outcome: str = ""  # what was done: "vasopressin started 09:40", "still suggested"


@dataclass(frozen=True)
class NurseDetails:
    on_duty: str | None = None
    since: datetime | None = None
    handovers: tuple[tuple[datetime, str], ...] = ()  # (when, "AB to CD") in the window


@dataclass(frozen=True)
class ChartInput:
    """What the chart draws: readings (time, MAP), the dose steps (time, mcg/kg/min, each holding until the next),
    markers (time, kind, text), the band and the floor."""

    readings: tuple[tuple[datetime, float], ...] = ()
    doses: tuple[tuple[datetime, float], ...] = ()
    markers: tuple[tuple[datetime, str, str], ...] = ()
    band: tuple[float, float] | None = None
    floor: float | None = None
    since: datetime | None = None  # the shift's start: the chart starts here (at most 12 h back, at least 1 h)


@dataclass(frozen=True)
class ChartData:
    """The chart, ready to draw: x from ``start`` to ``end`` (zoomed to the data), MAP from ``map_low`` to
    ``map_high``, dose from 0 to ``dose_high``; ticks at local clock times."""

    start: datetime
    end: datetime
    map_low: float
    map_high: float
    dose_high: float
    readings: tuple[tuple[datetime, float], ...]
    doses: tuple[tuple[datetime, float], ...]  # steps, the last one held to ``end``
    markers: tuple[tuple[datetime, str, str], ...]
    band: tuple[float, float] | None
    floor: float | None
    ticks: tuple[tuple[datetime, str], ...]
    map_ticks: tuple[float, ...]
    caption: str


@dataclass(frozen=True)
class FlowsheetLine:
    cells: tuple[str, ...]
    summary: bool = False  # a block-charting summary row
    kind: str = ""


FLOWSHEET_COLUMNS = ("Time", "MAP", "SBP/DBP", "HR", "Lactate, urine, CRT", "NE mcg/kg/min (mcg/min)", "Rate mL/h",
                     "Co-infusions", "What changed, why", "By")


@dataclass(frozen=True)
class HandoverData:
    """The report, as labelled text: what each section says, in order."""

    title: str
    generated_at: datetime
    generated_at_text: str
    zone_text: str
    protocol_text: str
    header_rows: tuple[tuple[str, str], ...]
    patient_rows: tuple[tuple[str, str], ...]
    order_rows: tuple[tuple[str, str], ...]
    infusion_rows: tuple[tuple[str, str], ...]
    advice_heading: str
    advice_text: str
    advice_rows: tuple[tuple[str, str], ...]
    escalations: tuple[EscalationLine, ...]
    escalation_rows: tuple[str, ...]
    alerts: tuple[Alert, ...]
    quality_head: tuple[str, ...]
    quality_rows: tuple[tuple[str, ...], ...]
    quality_note: str
    chart: ChartData | None
    chart_heading: str
    flowsheet_heading: str
    flowsheet_columns: tuple[str, ...]
    flowsheet: tuple[FlowsheetLine, ...]
    disclaimer: str
    rows_left_out: int = 0  # flowsheet rows outside the window (older, or after the report time)
    summaries: int = 0  # block-charting summaries in the flowsheet

    def plain_text(self) -> str:
        """The whole report as plain text (for tests, the clipboard and as a printed fallback)."""
        lines = [self.title, f"Generated {self.generated_at_text}; {self.zone_text}", self.protocol_text, ""]
        lines += [f"{label}: {value}" for label, value in self.header_rows]
        for heading, rows in (("Patient", self.patient_rows), ("Titration order", self.order_rows),
                              ("Infusion", self.infusion_rows)):
            lines += ["", heading]
            lines += [f"  {label}: {value}" for label, value in rows] or ["  none recorded"]
        lines += ["", self.advice_heading, f"  {self.advice_text}"]
        lines += [f"  {label}: {value}" for label, value in self.advice_rows]
        lines += ["", "Escalations considered"]
        lines += [f"  {text}" for text in self.escalation_rows] or ["  none suggested"]
        lines += ["", "Alerts"]
        lines += [f"  [{a.priority.value}] {a.message}" for a in self.alerts] or ["  none"]
        lines += ["", "Quality figures", "  " + " | ".join(self.quality_head)]
        lines += ["  " + " | ".join(row) for row in self.quality_rows]
        lines += [f"  {self.quality_note}", "", self.flowsheet_heading, "  " + " | ".join(self.flowsheet_columns)]
        lines += ["  " + " | ".join(line.cells) for line in self.flowsheet] or ["  nothing charted in this period"]
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


def zone_text(when: datetime, tz: tzinfo | None) -> str:
    """"Times are local (CET, UTC+01:00)"."""
    local = when.astimezone(tz)
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if len(offset) == 5 else offset
    return f"Times are local ({local.tzname()}, UTC{offset})"


def _aware(when: datetime, field_name: str) -> datetime:
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise InputError(field_name, "the time has no time zone", "a timezone-aware datetime (the core's UTC)")
    return when


def _duration(seconds: float, *, down: bool = False) -> str:
    minutes = max(0, math.floor(seconds / 60.0) if down else round(seconds / 60.0))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _patient_rows(patient: PatientDetails, now: datetime, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    if patient.weight_kg is not None and not patient.weight_kg > 0:
        raise InputError("patient weight", f"{patient.weight_kg!r} kg is not a weight", "a positive number of kg")
    rows = [
        ("Weight", "not entered" if patient.weight_kg is None else f"{format_number(patient.weight_kg, 1)} kg"),
        ("Population", patient.population or "not entered"),
        ("Flags", ", ".join(patient.flags) if patient.flags else "none"),
    ]
    line = patient.line or "not entered"
    if patient.line_inserted_at is not None:
        inserted = _aware(patient.line_inserted_at, "line inserted at")
        line += f", inserted {format_time(inserted, tz)}, in place {_duration((now - inserted).total_seconds())}"
        if patient.line_max_hours:
            line += f" (limit {format_number(patient.line_max_hours, 1)} h)"
    rows.append(("Line and dwell", line))
    return tuple(rows)


def _infusion_rows(infusion: InfusionDetails, now: datetime, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    if infusion.dose_mcg_per_min < 0 or infusion.pump_rate_ml_per_h < 0:
        raise InputError("infusion", "dose and pump rate cannot be negative", "0 or more")
    salt = ("vial labelled as base" if infusion.salt == "base"
            else f"vial labelled as {infusion.salt}: converted, every dose is base")
    dose = f"{format_number(infusion.dose_mcg_per_min, 2)} mcg/min"
    if infusion.dose_mcg_per_kg_per_min is not None:
        dose = f"{format_number(infusion.dose_mcg_per_kg_per_min, 3)} mcg/kg/min ({dose})"
    if infusion.running_since is not None:
        dose += f" since {format_time(infusion.running_since, tz, with_date=False)}"
    rows = [
        ("Concentration", f"{infusion.concentration} ({salt})"),
        ("Running dose", dose if infusion.pump_rate_ml_per_h > 0 else "not running"),
        ("Pump rate", f"{format_number(infusion.pump_rate_ml_per_h, 2)} mL/h"),
    ]
    if infusion.bag_left_ml is not None:
        left = f"{format_number(infusion.bag_left_ml, 0)} mL"
        if infusion.pump_rate_ml_per_h > 0:
            hours = infusion.bag_left_ml / infusion.pump_rate_ml_per_h
            empty = now + timedelta(hours=hours)
            # both rounded down: the bag is changed by then, not a minute late
            left += (f"; next bag by {format_time(empty, tz, with_date=False)} (empty in "
                     f"{_duration(hours * 3600, down=True)})")
        rows.append(("Bag left", left))
    rows.append(("Co-infusions", "; ".join(infusion.co_infusions) if infusion.co_infusions else "none"))
    return tuple(rows)


def _advice_rows(advice: AdviceDetails, now: datetime, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    if advice.rationale:
        rows.append(("Why", advice.rationale))
    if advice.rule_ids:
        rows.append(("Rules", ", ".join(advice.rule_ids)))
    if advice.next_check_at is not None:
        due = _aware(advice.next_check_at, "next check at")
        if due > now:
            rows.append(("Valid until", f"the next check at {format_time(due, tz, with_date=False)}"))
        else:
            rows.append(("Next check", f"overdue since {format_time(due, tz, with_date=False)}: take a reading now"))
    return tuple(rows)


def _escalation_rows(escalations: Sequence[EscalationLine], tz: tzinfo | None) -> tuple[str, ...]:
    out = []
    for e in escalations:
        when = f" (first suggested {format_time(e.first_at, tz, with_date=False)})" if e.first_at else ""
        outcome = f"; {e.outcome}" if e.outcome else ""
        out.append(f"{e.name}{when}: {e.reason}{outcome}")
    return tuple(out)


def _header_rows(patient: PatientDetails, nurse: NurseDetails, tz: tzinfo | None) -> tuple[tuple[str, str], ...]:
    rows = [("Patient", patient.label or "not labelled"), ("Bed", patient.bed or "not recorded")]
    on_duty = nurse.on_duty or "nobody signed on"
    if nurse.on_duty and nurse.since is not None:
        on_duty += f" since {format_time(nurse.since, tz, with_date=False)}"
    rows.append(("Nurse on duty", on_duty))
    if nurse.handovers:
        rows.append(("Handovers", "; ".join(f"{format_time(at, tz, with_date=False)} {text}"
                                            for at, text in nurse.handovers)))
    return tuple(rows)


def _clock_text(when: datetime, tz: tzinfo | None, with_date: bool) -> str:
    return when.astimezone(tz).strftime("%d %b %H:%M" if with_date else "%H:%M")


def _perfusion(row: FlowsheetRow) -> str:
    parts = []
    if row.lactate_mmol_per_l is not None:
        parts.append(f"lactate {format_number(row.lactate_mmol_per_l, 1)}")
    if row.urine_ml_per_kg_per_h is not None:
        parts.append(f"urine {format_number(row.urine_ml_per_kg_per_h, 2)}")
    if row.crt_s is not None:
        parts.append(f"CRT {format_number(row.crt_s, 1)} s")
    if row.altered_mental_status:
        parts.append("altered mentation")
    return "; ".join(parts)


def flowsheet_line(row: FlowsheetRow, tz: tzinfo | None, with_date: bool) -> FlowsheetLine:
    """One row of the report's flowsheet table."""
    ne = ""
    if row.ne_mcg_per_kg_per_min is not None:
        ne = format_number(row.ne_mcg_per_kg_per_min, 3)
        if row.ne_mcg_per_min is not None:
            ne += f" ({format_number(row.ne_mcg_per_min, 1)})"
    rate = "" if row.rate_ml_per_h is None else format_number(row.rate_ml_per_h, 2)
    if row.block is not None:
        b = row.block
        time = f"{_clock_text(b.start, tz, with_date)}\u2013{_clock_text(b.end, tz, False)}"
        what = f"{row.event}, MAP {format_number(b.map_low, 0)}\u2013{format_number(b.map_high, 0)} in band, no change"
        return FlowsheetLine((time, f"{format_number(b.map_low, 0)}\u2013{format_number(b.map_high, 0)}", "", "", "",
                              ne, rate, row.co_infusions, what, row.initials), summary=True, kind=SUMMARY)
    pressure = (f"{format_number(row.sbp_mmhg, 0)}/{format_number(row.dbp_mmhg, 0)}"
                if row.sbp_mmhg is not None and row.dbp_mmhg is not None else "")
    map_text = "" if row.map_mmhg is None else format_number(row.map_mmhg, 0) + (" calc" if row.map_computed else "")
    what = row.reason if row.kind == "reading" else "; ".join(x for x in (row.event, row.reason) if x)
    return FlowsheetLine((_clock_text(row.at, tz, with_date), map_text, pressure,
                          "" if row.hr_per_min is None else format_number(row.hr_per_min, 0), _perfusion(row), ne,
                          rate, row.co_infusions, what, row.initials), kind=row.kind)


def _ticks(start: datetime, end: datetime, tz: tzinfo | None) -> tuple[tuple[datetime, str], ...]:
    span_min = (end - start).total_seconds() / 60.0
    step = next((s for s in TICK_STEPS_MIN if span_min / s <= MAX_TICKS), TICK_STEPS_MIN[-1])
    local = start.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = (local - midnight).total_seconds() / 60.0
    first = midnight + timedelta(minutes=math.ceil(minutes / step - 1e-9) * step)
    ticks = []
    t = first
    while t <= end:
        ticks.append((t, t.strftime("%H:%M")))
        t += timedelta(minutes=step)
    return tuple(ticks)


def chart_data(chart: ChartInput, now: datetime, window_start: datetime, tz: tzinfo | None) -> ChartData | None:
    """The chart of the shift window, zoomed to the data in it; ``None`` when nothing was charted there."""
    since = max(window_start, min(chart.since or window_start, now - timedelta(hours=1)))
    readings = tuple((t, m) for t, m in chart.readings if since <= t <= now)
    if not readings:
        return None
    first = min(t for t, _m in readings)  # zoomed to the readings; the dose running then starts at the left edge
    span = max((now - first).total_seconds(), MIN_CHART_MINUTES * 60.0)
    pad = span * 0.03
    start = now - timedelta(seconds=span + pad)
    end = now + timedelta(seconds=pad)
    running = [(t, d) for t, d in chart.doses if t <= start]
    doses = ([(start, running[-1][1])] if running else []) + [(t, d) for t, d in chart.doses if start < t <= now]
    if doses:
        doses.append((end, doses[-1][1]))
    values = [m for _t, m in readings]
    for extra in (*(chart.band or ()), *(() if chart.floor is None else (chart.floor,))):
        values.append(extra)
    low = math.floor((min(values) - 5.0) / 10.0) * 10.0
    high = math.ceil((max(values) + 5.0) / 10.0) * 10.0
    map_ticks = tuple(float(v) for v in range(int(low), int(high) + 1, 10 if high - low <= 80 else 20))
    dose_max = max((d for _t, d in doses), default=0.0)
    dose_high = _nice_ceiling(dose_max * 1.25) if dose_max > 0 else 0.1
    markers = tuple(m for m in chart.markers if start <= m[0] <= end)
    caption = (f"MAP (points, mmHg, left axis) and the norepinephrine dose (steps, mcg/kg/min, right axis) from "
               f"{format_time(start, tz, with_date=False)} to {format_time(now, tz, with_date=False)}")
    return ChartData(start=start, end=end, map_low=low, map_high=high, dose_high=dose_high, readings=readings,
                     doses=tuple(doses), markers=markers, band=chart.band, floor=chart.floor,
                     ticks=_ticks(start, end, tz), map_ticks=map_ticks, caption=caption)


def _nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 x a power of ten at or above ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= value - 1e-12:
            return factor * power
    return 10.0 * power  # pragma: no cover - the loop ends at 10


def build_handover(
    *,
    patient: PatientDetails,
    infusion: InfusionDetails,
    advice: AdviceDetails,
    escalations: Sequence[EscalationLine],
    alerts: Sequence[Alert],
    flowsheet: Sequence[FlowsheetRow],
    protocol_name: str,
    protocol_version: str,
    clock: Clock,
    order: TitrationOrder | None = None,
    quality: QualityFigures | None = None,
    nurse: NurseDetails | None = None,
    chart: ChartInput | None = None,
    tz: tzinfo | None = None,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    block_charting: bool = True,
    disclaimer: str = DISCLAIMER,
) -> HandoverData:
    """Build the report as of ``clock.now()``; times are written in ``tz`` (None: the computer's local zone)."""
    if not window_hours > 0:
        raise InputError("window hours", f"{window_hours!r} is not a period", "a positive number of hours")
    now = _aware(clock.now(), "clock")
    since = now - timedelta(hours=window_hours)
    for row in flowsheet:
        _aware(row.at, "flowsheet time")
    shown = sorted((r for r in flowsheet if since <= r.at <= now), key=lambda r: r.at)
    rows = block_chart(shown) if block_charting else shown
    with_date = any(r.at.astimezone(tz).date() != now.astimezone(tz).date() for r in rows)
    lines = tuple(flowsheet_line(r, tz, with_date) for r in rows)
    nurse = nurse or NurseDetails()
    if quality is not None:
        quality_head, quality_rows = figure_rows(quality)
        quality_note = METHOD
    else:
        quality_head, quality_rows, quality_note = (), (), "No figures yet: they need a target band and readings."
    chart_out = chart_data(chart, now, since, tz) if chart is not None else None
    advice_heading = f"Decision support at {format_time(now, tz, with_date=False)} (not an order)"
    return HandoverData(
        title=TITLE,
        generated_at=now,
        generated_at_text=format_time(now, tz),
        zone_text=zone_text(now, tz),
        protocol_text=f"Protocol: {protocol_name} (version {protocol_version})",
        header_rows=_header_rows(patient, nurse, tz),
        patient_rows=_patient_rows(patient, now, tz),
        order_rows=order.describe() if order is not None else (),
        infusion_rows=_infusion_rows(infusion, now, tz),
        advice_heading=advice_heading,
        advice_text=advice.text or "no advice yet",
        advice_rows=_advice_rows(advice, now, tz),
        escalations=tuple(escalations),
        escalation_rows=_escalation_rows(escalations, tz),
        alerts=tuple(by_priority(list(alerts))),
        quality_head=quality_head,
        quality_rows=quality_rows,
        quality_note=quality_note,
        chart=chart_out,
        chart_heading="MAP and dose, this shift",
        flowsheet_heading=(f"Flowsheet, last {format_number(window_hours, 1)} h ({format_time(since, tz)} to "
                           f"{format_time(now, tz)})"),
        flowsheet_columns=FLOWSHEET_COLUMNS,
        flowsheet=lines,
        disclaimer=disclaimer,
        rows_left_out=len(flowsheet) - len(shown),
        summaries=sum(1 for line in lines if line.summary),
    )
