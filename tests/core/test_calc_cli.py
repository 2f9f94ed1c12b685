from __future__ import annotations

import json

import pytest

from norepi_gui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["calc", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_calc_json_gives_hand_computed_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--weight",
        "70 kg",
        "--concentration",
        "4 mg/250 mL",
        "--dose",
        "0.1 mcg/kg/min",
        "--drop-factor",
        "60",
        "--bag-volume",
        "250 mL",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["concentration_mcg_per_ml"] == pytest.approx(16.0)
    assert data["rate_ml_per_h"] == pytest.approx(26.25)
    assert data["pump_rate_ml_per_h"] == pytest.approx(26.3)
    assert data["dose_mcg_per_min"] == pytest.approx(7.0)
    assert data["delivered_dose_mcg_per_kg_per_min"] == pytest.approx(0.1001905, rel=1e-6)
    assert data["drops_per_min"] == pytest.approx(26.3)  # 26.3 mL/h x 60 gtt/mL / 60
    assert data["bag_hours_left"] == pytest.approx(9.5057, rel=1e-4)  # 250 / 26.3
    assert data["mg_per_24h"] == pytest.approx(10.08)
    assert data["alerts"] == []


def test_calc_flat_dose_without_weight(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--concentration", "4 mcg/mL", "--dose", "8 mcg/min", "--json")
    data = json.loads(out)
    assert code == 0 and data["rate_ml_per_h"] == pytest.approx(120.0) and data["dose_mcg_per_kg_per_min"] is None


def test_calc_rate_to_dose(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--weight", "154 lb", "--concentration", "16 mcg/mL", "--rate", "26.3 mL/h", "--json")
    data = json.loads(out)
    # 154 lb = 69.853 kg; 26.3 x 16 / 60 / 69.853 = 0.100401 mcg/kg/min
    assert code == 0 and data["weight_kg"] == pytest.approx(69.853, abs=1e-3)
    assert data["dose_mcg_per_kg_per_min"] == pytest.approx(0.100401, rel=1e-5)


def test_calc_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "0.1")
    assert code == 0 and "26.3 mL/h" in out and "Pump rate (rounded)" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--weight", "seventy", "--concentration", "16", "--dose", "0.1"], "weight"),
        (["--weight", "70", "--concentration", "16 mg", "--dose", "0.1"], "concentration"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1 /min"], "dose"),
        (["--weight", "70", "--concentration", "16", "--dose", "nan"], "dose"),
        (["--weight", "70", "--concentration", "16", "--rate", "-3"], "rate"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--line", "arterial"], "line"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--salt", "chloride"], "salt"),
        (["--concentration", "16", "--dose", "0.1 mcg/kg/min"], "weight"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--drop-factor", "13"], "drop factor"),
    ],
)
def test_calc_bad_input_exits_2_with_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"norepi-gui calc: {field}")


def test_calc_above_hard_limit_exits_3_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "3.5", "--json")
    assert code == 3
    assert "DOSE_ABOVE_HARD_MAX" in out and "hard limit" in err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--drop-factor", "nan"], "--drop-factor"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--drop-factor", "1e999"], "--drop-factor"),
        (["--weight", "70", "--concentration", "16", "--dose", "0.1", "--bogus"], "--bogus"),
        (["--weight", "70", "--concentration", "16"], "--dose --rate"),
        (["--weight", "7" * 300, "--concentration", "16", "--dose", "0.1"], "--weight"),
    ],
)
def test_calc_option_errors_are_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], args: list[str], names: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and names in err and "usage:" not in err


def test_calc_absurd_dose_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    # 5 mcg/kg/min: above the shipped hard limit 3: exit 3, and the figures still printed with why
    code, out, err = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "5", "--json")
    assert code == 3 and json.loads(out)["dose_mcg_per_kg_per_min"] == 5.0
    assert len(err.splitlines()) == 1 and "hard limit 3 mcg/kg/min" in err
    # 1e25: above the hard limit any protocol may set (20 mcg/kg/min): exit 3 on one line, nothing to compute
    code, out, err = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "1e25", "--json")
    assert code == 3 and out == "" and len(err.splitlines()) == 1
    assert "above the hard limit of any protocol" in err and "at most 20 mcg/kg/min" in err
    code, out, err = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "1e307", "--json")
    assert code == 3 and out == "" and "above the hard limit of any protocol" in err


def test_calc_flags_slips_for_confirmation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--weight", "55", "--concentration", "16", "--dose", "0.8", "--json")
    assert code == 0 and "DOSE_ABOVE_USUAL_MAX" in [a["code"] for a in json.loads(out)["alerts"]]
    code, out, _ = run(capsys, "--weight", "70", "--concentration", "16", "--dose", "0.1 mcg/min", "--json")
    assert code == 0 and "DOSE_IMPLAUSIBLY_LOW" in [a["code"] for a in json.loads(out)["alerts"]]


def test_a_reader_that_goes_away_stops_the_command_quietly() -> None:
    # `norepi-gui calc ... | head -0`: stdout is a pipe whose reader has already gone. The command stops with the
    # shell's status for a tool stopped by SIGPIPE (128 + 13 = 141) and no traceback on stderr.
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "norepi_gui", "calc", "--weight", "70 kg", "--concentration", "16 mcg/mL",
             "--dose", "0.1 mcg/kg/min"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and done.stderr == ""
