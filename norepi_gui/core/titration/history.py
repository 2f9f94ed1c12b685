"""Questions about the reading history: streaks, trends, time at a dose, drug given."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from norepi_gui.core.errors import InputError
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import Reading


def doses_at_readings(readings: Sequence[Reading], current: float) -> list[float]:
    """The NE dose running at each reading: missing values carry forward; a missing last value is ``current``."""
    known = [r.ne_dose_mcg_per_kg_per_min for r in readings]
    if known and known[-1] is None:
        known[-1] = current
    first = next((d for d in known if d is not None), current)
    doses: list[float] = []
    last = first
    for d in known:
        if d is not None:
            last = d
        doses.append(last)
    return doses


def trailing(readings: Sequence[Reading], keep: Callable[[int, Reading], bool], limit: int | None = None) -> int:
    """How many readings at the end of the history satisfy ``keep(index, reading)`` without a break (counting stops
    at ``limit``: a question that needs at most that many costs the same however long the history)."""
    count = 0
    for i in range(len(readings) - 1, -1, -1):
        if (limit is not None and count >= limit) or not keep(i, readings[i]):
            break
        count += 1
    return count


def last_two(
    readings: Sequence[Reading], value: Callable[[Reading], float | None]
) -> tuple[float | None, float | None]:
    """The latest known value of a marker and the one before it (``None`` when not recorded)."""
    found: list[float] = []
    for r in reversed(readings):
        v = value(r)
        if v is not None:
            found.append(v)
            if len(found) == 2:
                break
    latest = found[0] if found else None
    previous = found[1] if len(found) > 1 else None
    return latest, previous


def hours_at_or_above(readings: Sequence[Reading], doses: Sequence[float], threshold: float) -> float:
    """Hours from the start of the unbroken run of readings with NE or epinephrine >= threshold to the latest one."""

    def high(i: int, r: Reading) -> bool:
        epi = r.epinephrine_mcg_per_kg_per_min or 0.0
        return doses[i] >= threshold - EPS or epi >= threshold - EPS

    n = trailing(readings, high)
    if n == 0:
        return 0.0
    return (readings[-1].at - readings[len(readings) - n].at).total_seconds() / 3600.0


def mcg_per_kg_last_24h(readings: Sequence[Reading], doses: Sequence[float], now: datetime) -> float:
    """NE given (mcg/kg) over the 24 h before ``now``, each reading's dose running until the next reading."""
    start = now - timedelta(hours=24)
    total = 0.0
    for i, r in enumerate(readings):
        begin = max(r.at, start)
        end = readings[i + 1].at if i + 1 < len(readings) else now
        end = min(end, now)
        if end > begin:
            total += doses[i] * (end - begin).total_seconds() / 60.0
    return total


_MARKERS: dict[str, Callable[[Reading], float | None]] = {
    "lactate": lambda r: r.lactate_mmol_per_l,
    "urine": lambda r: r.urine_ml_per_kg_per_h,
    "crt": lambda r: r.crt_s,
}


class ChartedHistory:
    """One patient's charted readings in time order, with running summaries (append-only).

    The engine asks the same questions at every check (drug over the last 24 h, how long the dose has been high,
    the last dose given, the last two perfusion markers). The plain functions above answer them by re-reading the
    whole history; this keeps running sums instead, so a bedside or simulator session that appends one reading per
    check and calls :func:`advise` with this object pays O(1) or O(log n) per question, not O(n). The answers are
    those of the plain functions (a property test holds the two together).

    Doses follow :func:`doses_at_readings`: a reading without a dose carries the previous one forward; the latest
    reading without a dose runs at the caller's ``current`` dose.
    """

    def __init__(self, readings: Iterable[Reading] = ()) -> None:
        self.readings: list[Reading] = []
        self.maps: list[float] = []  # each reading's MAP (Reading.map), for the loops that read many
        self._t0: datetime | None = None
        self._t: list[float] = []  # minutes since the first reading
        self._raw: list[float | None] = []
        self._carried: list[float] = []  # each reading's dose once a later reading exists (valid when resolved)
        self._resolved = False  # a dose has been charted, so every carried dose is known
        self._cum: list[float] = [0.0]  # _cum[k]: mcg/kg from reading 0 to reading k at the carried doses
        self._positive_before_last: float | None = None  # last carried dose > 0 among all but the latest reading
        # The last stop among all but the latest reading: (index of the first reading at 0, the dose before it).
        self._stop_before_last: tuple[int, float] | None = None
        self._markers: dict[str, tuple[float | None, float | None]] = dict.fromkeys(_MARKERS, (None, None))
        self._runs: dict[float, tuple[int, int | None]] = {}  # threshold -> (readings folded in, run start)
        self._jumps: dict[float, tuple[int, int]] = {}  # limit -> (readings folded in, index of the latest jump)
        for reading in readings:
            self.append(reading)

    @classmethod
    def of(cls, readings: Sequence[Reading]) -> ChartedHistory:
        """The history of readings given in any order (sorted by time; equal times keep their order)."""
        return cls(sorted(readings, key=lambda r: r.at))

    def __len__(self) -> int:
        return len(self.readings)

    def append(self, reading: Reading) -> None:
        """Add the next reading; it may not be earlier than the latest one."""
        if self.readings and reading.at < self.readings[-1].at:
            raise InputError("time", f"{reading.at.isoformat()} is before the latest reading "
                             f"{self.readings[-1].at.isoformat()}", "readings appended in time order")
        if self._t0 is None:
            self._t0 = reading.at
        n = len(self.readings)
        raw = reading.ne_dose_mcg_per_kg_per_min
        t = (reading.at - self._t0).total_seconds() / 60.0
        if not self._resolved and raw is not None:
            # The first charted dose also stands for the readings before it (doses_at_readings).
            self._carried = [raw] * n
            self._cum = [0.0]
            for i in range(n - 1):
                self._cum.append(self._cum[-1] + raw * (self._t[i + 1] - self._t[i]))
            self._resolved = True
        if self._resolved and n >= 1:
            # The previous latest reading now has a successor: its carried dose runs until this reading.
            prev = self._carried[n - 1]
            self._cum.append(self._cum[-1] + prev * (t - self._t[n - 1]))
            if prev > EPS:
                self._positive_before_last = prev
            elif n >= 2 and self._carried[n - 2] > EPS:
                self._stop_before_last = (n - 1, self._carried[n - 2])
        if self._resolved:
            self._carried.append(raw if raw is not None else self._carried[-1])
        self.readings.append(reading)
        self.maps.append(reading.map)
        self._t.append(t)
        self._raw.append(raw)
        for name, value in _MARKERS.items():
            v = value(reading)
            if v is not None:
                self._markers[name] = (v, self._markers[name][0])

    # ------------------------------------------------------------------ answers for a given running dose
    def doses(self, current: float) -> list[float]:
        """The dose running at each reading (as :func:`doses_at_readings`)."""
        if not self._resolved:
            return [current] * len(self.readings)
        last = self._raw[-1]
        return [*self._carried[:-1], last if last is not None else current]

    def last_two(self, marker: str) -> tuple[float | None, float | None]:
        """Latest and previous recorded ``lactate``, ``urine`` or ``crt`` (as :func:`last_two`)."""
        return self._markers[marker]

    def dose_at(self, i: int, current: float) -> float:
        """The dose running at reading ``i`` (as :meth:`doses`, without building the list)."""
        n = len(self.readings)
        i = i + n if i < 0 else i
        if not self._resolved:
            return current
        if i == n - 1:
            last = self._raw[-1]
            return last if last is not None else current
        return self._carried[i]

    def doses_from(self, first: int, current: float) -> list[float]:
        """The doses at readings ``first`` to the latest (as :meth:`doses`, for the tail only)."""
        n = len(self.readings)
        if not self._resolved:
            return [current] * (n - first)
        last = self._raw[-1]
        return [*self._carried[first:n - 1], last if last is not None else current]

    def first_index_from(self, when: datetime) -> int:
        """The index of the first reading taken at or after ``when`` (``len(self)`` if none)."""
        if self._t0 is None:
            return 0
        return bisect_left(self._t, (when - self._t0).total_seconds() / 60.0)

    def minutes_since_first(self, when: datetime) -> float:
        """``when`` in minutes after the first reading (0 without readings)."""
        return 0.0 if self._t0 is None else (when - self._t0).total_seconds() / 60.0

    def first_index_from_minute(self, minute: float) -> int:
        """As :meth:`first_index_from`, for a time given by :meth:`minutes_since_first`."""
        return bisect_left(self._t, minute)

    def last_stop(self, current: float) -> tuple[datetime, float] | None:
        """When norepinephrine was last seen stopped and from what dose: the first reading at 0 after one above it.

        The latest reading counts with the dose running now (``current``); ``None`` if it never stopped.
        """
        n = len(self.readings)
        if n >= 2 and self.dose_at(-1, current) <= EPS and self.dose_at(-2, current) > EPS:
            return self.readings[-1].at, self.dose_at(-2, current)
        if self._stop_before_last is None:
            return None
        index, dose = self._stop_before_last
        return self.readings[index].at, dose

    def last_positive_dose_before_latest(self, current: float) -> float | None:
        """The last dose above zero charted before the latest reading (None if never)."""
        if not self._resolved:
            return current if current > EPS and len(self.readings) > 1 else None
        return self._positive_before_last

    def mcg_per_kg_last_24h(self, now: datetime, current: float) -> float:
        """As :func:`mcg_per_kg_last_24h`: each reading's dose runs until the next reading, the latest until now."""
        if not self._resolved or self._t0 is None:
            return mcg_per_kg_last_24h(self.readings, self.doses(current), now)
        n = len(self.readings)
        now_min = (now - self._t0).total_seconds() / 60.0
        start = now_min - 24 * 60.0
        last_dose = self._raw[-1] if self._raw[-1] is not None else current
        total = last_dose * (now_min - max(self._t[-1], start)) if now_min > max(self._t[-1], start) else 0.0
        first = bisect_right(self._t, start)  # first reading after the window opens
        if first == 0:
            return self._cum[n - 1] + total
        j = first - 1  # the reading whose interval the window opens in
        if j >= n - 1:
            return total
        partial = self._carried[j] * (self._t[j + 1] - start)
        return partial + (self._cum[n - 1] - self._cum[j + 1]) + total

    def last_jump(self, limit: float) -> int:
        """The index of the latest reading whose MAP differs from the one before it by more than ``limit`` (0: none
        does). Folded in as readings come, like the runs above: each reading is compared once per limit asked."""
        folded, last = self._jumps.get(limit, (1, 0))
        maps = self.maps
        for i in range(folded, len(maps)):
            if abs(maps[i] - maps[i - 1]) > limit:
                last = i
        self._jumps[limit] = (max(folded, len(maps)), last)
        return last

    def hours_at_or_above(self, threshold: float, current: float) -> float:
        """As :func:`hours_at_or_above`: the unbroken run of readings with NE or epinephrine >= threshold."""
        if not self._resolved:
            return hours_at_or_above(self.readings, self.doses(current), threshold)
        n = len(self.readings)
        folded, start = self._runs.get(threshold, (0, None))
        for i in range(folded, n - 1):  # every reading but the latest has its final dose
            start = (start if start is not None else i) if self._high(i, self._carried[i], threshold) else None
        self._runs[threshold] = (n - 1, start)
        last = self._raw[-1] if self._raw[-1] is not None else current
        if not self._high(n - 1, last, threshold):
            return 0.0
        begin = start if start is not None else n - 1
        return (self.readings[-1].at - self.readings[begin].at).total_seconds() / 3600.0

    def _high(self, i: int, dose: float, threshold: float) -> bool:
        epi = self.readings[i].epinephrine_mcg_per_kg_per_min or 0.0
        return dose >= threshold - EPS or epi >= threshold - EPS
