"""Screenshots of the real bedside window for the README, at 1366x768 and 1280x800 (docs/screenshots/).

A long night shift is filled from the simulator, so the screenshots show what seven hours look like without waiting:
the virtual patient of a training scenario (``septic_responsive``: septic shock, a bleed at 5 h) is stepped on a
ManualClock, and at every check the script does what a nurse does in the bedside window: reads the MAP and heart rate
off the patient and types them into the MAP field with Enter, records the hour's lactate and urine output as a
perfusion entry, applies the advice when it changes the dose (the pump setting is confirmed), and hangs a new bag when
the reminder comes. The patient then receives what was recorded (``TrainingRun.sync``). Nothing is staged by hand but
the moments the pictures are taken:

- ``main-day``, ``main-night``: the window after seven hours, no alarm; then night mode (View > Night mode);
- ``prompt-due``: the next check falls due;
- ``high-alarm``: the check left unanswered until it is high priority;
- ``bag-alarm``: the bag read at 8 mL: it runs out before the next check;
- ``keyboard``: Help > Keyboard (F1) over the window.

Run:  .venv/bin/python bench/make_screenshots.py [--out docs/screenshots]   (offscreen; QT_QPA_PLATFORM=xcb under Xvfb)
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

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget  # noqa: E402

from norepi_gui.core.clock import ManualClock  # noqa: E402
from norepi_gui.core.events import EventKind  # noqa: E402
from norepi_gui.sim.scenario import default_scenario_dir, load_scenario_file  # noqa: E402
from norepi_gui.sim.training import TrainingRun  # noqa: E402
from norepi_gui.ui.main_window import MainWindow  # noqa: E402

START = datetime(2026, 1, 1, 19, 0, tzinfo=UTC)  # a night shift
SHIFT_HOURS = 7.0
SIZES = ((1366, 768), (1280, 800))
SCENARIO = "septic_responsive"
SEED = 7
NURSE_DELAY_S = 40  # the nurse takes the reading this long after the check falls due


def find(window: QWidget, kind: type[QWidget], name: str) -> QWidget:
    widget = window.findChild(kind, name)
    if widget is None:
        raise LookupError(f"the window has no {kind.__name__} named {name!r}")
    return widget


def type_into(window: QWidget, name: str, text: str, *, enter: bool = True) -> None:
    edit = find(window, QLineEdit, name)
    assert isinstance(edit, QLineEdit)
    edit.clear()
    QTest.keyClicks(edit, text)
    if enter:
        QTest.keyClick(edit, Qt.Key.Key_Return)
    QApplication.processEvents()


def choose(window: QWidget, name: str, data: object) -> None:
    select = find(window, QComboBox, name)
    assert isinstance(select, QComboBox)
    index = select.findData(data)
    if index < 0:
        raise LookupError(f"{name} offers no {data!r}")
    select.setCurrentIndex(index)
    select.activated.emit(index)
    QApplication.processEvents()


class Shift:
    """The bedside window and the virtual patient, kept in step on one ManualClock."""

    def __init__(self, folder: Path, size: tuple[int, int]) -> None:
        self.clock = ManualClock(START)
        self.window = MainWindow(data_dir=folder, clock=self.clock)
        self.window.confirm = lambda _title, _text: True  # every confirmation (the pump setting, ...) answered yes
        self.window.resize(*size)
        self.window.show()
        QTest.qWaitForWindowExposed(self.window)
        self.window.ticker.stop()  # the clock moves only when this script says so
        self.window.view_settings.night_mode = "day"
        self.window._apply_theme()
        scenario = load_scenario_file(default_scenario_dir() / f"{SCENARIO}.toml")
        self.run = TrainingRun(scenario, start=START, seed=SEED)
        self.scenario = scenario

    def events(self) -> list:  # type: ignore[type-arg]
        session = self.window.session
        return [] if session is None else self.window.bedside.store.events(session.id)

    def start(self) -> None:
        """The handover: weight, line, bag and the running dose, typed in as a nurse would."""
        patient, infusion = self.scenario.patient, self.scenario.infusion
        w = self.window
        type_into(w, "weightInput", f"{self.run.weight_kg:.0f}")
        inserted = START - timedelta(hours=patient.line_hours)
        type_into(w, "lineInsertedInput", inserted.astimezone().strftime("%Y-%m-%d %H:%M"))
        choose(w, "concentrationSelect", float(infusion.concentration_mcg_per_ml))
        type_into(w, "bagVolumeInput", f"{infusion.bag_volume_ml:g}")
        type_into(w, "doseInput", f"{infusion.start_dose_mcg_per_kg_per_min:g}")
        self.run.baseline(self.events())
        self.tick()

    def tick(self) -> None:
        self.run.advance_to(self.clock.now())
        self.window.tick()
        QApplication.processEvents()

    def go_to(self, when: datetime) -> None:
        if when > self.clock.now():
            self.clock.set(when)
        self.tick()

    def check(self, *, apply: bool = True) -> None:
        """At the due check: the reading typed in; the hour's perfusion markers; the advice applied."""
        w, run = self.window, self.run
        due = w.bedside.prompt.due_at or self.clock.now() + timedelta(minutes=15)
        self.go_to(due + timedelta(seconds=NURSE_DELAY_S))
        reading = run.monitor_reading()
        if self.clock.now().minute < 15 and self.clock.now() - START > timedelta(minutes=50):
            type_into(w, "lactateInput", f"{reading.lactate_mmol_per_l:.1f}", enter=False)
            type_into(w, "urineInput", f"{reading.urine_ml_per_kg_per_h:.2f}")  # a perfusion entry, no pressure
        type_into(w, "hrInput", f"{reading.hr_per_min:.0f}", enter=False)
        type_into(w, "mapInput", f"{reading.map_mmhg:.0f}")
        if apply and w.titration.apply_button.isEnabled():
            self.clock.advance(seconds=50)
            w.action_apply_advice.trigger()
        alarm = w.bedside.alarm_state.of_source("bag")
        if alarm is not None:  # the reminder: the next bag is hung
            w.controller.hang_new_bag(self._new_bag())
        run.sync(self.events())
        self.tick()

    def _new_bag(self):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        bag = self.window.state.bag
        assert bag is not None
        return replace(bag, bag_volume_ml=self.scenario.infusion.bag_volume_ml, hung=True)


def save(widget: QWidget, path: Path, overlay: QWidget | None = None) -> None:
    QApplication.processEvents()
    image = widget.grab().toImage()
    if overlay is not None:  # a dialog over the window, where the window manager would put it
        top = overlay.grab().toImage()
        painter = QPainter(image)
        painter.drawImage(QPoint((image.width() - top.width()) // 2, (image.height() - top.height()) // 2), top)
        painter.end()
    if not image.convertToFormat(QImage.Format.Format_RGB32).save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def shoot(out: Path, size: tuple[int, int]) -> None:
    suffix = f"{size[0]}x{size[1]}"
    with tempfile.TemporaryDirectory(prefix="norepi-screens-") as folder:
        shift = Shift(Path(folder), size)
        w = shift.window
        shift.start()
        w.tabs.setCurrentIndex(0)  # the Infusion tab in front, as during a shift
        while shift.clock.now() - START < timedelta(hours=SHIFT_HOURS):
            shift.check()
        w.alarm_area.steady()
        save(w, out / f"main-day-{suffix}.png")
        w.action_night_mode.trigger()
        w.alarm_area.steady()
        save(w, out / f"main-night-{suffix}.png")
        w.action_night_mode.trigger()

        due = w.bedside.prompt.due_at
        assert due is not None
        shift.go_to(due + timedelta(seconds=70))
        w.alarm_area.steady()
        save(w, out / f"prompt-due-{suffix}.png")
        shift.go_to(due + timedelta(minutes=6))  # left unanswered: high after intervals.overdue_high 5 min
        w.alarm_area.steady()
        save(w, out / f"high-alarm-{suffix}.png")

        shift.check(apply=True)
        type_into(w, "bagVolumeInput", "8")  # the nurse reads the bag: 8 mL left
        w.alarm_area.steady()
        save(w, out / f"bag-alarm-{suffix}.png")

        w.action_keyboard.trigger()
        sheet = w.keyboard_sheet
        sheet.resize(min(760, size[0] - 80), min(600, size[1] - 80))
        QApplication.processEvents()
        save(w, out / f"keyboard-{suffix}.png", overlay=sheet)
        sheet.close()
        readings = sum(1 for e in shift.events() if e.kind is EventKind.READING)
        print(f"  {suffix}: {readings} readings over {SHIFT_HOURS:g} h")
        w.close()
        QApplication.processEvents()


def screenshot_folder(description: str | None) -> Path:
    """Read ``--out`` (default docs/screenshots) from the command line, create that folder and the application
    (Fusion style, as in the screenshots); return the folder."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    return out


def main() -> int:
    out = screenshot_folder(__doc__)
    for size in SIZES:
        shoot(out, size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
