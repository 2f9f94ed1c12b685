"""The window's monitor listener: the headless asyncio :class:`~norepi_gui.monitor.listener.MonitorListener` in a
worker thread, handing accepted observation sets to the window through a queued signal.

Why a thread and not QtNetwork's QTcpServer: every byte a sender writes is framed, parsed and checked in the worker
thread, so a malformed or hostile stream (a frame of 10,000 delimiters costs about 40 ms to parse, a burst of them
several times that) never runs on the window's thread; only messages already accepted (rate-limited, linked, valid)
cross over, one queued signal each. The listener, its limits and its tests are the ones ``monitor-listen`` uses, and
the bundle needs no QtNetwork (it is excluded from it; taking it in would add about 4 MB: QtNetwork.abi3.so 1.2 MB,
libQt6Network 2.1 MB, the tls and networkinformation plugins 0.6 MB). docs/monitor.md says more.

An AA goes out only once the values are in the session: for each accepted message the listener awaits
:meth:`MonitorService` handing it to ``take`` on the window's thread (``BedsideController.take_monitor``); what
``take`` cannot keep is answered AR ``not_stored``, and so is a message the window did not take within
``STORE_TIMEOUT_S``. Nothing here opens a socket until :meth:`MonitorService.start` is called (the monitor on).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from norepi_gui.monitor.diagnostics import MonitorDiagnostics
from norepi_gui.monitor.listener import ListenerTiming, MonitorListener

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from norepi_gui.core.clock import Clock
    from norepi_gui.core.protocol import Monitor
    from norepi_gui.monitor.pcd01 import ObservationSet
    from norepi_gui.monitor.settings import MonitorSettings

STORE_TIMEOUT_S = 10.0  # an accepted message the window has not taken by then is answered AR not_stored
START_TIMEOUT_S = 10.0
_log = logging.getLogger(__name__)


class MonitorService(QObject):
    """``MonitorService(take, clock)``; :meth:`start` with the settings, :meth:`stop` when the feed is turned off
    or the window closes. ``take(observations)`` runs on the window's thread and returns "" once the values are
    kept, else why not."""

    _offered = Signal(object, object)  # ObservationSet, the listener's future (worker thread -> window thread)

    def __init__(self, take: Callable[[ObservationSet], str], clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._take = take
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: MonitorListener | None = None
        self._stop: asyncio.Event | None = None
        self.diagnostics = MonitorDiagnostics()  # the listener's own, read through diagnostics_snapshot()
        self.settings: MonitorSettings | None = None
        self.rules: Monitor | None = None  # the protocol's [monitor] section the listener checks times with
        self.started_at: datetime | None = None
        self.offered = 0  # accepted messages handed to the window (for tests and the bench)
        self._offered.connect(self._keep, Qt.ConnectionType.QueuedConnection)

    # -- starting and stopping --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        """The port listened on (the one chosen when started with ``bind_port=0``)."""
        if self._listener is None:
            raise RuntimeError("the monitor listener is not running")
        return self._listener.port

    def start(self, settings: MonitorSettings, rules: Monitor, local_tz: tzinfo, *, bind_port: int | None = None,
              timing: ListenerTiming | None = None) -> str:
        """Listen as ``settings`` say (stopping a listener already running first); "" when listening, else why not
        (the address is not this computer's, the port is taken, ...). Blocks until the socket is bound."""
        self.stop()
        self.settings, self.rules = settings, rules
        self.diagnostics = MonitorDiagnostics()
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        problem: list[str] = []

        async def main() -> None:
            listener = MonitorListener(settings, rules, clock=self._clock, local_tz=local_tz, store=self._store,
                                       diagnostics=self.diagnostics, timing=timing, bind_port=bind_port)
            stop = asyncio.Event()
            try:
                await listener.start()
            except (OSError, RuntimeError) as exc:
                problem.append(_bind_problem(settings, bind_port, exc))
                ready.set()
                return
            self._listener, self._stop = listener, stop
            ready.set()
            try:
                await stop.wait()
            finally:
                await listener.close()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(main())
            except Exception:  # a defect: the feed stops (the strip and the stale alarm say so), the window stays
                _log.exception("the monitor listener stopped on an internal error")
            finally:
                loop.close()
                ready.set()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="norepi-gui monitor listener", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S):
            problem.append("the listener did not start in time")
        if problem or self._listener is None:
            self.stop()
            return problem[0] if problem else "the listener did not start"
        self.started_at = self._clock.now()
        return ""

    def stop(self) -> None:
        """Stop listening and close every connection (waits for the worker thread, at most a few seconds)."""
        loop, thread, stop = self._loop, self._thread, self._stop
        self._loop = self._thread = self._stop = None
        self._listener = None
        self.started_at = None
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(timeout=5.0)

    # -- the worker thread's side ------------------------------------------------------------------------------
    async def _store(self, observations: ObservationSet) -> str:
        """In the worker thread: hand the values to the window and wait until it has kept them."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()
        self._offered.emit(observations, answer)
        try:
            return await asyncio.wait_for(answer, STORE_TIMEOUT_S)
        except TimeoutError:
            return f"the window did not take the values within {STORE_TIMEOUT_S:g} s"

    # -- the window's side -------------------------------------------------------------------------------------
    def _keep(self, observations: ObservationSet, answer: asyncio.Future[str]) -> None:
        """On the window's thread: keep the values, then let the listener answer (AA, or AR not_stored)."""
        self.offered += 1
        try:
            problem = self._take(observations)
        except Exception:  # a defect of the window: the values are not kept and the gateway is told
            _log.exception("monitor values not kept on an internal error")
            problem = "internal error"
        with contextlib.suppress(RuntimeError):  # the listener stopped meanwhile: nobody is waiting
            answer.get_loop().call_soon_threadsafe(_settle, answer, problem)

    def diagnostics_snapshot(self, timeout_s: float = 1.0) -> MonitorDiagnostics:
        """A copy of the listener's counters, taken on its own thread (never read while it writes them)."""
        loop = self._loop
        if loop is None or not self.running:
            return copy.deepcopy(self.diagnostics)

        async def take() -> MonitorDiagnostics:
            return copy.deepcopy(self.diagnostics)

        try:
            return asyncio.run_coroutine_threadsafe(take(), loop).result(timeout_s)
        except (concurrent.futures.TimeoutError, RuntimeError):
            return MonitorDiagnostics()

    def connection_count(self) -> int:
        listener = self._listener
        return listener.connection_count if listener is not None else 0


def _settle(answer: asyncio.Future[str], problem: str) -> None:
    if not answer.done():
        answer.set_result(problem)


def _bind_problem(settings: MonitorSettings, bind_port: int | None, exc: BaseException) -> str:
    port = settings.port if bind_port is None else bind_port
    where = f"{settings.listen_address} port {port}"
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot listen on {where}: {text}"
