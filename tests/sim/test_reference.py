"""The reference PI controller: its steps computed by hand, its limits, and the noise case it is measured on."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from norepi_gui.sim.cases import steady_noise_case
from norepi_gui.sim.policy import NonePolicy
from norepi_gui.sim.reference import ReferencePolicy
from norepi_gui.sim.runner import run_headless
from tests.sim.test_policy import OBS  # MAP 60, target 65, NE 0.1, band width 10 (default)


def test_pi_steps_follow_the_error_and_its_change() -> None:
    policy = ReferencePolicy(kp=0.004, ki=0.0008)
    # Band middle 65 + 10/2 = 70, error 70 - 60 = 10; first check: no previous error, so no proportional kick.
    # Scale = max(0.1, 0.05) / 0.1 = 1; du = 1 x (0.004 x 0 + 0.0008 x 5 x 10) = 0.04 -> 0.14.
    first = policy.decide(OBS)
    assert first.ne_mcg_per_kg_per_min == pytest.approx(0.14)
    assert first.next_check_in_min == 5.0
    # MAP 66: error 4; scale 0.14 / 0.1 = 1.4; du = 1.4 x (0.004 x (4 - 10) + 0.0008 x 5 x 4)
    # = 1.4 x (-0.024 + 0.016) = -0.0112 -> output 0.1288, pump set to 0.13 (steps of 0.01).
    second = policy.decide(replace(OBS, map_mmhg=66.0, ne_mcg_per_kg_per_min=0.14))
    assert second.ne_mcg_per_kg_per_min == pytest.approx(0.13)


def test_changes_below_the_pump_step_are_carried_not_made() -> None:
    policy = ReferencePolicy(kp=0.0, ki=0.0008)
    # error 72 -> 70: -2; du = 1 x 0.0008 x 5 x (-2) = -0.008 < 0.01: no change now, output 0.092 kept
    assert policy.decide(replace(OBS, map_mmhg=72.0)).ne_mcg_per_kg_per_min is None
    # again -0.008: output 0.084, 0.016 below the running 0.1 -> set 0.08
    assert policy.decide(replace(OBS, map_mmhg=72.0)).ne_mcg_per_kg_per_min == pytest.approx(0.08)


def test_steps_and_dose_are_limited() -> None:
    policy = ReferencePolicy(kp=0.004, ki=0.0008, max_up=0.05, max_dose=1.0)
    # error 70 - 30 = 40: du = 0.0008 x 5 x 40 = 0.16, limited to +0.05
    assert policy.decide(replace(OBS, map_mmhg=30.0)).ne_mcg_per_kg_per_min == pytest.approx(0.15)
    top = ReferencePolicy(kp=0.004, ki=0.0008)
    assert top.decide(replace(OBS, map_mmhg=30.0, ne_mcg_per_kg_per_min=0.98)).ne_mcg_per_kg_per_min == 1.0


def test_vasopressin_is_added_at_the_threshold_below_target_and_stopped_on_a_low_dose() -> None:
    add = ReferencePolicy().decide(replace(OBS, map_mmhg=60.0, ne_mcg_per_kg_per_min=0.25))
    assert add.vasopressin_u_per_min == 0.03  # seed 000, 001; protocol threshold 0.25
    stop = ReferencePolicy().decide(replace(OBS, map_mmhg=74.0, ne_mcg_per_kg_per_min=0.05,
                                            vasopressin_u_per_min=0.03))
    assert stop.vasopressin_u_per_min == 0.0
    keep = ReferencePolicy().decide(replace(OBS, map_mmhg=74.0, ne_mcg_per_kg_per_min=0.2,
                                            vasopressin_u_per_min=0.03))
    assert keep.vasopressin_u_per_min is None


def test_hydrocortisone_follows_four_hours_at_0_25_or_more() -> None:
    policy = ReferencePolicy()
    high = replace(OBS, map_mmhg=70.0, ne_mcg_per_kg_per_min=0.3)
    assert policy.decide(replace(high, time_min=60.0)).hydrocortisone_mg_per_day is None  # high since 60 min
    assert policy.decide(replace(high, time_min=299.0)).hydrocortisone_mg_per_day is None  # 3 h 59 min
    assert policy.decide(replace(high, time_min=300.0)).hydrocortisone_mg_per_day == 200.0  # 4 h
    assert policy.decide(replace(high, time_min=305.0, hydrocortisone_mg_per_day=200.0)).hydrocortisone_mg_per_day \
        is None  # already running


def test_noise_case_holds_true_map_at_70_with_only_measurement_noise() -> None:
    result = run_headless(NonePolicy, hours=1.0, seed=3, patients=4, cohort=steady_noise_case())
    # No dose change: true MAP stays at 70 (MAP0 + the typical rise at 0.1 = 70 by construction) ...
    assert np.allclose(result.sim.rec_true_map, 70.0, atol=1e-3)
    assert (result.debrief(0).band_low_mmhg, result.debrief(0).band_high_mmhg) == (65.0, 75.0)
    # ... and the readings a policy sees scatter around it with SD 3 mmHg.
    assert result.sim.cfg.art_noise_mmhg == 3.0 and result.sim.cfg.phys_sd_mmhg == 0.0


def test_a_scenario_and_a_cohort_together_are_refused() -> None:
    from norepi_gui.sim.scenario import load_scenario

    with pytest.raises(ValueError, match="not both"):
        run_headless(ReferencePolicy, scenario=load_scenario("bag_runs_out"), cohort=steady_noise_case())
