"""Safety signs (SAFE-*): MAP extremes, bradycardia, excess vasoconstriction, bag, 68 mg/day, pump maximum."""

from __future__ import annotations

import hypothesis
from hypothesis import strategies as st

from norepi_gui.core.alerts import Priority
from norepi_gui.core.dosing import amount_per_day
from norepi_gui.core.titration import PatientInfo, safety
from tests.core.titration._support import r, run


def _priority(advice: object, code: str) -> Priority | None:
    from norepi_gui.core.titration import Advice

    assert isinstance(advice, Advice)
    found = [a.priority for a in advice.alerts if a.code == code]
    return found[0] if found else None


def test_map_critically_low_at_10_below_target() -> None:
    assert _priority(run([r(0, 55, 0.1)]), "MAP_CRITICALLY_LOW") is Priority.HIGH  # 65 - 55 = 10
    assert _priority(run([r(0, 56, 0.1)]), "MAP_CRITICALLY_LOW") is None
    dbp = run([r(0, None, 0.1, sbp_mmhg=110, dbp_mmhg=40)])  # MAP 63.3 but DBP <= 40
    assert "MAP_CRITICALLY_LOW" in dbp.alert_codes() and "SAFE-MAP-CRITICAL" in dbp.rules


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
