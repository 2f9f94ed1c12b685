"""Injected time: logic asks a clock object, never the wall.

Every timestamp in the core is a timezone-aware UTC ``datetime``. The ui wraps a
:class:`Clock` in one QTimer adapter; tests use :class:`ManualClock` and jump
minutes without sleeping.
"""

from __future__ import annotations

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
