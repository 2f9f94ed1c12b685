"""Debrief metrics computed by hand on small series."""

from __future__ import annotations

import pytest

from norepi_gui.sim.actions import ActionRecord, EscalationDue, ExpectedAction, LimitAlert, PromptRecord
from norepi_gui.sim.debrief import debrief, debrief_from_samples, summarise

# Ten 1-minute samples, each held for one minute (end 10 min).
TIMES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
MAPS = [55, 58, 62, 65, 70, 75, 76, 80, 68, 66]


def test_time_percentages_against_the_band() -> None:
    d = debrief(TIMES, MAPS, target_mmhg=65.0, end_min=10.0)
    # band 65-75: 65, 70, 75, 68, 66 -> 5 of 10 min; below: 55, 58, 62 -> 3; above: 76, 80 -> 2
    assert d.time_in_band_pct == pytest.approx(50.0)
    assert d.time_below_band_pct == pytest.approx(30.0)
    assert d.time_above_band_pct == pytest.approx(20.0)
    # below 60 (= target - 5 here): 55, 58 -> 2 of 10
    assert d.time_below_target_minus_5_pct == pytest.approx(20.0)
    assert d.time_below_floor_pct == pytest.approx(20.0)
    assert d.duration_min == pytest.approx(10.0)


def test_band_bounds_are_parameters() -> None:
    d = debrief(TIMES, MAPS, target_mmhg=65.0, band_low_mmhg=65.0, band_high_mmhg=80.0, end_min=10.0)
    # 65, 70, 75, 76, 80, 68, 66 -> 7 of 10
    assert d.time_in_band_pct == pytest.approx(70.0)
    assert (d.band_low_mmhg, d.band_high_mmhg) == (65.0, 80.0)


def test_uneven_samples_are_weighted_by_how_long_they_hold() -> None:
    # 50 for 1 min, 70 for 3 min -> in band 3/4 = 75 %
    d = debrief_from_samples([(0.0, 50.0), (1.0, 70.0)], target_mmhg=65.0, end_min=4.0)
    assert d.time_in_band_pct == pytest.approx(75.0)


def test_doses_prompts_escalations_alerts_and_key_actions() -> None:
    actions = [
        ActionRecord(15.0, "INCREASE_NE", 0.2),
        ActionRecord(50.0, "ADD_VASOPRESSIN", 0.03),
    ]
    d = debrief(
        [0.0, 30.0],
        [60.0, 66.0],
        target_mmhg=65.0,
        end_min=60.0,
        actions=actions,
        prompts=[PromptRecord(0.0, 1.0), PromptRecord(15.0, 18.0), PromptRecord(30.0, None)],
        escalations_due=[
            EscalationDue(40.0, "ADD_VASOPRESSIN"),
            EscalationDue(45.0, "ADD_VASOPRESSIN"),
            EscalationDue(55.0, "ADD_EPINEPHRINE"),
        ],
        limit_alerts=[LimitAlert(15.0, "MAX_DOSE")],
        ne_doses=[(0.0, 0.1), (15.0, 0.2)],
        weight_kg=70.0,
        expected_actions=[
            ExpectedAction("INCREASE_NE", 20.0),
            ExpectedAction("ADD_VASOPRESSIN", 45.0),
            ExpectedAction("ADD_DOBUTAMINE", 60.0),
        ],
    )
    assert d.time_to_first_titration_min == 15.0
    # 0.1 x 70 x 15 + 0.2 x 70 x 45 = 105 + 630 = 735 mcg = 0.735 mg
    assert d.total_mg == pytest.approx(0.735)
    assert d.max_dose_mcg_per_kg_per_min == 0.2
    assert d.prompts == 3
    assert d.prompts_unanswered == 1
    assert d.prompt_response_min == (1.0, 3.0)
    assert d.mean_prompt_response_min == pytest.approx(2.0)
    assert d.escalations_made == 1
    vaso, epi = d.escalations
    assert (vaso.kind, vaso.due_min, vaso.made_min, vaso.delay_min) == ("ADD_VASOPRESSIN", 40.0, 50.0, 10.0)
    assert (epi.made_min, epi.delay_min) == (None, None)
    assert d.limit_alerts == 1
    assert [k.on_time for k in d.key_actions] == [True, False, False]
    assert d.key_actions[1].done_at_min == 50.0
    assert d.key_actions_on_time == 1


def test_no_titration_gives_none_and_bad_input_is_rejected() -> None:
    d = debrief([0.0, 1.0], [70.0, 70.0], target_mmhg=65.0)
    assert d.time_to_first_titration_min is None
    assert d.duration_min == pytest.approx(2.0)  # last sample holds for the median spacing
    with pytest.raises(ValueError, match="same length"):
        debrief([0.0], [1.0, 2.0], target_mmhg=65.0)
    with pytest.raises(ValueError, match="decrease"):
        debrief([1.0, 0.0], [1.0, 2.0], target_mmhg=65.0)


def test_summary_gives_mean_and_percentiles_across_patients() -> None:
    ds = [debrief([0.0], [m], target_mmhg=65.0, end_min=1.0) for m in (50.0, 70.0, 70.0, 70.0, 70.0)]
    s = summarise(ds)["time_in_band_pct"]
    # values 0, 100, 100, 100, 100: mean 80; p10 = 0 + 0.4 x (100 - 0) = 40 (linear); p50 = 100
    assert s["mean"] == pytest.approx(80.0)
    assert s["p10"] == pytest.approx(40.0)
    assert s["p50"] == pytest.approx(100.0)
    assert summarise(ds)["time_to_first_titration_min"]["n"] == 0


def test_dose_changes_reversals_and_prompts_are_counted_per_hour() -> None:
    actions = [
        ActionRecord(10.0, "INCREASE_NE", 0.15),
        ActionRecord(20.0, "INCREASE_NE", 0.2),
        ActionRecord(30.0, "ADD_VASOPRESSIN", 0.03),  # not a norepinephrine change
        ActionRecord(40.0, "DECREASE_NE", 0.15),  # reversal 1 (up -> down)
        ActionRecord(70.0, "INCREASE_NE", 0.2),  # reversal 2 (down -> up)
        ActionRecord(100.0, "STOP_NE", 0.0),  # reversal 3 (up -> down)
    ]
    prompts = [PromptRecord(float(t), float(t)) for t in range(0, 120, 10)]  # 12 prompts
    d = debrief([0.0, 60.0], [60.0, 70.0], target_mmhg=65.0, end_min=120.0, actions=actions, prompts=prompts)
    # 5 norepinephrine changes and 3 reversals in 2 h: 2.5 and 1.5 per hour; 12 prompts / 2 h = 6 per hour
    assert (d.ne_changes, d.direction_reversals) == (5, 3)
    assert d.ne_changes_per_h == pytest.approx(2.5)
    assert d.reversals_per_h == pytest.approx(1.5)
    assert d.prompts_per_h == pytest.approx(6.0)


def test_time_to_band_is_the_first_sample_in_the_band() -> None:
    # TIMES/MAPS: 55, 58, 62 below, then 65 at minute 3
    assert debrief(TIMES, MAPS, target_mmhg=65.0, end_min=10.0).time_to_band_min == 3.0
    assert debrief([0.0, 1.0], [50.0, 52.0], target_mmhg=65.0).time_to_band_min is None
    assert debrief([0.0, 1.0], [70.0, 52.0], target_mmhg=65.0).time_to_band_min == 0.0
