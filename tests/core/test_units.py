from __future__ import annotations

import pytest

from norepi_gui.core.errors import InputError
from norepi_gui.core.units import DoseBasis, Q, dose_basis_of, parse_quantity, parse_unit, registry


@pytest.mark.parametrize("text", ["mcg", "µg", "ug"])
def test_microgram_spellings_are_one_microgram(text: str) -> None:
    assert Q(1, text).to("mg").magnitude == pytest.approx(0.001)


def test_pounds_convert_to_kilograms() -> None:
    # 154 lb x 0.45359237 kg/lb = 69.853 kg
    assert parse_quantity("154 lb", "weight", "kg").to("kg").magnitude == pytest.approx(69.85322498)


def test_vasopressin_unit_has_its_own_dimension_never_mass() -> None:
    dose = Q(0.03, "U/min")
    assert not dose.is_compatible_with("mg/min")
    assert not Q(1, "units").is_compatible_with("mg")
    assert Q(1, "IU").to("U").magnitude == 1


def test_units_per_min_is_vasopressin_not_micro_nits() -> None:
    assert str(parse_unit("units/min", "vasopressin").dimensionality) == "[vasopressin_activity] / [time]"


def test_drops_need_a_drop_factor_to_become_volume() -> None:
    assert not Q(1, "gtt").is_compatible_with("mL")
    # 26.3 mL/h x 60 gtt/mL / 60 min/h = 26.3 gtt/min
    assert (Q(26.3, "mL/h") * Q(60, "gtt/mL")).to("gtt/min").magnitude == pytest.approx(26.3)


def test_weight_based_and_flat_bases_are_read_from_the_unit_as_written() -> None:
    assert dose_basis_of(parse_unit("mcg/kg/min", "dose"), "dose") is DoseBasis.PER_KG
    assert dose_basis_of(parse_unit("µg/kg/min", "dose"), "dose") is DoseBasis.PER_KG
    assert dose_basis_of(parse_unit("mcg/min", "dose"), "dose") is DoseBasis.FLAT
    assert dose_basis_of(parse_unit("mg/h", "dose"), "dose") is DoseBasis.FLAT


@pytest.mark.parametrize("unit", ["1/min", "mL/h", "mcg", "mcg/kg", "U/min", "mcg*kg/min"])
def test_units_that_are_not_a_drug_dose_rate_are_refused(unit: str) -> None:
    with pytest.raises(InputError, match="dose"):
        dose_basis_of(parse_unit(unit, "dose"), "dose")


def test_bare_number_takes_the_field_unit() -> None:
    # A decimal comma is read where the locale writes one: tests/core/test_number_entry.py.
    q = parse_quantity("0.1", "dose", "mcg/kg/min")
    assert q.magnitude == pytest.approx(0.1)
    assert q.to("mcg/kg/min").magnitude == pytest.approx(0.1)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN mg", "abc", "", "1e999"])
def test_non_finite_or_missing_numbers_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InputError, match="^weight:"):
        parse_quantity(text, "weight", "kg")


def test_unknown_unit_is_refused_with_accepted_units() -> None:
    with pytest.raises(InputError, match="accepted: mcg"):
        parse_quantity("5 furlongs", "weight", "kg")


def test_registry_is_built_once() -> None:
    assert registry() is registry()
