"""``norepi-gui simulate``: JSON output, population summary, listing, exit codes, no Qt."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from norepi_gui.cli import simulate


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="norepi-gui")
    sub = parser.add_subparsers(dest="command", required=True)
    simulate.add_parser(sub)
    return simulate.run(parser.parse_args(["simulate", *argv]))


def test_list_names_the_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--list"]) == 0
    out = capsys.readouterr().out
    assert "refractory_septic" in out and "pediatric_io" in out


def test_single_scenario_prints_debrief_metrics_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--scenario", "bag_runs_out", "--policy", "fixed", "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "bag_runs_out"
    assert data["hours"] == 3.0
    metrics = data["metrics"]
    for key in (
        "time_in_band_pct",
        "time_below_band_pct",
        "time_below_target_minus_5_pct",
        "time_below_floor_pct",
        "time_above_band_pct",
        "time_to_first_titration_min",
        "prompt_response_min",
        "escalations",
        "limit_alerts",
        "max_dose_mcg_per_kg_per_min",
        "total_mg",
        "prompts",
        "key_actions",
    ):
        assert key in metrics
    assert metrics["key_actions"][0]["action"] == "CHANGE_BAG"


def test_population_prints_mean_and_percentiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--policy", "none", "--hours", "2", "--patients", "12", "--seed", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] is None
    stats = data["summary"]["time_in_band_pct"]
    assert set(stats) == {"n", "mean", "p10", "p50", "p90"}
    assert stats["n"] == 12
    assert stats["p10"] <= stats["p50"] <= stats["p90"]


def test_text_output_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--policy", "fixed", "--hours", "1"]) == 0
    assert "time_in_band_pct" in capsys.readouterr().out


def test_same_seed_prints_the_same_json(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["--scenario", "weaning_overshoot", "--policy", "fixed", "--seed", "9", "--json"])
    first = capsys.readouterr().out
    run_cli(["--scenario", "weaning_overshoot", "--policy", "fixed", "--seed", "9", "--json"])
    assert capsys.readouterr().out == first


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scenario", "nope"], "accepted: af_unreliable_cuff, bag_changeover, bag_runs_out"),
        (["--patients", "0"], "--patients"),
        (["--hours", "0"], "--hours"),
        (["--workers", "0"], "--workers must be >= 1, got 0"),
        (["--policy", "random"], "accepted advisor, fixed, none, reference"),
        (["--policy", "fixed,fixed"], "each once"),
    ],
)
def test_bad_input_exits_2_with_a_message(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(argv) == 2
    assert message in capsys.readouterr().err


def test_advisor_policy_runs_the_titration_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--scenario", "refractory_septic", "--policy", "advisor", "--seed", "1", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert metrics["prompts"] > 1
    assert metrics["mean_prompt_response_min"] == 1.0  # the adapter's reaction delay


def test_advisor_unavailable_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from norepi_gui.core.protocol import ProtocolError
    from norepi_gui.sim import titration_advisor

    def refuse(path: object = None) -> None:
        raise ProtocolError("site.toml", "titration.step_up", "out of range", "0.005 to 0.5")

    monkeypatch.setattr(titration_advisor, "load_protocol", refuse)
    assert run_cli(["--policy", "advisor"]) == 2
    err = capsys.readouterr().err
    assert "cannot load its protocol" in err and "titration.step_up" in err


def test_simulate_never_imports_qt() -> None:
    code = (
        "import sys, argparse\n"
        "from norepi_gui.cli import simulate\n"
        "p = argparse.ArgumentParser(); s = p.add_subparsers(dest='c'); simulate.add_parser(s)\n"
        "simulate.run(p.parse_args(['simulate', '--hours', '0.5', '--json']))\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0


def test_the_number_of_workers_does_not_change_the_results(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--policy", "fixed", "--hours", "1", "--patients", "6", "--seed", "3", "--json"]
    assert run_cli([*argv, "--workers", "1"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert run_cli([*argv, "--workers", "2"]) == 0
    two = json.loads(capsys.readouterr().out)
    assert one == two
    assert one["summary"]["time_in_band_pct"]["n"] == 6


def test_reference_policy_reports_workload_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--policy", "reference", "--hours", "2", "--patients", "5", "--seed", "2", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    for key in ("time_in_band_pct", "time_below_target_minus_5_pct", "time_below_floor_pct", "time_above_band_pct",
                "ne_changes_per_h", "reversals_per_h", "prompts_per_h", "time_to_band_min"):
        assert key in summary
    assert summary["prompts_per_h"]["mean"] == pytest.approx(12.0)  # a check every 5 min


def test_several_policies_run_side_by_side_on_the_same_patients(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--policy", "none,fixed", "--hours", "1", "--patients", "3", "--seed", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["policy"] == ["none", "fixed"]
    assert set(data["policies"]) == {"none", "fixed"}
    assert data["policies"]["none"]["summary"]["ne_changes_per_h"]["mean"] == 0.0
    assert run_cli(["--policy", "none,fixed", "--hours", "1"]) == 0
    text = capsys.readouterr().out
    assert "policy none" in text and "policy fixed" in text
