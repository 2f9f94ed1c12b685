"""A small typed face on python-hl7 (``hl7``): parse a message, read a field component, build a message.

python-hl7 (BSD-3-Clause) parses HL7 v2 ER7 text into nested containers, builds segments and handles the escape
sequences; it ships no type hints, so the rest of the package sees only these classes. Why python-hl7 and not
hl7apy: ``docs/monitor.md``. Its ``Message.create_ack`` is not used: it stamps MSH-7 from the wall clock
(``datetime.utcnow``, deprecated since Python 3.12) and has no MSA-3 or ERR; :mod:`norepi_gui.monitor.ack` builds
the acknowledgement from the same containers with an injected time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import hl7
import hl7.util

#: IHE PCD TF-2 requires the default delimiters: field ``|``, then component, repetition, escape, sub-component.
ENCODING_CHARACTERS = "^~\\&"
HEADER_PREFIX = "MSH|" + ENCODING_CHARACTERS + "|"
COMPONENT_SEPARATOR = "^"

Components = str | tuple[str, ...]


def format_time(when: datetime) -> str:
    """An HL7 DTM to the second in UTC: ``YYYYMMDDHHMMSS+0000``."""
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


class Hl7ParseError(ValueError):
    """The text is not an HL7 v2 message python-hl7 can read."""


def printable(text: str) -> str:
    """``text`` with control characters replaced by ``?``: python-hl7 hex-escapes code points below 0x10 with a
    space (``\\X 7\\``), so they never reach its escaper. Other non-ASCII characters are hex-escaped by it."""
    return "".join("?" if c < " " or c == "\x7f" else c for c in text)


class Segment:
    """One segment: read components (unescaped) and write fields (escaped)."""

    def __init__(self, parsed: Any) -> None:
        self._seg = parsed

    @property
    def name(self) -> str:
        return str(self._seg[0])

    def field(self, number: int, component: int = 1, repetition: int = 1) -> str:
        """One component, unescaped; "" when absent (python-hl7 raises IndexError past a leaf)."""
        try:
            return str(self._seg.extract_field(1, number, repetition, component, 1))
        except IndexError:
            return ""

    def components(self, number: int, count: int, repetition: int = 1) -> tuple[str, ...]:
        return tuple(self.field(number, c, repetition) for c in range(1, count + 1))

    def repetitions(self, number: int) -> int:
        """How many repetitions field ``number`` holds (0 when absent)."""
        if number >= len(self._seg):
            return 0
        return max(1, len(self._seg(number)))

    def set(self, number: int, value: Components) -> None:
        """Write field ``number`` from unescaped component values (a string is one component)."""
        parts = (value,) if isinstance(value, str) else value
        escaped = COMPONENT_SEPARATOR.join(str(hl7.util.escape(self._seg, printable(p))) for p in parts)
        self._seg.assign_field(escaped.rstrip(COMPONENT_SEPARATOR), number)


class Message:
    """One HL7 v2 message (default delimiters)."""

    def __init__(self, parsed: Any) -> None:
        self._msg = parsed

    def segments(self, name: str) -> list[Segment]:
        return [Segment(s) for s in self._msg if str(s[0]) == name]

    def first(self, name: str) -> Segment | None:
        for s in self._msg:
            if str(s[0]) == name:
                return Segment(s)
        return None

    @property
    def header(self) -> Segment:
        return Segment(self._msg[0])

    def add(self, name: str, fields: dict[int, Components]) -> Segment:
        """Append segment ``name`` with the given fields (field number -> unescaped components)."""
        raw = self._msg.create_segment([self._msg.create_field([name])])
        self._msg.append(raw)
        segment = Segment(raw)
        for number, value in sorted(fields.items()):
            segment.set(number, value)
        return segment

    def to_er7(self) -> bytes:
        """The message as HL7 text, each segment ended by a carriage return, in UTF-8."""
        return str(self._msg).encode("utf-8")


def parse_datetime(text: str) -> datetime:
    """python-hl7's reading of an HL7 DTM (naive, or with its fixed UTC offset). Raises ValueError."""
    value = hl7.parse_datetime(text)
    if not isinstance(value, datetime):
        raise ValueError(f"{text!r} is not a date and time")
    return value


def parse(text: str) -> Message:
    """Parse ER7 text (segments separated by carriage returns). Raises :class:`Hl7ParseError`.

    The header is checked first so that python-hl7 never sees delimiters it cannot plan for; after that any failure
    of the parser (whose failure modes are not documented) is a malformed message, never a traceback.
    """
    if not text.startswith(HEADER_PREFIX):
        raise Hl7ParseError(f"the message must start with {HEADER_PREFIX!r} (MSH-1 and MSH-2)")
    try:
        return Message(hl7.parse(text))
    except Exception as exc:  # any parser failure is a malformed message (see docstring)
        raise Hl7ParseError(f"not readable as HL7 v2 ({type(exc).__name__})") from exc


def new_message(header: dict[int, Components]) -> Message:
    """A message holding only an MSH with default delimiters and the given fields (3 and up)."""
    message = Message(hl7.parse(HEADER_PREFIX))
    for number, value in sorted(header.items()):
        message.header.set(number, value)
    return message
