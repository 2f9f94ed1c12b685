"""Line rules (LINE-*): peripheral 0.5 mcg/kg/min and 15 mcg/min, intraosseous 0.5 mcg/kg/min, 24 h; extravasation."""

from __future__ import annotations

from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.titration import PatientInfo
from tests.core.titration._support import r, run

PERIPHERAL = PatientInfo(70.0, line=LineType.PERIPHERAL)


def test_peripheral_dose_limit_per_kg_and_per_min() -> None:
    under = run([r(0, 70, 0.2)], patient=PERIPHERAL)  # 0.2 x 70 = 14 mcg/min <= 15
    over = run([r(0, 70, 0.22)], patient=PERIPHERAL)  # 0.22 x 70 = 15.4 mcg/min > 15
    assert "LINE_DOSE_LIMIT" not in under.alert_codes()
    assert "LINE_DOSE_LIMIT" in over.alert_codes() and "CENTRAL_LINE_NEEDED" in over.escalation_codes()
    assert "LINE-DOSE-LIMIT" in over.rules
    io = PatientInfo(70.0, line=LineType.INTRAOSSEOUS)  # no mcg/min cap on IO; "below 0.5" [seed 004]
    assert "LINE_DOSE_LIMIT" not in run([r(0, 70, 0.495)], patient=io).alert_codes()
    at_limit = run([r(0, 70, 0.5)], patient=io)  # exactly 0.5 is not below 0.5: over
    assert "LINE_DOSE_LIMIT" in at_limit.alert_codes()
    assert "0.50, not below 0.50 mcg/kg/min" in next(a.message for a in at_limit.alerts if a.code == "LINE_DOSE_LIMIT")
    central = run([r(0, 70, 0.8)])
    assert "LINE_DOSE_LIMIT" not in central.alert_codes()


def test_line_in_place_over_24_h_needs_central() -> None:
    day = run([r(0, 70, 0.1)], patient=PatientInfo(70.0, line=LineType.PERIPHERAL, line_hours=24))
    longer = run([r(0, 70, 0.1)], patient=PatientInfo(70.0, line=LineType.INTRAOSSEOUS, line_hours=24.5))
    assert "LINE_TIME_LIMIT" not in day.alert_codes()
    assert "LINE_TIME_LIMIT" in longer.alert_codes() and "CENTRAL_LINE_NEEDED" in longer.escalation_codes()
    assert "LINE-TIME-LIMIT" in longer.rules


def test_extravasation_pathway_adult_and_pediatric_doses() -> None:
    adult = run([r(0, 70, 0.1)], patient=PERIPHERAL)
    assert adult.extravasation is not None and "LINE-EXTRAVASATION" in adult.rules
    assert "phentolamine 5-10 mg in 10-15 mL saline" in adult.extravasation and "12 h" in adult.extravasation
    child = run([r(0, 70, 0.1)], patient=PatientInfo(20.0, population=Population.PEDIATRIC, line=LineType.INTRAOSSEOUS,
                                                     target_map_mmhg=60))
    assert child.extravasation is not None
    assert "= 2-4 mg for 20 kg" in child.extravasation  # 0.1-0.2 mg/kg x 20 kg
    big = run([r(0, 70, 0.1)], patient=PatientInfo(80.0, population=Population.PEDIATRIC, line=LineType.PERIPHERAL,
                                                   target_map_mmhg=60))
    assert big.extravasation is not None and "= 8-10 mg for 80 kg" in big.extravasation  # 8-16 capped at 10
    assert run([r(0, 70, 0.1)]).extravasation is None
