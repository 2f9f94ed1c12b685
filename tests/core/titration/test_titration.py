"""Dose decisions (TIT-*): up toward the band (bigger far below), hold in the band, wean, taper, stop.

Defaults (default.toml): band 65-75 (middle 70); in the band a step only when the mean of 4 settled readings is more
than 3 mmHg from the middle (TIT-LEVEL); a change takes effect over effect_minutes 10; proportional step
dose x e^(0.5 x (70 - MAP) / 10) rounded to 0.005, increases at most step_up 0.05, decreases at most 30 % of the dose;
step_up_large 0.1 when MAP >= 10 below target; wean after 1 reading above the band (unless the reading before it, at
the same dose, brings the mean back into the band); taper minimum 0.01, soft max 1.0, overdose margin 25 mmHg (far
above: 0.05 x whole start doses). 70 kg, 16 mcg/mL.
"""

from __future__ import annotations

import dataclasses

from norepi_gui.core.alerts import Priority
from norepi_gui.core.protocol import Population
from norepi_gui.core.titration import DoseEvent, PatientInfo
from tests.core.titration._support import at, protocol, r, run, wean_after, with_settings


def test_map_58_increases_0_10_to_0_15_with_rationale() -> None:
    a = run([r(0, 58, 0.1)])
    assert a.action == "increase"
    assert a.dose_mcg_per_kg_per_min == 0.15  # 0.10 + 0.05 (gap 7 < 10)
    assert a.dose_mcg_per_min == 10.5  # 0.15 x 70
    assert a.rate_ml_per_h == 39.4  # 0.15 x 70 x 60 / 16 = 39.375 -> 39.4
    assert a.rationale == "MAP 58 < target 65: increase 0.10 -> 0.15 mcg/kg/min (39.4 mL/h); recheck in 5 min"
    assert "TIT-UP" in a.rules


def test_far_below_boundary_takes_large_step() -> None:
    far = run([r(0, 55, 0.1)])  # 65 - 55 = 10 >= 10
    near = run([r(0, 56, 0.1)])  # 9 < 10
    assert far.dose_mcg_per_kg_per_min == 0.2 and "TIT-UP-LARGE" in far.rules  # 0.1 + 0.1
    assert near.dose_mcg_per_kg_per_min == 0.15 and "TIT-UP" in near.rules  # 0.1 + 0.05


def test_hold_when_rising_after_increase() -> None:
    # 0.10 -> 0.15 set at 08:01; the reading at 08:12 is 11 min after it (past effect_minutes 10): judged as settled.
    rising = run([r(0, 58, 0.1), r(12, 63, 0.15)], dose_since=at(1))  # rose 5 >= remaining gap 2
    slow = run([r(0, 58, 0.1), r(12, 60, 0.15)], dose_since=at(1))  # rose 2 < remaining gap 5
    assert rising.action == "hold" and "TIT-UP-RISING" in rising.rules and rising.next_check_in_min == 5
    assert slow.action == "increase" and slow.dose_mcg_per_kg_per_min == 0.2  # 0.15 x e^0.5 = 0.247 -> + 0.05 at most


def test_borderline_reading_after_in_band_one_is_rechecked() -> None:
    borderline = run([r(0, 68, 0.1), r(10, 63, 0.1)])  # mean 65.5 >= 65
    real = run([r(0, 66, 0.1), r(10, 63, 0.1)])  # mean 64.5 < 65
    assert borderline.action == "hold" and "TIT-UP-BORDERLINE" in borderline.rules
    assert borderline.next_check_in_min == 5
    assert real.action == "increase"


def test_increase_stops_at_soft_max_then_needs_confirmation() -> None:
    capped = run([r(0, 60, 0.98)])  # 0.98 + 0.05 = 1.03 -> soft max 1.0
    assert capped.dose_mcg_per_kg_per_min == 1.0 and not capped.needs_confirmation
    assert "TIT-SOFT-MAX" in capped.rules
    beyond = run([r(0, 60, 1.0)])  # 1.0 + 0.05 = 1.05 > soft max
    assert beyond.dose_mcg_per_kg_per_min == 1.05 and beyond.needs_confirmation
    assert "DOSE_ABOVE_SOFT_MAX" in beyond.alert_codes()
    assert "confirm" in beyond.rationale


def test_a_dose_above_the_soft_maximum_held_for_a_repeat_reading_is_still_flagged() -> None:
    # 70 -> 30 within 5 min at the same dose (a jump of 40 > 30): repeat the reading first; 2.0 > soft max 1.0
    a = run([r(0, 70, 2.0), r(5, 30, 2.0)])
    assert a.action == "hold" and a.reading_unconfirmed
    assert "DOSE_ABOVE_SOFT_MAX" in a.alert_codes() and "READING_UNCONFIRMED" in a.alert_codes()


def test_never_above_hard_max() -> None:
    capped = run([r(0, 50, 2.95)])  # 2.95 + 0.1 = 3.05 -> hard max 3.0
    assert capped.dose_mcg_per_kg_per_min == 3.0 and "TIT-HARD-MAX" in capped.rules
    at_max = run([r(0, 50, 3.0)])
    assert at_max.action == "hold" and at_max.dose_mcg_per_kg_per_min == 3.0
    assert "DOSE_AT_HARD_MAX" in at_max.alert_codes()
    above = run([r(0, 70, 3.5)])
    assert above.action == "decrease" and above.dose_mcg_per_kg_per_min == 3.0
    assert "DOSE_ABOVE_HARD_MAX" in above.alert_codes()


def test_in_band_single_readings_hold_and_the_settled_mean_steps_toward_the_middle() -> None:
    for m in (65, 68, 70, 72, 75):  # anywhere in the band, one reading is not acted on (TIT-HOLD)
        a = run([r(0, m, 0.2)])
        assert a.action == "hold" and a.dose_mcg_per_kg_per_min == 0.2 and "TIT-HOLD" in a.rules
        assert a.rate_ml_per_h == 52.5  # 0.2 x 70 x 60 / 16
    low = run([r(0, 66, 0.2), r(5, 66, 0.2), r(10, 67, 0.2), r(15, 66, 0.2)])  # mean 66.25: 3.75 below 70 (> 3)
    # 0.2 x e^(0.5 x 3.75 / 10) = 0.2 x e^0.1875 = 0.24125 -> 0.24 (within + step_up 0.05)
    assert low.action == "increase" and low.dose_mcg_per_kg_per_min == 0.24 and "TIT-LEVEL" in low.rules
    assert low.rate_ml_per_h == 63.0  # 0.24 x 70 x 60 / 16
    assert low.rationale.startswith("MAP 66 in band 65-75, mean of 4 readings 66.2 below its middle 70: increase "
                                    "0.20 -> 0.24")
    three = run([r(0, 66, 0.2), r(5, 66, 0.2), r(10, 66, 0.2)])  # 3 readings: fewer than level_readings 4
    assert three.action == "hold" and "TIT-LEVEL" not in three.rules
    near = run([r(0, 72, 0.2), r(5, 73, 0.2), r(10, 72, 0.2), r(15, 73, 0.2)])  # mean 72.5: within 3 of 70
    assert near.action == "hold"
    high = run([r(0, 74, 0.2), r(5, 74, 0.2), r(10, 73, 0.2), r(15, 75, 0.2)])  # mean 74
    # 0.2 x e^(-0.2) = 0.16375 -> 0.165 (the 30 % limit 0.14 not reached)
    assert high.action == "decrease" and high.dose_mcg_per_kg_per_min == 0.165 and "TIT-LEVEL" in high.rules
    at_floor = run([r(0, 75, 0.01), r(5, 75, 0.01), r(10, 75, 0.01), r(15, 75, 0.01)])
    assert at_floor.action == "hold"  # 0.01 x e^-0.25 = 0.0078 -> 0.01: nothing to take at the taper minimum
    at_soft = run([r(0, 65, 1.0), r(5, 65, 1.0), r(10, 65, 1.0), r(15, 65, 1.0)])
    assert at_soft.action == "hold" and at_soft.dose_mcg_per_kg_per_min == 1.0  # never past the soft maximum 1.0


def test_only_readings_after_the_change_took_effect_make_the_mean() -> None:
    # 0.10 -> 0.15 set at 08:01 (MAP 60 at 08:00); effect_minutes 10: settled from 08:11. The reading at 08:05 is
    # not part of the mean; four settled readings at 66 (08:12-08:27) make a mean 4 below the middle.
    early = [r(0, 60, 0.1), r(5, 66, 0.15)]
    settled = [r(12, 66, 0.15), r(17, 66, 0.15), r(22, 66, 0.15)]
    three = run([*early, *settled], dose_since=at(1))
    assert three.action == "hold" and "TIT-HOLD" in three.rules  # only 3 settled readings
    four = run([*early, *settled, r(27, 66, 0.15)], dose_since=at(1))
    # 0.15 x e^(0.5 x 4 / 10) = 0.15 x e^0.2 = 0.18321 -> 0.185
    assert four.action == "increase" and four.dose_mcg_per_kg_per_min == 0.185 and "TIT-LEVEL" in four.rules


def test_weaning_waits_for_the_protocols_count_of_high_readings() -> None:
    # Default above_band_readings_to_wean = 1; an institution asking for 2 holds on the first high reading.
    one = run([r(0, 70, 0.1), r(10, 76, 0.1)], proto=wean_after(2))
    assert one.action == "hold" and "TIT-ABOVE-CONFIRM" in one.rules and one.next_check_in_min == 5
    two = run([r(0, 76, 0.1), r(5, 76, 0.1)], proto=wean_after(2))
    assert two.action == "decrease" and two.dose_mcg_per_kg_per_min == 0.075  # 0.1 x e^-0.3 = 0.0741 -> 0.075
    broken = run([r(0, 76, 0.1), r(5, 74, 0.1), r(10, 76, 0.1)], proto=wean_after(2))  # not consecutive
    assert broken.action == "hold"


def test_reading_above_band_weans_by_the_proportional_step() -> None:
    a = run([r(0, 76, 0.1), r(5, 76, 0.1)])  # mean 76 > 75: more than one reading says so
    assert a.action == "decrease" and a.dose_mcg_per_kg_per_min == 0.075  # 0.1 x e^-0.3 = 0.0741 -> 0.075
    assert a.rate_ml_per_h == 19.7  # 0.075 x 70 x 60 / 16 = 19.6875
    assert "TIT-DOWN" in a.rules and "TIT-PROPORTIONAL" in a.rules and "TIT-DOWN-SCALED" not in a.rules
    assert a.rationale.startswith("MAP 76 > 75 on 2 readings: decrease 0.10 -> 0.075")
    # sized on the mean of the two readings at the dose, 77: 0.2 x e^(0.5 x -7 / 10) = 0.1409 -> 0.14
    # (on the latest alone, 76: 0.2 x e^-0.3 = 0.148 -> 0.15)
    mean = run([r(0, 78, 0.2), r(5, 76, 0.2)])
    assert mean.action == "decrease" and mean.dose_mcg_per_kg_per_min == 0.14
    first = run([r(0, 76, 0.1)])  # a first reading has no reading before it to weigh against
    assert first.action == "decrease" and first.dose_mcg_per_kg_per_min == 0.075
    edge = run([r(0, 70, 0.1), r(5, 75, 0.1)])  # 75 is in the band: held (TIT-HOLD), no step on one reading
    assert edge.action == "hold" and "TIT-HOLD" in edge.rules


def test_one_reading_above_the_band_after_one_in_it_is_rechecked_before_weaning() -> None:
    # 68, 70, 69 then 78: (69 + 78) / 2 = 73.5 <= 75 and the settled mean (68 + 70 + 69 + 78) / 4 = 71.25 is within
    # centre_deadband_mmhg 2 of the middle 70: TIT-DOWN-BORDERLINE holds and rechecks.
    once = run([r(0, 68, 0.1), r(5, 70, 0.1), r(10, 69, 0.1), r(15, 78, 0.1)])
    assert once.action == "hold" and "TIT-DOWN-BORDERLINE" in once.rules and once.next_check_in_min == 5
    assert "INT-CONFIRM" in once.rules
    twice = run([r(0, 70, 0.1), r(5, 73, 0.1), r(10, 78, 0.1)])  # (73 + 78) / 2 = 75.5 > 75: weans
    assert twice.action == "decrease" and "TIT-DOWN" in twice.rules
    # the same last two readings on a settled mean already high, (73 + 74 + 71 + 78) / 4 = 74 > 72: the high reading
    # agrees with it: TIT-DOWN from (71 + 78) / 2 = 74.5: 0.1 x e^(0.5 x -4.5 / 10) = 0.0799 -> 0.08
    high = run([r(0, 73, 0.1), r(5, 74, 0.1), r(10, 71, 0.1), r(15, 78, 0.1)])
    assert high.action == "decrease" and high.dose_mcg_per_kg_per_min == 0.08 and "TIT-DOWN" in high.rules
    far = run([r(0, 70, 0.2), r(5, 91, 0.2)])  # more than 25 above target: TIT-DOWN-FAR at once, never held
    assert far.action == "decrease" and "TIT-DOWN-FAR" in far.rules


def test_proportional_step_is_a_fraction_of_the_dose_within_limits() -> None:
    assert run([r(0, 76, 0.6)]).dose_mcg_per_kg_per_min == 0.445  # 0.6 x e^-0.3 = 0.4445 -> 0.445
    assert run([r(0, 80, 0.2)]).dose_mcg_per_kg_per_min == 0.14  # 0.2 x e^-0.5 = 0.121: at most 30 % off -> 0.14
    assert run([r(0, 63, 0.1)]).dose_mcg_per_kg_per_min == 0.14  # 0.1 x e^0.35 = 0.1419 -> 0.14
    assert run([r(0, 60, 0.4)]).dose_mcg_per_kg_per_min == 0.45  # 0.4 x e^0.5 = 0.659: at most + step_up 0.05
    tiny = run([r(0, 64, 0.005)])  # 0.005 x e^0.3 = 0.00675 -> 0.005: below target, at least one 0.005 step
    assert tiny.action == "increase" and tiny.dose_mcg_per_kg_per_min == 0.01


def test_far_above_target_decreases_now() -> None:
    far = run([r(0, 91, 0.2)])  # 91 - 65 = 26 > 25: 0.2 - 2 x 0.05 (scaled) = 0.1 is 50 % off: at most 30 %
    assert far.action == "decrease" and far.dose_mcg_per_kg_per_min == 0.14  # 0.2 x 0.7
    assert "TIT-DOWN-FAR" in far.rules and "TIT-WEAN-LIMIT" in far.rules and "TIT-DOWN-SCALED" not in far.rules
    scaled = run([r(0, 91, 0.2)], proto=with_settings("titration", max_wean_fraction=0.5))
    assert scaled.dose_mcg_per_kg_per_min == 0.1 and "TIT-DOWN-SCALED" in scaled.rules  # the scaled step fits
    big = run([r(0, 91, 0.5)])  # 0.5 - 5 x 0.05 = 0.25; at most 30 % off: 0.35
    assert big.dose_mcg_per_kg_per_min == 0.35
    small = run([r(0, 91, 0.2)], proto=with_settings("titration", step_down_large=0.02))  # 0.2 - 2 x 0.02 = 0.16
    assert small.dose_mcg_per_kg_per_min == 0.16 and "TIT-DOWN-SCALED" in small.rules
    not_far = run([r(0, 90, 0.2)])  # 25, not more than 25: the proportional step, at most 30 % of 0.2
    assert not_far.dose_mcg_per_kg_per_min == 0.14 and "TIT-DOWN-FAR" not in not_far.rules
    confirm = run([r(0, 91, 0.2)], proto=wean_after(2))  # far above does not wait for a second reading
    assert confirm.action == "decrease" and "TIT-DOWN-FAR" in confirm.rules


def test_no_decrease_is_larger_than_the_max_wean_fraction() -> None:
    # The cases: MAP 96 on 0.4 halved the dose (0.4 - 4 x 0.05); now at most 30 % off: 0.4 x 0.7 = 0.28.
    a = run([r(0, 96, 0.4)])
    assert a.action == "decrease" and a.dose_mcg_per_kg_per_min == 0.28 and "TIT-WEAN-LIMIT" in a.rules
    assert a.rate_ml_per_h == 73.5  # 0.28 x 70 x 60 / 16
    assert a.next_check_in_min == 5 and "INT-OVERSHOOT" in a.rules  # the overshoot: an early recheck instead
    assert run([r(0, 110, 0.6)]).dose_mcg_per_kg_per_min == 0.42  # 0.6 x 0.7, not 0.3
    # 0.33 x 0.7 = 0.231: rounded up to the 0.005 resolution, 0.235 (0.23 would take 30.3 %).
    assert run([r(0, 96, 0.33)]).dose_mcg_per_kg_per_min == 0.235
    # Tiny doses where no 0.005 step fits within 30 %: the bound itself, 0.015 x 0.7 = 0.0105.
    tiny = run([r(0, 80, 0.015)])
    assert tiny.dose_mcg_per_kg_per_min == 0.0105 and "0.015 -> 0.0105" in tiny.rationale
    # Above the hard maximum too: from 4.0 the hard maximum 3.0 is within 30 % (4.0 x 0.7 = 2.8 < 3.0).
    assert run([r(0, 70, 4.0)]).dose_mcg_per_kg_per_min == 3.0
    above = run([r(0, 70, 5.0)])  # 5.0 x 0.7 = 3.5 > 3.0: one limited step toward the hard maximum
    assert above.dose_mcg_per_kg_per_min == 3.5 and above.needs_confirmation and "TIT-WEAN-LIMIT" in above.rules
    # Overshoot rechecks at the minimum interval even where the protocol rechecks later after a change.
    later = with_settings("intervals", after_change_minutes=10.0)
    assert run([r(0, 96, 0.4)], proto=later).next_check_in_min == 5
    assert run([r(0, 80, 0.4)], proto=later).next_check_in_min == 10  # not far above: after a change


def test_flat_dosing_rounds_proportional_steps_to_the_flat_resolution() -> None:
    base = protocol()
    adult = base.population(Population.ADULT)
    flat = dataclasses.replace(base, populations={**base.populations,
                                                  Population.ADULT: dataclasses.replace(adult, dose_unit="mcg/min")})
    a = run([r(0, 74, 0.1), r(5, 74, 0.1), r(10, 74, 0.1), r(15, 74, 0.1)], proto=flat)  # 7 mcg/min running
    # mean 74: 0.1 x e^-0.2 = 0.081873 mcg/kg/min = 5.731 mcg/min -> flat_dose_resolution_mcg_per_min 0.5 -> 5.5
    assert a.action == "decrease" and a.dose_mcg_per_min == 5.5


def test_decrease_stops_at_taper_minimum() -> None:
    # 0.012 x e^-0.5 = 0.0073 -> 0.005; 30 % cap 0.0084 -> up to 0.01: the minimum, not below
    a = run([r(0, 80, 0.012), r(5, 80, 0.012)])
    assert a.action == "decrease" and a.dose_mcg_per_kg_per_min == 0.01
    # Where the wean limit allows more (90 %), the taper minimum still stops it: 0.04 - 0.05 < 0 -> 0.01, never 0.
    loose = with_settings("titration", max_wean_fraction=0.9)
    far = run([r(0, 95, 0.04)], proto=loose)
    assert far.dose_mcg_per_kg_per_min == 0.01 and "TIT-TAPER-FLOOR" in far.rules


def test_taper_off_only_from_minimum_after_readings_at_it() -> None:
    above_min = run([r(0, 80, 0.014)])  # 0.014 x e^-0.5 = 0.0085; 30 % cap 0.0098 -> up to 0.01: the minimum
    assert above_min.action == "decrease" and above_min.dose_mcg_per_kg_per_min == 0.01
    # The decrease to 0.01 was first charted at 08:05: its effect is awaited until 08:15 (effect_minutes 10).
    waiting = run([r(0, 80, 0.015), r(5, 80, 0.01)])
    assert waiting.action == "hold" and "TIT-EFFECT-WAIT" in waiting.rules
    stop = run([r(0, 80, 0.015), r(5, 80, 0.01), r(15, 80, 0.01)])  # default: above the band at the minimum
    assert stop.action == "taper_off" and stop.dose_mcg_per_kg_per_min == 0.0 and stop.rate_ml_per_h == 0.0
    assert "TIT-TAPER-OFF" in stop.rules
    assert stop.rationale.startswith("MAP 80 > 75 on 3 readings: stop norepinephrine from 0.01")
    one_at_min = run([r(0, 80, 0.015), r(5, 74, 0.01), r(15, 80, 0.01)], proto=wean_after(2))
    assert one_at_min.action == "hold" and "TIT-ABOVE-CONFIRM" in one_at_min.rules
    two_at_min = run([r(0, 80, 0.015), r(5, 80, 0.01), r(15, 80, 0.01)], proto=wean_after(2))
    assert two_at_min.action == "taper_off"


def test_not_running_and_map_fine_means_no_vasopressor() -> None:
    a = run([r(0, 70, 0.0)])
    assert a.action == "none" and a.dose_mcg_per_kg_per_min == 0.0 and "TIT-NOT-RUNNING" in a.rules
    assert a.next_check_in_min == 5  # first stable reading: the minimum


def test_restart_at_the_start_dose_after_a_stop() -> None:
    # Tapered 0.02 -> 0.01, stopped, MAP 58 after 70: restart at the start dose 0.1, not at the taper minimum.
    a = run([r(0, 80, 0.02), r(5, 80, 0.01), r(10, 70, 0.0), r(15, 58, 0.0)], patient=PatientInfo(70.0))
    assert a.action == "start" and a.dose_mcg_per_kg_per_min == 0.1 and "TIT-RESTART" in a.rules
    assert a.rate_ml_per_h == 26.3  # 0.1 x 70 x 60 / 16 = 26.25 -> 26.3 (half up)
    assert "restart at the start dose" in a.rationale
    # One borderline reading is rechecked first, as TIT-UP-BORDERLINE: (70 + 62) / 2 = 66 >= 65.
    borderline = run([r(0, 80, 0.02), r(5, 80, 0.01), r(10, 70, 0.0), r(15, 62, 0.0)])
    assert borderline.action == "none" and "TIT-UP-BORDERLINE" in borderline.rules
    assert borderline.next_check_in_min == 5 and "recheck before restarting" in borderline.rationale
    child = PatientInfo(20.0, population=Population.PEDIATRIC, target_map_mmhg=55.0)
    kid = run([r(0, 70, 0.04), r(5, 70, 0.02), r(10, 60, 0.0), r(15, 48, 0.0)], patient=child)  # mean 54 < 55
    assert kid.action == "start" and kid.dose_mcg_per_kg_per_min == 0.1  # populations.pediatric.start_dose


def test_an_advised_change_beyond_the_large_change_factor_needs_confirmation() -> None:
    # Far below target from 0.02: 0.02 + 0.1 = 0.12, six-fold (> 3): the nurse confirms it.
    six = run([r(0, 50, 0.02)])
    assert six.action == "increase" and six.dose_mcg_per_kg_per_min == 0.12 and six.needs_confirmation
    assert "LARGE_DOSE_CHANGE" in six.alert_codes() and "TIT-LARGE-CHANGE" in six.rules
    assert "6.0-fold" in next(a.message for a in six.alerts if a.code == "LARGE_DOSE_CHANGE")
    assert "confirm: 6.0-fold change" in six.rationale
    three = run([r(0, 50, 0.05)])  # 0.05 + 0.1 = 0.15: three-fold, not more
    assert three.dose_mcg_per_kg_per_min == 0.15 and not three.needs_confirmation
    start = run([r(0, 50, 0.0)])  # a start from nothing is not a change of a running dose
    assert start.action == "start" and not start.needs_confirmation


def test_an_abrupt_stop_seen_in_the_record_raises_a_high_alert() -> None:
    stopped = run([r(0, 70, 0.3), r(5, 70, 0.0)])  # 0.3 -> 0 with no taper
    alert = next(a for a in stopped.alerts if a.code == "NE_STOPPED_ABRUPTLY")
    assert alert.priority is Priority.HIGH and "SAFE-ABRUPT-STOP" in stopped.rules
    # seen at the 08:05 reading, asked at 08:05: "just now" (relative: the core's times are UTC, the screen's local)
    assert "stopped just now from 0.30 mcg/kg/min" in alert.message and "taper minimum 0.01" in alert.message
    tapered = run([r(0, 80, 0.01), r(5, 70, 0.0)])  # stopped from the taper minimum: as the rules wean
    assert "NE_STOPPED_ABRUPTLY" not in tapered.alert_codes()
    later = run([r(0, 70, 0.3), r(5, 70, 0.0), r(66, 70, 0.0)])  # 61 min after the stop: past the 60 min watch
    assert "NE_STOPPED_ABRUPTLY" not in later.alert_codes()
    within = run([r(0, 70, 0.3), r(5, 70, 0.0), r(65, 70, 0.0)])  # 60 min: still watched
    assert "NE_STOPPED_ABRUPTLY" in within.alert_codes()
    # With the record's dose history the stop time is the pump's, not the next reading's.
    doses = [DoseEvent(at(0), 0.3), DoseEvent(at(3), 0.0)]
    exact = run([r(0, 70, 0.3), r(5, 70, 0.0)], ne_doses=doses)
    message = next(a.message for a in exact.alerts if a.code == "NE_STOPPED_ABRUPTLY")
    assert "stopped 2 min ago from 0.30" in message  # the pump stopped 08:03, asked at 08:05


def test_a_dose_set_after_the_latest_reading_is_held_until_a_reading_shows_its_effect() -> None:
    # MAP 58 at 0.10 (08:00) advises 0.15; the pump is set to 0.15 at 08:02. Asked again at 08:03, before any reading
    # at the new dose, the engine holds 0.15 and times the check from the change: 08:02 + after_change_minutes 5.
    applied = run([r(0, 58, 0.1)], dose=0.15, dose_since=at(2), now=at(3))
    assert applied.action == "hold" and applied.dose_mcg_per_kg_per_min == 0.15
    assert "TIT-AWAIT-READING" in applied.rules and "INT-AFTER-CHANGE" in applied.rules
    assert applied.next_check_due == at(7)
    assert "dose changed 0.10 -> 0.15 mcg/kg/min after the latest reading" in applied.rationale
    # without the time of the change the running dose still has no reading: its effect is awaited (TIT-EFFECT-WAIT)
    unknown = run([r(0, 58, 0.1)], dose=0.15, now=at(3))
    assert unknown.action == "hold" and "TIT-EFFECT-WAIT" in unknown.rules and "TIT-AWAIT-READING" not in unknown.rules
    # stopped after the reading: it stays off until a reading says otherwise
    stopped = run([r(0, 80, 0.1)], dose=0.0, dose_since=at(1), now=at(1))
    assert stopped.action == "hold" and stopped.dose_mcg_per_kg_per_min == 0.0
    assert "keep norepinephrine off" in stopped.rationale and stopped.next_check_due == at(6)
    # a reading at the new dose once it has taken effect ends the wait: 08:13, 11 min after the change, MAP 60 at
    # 0.15 (rose 2 < remaining gap 5): 0.15 x e^0.5 = 0.247 -> 0.15 + 0.05 = 0.20
    measured = run([r(0, 58, 0.1), r(13, 60, 0.15)], dose=0.15, dose_since=at(2), now=at(13))
    assert measured.action == "increase" and measured.dose_mcg_per_kg_per_min == 0.2
    assert "TIT-AWAIT-READING" not in measured.rules
