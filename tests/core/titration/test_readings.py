"""Which readings may drive a dose change (READ-*): plausible, between SBP and DBP, not a possible artefact, fresh.

Defaults (default.toml): plausible MAP 20-200; a jump of more than 30 mmHg within 10 min at unchanged doses is
repeated (next check in 1 min); a reading older than 15 min drives no dose change and leaves the trends. Band 65-75
(middle 70), 70 kg, 16 mcg/mL.
"""

from __future__ import annotations

import pytest

from norepi_gui.core.alerts import Priority
from norepi_gui.core.errors import InputError
from norepi_gui.core.titration import CoInfusions, Reading
from tests.core.titration._support import T0, at, r, run, with_settings


def test_map_outside_the_plausible_range_is_refused_naming_the_field() -> None:
    for bad in (19.0, 201.0):
        with pytest.raises(InputError) as err:
            run([r(0, bad, 0.1)])
        assert err.value.field == "map" and "20 to 200 mmHg" in err.value.accepted
    assert run([r(0, 20, 0.0)]).map_mmhg == 20  # the bounds themselves are accepted
    assert run([r(0, 200, 0.1)]).map_mmhg == 200
    with pytest.raises(InputError) as computed:  # MAP from SBP/DBP: 10 + (40 - 10)/3 = 20 ... 9 + 30/3 = 19
        run([r(0, None, 0.0, sbp_mmhg=39, dbp_mmhg=9)])
    assert computed.value.field == "map" and "from SBP/DBP" in computed.value.problem
    narrow = with_settings("readings", map_min_mmhg=30.0)
    with pytest.raises(InputError):
        run([r(0, 29, 0.1)], proto=narrow)


def test_typed_map_not_between_dbp_and_sbp_is_refused_naming_the_fields() -> None:
    with pytest.raises(InputError) as high:
        Reading(T0, map_mmhg=120, sbp_mmhg=80, dbp_mmhg=40)
    assert high.value.field == "map, sbp, dbp" and "not between DBP 40 and SBP 80" in high.value.problem
    with pytest.raises(InputError) as low:
        Reading(T0, map_mmhg=39, sbp_mmhg=80, dbp_mmhg=40)
    assert low.value.field == "map, sbp, dbp"
    with pytest.raises(InputError):
        Reading(T0, map_mmhg=90, sbp_mmhg=85)  # above the only pressure given
    assert Reading(T0, map_mmhg=80, sbp_mmhg=80, dbp_mmhg=40).map == 80  # at the edges: accepted
    assert Reading(T0, map_mmhg=40, sbp_mmhg=80, dbp_mmhg=40).map == 40


def test_implausible_jump_at_an_unchanged_dose_is_repeated_before_any_dose_change() -> None:
    # 72 -> 110 in 3 min on 0.6: +38 > 30 mmHg. Acted on, MAP 110 would be far above target (TIT-DOWN-FAR).
    jump = run([r(0, 72, 0.6), r(3, 110, 0.6)])
    assert jump.action == "hold" and jump.dose_mcg_per_kg_per_min == 0.6
    assert jump.reading_unconfirmed and "READ-ARTEFACT" in jump.rules
    assert jump.next_check_in_min == 1  # readings.repeat_after_minutes
    unconfirmed = next(a for a in jump.alerts if a.code == "READING_UNCONFIRMED")
    assert unconfirmed.priority is Priority.HIGH and "repeat the reading now" in unconfirmed.message
    assert "MAP_FAR_ABOVE_TARGET" not in jump.alert_codes()  # target-relative signs wait for the repeat
    # A second reading within 30 mmHg of 110 confirms it: far above target on 0.6 -> at most 30 % off = 0.42.
    confirmed = run([r(0, 72, 0.6), r(3, 110, 0.6), r(4, 108, 0.6)])
    assert confirmed.action == "decrease" and confirmed.dose_mcg_per_kg_per_min == 0.42
    assert not confirmed.reading_unconfirmed
    # A second reading back near 72 drops 110: the decision rests on 72 and 71 (in band, 1 below the middle: hold).
    dropped = run([r(0, 72, 0.6), r(3, 110, 0.6), r(4, 71, 0.6)])
    assert dropped.action == "hold" and "TIT-HOLD" in dropped.rules and not dropped.reading_unconfirmed
    # ... and 110 no longer counts: 72, 110, 76 would otherwise be two readings above the band.
    two_needed = with_settings("titration", above_band_readings_to_wean=2)
    after_artefact = run([r(0, 72, 0.6), r(3, 110, 0.6), r(4, 76, 0.6)], proto=two_needed)
    assert after_artefact.action == "hold" and "TIT-ABOVE-CONFIRM" in after_artefact.rules


def test_what_is_not_an_artefact_jump() -> None:
    exactly = run([r(0, 72, 0.3), r(3, 102, 0.3)])  # +30: not more than 30
    assert not exactly.reading_unconfirmed and exactly.action == "decrease"
    later = run([r(0, 72, 0.3), r(11, 110, 0.3)])  # 11 min apart: outside the 10 min window
    assert not later.reading_unconfirmed
    dose_changed = run([r(0, 60, 0.3), r(3, 95, 0.35)])  # the dose changed in between
    assert not dose_changed.reading_unconfirmed
    vaso_started = run([r(0, 60, 0.3, vasopressin_u_per_min=0.0), r(3, 95, 0.3, vasopressin_u_per_min=0.03)],
                       co=CoInfusions(vasopressin_u_per_min=0.03))
    assert not vaso_started.reading_unconfirmed
    checked = run([r(0, 72, 0.6), Reading(at(3), map_mmhg=110, ne_dose_mcg_per_kg_per_min=0.6, confirmed=True)])
    assert not checked.reading_unconfirmed and checked.action == "decrease"  # the nurse confirmed it


def test_life_threatening_reading_still_starts_norepinephrine_while_unconfirmed() -> None:
    # Not running, 76 -> 45 in 2 min: -31, a jump, but MAP 45 < 53.3 is life-threatening: seed 000, do not delay.
    a = run([r(0, 76, 0.0), r(2, 45, 0.0)])
    assert a.action == "start" and a.dose_mcg_per_kg_per_min == 0.1
    assert a.reading_unconfirmed and "READING_UNCONFIRMED" in a.alert_codes() and a.next_check_in_min == 1
    running = run([r(0, 76, 0.2), r(2, 45, 0.2)])  # running: no increase on an unconfirmed reading
    assert running.action == "hold" and running.dose_mcg_per_kg_per_min == 0.2


def test_a_stale_reading_never_drives_a_dose_change() -> None:
    fresh = run([r(0, 58, 0.1)], now=at(15))  # 15 min old: not older than 15
    assert fresh.action == "increase" and fresh.reading_age_min == 15
    stale = run([r(0, 58, 0.1)], now=at(16))
    assert stale.action == "hold" and stale.dose_mcg_per_kg_per_min == 0.1 and "READ-STALE" in stale.rules
    message = next(a.message for a in stale.alerts if a.code == "READING_STALE")
    assert "16 min old" in message and "take a new reading" in message
    assert "15 min (protocol default, review)" in message
    not_running = run([r(0, None, 0.0, sbp_mmhg=75, dbp_mmhg=50)], now=at(20))  # SBP 75 < 80, but 20 min old
    assert not_running.action == "none"
    longer = with_settings("readings", max_age_minutes=30.0)
    assert run([r(0, 58, 0.1)], now=at(20), proto=longer).action == "increase"


def test_trends_ignore_readings_older_than_the_maximum_age() -> None:
    # TIT-UP-BORDERLINE holds when the mean of this and the previous reading is at target: (72 + 58) / 2 = 65.
    recent = run([r(0, 72, 0.1), r(15, 58, 0.1)])
    assert recent.action == "hold" and "TIT-UP-BORDERLINE" in recent.rules
    # The same pair two hours apart: the old 72 is no evidence now, so MAP 58 is acted on (0.1 + 0.05).
    old = run([r(0, 72, 0.1), r(120, 58, 0.1)])
    assert old.action == "increase" and old.dose_mcg_per_kg_per_min == 0.15
    assert run([r(0, 72, 0.1), r(16, 58, 0.1)]).action == "increase"  # 16 min before: left out


def test_the_check_stays_due_when_it_was_once_the_reading_goes_stale() -> None:
    # MAP 70 in band 65-75 at 0.1 on three readings (0, 10, 20 min): INT-STABLE 3 of 3 -> 15 min, due at 35.
    # At 36 the reading is 16 min old (stale, > 15): still a hold and still due at 35 (1 min overdue), never moved
    # back to 20 + 5 = 25 as if the check had been overdue for 11 min.
    readings = [r(0, 70, 0.1), r(10, 70, 0.1), r(20, 70, 0.1)]
    fresh = run(readings, now=at(21))
    assert fresh.action == "hold" and fresh.next_check_due == at(35)
    stale = run(readings, now=at(36))
    assert stale.action == "hold" and "READ-STALE" in stale.rules
    assert stale.next_check_due == at(35)
