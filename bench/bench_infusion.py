"""How long one keystroke's recompute of the infusion panel takes, and `norepi-gui calc` per call.

Prints figures (median over many runs) and writes them to docs/benchmarks.md under "Infusion recompute".
Goal: the full recompute (every conversion and alert check, in pint units) stays under 1 ms.
Run: .venv/bin/python bench/bench_infusion.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from norepi_gui.core.dosing import parse_concentration, parse_dose, parse_weight
from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.units import Q

RUNS = 2000


def median_us(fn: object, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    protocol = load_protocol()

    def keystroke() -> None:
        # What the panel does for one keystroke: parse the fields, then every conversion and alert.
        request = InfusionRequest(
            concentration=parse_concentration("4 mg/250 mL"),
            weight=parse_weight("70 kg"),
            dose=parse_dose("0.1 mcg/kg/min"),
            drop_factor_gtt_per_ml=20,
            bag_volume_left=Q(250, "mL"),
            current_dose_mcg_per_min=5.6,
        )
        summarise_infusion(request, protocol)

    def plain_floats() -> None:
        conc = 4000 / 250
        rate = 0.1 * 70 * 60 / conc
        pump = round(rate * 10) / 10
        _ = (pump * conc / 60 / 70, pump * 20 / 60, 250 / pump, 0.1 * 70 * 1440 / 1000, 0.1 * 70 / 5.6 > 3)

    for _ in range(200):
        keystroke()
    pint_us = median_us(keystroke)
    float_us = median_us(plain_floats, RUNS * 10)

    calc = [
        sys.executable,
        "-m",
        "norepi_gui",
        "calc",
        "--weight",
        "70 kg",
        "--concentration",
        "16 mcg/mL",
        "--dose",
        "0.1 mcg/kg/min",
        "--json",
    ]
    walls = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run(calc, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from norepi_gui.cli import main; main(['calc','--concentration','16',"
            "'--dose','7 mcg/min']); print(any(m.startswith(('PySide6','pyqtgraph')) for m in sys.modules))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    qt_loaded = probe.stdout.strip().splitlines()[-1]

    lines = [
        f"- full infusion recompute (parse + every conversion + alert checks, pint): median {pint_us:.0f} µs "
        f"over {RUNS} runs (goal < 1000 µs: {'met' if pint_us < 1000 else 'NOT met'})",
        f"- same arithmetic in plain floats: median {float_us:.2f} µs",
        f"- `norepi-gui calc --json` wall time per call: median {statistics.median(walls) * 1000:.0f} ms "
        f"(7 runs; Qt imported: {qt_loaded})",
    ]
    print("\n".join(lines))
    write_section(Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md", "Infusion recompute", lines)


def write_section(path: Path, heading: str, lines: list[str]) -> None:
    """Replace (or add) one '## heading' section of docs/benchmarks.md, leaving the others alone."""
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else "# Benchmarks\n\nFigures written by the scripts in bench/.\n"
    )
    block = f"## {heading}\n\n" + "\n".join(lines) + "\n"
    parts = text.split("\n## ")
    kept = [parts[0].rstrip("\n") + "\n"] + [
        "## " + p.rstrip("\n") + "\n" for p in parts[1:] if not p.startswith(heading + "\n")
    ]
    path.write_text("\n".join([*kept, block]), encoding="utf-8")


if __name__ == "__main__":
    main()
