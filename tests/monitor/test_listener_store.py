"""A receiver that keeps the values elsewhere (the window's session): the AA waits until they are kept, and a
message that could not be kept is answered AR not_stored (the gateway sends it again), over real loopback TCP."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import timedelta

from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.pcd01 import ObservationSet, RejectReason
from norepi_gui.monitor.settings import MonitorSettings
from tests.monitor.messages import T0, ack_fields, framed, pcd01
from tests.monitor.net import exchange, read_acks, running_listener

ON = MonitorSettings(enabled=True, link=MonitorLink(bed="ICU^12^A"))
NOW = T0 + timedelta(seconds=5)


def test_the_aa_goes_out_only_once_the_receiver_has_kept_the_values() -> None:
    kept = threading.Event()
    release = asyncio.Event()
    log: list[str] = []

    async def store(observations: ObservationSet) -> str:
        log.append(observations.header.control_id)
        await release.wait()  # the window has not taken the values yet
        kept.set()
        return ""

    with running_listener(ON, now=NOW, store=store) as run, \
            socket.create_connection(("127.0.0.1", run.port), timeout=5) as sock:
        sock.sendall(framed(pcd01()))
        run.wait_until(lambda: log == ["MSG00001"])
        sock.settimeout(0.3)
        try:
            early = sock.recv(4096)
        except TimeoutError:
            early = b""
        assert early == b""  # no acknowledgement while the values are not kept
        run.call(release.set)
        sock.settimeout(5)
        acks = read_acks(sock, 1)
    assert kept.is_set()
    assert [ack_fields(a)["msa1"] for a in acks] == ["AA"]


def test_values_the_receiver_could_not_keep_are_answered_ar_not_stored_and_counted_as_refused() -> None:
    async def store(_observations: ObservationSet) -> str:
        return "disk full"

    with running_listener(ON, now=NOW, store=store) as run:
        acks = exchange(run.port, framed(pcd01()))
        counts = run.call(lambda: (run.diagnostics.accepted, run.diagnostics.rejected[RejectReason.NOT_STORED]))
    fields = ack_fields(acks[0])
    assert (fields["msa1"], fields["msa2"]) == ("AR", "MSG00001")
    assert fields["msa3"] == "not_stored: disk full" and fields["err3"] == "207"
    assert counts == (0, 1)


def test_a_receiver_that_fails_is_answered_ar_and_the_listener_keeps_serving() -> None:
    calls: list[int] = []

    async def store(_observations: ObservationSet) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a defect in the receiver")
        return ""

    with running_listener(ON, now=NOW, store=store) as run:
        first = exchange(run.port, framed(pcd01(control_id="A1")))
        second = exchange(run.port, framed(pcd01(control_id="A2")))
    assert [ack_fields(a)["msa1"] for a in first + second] == ["AR", "AA"]
    assert "internal error" in ack_fields(first[0])["msa3"]
