"""Targets (TGT-*): default 65, individual, chronic hypertension 80, age >= 65 permissive 60, label SBP ceiling."""

from __future__ import annotations

from norepi_gui.core.protocol import Population
from norepi_gui.core.titration import PatientInfo
from tests.core.titration._support import r, run


def test_default_target_is_65_with_band_to_75() -> None:
    a = run([r(0, 70, 0.1)])
    assert (a.target_map, a.target_map_upper) == (65.0, 75.0)  # 65 + band 10
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


def test_pediatric_without_target_asks_for_review() -> None:
    child = PatientInfo(20.0, population=Population.PEDIATRIC)
    a = run([r(0, 70, 0.1)], patient=child)
    assert "TARGET_NEEDS_REVIEW" in a.alert_codes() and "TGT-PEDIATRIC-REVIEW" in a.rules
    with_target = run([r(0, 70, 0.1)], patient=PatientInfo(20.0, population=Population.PEDIATRIC, target_map_mmhg=55))
    assert "TARGET_NEEDS_REVIEW" not in with_target.alert_codes()
