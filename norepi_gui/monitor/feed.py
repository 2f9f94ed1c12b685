"""The feed's state for the bedside strip: off, waiting, live (last value and its age) or stale (an alarm).

A pure function of the samples and an injected ``now``. Stale means no MAP for the protocol's
``monitor.stale_after_s``, counted from the last sample, or from when listening started if none came. A sample
time slightly ahead of the clock (within the protocol's tolerance) counts as age 0. A cuff-only bed is stale between
cuff readings: the state is about the last MAP, whichever source gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from norepi_gui.monitor.samples import MonitorSample


class FeedKind(StrEnum):
    OFF = "off"
    WAITING = "waiting"
    LIVE = "live"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class FeedState:
    kind: FeedKind
    last: MonitorSample | None
    age_s: float | None  # of the last sample, or since listening started when there is none
    stale_after_s: float

    @property
    def alarm(self) -> bool:
        return self.kind is FeedKind.STALE

    def describe(self) -> str:
        if self.kind is FeedKind.OFF:
            return "Monitor off"
        if self.kind is FeedKind.WAITING:
            return "Monitor: waiting for the first value"
        age = _duration(self.age_s or 0.0)
        if self.last is None:
            return f"Monitor stale: no MAP since listening started {age} ago"
        value = f"MAP {self.last.map_mmhg:.0f} mmHg ({self.last.source.value})"
        if self.kind is FeedKind.LIVE:
            return f"Monitor live: {value}, {age} ago"
        return f"Monitor stale: no MAP for {age} (last {value})"


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


def feed_state(
    samples: Sequence[MonitorSample],
    *,
    now: datetime,
    enabled: bool,
    listening_since: datetime | None,
    stale_after_s: float,
) -> FeedState:
    """``samples`` sorted by time (the last one is the latest); ``listening_since`` when the link started."""
    if not enabled:
        return FeedState(FeedKind.OFF, None, None, stale_after_s)
    last = samples[-1] if samples else None
    if last is None:
        waited = max(0.0, (now - listening_since).total_seconds()) if listening_since is not None else 0.0
        kind = FeedKind.STALE if waited > stale_after_s else FeedKind.WAITING
        return FeedState(kind, None, waited, stale_after_s)
    age = max(0.0, (now - last.at).total_seconds())
    return FeedState(FeedKind.STALE if age > stale_after_s else FeedKind.LIVE, last, age, stale_after_s)
