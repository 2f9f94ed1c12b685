"""Training mode without Qt: simulated clock, one virtual patient stepped to it, the record driving it, the debrief."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from norepi_gui.core.clock import ManualClock, SimulatedClock
from norepi_gui.core.events import Event as LogEvent
from norepi_gui.core.events import EventKind, Payload
from norepi_gui.sim.actions import PromptRecord
from norepi_gui.sim.events import Event
from norepi_gui.sim.runner import policy_factory, run_headless
from norepi_gui.sim.scenario import load_scenario
from norepi_gui.sim.training import (
    TrainingRun,
    action_rows,
    debrief_rows,
    event_payload,
    key_action_rows,
    prompt_records,
    scenario_prefill,
)

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)


def log_event(kind: EventKind, payload: Payload, at: datetime = START) -> LogEvent:
    n = next(_ids)
    return LogEvent(id=n, session_id=1, seq=n, at=at, recorded_at=at, kind=kind, payload=payload)


def ne_dose(mcg_per_min: float, at: datetime, pump: float = 10.0) -> LogEvent:
    return log_event(EventKind.NE_DOSE, {"dose_mcg_per_min": mcg_per_min, "delivered_dose_mcg_per_min": mcg_per_min,
                                         "pump_rate_ml_per_h": pump}, at)


def run_of(name: str = "septic_responsive", seed: int = 0) -> TrainingRun:
    return TrainingRun(load_scenario(name), start=START, seed=seed)


# ------------------------------------------------------------------------------------------------ simulated clock
def test_simulated_time_runs_at_the_speed_and_stands_still_when_paused() -> None:
    base = ManualClock(START)
    clock = SimulatedClock(base, speed=60)
    base.advance(seconds=10)
    assert clock.now() == START + timedelta(minutes=10)  # 10 s x 60 = 600 s
    clock.pause()
    base.advance(seconds=30)
    assert clock.now() == START + timedelta(minutes=10)
    clock.resume()
    clock.set_speed(2)
    base.advance(seconds=30)
    assert clock.now() == START + timedelta(minutes=11)  # 10 min + 30 s x 2


def test_speed_outside_1x_to_60x_is_refused_naming_the_field() -> None:
    clock = SimulatedClock(ManualClock(START))
    with pytest.raises(ValueError, match="speed: 61 .*1 to 60"):
        clock.set_speed(61)
    with pytest.raises(ValueError, match="speed"):
        SimulatedClock(ManualClock(START), speed=0.5)


# ------------------------------------------------------------------------------------------------ the patient
def test_an_untouched_training_patient_is_the_headless_patient_of_the_same_seed() -> None:
    scenario = load_scenario("septic_responsive")
    headless = run_headless(policy_factory("none"), scenario=scenario, hours=1.0, seed=7)
    run = TrainingRun(scenario, start=START, seed=7)
    for minute in (1, 2, 5, 17, 60):  # stepped in uneven pieces, as ticks do
        run.advance_to(START + timedelta(minutes=minute))
    np.testing.assert_allclose(run.sim.rec_true_map[0], headless.sim.rec_true_map[0], atol=1e-3)


def test_one_minute_of_arterial_line_gives_twelve_samples_five_seconds_apart() -> None:
    run = run_of()
    feed = run.advance_to(START + timedelta(seconds=90))  # whole blocks only: one minute
    assert len(feed) == 12  # 60 s / 5 s
    np.testing.assert_allclose(np.diff(feed.times_epoch), 5.0)
    assert feed.times_epoch[0] == START.timestamp()
    assert len(run.advance_to(START + timedelta(seconds=90))) == 0  # nothing new until time moves


def test_the_run_stops_at_the_end_of_the_scenario() -> None:
    run = run_of()
    run.advance_to(START + timedelta(hours=30))
    assert run.elapsed_min == 480.0  # septic_responsive: duration_h = 8
    assert run.finished


def test_scheduled_scenario_events_are_reported_once_when_they_fire() -> None:
    run = run_of()
    run.advance_to(START + timedelta(minutes=150))
    assert run.fired_scenario_events() == []  # damped_line at 150 fires in the block 150-151
    run.advance_to(START + timedelta(minutes=151))
    assert [f.event.kind for f in run.fired_scenario_events()] == ["damped_line"]
    assert run.fired_scenario_events() == []
    assert [e.kind for e, _tag in run.upcoming_events()] == ["bleeding"]


def test_the_charted_reading_is_what_the_monitor_shows() -> None:
    run = run_of()
    run.advance_to(START + timedelta(minutes=10))
    shown = run.monitor_reading()
    assert shown.at == START + timedelta(minutes=9, seconds=55)  # the last 5-s sample of the block ending at 10 min
    assert shown.map_mmhg == round(float(run.sim.meas_map[0]))
    assert shown.sbp_mmhg > shown.map_mmhg > shown.dbp_mmhg
    assert not shown.artefact


def test_hidden_state_reports_the_patient_parameters() -> None:
    run = run_of(seed=3)
    hidden = run.hidden()
    assert hidden.clearance_l_per_min == pytest.approx(float(run.sim.p.clearance_l_per_min[0]))
    # half-life = ln 2 x V / CL
    assert hidden.half_life_min == pytest.approx(0.6931472 * hidden.volume_l / hidden.clearance_l_per_min)
    assert hidden.baseline_map_mmhg == pytest.approx(50.0)  # map0_start_mmhg = 50 at t = 0
    assert hidden.weight_kg == 70.0


# ------------------------------------------------------------------------------------------------ the record
def test_a_recorded_dose_change_drives_the_patient_and_counts_as_a_titration() -> None:
    run = run_of()
    run.baseline([ne_dose(7.0, START)])  # the handover: 0.1 mcg/kg/min x 70 kg = 7 mcg/min
    assert run.actions == ()
    run.advance_to(START + timedelta(minutes=5))
    new = run.sync([ne_dose(7.0, START), ne_dose(14.0, START + timedelta(minutes=5))])
    assert [(a.time_min, a.kind) for a in new] == [(5.0, "INCREASE_NE")]
    assert float(run.sim.ne[0]) == pytest.approx(0.2)  # 14 mcg/min / 70 kg


def test_a_stopped_pump_delivers_nothing() -> None:
    run = run_of()
    run.baseline([ne_dose(7.0, START)])
    new = run.sync([ne_dose(7.0, START), ne_dose(0.0, START, pump=0.0)])
    assert [a.kind for a in new] == ["STOP_NE"]
    assert float(run.sim.ne[0]) == 0.0


def test_co_infusions_bag_target_and_bedside_actions_reach_the_patient() -> None:
    run = run_of()
    events = [
        log_event(EventKind.CO_INFUSION, {"drug": "vasopressin", "action": "start", "dose": 0.03, "unit": "U/min"}),
        log_event(EventKind.ADVICE, {"target_map": 65.0, "target_map_upper": 75.0}),
        log_event(EventKind.ADVICE, {"target_map": 70.0, "target_map_upper": 80.0}),  # a target typed: band moves
        log_event(EventKind.SIM_EVENT, {"source": "student", "action": "FLUID_BOLUS", "volume_ml": 500.0}),
        log_event(EventKind.SIM_EVENT, {"source": "student", "action": "FLUSH_LINE", "volume_ml": None}),
    ]
    kinds = [a.kind for a in run.sync(events)]
    assert kinds == ["ADD_VASOPRESSIN", "RAISE_TARGET", "FLUID_BOLUS", "FLUSH_LINE"]
    assert float(run.sim.vasopressin[0]) == 0.03
    # the bolus runs from now over 15 min at 500 mL per 15 min: 7.142857 mL/kg
    assert float(run.sim.fluid_rate[0]) * float(run.sim.fluid_until[0] - run.sim.fluid_from[0]) == \
        pytest.approx(500.0 / 70.0)
    assert run.sync(events) == []  # each event acts once


def test_recorded_hydrocortisone_reaches_the_patient_unscaled_by_weight() -> None:
    run = run_of()
    events = [
        log_event(EventKind.PATIENT, {"weight_kg": 80.0}),  # a recorded weight that differs from the patient's 70
        log_event(EventKind.CO_INFUSION, {"drug": "hydrocortisone", "action": "start", "dose": 200.0,
                                          "unit": "mg/day"}),
    ]
    assert [a.kind for a in run.sync(events)] == ["ADD_HYDROCORTISONE"]
    assert float(run.sim.hydrocortisone[0]) == 200.0  # mg/day, a flat dose
    assert run.hidden().hydrocortisone_mg_per_day == 200.0


def test_an_instructor_injection_acts_now() -> None:
    run = run_of()
    run.advance_to(START + timedelta(minutes=20))
    bleed = Event("bleeding", 0.0, ml_per_min=21.0, duration_min=30.0)
    run.sync([log_event(EventKind.SIM_EVENT, event_payload(bleed, "instructor"))])
    assert float(run.sim.bleed_rate[0]) == pytest.approx(0.3)  # 21 mL/min / 70 kg
    assert float(run.sim.bleed_until[0]) == pytest.approx(50.0)  # now (20) + 30 min
    assert run.actions == ()  # the instructor's doing, not the student's


def test_peripheral_limits_are_counted_when_the_student_sets_the_dose() -> None:
    run = run_of("peripheral_extravasation")  # 75 kg, peripheral line
    run.baseline([])
    run.sync([ne_dose(37.5, START)])  # 0.5 mcg/kg/min x 75 kg
    assert sorted(a.kind for a in run.limit_alerts) == ["PERIPHERAL_CAP", "PERIPHERAL_DOSE"]  # >= 0.5; 37.5 > 15


def test_advised_escalations_fall_due_and_their_delay_is_scored() -> None:
    run = run_of()
    run.baseline([])
    advice = log_event(EventKind.ADVICE, {"escalations": [{"code": "ADD_VASOPRESSIN"}]},
                       START + timedelta(minutes=30))
    vaso = log_event(EventKind.CO_INFUSION, {"drug": "vasopressin", "action": "start", "dose": 0.03,
                                             "unit": "U/min"}, START + timedelta(minutes=42))
    run.advance_to(START + timedelta(minutes=30))
    run.sync([advice])
    run.advance_to(START + timedelta(minutes=42))
    run.sync([advice, vaso])
    run.advance_to(START + timedelta(minutes=60))
    outcome = run.debrief([advice, vaso]).metrics.escalations
    assert [(e.kind, e.due_min, e.made_min, e.delay_min) for e in outcome] == [
        ("ADD_VASOPRESSIN", 30.0, 42.0, 12.0)
    ]


# ------------------------------------------------------------------------------------------------ prompts, debrief
def test_prompts_run_from_their_due_time_to_the_answer() -> None:
    shown = log_event(EventKind.PROMPT_SHOWN, {"due_at": (START + timedelta(minutes=5)).isoformat()},
                      START + timedelta(minutes=5, seconds=30))
    again = log_event(EventKind.PROMPT_SHOWN, {"due_at": (START + timedelta(minutes=5)).isoformat()},
                      START + timedelta(minutes=6))  # the same prompt, raised in priority
    answer = log_event(EventKind.PROMPT_ANSWERED, {"answer": "applied"}, START + timedelta(minutes=7))
    late = log_event(EventKind.PROMPT_SHOWN, {"due_at": (START + timedelta(minutes=20)).isoformat()},
                     START + timedelta(minutes=20))
    assert prompt_records([shown, again, answer, late], START) == [PromptRecord(5.0, 7.0), PromptRecord(20.0, None)]


def test_the_debrief_of_an_idle_student_shows_every_metric_and_missed_key_actions() -> None:
    run = run_of()
    run.baseline([ne_dose(7.0, START)])
    run.advance_to(START + timedelta(minutes=60))
    result = run.debrief([])
    m = result.metrics
    assert m.duration_min == pytest.approx(60.0)
    assert m.time_in_band_pct + m.time_below_band_pct + m.time_above_band_pct == pytest.approx(100.0)
    assert m.time_to_first_titration_min is None
    assert m.total_mg == pytest.approx(0.42)  # 7 mcg/min x 60 min = 420 mcg
    labels = [label for label, _value in debrief_rows(result)]
    for wanted in ("Time in the target band shown (65-75 mmHg)", "Time below target - 5 (< 60)",
                   "Time with MAP below the floor (60)", "Time above the band (> 75)", "Time to first titration",
                   "Prompt response times",
                   "Escalations made", "Limit alerts triggered", "Maximum norepinephrine dose",
                   "Total norepinephrine", "Key actions on time"):
        assert wanted in labels
    assert key_action_rows(result)[0][2:4] == ("-", "not done")
    assert result.to_payload()["total_mg"] == 0.42


# ------------------------------------------------------------------------------------------------ prefill
def test_the_prefill_is_the_scenario_patient_as_handed_over() -> None:
    child = scenario_prefill(load_scenario("pediatric_io"), START)
    assert child.line == "intraosseous"
    assert child.population == "pediatric"
    assert child.target_map_mmhg == 55.0  # a child's target is written in the order (scenario setting)
    adult = scenario_prefill(load_scenario("septic_responsive"), START)
    assert adult.target_map_mmhg is None  # the protocol's target applies
    assert adult.line_inserted_at == START - timedelta(hours=2)  # line_hours = 2
    assert (adult.weight_kg, adult.concentration_mcg_per_ml, adult.start_dose_mcg_per_kg_per_min) == (70.0, 16.0, 0.1)


def test_the_actions_list_names_each_action_with_its_unit() -> None:
    run = run_of()
    run.baseline([ne_dose(7.0, START)])
    run.advance_to(START + timedelta(minutes=5))
    run.sync([ne_dose(7.0, START), ne_dose(14.0, START + timedelta(minutes=5)),
              log_event(EventKind.SIM_EVENT, {"source": "student", "action": "FLUID_BOLUS", "volume_ml": 500.0})])
    assert action_rows(run.debrief([])) == (("0:05", "Increase NE 0.2 mcg/kg/min"), ("0:05", "Fluid bolus 500 mL"))
