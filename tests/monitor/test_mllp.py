"""MLLP framing: frames in any chunking, and limits that keep memory bounded whatever the sender does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from norepi_gui.monitor.mllp import Frame, FramingError, FramingErrorKind, MllpDecoder, frame
from tests.monitor.messages import CR, EB, SB


def decoder(max_frame: int = 1000, max_junk: int = 100, head: int = 16) -> MllpDecoder:
    return MllpDecoder(max_frame_bytes=max_frame, max_junk_bytes=max_junk, head_bytes=head)


def test_frame_wraps_a_message_in_start_and_end_blocks() -> None:
    assert frame(b"MSH|x") == b"\x0bMSH|x\x1c\x0d"


def test_frame_refuses_a_payload_holding_a_block_character() -> None:
    with pytest.raises(ValueError, match="0x0B or 0x1C"):
        frame(b"MSH\x1c")


def test_two_frames_in_one_chunk_come_out_in_order() -> None:
    out = decoder().feed(SB + b"one" + EB + CR + SB + b"two" + EB + CR)
    assert out == [Frame(b"one"), Frame(b"two")]


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_any_chunking_gives_the_same_frames(cuts: list[int]) -> None:
    stream = b"\r\n" + SB + b"MSH|first" + EB + CR + SB + b"MSH|second" + EB + SB + b"MSH|third" + EB + CR
    d = decoder()
    out = []
    start = 0
    for cut in sorted(set(cuts)):
        out += d.feed(stream[start:cut])
        start = max(start, cut)
    out += d.feed(stream[start:])
    assert out == [Frame(b"MSH|first"), Frame(b"MSH|second"), Frame(b"MSH|third")]


def test_the_carriage_return_after_the_end_block_is_optional() -> None:
    assert decoder().feed(SB + b"a" + EB + SB + b"b" + EB) == [Frame(b"a"), Frame(b"b")]


def test_junk_between_frames_is_never_kept_and_reported_past_the_limit() -> None:
    d = decoder(max_junk=100)
    # 100 bytes are tolerated; the 101st is reported once, with the count; nothing is held.
    assert d.feed(b"x" * 100) == []
    assert d.feed(b"y") == [FramingError(FramingErrorKind.JUNK, 101)]
    assert d.buffered_bytes == 0
    assert d.feed(b"z" * 50 + SB + b"ok" + EB) == [Frame(b"ok")]


def test_junk_count_restarts_at_each_frame() -> None:
    d = decoder(max_junk=10)
    stream = (b"\r\n" * 4 + SB + b"m" + EB + CR) * 20  # 8 + 1 bytes between frames, 20 times: never over 10 at once
    assert d.feed(stream) == [Frame(b"m")] * 20


def test_an_oversized_frame_is_dropped_with_its_head_kept_and_the_next_frame_decoded() -> None:
    d = decoder(max_frame=1000, head=16)
    big = b"MSH|^~\\&|A|B|" + b"x" * 5000
    out = d.feed(SB + big + EB + CR + SB + b"next" + EB + CR)
    assert out == [FramingError(FramingErrorKind.TOO_LARGE, len(big), big[:16]), Frame(b"next")]


def test_ten_megabytes_without_an_end_block_never_holds_more_than_the_limit() -> None:
    d = decoder(max_frame=64 * 1024, head=1024)
    chunk = b"A" * 65536
    assert d.feed(SB) == []
    most = 0
    for _ in range(160):  # 160 x 64 KiB = 10 MiB
        assert d.feed(chunk) == []
        most = max(most, d.buffered_bytes)
    assert d.in_frame
    assert most <= 64 * 1024 + 1024  # the frame limit, plus the kept head once the frame is past it
    assert d.feed(EB) == [FramingError(FramingErrorKind.TOO_LARGE, 160 * 65536, b"A" * 1024)]
    assert d.buffered_bytes == 0


def test_a_frame_of_exactly_the_limit_is_kept_and_one_byte_more_is_not() -> None:
    assert decoder(max_frame=10).feed(SB + b"0123456789" + EB) == [Frame(b"0123456789")]
    out = decoder(max_frame=10, head=4).feed(SB + b"0123456789a" + EB)
    assert out == [FramingError(FramingErrorKind.TOO_LARGE, 11, b"0123")]


def test_a_start_block_inside_a_frame_drops_the_partial_frame() -> None:
    out = decoder().feed(SB + b"half" + SB + b"whole" + EB + CR)
    assert out == [FramingError(FramingErrorKind.RESTARTED, 4, b"half"), Frame(b"whole")]


@settings(max_examples=300)
@given(st.lists(st.binary(max_size=300), max_size=30))
def test_arbitrary_bytes_never_raise_and_never_exceed_the_bounds(chunks: list[bytes]) -> None:
    d = decoder(max_frame=200, max_junk=50, head=16)
    for chunk in chunks:
        for item in d.feed(chunk):
            if isinstance(item, Frame):
                assert len(item.payload) <= 200
                assert b"\x0b" not in item.payload and b"\x1c" not in item.payload
            else:
                assert len(item.head) <= 16
        assert d.buffered_bytes <= 200 + 16
