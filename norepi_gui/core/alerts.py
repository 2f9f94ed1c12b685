"""Alerts: a stable code, a priority as IEC 60601-1-8 names them, and a message a nurse can read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Priority(StrEnum):
    """IEC 60601-1-8 alarm priorities: high (respond immediately), medium (promptly), low (be aware)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


@dataclass(frozen=True)
class Alert:
    code: str
    priority: Priority
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "priority": self.priority.value, "message": self.message}


def by_priority(alerts: list[Alert]) -> list[Alert]:
    """Highest priority first; stable within a priority."""
    return sorted(alerts, key=lambda a: -a.priority.rank)
