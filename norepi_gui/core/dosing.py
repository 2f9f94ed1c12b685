"""Norepinephrine dose arithmetic in pint units: concentration, dose <-> pump rate, drops, bag and daily totals.

All doses are norepinephrine *base* (SCCM/ESICM 2024: report doses as base). A concentration entered as the
bitartrate salt is converted with the molecular weights below and remembers that it was converted.

Worked checks (clinical reference, seed 002): 0.1 mcg/kg/min x 70 kg x 60 / 16 mcg/mL = 26.25 mL/h;
8 mcg/min x 60 / 4 mcg/mL = 120 mL/h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache

from norepi_gui.core.entry_bounds import (
    BAG_MAX_ML,
    DOSE_MAX_MCG_PER_KG_PER_MIN,
    DOSE_MAX_MCG_PER_MIN,
    DRUG_AMOUNT_MAX_MG,
    RATE_MAX_ML_PER_H,
    WEIGHT_MAX_KG,
)
from norepi_gui.core.errors import HardLimitError, InputError
from norepi_gui.core.units import (
    MASS,
    VOLUME,
    DoseBasis,
    Q,
    Quantity,
    check_at_most,
    dose_basis_of,
    magnitude_in,
    parse_quantity,
    parse_unit,
    split_number,
    to_unit,
    unit,
)

# Molecular weights [clinical-reference: USP for the salt (V), base (S)].
NOREPINEPHRINE_BASE_MW = 169.18
NOREPINEPHRINE_BITARTRATE_MONOHYDRATE_MW = 337.28
BASE_PER_SALT = NOREPINEPHRINE_BASE_MW / NOREPINEPHRINE_BITARTRATE_MONOHYDRATE_MW


class Salt(StrEnum):
    """What the vial's strength states."""

    BASE = "base"
    BITARTRATE = "bitartrate"

    @classmethod
    def parse(cls, text: str, field: str = "salt") -> Salt:
        key = text.strip().lower()
        if key in ("tartrate", "bitartrate monohydrate"):
            key = "bitartrate"
        try:
            return cls(key)
        except ValueError as exc:
            raise InputError(field, f"unknown salt form {text!r}", "base, bitartrate") from exc


@dataclass(frozen=True)
class Concentration:
    """Norepinephrine base per volume of infusion, and how it was entered."""

    base: Quantity  # mass / volume of norepinephrine base
    salt: Salt
    amount: Quantity | None = None  # as written on the vial (salt or base), when entered as amount + volume
    volume: Quantity | None = None

    @property
    def mcg_per_ml(self) -> float:
        return float(self.base.to(unit("mcg/mL")).magnitude)

    @property
    def converted_from_salt(self) -> bool:
        return self.salt is Salt.BITARTRATE

    def describe(self) -> str:
        text = f"{self.mcg_per_ml:g} mcg/mL base"
        if self.amount is not None and self.volume is not None:
            text = (
                f"{magnitude_in(self.amount, 'mg'):g} mg {self.salt.value} in "
                f"{magnitude_in(self.volume, 'mL'):g} mL = {text}"
            )
        return text


_AMOUNT_IN_VOLUME = re.compile(r"^(?P<amount>.+?)\s*(?:/|\bin\b)\s*(?P<volume>\d.*)$")


def _require(q: Quantity, dim: str, field: str, accepted: str) -> None:
    if q.dimensionality != q._REGISTRY.get_dimensionality(dim):
        raise InputError(field, f"{q.units:~P} is not a {accepted.split(',')[0]} unit", accepted)


def _positive(value: float, field: str, accepted: str) -> None:
    if value <= 0:
        raise InputError(field, f"{value:g} must be greater than zero", accepted)


def concentration_from_amount(
    amount: Quantity, volume: Quantity, salt: Salt = Salt.BASE, field: str = "concentration"
) -> Concentration:
    """``4 mg`` in ``250 mL`` -> 16 mcg/mL base (bitartrate is converted to base)."""
    _require(amount, MASS, f"{field} (drug amount)", "mg, mcg, g")
    _require(volume, VOLUME, f"{field} (volume)", "mL, L")
    _positive(float(amount.magnitude), f"{field} (drug amount)", "a drug amount above 0 mg")
    _positive(float(volume.magnitude), f"{field} (volume)", "a volume above 0 mL")
    check_at_most(amount, (DRUG_AMOUNT_MAX_MG, "mg"), f"{field} (drug amount)")
    check_at_most(volume, (BAG_MAX_ML, "mL"), f"{field} (volume)")
    per_volume = (amount / volume).to(unit("mcg/mL"))
    base = per_volume * BASE_PER_SALT if salt is Salt.BITARTRATE else per_volume
    return Concentration(base=base, salt=salt, amount=amount.to(unit("mg")), volume=volume.to(unit("mL")))


def parse_concentration(text: str, salt: Salt = Salt.BASE, field: str = "concentration") -> Concentration:
    """Read ``"4 mg/250 mL"``, ``"4 mg in 250 mL"``, ``"16 mcg/mL"`` or a bare ``"16"`` (mcg/mL)."""
    accepted = "e.g. 16 mcg/mL, 4 mg/250 mL, 4 mg in 250 mL"
    match = _AMOUNT_IN_VOLUME.match(text.strip())
    if match and re.search(r"[a-zA-Zµ]", match.group("amount")) and re.search(r"\d", match.group("volume")):
        amount = parse_quantity(match.group("amount"), f"{field} (drug amount)", "mg")
        volume = parse_quantity(match.group("volume"), f"{field} (volume)", "mL")
        return concentration_from_amount(amount, volume, salt, field)
    value, unit_text = split_number(text, field)
    parsed = parse_unit(unit_text or "mcg/mL", field)
    q = Q(value, parsed)
    if q.dimensionality != Q(1, "mcg/mL").dimensionality:
        raise InputError(field, f"{text!r} is not a drug mass per volume", accepted)
    _positive(value, field, accepted)
    per_volume = q.to(unit("mcg/mL"))
    base = per_volume * BASE_PER_SALT if salt is Salt.BITARTRATE else per_volume
    return Concentration(base=base, salt=salt)


@dataclass(frozen=True)
class DoseRate:
    """A norepinephrine base dose rate with its basis kept explicit (per kg, or flat for the whole patient)."""

    quantity: Quantity
    basis: DoseBasis

    @classmethod
    def per_kg(cls, mcg_per_kg_per_min: float) -> DoseRate:
        return cls(Q(mcg_per_kg_per_min, "mcg/kg/min"), DoseBasis.PER_KG)

    @classmethod
    def flat(cls, mcg_per_min: float) -> DoseRate:
        return cls(Q(mcg_per_min, "mcg/min"), DoseBasis.FLAT)

    def whole_patient(self, weight: Quantity | None) -> Quantity:
        """The whole-patient dose rate as a quantity in mcg/min; a per-kg dose needs the weight."""
        if self.basis is DoseBasis.FLAT:
            return to_unit(self.quantity, "mcg/min")
        if weight is None:
            raise InputError("weight", "a weight-based dose needs the patient's weight", "a weight in kg or lb")
        return to_unit(self.quantity * weight, "mcg/min")

    def mcg_per_min(self, weight: Quantity | None) -> float:
        """The whole-patient dose rate; a per-kg dose needs the weight."""
        return float(self.whole_patient(weight).magnitude)

    def mcg_per_kg_per_min(self, weight: Quantity | None) -> float | None:
        """The weight-based dose rate; ``None`` for a flat dose without a weight."""
        if self.basis is DoseBasis.PER_KG:
            return float(self.quantity.to(unit("mcg/kg/min")).magnitude)
        if weight is None:
            return None
        return float((self.quantity / weight).to(unit("mcg/kg/min")).magnitude)


def parse_dose(text: str, field: str = "dose", default_unit: str = "mcg/kg/min") -> DoseRate:
    """Read ``"0.1 mcg/kg/min"``, ``"7 mcg/min"``, ``"0,42 mg/h"`` or a bare number in the field's unit."""
    value, unit_text = split_number(text, field)
    parsed = parse_unit(unit_text or default_unit, field)
    basis = dose_basis_of(parsed, field)
    if value < 0:
        raise InputError(field, f"{value:g} is negative", "a dose of 0 or more")
    quantity = Q(value, parsed)
    try:
        if basis is DoseBasis.PER_KG:
            check_at_most(quantity, (DOSE_MAX_MCG_PER_KG_PER_MIN, "mcg/kg/min"), field)
        else:
            check_at_most(quantity, (DOSE_MAX_MCG_PER_MIN, "mcg/min"), field)
    except InputError as exc:  # above every hard limit a protocol may set: refused as above the hard limit
        raise HardLimitError(field, f"{exc.problem}: above the hard limit of any protocol", exc.accepted) from None
    return DoseRate(quantity, basis)


def parse_rate(text: str, field: str = "rate") -> Quantity:
    """Read a pump rate: ``"26.3 mL/h"``, ``"0.44 mL/min"`` or a bare number in mL/h."""
    q = parse_quantity(text, field, "mL/h")
    if q.dimensionality != Q(1, "mL/h").dimensionality:
        raise InputError(field, f"{text!r} is not a volume per time", "mL/h, mL/min")
    if q.magnitude < 0:
        raise InputError(field, f"{q.magnitude:g} is negative", "a rate of 0 mL/h or more")
    check_at_most(q, (RATE_MAX_ML_PER_H, "mL/h"), field)
    return q.to(unit("mL/h"))


def parse_weight(text: str, field: str = "weight") -> Quantity:
    """Read ``"70 kg"``, ``"154 lb"`` or a bare number in kg."""
    q = parse_quantity(text, field, "kg")
    if q.dimensionality != Q(1, "kg").dimensionality:
        raise InputError(field, f"{text!r} is not a body weight", "kg or lb")
    _positive(float(q.magnitude), field, "a weight above 0 kg")
    check_at_most(q, (WEIGHT_MAX_KG, "kg"), field)
    return q.to(unit("kg"))


def parse_bag_volume(text: str, field: str = "bag volume") -> float:
    """Read the volume in a bag: ``"250"``, ``"1,000 mL"``, ``"0.5 L"``; mL, 0 or more, at most
    :data:`~norepi_gui.core.entry_bounds.BAG_MAX_ML`."""
    q = parse_quantity(text, field, "mL")
    if q.dimensionality != Q(1, "mL").dimensionality or q.magnitude < 0:
        raise InputError(field, f"{text!r} is not a volume of 0 mL or more", "e.g. 250 mL")
    check_at_most(q, (BAG_MAX_ML, "mL"), field)
    return float(q.to(unit("mL")).magnitude)


def rate_for_dose(dose: DoseRate, concentration: Concentration, weight: Quantity | None) -> Quantity:
    """Exact pump rate (mL/h) that delivers ``dose``."""
    return to_unit(dose.whole_patient(weight) / concentration.base, "mL/h")


def dose_for_rate(
    rate: Quantity, concentration: Concentration, weight: Quantity | None, basis: DoseBasis
) -> DoseRate:
    """The dose a pump rate delivers, in the requested basis."""
    mcg_per_min = (rate * concentration.base).to(unit("mcg/min"))
    if basis is DoseBasis.FLAT:
        return DoseRate(mcg_per_min, DoseBasis.FLAT)
    if weight is None:
        raise InputError("weight", "a weight-based dose needs the patient's weight", "a weight in kg or lb")
    return DoseRate((mcg_per_min / weight).to(unit("mcg/kg/min")), DoseBasis.PER_KG)


def round_to_resolution(rate: Quantity, resolution_ml_per_h: float) -> Quantity:
    """Round a rate half-up to the pump's resolution (26.25 -> 26.3 at 0.1 mL/h)."""
    value = float(rate.to(unit("mL/h")).magnitude)
    if not abs(value) < 1e15:  # past float precision the steps vanish (and Decimal would need > 28 digits)
        return Q(value, "mL/h")
    step = Decimal(repr(resolution_ml_per_h))
    exact = Decimal(repr(value))
    rounded = (exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return Q(float(rounded), "mL/h")


def drops_per_min(rate: Quantity, drop_factor_gtt_per_ml: float) -> Quantity:
    """Gravity fallback: drops per minute in a drip chamber of the given drop factor."""
    return to_unit(rate * Q(drop_factor_gtt_per_ml, "gtt/mL"), "gtt/min")


def bag_time_left(volume_left: Quantity, rate: Quantity) -> Quantity | None:
    """Time until the bag is empty at ``rate``; ``None`` when nothing runs."""
    if rate.to(unit("mL/h")).magnitude <= 0:
        return None
    return to_unit(volume_left / rate, "h")


def amount_per_day(mcg_per_min: float) -> Quantity:
    """Drug given in 24 h at a constant dose (compared with the label maximum of 68 mg/day)."""
    return to_unit(Q(mcg_per_min, "mcg/min") * _one_day(), "mg")


@cache
def _one_day() -> Quantity:
    return Q(24, "h")
