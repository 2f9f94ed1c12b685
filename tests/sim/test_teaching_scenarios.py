"""The teaching scenarios of issue 17, run headless: each shows the effect it was written to teach.

Twins: the same scenario and seed with and without the event (or the trainee's step), so the MAP difference is the
event's own effect; hand values from the sizes in the scenario files and the model in docs/simulator.md.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from norepi_gui.core.events import EventKind
from norepi_gui.sim.runner import build_patients
from norepi_gui.sim.scenario import Scenario, load_scenario
from norepi_gui.sim.training import TrainingRun
from tests.sim.trainee import Trainee

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
NEW = ("flush_bolus", "tenfold_pump_error", "bag_changeover", "af_unreliable_cuff", "weaning_order",
       "hydrocortisone_refractory", "cardiogenic_postop", "obese_dosing_weight")


def run(scenario: Scenario, minutes: float, seed: int = 0) -> TrainingRun:
    r = TrainingRun(scenario, start=START, seed=seed)
    r.baseline([])
    r.advance_to(START + timedelta(minutes=minutes))
    return r


def without_events(name: str) -> Scenario:
    return replace(load_scenario(name), events=())


def emax(r: TrainingRun, ce: float) -> float:
    p = r.sim.p
    return float(p.dmap_mmhg[0]) * ce / (ce + float(p.ec50_mcg_per_l[0]))


@pytest.mark.parametrize("name", NEW)
def test_each_new_scenario_loads_runs_and_explains_its_key_actions(name: str) -> None:
    s = load_scenario(name)
    assert s.learning_objectives and s.expected_actions and all(e.why for e in s.expected_actions)
    r = run(s, s.duration_h * 60.0)
    assert r.finished and len(r.debrief([]).metrics.key_actions) == len(s.expected_actions)


def test_the_flush_bolus_raises_map_within_a_minute() -> None:
    s = load_scenario("flush_bolus")
    hit, calm = run(s, 41.0), run(without_events("flush_bolus"), 41.0)
    # 2 mL at 32 mcg/mL = 64 mcg into V; the effect site follows with ke0 = 1/min: after 59 s of the block 40-41
    p = calm.sim.p
    k, v, t = float(p.clearance_l_per_min[0] / p.volume_l[0]), float(p.volume_l[0]), 59.0 / 60.0
    extra = 64.0 / v * 1.0 / (1.0 - k) * (math.exp(-k * t) - math.exp(-t))
    ce = float(calm.sim.ce[0])
    rise = float(hit.sim.true_map[0] - calm.sim.true_map[0])
    assert rise == pytest.approx(emax(calm, ce + extra) - emax(calm, ce), abs=0.1)
    assert rise > 4.0
    hit.advance_to(START + timedelta(minutes=90))
    calm.advance_to(START + timedelta(minutes=90))
    assert abs(float(hit.sim.true_map[0] - calm.sim.true_map[0])) < 0.2  # gone within the hour


def test_the_tenfold_error_shows_on_the_pump_and_drives_map_up_and_the_heart_rate_down() -> None:
    wrong, right = run(load_scenario("tenfold_pump_error"), 35.0), run(without_events("tenfold_pump_error"), 35.0)
    # the pump shows its real rate: 0.08 x 65 kg x 60 / 16 mcg/mL = 19.5 mL/h ordered, 195.0 delivered
    assert "Pump display: 195.0 mL/h" in [c.text for c in wrong.cues()]
    assert "Pump display: 19.5 mL/h" in [c.text for c in right.cues()]
    assert float(wrong.sim.true_map[0] - right.sim.true_map[0]) > 15.0
    assert float(wrong.sim.hr[0]) < float(right.sim.hr[0])  # reflex bradycardia [seed 003]


def test_a_changeover_gap_dips_map_while_delivery_is_stopped() -> None:
    gap, steady = run(load_scenario("bag_changeover"), 49.0), run(without_events("bag_changeover"), 49.0)
    lost = steady.sim.rec_true_map[0, 270:] - gap.sim.rec_true_map[0, 270:]  # 10-s samples from 45 min
    assert float(np.min(lost)) >= -1e-3 and float(np.max(lost)) > 5.0  # 4 min without 22.5 mcg/min, t1/2 2.4 min
    assert float(gap.sim.bag_remaining_ml[0]) > float(steady.sim.bag_remaining_ml[0])  # the new bag
    gap.advance_to(START + timedelta(minutes=65))  # before the untouched twin's old bag runs dry (about 71 min)
    steady.advance_to(START + timedelta(minutes=65))
    assert abs(float(gap.sim.true_map[0] - steady.sim.true_map[0])) < 0.5


def test_atrial_fibrillation_makes_cuff_readings_scatter() -> None:
    s = load_scenario("af_unreliable_cuff")
    params, setting, events = build_patients(s, 300, np.random.default_rng(5))
    from norepi_gui.sim.engine import SimConfig, VirtualPatients

    sim = VirtualPatients(params, setting, np.random.default_rng(6), SimConfig(), expected_minutes=180.0)
    for e in events:
        sim.schedule(e)
    before, after = [], []
    for minute in range(5, 180, 5):
        sim.advance_to(float(minute))
        t = float(sim.meas_time_min[0])
        error = sim.meas_map - sim.rec_true_map[:, round(t * 6)]
        (after if t >= 45.0 else before).append(error)
    assert float(np.std(np.concatenate(before))) == pytest.approx(5.0, rel=0.1)  # the cuff's own SD
    assert float(np.std(np.concatenate(after))) == pytest.approx(math.sqrt(5.0**2 + 10.0**2), rel=0.1)  # 11.2


def test_stopping_vasopressin_early_costs_its_pressure() -> None:
    stopped, kept = Trainee("weaning_order"), Trainee("weaning_order")
    stopped.wait_until(10.0)
    stopped.co_infusion("vasopressin", "stop", 0.0, "U/min")
    for t in (stopped, kept):
        t.wait_until(60.0)
    # 0.03 U/min = 12.74 x 0.03/(0.03 + 0.03) = 6.37 mmHg; lag 10 min: after 50 min 0.03 e^-5 U/min still acts
    left = 12.74 * 0.03 * math.exp(-5.0) / (0.03 * math.exp(-5.0) + 0.03)
    lost = float(kept.run.sim.true_map[0] - stopped.run.sim.true_map[0])
    assert lost == pytest.approx(6.37 - left, abs=0.1)
    assert "STOP_VASOPRESSIN" in [f.action for f in stopped.debrief().metrics.forbidden if f.done_at_min]


def test_hydrocortisone_spares_norepinephrine_over_hours_in_refractory_shock() -> None:
    with_hc, without = Trainee("hydrocortisone_refractory"), Trainee("hydrocortisone_refractory")
    with_hc.co_infusion("hydrocortisone", "start", 200.0, "mg/day")
    for t in (with_hc, without):
        t.wait_until(360.0)
    x = 359.0 / 120.0  # two 120-min stages: 80 % of the full effect after 6 h
    effect = 1.0 - math.exp(-x) * (1.0 + x)
    p, ce = without.run.sim.p, float(without.run.sim.ce[0])
    ec50, dmap = float(p.ec50_mcg_per_l[0]), float(p.dmap_mmhg[0])
    expected = dmap * (ce / (ce + ec50 / (1.0 + 0.5 * effect)) - ce / (ce + ec50))
    gained = float(with_hc.run.sim.true_map[0] - without.run.sim.true_map[0])
    if "worse" in without.run.event_times() and "worse" not in with_hc.run.event_times():
        gained -= 8.0  # the untreated twin's sepsis worsened (8 mmHg): not part of the steroid's own effect
    assert gained == pytest.approx(expected, abs=0.1)
    assert with_hc.debrief().metrics.key_actions[0].on_time


def test_letting_map_sag_for_20_minutes_makes_the_sepsis_worse() -> None:
    trainee = Trainee("hydrocortisone_refractory")
    trainee.wait_until(5.0)
    trainee.set_dose(0.15)  # far too little: MAP sags below 60
    trainee.wait_until(60.0)
    fired = trainee.run.event_times()
    assert "worse" in fired and 25.0 <= fired["worse"] <= 40.0  # below 60 from a few minutes on, for 20 min
    key = next(k for k in trainee.debrief().metrics.key_actions if k.action == "INCREASE_NE")
    assert key.opens_min == fired["worse"]  # the window opened when the condition fired


def test_dobutamine_raises_perfusion_more_than_map_in_the_failing_heart() -> None:
    dob, none = Trainee("cardiogenic_postop"), Trainee("cardiogenic_postop")
    dob.co_infusion("dobutamine", "start", 5.0, "mcg/kg/min")
    for t in (dob, none):
        t.wait_until(60.0)
    # cardiac index 0.6: MAP + 10 x 5/10 x min(2 x 0.4, 1) - 8 x 5/15 = +1.33 mmHg; output x (1 + 0.7 x 5/10) = 1.35;
    # perfusion = pressure factor x output, the pressure factor (MAP - 40)/25 below the autoregulation limit 65
    with_map, without_map = float(dob.run.sim.true_map[0]), float(none.run.sim.true_map[0])
    assert with_map - without_map == pytest.approx(4.0 - 8.0 / 3.0, abs=0.1)

    def pressure(m: float) -> float:
        return min(max((m - 40.0) / 25.0, 0.0), 1.0)

    ratio = float(dob.run.sim.perfusion[0] / none.run.sim.perfusion[0])
    assert ratio == pytest.approx(1.35 * pressure(with_map) / pressure(without_map), rel=0.02)
    assert ratio - 1.0 > 10 * (with_map - without_map) / without_map  # output gains far more than pressure


def test_dosing_on_actual_weight_gives_the_obese_patient_nearly_twice_the_drug() -> None:
    actual, adjusted = Trainee("obese_dosing_weight"), Trainee("obese_dosing_weight")
    adjusted.set_patient(weight_kg=80.0, weight_entered="80 kg")  # a dosing weight typed instead of 150 kg
    adjusted.set_dose(0.1)  # 0.1 x 80 = 8 mcg/min instead of 15
    for t in (actual, adjusted):
        t.wait_until(90.0)
    assert float(adjusted.run.sim.ne[0]) == pytest.approx(8.0 / 150.0)
    p = actual.run.sim.p
    cl = float(p.clearance_l_per_min[0])
    css15, css8 = (15.0 + 0.498) / cl, (8.0 + 0.498) / cl  # at steady state after 90 min (k = CL/V, e^-kt ~ 0)
    expected = emax(actual.run, css15) - emax(actual.run, css8)
    assert float(actual.run.sim.true_map[0] - adjusted.run.sim.true_map[0]) == pytest.approx(expected, abs=0.1)
    assert any(e.kind is EventKind.PATIENT for e in adjusted.session.state.effective_events())
