"""Training mode without Qt: one virtual patient for a scenario, on simulated time, driven by what is recorded.

The window runs a training session exactly like a patient session; this module is everything behind it:

* The window's clock in training mode is :class:`norepi_gui.core.clock.SimulatedClock` (1x to 60x its base clock,
  standing still while paused).
* :class:`TrainingRun` owns one :class:`VirtualPatients` for a scenario. :meth:`TrainingRun.advance_to` steps the
  patient up to the clock's time and returns the monitor samples; :meth:`monitor_reading` is what the nurse charts
  at a check; :meth:`cues` is what the bedside shows besides the monitor (a pump alarm, a swollen site);
  :meth:`sync` reads the session's recorded events (doses, co-infusions, bags, bedside actions, instructor
  injections, the advice shown) and applies them to the patient; :meth:`debrief` scores the run.
* A run is rebuilt from its session (:meth:`TrainingRun.rebuild`): the scenario text and the seed are in the
  session's start event, and replaying the recorded events at the times they were recorded gives the same patient
  bit for bit (the engine draws its random numbers in fixed shapes per block). That is how a crashed session is
  resumed and how the instructor rewinds to a moment: the record stays the only state, and nothing of the engine's
  arrays is written into the session.
* :func:`scenario_prefill` is what the panels are filled with at the start, :func:`prompt_records` turns recorded
  prompts into the debrief's response times, :func:`debrief_rows` and friends write the debrief as labelled text.

Scoring (issue 17): the debrief scores the TRUE MAP against the band the trainee was SHOWN, as the bedside layer
derived it (each recorded ADVICE event carries ``target_map`` and ``target_map_upper``: the band changes when the
trainee records a detail that changes it), below the scenario's floor (an adult's 60, a child's own); key actions
count only in their window after their trigger; "consider" escalations of the advice are reported, never scored as
missed (a scenario that wants one lists it as a key action).

Doses and events act on the engine's 1-minute block grid (docs/simulator.md, "Numerics"). Nothing here is a
clinical rule of its own: limits come from :class:`norepi_gui.sim.runner.LimitRules` (the headless runner's,
sources cited there), the scoring from :func:`norepi_gui.sim.debrief.debrief`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from norepi_gui.core.events import Event as LogEvent
from norepi_gui.core.events import EventKind, JsonValue, Payload
from norepi_gui.core.protocol import Population, Protocol, load_protocol
from norepi_gui.sim.actions import (
    ACTION_KINDS,
    ActionRecord,
    EscalationDue,
    LimitAlert,
    PromptRecord,
)
from norepi_gui.sim.debrief import (
    Band,
    Debrief,
    DoseEntry,
    debrief,
    error_flags,
    event_responses,
)
from norepi_gui.sim.engine import Fired, SimConfig, VirtualPatients
from norepi_gui.sim.events import (
    ANSWERED_BY,
    EVENT_FIELDS,
    EVENT_KINDS,
    EVENT_LABELS,
    FLUSH_READING_MMHG,
    KIND_DEFAULTS,
    RESOLVABLE,
    SIZE_FIELD,
    Event,
    make_event,
    scenario_tag,
)
from norepi_gui.sim.patient import baseline_map0, sample_patients
from norepi_gui.sim.runner import LimitRules, RunConfig, patient_context, target_band

if TYPE_CHECKING:
    from norepi_gui.sim.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

# The speeds offered, within norepi_gui.core.clock.MIN_SPEED to MAX_SPEED (1x to 60x).
SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)

#: SIM_EVENT payload ``source`` values.
SOURCE_SCENARIO = "scenario"  # a scheduled or triggered scenario event fired (for the record; already in the patient)
SOURCE_INSTRUCTOR = "instructor"  # an instructor injection or resolution: applied to the patient when synced
SOURCE_STUDENT = "student"  # a bedside action (flush, bolus, resite, ...): applied when synced
SOURCE_START = "start"  # the scenario started: name, seed, speed, the scenario's text
SOURCE_DEBRIEF = "debrief"  # the debrief metrics at the end
SOURCE_SNAPSHOT = "snapshot"  # the instructor marked a moment to rewind to

# Bedside actions the trainee can take besides doses (action kinds of norepi_gui.sim.actions).
BEDSIDE_ACTIONS: tuple[str, ...] = (
    "FLUSH_LINE",
    "FLUID_BOLUS",
    "CHANGE_BAG",
    "RESITE_LINE",
    "GIVE_PHENTOLAMINE",
    "REQUEST_CENTRAL_ACCESS",
    "CALL_PHYSICIAN",
    "RESTART_PUMP",
    "RECONNECT_LINE",
    "CHECK_PUMP",
    "REPEAT_CUFF",
    "REQUEST_ARTERIAL_LINE",
)

# The advice's escalation codes (norepi_gui.core.titration.escalation) -> the debrief's escalation kinds. "Add" is due
# (scored by its delay); "consider" is a suggestion the trainee may rightly decline (reported, never scored).
DUE_CODES: dict[str, str] = {
    "ADD_VASOPRESSIN": "ADD_VASOPRESSIN",
    "ADD_EPINEPHRINE": "ADD_EPINEPHRINE",
}
CONSIDER_CODES: dict[str, str] = {
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
# What a bedside action ends, when the patient has it (events.RESOLVED_BY, read the other way).
_ACTION_RESOLVES: dict[str, tuple[str, ...]] = {
    "FLUSH_LINE": ("damped_line",),
    "RESITE_LINE": ("extravasation",),
    "RESTART_PUMP": ("pump_stop", "changeover_gap"),
    "RECONNECT_LINE": ("line_disconnection",),
    "CHECK_PUMP": ("pump_tenfold",),
}
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
    chronic = known.chronic_hypertension and pt.chronic_hypertension_in_handover
    return Prefill(
        weight_kg=pt.weight_kg,
        population=known.population,
        age_years=pt.age_years,
        chronic_hypertension=chronic,
        baseline_sbp_mmhg=known.baseline_sbp_mmhg if chronic else None,
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
    """What the bedside monitor and the chart show now: the reading a nurse charts at a check.

    ``lactate_mmol_per_l`` is the last lab result and ``urine_ml_per_kg_per_h`` the last hour's output; ``new_lab``
    and ``new_urine`` say whether each came in since the last charted reading (a chart carries a result once).
    """

    at: datetime
    map_mmhg: float
    sbp_mmhg: float
    dbp_mmhg: float
    hr_per_min: float
    lactate_mmol_per_l: float
    lactate_at: datetime
    urine_ml_per_kg_per_h: float
    artefact: bool  # a fast-flush square wave on the screen, not a pressure
    new_lab: bool = True
    new_urine: bool = True
    irregular: bool = False  # atrial fibrillation on the monitor


@dataclass(frozen=True)
class Cue:
    """Something at the bedside besides the monitor: ``level`` "alarm" (a pump alarm), "finding" or "info"."""

    level: str
    text: str


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
    active_events: tuple[str, ...] = ()  # kinds acting now (what Resolve can end)
    pump_factor: float = 1.0  # what the pump delivers as a share of its order (0: stopped)


# ---------------------------------------------------------------------------------------------------- injections
@dataclass(frozen=True)
class Injection:
    label: str
    event: Event  # at_min is ignored: an injection fires now
    tag: str = ""  # a pending scenario event fired now (taken off the schedule)


def _preset(kind: str) -> Injection:
    ev = make_event(kind)
    size = SIZE_FIELD[kind]
    text = EVENT_LABELS[kind]
    if size is not None:
        text += f" ({_size_text(size, getattr(ev, size))})"
    return Injection(text, ev)


def _size_text(name: str, value: float) -> str:
    units = {"mmhg": "mmHg", "ml_per_min": "mL/min", "volume_ml": "mL", "factor": "x", "duration_min": "min",
             "hr_bpm": "/min more", "fraction": "delivered"}
    if name == "fraction":
        return f"{value:.0%} delivered"
    return f"{value:g} {units.get(name, '')}".strip()


#: One preset per event kind, at the kind's default size (events.KIND_DEFAULTS, sources there).
INSTRUCTOR_PRESETS: tuple[Injection, ...] = tuple(_preset(kind) for kind in EVENT_KINDS)


def describe_event(ev: Event) -> str:
    parts = [ev.label + (f" [{ev.id}]" if ev.id else "")]
    for name in EVENT_FIELDS[ev.kind]:
        value = float(getattr(ev, name))
        if math.isfinite(value):
            parts.append(f"{name.replace('_', ' ')} {value:g}")
    if ev.when is not None:
        parts.append(ev.when.describe())
    return ", ".join(parts)


def event_payload(ev: Event, source: str, *, tag: str = "") -> Payload:
    payload: Payload = {"source": source, "kind": ev.kind, "at_min": round(ev.at_min, 3)}
    for name in EVENT_FIELDS[ev.kind]:
        value = float(getattr(ev, name))
        payload[name] = value if math.isfinite(value) else None
    if ev.id:
        payload["id"] = ev.id
    if tag:
        payload["tag"] = tag
    return payload


def event_from_payload(payload: Payload, at_min: float) -> Event | None:
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        return None
    values: dict[str, float] = dict(KIND_DEFAULTS[kind])
    for name in EVENT_FIELDS[kind]:
        if name in payload:
            value = _num(payload.get(name))
            values[name] = math.inf if value is None else value
    ident = payload.get("id")
    ev = make_event(kind, max(at_min, 0.0), **values)
    return replace(ev, id=ident) if isinstance(ident, str) else ev


def resolve_payload(kind: str) -> Payload:
    """The record of an instructor's "Resolve" for an event kind."""
    return {"source": SOURCE_INSTRUCTOR, "resolve": kind}


# ---------------------------------------------------------------------------------------------------- the run
def _num(value: JsonValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass
class _Log:
    actions: list[ActionRecord] = field(default_factory=list)
    escalations_due: list[EscalationDue] = field(default_factory=list)
    considered: list[EscalationDue] = field(default_factory=list)
    limit_alerts: list[LimitAlert] = field(default_factory=list)
    ne_doses: list[tuple[float, float]] = field(default_factory=list)
    doses: list[DoseEntry] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)


@dataclass(frozen=True)
class Timeline:
    """The run in minutes from the start, for the debrief's plot: true MAP, what the monitor displayed, charted
    readings, the bands shown, norepinephrine, events and actions."""

    true_t: tuple[float, ...]
    true_map: tuple[float, ...]
    shown_t: tuple[float, ...]
    shown_map: tuple[float, ...]
    charted: tuple[tuple[float, float], ...]
    bands: tuple[Band, ...]
    ne: tuple[tuple[float, float], ...]
    events: tuple[tuple[float, str], ...]
    actions: tuple[tuple[float, str], ...]
    end_min: float
    floor_mmhg: float


class TrainingRun:
    """One virtual patient for ``scenario``, starting at ``start`` (simulated time)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        start: datetime,
        seed: int = 0,
        config: RunConfig | None = None,
        protocol: Protocol | None = None,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start: needs a timezone-aware time")
        self.scenario = scenario
        self.start = start
        self.seed = seed
        base = config or RunConfig()
        self.config = replace(base, sim=replace(base.sim, record_measured=True))
        self.limits: LimitRules = self.config.limits
        self.protocol = protocol if protocol is not None else (self.config.protocol or load_protocol())
        params_rng, noise_rng = np.random.default_rng(seed).spawn(2)  # as run_headless: same seed, same patient
        params = sample_patients(scenario.patient_spec(), 1, params_rng)
        self.duration_min = scenario.duration_h * 60.0
        self.sim = VirtualPatients(
            params, scenario.setting(), noise_rng, self.config.sim, expected_minutes=self.duration_min
        )
        for index, ev in enumerate(scenario.events):
            self.sim.schedule(ev, tag=scenario_tag(index))
        self.weight_kg = float(params.weight_kg[0])
        self.target_mmhg = scenario.target_map_mmhg
        self._log = _Log()
        self._log.ne_doses.append((0.0, float(self.sim.ne[0])))
        self._seen: set[int] = set()
        self._ne_id: int | None = None
        self._co_ids: dict[str, int | None] = dict.fromkeys(_CO_DRUGS)
        self._bag_id: int | None = None
        self._pump_rate: float | None = None  # the rate the pump was programmed with, mL/h (as recorded)
        self._fed = 0
        self._cuff_fed_min = -math.inf
        self._announced = 0
        self._vaso_due = False
        self._line_alerted = False
        self._charted_lab_min = -math.inf
        self._charted_urine_hour = -1
        self._cuff_shown: list[tuple[float, float]] = []
        try:
            self._usual_max: float | None = self.protocol.population(Population(scenario.patient.population)
                                                                     ).usual_max_dose
        except (ValueError, AttributeError):
            self._usual_max = None

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
        target = self._log.bands[-1].low_mmhg if self._log.bands else self.target_mmhg
        if (
            not self._vaso_due
            and s.ne[0] >= self.config.vasopressin_due_ne_mcg_per_kg_per_min - 1e-12
            and s.true_map[0] < target
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
            self._cuff_shown.append((at, float(s.meas_map[0])))
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
        if self._cuff_shown:
            ts = np.array([t0 + t * 60.0 for t, _m in self._cuff_shown])
            return MonitorFeed(ts, np.array([m for _t, m in self._cuff_shown]))
        return MonitorFeed(np.empty(0), np.empty(0))

    def fired_scenario_events(self) -> list[Fired]:
        """Scenario events that fired (on time or on their condition) since the last call, for the record."""
        new = self.sim.fired[self._announced :]
        self._announced = len(self.sim.fired)
        return [f for f in new if f.source != "injected"]

    # -- what the nurse and the instructor see ------------------------------------------------------------
    def monitor_reading(self) -> MonitorReading:
        s = self.sim
        map_now = float(s.meas_map[0])
        artefact = map_now >= FLUSH_READING_MMHG - _EPS
        lab_min = float(s.lactate_lab_time_min[0])
        hour = math.floor(s.time_min / 60.0 + _EPS)
        return MonitorReading(
            at=self.time_at(float(s.meas_time_min[0])),
            map_mmhg=float(round(map_now)),
            sbp_mmhg=float(round(float(s.meas_sbp[0]))),
            dbp_mmhg=float(round(float(s.meas_dbp[0]))),
            hr_per_min=float(s.meas_hr[0]),
            lactate_mmol_per_l=float(s.lactate_lab[0]),
            lactate_at=self.time_at(lab_min),
            urine_ml_per_kg_per_h=round(float(s.urine_last_hour[0]), 2),
            artefact=artefact,
            new_lab=lab_min > self._charted_lab_min + _EPS,
            new_urine=hour > self._charted_urine_hour,
            irregular=bool(s.af_until[0] > s.time_min + _EPS),
        )

    def charted(self, reading: MonitorReading) -> None:
        """The trainee charted ``reading``: its lab result and hourly urine count as charted (carried once)."""
        if reading.new_lab:
            self._charted_lab_min = self.minutes(reading.lactate_at)
        if reading.new_urine:
            self._charted_urine_hour = math.floor(self.sim.time_min / 60.0 + _EPS)

    def cues(self) -> list[Cue]:
        """What the bedside shows besides the monitor: pump alarms and display, the infusion site, the rhythm."""
        s, t = self.sim, self.sim.time_min + _EPS
        out: list[Cue] = []
        ne = float(s.ne[0])
        if ne > 0.0 and float(s.bag_remaining_ml[0]) <= 0.0:
            out.append(Cue("alarm", "Pump alarm: bag empty \u2014 norepinephrine has stopped"))
        if s.interrupted_until["pump_stop"][0] > t:
            out.append(Cue("alarm", "Pump alarm: the pump has stopped"))
        if s.interrupted_until["line_disconnection"][0] > t:
            out.append(Cue("finding", "Infusion line disconnected at the connector: fluid on the sheet"))
        if s.interrupted_until["changeover_gap"][0] > t:
            out.append(Cue("finding", "Infusion paused while the bag or syringe is changed"))
        if bool(s.site_alert[0]):
            out.append(Cue("finding", "Infusion site: swollen, pale and cool around the cannula"))
        if s.af_until[0] > t:
            out.append(Cue("finding", "Monitor: irregular rhythm"))
        if ne > 0.0:
            factor = float(s.pump_factor[0]) if s.pump_factor_until[0] > t else 1.0
            programmed = self._pump_rate  # as recorded; else what the scenario's dose needs (mL/h = mcg/min x 60 / C)
            if programmed is None:
                programmed = ne * self.weight_kg * 60.0 / s.setting.concentration_mcg_per_ml
            out.append(Cue("info", f"Pump display: {programmed * factor:.1f} mL/h"))
        return out

    def hidden(self) -> HiddenState:
        s, p = self.sim, self.sim.p
        cl, v = float(p.clearance_l_per_min[0]), float(p.volume_l[0])
        delivery = s._delivery()  # the instructor sees the pump's real delivery
        factor = float(delivery[0]) if isinstance(delivery, np.ndarray) else float(delivery)
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
            active_events=tuple(s.active(0)),
            pump_factor=factor,
        )

    def upcoming_events(self) -> list[tuple[Event, str]]:
        """Scenario events still to come (scheduled or waiting for their condition), with their tags."""
        return self.sim.pending()

    # -- what was recorded drives the patient -----------------------------------------------------------
    def baseline(self, events: Iterable[LogEvent]) -> None:
        """The events recorded to set up the start (the handover): applied silently, not scored as actions."""
        events = list(events)
        self._apply(events, score=False)
        self._log.ne_doses[:] = [(0.0, float(self.sim.ne[0]))]
        self._log.doses[:] = [DoseEntry(0.0, float(self.sim.ne[0]), True)]

    def sync(self, events: Iterable[LogEvent]) -> list[ActionRecord]:
        """Apply what the session's effective events say that the patient does not have yet; the new actions."""
        before = len(self._log.actions)
        self._apply(list(events), score=True)
        return self._log.actions[before:]

    def adopt(self, events: Iterable[LogEvent]) -> None:
        """Take ``events`` as already applied (a rewound session's copy of the first run's record)."""
        events = list(events)
        self._seen.update(e.id for e in events)
        doses = [e for e in events if e.kind is EventKind.NE_DOSE]
        if doses:
            self._ne_id = max(doses, key=lambda e: (e.at, e.seq)).id
        for e in sorted((e for e in events if e.kind is EventKind.CO_INFUSION), key=lambda e: (e.at, e.seq)):
            drug = e.payload.get("drug")
            if isinstance(drug, str) and drug in _CO_DRUGS:
                self._co_ids[drug] = e.id

    def _apply(self, events: list[LogEvent], *, score: bool) -> None:
        now = self.sim.time_min
        recorded_weight: float | None = None
        ordered = sorted(events, key=lambda e: e.seq)
        for e in ordered:
            if e.kind is EventKind.PATIENT:
                recorded_weight = _num(e.payload.get("weight_kg"))
        self._sync_ne(events, now, score)
        self._sync_co(events, now, score, recorded_weight)
        for e in ordered:
            if e.id in self._seen:
                continue
            self._seen.add(e.id)
            t = max(0.0, self.minutes(e.at))
            if e.kind is EventKind.SIM_EVENT:
                self._sim_event(e.payload, now, score)
            elif e.kind is EventKind.INFUSION:
                self._bag(e, now, score)
            elif e.kind is EventKind.ADVICE and score:
                self._advice(e.payload, t)

    def _bag(self, e: LogEvent, now: float, score: bool) -> None:
        """A new bag recorded (the infusion panel, or the bedside action): a full one in the patient's pump."""
        volume = _num(e.payload.get("bag_volume_ml"))
        first = self._bag_id is None
        self._bag_id = e.id
        if volume is None or first:
            return  # the handover's bag is the scenario's, already in the pump
        self.sim.change_bag(0)
        self.sim.bag_remaining_ml[0] = volume
        self.sim.resolve("changeover_gap", 0)
        if score:
            self._log.actions.append(ActionRecord(now, "CHANGE_BAG", volume))

    def _advice(self, payload: Payload, t: float) -> None:
        items = payload.get("escalations")
        for item in items if isinstance(items, list) else []:
            code = item.get("code") if isinstance(item, dict) else None
            if isinstance(code, str) and code in DUE_CODES:
                self._add_due(t, DUE_CODES[code])
            elif isinstance(code, str) and code in CONSIDER_CODES:
                kind = CONSIDER_CODES[code]
                if not any(c.kind == kind for c in self._log.considered):
                    self._log.considered.append(EscalationDue(t, kind))
        lo, hi = _num(payload.get("target_map")), _num(payload.get("target_map_upper"))
        if lo is None or hi is None:
            return
        bands = self._log.bands
        if bands and abs(bands[-1].low_mmhg - lo) < 1e-9 and abs(bands[-1].high_mmhg - hi) < 1e-9:
            return
        if bands:  # the trainee recorded something that moved the band (a target, chronic hypertension, ...)
            kind = "RAISE_TARGET" if lo > bands[-1].low_mmhg + 1e-9 else "LOWER_TARGET"
            if abs(lo - bands[-1].low_mmhg) > 1e-9:
                self._log.actions.append(ActionRecord(t, kind, lo))
        bands.append(Band(0.0 if not bands else t, lo, hi))

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
        self._pump_rate = pump
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
        confirmed = p.get("confirmed_alerts")
        self._log.doses.append(DoseEntry(now, new, isinstance(confirmed, list) and bool(confirmed)))
        self._limits(now, new)

    def _limits(self, t: float, dose: float) -> None:
        """The headless runner's limit checks (LimitRules, sources there) on the dose the trainee set."""
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
            resolve = payload.get("resolve")
            if isinstance(resolve, str) and resolve in RESOLVABLE:
                self.sim.resolve(resolve, 0)
                return
            ev = event_from_payload(payload, now)
            tag = payload.get("tag")
            if ev is not None:
                self.sim.inject(ev, tag=tag if isinstance(tag, str) else "")
        elif source == SOURCE_STUDENT and score:
            action = payload.get("action")
            if not isinstance(action, str) or action not in ACTION_KINDS:
                return
            volume = _num(payload.get("volume_ml"))
            if action == "FLUSH_LINE":
                self.sim.flush_line(0)
            elif action == "CHANGE_BAG":  # sessions recorded before a new bag went through the bag record
                self.sim.change_bag(0)
            elif action == "FLUID_BOLUS" and volume is not None and volume > 0:
                self.sim.give_fluid(0, volume)
            for kind in _ACTION_RESOLVES.get(action, ()):
                self.sim.resolve(kind, 0)
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

    @property
    def considered(self) -> tuple[EscalationDue, ...]:
        """Escalations the advice suggested to consider (first time each), not scored."""
        return tuple(self._log.considered)

    @property
    def bands(self) -> tuple[Band, ...]:
        """The bands the advice showed, each from the minute it was first shown."""
        return tuple(self._log.bands)

    # -- rebuilding from the record -------------------------------------------------------------------------
    @classmethod
    def rebuild(
        cls,
        scenario: Scenario,
        *,
        start: datetime,
        seed: int,
        raw: Sequence[LogEvent],
        until: datetime | None = None,
        protocol: Protocol | None = None,
    ) -> TrainingRun:
        """The run as it was: replay the session's raw events at the (simulated) times they were recorded.

        Events recorded before the first reading are the handover (applied without scoring, as at the start);
        after that, each group of events recorded together is applied once the patient has been stepped to their
        recording time, with the effective events (corrections and deletions folded in) as they stood then. With
        ``until`` the replay stops there (a rewind); otherwise at the last recorded time.
        """
        run = cls(scenario, start=start, seed=seed, protocol=protocol)
        run.replay(raw, until=until)
        return run

    def replay(self, raw: Sequence[LogEvent], *, until: datetime | None = None, skip_until_seq: int = 0) -> None:
        """Apply a session's raw events as they were recorded (see :meth:`rebuild`).

        ``skip_until_seq``: a retry's events up to its start event are copies of the first attempt's record, which
        this run already holds: they are adopted, not applied, and no handover is looked for.
        """
        steps = list(_replay_steps(raw))
        if skip_until_seq:
            copied = [step for step in steps if step[1].seq <= skip_until_seq]
            if copied:
                self.adopt(copied[-1][2])
            steps = steps[len(copied):]
            first_reading = 0
        else:
            first_reading = next((i for i, (_t, ev, _v) in enumerate(steps) if ev.kind is EventKind.READING),
                                 len(steps))
        last = self.time_at(self.elapsed_min)
        for i, (when, event, view) in enumerate(steps):
            if until is not None and when > until:
                break
            if i < first_reading:
                continue
            if i == first_reading and not skip_until_seq:
                self.baseline(steps[i - 1][2] if i > 0 else [])
            self.advance_to(when)
            last = max(last, when)
            self.fired_scenario_events()
            if event.kind is EventKind.READING:
                self._note_reading(event)
            self.sync(view)
        if first_reading == len(steps) and steps and not skip_until_seq:
            self.baseline(steps[-1][2])
        self.advance_to(until if until is not None else last)
        self.fired_scenario_events()

    def _note_reading(self, event: LogEvent) -> None:
        lactate = event.payload.get("lactate_mmol_per_l")
        if lactate is not None:
            self._charted_lab_min = float(self.sim.lactate_lab_time_min[0])
        if event.payload.get("urine_ml_per_kg_per_h") is not None:
            self._charted_urine_hour = math.floor(self.sim.time_min / 60.0 + _EPS)

    # -- the debrief -------------------------------------------------------------------------------------
    def band_segments(self) -> tuple[Band, ...]:
        """The bands to score: those shown, else the band the target rules derive for the handed-over patient."""
        if self._log.bands:
            return tuple(self._log.bands)
        known = patient_context(self.scenario)
        if not self.scenario.patient.chronic_hypertension_in_handover:
            known = replace(known, chronic_hypertension=False, baseline_sbp_mmhg=None)
        band = target_band(known, self.protocol)
        return (Band(0.0, band.map_mmhg, band.upper_mmhg),)

    def event_times(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for f in self.sim.fired:
            out.setdefault(f.event.name, f.time_min)
        return out

    def timeline(self, events: Iterable[LogEvent] = ()) -> Timeline:
        s = self.sim
        t = np.asarray(s.trace.t_min)
        true_map = s.rec_true_map[0].astype(np.float64)
        if s.setting.monitoring == "arterial":
            n = s.trace.measurements
            step = max(1, round(30.0 / s.cfg.art_line_every_s))  # one in six 5-s samples: every 30 s
            shown_t = tuple(float(x) for x in s.trace.meas_t_min[:n:step])
            shown = tuple(float(x) for x in s.rec_measured_map[0, :n:step])
        else:
            shown_t = tuple(t_ for t_, _m in self._cuff_shown)
            shown = tuple(m for _t, m in self._cuff_shown)
        charted = []
        for e in events:
            if e.kind is EventKind.READING:
                value = _num(e.payload.get("map_mmhg"))
                if value is not None:
                    charted.append((self.minutes(e.at), value))
        return Timeline(
            true_t=tuple(float(x) for x in t),
            true_map=tuple(float(x) for x in true_map),
            shown_t=shown_t,
            shown_map=shown,
            charted=tuple(sorted(charted)),
            bands=self.band_segments(),
            ne=tuple(self._log.ne_doses),
            events=tuple((f.time_min, f.event.label) for f in s.fired),
            actions=tuple((a.time_min, _label(a.kind)) for a in self._log.actions),
            end_min=s.time_min,
            floor_mmhg=self.scenario.floor_map_mmhg,
        )

    def debrief(self, events: Iterable[LogEvent], *, trainee: str = "") -> TrainingDebrief:
        """Score the run so far from the true MAP and the recorded session (prompts from its events)."""
        events = list(events)
        s = self.sim
        prompts = prompt_records(events, self.start)
        bands = self.band_segments()
        fired = [(f.time_min, f.event.name, f.event.label, ANSWERED_BY[f.event.kind]) for f in s.fired
                 if ANSWERED_BY[f.event.kind]]
        metrics = debrief(
            np.asarray(s.trace.t_min),
            s.rec_true_map[0].astype(np.float64),
            target_mmhg=bands[0].low_mmhg,
            end_min=s.time_min if s.trace.samples else None,
            actions=self._log.actions,
            prompts=prompts,
            escalations_due=self._log.escalations_due,
            limit_alerts=self._log.limit_alerts,
            ne_doses=self._log.ne_doses,
            weight_kg=self.weight_kg,
            expected_actions=self.scenario.expected_actions,
            bands=bands,
            floor_mmhg=self.scenario.floor_map_mmhg,
            forbidden_actions=self.scenario.forbidden_actions,
            event_times=self.event_times(),
            flags=error_flags(self._log.doses, self._usual_max),
            event_answers=event_responses(fired, self._log.actions),
        )
        considered = tuple(
            (c.time_min, c.kind, next((a.time_min for a in self._log.actions if a.kind == c.kind), None))
            for c in self._log.considered
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
            considered=considered,
            timeline=self.timeline(events),
            trainee=trainee,
            shown_bands_recorded=bool(self._log.bands),
        )


def _replay_steps(raw: Sequence[LogEvent]) -> Iterator[tuple[datetime, LogEvent, list[LogEvent]]]:
    """For each raw event in recording order: its recording time, the event, and the effective events then."""
    by_id: dict[int, LogEvent] = {}
    current: dict[int, LogEvent] = {}
    deleted: set[int] = set()

    def root_of(event: LogEvent) -> int:
        target = event.supersedes
        while target is not None and by_id[target].supersedes is not None:
            target = by_id[target].supersedes
        return target if target is not None else event.id

    for event in sorted(raw, key=lambda e: e.seq):
        by_id[event.id] = event
        if event.kind is EventKind.CORRECTION:
            root = root_of(event)
            if root in current:
                current[root] = replace(current[root], at=event.at, payload=event.payload)
        elif event.kind is EventKind.DELETION:
            deleted.add(root_of(event))
        else:
            current[event.id] = event
        view = sorted((e for eid, e in current.items() if eid not in deleted), key=lambda e: (e.at, e.seq))
        yield event.recorded_at, event, view


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
    considered: tuple[tuple[float, str, float | None], ...] = ()  # (advised at, kind, started at or None)
    timeline: Timeline | None = None
    trainee: str = ""
    shown_bands_recorded: bool = True  # False: no advice was shown; the band derived for the handover is scored

    def to_payload(self) -> Payload:
        """The metrics as stored in the session's closing SIM_EVENT (plain JSON)."""
        return {"source": SOURCE_DEBRIEF, **metrics_record(self)}


# The metrics as named fields (CSV columns, JSON keys, the class table): the name, then how to read it.
METRIC_FIELDS: tuple[tuple[str, str], ...] = (
    ("trainee", "trainee's name as typed at the start (may be empty)"),
    ("scenario", "scenario file name"),
    ("seed", "patient variant"),
    ("started_at", "simulated start, ISO 8601"),
    ("simulated_min", "minutes simulated"),
    ("band", "the band(s) shown and scored, e.g. 60-65 from 0:00"),
    ("floor_mmhg", "the floor scored (MAP below it)"),
    ("time_in_band_pct", "% of the time the true MAP was in the band shown"),
    ("time_below_band_pct", "% below the band shown"),
    ("time_below_target_minus_5_pct", "% more than 5 mmHg below the band"),
    ("time_below_floor_pct", "% below the floor"),
    ("time_above_band_pct", "% above the band shown"),
    ("time_to_first_titration_min", "minutes to the first norepinephrine change"),
    ("time_to_band_min", "minutes to the first true MAP in the band"),
    ("prompts", "checks that fell due"),
    ("prompts_unanswered", "checks never answered"),
    ("mean_prompt_response_min", "mean minutes from due to answered"),
    ("ne_changes", "norepinephrine dose changes"),
    ("direction_reversals", "changes of direction between consecutive dose changes"),
    ("escalations_made", "vasopressin, epinephrine, dobutamine or hydrocortisone started"),
    ("limit_alerts", "limits crossed"),
    ("max_dose_mcg_per_kg_per_min", "highest norepinephrine dose"),
    ("total_mg", "norepinephrine given, mg"),
    ("key_actions_on_time", "key actions done in their window"),
    ("key_actions", "key actions scored"),
    ("key_points", "points from key actions on time"),
    ("key_points_max", "points possible"),
    ("forbidden_points", "points off for forbidden actions"),
    ("score", "key points less forbidden points"),
    ("flags", "errors flagged (abrupt stop, stacking, unconfirmed dose above the usual range)"),
    ("mean_event_response_min", "mean minutes from an event to the trainee's first answer"),
    ("events_unanswered", "events never answered"),
)


def band_text(bands: Sequence[Band]) -> str:
    return "; ".join(f"{b.low_mmhg:g}-{b.high_mmhg:g} from {fmt_minutes(b.from_min)}" for b in bands)


def metrics_record(d: TrainingDebrief) -> dict[str, JsonValue]:
    """The named metrics of :data:`METRIC_FIELDS` as plain JSON values."""
    m = d.metrics
    responses = [r.response_min for r in m.responses if r.response_min is not None]

    def r2(x: float | None) -> float | None:
        return None if x is None else round(float(x), 2)

    values: dict[str, JsonValue] = {
        "trainee": d.trainee,
        "scenario": d.scenario_name,
        "seed": d.seed,
        "started_at": d.started_at.isoformat(),
        "simulated_min": r2(d.simulated_min),
        "band": band_text(m.bands),
        "floor_mmhg": m.floor_mmhg,
        "time_in_band_pct": r2(m.time_in_band_pct),
        "time_below_band_pct": r2(m.time_below_band_pct),
        "time_below_target_minus_5_pct": r2(m.time_below_target_minus_5_pct),
        "time_below_floor_pct": r2(m.time_below_floor_pct),
        "time_above_band_pct": r2(m.time_above_band_pct),
        "time_to_first_titration_min": r2(m.time_to_first_titration_min),
        "time_to_band_min": r2(m.time_to_band_min),
        "prompts": m.prompts,
        "prompts_unanswered": m.prompts_unanswered,
        "mean_prompt_response_min": r2(m.mean_prompt_response_min),
        "ne_changes": m.ne_changes,
        "direction_reversals": m.direction_reversals,
        "escalations_made": m.escalations_made,
        "limit_alerts": m.limit_alerts,
        "max_dose_mcg_per_kg_per_min": round(m.max_dose_mcg_per_kg_per_min, 4),
        "total_mg": round(m.total_mg, 3),
        "key_actions_on_time": m.key_actions_on_time,
        "key_actions": len(m.key_actions),
        "key_points": r2(m.key_points),
        "key_points_max": r2(m.key_points_max),
        "forbidden_points": r2(m.forbidden_points),
        "score": r2(m.score),
        "flags": len(m.flags),
        "mean_event_response_min": r2(sum(responses) / len(responses)) if responses else None,
        "events_unanswered": sum(1 for r in m.responses if r.answered_min is None),
    }
    assert tuple(values) == tuple(name for name, _ in METRIC_FIELDS)
    return values


def debrief_document(d: TrainingDebrief) -> dict[str, JsonValue]:
    """Everything the debrief says, as one JSON object (the export read by ``norepi-gui class-table``)."""
    m = d.metrics
    return {
        "format": "norepi-gui training debrief",
        "version": 1,
        "title": d.scenario_title,
        "statement": scoring_statement(d),
        "metrics": metrics_record(d),
        "key_actions": [dict(zip(("action", "window", "done_at", "verdict", "points"), row, strict=True))
                        for row in key_action_rows(d)],
        "forbidden_actions": [dict(zip(("action", "window", "done_at", "points"), row, strict=True))
                              for row in forbidden_rows(d)],
        "flags": [{"at": fmt_minutes(f.time_min), "kind": f.kind, "detail": f.detail} for f in m.flags],
        "event_responses": [dict(zip(("event", "at", "answered_at", "answer", "response"), row, strict=True))
                            for row in response_rows(d)],
        "actions": [{"at": at, "action": what} for at, what in action_rows(d)],
    }


def scoring_statement(d: TrainingDebrief) -> str:
    """What was scored, in words (the dialog and the report say it)."""
    m = d.metrics
    source = ("the band the advice showed on screen" if d.shown_bands_recorded
              else "the band the target rules give for the handed-over patient (no advice was shown)")
    return (f"Scored on the patient's true MAP (not the displayed one, which carries the monitor's noise and "
            f"artefacts) against {source}: {band_text(m.bands)} (h:min from the start); the floor is "
            f"{m.floor_mmhg:g} mmHg, the scenario's. Key actions count only inside their window after their "
            f"trigger; advice to consider an escalation is reported, never scored as missed.")


def fmt_minutes(minutes: float | None) -> str:
    """Minutes from the start as h:mm (``-`` when None or infinite)."""
    if minutes is None or not math.isfinite(minutes):
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
    band = band_text(m.bands) if len(m.bands) > 1 else f"{m.band_low_mmhg:g}-{m.band_high_mmhg:g} mmHg"
    responses = m.prompt_response_min
    response_text = "-"
    if responses:
        response_text = f"mean {sum(responses) / len(responses):.1f} min, longest {max(responses):.1f} min"
    kinds = ", ".join(sorted(set(m.limit_alert_kinds)))
    lows = sorted({b.low_mmhg for b in m.bands})
    below = " / ".join(f"{x - 5:g}" for x in lows)
    highs = " / ".join(f"{x:g}" for x in sorted({b.high_mmhg for b in m.bands}))
    return (
        ("Simulated time", f"{fmt_minutes(d.simulated_min)} h:min"),
        (f"Time in the target band shown ({band})", f"{m.time_in_band_pct:.0f} %"),
        ("Time below the band shown", f"{m.time_below_band_pct:.0f} %"),
        (f"Time below target - 5 (< {below})", f"{m.time_below_target_minus_5_pct:.0f} %"),
        (f"Time with MAP below the floor ({m.floor_mmhg:g})", f"{m.time_below_floor_pct:.0f} %"),
        (f"Time above the band (> {highs})", f"{m.time_above_band_pct:.0f} %"),
        ("Time to first titration", _mins(m.time_to_first_titration_min)),
        ("Prompts (unanswered)", f"{m.prompts} ({m.prompts_unanswered})"),
        ("Prompt response times", response_text),
        ("Escalations made", str(m.escalations_made)),
        ("Limit alerts triggered", f"{m.limit_alerts}" + (f" ({kinds})" if kinds else "")),
        ("Errors flagged", str(len(m.flags))),
        ("Maximum norepinephrine dose", f"{m.max_dose_mcg_per_kg_per_min:.3g} mcg/kg/min"),
        ("Total norepinephrine", f"{m.total_mg:.2f} mg"),
        ("Key actions on time", f"{m.key_actions_on_time} of {len(m.key_actions)}"),
        ("Score (key action points less forbidden)",
         f"{m.score:g} of {m.key_points_max:g}" + (f" ({m.forbidden_points:g} off)" if m.forbidden_points else "")),
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


def considered_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str], ...]:
    """(escalation, advised to consider at, started at or "declined") - reported, not scored."""
    return tuple((_label(kind), fmt_minutes(at), fmt_minutes(made) if made is not None else "not started")
                 for at, kind, made in d.considered)


def key_action_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str, str, str], ...]:
    """(expected action, window, done at, verdict, points) for each of the scenario's key actions."""
    rows: list[tuple[str, str, str, str, str]] = []
    for k in d.metrics.key_actions:
        if k.opens_min is None:
            window = k.window
        else:
            window = f"{fmt_minutes(k.opens_min)}-{fmt_minutes(k.by_minute)} ({k.window})"
        points = f"{k.points:g} of {k.weight:g}" if k.opens_min is not None else "-"
        label = _label(k.action) + (f": {k.why}" if k.why else "")
        rows.append((label, window, fmt_minutes(k.done_at_min), k.verdict, points))
    return tuple(rows)


def forbidden_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str, str], ...]:
    """(forbidden action, window, done at, points off)."""
    rows: list[tuple[str, str, str, str]] = []
    for f in d.metrics.forbidden:
        label = _label(f.action) + (f": {f.why}" if f.why else "")
        done = ", ".join(fmt_minutes(t) for t in f.done_at_min) or "not done"
        rows.append((label, f.window, done, f"-{f.points:g}" if f.points else "0"))
    return tuple(rows)


def flag_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str], ...]:
    names = {"ABRUPT_STOP": "Abrupt stop", "STACKING": "Stacking",
             "ABOVE_USUAL_UNCONFIRMED": "Above the usual range, unconfirmed"}
    return tuple((fmt_minutes(f.time_min), names.get(f.kind, f.kind), f.detail) for f in d.metrics.flags)


def response_rows(d: TrainingDebrief) -> tuple[tuple[str, str, str, str, str], ...]:
    """(event, at, answered at, answer, response time) for each event the patient met."""
    return tuple(
        (r.label, fmt_minutes(r.time_min), fmt_minutes(r.answered_min), _label(r.answer) if r.answer else "-",
         _mins(r.response_min) if r.response_min is not None else "no answer")
        for r in d.metrics.responses
    )


def action_rows(d: TrainingDebrief) -> tuple[tuple[str, str], ...]:
    """(time, what) for every action the trainee took."""
    out: list[tuple[str, str]] = []
    for a in d.actions:
        value = "" if a.value is None else f" {a.value:.3g} {_unit(a.kind)}"
        out.append((fmt_minutes(a.time_min), _label(a.kind) + value))
    return tuple(out)
