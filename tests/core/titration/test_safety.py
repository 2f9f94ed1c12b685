"""Safety signs (SAFE-*): MAP extremes, bradycardia, excess vasoconstriction, bag, 68 mg/day, pump maximum."""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st

from norepi_gui.core.alerts import Priority
from norepi_gui.core.dosing import amount_per_day
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Population
from norepi_gui.core.titration import PatientInfo, safety
from tests.core.titration._support import r, run


def _priority(advice: object, code: str) -> Priority | None:
    from norepi_gui.core.titration import Advice

    assert isinstance(advice, Advice)
    found = [a.priority for a in advice.alerts if a.code == code]
    return found[0] if found else None


def test_life_threatening_hypotension_is_absolute_never_relative_to_the_target() -> None:
    # SBP < 80, DBP <= 40, or a MAP-only reading below (80 + 2 x 40) / 3 = 53.3 [seed 000].
    assert _priority(run([r(0, 53, 0.1)]), "MAP_CRITICALLY_LOW") is Priority.HIGH
    assert _priority(run([r(0, 54, 0.1)]), "MAP_CRITICALLY_LOW") is None
    dbp = run([r(0, None, 0.1, sbp_mmhg=110, dbp_mmhg=40)])  # MAP 63.3 but DBP <= 40
    assert "MAP_CRITICALLY_LOW" in dbp.alert_codes() and "SAFE-MAP-CRITICAL" in dbp.rules
    sbp = run([r(0, None, 0.1, sbp_mmhg=79, dbp_mmhg=60)])  # MAP 66.3, above target, but SBP < 80
    assert "MAP_CRITICALLY_LOW" in sbp.alert_codes()
    # MAP 67 under a chronic-hypertension target of 80: below target by 13, not life-threatening.
    htn = run([r(0, 67, 0.1)], patient=PatientInfo(70.0, chronic_hypertension=True))
    assert "MAP_CRITICALLY_LOW" not in htn.alert_codes() and "SAFE-MAP-CRITICAL" not in htn.rules
    assert _priority(htn, "MAP_FAR_BELOW_TARGET") is Priority.MEDIUM and "SAFE-MAP-FAR-BELOW" in htn.rules
    assert "below target 80 by 13 mmHg" in next(a.message for a in htn.alerts if a.code == "MAP_FAR_BELOW_TARGET")
    near = run([r(0, 71, 0.1)], patient=PatientInfo(70.0, chronic_hypertension=True))  # 9 below: not far
    assert "MAP_FAR_BELOW_TARGET" not in near.alert_codes()
    child = run([r(0, None, 0.1, sbp_mmhg=70, dbp_mmhg=38)],  # adult thresholds, not a child's
                patient=PatientInfo(10.0, population=Population.PEDIATRIC, target_map_mmhg=45.0))
    assert "MAP_CRITICALLY_LOW" not in child.alert_codes()


def test_the_advised_pump_rate_is_checked_for_rounding() -> None:
    # 1 kg child on 0.03 mcg/kg/min at 64 mcg/mL: 0.03 x 1 x 60 / 64 = 0.028 mL/h -> 0.0 at 0.1 mL/h steps.
    neonate = PatientInfo(1.0, population=Population.PEDIATRIC, target_map_mmhg=30.0)
    zero = run([r(0, 33, 0.03)], patient=neonate, concentration="64 mcg/mL")  # 33: in band 30-40, near the middle
    assert zero.action == "hold" and zero.rate_ml_per_h == 0.0
    rounding = next(a for a in zero.alerts if a.code == "PUMP_RATE_ROUNDING")
    assert "rounds to 0 mL/h" in rounding.message and "more dilute" in rounding.message
    assert "SAFE-PUMP-ROUNDING" in zero.rules
    # 0.03 x 3 x 60 / 16 = 0.3375 -> 0.3 mL/h: 11.1 % less than ordered (> 10 %): 0.09 x 0.3 / 0.3375 = 0.08 mcg/min.
    small = run([r(0, 33, 0.03)], patient=PatientInfo(3.0, population=Population.PEDIATRIC, target_map_mmhg=30.0))
    message = next(a.message for a in small.alerts if a.code == "PUMP_RATE_ROUNDING")
    assert "rounds to 0.3 mL/h, 11 % off" in message and "delivers 0.08 mcg/min for the 0.09 mcg/min" in message
    assert "PUMP_RATE_ROUNDING" not in run([r(0, 70, 0.1)]).alert_codes()  # 26.25 -> 26.3: 0.2 % off


def test_the_engine_flags_weight_and_concentration_as_the_dose_calculator_does() -> None:
    pounds = run([r(0, 70, 0.1)], patient=PatientInfo(154.0))  # 154 "kg" is 69.9 kg if it was pounds
    assert "WEIGHT_MAYBE_POUNDS" in pounds.alert_codes() and "SAFE-INPUT-CHECKS" in pounds.rules
    odd = run([r(0, 70, 0.1)], concentration="20 mcg/mL")
    assert "NONSTANDARD_CONCENTRATION" in odd.alert_codes()
    with pytest.raises(InputError) as strong:
        run([r(0, 70, 0.1)], concentration="16 mg/mL")  # 16000 mcg/mL, above the 1000 maximum
    assert strong.value.field == "concentration"


def test_map_above_band_is_low_priority() -> None:
    assert _priority(run([r(0, 76, 0.1)]), "MAP_ABOVE_BAND") is Priority.LOW
    assert "SAFE-MAP-ABOVE-BAND" in run([r(0, 76, 0.1)]).rules
    assert _priority(run([r(0, 75, 0.1)]), "MAP_ABOVE_BAND") is None
    assert _priority(run([r(0, 80, 0.0)]), "MAP_ABOVE_BAND") is None  # nothing running


def test_map_more_than_25_above_target_is_overdose() -> None:
    high = run([r(0, 91, 0.1)])  # 91 - 65 = 26 > 25
    assert _priority(high, "MAP_FAR_ABOVE_TARGET") is Priority.HIGH and "SAFE-OVERDOSE" in high.rules
    assert "MAP_ABOVE_BAND" not in high.alert_codes()
    assert _priority(run([r(0, 90, 0.1)]), "MAP_FAR_ABOVE_TARGET") is None


def test_bradycardia_below_50() -> None:
    slow = run([r(0, 70, 0.1, hr_per_min=49)])
    assert _priority(slow, "BRADYCARDIA") is Priority.MEDIUM and "SAFE-BRADYCARDIA" in slow.rules
    assert _priority(run([r(0, 70, 0.1, hr_per_min=50)]), "BRADYCARDIA") is None


def test_excess_vasoconstriction_when_urine_falls_or_lactate_rises_at_target() -> None:
    urine = run([r(0, 72, 0.3, urine_ml_per_kg_per_h=0.8), r(60, 72, 0.3, urine_ml_per_kg_per_h=0.3)])
    assert "EXCESS_VASOCONSTRICTION" in urine.alert_codes() and "SAFE-VASOCONSTRICTION" in urine.rules
    lactate = run([r(0, 72, 0.3, lactate_mmol_per_l=2.5), r(60, 72, 0.3, lactate_mmol_per_l=3.5)])
    assert "EXCESS_VASOCONSTRICTION" in lactate.alert_codes()
    still_ok = run([r(0, 72, 0.3, urine_ml_per_kg_per_h=1.2), r(60, 72, 0.3, urine_ml_per_kg_per_h=0.6)])
    assert "EXCESS_VASOCONSTRICTION" not in still_ok.alert_codes()  # falling but >= 0.5
    below = run([r(0, 60, 0.3, lactate_mmol_per_l=2.5), r(60, 60, 0.3, lactate_mmol_per_l=3.5)])
    assert "EXCESS_VASOCONSTRICTION" not in below.alert_codes()  # MAP not adequate


def test_bag_running_out_before_next_check_is_high() -> None:
    # hold 0.1 mcg/kg/min at 70 kg, 16 mcg/mL: 26.3 mL/h; next check 5 min (first stable reading)
    empty = run([r(0, 70, 0.1)], bag_ml=2.0)  # 2 / 26.3 x 60 = 4.6 min < 5
    assert _priority(empty, "BAG_NEAR_EMPTY") is Priority.HIGH and "SAFE-BAG-BEFORE-CHECK" in empty.rules
    low = run([r(0, 70, 0.1)], bag_ml=2.2)  # 5.02 min: after the check, under 30 min
    assert _priority(low, "BAG_NEAR_EMPTY") is Priority.MEDIUM and "SAFE-BAG-LOW" in low.rules
    assert _priority(run([r(0, 70, 0.1)], bag_ml=13.1), "BAG_NEAR_EMPTY") is Priority.MEDIUM  # 29.9 min
    assert _priority(run([r(0, 70, 0.1)], bag_ml=13.2), "BAG_NEAR_EMPTY") is None  # 30.1 min


def test_daily_total_above_68_mg() -> None:
    heavy = PatientInfo(80.0)
    over = run([r(0, 70, 0.6)], patient=heavy)  # 0.6 x 80 = 48 mcg/min x 1440 = 69.12 mg/day > 68
    under = run([r(0, 70, 0.585)], patient=heavy)  # 46.8 mcg/min -> 67.39 mg/day
    assert "DAILY_TOTAL_ABOVE_LABEL_MAX" in over.alert_codes() and "SAFE-DAILY-MAX" in over.rules
    assert "69.1 mg/day" in next(a.message for a in over.alerts if a.code == "DAILY_TOTAL_ABOVE_LABEL_MAX")
    assert "DAILY_TOTAL_ABOVE_LABEL_MAX" not in under.alert_codes()
    given = run([r(0, 70, 0.6), r(24 * 60, 70, 0.3)], patient=heavy)  # 0.6 x 80 x 1440 = 69.12 mg already given
    message = next(a.message for a in given.alerts if a.code == "DAILY_TOTAL_ABOVE_LABEL_MAX")
    assert "69.1 mg given in the last 24 h" in message


def test_rate_above_pump_maximum() -> None:
    big = run([r(0, 70, 0.5)], patient=PatientInfo(150.0), concentration="4 mcg/mL")  # 75 mcg/min x 60 / 4 = 1125
    assert _priority(big, "RATE_ABOVE_PUMP_MAX") is Priority.HIGH and "SAFE-PUMP-MAX" in big.rules
    assert "RATE_ABOVE_PUMP_MAX" not in run([r(0, 70, 0.5)], patient=PatientInfo(150.0)).alert_codes()  # 281 mL/h


@hypothesis.given(doses=st.lists(st.floats(min_value=0.0, max_value=200.0), min_size=1, max_size=30),
       label_max=st.sampled_from([10.0, 68.0, 100.0]))
def test_daily_amount_shortcut_answers_as_the_dosing_core_in_any_order(doses: list[float], label_max: float) -> None:
    # The shortcut skips pint for a dose clearly below the label maximum's dose; the answer must be the dosing
    # core's own (amount_per_day in mg), whatever doses came before.
    for mcg_per_min in doses:
        mg = float(amount_per_day(mcg_per_min).magnitude)
        assert safety._mg_per_day_above(mcg_per_min, label_max) == (mg if mg > label_max else None)
