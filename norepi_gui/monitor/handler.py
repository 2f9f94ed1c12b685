"""One monitor connection as a pure state machine: bytes in, acknowledgement bytes out, accepted observation sets.

Both listeners use it (the window's socket adapter and the headless asyncio :mod:`norepi_gui.monitor.listener`):
they only move bytes and call :meth:`ConnectionHandler.receive` when some arrive and :meth:`ConnectionHandler.poll`
now and then, and close the connection when the output says so. Time is injected (``now``), nothing is executed,
and memory per connection is bounded by the frame limit.

For each frame, in order: the rate limit (a token bucket: ``max_messages_per_minute``, bursts of
``burst_messages``), the envelope (MSH, PID-3, PV1-3), the link (this session's bed and/or patient), the values, the
observation times against the clock (at most ``clock_tolerance_s`` ahead, ``max_age_min`` old). Every frame gets
an acknowledgement; only an AA frame's observations are returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from norepi_gui.core.protocol import Monitor
from norepi_gui.monitor import ack as acks
from norepi_gui.monitor.diagnostics import MonitorDiagnostics
from norepi_gui.monitor.link import MonitorLink, check_link
from norepi_gui.monitor.mllp import Frame, FramingError, FramingErrorKind, MllpDecoder, frame
from norepi_gui.monitor.pcd01 import (
    ObservationSet,
    Parsed,
    Rejection,
    RejectReason,
    header_only,
    read_envelope,
    read_observations,
)
from norepi_gui.monitor.settings import MonitorSettings


class CloseReason(StrEnum):
    JUNK = "not an MLLP sender"
    FRAME_TIMEOUT = "frame not finished in time"
    IDLE_TIMEOUT = "idle"
    FLOOD = "over the message rate"


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    link: MonitorLink
    rules: Monitor
    local_tz: tzinfo
    max_frame_bytes: int = 64 * 1024
    max_junk_bytes: int = 4096
    max_messages_per_minute: int = 60
    burst_messages: int = 10
    frame_timeout_s: float = 10.0
    idle_timeout_s: float = 600.0

    @classmethod
    def from_settings(cls, settings: MonitorSettings, rules: Monitor, local_tz: tzinfo) -> HandlerConfig:
        return cls(
            link=settings.link,
            rules=rules,
            local_tz=local_tz,
            max_frame_bytes=settings.max_frame_bytes,
            max_junk_bytes=settings.max_junk_bytes,
            max_messages_per_minute=settings.max_messages_per_minute,
            burst_messages=settings.burst_messages,
            frame_timeout_s=settings.frame_timeout_s,
            idle_timeout_s=settings.idle_timeout_s,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """One frame's result and its framed acknowledgement."""

    result: Parsed
    ack: bytes


@dataclass(frozen=True, slots=True)
class HandlerOutput:
    """What to write back (framed ACKs, in order), what was accepted, what was refused, and whether to close.
    ``answers`` pairs each frame's result with its ACK, for an adapter that keeps the values before answering (an AA
    goes out only once they are kept; see :meth:`ConnectionHandler.not_stored`)."""

    reply: bytes = b""
    accepted: tuple[ObservationSet, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    close: CloseReason | None = None
    answers: tuple[Answer, ...] = ()


_NOTHING = HandlerOutput()


class ConnectionHandler:
    """The state of one connection. ``connection_id`` makes this connection's ACK control ids unique."""

    def __init__(
        self,
        config: HandlerConfig,
        *,
        now: datetime,
        diagnostics: MonitorDiagnostics | None = None,
        peer: str = "",
        connection_id: int = 0,
    ) -> None:
        self.config = config
        self.diagnostics = diagnostics if diagnostics is not None else MonitorDiagnostics()
        self.peer = peer
        self._connection_id = connection_id % 10_000
        self._decoder = MllpDecoder(max_frame_bytes=config.max_frame_bytes, max_junk_bytes=config.max_junk_bytes)
        self._acks = 0
        self._tokens = float(config.burst_messages)
        self._refill_at = now
        self._last_bytes_at = now
        self._frame_started_at: datetime | None = None
        self._refused_in_a_row = 0
        self.closed: CloseReason | None = None

    @property
    def buffered_bytes(self) -> int:
        return self._decoder.buffered_bytes

    @property
    def last_bytes_at(self) -> datetime:
        return self._last_bytes_at

    # -- the adapter's two calls ---------------------------------------------------------------------------
    def receive(self, data: bytes, now: datetime) -> HandlerOutput:
        """Bytes arrived from the peer at ``now``."""
        if self.closed is not None or not data:
            return _NOTHING
        self.diagnostics.bytes_received += len(data)
        self._last_bytes_at = now
        was_in_frame = self._decoder.in_frame
        items = self._decoder.feed(data)
        # The frame timeout runs from the chunk in which the unfinished frame began.
        if not self._decoder.in_frame:
            self._frame_started_at = None
        elif items or not was_in_frame:
            self._frame_started_at = now
        answers: list[Answer] = []
        for item in items:
            if isinstance(item, FramingError):
                self.diagnostics.framing_errors[item.kind] += 1
                if item.kind is FramingErrorKind.JUNK:
                    return self._close(CloseReason.JUNK, answers)
                if item.kind is FramingErrorKind.RESTARTED:
                    continue  # a sender that gave up half-way: the next frame is the one to answer
            result = self._answer(item, now)
            answers.append(Answer(result, frame(acks.build_ack(result, now=now, ack_id=self._next_ack_id()))))
            if isinstance(result, Rejection) and result.reason is RejectReason.RATE_LIMITED \
                    and self._refused_in_a_row > self.config.burst_messages:
                return self._close(CloseReason.FLOOD, answers)
        return _output(answers)

    def not_stored(self, result: ObservationSet, now: datetime, detail: str) -> bytes:
        """The framed AR for an accepted message whose values the receiver could not keep (the adapter sends it in
        place of the AA): counted as refused, not accepted; the gateway may send it again."""
        d = self.diagnostics
        d.accepted -= 1
        d.observations -= len(result.observations)
        rejection = Rejection(RejectReason.NOT_STORED, detail, result.header, "MSH")
        d.record_rejection(now, self.peer, rejection)
        return frame(acks.build_ack(rejection, now=now, ack_id=self._next_ack_id()))

    def poll(self, now: datetime) -> HandlerOutput:
        """Time passed: close a connection whose frame has not ended in time, or that has been idle too long."""
        if self.closed is not None:
            return _NOTHING
        cfg = self.config
        started = self._frame_started_at
        if started is not None and self._decoder.in_frame and now - started > timedelta(seconds=cfg.frame_timeout_s):
            return self._close(CloseReason.FRAME_TIMEOUT, [])
        if now - self._last_bytes_at > timedelta(seconds=cfg.idle_timeout_s):
            return self._close(CloseReason.IDLE_TIMEOUT, [])
        return _NOTHING

    # -- one frame -------------------------------------------------------------------------------------------
    def _answer(self, item: Frame | FramingError, now: datetime) -> Parsed:
        d = self.diagnostics
        d.frames += 1
        d.last_sender = self.peer
        result = self._judge(item, now)
        if isinstance(result, ObservationSet):
            self._refused_in_a_row = 0
            d.accepted += 1
            d.observations += len(result.observations)
            d.last_accepted_at = now
        else:
            d.record_rejection(now, self.peer, result)
        return result

    def _judge(self, item: Frame | FramingError, now: datetime) -> Parsed:
        if not self._take_token(now):
            self._refused_in_a_row += 1
            head = item.head if isinstance(item, FramingError) else item.payload
            return Rejection(
                RejectReason.RATE_LIMITED,
                f"more than {self.config.max_messages_per_minute} messages a minute; send again later",
                header_only(head),
            )
        self._refused_in_a_row = 0
        if isinstance(item, FramingError):
            return Rejection(
                RejectReason.TOO_LARGE,
                f"{item.size} bytes; accepted: at most {self.config.max_frame_bytes}",
                header_only(item.head),
                "MSH",
            )
        envelope = read_envelope(item.payload)
        if isinstance(envelope, Rejection):
            return envelope
        refused = check_link(envelope, self.config.link)
        if refused is not None:
            return refused
        result = read_observations(envelope, local_tz=self.config.local_tz)
        if isinstance(result, Rejection):
            return result
        return self._check_times(result, now)

    def _check_times(self, result: ObservationSet, now: datetime) -> Parsed:
        rules = self.config.rules
        ahead = timedelta(seconds=rules.clock_tolerance_s)
        oldest = timedelta(minutes=rules.max_age_min)
        times = [o.at for o in result.observations]
        if result.observed_at is not None:
            times.append(result.observed_at)
        for at in times:
            what = f"observation time {at:%Y-%m-%d %H:%M:%S} UTC"
            if at > now + ahead:
                seconds = (at - now).total_seconds()
                return Rejection(
                    RejectReason.BAD_TIME,
                    f"{what} is {seconds:.0f} s ahead of this computer's clock "
                    f"(accepted: up to {rules.clock_tolerance_s:g} s)",
                    result.header,
                    "OBX^14",
                    207,
                )
            if at < now - oldest:
                minutes = (now - at).total_seconds() / 60.0
                return Rejection(
                    RejectReason.BAD_TIME,
                    f"{what} is {minutes:.0f} min old (accepted: up to {rules.max_age_min:g} min)",
                    result.header,
                    "OBX^14",
                    207,
                )
        return result

    def _take_token(self, now: datetime) -> bool:
        cfg = self.config
        elapsed = max(0.0, (now - self._refill_at).total_seconds())
        self._refill_at = max(now, self._refill_at)
        self._tokens = min(float(cfg.burst_messages), self._tokens + elapsed * cfg.max_messages_per_minute / 60.0)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def _next_ack_id(self) -> str:
        self._acks += 1
        return f"NG{self._connection_id:04d}{self._acks % 100_000_000:08d}"

    def _close(self, why: CloseReason, answers: list[Answer]) -> HandlerOutput:
        self.closed = why
        self.diagnostics.connections_closed[why.value] += 1
        return _output(answers, why)


def _output(answers: list[Answer], close: CloseReason | None = None) -> HandlerOutput:
    return HandlerOutput(
        reply=b"".join(a.ack for a in answers),
        accepted=tuple(a.result for a in answers if isinstance(a.result, ObservationSet)),
        rejected=tuple(a.result for a in answers if isinstance(a.result, Rejection)),
        close=close,
        answers=tuple(answers),
    )
