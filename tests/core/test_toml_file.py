"""Limits on reading a TOML file someone else wrote: checked before tomllib; each failure names file and problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.toml_file import (
    MAX_ARRAY_ITEMS,
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    TomlFileError,
    read_toml_bytes,
    read_toml_file,
    read_toml_text,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_limits_are_exactly_at_their_values() -> None:
    # MAX_DEPTH levels of arrays are fine; one more is refused.
    assert read_toml_text("a = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "f.toml")["a"] is not None
    with pytest.raises(TomlFileError, match="nested more than"):
        read_toml_text("a = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "f.toml")
    # MAX_ARRAY_ITEMS items are fine (a trailing comma adds none); one more is refused.
    assert len(read_toml_text("a = [" + "1," * MAX_ARRAY_ITEMS + "]", "f.toml")["a"]) == MAX_ARRAY_ITEMS
    with pytest.raises(TomlFileError, match="more than"):
        read_toml_text("a = [" + "1," * MAX_ARRAY_ITEMS + "1]", "f.toml")
    # A number of MAX_NUMBER_CHARS characters is read; one more is refused.
    assert read_toml_text("a = " + "1" * MAX_NUMBER_CHARS, "f.toml")["a"] == int("1" * MAX_NUMBER_CHARS)
    with pytest.raises(TomlFileError, match=f"a number of {MAX_NUMBER_CHARS + 1} characters"):
        read_toml_text("a = " + "1" * (MAX_NUMBER_CHARS + 1), "f.toml")


def test_brackets_commas_and_long_runs_inside_strings_and_comments_do_not_count() -> None:
    text = (
        'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[,,,,"\n'
        "b = '''\n" + "[" * 50 + "\n'''\n"
        'c = """' + "1" * 100 + '"""\n'
        "# " + "[" * 50 + "," * 2000 + "\n"
        "d = [\"x,y\", 'p,q']\n"
    )
    document = read_toml_text(text, "f.toml")
    assert document["d"] == ["x,y", "p,q"]
    assert document["c"] == "1" * 100


def test_syntax_error_is_named_with_toml_s_own_position() -> None:
    with pytest.raises(TomlFileError) as info:
        read_toml_text("a = \n", "f.toml")
    assert (info.value.file, info.value.where) == ("f.toml", "(syntax)")
    assert "line 1" in info.value.problem


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (b"\xff\xfea\x00=\x001\x00", "(encoding)", "UTF-16 (little-endian)"),
        (b"\xfe\xff\x00a", "(encoding)", "UTF-16 (big-endian)"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "(encoding)", "UTF-32 (little-endian)"),
        (b"a\x00 \x00=\x00", "line 1", "NUL characters"),
        (b'a = 1\nb = "caf\xe9"\n', "line 2, column 9", "0xE9 is not UTF-8"),
    ],
)
def test_text_that_is_not_utf8_is_refused_naming_what_it_is(data: bytes, where: str, problem: str) -> None:
    with pytest.raises(TomlFileError) as info:
        read_toml_bytes(data, "f.toml")
    assert info.value.where == where
    assert problem in info.value.problem


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(TomlFileError) as info:
        read_toml_file(tmp_path / "missing.toml")
    assert info.value.file == str(tmp_path / "missing.toml")
    assert "cannot be read" in info.value.problem
