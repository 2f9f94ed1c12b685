"""The bag's volume left counts down with the pump rate from the time the volume was recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from norepi_gui.core.bag import bag_alert, volume_left_ml

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


def test_the_bag_rule_gives_the_engines_priority_for_every_bag() -> None:
    """One priority per condition: the panel's and the banner's bag alarm (core.bag.bag_alert) and the engine's
    BAG_NEAR_EMPTY (SAFE-BAG-BEFORE-CHECK high, SAFE-BAG-LOW medium) agree for the same minutes left and check."""
    from norepi_gui.core.protocol import load_protocol
    from norepi_gui.core.titration.safety import infusion_signs

    protocol = load_protocol()
    rate = 30.0  # mL/h
    for next_check in (5.0, 10.0, 15.0):
        for left_ml in (0.5, 2.0, 2.5, 4.0, 5.0, 6.0, 7.5, 8.0, 12.0, 14.9, 15.0, 15.1, 40.0):  # 7.5 mL = 15 min
            minutes = left_ml / rate * 60.0  # e.g. 6 mL at 30 mL/h = 12 min
            engine = [a for a in infusion_signs(rate_ml_per_h=rate, exact_rate_ml_per_h=rate, bag_left_ml=left_ml,
                                                next_check_min=next_check, mg_last_24h=0.0, mcg_per_min=8.0,
                                                protocol=protocol).alerts if a.code == "BAG_NEAR_EMPTY"]
            ours = bag_alert(minutes, next_check, protocol)
            shown = ours if ours is not None and ours.code != "BAG_CHANGE_DUE" else None
            assert (engine[0].priority if engine else None) == (shown.priority if shown else None), (left_ml,
                                                                                                      next_check)


def test_bag_alert_priorities_by_hand() -> None:
    from norepi_gui.core.protocol import load_protocol

    protocol = load_protocol()  # near_empty_minutes 30, change_reminder_minutes 60
    assert bag_alert(0.0, 15.0, protocol) == bag_alert(0.0, None, protocol)
    empty = bag_alert(0.0, None, protocol)
    assert empty is not None and (empty.code, empty.priority.value) == ("BAG_EMPTY", "high")
    before_check = bag_alert(11.0, 15.0, protocol)  # 11 min < next check 15 min
    assert before_check is not None and (before_check.code, before_check.priority.value) == ("BAG_NEAR_EMPTY", "high")
    low = bag_alert(20.0, 15.0, protocol)  # 20 min: after the check, under 30 min
    assert low is not None and (low.code, low.priority.value) == ("BAG_NEAR_EMPTY", "medium")
    remind = bag_alert(45.0, 15.0, protocol)  # 45 min: under the 60 min reminder
    assert remind is not None and (remind.code, remind.priority.value) == ("BAG_CHANGE_DUE", "low")
    assert bag_alert(61.0, 15.0, protocol) is None
