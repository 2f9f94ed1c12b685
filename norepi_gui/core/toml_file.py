"""Reading a TOML file someone else wrote (a site protocol, a scenario) without ever stalling or crashing.

Checked before parsing, in this order, each failure a :class:`TomlFileError` naming the file and the problem:

- size: at most :data:`MAX_BYTES`; a larger file is refused after reading ``MAX_BYTES + 1`` bytes, never all of it;
- encoding: UTF-8 only (TOML's own rule). A UTF-8 byte-order mark is accepted; UTF-16/UTF-32 (byte-order mark or NUL
  bytes) and any byte that is not UTF-8 are refused naming the line, the column and the byte;
- shape, by a scan of the text that skips strings and comments: arrays and inline tables nested at most
  :data:`MAX_DEPTH` deep (``tomllib`` recurses and would hit Python's recursion limit), arrays of at most
  :data:`MAX_ARRAY_ITEMS` items, numbers (any bare value that starts with a digit or a sign) of at most
  :data:`MAX_NUMBER_CHARS` characters (a 400-digit integer cannot even become a float).

Then :mod:`tomllib` parses, and the parsed document is walked once more (without recursion) for the depth of
nested tables made with dotted keys and the array lengths.
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_ARRAY_ITEMS = 1_000
MAX_NUMBER_CHARS = 40

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_UTF8_BOM = b"\xef\xbb\xbf"

# One token of TOML text, for the shape scan: strings and comments are skipped whole.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'  # multi-line basic string
    r"|'''[\s\S]*?'''"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|[\[\]{},=\n]"  # structure
    r"|[A-Za-z0-9_+\-.:]+"  # bare key or value (number, date, boolean)
    r"|[^\S\n]+"  # blanks
    r"|."  # anything else (tomllib will say what is wrong)
)


class TomlFileError(ValueError):
    """A TOML file was refused: ``file``, ``where`` (a line, a key, or "(file)") and what is wrong."""

    def __init__(self, file: str, where: str, problem: str, accepted: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        self.accepted = accepted
        super().__init__(f"{file}: {where}: {problem} (accepted: {accepted})")


def read_toml_file(path: Path, source: str | None = None) -> dict[str, Any]:
    """The parsed document of ``path`` (named ``source`` in errors, default the path), within the limits above."""
    name = source if source is not None else str(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TomlFileError(name, "(file)", f"cannot be read: {exc.strerror or exc}", "a readable file") from exc
    except ValueError as exc:  # a name the system cannot take (a NUL byte)
        raise TomlFileError(name, "(file)", f"is not a usable file name: {exc}", "a file name") from exc
    if len(data) > MAX_BYTES:
        raise TomlFileError(
            name, "(file)", f"is larger than {MAX_BYTES:,} bytes", f"a file of at most {MAX_BYTES // 1_000_000} MB"
        )
    return read_toml_bytes(data, name)


def read_toml_bytes(data: bytes, source: str) -> dict[str, Any]:
    return read_toml_text(_decode(data, source), source)


def read_toml_text(text: str, source: str) -> dict[str, Any]:
    _scan_shape(text, source)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(source, "(syntax)", str(exc), "valid TOML") from exc
    except (RecursionError, ValueError) as exc:  # defence in depth: the scan should have refused it already
        raise TomlFileError(source, "(syntax)", f"cannot be parsed ({type(exc).__name__})", "valid TOML") from exc
    _check_parsed(document, source)
    return document


def _decode(data: bytes, source: str) -> str:
    accepted = "a UTF-8 text file"
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise TomlFileError(
                source,
                "(encoding)",
                f"is {encoding} (it starts with the byte-order mark {bom.hex(' ').upper()}); save it as UTF-8",
                accepted,
            )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise TomlFileError(
            source,
            f"line {line}, column {column}",
            f"the byte 0x{byte} is not UTF-8 (the file may be Latin-1 or Windows-1252); save it as UTF-8",
            accepted,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TomlFileError(
            source,
            f"line {line}",
            "contains NUL characters (is it UTF-16 without a byte-order mark?); save it as UTF-8",
            accepted,
        )
    return text


def _scan_shape(text: str, source: str) -> None:
    """Refuse deep nesting, long arrays and overlong numbers before tomllib sees the text."""
    line = 1
    # One entry per open bracket: [kind, items so far, line it opened on, a value seen since the last comma]
    stack: list[list[Any]] = []
    after_equals = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "\n":
            line += 1
            after_equals = False
            continue
        if first in "\"'":
            line += token.count("\n")
            _value_seen(stack)
            continue
        if first == "#" or token.isspace():
            continue
        if first in "[{":
            if len(stack) >= MAX_DEPTH:
                raise TomlFileError(
                    source,
                    f"line {line}",
                    f"arrays or inline tables are nested more than {MAX_DEPTH} deep",
                    f"at most {MAX_DEPTH} levels",
                )
            _value_seen(stack)
            stack.append([first, 0, line, False])
            continue
        if first in "]}":
            if stack:
                kind, items, opened, seen = stack.pop()
                _count_item(source, kind, items + (1 if seen else 0), opened)
            continue
        if first == ",":
            if stack:
                frame = stack[-1]
                frame[1] += 1
                frame[3] = False
                _count_item(source, frame[0], frame[1], frame[2])
            continue
        if first == "=":
            after_equals = True
            continue
        if (stack or after_equals) and (first.isdigit() or first in "+-") and len(token) > MAX_NUMBER_CHARS:
            raise TomlFileError(
                source, f"line {line}", f"a number of {len(token)} characters", f"at most {MAX_NUMBER_CHARS}"
            )
        _value_seen(stack)


def _value_seen(stack: list[list[Any]]) -> None:
    if stack:
        stack[-1][3] = True


def _count_item(source: str, kind: str, items: int, opened: int) -> None:
    if kind == "[" and items > MAX_ARRAY_ITEMS:
        raise TomlFileError(
            source,
            f"line {opened}",
            f"an array of more than {MAX_ARRAY_ITEMS:,} items",
            f"at most {MAX_ARRAY_ITEMS:,} items",
        )


def _check_parsed(document: dict[str, Any], source: str) -> None:
    """Depth (tables nested with dotted keys count too) and array lengths of the parsed document, without recursion."""
    pending: list[tuple[object, str, int]] = [(document, "", 0)]
    while pending:
        value, key, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise TomlFileError(source, key, f"is nested more than {MAX_DEPTH} deep", f"at most {MAX_DEPTH} levels")
        if isinstance(value, dict):
            pending.extend((v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_ARRAY_ITEMS:
                raise TomlFileError(
                    source, key, f"has {len(value):,} items", f"an array of at most {MAX_ARRAY_ITEMS:,} items"
                )
            pending.extend((v, f"{key}[{i}]", depth + 1) for i, v in enumerate(value))
