"""A session store that lives in memory: for ``norepi-gui advise`` (a CSV becomes a session record) and tests.

It keeps the rules of :class:`norepi_gui.core.session_log.SessionStore` that the bedside layer relies on (events
numbered in recording order, corrections and deletions name an entry of the same session, closed sessions take no
events) without a file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from norepi_gui.core.events import SUPERSEDING_KINDS, Event, EventKind, SessionInfo, check_payload
from norepi_gui.core.protocol_identity import content_sha256
from norepi_gui.core.session_log import SessionRead, SessionStoreError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from norepi_gui.core.clock import Clock


class MemoryStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._sessions: dict[int, SessionInfo] = {}
        self._events: dict[int, list[Event]] = {}
        self._next_event = 1
        self._protocols: dict[str, str] = {}
        self.path = None

    def create_session(self, label: str, *, is_training: bool, protocol_name: str, protocol_version: str,
                       scenario: str | None = None, protocol_sha256: str | None = None) -> SessionInfo:
        sid = len(self._sessions) + 1
        info = SessionInfo(sid, self._clock.now().astimezone(UTC), label, is_training, protocol_name,
                           protocol_version, scenario, None, uid=f"{sid:032x}", protocol_sha256=protocol_sha256)
        self._sessions[sid] = info
        self._events[sid] = []
        return info

    def session(self, session_id: int) -> SessionInfo:
        if session_id not in self._sessions:
            raise SessionStoreError(f"session_id: no session {session_id}")
        return self._sessions[session_id]

    def list_sessions(self, *, training: bool = False) -> list[SessionInfo]:
        return [s for s in self._sessions.values() if s.is_training == training]

    def open_sessions(self, *, training: bool = False) -> list[SessionInfo]:
        return [s for s in self.list_sessions(training=training) if s.closed_at is None]

    def close_session(self, session_id: int) -> SessionInfo:
        info = self.session(session_id)
        now = self._clock.now().astimezone(UTC)
        self.append(session_id, EventKind.SESSION_CLOSED, {})
        info = replace(info, closed_at=now)
        self._sessions[session_id] = info
        return info

    def append(self, session_id: int, kind: EventKind, payload: Mapping[str, object], *,
               at: datetime | None = None, supersedes: int | None = None) -> Event:
        info = self.session(session_id)
        if info.closed_at is not None:
            raise SessionStoreError(f"session_id: session {session_id} is closed")
        if (kind in SUPERSEDING_KINDS) != (supersedes is not None):
            raise ValueError(f"supersedes: {kind.value} {'needs' if supersedes is None else 'takes no'} target")
        events = self._events[session_id]
        target = next((e for e in events if e.id == supersedes), None) if supersedes is not None else None
        if supersedes is not None and target is None:
            raise ValueError(f"supersedes: no event {supersedes} in session {session_id}")
        now = self._clock.now().astimezone(UTC)
        when = at if at is not None else (target.at if target is not None and kind is EventKind.CORRECTION else now)
        event = Event(self._next_event, session_id, len(events) + 1, when.astimezone(UTC), now, kind,
                      check_payload(payload), supersedes)
        self._next_event += 1
        events.append(event)
        return event

    def events(self, session_id: int) -> list[Event]:
        self.session(session_id)
        return list(self._events[session_id])

    def read_session(self, session_id: int) -> SessionRead:
        return SessionRead(self.session(session_id), self.events(session_id), [])

    def check_file(self) -> None:
        return None  # nothing on disk to lose

    def keep_protocol(self, canonical: str) -> str:
        sha = content_sha256(canonical)
        self._protocols[sha] = canonical
        return sha

    def protocol_content(self, sha256: str) -> str | None:
        return self._protocols.get(sha256)

    def close(self) -> None:
        return None
