"""Scenarios educators write: ``norepi-gui scenario validate`` with cross-checks, the template, a scenario file or a
site folder from anywhere for ``simulate``, and ``class-table`` over debrief files (CSV; the PDF is in tests/ui)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from norepi_gui.cli import main
from norepi_gui.cli.scenario import template_path
from norepi_gui.sim.class_table import debrief_csv, debrief_json, read_debrief_file
from norepi_gui.sim.scenario import ScenarioError, load_scenario_file, validate_file
from tests.sim.trainee import Trainee

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def copy_template(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = template_path().read_text(encoding="utf-8").replace('name = "scenario_template"', f'name = "{name}"')
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_template_is_valid_and_is_the_one_in_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_file(template_path()) == []
    assert main(["scenario", "template"]) == 0
    printed = capsys.readouterr().out
    block = re.search(r"```toml\n(# norepi-gui training scenario: a commented template.*?)```", DOCS.read_text(
        encoding="utf-8"), re.S)
    assert block is not None and block.group(1) == printed


def test_a_200_kg_two_year_old_is_refused_naming_the_weight_and_the_plausible_range(tmp_path: Path) -> None:
    path = copy_template(tmp_path, "toddler", ('population = "adult"', 'population = "pediatric"'),
                         ("age_years = 60", "age_years = 2"), ("weight_kg = 70", "weight_kg = 200"),
                         ("# [scoring]\n# floor_map_mmhg = 60", "[scoring]\nfloor_map_mmhg = 40"))
    problems = validate_file(path)
    # 2 x (2 + 4) = 12 kg expected at 2 years (APLS): plausible 6-30 kg
    assert [(p.key, p.accepted) for p in problems] == [
        ("patient.weight_kg", "6-30 kg at 2 years (half to two and a half times 2 x (age + 4) kg)")]


def test_a_nadir_above_the_start_and_an_event_after_the_end_are_each_named(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    nadir = copy_template(tmp_path, "nadir", ("map0_nadir_mmhg = 46", "map0_nadir_mmhg = 58"))
    late = copy_template(tmp_path, "late", ("at_min = 150", "at_min = 300"))  # duration 4 h = 240 min
    assert main(["scenario", "validate", str(nadir), str(late), str(template_path())]) == 2
    out = capsys.readouterr().out
    assert ("disease.map0_nadir_mmhg: 58 mmHg is above the start (accepted: at most map0_start_mmhg (50 mmHg): "
            "the nadir is the lowest point of the untreated MAP)") in out
    assert "late.toml: events[1].at_min: out of range: 300 (accepted: a number from 0 to 240 min)" in out
    assert "scenario_template.toml: valid" in out


def test_every_cross_check_problem_is_listed_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_template(tmp_path, "several", ("map0_nadir_mmhg = 46", "map0_nadir_mmhg = 58"),
                         ("map0_recovered_mmhg = 74", "map0_recovered_mmhg = 40"),
                         ('id = "worse"', 'id = "gi_bleed"'))
    assert main(["scenario", "validate", "--json", str(path)]) == 2
    keys = [p["key"] for p in json.loads(capsys.readouterr().out)["files"][str(path)]]
    assert keys == ["disease.map0_nadir_mmhg", "disease.map0_recovered_mmhg", "events.id"]


def test_a_key_action_after_an_event_that_does_not_exist_names_the_events_accepted(tmp_path: Path) -> None:
    path = copy_template(tmp_path, "unknown", ('after_event = "gi_bleed"', 'after_event = "gi_bleeding"'))
    with pytest.raises(ScenarioError) as err:
        load_scenario_file(path)
    assert err.value.key == "expected_actions[2].after_event"
    assert err.value.accepted == "start | damped_trace | gi_bleed | worse"


def test_a_childs_scenario_without_a_floor_is_refused(tmp_path: Path) -> None:
    path = copy_template(tmp_path, "child", ('population = "adult"', 'population = "pediatric"'),
                         ("age_years = 60", "age_years = 6"), ("weight_kg = 70", "weight_kg = 20"))
    assert [(p.key, p.problem) for p in validate_file(path)] == [
        ("scoring.floor_map_mmhg", "missing for a pediatric scenario")]


def test_the_retired_debrief_target_key_says_why(tmp_path: Path) -> None:
    path = copy_template(tmp_path, "old", ("target_map_mmhg = 65",
                                           "target_map_mmhg = 65\ndebrief_target_map_mmhg = 80"))
    assert "the debrief scores the band the trainee was shown" in validate_file(path)[0].accepted


def test_simulate_runs_a_scenario_file_from_anywhere_and_lists_a_site_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    site.mkdir()
    path = copy_template(site, "ward_case")
    assert main(["simulate", "--scenario", str(path), "--policy", "none", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "ward_case" and out["hours"] == 4.0
    assert main(["simulate", "--list", "--scenario-dir", str(site)]) == 0
    assert "ward_case" in capsys.readouterr().out
    assert main(["simulate", "--scenario", "ward_case", "--scenario-dir", str(site), "--policy", "none"]) == 0


def _debriefs(tmp_path: Path) -> list[Path]:
    out = []
    for i, (name, who) in enumerate((("septic_responsive", "Ana"), ("bag_runs_out", "Ben"), ("septic_responsive",
                                                                                             "Cleo"))):
        trainee = Trainee(name, seed=i)
        trainee.follow_advice(30.0)
        result = trainee.run.debrief(trainee.session.state.effective_events(), trainee=who)
        path = tmp_path / f"d{i}.{'csv' if i == 2 else 'json'}"
        path.write_bytes(debrief_csv(result) if i == 2 else debrief_json(result))
        out.append(path)
    return out


def test_class_table_collects_debrief_files_into_one_csv_with_the_class_mean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _debriefs(tmp_path)
    junk = tmp_path / "notes.json"
    junk.write_text('{"hello": 1}', encoding="utf-8")
    out = tmp_path / "class.csv"
    assert main(["class-table", *map(str, files), str(junk), "--csv", str(out)]) == 0
    assert "left out" in capsys.readouterr().err and "notes.json" in junk.name
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["trainee"] for r in rows] == ["Ben", "Ana", "Cleo", "class mean"]
    in_band = [float(read_debrief_file(f).metrics["time_in_band_pct"]) for f in files]  # type: ignore[arg-type]
    assert float(rows[-1]["time_in_band_pct"]) == pytest.approx(sum(in_band) / 3, abs=0.01)


def test_class_table_with_no_readable_debrief_exits_2_naming_the_files(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "x.csv"
    junk.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["class-table", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "x.csv: is not a debrief metrics CSV" in err and "no debrief could be read" in err
