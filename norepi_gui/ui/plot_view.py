"""Keeps the MAP plot in step with the bedside record: new entries are appended, never redrawn from scratch.

A reading adds one point, a dose change one step and one marker, a co-infusion one marker; an escalation is marked
when it first appears in the recorded advice, an answered prompt when it is recorded. Only opening a session (or a
correction, deletion or undo, which change the past) redraws the plot from the record. The monitor trace is left
alone by such a redraw: it is not part of the charted record. The bedside monitor's values are appended as they come,
gathered for at most ``MONITOR_DRAW_MS`` (a fast feed costs one plot update per gathering, not one per message); a
session opened draws its whole trace once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from norepi_gui.bedside.records import ANSWER_NEW_READING, AnswerRecord
from norepi_gui.core.events import EventKind

if TYPE_CHECKING:
    from norepi_gui.bedside.state import CoInfusionRow, DoseRow, ReadingRow
    from norepi_gui.core.events import Event
    from norepi_gui.monitor.samples import MonitorSample
    from norepi_gui.ui.controller import BedsideController
    from norepi_gui.ui.map_plot import MapPlot
    from norepi_gui.ui.plot_area import PlotArea

MONITOR_DRAW_MS = 100  # monitor values are gathered this long before the plot draws them


class PlotView(QObject):
    def __init__(self, controller: BedsideController, area: PlotArea, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._area = area
        self._escalations: set[str] = set()  # escalation codes of the last recorded advice
        area.built.connect(self._built)
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
        controller.monitor_samples_appended.connect(self._monitor_added)
        self._monitor_queue: list[MonitorSample] = []
        self._monitor_timer = QTimer(self)
        self._monitor_timer.setSingleShot(True)
        self._monitor_timer.setInterval(MONITOR_DRAW_MS)
        self._monitor_timer.timeout.connect(self.draw_monitor)

    @property
    def _plot(self) -> MapPlot | None:
        return self._area.plot if self._area.is_built else None  # a progressive start draws once it is built

    # ------------------------------------------------------------------------------------------------ redraw
    def _session_changed(self) -> None:
        plot = self._plot
        self._monitor_queue.clear()
        if plot is not None:
            plot.clear(monitor=True)
            self._draw_trace(plot)
        self.redraw()

    def _draw_trace(self, plot: MapPlot) -> None:
        """The session's whole monitor trace (a session opened): the arterial line's, or the cuff's without one."""
        trace = self._controller.session.state.monitor
        if not len(trace):
            return
        import numpy as np

        plot.set_monitor_gap(self._controller.session.protocol.monitor.stale_after_s)
        times = np.frombuffer(trace.times_epoch, dtype=np.float64)
        maps = np.frombuffer(trace.maps, dtype=np.float64)
        sources = np.frombuffer(trace.sources(), dtype=np.int8)
        keep = sources == 0 if bool(np.any(sources == 0)) else np.ones(len(times), dtype=bool)
        plot.append_monitor_samples(times[keep], maps[keep])

    def _built(self) -> None:
        plot = self._plot
        if plot is not None:
            self._draw_trace(plot)
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

    def _monitor_added(self, samples: tuple[MonitorSample, ...]) -> None:
        self._monitor_queue.extend(samples)
        if not self._monitor_timer.isActive():
            self._monitor_timer.start()

    def draw_monitor(self) -> None:
        """Draw the monitor values gathered since the last time: the arterial line's; a cuff value only where no
        arterial value came with it (a cuff-only bed)."""
        self._monitor_timer.stop()
        queue, self._monitor_queue = self._monitor_queue, []
        plot = self._plot
        if plot is None or not queue:
            return
        from norepi_gui.monitor.samples import SampleSource

        arterial = {s.at for s in queue if s.source is SampleSource.ARTERIAL}
        shown = sorted((s for s in queue if s.source is SampleSource.ARTERIAL or s.at not in arterial),
                       key=lambda s: s.at)
        plot.set_monitor_gap(self._controller.session.protocol.monitor.stale_after_s)
        plot.append_monitor_samples([s.at.timestamp() for s in shown], [s.map_mmhg for s in shown])

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
