"""Bundle size and frozen start-up time against start-up from source.

    .venv/bin/python bench/bench_bundle.py [--runs 7] [--build] [--no-write]

Uses the build in dist/ (dist/build-info.json); builds one with ``packaging/build.py`` when there is none or with
``--build``. Measures, as wall time of the whole process (median of ``--runs`` after one discarded warm-up run):
``--version`` (interpreter and bootloader start, no Qt) and ``--self-test`` (every check, the main window built
offscreen), frozen and from source (``python -m norepi_gui``). Prints the figures and writes them under the heading
"Bundle" in docs/benchmarks.md, leaving the other sections alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Bundle"
# Parts of the bundle reported separately: label -> path prefixes inside _internal/ (Linux/Windows layout).
PARTS = {
    "Qt + PySide6 (ICU included)": ("PySide6", "shiboken6"),
    "numpy + OpenBLAS": ("numpy", "numpy.libs"),
    "Python runtime": ("libpython", "python3", "base_library.zip", "lib-dynload"),
    "pyqtgraph": ("pyqtgraph",),
    "pint": ("pint",),
    "norepi_gui resources (its code is in the executable)": ("norepi_gui",),
}


def load_build(force: bool) -> dict[str, object]:
    info_path = ROOT / "dist" / "build-info.json"
    if force or not info_path.exists():
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py")], cwd=ROOT, check=True)
    result: dict[str, object] = json.loads(info_path.read_text(encoding="utf-8"))
    return result


def timed(cmd: list[str], runs: int) -> tuple[float, list[float]]:
    """Median wall seconds of ``runs`` runs after one warm-up; every run must exit 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANG=os.environ.get("LANG") or "C.UTF-8")
    times: list[float] = []
    for i in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr[-2000:]}")
        if i:
            times.append(elapsed)
    return statistics.median(times), times


def size_mb(path: Path) -> float:
    total = sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) if path.is_dir() else path.stat().st_size
    return total / 1e6


def composition(bundle: Path) -> list[tuple[str, float]]:
    internal = bundle / "_internal"
    if not internal.is_dir():
        return []
    rows: list[tuple[str, float]] = []
    counted = 0.0
    for label, prefixes in PARTS.items():
        mbs = sum(size_mb(p) for p in internal.iterdir() if p.name.startswith(prefixes))
        rows.append((label, mbs))
        counted += mbs
    rows.append(("system libraries and the rest", size_mb(internal) - counted))
    return rows


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace (or append) one '## heading' section, leaving the others as they are."""
    fresh = "# Benchmarks\n\nFigures written by the scripts in bench/.\n"
    text = path.read_text(encoding="utf-8") if path.exists() else fresh
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    new = [heading, "", *body.rstrip("\n").splitlines(), ""]
    if start is None:
        lines = [*lines, *([""] if lines and lines[-1].strip() else []), *new]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines = [*lines[:start], *new, *lines[end:]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (after one warm-up)")
    parser.add_argument("--build", action="store_true", help="rebuild with packaging/build.py first")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    info = load_build(args.build)
    bundle = ROOT / str(info["bundle"])
    frozen = [str(ROOT / str(info["console_executable"]))]
    source = [sys.executable, "-m", "norepi_gui"]
    rows = []
    for label, extra, runs in (("--version", ["--version"], args.runs),
                               ("--self-test", ["--self-test"], max(3, args.runs // 2))):
        frozen_s, _ = timed(frozen + extra, runs)
        source_s, _ = timed(source + extra, runs)
        rows.append((label, frozen_s, source_s, runs))

    artifacts = info.get("artifacts", {})
    assert isinstance(artifacts, dict)
    phases = info.get("phases", {})
    assert isinstance(phases, dict)
    compression = "light (--fast)" if info.get("fast") else "release"
    out = [
        "`bench/bench_bundle.py`: the PyInstaller one-folder bundle built by `python packaging/build.py` "
        f"(version {info['version']}, {info['platform']}), and the wall time of a whole process start, frozen "
        "against `python -m norepi_gui` from source: median of the timed runs after one warm-up run "
        "(`--self-test` builds the main window offscreen).",
        "",
        f"- bundle: {size_mb(bundle):.1f} MB on disk ({sum(1 for _ in bundle.rglob('*'))} files)",
    ]
    out += [f"- {name}: {mbs:.1f} MB ({compression} compression)" for name, mbs in artifacts.items()]
    out.append(f"- build: {info['build_seconds']} s in all ("
               + ", ".join(f"{k} {v} s" for k, v in phases.items()) + ")")
    out += ["", "| command | frozen median s | from source median s | frozen / source | runs |",
            "|---|---|---|---|---|"]
    out += [f"| `norepi-gui {label}` | {f:.2f} | {s:.2f} | {f / s:.2f} | {n} |" for label, f, s, n in rows]
    parts = composition(bundle)
    if parts:
        out += ["", "What the bundle holds:", "", "| part | MB |", "|---|---|"]
        out += [f"| {label} | {mbs:.1f} |" for label, mbs in parts]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    out += ["", f"Environment: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs; load average {load} at the time of the run (other work on the host inflates "
            "wall times)."]
    body = "\n".join(out)
    print(body)
    if not args.no_write:
        write_section(DOCS, HEADING, body)
        print(f"\nwrote {DOCS.relative_to(ROOT)} (section '{HEADING[3:]}')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
