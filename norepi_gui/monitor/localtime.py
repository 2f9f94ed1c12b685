"""The machine's local time zone as a ``tzinfo``, for observation times a gateway sends without a UTC offset.

HL7 v2 times (DTM) may leave out the offset; gateways then send the monitor's local time. Entry points (the window,
``monitor-listen``) pass :func:`system_local_timezone` to the parser; tests pass a fixed zone. This reads the time
zone rules of the system, never the current time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo


class SystemLocalTimezone(tzinfo):
    """Local time as the C library knows it, with its daylight-saving changes (the recipe of Python's datetime
    documentation, ``LocalTimezone``)."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(seconds=self._local(dt).tm_gmtoff) if dt is not None else timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        if dt is None or self._local(dt).tm_isdst <= 0:
            return timedelta(0)
        return timedelta(hours=1)

    def tzname(self, dt: datetime | None) -> str:
        return self._local(dt).tm_zone if dt is not None else "local"

    def fromutc(self, dt: datetime) -> datetime:
        seconds = (dt.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds()
        offset = time.localtime(seconds).tm_gmtoff
        return (dt + timedelta(seconds=offset)).replace(tzinfo=self)

    @staticmethod
    def _local(dt: datetime | None) -> time.struct_time:
        assert dt is not None
        fields = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.weekday(), 0, -1)
        return time.localtime(time.mktime(fields))

    def __repr__(self) -> str:
        return "SystemLocalTimezone()"


def system_local_timezone() -> tzinfo:
    """The machine's local zone; UTC where the C library cannot say (the times then read as UTC)."""
    try:
        SystemLocalTimezone().utcoffset(datetime(2026, 1, 1))
    except (OverflowError, ValueError, OSError):
        return UTC
    return SystemLocalTimezone()
