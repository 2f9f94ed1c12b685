"""The titration order (seven elements) and the engine's advice kept inside it (rules ORD-*).

Engine defaults (default.toml): band 65-75, step_up 0.05, step_up_large 0.1 when MAP >= 10 below target, far above
target (> 25 above) decreases by 0.05 x whole start doses, soft max 1.0. Patient 70 kg, 16 mcg/mL:
rate = dose x 70 x 60 / 16 = dose x 262.5 mL/h, rounded to 0.1 mL/h.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from norepi_gui.core.dosing import parse_concentration
from norepi_gui.core.errors import InputError
from norepi_gui.core.order import (
    ORD_FREQUENCY,
    ORD_GOAL,
    ORD_MAX,
    ORD_ROUTE,
    ORD_START,
    ORD_STEP,
    OrderContext,
    TitrationOrder,
    check_against_protocol,
    order_defaults,
    within_order,
)
from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.titration import Advice
from tests.core.titration._support import at, protocol, r, run

ORDER = TitrationOrder(route=LineType.CENTRAL, start_dose=0.05, step=0.05, change_every_min=5.0, max_dose=0.5,
                       goal_map_low=65.0, goal_map_high=75.0, floor_map=60.0, prescriber="Dr Lee")


def context(current: float, *, last_change_min: float | None = None, given_before: bool = True,
            line: LineType = LineType.CENTRAL) -> OrderContext:
    return OrderContext(current_dose=current, last_change_at=None if last_change_min is None else at(last_change_min),
                        given_before=given_before, line=line, weight_kg=70.0,
                        concentration=parse_concentration("16 mcg/mL"), resolution_ml_per_h=0.1, soft_max=1.0)


def apply(advice: Advice, ctx: OrderContext, order: TitrationOrder = ORDER, minute: float = 0.0) -> Advice:
    return within_order(advice, order, ctx, at(minute))


def test_an_increase_larger_than_the_orders_step_stops_at_one_step() -> None:
    engine = run([r(0, 55, 0.1)])  # 65 - 55 = 10: the engine's large step 0.1 -> 0.2
    assert engine.dose_mcg_per_kg_per_min == 0.2
    kept = apply(engine, context(0.1))
    assert kept.action == "increase"
    assert kept.dose_mcg_per_kg_per_min == 0.15  # 0.1 + the order's step 0.05
    assert kept.rate_ml_per_h == 39.4  # 0.15 x 262.5 = 39.375 -> 39.4
    assert kept.dose_mcg_per_min == 10.5  # 0.15 x 70
    assert ORD_STEP in kept.rules and "TIT-UP-LARGE" in kept.rules  # what the engine said is kept
    assert kept.rationale.startswith("Within the order: increase 0.10 -> 0.15 mcg/kg/min (39.4 mL/h) (the order's "
                                     "step 0.05 mcg/kg/min). The engine alone: MAP 55 < target 65")


def test_a_decrease_larger_than_the_orders_step_stops_at_one_step() -> None:
    # 95 > 65 + 25 (TIT-DOWN-FAR): 0.05 x 3 whole start doses = 0.15, at most 30 % of 0.3 = 0.09 -> 0.21
    engine = run([r(0, 95, 0.3)])
    assert engine.action == "decrease" and engine.dose_mcg_per_kg_per_min == 0.21
    kept = apply(engine, context(0.3))
    assert kept.dose_mcg_per_kg_per_min == 0.25  # 0.3 - 0.05
    assert kept.rate_ml_per_h == 65.6  # 0.25 x 262.5 = 65.625 -> 65.6
    assert ORD_STEP in kept.rules


def test_an_advice_within_the_order_is_unchanged() -> None:
    engine = run([r(0, 58, 0.1)])  # 0.10 -> 0.15, one step of 0.05
    assert apply(engine, context(0.1, last_change_min=-5)) == engine  # the last change 5 min ago: allowed


def test_the_maximum_caps_an_increase_then_holds_and_says_call_the_prescriber() -> None:
    order = dataclasses.replace(ORDER, max_dose=0.48)
    engine = run([r(0, 58, 0.45)])  # 0.45 x e^0.6 = 0.82, at most + 0.05: 0.5
    assert engine.dose_mcg_per_kg_per_min == 0.5
    capped = apply(engine, context(0.45), order)
    assert capped.action == "increase" and capped.dose_mcg_per_kg_per_min == 0.48
    assert capped.rate_ml_per_h == 126.0  # 0.48 x 262.5 = 126.0
    assert ORD_MAX in capped.rules and "ORDER_MAX_REACHED" not in capped.alert_codes()
    at_max = apply(run([r(0, 58, 0.48)]), context(0.48), order)  # the engine asks for 0.53
    assert at_max.action == "hold" and at_max.dose_mcg_per_kg_per_min == 0.48
    assert at_max.alert_codes()[0] == "ORDER_MAX_REACHED"
    assert at_max.alerts[0].priority.value == "high"
    assert "call the prescriber" in at_max.alerts[0].message
    assert "at the order maximum 0.48 mcg/kg/min" in at_max.rationale


def test_a_running_dose_above_the_maximum_is_brought_back_to_it_with_confirmation() -> None:
    engine = run([r(0, 70, 0.6)])  # in band near its middle: the engine holds 0.6
    kept = apply(engine, context(0.6))
    assert (kept.action, kept.dose_mcg_per_kg_per_min) == ("decrease", 0.5)
    assert kept.needs_confirmation and "ORDER_MAX_EXCEEDED" in kept.alert_codes()
    assert kept.rate_ml_per_h == 131.3  # 0.5 x 262.5 = 131.25 -> 131.3 (half up)


def test_no_change_sooner_than_the_order_allows() -> None:
    order = dataclasses.replace(ORDER, change_every_min=15.0)
    engine = run([r(0, 58, 0.1)])
    held = apply(engine, context(0.1, last_change_min=-4), order)  # changed 4 min ago, every 15 min allowed
    assert held.action == "hold" and held.dose_mcg_per_kg_per_min == 0.1
    assert held.rate_ml_per_h == 26.3  # 0.1 x 262.5 = 26.25 -> 26.3
    assert ORD_FREQUENCY in held.rules
    assert "next change in 11 min" in held.rationale  # 15 - 4
    assert held.next_check_due == engine.next_check_due  # checks keep the engine's interval
    allowed = apply(engine, context(0.1, last_change_min=-15), order)
    assert allowed.action == "increase"


def test_a_first_start_is_at_the_orders_starting_dose_and_a_restart_within_its_maximum() -> None:
    engine = run([r(0, 50, 0.0, sbp_mmhg=75.0, dbp_mmhg=38.0)])  # SBP < 80: start 0.1
    assert engine.action == "start" and engine.dose_mcg_per_kg_per_min == 0.1
    first = apply(engine, context(0.0, given_before=False))
    assert first.dose_mcg_per_kg_per_min == 0.05 and ORD_START in first.rules
    assert first.rate_ml_per_h == 13.1  # 0.05 x 262.5 = 13.125 -> 13.1
    # Stopped after 0.7: the engine restarts at the start dose 0.1 (TIT-RESTART); an order with maximum 0.08 caps it.
    restart = run([r(0, 58, 0.7), r(10, 58, 0.0)], dose=0.0)
    assert restart.dose_mcg_per_kg_per_min == 0.1
    assert apply(restart, context(0.0, given_before=True), minute=10).dose_mcg_per_kg_per_min == 0.1  # max 0.5
    low_max = dataclasses.replace(ORDER, max_dose=0.08)
    kept = apply(restart, context(0.0, given_before=True), low_max, minute=10)
    assert kept.dose_mcg_per_kg_per_min == 0.08 and ORD_MAX in kept.rules


def test_a_route_or_goal_other_than_the_orders_is_flagged() -> None:
    order = dataclasses.replace(ORDER, goal_map_low=70.0, goal_map_high=80.0)
    engine = run([r(0, 70, 0.1)])
    kept = apply(engine, context(0.1, line=LineType.PERIPHERAL), order)
    assert {ORD_ROUTE, ORD_GOAL} <= set(kept.rules)
    assert {"ORDER_ROUTE_DIFFERS", "ORDER_GOAL_DIFFERS"} <= set(kept.alert_codes())
    assert kept.action == engine.action and kept.dose_mcg_per_kg_per_min == engine.dose_mcg_per_kg_per_min


def test_a_flat_order_is_applied_per_kg() -> None:
    flat = dataclasses.replace(ORDER, dose_unit="mcg/min", start_dose=3.5, step=3.5, max_dose=35.0)
    engine = run([r(0, 55, 0.1)])  # the engine's 0.1 -> 0.2
    kept = apply(engine, context(0.1), flat)
    assert kept.dose_mcg_per_kg_per_min == 0.15  # 3.5 mcg/min / 70 kg = 0.05 per kg per step


def test_defaults_come_from_the_protocol_and_name_the_values_to_review() -> None:
    order = order_defaults(protocol(), Population.ADULT, LineType.PERIPHERAL, (65.0, 75.0))
    assert (order.start_dose, order.step, order.change_every_min, order.max_dose) == (0.1, 0.05, 5.0, 1.0)
    assert (order.goal_map_low, order.goal_map_high, order.floor_map) == (65.0, 75.0, 60.0)
    assert order.route is LineType.PERIPHERAL
    assert set(order.review) == {"step", "maximum", "goal", "floor"}
    described = dict(order.describe())
    assert described["Maximum"] == "1 mcg/kg/min; above it, call the prescriber (protocol default [U]: review)"
    assert described["Starting dose"] == "0.1 mcg/kg/min (protocol default)"
    assert list(described)[:7] == ["Drug", "Route", "Starting dose", "Step size", "How often", "Maximum",
                                   "Measurable goal"]


def test_an_order_that_cannot_be_followed_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError, match="starting dose: 0.6 is above the maximum 0.5"):
        dataclasses.replace(ORDER, start_dose=0.6)
    with pytest.raises(InputError, match=r"floor MAP: 66 is above the goal's lower MAP 65"):
        dataclasses.replace(ORDER, floor_map=66.0)
    with pytest.raises(InputError, match="how often"):
        dataclasses.replace(ORDER, change_every_min=0.0)
    with pytest.raises(InputError, match="maximum: 3.5 mcg/kg/min is above the protocol's hard maximum 3"):
        check_against_protocol(dataclasses.replace(ORDER, max_dose=3.5), protocol(), Population.ADULT)


def test_held_advice_is_timed_like_the_engines() -> None:
    order = dataclasses.replace(ORDER, change_every_min=10.0)
    engine = run([r(0, 58, 0.1)])
    held = apply(engine, context(0.1, last_change_min=-2), order)
    assert held.next_check_due - engine.next_check_due == timedelta(0)


def test_every_order_rule_is_in_the_docs_with_a_test_that_exists() -> None:
    import re
    from pathlib import Path

    from norepi_gui.core.order import ORDER_RULES

    root = Path(__file__).resolve().parents[2]
    section = (root / "docs" / "rules.md").read_text(encoding="utf-8").split("## Titration order", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = {cells[0]: cells[-1] for line in section.splitlines() if line.startswith("| ORD-")
            for cells in [[c.strip() for c in line.strip().strip("|").split("|")]]}
    assert set(rows) == set(ORDER_RULES)
    for rule_id, cell in rows.items():
        match = re.fullmatch(r"`(test_\w+\.py)::(test_\w+)`", cell)
        assert match, rule_id
        assert f"def {match.group(2)}(" in (Path(__file__).parent / match.group(1)).read_text(encoding="utf-8")
