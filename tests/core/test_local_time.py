"""A local time typed around a daylight-saving change is one instant, two (ask which) or none (say so)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from norepi_gui.core.local_time import LocalTimeKind, resolve_local_time

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_an_ordinary_time_is_one_instant() -> None:
    # Berlin in January is CET, UTC+1: 08:00 local is 07:00 UTC.
    result = resolve_local_time(datetime(2026, 1, 15, 8, 0), BERLIN)
    assert result.kind is LocalTimeKind.UNIQUE
    assert result.instants == (datetime(2026, 1, 15, 7, 0, tzinfo=UTC),)
    assert result.instant == datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    assert result.message == ""


@pytest.mark.parametrize(
    ("zone", "naive", "first_utc", "second_utc", "names"),
    [
        # Berlin, Sunday 25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET, so 02:30 happens twice:
        # 02:30 CEST (UTC+2) = 00:30 UTC, then 02:30 CET (UTC+1) = 01:30 UTC.
        (
            BERLIN,
            datetime(2026, 10, 25, 2, 30),
            datetime(2026, 10, 25, 0, 30),
            datetime(2026, 10, 25, 1, 30),
            ("CEST", "CET"),
        ),
        # New York, Sunday 1 November 2026: at 02:00 EDT the clocks go back to 01:00 EST, so 01:30 happens twice:
        # 01:30 EDT (UTC-4) = 05:30 UTC, then 01:30 EST (UTC-5) = 06:30 UTC.
        (
            NEW_YORK,
            datetime(2026, 11, 1, 1, 30),
            datetime(2026, 11, 1, 5, 30),
            datetime(2026, 11, 1, 6, 30),
            ("EDT", "EST"),
        ),
    ],
)
def test_a_time_in_the_repeated_hour_is_ambiguous_with_both_instants_earlier_first(
    zone: ZoneInfo, naive: datetime, first_utc: datetime, second_utc: datetime, names: tuple[str, str]
) -> None:
    result = resolve_local_time(naive, zone)
    assert result.kind is LocalTimeKind.AMBIGUOUS
    assert result.instants == (first_utc.replace(tzinfo=UTC), second_utc.replace(tzinfo=UTC))
    labels = result.choices()
    assert names[0] in labels[0] and "first" in labels[0]
    assert names[1] in labels[1] and "second" in labels[1]
    assert "happens twice" in result.message
    with pytest.raises(ValueError, match="ambiguous"):
        _ = result.instant


@pytest.mark.parametrize(
    ("zone", "naive", "earlier", "later"),
    [
        # Berlin, Sunday 29 March 2026: at 02:00 CET the clocks jump to 03:00 CEST; 02:30 never happens.
        # Read with the old offset (UTC+1) it is 01:30 UTC = 03:30 CEST; with the new (UTC+2) 00:30 UTC = 01:30 CET.
        (BERLIN, datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 3, 30)),
        # New York, Sunday 8 March 2026: at 02:00 EST the clocks jump to 03:00 EDT; 02:30 never happens.
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 1, 30), datetime(2026, 3, 8, 3, 30)),
    ],
)
def test_a_time_in_the_skipped_hour_does_not_exist_and_the_nearest_readings_are_offered(
    zone: ZoneInfo, naive: datetime, earlier: datetime, later: datetime
) -> None:
    result = resolve_local_time(naive, zone)
    assert result.kind is LocalTimeKind.NONEXISTENT
    assert result.instants == ()
    assert [n.replace(tzinfo=None) for n in result.nearest] == [earlier, later]
    assert all(n.tzinfo is zone for n in result.nearest)
    assert "does not exist" in result.message
    with pytest.raises(ValueError, match="does not exist"):
        _ = result.instant


def test_the_hour_boundaries_of_the_change_are_exact() -> None:
    # Berlin, 25 October 2026: 01:59 and 03:00 are unique; 02:00 and 02:59 are in the repeated hour.
    kinds = [
        resolve_local_time(datetime(2026, 10, 25, h, m), BERLIN).kind for h, m in ((1, 59), (2, 0), (2, 59), (3, 0))
    ]
    assert kinds == [LocalTimeKind.UNIQUE, LocalTimeKind.AMBIGUOUS, LocalTimeKind.AMBIGUOUS, LocalTimeKind.UNIQUE]
    # Berlin, 29 March 2026: 01:59 and 03:00 exist; 02:00 does not.
    kinds = [resolve_local_time(datetime(2026, 3, 29, h, m), BERLIN).kind for h, m in ((1, 59), (2, 0), (3, 0))]
    assert kinds == [LocalTimeKind.UNIQUE, LocalTimeKind.NONEXISTENT, LocalTimeKind.UNIQUE]


def test_an_aware_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_local_time(datetime(2026, 1, 1, 8, 0, tzinfo=UTC), BERLIN)
