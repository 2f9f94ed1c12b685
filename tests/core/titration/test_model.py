"""Input types: MAP from SBP/DBP, refusal of impossible readings, JSON output keys."""

from __future__ import annotations

from datetime import datetime

import pytest

from norepi_gui.core.errors import InputError
from norepi_gui.core.titration import PatientInfo, Reading
from tests.core.titration._support import T0, r, run


def test_map_from_sbp_dbp() -> None:
    assert Reading(T0, sbp_mmhg=90, dbp_mmhg=60).map == 70  # 60 + 30/3
    assert Reading(T0, sbp_mmhg=100, dbp_mmhg=40).map == 60  # 40 + 60/3
    measured = Reading(T0, map_mmhg=72, sbp_mmhg=90, dbp_mmhg=60)
    assert measured.map == 72 and not measured.map_is_computed
    a = run([r(0, None, 0.1, sbp_mmhg=90, dbp_mmhg=60)])
    assert a.map_mmhg == 70 and a.map_computed and "MAP-FROM-SBP-DBP" in a.rules


def test_reading_refuses_missing_pressure_inverted_pair_and_naive_time() -> None:
    with pytest.raises(InputError) as no_bp:
        Reading(T0, sbp_mmhg=90)
    assert no_bp.value.field == "dbp"
    with pytest.raises(InputError) as inverted:
        Reading(T0, sbp_mmhg=60, dbp_mmhg=60)
    assert inverted.value.field == "dbp"
    with pytest.raises(InputError) as naive:
        Reading(datetime(2026, 1, 1, 8, 0), map_mmhg=65)
    assert naive.value.field == "time"
    with pytest.raises(InputError) as nan:
        Reading(T0, map_mmhg=float("nan"))
    assert nan.value.field == "map"


def test_advise_refuses_empty_history_future_readings_and_implausible_weight() -> None:
    with pytest.raises(InputError):
        run([r(0, 70, 0.1)], now=T0.replace(hour=7))
    with pytest.raises(InputError) as weight:
        run([r(0, 70, 0.1)], patient=PatientInfo(weight_kg=400.0))  # adult plausible 30-300 kg
    assert weight.value.field == "weight"


def test_to_json_has_the_keys_the_cli_prints() -> None:
    data = run([r(0, 58, 0.1)]).to_json()
    for key in ("action", "dose_mcg_per_kg_per_min", "dose_mcg_per_min", "rate_ml_per_h", "next_check_in_min",
                "target_map", "escalations", "alerts", "rules", "rationale", "nee_mcg_per_kg_per_min",
                "needs_confirmation", "target_map_upper"):
        assert key in data
    assert data["action"] == "increase" and data["rate_ml_per_h"] == 39.4


def test_advise_refuses_an_empty_history() -> None:
    from norepi_gui.core.dosing import parse_concentration
    from norepi_gui.core.titration import InfusionState, advise
    from tests.core.titration._support import protocol

    with pytest.raises(InputError) as empty:
        advise([], PatientInfo(70.0), InfusionState(parse_concentration("16 mcg/mL"), 0.1), protocol(), now=T0)
    assert empty.value.field == "readings"


def test_a_patient_with_the_line_in_longer_is_the_patient_built_with_those_hours() -> None:
    from norepi_gui.core.protocol import LineType, Population

    first = PatientInfo(20.0, Population.PEDIATRIC, age_years=6.0, line=LineType.INTRAOSSEOUS, line_hours=1.0,
                        target_map_mmhg=55.0)
    later = first.with_line_hours(7.5)
    assert later == PatientInfo(20.0, Population.PEDIATRIC, age_years=6.0, line=LineType.INTRAOSSEOUS,
                                line_hours=7.5, target_map_mmhg=55.0)
    assert first.line_hours == 1.0  # the first is left as it was


@pytest.mark.parametrize("hours", [-1.0, 24.0 * 365 + 1.0, float("nan")])
def test_a_patient_with_the_line_in_longer_refuses_hours_as_the_constructor_does(hours: float) -> None:
    with pytest.raises(InputError, match="line-hours"):
        PatientInfo(70.0, line_hours=hours)
    with pytest.raises(InputError, match="line-hours"):
        PatientInfo(70.0).with_line_hours(hours)
