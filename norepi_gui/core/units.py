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
from dataclasses import dataclass
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


_NUMBER = re.compile(
    r"^\s*(?P<sign>[-+]?)(?P<mantissa>(?:[0-9]|[.,'\u2019](?=[0-9]))[0-9.,'\u2019]*)"
    r"(?P<exponent>[eE][-+]?[0-9]+)?(?P<rest>.*?)\s*$",
    re.DOTALL,
)
_WORDS = {"nan", "inf", "infinity"}

MASS = "[mass]"
VOLUME = "[length] ** 3"


@dataclass(frozen=True)
class NumberFormat:
    """How this computer writes numbers: its decimal mark and its thousands separator (from the locale).

    The program itself always shows decimals with ``.``; so ``.`` is read as a decimal point wherever it cannot be a
    thousands separator, and refused where it could be either.
    """

    decimal: str = "."
    group: str = ","

    def describe(self) -> str:
        group = {"\u202f": "a narrow space", "\u00a0": "a space", " ": "a space"}.get(self.group, repr(self.group))
        example = f"2{self.group}000" if self.group.strip() else "2000"
        return f"{group} separates thousands on this computer ({example} is two thousand)"


_number_format = NumberFormat()


def set_number_format(fmt: NumberFormat) -> None:
    """Set how typed numbers are read, once at start (the window passes its locale's decimal mark and group
    separator); the default, for the command line and tests, is ``.`` and ``,`` as in English."""
    global _number_format
    if fmt.decimal not in (".", ","):
        raise ValueError(f"decimal: {fmt.decimal!r}; accepted: '.' or ','")
    _number_format = fmt


def number_format() -> NumberFormat:
    return _number_format


def split_number(text: str, field: str, fmt: NumberFormat | None = None) -> tuple[float, str]:
    """Split ``"2,000 mL"`` into ``(2000.0, "mL")``, reading separators as ``fmt`` (default: :func:`number_format`).

    Never guesses: a separator that could mean two things (``1.000`` where ``.`` groups thousands) or that does not
    fit this computer's way (``0,1`` where ``,`` groups thousands) is refused with a message saying how this
    computer writes numbers. Refuses NaN, infinities and text without a number.
    """
    from norepi_gui.core.errors import InputError

    fmt = fmt if fmt is not None else _number_format
    cleaned = text.strip()
    lowered = cleaned.lower()
    if any(word in lowered.split() for word in _WORDS) or lowered.startswith(("nan", "inf", "+inf", "-inf")):
        raise InputError(field, f"{text!r} is not a finite number", "a finite number with an optional unit")
    match = _NUMBER.match(cleaned)
    if match is None:
        raise InputError(field, f"{text!r} does not start with a number", "a number with an optional unit")
    rest = match.group("rest").strip()
    if rest[:1].isdigit() or (match.group("rest")[:1].isspace() and rest[:1] in ".,"):
        raise InputError(field, f"{text!r}: no spaces inside a number", "a number written without spaces, e.g. 2000")
    digits = _mantissa_digits(match.group("mantissa"), text, field, fmt)
    value = float(match.group("sign") + digits + (match.group("exponent") or ""))
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is not a finite number", "a finite number with an optional unit")
    return value, rest


def _grouped(part: str, group: str) -> bool:
    """``part`` is an integer written with ``group`` between each three digits (2,000 or 1,000,000; not 0,100)."""
    return re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(group)}[0-9]{{3}})+", part) is not None


def _mantissa_digits(mantissa: str, text: str, field: str, fmt: NumberFormat) -> str:
    """The mantissa with separators resolved to plain ``digits[.digits]``, or InputError when they are not clear."""
    from norepi_gui.core.errors import InputError

    accepted = f"a number such as 2{fmt.group}000{fmt.decimal}5" if fmt.group.strip() else "a number such as 2000.5"
    if fmt.decimal == ".":
        way = f"{fmt.describe()}; decimals take '.'"
    else:
        way = f"{fmt.describe()}; ',' marks decimals on this computer ('.' too where it cannot group thousands)"

    def refuse(problem: str) -> InputError:
        return InputError(field, f"{text!r}: {problem}", accepted)

    group = fmt.group if fmt.group not in ("", fmt.decimal) else None
    marks = {ch for ch in mantissa if not ch.isdigit()}
    if not marks:
        return mantissa
    allowed = {".", ","} | ({group} if group else set())
    if not marks <= allowed:
        raise refuse(way)
    if fmt.decimal == ".":
        if mantissa.count(".") > 1:
            raise refuse("more than one '.'")
        whole, _dot, fraction = mantissa.partition(".")
        if "," in marks and group != ",":
            raise refuse(way)
        if group and group in whole:
            if not _grouped(whole, group) or group in fraction:
                raise refuse(way)
            whole = whole.replace(group, "")
        elif set(fraction) - set("0123456789"):
            raise refuse(way)
        return f"{whole}.{fraction}" if _dot else whole
    # The decimal mark is ','.
    if mantissa.count(",") > 1:
        raise refuse("more than one ','")
    whole, comma, fraction = mantissa.partition(",")
    if set(fraction) - set("0123456789"):
        raise refuse(way)
    if "." in whole:
        if group == "." and _grouped(whole, "."):
            if not comma and whole.count(".") == 1:
                thousands = whole.replace(".", "")
                decimal = whole.rstrip("0")
                decimal = decimal + "0" if decimal.endswith(".") else decimal
                raise refuse(
                    f"{mantissa!r} could be {thousands} or {decimal}; write {thousands}, or {decimal.replace('.', ',')}"
                )
            whole = whole.replace(".", "")
        elif comma or whole.count(".") > 1:
            raise refuse(way)
        else:  # one '.' that cannot be a thousands separator: a decimal point, as the program writes it
            return whole
    if group and group != "." and group in whole:
        if not _grouped(whole, group):
            raise refuse(way)
        whole = whole.replace(group, "")
    return f"{whole}.{fraction}" if comma else whole


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


def parse_quantity(
    text: str, field: str, default_unit: str, *, maximum: tuple[float, str] | None = None
) -> Quantity:
    """Parse ``"70 kg"``, ``"154 lb"`` or a bare ``"70"`` (taking the field's unit).

    ``maximum`` (value, unit) refuses a larger quantity naming the field; a quantity in another dimension is left to
    the caller to refuse.
    """
    value, unit_text = split_number(text, field)
    unit = parse_unit(unit_text or default_unit, field)
    quantity = registry().Quantity(value, unit)
    if maximum is not None:
        check_at_most(quantity, maximum, field)
    return quantity


def check_at_most(quantity: Quantity, maximum: tuple[float, str], field: str) -> None:
    """Refuse ``quantity`` above ``maximum`` (value, unit) with an InputError naming ``field``."""
    import pint

    from norepi_gui.core.errors import InputError

    limit, limit_unit = maximum
    try:
        value = float(quantity.to(unit(limit_unit)).magnitude)
    except pint.DimensionalityError:
        return
    if not value <= limit:  # also refuses NaN
        raise InputError(field, f"{value:g} {limit_unit} is too large", f"at most {limit:g} {limit_unit}")


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
