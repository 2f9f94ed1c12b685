"""The handover report's content: built from plain inputs with an injected clock, no Qt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from norepi_gui import DISCLAIMER
from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.handover import (
    AdviceDetails,
    EscalationLine,
    HandoverData,
    HandoverReading,
    InfusionDetails,
    PatientDetails,
    build_handover,
    format_number,
)

NOW = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)

PATIENT = PatientDetails(
    weight_kg=70.0,
    population="adult",
    flags=("age 65 or over",),
    line="central",
    line_inserted_at=datetime(2026, 1, 1, 6, 30, tzinfo=UTC),
)
INFUSION = InfusionDetails(
    concentration="4 mg base in 250 mL = 16 mcg/mL base",
    dose_mcg_per_min=7.0,  # 0.1 mcg/kg/min x 70 kg
    pump_rate_ml_per_h=26.3,  # 7 mcg/min x 60 / 16 mcg/mL = 26.25, shown by the pump as 26.3
    dose_mcg_per_kg_per_min=0.1,
)
ADVICE = AdviceDetails(
    text="Increase to 0.12 mcg/kg/min",
    rationale="MAP 58 is below the 65 target",
    rule_ids=("R-UP",),
    next_check_at=NOW + timedelta(minutes=5),
)


def build(readings: list[HandoverReading], **overrides: object) -> HandoverData:
    arguments: dict[str, object] = {
        "patient": PATIENT,
        "infusion": INFUSION,
        "advice": ADVICE,
        "escalations": [EscalationLine("Vasopressin", "NE 0.25 mcg/kg/min or more")],
        "alerts": [],
        "readings": readings,
        "protocol_name": "Adult default",
        "protocol_version": "1.2",
        "clock": ManualClock(NOW),
        "tz": UTC,
    }
    arguments.update(overrides)
    return build_handover(**arguments)  # type: ignore[arg-type]


def reading(hours_before_now: float, map_mmhg: float = 65.0) -> HandoverReading:
    return HandoverReading(at=NOW - timedelta(hours=hours_before_now), map_mmhg=map_mmhg)


def test_only_readings_of_the_last_12_hours_are_listed_oldest_first() -> None:
    data = build([reading(1, 60), reading(13, 50), reading(12, 55), reading(0.5, 62), reading(-1, 70)])
    # 20:00 - 12 h = 08:00 is inside the window; 07:00 (13 h) and 21:00 (after the report) are not
    assert [row[0] for row in data.reading_rows] == ["01 Jan 08:00", "01 Jan 19:00", "01 Jan 19:30"]
    assert [row[1] for row in data.reading_rows] == ["55", "60", "62"]
    assert data.readings_left_out == 2
    assert data.readings_heading == "Readings, last 12 h (2026-01-01 08:00 UTC to 2026-01-01 20:00 UTC)"


def test_generated_time_comes_from_the_injected_clock() -> None:
    data = build([])
    assert data.generated_at == NOW
    assert data.generated_at_text == "2026-01-01 20:00 UTC"


def test_times_are_written_in_the_zone_asked_for() -> None:
    plus_one = timezone(timedelta(hours=1), "CET")
    data = build([reading(1)], tz=plus_one)
    assert data.generated_at_text == "2026-01-01 21:00 CET"  # 20:00 UTC + 1 h
    assert data.reading_rows[0][0] == "01 Jan 20:00"  # 19:00 UTC + 1 h


def test_patient_infusion_and_advice_are_labelled_rows() -> None:
    data = build([])
    assert data.patient_rows == (
        ("Weight", "70 kg"),
        ("Population", "adult"),
        ("Flags", "age 65 or over"),
        ("Line", "central, inserted 2026-01-01 06:30 UTC"),
    )
    assert data.infusion_rows == (
        ("Concentration", "4 mg base in 250 mL = 16 mcg/mL base"),
        ("Dose", "0.1 mcg/kg/min (7 mcg/min)"),
        ("Pump rate", "26.3 mL/h"),
        ("Co-infusions", "none"),
    )
    assert data.advice_text == "Increase to 0.12 mcg/kg/min"
    assert data.advice_rows == (
        ("Why", "MAP 58 is below the 65 target"),
        ("Rules", "R-UP"),
        ("Next check", "2026-01-01 20:05 UTC"),
    )
    assert data.protocol_text == "Protocol: Adult default (version 1.2)"


def test_alerts_are_listed_highest_priority_first() -> None:
    alerts = [
        Alert("BAG", Priority.LOW, "Bag empty in 3 h"),
        Alert("EXTRAV", Priority.HIGH, "Check the peripheral site"),
        Alert("SOFT", Priority.MEDIUM, "Dose above the usual range"),
    ]
    data = build([], alerts=alerts)
    assert [a.code for a in data.alerts] == ["EXTRAV", "SOFT", "BAG"]


def test_reading_row_shows_pressures_rate_and_dose() -> None:
    row = HandoverReading(at=NOW, map_mmhg=63.3, sbp_mmhg=90, dbp_mmhg=50, hr_per_min=104, dose_mcg_per_kg_per_min=0.12)
    data = build([row])
    assert data.reading_rows == (("01 Jan 20:00", "63.3", "90/50", "104", "0.12"),)


def test_plain_text_carries_every_section_and_the_disclaimer() -> None:
    text = build([reading(2, 61)]).plain_text()
    for expected in ("Patient", "Infusion", "Current advice", "Vasopressin: NE 0.25 mcg/kg/min or more", "Alerts"):
        assert expected in text
    assert "01 Jan 18:00 | 61 | - | - | -" in text
    assert DISCLAIMER in text


def test_naive_reading_time_is_refused_naming_the_field() -> None:
    naive = HandoverReading(at=datetime(2026, 1, 1, 19, 0), map_mmhg=60.0)
    with pytest.raises(InputError, match="reading time: the time has no time zone"):
        build([naive])


def test_non_positive_weight_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError, match="patient weight"):
        build([], patient=PatientDetails(weight_kg=0.0, population="adult"))


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(26.30, 2, "26.3"), (7.0, 2, "7"), (0.125, 3, "0.125"), (-0.0001, 2, "0"), (63.0, 0, "63")],
)
def test_numbers_are_written_without_trailing_zeros(value: float, decimals: int, expected: str) -> None:
    assert format_number(value, decimals) == expected
