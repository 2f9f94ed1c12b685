"""The program's single pint registry and the parsing of typed quantities.

Every dose, rate, weight and volume that the program shows is computed here in pint units. The registry is built
once, from ``units_definitions.txt`` only, so the traps of pint's default registry (``U`` as the enzyme unit,
``units/min`` as micro-nits, ``mcg/kg/min`` reducing to 1/time) cannot occur.

Because mcg/kg/min and mcg/min/mg look alike dimensionally, the *basis* of a dose (per kilogram of body weight or
flat) is read from the unit as typed, before pint simplifies it, and kept explicit in :class:`DoseBasis`.

pint (and numpy, which it pulls in) is imported on first use, not when this module is imported: the bedside window
is painted before either is loaded (``bench/bench_startup.py``).
"""

from __future__ import annotations

import math
import re
import sys
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import pint

    Quantity: TypeAlias = pint.Quantity[Any]
    """A pint quantity of the program's registry (the type used in annotations)."""
else:

    class _QuantityType(type):
        def __instancecheck__(cls, instance: object) -> bool:
            pint = sys.modules.get("pint")  # nothing is a pint quantity before pint is imported
            return pint is not None and isinstance(instance, pint.Quantity)

    class Quantity(metaclass=_QuantityType):
        """Stands for ``pint.Quantity`` at run time without importing pint (``isinstance`` works)."""


@cache
def registry() -> pint.UnitRegistry[Any]:
    """The one unit registry (built on first use, then shared); importing pint happens here."""
    from importlib import resources

    import pint

    definitions = resources.files("norepi_gui.core") / "units_definitions.txt"
    with resources.as_file(definitions) as path:
        reg: pint.UnitRegistry[Any] = pint.UnitRegistry(str(path), cache_folder=":auto:")
    reg.formatter.default_format = "~P"
    return reg


@cache
def unit(text: str) -> pint.Unit:
    """A unit of the program's registry, parsed once per spelling (parsing dominates pint's cost)."""
    return registry().Unit(text)


def dimensionality_error() -> type[Exception]:
    """``pint.DimensionalityError``, for ``except`` clauses outside the core (evaluated only when one is raised)."""
    import pint

    return pint.DimensionalityError


def Q(value: float, unit_text: str | pint.Unit) -> Quantity:  # noqa: N802 - the conventional short name
    """A quantity in the program's registry."""
    return registry().Quantity(value, unit(unit_text) if isinstance(unit_text, str) else unit_text)


class DoseBasis(StrEnum):
    """Whether a dose rate is per kilogram of body weight or for the whole patient."""

    PER_KG = "per_kg"
    FLAT = "flat"


_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_WORDS = {"nan", "inf", "infinity"}

MASS = "[mass]"
VOLUME = "[length] ** 3"


def normalise_text(text: str) -> str:
    """Accept a decimal comma and stray spaces: ``"0,1 mcg/kg/min"`` -> ``"0.1 mcg/kg/min"``."""
    return _DECIMAL_COMMA.sub(".", text.strip())


def split_number(text: str, field: str) -> tuple[float, str]:
    """Split ``"26,3 mL/h"`` into ``(26.3, "mL/h")``. Refuses NaN, infinities and text without a number."""
    from norepi_gui.core.errors import InputError

    cleaned = normalise_text(text)
    lowered = cleaned.lower()
    if any(word in lowered.split() for word in _WORDS) or lowered.startswith(("nan", "inf", "+inf", "-inf")):
        raise InputError(field, f"{text!r} is not a finite number", "a finite number with an optional unit")
    match = _NUMBER.match(cleaned)
    if match is None:
        raise InputError(field, f"{text!r} does not start with a number", "a number with an optional unit")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is not a finite number", "a finite number with an optional unit")
    return value, match.group(2)


def parse_unit(unit_text: str, field: str) -> pint.Unit:
    """Parse a unit expression in the program's registry, naming the field on failure."""
    import pint

    from norepi_gui.core.errors import InputError

    try:
        return _parse_units_cached(unit_text.replace("·", "*"))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError) as exc:
        raise InputError(
            field, f"unknown unit {unit_text!r}", "mcg, µg, ug, mg, g, mL, L, h, min, s, kg, lb, U, gtt"
        ) from exc
    except Exception as exc:  # pint raises assorted errors for malformed text
        raise InputError(field, f"cannot read the unit {unit_text!r}", "for example mcg/kg/min, mL/h") from exc


@cache
def _parse_units_cached(text: str) -> pint.Unit:
    return registry().parse_units(text)


def parse_quantity(text: str, field: str, default_unit: str) -> Quantity:
    """Parse ``"70 kg"``, ``"154 lb"`` or a bare ``"70"`` (taking the field's unit)."""
    value, unit_text = split_number(text, field)
    unit = parse_unit(unit_text or default_unit, field)
    return registry().Quantity(value, unit)


def dose_basis_of(unit: pint.Unit, field: str) -> DoseBasis:
    """Read the basis of a drug dose rate from its unit *as written*, before any simplification.

    ``mcg/kg/min`` -> PER_KG; ``mcg/min``, ``mg/h`` -> FLAT. A unit without a drug mass in the numerator and a time in
    the denominator (``/min``, ``mL/h``, ``mcg``) is refused: pint alone would accept ``0.1 /min`` as mcg/kg/min.
    """
    from norepi_gui.core.errors import InputError

    reg = registry()
    drug_mass = body_mass = time = 0
    for name, power in unit._units.items():  # the unit container keeps mcg and kg apart
        dim = reg.get_dimensionality(name)
        if dim == reg.get_dimensionality("g"):
            if power == 1:
                drug_mass += 1
            elif power == -1:
                body_mass += 1
            else:
                drug_mass = -99
        elif dim == reg.get_dimensionality("s") and power == -1:
            time += 1
        else:
            drug_mass = -99
    if drug_mass == 1 and time == 1 and body_mass in (0, 1):
        return DoseBasis.PER_KG if body_mass == 1 else DoseBasis.FLAT
    raise InputError(
        field,
        f"{unit:~P} is not a dose rate of a drug mass over time",
        "mcg/kg/min, mcg/min, mg/h, µg/kg/min, ug/min",
    )


def to_unit(quantity: Quantity, unit_text: str) -> Quantity:
    """``quantity`` converted to ``unit_text`` (the unit parsed once and cached)."""
    converted: Quantity = quantity.to(unit(unit_text))
    return converted


def magnitude_in(quantity: Quantity, unit_text: str) -> float:
    """The plain float of ``quantity`` expressed in ``unit_text``."""
    return float(quantity.to(unit(unit_text)).magnitude)
