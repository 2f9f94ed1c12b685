"""The bag's volume left counts down with the pump rate from the time the volume was recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from norepi_gui.core.bag import volume_left_ml

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_one_rate_counts_down_from_the_recorded_volume() -> None:
    # 250 mL recorded at 08:00, pump at 26.3 mL/h since 08:00: after 2 h, 250 - 2 x 26.3 = 197.4 mL
    assert abs(volume_left_ml(250.0, at(0), [(at(0), 26.3)], at(120)) - 197.4) < 1e-9


def test_rate_changes_count_piece_by_piece_and_only_after_the_recording() -> None:
    rates = [(at(-60), 10.0), (at(30), 20.0), (at(90), 0.0), (at(100), 40.0)]
    # recorded at 08:00 (the 10 mL/h that ran before does not count): 30 min x 10 + 60 min x 20 + 10 min x 0
    # + 20 min x 40 = 5 + 20 + 0 + 13.333 = 38.333 mL delivered by 10:00 -> 300 - 38.333 = 261.667 mL
    assert abs(volume_left_ml(300.0, at(0), rates, at(120)) - (300.0 - 5.0 - 20.0 - 40.0 / 3.0)) < 1e-9


def test_never_below_empty_and_nothing_before_the_first_rate() -> None:
    assert volume_left_ml(50.0, at(0), [(at(0), 100.0)], at(60)) == 0.0  # 100 mL/h for 1 h from 50 mL
    assert volume_left_ml(50.0, at(0), [], at(60)) == 50.0  # no rate recorded: nothing delivered
    assert volume_left_ml(50.0, at(0), [(at(30), 60.0)], at(30)) == 50.0  # the pump started just now
