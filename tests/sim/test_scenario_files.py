"""A damaged or hostile scenario file is a ScenarioError naming the file and the problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from norepi_gui.core.toml_file import MAX_ARRAY_ITEMS, MAX_BYTES, MAX_DEPTH
from norepi_gui.sim.scenario import ScenarioError, default_scenario_dir, load_scenario_file


def _shipped() -> str:
    return (default_scenario_dir() / "septic_responsive.toml").read_text(encoding="utf-8")


def _refused(tmp_path: Path, data: bytes) -> ScenarioError:
    path = tmp_path / "septic_responsive.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_shipped_scenario_still_loads() -> None:
    assert load_scenario_file(default_scenario_dir() / "septic_responsive.toml").name == "septic_responsive"


def test_utf16_scenario_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    error = _refused(tmp_path, _shipped().encode("utf-16"))
    assert error.key == "(encoding)"
    assert "UTF-16" in error.problem


def test_latin1_scenario_is_refused_naming_the_byte(tmp_path: Path) -> None:
    error = _refused(tmp_path, (_shipped() + "\n# caf\u00e9\n").encode("latin-1"))
    assert "0xE9 is not UTF-8" in error.problem


def test_deeply_nested_scenario_is_refused(tmp_path: Path) -> None:
    error = _refused(tmp_path, (_shipped() + "\nextra = " + "[" * 5000 + "]" * 5000 + "\n").encode("utf-8"))
    assert f"nested more than {MAX_DEPTH} deep" in error.problem


def test_huge_scenario_is_refused_by_its_size(tmp_path: Path) -> None:
    error = _refused(tmp_path, _shipped().encode("utf-8") + b"#" * MAX_BYTES)
    assert "larger than" in error.problem


def test_scenario_with_a_huge_array_is_refused(tmp_path: Path) -> None:
    many = ", ".join(['"o"'] * (MAX_ARRAY_ITEMS + 1))
    text = _shipped().replace("learning_objectives = [", f"learning_objectives = [{many}, ", 1)
    error = _refused(tmp_path, text.encode("utf-8"))
    assert "items" in error.problem


def test_scenario_with_a_400_digit_number_is_refused(tmp_path: Path) -> None:
    text = _shipped().replace("duration_h = ", "duration_h = 1" + "0" * 399 + "  # was ", 1)
    error = _refused(tmp_path, text.encode("utf-8"))
    assert "a number of 400 characters" in error.problem
