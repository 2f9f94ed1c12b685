"""Counters of what the monitor link did, for a diagnostics view: every refusal is counted, the last few are kept.

One :class:`MonitorDiagnostics` is shared by a listener and all its connections. Memory is fixed: counters and a
bounded list of recent refusals (no values from refused messages, only why and from where).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime

from norepi_gui.monitor.mllp import FramingErrorKind
from norepi_gui.monitor.pcd01 import Rejection, RejectReason

RECENT = 50


@dataclass(frozen=True, slots=True)
class RecentRefusal:
    at: datetime
    peer: str
    reason: RejectReason
    ack_code: str
    detail: str
    control_id: str


@dataclass
class MonitorDiagnostics:
    connections_opened: int = 0
    connections_refused_sender: int = 0
    connections_replaced: int = 0  # all connections taken: the one silent longest was closed for a newcomer
    connections_closed: Counter[str] = field(default_factory=Counter)
    bytes_received: int = 0
    frames: int = 0
    accepted: int = 0
    observations: int = 0
    rejected: Counter[RejectReason] = field(default_factory=Counter)
    framing_errors: Counter[FramingErrorKind] = field(default_factory=Counter)
    recent: deque[RecentRefusal] = field(default_factory=lambda: deque(maxlen=RECENT))
    last_accepted_at: datetime | None = None
    last_sender: str = ""

    def record_rejection(self, now: datetime, peer: str, rejection: Rejection) -> None:
        self.rejected[rejection.reason] += 1
        control_id = rejection.header.control_id if rejection.header is not None else ""
        self.recent.append(
            RecentRefusal(now, peer, rejection.reason, rejection.ack_code.value, rejection.detail, control_id)
        )

    @property
    def wrong_party(self) -> int:
        """Messages refused as another bed's or patient's (the hazard this link exists to stop)."""
        return self.rejected[RejectReason.WRONG_BED] + self.rejected[RejectReason.WRONG_PATIENT]

    def rows(self) -> list[tuple[str, str]]:
        """Label and value pairs for a diagnostics view."""
        rows = [
            ("Connections opened", str(self.connections_opened)),
            ("Connections refused (sender not allowed)", str(self.connections_refused_sender)),
            ("Connections replaced (all taken)", str(self.connections_replaced)),
            ("Bytes received", str(self.bytes_received)),
            ("Messages", str(self.frames)),
            ("Accepted (AA)", str(self.accepted)),
            ("Refused: another bed or patient", str(self.wrong_party)),
        ]
        rows += [(f"Refused: {reason.value}", str(n)) for reason, n in sorted(self.rejected.items())]
        rows += [(f"Framing: {kind.value}", str(n)) for kind, n in sorted(self.framing_errors.items())]
        rows += [(f"Closed: {why}", str(n)) for why, n in sorted(self.connections_closed.items())]
        return rows
