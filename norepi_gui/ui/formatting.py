"""How numbers and times from the core are written on screen (display only: no arithmetic on clinical values)."""

from __future__ import annotations

import math
from datetime import datetime

from norepi_gui.core.errors import InputError


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
