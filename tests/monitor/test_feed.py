"""The feed's state for the bedside strip, as a function of the samples and the time: off, waiting, live, stale."""

from __future__ import annotations

from datetime import timedelta

from norepi_gui.monitor.feed import FeedKind, feed_state
from norepi_gui.monitor.samples import MonitorSample, SampleSource
from tests.monitor.messages import T0

STALE = 120.0
LAST = MonitorSample(T0, SampleSource.ARTERIAL, 66.4)


def test_off_when_the_monitor_is_not_enabled_whatever_the_samples() -> None:
    state = feed_state([LAST], now=T0, enabled=False, listening_since=None, stale_after_s=STALE)
    assert state.kind is FeedKind.OFF and not state.alarm and state.describe() == "Monitor off"


def test_waiting_until_the_stale_time_passes_without_a_first_value_then_stale() -> None:
    start = T0
    waiting = feed_state([], now=start + timedelta(seconds=120), enabled=True, listening_since=start,
                         stale_after_s=STALE)
    assert waiting.kind is FeedKind.WAITING and not waiting.alarm
    stale = feed_state([], now=start + timedelta(seconds=121), enabled=True, listening_since=start,
                       stale_after_s=STALE)
    assert stale.kind is FeedKind.STALE and stale.alarm
    assert stale.describe() == "Monitor stale: no MAP since listening started 2 min 01 s ago"


def test_live_with_the_last_value_and_its_age_then_stale_after_the_protocol_time() -> None:
    live = feed_state([LAST], now=T0 + timedelta(seconds=120), enabled=True, listening_since=T0,
                      stale_after_s=STALE)
    assert (live.kind, live.age_s, live.last) == (FeedKind.LIVE, 120.0, LAST)
    assert live.describe() == "Monitor live: MAP 66 mmHg (arterial), 2 min 00 s ago"
    stale = feed_state([LAST], now=T0 + timedelta(seconds=120.5), enabled=True, listening_since=T0,
                       stale_after_s=STALE)
    assert stale.kind is FeedKind.STALE and stale.alarm
    assert stale.describe() == "Monitor stale: no MAP for 2 min 00 s (last MAP 66 mmHg (arterial))"


def test_the_latest_sample_decides_and_a_sample_ahead_of_the_clock_is_age_zero() -> None:
    older = MonitorSample(T0 - timedelta(minutes=10), SampleSource.CUFF, 70.0)
    ahead = MonitorSample(T0 + timedelta(seconds=20), SampleSource.ARTERIAL, 64.0)
    state = feed_state([older, ahead], now=T0, enabled=True, listening_since=T0, stale_after_s=STALE)
    assert (state.kind, state.age_s, state.last) == (FeedKind.LIVE, 0.0, ahead)
    assert state.describe() == "Monitor live: MAP 64 mmHg (arterial), 0 s ago"
