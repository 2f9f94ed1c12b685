"""How well a titration went: MAP time in band, below target and below the floor; checks answered on time, late or
missed; dose changes per hour; the norepinephrine-equivalent load (Qt-free, plain inputs, no clock read).

Method, stated on screen and in the report:

- **MAP time (time-weighted between charted readings).** Each charted reading stands for the time from it to the
  next reading, for at most :data:`READING_HOLD_MAX_S` (60 min: hourly documentation is the minimum of manual
  titration in practice [S], clinical-reference "Titration workload and order"); time beyond that, or before the
  first reading, is *not charted*. A window's percentages are of its charted time. In band: target <= MAP <= upper;
  below target: MAP < target; below the floor: MAP < floor (60 mmHg, or the child's floor, from the order).
  :class:`MapTimeline` keeps running totals, so appending a reading costs O(1) and a window O(log n).
- **Checks.** A check counts once its due time has passed. On time: done (a reading, or the advice applied or not
  applied with a reason) before its prompt escalated to medium (due + intervals.overdue_medium_after_minutes); late:
  before it escalated to high (due + intervals.overdue_high_after_minutes); missed: after that, or still open past
  it. The alarm priorities follow IEC 60601-1-8 (low: be aware, medium: promptly, high: immediately) [V].
- **Dose changes per hour**: starts, steps and stops of norepinephrine in the window, per hour of the window.
- **NE-equivalent load** (NEE-SUM): now, and its peak over the window.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

READING_HOLD_MAX_S = 3600.0  # a charted reading stands for at most 60 min (hourly documentation [S])

ON_TIME = "on_time"
LATE = "late"
MISSED = "missed"


@dataclass(frozen=True)
class Band:
    """The MAP band the figures are measured against (mmHg)."""

    low: float
    high: float
    floor: float


@dataclass(frozen=True)
class MapTime:
    """Seconds of a window: its length, how much of it readings cover, and how that splits."""

    window_s: float
    charted_s: float
    in_band_s: float
    below_s: float
    below_floor_s: float

    def pct(self, seconds: float) -> float | None:
        """``seconds`` as a percentage of the charted time (``None`` when nothing is charted)."""
        return None if self.charted_s <= 0 else 100.0 * seconds / self.charted_s

    @property
    def in_band_pct(self) -> float | None:
        return self.pct(self.in_band_s)

    @property
    def below_pct(self) -> float | None:
        return self.pct(self.below_s)

    @property
    def below_floor_pct(self) -> float | None:
        return self.pct(self.below_floor_s)

    @property
    def not_charted_s(self) -> float:
        return max(0.0, self.window_s - self.charted_s)


_ZERO = (0.0, 0.0, 0.0, 0.0)


class MapTimeline:
    """Charted MAP readings as steps (each holds until the next, at most ``hold_max_s``), with running totals of the
    seconds charted, in band, below target and below the floor up to each reading."""

    def __init__(self, band: Band, hold_max_s: float = READING_HOLD_MAX_S) -> None:
        self.band = band
        self.hold_max_s = hold_max_s
        self._t: list[float] = []
        self._m: list[float] = []
        self._cum: list[tuple[float, float, float, float]] = []  # totals of the steps before reading i

    def __len__(self) -> int:
        return len(self._t)

    def _weights(self, map_mmhg: float) -> tuple[float, float, float, float]:
        b = self.band
        return (1.0, 1.0 if b.low <= map_mmhg <= b.high else 0.0, 1.0 if map_mmhg < b.low else 0.0,
                1.0 if map_mmhg < b.floor else 0.0)

    def append(self, at: datetime, map_mmhg: float) -> None:
        """Add a reading at or after the latest one (O(1)); an earlier one raises ValueError (rebuild instead)."""
        t = at.timestamp()
        if self._t and t < self._t[-1]:
            raise ValueError("at: a reading before the latest one; build the timeline again in time order")
        if not self._t:
            self._cum.append(_ZERO)
        else:
            length = min(t - self._t[-1], self.hold_max_s)
            w = self._weights(self._m[-1])
            last = self._cum[-1]
            self._cum.append((last[0] + length * w[0], last[1] + length * w[1], last[2] + length * w[2],
                              last[3] + length * w[3]))
        self._t.append(t)
        self._m.append(map_mmhg)

    def _upto(self, x: float) -> tuple[float, float, float, float]:
        """Totals from the first reading up to epoch second ``x``."""
        j = bisect_right(self._t, x) - 1
        if j < 0:
            return _ZERO
        length = min(x - self._t[j], self.hold_max_s)
        if j + 1 < len(self._t):
            length = min(length, self._t[j + 1] - self._t[j])
        w = self._weights(self._m[j])
        c = self._cum[j]
        return (c[0] + length * w[0], c[1] + length * w[1], c[2] + length * w[2], c[3] + length * w[3])

    def window(self, start: datetime, end: datetime) -> MapTime:
        """The figures of ``[start, end]`` (O(log n))."""
        a, b = start.timestamp(), end.timestamp()
        hi, lo = self._upto(b), self._upto(a)
        return MapTime(max(0.0, b - a), hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], hi[3] - lo[3])


@dataclass(frozen=True)
class CheckCounts:
    on_time: int = 0
    late: int = 0
    missed: int = 0
    due_now: int = 0  # an open check past its due time, not yet escalated to high

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missed


def check_category(due: datetime, done: datetime, medium_after_min: float, high_after_min: float) -> str | None:
    """How a check due at ``due`` and done at ``done`` counts; ``None`` when done before it came due."""
    if done < due:
        return None
    late = (done - due).total_seconds() / 60.0
    if late < medium_after_min:
        return ON_TIME
    if late < high_after_min:
        return LATE
    return MISSED


class CheckLog:
    """Answered checks by due time, with running counts per category: appending O(1) (O(n) if out of order), a
    window's counts O(log n)."""

    def __init__(self) -> None:
        self._due: list[float] = []
        self._cum: list[tuple[int, int, int]] = [(0, 0, 0)]

    def __len__(self) -> int:
        return len(self._due)

    def add(self, due: datetime, category: str) -> None:
        t = due.timestamp()
        step = (int(category == ON_TIME), int(category == LATE), int(category == MISSED))
        if not self._due or t >= self._due[-1]:
            last = self._cum[-1]
            self._due.append(t)
            self._cum.append((last[0] + step[0], last[1] + step[1], last[2] + step[2]))
            return
        index = bisect_right(self._due, t)  # out of order (rare): insert and redo the totals after it
        self._due.insert(index, t)
        steps = [(b[0] - a[0], b[1] - a[1], b[2] - a[2]) for a, b in zip(self._cum, self._cum[1:], strict=False)]
        steps.insert(index, step)
        cum = [(0, 0, 0)]
        for s in steps:
            last = cum[-1]
            cum.append((last[0] + s[0], last[1] + s[1], last[2] + s[2]))
        self._cum = cum

    def window(self, start: datetime, end: datetime) -> CheckCounts:
        i = bisect_left(self._due, start.timestamp())
        j = bisect_right(self._due, end.timestamp())
        a, b = self._cum[i], self._cum[j]
        return CheckCounts(b[0] - a[0], b[1] - a[1], b[2] - a[2])


def open_check(due: datetime | None, now: datetime, high_after_min: float) -> CheckCounts:
    """The check open now: missed once past its high escalation, due now once past its due time."""
    if due is None or now < due:
        return CheckCounts()
    if now - due >= timedelta(minutes=high_after_min):
        return CheckCounts(missed=1)
    return CheckCounts(due_now=1)


def changes_in(times: Sequence[datetime], start: datetime, end: datetime) -> int:
    """How many of the sorted ``times`` fall in ``[start, end]``."""
    return bisect_right(times, end) - bisect_left(times, start)


def peak(series: Sequence[tuple[datetime, float]], start: datetime, end: datetime) -> float | None:
    """The highest value a step series (sorted (time, value) pairs, each holding until the next) takes in
    ``[start, end]``; ``None`` when it has no value there."""
    times = [t for t, _v in series]
    first = bisect_right(times, start) - 1  # the value running at the window's start
    last = bisect_right(times, end)
    values = [v for _t, v in series[max(first, 0):last]]
    return max(values) if values else None


@dataclass(frozen=True)
class WindowFigures:
    """The figures of one window (the last hour, this shift, the whole infusion)."""

    name: str
    start: datetime
    end: datetime
    map: MapTime
    checks: CheckCounts
    dose_changes: int
    nee_peak: float | None

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0

    @property
    def changes_per_hour(self) -> float | None:
        return None if self.hours <= 0 else self.dose_changes / self.hours


@dataclass(frozen=True)
class QualityFigures:
    band: Band
    windows: tuple[WindowFigures, ...]
    nee_now: float
    at: datetime

    def window(self, name: str) -> WindowFigures | None:
        return next((w for w in self.windows if w.name == name), None)


def combine(*counts: CheckCounts) -> CheckCounts:
    return CheckCounts(sum(c.on_time for c in counts), sum(c.late for c in counts), sum(c.missed for c in counts),
                       sum(c.due_now for c in counts))


def fmt_pct(value: float | None) -> str:
    """A percentage for display: whole numbers, "-" when nothing is charted."""
    return "-" if value is None else f"{value:.0f} %"


def fmt_minutes(seconds: float) -> str:
    """Seconds as "1 h 05 min" or "12 min"."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def figure_rows(q: QualityFigures) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The figures as a table: the header (the windows) and one row per figure, as text."""
    head = ("", *(f"{w.name}" for w in q.windows))
    b = q.band

    def row(label: str, cell: Iterable[str]) -> tuple[str, ...]:
        return (label, *cell)

    def changes(w: WindowFigures) -> str:
        per_hour = w.changes_per_hour
        return "-" if per_hour is None else f"{w.dose_changes} ({per_hour:.1f}/h)"

    def checks(c: CheckCounts) -> str:
        text = f"{c.on_time} / {c.late} / {c.missed}"
        return text + (f" (+{c.due_now} due)" if c.due_now else "")

    rows = (
        row(f"In band {b.low:g}\u2013{b.high:g} mmHg", (fmt_pct(w.map.in_band_pct) for w in q.windows)),
        row(f"Below target {b.low:g}", (fmt_pct(w.map.below_pct) for w in q.windows)),
        row(f"Below floor {b.floor:g}", (fmt_pct(w.map.below_floor_pct) for w in q.windows)),
        row("Charted (not charted)", (f"{fmt_minutes(w.map.charted_s)} ({fmt_minutes(w.map.not_charted_s)})"
                                      for w in q.windows)),
        row("Checks on time / late / missed", (checks(w.checks) for w in q.windows)),
        row("Dose changes (per hour)", (changes(w) for w in q.windows)),
        row("NEE peak mcg/kg/min", ("-" if w.nee_peak is None else f"{w.nee_peak:.3g}" for w in q.windows)),
    )
    return head, rows


METHOD = (f"Time-weighted: each charted reading stands until the next one, at most {READING_HOLD_MAX_S / 60:g} min "
          "(beyond: not charted); percentages are of the charted time. Checks: on time before the prompt's medium "
          "escalation, late before its high escalation, missed after it.")
