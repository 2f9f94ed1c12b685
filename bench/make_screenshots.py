"""Screenshots of the real bedside window for the README: docs/screenshots/{main,prompt-due,escalation}.png.

Builds ``MainWindow(data_dir=<temporary folder>, clock=ManualClock(...))`` offscreen (or under Xvfb: set
QT_QPA_PLATFORM=xcb), then drives it the way a nurse does: weight, bag and dose typed in, a MAP reading typed and
recorded with Enter at every check, the advice applied when it changes the dose. The clock is moved by hand, so a
shift of readings takes a second. The MAP values are an invented training course, not patient data.

Run:  .venv/bin/python bench/make_screenshots.py [--out docs/screenshots]
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

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget  # noqa: E402

from norepi_gui.core.clock import ManualClock  # noqa: E402
from norepi_gui.ui.main_window import MainWindow  # noqa: E402

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
WINDOW_SIZE = (1440, 900)
# A made-up course: hypotensive at the start, brought into range, stable, then worsening (for the escalation shot).
OPENING_MAPS = (58, 61, 63, 66, 69, 71, 70, 69, 71, 70, 72, 70, 69, 71)
WORSENING_MAPS = (62, 59, 57, 56, 55, 55, 54, 54)


def find(window: MainWindow, kind: type[QWidget], name: str) -> QWidget:
    widget = window.findChild(kind, name)
    if widget is None:
        raise LookupError(f"the window has no {kind.__name__} named {name!r}")
    return widget


def type_into(window: MainWindow, name: str, text: str, *, enter: bool = True) -> None:
    edit = find(window, QLineEdit, name)
    assert isinstance(edit, QLineEdit)
    edit.clear()
    QTest.keyClicks(edit, text)
    if enter:
        QTest.keyClick(edit, Qt.Key.Key_Return)
    QApplication.processEvents()


def start_infusion(window: MainWindow) -> None:
    type_into(window, "weightInput", "70")
    select = find(window, QComboBox, "concentrationSelect")
    assert isinstance(select, QComboBox)
    index = select.findData(16.0)  # 4 mg in 250 mL = 16 mcg/mL, from the protocol's standard list
    if index < 0:
        raise LookupError("the protocol lists no 16 mcg/mL concentration")
    select.setCurrentIndex(index)
    select.activated.emit(index)
    type_into(window, "doseInput", "0.1")


def advance_to_due(window: MainWindow, clock: ManualClock, extra_s: float = 20.0) -> None:
    due = window.state.due_at
    target = (due if due is not None else clock.now() + timedelta(minutes=15)) + timedelta(seconds=extra_s)
    if target > clock.now():
        clock.set(target)
    window.tick()
    QApplication.processEvents()


def reading_and_advice(window: MainWindow, clock: ManualClock, map_mmhg: int) -> bool:
    """At the check: record the MAP (Enter), then set the pump to the advice when it changes the dose.

    Returns True (and applies nothing) once the advice suggests an escalation: the screenshot is taken there.
    """
    advance_to_due(window, clock)
    type_into(window, "mapInput", str(map_mmhg))
    advice = window.state.last_advice
    payload = advice.payload if advice is not None else {}
    if payload.get("escalations"):
        return True
    if str(payload.get("action", "")) in ("increase", "decrease", "start", "taper_off"):
        clock.advance(minutes=1)
        window.apply_advice()
    window.tick()
    QApplication.processEvents()
    return False


def save(window: MainWindow, path: Path) -> None:
    QApplication.processEvents()
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="norepi-screens-") as folder:
        clock = ManualClock(START)
        window = MainWindow(data_dir=Path(folder), clock=clock)
        window.confirm = lambda _title, _text: True  # the confirmation dialogs answer yes
        window.resize(*WINDOW_SIZE)
        window.show()
        QTest.qWaitForWindowExposed(window)
        window.ticker.stop()  # the clock moves only when this script says so

        start_infusion(window)
        for map_mmhg in OPENING_MAPS:
            reading_and_advice(window, clock, map_mmhg)
        clock.advance(minutes=2)
        window.tick()
        save(window, out / "main.png")

        advance_to_due(window, clock, extra_s=90.0)
        save(window, out / "prompt-due.png")

        for map_mmhg in WORSENING_MAPS:
            if reading_and_advice(window, clock, map_mmhg):
                break
        else:
            raise RuntimeError("the worsening course never led to an escalation suggestion")
        clock.advance(minutes=1)
        window.tick()
        save(window, out / "escalation.png")
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
