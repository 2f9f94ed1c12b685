"""The window's one path to the session log: append, commit, then announce.

:meth:`SessionRecorder.record` returns only after :meth:`SessionStore.append` has committed the event to disk; the
window redraws from the :attr:`SessionRecorder.changed` signal, so nothing is shown as recorded before it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from norepi_gui.core.events import Event, EventKind, SessionInfo, effective_events
from norepi_gui.ui.session_state import SessionState, fold_session

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from norepi_gui.core.clock import Clock
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.session_log import SessionStore


class SessionRecorder(QObject):
    """One store, at most one current session, and the folded state of that session."""

    changed = Signal()  # the current session's events or identity changed: redraw from ``state``
    recorded = Signal(object)  # the Event just committed

    def __init__(self, data_dir: Path, clock: Clock, *, training: bool, open_now: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.clock = clock
        self._store: SessionStore | None = None
        if open_now:
            self.open_store()
        self.training = training
        self.session: SessionInfo | None = None
        self._raw: list[Event] = []
        self.state = SessionState()

    @property
    def store(self) -> SessionStore:
        """The session database (opened on first use if the recorder was made with ``open_now=False``)."""
        return self.open_store()

    def open_store(self) -> SessionStore:
        """Open the database (once); a progressive start does it right after the window's first paint."""
        if self._store is None:
            from norepi_gui.core.session_log import SessionStore

            self._store = SessionStore(self.data_dir, self.clock)
        return self._store

    # -- sessions -------------------------------------------------------------------

    def new_session(self, label: str, protocol: Protocol) -> SessionInfo:
        self.session = self.store.create_session(
            label,
            is_training=self.training,
            protocol_name=protocol.meta.name,
            protocol_version=protocol.meta.version,
        )
        self._raw = []
        self._refold()
        return self.session

    def load_session(self, session_id: int) -> SessionInfo:
        info = self.store.session(session_id)
        self.session = info
        self._raw = self.store.events(session_id)
        self._refold()
        return info

    def close_current(self) -> None:
        if self.session is not None and self.session.closed_at is None:
            self.session = self.store.close_session(self.session.id)
        self._refold()

    def resumable(self) -> list[SessionInfo]:
        return self.store.open_sessions(training=self.training)

    def sessions(self) -> list[SessionInfo]:
        return self.store.list_sessions(training=self.training)

    @property
    def writable(self) -> bool:
        return self.session is not None and self.session.closed_at is None

    # -- events ---------------------------------------------------------------------

    def record(
        self,
        kind: EventKind,
        payload: Mapping[str, object],
        *,
        at: datetime | None = None,
        supersedes: int | None = None,
    ) -> Event:
        """Append and commit one event, then announce it. Raises if there is no writable session."""
        if self.session is None:
            raise RuntimeError("no session is open")
        event = self.store.append(self.session.id, kind, payload, at=at, supersedes=supersedes)
        self._raw.append(event)
        self._refold()
        self.recorded.emit(event)
        return event

    def raw_events(self) -> list[Event]:
        return list(self._raw)

    def effective(self) -> list[Event]:
        return effective_events(self._raw)

    def effective_event(self, event_id: int) -> Event | None:
        """The entry ``event_id`` as it stands now (its latest correction folded in); None if deleted or unknown."""
        for event in self.effective():
            if event.id == event_id:
                return event
        return None

    def event_by_id(self, event_id: int) -> Event:
        for event in self._raw:
            if event.id == event_id:
                return event
        raise KeyError(event_id)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def _refold(self) -> None:
        self.state = fold_session(effective_events(self._raw))
        self.changed.emit()
