"""The titration and escalation engine: what to do now, why, and when to look again (Qt-free, deterministic)."""

from __future__ import annotations

from norepi_gui.core.titration.engine import advise, advise_dose
from norepi_gui.core.titration.interval import OverdueState, overdue_state
from norepi_gui.core.titration.model import (
    Action,
    Advice,
    CoInfusions,
    DoseAdvice,
    DoseEvent,
    Escalation,
    InfusionState,
    PatientInfo,
    Reading,
    Reminder,
    Target,
    Waiting,
)
from norepi_gui.core.titration.rules import RULES, Rule

__all__ = [
    "RULES",
    "Action",
    "Advice",
    "CoInfusions",
    "DoseAdvice",
    "DoseEvent",
    "Escalation",
    "InfusionState",
    "OverdueState",
    "PatientInfo",
    "Reading",
    "Reminder",
    "Rule",
    "Target",
    "Waiting",
    "advise",
    "advise_dose",
    "overdue_state",
]
