"""Policies: none, fixed steps, and the advisor adapter with a test double of the engine."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from norepi_gui.core.protocol import Population, Protocol, load_protocol
from norepi_gui.core.titration import Escalation
from norepi_gui.sim.advisor import AdvisorPolicy, escalation_kind, stop_kind
from norepi_gui.sim.policy import Decision, FixedStepPolicy, NonePolicy, Observation, PatientContext
from norepi_gui.sim.titration_advisor import (
    AdvisorUnavailableError,
    EngineAdvisor,
    RepeatReading,
    engine_advisor_factory,
)

OBS = Observation(
    patient=0,
    time_min=30.0,
    map_mmhg=60.0,
    sbp_mmhg=80.0,
    dbp_mmhg=50.0,
    hr_bpm=110.0,
    measured_at_min=29.9,
    lactate_mmol_per_l=3.0,
    lactate_at_min=0.0,
    urine_ml_per_kg_per_h=0.3,
    ne_mcg_per_kg_per_min=0.1,
    vasopressin_u_per_min=0.0,
    epinephrine_mcg_per_kg_per_min=0.0,
    dobutamine_mcg_per_kg_per_min=0.0,
    minutes_since_ne_change=30.0,
    target_map_mmhg=65.0,
    weight_kg=70.0,
    line="central",
    line_hours=1.0,
    concentration_mcg_per_ml=16.0,
    bag_remaining_ml=100.0,
    pump_running=True,
    site_alert=False,
)


def test_none_never_titrates_or_checks_again() -> None:
    d = NonePolicy().decide(OBS)
    assert d.ne_mcg_per_kg_per_min is None
    assert math.isinf(d.next_check_in_min)


@pytest.mark.parametrize(
    ("map_mmhg", "expected"),
    [(60.0, 0.15), (64.9, 0.15), (65.0, None), (75.0, None), (75.1, 0.05)],  # band 65-75
)
def test_fixed_steps_by_0_05_outside_the_band(map_mmhg: float, expected: float | None) -> None:
    d = FixedStepPolicy().decide(replace(OBS, map_mmhg=map_mmhg))
    assert d.ne_mcg_per_kg_per_min == expected
    assert d.next_check_in_min == 15.0
    assert d.vasopressin_u_per_min is None  # never escalates


def test_fixed_waits_for_its_interval_after_a_change_and_never_goes_below_zero() -> None:
    d = FixedStepPolicy().decide(replace(OBS, minutes_since_ne_change=5.0))
    assert d.ne_mcg_per_kg_per_min is None
    assert d.next_check_in_min == pytest.approx(10.0)
    d0 = FixedStepPolicy().decide(replace(OBS, map_mmhg=90.0, ne_mcg_per_kg_per_min=0.03))
    assert d0.ne_mcg_per_kg_per_min == 0.0


def test_fixed_replaces_an_empty_bag() -> None:
    assert FixedStepPolicy().decide(replace(OBS, bag_remaining_ml=0.0)).change_bag


def test_decision_rejects_bad_values_naming_the_field() -> None:
    with pytest.raises(ValueError, match="next_check_in_min"):
        Decision(next_check_in_min=0.0)
    with pytest.raises(ValueError, match="ne_mcg_per_kg_per_min"):
        Decision(next_check_in_min=5.0, ne_mcg_per_kg_per_min=-0.1)
    with pytest.raises(ValueError, match="accepted"):
        Decision(next_check_in_min=5.0, other_actions=("DANCE",))


@dataclass(frozen=True)
class FakeAdvice:
    """The fields of the engine's Advice that the adapter reads, carrying the engine's own Escalation type."""

    action: str
    dose_mcg_per_kg_per_min: float | None
    next_check_in_min: float
    escalations: tuple[Escalation, ...] = ()


def esc(code: str, dose: float | None = None) -> Escalation:
    """An escalation as the engine writes it (reason and rule are not read by the adapter)."""
    return Escalation(code, "reason", "RULE", dose)


def test_advisor_adapter_follows_the_advice_after_a_reaction_delay() -> None:
    seen: list[float] = []

    def advise(state: float) -> FakeAdvice:
        seen.append(state)
        return FakeAdvice("INCREASE", 0.15, 10.0, (esc("ADD_VASOPRESSIN", 0.03),))

    policy = AdvisorPolicy(advise=advise, to_state=lambda obs: obs.map_mmhg, reaction_delay_min=2.0)
    d = policy.decide(OBS)
    assert seen == [60.0]
    assert d.ne_mcg_per_kg_per_min == 0.15
    # a dose change: the window times the next check from the pump's change, 2 min (reaction) + 10 min after it
    assert d.next_check_in_min == 12.0
    assert d.reaction_delay_min == 2.0
    assert d.vasopressin_u_per_min == 0.03  # the dose the advice names (the adult one [seed 000, 001])
    assert d.escalations_advised == ("ADD_VASOPRESSIN",)


def test_advisor_adapter_does_not_restart_a_running_escalation() -> None:
    policy = AdvisorPolicy(
        advise=lambda s: FakeAdvice("HOLD", None, 15.0, (esc("ADD_VASOPRESSIN", 0.03),)), to_state=lambda obs: obs
    )
    d = policy.decide(replace(OBS, vasopressin_u_per_min=0.03))
    assert d.vasopressin_u_per_min is None
    assert d.ne_mcg_per_kg_per_min is None


def test_the_engine_escalation_codes_map_to_simulator_actions() -> None:
    # every escalation code core/titration/escalation.py and decision.py write
    assert escalation_kind("ADD_VASOPRESSIN") == "ADD_VASOPRESSIN"
    assert escalation_kind("ADD_EPINEPHRINE") == "ADD_EPINEPHRINE"
    assert escalation_kind("CONSIDER_DOBUTAMINE") == "ADD_DOBUTAMINE"
    assert escalation_kind("CONSIDER_HYDROCORTISONE") == "ADD_HYDROCORTISONE"
    for other in ("START_NOREPINEPHRINE", "CHECK_VOLUME_STATUS", "CENTRAL_LINE_NEEDED", "STOP_DOBUTAMINE"):
        assert escalation_kind(other) is None


def test_stop_advice_takes_a_running_co_infusion_off_and_is_not_an_escalation() -> None:
    assert escalation_kind("STOP_VASOPRESSIN") is None
    assert stop_kind("STOP_VASOPRESSIN") == "ADD_VASOPRESSIN"
    assert stop_kind("STOP_EPINEPHRINE") == "ADD_EPINEPHRINE"
    assert stop_kind("ADD_VASOPRESSIN") is None
    policy = AdvisorPolicy(
        advise=lambda s: FakeAdvice("HOLD", 0.02, 5.0, (esc("STOP_VASOPRESSIN"),)), to_state=lambda obs: obs
    )
    running = policy.decide(replace(OBS, vasopressin_u_per_min=0.03))
    assert running.vasopressin_u_per_min == 0.0 and running.escalations_advised == ()
    assert policy.decide(OBS).vasopressin_u_per_min is None  # nothing running: nothing to stop


def test_advisor_factory_reports_a_protocol_that_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(AdvisorUnavailableError, match="cannot load its protocol"):
        engine_advisor_factory(bad)


def test_advised_hydrocortisone_is_started_at_200_mg_per_day_once() -> None:
    policy = AdvisorPolicy(
        advise=lambda s: FakeAdvice("HOLD", None, 15.0, (esc("CONSIDER_HYDROCORTISONE", 200.0),)),
        to_state=lambda obs: obs
    )
    d = policy.decide(OBS)
    assert d.hydrocortisone_mg_per_day == 200.0  # SSC 2021, protocol escalation.hydrocortisone_mg_per_day [U]
    assert d.escalations_advised == ("ADD_HYDROCORTISONE",)
    assert policy.decide(replace(OBS, hydrocortisone_mg_per_day=200.0)).hydrocortisone_mg_per_day is None


def test_an_escalation_without_a_dose_is_advised_but_not_started() -> None:
    # "dose per the prescriber's order" (no dose in the advice): the simulated nurse does not invent one
    policy = AdvisorPolicy(
        advise=lambda s: FakeAdvice("HOLD", None, 5.0, (esc("ADD_EPINEPHRINE"),)), to_state=lambda obs: obs
    )
    d = policy.decide(OBS)
    assert d.epinephrine_mcg_per_kg_per_min is None and d.escalations_advised == ("ADD_EPINEPHRINE",)


CHILD = PatientContext(population="pediatric", age_years=6.0, explicit_target_map_mmhg=55.0)


def _child_decision(proto: Protocol) -> Decision:
    """A 20 kg child on 0.3 mcg/kg/min for 5 h at MAP 50 under a written target of 55: vasopressin (NE >= 0.25 and
    MAP below target) and hydrocortisone (>= 0.25 for >= 4 h) are due."""
    adviser = EngineAdvisor(proto)
    policy = AdvisorPolicy(advise=adviser.advise, to_state=adviser.to_state)
    d = None
    for minute in (0.0, 60.0, 120.0, 180.0, 240.0, 300.0):
        obs = replace(OBS, time_min=minute, measured_at_min=minute, map_mmhg=50.0, sbp_mmhg=70.0, dbp_mmhg=40.0,
                      weight_kg=20.0, ne_mcg_per_kg_per_min=0.3, minutes_since_ne_change=math.inf, context=CHILD,
                      target_map_mmhg=55.0)
        d = policy.decide(obs)
    assert d is not None
    return d


def test_a_child_gets_the_protocols_paediatric_escalation_doses_never_the_adult_flat_ones() -> None:
    shipped = load_protocol()
    none = _child_decision(shipped)  # the shipped protocol has no paediatric vasopressin or hydrocortisone dose
    assert {"ADD_VASOPRESSIN", "ADD_HYDROCORTISONE"} <= set(none.escalations_advised)
    assert none.vasopressin_u_per_min is None and none.hydrocortisone_mg_per_day is None  # never 0.03 U/min, 200 mg
    child = dataclasses.replace(shipped.population(Population.PEDIATRIC), vasopressin_u_per_kg_per_min=0.0005,
                                hydrocortisone_mg_per_kg_per_day=2.0)
    per_kg = dataclasses.replace(shipped, populations={**shipped.populations, Population.PEDIATRIC: child})
    d = _child_decision(per_kg)
    assert d.vasopressin_u_per_min == pytest.approx(0.01)  # 0.0005 U/kg/min x 20 kg
    assert d.hydrocortisone_mg_per_day == pytest.approx(40.0)  # 2 mg/kg/day x 20 kg


@pytest.mark.parametrize("scenario", [None, "peripheral_extravasation", "pediatric_io"])
def test_the_advisor_policy_runs_as_a_nurse_following_the_full_advice_would(
    monkeypatch: pytest.MonkeyPatch, scenario: str | None
) -> None:
    """The policy asks the engine's advise_dose at each check; a policy reading advise's full Advice instead gives
    the same run, bit for bit (every action, prompt and escalation, every true MAP)."""
    from norepi_gui.core.titration import advise
    from norepi_gui.sim import titration_advisor
    from norepi_gui.sim.runner import policy_factory, run_headless
    from norepi_gui.sim.scenario import load_scenario

    case = None if scenario is None else load_scenario(scenario)

    def run() -> tuple[list[object], bytes]:
        result = run_headless(policy_factory("advisor"), scenario=case, hours=6.0, seed=5, patients=12)
        return [dataclasses.astuple(log) for log in result.logs], result.sim.rec_true_map.tobytes()

    lean = run()
    monkeypatch.setattr(titration_advisor, "advise_dose", advise)
    assert run() == lean


def test_the_engine_reads_the_patient_of_each_observation_built_once_then_only_aged() -> None:
    adviser = EngineAdvisor(load_protocol())
    first = adviser.patient(replace(OBS, context=CHILD, weight_kg=20.0, line="io", line_hours=1.0))
    later = adviser.patient(replace(OBS, context=CHILD, weight_kg=20.0, line="io", line_hours=3.0))
    assert later == dataclasses.replace(first, line_hours=3.0)
    assert adviser.patient(replace(OBS, context=CHILD, weight_kg=20.0, line="io", line_hours=3.0)) is later
    heavier = adviser.patient(replace(OBS, context=CHILD, weight_kg=25.0, line="io", line_hours=3.0))
    assert heavier.weight_kg == 25.0 and heavier.line_hours == 3.0 and heavier.age_years == 6.0
    adult = adviser.patient(replace(OBS, weight_kg=25.0, line="io", line_hours=3.0))
    assert adult.population is Population.ADULT and adult.target_map_mmhg is None


@pytest.mark.parametrize(
    ("map_mmhg", "sbp", "dbp"),
    [
        (250.0, None, None),  # a flush square wave read as MAP 250 > readings.map_max_mmhg 200
        (250.0, 320.0, 215.0),  # the same with its systolic: SBP 320 > 300, what a Reading accepts at all
    ],
)
def test_a_value_the_window_would_refuse_is_not_charted_and_is_read_again(
    map_mmhg: float, sbp: float | None, dbp: float | None
) -> None:
    # Not charted (the history keeps its one reading), no dose change, a look again after
    # readings.repeat_after_minutes (1 min); never an InputError out of the run.
    advisor = EngineAdvisor(load_protocol())
    first = advisor.to_state(OBS)
    assert first[2] and len(advisor.history.readings) == 1
    state = advisor.to_state(replace(OBS, time_min=35.0, map_mmhg=map_mmhg, sbp_mmhg=sbp, dbp_mmhg=dbp))
    assert state[2] is False and len(advisor.history.readings) == 1
    answer = advisor.advise(state)
    assert isinstance(answer, RepeatReading)
    assert answer.next_check_in_min == 1.0 and answer.dose_mcg_per_kg_per_min is None
