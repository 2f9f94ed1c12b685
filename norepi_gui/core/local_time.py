"""A wall-clock time typed by a person, in a time zone: one instant, two, or none.

When daylight saving time ends the clocks go back and one hour happens twice (02:30 on the last Sunday of October in
Berlin is 00:30 UTC and again 01:30 UTC); when it starts one hour never happens. Python's ``datetime`` picks one
silently (``fold=0``). :func:`resolve_local_time` says which case it is, so the window can ask "the first 02:30 (CEST)
or the second (CET)?" instead of storing a time an hour off, and can refuse a time that did not exist, offering the
two nearest readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum


class LocalTimeKind(StrEnum):
    UNIQUE = "unique"
    AMBIGUOUS = "ambiguous"  # in the repeated hour: two instants
    NONEXISTENT = "nonexistent"  # in the skipped hour: no instant


@dataclass(frozen=True)
class LocalTimeResolution:
    """What a typed local time means. ``instants`` are UTC, earlier first; ``nearest`` (for a time that does not
    exist) are the two readings of it with the offset before and after the change, as local times, earlier first."""

    naive: datetime
    zone: tzinfo
    kind: LocalTimeKind
    instants: tuple[datetime, ...]
    nearest: tuple[datetime, ...] = ()

    @property
    def instant(self) -> datetime:
        """The one instant; ``ValueError`` when the time is ambiguous or does not exist (ask, or refuse)."""
        if self.kind is LocalTimeKind.UNIQUE:
            return self.instants[0]
        raise ValueError(self.message)

    def choices(self) -> list[str]:
        """For an ambiguous time, one label per instant, e.g. ``02:30 CEST (UTC+02:00), the first time``."""
        ordinals = ("the first time", "the second time")
        return [f"{_wall(i, self.zone)}, {ordinals[n]}" for n, i in enumerate(self.instants[:2])]

    @property
    def message(self) -> str:
        wall = self.naive.strftime("%Y-%m-%d %H:%M")
        if self.kind is LocalTimeKind.AMBIGUOUS:
            first, second = self.choices()
            return f"{wall} is ambiguous: it happens twice (the clocks went back): {first}, or {second}?"
        if self.kind is LocalTimeKind.NONEXISTENT:
            before, after = (n.strftime("%H:%M %Z") for n in self.nearest)
            return f"{wall} does not exist (the clocks went forward); did you mean {before} or {after}?"
        return ""


def resolve_local_time(naive: datetime, zone: tzinfo) -> LocalTimeResolution:
    """Read the naive wall time ``naive`` in ``zone`` (a ``zoneinfo.ZoneInfo``)."""
    if naive.tzinfo is not None:
        raise ValueError(f"naive: expected a naive local time, got {naive!r}")
    readings = []
    for fold in (0, 1):
        local = naive.replace(tzinfo=zone, fold=fold)
        instant = local.astimezone(UTC)
        exists = instant.astimezone(zone).replace(tzinfo=None, fold=0) == naive.replace(fold=0)
        readings.append((instant, exists))
    (first, first_exists), (second, second_exists) = readings
    if first == second:
        return LocalTimeResolution(naive, zone, LocalTimeKind.UNIQUE, (first,))
    if first_exists and second_exists:
        return LocalTimeResolution(naive, zone, LocalTimeKind.AMBIGUOUS, tuple(sorted((first, second))))
    nearest = tuple(sorted(i.astimezone(zone) for i in (first, second)))
    return LocalTimeResolution(naive, zone, LocalTimeKind.NONEXISTENT, (), nearest)


def _wall(instant: datetime, zone: tzinfo) -> str:
    local = instant.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
