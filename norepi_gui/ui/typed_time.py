"""A local time typed or picked by the nurse, turned into one instant: in the hour repeated when daylight saving time
ends, the nurse is asked which of the two times it was; a time in the skipped hour is refused naming the nearest ones.

The reading is :func:`norepi_gui.core.local_time.resolve_local_time`'s; this module only asks. The zone is the
system's, by its IANA name (``QTimeZone.systemTimeZoneId``) so its daylight-saving rules are known; where that name
cannot be read (no time-zone data), times are read as the system reads them and nothing is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING

from norepi_gui.core.local_time import LocalTimeKind, resolve_local_time

if TYPE_CHECKING:
    from PySide6.QtCore import QDateTime

#: Asks which of several labelled times was meant; the index chosen, or None when the nurse cancels.
AskWhich = Callable[[str, list[str]], int | None]


@cache
def system_zone() -> tzinfo | None:
    """The system's zone with its rules (a ZoneInfo), or None when it cannot be known."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from PySide6.QtCore import QTimeZone

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", errors="replace")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def wall_time(value: QDateTime) -> datetime:
    """The wall date and time a date-time field shows (naive, to the second)."""
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second())


def instant_of(naive: datetime, zone: tzinfo | None, ask: AskWhich, label: str) -> datetime | str:
    """The instant a wall time ``naive`` in ``zone`` means, or the refusal in words (naming ``label``)."""
    if zone is None:
        return naive.astimezone()  # the system's own reading
    resolution = resolve_local_time(naive, zone)
    if resolution.kind is LocalTimeKind.UNIQUE:
        return resolution.instant
    if resolution.kind is LocalTimeKind.NONEXISTENT:
        return f"{label}: {resolution.message}"
    chosen = ask(f"{label}: {resolution.message}", resolution.choices())
    if chosen is None:
        return f"{label}: {naive:%H:%M} happened twice; say which one. Accepted: the first or the second time"
    return resolution.instants[chosen]


def ask_with_dialog(question: str, choices: list[str]) -> int | None:
    """The question in a message box with one button per time."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "Which time?", question)
    buttons = [box.addButton(text, QMessageBox.ButtonRole.AcceptRole) for text in choices]
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(buttons) if b is clicked), None)
