"""One connection's state machine: an acknowledgement for every frame, only the linked bed's values out, limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.handler import CloseReason, ConnectionHandler, HandlerConfig
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.pcd01 import RejectReason
from tests.monitor.messages import T0, ack_fields, framed, pcd01, rules, unframe

BED = MonitorLink(bed="ICU^12^A")
# The template's times: OBX-14 07:59:55, OBR-7 08:00:00 (UTC); the handler's clock stands at 08:00:05.
NOW = T0 + timedelta(seconds=5)


def handler(**changes: Any) -> ConnectionHandler:
    config = HandlerConfig(link=changes.pop("link", BED), rules=changes.pop("rules", rules()), local_tz=T0.tzinfo,
                           **changes)  # type: ignore[arg-type]
    return ConnectionHandler(config, now=NOW, peer="127.0.0.1", connection_id=7)


def codes(reply: bytes) -> list[tuple[str, str]]:
    return [(f["msa1"], f["msa2"]) for f in map(ack_fields, unframe(reply))]


def test_the_linked_beds_message_is_acknowledged_aa_and_its_values_returned() -> None:
    h = handler()
    out = h.receive(framed(pcd01()), NOW)
    assert codes(out.reply) == [("AA", "MSG00001")]
    assert [o.value(Vital.ART_MAP) for o in out.accepted] == [95.0]
    assert out.close is None
    assert (h.diagnostics.frames, h.diagnostics.accepted, h.diagnostics.observations) == (1, 1, 5)


def test_another_beds_message_is_rejected_never_returned_and_counted() -> None:
    h = handler()
    out = h.receive(framed(pcd01(bed="ICU^13^A", control_id="OTHER")), NOW)
    assert codes(out.reply) == [("AR", "OTHER")]
    assert out.accepted == ()
    assert [r.reason for r in out.rejected] == [RejectReason.WRONG_BED]
    assert h.diagnostics.wrong_party == 1
    assert h.diagnostics.recent[-1].reason is RejectReason.WRONG_BED


def test_the_link_is_checked_before_the_values_so_another_beds_bad_message_counts_as_wrong_bed() -> None:
    out = handler().receive(framed(pcd01(bed="ICU^13^A", map_unit="")), NOW)
    assert [r.reason for r in out.rejected] == [RejectReason.WRONG_BED]


def test_every_frame_gets_its_acknowledgement_in_order_however_the_bytes_arrive() -> None:
    stream = framed(pcd01(control_id="A")) + framed(b"garbage") + framed(pcd01(control_id="B", map="x"))
    whole = handler().receive(stream, NOW).reply
    h = handler()
    pieces = b"".join(h.receive(stream[i : i + 1], NOW).reply for i in range(len(stream)))
    assert codes(whole) == codes(pieces) == [("AA", "A"), ("AR", ""), ("AE", "B")]


def test_observation_times_are_believed_up_to_the_tolerance_ahead_and_the_maximum_age_behind() -> None:
    # clock_tolerance_s 30, max_age_min 60 (shipped protocol). OBX-14 at 07:59:55.
    ahead = T0 - timedelta(seconds=5) - timedelta(seconds=30)  # the observation is exactly 30 s ahead: accepted
    assert handler().receive(framed(pcd01(obr_time="")), ahead).accepted != ()
    too_far = ahead - timedelta(seconds=1)
    out = handler().receive(framed(pcd01(obr_time="")), too_far)
    assert [r.reason for r in out.rejected] == [RejectReason.BAD_TIME]
    assert "31 s ahead" in out.rejected[0].detail
    old = T0 - timedelta(seconds=5) + timedelta(minutes=60)  # exactly 60 min old: accepted
    assert handler().receive(framed(pcd01(obr_time="")), old).accepted != ()
    out = handler().receive(framed(pcd01(obr_time="")), old + timedelta(seconds=1))
    assert [r.reason for r in out.rejected] == [RejectReason.BAD_TIME]
    assert codes(out.reply) == [("AE", "MSG00001")]


def test_the_rate_limit_refuses_past_the_burst_and_refills_at_the_set_rate() -> None:
    # 60 a minute = 1 token a second; bursts of 3.
    h = handler(max_messages_per_minute=60, burst_messages=3)
    out = h.receive(framed(pcd01()) * 4, NOW)
    assert [c for c, _ in codes(out.reply)] == ["AA", "AA", "AA", "AR"]
    assert out.rejected[0].reason is RejectReason.RATE_LIMITED
    assert out.rejected[0].header is not None and out.rejected[0].header.control_id == "MSG00001"
    assert [c for c, _ in codes(h.receive(framed(pcd01()), NOW + timedelta(seconds=0.9)).reply)] == ["AR"]
    assert [c for c, _ in codes(h.receive(framed(pcd01()), NOW + timedelta(seconds=1.9)).reply)] == ["AA"]


def test_a_flood_past_the_rate_closes_the_connection() -> None:
    h = handler(max_messages_per_minute=60, burst_messages=3)
    out = h.receive(framed(pcd01()) * 100, NOW)
    # 3 accepted, then refusals until more than 3 in a row: the 4th refusal closes; the rest is never parsed.
    assert [c for c, _ in codes(out.reply)] == ["AA"] * 3 + ["AR"] * 4
    assert out.close is CloseReason.FLOOD
    assert h.receive(framed(pcd01()), NOW + timedelta(minutes=5)).reply == b""


def test_an_oversized_frame_is_refused_too_large_by_its_control_id() -> None:
    h = handler(max_frame_bytes=4096)
    out = h.receive(framed(pcd01() + b"NTE|1||" + b"x" * 10_000), NOW)
    assert codes(out.reply) == [("AR", "MSG00001")]
    assert out.rejected[0].reason is RejectReason.TOO_LARGE
    assert h.buffered_bytes == 0


def test_bytes_that_are_not_mllp_close_the_connection() -> None:
    h = handler(max_junk_bytes=4096)
    out = h.receive(b"GET / HTTP/1.1\r\n" + b"X" * 5000, NOW)
    assert out.close is CloseReason.JUNK and out.reply == b""


def test_a_frame_that_does_not_end_in_time_closes_the_connection() -> None:
    h = handler(frame_timeout_s=10.0)
    assert h.receive(framed(pcd01())[:100], NOW).reply == b""
    assert h.receive(b"more", NOW + timedelta(seconds=6)).close is None  # trickling does not restart the timer
    assert h.poll(NOW + timedelta(seconds=10)).close is None
    assert h.poll(NOW + timedelta(seconds=10.001)).close is CloseReason.FRAME_TIMEOUT
    assert h.diagnostics.connections_closed["frame not finished in time"] == 1


def test_a_silent_connection_is_closed_after_the_idle_time() -> None:
    h = handler(idle_timeout_s=600.0)
    h.receive(framed(pcd01()), NOW)
    assert h.poll(NOW + timedelta(seconds=600)).close is None
    assert h.poll(NOW + timedelta(seconds=600.001)).close is CloseReason.IDLE_TIMEOUT


@pytest.mark.parametrize("chunk", [65536, 1000])
def test_memory_stays_bounded_under_ten_megabytes_without_an_end_block(chunk: int) -> None:
    h = handler(max_frame_bytes=65536)
    h.receive(b"\x0b", NOW)
    most = 0
    for _ in range(10 * 1024 * 1024 // chunk):
        h.receive(b"A" * chunk, NOW)
        most = max(most, h.buffered_bytes)
    assert most <= 65536 + 1024


def test_ack_control_ids_are_unique_within_a_connection() -> None:
    h = handler()
    out = h.receive(framed(pcd01()) * 3, NOW)
    ids = [ack.split(b"|")[9] for ack in unframe(out.reply)]
    assert ids == [b"NG000700000001", b"NG000700000002", b"NG000700000003"]
