"""Undo and redo for bedside entries, without rewriting anything: every step is a new event.

Undoing an entry records its deletion; redoing it records it again (naming the entry it restores); undoing a
correction records the old values as another correction. The stack is Qt-free; the window's Edit menu only shows
:attr:`UndoStack.undo_text` and calls :meth:`BedsideSession.undo`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from norepi_gui.bedside.records import with_restores
from norepi_gui.core.events import Event, EventKind, Payload

Append = Callable[..., Event]  # BedsideSession._append(kind, payload, at=..., supersedes=...)


class Command:
    """One undoable step. ``redo`` has already run when the command is pushed."""

    text: str

    def redo(self, append: Append) -> None:
        raise NotImplementedError

    def undo(self, append: Append) -> None:
        raise NotImplementedError


@dataclass
class _Entry(Command):
    """An entry that a step deletes or records again (naming the entry it restores)."""

    event_id: int
    kind: EventKind
    payload: Payload
    at: datetime
    text: str

    def _delete(self, append: Append, reason: str) -> None:
        append(EventKind.DELETION, {"reason": reason}, supersedes=self.event_id)

    def _record_again(self, append: Append) -> None:
        event = append(self.kind, with_restores(self.payload, self.event_id), at=self.at)
        self.event_id = event.id


@dataclass
class RecordEntry(_Entry):
    """An entry recorded by an operation (a reading, a dose, a co-infusion)."""

    def undo(self, append: Append) -> None:
        self._delete(append, f"Undo: {self.text}")

    def redo(self, append: Append) -> None:
        self._record_again(append)


@dataclass
class Batch(Command):
    """Several entries one operation recorded together (a new bag and the pump rate that keeps the dose)."""

    steps: list[Command]
    text: str

    def undo(self, append: Append) -> None:
        for step in reversed(self.steps):
            step.undo(append)

    def redo(self, append: Append) -> None:
        for step in self.steps:
            step.redo(append)


@dataclass
class DeleteEntry(_Entry):
    """An entry the nurse deleted."""

    def redo(self, append: Append) -> None:
        self._delete(append, self.text)

    def undo(self, append: Append) -> None:
        self._record_again(append)


@dataclass
class CorrectEntry(Command):
    """Replace an entry's payload and time by a CORRECTION; undo records the old values as another one."""

    event_id: int
    old: tuple[Payload, datetime]
    new: tuple[Payload, datetime]
    text: str

    def redo(self, append: Append) -> None:
        payload, at = self.new
        append(EventKind.CORRECTION, payload, at=at, supersedes=self.event_id)

    def undo(self, append: Append) -> None:
        payload, at = self.old
        append(EventKind.CORRECTION, payload, at=at, supersedes=self.event_id)


class UndoStack:
    def __init__(self) -> None:
        self._done: list[Command] = []
        self._undone: list[Command] = []

    def push(self, command: Command) -> None:
        """A step that has just been done."""
        self._done.append(command)
        self._undone.clear()

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    def take_undo(self) -> Command | None:
        if not self._done:
            return None
        command = self._done.pop()
        self._undone.append(command)
        return command

    def take_redo(self) -> Command | None:
        if not self._undone:
            return None
        command = self._undone.pop()
        self._done.append(command)
        return command

    def give_back_undo(self) -> None:
        """The undo failed to record: the step is still done."""
        self._done.append(self._undone.pop())

    def give_back_redo(self) -> None:
        self._undone.append(self._done.pop())

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    def state(self) -> tuple[str, str]:
        return self.undo_text, self.redo_text
