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


@dataclass(frozen=True)
class ExpectedAction:
    """A key action a scenario expects by a given minute."""

    action: str
    by_minute: float
