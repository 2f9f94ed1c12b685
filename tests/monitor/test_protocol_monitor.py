"""The protocol's [monitor] section: shipped defaults (all [U]), bounds and the cross-check, named on refusal."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from norepi_gui.core.protocol import ProtocolError, load_protocol, parse_protocol

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml"


def _data() -> dict[str, Any]:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def test_the_shipped_monitor_section_loads_with_its_reviewable_defaults() -> None:
    m = load_protocol().monitor
    assert (m.stale_after_s, m.summary_window_min, m.summary_min_samples) == (120.0, 5.0, 3)
    assert (m.clock_tolerance_s, m.max_age_min) == (30.0, 60.0)
    assert (m.map_plausible_min_mmhg, m.map_plausible_max_mmhg) == (20.0, 180.0)
    assert (m.flush_max_s, m.flush_settle_s, m.damped_pulse_pressure_below_mmhg, m.jump_mmhg) == (30.0, 10.0, 20.0,
                                                                                                    25.0)
    assert m.max_excluded_fraction == 0.5


def test_every_monitor_value_is_marked_for_review() -> None:
    text = DEFAULT.read_text(encoding="utf-8").split("[monitor]", 1)[1]
    rows = [line for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#")]
    assert len(rows) == 12
    assert all("[U]" in row for row in rows)


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("stale_after_s", 5, "10.0 to 3600.0 s"),
        ("summary_window_min", 60, "1.0 to 30.0 min"),
        ("summary_min_samples", 2.5, "1 to 600"),
        ("map_plausible_max_mmhg", 400, "100.0 to 300.0 mmHg"),
        ("max_excluded_fraction", 1.5, "0.0 to 1.0 fraction of the samples"),
    ],
)
def test_a_monitor_value_out_of_range_is_refused_naming_file_key_and_range(key: str, value: object,
                                                                          accepted: str) -> None:
    data = _data()
    data["monitor"][key] = value
    with pytest.raises(ProtocolError) as info:
        parse_protocol(data, "site.toml")
    assert info.value.key == f"monitor.{key}"
    assert accepted in str(info.value)


def test_a_protocol_without_the_monitor_section_is_refused() -> None:
    data = _data()
    del data["monitor"]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(data, "site.toml")
    assert info.value.key == "monitor"
