from __future__ import annotations

import pytest

from norepi_gui.core.dosing import DoseRate, Salt, parse_concentration, parse_dose, parse_rate, parse_weight
from norepi_gui.core.errors import HardLimitError, InputError
from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
from norepi_gui.core.protocol import LineType, Population, Protocol, load_protocol
from norepi_gui.core.units import DoseBasis, Q


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


def codes(request: InfusionRequest, protocol: Protocol) -> set[str]:
    return {a.code for a in summarise_infusion(request, protocol).alerts}


def req(
    dose: str = "0.1 mcg/kg/min", weight: str | None = "70 kg", conc: str = "16 mcg/mL", **kw: object
) -> InfusionRequest:
    return InfusionRequest(
        concentration=parse_concentration(conc, kw.pop("salt", Salt.BASE)),  # type: ignore[arg-type]
        weight=parse_weight(weight) if weight else None,
        dose=parse_dose(dose),
        **kw,  # type: ignore[arg-type]
    )


def test_rate_rounds_to_pump_resolution_and_reports_delivered_dose(protocol: Protocol) -> None:
    s = summarise_infusion(req(), protocol)
    assert s.rate_ml_per_h == pytest.approx(26.25)  # 0.1 x 70 x 60 / 16
    assert s.pump_rate_ml_per_h == pytest.approx(26.3)
    assert s.delivered_dose_mcg_per_kg_per_min == pytest.approx(0.1001905, rel=1e-6)  # 26.3 x 16 / 60 / 70
    assert s.dose_mcg_per_min == pytest.approx(7.0)  # 0.1 x 70
    assert s.dose_mg_per_h == pytest.approx(0.42)  # 7 x 60 / 1000
    assert s.mg_per_24h == pytest.approx(10.08)  # 7 x 1440 / 1000
    assert s.alerts == ()


def test_rate_entry_gives_the_dose(protocol: Protocol) -> None:
    r = InfusionRequest(parse_concentration("16"), parse_weight("70"), rate=parse_rate("26.25"), basis=DoseBasis.PER_KG)
    assert summarise_infusion(r, protocol).dose_mcg_per_kg_per_min == pytest.approx(0.1)


def test_soft_and_hard_limits(protocol: Protocol) -> None:
    assert "DOSE_ABOVE_SOFT_MAX" not in codes(req("1.0"), protocol)  # soft max 1.0 is allowed
    assert "DOSE_ABOVE_SOFT_MAX" in codes(req("1.01"), protocol)
    s = summarise_infusion(req("3.01"), protocol)
    assert s.refused and "DOSE_ABOVE_HARD_MAX" in {a.code for a in s.alerts}
    assert not summarise_infusion(req("3.0"), protocol).refused


def test_peripheral_line_limit_by_weight_and_flat_cap(protocol: Protocol) -> None:
    # 0.2 mcg/kg/min x 70 kg = 14 mcg/min: below both 0.5 mcg/kg/min and 15 mcg/min [seed 004; Yerke 2024]
    assert "LINE_DOSE_LIMIT" not in codes(req("0.2", line=LineType.PERIPHERAL), protocol)
    # 0.22 x 70 = 15.4 mcg/min > 15
    assert "LINE_DOSE_LIMIT" in codes(req("0.22", line=LineType.PERIPHERAL), protocol)
    assert "LINE_DOSE_LIMIT" in codes(req("0.51", line=LineType.INTRAOSSEOUS), protocol)
    assert "LINE_DOSE_LIMIT" in codes(req("0.5", line=LineType.INTRAOSSEOUS), protocol)  # "below 0.5": 0.5 is over
    assert "LINE_DOSE_LIMIT" not in codes(req("0.495", line=LineType.INTRAOSSEOUS), protocol)
    at_cap = req("15 mcg/min", weight=None, line=LineType.PERIPHERAL)  # the 15 mcg/min cap is "up to" [Yerke 2024]
    assert "LINE_DOSE_LIMIT" not in codes(at_cap, protocol)
    assert "LINE_DOSE_LIMIT" not in codes(req("2.0", line=LineType.CENTRAL), protocol)


def test_large_dose_change_asks_for_confirmation(protocol: Protocol) -> None:
    # current 0.08 mcg/kg/min x 70 = 5.6 mcg/min; 0.8 is 10x: a misplaced decimal
    s = summarise_infusion(req("0.8", current_dose_mcg_per_min=5.6), protocol)
    assert "LARGE_DOSE_CHANGE" in {a.code for a in s.alerts} and s.needs_confirmation
    assert "LARGE_DOSE_CHANGE" not in codes(req("0.16", current_dose_mcg_per_min=5.6), protocol)  # 2x


def test_daily_total_above_label_maximum(protocol: Protocol) -> None:
    # 68 mg/day = 68000 mcg / 1440 min = 47.2 mcg/min; 48 mcg/min -> 69.12 mg/day
    assert "DAILY_TOTAL_ABOVE_LABEL_MAX" in codes(req("48 mcg/min", weight=None), protocol)
    assert "DAILY_TOTAL_ABOVE_LABEL_MAX" not in codes(req("47 mcg/min", weight=None), protocol)  # 67.68 mg


def test_bag_near_empty(protocol: Protocol) -> None:
    # 10 mL at 26.3 mL/h = 22.8 min < 30 min
    assert "BAG_NEAR_EMPTY" in codes(req(bag_volume_left=Q(10, "mL")), protocol)
    # 15 mL at 26.3 mL/h = 34.2 min
    assert "BAG_NEAR_EMPTY" not in codes(req(bag_volume_left=Q(15, "mL")), protocol)


def test_weight_checks(protocol: Protocol) -> None:
    assert "WEIGHT_MAYBE_POUNDS" in codes(req(weight="154 kg"), protocol)
    assert "WEIGHT_MAYBE_POUNDS" not in codes(req(weight="110 kg"), protocol)
    # Children: above 60 kg (populations.pediatric.maybe_pounds_above_kg) and plausible in lb: 66 "kg" = 29.9 kg.
    kid = InfusionRequest(parse_concentration("16"), parse_weight("66 kg"), Population.PEDIATRIC, parse_dose("0.1"))
    assert "WEIGHT_MAYBE_POUNDS" in codes(kid, protocol)
    assert "29.9 kg" in next(a.message for a in summarise_infusion(kid, protocol).alerts)
    small = InfusionRequest(parse_concentration("16"), parse_weight("60 kg"), Population.PEDIATRIC, parse_dose("0.1"))
    assert "WEIGHT_MAYBE_POUNDS" not in codes(small, protocol)
    with pytest.raises(InputError, match=r"^weight:.*WEIGHT_IMPLAUSIBLE"):
        summarise_infusion(req(weight="400 kg"), protocol)
    with pytest.raises(InputError, match="^weight:"):
        summarise_infusion(req(weight="10 kg"), protocol)  # below 30 kg adult range
    child = InfusionRequest(parse_concentration("16"), parse_weight("10 kg"), Population.PEDIATRIC, parse_dose("0.1"))
    assert summarise_infusion(child, protocol).rate_ml_per_h == pytest.approx(3.75)  # 0.1 x 10 x 60 / 16


def test_salt_and_nonstandard_concentration_are_flagged(protocol: Protocol) -> None:
    found = codes(req(conc="4 mg/250 mL", salt=Salt.BITARTRATE), protocol)
    assert {"SALT_CONVERTED_TO_BASE", "NONSTANDARD_CONCENTRATION"} <= found
    assert "NONSTANDARD_CONCENTRATION" not in codes(req(conc="32"), protocol)


def test_drops_per_minute_use_the_pump_rate(protocol: Protocol) -> None:
    s = summarise_infusion(req("8 mcg/min", weight=None, conc="4", drop_factor_gtt_per_ml=15), protocol)
    assert s.drops_per_min == pytest.approx(30.0)  # 120 mL/h = 2 mL/min x 15 gtt/mL


def _bag_priority(volume_ml: float, protocol: Protocol, next_check_min: float | None) -> str | None:
    summary = summarise_infusion(req(bag_volume_left=Q(volume_ml, "mL"), next_check_min=next_check_min), protocol)
    found = [a for a in summary.alerts if a.code in ("BAG_NEAR_EMPTY", "BAG_EMPTY")]
    return found[0].priority.value if found else None


def test_bag_near_empty_is_high_when_it_runs_out_before_the_next_check(protocol: Protocol) -> None:
    # 0.1 mcg/kg/min x 70 kg x 60 / 16 mcg/mL = 26.25 -> 26.3 mL/h on the pump.
    # 5 mL: 5 / 26.3 x 60 = 11.4 min, before a check in 15 min: high (as the engine's SAFE-BAG-BEFORE-CHECK);
    # the "Bag empty in 11 min" was medium here and high in the advice.
    assert _bag_priority(5.0, protocol, 15.0) == "high"
    # the same bag with the check in 10 min: 11.4 min is after it but under 30 min: medium (SAFE-BAG-LOW)
    assert _bag_priority(5.0, protocol, 10.0) == "medium"
    # the next check unknown: medium, as before
    assert _bag_priority(5.0, protocol, None) == "medium"
    # nothing left: the bag is empty, high
    assert _bag_priority(0.0, protocol, None) == "high"


def test_dose_above_the_usual_maximum_needs_confirmation_even_with_nothing_running(protocol: Protocol) -> None:
    # 0.8 typed for 0.08 at 55 kg, nothing running: above the usual maximum 0.5 [seed 000].
    s = summarise_infusion(req("0.8", weight="55 kg"), protocol)
    assert "DOSE_ABOVE_USUAL_MAX" in {a.code for a in s.alerts} and s.needs_confirmation
    assert "nothing runs yet" in next(a.message for a in s.alerts if a.code == "DOSE_ABOVE_USUAL_MAX")
    assert "DOSE_ABOVE_USUAL_MAX" not in codes(req("0.5", weight="55 kg"), protocol)  # the maximum itself
    # Crossing it from below asks (0.4 x 55 = 22 mcg/min running); titrating above it, once confirmed, does not.
    assert "DOSE_ABOVE_USUAL_MAX" in codes(req("0.55", weight="55 kg", current_dose_mcg_per_min=22.0), protocol)
    assert "DOSE_ABOVE_USUAL_MAX" not in codes(req("0.65", weight="55 kg", current_dose_mcg_per_min=33.0), protocol)
    above_soft = codes(req("1.2", weight="55 kg"), protocol)  # above the soft maximum: that alert, not both
    assert "DOSE_ABOVE_SOFT_MAX" in above_soft and "DOSE_ABOVE_USUAL_MAX" not in above_soft


def test_dose_implausibly_low_for_the_weight_is_flagged(protocol: Protocol) -> None:
    # 0.1 mcg/min at 70 kg = 0.00143 mcg/kg/min < 0.005: a per-kg dose typed in the flat unit.
    s = summarise_infusion(req("0.1 mcg/min"), protocol)
    low = next(a for a in s.alerts if a.code == "DOSE_IMPLAUSIBLY_LOW")
    assert s.needs_confirmation and "Was 0.1 mcg/kg/min meant?" in low.message
    assert "DOSE_IMPLAUSIBLY_LOW" not in codes(req("0.35 mcg/min"), protocol)  # 0.35 / 70 = 0.005
    assert "DOSE_IMPLAUSIBLY_LOW" in codes(req("0.34 mcg/min"), protocol)  # 0.00486
    assert "DOSE_IMPLAUSIBLY_LOW" not in codes(req("0.1 mcg/min", weight=None), protocol)  # per kg unknown


def test_pump_rate_rounding_to_zero_or_far_off_is_flagged_with_the_delivered_dose(protocol: Protocol) -> None:
    # 0.01 mcg/kg/min x 2 kg x 60 / 64 mcg/mL = 0.01875 mL/h -> 0 mL/h at 0.1 mL/h steps.
    child = InfusionRequest(parse_concentration("64"), parse_weight("2 kg"), Population.PEDIATRIC, parse_dose("0.01"))
    s = summarise_infusion(child, protocol)
    zero = next(a for a in s.alerts if a.code == "PUMP_RATE_ROUNDING")
    assert s.pump_rate_ml_per_h == 0.0 and "rounds to 0 mL/h" in zero.message and "more dilute" in zero.message
    assert "delivers 0 mcg/min for the 0.02 mcg/min ordered" in zero.message and s.needs_confirmation
    # 0.03 x 3 x 60 / 16 = 0.3375 -> 0.3 mL/h: 11.1 % off (> 10 %); delivered 0.3 x 16 / 60 = 0.08 mcg/min.
    off = InfusionRequest(parse_concentration("16"), parse_weight("3 kg"), Population.PEDIATRIC, parse_dose("0.03"))
    message = next(a.message for a in summarise_infusion(off, protocol).alerts if a.code == "PUMP_RATE_ROUNDING")
    assert "11 % off" in message and "delivers 0.08 mcg/min for the 0.09 mcg/min ordered" in message
    # 0.05 x 3 x 60 / 16 = 0.5625 -> 0.6 mL/h: 6.7 % off: within 10 %.
    near = InfusionRequest(parse_concentration("16"), parse_weight("3 kg"), Population.PEDIATRIC, parse_dose("0.05"))
    assert "PUMP_RATE_ROUNDING" not in codes(near, protocol)


def test_drop_factor_outside_the_protocols_list_is_refused(protocol: Protocol) -> None:
    for bad in (13.0, 0.0, float("nan")):
        with pytest.raises(InputError) as err:
            summarise_infusion(req("8 mcg/min", weight=None, conc="4", drop_factor_gtt_per_ml=bad), protocol)
        assert err.value.field == "drop factor" and "10, 15, 20, 60 gtt/mL" in err.value.accepted


def test_a_dose_too_large_to_compute_is_refused_as_above_the_hard_limit(protocol: Protocol) -> None:
    with pytest.raises(HardLimitError):  # typed: above the hard limit any protocol may set (20 mcg/kg/min)
        parse_dose("1e25")
    too_large = InfusionRequest(parse_concentration("16"), parse_weight("70 kg"), dose=DoseRate.per_kg(1e307))
    with pytest.raises(HardLimitError):
        summarise_infusion(too_large, protocol)  # x 70 kg overflows
    huge = InfusionRequest(parse_concentration("16"), parse_weight("70 kg"), dose=DoseRate.per_kg(1e25))
    assert summarise_infusion(huge, protocol).refused  # huge but computable: refused by the hard limit
