"""Screenshots of training for the docs: docs/screenshots/{instructor-console,debrief-timeline,debrief,class-table}.png.

Builds the real training window offscreen on a temporary data folder with a ManualClock, and plays a trainee who
charts at each due check, sets the pump to the advice, starts the escalations the advice calls due and answers the
bedside cues; the instructor injects a bleed from the console. The class table collects the debriefs of four such
trainees (different patient variants and habits). Everything is simulated; nothing is patient data.

Run:  .venv/bin/python bench/make_training_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from norepi_gui.bedside.inputs import Unavailable  # noqa: E402
from norepi_gui.core.clock import ManualClock  # noqa: E402
from norepi_gui.sim.events import make_event  # noqa: E402
from norepi_gui.ui.class_table import ClassTableDialog  # noqa: E402
from norepi_gui.ui.main_window import MainWindow  # noqa: E402
from norepi_gui.ui.timeline_plot import render_timeline  # noqa: E402
from norepi_gui.ui.training_panel import TrainingController  # noqa: E402

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def yes(_title: str, _text: str) -> bool:
    return True


def window_at(data: Path) -> tuple[MainWindow, TrainingController, ManualClock]:
    clock = ManualClock(START)
    window = MainWindow(data_dir=data, clock=clock, training=True)
    window.confirm = yes  # type: ignore[method-assign]
    window.bedside.confirm = yes
    controller = window.training_controller
    assert controller is not None
    return window, controller, clock


def play(window: MainWindow, controller: TrainingController, clock: ManualClock, until_min: float, *,
         careful: bool = True, answer_cues: bool = True, delay_min: float = 0.5) -> None:
    """Chart at each due check, apply dose advice, start due escalations, answer the bedside cues."""
    run = controller.run
    assert run is not None
    while run.elapsed_min < until_min - 1e-9 and controller.run is not None:
        due = window.bedside.prompt.due_at
        target = (due + timedelta(minutes=delay_min)) if due is not None else clock.now() + timedelta(minutes=10)
        target = max(target, clock.now() + timedelta(minutes=1))
        target = min(target, START + timedelta(minutes=until_min))
        base = window.clock.base if hasattr(window.clock, "base") else clock
        controller.clock.jump_to(target)
        del base
        window.tick()
        QApplication.processEvents()
        controller.chart_reading()
        advice = window.bedside.advice
        if not isinstance(advice, Unavailable):
            if advice.action.changes_dose and careful:
                window.controller.apply_advice()
            running = window.bedside.state.active_co_infusions
            for e in advice.escalations:
                if e.code == "ADD_VASOPRESSIN" and "vasopressin" not in running:
                    window.controller.co_infusion("vasopressin", "start", 0.03, "U/min")
        if answer_cues:
            texts = " ".join(c.text for c in run.cues())
            if "bag empty" in texts or (window.bedside.bag_left_ml() or 999.0) < 30.0:
                controller.bedside_action("CHANGE_BAG")
            if "swollen" in texts and "RESITE_LINE" not in [a.kind for a in run.actions]:
                controller.bedside_action("RESITE_LINE")
                controller.bedside_action("GIVE_PHENTOLAMINE")
            if run.sim.damped_until[0] > run.elapsed_min and "damped_line" in run.sim.active(0):
                controller.bedside_action("FLUSH_LINE")
            if "bleeding" in run.sim.active(0) and "FLUID_BOLUS" not in [a.kind for a in run.actions]:
                controller.bedside_action("FLUID_BOLUS", 500.0)
        QApplication.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        window, controller, clock = window_at(folder / "data")
        window.resize(1440, 900)
        window.show()
        controller.start("septic_responsive", speed=10, seed=2, trainee="A. Trainee")
        console = controller.open_console()
        console.set_pin("2468")
        console.unlock("2468")
        console.move(20, 20)
        play(window, controller, clock, 95.0)
        console.snapshot_button.click()
        controller.inject(make_event("sedation_bolus"))
        play(window, controller, clock, 110.0)
        console.panel.select_kind("bleeding", 25.0)
        controller.clock.pause()
        window.tick()
        controller._show_state()  # bring the console up to date for the picture
        QApplication.processEvents()
        console.resize(1080, 800)
        console.grab().save(str(args.out / "instructor-console.png"))
        controller.resume_time()
        play(window, controller, clock, 480.0)
        result = controller.end()
        assert result is not None and result.timeline is not None
        render_timeline(result.timeline).save(str(args.out / "debrief-timeline.png"))
        dialog = controller.debrief_dialog
        assert dialog is not None
        dialog.resize(1000, 1100)
        QApplication.processEvents()
        dialog.grab().save(str(args.out / "debrief.png"))
        debriefs = folder / "debriefs"
        debriefs.mkdir()
        dialog.export_metrics(debriefs / "a-trainee.json")
        dialog.close()

        kept: list[MainWindow] = [window]
        for who, scenario, seed, careful in (("B. Trainee", "septic_responsive", 5, False),
                                             ("C. Trainee", "peripheral_extravasation", 1, True),
                                             ("D. Trainee", "peripheral_extravasation", 4, False)):
            w, c, k = window_at(folder / who)
            c.start(scenario, speed=10, seed=seed, trainee=who)
            play(w, c, k, 240.0 if scenario == "peripheral_extravasation" else 480.0, careful=careful,
                 answer_cues=careful, delay_min=1.0 if careful else 4.0)
            r = c.end()
            assert r is not None and c.debrief_dialog is not None
            c.debrief_dialog.export_metrics(debriefs / f"{who.replace('. ', '-').lower()}.json")
            c.debrief_dialog.close()
            kept.append(w)
        table = ClassTableDialog()
        table.add_files(sorted(debriefs.glob("*.json")))
        table.resize(1420, 330)
        table.show()
        QApplication.processEvents()
        table.grab().save(str(args.out / "class-table.png"))
        table.close()
        for w in kept:  # closed and deleted through the event loop, before the interpreter tears Qt down
            w.close()
            w.deleteLater()
        table.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del app
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
