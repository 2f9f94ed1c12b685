from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from norepi_gui.core.dosing import (
    DoseRate,
    Salt,
    amount_per_day,
    bag_time_left,
    concentration_from_amount,
    dose_for_rate,
    drops_per_min,
    parse_concentration,
    parse_dose,
    parse_rate,
    parse_weight,
    rate_for_dose,
    round_to_resolution,
)
from norepi_gui.core.errors import InputError
from norepi_gui.core.units import DoseBasis, Q


def test_weight_based_dose_to_rate_matches_hand_arithmetic() -> None:
    # 0.1 mcg/kg/min x 70 kg x 60 min/h / 16 mcg/mL = 26.25 mL/h (clinical reference, worked example)
    rate = rate_for_dose(parse_dose("0.1 mcg/kg/min"), parse_concentration("16 mcg/mL"), parse_weight("70 kg"))
    assert rate.to("mL/h").magnitude == pytest.approx(26.25)


def test_flat_dose_to_rate_matches_label_example() -> None:
    # 8 mcg/min x 60 / 4 mcg/mL = 120 mL/h = 2 mL/min [seed 002]
    rate = rate_for_dose(parse_dose("8 mcg/min"), parse_concentration("4 mcg/mL"), None)
    assert rate.to("mL/h").magnitude == pytest.approx(120.0)
    assert rate.to("mL/min").magnitude == pytest.approx(2.0)


@pytest.mark.parametrize("text", ["4 mg/250 mL", "4 mg in 250 mL", "4mg / 250mL", "16 mcg/mL", "16", "0.016 mg/mL"])
def test_concentration_spellings_give_16_mcg_per_ml(text: str) -> None:
    # 4 mg = 4000 mcg; 4000 / 250 = 16 mcg/mL
    assert parse_concentration(text).mcg_per_ml == pytest.approx(16.0)


def test_bitartrate_concentration_is_converted_to_base() -> None:
    # 4 mg bitartrate monohydrate x 169.18 / 337.28 = 2.00641 mg base; / 250 mL = 8.02562 mcg/mL base
    conc = parse_concentration("4 mg/250 mL", Salt.BITARTRATE)
    assert conc.mcg_per_ml == pytest.approx(8.02562, rel=1e-5)
    assert conc.converted_from_salt


def test_label_preparation_is_4_mcg_per_ml() -> None:
    # 4 mg in 1000 mL D5W = 4 mcg/mL [seed 002]
    assert concentration_from_amount(Q(4, "mg"), Q(1000, "mL")).mcg_per_ml == pytest.approx(4.0)


def test_rate_to_weight_based_dose() -> None:
    # 26.3 mL/h x 16 mcg/mL / 60 / 70 kg = 0.100190 mcg/kg/min
    dose = dose_for_rate(Q(26.3, "mL/h"), parse_concentration("16"), parse_weight("70 kg"), DoseBasis.PER_KG)
    assert dose.mcg_per_kg_per_min(parse_weight("70 kg")) == pytest.approx(0.1001905, rel=1e-6)


def test_rate_rounds_half_up_to_pump_resolution() -> None:
    assert round_to_resolution(Q(26.25, "mL/h"), 0.1).magnitude == pytest.approx(26.3)
    assert round_to_resolution(Q(26.24, "mL/h"), 0.1).magnitude == pytest.approx(26.2)
    assert round_to_resolution(Q(26.25, "mL/h"), 0.5).magnitude == pytest.approx(26.5)


def test_weight_in_pounds_is_converted() -> None:
    # 154 lb x 0.45359237 = 69.85 kg
    assert parse_weight("154 lb").magnitude == pytest.approx(69.85, abs=0.005)


def test_drops_per_minute_for_drip_chamber() -> None:
    # 120 mL/h = 2 mL/min; x 20 gtt/mL = 40 gtt/min
    assert drops_per_min(Q(120, "mL/h"), 20).magnitude == pytest.approx(40.0)


def test_bag_time_left_and_daily_total() -> None:
    # 250 mL / 26.3 mL/h = 9.5057 h
    assert bag_time_left(Q(250, "mL"), Q(26.3, "mL/h")).magnitude == pytest.approx(9.50570, rel=1e-5)  # type: ignore[union-attr]
    assert bag_time_left(Q(250, "mL"), Q(0, "mL/h")) is None
    # 7 mcg/min x 1440 min = 10,080 mcg = 10.08 mg per 24 h
    assert amount_per_day(7.0).magnitude == pytest.approx(10.08)


def test_flat_dose_without_weight_has_no_per_kg_value() -> None:
    assert DoseRate.flat(7.0).mcg_per_kg_per_min(None) is None
    with pytest.raises(InputError, match="^weight:"):
        DoseRate.per_kg(0.1).mcg_per_min(None)


@pytest.mark.parametrize(
    ("text", "field"),
    [("-0.1 mcg/kg/min", "dose"), ("0.1 /min", "dose"), ("0.1 mL/h", "dose"), ("0.03 U/min", "dose")],
)
def test_bad_doses_are_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(InputError, match=f"^{field}:"):
        parse_dose(text)


@pytest.mark.parametrize("text", ["0 mL", "4 mg/0 mL", "-16 mcg/mL", "16 mg", "16 mL/h", "nan"])
def test_bad_concentrations_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="^concentration"):
        parse_concentration(text)


@pytest.mark.parametrize("text", ["0 kg", "-70", "70 mL", "inf kg"])
def test_bad_weights_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="^weight:"):
        parse_weight(text)


def test_rate_field_refuses_non_rates() -> None:
    with pytest.raises(InputError, match="^rate:"):
        parse_rate("26 mcg/min")


doses = st.floats(min_value=0.01, max_value=3.0)
weights = st.floats(min_value=1.0, max_value=250.0)
concs = st.sampled_from([4.0, 16.0, 32.0, 64.0])


@given(dose=doses, weight=weights, conc=concs)
def test_dose_rate_dose_round_trip_is_within_the_rounding_bound(dose: float, weight: float, conc: float) -> None:
    c, w = parse_concentration(f"{conc} mcg/mL"), Q(weight, "kg")
    pump = round_to_resolution(rate_for_dose(DoseRate.per_kg(dose), c, w), 0.1)
    back = dose_for_rate(pump, c, w, DoseBasis.PER_KG).mcg_per_kg_per_min(w)
    assert back is not None
    # half a pump step (0.05 mL/h) in dose terms: 0.05 x conc / 60 / weight
    assert abs(back - dose) <= 0.05 * conc / 60 / weight + 1e-12


@given(dose=doses, weight=weights, conc=concs, k=st.floats(min_value=0.1, max_value=10))
def test_rate_scales_with_dose_and_weight_and_inversely_with_concentration(
    dose: float, weight: float, conc: float, k: float
) -> None:
    def rate(d: float, w: float, c: float) -> float:
        return float(rate_for_dose(DoseRate.per_kg(d), parse_concentration(f"{c}"), Q(w, "kg")).magnitude)

    base = rate(dose, weight, conc)
    assert rate(dose * k, weight, conc) == pytest.approx(base * k)
    assert rate(dose, weight * k, conc) == pytest.approx(base * k)
    assert rate(dose, weight, conc * k) == pytest.approx(base / k)


@given(dose=doses, weight=weights, conc=concs, per_kg=st.booleans(), in_lb=st.booleans())
def test_rate_for_dose_equals_the_step_by_step_pint_composition_bit_for_bit(
    dose: float, weight: float, conc: float, per_kg: bool, in_lb: bool
) -> None:
    # Issue #5 let the whole-patient dose stay a quantity on its way to the rate; the rate must not move by one bit
    # from the composition before: mcg/min as a float, back into a quantity, over the concentration, in mL/h.
    c = parse_concentration(f"{conc} mcg/mL")
    w = Q(weight, "lb" if in_lb else "kg")
    d = DoseRate.per_kg(dose) if per_kg else DoseRate.flat(dose * 70.0)
    before = (Q(d.mcg_per_min(w), "mcg/min") / c.base).to("mL/h").magnitude
    assert rate_for_dose(d, c, w).magnitude == before
