"""What the bedside strip shows at a glance, derived from the record and the time (Qt-free, no rule of its own).

The latest MAP and its trend, the running dose and pump rate, the bag (mL left, when to hang the next one), the line
and how long it has been in, and the time in the target band over the last hour and the whole session. The figures
come from the record and the core (the bag's volume left, the engine's target); the strip only writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from norepi_gui.bedside.state import DoseRow, ReadingRow, SessionState
    from norepi_gui.core.protocol import Protocol

TREND_UP = "up"
TREND_DOWN = "down"
TREND_STEADY = "steady"


@dataclass(frozen=True)
class BagOutlook:
    left_ml: float | None  # what is left now (None: no volume recorded)
    minutes_left: float | None  # at the pump rate running now (None: not running or no volume)
    empty_at: datetime | None
    hang_by: datetime | None  # bag.change_reminder_minutes before empty


@dataclass(frozen=True)
class LineStatus:
    line: str  # central | peripheral | intraosseous
    hours: float | None  # in place for (None: insertion time not recorded)
    max_hours: float  # the protocol's limit for this line (0: none)
    site_check_due: datetime | None


@dataclass(frozen=True)
class Glance:
    latest: ReadingRow | None
    trend: str | None  # up | down | steady (against the reading before; None with one reading)
    band: tuple[float, float] | None
    running: DoseRow | None  # the dose row running now (None: never started)
    bag: BagOutlook
    line: LineStatus
    in_band_last_hour: float | None  # fraction of the time, 0..1 (None: no reading in the window)
    in_band_session: float | None


def map_trend(state: SessionState, protocol: Protocol) -> str | None:
    """The latest MAP against the one before: a change within the titration dead band
    (``titration.centre_deadband_mmhg``) is steady."""
    readings = state.readings
    if len(readings) < 2:
        return None
    change = readings[-1].map_mmhg - readings[-2].map_mmhg
    if abs(change) <= protocol.titration.centre_deadband_mmhg:
        return TREND_STEADY
    return TREND_UP if change > 0 else TREND_DOWN


def time_in_band(state: SessionState, band: tuple[float, float], start: datetime, end: datetime) -> float | None:
    """The fraction of ``start``..``end`` during which the charted MAP was in ``band`` (each reading holds until the
    next one); the time before the first reading does not count. ``None`` when no reading covers the window."""
    low, high = band
    covered = inside = 0.0
    readings = state.readings
    for i, row in enumerate(readings):
        begin = max(row.at, start)
        stop = min(readings[i + 1].at if i + 1 < len(readings) else end, end)
        if stop <= begin:
            continue
        seconds = (stop - begin).total_seconds()
        covered += seconds
        if low <= row.map_mmhg <= high:
            inside += seconds
    return None if covered <= 0 else inside / covered


def bag_outlook(state: SessionState, protocol: Protocol, now: datetime, left_ml: float | None) -> BagOutlook:
    running = state.dose_at(now)
    if left_ml is None or running is None or not running.running:
        return BagOutlook(left_ml, None, None, None)
    minutes = left_ml / running.pump_rate_ml_per_h * 60.0
    empty_at = now + timedelta(minutes=minutes)
    lead = protocol.bag.change_reminder_minutes
    return BagOutlook(left_ml, minutes, empty_at, empty_at - timedelta(minutes=lead) if lead > 0 else None)


def glance(state: SessionState, protocol: Protocol, now: datetime, *, band: tuple[float, float] | None,
           left_ml: float | None, session_start: datetime | None) -> Glance:
    from norepi_gui.bedside.alarms import line_hours, site_check_due
    from norepi_gui.bedside.inputs import line_of

    line = line_of(state)
    hour = session = None
    if band is not None and state.readings:
        hour = time_in_band(state, band, now - timedelta(hours=1), now)
        session = time_in_band(state, band, session_start or state.readings[0].at, now)
    return Glance(
        latest=state.last_reading,
        trend=map_trend(state, protocol),
        band=band,
        running=state.dose_at(now),
        bag=bag_outlook(state, protocol, now, left_ml),
        line=LineStatus(line.value, line_hours(state, now), protocol.line(line).max_hours,
                        site_check_due(state, protocol, now)),
        in_band_last_hour=hour,
        in_band_session=session,
    )
