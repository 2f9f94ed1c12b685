"""Screenshots of the handover PDF for the README: docs/screenshots/handover-page1.png and handover-page3.png.

Records an invented seven-hour training course (not patient data) through the bedside layer, as a nurse would: a
sign-on, the order, the infusion, a reading at every check (some late), the advice applied when it changes the dose
(once not applied, with the reason), a handover, vasopressin when the advice suggests it. Then writes the handover
PDF with Qt's writer, as File > Export PDF handover does, and renders pages 1 (who, the order, the infusion) and 3
(the chart and the start of the flowsheet) with pdftoppm (poppler).
Times are read in Europe/Paris so the pages show local times with their zone.

Run:  .venv/bin/python bench/make_handover_screenshots.py [--out docs/screenshots] [--pdf handover.pdf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from norepi_gui.bedside.inputs import Unavailable  # noqa: E402
from norepi_gui.bedside.memory import MemoryStore  # noqa: E402
from norepi_gui.bedside.records import BagRecord, PatientRecord  # noqa: E402
from norepi_gui.bedside.session import BedsideSession  # noqa: E402
from norepi_gui.core.clock import ManualClock  # noqa: E402
from norepi_gui.core.dosing import DoseRate, parse_concentration  # noqa: E402
from norepi_gui.core.infusion import InfusionRequest, summarise_infusion  # noqa: E402
from norepi_gui.core.order import TitrationOrder  # noqa: E402
from norepi_gui.core.protocol import LineType, load_protocol  # noqa: E402
from norepi_gui.core.titration import Reading  # noqa: E402
from norepi_gui.core.units import DoseBasis, Q  # noqa: E402

START = datetime(2026, 1, 1, 5, 30, tzinfo=UTC)  # 06:30 in Paris
HOURS = 7.0
ZONE = ZoneInfo("Europe/Paris")
PAGES = (1, 3)
# The invented patient: MAP = baseline + response x dose (mmHg per mcg/kg/min), the baseline worsening mid-course.
RESPONSE = 120.0
VASOPRESSIN_MMHG = 8.0  # the invented patient's MAP gain from vasopressin 0.03 U/min
NOISE = (2, -1, 0, 3, -2, 1, 0, -3, 2, 1, -1, 0)
LATE_MIN = (0, 1, 0, 0, 3, 0, 1, 0, 6, 0, 0, 2)


def baseline(hours: float) -> float:
    if hours < 2.5:
        return 52.0
    if hours < 4.0:
        return 33.0
    return 49.0


def build(clock: ManualClock) -> BedsideSession:
    store = MemoryStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=lambda _t, _x: True)
    session.new_session("Training patient 7 (invented)", nurse="AB", bed="ICU 4")
    session.set_patient(PatientRecord(weight_kg=80.0, weight_entered="80", age_years=62.0, line="central",
                                      line_inserted_at=START - timedelta(hours=30), arterial_line=True))
    session.set_bag(BagRecord(concentration_mcg_per_ml=16.0, description="4 mg base in 250 mL = 16 mcg/mL base",
                              amount_entered="4 mg", volume_entered="250 mL", bag_volume_ml=250.0))
    order = session.order_defaults()
    session.set_order(TitrationOrder(route=LineType.CENTRAL, start_dose=0.1, step=0.05, change_every_min=5.0,
                                     max_dose=0.5, goal_map_low=order.goal_map_low,
                                     goal_map_high=order.goal_map_high, floor_map=order.floor_map,
                                     prescriber="Dr Invented", defaults=order.defaults, review=("maximum",)))
    request = InfusionRequest(concentration=parse_concentration("16 mcg/mL"), weight=Q(80.0, "kg"),
                              dose=DoseRate.per_kg(0.1))
    session.set_dose(summarise_infusion(request, session.protocol), DoseBasis.PER_KG)
    return session


def run(session: BedsideSession, clock: ManualClock) -> None:
    end = START + timedelta(hours=HOURS)
    step = 0
    handed_over = not_applied = False
    while True:
        due = session.prompt.due_at or clock.now() + timedelta(minutes=5)
        at = max(due + timedelta(minutes=LATE_MIN[step % len(LATE_MIN)]), clock.now())
        if at > end:
            break
        clock.set(at)
        session.tick()
        hours = (at - START).total_seconds() / 3600.0
        if not handed_over and hours >= 3.0:
            session.hand_over("CD", note="MAP drifting down since 09:00; bag due late morning")
            handed_over = True
        left = session.bag_left_ml()
        if left is not None and left < 40.0:  # a new bag before this one runs dry
            session.set_bag(BagRecord(concentration_mcg_per_ml=16.0, bag_volume_ml=250.0, amount_entered="4 mg",
                                      volume_entered="250 mL", description="4 mg base in 250 mL = 16 mcg/mL base"))
        dose = session.running_dose_per_kg()
        vasopressin = VASOPRESSIN_MMHG if "vasopressin" in session.state.active_co_infusions else 0.0
        value = baseline(hours) + RESPONSE * dose + vasopressin + NOISE[step % len(NOISE)]
        session.record_reading(Reading(at=at, map_mmhg=round(value)))
        advice = session.advice
        if not isinstance(advice, Unavailable) and advice.action.changes_dose:
            if not not_applied and advice.action.value == "decrease" and hours > 5.0:
                session.answer_not_applied("surgeon asks to keep MAP up until the drain is out")
                not_applied = True
            else:
                session.apply_advice()
        advice = session.advice  # what the advice suggests beyond norepinephrine, the dose as it runs now
        if not isinstance(advice, Unavailable) and "ADD_VASOPRESSIN" in advice.escalation_codes() \
                and "vasopressin" not in session.state.active_co_infusions:
            session.co_infusion("vasopressin", "start", 0.03, "U/min")
        step += 1
    clock.set(end)
    session.tick()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--pdf", type=Path, default=None, help="also keep the PDF here")
    parser.add_argument("--dpi", type=int, default=90)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is needed to render the pages", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from norepi_gui.ui.handover import handover_data
    from norepi_gui.ui.report import write_handover_pdf

    clock = ManualClock(START)
    session = build(clock)
    run(session, clock)
    data = handover_data(session, "{:.1f}", ZONE)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "handover.pdf"
        write_handover_pdf(pdf, data)
        if args.pdf is not None:
            shutil.copyfile(pdf, args.pdf)
        args.out.mkdir(parents=True, exist_ok=True)
        for number in PAGES:
            stem = Path(folder) / f"page{number}"
            subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(args.dpi), "-f", str(number), "-l",
                            str(number), str(pdf), str(stem)], check=True)
            shutil.copyfile(stem.with_suffix(".png"), args.out / f"handover-page{number}.png")
            print(args.out / f"handover-page{number}.png")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
