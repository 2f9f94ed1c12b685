"""Headless runs: policies at their check times, logs for the debrief, fixed vs none."""

from __future__ import annotations

import math

import numpy as np
import pytest

from norepi_gui.sim.policy import Decision, FixedStepPolicy, NonePolicy, Observation
from norepi_gui.sim.runner import (
    SPLIT_MIN_PATIENTS,
    RunConfig,
    can_split_processes,
    policy_factory,
    process_count,
    run_headless,
)
from norepi_gui.sim.scenario import load_scenario


class ScriptedPolicy:
    """Test double: raises NE at its first check after 0, with a reaction delay; records what it saw."""

    def __init__(self) -> None:
        self.seen: list[Observation] = []

    def decide(self, obs: Observation) -> Decision:
        self.seen.append(obs)
        if obs.time_min == 0.0:
            return Decision(next_check_in_min=7.5)
        if len(self.seen) == 2:
            return Decision(
                next_check_in_min=30.0,
                ne_mcg_per_kg_per_min=0.2,
                vasopressin_u_per_min=0.03,
                fluid_bolus_ml=500.0,
                hydrocortisone_mg_per_day=200.0,
                target_map_mmhg=70.0,
                other_actions=("CALL_PHYSICIAN",),
                reaction_delay_min=2.0,
            )
        return Decision(next_check_in_min=30.0)


def test_checks_land_on_the_block_grid_and_decisions_wait_for_the_reaction_delay() -> None:
    policies: list[ScriptedPolicy] = []

    def factory() -> ScriptedPolicy:
        policies.append(ScriptedPolicy())
        return policies[-1]

    result = run_headless(factory, hours=1.0, seed=3, patients=2)
    assert [o.time_min for o in policies[0].seen] == [0.0, 8.0, 38.0]  # 7.5 -> next minute
    log = result.logs[0]
    assert [(a.time_min, a.kind) for a in log.actions] == [
        (10.0, "INCREASE_NE"),
        (10.0, "ADD_VASOPRESSIN"),
        (10.0, "ADD_HYDROCORTISONE"),
        (10.0, "RAISE_TARGET"),
        (10.0, "FLUID_BOLUS"),
        (10.0, "CALL_PHYSICIAN"),
    ]
    assert log.ne_doses == [(0.0, 0.1), (10.0, 0.2)]
    assert log.prompts[1].responded_min == 10.0
    assert policies[0].seen[2].target_map_mmhg == 70.0
    assert policies[0].seen[2].vasopressin_u_per_min == 0.03
    assert policies[0].seen[2].hydrocortisone_mg_per_day == 200.0


def test_observation_reports_what_the_nurse_sees() -> None:
    policies: list[ScriptedPolicy] = []

    def factory() -> ScriptedPolicy:
        policies.append(ScriptedPolicy())
        return policies[-1]

    scenario = load_scenario("bag_runs_out")
    run_headless(factory, scenario=scenario, seed=1)
    obs = policies[0].seen[1]  # t = 8 min
    assert obs.weight_kg == 70.0
    assert obs.ne_mcg_per_kg_per_min == 0.15
    # 20 mL - 8 min x 0.15 x 70 / 16 mL/min (0.65625) = 14.75 mL
    assert obs.bag_remaining_ml == pytest.approx(14.75)
    assert obs.measured_at_min == pytest.approx(8.0 - 5 / 60)
    assert obs.line == "central"
    assert obs.line_hours == pytest.approx(20.0 + 8 / 60)
    assert math.isinf(policies[0].seen[0].minutes_since_ne_change)  # running for hours


def test_same_seed_reproduces_a_population_run_bit_for_bit() -> None:
    a = run_headless(FixedStepPolicy, hours=3.0, seed=11, patients=20)
    b = run_headless(FixedStepPolicy, hours=3.0, seed=11, patients=20)
    assert np.array_equal(a.sim.rec_true_map, b.sim.rec_true_map)
    assert [lg.actions for lg in a.logs] == [lg.actions for lg in b.logs]


def test_fixed_keeps_more_time_in_band_than_none_on_a_responsive_patient() -> None:
    scenario = load_scenario("septic_responsive")
    none = run_headless(NonePolicy, scenario=scenario, seed=5).debrief(0)
    fixed = run_headless(FixedStepPolicy, scenario=scenario, seed=5).debrief(0)
    assert fixed.time_in_band_pct > none.time_in_band_pct + 10.0
    assert none.time_to_first_titration_min is None
    assert none.max_dose_mcg_per_kg_per_min == 0.1


def test_fixed_beats_none_across_the_default_population() -> None:
    none = run_headless(NonePolicy, hours=12.0, seed=2, patients=60).debriefs()
    fixed = run_headless(FixedStepPolicy, hours=12.0, seed=2, patients=60).debriefs()
    assert np.mean([d.time_in_band_pct for d in fixed]) > np.mean([d.time_in_band_pct for d in none]) + 10.0
    assert np.mean([d.time_below_floor_pct for d in fixed]) < np.mean([d.time_below_floor_pct for d in none])


def test_vasopressin_becomes_due_at_the_threshold_when_map_is_low() -> None:
    result = run_headless(FixedStepPolicy, scenario=load_scenario("refractory_septic"), seed=1)
    d = result.debrief(0)
    assert d.escalations[0].kind == "ADD_VASOPRESSIN"
    assert d.escalations[0].made_min is None  # fixed never escalates


def test_peripheral_limits_raise_alerts() -> None:
    result = run_headless(FixedStepPolicy, scenario=load_scenario("peripheral_extravasation"), seed=1)
    kinds = set(result.debrief(0).limit_alert_kinds)
    assert "PERIPHERAL_CAP" in kinds  # Yerke 15 mcg/min at 75 kg = 0.2 mcg/kg/min


def test_fixed_policy_changes_an_empty_bag() -> None:
    result = run_headless(FixedStepPolicy, scenario=load_scenario("bag_runs_out"), seed=1)
    assert any(a.kind == "CHANGE_BAG" for a in result.logs[0].actions)


def test_unknown_policy_names_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="advisor, fixed, none"):
        policy_factory("random")


def test_every_policy_is_told_and_scored_on_the_band_the_engine_derives() -> None:
    # Default population: no age or history known -> TGT-DEFAULT 65-75 (targets.default_map, band_above_mmhg 10).
    default = run_headless(NonePolicy, hours=1.0, seed=1, patients=2)
    assert (default.debrief(0).band_low_mmhg, default.debrief(0).band_high_mmhg) == (65.0, 75.0)
    # cardiac_dysfunction: age 66 >= 65 -> TGT-AGE-65, 60-65 (targets.elderly_map 60 + elderly_band_above_mmhg 5).
    policies: list[ScriptedPolicy] = []

    def factory() -> ScriptedPolicy:
        policies.append(ScriptedPolicy())
        return policies[-1]

    elderly = run_headless(factory, scenario=load_scenario("cardiac_dysfunction"), hours=1.0, seed=1)
    assert (elderly.debrief(0).band_low_mmhg, elderly.debrief(0).band_high_mmhg) == (60.0, 65.0)
    assert policies[0].seen[0].target_map_mmhg == 60.0
    fixed = run_headless(FixedStepPolicy, scenario=load_scenario("cardiac_dysfunction"), hours=1.0, seed=1)
    assert fixed.debrief(0).band_high_mmhg == 65.0
    # chronic_hypertension (age 71 as well): TGT-CHRONIC-HTN wins, 80-85 (chronic_hypertension_map 80 + 5).
    htn = run_headless(NonePolicy, scenario=load_scenario("chronic_hypertension"), hours=1.0, seed=1)
    assert (htn.debrief(0).band_low_mmhg, htn.debrief(0).band_high_mmhg) == (80.0, 85.0)
    assert "chronic hypertension" in htn.target_reason


def test_advisor_weans_vasopressin_it_started_before_stopping_norepinephrine() -> None:
    result = run_headless(policy_factory("advisor"), hours=24.0, seed=1, patients=20)
    weaned = 0
    for log in result.logs:
        kinds = [a.kind for a in log.actions]
        if "STOP_NE" in kinds and "ADD_VASOPRESSIN" in kinds:
            weaned += 1
            vaso_on = False
            for a in log.actions:
                vaso_on = {"ADD_VASOPRESSIN": True, "STOP_VASOPRESSIN": False}.get(a.kind, vaso_on)
                assert not (a.kind == "STOP_NE" and vaso_on)  # never vasopressin alone [seed 000, 001]
    assert weaned > 0  # the run has patients who needed vasopressin and recovered


needs_fork = pytest.mark.skipif(not can_split_processes(), reason="splitting a run needs the fork start method (Linux)")


@needs_fork
def test_a_run_split_over_processes_gives_the_one_process_results_bit_for_bit() -> None:
    factory = policy_factory("advisor")
    one = run_headless(factory, hours=6.0, seed=4, patients=7, config=RunConfig(workers=1))
    for workers in (2, 3):
        split = run_headless(factory, hours=6.0, seed=4, patients=7, config=RunConfig(workers=workers))
        assert np.array_equal(split.sim.rec_true_map, one.sim.rec_true_map)
        assert split.logs == one.logs  # actions, prompts, escalations due, limit alerts, NE doses
        assert split.debriefs() == one.debriefs()


class FailsForOddPatients:
    def decide(self, obs: Observation) -> Decision:
        if obs.patient % 2:
            raise ZeroDivisionError(f"patient {obs.patient}")
        return Decision(next_check_in_min=15.0)


@needs_fork
def test_a_policy_error_in_a_helper_process_reaches_the_caller() -> None:
    with pytest.raises(ZeroDivisionError, match="patient 1"):
        run_headless(FailsForOddPatients, hours=1.0, seed=1, patients=4, config=RunConfig(workers=2))


def test_small_populations_stay_in_one_process_and_workers_must_be_positive() -> None:
    assert process_count(None, SPLIT_MIN_PATIENTS - 1) == 1
    assert process_count(1, 1000) == 1
    assert process_count(4, 3) <= 3  # never more processes than patients
    with pytest.raises(ValueError, match="workers"):
        process_count(0, 1000)
