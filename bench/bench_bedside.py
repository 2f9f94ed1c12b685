"""Benchmark: the time to record one reading in the real bedside window, early and late in a long session.

A child process builds ``MainWindow(data_dir=..., clock=ManualClock)`` offscreen, sets weight, concentration and a
running dose through the window's fields (object names), then charts ``--readings`` MAP readings two minutes apart:
the clock moves, the window ticks, the MAP is typed into ``mapInput`` and Return is pressed. Only the Return (the
recording, its advice and every redraw it causes) is timed. The script prints the median time per reading for the
first and the last 50 readings, and their ratio (goal: last within 1.25x of first).

With ``--against REV`` it runs the same child, in the same run, on another commit checked out in a temporary git
worktree (each tree reads its own shipped protocol), and prints both, so the two are measured on the same machine
at the same time. How the cost grows with the session: a flat per-reading cost means the whole session costs O(n).

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_bedside.py [--readings 1500] [--against REV]
      [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOW = 50
GOAL_RATIO = 1.25

CHILD = r"""
import json, sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.protocol import load_protocol
from norepi_gui.ui.main_window import MainWindow

tree, data_dir, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
app = QApplication([])
clock = ManualClock(datetime(2026, 1, 1, 8, 0, tzinfo=UTC))
protocol = load_protocol(tree / "resources" / "protocols" / "default.toml")
window = MainWindow(data_dir=data_dir, clock=clock, protocol=protocol)
window.confirm = lambda title, text: True
window.resize(1440, 900)
window.show()
app.processEvents()

def edit(name):
    widget = window.findChild(QLineEdit, name)
    assert widget is not None, name
    return widget

def enter(widget, text):
    widget.setFocus()
    widget.clear()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)

enter(edit("weightInput"), "70")
select = window.findChild(QComboBox, "concentrationSelect")
select.setCurrentIndex(select.findData(16.0))
select.activated.emit(select.currentIndex())
enter(edit("doseInput"), "0.1")
app.processEvents()
map_input = edit("mapInput")
pattern = (66, 68, 70, 69, 71, 67, 72, 70, 68, 73)  # in the 65-75 band: the advice mostly holds
times, cpu = [], []
for i in range(count):
    clock.advance(minutes=2)
    window.tick()
    map_input.setFocus()
    map_input.clear()
    QTest.keyClicks(map_input, str(pattern[i % len(pattern)]))
    started, started_cpu = time.perf_counter(), time.process_time()
    QTest.keyClick(map_input, Qt.Key.Key_Return)
    app.processEvents()
    times.append((time.perf_counter() - started) * 1000.0)
    cpu.append((time.process_time() - started_cpu) * 1000.0)
print(json.dumps({"times_ms": times, "cpu_ms": cpu, "readings": len(window.state.readings)}), flush=True)
"""


def run_child(tree: Path, readings: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory(prefix="norepi-bench-bedside-") as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", "PYTHONPATH": str(tree)}
        result = subprocess.run([sys.executable, "-c", CHILD, str(tree), data, str(readings)], capture_output=True,
                                text=True, env=env, cwd=tree, check=False)
    if result.returncode != 0:
        raise SystemExit(f"child failed in {tree}:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["readings"] != readings:
        raise SystemExit(f"{tree}: {report['readings']} readings recorded, expected {readings}")
    return report["times_ms"], report["cpu_ms"]


def figures(runs: tuple[list[float], list[float]]) -> tuple[float, float, float, float, float, float]:
    """(wall first, wall last, wall ratio, CPU first, CPU last, CPU ratio): medians over the first and last 50."""
    out: list[float] = []
    for times in runs:
        first, last = statistics.median(times[:WINDOW]), statistics.median(times[-WINDOW:])
        out += [first, last, last / first]
    return out[0], out[1], out[2], out[3], out[4], out[5]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readings", type=int, default=1500)
    parser.add_argument("--against", help="also run on this commit (a temporary git worktree), in the same run")
    parser.add_argument("--write-docs", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.readings < 2 * WINDOW:
        parser.error(f"--readings: at least {2 * WINDOW}")
    rows: list[tuple[str, float, float, float, float, float, float]] = []
    other: Path | None = None
    try:
        if args.against:
            other = Path(tempfile.mkdtemp(prefix="norepi-bench-against-"))
            subprocess.run(["git", "worktree", "add", "--detach", str(other), args.against], cwd=ROOT, check=True,
                           capture_output=True)
            label = subprocess.run(["git", "rev-parse", "--short", args.against], cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout.strip()
            rows.append((f"{label} (before)", *figures(run_child(other, args.readings))))
        here = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip() or "this tree"
        rows.append((f"{here} (this tree)", *figures(run_child(ROOT, args.readings))))
    finally:
        if other is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False,
                           capture_output=True)
    lines = [
        "## Recording a reading",
        "",
        f"`bench/bench_bedside.py --readings {args.readings}{' --against ' + args.against if args.against else ''}`"
        f": the real window offscreen, {args.readings} readings two minutes apart typed into `mapInput` + Return; "
        f"median ms per recorded reading over the first and the last {WINDOW}. Goal: last within "
        f"{GOAL_RATIO:g}x of first. One run, {platform.python_version()}, {platform.machine()}.",
        "",
        "CPU time is the child's own (``time.process_time``): on a shared machine it moves far less than wall time,",
        "which also waits for the disk (each event is synced before it shows) and for other processes.",
        "",
        "| code | wall, first 50 | wall, last 50 | wall last / first | CPU, first 50 | CPU, last 50 "
        "| CPU last / first |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, w_first, w_last, w_ratio, c_first, c_last, c_ratio in rows:
        lines.append(f"| {name} | {w_first:.1f} ms | {w_last:.1f} ms | {w_ratio:.2f}x | {c_first:.1f} ms | "
                     f"{c_last:.1f} ms | {c_ratio:.2f}x |")
        print(f"{name}: wall first {WINDOW} {w_first:.1f} ms, last {WINDOW} {w_last:.1f} ms ({w_ratio:.2f}x); "
              f"CPU first {c_first:.1f} ms, last {c_last:.1f} ms ({c_ratio:.2f}x)")
    if len(rows) == 2:
        compared = (f"first {WINDOW}: this tree takes {rows[1][1] / rows[0][1]:.2f}x the wall time and "
                    f"{rows[1][4] / rows[0][4]:.2f}x the CPU time of {rows[0][0]}")
        print(compared)
        lines += ["", compared[0].upper() + compared[1:] + "."]
    lines += [
        "",
        "How the cost grows with the session: before the bedside layer (01540fc) every event refolded the session",
        "and every view was cleared and redrawn, so a reading cost O(n) and a shift O(n^2). Now an entry is folded in",
        "O(1), appended to the engine's history, the table and the plot, and each view redraws once: a flat cost per",
        "reading and O(n) per shift (see docs/architecture.md, \"Costs as a session grows\").",
    ]
    if args.write_docs:
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_plot import write_section

        write_section(ROOT / "docs" / "benchmarks.md", "## Recording a reading", "\n".join(lines))
        print("wrote docs/benchmarks.md (section 'Recording a reading')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
