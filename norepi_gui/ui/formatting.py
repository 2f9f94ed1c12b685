"""How numbers and times from the core are written on screen (display only: no arithmetic on clinical values)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from norepi_gui.core.errors import InputError

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Protocol

PER_KG = "mcg/kg/min"
FLAT = "mcg/min"
DOSE_UNITS = (PER_KG, FLAT)


def decimals_for(resolution: float) -> int:
    """Decimal places that show a pump resolution exactly: 0.1 -> 1, 0.01 -> 2, 1 -> 0."""
    text = f"{resolution:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def fmt_rate(ml_per_h: float, resolution: float) -> str:
    return f"{ml_per_h:.{decimals_for(resolution)}f}"


def fmt_dose(value: float | None) -> str:
    """A dose with up to three significant figures: 0.1, 0.114, 7.35, 12.5."""
    if value is None or not math.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    return f"{value:.3g}"


def at_resolution(value: float | None, resolution: float) -> str:
    """``value`` rounded to ``resolution`` without trailing zeros: what a pump and a nurse use (0.3947 at 0.005 ->
    0.395; 16.34 at 0.5 -> 16.5; 0.1 at 0.005 -> 0.1)."""
    if value is None or not math.isfinite(value):
        return "-"
    steps = round(value / resolution)
    shown = f"{steps * resolution:.{decimals_for(resolution)}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def significant(value: float | None, figures: int = 3) -> str:
    """A measured quantity to ``figures`` significant figures, never in exponent form: 16.0512 -> 16.1, 1000 -> 1000,
    0.0399 -> 0.0399."""
    if value is None or not math.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    digits = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    shown = f"{round(value, digits):.{digits}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


@dataclass(frozen=True)
class DisplayFormat:
    """How the window writes doses, rates, concentrations and weights: in the nurse's dose unit (the other one beside
    it where there is room), at the protocol's resolutions. Display only: the record keeps full precision."""

    dose_unit: str = PER_KG
    dose_resolution: float = 0.005  # the protocol's titration.dose_resolution (replaced by for_protocol)
    flat_resolution: float = 0.5  # titration.flat_dose_resolution_mcg_per_min
    rate_resolution: float = 0.1  # pump.resolution_ml_per_h

    @classmethod
    def for_protocol(cls, protocol: Protocol, dose_unit: str = PER_KG) -> DisplayFormat:
        return cls(dose_unit if dose_unit in DOSE_UNITS else PER_KG, protocol.titration.dose_resolution,
                   protocol.titration.flat_dose_resolution_mcg_per_min, protocol.pump.resolution_ml_per_h)

    @property
    def flat_first(self) -> bool:
        return self.dose_unit == FLAT

    def per_kg(self, value: float | None) -> str:
        return at_resolution(value, self.dose_resolution)

    def flat(self, value: float | None) -> str:
        return at_resolution(value, self.flat_resolution)

    def dose(self, per_kg: float | None, per_min: float | None, *, both: bool = True) -> str:
        """``0.2 mcg/kg/min (16.5 mcg/min)`` in the chosen unit first; one unit when only one is known or
        ``both`` is False."""
        kg = None if per_kg is None else f"{self.per_kg(per_kg)} {PER_KG}"
        flat = None if per_min is None else f"{self.flat(per_min)} {FLAT}"
        first, second = (flat, kg) if self.flat_first else (kg, flat)
        if first is None:
            first, second = second, None
        if first is None:
            return "-"
        return f"{first} ({second})" if both and second is not None else first

    def other(self, per_kg: float | None, per_min: float | None) -> str:
        """The dose in the unit not chosen (``16.5 mcg/min`` beside a per-kg dose), or "" when not known."""
        _value, unit = self.dose_value(per_kg, per_min)
        if unit == PER_KG:
            return "" if per_min is None else f"{self.flat(per_min)} {FLAT}"
        return "" if per_kg is None else f"{self.per_kg(per_kg)} {PER_KG}"

    def dose_value(self, per_kg: float | None, per_min: float | None) -> tuple[str, str]:
        """The number and unit in the chosen unit (the other one when the chosen one is not known)."""
        if (self.flat_first or per_kg is None) and per_min is not None:
            return self.flat(per_min), FLAT
        return self.per_kg(per_kg), PER_KG

    def rate(self, ml_per_h: float | None) -> str:
        return "-" if ml_per_h is None else fmt_rate(ml_per_h, self.rate_resolution)

    @staticmethod
    def concentration(mcg_per_ml: float | None) -> str:
        return significant(mcg_per_ml)

    @staticmethod
    def weight(kg: float | None) -> str:
        return "-" if kg is None else f"{kg:.1f}".rstrip("0").rstrip(".")


def fmt_number(value: float | None, fmt: str = ".0f") -> str:
    return "-" if value is None else format(value, fmt)


def local_time(when: datetime) -> datetime:
    """Core times are UTC; the screen shows the machine's local clock time."""
    return when.astimezone()


def fmt_clock(when: datetime) -> str:
    return local_time(when).strftime("%H:%M")


def fmt_clock_seconds(when: datetime) -> str:
    return local_time(when).strftime("%H:%M:%S")


def fmt_date_time(when: datetime) -> str:
    return local_time(when).strftime("%Y-%m-%d %H:%M")


def fmt_countdown(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) of a non-negative number of seconds, rounded up so 0:00 means due."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe_input_error(label: str, exc: InputError) -> str:
    """The inline message under a field: names the field, says what was wrong and what is accepted."""
    text = f"{label}: {exc.problem}"
    if exc.accepted:
        text += f". Accepted: {exc.accepted}"
    return text
