"""Injected time: logic asks a clock object, never the wall.

:class:`SteadyClock` is the window's clock at the bedside: the wall clock, except that it never runs backwards when
the computer's clock is stepped back (it keeps counting on a monotonic clock and says by how much it stepped).
:class:`SimulatedClock` is the window's clock in training mode: simulated time at 1x to 60x a base clock.
Both may be read from another thread (the monitor listener's): each reading holds a lock while it moves its anchors.

Every timestamp in the core is a timezone-aware UTC ``datetime``. The ui wraps a
:class:`Clock` in one QTimer adapter; tests use :class:`ManualClock` and jump
minutes without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time (UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock. Only the program's entry points create one."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and the simulator."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start if start is not None else datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")

    def now(self) -> datetime:
        return self._now

    def advance(self, *, minutes: float = 0.0, seconds: float = 0.0) -> datetime:
        if minutes < 0 or seconds < 0:
            raise ValueError("a clock never moves backwards")
        self._now += timedelta(minutes=minutes, seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        if when < self._now:
            raise ValueError("a clock never moves backwards")
        self._now = when


@dataclass(frozen=True)
class ClockStep:
    """The wall clock was stepped back by ``back``: seen at ``seen_at`` (the steady time)."""

    back: timedelta
    seen_at: datetime


class SteadyClock:
    """The wall clock, kept from running backwards.

    A wall clock stepped back (a wrong time corrected by hand or by NTP, a daylight-saving mistake in the system's
    zone) would give later entries earlier times: a reading typed afterwards would not be the latest, a dose set by
    hand would not be the one running, the next check would move an hour away. This clock then keeps counting from
    where it was on ``monotonic`` (seconds, e.g. ``time.monotonic``) until the wall catches up, and records the step
    in :attr:`steps` so the window can say so. A forward jump (after a suspend, when the monotonic clock stood
    still) is the wall's time and is followed at once. Steps smaller than ``tolerance`` are ordinary clock slew.
    """

    def __init__(self, wall: Clock, monotonic: Callable[[], float], *,
                 tolerance: timedelta = timedelta(seconds=2)) -> None:
        self.wall = wall
        self._monotonic = monotonic
        self._tolerance = tolerance
        self._anchor_time = wall.now()
        self._anchor_mono = monotonic()
        self._lag = timedelta(0)  # how far the wall is behind this clock now
        self.steps: list[ClockStep] = []
        self._lock = threading.Lock()  # the monitor listener's thread reads this clock too

    @property
    def behind(self) -> timedelta:
        """How far the wall clock is behind this clock (0 when it agrees)."""
        return self._lag

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def _now(self) -> datetime:
        wall = self.wall.now()
        steady = self._anchor_time + timedelta(seconds=self._monotonic() - self._anchor_mono)
        lag = steady - wall
        if lag <= self._tolerance:  # the wall is right, or ahead (a suspend, a forward correction): follow it
            self._anchor_time, self._anchor_mono, self._lag = wall, self._monotonic(), timedelta(0)
            return wall
        if lag - self._lag > self._tolerance:  # stepped back (again)
            self.steps.append(ClockStep(lag - self._lag, steady))
        self._lag = lag
        return steady


# Issue 5, "Training mode in the window": a scenario runs at 1x to 60x speed.
MIN_SPEED = 1.0
MAX_SPEED = 60.0


def check_speed(speed: float) -> float:
    if not (isinstance(speed, int | float) and MIN_SPEED <= float(speed) <= MAX_SPEED):
        raise ValueError(f"speed: {speed!r} is not accepted; accepted: a factor from {MIN_SPEED:g} to {MAX_SPEED:g}")
    return float(speed)


class SimulatedClock:
    """Simulated time: ``speed`` times as fast as ``base`` while running, standing still while paused.

    A change of speed or a pause re-anchors at the current simulated time, so neither moves it backwards; only
    :meth:`jump_to` sets it (a training run resumed, rewound or moved on).
    """

    def __init__(self, base: Clock, *, speed: float = 1.0, running: bool = True) -> None:
        self.base = base
        self._base_anchor = base.now()
        if self._base_anchor.tzinfo is None:
            raise ValueError("base: the base clock must give timezone-aware times")
        self._sim_anchor = self._base_anchor
        self._speed = check_speed(speed)
        self._running = running
        self._lock = threading.RLock()  # the monitor listener's thread reads this clock too

    def now(self) -> datetime:
        with self._lock:
            if not self._running:
                return self._sim_anchor
            return self._sim_anchor + (self.base.now() - self._base_anchor) * self._speed

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def running(self) -> bool:
        return self._running

    def _reanchor(self) -> None:
        self._sim_anchor = self.now()
        self._base_anchor = self.base.now()

    def set_speed(self, speed: float) -> None:
        checked = check_speed(speed)
        with self._lock:
            self._reanchor()
            self._speed = checked

    def pause(self) -> None:
        with self._lock:
            self._reanchor()
            self._running = False

    def resume(self) -> None:
        with self._lock:
            if not self._running:
                self._base_anchor = self.base.now()
                self._running = True

    def jump_to(self, when: datetime) -> None:
        """Continue from ``when``: a training run resumed after a crash, rewound by the instructor or moved on."""
        if when.tzinfo is None:
            raise ValueError("when: needs a timezone-aware time")
        with self._lock:
            self._sim_anchor = when
            self._base_anchor = self.base.now()
