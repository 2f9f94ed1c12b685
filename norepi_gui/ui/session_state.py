"""The window's picture of one session, folded from its effective events (Qt-free, no clinical logic).

The window never keeps clinical state of its own: after every recorded event it refolds the session's effective
events (corrections applied, deletions dropped) into a :class:`SessionState` and redraws from that. The payload
keys the window writes are defined here, next to the code that reads them back.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from norepi_gui.core.events import Event, EventKind, JsonValue, Payload

if TYPE_CHECKING:
    from collections.abc import Iterable

# Co-infusions the window offers, with the unit each is entered in [clinical-reference: Escalation].
CO_INFUSION_UNITS: dict[str, str] = {
    "vasopressin": "U/min",
    "epinephrine": "mcg/kg/min",
    "dobutamine": "mcg/kg/min",
    "hydrocortisone": "mg/day",
}

ANSWER_APPLIED = "applied"
ANSWER_NOT_APPLIED = "not_applied"
ANSWER_NEW_READING = "new_reading"


def parse_time(value: JsonValue) -> datetime | None:
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return None


def as_float(value: JsonValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class ReadingRow:
    event_id: int
    at: datetime
    map_mmhg: float
    sbp_mmhg: float | None
    dbp_mmhg: float | None
    hr_per_min: float | None
    map_from_pressures: bool
    perfusion: dict[str, JsonValue]
    payload: Payload


@dataclass(frozen=True)
class DoseRow:
    event_id: int
    at: datetime
    dose_mcg_per_kg_per_min: float | None
    dose_mcg_per_min: float
    pump_rate_ml_per_h: float
    concentration_mcg_per_ml: float
    source: str
    payload: Payload


@dataclass(frozen=True)
class CoInfusionRow:
    event_id: int
    at: datetime
    drug: str
    action: str  # start | change | stop
    dose: float
    unit: str


@dataclass(frozen=True)
class SessionState:
    patient: Payload = field(default_factory=dict)
    infusion: Payload = field(default_factory=dict)
    infusion_at: datetime | None = None  # when the bag set-up (and its volume) was last recorded
    readings: tuple[ReadingRow, ...] = ()
    doses: tuple[DoseRow, ...] = ()
    co_infusion_log: tuple[CoInfusionRow, ...] = ()
    active_co_infusions: dict[str, CoInfusionRow] = field(default_factory=dict)
    last_advice: Event | None = None
    due_at: datetime | None = None
    prompt_shown_at: datetime | None = None
    prompt_priority: str | None = None
    snoozes: int = 0
    snoozed_until: datetime | None = None
    answers: tuple[Event, ...] = ()
    settings: dict[str, JsonValue] = field(default_factory=dict)

    @property
    def current_dose(self) -> DoseRow | None:
        return self.doses[-1] if self.doses else None

    def dose_at(self, when: datetime) -> DoseRow | None:
        """The dose row the pump ran at ``when`` (the last one recorded at or before it), ``None`` before any."""
        index = bisect_right([d.at for d in self.doses], when)
        return self.doses[index - 1] if index else None

    @property
    def last_reading(self) -> ReadingRow | None:
        return self.readings[-1] if self.readings else None

    @property
    def infusing(self) -> bool:
        dose = self.current_dose
        return dose is not None and dose.pump_rate_ml_per_h > 0

    def weight_kg(self) -> float | None:
        return as_float(self.patient.get("weight_kg"))


def _reading(event: Event) -> ReadingRow | None:
    p = event.payload
    map_mmhg = as_float(p.get("map_mmhg"))
    if map_mmhg is None:
        return None
    perfusion = p.get("perfusion")
    return ReadingRow(
        event_id=event.id,
        at=event.at,
        map_mmhg=map_mmhg,
        sbp_mmhg=as_float(p.get("sbp_mmhg")),
        dbp_mmhg=as_float(p.get("dbp_mmhg")),
        hr_per_min=as_float(p.get("hr_per_min")),
        map_from_pressures=p.get("map_from") == "sbp_dbp",
        perfusion=dict(perfusion) if isinstance(perfusion, dict) else {},
        payload=p,
    )


def _dose(event: Event) -> DoseRow | None:
    p = event.payload
    per_min = as_float(p.get("dose_mcg_per_min"))
    pump = as_float(p.get("pump_rate_ml_per_h"))
    conc = as_float(p.get("concentration_mcg_per_ml"))
    if per_min is None or pump is None or conc is None:
        return None
    source = p.get("source")
    return DoseRow(
        event_id=event.id,
        at=event.at,
        dose_mcg_per_kg_per_min=as_float(p.get("dose_mcg_per_kg_per_min")),
        dose_mcg_per_min=per_min,
        pump_rate_ml_per_h=pump,
        concentration_mcg_per_ml=conc,
        source=source if isinstance(source, str) else "manual",
        payload=p,
    )


def _co_infusion(event: Event) -> CoInfusionRow | None:
    p = event.payload
    drug, action, unit = p.get("drug"), p.get("action"), p.get("unit")
    dose = as_float(p.get("dose"))
    if not isinstance(drug, str) or not isinstance(action, str) or not isinstance(unit, str) or dose is None:
        return None
    return CoInfusionRow(event.id, event.at, drug, action, dose, unit)


def fold_session(effective: Iterable[Event]) -> SessionState:
    """Fold effective events (see :func:`norepi_gui.core.events.effective_events`) into the window's state."""
    events = list(effective)
    readings = [r for e in events if e.kind is EventKind.READING and (r := _reading(e)) is not None]
    doses = [d for e in events if e.kind is EventKind.NE_DOSE and (d := _dose(e)) is not None]
    co_log = [c for e in events if e.kind is EventKind.CO_INFUSION and (c := _co_infusion(e)) is not None]
    readings.sort(key=lambda r: r.at)
    doses.sort(key=lambda d: d.at)
    co_log.sort(key=lambda c: c.at)
    active: dict[str, CoInfusionRow] = {}
    for row in co_log:
        if row.action == "stop":
            active.pop(row.drug, None)
        else:
            active[row.drug] = row

    patient: Payload = {}
    infusion: Payload = {}
    infusion_at: datetime | None = None
    settings: dict[str, JsonValue] = {}
    last_advice: Event | None = None
    due_at: datetime | None = None
    shown_at: datetime | None = None
    priority: str | None = None
    snoozes = 0
    snoozed_until: datetime | None = None
    answers: list[Event] = []
    for event in sorted(events, key=lambda e: e.seq):  # recording order decides what is "latest"
        p = event.payload
        if event.kind is EventKind.PATIENT:
            patient = p
        elif event.kind is EventKind.INFUSION:
            infusion, infusion_at = p, event.at
        elif event.kind is EventKind.SETTING:
            key = p.get("key")
            if isinstance(key, str):
                settings[key] = p.get("value")
        elif event.kind in (EventKind.ADVICE, EventKind.PROMPT_ANSWERED):
            if event.kind is EventKind.ADVICE:
                last_advice = event
                due_at = parse_time(p.get("due_at"))
            else:
                answers.append(event)
                due_at = parse_time(p.get("next_due_at"))
            shown_at, priority, snoozes, snoozed_until = None, None, 0, None
        elif event.kind is EventKind.PROMPT_SHOWN:
            if shown_at is None:
                shown_at = event.at
            level = p.get("priority")
            priority = level if isinstance(level, str) else priority
        elif event.kind is EventKind.PROMPT_SNOOZED:
            snoozes += 1
            snoozed_until = parse_time(p.get("until"))
    return SessionState(
        patient=patient,
        infusion=infusion,
        infusion_at=infusion_at,
        readings=tuple(readings),
        doses=tuple(doses),
        co_infusion_log=tuple(co_log),
        active_co_infusions=active,
        last_advice=last_advice,
        due_at=due_at,
        prompt_shown_at=shown_at,
        prompt_priority=priority,
        snoozes=snoozes,
        snoozed_until=snoozed_until,
        answers=tuple(answers),
        settings=settings,
    )
