from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from norepi_gui.core.protocol import LineType, Population, ProtocolError, load_protocol, parse_protocol

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml"


def _default_data() -> dict[str, Any]:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def test_shipped_protocol_loads_through_importlib_resources() -> None:
    protocol = load_protocol()
    assert protocol.meta.name == "norepi-gui default"
    assert protocol.concentrations.standard_mcg_per_ml == (4.0, 16.0, 32.0, 64.0)
    assert protocol.targets.default_map == 65.0  # [seed 000, 001]
    assert protocol.daily.label_max_mg_per_day == 68.0  # [seed 002]
    assert protocol.intervals.min_minutes == 5.0 and protocol.intervals.max_minutes == 15.0  # [seed 000, 004]
    assert protocol.escalation.vasopressin_ne_threshold == 0.25
    assert protocol.line(LineType.PERIPHERAL).max_hours == 24.0  # [seed 004]
    assert protocol.population(Population.PEDIATRIC).hard_max_dose == 5.0  # [seed 002]


def test_every_shipped_value_names_its_source() -> None:
    for number, line in enumerate(DEFAULT.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if (
            "=" in stripped
            and not stripped.startswith("#")
            and not stripped.startswith(("name", "version", "dose_unit"))
        ):
            assert "[" in line.split("#", 1)[-1] if "#" in line else False, f"line {number} has no source: {line}"


def _error_for(data: dict[str, Any]) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_protocol(data, "site.toml")
    return info.value


def test_out_of_range_value_names_file_key_and_accepted_range() -> None:
    data = _default_data()
    data["pump"]["resolution_ml_per_h"] = 50
    err = _error_for(data)
    assert err.key == "pump.resolution_ml_per_h"
    assert str(err).startswith("site.toml: pump.resolution_ml_per_h:")
    assert "0.001 to 10.0 mL/h" in str(err)


def test_titration_step_settings_out_of_range_are_refused() -> None:
    for key, bad, accepted in (("proportional_gain", 5, "0.0 to 3.0 per 10 mmHg"),
                               ("max_wean_fraction", 0, "0.05 to 1.0 fraction of the dose"),
                               ("dose_resolution", 0.5, "0.0001 to 0.1 mcg/kg/min"),
                               ("centre_deadband_mmhg", -1, "0.0 to 20.0 mmHg"),
                               ("effect_minutes", 0, "1.0 to 60.0 min"),
                               ("effect_minutes", 90, "1.0 to 60.0 min"),
                               ("level_readings", 0, "1 to 10"),
                               ("level_readings", 2.5, "expected a whole number"),
                               ("level_off_centre_mmhg", 25, "0.0 to 20.0 mmHg")):
        data = _default_data()
        data["titration"][key] = bad
        err = _error_for(data)
        assert err.key == f"titration.{key}" and accepted in str(err), str(err)
    data = _default_data()
    data["titration"]["step_down"] = 0.02  # removed: the proportional step replaces it
    assert _error_for(data).key == "titration.step_down"
    data = _default_data()
    del data["titration"]["effect_minutes"]  # a site protocol from before issue 13 names what it lacks
    err = _error_for(data)
    assert err.key == "titration.effect_minutes" and "missing" in str(err)


def test_wrong_type_missing_and_unknown_keys_are_refused() -> None:
    data = _default_data()
    data["targets"]["default_map"] = "sixty-five"
    assert _error_for(data).key == "targets.default_map"
    data = _default_data()
    del data["titration"]["step_up"]
    assert _error_for(data).key == "titration.step_up"
    data = _default_data()
    data["titration"]["step_upp"] = 0.1
    assert _error_for(data).key == "titration.step_upp"
    data = _default_data()
    data["populations"]["neonate"] = data["populations"]["adult"]
    assert _error_for(data).key == "populations.neonate"


def test_inconsistent_limits_are_refused() -> None:
    data = _default_data()
    data["populations"]["adult"]["soft_max_dose"] = 4.0  # above hard_max_dose 3.0
    assert _error_for(data).key == "populations.adult.soft_max_dose"
    data = _default_data()
    data["intervals"]["after_change_minutes"] = 20.0  # outside 5-15
    assert _error_for(data).key == "intervals.after_change_minutes"


def test_unreadable_and_malformed_files_are_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="missing.toml"):
        load_protocol(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta\nname=", encoding="utf-8")
    with pytest.raises(ProtocolError, match=r"bad.toml: \(syntax\)"):
        load_protocol(bad)


def test_a_site_protocol_overrides_the_default(tmp_path: Path) -> None:
    text = DEFAULT.read_text(encoding="utf-8").replace("default_map = 65.0", "default_map = 70.0")
    site = tmp_path / "site.toml"
    site.write_text(text, encoding="utf-8")
    assert load_protocol(site).targets.default_map == 70.0


_U_TAG = re.compile(r"\[[^\]]*\bU\b[^\]]*\]")


def _u_tagged_keys(text: str) -> list[str]:
    """Every setting whose comment (its own line or the indented comment lines under it) carries a [U] tag."""
    table, keys, last = "", [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and "=" not in stripped:
            table, last = stripped.strip("[]"), None
        elif line[:1].isspace() and stripped.startswith("#") and last:
            keys += [last] if _U_TAG.search(stripped) else []
        elif match := re.match(r"^(\w+)\s*=", line):
            last = f"{table}.{match.group(1)}"
            keys += [last] if table != "meta" and _U_TAG.search(line.split("#", 1)[-1] if "#" in line else "") else []
        else:
            last = None
    return list(dict.fromkeys(keys))


def test_the_review_list_is_every_setting_tagged_u_in_the_shipped_file() -> None:
    protocol = load_protocol()
    tagged = _u_tagged_keys(DEFAULT.read_text(encoding="utf-8"))
    assert "targets.baseline_sbp_max_drop_mmhg" in tagged and "readings.max_age_minutes" in tagged
    assert sorted(protocol.meta.review) == sorted(tagged)


def test_review_defaults_are_marked_where_a_text_states_them() -> None:
    protocol = load_protocol()
    assert protocol.is_review_default("safety.bradycardia_hr_below")  # [U]
    assert not protocol.is_review_default("targets.default_map")  # [seed 000, 001; V SSC 2021]
    assert protocol.cite("safety.bradycardia_hr_below", "50") == "50 (protocol default, review)"
    assert protocol.cite("targets.default_map", "65") == "65"
    data = _default_data()
    data["meta"]["review"] = []  # an institution that has reviewed every value
    reviewed = parse_protocol(data, "site.toml")
    assert reviewed.cite("safety.bradycardia_hr_below", "50") == "50"


def test_review_keys_must_name_settings() -> None:
    data = _default_data()
    data["meta"]["review"] = ["targets.band_above_mmhg", "targets.band_width"]
    err = _error_for(data)
    assert err.key == "meta.review[1]" and "targets.band_width" in str(err)


def test_new_edge_settings_are_typed_bounded_and_cross_checked() -> None:
    protocol = load_protocol()
    assert protocol.readings.max_age_minutes == 15.0 and protocol.readings.artefact_jump_mmhg == 30.0
    assert protocol.start_criteria.wait_for_fluids_alert_minutes == 30.0
    assert protocol.start_criteria.pediatric_fluids_ml_per_kg == 40.0  # [seed 004]
    assert protocol.pump.max_delivered_error_fraction == 0.1
    assert protocol.escalation.wean_first == "norepinephrine"
    assert protocol.targets.individual_min_mmhg == 20.0
    for section, key, bad in (("readings", "max_age_minutes", 0.5), ("readings", "map_min_mmhg", 70.0),
                              ("pump", "max_delivered_error_fraction", 0.6),
                              ("start_criteria", "wait_for_fluids_alert_minutes", 0.0),
                              ("targets", "individual_min_mmhg", 5.0)):
        data = _default_data()
        data[section][key] = bad
        assert _error_for(data).key == f"{section}.{key}"
    data = _default_data()
    data["escalation"]["wean_first"] = "epinephrine"
    err = _error_for(data)
    assert err.key == "escalation.wean_first" and "norepinephrine, vasopressin" in str(err)
    data = _default_data()
    data["populations"]["pediatric"]["maybe_pounds_above_kg"] = 1000.0  # above weight_max_kg: the check is off
    assert _error_for(data).key == "populations.pediatric.maybe_pounds_above_kg"
    data = _default_data()
    data["readings"]["map_min_mmhg"], data["readings"]["map_max_mmhg"] = 60.0, 100.0
    assert parse_protocol(data, "site.toml").readings.map_max_mmhg == 100.0


def test_life_threatening_map_is_derived_from_the_start_criteria() -> None:
    assert load_protocol().start_criteria.map_equivalent_below == pytest.approx(160.0 / 3)  # (80 + 2 x 40) / 3
    data = _default_data()
    data["start_criteria"]["sbp_below"] = 90.0
    assert parse_protocol(data, "site.toml").start_criteria.map_equivalent_below == pytest.approx(170.0 / 3)
