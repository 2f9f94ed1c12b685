"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol): ``0x0B message 0x1C 0x0D``, as a pure incremental decoder.

:class:`MllpDecoder` takes bytes as they arrive, in any chunking, and returns the complete frames and the typed
framing errors found so far. Its memory never grows without bound whatever a sender does:

* a frame longer than ``max_frame_bytes`` is not kept: its first ``head_bytes`` are (to acknowledge it by its message
  control id) and the rest is counted and dropped until its end block (:attr:`FramingErrorKind.TOO_LARGE`);
* bytes outside a frame are never kept; more than ``max_junk_bytes`` of them since the last frame is reported once per
  ``max_junk_bytes`` (:attr:`FramingErrorKind.JUNK`: not an MLLP sender, the connection should be closed);
* a start block inside a frame drops the partial frame and starts a new one (:attr:`FramingErrorKind.RESTARTED`,
  a sender that gave up half-way).

A frame with no end block is the caller's to time out (the handler's frame timeout): the decoder cannot know time.
The carriage return after the end block is optional here (some gateways leave it out).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

START_BLOCK = 0x0B
END_BLOCK = 0x1C
CARRIAGE_RETURN = 0x0D
_START = b"\x0b"
_END = b"\x1c"

#: How much of an oversized frame is kept to acknowledge it (MSH with its control id fits in far less).
HEAD_BYTES = 1024


class FramingErrorKind(StrEnum):
    TOO_LARGE = "too_large"
    JUNK = "junk"
    RESTARTED = "restarted"


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete MLLP frame: the message bytes between the start block and the end block."""

    payload: bytes


@dataclass(frozen=True, slots=True)
class FramingError:
    """Bytes that did not make a usable frame. ``size`` bytes were dropped; ``head`` is the start of a dropped frame
    (empty for junk), enough to find its MSH-10 and acknowledge it."""

    kind: FramingErrorKind
    size: int
    head: bytes = b""


Decoded = Frame | FramingError


def frame(payload: bytes) -> bytes:
    """Wrap one HL7 message in MLLP blocks. Refuses a payload holding a block character (not HL7 text)."""
    if _START in payload or _END in payload:
        raise ValueError("an MLLP payload cannot contain 0x0B or 0x1C")
    return _START + payload + b"\x1c\x0d"


class _State(StrEnum):
    IDLE = "idle"  # between frames
    IN_FRAME = "in_frame"  # collecting a frame that still fits
    DISCARDING = "discarding"  # a frame past max_frame_bytes: counting to its end block
    AFTER_END = "after_end"  # just after an end block: a carriage return here belongs to it


class MllpDecoder:
    """Incremental MLLP decoder; one per connection. ``feed`` never raises and keeps at most
    ``max_frame_bytes + head_bytes`` bytes."""

    def __init__(self, *, max_frame_bytes: int, max_junk_bytes: int, head_bytes: int = HEAD_BYTES) -> None:
        if max_frame_bytes < 1 or max_junk_bytes < 0 or head_bytes < 0:
            raise ValueError("MllpDecoder limits must be positive")
        self.max_frame_bytes = max_frame_bytes
        self.max_junk_bytes = max_junk_bytes
        self.head_bytes = min(head_bytes, max_frame_bytes)
        self._state = _State.IDLE
        self._buf = bytearray()
        self._head = b""
        self._size = 0  # bytes of the current frame so far, kept or not
        self._junk = 0  # bytes outside frames since the last start block or the last junk report

    @property
    def in_frame(self) -> bool:
        """A frame has started and its end block has not arrived."""
        return self._state in (_State.IN_FRAME, _State.DISCARDING)

    @property
    def buffered_bytes(self) -> int:
        """Bytes held now (the partial frame, or the head of an oversized one)."""
        return len(self._buf) + len(self._head)

    def feed(self, data: bytes) -> list[Decoded]:
        out: list[Decoded] = []
        i, n = 0, len(data)
        while i < n:
            state = self._state
            if state is _State.AFTER_END:
                if data[i] == CARRIAGE_RETURN:
                    i += 1
                self._state = _State.IDLE
                continue
            if state is _State.IDLE:
                j = data.find(_START, i)
                stop = n if j < 0 else j
                self._count_junk(stop - i, out)
                if j < 0:
                    return out
                self._begin()
                i = j + 1
                continue
            end = data.find(_END, i)
            restart = data.find(_START, i, end if end >= 0 else n)
            stop = restart if restart >= 0 else (end if end >= 0 else n)
            self._take(data[i:stop])
            if stop == n:
                return out
            if restart >= 0:
                out.append(FramingError(FramingErrorKind.RESTARTED, self._size, self._dropped_head()))
                self._begin()
            else:
                out.append(self._finish())
                self._state = _State.AFTER_END
            i = stop + 1
        return out

    # -- internals -------------------------------------------------------------------------------------------
    def _count_junk(self, count: int, out: list[Decoded]) -> None:
        if count <= 0:
            return
        self._junk += count
        if self._junk > self.max_junk_bytes:
            out.append(FramingError(FramingErrorKind.JUNK, self._junk))
            self._junk = 0

    def _begin(self) -> None:
        self._state = _State.IN_FRAME
        self._buf = bytearray()
        self._head = b""
        self._size = 0
        self._junk = 0

    def _take(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._state is _State.IN_FRAME:
            if len(self._buf) + len(chunk) <= self.max_frame_bytes:
                self._buf += chunk
                return
            self._head = bytes((self._buf + chunk[: self.head_bytes])[: self.head_bytes])
            self._buf = bytearray()
            self._state = _State.DISCARDING

    def _dropped_head(self) -> bytes:
        return self._head if self._state is _State.DISCARDING else bytes(self._buf[: self.head_bytes])

    def _finish(self) -> Decoded:
        if self._state is _State.DISCARDING:
            result: Decoded = FramingError(FramingErrorKind.TOO_LARGE, self._size, self._head)
        else:
            result = Frame(bytes(self._buf))
        self._buf = bytearray()
        self._head = b""
        self._size = 0
        return result
