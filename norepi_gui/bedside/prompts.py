"""When the next check is due, whether its prompt is open, snoozed or escalating: a pure function of the record,
the current advice and the time.

A check cycle starts at an anchor: the latest reading, or an applied / not-applied answer recorded after it. From a
reading the due time is the engine's (``Advice.next_check_due``); from an answer it is the answer's time plus the
engine's interval. The prompt opens at the due time, escalates low -> medium -> high as the core's overdue rule says
(INT-OVERDUE), can be snoozed ``intervals.max_snoozes`` times for ``intervals.snooze_minutes``, and closes with the
next anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from norepi_gui.bedside.records import parse_time

if TYPE_CHECKING:
    from norepi_gui.bedside.state import PromptLog
    from norepi_gui.core.protocol import Intervals
    from norepi_gui.core.titration import Advice


@dataclass(frozen=True)
class PromptState:
    """The check cycle now. ``open``: the prompt shows (due, not snoozed, and the session takes entries)."""

    due_at: datetime | None = None
    open: bool = False
    priority: str | None = None  # "low" | "medium" | "high" while open
    minutes_overdue: float = 0.0
    snoozes_used: int = 0
    snoozes_left: int = 0
    snoozed_until: datetime | None = None
    recorded_priority: str | None = None  # the priority last recorded as shown (PROMPT_SHOWN) in this cycle

    @property
    def needs_recording(self) -> bool:
        """The prompt is open at a priority not yet recorded as shown: record PROMPT_SHOWN before showing it."""
        return self.open and self.priority is not None and self.priority != self.recorded_priority


def due_at(log: PromptLog, advice: Advice | None) -> datetime | None:
    """The next check's due time in this cycle, ``None`` without advice."""
    if advice is None:
        return None
    if log.answer is not None:
        stored = parse_time(log.answer.payload.get("next_due_at"))
        if stored is not None:
            return stored
        return log.answer.at + timedelta(minutes=advice.next_check_in_min)
    return advice.next_check_due


def prompt_state(log: PromptLog, advice: Advice | None, now: datetime, intervals: Intervals, *,
                 writable: bool = True) -> PromptState:
    from norepi_gui.core.titration import overdue_state

    due = due_at(log, advice)
    used = log.snoozes
    left = max(0, intervals.max_snoozes - used)
    if due is None:
        return PromptState(snoozes_used=used, snoozes_left=left)
    snoozed = log.snoozed_until is not None and now < log.snoozed_until
    overdue = overdue_state(due, now, intervals)
    is_open = now >= due and not snoozed and writable
    priority = (overdue.priority.value if overdue.priority is not None else "low") if is_open else None
    return PromptState(
        due_at=due,
        open=is_open,
        priority=priority,
        minutes_overdue=overdue.minutes_overdue,
        snoozes_used=used,
        snoozes_left=left,
        snoozed_until=log.snoozed_until if snoozed else None,
        recorded_priority=log.shown_priority,
    )
