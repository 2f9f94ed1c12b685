"""Screenshots of the bedside monitor feed in the real window, for docs/monitor.md (docs/screenshots/).

The window listens on a free loopback port for bed ICU^12^A (patient HED12), and ``norepi-gui monitor-sim`` in a
separate process sends it two hours of the virtual patient (``septic_responsive``, seed 7, as in make_screenshots.py),
one PCD-01 message every 30 s, ten minutes at a time while the window's ManualClock is moved on. At every due check
the script does what a nurse does: F3 charts the monitor's summary (or, when there is none to chart, the MAP is
typed), the advice is applied when it changes the dose, a new bag is hung when it is due, and the patient receives
what was recorded. Then:

- ``monitor-live``: the window with the strip's live monitor tile and a due check offering the monitor's median;
- ``settings-monitor``: Settings > Monitor as it was filled in;
- ``monitor-diagnostics``: Bedside > Monitor diagnostics after another bed's messages were refused.

Run:  .venv/bin/python bench/make_monitor_screenshots.py [--out docs/screenshots]   (offscreen)
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_screenshots import START, Shift, save, screenshot_folder, type_into  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from norepi_gui.monitor.link import MonitorLink  # noqa: E402
from norepi_gui.monitor.settings import MonitorSettings  # noqa: E402
from norepi_gui.ui.settings_dialog import SettingsDialog  # noqa: E402

HOURS = 2.0
INTERVAL_S = 30.0
CHUNK = 20  # messages per monitor-sim run: ten minutes
BED, PATIENT = "ICU^12^A", "HED12"
SIZE = (1366, 768)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_sim(port: int, args: list[str]) -> str:
    """``monitor-sim`` in its own process while the window's event loop runs (it stores what it is handed)."""
    proc = subprocess.Popen([sys.executable, "-m", "norepi_gui", "monitor-sim", "--to", f"127.0.0.1:{port}",
                             "--speed", "0", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if proc.poll() is not None else None)
    timer.start(20)
    loop.exec()
    timer.stop()
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"monitor-sim failed: {err}")
    return out


def write_csv(path: Path, rows: list[tuple[datetime, float, float, float, float]], start: datetime) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["seconds", "map", "sbp", "dbp", "hr"])
        for at, *values in rows:
            writer.writerow([f"{(at - start).total_seconds():g}", *(f"{v:.0f}" for v in values)])


def main() -> int:
    out = screenshot_folder(__doc__)
    with tempfile.TemporaryDirectory(prefix="norepi-monitor-screens-") as folder:
        shift = Shift(Path(folder), SIZE)  # the window and the virtual patient on one ManualClock
        w, clock, run = shift.window, shift.clock, shift.run
        shift.start()
        settings = MonitorSettings(enabled=True, port=free_port(), link=MonitorLink(bed=BED, patient_id=PATIENT),
                                   max_messages_per_minute=600, burst_messages=100)
        w.view_settings.monitor = settings
        problem = w.start_monitor(settings)
        if problem:
            raise RuntimeError(problem)
        charted = typed = sent = 0
        t = clock.now()
        while t < START + timedelta(hours=HOURS):
            chunk_start, rows = t, []
            for _ in range(CHUNK):  # ten minutes of the patient's monitor, one value every 30 s
                t += timedelta(seconds=INTERVAL_S)
                run.advance_to(t)
                m = run.monitor_reading()
                sbp, dbp = (m.map_mmhg, m.map_mmhg) if m.artefact else (m.sbp_mmhg, m.dbp_mmhg)
                rows.append((t, m.map_mmhg, sbp, dbp, m.hr_per_min))
            clock.set(t)
            path = Path(folder) / "feed.csv"
            write_csv(path, rows, chunk_start)
            run_sim(settings.port, ["--bed", BED, "--patient", PATIENT, "--csv", str(path), "--start",
                                    chunk_start.isoformat()])
            sent += len(rows)
            shift.tick()
            if not w.state.readings or w.bedside.due_now():
                offer = w.bedside.monitor_offer()
                if offer is not None and offer.chartable:
                    w.chart_monitor_value()  # F3
                    charted += 1
                else:
                    type_into(w, "mapInput", f"{run.monitor_reading().map_mmhg:.0f}")
                    typed += 1
                if w.titration.apply_button.isEnabled():
                    clock.advance(seconds=20)
                    w.action_apply_advice.trigger()
                if w.bedside.alarm_state.of_source("bag") is not None:
                    w.controller.hang_new_bag(shift._new_bag())
                run.sync(shift.events())
                shift.tick()
        due = w.bedside.prompt.due_at  # the monitor runs on to the next check, which falls due
        if due is not None and due > clock.now():
            chunk_start, rows = clock.now(), []
            while t < due:
                t = min(due, t + timedelta(seconds=INTERVAL_S))
                run.advance_to(t)
                m = run.monitor_reading()
                rows.append((t, m.map_mmhg, m.sbp_mmhg, m.dbp_mmhg, m.hr_per_min))
            clock.set(t)
            write_csv(Path(folder) / "feed.csv", rows, chunk_start)
            run_sim(settings.port, ["--bed", BED, "--patient", PATIENT, "--csv", str(Path(folder) / "feed.csv"),
                                    "--start", chunk_start.isoformat()])
            sent += len(rows)
            shift.tick()
        QTest.qWait(200)  # the plot draws the last values gathered
        w.alarm_area.steady()
        save(w, out / f"monitor-live-{SIZE[0]}x{SIZE[1]}.png")

        dialog = SettingsDialog(dose_unit="mcg/kg/min", pump_resolution=0.1, sound_enabled=True, sound_volume=80,
                                protocol_path=None, protocol=w.protocol, monitor=w.view_settings.monitor, parent=w)
        assert dialog.monitor_page is not None
        dialog.tabs.setCurrentWidget(dialog.monitor_page)
        dialog.resize(640, 620)
        dialog.show()
        QTest.qWaitForWindowExposed(dialog)
        save(dialog, out / "settings-monitor.png")
        dialog.close()

        run_sim(settings.port, ["--bed", "ICU^14^B", "--count", "2", "--interval", "30", "--start",
                                (clock.now() - timedelta(minutes=2)).isoformat()])
        w.show_monitor_diagnostics()
        diagnostics = w.monitor_diagnostics
        diagnostics.resize(820, 600)
        QTest.qWaitForWindowExposed(diagnostics)
        diagnostics.refresh()
        save(diagnostics, out / "monitor-diagnostics.png")
        diagnostics.close()
        print(f"  {sent} messages over {HOURS:g} h; {charted} checks charted from the monitor, {typed} typed; "
              f"{len(w.state.monitor)} samples in the session")
        w.close()
        QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
