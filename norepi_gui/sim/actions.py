"""What happened during a run or a training session: action kinds and small records.

These records are the common language of the headless runner, the future training
window and :mod:`norepi_gui.sim.debrief`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

ActionKind = Literal[
    "START_NE",
    "INCREASE_NE",
    "DECREASE_NE",
    "STOP_NE",
    "ADD_VASOPRESSIN",
    "CHANGE_VASOPRESSIN",
    "STOP_VASOPRESSIN",
    "ADD_EPINEPHRINE",
    "CHANGE_EPINEPHRINE",
    "STOP_EPINEPHRINE",
    "ADD_DOBUTAMINE",
    "CHANGE_DOBUTAMINE",
    "STOP_DOBUTAMINE",
    "ADD_HYDROCORTISONE",
    "CHANGE_HYDROCORTISONE",
    "STOP_HYDROCORTISONE",
    "FLUID_BOLUS",
    "CHANGE_BAG",
    "RESITE_LINE",
    "FLUSH_LINE",
    "RAISE_TARGET",
    "LOWER_TARGET",
    "GIVE_PHENTOLAMINE",
    "REQUEST_CENTRAL_ACCESS",
    "CALL_PHYSICIAN",
    "RESTART_PUMP",
    "RECONNECT_LINE",
    "CHECK_PUMP",
    "REPEAT_CUFF",
    "REQUEST_ARTERIAL_LINE",
]
ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)
NE_TITRATIONS: frozenset[str] = frozenset({"START_NE", "INCREASE_NE", "DECREASE_NE", "STOP_NE"})
ESCALATIONS: frozenset[str] = frozenset({"ADD_VASOPRESSIN", "ADD_EPINEPHRINE", "ADD_DOBUTAMINE", "ADD_HYDROCORTISONE"})


@dataclass(frozen=True)
class ActionRecord:
    """An action taken at ``time_min`` (minutes from the start); ``value`` is the new dose or volume."""

    time_min: float
    kind: str
    value: float | None = None


@dataclass(frozen=True)
class PromptRecord:
    """A titration prompt shown at ``time_min``; ``responded_min`` is None when never answered."""

    time_min: float
    responded_min: float | None


@dataclass(frozen=True)
class EscalationDue:
    """An escalation (an ``ESCALATIONS`` kind) became due at ``time_min``."""

    time_min: float
    kind: str


@dataclass(frozen=True)
class LimitAlert:
    """A limit was crossed (maximum dose, peripheral dose or duration)."""

    time_min: float
    kind: str
    detail: str = ""


#: The trigger of a window that opens at the start of the scenario.
START = "start"


@dataclass(frozen=True)
class Window:
    """When an action counts: from ``from_min`` after its trigger (``after`` = an event's name, or START) until
    ``by_minute`` (minutes from the start) or ``within_min`` after the trigger opened (exactly one of the two, or
    neither: open to the end)."""

    after: str = START
    from_min: float = 0.0
    by_minute: float | None = None
    within_min: float | None = None

    def bounds(self, trigger_min: float | None, end_min: float) -> tuple[float, float] | None:
        """(opens, closes) in minutes from the start, or None when the trigger never came."""
        if trigger_min is None:
            return None
        opens = trigger_min + self.from_min
        if self.by_minute is not None:
            closes = self.by_minute
        elif self.within_min is not None:
            closes = opens + self.within_min
        else:
            closes = end_min
        return opens, closes

    def describe(self) -> str:
        start = "the start" if self.after == START else self.after.replace("_", " ")
        opens = f"{self.from_min:g} min after {start}" if self.from_min else start
        if self.by_minute is not None:
            return f"from {opens} until minute {self.by_minute:g}"
        if self.within_min is not None:
            return f"within {self.within_min:g} min of {opens}"
        return f"from {opens} to the end"


@dataclass(frozen=True)
class ExpectedAction:
    """A key action a scenario expects in a window after its trigger, worth ``weight`` points; ``why`` tells the
    trainee what it was for."""

    action: str
    by_minute: float | None = None
    window: Window | None = None
    weight: float = 1.0
    why: str = ""

    @property
    def when(self) -> Window:
        if self.window is not None:
            return self.window
        return Window(by_minute=self.by_minute)


@dataclass(frozen=True)
class ForbiddenAction:
    """An action a scenario counts against the trainee (``weight`` points off) when taken in its window."""

    action: str
    window: Window = Window()
    weight: float = 1.0
    why: str = ""
