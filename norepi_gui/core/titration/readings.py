"""Which readings may drive a dose change: plausible, fresh, and not a possible artefact (rules READ-*).

A reading is refused when its MAP is outside the protocol's plausible range (a typing error). A reading older than
readings.max_age_minutes at ``now`` never drives a dose change and is left out of the trends. A reading whose MAP
jumped by more than readings.artefact_jump_mmhg from the last trusted one within readings.artefact_window_minutes, at
unchanged doses, is held back until the next reading confirms it (within the same jump of it): an arterial-line flush
or a damped trace gives such jumps, a patient rarely does at a steady dose.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Protocol
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import Reading


def check_reading(reading: Reading, protocol: Protocol, field: str = "map") -> None:
    """Refuse a MAP (measured or from SBP/DBP) outside readings.map_min_mmhg..map_max_mmhg, naming the field."""
    r = protocol.readings
    m = reading.map
    if not r.map_min_mmhg <= m <= r.map_max_mmhg:
        what = "MAP" if reading.map_mmhg is not None else "MAP from SBP/DBP"
        raise InputError(field, f"{what} {m:.0f} mmHg is outside the plausible range",
                         protocol.cite("readings.map_min_mmhg", f"{r.map_min_mmhg:g} to {r.map_max_mmhg:g} mmHg"))


class ReadingView(NamedTuple):
    """The readings the dose decision may use, oldest first, the latest last, with the dose at each.

    ``readings`` holds the fresh readings (not older than readings.max_age_minutes at ``now``) without the
    artefacts a later reading contradicted; the latest reading is always last, even when it is stale or unconfirmed.
    """

    readings: list[Reading]
    doses: list[float]
    age_min: float  # of the latest reading at ``now``
    stale: bool
    unconfirmed: bool
    jump_from: float | None  # the trusted MAP the latest reading jumped from (when unconfirmed)
    recent: list[Reading]  # as ``readings``, back to ``horizon_minutes`` before ``now`` (the level's readings)
    recent_doses: list[float]


def reading_view(chart: ChartedHistory, current: float, now: datetime, protocol: Protocol,
                 horizon_minutes: float = 0.0) -> ReadingView:
    """The readings a dose change may use. ``horizon_minutes`` (when longer than readings.max_age_minutes): also the
    trusted readings back to that long before ``now`` (``recent``), for the mean MAP at a settled dose."""
    r = protocol.readings
    readings = chart.readings
    all_maps = chart.maps
    n = len(readings)
    latest = readings[-1]
    age = (now - latest.at).total_seconds() / 60.0
    now_min = chart.minutes_since_first(now)
    start = min(chart.first_index_from_minute(now_min - r.max_age_minutes), n - 1)
    early = start
    if horizon_minutes > r.max_age_minutes:
        early = min(chart.first_index_from_minute(now_min - horizon_minutes), start)
    first = early - 1 if early > 0 else 0  # one older reading as the reference for the first one looked at
    limit = r.artefact_jump_mmhg + EPS
    stale = age > r.max_age_minutes + EPS
    if chart.last_jump(limit) <= first:
        # no reading after the first one looked at jumps from the one before it, so none can be pending: the common
        # case, without the walk
        doses = chart.doses_from(early, current)
        return ReadingView(readings[start:], doses[start - early:], age, stale, False, None, readings[early:], doses)
    maps = all_maps[first:]
    doses = chart.doses_from(first, current)
    window = r.artefact_window_minutes + EPS

    def jump(ref: int, k: int) -> bool:
        a, b = readings[first + ref], readings[first + k]
        return (not b.confirmed
                and abs(maps[k] - maps[ref]) > limit
                and (b.at - a.at).total_seconds() / 60.0 <= window
                and abs(doses[k] - doses[ref]) <= EPS
                and (a.vasopressin_u_per_min or 0.0) == (b.vasopressin_u_per_min or 0.0)
                and (a.epinephrine_mcg_per_kg_per_min or 0.0) == (b.epinephrine_mcg_per_kg_per_min or 0.0))

    dropped: set[int] = set()
    ref, pending = 0, None
    for k in range(1, len(maps)):
        if pending is not None:
            if readings[first + k].confirmed or abs(maps[k] - maps[pending]) <= limit:
                ref, pending = k, None  # the jump is confirmed by this reading
                continue
            dropped.add(pending)  # contradicted: an artefact
            pending = None
        if jump(ref, k):
            pending = k
        else:
            ref = k
    kept = [k for k in range(start - first, len(maps)) if k not in dropped]
    recent = [k for k in range(early - first, len(maps)) if k not in dropped]
    unconfirmed = pending == len(maps) - 1
    return ReadingView(
        readings=[readings[first + k] for k in kept],
        doses=[doses[k] for k in kept],
        age_min=age,
        stale=stale,
        unconfirmed=unconfirmed,
        jump_from=maps[ref] if unconfirmed else None,
        recent=[readings[first + k] for k in recent],
        recent_doses=[doses[k] for k in recent],
    )
