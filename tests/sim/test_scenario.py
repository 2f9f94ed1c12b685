"""Scenario files: every shipped one loads and runs; bad ones name file, key and accepted values."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from norepi_gui.sim.runner import policy_factory, run_headless
from norepi_gui.sim.scenario import (
    ScenarioError,
    default_scenario_dir,
    list_scenarios,
    load_all,
    load_scenario,
    load_scenario_file,
)

REQUIRED = {
    "septic_responsive",
    "refractory_septic",
    "chronic_hypertension",
    "cardiac_dysfunction",
    "pediatric_io",
    "peripheral_extravasation",
    "bag_runs_out",
    "weaning_overshoot",
}

GOOD = """
name = "{name}"
title = "A test"
description = "Test scenario."
learning_objectives = ["one"]
duration_h = 1.0

[patient]
weight_kg = 70
population = "adult"
age_years = 50
line = "central"

[infusion]
concentration_mcg_per_ml = 16
bag_volume_ml = 250
start_dose_mcg_per_kg_per_min = 0.1

[disease]
map0_start_mmhg = 50

[[events]]
kind = "map_drop"
at_min = 10
mmhg = 5

[[expected_actions]]
action = "INCREASE_NE"
by_minute = 30
"""


def write(tmp_path: Path, text: str, name: str = "case") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace("{name}", name), encoding="utf-8")
    return path


def test_the_eight_required_scenarios_are_shipped() -> None:
    assert default_scenario_dir().is_dir()
    assert set(list_scenarios()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_scenario_runs_headless_for_its_full_length_and_produces_a_debrief(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.learning_objectives
    assert scenario.expected_actions
    result = run_headless(policy_factory("fixed"), scenario=scenario, seed=1)
    d = result.debrief(0)
    assert d.duration_min == pytest.approx(scenario.duration_h * 60.0)
    assert d.time_in_band_pct + d.time_below_band_pct + d.time_above_band_pct == pytest.approx(100.0)
    assert len(d.key_actions) == len(scenario.expected_actions)


def test_a_good_file_loads_with_defaults(tmp_path: Path) -> None:
    s = load_scenario_file(write(tmp_path, GOOD))
    assert s.name == "case"
    assert s.target_map_mmhg == 65.0  # default target [seed 000]
    assert s.floor_map_mmhg == 60.0  # an adult's floor: below the permissive 60-65 band (65 trial [V])
    assert s.patient.monitoring == "arterial"
    assert s.infusion.bag_remaining_ml == 250.0
    assert s.disease.map0_nadir_mmhg == 50.0
    assert s.events[0].kind == "map_drop"
    assert math.isinf(s.events[0].recovery_tau_min)


@pytest.mark.parametrize(
    ("old", "new", "key", "accepted"),
    [
        ("weight_kg = 70", "weight_kg = 700", "patient.weight_kg", "a number from 1 to 250 kg"),
        ("weight_kg = 70", 'weight_kg = "heavy"', "patient.weight_kg", "a number from 1 to 250 kg"),
        ('population = "adult"', 'population = "neonate"', "patient.population", "adult | pediatric"),
        ('line = "central"', 'line = "femoral"', "patient.line", "central | peripheral | io"),
        ("duration_h = 1.0\n", "", "duration_h", "a number from 0.1 to 72 h"),
        (
            'kind = "map_drop"',
            'kind = "earthquake"',
            "events[0].kind",
            "map_drop | bleeding | extravasation | damped_line | flush | bag_empty | sedation_bolus",
        ),
        ('action = "INCREASE_NE"', 'action = "PANIC"', "expected_actions[0].action", "START_NE | INCREASE_NE"),
        (
            "bag_volume_ml = 250",
            "bag_volume_ml = 250\nbag_remaining_ml = 300",
            "infusion.bag_remaining_ml",
            "a number from 0 to 250 mL",
        ),
        (
            "age_years = 50",
            "age_years = 50\nchronic_hypertension = true",
            "patient.baseline_sbp_mmhg",
            "a number from 70 to 260 mmHg",
        ),
    ],
)
def test_bad_values_name_file_key_and_accepted_values(
    tmp_path: Path, old: str, new: str, key: str, accepted: str
) -> None:
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    err = info.value
    assert err.file == str(path)
    assert err.key == key
    assert err.accepted.startswith(accepted)
    assert str(path) in str(err) and key in str(err)


def test_unknown_key_is_named_with_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[disease]", "[disease]\nseverity = 3"))
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert info.value.key == "disease.severity"
    assert "map0_start_mmhg" in info.value.accepted


def test_field_that_does_not_belong_to_the_event_kind_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("\nmmhg = 5\n", "\nmmhg = 5\nml_per_min = 10\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert info.value.key == "events[0].ml_per_min"


def test_syntax_error_and_name_mismatch_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(write(tmp_path, "name = ", "broken"))
    assert info.value.key == "(syntax)"
    other = tmp_path / "other.toml"
    other.write_text(GOOD.replace("{name}", "case"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info2:
        load_scenario_file(other)
    assert info2.value.key == "name"


def test_unknown_scenario_name_lists_the_accepted_ones(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "alpha")
    with pytest.raises(ScenarioError) as info:
        load_scenario("beta", tmp_path)
    assert info.value.accepted == "alpha"
    assert [s.name for s in load_all(tmp_path)] == ["alpha"]
