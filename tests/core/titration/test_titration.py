"""Dose decisions (TIT-*): up toward the band (bigger far below), centre in the band, wean, taper, stop.

Defaults (default.toml): band 65-75 (middle 70), hold within 2 mmHg of the middle; proportional step
dose x e^(0.5 x (70 - MAP) / 10) rounded to 0.005, increases at most step_up 0.05, decreases at most 30 % of the dose;
step_up_large 0.1 when MAP >= 10 below target; wean after 1 reading above the band; taper minimum 0.01, soft max 1.0,
overdose margin 25 mmHg (far above: 0.05 x whole start doses). 70 kg, 16 mcg/mL.
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
    rising = run([r(0, 58, 0.1), r(5, 63, 0.15)])  # rose 5 >= remaining gap 2
    slow = run([r(0, 58, 0.1), r(5, 60, 0.15)])  # rose 2 < remaining gap 5
    assert rising.action == "hold" and "TIT-UP-RISING" in rising.rules and rising.next_check_in_min == 5
    assert slow.action == "increase" and slow.dose_mcg_per_kg_per_min == 0.2  # 0.15 + 0.05


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


def test_never_above_hard_max() -> None:
    capped = run([r(0, 50, 2.95)])  # 2.95 + 0.1 = 3.05 -> hard max 3.0
    assert capped.dose_mcg_per_kg_per_min == 3.0 and "TIT-HARD-MAX" in capped.rules
    at_max = run([r(0, 50, 3.0)])
    assert at_max.action == "hold" and at_max.dose_mcg_per_kg_per_min == 3.0
    assert "DOSE_AT_HARD_MAX" in at_max.alert_codes()
    above = run([r(0, 70, 3.5)])
    assert above.action == "decrease" and above.dose_mcg_per_kg_per_min == 3.0
    assert "DOSE_ABOVE_HARD_MAX" in above.alert_codes()


def test_hold_near_the_band_middle_and_centre_toward_it() -> None:
    for m in (68, 70, 72):  # within 2 mmHg of the middle 70
        a = run([r(0, m, 0.2)])
        assert a.action == "hold" and a.dose_mcg_per_kg_per_min == 0.2 and "TIT-HOLD" in a.rules
        assert a.rate_ml_per_h == 52.5  # 0.2 x 70 x 60 / 16
    low = run([r(0, 65, 0.2)])  # 0.2 x e^0.25 = 0.2568 -> 0.255, capped at 0.2 + 0.05
    assert low.action == "increase" and low.dose_mcg_per_kg_per_min == 0.25 and "TIT-CENTRE" in low.rules
    assert low.rate_ml_per_h == 65.6  # 0.25 x 70 x 60 / 16 = 65.625
    assert low.rationale.startswith("MAP 65 in band 65-75, below its middle 70: increase 0.20 -> 0.25")
    assert run([r(0, 67, 0.2)]).dose_mcg_per_kg_per_min == 0.23  # 0.2 x e^0.15 = 0.2324 -> 0.23
    high = run([r(0, 75, 0.2)])  # 0.2 x e^-0.25 = 0.1558 -> 0.155 (30 % cap 0.14 not reached)
    assert high.action == "decrease" and high.dose_mcg_per_kg_per_min == 0.155 and "TIT-CENTRE" in high.rules
    assert high.rate_ml_per_h == 40.7  # 0.155 x 70 x 60 / 16 = 40.6875
    assert run([r(0, 73, 0.1)]).dose_mcg_per_kg_per_min == 0.085  # 0.1 x e^-0.15 = 0.0861 -> 0.085
    at_floor = run([r(0, 75, 0.01)])  # 0.01 x e^-0.25 = 0.0078 -> 0.01: nothing to take, hold at the taper minimum
    assert at_floor.action == "hold" and "TIT-HOLD" in at_floor.rules
    at_soft = run([r(0, 65, 1.0)])  # an in-band step never goes past the soft maximum 1.0
    assert at_soft.action == "hold" and at_soft.dose_mcg_per_kg_per_min == 1.0


def test_weaning_waits_for_the_protocols_count_of_high_readings() -> None:
    # Default above_band_readings_to_wean = 1; an institution asking for 2 holds on the first high reading.
    one = run([r(0, 70, 0.1), r(10, 76, 0.1)], proto=wean_after(2))
    assert one.action == "hold" and "TIT-ABOVE-CONFIRM" in one.rules and one.next_check_in_min == 5
    two = run([r(0, 76, 0.1), r(5, 76, 0.1)], proto=wean_after(2))
    assert two.action == "decrease" and two.dose_mcg_per_kg_per_min == 0.075  # 0.1 x e^-0.3 = 0.0741 -> 0.075
    broken = run([r(0, 76, 0.1), r(5, 74, 0.1), r(10, 76, 0.1)], proto=wean_after(2))  # not consecutive
    assert broken.action == "hold"


def test_reading_above_band_weans_by_the_proportional_step() -> None:
    a = run([r(0, 70, 0.1), r(5, 76, 0.1)])
    assert a.action == "decrease" and a.dose_mcg_per_kg_per_min == 0.075  # 0.1 x e^-0.3 = 0.0741 -> 0.075
    assert a.rate_ml_per_h == 19.7  # 0.075 x 70 x 60 / 16 = 19.6875
    assert "TIT-DOWN" in a.rules and "TIT-PROPORTIONAL" in a.rules and "TIT-DOWN-SCALED" not in a.rules
    assert a.rationale.startswith("MAP 76 > 75 on 1 reading: decrease 0.10 -> 0.075")
    edge = run([r(0, 70, 0.1), r(5, 75, 0.1)])  # 75 is in the band: a centring step, not a wean
    assert edge.action == "decrease" and "TIT-CENTRE" in edge.rules and "TIT-DOWN" not in edge.rules
    assert edge.dose_mcg_per_kg_per_min == 0.08  # 0.1 x e^-0.25 = 0.0779 -> 0.08


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
    a = run([r(0, 73, 0.1)], proto=flat)  # 0.1 mcg/kg/min x 70 kg = 7 mcg/min running
    # 0.1 x e^-0.15 = 0.08607 mcg/kg/min = 6.025 mcg/min -> flat_dose_resolution_mcg_per_min 0.5 -> 6 mcg/min
    assert a.action == "decrease" and a.dose_mcg_per_min == 6.0


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
    stop = run([r(0, 80, 0.015), r(5, 80, 0.01)])  # default: one reading above the band at the minimum
    assert stop.action == "taper_off" and stop.dose_mcg_per_kg_per_min == 0.0 and stop.rate_ml_per_h == 0.0
    assert "TIT-TAPER-OFF" in stop.rules
    assert stop.rationale.startswith("MAP 80 > 75 on 2 readings: stop norepinephrine from 0.01")
    one_at_min = run([r(0, 80, 0.015), r(5, 80, 0.01)], proto=wean_after(2))
    assert one_at_min.action == "hold" and "TIT-ABOVE-CONFIRM" in one_at_min.rules
    two_at_min = run([r(0, 80, 0.015), r(5, 80, 0.01), r(10, 80, 0.01)], proto=wean_after(2))
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
    # without the time of the change (the CLI, the simulator) the same record still advises the next step
    unknown = run([r(0, 58, 0.1)], dose=0.15, now=at(3))
    assert unknown.action == "increase" and "TIT-AWAIT-READING" not in unknown.rules
    # stopped after the reading: it stays off until a reading says otherwise
    stopped = run([r(0, 80, 0.1)], dose=0.0, dose_since=at(1), now=at(1))
    assert stopped.action == "hold" and stopped.dose_mcg_per_kg_per_min == 0.0
    assert "keep norepinephrine off" in stopped.rationale and stopped.next_check_due == at(6)
    # a reading at the new dose ends the wait: 08:06 MAP 60 at 0.15 (rose 2 < remaining gap 5) -> 0.20
    measured = run([r(0, 58, 0.1), r(6, 60, 0.15)], dose=0.15, dose_since=at(2), now=at(6))
    assert measured.action == "increase" and "TIT-AWAIT-READING" not in measured.rules
