"""The monitor's value for the last minutes, as the prompt offers it at a check: a chartable median, or why not.

Titration never runs on raw monitor data. At a check the nurse is offered this summary (the median of the last
``summary_window_min``) and charts it with one key, or types another value. The samples that would mislead a median
are left out first, and a window that cannot be summarised honestly is "not chartable" with the reason. Thresholds
are the protocol's ``[monitor]`` keys (all [U]):

1. Implausible: MAP below ``map_plausible_min_mmhg`` (a disconnected or unzeroed transducer).
2. Flush: on the arterial line, a run of MAP at or above ``map_plausible_max_mmhg`` lasting at most ``flush_max_s``
   (the fast-flush square wave), and the samples up to ``flush_settle_s`` after it. A longer high run is implausible.
3. Damped trace: systolic minus diastolic below ``damped_pulse_pressure_below_mmhg``.
4. Spike: an arterial sample more than ``jump_mmhg`` from both neighbours, on the same side.

Not chartable: no sample of the source in the window; the latest one older than ``stale_after_s``; more than
``max_excluded_fraction`` of the window excluded; fewer than ``summary_min_samples`` left (1 for the cuff); or, on
the arterial line, kept samples spanning more than ``jump_mmhg`` (a step or a fast trend: the median of a window
that straddles a change is neither the old value nor the new one; read the patient and the line).

``samples`` must be sorted by time; the window is found by bisection, so the cost depends on the window, not on the
session's length.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from norepi_gui.core.protocol import Monitor
from norepi_gui.monitor.samples import MonitorSample, SampleSource


class Exclusion(StrEnum):
    IMPLAUSIBLE = "implausible"
    FLUSH = "flush"
    DAMPED = "damped trace"
    SPIKE = "spike"


class NotChartableReason(StrEnum):
    NO_SAMPLES = "no_samples"
    STALE = "stale"
    MOSTLY_ARTEFACT = "mostly_artefact"
    TOO_FEW = "too_few"
    UNSTABLE = "unstable"


@dataclass(frozen=True, slots=True)
class ExcludedSample:
    sample: MonitorSample
    why: Exclusion


def _counts(excluded: tuple[ExcludedSample, ...]) -> dict[Exclusion, int]:
    return dict(Counter(e.why for e in excluded))


def _describe_counts(excluded: tuple[ExcludedSample, ...]) -> str:
    counts = _counts(excluded)
    return ", ".join(f"{n} {why.value}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1]))


@dataclass(frozen=True, slots=True)
class Chartable:
    """A value the nurse may chart: the medians of the kept samples, and what was left out."""

    source: SampleSource
    map_mmhg: float
    sbp_mmhg: float | None
    dbp_mmhg: float | None
    hr_per_min: float | None
    used: int
    window_start: datetime
    window_end: datetime
    latest: MonitorSample
    low_map_mmhg: float
    high_map_mmhg: float
    excluded: tuple[ExcludedSample, ...] = ()

    @property
    def chartable(self) -> bool:
        return True

    @property
    def excluded_counts(self) -> dict[Exclusion, int]:
        return _counts(self.excluded)

    def describe(self) -> str:
        minutes = (self.window_end - self.window_start).total_seconds() / 60.0
        text = (
            f"MAP {self.map_mmhg:.0f} mmHg: median of {self.used} {self.source.value} samples over {minutes:g} min "
            f"(range {self.low_map_mmhg:.0f}-{self.high_map_mmhg:.0f})"
        )
        if self.excluded:
            text += f"; excluded {_describe_counts(self.excluded)}"
        return text


@dataclass(frozen=True, slots=True)
class NotChartable:
    """Nothing to chart from the monitor now, and why (the nurse types the value)."""

    source: SampleSource
    reason: NotChartableReason
    detail: str
    samples: int
    window_start: datetime
    window_end: datetime
    excluded: tuple[ExcludedSample, ...] = ()

    @property
    def chartable(self) -> bool:
        return False

    @property
    def excluded_counts(self) -> dict[Exclusion, int]:
        return _counts(self.excluded)

    def describe(self) -> str:
        return f"Monitor value not chartable: {self.detail}"


Summary = Chartable | NotChartable


def window_of(samples: Sequence[MonitorSample], start: datetime, end: datetime) -> Sequence[MonitorSample]:
    """The samples with ``start < at <= end`` of a time-sorted sequence, found by bisection."""
    lo = bisect.bisect_right(samples, start, key=lambda s: s.at)
    hi = bisect.bisect_right(samples, end, key=lambda s: s.at)
    return samples[lo:hi]


def summarise(
    samples: Sequence[MonitorSample],
    *,
    now: datetime,
    rules: Monitor,
    source: SampleSource = SampleSource.ARTERIAL,
) -> Summary:
    """The summary of ``source``'s samples in the window ending at ``now``."""
    start = now - timedelta(minutes=rules.summary_window_min)
    window = [s for s in window_of(samples, start, now) if s.source is source]

    def refuse(reason: NotChartableReason, detail: str, excluded: tuple[ExcludedSample, ...] = ()) -> NotChartable:
        return NotChartable(source, reason, detail, len(window), start, now, excluded)

    if not window:
        return refuse(
            NotChartableReason.NO_SAMPLES, f"no {source.value} MAP in the last {rules.summary_window_min:g} min"
        )
    age = (now - window[-1].at).total_seconds()
    if source is SampleSource.ARTERIAL and age > rules.stale_after_s:
        return refuse(NotChartableReason.STALE, f"the last {source.value} MAP is {age / 60.0:.0f} min old")

    why = _exclusions(window, rules, arterial=source is SampleSource.ARTERIAL)
    excluded = tuple(ExcludedSample(s, w) for s, w in zip(window, why, strict=True) if w is not None)
    kept = [s for s, w in zip(window, why, strict=True) if w is None]
    if len(excluded) > rules.max_excluded_fraction * len(window):
        return refuse(
            NotChartableReason.MOSTLY_ARTEFACT,
            f"{len(excluded)} of {len(window)} samples excluded ({_describe_counts(excluded)})",
            excluded,
        )
    needed = rules.summary_min_samples if source is SampleSource.ARTERIAL else 1
    if len(kept) < needed:
        return refuse(
            NotChartableReason.TOO_FEW, f"{len(kept)} usable samples; at least {needed} are needed", excluded
        )
    maps = [s.map_mmhg for s in kept]
    if source is SampleSource.ARTERIAL and max(maps) - min(maps) > rules.jump_mmhg:
        low = min(kept, key=lambda s: s.map_mmhg)
        high = max(kept, key=lambda s: s.map_mmhg)
        first, last = (low, high) if low.at <= high.at else (high, low)
        return refuse(
            NotChartableReason.UNSTABLE,
            f"MAP moved from {first.map_mmhg:.0f} ({first.at:%H:%M:%S} UTC) to {last.map_mmhg:.0f} mmHg "
            f"({last.at:%H:%M:%S} UTC), more than {rules.jump_mmhg:g} mmHg: read the patient and the line",
            excluded,
        )
    return Chartable(
        source=source,
        map_mmhg=float(statistics.median(maps)),
        sbp_mmhg=_median([s.sbp_mmhg for s in kept]),
        dbp_mmhg=_median([s.dbp_mmhg for s in kept]),
        hr_per_min=_median([s.hr_per_min for s in kept]),
        used=len(kept),
        window_start=start,
        window_end=now,
        latest=kept[-1],
        low_map_mmhg=min(maps),
        high_map_mmhg=max(maps),
        excluded=excluded,
    )


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def _exclusions(window: list[MonitorSample], rules: Monitor, *, arterial: bool) -> list[Exclusion | None]:
    n = len(window)
    why: list[Exclusion | None] = [None] * n
    high = rules.map_plausible_max_mmhg
    # 1-2. High runs: a short one on the arterial line is a flush (and its settling), a long one implausible.
    i = 0
    while i < n:
        if window[i].map_mmhg < high:
            i += 1
            continue
        j = i
        while j + 1 < n and window[j + 1].map_mmhg >= high:
            j += 1
        flush = arterial and (window[j].at - window[i].at).total_seconds() <= rules.flush_max_s
        for k in range(i, j + 1):
            why[k] = Exclusion.FLUSH if flush else Exclusion.IMPLAUSIBLE
        if flush:
            settle_until = window[j].at + timedelta(seconds=rules.flush_settle_s)
            k = j + 1
            while k < n and window[k].at <= settle_until and window[k].map_mmhg < high:
                why[k] = Exclusion.FLUSH
                k += 1
        i = j + 1
    for k, s in enumerate(window):
        if why[k] is not None:
            continue
        if s.map_mmhg < rules.map_plausible_min_mmhg:
            why[k] = Exclusion.IMPLAUSIBLE
        elif arterial and (pp := s.pulse_pressure_mmhg) is not None and pp < rules.damped_pulse_pressure_below_mmhg:
            why[k] = Exclusion.DAMPED
    if arterial:
        kept = [k for k in range(n) if why[k] is None]
        spikes = [
            kept[m]
            for m in range(1, len(kept) - 1)
            if _spike(window[kept[m - 1]], window[kept[m]], window[kept[m + 1]], rules.jump_mmhg)
        ]
        for k in spikes:
            why[k] = Exclusion.SPIKE
    return why


def _spike(before: MonitorSample, sample: MonitorSample, after: MonitorSample, jump: float) -> bool:
    up, down = sample.map_mmhg - before.map_mmhg, sample.map_mmhg - after.map_mmhg
    return abs(up) > jump and abs(down) > jump and up * down > 0
