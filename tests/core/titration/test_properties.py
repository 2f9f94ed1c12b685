"""Properties over random histories: hard limit, no decrease below target, no abrupt stop, no decrease beyond the
wean limit, large changes confirmed, life-threatening hypotension always started (and never held for the effect of a
change), no increase stacked on one still taking effect, no dose change on a stale reading, bounded interval, soft
limit always flagged, the same inputs always give the same advice, and advise_dose acts as advise does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from norepi_gui.core.dosing import parse_concentration
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType
from norepi_gui.core.titration import (
    Advice,
    CoInfusions,
    DoseAdvice,
    InfusionState,
    PatientInfo,
    Reading,
    advise,
    advise_dose,
)
from norepi_gui.core.titration.history import (
    ChartedHistory,
    doses_at_readings,
    hours_at_or_above,
    last_two,
    mcg_per_kg_last_24h,
)
from tests.core.titration._support import at, protocol

HARD = protocol().population(PatientInfo(70.0).population).hard_max_dose
CONC = parse_concentration("16 mcg/mL")


@dataclass(frozen=True)
class Case:
    readings: tuple[Reading, ...]
    patient: PatientInfo
    co: CoInfusions

    def advise(self, readings: tuple[Reading, ...] | ChartedHistory | None = None, later: float = 0.0) -> Advice:
        history = readings if readings is not None else self.readings
        current = self.readings[-1].ne_dose_mcg_per_kg_per_min or 0.0
        return advise(history, self.patient, InfusionState(CONC, current, 500.0), protocol(),
                      now=self.readings[-1].at + timedelta(minutes=later), co_infusions=self.co)


doses = st.one_of(st.just(0.0), st.just(0.02), st.floats(0.0, HARD, allow_nan=False))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 6))
    minute = 0.0
    readings = []
    for _ in range(n):
        minute += draw(st.floats(1.0, 30.0))
        if draw(st.booleans()):
            pressure = {"map_mmhg": draw(st.floats(30.0, 140.0))}
        else:
            dbp = draw(st.floats(20.0, 100.0))
            pressure = {"sbp_mmhg": dbp + draw(st.floats(5.0, 80.0)), "dbp_mmhg": dbp}
        readings.append(Reading(at(minute), ne_dose_mcg_per_kg_per_min=draw(doses),
                                hr_per_min=draw(st.none() | st.floats(30.0, 180.0)),
                                epinephrine_mcg_per_kg_per_min=draw(st.none() | st.sampled_from([0.0, 0.3])),
                                lactate_mmol_per_l=draw(st.none() | st.floats(0.5, 10.0)), **pressure))
    patient = PatientInfo(
        weight_kg=draw(st.floats(40.0, 150.0)),
        age_years=draw(st.none() | st.floats(18.0, 95.0)),
        chronic_hypertension=draw(st.booleans()),
        line=draw(st.sampled_from(list(LineType))),
        fluids_ml_per_kg=draw(st.none() | st.floats(0.0, 60.0)),
    )
    co = CoInfusions(vasopressin_u_per_min=draw(st.sampled_from([0.0, 0.03, 0.06])),
                     epinephrine_mcg_per_kg_per_min=draw(st.sampled_from([0.0, 0.05])))
    return Case(tuple(readings), patient, co)


SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(cases())
def test_advice_never_exceeds_the_hard_limit(case: Case) -> None:
    assert case.advise().dose_mcg_per_kg_per_min <= HARD + 1e-9


@SETTINGS
@given(cases())
def test_never_decreases_while_map_below_target(case: Case) -> None:
    a = case.advise()
    if a.map_mmhg < a.target_map:
        assert a.action not in ("decrease", "taper_off")
        assert a.dose_mcg_per_kg_per_min >= a.current_dose_mcg_per_kg_per_min - 1e-9


@SETTINGS
@given(cases())
def test_never_stops_from_above_the_taper_minimum(case: Case) -> None:
    taper_min = protocol().population(case.patient.population).taper_min_dose
    a = case.advise()
    if a.action == "taper_off":
        assert a.current_dose_mcg_per_kg_per_min <= taper_min + 1e-9
    if a.current_dose_mcg_per_kg_per_min > taper_min + 1e-9:
        assert a.dose_mcg_per_kg_per_min >= taper_min - 1e-9


@SETTINGS
@given(cases())
def test_next_check_always_within_protocol_bounds(case: Case) -> None:
    i = protocol().intervals
    a = case.advise()
    if a.reading_unconfirmed:  # "repeat the reading now" (READ-ARTEFACT)
        assert a.next_check_in_min == protocol().readings.repeat_after_minutes
    else:
        assert i.min_minutes <= a.next_check_in_min <= i.max_minutes


@SETTINGS
@given(cases())
def test_no_decrease_is_larger_than_the_max_wean_fraction(case: Case) -> None:
    a = case.advise()
    if a.action == "decrease":
        fraction = protocol().titration.max_wean_fraction
        assert a.dose_mcg_per_kg_per_min >= a.current_dose_mcg_per_kg_per_min * (1 - fraction) - 1e-9


def _life_threatening(latest: Reading) -> bool:
    """Seed 000's SBP < 80 or DBP <= 40, or a MAP-only reading below their MAP equivalent (53.3 mmHg)."""
    sc = protocol().start_criteria
    return ((latest.sbp_mmhg is not None and latest.sbp_mmhg < sc.sbp_below)
            or (latest.dbp_mmhg is not None and latest.dbp_mmhg <= sc.dbp_at_or_below)
            or (latest.sbp_mmhg is None and latest.map < sc.map_equivalent_below - 1e-9))


@SETTINGS
@given(cases())
def test_an_advised_change_beyond_the_large_change_factor_needs_confirmation(case: Case) -> None:
    a = case.advise()
    new, old = a.dose_mcg_per_kg_per_min, a.current_dose_mcg_per_kg_per_min
    if new > 1e-9 and old > 1e-9 and max(new / old, old / new) > protocol().dose_change.large_change_factor + 1e-6:
        assert a.needs_confirmation and "LARGE_DOSE_CHANGE" in a.alert_codes()


@SETTINGS
@given(cases())
def test_life_threatening_hypotension_always_starts_norepinephrine(case: Case) -> None:
    a = case.advise()
    threatening = _life_threatening(case.readings[-1])
    if threatening and a.current_dose_mcg_per_kg_per_min <= 1e-9:
        assert a.action == "start" and "MAP_CRITICALLY_LOW" in a.alert_codes()


@SETTINGS
@given(cases())
def test_life_threatening_hypotension_on_norepinephrine_is_never_held_for_the_effect_of_a_change(case: Case) -> None:
    a = case.advise()
    threatening = _life_threatening(case.readings[-1])
    # below target (at target, SBP < 80 raises MAP_CRITICALLY_LOW and the MAP target rules decide, as in issue 11)
    below = a.target_map is not None and a.map_mmhg < a.target_map
    if threatening and below and a.current_dose_mcg_per_kg_per_min > 1e-9:
        assert "TIT-EFFECT-WAIT" not in a.rules


@SETTINGS
@given(cases())
def test_no_increase_is_stacked_on_an_increase_still_taking_effect(case: Case) -> None:
    # Without the pump's time, an increase counts from the first reading charted at the new dose (TIT-EFFECT-WAIT).
    a = case.advise()
    doses = doses_at_readings(list(case.readings), a.current_dose_mcg_per_kg_per_min)
    k = len(doses) - 1
    while k > 0 and abs(doses[k - 1] - doses[-1]) <= 1e-9:
        k -= 1
    effect = protocol().titration.effect_minutes
    recent_increase = k > 0 and doses[k] > doses[k - 1] + 1e-9 and doses[k - 1] > 1e-9 and (
        case.readings[-1].at - case.readings[k].at) < timedelta(minutes=effect)
    if recent_increase and a.action == "increase":
        assert {"TIT-EFFECT-FALLING", "ESC-VASOPRESSIN-WEAN"} & set(a.rules), a.rules


@SETTINGS
@given(cases(), st.floats(15.01, 600.0))
def test_no_dose_change_on_a_stale_reading(case: Case, later: float) -> None:
    a = case.advise(later=later)
    assert a.action in ("hold", "none") and a.dose_mcg_per_kg_per_min == a.current_dose_mcg_per_kg_per_min
    assert "READING_STALE" in a.alert_codes()


@SETTINGS
@given(cases())
def test_dose_above_soft_limit_is_always_flagged(case: Case) -> None:
    soft = protocol().population(case.patient.population).soft_max_dose
    a = case.advise()
    if a.dose_mcg_per_kg_per_min > soft + 1e-9:
        assert "DOSE_ABOVE_SOFT_MAX" in a.alert_codes()
        if a.dose_mcg_per_kg_per_min > a.current_dose_mcg_per_kg_per_min + 1e-9:
            assert a.needs_confirmation


@SETTINGS
@given(cases())
def test_same_inputs_same_advice(case: Case) -> None:
    first = case.advise()
    assert case.advise() == first
    assert case.advise(tuple(reversed(case.readings))) == first  # order of the history does not matter


@SETTINGS
@given(cases(), st.sampled_from([0.0, 3.0, 20.0]), st.none() | st.sampled_from([0.0, 4.0, 30.0]))
def test_advise_dose_gives_the_action_dose_next_check_and_escalations_of_advise(case: Case, later: float,
                                                                               set_ago: float | None) -> None:
    latest = case.readings[-1]
    current = latest.ne_dose_mcg_per_kg_per_min or 0.0
    since = None if set_ago is None else latest.at + timedelta(minutes=later - set_ago)
    infusion = InfusionState(CONC, current, 500.0, dose_since=since)
    now = latest.at + timedelta(minutes=later)
    full = advise(case.readings, case.patient, infusion, protocol(), now=now, co_infusions=case.co)
    lean = advise_dose(case.readings, case.patient, infusion, protocol(), now=now, co_infusions=case.co)
    assert lean == DoseAdvice(full.action, full.dose_mcg_per_kg_per_min, full.next_check_in_min, full.escalations)


@SETTINGS
@given(cases())
def test_a_charted_history_built_reading_by_reading_gives_the_same_advice(case: Case) -> None:
    chart = ChartedHistory()
    for reading in case.readings:
        chart.append(reading)
    assert case.advise(chart) == case.advise()


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Reading], float, float]:
    """Readings (some without a dose, some at the same minute) over up to 40 h, a running dose, minutes to now."""
    n = draw(st.integers(1, 25))
    minute = 0.0
    readings = []
    for _ in range(n):
        minute += draw(st.sampled_from([0.0, 5.0, 15.0, 90.0, 600.0]))
        readings.append(Reading(at(minute), map_mmhg=70.0,
                                ne_dose_mcg_per_kg_per_min=draw(st.none() | st.sampled_from([0.0, 0.1, 0.25, 0.4])),
                                epinephrine_mcg_per_kg_per_min=draw(st.none() | st.sampled_from([0.0, 0.3])),
                                urine_ml_per_kg_per_h=draw(st.none() | st.sampled_from([0.2, 0.8]))))
    return readings, draw(st.sampled_from([0.0, 0.1, 0.3])), draw(st.sampled_from([0.0, 7.0, 2000.0]))


@settings(max_examples=300, deadline=None)
@given(histories())
def test_charted_history_answers_as_the_plain_history_functions(h: tuple[list[Reading], float, float]) -> None:
    readings, current, later = h
    chart = ChartedHistory()
    for i, reading in enumerate(readings):
        chart.append(reading)
        seen = readings[: i + 1]
        doses = doses_at_readings(seen, current)
        now = seen[-1].at + timedelta(minutes=later)
        assert chart.doses(current) == doses
        assert chart.mcg_per_kg_last_24h(now, current) == pytest.approx(mcg_per_kg_last_24h(seen, doses, now))
        assert chart.hours_at_or_above(0.25, current) == hours_at_or_above(seen, doses, 0.25)
        assert chart.last_two("urine") == last_two(seen, lambda r: r.urine_ml_per_kg_per_h)
        earlier = [d for d in doses[:-1] if d > 1e-9]
        assert chart.last_positive_dose_before_latest(current) == (earlier[-1] if earlier else None)
        assert [chart.dose_at(j, current) for j in range(len(seen))] == doses
        stops = [j for j in range(1, len(seen)) if doses[j] <= 1e-9 < doses[j - 1]]
        assert chart.last_stop(current) == ((seen[stops[-1]].at, doses[stops[-1] - 1]) if stops else None)
        assert chart.first_index_from(now - timedelta(minutes=15)) == sum(
            1 for x in seen if x.at < now - timedelta(minutes=15))
        assert chart.maps == [x.map for x in seen]
    # asked only once, after every reading is in (the engine asks only while the dose is high): the same answer
    lazy = ChartedHistory(readings)
    assert lazy.hours_at_or_above(0.25, current) == hours_at_or_above(readings, doses_at_readings(readings, current),
                                                                      0.25)


def test_charted_history_refuses_a_reading_earlier_than_the_latest() -> None:
    chart = ChartedHistory([Reading(at(10), map_mmhg=70.0)])
    with pytest.raises(InputError, match="time"):
        chart.append(Reading(at(5), map_mmhg=70.0))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(30.0, 200.0), st.booleans()), min_size=1, max_size=30),
       st.sampled_from([5.0, 15.0, 30.0]))
def test_charted_history_finds_the_latest_jump_however_often_it_is_asked(
        maps: list[tuple[float, bool]], limit: float) -> None:
    chart = ChartedHistory()
    for i, (value, ask) in enumerate(maps):
        chart.append(Reading(at(float(i)), map_mmhg=value))
        if ask or i == len(maps) - 1:
            seen = [m for m, _ask in maps[: i + 1]]
            # by hand: the last index whose MAP differs from the one before by more than the limit, 0 if none
            jumps = [j for j in range(1, len(seen)) if abs(seen[j] - seen[j - 1]) > limit]
            assert chart.last_jump(limit) == (jumps[-1] if jumps else 0)
            assert chart.last_jump(limit + 200.0) == 0  # another limit (no MAP here differs by 200), its own answer


def test_a_jump_is_more_than_the_limit_not_the_limit_itself() -> None:
    chart = ChartedHistory([Reading(at(0.0), map_mmhg=70.0), Reading(at(1.0), map_mmhg=85.0)])
    assert chart.last_jump(15.0) == 0  # 85 - 70 = 15: not more than 15
    chart.append(Reading(at(2.0), map_mmhg=69.5))
    assert chart.last_jump(15.0) == 2  # 85 - 69.5 = 15.5
