"""Targets (TGT-*): default 65, individual, chronic hypertension 80, age >= 65 permissive 60, label SBP ceiling."""

from __future__ import annotations

import pytest

from norepi_gui.core.alerts import Priority
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Population
from norepi_gui.core.titration import PatientInfo
from tests.core.titration._support import r, run, with_settings


def test_default_target_is_65_with_band_to_75() -> None:
    a = run([r(0, 70, 0.1)])
    assert (a.target_map, a.target_map_upper) == (65.0, 75.0)  # 65 + band 10
    assert a.target_reason == "default target MAP 65, band +10 mmHg (protocol default, review)"  # the band is [U]
    assert "TGT-DEFAULT" in a.rules


def test_individual_target_replaces_protocol_target() -> None:
    a = run([r(0, 70, 0.1)], patient=PatientInfo(70.0, target_map_mmhg=72.0, age_years=80))
    assert (a.target_map, a.target_map_upper) == (72.0, 82.0)  # 72 + band 10
    assert "TGT-INDIVIDUAL" in a.rules and "clinician" in a.target_reason


def test_chronic_hypertension_target_is_80_to_85_and_wins_over_age() -> None:
    a = run([r(0, 82, 0.1)], patient=PatientInfo(70.0, chronic_hypertension=True, age_years=70))
    assert (a.target_map, a.target_map_upper) == (80.0, 85.0)  # SEPSISPAM 80-85
    assert "TGT-CHRONIC-HTN" in a.rules and "SEPSISPAM" in a.target_reason


def test_age_65_gets_permissive_target_but_64_does_not() -> None:
    old = run([r(0, 62, 0.1)], patient=PatientInfo(70.0, age_years=65))
    young = run([r(0, 62, 0.1)], patient=PatientInfo(70.0, age_years=64))
    assert (old.target_map, old.target_map_upper) == (60.0, 65.0)
    assert old.action == "hold" and "TGT-AGE-65" in old.rules
    assert young.target_map == 65.0 and young.action == "increase"


def test_sbp_above_baseline_minus_40_is_flagged_at_the_boundary() -> None:
    patient = PatientInfo(70.0, chronic_hypertension=True, baseline_sbp_mmhg=170.0)  # ceiling 170 - 40 = 130
    at_ceiling = run([r(0, None, 0.1, sbp_mmhg=130, dbp_mmhg=55)], patient=patient)  # MAP 55 + 75/3 = 80
    above = run([r(0, None, 0.1, sbp_mmhg=131, dbp_mmhg=55)], patient=patient)
    assert "SBP_ABOVE_BASELINE_LIMIT" not in at_ceiling.alert_codes()
    assert "SBP_ABOVE_BASELINE_LIMIT" in above.alert_codes() and "TGT-BASELINE-SBP" in above.rules


def test_pediatric_without_target_gets_no_adult_target_and_no_titration_step() -> None:
    child = PatientInfo(20.0, population=Population.PEDIATRIC)
    low = run([r(0, 40, 0.1)], patient=child)  # 25 below the adult 65, but no adult target for a child
    assert low.action == "hold" and low.dose_mcg_per_kg_per_min == 0.1 and "TGT-PEDIATRIC-REVIEW" in low.rules
    assert low.target_map is None and low.target_map_upper is None
    needed = next(a for a in low.alerts if a.code == "CHILD_TARGET_NEEDED")
    assert needed.priority is Priority.HIGH and "enter the child's MAP target" in needed.message
    assert low.to_json()["target_map"] is None
    assert not any(rule.startswith(("TIT-", "TGT-DEFAULT")) for rule in low.rules)
    off = run([r(0, 30, 0.0)], patient=child)  # not running: nothing is started either
    assert off.action == "none" and off.escalations == ()
    with_target = run([r(0, 70, 0.1)], patient=PatientInfo(20.0, population=Population.PEDIATRIC, target_map_mmhg=55))
    assert "CHILD_TARGET_NEEDED" not in with_target.alert_codes() and with_target.target_map == 55


def test_individual_target_accepts_neonatal_values_within_the_protocols_range() -> None:
    neonate = PatientInfo(1.0, population=Population.PEDIATRIC, target_map_mmhg=20.0)  # targets.individual_min 20
    assert run([r(0, 25, 0.05)], patient=neonate).target_map == 20
    for bad in (19.0, 121.0):
        with pytest.raises(InputError) as err:
            run([r(0, 25, 0.05)], patient=PatientInfo(1.0, population=Population.PEDIATRIC, target_map_mmhg=bad))
        assert err.value.field == "target" and "20 to 120 mmHg" in err.value.accepted


def test_baseline_sbp_text_quotes_the_protocols_value() -> None:
    thirty = with_settings("targets", baseline_sbp_max_drop_mmhg=30.0)  # ceiling 170 - 30 = 140
    patient = PatientInfo(70.0, chronic_hypertension=True, baseline_sbp_mmhg=170.0)
    a = run([r(0, None, 0.1, sbp_mmhg=141, dbp_mmhg=50)], patient=patient, proto=thirty)  # MAP 80.3
    message = next(x.message for x in a.alerts if x.code == "SBP_ABOVE_BASELINE_LIMIT")
    assert "above 140 (baseline minus 30 mmHg (protocol default, review)" in message and "minus 40" not in message
