"""A monitor listener served by a thread on a free loopback port, and a client that reads its acknowledgements."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.protocol import Monitor
from norepi_gui.monitor.diagnostics import MonitorDiagnostics
from norepi_gui.monitor.listener import ListenerTiming, MonitorListener
from norepi_gui.monitor.mllp import Frame, MllpDecoder
from norepi_gui.monitor.pcd01 import ObservationSet, Rejection
from norepi_gui.monitor.settings import MonitorSettings
from tests.monitor.messages import rules


@dataclass
class RunningListener:
    listener: MonitorListener
    loop: asyncio.AbstractEventLoop
    clock: ManualClock
    accepted: list[ObservationSet] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.listener.port

    @property
    def diagnostics(self) -> MonitorDiagnostics:
        return self.listener.diagnostics

    def call(self, fn: Any) -> Any:
        """Run ``fn()`` on the listener's loop and return its result (reads its state without races)."""

        async def wrapped() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout=10)

    def wait_until(self, condition: Any, timeout: float = 10.0) -> None:
        """Block until ``condition()`` (run on the listener's loop between its I/O events) is true."""

        async def waiting() -> None:
            while not condition():
                await asyncio.sleep(0.001)  # yields the loop to the connections' reads

        asyncio.run_coroutine_threadsafe(asyncio.wait_for(waiting(), timeout), self.loop).result(timeout=timeout + 1)


@contextmanager
def running_listener(settings: MonitorSettings, *, now: datetime, monitor: Monitor | None = None,
                     poll_interval_s: float = 0.05,
                     store: Callable[[ObservationSet], Awaitable[str]] | None = None) -> Iterator[RunningListener]:
    """A :class:`MonitorListener` on a free loopback port, served by a thread; its clock stands at ``now``."""
    loop = asyncio.new_event_loop()
    clock = ManualClock(now)
    holder: dict[str, RunningListener] = {}
    ready = threading.Event()
    errors: list[BaseException] = []

    async def main() -> None:
        run: RunningListener
        listener = MonitorListener(
            settings,
            monitor or rules(),
            clock=clock,
            local_tz=UTC,
            on_accepted=lambda o: run.accepted.append(o),
            on_rejected=lambda r: run.rejected.append(r),
            store=store,
            timing=ListenerTiming(poll_interval_s=poll_interval_s, write_timeout_s=2.0),
            bind_port=0,
        )
        run = RunningListener(listener, loop, clock)
        holder["run"] = run
        try:
            await listener.start()
        except BaseException as exc:
            errors.append(exc)
            ready.set()
            raise
        ready.set()
        stop = asyncio.Event()
        holder["stop"] = stop  # type: ignore[assignment]
        await stop.wait()
        await listener.close()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    ready.wait(timeout=10)
    if errors:
        thread.join(timeout=10)
        loop.close()
        raise errors[0]
    try:
        yield holder["run"]
    finally:
        stop_event: Any = holder["stop"]
        loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout=10)
        loop.close()


def exchange(port: int, data: bytes, *, expect: int = 1, timeout: float = 5.0) -> list[bytes]:
    """Send ``data`` on a new loopback connection and read ``expect`` acknowledgements (fewer if it is closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_acks(sock, expect)


def read_acks_until(sock: socket.socket, control_id: str) -> list[bytes]:
    """Read acknowledgements until the one for ``control_id`` (MSA-2) arrives or the connection closes."""
    decoder = MllpDecoder(max_frame_bytes=1 << 20, max_junk_bytes=1 << 20)
    acks: list[bytes] = []
    marker = b"\rMSA|"
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return acks
        if not data:
            return acks
        acks.extend(i.payload for i in decoder.feed(data) if isinstance(i, Frame))
        if any(marker in a and a.split(marker, 1)[1].split(b"\r")[0].split(b"|")[1:2] == [control_id.encode()]
               for a in acks):
            return acks


def read_acks(sock: socket.socket, expect: int) -> list[bytes]:
    decoder = MllpDecoder(max_frame_bytes=1 << 20, max_junk_bytes=1 << 20)
    acks: list[bytes] = []
    while len(acks) < expect:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:  # closed by the listener with our bytes unread
            break
        if not data:
            break
        acks.extend(i.payload for i in decoder.feed(data) if isinstance(i, Frame))
    return acks
