"""The bedside monitor's values in a session: kept apart from charted readings, batched to disk, summarised at a check.

The window's listener hands each accepted PCD-01 observation set to :meth:`BedsideSession.take_monitor
<norepi_gui.bedside.session.BedsideSession.take_monitor>`. This module holds what that needs without Qt:

* :class:`MonitorTrace`: every sample of the session in time order, in flat arrays (72 h of a 1 Hz feed is about
  10 MB), read as a sequence of :class:`~norepi_gui.monitor.samples.MonitorSample` by the summary and the feed state
  (each built on demand); a sample already there (a gateway sending again after a lost acknowledgement) is dropped;
* :class:`MonitorFeed`: the feed as the session sees it (listening, for which bed and patient, since when) and the
  batch not yet written. Samples are written as one MONITOR_SAMPLES event a minute (``BATCH_SECONDS``), never one
  write per sample: a sample is in the session (the plot, the summary, the feed state) as soon as it is taken, and
  on disk within the minute; a crash loses at most the last minute of the monitor trace, never a charted reading;
* :func:`shown`: what the monitor showed, recorded with every reading charted while the feed is on.

Titration never runs on these samples: the engine reads charted readings only. At a check the prompt offers the
summary (``norepi_gui.monitor.summary``) and the nurse charts it with one key or types another value.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, overload

from norepi_gui.bedside.records import MAX_BATCH_SAMPLES, MonitorLinkRecord, MonitorShown
from norepi_gui.monitor.feed import FeedKind, FeedState, feed_state
from norepi_gui.monitor.samples import MonitorSample, SampleSource
from norepi_gui.monitor.summary import Chartable, NotChartableReason, Summary, summarise

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Monitor

#: A batch of samples is written once its first sample has waited this long (or it holds MAX_BATCH_SAMPLES).
BATCH_SECONDS = 60.0
_SOURCE_CODE = {SampleSource.ARTERIAL: 0, SampleSource.CUFF: 1}
_CODE_SOURCE = {code: source for source, code in _SOURCE_CODE.items()}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _optional(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _back(value: float) -> float | None:
    return None if math.isnan(value) else value


class MonitorTrace(Sequence[MonitorSample]):
    """The session's monitor samples, sorted by observation time (then arrival), one per time and source."""

    def __init__(self) -> None:
        self._t = array("d")  # epoch seconds
        self._map = array("d")
        self._sbp = array("d")  # NaN: not sent
        self._dbp = array("d")
        self._hr = array("d")
        self._source = array("b")

    def __len__(self) -> int:
        return len(self._t)

    @overload
    def __getitem__(self, index: int) -> MonitorSample: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[MonitorSample]: ...

    def __getitem__(self, index: int | slice) -> MonitorSample | Sequence[MonitorSample]:
        if isinstance(index, slice):
            return [self._sample(i) for i in range(*index.indices(len(self._t)))]
        if index < 0:
            index += len(self._t)
        if not 0 <= index < len(self._t):
            raise IndexError("monitor sample index out of range")
        return self._sample(index)

    def _sample(self, i: int) -> MonitorSample:
        return MonitorSample(_EPOCH + timedelta(seconds=self._t[i]), _CODE_SOURCE[self._source[i]], self._map[i],
                             _back(self._sbp[i]), _back(self._dbp[i]), _back(self._hr[i]))

    @property
    def times_epoch(self) -> array[float]:
        """Observation times, epoch seconds (the arrays themselves: do not change them)."""
        return self._t

    @property
    def maps(self) -> array[float]:
        return self._map

    def sources(self) -> array[int]:
        """0 arterial, 1 cuff, per sample."""
        return self._source

    def add(self, samples: Iterable[MonitorSample]) -> tuple[MonitorSample, ...]:
        """Place ``samples`` by time; returns those that were new (a sample of the same time and source is
        dropped). O(1) for a sample later than every other, a binary search and a move otherwise."""
        added: list[MonitorSample] = []
        for s in samples:
            t = s.at.timestamp()
            code = _SOURCE_CODE[s.source]
            n = len(self._t)
            if n and t <= self._t[-1]:
                i = bisect.bisect_left(self._t, t)
                j = i
                while j < n and self._t[j] == t:
                    if self._source[j] == code:
                        break
                    j += 1
                else:
                    self._insert(j, t, code, s)
                    added.append(s)
                continue
            self._insert(n, t, code, s)
            added.append(s)
        return tuple(added)

    def _insert(self, i: int, t: float, code: int, s: MonitorSample) -> None:
        for column, value in ((self._t, t), (self._map, s.map_mmhg), (self._sbp, _optional(s.sbp_mmhg)),
                              (self._dbp, _optional(s.dbp_mmhg)), (self._hr, _optional(s.hr_per_min))):
            column.insert(i, value)
        self._source.insert(i, code)


@dataclass
class MonitorFeed:
    """The window's monitor feed as the session sees it. ``listening``: the window's listener runs for ``link_bed``
    and/or ``link_patient``; ``since``: when this session could first take its values (listening started, or the
    session was opened, whichever is later); ``problem``: why the listener is not running although it is on."""

    enabled: bool = False
    listening: bool = False
    link_bed: str = ""
    link_patient: str = ""
    address: str = ""
    since: datetime | None = None
    problem: str = ""
    pending: list[MonitorSample] = field(default_factory=list)
    pending_since: datetime | None = None
    failure: str = ""  # the last batch could not be written (an alarm until one is)

    def link_record(self) -> MonitorLinkRecord:
        return MonitorLinkRecord(self.listening, self.link_bed, self.link_patient, self.address)

    def take(self, new: tuple[MonitorSample, ...], now: datetime) -> None:
        if new:
            self.pending.extend(new)
            if self.pending_since is None:
                self.pending_since = now

    def batch_due(self, now: datetime) -> bool:
        if not self.pending or self.pending_since is None:
            return False
        return len(self.pending) >= MAX_BATCH_SAMPLES or (now - self.pending_since).total_seconds() >= BATCH_SECONDS

    def batch(self) -> tuple[MonitorSample, ...]:
        """The samples waiting to be written, oldest first (at most MAX_BATCH_SAMPLES)."""
        return tuple(sorted(self.pending, key=lambda s: s.at)[:MAX_BATCH_SAMPLES])

    def written(self, batch: tuple[MonitorSample, ...], now: datetime) -> None:
        done = set(map(id, batch))
        self.pending = [s for s in self.pending if id(s) not in done]
        self.pending_since = now if self.pending else None

    def state(self, trace: MonitorTrace, now: datetime, rules: Monitor) -> FeedState:
        """Off, waiting, live or stale, counted from the later of the last sample and ``since`` (a session resumed
        hours after its last sample waits for the feed rather than alarming at once)."""
        since = self.since
        recent: Sequence[MonitorSample] = trace
        if since is not None and trace and trace[-1].at < since:
            recent = ()
        return feed_state(recent, now=now, enabled=self.enabled, listening_since=since,
                          stale_after_s=rules.stale_after_s)


def offer(trace: MonitorTrace, now: datetime, rules: Monitor) -> Summary:
    """The summary offered at a check: the arterial line's, or the cuff's when there is no arterial sample in the
    window (a cuff-only bed)."""
    arterial = summarise(trace, now=now, rules=rules)
    if isinstance(arterial, Chartable) or arterial.reason is not NotChartableReason.NO_SAMPLES:
        return arterial
    cuff = summarise(trace, now=now, rules=rules, source=SampleSource.CUFF)
    if isinstance(cuff, Chartable) or cuff.reason is not NotChartableReason.NO_SAMPLES:
        return cuff
    return arterial


def shown(summary: Summary, feed: FeedState) -> MonitorShown:
    """What the monitor showed: the summary (its median, or why none) and the feed's latest sample."""
    minutes = (summary.window_end - summary.window_start).total_seconds() / 60.0
    last = feed.last
    excluded = tuple(sorted((why.value, n) for why, n in summary.excluded_counts.items()))
    base = MonitorShown(feed=feed.kind.value, source=summary.source.value, window_min=minutes, excluded=excluded,
                        detail=summary.describe(), latest_map_mmhg=last.map_mmhg if last is not None else None,
                        latest_at=last.at if last is not None else None)
    if isinstance(summary, Chartable):
        return replace(base, map_mmhg=summary.map_mmhg, sbp_mmhg=summary.sbp_mmhg, dbp_mmhg=summary.dbp_mmhg,
                       hr_per_min=summary.hr_per_min, used=summary.used, low_map_mmhg=summary.low_map_mmhg,
                       high_map_mmhg=summary.high_map_mmhg)
    return replace(base, not_chartable=summary.reason.value)


__all__ = ["BATCH_SECONDS", "FeedKind", "MonitorFeed", "MonitorTrace", "offer", "shown"]
