"""``norepi-gui --self-test``: prove an installation works, the way the installers' smoke tests and a user would.

Each check prints one line (``PASS name: detail`` or ``FAIL name: what failed``); every check runs even after a
failure, so one run names everything that is broken. Exit 0 when all pass, 1 otherwise. Tracebacks of failures go
to stderr. The checks, in order:

- version: the package metadata is present (the frozen bundle must carry it; it is the one version number).
- protocol: the protocol file (``--protocol`` or the shipped default) loads and validates.
- units: the program's unit registry loads from its definitions file and converts mg to mcg.
- calculation: 0.1 mcg/kg/min, 70 kg, 16 mcg/mL gives an exact rate of 26.25 mL/h
  (0.1 x 70 x 60 / 16; clinical reference, seed 002).
- advice: the bedside layer (what the window and ``advise`` use) advises MAP 58 at 0.1 mcg/kg/min, 70 kg: an
  increase to 0.15 (rule TIT-UP of the shipped protocol).
- simulator: 30 simulated minutes of the "septic shock that responds" scenario with the advisor policy, headless,
  through the ``simulate`` command's own contract (``--json`` debrief metrics), so it checks what users run.
- window: the main window builds offscreen (QT_QPA_PLATFORM=offscreen is forced for this check when no
  QApplication exists yet) with a temporary data folder, so the user's sessions and settings are never touched.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1

# The worked example of the clinical reference [seed 002]: 0.1 mcg/kg/min x 70 kg x 60 min/h / 16 mcg/mL.
KNOWN_DOSE = "0.1 mcg/kg/min"
KNOWN_WEIGHT = "70 kg"
KNOWN_CONCENTRATION = "16 mcg/mL"
KNOWN_RATE_ML_PER_H = 26.25  # 0.1 * 70 = 7 mcg/min; 7 * 60 = 420 mcg/h; 420 / 16 = 26.25 mL/h
# The shipped protocol's rule TIT-UP: MAP 58 is 7 below the target 65 (< far_below_mmhg 10), so 0.1 mcg/kg/min goes up
# by at most titration.step_up 0.05 (the proportional step 0.1 x (e^(0.5 x 1.2) - 1) = 0.082 is capped): 0.15.
KNOWN_MAP = 58.0
KNOWN_RUNNING = 0.1
KNOWN_ADVISED = 0.15
SIMULATED_SCENARIO = "septic_responsive"
SIMULATED_HOURS = "0.5"  # 30 simulated minutes
SIMULATION_ARGS = ("simulate", "--scenario", SIMULATED_SCENARIO, "--policy", "advisor", "--hours", SIMULATED_HOURS,
                   "--seed", "1", "--json")


class CheckFailedError(Exception):
    """A check ran but found the wrong result."""


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Path | None], str]  # returns the detail shown after PASS; raises on failure


def check_version(protocol_path: Path | None) -> str:
    from norepi_gui import __version__

    if __version__ == "0+unknown":
        raise CheckFailedError("package metadata for norepi-gui is missing (not installed, or not bundled)")
    return f"norepi-gui {__version__}"


def check_protocol(protocol_path: Path | None) -> str:
    from norepi_gui.core.protocol import load_protocol

    protocol = load_protocol(protocol_path)
    return f"{protocol.meta.name} {protocol.meta.version} from {protocol.source}"


def check_units(protocol_path: Path | None) -> str:
    from norepi_gui.core.units import Q, registry

    reg = registry()
    mcg = float(Q(1.0, "mg").to("mcg").magnitude)
    if mcg != 1000.0:
        raise CheckFailedError(f"1 mg converted to {mcg!r} mcg, expected 1000")
    return f"{len(list(reg))} units defined; 1 mg = 1000 mcg"


def check_calculation(protocol_path: Path | None) -> str:
    from norepi_gui.core.dosing import parse_concentration, parse_dose, parse_weight
    from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
    from norepi_gui.core.protocol import load_protocol

    request = InfusionRequest(
        concentration=parse_concentration(KNOWN_CONCENTRATION),
        weight=parse_weight(KNOWN_WEIGHT),
        dose=parse_dose(KNOWN_DOSE),
    )
    summary = summarise_infusion(request, load_protocol(protocol_path))
    if not math.isclose(summary.rate_ml_per_h, KNOWN_RATE_ML_PER_H, rel_tol=1e-12, abs_tol=1e-12):
        raise CheckFailedError(f"{KNOWN_DOSE}, {KNOWN_WEIGHT}, {KNOWN_CONCENTRATION} gave "
                               f"{summary.rate_ml_per_h!r} mL/h, expected {KNOWN_RATE_ML_PER_H} mL/h")
    return (f"{KNOWN_DOSE}, {KNOWN_WEIGHT}, {KNOWN_CONCENTRATION} -> {summary.rate_ml_per_h:g} mL/h "
            f"(pump {summary.pump_rate_ml_per_h:g} mL/h)")


def check_advice(protocol_path: Path | None) -> str:
    """The bedside layer (the window's and the CLI's one path to the engine) advises on a known record."""
    from datetime import UTC, datetime

    from norepi_gui.bedside.replay import advice_for_readings
    from norepi_gui.core.dosing import parse_concentration
    from norepi_gui.core.protocol import load_protocol
    from norepi_gui.core.titration import InfusionState, PatientInfo, Reading

    at = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    reading = Reading(at=at, map_mmhg=KNOWN_MAP, ne_dose_mcg_per_kg_per_min=KNOWN_RUNNING)
    advice = advice_for_readings([reading], PatientInfo(weight_kg=70.0),
                                 InfusionState(parse_concentration(KNOWN_CONCENTRATION), KNOWN_RUNNING),
                                 load_protocol(protocol_path), now=at)
    if (advice.action.value, advice.dose_mcg_per_kg_per_min) != ("increase", KNOWN_ADVISED):
        raise CheckFailedError(f"MAP {KNOWN_MAP:g} at {KNOWN_RUNNING} mcg/kg/min was advised {advice.action.value} "
                               f"to {advice.dose_mcg_per_kg_per_min} mcg/kg/min, expected increase to {KNOWN_ADVISED}")
    return f"MAP {KNOWN_MAP:g} at {KNOWN_RUNNING} mcg/kg/min, 70 kg -> {advice.rationale}"


def check_simulator(protocol_path: Path | None) -> str:
    import argparse
    import importlib.util

    if importlib.util.find_spec("norepi_gui.cli.simulate") is None:
        raise CheckFailedError("the simulator command (norepi_gui.cli.simulate) is missing from this installation")
    from norepi_gui.cli import simulate

    parser = argparse.ArgumentParser(prog="norepi-gui")
    simulate.add_parser(parser.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = simulate.run(parser.parse_args(list(SIMULATION_ARGS)))
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else EXIT_FAILED
    command = "norepi-gui " + " ".join(SIMULATION_ARGS)
    if code != EXIT_OK:
        raise CheckFailedError(f"'{command}' exited {code}: {err.getvalue().strip()[-300:]}")
    try:
        report = json.loads(out.getvalue())
    except json.JSONDecodeError as exc:
        raise CheckFailedError(f"'{command}' did not print JSON: {exc}") from exc
    metrics = report.get("metrics", report) if isinstance(report, dict) else {}
    in_band = metrics.get("time_in_band_pct")
    minutes = metrics.get("duration_min", 30.0)
    if not isinstance(in_band, int | float) or not 0.0 <= float(in_band) <= 100.0:
        raise CheckFailedError(f"'{command}' reported no valid time_in_band_pct (got {in_band!r})")
    if minutes != 30.0:
        raise CheckFailedError(f"'{command}' simulated {minutes!r} minutes, expected 30")
    return (f"30 simulated minutes of {SIMULATED_SCENARIO} with the advisor: "
            f"MAP in band {float(in_band):.0f}% of the time")


def check_window(protocol_path: Path | None) -> str:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    owned = QApplication.instance() is None
    if owned:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before the QApplication exists; a headless check
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "norepi-gui"])
    from norepi_gui.ui import MainWindow

    with tempfile.TemporaryDirectory(prefix="norepi-gui-selftest-", ignore_cleanup_errors=True) as data_dir:
        window = MainWindow(data_dir=Path(data_dir))
        try:
            window.show()
            app.processEvents()
            title = window.windowTitle()
        finally:
            window.close()
            app.processEvents()
            window.deleteLater()
            app.processEvents()
    return f"main window built offscreen ({QGuiApplication.platformName()}): {title!r}"


CHECKS: tuple[Check, ...] = (
    Check("version", check_version),
    Check("protocol", check_protocol),
    Check("units", check_units),
    Check("calculation", check_calculation),
    Check("advice", check_advice),
    Check("simulator", check_simulator),
    Check("window", check_window),
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run_self_test(protocol_path: Path | None, *, checks: Sequence[Check] = CHECKS) -> int:
    """Run every check, print one line each and a summary; 0 when all pass, 1 when any fails."""
    failed: list[str] = []
    for check in checks:
        started = time.perf_counter()  # duration shown to the user only; no logic depends on it
        try:
            detail = check.run(protocol_path)
        except Exception as exc:
            failed.append(check.name)
            seconds = time.perf_counter() - started
            reason = str(exc) if isinstance(exc, CheckFailedError) else f"{type(exc).__name__}: {exc}"
            print(f"FAIL {check.name}: {_one_line(reason)} ({seconds:.2f} s)", flush=True)
            if not isinstance(exc, CheckFailedError):  # an unexpected error: the traceback says where
                traceback.print_exc(file=sys.stderr)
            continue
        seconds = time.perf_counter() - started
        print(f"PASS {check.name}: {_one_line(detail)} ({seconds:.2f} s)", flush=True)
    if failed:
        print(f"self-test FAILED: {', '.join(failed)} ({len(failed)} of {len(checks)} checks)", flush=True)
        return EXIT_FAILED
    print(f"self-test passed ({len(checks)} checks)", flush=True)
    return EXIT_OK
