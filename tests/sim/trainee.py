"""A trainee without a window: the bedside layer's session and a training run, driven as the window drives them.

The scenario's handover is recorded through the bedside operations (patient, bag, dose, co-infusions), the monitor
is charted at each due check, and the advice is applied when it changes the dose. Every recorded change is synced
into the virtual patient at its recording time, as ``TrainingController`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from norepi_gui.bedside.changes import Change
from norepi_gui.bedside.inputs import Unavailable, dose_summary
from norepi_gui.bedside.memory import MemoryStore
from norepi_gui.bedside.records import BagRecord, PatientRecord
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind, Payload
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.titration import Reading
from norepi_gui.core.units import DoseBasis
from norepi_gui.sim.scenario import Scenario, load_scenario
from norepi_gui.sim.training import (
    SOURCE_SCENARIO,
    SOURCE_START,
    SOURCE_STUDENT,
    TrainingDebrief,
    TrainingRun,
    event_payload,
    scenario_prefill,
)

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


class Trainee:
    def __init__(self, scenario: Scenario | str, seed: int = 0) -> None:
        self.scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.clock = ManualClock(START)
        self.store = MemoryStore(self.clock)
        self.session = BedsideSession(lambda: self.store, self.clock, load_protocol(), training=True,
                                      confirm=lambda _title, _text: True)
        self.session.new_session("Training", scenario=self.scenario.name)
        self.run = TrainingRun(self.scenario, start=START, seed=seed)
        self.session.record_event(EventKind.SIM_EVENT, {"source": SOURCE_START, "scenario": self.scenario.name,
                                                        "seed": seed, "scenario_text": self.scenario.text})
        pre = scenario_prefill(self.scenario, START)
        self.session.set_patient(PatientRecord(
            weight_kg=pre.weight_kg, weight_entered=f"{pre.weight_kg:g} kg", population=pre.population,
            age_years=pre.age_years, chronic_hypertension=pre.chronic_hypertension,
            baseline_sbp_mmhg=pre.baseline_sbp_mmhg, ards=pre.ards,
            intra_abdominal_hypertension=pre.intra_abdominal_hypertension,
            cardiac_dysfunction=pre.cardiac_dysfunction, line=pre.line, line_inserted_at=pre.line_inserted_at,
            arterial_line=pre.arterial_line, target_map_mmhg=pre.target_map_mmhg))
        self.session.set_bag(BagRecord(concentration_mcg_per_ml=pre.concentration_mcg_per_ml,
                                       bag_volume_ml=pre.bag_volume_ml))
        if pre.start_dose_mcg_per_kg_per_min > 0:
            self.set_dose(pre.start_dose_mcg_per_kg_per_min, sync=False)
        for drug, dose, unit in pre.co_infusions:
            self.session.co_infusion(drug, "start", dose, unit)
        self.run.baseline(self.session.state.effective_events())
        self.chart()

    # -- as the window does ------------------------------------------------------------------------------
    @property
    def minutes(self) -> float:
        return (self.clock.now() - START).total_seconds() / 60.0

    def _recorded(self, change: Change) -> Change:
        when = max((e.recorded_at for e in change.recorded), default=self.clock.now())
        self.run.advance_to(when)
        self.run.sync(self.session.state.effective_events())
        return change

    def wait_until(self, minute: float) -> None:
        """Let simulated time pass to ``minute`` (scenario events are recorded as they fire)."""
        self.clock.set(START + timedelta(minutes=minute))
        self.run.advance_to(self.clock.now())
        for fired in self.run.fired_scenario_events():
            self._recorded(self.session.record_event(EventKind.SIM_EVENT, event_payload(fired.event, SOURCE_SCENARIO),
                                                     at=self.run.time_at(fired.time_min)))
        self._recorded(self.session.tick())

    def chart(self) -> Change | None:
        self.run.advance_to(self.clock.now())
        shown = self.run.monitor_reading()
        if shown.artefact:
            return None
        reading = Reading(at=shown.at, map_mmhg=shown.map_mmhg, sbp_mmhg=shown.sbp_mmhg, dbp_mmhg=shown.dbp_mmhg,
                          hr_per_min=shown.hr_per_min,
                          lactate_mmol_per_l=shown.lactate_mmol_per_l if shown.new_lab else None,
                          urine_ml_per_kg_per_h=shown.urine_ml_per_kg_per_h if shown.new_urine else None)
        self.run.charted(shown)
        return self._recorded(self.session.record_reading(reading, source="monitor"))

    def set_dose(self, per_kg: float, *, sync: bool = True) -> Change:
        summary = dose_summary(self.session.state, self.session.protocol, per_kg, self.clock.now())
        change = self.session.set_dose(summary, DoseBasis.PER_KG)
        return self._recorded(change) if sync else change

    def record(self, kind: EventKind, payload: Payload) -> Change:
        return self._recorded(self.session.record_event(kind, payload))

    def bedside(self, action: str, volume_ml: float | None = None) -> Change:
        return self.record(EventKind.SIM_EVENT, {"source": SOURCE_STUDENT, "action": action, "volume_ml": volume_ml})

    def co_infusion(self, drug: str, action: str, dose: float, unit: str) -> Change:
        return self._recorded(self.session.co_infusion(drug, action, dose, unit))

    def set_patient(self, **changes: object) -> Change:
        import dataclasses

        record = self.session.state.patient
        base = PatientRecord(**{f.name: getattr(record, f.name) for f in dataclasses.fields(PatientRecord)})
        return self._recorded(self.session.set_patient(dataclasses.replace(base, **changes)))  # type: ignore[arg-type]

    def follow_advice(self, until_min: float, *, on_check: Callable[[Trainee], None] | None = None,
                      escalate: bool = False) -> None:
        """Chart at each due check and apply dose advice until ``until_min`` (escalations only if ``escalate``)."""
        end = min(until_min, self.run.duration_min)
        while self.minutes < end - 1e-9:
            due = self.session.prompt.due_at
            nxt = (due - START).total_seconds() / 60.0 if due is not None else self.minutes + 15.0
            self.wait_until(min(max(nxt, self.minutes + 1.0), end))
            if self.minutes >= end - 1e-9 and (due is None or self.clock.now() < due):
                break
            self.chart()
            if on_check is not None:
                on_check(self)
            advice = self.session.advice
            if isinstance(advice, Unavailable):
                continue
            if advice.action.changes_dose:
                self._recorded(self.session.apply_advice())
            if escalate:
                running = self.session.state.active_co_infusions
                for e in advice.escalations:
                    if e.code == "ADD_VASOPRESSIN" and "vasopressin" not in running:
                        self.co_infusion("vasopressin", "start", 0.03, "U/min")
                    elif e.code == "ADD_EPINEPHRINE" and "epinephrine" not in running:
                        self.co_infusion("epinephrine", "start", 0.05, "mcg/kg/min")

    def debrief(self) -> TrainingDebrief:
        self.run.advance_to(self.clock.now())
        return self.run.debrief(self.session.state.effective_events())
