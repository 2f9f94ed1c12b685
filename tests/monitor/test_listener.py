"""The headless listener over real loopback TCP: ``monitor-sim`` in another process, hostile senders, limits."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norepi_gui.core.clock import ManualClock
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.listener import MonitorDisabledError, MonitorListener
from norepi_gui.monitor.settings import MonitorSettings
from tests.monitor.messages import T0, ack_fields, framed, pcd01, rules
from tests.monitor.net import exchange, read_acks, read_acks_until, running_listener

BED = "ICU^12^A"
ON = MonitorSettings(enabled=True, link=MonitorLink(bed=BED))
# monitor-sim starts its simulated clock here; the listener's clock stands 10 minutes later, so the five observation
# times (08:01 ... 08:05, one a minute) are in the past and within the protocol's 60 min.
SIM_START = T0
LISTENER_NOW = T0 + timedelta(minutes=10)


def monitor_sim(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "norepi_gui", "monitor-sim", "--to", f"127.0.0.1:{port}", "--speed", "0",
               "--start", SIM_START.isoformat(), "--json", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def acks_printed(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_simulated_monitor_in_another_process_reaches_the_listener_and_gets_aa() -> None:
    with running_listener(ON, now=LISTENER_NOW) as run:
        printed = acks_printed(monitor_sim(run.port, "--bed", BED, "--scenario", "septic_responsive", "--seed", "3",
                                           "--count", "5"))
        accepted = run.call(lambda: list(run.accepted))
    assert [p["ack"] for p in printed] == ["AA"] * 5
    assert [p["ack_control_id"] for p in printed] == [f"SIM{i:06d}" for i in range(1, 6)]
    # What arrived is what was sent: the virtual patient's MAP, rounded to whole mmHg as monitors send it.
    assert [o.value(Vital.ART_MAP) for o in accepted] == [round(p["values"]["art_map"]) for p in printed]  # type: ignore[index]
    assert [o.header.control_id for o in accepted] == [p["control_id"] for p in printed]
    assert all(o.location is not None and str(o.location) == BED for o in accepted)


def test_a_wrong_bed_from_another_process_is_rejected_and_never_returned() -> None:
    with running_listener(ON, now=LISTENER_NOW) as run:
        printed = acks_printed(monitor_sim(run.port, "--bed", "ICU^13^A", "--count", "2"))
        accepted, wrong = run.call(lambda: (list(run.accepted), run.diagnostics.wrong_party))
    assert [p["ack"] for p in printed] == ["AR", "AR"]
    assert all(str(p["text"]).startswith("wrong_bed: PV1-3 ICU^13^A is not the linked bed ICU^12^A") for p in printed)
    assert accepted == [] and wrong == 2


def test_malformed_frames_over_tcp_get_ae_or_ar_and_the_connection_keeps_serving() -> None:
    stream = (framed(b"not hl7 at all") + framed(pcd01(control_id="U1", map_unit="kPa")) + framed(pcd01(type="ADT^A01",
              control_id="T1")) + framed(pcd01(control_id="G1", obx_time="20260101080500+0000",
                                               obr_time="20260101080500+0000")))
    with running_listener(ON, now=LISTENER_NOW) as run:
        replies = [ack_fields(a) for a in exchange(run.port, stream, expect=4)]
        accepted = run.call(lambda: [o.header.control_id for o in run.accepted])
    assert [(r["msa1"], r["msa2"]) for r in replies] == [("AR", ""), ("AE", "U1"), ("AR", "T1"), ("AA", "G1")]
    assert accepted == ["G1"]


def test_a_sender_not_allowed_is_closed_without_an_answer() -> None:
    settings = MonitorSettings(enabled=True, link=MonitorLink(bed=BED), allowed_senders=("192.0.2.1",))
    with running_listener(settings, now=LISTENER_NOW) as run:
        assert exchange(run.port, framed(pcd01()), expect=1) == []
        refused = run.call(lambda: run.diagnostics.connections_refused_sender)
    assert refused == 1


def test_a_slow_sender_is_dropped_when_its_frame_does_not_end_in_time() -> None:
    with running_listener(ON, now=LISTENER_NOW) as run, socket.create_connection(("127.0.0.1", run.port),
                                                                                  timeout=10) as sock:
        sock.sendall(framed(pcd01())[:200])
        run.wait_until(lambda: run.diagnostics.bytes_received == 200)
        run.call(lambda: run.clock.advance(seconds=10.5))  # past the 10 s frame timeout (injected clock)
        assert sock.recv(100) == b""  # closed by the listener at its next poll
        closed = run.call(lambda: run.diagnostics.connections_closed["frame not finished in time"])
    assert closed == 1


def test_when_every_connection_is_taken_the_one_silent_longest_makes_way() -> None:
    settings = MonitorSettings(enabled=True, link=MonitorLink(bed=BED), max_connections=2)
    with running_listener(settings, now=LISTENER_NOW) as run:
        first = socket.create_connection(("127.0.0.1", run.port), timeout=10)
        first.sendall(b"\r")
        run.wait_until(lambda: run.diagnostics.bytes_received == 1)
        run.call(lambda: run.clock.advance(seconds=1))
        second = socket.create_connection(("127.0.0.1", run.port), timeout=10)
        second.sendall(b"\r")
        run.wait_until(lambda: run.diagnostics.bytes_received == 2)
        run.call(lambda: run.clock.advance(seconds=1))
        # A gateway reconnecting after a network fault: it gets in, the silent first connection is closed.
        replies = exchange(run.port, framed(pcd01(control_id="NEW", obr_time="", obx_time="20260101080500+0000")))
        assert [ack_fields(r)["msa1"] for r in replies] == ["AA"]
        assert first.recv(10) == b""
        second.sendall(framed(pcd01(control_id="OLD2", obr_time="", obx_time="20260101080500+0000")))
        assert [ack_fields(r)["msa1"] for r in read_acks(second, 1)] == ["AA"]
        first.close()
        second.close()


def test_the_listener_opens_no_socket_when_the_monitor_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("a server socket was opened")

    monkeypatch.setattr(asyncio, "start_server", no_server)
    listener = MonitorListener(MonitorSettings(), rules(), clock=ManualClock(T0), local_tz=T0.tzinfo)  # type: ignore[arg-type]
    with pytest.raises(MonitorDisabledError, match="no socket is opened"):
        asyncio.run(listener.start())


GOOD = framed(pcd01(control_id="AFTER", obr_time="", obx_time="20260101080500+0000"))
BLOCKS = st.sampled_from([b"\x0b", b"\x1c", b"\r", b"\x1c\r", b"MSH|^~\\&|", b"|", b"^", b"OBX|1|NM|150035",
                          b"ORU^R01", b"PV1||I|ICU^12^A", b"\x00", b"\xff"])
NOISE = st.lists(st.one_of(st.binary(max_size=200), BLOCKS, st.just(b"A" * 70_000)), max_size=20).map(b"".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(noise=NOISE)
def test_generated_bytes_never_bring_the_listener_down_and_a_later_good_message_gets_aa(noise: bytes) -> None:
    settings_ = MonitorSettings(enabled=True, link=MonitorLink(bed=BED), max_messages_per_minute=600,
                                burst_messages=100)
    with running_listener(settings_, now=LISTENER_NOW) as run:
        with socket.create_connection(("127.0.0.1", run.port), timeout=10) as sock:
            try:
                sock.sendall(noise)
                # Whatever the noise left half-open, a new frame starts clean: a start block drops a partial frame.
                sock.sendall(GOOD)
                replies = read_acks_until(sock, "AFTER")
            except OSError:
                replies = []  # the listener may close a connection that sent junk or a flood; it did not go down
            buffered = run.call(run.listener.buffered_bytes)
        assert buffered <= 64 * 1024 + 1024  # one connection's frame limit and kept head at most
        closed = run.call(lambda: dict(run.diagnostics.connections_closed))
        assert set(closed) <= {"not an MLLP sender", "over the message rate", "peer closed"}, closed
        assert exchange(run.port, GOOD) != []
        later = [ack_fields(r) for r in exchange(run.port, GOOD)]
        assert [(r["msa1"], r["msa2"]) for r in later] == [("AA", "AFTER")]
        fields = [ack_fields(r) for r in replies]
        assert all(f["msa1"] in ("AA", "AE", "AR") for f in fields)
        assert all(f["msa1"] == "AA" for f in fields if f["msa2"] == "AFTER")  # answered right on the same link too
        accepted = run.call(lambda: [o.header.control_id for o in run.accepted])
        assert set(accepted) <= {"AFTER"}


def test_the_listener_keeps_its_memory_bounded_under_many_connections_sending_big_frames() -> None:
    settings_ = MonitorSettings(enabled=True, link=MonitorLink(bed=BED), max_connections=4)
    big = b"\x0b" + b"B" * (5 * 1024 * 1024)  # 5 MiB, no end block, on each of the 4 connections allowed
    with running_listener(settings_, now=LISTENER_NOW) as run:
        socks = [socket.create_connection(("127.0.0.1", run.port), timeout=10) for _ in range(4)]
        for s in socks:
            s.sendall(big)
        run.wait_until(lambda: run.diagnostics.bytes_received == 4 * len(big))
        held = run.call(run.listener.buffered_bytes)
        more = [socket.create_connection(("127.0.0.1", run.port), timeout=10) for _ in range(8)]
        run.wait_until(lambda: run.diagnostics.connections_opened == 12)  # each newcomer evicted the silent longest
        count = run.call(lambda: run.listener.connection_count)
        for s in socks + more:
            s.close()
        assert held <= 4 * (64 * 1024 + 1024)  # 20 MiB read, at most the frame limit and head per connection held
        assert count == 4
        assert [ack_fields(r)["msa1"] for r in exchange(run.port, GOOD)] == ["AA"]
