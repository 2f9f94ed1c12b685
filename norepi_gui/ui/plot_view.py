"""Keeps the MAP plot in step with the bedside record: new entries are appended, never redrawn from scratch.

A reading adds one point, a dose change one step and one marker, a co-infusion one marker; an escalation is marked
when it first appears in the recorded advice, an answered prompt when it is recorded. Only opening a session (or a
correction, deletion or undo, which change the past) redraws the plot from the record. The monitor trace is left
alone by such a redraw: it is not part of the charted record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from norepi_gui.bedside.records import ANSWER_NEW_READING, AnswerRecord
from norepi_gui.core.events import EventKind

if TYPE_CHECKING:
    from norepi_gui.bedside.state import CoInfusionRow, DoseRow, ReadingRow
    from norepi_gui.core.events import Event
    from norepi_gui.ui.controller import BedsideController
    from norepi_gui.ui.map_plot import MapPlot
    from norepi_gui.ui.plot_area import PlotArea


class PlotView(QObject):
    def __init__(self, controller: BedsideController, area: PlotArea, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._area = area
        self._escalations: set[str] = set()  # escalation codes of the last recorded advice
        area.built.connect(self.redraw)
        controller.session_changed.connect(self._session_changed)
        for signal in (controller.entries_reset, controller.settings_changed, controller.patient_changed,
                       controller.display_changed):
            signal.connect(self.redraw)
        controller.readings_appended.connect(self._readings_added)
        controller.doses_appended.connect(self._doses_added)
        controller.co_infusions_appended.connect(self._co_added)
        controller.events_recorded.connect(self._events_recorded)
        controller.advice_changed.connect(self._band)
        controller.clock_minute.connect(self._extend)

    @property
    def _plot(self) -> MapPlot | None:
        return self._area.plot if self._area.is_built else None  # a progressive start draws once it is built

    # ------------------------------------------------------------------------------------------------ redraw
    def _session_changed(self) -> None:
        plot = self._plot
        if plot is not None:
            plot.clear(monitor=True)
        self.redraw()

    def redraw(self) -> None:
        """Draw the whole record (a session opened, or the past changed)."""
        plot = self._plot
        if plot is None:
            return
        state = self._controller.session.state
        plot.clear(monitor=False)
        plot.set_dose_unit(self._controller.display.dose_unit)
        self._band()
        plot.set_readings([r.at for r in state.readings], [r.map_mmhg for r in state.readings])
        weight = state.weight_kg()
        times, doses = [], []
        for d in state.doses:
            value = self._per_kg(d, weight)
            if value is not None:
                times.append(d.at)
                doses.append(value)
        plot.set_dose_steps(times, doses)
        for d in state.doses:
            plot.add_marker(d.at, "titration", self._dose_text(d))
        for c in state.co_infusion_log:
            plot.add_marker(c.at, "co_infusion", self._co_text(c))
        self._escalations = set()
        for event in state.advice_events:
            self._mark_escalations(plot, event)
        for answer in state.answers:
            self._mark_answer(plot, answer)
        plot.extend_to(self._controller.session.now())

    # ------------------------------------------------------------------------------------------------ appends
    def _readings_added(self, rows: tuple[ReadingRow, ...]) -> None:
        plot = self._plot
        if plot is not None:
            for r in rows:
                plot.add_reading(r.at, r.map_mmhg)

    def _doses_added(self, rows: tuple[DoseRow, ...]) -> None:
        plot = self._plot
        if plot is None:
            return
        weight = self._controller.session.state.weight_kg()
        for d in rows:
            value = self._per_kg(d, weight)
            if value is not None:
                plot.add_dose_step(d.at, value)
            plot.add_marker(d.at, "titration", self._dose_text(d))

    def _co_added(self, rows: tuple[CoInfusionRow, ...]) -> None:
        plot = self._plot
        if plot is not None:
            for c in rows:
                plot.add_marker(c.at, "co_infusion", self._co_text(c))

    def _events_recorded(self, events: tuple[Event, ...]) -> None:
        plot = self._plot
        if plot is None:
            return
        for event in events:
            if event.kind is EventKind.ADVICE:
                self._mark_escalations(plot, event)
            elif event.kind is EventKind.PROMPT_ANSWERED:
                self._mark_answer(plot, event)

    def _band(self) -> None:
        plot = self._plot
        band = self._controller.session.target_band()
        if plot is not None and band is not None and band != plot.target_band():
            plot.set_target_band(*band)

    def _extend(self) -> None:
        plot = self._plot
        if plot is not None:
            plot.extend_to(self._controller.session.now())

    # ------------------------------------------------------------------------------------------------ texts
    def _per_kg(self, d: DoseRow, weight: float | None) -> float | None:
        """The dose step in the unit the plot shows (the nurse's unit)."""
        if not d.running:
            return 0.0
        if self._controller.display.flat_first:
            return d.dose_mcg_per_min
        if d.dose_mcg_per_kg_per_min is not None:
            return d.dose_mcg_per_kg_per_min
        return None if weight is None or weight <= 0 else d.dose_mcg_per_min / weight

    def _dose_text(self, d: DoseRow) -> str:
        display = self._controller.display
        dose = display.dose(d.dose_mcg_per_kg_per_min, d.dose_mcg_per_min)
        return f"NE {dose}, {display.rate(d.pump_rate_ml_per_h)} mL/h"

    @staticmethod
    def _co_text(c: CoInfusionRow) -> str:
        return f"{c.drug} {c.action} {c.dose:g} {c.unit}"

    def _mark_escalations(self, plot: MapPlot, event: Event) -> None:
        """Mark an escalation when it first appears in the advice, not at every check."""
        items = event.payload.get("escalations")
        codes = {str(x.get("code")) for x in items if isinstance(x, dict)} if isinstance(items, list) else set()
        new = codes - self._escalations
        if new:
            plot.add_marker(event.at, "escalation", ", ".join(sorted(new)))
        self._escalations = codes

    @staticmethod
    def _mark_answer(plot: MapPlot, event: Event) -> None:
        answer = AnswerRecord.from_payload(event.payload)
        if answer is None or answer.answer == ANSWER_NEW_READING:  # a new reading is already on the plot
            return
        text = answer.answer.replace("_", " ") + (f": {answer.reason}" if answer.reason else "")
        plot.add_marker(event.at, "acknowledgement", text)
