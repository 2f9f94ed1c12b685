"""The --self-test command from source: one line per check, exit status, and the checks whose pieces exist."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from norepi_gui import selftest
from norepi_gui.selftest import Check, CheckFailedError, run_self_test

# Showing a window on the offscreen platform makes Qt note that it cannot propagate size hints; harmless.
OFFSCREEN_SHOW_NOTE = "propagateSizeHints"


def _passes(protocol_path: Path | None) -> str:
    return "all good"


def _fails(protocol_path: Path | None) -> str:
    raise CheckFailedError("expected 26.25, got 262.5")


def _crashes(protocol_path: Path | None) -> str:
    raise RuntimeError("boom")


def test_every_check_prints_one_pass_line_and_the_run_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_self_test(None, checks=[Check("first", _passes), Check("second", _passes)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split(" (")[0] for line in lines] == [
        "PASS first: all good",
        "PASS second: all good",
        "self-test passed",
    ]


def test_a_failing_check_exits_one_names_what_failed_and_the_other_checks_still_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checks = [Check("calculation", _fails), Check("window", _crashes), Check("units", _passes)]

    code = run_self_test(None, checks=checks)

    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert code == 1
    assert lines[0].startswith("FAIL calculation: expected 26.25, got 262.5")
    assert lines[1].startswith("FAIL window: RuntimeError: boom")
    assert lines[2].startswith("PASS units: all good")
    assert lines[3] == "self-test FAILED: calculation, window (2 of 3 checks)"
    assert "RuntimeError: boom" in captured.err  # an unexpected error's traceback goes to stderr
    assert "CheckFailedError" not in captured.err  # an expected failure is explained in one line only


def test_version_check_shows_the_package_metadata_version() -> None:
    assert selftest.check_version(None) == f"norepi-gui {metadata.version('norepi-gui')}"


def test_protocol_check_loads_the_shipped_protocol() -> None:
    assert "default.toml" in selftest.check_protocol(None)


def test_protocol_check_names_file_and_key_of_a_bad_protocol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "ward.toml"
    bad.write_text('[meta]\nname = 1\n', encoding="utf-8")

    code = run_self_test(bad, checks=[Check("protocol", selftest.check_protocol)])

    first = capsys.readouterr().out.splitlines()[0]
    assert code == 1
    assert first.startswith("FAIL protocol:")
    assert "ward.toml" in first
    assert "meta.name" in first


def test_units_check_converts_a_milligram_to_1000_micrograms() -> None:
    assert "1 mg = 1000 mcg" in selftest.check_units(None)


def test_calculation_check_finds_26_25_ml_per_h_and_the_pump_rate_26_3() -> None:
    # 0.1 mcg/kg/min x 70 kg = 7 mcg/min; x 60 = 420 mcg/h; / 16 mcg/mL = 26.25 mL/h [seed 002];
    # the shipped protocol's pump resolution is 0.1 mL/h, so the pump is set to 26.3 mL/h.
    detail = selftest.check_calculation(None)

    assert "-> 26.25 mL/h" in detail
    assert "pump 26.3 mL/h" in detail


def test_advice_check_gets_the_increase_to_0_15_from_the_bedside_layer() -> None:
    # MAP 58 is 7 mmHg below the default target 65 (less than far_below_mmhg 10): TIT-UP, 0.10 + step_up 0.05 = 0.15;
    # 0.15 x 70 x 60 / 16 = 39.375 -> 39.4 mL/h at the pump's 0.1 mL/h.
    detail = selftest.check_advice(None)

    assert "increase 0.10 -> 0.15 mcg/kg/min (39.4 mL/h)" in detail


def test_simulator_check_runs_30_minutes_with_the_advisor() -> None:
    assert selftest.check_simulator(None).startswith("30 simulated minutes of septic_responsive with the advisor")


@pytest.mark.qt_log_ignore(OFFSCREEN_SHOW_NOTE)
def test_window_check_builds_the_main_window_offscreen(qapp: object) -> None:
    assert selftest.check_window(None).startswith("main window built offscreen")


@pytest.mark.qt_log_ignore(OFFSCREEN_SHOW_NOTE)
def test_the_self_test_flag_passes_from_source(qapp: object, capsys: pytest.CaptureFixture[str]) -> None:
    from norepi_gui.cli import main

    code = main(["--self-test"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1] == f"self-test passed ({len(selftest.CHECKS)} checks)"
