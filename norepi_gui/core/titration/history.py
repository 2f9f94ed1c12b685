"""Questions about the reading history: streaks, trends, time at a dose, drug given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

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


def trailing(readings: Sequence[Reading], keep: Callable[[int, Reading], bool]) -> int:
    """How many readings at the end of the history satisfy ``keep(index, reading)`` without a break."""
    count = 0
    for i in range(len(readings) - 1, -1, -1):
        if not keep(i, readings[i]):
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
