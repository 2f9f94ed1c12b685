"""The handover report's content: built from plain inputs with an injected clock, no Qt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from norepi_gui import DISCLAIMER
from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.flowsheet import DOSE, READING, FlowsheetRow
from norepi_gui.core.handover import (
    AdviceDetails,
    ChartInput,
    EscalationLine,
    HandoverData,
    InfusionDetails,
    NurseDetails,
    PatientDetails,
    build_handover,
    chart_data,
    format_number,
    zone_text,
)

NOW = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1), "CET")

PATIENT = PatientDetails(
    weight_kg=70.0,
    population="adult",
    flags=("age 65 or over",),
    line="peripheral",
    line_inserted_at=datetime(2026, 1, 1, 6, 30, tzinfo=UTC),
    line_max_hours=24.0,
    label="Bed 4, J. Doe",
    bed="ICU 4",
)
INFUSION = InfusionDetails(
    concentration="8 mg bitartrate in 250 mL = 16 mcg/mL base",
    salt="bitartrate",
    dose_mcg_per_min=7.0,  # 0.1 mcg/kg/min x 70 kg
    pump_rate_ml_per_h=26.3,  # 7 mcg/min x 60 / 16 mcg/mL = 26.25, shown by the pump as 26.3
    dose_mcg_per_kg_per_min=0.1,
    bag_left_ml=131.5,  # 131.5 / 26.3 = 5 h exactly
    running_since=NOW - timedelta(hours=2),
    co_infusions=("vasopressin 0.03 U/min since 18:10",),
)
ADVICE = AdviceDetails(
    text="Increase to 0.12 mcg/kg/min",
    rationale="MAP 58 is below the 65 target",
    rule_ids=("R-UP",),
    next_check_at=NOW + timedelta(minutes=5),
)


def build(rows: list[FlowsheetRow], **overrides: object) -> HandoverData:
    arguments: dict[str, object] = {
        "patient": PATIENT,
        "infusion": INFUSION,
        "advice": ADVICE,
        "escalations": [EscalationLine("Add vasopressin", "NE 0.25 mcg/kg/min or more", NOW - timedelta(hours=1),
                                       "vasopressin started 19:10")],
        "alerts": [],
        "flowsheet": rows,
        "protocol_name": "Adult default",
        "protocol_version": "1.2",
        "clock": ManualClock(NOW),
        "nurse": NurseDetails("CD", NOW - timedelta(hours=1), ((NOW - timedelta(hours=1), "AB to CD"),)),
        "tz": CET,
    }
    arguments.update(overrides)
    return build_handover(**arguments)  # type: ignore[arg-type]


def reading(hours_before_now: float, map_mmhg: float = 65.0, **kw: object) -> FlowsheetRow:
    return FlowsheetRow(at=NOW - timedelta(hours=hours_before_now), kind=READING, event="Reading", map_mmhg=map_mmhg,
                        initials="CD", **kw)  # type: ignore[arg-type]


def test_only_rows_of_the_last_12_hours_are_listed_oldest_first_in_local_time() -> None:
    data = build([reading(1, 60), reading(13, 50), reading(12, 55), reading(0.5, 62), reading(-1, 70)],
                 block_charting=False)
    # 20:00 - 12 h = 08:00 UTC is inside the window; 07:00 (13 h) and 21:00 (after the report) are not
    assert [line.cells[0] for line in data.flowsheet] == ["09:00", "20:00", "20:30"]  # CET = UTC + 1
    assert [line.cells[1] for line in data.flowsheet] == ["55", "60", "62"]
    assert data.rows_left_out == 2
    assert data.flowsheet_heading == "Flowsheet, last 12 h (2026-01-01 09:00 CET to 2026-01-01 21:00 CET)"


def test_the_time_zone_is_named_and_never_utc_when_the_zone_is_another() -> None:
    data = build([reading(1)])
    assert data.generated_at_text == "2026-01-01 21:00 CET"
    assert data.zone_text == "Times are local (CET, UTC+01:00)"
    assert "UTC " not in data.plain_text().replace("UTC+01:00", "")
    assert zone_text(NOW, UTC) == "Times are local (UTC, UTC+00:00)"


def test_the_header_names_patient_bed_nurse_and_handovers() -> None:
    assert build([]).header_rows == (
        ("Patient", "Bed 4, J. Doe"),
        ("Bed", "ICU 4"),
        ("Nurse on duty", "CD since 01 Jan 20:00"),
        ("Handovers", "01 Jan 20:00 AB to CD"),
    )


def test_patient_and_infusion_rows_give_dwell_salt_bag_and_next_bag() -> None:
    data = build([])
    assert dict(data.patient_rows)["Line and dwell"] == \
        "peripheral, inserted 2026-01-01 07:30 CET, in place 13 h 30 min (limit 24 h)"  # 06:30 to 20:00 UTC
    rows = dict(data.infusion_rows)
    assert rows["Concentration"] == ("8 mg bitartrate in 250 mL = 16 mcg/mL base (vial labelled as bitartrate: "
                                     "converted, every dose is base)")
    assert rows["Running dose"] == "0.1 mcg/kg/min (7 mcg/min) since 01 Jan 19:00"
    assert rows["Pump rate"] == "26.3 mL/h"
    assert rows["Bag left"] == "132 mL; next bag by 02 Jan 02:00 (empty in 5 h 00 min)"  # 21:00 CET + 5 h
    assert rows["Co-infusions"] == "vasopressin 0.03 U/min since 18:10"


def test_advice_is_labelled_as_decision_support_valid_until_the_next_check() -> None:
    data = build([])
    assert data.advice_heading == "Decision support at 01 Jan 21:00 (not an order)"
    assert data.advice_rows == (
        ("Why", "MAP 58 is below the 65 target"),
        ("Rules", "R-UP"),
        ("Valid until", "the next check at 01 Jan 21:05"),
    )
    assert data.escalation_rows == (
        "Add vasopressin (first suggested 01 Jan 20:00): NE 0.25 mcg/kg/min or more; vasopressin started 19:10",)


def test_alerts_are_listed_highest_priority_first() -> None:
    alerts = [
        Alert("BAG", Priority.LOW, "Bag empty in 3 h"),
        Alert("EXTRAV", Priority.HIGH, "Check the peripheral site"),
        Alert("SOFT", Priority.MEDIUM, "Dose above the usual range"),
    ]
    data = build([], alerts=alerts)
    assert [a.code for a in data.alerts] == ["EXTRAV", "SOFT", "BAG"]


def test_a_flowsheet_row_shows_pressures_perfusion_dose_rate_and_who() -> None:
    row = reading(0, 63.3, sbp_mmhg=90.0, dbp_mmhg=50.0, hr_per_min=104.0, lactate_mmol_per_l=2.4,
                  urine_ml_per_kg_per_h=0.3, ne_mcg_per_kg_per_min=0.12, ne_mcg_per_min=8.4, rate_ml_per_h=31.5,
                  co_infusions="vasopressin 0.03 U/min")
    change = FlowsheetRow(at=NOW, kind=DOSE, event="Norepinephrine 0.10 -> 0.12 mcg/kg/min",
                          reason="advice applied: MAP 58 < target 65", initials="CD")
    data = build([row, change])
    assert data.flowsheet[0].cells == ("21:00", "63", "90/50", "104", "lactate 2.4; urine 0.3", "0.12 (8.4)", "31.5",
                                       "vasopressin 0.03 U/min", "", "CD")
    assert data.flowsheet[1].cells[8] == "Norepinephrine 0.10 -> 0.12 mcg/kg/min; advice applied: MAP 58 < target 65"


def test_stable_readings_are_summarised_as_a_marked_block() -> None:
    rows = [reading(h, 70.0, in_band=True, ne_mcg_per_kg_per_min=0.1, rate_ml_per_h=26.3) for h in (3, 2, 1, 0)]
    data = build(rows)
    assert len(data.flowsheet) == 1 and data.flowsheet[0].summary and data.summaries == 1
    assert data.flowsheet[0].cells[0] == "18:00\u201321:00"
    assert data.flowsheet[0].cells[8] == "Summary (block charting): 4 readings, MAP 70\u201370 in band, no change"


def test_the_chart_is_zoomed_to_the_data_with_local_ticks() -> None:
    chart = ChartInput(readings=((NOW - timedelta(minutes=20), 60.0), (NOW - timedelta(minutes=5), 70.0)),
                       doses=((NOW - timedelta(hours=5), 0.1), (NOW - timedelta(minutes=15), 0.15)),
                       band=(65.0, 75.0), floor=60.0, since=NOW - timedelta(hours=8))
    data = chart_data(chart, NOW, NOW - timedelta(hours=12), CET)
    assert data is not None
    # data from 19:40: 20 min of data, drawn 30 min wide (the minimum) with 3 % either side
    assert data.start == NOW - timedelta(minutes=30, seconds=54) and data.end == NOW + timedelta(seconds=54)
    assert [text for _t, text in data.ticks] == ["20:30", "20:35", "20:40", "20:45", "20:50", "20:55", "21:00"]
    assert (data.map_low, data.map_high) == (50.0, 80.0)  # 60 - 5 down to 50, 75 + 5 up to 80
    assert data.doses[0] == (data.start, 0.1) and data.doses[-1] == (data.end, 0.15)
    assert data.dose_high == 0.2  # 0.15 x 1.25 = 0.1875 -> 0.2


def test_plain_text_carries_every_section_and_the_disclaimer() -> None:
    text = build([reading(2, 61)]).plain_text()
    for expected in ("Patient", "Titration order", "Infusion", "Decision support at", "Escalations considered",
                     "Alerts", "Quality figures"):
        assert expected in text
    assert "19:00 | 61 |" in text
    assert DISCLAIMER in text


def test_naive_times_are_refused_naming_the_field() -> None:
    naive = FlowsheetRow(at=datetime(2026, 1, 1, 19, 0), kind=READING, event="Reading", map_mmhg=60.0)
    with pytest.raises(InputError, match="flowsheet time: the time has no time zone"):
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
