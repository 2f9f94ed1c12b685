"""What one bedside operation changed, as one typed description the views redraw from (once per operation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from norepi_gui.bedside.state import CoInfusionRow, Delta, DoseRow, PerfusionRow, ReadingRow
from norepi_gui.core.events import Event
from norepi_gui.monitor.samples import MonitorSample

Row = TypeVar("Row", ReadingRow, DoseRow, CoInfusionRow, PerfusionRow)


@dataclass(frozen=True)
class Rows(Generic[Row]):
    """Rows of one kind: ``appended`` at the end, in order; or ``reset``: the kind changed elsewhere, redraw it all."""

    appended: tuple[Row, ...] = ()
    reset: bool = False

    def __bool__(self) -> bool:
        return self.reset or bool(self.appended)


@dataclass(frozen=True)
class FieldProblem:
    """An entry refused by the core, to be shown under the field it names."""

    field: str  # "dose" | "weight" | "concentration" | ...
    message: str


@dataclass(frozen=True)
class Change:
    """Everything an operation did. A view subscribes to the parts it shows."""

    recorded: tuple[Event, ...] = ()
    readings: Rows[ReadingRow] = field(default_factory=Rows)
    doses: Rows[DoseRow] = field(default_factory=Rows)
    co_infusions: Rows[CoInfusionRow] = field(default_factory=Rows)
    perfusion: Rows[PerfusionRow] = field(default_factory=Rows)
    patient: bool = False
    bag: bool = False
    settings: bool = False
    session: bool = False  # a session was created, opened or closed: every view redraws
    advice: bool = False  # the derived advice changed
    prompt: bool = False  # the check cycle (due time, prompt, snoozes) changed
    undo: bool = False  # what Undo / Redo would do changed
    alarms: bool = False  # the alarms sounding or shown (bag, line, site check, check due, audio pause) changed
    sim: bool = False  # a training event was recorded
    monitor_samples: tuple[MonitorSample, ...] = ()  # the bedside monitor's new values, as they came (for the plot)
    monitor: bool = False  # the monitor feed's link or state (off, waiting, live, stale) changed
    message: str = ""  # a status line: what was done, or why nothing was
    problem: FieldProblem | None = None
    failure: str = ""  # recording failed: shown at once as an alarm, nothing is shown as recorded
    notice: str = ""  # something the nurse must know that is not a failure (the computer's clock moved back)

    @property
    def nothing(self) -> bool:
        return self == Change()

    @staticmethod
    def from_delta(delta: Delta, recorded: tuple[Event, ...]) -> Change:
        return Change(
            recorded=recorded,
            readings=Rows(tuple(delta.appended_readings), "readings" in delta.reordered),
            doses=Rows(tuple(delta.appended_doses), "doses" in delta.reordered),
            co_infusions=Rows(tuple(delta.appended_co), "co" in delta.reordered),
            perfusion=Rows(tuple(delta.appended_perfusion), "perfusion" in delta.reordered),
            patient="patient" in delta.aspects,
            bag="bag" in delta.aspects,
            settings="settings" in delta.aspects,
            session="session" in delta.aspects,
            prompt="prompt" in delta.aspects,
            sim="sim" in delta.aspects,
            monitor="monitor" in delta.aspects,
        )
