"""Benchmark: time from process start to the main window shown, against a bare PySide6 QMainWindow.

Each run starts a fresh Python process (so imports, the unit registry, the protocol and the session database are
all paid for), which builds the window on a new temporary data folder, shows it, and prints once the event loop has
painted it. The parent times from just before ``Popen`` to reading that line. Runs of the real window and of a bare
``QMainWindow`` alternate, so both see the same machine state. Target: median ratio under 1.5.

Run:  .venv/bin/python bench/bench_startup.py [--runs 15]   (offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1440, 900)
window.show()
def shown():
    print("shown", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

# The real start-up path of ``norepi-gui`` (run_app's Launcher) without the first-start questions: "shown" when the
# first window is painted, "ready" once the full bedside window is built and shown in its place.
FULL = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from norepi_gui.ui.app import Launcher
launcher = Launcher(Path(sys.argv[1]), protocol_path=None, training=False, interactive=False)
def shown():
    print("shown", flush=True)
def ready(window):
    def done():
        print("ready", flush=True)
        window.close()
        app.quit()
    QTimer.singleShot(0, done)
launcher.startup.painted.connect(shown)
launcher.ready.connect(ready)
launcher.start()
app.exec()
"""


def time_child(code: str, data_dir: str) -> tuple[float, float]:
    """Seconds from just before the process starts to "shown" and to "ready" (equal when there is no "ready")."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, data_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    stamps: dict[str, float] = {}
    for line in proc.stdout:
        stamps[line.strip()] = time.perf_counter() - start
    _out, err = proc.communicate(timeout=60)
    if "shown" not in stamps:
        raise RuntimeError(f"child did not show its window (exit {proc.returncode}): {err[-2000:]}")
    return stamps["shown"], stamps.get("ready", stamps["shown"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (default 15)")
    args = parser.parse_args()
    bare: list[float] = []
    shown: list[float] = []
    ready: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        time_child(BARE, tmp)  # warm the OS file cache once for both
        time_child(FULL, str(Path(tmp) / "warm"))
        for i in range(args.runs):
            bare.append(time_child(BARE, tmp)[0])
            s, r = time_child(FULL, str(Path(tmp) / f"run{i}"))
            shown.append(s)
            ready.append(r)
    b = statistics.median(bare)

    def line(name: str, values: list[float]) -> str:
        m = statistics.median(values)
        return (f"{name:<34} median {m * 1000:7.1f} ms  (min {min(values) * 1000:6.1f}, max {max(values) * 1000:6.1f})"
                f"  ratio to bare {m / b:.2f}")

    print(f"platform: {platform.platform()}, Python {platform.python_version()}, "
          f"QPA {os.environ.get('QT_QPA_PLATFORM', 'offscreen')}, runs {args.runs} each, alternating")
    rows = [
        line("bare PySide6 QMainWindow shown", bare),
        line("norepi-gui window shown", shown) + "  (target < 1.5)",
        line("norepi-gui bedside window ready", ready),
    ]
    print("\n".join(rows))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_infusion import write_section

    write_section(
        Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md",
        "Start-up",
        [
            "`bench/bench_startup.py`: process start to window shown, median of alternating runs, offscreen.",
            "The first window (\"Starting…\") is shown before numpy, pint and pyqtgraph are imported; the bedside",
            "window with its plot is ready later. The 1.5x target is met by the first window only.",
            "",
            "```",
            *rows,
            "```",
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
