"""The one builder of the titration engine's inputs from a session record, and the advice derived from them.

The window, ``norepi-gui advise``, the trainer and the handover report all ask :class:`EngineInputs` (through
:class:`~norepi_gui.bedside.session.BedsideSession` or :func:`advice_for`), so the same record at the same time gives
the same advice everywhere. It only translates: every decision, target, limit and interval is the engine's.

It keeps the engine's :class:`ChartedHistory` in step with the record: a reading charted after the latest one is
appended (O(1)); anything that changes what an earlier reading stood for (a back-dated entry, a correction, a
deletion, a dose or co-infusion placed before the latest reading, a new weight for a flat dose, perfusion markers
recorded on their own) makes it rebuild the history once, on the next advice.

Perfusion markers recorded without a blood pressure (a PERFUSION entry) go to the engine with the reading they
follow: the engine reads markers per reading (``Reading.lactate_mmol_per_l`` and so on, compared with the marker of
the reading before), so each entry's markers replace those of the latest reading at or before it (the later
measurement wins); entries before the first reading go with the first reading. The engine's rule that a reading
needs a MAP or SBP/DBP stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType, Population

if TYPE_CHECKING:
    from collections.abc import Sequence

    from norepi_gui.bedside.records import BagRecord, PatientRecord
    from norepi_gui.bedside.state import Delta, DoseRow, PerfusionRow, SessionState
    from norepi_gui.core.dosing import Concentration
    from norepi_gui.core.infusion import InfusionSummary
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.titration import Advice, CoInfusions, DoseEvent, InfusionState, PatientInfo, Reading
    from norepi_gui.core.titration.history import ChartedHistory


def population_of(state: SessionState) -> Population:
    try:
        return Population(state.patient.population)
    except ValueError:
        return Population.ADULT


def line_of(state: SessionState) -> LineType:
    try:
        return LineType(state.patient.line)
    except ValueError:
        return LineType.CENTRAL


def patient_info(state: SessionState, now: datetime) -> PatientInfo:
    """The engine's patient from the recorded PATIENT snapshot; InputError names what is missing."""
    from norepi_gui.core.titration import PatientInfo

    p = state.patient
    if p.weight_kg is None:
        raise InputError("weight", "no weight recorded", "enter the patient's weight (kg or lb)")
    inserted = p.line_inserted_at
    line_hours = 0.0 if inserted is None else max(0.0, (now - inserted).total_seconds() / 3600.0)
    return PatientInfo(
        weight_kg=p.weight_kg,
        population=population_of(state),
        age_years=p.age_years,
        chronic_hypertension=p.chronic_hypertension,
        baseline_sbp_mmhg=p.baseline_sbp_mmhg,
        ards=p.ards,
        intra_abdominal_hypertension=p.intra_abdominal_hypertension,
        cardiac_dysfunction=p.cardiac_dysfunction,
        line=line_of(state),
        line_hours=line_hours,
        fluids_ml_per_kg=p.fluids_ml_per_kg,
        arterial_line=p.arterial_line,
        target_map_mmhg=p.target_map_mmhg,
    )


def check_patient(patient: PatientInfo, protocol: Protocol) -> None:
    """The engine's checks of a patient's details that the protocol bounds (the individual target's range), for the
    patient panel; InputError names the field."""
    from norepi_gui.core.titration.targets import check_target

    check_target(patient, protocol)


def concentration(state: SessionState, protocol: Protocol) -> Concentration:
    """The running bag's base concentration: the recorded set-up, else the last dose's, else the protocol default."""
    value = state.bag.concentration_mcg_per_ml if state.bag is not None else None
    if value is None and state.current_dose is not None:
        value = state.current_dose.concentration_mcg_per_ml
    if value is None:
        value = protocol.concentrations.default_mcg_per_ml
    return base_concentration(value)


_CONCENTRATIONS: dict[float, Concentration] = {}


def base_concentration(mcg_per_ml: float) -> Concentration:
    """One (immutable) base concentration per strength: the engine's rate memo is keyed by its identity."""
    hit = _CONCENTRATIONS.get(mcg_per_ml)
    if hit is None:
        from norepi_gui.core.dosing import Concentration, Salt
        from norepi_gui.core.units import Q

        hit = Concentration(base=Q(mcg_per_ml, "mcg/mL"), salt=Salt.BASE)
        _CONCENTRATIONS[mcg_per_ml] = hit
    return hit


def per_kg(dose: DoseRow | None, weight_kg: float | None) -> float:
    """The norepinephrine dose of a dose row in mcg/kg/min (0 when stopped or before any)."""
    if dose is None or not dose.running:
        return 0.0
    if dose.dose_mcg_per_kg_per_min is not None:
        return dose.dose_mcg_per_kg_per_min
    if weight_kg is None or weight_kg <= 0:
        return 0.0
    return dose.dose_mcg_per_min / weight_kg


def bag_left_ml(state: SessionState, now: datetime) -> float | None:
    """The running bag's volume left at ``now``: the recorded volume less the pump's delivery since (core).

    The one figure for "what is left in the bag": the infusion panel, the engine's bag alerts and the dose the
    advice is applied with all use it.
    """
    from norepi_gui.core.bag import volume_left_ml

    bag = state.bag
    if bag is None or bag.bag_volume_ml is None or state.bag_at is None:
        return None if bag is None else bag.bag_volume_ml
    running_at_bag = state.dose_at(state.bag_at)
    rows = ([running_at_bag] if running_at_bag is not None else []) + state.doses_after(state.bag_at)
    rates = [(row.at, row.pump_rate_ml_per_h) for row in rows]
    return volume_left_ml(bag.bag_volume_ml, state.bag_at, rates, now)


def _perfusion_for(index: int, state: SessionState) -> list[PerfusionRow]:
    """The perfusion entries that go with reading ``index``: from its time up to the next reading (from the start of
    the record for the first reading), in time order."""
    if not state.perfusion_log:
        return []
    readings = state.readings
    start = None if index == 0 else readings[index].at
    end = readings[index + 1].at if index + 1 < len(readings) else None
    return state.perfusion_between(start, end)


def co_infusions(running: dict[str, float]) -> CoInfusions:
    from norepi_gui.core.titration import CoInfusions

    return CoInfusions(
        vasopressin_u_per_min=running.get("vasopressin", 0.0),
        epinephrine_mcg_per_kg_per_min=running.get("epinephrine", 0.0),
        dobutamine_mcg_per_kg_per_min=running.get("dobutamine", 0.0),
        hydrocortisone_started="hydrocortisone" in running,
    )


@dataclass(frozen=True)
class Unavailable:
    """Why there is no advice now (a missing weight or reading), in words for the advice panel."""

    reason: str


class EngineInputs:
    """Builds (and keeps in step) what the engine reads, for one session and one protocol."""

    def __init__(self) -> None:
        self._chart: ChartedHistory | None = None
        self._charted = 0  # readings of the state already in the chart
        self._weight: float | None = None
        self._dose_events: list[DoseEvent] = []  # the record's norepinephrine dose history, per kg (stop rules)
        self._dose_weight: float | None = None

    def invalidate(self) -> None:
        self._chart = None
        self._charted = 0
        self._dose_events = []

    def note(self, delta: Delta, state: SessionState) -> None:
        """Keep the chart in step after ``delta``: appends stay cheap, anything earlier rebuilds."""
        if self._chart is None:
            return
        if delta.reordered:
            self.invalidate()
            return
        latest = state.last_reading
        for rows in (delta.appended_doses, delta.appended_co):
            if latest is not None and any((row.at, row.seq) < (latest.at, latest.seq) for row in rows):
                self.invalidate()  # a change placed at or before the latest reading changes what it stood for
                return
        if "patient" in delta.aspects and state.patient.weight_kg != self._weight:
            self.invalidate()  # flat (mcg/min) doses are charted per kg
            return
        if delta.appended_perfusion:
            self.invalidate()  # the markers join the latest reading, which the chart already holds

    def _engine_reading(self, index: int, state: SessionState, weight_kg: float) -> Reading:
        from norepi_gui.core.titration import Reading

        row = state.readings[index]
        r = row.record
        lactate, urine, crt, mental = r.lactate_mmol_per_l, r.urine_ml_per_kg_per_h, r.crt_s, r.altered_mental_status
        for entry in _perfusion_for(index, state):
            m = entry.record
            lactate = m.lactate_mmol_per_l if m.lactate_mmol_per_l is not None else lactate
            urine = m.urine_ml_per_kg_per_h if m.urine_ml_per_kg_per_h is not None else urine
            crt = m.crt_s if m.crt_s is not None else crt
            mental = m.altered_mental_status if m.altered_mental_status is not None else mental
        last_co = state.co_infusion_log[-1] if state.co_infusion_log else None
        if last_co is None or last_co.at <= row.at:
            co = {drug: c.dose for drug, c in state.active_co_infusions.items()}
        else:
            co = state.co_at(row.at)
        return Reading(
            at=row.at,
            map_mmhg=r.map_entered,
            sbp_mmhg=r.sbp_mmhg,
            dbp_mmhg=r.dbp_mmhg,
            hr_per_min=r.hr_per_min,
            ne_dose_mcg_per_kg_per_min=per_kg(state.dose_at_reading(row), weight_kg),
            vasopressin_u_per_min=co.get("vasopressin"),
            epinephrine_mcg_per_kg_per_min=co.get("epinephrine"),
            dobutamine_mcg_per_kg_per_min=co.get("dobutamine"),
            lactate_mmol_per_l=lactate,
            urine_ml_per_kg_per_h=urine,
            crt_s=crt,
            altered_mental_status=mental,
        )

    def chart(self, state: SessionState, weight_kg: float) -> ChartedHistory:
        """The engine's history of every charted reading (appending only what is new)."""
        from norepi_gui.core.titration.history import ChartedHistory

        if self._chart is None or self._weight != weight_kg:
            self._chart = ChartedHistory()
            self._charted = 0
            self._weight = weight_kg
        readings = state.readings
        for index in range(self._charted, len(readings)):
            self._chart.append(self._engine_reading(index, state, weight_kg))
        self._charted = len(readings)
        return self._chart

    def dose_events(self, state: SessionState, weight_kg: float) -> list[DoseEvent]:
        """Every norepinephrine dose set and when (0 = stopped), in mcg/kg/min (appending only what is new)."""
        from norepi_gui.core.titration import DoseEvent

        if self._dose_weight != weight_kg:
            self._dose_events = []
            self._dose_weight = weight_kg
        rows = state.doses
        for row in rows[len(self._dose_events):]:
            self._dose_events.append(DoseEvent(at=row.at, dose_mcg_per_kg_per_min=per_kg(row, weight_kg)))
        return self._dose_events

    def infusion(self, state: SessionState, protocol: Protocol, now: datetime, weight_kg: float) -> InfusionState:
        from norepi_gui.core.titration import InfusionState

        running = state.dose_at(now)
        return InfusionState(
            concentration=concentration(state, protocol),
            dose_mcg_per_kg_per_min=per_kg(running, weight_kg),
            bag_volume_left_ml=bag_left_ml(state, now),
            dose_since=running.at if running is not None else None,
        )

    def derive(self, state: SessionState, protocol: Protocol, now: datetime) -> Advice:
        """The engine's advice for the record at ``now``; InputError names what is missing or refused."""
        from norepi_gui.core.titration import advise

        if not state.readings:
            raise InputError("readings", "no reading recorded yet", "a MAP or SBP/DBP reading")
        patient = patient_info(state, now)
        chart = self.chart(state, patient.weight_kg)
        infusion = self.infusion(state, protocol, now, patient.weight_kg)
        co = co_infusions({drug: row.dose for drug, row in state.active_co_infusions.items()})
        advice = advise(chart, patient, infusion, protocol, now=now, co_infusions=co,
                        ne_doses=self.dose_events(state, patient.weight_kg))
        if state.order is None:
            return advice
        return within_order(advice, state, protocol, patient, infusion, now)

    def advice(self, state: SessionState, protocol: Protocol, now: datetime) -> Advice | Unavailable:
        """The engine's advice for the record at ``now``, or why there is none (in words for the advice panel)."""
        missing = []
        if state.patient.weight_kg is None:
            missing.append("the weight")
        if not state.readings:
            missing.append("a reading")
        if missing:
            return Unavailable("For advice, record " + " and ".join(missing) + ".")
        try:
            return self.derive(state, protocol, now)
        except InputError as exc:
            return Unavailable(f"No advice: {exc.field}: {exc.problem}" + (f" ({exc.accepted})" if exc.accepted
                                                                          else ""))


def last_change_at(state: SessionState) -> datetime | None:
    """When the norepinephrine dose last changed (a start, a step or a stop; a new bag or weight that keeps the dose
    per kg is not a change): the time of the latest dose row whose dose differs from the one before it."""
    rows = state.doses
    for i in range(len(rows) - 1, 0, -1):
        if dose_key(rows[i]) != dose_key(rows[i - 1]):
            return rows[i].at
    return rows[0].at if rows else None


def dose_key(row: DoseRow) -> tuple[bool, float]:
    """What a dose row sets, for telling a change of dose from a row that keeps it (a new bag, a new weight)."""
    dose = row.dose_mcg_per_kg_per_min if row.dose_mcg_per_kg_per_min is not None else row.dose_mcg_per_min
    return row.running, round(dose, 6) if row.running else 0.0


def within_order(advice: Advice, state: SessionState, protocol: Protocol, patient: PatientInfo,
                 infusion: InfusionState, now: datetime) -> Advice:
    """The engine's advice kept inside the recorded titration order (rules ORD-*, ``norepi_gui.core.order``)."""
    from norepi_gui.core.order import OrderContext
    from norepi_gui.core.order import within_order as keep_within
    from norepi_gui.core.titration.limits import DoseLimits

    order = state.order
    assert order is not None
    limits = DoseLimits.for_patient(protocol, patient.population, patient.weight_kg)
    context = OrderContext(
        current_dose=infusion.dose_mcg_per_kg_per_min,
        last_change_at=last_change_at(state),
        given_before=any(row.running for row in state.doses),
        line=patient.line,
        weight_kg=patient.weight_kg,
        concentration=infusion.concentration,
        resolution_ml_per_h=protocol.pump.resolution_ml_per_h,
        soft_max=limits.soft_max,
    )
    return keep_within(advice, order, context, now)


def advice_for(state: SessionState, protocol: Protocol, now: datetime) -> Advice | Unavailable:
    """One-off advice for a record (the CLI; a session keeps its own :class:`EngineInputs`)."""
    return EngineInputs().advice(state, protocol, now)


def dose_summary(state: SessionState, protocol: Protocol, dose_mcg_per_kg_per_min: float, now: datetime, *,
                 patient: PatientRecord | None = None, bag: BagRecord | None = None) -> InfusionSummary:
    """The dosing core's figures for a per-kg dose on the recorded patient and bag, the bag counted down to ``now``
    (the figure the infusion panel shows). ``patient`` / ``bag`` preview a record not yet recorded (a weight or
    concentration change being confirmed); a new bag is full, as read."""
    from norepi_gui.core.dosing import DoseRate
    from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
    from norepi_gui.core.units import Q

    p = patient if patient is not None else state.patient
    if p.weight_kg is None:
        raise InputError("weight", "no weight recorded", "enter the patient's weight (kg or lb)")
    if bag is not None:
        left, conc, drop = bag.bag_volume_ml, base_concentration(bag.concentration_mcg_per_ml), bag.drop_factor
    else:
        left, conc = bag_left_ml(state, now), concentration(state, protocol)
        drop = state.bag.drop_factor if state.bag is not None else None
    current = state.current_dose
    try:
        population = Population(p.population)
    except ValueError:
        population = Population.ADULT
    try:
        line = LineType(p.line)
    except ValueError:
        line = LineType.CENTRAL
    request = InfusionRequest(
        concentration=conc,
        weight=Q(p.weight_kg, "kg"),
        population=population,
        dose=DoseRate.per_kg(dose_mcg_per_kg_per_min),
        line=line,
        drop_factor_gtt_per_ml=drop,
        bag_volume_left=None if left is None else Q(left, "mL"),
        current_dose_mcg_per_min=current.dose_mcg_per_min if current is not None and current.running else None,
    )
    return summarise_infusion(request, protocol)


@dataclass(frozen=True)
class RuleNote:
    """A rule the advice applied, for the window: its ID, its statement, and whether a number in it is a protocol
    setting marked [U] (a default for the site to review, never a fact)."""

    id: str
    statement: str
    protocol_default: bool


def rule_notes(rule_ids: Sequence[str]) -> tuple[RuleNote, ...]:
    """The notes of ``rule_ids`` in order (an unknown ID keeps its ID, with no statement)."""
    from norepi_gui.core.titration.rules import RULES

    out = []
    for rid in rule_ids:
        rule = RULES.get(rid)
        out.append(RuleNote(rid, rule.statement if rule else "", rule is not None and "[U]" in rule.source))
    return tuple(out)

