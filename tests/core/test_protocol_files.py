"""A damaged or hostile protocol file is refused naming the file and the problem; the app falls back, never crashes.

Each case is one the issue found stopping the app at every start with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from norepi_gui.core.protocol import ProtocolError, load_protocol, load_protocol_or_shipped
from norepi_gui.core.toml_file import MAX_ARRAY_ITEMS, MAX_BYTES, MAX_DEPTH

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml"


def _site(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "site.toml"
    path.write_bytes(data)
    return path


def _shipped_text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


def _refused(path: Path) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        load_protocol(path)
    assert str(path) in str(info.value)  # every refusal names the file
    return info.value


def test_utf16_file_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    error = _refused(_site(tmp_path, _shipped_text().encode("utf-16")))
    assert "UTF-16" in error.problem
    assert "save it as UTF-8" in error.problem


def test_latin1_byte_is_refused_naming_line_column_and_byte(tmp_path: Path) -> None:
    text = _shipped_text().replace('name = "norepi-gui default"', 'name = "Caf\u00e9 protocol"')
    error = _refused(_site(tmp_path, text.encode("latin-1")))
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("name = "))
    assert error.key == f"line {line}, column 12"  # 'name = "Caf' is 11 characters
    assert "0xE9 is not UTF-8" in error.problem


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    protocol = load_protocol(_site(tmp_path, b"\xef\xbb\xbf" + _shipped_text().encode("utf-8")))
    assert protocol.meta.name == "norepi-gui default"


def test_400_digit_number_is_refused_before_parsing(tmp_path: Path) -> None:
    text = _shipped_text().replace("hard_max_dose = 3.0", "hard_max_dose = 1" + "0" * 399, 1)
    error = _refused(_site(tmp_path, text.encode("utf-8")))
    assert "a number of 400 characters" in error.problem


def test_arrays_nested_5000_deep_are_refused_not_a_recursion_error(tmp_path: Path) -> None:
    text = _shipped_text().replace(
        "standard_mcg_per_ml = [4.0, 16.0, 32.0, 64.0]", "standard_mcg_per_ml = " + "[" * 5000 + "]" * 5000
    )
    error = _refused(_site(tmp_path, text.encode("utf-8")))
    assert f"nested more than {MAX_DEPTH} deep" in error.problem


def test_a_50_mb_file_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    with path.open("wb") as fh:
        fh.write(_shipped_text().encode("utf-8"))
        fh.truncate(50_000_000)
    error = _refused(path)
    assert f"larger than {MAX_BYTES:,} bytes" in error.problem


def test_200000_concentrations_are_refused_naming_the_line(tmp_path: Path) -> None:
    many = ", ".join(["1"] * 200_000)  # 600 kB: within the size limit, so the array limit speaks
    text = _shipped_text().replace("standard_mcg_per_ml = [4.0, 16.0, 32.0, 64.0]", f"standard_mcg_per_ml = [{many}]")
    error = _refused(_site(tmp_path, text.encode("utf-8")))
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("standard_mcg_per_ml"))
    assert error.key == f"line {line}"
    assert f"more than {MAX_ARRAY_ITEMS:,} items" in error.problem


def test_tables_nested_deep_with_dotted_keys_are_refused(tmp_path: Path) -> None:
    text = _shipped_text() + "\n[" + ".".join(["x"] * 60) + "]\ny = 1\n"
    error = _refused(_site(tmp_path, text.encode("utf-8")))
    assert f"nested more than {MAX_DEPTH} deep" in error.problem


def test_a_bad_site_protocol_falls_back_to_the_shipped_one_with_the_message(tmp_path: Path) -> None:
    path = _site(tmp_path, _shipped_text().encode("utf-16"))
    protocol, problem = load_protocol_or_shipped(path)
    assert protocol.source == "default.toml (shipped)"
    assert problem is not None
    assert problem.startswith("Protocol file refused, the shipped protocol is used: ")
    assert str(path) in problem and "UTF-16" in problem


def test_a_good_site_protocol_or_none_gives_no_message(tmp_path: Path) -> None:
    path = _site(tmp_path, _shipped_text().encode("utf-8"))
    assert load_protocol_or_shipped(path)[0].source == str(path)
    assert load_protocol_or_shipped(path)[1] is None
    assert load_protocol_or_shipped(None)[1] is None


def test_a_missing_site_protocol_falls_back_naming_the_file(tmp_path: Path) -> None:
    _protocol, problem = load_protocol_or_shipped(tmp_path / "gone.toml")
    assert problem is not None and "gone.toml" in problem and "cannot be read" in problem
