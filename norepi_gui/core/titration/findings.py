"""What the rule modules report back: escalations, alerts and the IDs of the rules that fired."""

from __future__ import annotations

from dataclasses import dataclass, field

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.titration.model import Escalation


@dataclass
class Findings:
    escalations: list[Escalation] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def escalate(self, code: str, reason: str, rule: str) -> None:
        self.escalations.append(Escalation(code, reason, rule))
        self.rules.append(rule)

    def alert(self, code: str, priority: Priority, message: str, rule: str) -> None:
        self.alerts.append(Alert(code, priority, message))
        self.rules.append(rule)

    def extend(self, other: Findings) -> None:
        self.escalations.extend(other.escalations)
        self.alerts.extend(other.alerts)
        self.rules.extend(other.rules)
