"""Training mode without Qt: one virtual patient for a scenario, on simulated time, driven by what is recorded.

The window runs a training session exactly like a patient session; this module is everything behind it:

* The window's clock in training mode is :class:`norepi_gui.core.clock.SimulatedClock` (1x to 60x its base clock,
  standing still while paused).
* :class:`TrainingRun` owns one :class:`VirtualPatients` for a scenario. :meth:`TrainingRun.advance_to` steps the
  patient up to the clock's time and returns the arterial-line samples the monitor shows; :meth:`monitor_reading`
  is what the nurse charts at a check; :meth:`sync` reads the session's recorded events (doses, co-infusions,
  bedside actions, instructor injections, advice) and applies them to the patient; :meth:`debrief` scores the run.
* :func:`scenario_prefill` is what the panels are filled with at the start, :func:`prompt_records` turns recorded
  prompts into the debrief's response times, :func:`debrief_rows` writes the debrief as labelled text.

Doses and events act on the engine's 1-minute block grid (docs/simulator.md, "Numerics"). Nothing here is a
clinical rule of its own: limits come from :class:`norepi_gui.sim.runner.LimitRules` (the headless runner's,
sources cited there), the scoring from :func:`norepi_gui.sim.debrief.debrief`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from norepi_gui.core.events import Event as LogEvent
from norepi_gui.core.events import EventKind, JsonValue, Payload
from norepi_gui.sim.actions import (
    ACTION_KINDS,
    ActionRecord,
    EscalationDue,
    LimitAlert,
    PromptRecord,
)
from norepi_gui.sim.debrief import Debrief, debrief
from norepi_gui.sim.engine import SimConfig, VirtualPatients
from norepi_gui.sim.events import EVENT_FIELDS, EVENT_KINDS, FLUSH_READING_MMHG, Event
from norepi_gui.sim.patient import baseline_map0, sample_patients
from norepi_gui.sim.runner import LimitRules, RunConfig, patient_context

if TYPE_CHECKING:
    from norepi_gui.sim.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

# The speeds offered, within norepi_gui.core.clock.MIN_SPEED to MAX_SPEED (1x to 60x).
SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)

#: SIM_EVENT payload ``source`` values.
SOURCE_SCENARIO = "scenario"  # a scheduled scenario event fired (for the record; already in the patient)
SOURCE_INSTRUCTOR = "instructor"  # an instructor injection: applied to the patient when synced
SOURCE_STUDENT = "student"  # a bedside action (flush, bolus, new bag, ...): applied when synced
SOURCE_START = "start"  # the scenario started: name, seed, speed
SOURCE_DEBRIEF = "debrief"  # the debrief metrics at the end

# Bedside actions the student can take besides doses (action kinds of norepi_gui.sim.actions).
BEDSIDE_ACTIONS: tuple[str, ...] = (
    "FLUSH_LINE",
    "FLUID_BOLUS",
    "CHANGE_BAG",
    "RESITE_LINE",
    "GIVE_PHENTOLAMINE",
    "REQUEST_CENTRAL_ACCESS",
    "CALL_PHYSICIAN",
)

# Advice escalation codes (norepi_gui.core.titration.escalation) -> the debrief's escalation kinds.
ESCALATION_CODES: dict[str, str] = {
    "ADD_VASOPRESSIN": "ADD_VASOPRESSIN",
    "ADD_EPINEPHRINE": "ADD_EPINEPHRINE",
    "CONSIDER_DOBUTAMINE": "ADD_DOBUTAMINE",
    "CONSIDER_HYDROCORTISONE": "ADD_HYDROCORTISONE",
}

_CO_DRUGS: dict[str, str] = {
    "vasopressin": "VASOPRESSIN",
    "epinephrine": "EPINEPHRINE",
    "dobutamine": "DOBUTAMINE",
    "hydrocortisone": "HYDROCORTISONE",
}
_FLAT_DOSED = frozenset({"vasopressin", "hydrocortisone"})  # U/min and mg/day: not per kg
_EPS = 1e-9


# ---------------------------------------------------------------------------------------------------- prefill
@dataclass(frozen=True)
class Prefill:
    """What the window's panels show at the start of a scenario (the patient as handed over)."""

    weight_kg: float
    population: str  # core Population value
    age_years: float
    chronic_hypertension: bool
    baseline_sbp_mmhg: float | None
    ards: bool
    intra_abdominal_hypertension: bool
    cardiac_dysfunction: bool
    line: str  # core LineType value
    line_inserted_at: datetime
    arterial_line: bool
    target_map_mmhg: float | None  # written in the order only for a child (no single default applies)
    concentration_mcg_per_ml: float
    bag_volume_ml: float
    start_dose_mcg_per_kg_per_min: float
    co_infusions: tuple[tuple[str, float, str], ...]  # (drug, dose, unit) running at the start


_LINES = {"central": "central", "peripheral": "peripheral", "io": "intraosseous"}


def scenario_prefill(scenario: Scenario, now: datetime) -> Prefill:
    pt, inf = scenario.patient, scenario.infusion
    co: list[tuple[str, float, str]] = []
    if inf.vasopressin_u_per_min > 0:
        co.append(("vasopressin", inf.vasopressin_u_per_min, "U/min"))
    if inf.epinephrine_mcg_per_kg_per_min > 0:
        co.append(("epinephrine", inf.epinephrine_mcg_per_kg_per_min, "mcg/kg/min"))
    if inf.dobutamine_mcg_per_kg_per_min > 0:
        co.append(("dobutamine", inf.dobutamine_mcg_per_kg_per_min, "mcg/kg/min"))
    if inf.hydrocortisone_mg_per_day > 0:
        co.append(("hydrocortisone", inf.hydrocortisone_mg_per_day, "mg/day"))
    known = patient_context(scenario)  # what the nurse knows: the same as a headless run's policies are told
    return Prefill(
        weight_kg=pt.weight_kg,
        population=known.population,
        age_years=pt.age_years,
        chronic_hypertension=known.chronic_hypertension,
        baseline_sbp_mmhg=known.baseline_sbp_mmhg,
        ards=known.ards,
        intra_abdominal_hypertension=known.intra_abdominal_hypertension,
        cardiac_dysfunction=known.cardiac_dysfunction,
        line=_LINES[pt.line],
        line_inserted_at=now - timedelta(hours=pt.line_hours),
        arterial_line=known.arterial_line,
        target_map_mmhg=known.explicit_target_map_mmhg,
        concentration_mcg_per_ml=inf.concentration_mcg_per_ml,
        bag_volume_ml=inf.bag_remaining_ml,
        start_dose_mcg_per_kg_per_min=inf.start_dose_mcg_per_kg_per_min,
        co_infusions=tuple(co),
    )


# ---------------------------------------------------------------------------------------------------- monitor
@dataclass(frozen=True)
class MonitorFeed:
    """New monitor MAP samples: epoch seconds and mmHg (arterial line every 5 s, or each cuff reading)."""

    times_epoch: FloatArray
    map_mmhg: FloatArray

    def __len__(self) -> int:
        return int(self.times_epoch.size)


@dataclass(frozen=True)
class MonitorReading:
    """What the bedside monitor and the chart show now: the reading a nurse charts at a check."""

    at: datetime
    map_mmhg: float
    sbp_mmhg: float
    dbp_mmhg: float
    hr_per_min: float
    lactate_mmol_per_l: float
    lactate_at: datetime
    urine_ml_per_kg_per_h: float
    artefact: bool  # a fast-flush square wave on the screen, not a pressure


@dataclass(frozen=True)
class HiddenState:
    """The patient as only the instructor sees it."""

    elapsed_min: float
    clearance_l_per_min: float
    volume_l: float
    half_life_min: float
    ec50_mcg_per_l: float
    emax_mmhg: float
    baseline_map_mmhg: float
    true_map_mmhg: float
    plasma_ne_mcg_per_l: float
    effect_site_mcg_per_l: float
    heart_rate_per_min: float
    perfusion: float
    lactate_mmol_per_l: float
    urine_ml_per_kg_per_h: float
    cardiac_output: float
    bag_remaining_ml: float
    ne_delivered_fraction: float
    fluid_responsive: bool
    ne_mcg_per_kg_per_min: float
    vasopressin_u_per_min: float
    epinephrine_mcg_per_kg_per_min: float
    dobutamine_mcg_per_kg_per_min: float
    weight_kg: float
    hydrocortisone_mg_per_day: float = 0.0
    hydrocortisone_effect: float = 0.0  # 0-1 of its full restoration of the vascular response


# ---------------------------------------------------------------------------------------------------- injections
@dataclass(frozen=True)
class Injection:
    label: str
    event: Event  # at_min is ignored: an injection fires now


# Instructor presets: teaching settings of the same kind and size as the shipped scenarios' events
# (resources/scenarios: bleeding 20 mL/min for 30 min in septic_responsive); model assumptions, docs/simulator.md.
INSTRUCTOR_PRESETS: tuple[Injection, ...] = (
    Injection("Sudden MAP drop (20 mmHg)", Event("map_drop", 0.0, mmhg=20.0, recovery_tau_min=30.0)),
    Injection("Bleeding (20 mL/min for 30 min)", Event("bleeding", 0.0, ml_per_min=20.0, duration_min=30.0)),
    Injection("Damped arterial trace (until flushed)", Event("damped_line", 0.0)),
    Injection("Line flush artefact", Event("flush", 0.0)),
    Injection("Extravasation (30 % delivered)", Event("extravasation", 0.0)),
    Injection("Bag runs empty", Event("bag_empty", 0.0)),
)


def describe_event(ev: Event) -> str:
    parts = [ev.kind.replace("_", " ")]
    for name in EVENT_FIELDS[ev.kind]:
        value = float(getattr(ev, name))
        if math.isfinite(value):
            parts.append(f"{name.replace('_', ' ')} {value:g}")
    return ", ".join(parts)


def event_payload(ev: Event, source: str) -> Payload:
    payload: Payload = {"source": source, "kind": ev.kind, "at_min": round(ev.at_min, 3)}
    for name in EVENT_FIELDS[ev.kind]:
        value = float(getattr(ev, name))
        payload[name] = value if math.isfinite(value) else None
    return payload


def event_from_payload(payload: Payload, at_min: float) -> Event | None:
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        return None
    values: dict[str, float] = {}
    for name in EVENT_FIELDS[kind]:
        value = _num(payload.get(name))
        if value is not None:
            values[name] = value
    return Event(kind, max(at_min, 0.0), **values)  # type: ignore[arg-type]  # kind checked against EVENT_KINDS


# ---------------------------------------------------------------------------------------------------- the run
def _num(value: JsonValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass
class _Log:
    actions: list[ActionRecord] = field(default_factory=list)
    escalations_due: list[EscalationDue] = field(default_factory=list)
    limit_alerts: list[LimitAlert] = field(default_factory=list)
    ne_doses: list[tuple[float, float]] = field(default_factory=list)


class TrainingRun:
    """One virtual patient for ``scenario``, starting at ``start`` (simulated time)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        start: datetime,
        seed: int = 0,
        config: RunConfig | None = None,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start: needs a timezone-aware time")
        self.scenario = scenario
        self.start = start
        self.seed = seed
        base = config or RunConfig()
        self.config = replace(base, sim=replace(base.sim, record_measured=True))
        self.limits: LimitRules = self.config.limits
        params_rng, noise_rng = np.random.default_rng(seed).spawn(2)  # as run_headless: same seed, same patient
        params = sample_patients(scenario.patient_spec(), 1, params_rng)
        self.duration_min = scenario.duration_h * 60.0
        self.sim = VirtualPatients(
            params, scenario.setting(), noise_rng, self.config.sim, expected_minutes=self.duration_min
        )
        for ev in scenario.events:
            self.sim.schedule(ev)
        self.weight_kg = float(params.weight_kg[0])
        self.target_mmhg = scenario.target_map_mmhg
        self._log = _Log()
        self._log.ne_doses.append((0.0, float(self.sim.ne[0])))
        self._seen: set[int] = set()
        self._ne_id: int | None = None
        self._co_ids: dict[str, int | None] = dict.fromkeys(_CO_DRUGS)
        self._fed = 0
        self._cuff_fed_min = -math.inf
        self._announced = 0
        self._vaso_due = False
        self._line_alerted = False

    # -- time ----------------------------------------------------------------------------------------------
    @property
    def sim_config(self) -> SimConfig:
        return self.config.sim

    @property
    def elapsed_min(self) -> float:
        return self.sim.time_min

    @property
    def finished(self) -> bool:
        return self.sim.time_min >= self.duration_min - _EPS

    def minutes(self, when: datetime) -> float:
        return (when - self.start).total_seconds() / 60.0

    def time_at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    def advance_to(self, when: datetime) -> MonitorFeed:
        """Step the patient to ``when`` (whole blocks, never past the scenario's end); the new monitor samples."""
        target = min(self.minutes(when), self.duration_min)
        bm = self.sim.block_min
        while self.sim.time_min + bm <= target + _EPS:
            self.sim.advance_blocks(max(1, math.floor((target - self.sim.time_min) / bm + _EPS)))
            self._block_rules()
        return self._feed()

    def _block_rules(self) -> None:
        """Checks at the end of each step, as the headless runner's: vasopressin due, line duration [runner]."""
        s, t = self.sim, self.sim.time_min
        if (
            not self._vaso_due
            and s.ne[0] >= self.config.vasopressin_due_ne_mcg_per_kg_per_min - 1e-12
            and s.true_map[0] < self.target_mmhg
            and s.vasopressin[0] <= 0.0
        ):
            self._vaso_due = True
            self._add_due(t, "ADD_VASOPRESSIN")
        line = s.setting.line
        hours = s.setting.line_hours_at_start + t / 60.0
        if line in ("peripheral", "io") and not self._line_alerted and hours > self.limits.peripheral_max_hours:
            self._line_alerted = True
            detail = f"{line} line > {self.limits.peripheral_max_hours:g} h"
            self._log.limit_alerts.append(LimitAlert(t, "LINE_DURATION", detail))

    def _add_due(self, t: float, kind: str) -> None:
        if not any(e.kind == kind for e in self._log.escalations_due):
            self._log.escalations_due.append(EscalationDue(t, kind))

    def _feed(self) -> MonitorFeed:
        s = self.sim
        t0 = self.start.timestamp()
        if s.setting.monitoring == "arterial":
            n = s.trace.measurements
            times = s.trace.meas_t_min[self._fed : n] * 60.0 + t0
            maps = s.rec_measured_map[0, self._fed : n].astype(np.float64)
            self._fed = n
            return MonitorFeed(np.asarray(times, dtype=np.float64), maps)
        at = float(s.meas_time_min[0])
        if at > self._cuff_fed_min + _EPS:
            self._cuff_fed_min = at
            return MonitorFeed(np.array([t0 + at * 60.0]), np.array([float(s.meas_map[0])]))
        return MonitorFeed(np.empty(0), np.empty(0))

    def monitor_history(self) -> MonitorFeed:
        """Every monitor sample so far (to redraw a cleared plot)."""
        s = self.sim
        t0 = self.start.timestamp()
        if s.setting.monitoring == "arterial":
            n = s.trace.measurements
            times = np.asarray(s.trace.meas_t_min[:n] * 60.0 + t0, dtype=np.float64)
            return MonitorFeed(times, s.rec_measured_map[0, :n].astype(np.float64))
        if math.isfinite(self._cuff_fed_min):
            return MonitorFeed(np.array([t0 + self._cuff_fed_min * 60.0]), np.array([float(s.meas_map[0])]))
        return MonitorFeed(np.empty(0), np.empty(0))

    def fired_scenario_events(self) -> list[Event]:
        """Scheduled scenario events that have fired since the last call (they fire in the block holding at_min)."""
        out: list[Event] = []
        events = self.scenario.events
        while self._announced < len(events) and events[self._announced].at_min < self.sim.time_min - _EPS:
            out.append(events[self._announced])
            self._announced += 1
        return out

    # -- what the nurse and the instructor see ------------------------------------------------------------
    def monitor_reading(self) -> MonitorReading:
        s = self.sim
        map_now = float(s.meas_map[0])
        artefact = map_now >= FLUSH_READING_MMHG - _EPS
        return MonitorReading(
            at=self.time_at(float(s.meas_time_min[0])),
            map_mmhg=float(round(map_now)),
            sbp_mmhg=float(round(float(s.meas_sbp[0]))),
            dbp_mmhg=float(round(float(s.meas_dbp[0]))),
            hr_per_min=float(s.meas_hr[0]),
            lactate_mmol_per_l=float(s.lactate_lab[0]),
            lactate_at=self.time_at(float(s.lactate_lab_time_min[0])),
            urine_ml_per_kg_per_h=round(float(s.urine_last_hour[0]), 2),
            artefact=artefact,
        )

    def hidden(self) -> HiddenState:
        s, p = self.sim, self.sim.p
        cl, v = float(p.clearance_l_per_min[0]), float(p.volume_l[0])
        return HiddenState(
            elapsed_min=s.time_min,
            clearance_l_per_min=cl,
            volume_l=v,
            half_life_min=math.log(2.0) * v / cl,
            ec50_mcg_per_l=float(p.ec50_mcg_per_l[0]),
            emax_mmhg=float(p.dmap_mmhg[0]),
            baseline_map_mmhg=float(baseline_map0(p, np.array([s.time_min]))[0, 0]),
            true_map_mmhg=float(s.true_map[0]),
            plasma_ne_mcg_per_l=float(s.c[0]),
            effect_site_mcg_per_l=float(s.ce[0]),
            heart_rate_per_min=float(s.hr[0]),
            perfusion=float(s.perfusion[0]),
            lactate_mmol_per_l=float(s.lactate[0]),
            urine_ml_per_kg_per_h=float(s.urine_rate[0]),
            cardiac_output=float(s.cardiac_output()[0]),
            bag_remaining_ml=float(s.bag_remaining_ml[0]),
            ne_delivered_fraction=float(s.ne_delivered_fraction[0]),
            fluid_responsive=bool(p.fluid_responsive[0] > 0.5),
            ne_mcg_per_kg_per_min=float(s.ne[0]),
            vasopressin_u_per_min=float(s.vasopressin[0]),
            epinephrine_mcg_per_kg_per_min=float(s.epinephrine[0]),
            dobutamine_mcg_per_kg_per_min=float(s.dobutamine[0]),
            weight_kg=self.weight_kg,
            hydrocortisone_mg_per_day=float(s.hydrocortisone[0]),
            hydrocortisone_effect=float(s.hydrocortisone_effect()[0]),
        )

    def upcoming_events(self) -> list[Event]:
        return list(self.scenario.events[self._announced :])

    # -- what was recorded drives the patient -----------------------------------------------------------
    def baseline(self, events: Iterable[LogEvent]) -> None:
        """The events recorded to set up the start (the handover): applied silently, not scored as actions."""
        events = list(events)
        self._apply(events, score=False)
        self._log.ne_doses[:] = [(0.0, float(self.sim.ne[0]))]

    def sync(self, events: Iterable[LogEvent]) -> list[ActionRecord]:
        """Apply what the session's effective events say that the patient does not have yet; the new actions."""
        before = len(self._log.actions)
        self._apply(list(events), score=True)
        return self._log.actions[before:]

    def _apply(self, events: list[LogEvent], *, score: bool) -> None:
        now = self.sim.time_min
        recorded_weight: float | None = None
        for e in sorted(events, key=lambda e: e.seq):
            if e.kind is EventKind.PATIENT:
                recorded_weight = _num(e.payload.get("weight_kg"))
        self._sync_ne(events, now, score)
        self._sync_co(events, now, score, recorded_weight)
        for e in sorted(events, key=lambda e: e.seq):
            if e.id in self._seen:
                continue
            self._seen.add(e.id)
            t = max(0.0, self.minutes(e.at))
            if e.kind is EventKind.SIM_EVENT:
                self._sim_event(e.payload, now, score)
            elif e.kind is EventKind.INFUSION and score:
                volume = _num(e.payload.get("bag_volume_ml"))
                if volume is not None and volume > float(self.sim.bag_remaining_ml[0]) + 1.0:
                    self.sim.change_bag(0)
                    self.sim.bag_remaining_ml[0] = volume
                    self._log.actions.append(ActionRecord(now, "CHANGE_BAG", volume))
            elif e.kind is EventKind.PATIENT:
                target = _num(e.payload.get("target_map_mmhg"))
                if target is not None and abs(target - self.target_mmhg) > 1e-9:
                    if score:
                        kind = "RAISE_TARGET" if target > self.target_mmhg else "LOWER_TARGET"
                        self._log.actions.append(ActionRecord(now, kind, target))
                    self.target_mmhg = target
            elif e.kind is EventKind.ADVICE and score:
                items = e.payload.get("escalations")
                for item in items if isinstance(items, list) else []:
                    code = item.get("code") if isinstance(item, dict) else None
                    if isinstance(code, str) and code in ESCALATION_CODES:
                        self._add_due(t, ESCALATION_CODES[code])

    def _sync_ne(self, events: list[LogEvent], now: float, score: bool) -> None:
        doses = [e for e in events if e.kind is EventKind.NE_DOSE]
        if not doses:
            return
        latest = max(doses, key=lambda e: (e.at, e.seq))
        if latest.id == self._ne_id:
            return
        self._ne_id = latest.id
        p = latest.payload
        pump = _num(p.get("pump_rate_ml_per_h"))
        delivered = _num(p.get("delivered_dose_mcg_per_min"))
        if delivered is None:
            delivered = _num(p.get("dose_mcg_per_min"))
        mcg_min = 0.0 if pump is None or pump <= 0 or delivered is None else delivered
        new = mcg_min / self.weight_kg
        old = float(self.sim.ne[0])
        if abs(new - old) < 1e-12:
            return
        self.sim.set_doses(0, ne=new)
        if not score:
            return
        kind = "START_NE" if old <= 0.0 else "STOP_NE" if new <= 0.0 else "INCREASE_NE" if new > old else "DECREASE_NE"
        self._log.actions.append(ActionRecord(now, kind, new))
        self._log.ne_doses.append((now, new))
        self._limits(now, new)

    def _limits(self, t: float, dose: float) -> None:
        """The headless runner's limit checks (LimitRules, sources there) on the dose the student set."""
        lim, line = self.limits, self.sim.setting.line
        if dose > lim.max_ne_mcg_per_kg_per_min + 1e-12:
            self._log.limit_alerts.append(
                LimitAlert(t, "MAX_DOSE", f"{dose:.3g} > {lim.max_ne_mcg_per_kg_per_min:g} mcg/kg/min")
            )
        if line in ("peripheral", "io") and dose >= lim.peripheral_max_mcg_per_kg_per_min - 1e-12:
            self._log.limit_alerts.append(LimitAlert(t, "PERIPHERAL_DOSE", f"{dose:.3g} mcg/kg/min via {line}"))
        mcg_min = dose * self.weight_kg
        if line == "peripheral" and mcg_min > lim.peripheral_max_mcg_per_min + 1e-9:
            self._log.limit_alerts.append(
                LimitAlert(t, "PERIPHERAL_CAP", f"{mcg_min:.1f} > {lim.peripheral_max_mcg_per_min:g} mcg/min")
            )

    def _sync_co(self, events: list[LogEvent], now: float, score: bool, recorded_weight: float | None) -> None:
        rows = sorted((e for e in events if e.kind is EventKind.CO_INFUSION), key=lambda e: (e.at, e.seq))
        latest: dict[str, LogEvent] = {}
        for e in rows:
            drug = e.payload.get("drug")
            if isinstance(drug, str) and drug in _CO_DRUGS:
                latest[drug] = e
        for drug, name in _CO_DRUGS.items():
            row = latest.get(drug)
            eid = row.id if row is not None else None
            if eid == self._co_ids[drug]:
                continue
            self._co_ids[drug] = eid
            action = str(row.payload.get("action")) if row is not None else "stop"
            dose = (_num(row.payload.get("dose")) or 0.0) if row is not None and action != "stop" else 0.0
            if drug not in _FLAT_DOSED and recorded_weight is not None:
                dose = dose * recorded_weight / self.weight_kg  # the pump delivers what the recorded weight asks
            old = float(getattr(self.sim, drug)[0])
            if abs(dose - old) < 1e-12:
                continue
            self.sim.set_doses(0, **{drug: dose})
            if score:
                kind = f"ADD_{name}" if old <= 0.0 else f"STOP_{name}" if dose <= 0.0 else f"CHANGE_{name}"
                self._log.actions.append(ActionRecord(now, kind, dose))

    def _sim_event(self, payload: Payload, now: float, score: bool) -> None:
        source = payload.get("source")
        if source == SOURCE_INSTRUCTOR:
            ev = event_from_payload(payload, now)
            if ev is not None:
                self.sim.inject(ev)
        elif source == SOURCE_STUDENT and score:
            action = payload.get("action")
            if not isinstance(action, str) or action not in ACTION_KINDS:
                return
            volume = _num(payload.get("volume_ml"))
            if action == "FLUSH_LINE":
                self.sim.flush_line(0)
            elif action == "RESITE_LINE":
                self.sim.resite_line(0)
            elif action == "CHANGE_BAG":
                self.sim.change_bag(0)
            elif action == "FLUID_BOLUS" and volume is not None and volume > 0:
                self.sim.give_fluid(0, volume)
            self._log.actions.append(ActionRecord(now, action, volume))

    @property
    def actions(self) -> tuple[ActionRecord, ...]:
        return tuple(self._log.actions)

    @property
    def limit_alerts(self) -> tuple[LimitAlert, ...]:
        return tuple(self._log.limit_alerts)

    @property
    def escalations_due(self) -> tuple[EscalationDue, ...]:
        return tuple(self._log.escalations_due)

    # -- the debrief -------------------------------------------------------------------------------------
    def debrief(self, events: Iterable[LogEvent]) -> TrainingDebrief:
        """Score the run so far from the true MAP and the recorded session (prompts from its events)."""
        events = list(events)
        s = self.sim
        prompts = prompt_records(events, self.start)
        metrics = debrief(
            np.asarray(s.trace.t_min),
            s.rec_true_map[0].astype(np.float64),
            target_mmhg=self.scenario.debrief_target_map_mmhg,
            end_min=s.time_min if s.trace.samples else None,
            actions=self._log.actions,
            prompts=prompts,
            escalations_due=self._log.escalations_due,
            limit_alerts=self._log.limit_alerts,
            ne_doses=self._log.ne_doses,
            weight_kg=self.weight_kg,
            expected_actions=self.scenario.expected_actions,
        )
        return TrainingDebrief(
            scenario_name=self.scenario.name,
            scenario_title=self.scenario.title,
            learning_objectives=self.scenario.learning_objectives,
            seed=self.seed,
            started_at=self.start,
            simulated_min=s.time_min,
            metrics=metrics,
            actions=tuple(self._log.actions),
            limit_alerts=tuple(self._log.limit_alerts),
        )


# ---------------------------------------------------------------------------------------------------- debrief
def prompt_records(events: Iterable[LogEvent], start: datetime) -> list[PromptRecord]:
    """Each prompt from when it fell due (PROMPT_SHOWN ``due_at``) to the answer that closed it (or None)."""
    out: list[PromptRecord] = []
    open_at: float | None = None
    for e in sorted(events, key=lambda e: e.seq):
        if e.kind is EventKind.PROMPT_SHOWN and open_at is None:
            due = e.payload.get("due_at")
            when = datetime.fromisoformat(due) if isinstance(due, str) and due else e.at
            open_at = (when - start).total_seconds() / 60.0
        elif e.kind is EventKind.PROMPT_ANSWERED and open_at is not None:
            out.append(PromptRecord(open_at, (e.at - start).total_seconds() / 60.0))
            open_at = None
    if open_at is not None:
        out.append(PromptRecord(open_at, None))
    return out


@dataclass(frozen=True)
class TrainingDebrief:
    scenario_name: str
    scenario_title: str
    learning_objectives: tuple[str, ...]
    seed: int
    started_at: datetime
    simulated_min: float
    metrics: Debrief
    actions: tuple[ActionRecord, ...]
    limit_alerts: tuple[LimitAlert, ...]

    def to_payload(self) -> Payload:
        """The metrics as stored in the session's closing SIM_EVENT (plain JSON)."""
        m = self.metrics
        return {
            "source": SOURCE_DEBRIEF,
            "scenario": self.scenario_name,
            "simulated_min": round(self.simulated_min, 2),
            "time_in_band_pct": round(m.time_in_band_pct, 2),
            "time_below_band_pct": round(m.time_below_band_pct, 2),
            "time_below_target_minus_5_pct": round(m.time_below_target_minus_5_pct, 2),
            "time_map_below_60_pct": round(m.time_map_below_60_pct, 2),
            "time_above_band_pct": round(m.time_above_band_pct, 2),
            "time_to_first_titration_min": m.time_to_first_titration_min,
            "prompts": m.prompts,
            "prompts_unanswered": m.prompts_unanswered,
            "mean_prompt_response_min": m.mean_prompt_response_min,
            "escalations_made": m.escalations_made,
            "limit_alerts": m.limit_alerts,
            "max_dose_mcg_per_kg_per_min": round(m.max_dose_mcg_per_kg_per_min, 4),
            "total_mg": round(m.total_mg, 3),
            "key_actions_on_time": m.key_actions_on_time,
            "key_actions": len(m.key_actions),
        }


def fmt_minutes(minutes: float | None) -> str:
    """Minutes from the start as h:mm (``-`` when None)."""
    if minutes is None:
        return "-"
    total = round(minutes)
    return f"{total // 60}:{total % 60:02d}"


def _mins(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} min"


def _label(kind: str) -> str:
    """``INCREASE_NE`` -> ``Increase NE``, ``ADD_VASOPRESSIN`` -> ``Add vasopressin``."""
    words = [w if w == "NE" else w.lower() for w in kind.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _unit(kind: str) -> str:
    if kind.endswith("_NE") or kind.endswith("EPINEPHRINE") or kind.endswith("DOBUTAMINE"):
        return "mcg/kg/min"
    if kind.endswith("VASOPRESSIN"):
        return "U/min"
    if kind.endswith("HYDROCORTISONE"):
        return "mg/day"
    if kind.endswith("TARGET"):
        return "mmHg"
    return "mL"


def debrief_rows(d: TrainingDebrief) -> tuple[tuple[str, str], ...]:
    """The metrics as (label, value) text, in the order the dialog and the PDF print them."""
    m = d.metrics
    band = f"{m.band_low_mmhg:g}-{m.band_high_mmhg:g} mmHg"
    responses = m.prompt_response_min
    response_text = "-"
    if responses:
        response_text = f"mean {sum(responses) / len(responses):.1f} min, longest {max(responses):.1f} min"
    kinds = ", ".join(sorted(set(m.limit_alert_kinds)))
    return (
        ("Simulated time", f"{fmt_minutes(d.simulated_min)} h:min"),
        (f"Time in the target band ({band})", f"{m.time_in_band_pct:.0f} %"),
        (f"Time below the band (< {m.band_low_mmhg:g})", f"{m.time_below_band_pct:.0f} %"),
        (f"Time below target - 5 (< {m.band_low_mmhg - 5:g})", f"{m.time_below_target_minus_5_pct:.0f} %"),
        ("Time with MAP below 60", f"{m.time_map_below_60_pct:.0f} %"),
        (f"Time above the band (> {m.band_high_mmhg:g})", f"{m.time_above_band_pct:.0f} %"),
        ("Time to first titration", _mins(m.time_to_first_titration_min)),
        ("Prompts (unanswered)", f"{m.prompts} ({m.prompts_unanswered})"),
        ("Prompt response times", response_text),
        ("Escalations made", str(m.escalations_made)),
        ("Limit alerts triggered", f"{m.limit_alerts}" + (f" ({kinds})" if kinds else "")),
        ("Maximum norepinephrine dose", f"{m.max_dose_mcg_per_kg_per_min:.3g} mcg/kg/min"),
        ("Total norepinephrine", f"{m.total_mg:.2f} mg"),
        ("Key actions on time", f"{m.key_actions_on_time} of {len(m.key_actions)}"),
    )


def escalation_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str, str], ...]:
    """(escalation, due at, made at, delay) for each escalation that fell due."""
    return tuple(
        (
            _label(e.kind),
            fmt_minutes(e.due_min),
            fmt_minutes(e.made_min),
            _mins(e.delay_min) if e.made_min is not None else "not made",
        )
        for e in d.metrics.escalations
    )


def key_action_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str, str], ...]:
    """(expected action, by, done at, verdict) for each of the scenario's key actions."""
    rows: list[tuple[str, str, str, str]] = []
    for k in d.metrics.key_actions:
        verdict = "on time" if k.on_time else ("late" if k.done_at_min is not None else "not done")
        rows.append((_label(k.action), fmt_minutes(k.by_minute), fmt_minutes(k.done_at_min), verdict))
    return tuple(rows)


def action_rows(d: TrainingDebrief) -> tuple[tuple[str, str], ...]:
    """(time, what) for every action the student took."""
    out: list[tuple[str, str]] = []
    for a in d.actions:
        value = "" if a.value is None else f" {a.value:.3g} {_unit(a.kind)}"
        out.append((fmt_minutes(a.time_min), _label(a.kind) + value))
    return tuple(out)
