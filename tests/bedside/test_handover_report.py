"""The handover report's content read from a bedside session (Qt-free).

The session and its hand-computed figures: tests/bedside/handover_session.py (read in Paris, UTC+1).
"""

from __future__ import annotations

from norepi_gui.bedside.handover import escalations_considered, handover_report
from norepi_gui.bedside.inputs import Unavailable
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Advice
from tests.bedside.handover_session import LABEL, NOT_APPLIED, PARIS, T0, at, build


def headline(advice: Advice) -> str:
    return f"{advice.action.value} {advice.dose_mcg_per_kg_per_min:g}"


def test_the_report_names_patient_bed_nurses_order_and_infusion() -> None:
    session, _clock = build()
    data = handover_report(session, advice_text=headline, tz=PARIS)
    assert dict(data.header_rows) == {"Patient": LABEL, "Bed": "ICU 4", "Nurse on duty": "CD since 01 Jan 09:10",
                                      "Handovers": "01 Jan 09:10 AB to CD"}
    assert dict(data.patient_rows)["Line and dwell"] == "central, inserted 2025-12-31 13:00 CET, in place 21 h 00 min"
    order = dict(data.order_rows)
    assert order["Step size"] == "up to 0.05 mcg/kg/min per change"
    assert order["Prescriber"] == "Dr Lee"
    infusion = dict(data.infusion_rows)
    assert infusion["Running dose"] == "0.15 mcg/kg/min (10.5 mcg/min) since 01 Jan 09:06"
    assert infusion["Pump rate"] == "39.4 mL/h"
    # 250 mL - 26.3 mL/h x 0.1 h - 39.4 mL/h x 0.9 h = 211.91 mL; 211.91 / 39.4 = 5.378 h: empty 15:22 Paris
    assert infusion["Bag left"] == "212 mL; next bag by 01 Jan 15:22 (empty in 5 h 22 min)"
    assert infusion["Co-infusions"] == "vasopressin 0.03 U/min since 09:40"
    assert data.advice_heading == "Decision support at 01 Jan 10:00 (not an order)"
    assert data.advice_text == "hold 0.15"


def test_the_report_carries_the_quality_figures_and_the_flowsheet() -> None:
    session, _clock = build()
    data = handover_report(session, advice_text=headline, tz=PARIS)
    quality = {row[0]: row[1:] for row in data.quality_rows}
    assert quality["In band 65\u201375 mmHg"] == ("57 %", "68 %", "57 %")  # 34/60, 34/50, 34/60
    assert quality["Below target 65"] == ("20 %", "4 %", "20 %")
    assert quality["Below floor 60"] == ("10 %", "0 %", "10 %")
    assert quality["Checks on time / late / missed"] == ("3 / 2 / 1", "2 / 2 / 1", "3 / 2 / 1")
    assert quality["Dose changes (per hour)"] == ("2 (2.0/h)", "0 (0.0/h)", "2 (2.0/h)")
    refused = next(line for line in data.flowsheet if line.kind == "check")
    assert refused.cells[0] == "09:26" and refused.cells[8].endswith(NOT_APPLIED)
    assert data.flowsheet[-1].summary and data.flowsheet[-1].cells[:2] == ("09:45\u201309:55", "69\u201371")
    chart = data.chart
    assert chart is not None and chart.readings[0] == (T0, 58.0) and chart.band == (65.0, 75.0)
    assert {kind for _t, kind, _x in chart.markers} == {"titration", "co_infusion", "handover", "not_applied"}


def test_escalations_considered_say_what_was_done() -> None:
    session, _clock = build()
    store_events = session.store.events(session.info.id if session.info else 0)
    assert EventKind.ADVICE in {e.kind for e in store_events}
    advice = session.advice
    assert not isinstance(advice, Unavailable)
    # The session never suggested an escalation (NE 0.15 < 0.25): a suggestion is planted in an advice record.
    shown = session.state.advice_events[3]
    shown.payload["escalations"] = [{"code": "ADD_VASOPRESSIN", "reason": "NE >= 0.25", "rule": "ESC-VASOPRESSIN"}]
    lines = escalations_considered(session.state, advice, at(0), PARIS)
    assert [(line.name, line.outcome) for line in lines] == [("Add vasopressin", "vasopressin started 09:40")]
