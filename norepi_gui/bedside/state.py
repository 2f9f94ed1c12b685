"""One session's picture, folded from its events one at a time (Qt-free, no clinical logic).

:meth:`SessionState.apply` folds one event in and returns a :class:`Delta`: what it added or changed. An event that
lands after everything of its kind (the bedside's normal case: a reading, a dose change, a co-infusion) is appended in
O(1); one that lands earlier (a back-dated entry, a correction of an old reading, a deletion, an undo) is placed by
binary search and the delta says the kind was reordered, so the views and the engine inputs rebuild that kind only.
Opening a session folds its whole log once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from norepi_gui.bedside.monitor import MonitorTrace
from norepi_gui.bedside.records import (
    AnswerRecord,
    AudioPauseRecord,
    BagRecord,
    CoInfusionRecord,
    DoseRecord,
    HandoverRecord,
    MonitorLinkRecord,
    MonitorSamplesRecord,
    OrderRecord,
    PatientRecord,
    PerfusionRecord,
    PromptShownRecord,
    ReadingRecord,
    SettingRecord,
    SiteCheckRecord,
    SnoozeRecord,
    nurse_of,
)
from norepi_gui.core.events import Event, EventKind, JsonValue

if TYPE_CHECKING:
    from norepi_gui.core.order import TitrationOrder


@dataclass(frozen=True, slots=True)
class ReadingRow:
    event_id: int
    seq: int
    at: datetime
    record: ReadingRecord

    @property
    def map_mmhg(self) -> float:
        return self.record.map_mmhg

    @property
    def sbp_mmhg(self) -> float | None:
        return self.record.sbp_mmhg

    @property
    def dbp_mmhg(self) -> float | None:
        return self.record.dbp_mmhg

    @property
    def hr_per_min(self) -> float | None:
        return self.record.hr_per_min

    @property
    def map_from_pressures(self) -> bool:
        return self.record.map_from_pressures

    @property
    def perfusion(self) -> dict[str, JsonValue]:
        return self.record.perfusion


@dataclass(frozen=True, slots=True)
class DoseRow:
    event_id: int
    seq: int
    at: datetime
    record: DoseRecord

    @property
    def dose_mcg_per_kg_per_min(self) -> float | None:
        return self.record.dose_mcg_per_kg_per_min

    @property
    def dose_mcg_per_min(self) -> float:
        return self.record.dose_mcg_per_min

    @property
    def pump_rate_ml_per_h(self) -> float:
        return self.record.pump_rate_ml_per_h

    @property
    def concentration_mcg_per_ml(self) -> float:
        return self.record.concentration_mcg_per_ml

    @property
    def source(self) -> str:
        return self.record.source

    @property
    def running(self) -> bool:
        return self.record.running


@dataclass(frozen=True, slots=True)
class CoInfusionRow:
    event_id: int
    seq: int
    at: datetime
    record: CoInfusionRecord

    @property
    def drug(self) -> str:
        return self.record.drug

    @property
    def action(self) -> str:
        return self.record.action

    @property
    def dose(self) -> float:
        return self.record.dose

    @property
    def unit(self) -> str:
        return self.record.unit


@dataclass(frozen=True, slots=True)
class PerfusionRow:
    event_id: int
    seq: int
    at: datetime
    record: PerfusionRecord

    @property
    def perfusion(self) -> dict[str, JsonValue]:
        return self.record.perfusion


Row = TypeVar("Row", ReadingRow, DoseRow, CoInfusionRow, PerfusionRow)


class TimeOrdered(Generic[Row]):
    """Rows kept in clinical order (time, then recording order), with O(1) append at the end."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._keys: list[tuple[datetime, int]] = []
        self._by_id: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: Row) -> bool:
        """Place ``row``; True when it went at the end (nothing before it moved)."""
        key = (row.at, row.seq)
        self._by_id[row.event_id] = row
        if not self._keys or key >= self._keys[-1]:
            self._keys.append(key)
            self.rows.append(row)
            return True
        index = bisect_right(self._keys, key)
        self._keys.insert(index, key)
        self.rows.insert(index, row)
        return False

    def remove(self, event_id: int) -> Row | None:
        row = self._by_id.pop(event_id, None)
        if row is None:
            return None
        index = bisect_left(self._keys, (row.at, row.seq))
        del self._keys[index]
        del self.rows[index]
        return row

    def get(self, event_id: int) -> Row | None:
        return self._by_id.get(event_id)

    def last_at_or_before(self, when: datetime, seq: int = 1 << 62) -> Row | None:
        """The last row at or before ``when`` (and, at the same time, recorded before ``seq``): binary search."""
        index = bisect_right(self._keys, (when, seq))
        return self.rows[index - 1] if index else None

    def after(self, when: datetime) -> list[Row]:
        return self.rows[bisect_right(self._keys, (when, 1 << 62)):]

    def after_or_at(self, when: datetime) -> list[Row]:
        return self.rows[bisect_left(self._keys, (when, -1)):]


@dataclass(frozen=True, slots=True)
class HandoverRow:
    """A nurse signed on or took over (``record.outgoing`` is ``None`` at a sign-on)."""

    event_id: int
    at: datetime
    record: HandoverRecord


@dataclass(frozen=True, slots=True)
class AmendmentRow:
    """A correction or deletion of an earlier entry: when it was recorded, by whom, and what it changed."""

    event_id: int
    recorded_at: datetime
    target_id: int  # the original entry
    target_kind: EventKind
    deleted: bool
    nurse: str | None


@dataclass
class Delta:
    """What one event changed in the state. ``appended_*``: rows added at the end of their kind, in order;
    ``reordered``: kinds whose rows changed anywhere else (views and engine inputs rebuild those)."""

    appended_readings: list[ReadingRow] = field(default_factory=list)
    appended_doses: list[DoseRow] = field(default_factory=list)
    appended_co: list[CoInfusionRow] = field(default_factory=list)
    appended_perfusion: list[PerfusionRow] = field(default_factory=list)
    reordered: set[str] = field(default_factory=set)  # "readings" | "doses" | "co" | "perfusion"
    aspects: set[str] = field(default_factory=set)  # "patient" | "bag" | "settings" | "prompt" | "advice_log" | ...

    def merge(self, other: Delta) -> None:
        self.appended_readings += other.appended_readings
        self.appended_doses += other.appended_doses
        self.appended_co += other.appended_co
        self.appended_perfusion += other.appended_perfusion
        self.reordered |= other.reordered
        self.aspects |= other.aspects
        for kind, rows in (("readings", self.appended_readings), ("doses", self.appended_doses),
                           ("co", self.appended_co), ("perfusion", self.appended_perfusion)):
            if kind in self.reordered:
                rows.clear()  # the whole kind is redrawn: no separate appends

    @property
    def empty(self) -> bool:
        return not (self.appended_readings or self.appended_doses or self.appended_co or self.appended_perfusion
                    or self.reordered or self.aspects)

    def touches(self, *names: str) -> bool:
        kinds = {"readings": bool(self.appended_readings), "doses": bool(self.appended_doses),
                 "co": bool(self.appended_co), "perfusion": bool(self.appended_perfusion)}
        return any(kinds.get(n, False) or n in self.reordered or n in self.aspects for n in names)


@dataclass(frozen=True)
class PromptLog:
    """The prompt cycle since the last anchor (a reading, or an answer recorded after it)."""

    anchor_seq: int = 0
    answer: Event | None = None  # an applied / not-applied answer recorded after the latest reading
    shown_at: datetime | None = None
    shown_priority: str | None = None
    snoozes: int = 0
    snoozed_until: datetime | None = None


class SessionState:
    """The session as the bedside layer knows it. Only :class:`SessionState.apply` changes it."""

    def __init__(self) -> None:
        self.patient = PatientRecord()
        self.patient_event: Event | None = None
        self.bag: BagRecord | None = None
        self.bag_at: datetime | None = None  # when the bag (and its volume) was last recorded
        self.bag_hung_at: datetime | None = None  # when the running bag was hung ("New bag hung")
        self._bags: list[Event] = []  # every bag entry as it stands (an undone "new bag" gives the previous back)
        self._perfusion: TimeOrdered[PerfusionRow] = TimeOrdered()
        self.site_checks: list[Event] = []
        self.audio_pause: AudioPauseRecord | None = None
        self._readings: TimeOrdered[ReadingRow] = TimeOrdered()
        self._doses: TimeOrdered[DoseRow] = TimeOrdered()
        self._co: TimeOrdered[CoInfusionRow] = TimeOrdered()
        self.active_co_infusions: dict[str, CoInfusionRow] = {}
        self.settings: dict[str, JsonValue] = {}
        self.last_advice: Event | None = None  # the last ADVICE recorded (what was shown), for the audit trail
        self.advice_events: list[Event] = []
        self.answers: list[Event] = []
        self.sim_events: list[Event] = []
        self.prompt = PromptLog()
        self._effective: dict[int, Event] = {}  # original id -> the event as it stands (corrections folded in)
        self._root: dict[int, int] = {}  # any event id -> the original it corrects (itself for originals)
        self._deleted: set[int] = set()
        self.event_count = 0
        self.last_reading_seq = 0
        self.order: TitrationOrder | None = None  # the titration order in force (the latest ORDER event)
        self.order_event: Event | None = None
        self.handovers: list[HandoverRow] = []  # sign-ons and shift changes, in recording order
        self.amendments: list[AmendmentRow] = []  # corrections and deletions, in recording order
        self.first_at: datetime | None = None  # when the first event was recorded (the session's start)
        self._authors: dict[int, str | None] = {}  # original entry id -> the nurse on duty when it was recorded
        #: The bedside monitor's samples (MONITOR_SAMPLES batches, and those taken but not yet in one: see
        #: ``bedside/monitor.py``); apart from the readings, never read by the engine.
        self.monitor = MonitorTrace()
        self.monitor_link: MonitorLinkRecord | None = None  # the monitor feed as last recorded (MONITOR_LINK)

    # ------------------------------------------------------------------------------------------------ reading
    @property
    def readings(self) -> list[ReadingRow]:
        return self._readings.rows

    @property
    def doses(self) -> list[DoseRow]:
        return self._doses.rows

    @property
    def co_infusion_log(self) -> list[CoInfusionRow]:
        return self._co.rows

    @property
    def perfusion_log(self) -> list[PerfusionRow]:
        return self._perfusion.rows

    def perfusion_between(self, start: datetime | None, end: datetime | None) -> list[PerfusionRow]:
        """Perfusion entries at or after ``start`` and before ``end`` (``None``: open on that side)."""
        rows = self._perfusion.rows if start is None else self._perfusion.after_or_at(start)
        return rows if end is None else [row for row in rows if row.at < end]

    @property
    def last_site_check(self) -> Event | None:
        return self.site_checks[-1] if self.site_checks else None

    @property
    def last_reading(self) -> ReadingRow | None:
        return self._readings.rows[-1] if self._readings.rows else None

    @property
    def current_dose(self) -> DoseRow | None:
        return self._doses.rows[-1] if self._doses.rows else None

    def dose_at(self, when: datetime, seq: int = 1 << 62) -> DoseRow | None:
        """The dose row the pump ran at ``when`` (the last one at or before it; at the same time, the last one
        recorded before ``seq``); ``None`` before any."""
        return self._doses.last_at_or_before(when, seq)

    def dose_at_reading(self, row: ReadingRow) -> DoseRow | None:
        """The dose running when a reading was taken (a dose set at the same minute after it does not count)."""
        return self._doses.last_at_or_before(row.at, row.seq)

    def co_at(self, when: datetime) -> dict[str, float]:
        """The co-infusions running at ``when`` and their doses."""
        running: dict[str, float] = {}
        for row in self._co.rows:
            if row.at > when:
                break
            if row.action == "stop":
                running.pop(row.drug, None)
            else:
                running[row.drug] = row.dose
        return running

    def doses_after(self, when: datetime) -> list[DoseRow]:
        return self._doses.after(when)

    @property
    def infusing(self) -> bool:
        dose = self.current_dose
        return dose is not None and dose.running

    def weight_kg(self) -> float | None:
        return self.patient.weight_kg

    def effective_event(self, event_id: int) -> Event | None:
        """The entry as it stands now (its latest correction folded in); ``None`` if deleted or unknown."""
        root = self._root.get(event_id, event_id)
        if root in self._deleted:
            return None
        return self._effective.get(root)

    def effective_events(self) -> list[Event]:
        """Every entry as it stands, in clinical order (as :func:`norepi_gui.core.events.effective_events`)."""
        kept = [e for eid, e in self._effective.items() if eid not in self._deleted]
        return sorted(kept, key=lambda e: (e.at, e.seq))

    @property
    def nurse(self) -> str | None:
        """The nurse on duty: the incoming nurse of the latest sign-on or handover; ``None`` before any."""
        return self.handovers[-1].record.incoming if self.handovers else None

    @property
    def bed(self) -> str:
        return self.handovers[-1].record.bed if self.handovers else ""

    @property
    def shift_start(self) -> datetime | None:
        """When the current shift began: the latest sign-on or handover, else the session's first entry."""
        return self.handovers[-1].at if self.handovers else self.first_at

    def author(self, event_id: int) -> str | None:
        """The nurse on duty when the entry ``event_id`` was first recorded (corrections keep it)."""
        return self._authors.get(self._root.get(event_id, event_id))

    # ------------------------------------------------------------------------------------------------ folding
    def apply(self, event: Event) -> Delta:
        """Fold one event in (events arrive in recording order)."""
        self.event_count += 1
        if self.first_at is None:
            self.first_at = event.recorded_at
        if event.kind in (EventKind.CORRECTION, EventKind.DELETION):
            target = event.supersedes
            root = self._root.get(target, target) if target is not None else None
            original = self._effective.get(root) if root is not None else None
            if original is not None and root is not None:
                self.amendments.append(AmendmentRow(event.id, event.recorded_at, root, original.kind,
                                                    event.kind is EventKind.DELETION, nurse_of(event.payload)))
        if event.kind is EventKind.CORRECTION:
            return self._correct(event)
        if event.kind is EventKind.DELETION:
            return self._delete(event)
        self._root[event.id] = event.id
        self._effective[event.id] = event
        self._authors[event.id] = nurse_of(event.payload)
        return self._add(event)

    def _add(self, event: Event) -> Delta:
        delta = Delta()
        kind, p = event.kind, event.payload
        if kind is EventKind.READING:
            reading = ReadingRecord.from_payload(p)
            if reading is not None:
                row = ReadingRow(event.id, event.seq, event.at, reading)
                if self._readings.add(row):
                    delta.appended_readings.append(row)
                else:
                    delta.reordered.add("readings")
                self.last_reading_seq = event.seq
                self.prompt = PromptLog(anchor_seq=event.seq)
                delta.aspects.add("prompt")
        elif kind is EventKind.NE_DOSE:
            dose = DoseRecord.from_payload(p)
            if dose is not None:
                drow = DoseRow(event.id, event.seq, event.at, dose)
                if self._doses.add(drow):
                    delta.appended_doses.append(drow)
                else:
                    delta.reordered.add("doses")
        elif kind is EventKind.CO_INFUSION:
            co = CoInfusionRecord.from_payload(p)
            if co is not None:
                crow = CoInfusionRow(event.id, event.seq, event.at, co)
                if self._co.add(crow):
                    delta.appended_co.append(crow)
                    if co.action == "stop":
                        self.active_co_infusions.pop(co.drug, None)
                    else:
                        self.active_co_infusions[co.drug] = crow
                else:
                    delta.reordered.add("co")
                    self._refresh_active()
        elif kind is EventKind.PATIENT:
            self.patient = PatientRecord.from_payload(p)
            self.patient_event = event
            delta.aspects.add("patient")
        elif kind is EventKind.INFUSION:
            self._bags.append(event)
            self._set_bag(event)
            delta.aspects.add("bag")
        elif kind is EventKind.PERFUSION:
            perfusion = PerfusionRecord.from_payload(p)
            if perfusion is not None:
                prow = PerfusionRow(event.id, event.seq, event.at, perfusion)
                if self._perfusion.add(prow):
                    delta.appended_perfusion.append(prow)
                else:
                    delta.reordered.add("perfusion")
        elif kind is EventKind.SITE_CHECK:
            if SiteCheckRecord.from_payload(p) is not None:
                self.site_checks.append(event)
                delta.aspects.add("line")
        elif kind is EventKind.AUDIO_PAUSED:
            self.audio_pause = AudioPauseRecord.from_payload(p)
            delta.aspects.add("alarms")
        elif kind is EventKind.SETTING:
            setting = SettingRecord.from_payload(p)
            if setting is not None:
                self.settings[setting.key] = setting.value
                delta.aspects.add("settings")
        elif kind is EventKind.ADVICE:
            self.last_advice = event
            self.advice_events.append(event)
            delta.aspects.add("advice_log")
        elif kind is EventKind.PROMPT_ANSWERED:
            self.answers.append(event)
            answer = AnswerRecord.from_payload(p)
            if answer is not None and answer.answer != "new_reading":
                self.prompt = PromptLog(anchor_seq=event.seq, answer=event)
            delta.aspects.add("prompt")
        elif kind is EventKind.PROMPT_SHOWN:
            shown = PromptShownRecord.from_payload(p)
            log = self.prompt
            self.prompt = PromptLog(log.anchor_seq, log.answer, log.shown_at or event.at,
                                    shown.priority if shown is not None else log.shown_priority,
                                    log.snoozes, log.snoozed_until)
            delta.aspects.add("prompt")
        elif kind is EventKind.PROMPT_SNOOZED:
            snooze = SnoozeRecord.from_payload(p)
            log = self.prompt
            self.prompt = PromptLog(log.anchor_seq, log.answer, log.shown_at, log.shown_priority, log.snoozes + 1,
                                    snooze.until if snooze is not None else log.snoozed_until)
            delta.aspects.add("prompt")
        elif kind is EventKind.MONITOR_SAMPLES:
            batch = MonitorSamplesRecord.from_payload(p)
            if batch is not None and self.monitor.add(batch.samples):
                delta.aspects.add("monitor_samples")  # only when opening a session: a batch taken is there already
        elif kind is EventKind.MONITOR_LINK:
            link = MonitorLinkRecord.from_payload(p)
            if link is not None:
                self.monitor_link = link
                delta.aspects.add("monitor")
        elif kind is EventKind.SIM_EVENT:
            self.sim_events.append(event)
            delta.aspects.add("sim")
        elif kind is EventKind.SESSION_CLOSED:
            delta.aspects.add("session")
        elif kind is EventKind.ORDER:
            order = OrderRecord.from_payload(p)
            if order is not None:
                self.order, self.order_event = order.order, event
                delta.aspects.add("order")
        elif kind is EventKind.HANDOVER:
            handover = HandoverRecord.from_payload(p)
            if handover is not None:
                self.handovers.append(HandoverRow(event.id, event.at, handover))
                delta.aspects.add("nurse")
        return delta

    def _remove_row(self, event_id: int, kind: EventKind) -> Delta:
        delta = Delta()
        if kind is EventKind.READING and self._readings.remove(event_id) is not None:
            delta.reordered.add("readings")
        elif kind is EventKind.NE_DOSE and self._doses.remove(event_id) is not None:
            delta.reordered.add("doses")
        elif kind is EventKind.CO_INFUSION and self._co.remove(event_id) is not None:
            delta.reordered.add("co")
            self._refresh_active()
        elif kind is EventKind.PERFUSION and self._perfusion.remove(event_id) is not None:
            delta.reordered.add("perfusion")
        elif kind is EventKind.INFUSION:
            self._bags = [e for e in self._bags if e.id != event_id]
            if self._bags:
                self._set_bag(self._bags[-1])
            else:
                self.bag, self.bag_at, self.bag_hung_at = None, None, None
            delta.aspects.add("bag")
        return delta

    def _set_bag(self, event: Event) -> None:
        self.bag = BagRecord.from_payload(event.payload)
        self.bag_at = event.at
        hung = [e.at for e in self._bags if e.payload.get("hung") is True]
        self.bag_hung_at = hung[-1] if hung else None

    def _correct(self, event: Event) -> Delta:
        target = event.supersedes
        root = self._root.get(target, target) if target is not None else None
        original = self._effective.get(root) if root is not None else None
        self._root[event.id] = root if root is not None else event.id
        if original is None or root is None:
            return Delta()
        corrected = Event(original.id, original.session_id, original.seq, event.at, original.recorded_at,
                          original.kind, event.payload, original.supersedes)
        self._effective[root] = corrected
        if root in self._deleted:
            return Delta()
        delta = self._remove_row(root, original.kind)
        added = self._add_row_only(corrected)
        delta.merge(added)
        if original.kind in (EventKind.READING, EventKind.NE_DOSE, EventKind.CO_INFUSION, EventKind.PERFUSION):
            delta.reordered.add({EventKind.READING: "readings", EventKind.NE_DOSE: "doses",
                                 EventKind.CO_INFUSION: "co", EventKind.PERFUSION: "perfusion"}[original.kind])
            delta.appended_readings.clear()
            delta.appended_doses.clear()
            delta.appended_co.clear()
            delta.appended_perfusion.clear()
        return delta

    def _add_row_only(self, event: Event) -> Delta:
        """Place a corrected entry without touching the prompt cycle (a correction is not a new check)."""
        saved_prompt, saved_seq = self.prompt, self.last_reading_seq
        delta = self._add(event)
        if event.kind is EventKind.READING:
            self.prompt, self.last_reading_seq = saved_prompt, saved_seq
            delta.aspects.discard("prompt")
        return delta

    def _delete(self, event: Event) -> Delta:
        target = event.supersedes
        root = self._root.get(target, target) if target is not None else None
        self._root[event.id] = root if root is not None else event.id
        original = self._effective.get(root) if root is not None else None
        if original is None or root is None or root in self._deleted:
            return Delta()
        self._deleted.add(root)
        return self._remove_row(root, original.kind)

    def _refresh_active(self) -> None:
        active: dict[str, CoInfusionRow] = {}
        for row in self._co.rows:
            if row.action == "stop":
                active.pop(row.drug, None)
            else:
                active[row.drug] = row
        self.active_co_infusions = active


def fold(events: list[Event]) -> SessionState:
    """A state folded from a whole log (recording order)."""
    state = SessionState()
    for event in sorted(events, key=lambda e: e.seq):
        state.apply(event)
    return state
