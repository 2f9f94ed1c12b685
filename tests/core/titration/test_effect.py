"""The time course of a dose change (TIT-EFFECT-*, INT-EFFECT): the engine waits for the drug.

Defaults (default.toml): titration.effect_minutes 10 (a change takes effect over 10 min: first order, half-life
10 / 5 = 2 min), far_below_mmhg 10, band 65-75, overdose margin 25, proportional gain 0.5 per 10 mmHg, increases at
most 0.05, decreases at most 30 %, dose resolution 0.005; intervals 5-15 min. 70 kg, 16 mcg/mL.
"""

from __future__ import annotations

from norepi_gui.core.titration import PatientInfo
from norepi_gui.core.titration.effect import predict, remaining
from norepi_gui.core.titration.rules import RETIRED, RULES
from tests.core.titration._support import at, r, run


def test_the_issue_13_story_never_stacks_an_increase_on_one_still_taking_effect() -> None:
    # 08:00 MAP 58 at 0.05: 7 below target, not far: 0.05 x e^(0.5 x 12 / 10) = 0.0911 -> 0.09 (TIT-UP).
    first = run([r(0, 58, 0.05)])
    assert first.action == "increase" and first.dose_mcg_per_kg_per_min == 0.09
    # Applied at 08:01. MAP 61 two minutes later (08:03) is part of the response, not "no response": hold 0.09.
    story = [r(0, 58, 0.05), r(3, 61, 0.09)]
    second = run(story, dose_since=at(1))
    assert second.action == "hold" and second.dose_mcg_per_kg_per_min == 0.09
    assert "TIT-EFFECT-WAIT" in second.rules and "INT-BELOW-TARGET" in second.rules
    assert second.next_check_due == at(8)  # below target: 5 min after the reading
    # MAP 66 and 67 in the same minute (08:05): in the band while the change takes effect, no change either.
    third = run([*story, r(5, 66, 0.09)], dose_since=at(1))
    fourth = run([*story, r(5, 66, 0.09), r(5, 67, 0.09)], dose_since=at(1))
    for a in (third, fourth):
        assert a.action == "hold" and a.dose_mcg_per_kg_per_min == 0.09 and "TIT-EFFECT-WAIT" in a.rules
    # at or above target the check comes when the change has had its time: 08:01 + 10 = 08:11 (INT-EFFECT)
    assert fourth.next_check_due == at(11) and "INT-EFFECT" in fourth.rules
    # the dose went 0.05 -> 0.09 and stayed there: never 0.05 -> 0.35 in six minutes
    assert max(a.dose_mcg_per_kg_per_min for a in (first, second, third, fourth)) == 0.09


def test_far_below_target_and_falling_or_life_threatening_still_increases_within_the_window() -> None:
    # 08:00 MAP 58 at 0.10 -> 0.15 set at 08:01; 08:04 MAP 54: 11 below target (>= 10) and lower than 58.
    falling = run([r(0, 58, 0.1), r(4, 54, 0.15)], dose_since=at(1))
    assert falling.action == "increase" and falling.dose_mcg_per_kg_per_min == 0.25  # TIT-UP-LARGE: 0.15 + 0.1
    assert "TIT-EFFECT-FALLING" in falling.rules and "TIT-UP-LARGE" in falling.rules
    assert "falling from 58" in falling.rationale
    # far below but not falling (54 then 54 after 0.10 -> 0.20): the increase is still taking effect
    steady = run([r(0, 54, 0.1), r(4, 54, 0.2)], dose_since=at(1))
    assert steady.action == "hold" and "TIT-EFFECT-WAIT" in steady.rules
    # SBP 78 < 80 is life-threatening (seed 000) even while MAP rises: 60 is 5 below target, TIT-UP:
    # 0.2 x e^(0.5 x 10 / 10) = 0.33 -> 0.2 + 0.05 = 0.25
    critical = run([r(0, 54, 0.1), r(4, 60, 0.2, sbp_mmhg=78, dbp_mmhg=51)], dose_since=at(1))
    assert critical.action == "increase" and critical.dose_mcg_per_kg_per_min == 0.25
    assert "TIT-EFFECT-FALLING" in critical.rules and "SBP 78 < 80" in critical.rationale


def test_a_sensitive_patient_who_overshoots_the_start_dose_is_brought_down_early_and_gradually() -> None:
    patient = PatientInfo(weight_kg=70.0, fluids_ml_per_kg=30.0)
    start = run([r(0, 60, 0.0)], patient=patient)  # START-AFTER-FLUIDS at the start dose, early recheck
    assert start.action == "start" and start.dose_mcg_per_kg_per_min == 0.1 and start.next_check_in_min == 5
    # Started 08:01. 08:05 MAP 84 while the start still takes effect: it will rise further (TIT-EFFECT-OVERSHOOT).
    # 0.1 x e^(0.5 x (70 - 84) / 10) = 0.0497, at most 30 % off: 0.07; rechecked in 5 min.
    hist = [r(0, 60, 0.0), r(5, 84, 0.1)]
    early = run(hist, patient=patient, dose_since=at(1))
    assert early.action == "decrease" and early.dose_mcg_per_kg_per_min == 0.07
    assert "TIT-EFFECT-OVERSHOOT" in early.rules and early.next_check_in_min == 5
    # 0.07 set 08:06; 08:10 MAP 84 again, no fall seen since 84 at 0.10: predicted 84 (TIT-EFFECT-MODEL) > 75,
    # 0.07 x e^-0.7 = 0.035, at most 30 % off: 0.049 -> 0.05.
    hist.append(r(10, 84, 0.07))
    second = run(hist, patient=patient, dose_since=at(6))
    assert second.action == "decrease" and second.dose_mcg_per_kg_per_min == 0.05
    assert "TIT-EFFECT-MODEL" in second.rules
    # 0.05 set 08:11; 08:15 MAP 80, 4 down from 84 four minutes after the change: r = 2^(-5 x 4 / 10) = 0.25 to come,
    # predicted 80 - 4 x 0.25 / 0.75 = 78.67; 0.05 x e^(0.05 x (70 - 78.67)) = 0.0324, at most 30 % off: 0.035.
    hist.append(r(15, 80, 0.05))
    third = run(hist, patient=patient, dose_since=at(11))
    assert third.action == "decrease" and third.dose_mcg_per_kg_per_min == 0.035
    # noticed on the first reading after the start, never more than 30 % a step: 0.1 -> 0.07 -> 0.05 -> 0.035


def test_a_decrease_that_will_bring_map_into_the_band_is_awaited_one_that_will_not_is_continued() -> None:
    # 08:00 MAP 80 at 0.2 -> 0.14 (0.2 x e^-0.5 = 0.121, at most 30 % off) set at 08:01.
    assert run([r(0, 80, 0.2)]).dose_mcg_per_kg_per_min == 0.14
    # 08:04, 3 min after: r = 2^(-1.5) = 0.3536 still to come; r / (1 - r) = 0.5469.
    # MAP 76 (4 down): predicted 76 - 4 x 0.5469 = 73.8, in the band: wait.
    enough = run([r(0, 80, 0.2), r(4, 76, 0.14)], dose_since=at(1))
    assert enough.action == "hold" and "TIT-EFFECT-WAIT" in enough.rules
    # MAP 77 (3 down): predicted 77 - 3 x 0.5469 = 75.36, above the band: 0.14 x e^(0.05 x -5.36) = 0.1071 -> 0.105.
    short = run([r(0, 80, 0.2), r(4, 77, 0.14)], dose_since=at(1))
    assert short.action == "decrease" and short.dose_mcg_per_kg_per_min == 0.105
    assert "TIT-EFFECT-MODEL" in short.rules and "TIT-DOWN" in short.rules
    assert "75 expected at the running dose" in short.rationale


def test_the_first_order_course_by_hand() -> None:
    assert remaining(0.0, 10.0) == 1.0
    assert remaining(2.0, 10.0) == 0.5  # half-life 10 / 5 = 2 min
    assert abs(remaining(10.0, 10.0) - 0.03125) < 1e-12  # five half-lives: 1/32 to come
    assert predict(70.0, 60.0, 2.0, 10.0) == 80.0  # half of the response seen: as much still to come
    assert predict(70.0, 60.0, 0.0, 10.0) == 70.0  # nothing seen yet: no extrapolation


def test_after_a_small_step_in_or_above_the_band_the_check_waits_for_the_effect() -> None:
    readings = [r(0, 74, 0.2), r(5, 74, 0.2), r(10, 73, 0.2), r(15, 75, 0.2)]  # mean 74: TIT-LEVEL 0.2 -> 0.165
    step = run(readings)
    assert step.action == "decrease" and step.next_check_in_min == 10 and "INT-EFFECT" in step.rules
    # applied at 08:16 and asked again at 08:17: next check 08:16 + effect_minutes 10, and the panel says why
    applied = run(readings, dose=0.165, dose_since=at(16), now=at(17))
    assert applied.action == "hold" and "TIT-AWAIT-READING" in applied.rules and "INT-EFFECT" in applied.rules
    assert applied.next_check_due == at(26)
    assert applied.waiting is not None
    assert applied.waiting.text() == ("Waiting for the effect of 0.165 mcg/kg/min set at 08:16: next check 08:26; "
                                      "recheck sooner if MAP < 65 or > 90")  # after a decrease: below target, overdose
    # a start is rechecked early (INT-AFTER-CHANGE, 5 min), and the rise it waits for bounds the MAP the other way
    started = run([r(0, 60, 0.0)], patient=PatientInfo(weight_kg=70.0, fluids_ml_per_kg=30.0), dose=0.1,
                  dose_since=at(1), now=at(2))
    assert started.next_check_due == at(6) and "INT-AFTER-CHANGE" in started.rules
    assert started.waiting is not None
    assert started.waiting.text() == ("Waiting for the effect of 0.10 mcg/kg/min set at 08:01: next check 08:06; "
                                      "recheck sooner if MAP < 55 or > 75")
    assert started.to_json()["waiting"] == {
        "dose_mcg_per_kg_per_min": 0.1, "set_at": at(1).isoformat(), "effect_until": at(11).isoformat(),
        "next_check": at(6).isoformat(), "sooner_below_mmhg": 55.0, "sooner_above_mmhg": 75.0,
        "text": started.waiting.text()}
    settled = run([r(0, 70, 0.2)])
    assert settled.waiting is None and settled.to_json()["waiting"] is None


def test_a_dose_running_when_the_record_began_is_not_taken_for_a_fresh_start() -> None:
    # The record's first dose, charted with its first reading: when it was started is not known. Judged as running.
    known = run([r(0, 70, 0.1), r(5, 58, 0.1)], dose_since=at(0))
    assert known.action == "increase" and "TIT-EFFECT-WAIT" not in known.rules


def test_retired_rule_ids_are_never_reused() -> None:
    assert "TIT-CENTRE" in RETIRED and not set(RETIRED) & set(RULES)


def test_a_reading_in_the_same_minute_as_the_change_is_the_one_it_answered() -> None:
    # MAP 58 at 0.10 charted at 08:00 and 0.15 applied in the same minute: 08:06 is 6 min into the increase's effect.
    a = run([r(0, 58, 0.1), r(6, 62, 0.15)], dose_since=at(0))
    assert a.action == "hold" and "TIT-EFFECT-WAIT" in a.rules
