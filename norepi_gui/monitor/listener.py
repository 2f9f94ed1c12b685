"""A headless MLLP listener on asyncio: the ``monitor-listen`` command and the tests use it; the window has its own
thin adapter around the same :class:`~norepi_gui.monitor.handler.ConnectionHandler`.

It moves bytes and nothing else: each connection gets a handler; bytes read go to ``receive``, its reply is
written back, accepted observation sets go to ``on_accepted``. Bounded: only allowed sender addresses are served;
at most ``max_connections`` at a time (when all are taken, the one silent longest is closed for the newcomer, so a
gateway that reconnects after a network fault always gets in); reads are at most 64 KiB; a frame must finish within
``frame_timeout_s`` and a silent connection is closed after ``idle_timeout_s`` (checked every ``poll_interval_s`` of
real time against the injected clock); a peer that does not read its acknowledgements is dropped after
``write_timeout_s``. It opens no socket unless the settings say the monitor is enabled.

A receiver that keeps the values elsewhere (the window's session, in its own thread) passes ``store``: a coroutine
function that returns "" once the values are kept, or why they could not be. Each accepted message's AA waits for it;
a message that could not be kept is answered AR ``not_stored`` instead (the gateway sends it again). Other
connections are served meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import tzinfo

from norepi_gui.core.clock import Clock
from norepi_gui.core.protocol import Monitor
from norepi_gui.monitor.diagnostics import MonitorDiagnostics
from norepi_gui.monitor.handler import ConnectionHandler, HandlerConfig, HandlerOutput
from norepi_gui.monitor.pcd01 import ObservationSet, Rejection
from norepi_gui.monitor.settings import MonitorSettings

READ_BYTES = 64 * 1024
INTERNAL_ERROR = "internal error"
_log = logging.getLogger(__name__)


class MonitorDisabledError(RuntimeError):
    """The settings have the monitor off: no socket is opened."""


@dataclass(frozen=True, slots=True)
class ListenerTiming:
    poll_interval_s: float = 1.0
    write_timeout_s: float = 10.0


@dataclass
class _Connection:
    handler: ConnectionHandler
    writer: asyncio.StreamWriter
    evicted: bool = False


class MonitorListener:
    """Serve MLLP on ``settings.listen_address:settings.port``; ``bind_port`` overrides the port (0: any free port,
    then read :attr:`port`; for tests and ``monitor-listen --port 0``)."""

    def __init__(
        self,
        settings: MonitorSettings,
        rules: Monitor,
        *,
        clock: Clock,
        local_tz: tzinfo,
        on_accepted: Callable[[ObservationSet], None] | None = None,
        on_rejected: Callable[[Rejection], None] | None = None,
        store: Callable[[ObservationSet], Awaitable[str]] | None = None,
        diagnostics: MonitorDiagnostics | None = None,
        timing: ListenerTiming | None = None,
        bind_port: int | None = None,
    ) -> None:
        self.settings = settings
        self.bind_port = settings.port if bind_port is None else bind_port
        self.config = HandlerConfig.from_settings(settings, rules, local_tz)
        self.clock = clock
        self.on_accepted = on_accepted
        self.on_rejected = on_rejected
        self.store = store
        self.diagnostics = diagnostics if diagnostics is not None else MonitorDiagnostics()
        self.timing = timing or ListenerTiming()
        self._server: asyncio.Server | None = None
        self._connections: dict[int, _Connection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the listener is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def buffered_bytes(self) -> int:
        """Bytes held by all connections' decoders (bounded by the frame limit per connection)."""
        return sum(c.handler.buffered_bytes for c in self._connections.values())

    async def start(self) -> None:
        if not self.settings.enabled:
            raise MonitorDisabledError("the monitor is off in the settings: no socket is opened")
        self._server = await asyncio.start_server(
            self._serve, host=self.settings.listen_address, port=self.bind_port, limit=READ_BYTES
        )

    async def close(self) -> None:
        """Stop listening, close every connection and wait for their tasks to end."""
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections.values()):
            conn.writer.close()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.timing.write_timeout_s)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> MonitorListener:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- one connection ------------------------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        d = self.diagnostics
        if not self.settings.allows(address):
            d.connections_refused_sender += 1
            await _close(writer)
            return
        if len(self._connections) >= self.settings.max_connections:
            d.connections_replaced += 1
            self._evict_silent_longest()
        d.connections_opened += 1
        key = next(self._ids)
        handler = ConnectionHandler(
            self.config, now=self.clock.now(), diagnostics=d, peer=address, connection_id=key
        )
        conn = self._connections[key] = _Connection(handler, writer)
        try:
            await self._pump(reader, conn)
        except (ConnectionError, OSError, TimeoutError):
            pass
        except Exception:  # a defect, never the peer's bytes (the handler never raises): close, count, log
            d.connections_closed[INTERNAL_ERROR] += 1
            _log.exception("monitor connection from %s closed on an internal error", address)
        finally:
            self._connections.pop(key, None)
            await _close(writer)

    async def _pump(self, reader: asyncio.StreamReader, conn: _Connection) -> None:
        handler, writer = conn.handler, conn.writer
        while True:
            try:
                data = await asyncio.wait_for(reader.read(READ_BYTES), self.timing.poll_interval_s)
            except TimeoutError:
                out = handler.poll(self.clock.now())
            else:
                if not data:
                    if not conn.evicted:
                        handler.diagnostics.connections_closed["peer closed"] += 1
                    return
                out = handler.receive(data, self.clock.now())
                await self._deliver(handler, out, writer)
                if out.close is not None:
                    return
                out = handler.poll(self.clock.now())  # a sender trickling bytes must not dodge the frame timeout
            await self._deliver(handler, out, writer)
            if out.close is not None:
                return

    async def _deliver(self, handler: ConnectionHandler, out: HandlerOutput, writer: asyncio.StreamWriter) -> None:
        """Hand the results on, then acknowledge: an AA goes out only once its values are with the receiver."""
        if self.on_rejected is not None:
            for rejection in out.rejected:
                self.on_rejected(rejection)
        acks: list[bytes] = []
        for answer in out.answers:
            ack = answer.ack
            if isinstance(answer.result, ObservationSet):
                problem = await self._keep(answer.result)
                if problem:
                    ack = handler.not_stored(answer.result, self.clock.now(), problem)
            acks.append(ack)
        reply = b"".join(acks)
        if reply:
            writer.write(reply)
            try:
                await asyncio.wait_for(writer.drain(), self.timing.write_timeout_s)
            except TimeoutError:
                self.diagnostics.connections_closed["not reading acknowledgements"] += 1
                raise

    async def _keep(self, accepted: ObservationSet) -> str:
        """Give one accepted message's values to the receiver; "" when kept, else why not."""
        try:
            if self.on_accepted is not None:
                self.on_accepted(accepted)
            if self.store is not None:
                return await self.store(accepted)
        except Exception:  # a defect of the receiver: the values are not kept, the sender is told, the link stays
            _log.exception("monitor values not kept on an internal error")
            return INTERNAL_ERROR
        return ""

    def _evict_silent_longest(self) -> None:
        key, conn = min(self._connections.items(), key=lambda kv: kv[1].handler.last_bytes_at)
        self._connections.pop(key, None)
        conn.evicted = True
        conn.writer.close()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
