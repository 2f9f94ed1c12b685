"""``norepi-gui advise``: CSV in, one JSON object out; bad rows refused with exit 2 naming line and column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from norepi_gui.cli import main

BASE = ["--weight", "70 kg", "--concentration", "16 mcg/mL"]


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def advise(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["advise", "--readings", str(path), *BASE, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_the_last_reading_with_hand_computed_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, "time,map,hr,ne_dose_mcg_kg_min\n0,70,90,0.1\n5,58,95,0.1\n")
    code, out, _ = advise(capsys, path, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["action"] == "increase"
    assert data["dose_mcg_per_kg_per_min"] == 0.15  # 0.1 + 0.05 (58 is 7 below 65; mean 64 < 65)
    assert data["dose_mcg_per_min"] == 10.5  # 0.15 x 70
    assert data["rate_ml_per_h"] == 39.4  # 0.15 x 70 x 60 / 16 = 39.375
    assert data["next_check_in_min"] == 5 and data["next_check_due_min"] == 10  # read at 5, + 5
    assert data["target_map"] == 65
    assert data["rationale"] == "MAP 58 < target 65: increase 0.10 -> 0.15 mcg/kg/min (39.4 mL/h); recheck in 5 min"
    for key in ("escalations", "alerts", "rules"):
        assert isinstance(data[key], list)


def test_iso_times_sbp_dbp_and_patient_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,sbp,dbp,hr,ne_dose_mcg_kg_min\n"
                          "2026-01-01T08:00:00Z,78,45,110,0\n")
    code, out, _ = advise(capsys, path, "--line", "io", "--line-hours", "2", "--fluids-ml-kg", "10",
                          "--bag-volume-left", "250 mL", "--json")
    data = json.loads(out)
    assert code == 0 and data["action"] == "start" and data["dose_mcg_per_kg_per_min"] == 0.1
    assert data["map"] == 56  # 45 + 33/3
    assert "START-SBP" in data["rules"] and data["extravasation"]
    assert [e["code"] for e in data["escalations"]] == ["START_NOREPINEPHRINE"]
    assert data["next_check_due"] == "2026-01-01T08:05:00+00:00"


def test_targets_from_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,78,0.2\n")
    _, out, _ = advise(capsys, path, "--chronic-hypertension", "--baseline-sbp", "170", "--json")
    assert json.loads(out)["target_map"] == 80 and json.loads(out)["action"] == "increase"
    _, out, _ = advise(capsys, path, "--age", "70", "--json")
    assert json.loads(out)["target_map"] == 60
    _, out, _ = advise(capsys, path, "--target", "72", "--json")
    assert json.loads(out)["target_map"] == 72


def test_text_output_names_the_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,0.1\n")
    code, out, _ = advise(capsys, path)
    assert code == 0 and out.startswith("MAP 70 in band 65-75: hold 0.10 mcg/kg/min (26.3 mL/h)")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("time,map,ne_dose_mcg_kg_min\n0,70,0.1\n5,abc,0.1\n", "line 3, column map"),
        ("time,map,ne_dose_mcg_kg_min\n0,70,0.1\n0,70,0.1\n", "line 3, column time"),
        ("time,map,ne_dose_mcg_kg_min\nsoon,70,0.1\n", "line 2, column time"),
        ("time,map,ne_dose_mcg_kg_min\n0,70,0.1\n2026-01-01T08:00:00Z,70,0.1\n", "line 3, column time"),
        ("time,map,ne_dose_mcg_kg_min\n0,400,0.1\n", "line 2, column map"),
        ("time,map,ne_dose_mcg_kg_min\n0,70,-1\n", "line 2, column ne_dose_mcg_kg_min"),
        ("time,map,ne_dose_mcg_kg_min\n0,70\n", "line 2, column ne_dose_mcg_kg_min"),
        ("time,sbp,dbp,ne_dose_mcg_kg_min\n0,60,70,0.1\n", "line 2, column dbp"),
        ("time,sbp,dbp,ne_dose_mcg_kg_min\n0,90,,0.1\n", "line 2, column dbp"),
        ("time,map,ne_dose_mcg_kg_min,altered_mental_status\n0,70,0.1,maybe\n", "line 2, column altered_mental_status"),
        ("time,MAP,ne_dose_mcg_kg_min,lactate\n0,70,0.1,2\n", "line 1, column lactate"),
        ("time,map\n0,70\n", "line 1, column ne_dose_mcg_kg_min"),
        ("time,map,ne_dose_mcg_kg_min\n0,70,0.1\n5,70,\n", "line 3, column ne_dose_mcg_kg_min"),
    ],
)
def test_bad_rows_are_refused_with_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    code, out, err = advise(capsys, _csv(tmp_path, text), "--json")
    assert code == 2 and out == ""
    assert where in err


def test_bad_files_are_refused_in_one_line_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def refused(data: bytes, *words: str) -> None:
        path = tmp_path / "bad.csv"
        path.write_bytes(data)
        code, out, err = advise(capsys, path, "--json")
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
        for word in words:
            assert word in err, (word, err)

    refused(b"time,map,ne_dose_mcg_kg_min\n0,70,0.1\xff\n", "line 2 is not UTF-8", "byte 0xff")
    refused(b"time,map,map,ne_dose_mcg_kg_min\n0,70,71,0.1\n", "line 1, column map", "duplicate column")
    refused(b"time,map,ne_dose_mcg_kg_min\n0,70," + b"1" * 2000 + b"\n", "line 2 has 2005 characters")
    refused(b"time,map,ne_dose_mcg_kg_min\n0,70,0." + b"1" * 70 + b"\n", "column ne_dose_mcg_kg_min",
            "72 characters")
    refused(b"time,map,ne_dose_mcg_kg_min\n1e300,70,0.1\n", "column time", "out of range")
    refused(b"time,map,ne_dose_mcg_kg_min\n9999-12-31T23:59:00Z,70,0.1\n", "column time", "from 1900 to 9000")
    refused(b"time,map,ne_dose_mcg_kg_min\n0,70,0.1\n5,19,0.1\n", "line 3, column map", "20 to 200 mmHg")
    refused(b"time,map,sbp,dbp,ne_dose_mcg_kg_min\n0,120,80,40,0.1\n", "line 2, column map, sbp, dbp")
    refused(b"time,map,ne_dose_mcg_kg_min\n0,70,0.1\x00\n", "line 2, column ne_dose_mcg_kg_min")


def test_a_dose_above_the_hard_limit_in_the_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = advise(capsys, _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,1e25\n"), "--json")
    assert code == 3 and out == "" and len(err.splitlines()) == 1
    assert "line 2, column ne_dose_mcg_kg_min" in err and "hard limit" in err and "0 to 3 mcg/kg/min" in err
    code, _, _ = advise(capsys, _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,3.0\n"), "--json")
    assert code == 0


def test_now_option_makes_an_old_reading_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,58,0.1\n")
    code, out, _ = advise(capsys, path, "--now", "15", "--json")
    assert code == 0 and json.loads(out)["action"] == "increase"  # 15 min old: still fresh
    code, out, _ = advise(capsys, path, "--now", "16", "--json")
    data = json.loads(out)
    assert code == 0 and data["action"] == "hold" and "READ-STALE" in data["rules"] and data["reading_age_min"] == 16
    code, out, err = advise(capsys, path, "--now", "2026-01-01T08:00:00Z")  # the file counts minutes
    assert code == 2 and err.startswith("norepi-gui advise: now:") and len(err.splitlines()) == 1
    code, _, err = advise(capsys, path, "--now", "-5")
    assert code == 2 and "now" in err and "before the latest reading" in err


def test_advise_checks_weight_and_concentration_as_calc_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,0.1\n")
    code, out, err = main_advise(capsys, path, "--weight", "70", "--concentration", "16 mg/mL")
    assert code == 2 and out == "" and err.startswith("norepi-gui advise: concentration:")
    calc = main(["calc", "--weight", "70", "--concentration", "16 mg/mL", "--dose", "0.1"])
    calc_err = capsys.readouterr().err
    assert calc == 2 and calc_err.split(": ", 1)[1] == err.split(": ", 1)[1]  # the same message
    code, out, _ = main_advise(capsys, path, "--weight", "154", "--concentration", "20 mcg/mL", "--json")
    codes = [a["code"] for a in json.loads(out)["alerts"]]
    assert code == 0 and "WEIGHT_MAYBE_POUNDS" in codes and "NONSTANDARD_CONCENTRATION" in codes


def test_needs_confirmation_is_in_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,50,0.02\n")  # 0.02 + 0.1 = 0.12: six-fold
    code, out, _ = advise(capsys, path, "--json")
    data = json.loads(out)
    assert code == 0 and data["needs_confirmation"] is True and data["dose_mcg_per_kg_per_min"] == 0.12
    code, out, _ = advise(capsys, path)
    assert "Needs the nurse's confirmation" in out


def test_child_without_target_prints_no_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,40,0.1\n")
    code, out, _ = main_advise(capsys, path, "--weight", "3.5", "--concentration", "16", "--population", "pediatric",
                               "--json")
    data = json.loads(out)
    assert code == 0 and data["target_map"] is None and data["action"] == "hold"
    code, out, _ = main_advise(capsys, path, "--weight", "3.5", "--concentration", "16", "--population", "pediatric")
    assert "No target (no MAP target written for this child)" in out


def main_advise(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["advise", "--readings", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,0.1\n")
    assert main(["advise", "--readings", str(path), "--weight", "seventy", "--concentration", "16 mcg/mL"]) == 2
    assert "weight" in capsys.readouterr().err
    assert advise(capsys, path, "--bag-volume-left", "3 kg")[0] == 2
    assert advise(capsys, path, "--line", "arterial")[0] == 2
    assert advise(capsys, tmp_path / "missing.csv")[0] == 2
    assert advise(capsys, _csv(tmp_path, ""))[0] == 2


def test_advise_does_not_import_qt(tmp_path: Path) -> None:
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,70,0.1\n")
    script = (
        "import sys\nfrom norepi_gui.cli import main\n"
        f"code = main(['advise', '--readings', {str(path)!r}, '--weight', '70', '--concentration', '16', '--json'])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_hold_waiting_for_a_change_says_what_for_and_until_when(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # 0.05 -> 0.09 first charted with MAP 61 at minute 3 (the change counts from there): below target 65, not far
    # (TIT-EFFECT-WAIT), next check 5 min after the reading; the engine would act below 65 - 10 or above 75.
    path = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n0,58,0.05\n3,61,0.09\n")
    code, out, _ = advise(capsys, path)
    assert code == 0
    assert ("Waiting for the effect of 0.09 mcg/kg/min set at minute 3: next check minute 8; recheck sooner if "
            "MAP < 55 or > 75.") in out.splitlines()
    iso = _csv(tmp_path, "time,map,ne_dose_mcg_kg_min\n2026-01-01T08:00:00Z,58,0.05\n2026-01-01T08:03:00Z,61,0.09\n")
    code, out, _ = advise(capsys, iso, "--json")
    waiting = json.loads(out)["waiting"]
    assert waiting["text"] == ("Waiting for the effect of 0.09 mcg/kg/min set at 08:03: next check 08:08; recheck "
                               "sooner if MAP < 55 or > 75")
    assert waiting["set_at"] == "2026-01-01T08:03:00+00:00" and waiting["effect_until"] == "2026-01-01T08:13:00+00:00"
