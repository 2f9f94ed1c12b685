"""SteadyClock: the wall clock, except that a step back never makes time run backwards; steps are reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from norepi_gui.core.clock import SteadyClock
from tests.clock_doubles import Monotonic, Wall

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def test_it_follows_the_wall_while_the_wall_runs_forward() -> None:
    wall, mono = Wall(T0), Monotonic(1000.0)
    clock = SteadyClock(wall, mono)
    wall.time, mono.seconds = T0 + timedelta(minutes=5), mono.seconds + 300
    assert clock.now() == T0 + timedelta(minutes=5) and clock.steps == []


def test_a_step_back_keeps_time_running_forward_and_is_reported_once() -> None:
    wall, mono = Wall(T0), Monotonic(1000.0)
    clock = SteadyClock(wall, mono)
    # 10:00 -> one minute later the wall says 09:01 (stepped back 60 min); monotonically 60 s passed: 10:01
    wall.time, mono.seconds = T0 - timedelta(minutes=59), mono.seconds + 60
    assert clock.now() == T0 + timedelta(minutes=1)
    assert [(s.back, s.seen_at) for s in clock.steps] == [(timedelta(minutes=60), T0 + timedelta(minutes=1))]
    # 30 s later, wall 09:01:30: still 60 min behind; the same step, not a new one; time goes on: 10:01:30
    wall.time, mono.seconds = wall.time + timedelta(seconds=30), mono.seconds + 30
    assert clock.now() == T0 + timedelta(minutes=1, seconds=30) and len(clock.steps) == 1
    assert clock.behind == timedelta(minutes=60)
    # the wall is set right again (10:02): followed at once, nothing behind
    wall.time, mono.seconds = T0 + timedelta(minutes=2), mono.seconds + 30
    assert clock.now() == T0 + timedelta(minutes=2) and clock.behind == timedelta(0)


def test_a_forward_jump_after_a_suspend_is_followed_and_is_not_a_step() -> None:
    wall, mono = Wall(T0), Monotonic(1000.0)
    clock = SteadyClock(wall, mono)
    wall.time = T0 + timedelta(hours=3)  # the laptop slept 3 h: the monotonic clock stood still
    assert clock.now() == T0 + timedelta(hours=3) and clock.steps == []


def test_slew_within_the_tolerance_is_not_a_step() -> None:
    wall, mono = Wall(T0), Monotonic(1000.0)
    clock = SteadyClock(wall, mono, tolerance=timedelta(seconds=2))
    wall.time, mono.seconds = T0 + timedelta(seconds=9), mono.seconds + 10  # 1 s slow: NTP slew
    assert clock.now() == T0 + timedelta(seconds=9) and clock.steps == []
