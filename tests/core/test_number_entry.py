"""Typed numbers are never misread: thousands separators follow the locale, and every field has an upper bound."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from norepi_gui.core.dosing import parse_bag_volume, parse_concentration, parse_dose, parse_rate, parse_weight
from norepi_gui.core.entry_bounds import (
    BAG_MAX_ML,
    CO_INFUSION_MAXIMA,
    DOSE_MAX_MCG_PER_KG_PER_MIN,
    DOSE_MAX_MCG_PER_MIN,
    DRUG_AMOUNT_MAX_MG,
    RATE_MAX_ML_PER_H,
)
from norepi_gui.core.errors import InputError
from norepi_gui.core.units import NumberFormat, number_format, parse_quantity, set_number_format, split_number

EN = NumberFormat(decimal=".", group=",")  # en_US, en_GB, C
DE = NumberFormat(decimal=",", group=".")  # de_DE, nl_NL, ...
FR = NumberFormat(decimal=",", group="\u202f")  # fr_FR groups with a narrow no-break space
CH = NumberFormat(decimal=".", group="\u2019")  # de_CH groups with a right single quote


@pytest.fixture(autouse=True)
def _restore_format() -> object:
    before = number_format()
    yield None
    set_number_format(before)


# -- thousands separators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "value"),
    [
        (EN, "2,000 mL", 2000.0),
        (EN, "1,000", 1000.0),
        (EN, "12,500.5", 12500.5),
        (EN, "1,000,000", 1_000_000.0),
        (EN, "0.1", 0.1),
        (EN, ".5", 0.5),
        (EN, "5.", 5.0),
        (DE, "0,1", 0.1),
        (DE, "2.000,5", 2000.5),
        (DE, "1.000.000", 1_000_000.0),
        (DE, "0.1", 0.1),  # the program itself shows 0.1: a '.' that cannot be a thousands separator is a decimal
        (DE, "26,3 mL/h", 26.3),
        (FR, "0,25", 0.25),
        (FR, "0.25", 0.25),
        (CH, "2\u2019000.5", 2000.5),
    ],
)
def test_numbers_are_read_the_way_the_locale_writes_them(fmt: NumberFormat, text: str, value: float) -> None:
    parsed, _unit = split_number(text, "field", fmt)
    assert parsed == value


@pytest.mark.parametrize(
    ("fmt", "text", "says"),
    [
        # On an English computer ',' groups thousands: a comma anywhere else is refused, never read as a decimal.
        (EN, "0,1", "',' separates thousands on this computer (2,000 is two thousand); decimals take '.'"),
        (EN, "2,5", "decimals take '.'"),
        (EN, "1,00", "decimals take '.'"),
        (EN, "1.000,5", "decimals take '.'"),
        (EN, "1.2.3", "more than one '.'"),
        # On a German computer '.' groups thousands, but the program writes decimals with '.': '1.000' could be
        # either, so it is refused rather than guessed.
        (DE, "1.000", "'1.000' could be 1000 or 1.0"),
        (DE, "2.500 mL", "could be 2500 or 2.5"),
        (DE, "1,000.5", "',' marks decimals on this computer"),
        (DE, "1,2,3", "more than one ','"),
        (FR, "2 000", "no spaces inside a number"),
        (EN, "2 000 mL", "no spaces inside a number"),
    ],
)
def test_a_separator_that_could_be_misread_is_refused_saying_how_this_computer_writes_numbers(
    fmt: NumberFormat, text: str, says: str
) -> None:
    with pytest.raises(InputError) as info:
        split_number(text, "Bag read", fmt)
    assert info.value.field == "Bag read"
    assert says in str(info.value)


def test_the_process_wide_format_is_the_one_the_window_sets() -> None:
    set_number_format(DE)
    assert parse_quantity("0,5", "dose", "mcg/kg/min").magnitude == 0.5
    set_number_format(EN)
    assert parse_quantity("2,000", "Fluids given", "mL").magnitude == 2000.0
    with pytest.raises(InputError, match="decimals take '.'"):
        parse_quantity("0,5", "dose", "mcg/kg/min")


def test_bag_of_1000_with_a_separator_is_1000_ml_not_1() -> None:
    set_number_format(EN)
    assert parse_bag_volume("1,000") == 1000.0
    assert parse_bag_volume("1,000 mL") == 1000.0
    assert parse_bag_volume("0.5 L") == 500.0


# -- upper bounds ---------------------------------------------------------------------------------------


def test_bounds_are_the_tops_of_the_protocol_schema_and_the_engine() -> None:
    # populations.*.hard_max_dose accepts up to 20 mcg/kg/min, flat_hard_max_mcg_per_min up to 2000 mcg/min,
    # pump.max_rate_ml_per_h up to 9999 mL/h, escalation.hydrocortisone_mg_per_day up to 1000 mg/day
    # (core/protocol.py); the engine takes a bag of up to 10000 mL (core/titration/model.py, bag-volume-left).
    assert (DOSE_MAX_MCG_PER_KG_PER_MIN, DOSE_MAX_MCG_PER_MIN, RATE_MAX_ML_PER_H, BAG_MAX_ML) == (
        20.0,
        2000.0,
        9999.0,
        10000.0,
    )
    assert CO_INFUSION_MAXIMA["hydrocortisone"] == (1000.0, "mg/day")
    # concentrations.max_mcg_per_ml accepts up to 10000 mcg/mL: x 10000 mL = 1e8 mcg = 100000 mg in one bag
    assert DRUG_AMOUNT_MAX_MG == 100_000.0


@pytest.mark.parametrize(
    ("parse", "text", "field", "accepted"),
    [
        (lambda t: parse_dose(t, "dose"), "1e300", "dose", "at most 20 mcg/kg/min"),
        (lambda t: parse_dose(t, "dose", "mcg/min"), "1e300", "dose", "at most 2000 mcg/min"),
        # 150 mg/h = 2500 mcg/min: above 2000 mcg/min once converted
        (lambda t: parse_dose(t, "dose"), "150 mg/h", "dose", "at most 2000 mcg/min"),
        (lambda t: parse_rate(t, "rate"), "1e300", "rate", "at most 9999 mL/h"),
        (lambda t: parse_rate(t, "rate"), "200 mL/min", "rate", "at most 9999 mL/h"),  # 12000 mL/h
        (parse_bag_volume, "1e300", "bag volume", "at most 10000 mL"),
        (parse_bag_volume, "11 L", "bag volume", "at most 10000 mL"),
        (lambda t: parse_concentration(t), "1e300 mg in 1e300 mL", "concentration (drug amount)", "at most 100000 mg"),
        (lambda t: parse_concentration(t), "4 mg in 1e300 mL", "concentration (volume)", "at most 10000 mL"),
        (lambda t: parse_weight(t), "1e300", "weight", "at most 700 kg"),
    ],
)
def test_a_huge_number_is_refused_naming_the_field_and_the_bound(
    parse: object, text: str, field: str, accepted: str
) -> None:
    with pytest.raises(InputError) as info:
        parse(text)  # type: ignore[operator]
    assert info.value.field == field
    assert accepted in info.value.accepted


def test_numbers_at_the_bounds_are_accepted() -> None:
    assert parse_dose("20", "dose").quantity.magnitude == 20.0
    assert parse_dose("2000 mcg/min", "dose").quantity.magnitude == 2000.0
    assert parse_rate("9999", "rate").magnitude == 9999.0
    assert parse_bag_volume("10000") == 10000.0
    assert parse_quantity("1000", "Hydrocortisone dose", "mg/day", maximum=CO_INFUSION_MAXIMA["hydrocortisone"])


def test_hydrocortisone_above_its_bound_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError) as info:
        parse_quantity("1e300", "Hydrocortisone dose", "mg/day", maximum=CO_INFUSION_MAXIMA["hydrocortisone"])
    assert str(info.value) == ("Hydrocortisone dose: 1e+300 mg/day is too large (accepted: at most 1000 mg/day)")


# -- no text gives anything but a value or an InputError ---------------------------------------------------


_ENTRY = st.text(alphabet=st.sampled_from(list("0123456789.,'\u2019 -+eE/mgLkhnuµcd%\u00a0\u202fx\t")), max_size=24)


@settings(max_examples=400, deadline=None)
@given(text=_ENTRY | st.text(max_size=24), fmt=st.sampled_from([EN, DE, FR, CH]))
def test_any_text_is_a_value_or_an_input_error_never_an_exception(text: str, fmt: NumberFormat) -> None:
    set_number_format(fmt)
    for parse in (
        lambda: split_number(text, "field"),
        lambda: parse_dose(text, "dose"),
        lambda: parse_rate(text, "rate"),
        lambda: parse_weight(text),
        lambda: parse_bag_volume(text),
        lambda: parse_concentration(text),
        lambda: parse_quantity(text, "Fluids given", "mL"),
    ):
        with contextlib.suppress(InputError):
            parse()
