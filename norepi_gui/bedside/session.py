"""The bedside session: the only writer of a session's record and the only deriver of what follows from it.

Every user action is an operation here (record a reading, set a dose, stop, change the weight, hang a bag, apply the
advice, answer or snooze a prompt, correct, delete, undo). An operation checks its entry through the core, asks for
any confirmation the core requires through the injected ``confirm`` callback, appends its events to the store (each
on disk before anything shows it), folds them into :class:`SessionState`, re-derives the advice whenever anything it
depends on changed (readings, doses, co-infusions, patient, bag, settings, the clock passing a due time) and returns
one :class:`Change`. The window adapts it (``norepi_gui.ui.controller``); ``norepi-gui advise`` reads a CSV into a
record and asks the same derivation; the trainer drives the window's session.

Advice is derived, never stored state: an ADVICE event records what was shown (an audit trail the debrief and the
report read), and is never read back to decide anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from norepi_gui.bedside.alarms import Alarm, AlarmState, derive_alarms
from norepi_gui.bedside.changes import Change, FieldProblem, Rows
from norepi_gui.bedside.inputs import EngineInputs, Unavailable, bag_left_ml, dose_summary, per_kg
from norepi_gui.bedside.monitor import MonitorFeed
from norepi_gui.bedside.prompts import PromptState, prompt_state
from norepi_gui.bedside.quality import QualityTracker, quality_figures
from norepi_gui.bedside.records import (
    ANSWER_APPLIED,
    ANSWER_NEW_READING,
    ANSWER_NOT_APPLIED,
    SETTING_PROTOCOL,
    SETTING_PUMP_RESOLUTION,
    SITE_OK,
    SOURCE_MONITOR,
    AnswerRecord,
    AudioPauseRecord,
    BagRecord,
    CoInfusionRecord,
    DoseRecord,
    HandoverRecord,
    MonitorSamplesRecord,
    MonitorShown,
    OrderRecord,
    PatientRecord,
    PerfusionRecord,
    PromptShownRecord,
    ReadingRecord,
    SettingRecord,
    SiteCheckRecord,
    SnoozeRecord,
    as_float,
    check_initials,
    stamp_nurse,
)
from norepi_gui.bedside.state import CoInfusionRow, Delta, DoseRow, SessionState, fold
from norepi_gui.bedside.undo import Batch, Command, CorrectEntry, DeleteEntry, RecordEntry, UndoStack
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import Event, EventKind, JsonValue, Payload, SessionInfo, check_payload
from norepi_gui.core.quality import Band
from norepi_gui.core.storage_errors import DatabaseReplacedError, StorageError

if TYPE_CHECKING:
    from pathlib import Path

    from norepi_gui.bedside.glance import Glance
    from norepi_gui.core.alerts import Alert
    from norepi_gui.core.clock import Clock
    from norepi_gui.core.flowsheet import FlowsheetRow
    from norepi_gui.core.infusion import InfusionSummary
    from norepi_gui.core.order import TitrationOrder
    from norepi_gui.core.protocol import Protocol as ClinicalProtocol
    from norepi_gui.core.quality import QualityFigures
    from norepi_gui.core.session_log import SessionRead, UnreadableRow
    from norepi_gui.core.titration import Advice, Reading
    from norepi_gui.core.units import DoseBasis
    from norepi_gui.monitor.feed import FeedState
    from norepi_gui.monitor.pcd01 import ObservationSet
    from norepi_gui.monitor.summary import Summary

ConfirmFn = Callable[[str, str], bool]

#: Advice alert codes left out when deciding whether the advice changed enough to record it again: the overdue
#: alert escalates with the clock and is recorded as PROMPT_SHOWN.
_TIME_ONLY_ALERTS = frozenset({"CHECK_OVERDUE"})
_STOP_SOURCE = "stopped"
#: Events recorded for the audit trail, not typed by the nurse: recording them does not clear a failure alarm.
_QUIET = frozenset({EventKind.ADVICE, EventKind.PROMPT_SHOWN, EventKind.MONITOR_SAMPLES, EventKind.MONITOR_LINK})


class Store(Protocol):
    """What the session needs of a store: :class:`~norepi_gui.core.session_log.SessionStore` or a MemoryStore."""

    def create_session(self, label: str, *, is_training: bool, protocol_name: str, protocol_version: str,
                       scenario: str | None = None, protocol_sha256: str | None = None) -> SessionInfo: ...

    def read_session(self, session_id: int) -> SessionRead: ...

    def check_file(self) -> None: ...

    def keep_protocol(self, canonical: str) -> str: ...

    def protocol_content(self, sha256: str) -> str | None: ...

    def session(self, session_id: int) -> SessionInfo: ...

    def list_sessions(self, *, training: bool = False) -> list[SessionInfo]: ...

    def open_sessions(self, *, training: bool = False) -> list[SessionInfo]: ...

    def close_session(self, session_id: int) -> SessionInfo: ...

    def append(self, session_id: int, kind: EventKind, payload: Mapping[str, object], *,
               at: datetime | None = None, supersedes: int | None = None) -> Event: ...

    def events(self, session_id: int) -> list[Event]: ...

    def close(self) -> None: ...


class RecordingError(Exception):
    """An event could not be written: nothing was recorded and nothing may be shown as recorded."""


@dataclasses.dataclass(frozen=True)
class MonitorIntake:
    """What became of one accepted monitor message: ``problem`` "" when its values are in the session (the
    listener may then acknowledge it AA), else why not (answered AR, the gateway sends it again)."""

    change: Change
    problem: str = ""


def _decline(_title: str, _text: str) -> bool:
    return False


def advice_key(shown: Mapping[str, JsonValue]) -> tuple[object, ...]:
    """What makes two pieces of advice (``Advice.to_json()``) different for the record; time-only wording, such as
    how overdue the check is, is left out."""
    alerts = shown.get("alerts")
    escalations = shown.get("escalations")
    rules = shown.get("rules")
    return (
        shown.get("action"), shown.get("dose_mcg_per_kg_per_min"), shown.get("rate_ml_per_h"),
        shown.get("target_map"), shown.get("target_map_upper"), shown.get("needs_confirmation"),
        shown.get("next_check_due"), tuple(rules) if isinstance(rules, list) else (),
        tuple((a.get("code"), a.get("priority")) for a in alerts if isinstance(a, dict)
              and a.get("code") not in _TIME_ONLY_ALERTS) if isinstance(alerts, list) else (),
        tuple(e.get("code") for e in escalations if isinstance(e, dict)) if isinstance(escalations, list) else (),
    )


@dataclasses.dataclass
class _Op:
    events: list[Event] = dataclasses.field(default_factory=list)
    delta: Delta = dataclasses.field(default_factory=Delta)
    message: str = ""
    problem: FieldProblem | None = None
    session: bool = False
    undo: bool = False


class BedsideSession:
    """One data folder's sessions, at most one of them current, and everything derived from the current one."""

    def __init__(self, open_store: Callable[[], Store], clock: Clock, protocol: ClinicalProtocol, *,
                 training: bool = False, confirm: ConfirmFn | None = None) -> None:
        self._open_store = open_store
        self._store: Store | None = None
        self.clock = clock
        self.base_protocol = protocol
        self.protocol = protocol
        self.training = training
        #: Asked before anything the core says needs confirmation; declines when nobody answers.
        self.confirm: ConfirmFn = confirm if confirm is not None else _decline
        self.info: SessionInfo | None = None
        self.state = SessionState()
        self.undo_stack = UndoStack()
        self._inputs = EngineInputs()
        self._advice: Advice | Unavailable = Unavailable("No advice yet: record the weight, the infusion and a "
                                                         "reading.")
        self._advice_json: dict[str, JsonValue] | None = None
        self._advice_minute: int | None = None
        self._recorded_key: tuple[object, ...] | None = None
        self.prompt = PromptState()
        self.alarm_state = AlarmState()
        self._alarm_minute: int | None = None
        self._derive_failure = ""
        #: Why recording stopped for good in this run (the database was deleted or replaced); empty while it records.
        self.recording_stopped = ""
        #: Stored rows of the open session that could not be read (left out, never hidden: the window lists them).
        self.unreadable: list[UnreadableRow] = []
        #: The last entry that could not be recorded, in words, until an entry is recorded again (an alarm).
        self.recording_failure = ""
        #: The computer's clock stepped back and has not caught up (an alarm), in words.
        self.clock_step = ""
        self._quality = QualityTracker()
        #: The bedside monitor feed as this session sees it (``bedside/monitor.py``); the window sets it.
        self.monitor = MonitorFeed()
        self._feed_kind: str | None = None

    # ------------------------------------------------------------------------------------------------ store
    @property
    def store(self) -> Store:
        """The session database (opened on first use); RecordingError says why it cannot be used."""
        if self._store is None:
            try:
                self._store = self._open_store()
            except StorageError as exc:
                self.recording_stopped = str(exc)
                self.recording_failure = f"Not recorded: {exc}"
                raise RecordingError(str(exc)) from exc
        return self._store

    @property
    def store_open(self) -> bool:
        return self._store is not None

    def open_store(self) -> str:
        """Open the database now; the problem in words ("" when it opened). Until it opens, every entry is refused
        with that problem and nothing is shown as recorded."""
        try:
            self.store  # noqa: B018 - opening is the point
        except RecordingError as exc:
            return str(exc)
        return ""

    def store_if_open(self) -> Store | None:
        return self._store

    def close_store(self) -> None:
        if self._store is not None:
            self._write_monitor_batch(force=True)
            self._store.close()

    @property
    def writable(self) -> bool:
        return self.info is not None and self.info.closed_at is None

    @property
    def advice(self) -> Advice | Unavailable:
        """The advice derived from the record at the last operation or tick."""
        return self._advice

    def now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------------------------------------------ sessions
    def resumable(self) -> list[SessionInfo]:
        try:
            return self.store.open_sessions(training=self.training)
        except RecordingError:
            return []  # the database cannot be used: said at once, elsewhere

    def sessions(self) -> list[SessionInfo]:
        try:
            return self.store.list_sessions(training=self.training)
        except RecordingError:
            return []

    def new_session(self, label: str, *, scenario: str | None = None, nurse: str | None = None,
                    bed: str = "") -> Change:
        """Close the current session (if open) and start a new one under the base protocol; with ``nurse``, that
        nurse signs on at the start (``bed``: where the patient lies)."""
        incoming: str | None = None
        if nurse is not None and nurse.strip():
            try:
                incoming = check_initials(nurse, "Initials")
                bed = _check_bed(bed)
            except InputError as exc:
                return Change(problem=FieldProblem(exc.field.lower(), _problem_text(exc)))

        def body(op: _Op) -> None:
            self._start(label, scenario)
            op.session = op.undo = True
            if incoming is not None:
                self._append(EventKind.HANDOVER, HandoverRecord(incoming, None, bed).to_payload())
        return self._run(body, needs_session=False)

    def _start(self, label: str, scenario: str | None = None) -> None:
        from norepi_gui.core.protocol_identity import canonical_json

        if self.writable and self.info is not None:
            self._write_monitor_batch(force=True)
            self.info = self.store.close_session(self.info.id)
        p = self.base_protocol
        sha = self.store.keep_protocol(canonical_json(p))  # the session records the very protocol it runs under
        self.info = self.store.create_session(label, is_training=self.training, protocol_name=p.meta.name,
                                              protocol_version=p.meta.version, scenario=scenario,
                                              protocol_sha256=sha)
        self.unreadable = []
        self._session_protocol: ClinicalProtocol | None = None
        self._begin([])
        with suppress(RecordingError):  # said by the next monitor value it refuses
            self._note_monitor_link()

    def open_session(self, session_id: int) -> Change:
        """Open a session: what can be read of it (rows that cannot are listed, never hidden), under the protocol
        it was recorded with when that one is kept (or a message saying the protocol changed)."""
        if self.writable:
            self._write_monitor_batch(force=True)
        read = self.store.read_session(session_id)
        self.info = read.info
        self.unreadable = list(read.unreadable)
        message = self._resume_protocol(read)
        self._begin(read.events)
        if self.writable:
            with suppress(RecordingError):  # said by the next monitor value it refuses
                self._note_monitor_link()
        if self.unreadable:
            rows = ", ".join(f"{u.table} row {u.row_id}" + (f" (entry {u.seq})" if u.seq is not None else "")
                             + f": {u.reason}" for u in self.unreadable[:5])
            more = f" and {len(self.unreadable) - 5} more" if len(self.unreadable) > 5 else ""
            message = (f"{len(self.unreadable)} stored entr{'y' if len(self.unreadable) == 1 else 'ies'} of this "
                       f"session could not be read and {'is' if len(self.unreadable) == 1 else 'are'} left out "
                       f"(still in the file): {rows}{more}. " + message).strip()
        return self._finish(_Op(session=True, undo=True, message=message))

    def _resume_protocol(self, read: SessionRead) -> str:
        """Run a resumed session under the protocol it was recorded with; say so when that is not the one loaded."""
        from norepi_gui.core.protocol import ProtocolError
        from norepi_gui.core.protocol_identity import (
            compare_protocols,
            identify,
            protocol_from_json,
            session_protocol,
        )

        self._session_protocol = None
        recorded = session_protocol(read.info, read.events)
        comparison = compare_protocols(recorded, identify(self.base_protocol))
        if comparison.matches:
            return ""
        content = self.store.protocol_content(recorded.sha256) if recorded.sha256 is not None else None
        if content is not None:
            try:
                self._session_protocol = protocol_from_json(content, f"the protocol kept with session {read.info.id}")
            except ProtocolError:
                self._session_protocol = None
        if self._session_protocol is not None:
            return (comparison.message + " The session continues under the protocol it was recorded with; a "
                    "new session starts under the one loaded now.")
        return comparison.message + " The session continues under the protocol loaded now."

    def close_session(self) -> Change:
        if self.writable and self.info is not None:
            self._write_monitor_batch(force=True)
            self.info = self.store.close_session(self.info.id)
        self.undo_stack.clear()
        return self._finish(_Op(session=True, undo=True))

    def _begin(self, events: list[Event]) -> None:
        """A session's record becomes the current one: fold it, forget what was derived from the previous one."""
        self.state = fold(events)
        self._inputs.invalidate()
        self._quality.invalidate()
        self.undo_stack.clear()
        last = self.state.last_advice
        self._recorded_key = advice_key(last.payload) if last is not None else None
        self._advice_json = None
        self._apply_settings()
        self.monitor.pending, self.monitor.pending_since = [], None
        if self.monitor.enabled:  # the feed counts from now for this session
            self.monitor.since = self.now()
        self._feed_kind = None

    _session_protocol: ClinicalProtocol | None = None

    def _apply_settings(self) -> None:
        resolution = as_float(self.state.settings.get(SETTING_PUMP_RESOLUTION))
        protocol = self._session_protocol if self._session_protocol is not None else self.base_protocol
        if resolution is not None:
            protocol = dataclasses.replace(protocol, pump=dataclasses.replace(protocol.pump,
                                                                              resolution_ml_per_h=resolution))
        self._inputs.invalidate()
        self.protocol = protocol

    def default_label(self) -> str:
        return ("Training " if self.training else "Patient ") + self.now().astimezone().strftime("%Y-%m-%d %H:%M")

    # ------------------------------------------------------------------------------------------------ recording
    def _append(self, kind: EventKind, payload: Mapping[str, object], *, at: datetime | None = None,
                supersedes: int | None = None) -> Event:
        """Write one event (committed before this returns) and fold it in. The nurse on duty goes with it."""
        assert self.info is not None
        payload = stamp_nurse(payload, self.state.nurse)
        try:
            event = self.store.append(self.info.id, kind, payload, at=at, supersedes=supersedes)
        except DatabaseReplacedError as exc:
            self.recording_stopped = str(exc)
            raise RecordingError(str(exc)) from exc
        except (StorageError, OSError, RuntimeError) as exc:
            raise RecordingError(str(exc)) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("sqlite3"):
                raise RecordingError(str(exc)) from exc
            raise
        if kind not in _QUIET and not self.recording_stopped:
            self.recording_failure = ""  # recording works again: the alarm goes
        delta = self.state.apply(event)
        self._inputs.note(delta, self.state)
        self._quality.note(delta)
        if self._current_op is not None:
            self._current_op.events.append(event)
            self._current_op.delta.merge(delta)
        return event

    _current_op: _Op | None = None

    @contextmanager
    def _operation(self) -> Iterator[_Op]:
        op = _Op()
        outer = self._current_op
        self._current_op = op
        try:
            yield op
        finally:
            self._current_op = outer

    def _run(self, body: Callable[[_Op], None], *, needs_session: bool = True) -> Change:
        """Run one operation: its events, then the re-derivation, as one Change."""
        with self._operation() as op:
            try:
                if needs_session and not self.writable:  # the first entry of a shift starts a session
                    self._start(self.default_label())
                    op.session = op.undo = True
                body(op)
            except RecordingError as exc:
                self.recording_failure = f"Not recorded: {exc}"
                change = self._finish(op)
                return dataclasses.replace(change, failure=self.recording_failure)
        return self._finish(op)

    def _finish(self, op: _Op) -> Change:
        """Re-derive advice and the prompt from the record now; record what will be shown; describe it all."""
        if "settings" in op.delta.aspects:
            self._apply_settings()
        change = Change.from_delta(op.delta, tuple(op.events))
        advice_changed, prompt_changed, extra = self._derive(force=True)
        alarms_changed = self._derive_alarms(force=True)
        recorded = change.recorded + extra
        failure, self._derive_failure = self._derive_failure, ""
        return dataclasses.replace(
            change, recorded=recorded, failure=failure, advice=advice_changed or change.session,
            prompt=prompt_changed or change.prompt or change.session, session=op.session or change.session,
            undo=op.undo, message=op.message, problem=op.problem,
            readings=Rows(change.readings.appended, change.readings.reset or op.session),
            doses=Rows(change.doses.appended, change.doses.reset or op.session),
            co_infusions=Rows(change.co_infusions.appended, change.co_infusions.reset or op.session),
            perfusion=Rows(change.perfusion.appended, change.perfusion.reset or op.session),
            alarms=alarms_changed or op.session,
            patient=change.patient or op.session, bag=change.bag or op.session,
            settings=change.settings or op.session,
        )

    def _derive(self, *, force: bool) -> tuple[bool, bool, tuple[Event, ...]]:
        """(advice changed, prompt changed, events recorded) after re-deriving at the clock's now."""
        now = self.now()
        extra: list[Event] = []
        minute = int(now.timestamp() // 60)
        advice_changed = False
        if force or minute != self._advice_minute or self._due_passed(now):
            self._advice_minute = minute
            advice = self._inputs.advice(self.state, self.protocol, now)
            shown: dict[str, JsonValue] = (dict(advice.to_json()) if not isinstance(advice, Unavailable)
                                           else {"unavailable": advice.reason})
            advice_changed = shown != self._advice_json
            self._advice, self._advice_json = advice, shown
            if not isinstance(advice, Unavailable) and self.writable:
                key = advice_key(shown)
                if key != self._recorded_key:
                    payload: dict[str, object] = dict(shown)
                    payload["due_at"] = advice.next_check_due.isoformat()
                    try:
                        extra.append(self._append_quiet(EventKind.ADVICE, payload))
                        self._recorded_key = key
                    except RecordingError as exc:  # the advice is still shown, with the failure beside it
                        self._derive_failure = self.recording_failure = \
                            f"The advice shown could not be recorded: {exc}"
        before = self.prompt
        self.prompt = self._prompt(now)
        if self.prompt.needs_recording and self.prompt.due_at is not None and self.prompt.priority is not None:
            record = PromptShownRecord(self.prompt.priority, self.prompt.due_at, self.prompt.minutes_overdue)
            try:
                extra.append(self._append_quiet(EventKind.PROMPT_SHOWN, record.to_payload()))
            except RecordingError as exc:
                self._derive_failure = self.recording_failure = f"The check prompt could not be recorded: {exc}"
            self.prompt = self._prompt(now)
        return advice_changed, self.prompt != before, tuple(extra)

    def _append_quiet(self, kind: EventKind, payload: Mapping[str, object], *, at: datetime | None = None) -> Event:
        """Record outside any operation's own list (advice shown, prompt shown, monitor values)."""
        outer, self._current_op = self._current_op, None
        try:
            return self._append(kind, payload, at=at)
        finally:
            self._current_op = outer

    def _prompt(self, now: datetime) -> PromptState:
        advice = self._advice if not isinstance(self._advice, Unavailable) else None
        return prompt_state(self.state.prompt, advice, now, self.protocol.intervals, writable=self.writable)

    def _due_passed(self, now: datetime) -> bool:
        due = self.prompt.due_at
        return due is not None and now >= due and not self.prompt.open

    def tick(self) -> Change:
        """The clock moved: re-derive what depends on time (advice once a minute or at a due time, the prompt);
        check that the database file is still the one being written (a deleted or replaced file stops recording
        at once, not at the next entry)."""
        if self.writable and self._store is not None and not self.recording_stopped:
            try:
                self._store.check_file()
            except DatabaseReplacedError as exc:
                self.recording_stopped = str(exc)
                self.recording_failure = f"Not recorded: {exc}"
                return Change(failure=self.recording_failure, alarms=self._derive_alarms(force=True))
            except StorageError:
                pass  # a passing check failure: the next entry reports it with its own words
        notice = self._clock_notice()
        self._write_monitor_batch()  # a feed that stopped still has its last minute written
        feed_changed = self._feed_changed()
        advice_changed, prompt_changed, extra = self._derive(force=False)
        alarms_changed = self._derive_alarms(force=advice_changed or prompt_changed or bool(notice) or feed_changed)
        failure, self._derive_failure = self._derive_failure, ""
        if not (advice_changed or prompt_changed or extra or failure or alarms_changed or notice or feed_changed):
            return Change()
        return Change(recorded=extra, advice=advice_changed, prompt=prompt_changed, failure=failure,
                      alarms=alarms_changed, notice=notice, monitor=feed_changed)

    _steps_seen = 0

    def _clock_notice(self) -> str:
        """A new step back of the computer's clock, in words (the clock keeps this session's order: see SteadyClock)."""
        self.clock.now()  # a step shows when the clock is read
        if self.clock_step and getattr(self.clock, "behind", None) == timedelta(0):
            self.clock_step = ""  # the computer's clock caught up: the alarm goes
            self._alarm_minute = None
        steps = getattr(self.clock, "steps", None)
        if not isinstance(steps, list) or len(steps) <= self._steps_seen:
            return ""
        self._steps_seen = len(steps)
        step = steps[-1]
        minutes = step.back.total_seconds() / 60.0
        self.clock_step = (f"The computer's clock moved back {minutes:.0f} min (seen at {_clock(step.seen_at)}). "
                           "norepi-gui keeps counting from its own last time, so entries stay in the order they were "
                           f"made; until the computer's clock catches up, times here run up to {minutes:.0f} min "
                           "ahead of it. Check the computer's clock.")
        return self.clock_step

    def _derive_alarms(self, *, force: bool) -> bool:
        """Re-derive the alarms (after an operation or a change of advice or prompt, else once a minute and when an
        audio pause ends); True when they changed."""
        now = self.now()
        minute = int(now.timestamp() // 60)
        pause_over = self.alarm_state.paused_until is not None and now >= self.alarm_state.paused_until
        if not (force or minute != self._alarm_minute or pause_over):
            return False
        self._alarm_minute = minute
        before = self.alarm_state
        advice = self._advice if not isinstance(self._advice, Unavailable) else None
        self.alarm_state = derive_alarms(self.state, self.prompt, advice, self.protocol, now,
                                         bag_left_ml=bag_left_ml(self.state, now) if self.state.bag is not None
                                         else None, writable=self.writable, system=self._system_alarms(),
                                         feed=self.monitor_state() if self.monitor.enabled else None,
                                         feed_problem=self.monitor.problem)
        return self.alarm_state != before

    def _system_alarms(self) -> tuple[Alarm, ...]:
        found: list[Alarm] = []
        if self.recording_stopped:
            found.append(Alarm("RECORDING_STOPPED", "high", "Recording stopped", self.recording_failure
                               or f"Not recorded: {self.recording_stopped}", "system"))
        elif self.recording_failure:
            found.append(Alarm("NOT_RECORDED", "high", "Not recorded", self.recording_failure, "system"))
        if self.clock_step:
            found.append(Alarm("CLOCK_STEPPED_BACK", "medium", "Clock moved back", self.clock_step, "system"))
        if self.monitor.failure and not self.recording_failure:
            found.append(Alarm("NOT_RECORDED", "high", "Not recorded", self.monitor.failure, "system"))
        return tuple(found)

    # ------------------------------------------------------------------------------------------------ prompts
    def due_now(self) -> bool:
        """A check is due (whether or not its prompt is snoozed)."""
        due = self.prompt.due_at
        return due is not None and self.now() >= due

    def _answer(self, answer: str, reason: str = "", checked_at: datetime | None = None) -> Event:
        advice_event = self.state.last_advice
        due_at = self.prompt.due_at  # the check this answers (the cycle as derived before this operation)
        next_due: datetime | None = None
        if answer != ANSWER_NEW_READING:
            advice = self._inputs.advice(self.state, self.protocol, self.now())
            if not isinstance(advice, Unavailable):
                if advice.next_check_due > self.now():  # a dose just set: the engine times the check from it
                    next_due = advice.next_check_due
                else:
                    next_due = self.now() + timedelta(minutes=advice.next_check_in_min)
        record = AnswerRecord(answer, reason, advice_event.id if advice_event is not None else None, next_due,
                              due_at, checked_at if checked_at is not None else self.now())
        return self._append(EventKind.PROMPT_ANSWERED, record.to_payload())

    def answer_applied(self) -> Change:
        """The nurse says the advice was applied (the advised dose is recorded first if it changes the dose)."""
        def body(op: _Op) -> None:
            advice = self._advice
            if not isinstance(advice, Unavailable) and advice.action.changes_dose \
                    and not self._record_advised_dose(op, advice):
                return
            self._answer(ANSWER_APPLIED)
        return self._run(body)

    def answer_not_applied(self, reason: str) -> Change:
        reason = reason.strip()
        if not reason:
            return Change(problem=FieldProblem("reason", "Reason: say why the advice was not applied. "
                                                         "Accepted: pick or type one"))

        def body(_op: _Op) -> None:
            self._answer(ANSWER_NOT_APPLIED, reason)
        return self._run(body)

    def snooze(self) -> Change:
        if self.prompt.snoozes_left <= 0 or not self.due_now():
            return Change()
        until = self.now() + timedelta(minutes=self.protocol.intervals.snooze_minutes)

        def body(_op: _Op) -> None:
            self._append(EventKind.PROMPT_SNOOZED, SnoozeRecord(until, self.prompt.snoozes_used + 1).to_payload())
        return self._run(body)

    # ------------------------------------------------------------------------------------------------ entries
    def record_reading(self, reading: Reading, *, source: str = "typed",
                       monitor: MonitorShown | None = None) -> Change:
        """Chart a reading; it answers a due check. A MAP outside the protocol's plausible range is refused, naming
        the field (READ-PLAUSIBLE), and nothing is recorded. While the monitor feed is on, what the monitor showed at
        the reading's time is recorded with it (``monitor``, or the summary then)."""
        problem = self.reading_problem(reading)
        if problem is not None:
            return Change(problem=problem)
        if monitor is None and self.monitor.enabled:
            monitor = self.monitor_shown(reading.at)

        def body(op: _Op) -> None:
            due = self.due_now()
            record = ReadingRecord.from_reading(reading, source=source, monitor=monitor)
            event = self._append(EventKind.READING, record.to_payload(), at=reading.at)
            self.undo_stack.push(RecordEntry(event.id, EventKind.READING, event.payload, event.at,
                                             f"Reading of {_clock(event.at)}"))
            op.undo = True
            if due:
                self._answer(ANSWER_NEW_READING, checked_at=min(reading.at, self.now()))
        return self._run(body)

    def record_perfusion(self, record: PerfusionRecord, at: datetime) -> Change:
        """Chart perfusion markers without a blood pressure (a PERFUSION entry, undoable). It does not answer a due
        check: the check asks for a pressure."""
        def body(op: _Op) -> None:
            event = self._append(EventKind.PERFUSION, record.to_payload(), at=at)
            self.undo_stack.push(RecordEntry(event.id, EventKind.PERFUSION, event.payload, event.at,
                                             f"Perfusion entry of {_clock(event.at)}"))
            op.undo = True
        return self._run(body)

    def hang_new_bag(self, bag: BagRecord) -> Change:
        """A new bag was hung now, full as read (``bag.bag_volume_ml``): its volume and concentration are recorded
        (undoable); a new concentration under a running per-kg dose is confirmed with the pump rate that follows."""
        bag = dataclasses.replace(bag, hung=True)

        def body(op: _Op) -> None:
            if self._record_bag(op, bag) is None:
                return
            text = f"New bag of {_clock(self.now())}"
            steps: list[Command] = [RecordEntry(e.id, e.kind, e.payload, e.at, text) for e in op.events
                                    if e.kind in (EventKind.INFUSION, EventKind.NE_DOSE)]
            self.undo_stack.push(Batch(steps, text))
            op.undo = True
        return self._run(body)

    def check_site(self, finding: str = SITE_OK, note: str = "") -> Change:
        """The line's site was checked (answers the site-check reminder); ``finding`` ok or problem."""
        from norepi_gui.bedside.inputs import line_of

        def body(op: _Op) -> None:
            self._append(EventKind.SITE_CHECK, SiteCheckRecord(line_of(self.state).value, finding, note).to_payload())
            op.message = ("Site check recorded." if finding == SITE_OK else
                          "Site problem recorded: follow the extravasation pathway in the line note.")
        return self._run(body)

    def pause_audio(self) -> Change:
        """Silence the alarms sounding now for ``alarms.audio_pause_minutes`` (recorded); a new alarm still sounds."""
        codes = tuple(a.code for a in self.alarm_state.banner)
        if not codes:
            return Change()
        until = self.now() + timedelta(minutes=self.protocol.alarms.audio_pause_minutes)

        def body(op: _Op) -> None:
            self._append(EventKind.AUDIO_PAUSED, AudioPauseRecord(until, codes).to_payload())
            op.message = f"Alarm sound paused until {_clock(until)}."
        return self._run(body, needs_session=False)

    def set_patient(self, record: PatientRecord, alerts: tuple[Alert, ...] = ()) -> Change:
        """Record the patient's details; a weight that may be pounds, or a new weight under a running per-kg dose,
        is confirmed first (with the pump rate that follows)."""
        from norepi_gui.core.infusion import CONFIRM_CODES

        def body(op: _Op) -> None:
            maybe_lb = [a for a in alerts if a.code in CONFIRM_CODES]
            if maybe_lb and not self.confirm("Check the weight", _alert_lines(maybe_lb)):
                op.message = "Weight not recorded (not confirmed)."
                op.delta.aspects.add("patient")  # the panel shows the record again
                return
            state = self.state
            current = state.current_dose
            old, new = state.patient.weight_kg, record.weight_kg
            if state.infusing and current is not None and old is not None and \
                    (new is None or abs(new - old) > 1e-9):
                self._weight_change_while_infusing(op, record, current)
                return
            self._append(EventKind.PATIENT, record.to_payload())
        return self._run(body)

    def _weight_change_while_infusing(self, op: _Op, record: PatientRecord, current: DoseRow) -> None:
        from norepi_gui.core.units import DoseBasis

        old = self.state.patient.weight_kg
        resolution = self.protocol.pump.resolution_ml_per_h
        old_rate = _rate(current.pump_rate_ml_per_h, resolution)
        if record.weight_kg is None:
            text = (f"Norepinephrine runs at {old_rate} mL/h. Removing the weight stops the per-kg checks and the "
                    "advice until a weight is entered again; the pump rate does not change. Remove the weight?")
            if not self.confirm("Weight removed during the infusion", text):
                op.message = "Weight kept (not confirmed)."
                op.delta.aspects.add("patient")
                return
            self._append(EventKind.PATIENT, record.to_payload())
            return
        per_kg_dose = current.dose_mcg_per_kg_per_min if current.record.basis == DoseBasis.PER_KG.value else None
        summary = None
        if per_kg_dose is not None:
            try:
                summary = dose_summary(self.state, self.protocol, per_kg_dose, self.now(), patient=record)
            except InputError as exc:
                op.problem = FieldProblem("weight", f"Weight: {exc.problem}")
                return
        if summary is not None:
            new_rate = _rate(summary.pump_rate_ml_per_h, resolution)
            text = (f"Norepinephrine runs at {self._dose_text(per_kg_dose)} mcg/kg/min. Changing the weight from "
                    f"{old:g} to {record.weight_kg:g} kg changes the pump rate from {old_rate} to {new_rate} mL/h. "
                    f"Record the new weight and set the pump to {new_rate} mL/h?")
        else:
            text = (f"Changing the weight from {old:g} to {record.weight_kg:g} kg while norepinephrine runs at a flat "
                    f"dose ({old_rate} mL/h, unchanged). Record the new weight?")
        if not self.confirm("Weight change during the infusion", text):
            op.message = "Weight not changed (not confirmed)."
            op.delta.aspects.add("patient")
            return
        self._append(EventKind.PATIENT, record.to_payload())
        if summary is not None:
            self._append_dose(summary, DoseBasis.PER_KG, "weight change", confirmed=())

    def set_bag(self, bag: BagRecord) -> Change:
        """Record the bag set-up; a new concentration under a running per-kg dose is confirmed with the new rate, a
        change of delivery (pump or gravity) while the infusion runs is confirmed too."""
        def body(op: _Op) -> None:
            self._record_bag(op, bag)
        return self._run(body)

    def _record_bag(self, op: _Op, bag: BagRecord) -> Event | None:
        from norepi_gui.core.units import DoseBasis

        state = self.state
        current = state.current_dose
        old = state.bag
        running = state.infusing and current is not None
        if running and old is not None and not _same_factor(old.drop_factor, bag.drop_factor) \
                and not self.confirm("Delivery change during the infusion",
                                     f"Norepinephrine runs {_delivery(old.drop_factor)}. Record that it now runs "
                                     f"{_delivery(bag.drop_factor)}?"):
            op.message = "Delivery not changed (not confirmed)."
            op.delta.aspects.add("bag")
            return None
        if running and current is not None and \
                abs(bag.concentration_mcg_per_ml - current.concentration_mcg_per_ml) > 1e-9:
            per_kg_dose = current.dose_mcg_per_kg_per_min
            if per_kg_dose is None:
                op.problem = FieldProblem("concentration", "Concentration: record the weight before changing "
                                                           "the bag of a running infusion")
                return None
            try:
                summary = dose_summary(state, self.protocol, per_kg_dose, self.now(), bag=bag)
            except InputError as exc:
                op.problem = FieldProblem("concentration", f"Concentration: {exc.problem}")
                return None
            resolution = self.protocol.pump.resolution_ml_per_h
            text = (f"New bag {bag.description}. To keep {self._dose_text(per_kg_dose)} mcg/kg/min the pump rate "
                    f"changes from {_rate(current.pump_rate_ml_per_h, resolution)} to "
                    f"{_rate(summary.pump_rate_ml_per_h, resolution)} mL/h. Record the new bag and rate?")
            if not self.confirm("Concentration change during the infusion", text):
                op.message = "Bag not changed (not confirmed)."
                op.delta.aspects.add("bag")
                return None
            event = self._append(EventKind.INFUSION, bag.to_payload())
            self._append_dose(summary, DoseBasis.PER_KG, "new bag", confirmed=())
            return event
        return self._append(EventKind.INFUSION, bag.to_payload())

    def _confirmations(self, op: _Op, summary: InfusionSummary, extra: tuple[str, ...] = (), *,
                       pump: bool = False) -> tuple[str, ...] | None:
        """Ask for every alert that needs confirmation (and, with ``pump``, the pump setting to enter); ``None`` when
        refused or declined."""
        from norepi_gui.core.infusion import CONFIRM_CODES

        if summary.refused:
            hard = next(a for a in summary.alerts if a.code == "DOSE_ABOVE_HARD_MAX")
            op.problem = FieldProblem("dose", "Dose: " + hard.message)
            op.message = "!!! Refused: " + hard.message
            return None
        asks = [a for a in summary.alerts if a.code in CONFIRM_CODES]
        lines = [self.pump_setting_text(summary)] if pump else []
        lines += [_alert_lines(asks)] if asks else []
        lines += list(extra)
        title = "Set the pump" if pump else "Confirm the dose"
        if lines and not self.confirm(title, "\n".join(lines) + "\n\nRecord this dose as set on the pump?"):
            op.message = "Dose not recorded (not confirmed)."
            return None
        return tuple(a.code for a in asks)

    def _append_dose(self, summary: InfusionSummary, basis: DoseBasis, source: str, *, confirmed: tuple[str, ...],
                     advice_event_id: int | None = None) -> Event:
        record = DoseRecord(
            dose_mcg_per_kg_per_min=summary.dose_mcg_per_kg_per_min,
            dose_mcg_per_min=summary.dose_mcg_per_min,
            rate_ml_per_h=summary.rate_ml_per_h,
            pump_rate_ml_per_h=summary.pump_rate_ml_per_h,
            concentration_mcg_per_ml=summary.concentration_mcg_per_ml,
            basis=basis.value,
            source=source,
            delivered_dose_mcg_per_kg_per_min=summary.delivered_dose_mcg_per_kg_per_min,
            delivered_dose_mcg_per_min=summary.delivered_dose_mcg_per_min,
            confirmed_alerts=confirmed,
            alerts=tuple(a.code for a in summary.alerts),
            advice_event_id=advice_event_id,
        )
        return self._append(EventKind.NE_DOSE, record.to_payload())

    def set_dose(self, summary: InfusionSummary, basis: DoseBasis, bag: BagRecord | None = None) -> Change:
        """The nurse set the pump to this dose (after any confirmation the core asks for); the same dose recorded
        again within ``dose_change.repeat_entry_minutes`` (a double press) asks first."""
        def body(op: _Op) -> None:
            if not self._repeat_confirmed(op, summary):
                return
            confirmed = self._confirmations(op, summary)
            if confirmed is None:
                return
            if bag is not None and (self.state.bag is None or not bag.same_setup(self.state.bag)):
                self._append(EventKind.INFUSION, bag.to_payload())
            event = self._append_dose(summary, basis, "manual", confirmed=confirmed)
            self._push_entry(op, event, "Dose change")
        return self._run(body)

    def _repeat_confirmed(self, op: _Op, summary: InfusionSummary) -> bool:
        current = self.state.current_dose
        window = self.protocol.dose_change.repeat_entry_minutes
        if current is None or window <= 0 or not current.running:
            return True
        same = abs(current.pump_rate_ml_per_h - summary.pump_rate_ml_per_h) < 1e-9 and \
            abs(current.concentration_mcg_per_ml - summary.concentration_mcg_per_ml) < 1e-9
        minutes = (self.now() - current.at).total_seconds() / 60.0
        if not same or minutes > window:
            return True
        rate = _rate(summary.pump_rate_ml_per_h, self.protocol.pump.resolution_ml_per_h)
        if self.confirm("Same dose again", f"The same dose ({rate} mL/h) was recorded at {_clock(current.at)}, "
                        f"{max(0.0, minutes):.0f} min ago. Record it again as a second entry?"):
            return True
        op.message = "Not recorded again (the same dose is already recorded)."
        return False

    def stop_infusion(self) -> Change:
        """Record that norepinephrine was stopped (after the warning that abrupt withdrawal drops the pressure)."""
        def body(op: _Op) -> None:
            current = self.state.current_dose
            if current is None or not current.running:
                return
            # Abrupt withdrawal causes marked hypotension: reduce gradually [seed 002; V label].
            if not self.confirm("Stop norepinephrine", "Abrupt withdrawal can cause marked hypotension: "
                                "norepinephrine is reduced gradually. Record that the infusion is stopped now?"):
                op.message = "Infusion not stopped (not confirmed)."
                return
            event = self._append_stop(current, _STOP_SOURCE)
            self._push_entry(op, event, "Stop")
        return self._run(body)

    def _append_stop(self, current: DoseRow, source: str, advice_event_id: int | None = None) -> Event:
        record = DoseRecord(
            dose_mcg_per_kg_per_min=0.0 if current.dose_mcg_per_kg_per_min is not None else None,
            dose_mcg_per_min=0.0, rate_ml_per_h=0.0, pump_rate_ml_per_h=0.0,
            concentration_mcg_per_ml=current.concentration_mcg_per_ml, basis=current.record.basis, source=source,
            delivered_dose_mcg_per_min=0.0, advice_event_id=advice_event_id,
        )
        return self._append(EventKind.NE_DOSE, record.to_payload())

    def co_infusion(self, drug: str, action: str, dose: float, unit: str) -> Change:
        def body(op: _Op) -> None:
            event = self._append(EventKind.CO_INFUSION, CoInfusionRecord(drug, action, dose, unit).to_payload())
            self._push_entry(op, event, f"{drug.capitalize()} {action}")
        return self._run(body)

    def _push_entry(self, op: _Op, event: Event, text: str) -> None:
        text = f"{text} of {_clock(event.at)}"
        self.undo_stack.push(RecordEntry(event.id, event.kind, event.payload, event.at, text))
        op.undo = True

    # ------------------------------------------------------------------------------------------------ advice
    def apply_advice(self) -> Change:
        """The nurse set the pump to the advised dose: record it (after any confirmation), answering a due check."""
        def body(op: _Op) -> None:
            advice = self._advice
            if isinstance(advice, Unavailable) or not advice.action.changes_dose:
                op.message = "No dose change is advised now."
                return
            due = self.due_now()
            if self._record_advised_dose(op, advice) and due:
                self._answer(ANSWER_APPLIED)
        return self._run(body)

    def _record_advised_dose(self, op: _Op, advice: Advice) -> bool:
        from norepi_gui.core.titration import Action
        from norepi_gui.core.units import DoseBasis

        advice_id = self.state.last_advice.id if self.state.last_advice is not None else None
        current = self.state.current_dose
        if advice.action is Action.TAPER_OFF:
            if current is None or not current.running:
                return False
            event = self._append_stop(current, "advice", advice_id)
            self._push_entry(op, event, "Applied advice (stop)")
            return True
        try:
            summary = dose_summary(self.state, self.protocol, advice.dose_mcg_per_kg_per_min, self.now())
        except InputError as exc:
            op.message = f"Advice not applied: {exc}"
            return False
        extra = ("The advised dose needs your confirmation: " + advice.rationale,) if advice.needs_confirmation else ()
        confirmed = self._confirmations(op, summary, extra, pump=True)
        if confirmed is None:
            return False
        event = self._append_dose(summary, DoseBasis.PER_KG, "advice", confirmed=confirmed, advice_event_id=advice_id)
        self._push_entry(op, event, "Applied advice")
        return True

    def pump_setting_text(self, summary: InfusionSummary) -> str:
        """What to set on the pump for ``summary``, in words (shown before an advised dose is recorded)."""
        resolution = self.protocol.pump.resolution_ml_per_h
        per_kg = summary.dose_mcg_per_kg_per_min
        dose = f"{self._dose_text(per_kg)} mcg/kg/min = " if per_kg is not None else ""
        return (f"Set the pump to {_rate(summary.pump_rate_ml_per_h, resolution)} mL/h "
                f"({dose}{self._flat_text(summary.dose_mcg_per_min)} mcg/min at "
                f"{summary.concentration_mcg_per_ml:.3g} mcg/mL).")

    def _dose_text(self, value: float | None) -> str:
        """A per-kg dose at the protocol's dose resolution (what a pump and a nurse use; the record keeps all)."""
        return _at_resolution(value, self.protocol.titration.dose_resolution)

    def _flat_text(self, value: float | None) -> str:
        return _at_resolution(value, self.protocol.titration.flat_dose_resolution_mcg_per_min)

    # ------------------------------------------------------------------------------------------------ corrections
    def reading_problem(self, reading: Reading) -> FieldProblem | None:
        """Why a reading cannot be charted (a MAP outside the protocol's plausible range, READ-PLAUSIBLE), naming the
        field; ``None`` when it can."""
        from norepi_gui.core.titration.readings import check_reading

        try:
            check_reading(reading, self.protocol, field="map" if reading.map_mmhg is not None else "sbp")
        except InputError as exc:
            label = {"map": "MAP", "sbp": "SBP"}.get(exc.field, exc.field)
            accepted = f". Accepted: {exc.accepted}" if exc.accepted else ""
            return FieldProblem(exc.field, f"{label}: {exc.problem}{accepted}")
        return None

    def correct_reading(self, event_id: int, reading: Reading) -> Change:
        """Replace a reading's values and time (a CORRECTION event, undoable); refused as :meth:`record_reading`
        refuses a reading outside the plausible range."""
        problem = self.reading_problem(reading)
        if problem is not None:
            return Change(problem=problem)

        def body(op: _Op) -> None:
            event = self.state.effective_event(event_id)
            if event is None or event.kind is not EventKind.READING:
                op.message = "That reading no longer exists."
                return
            kept = ReadingRecord.from_payload(event.payload)  # what the monitor showed then stays with the reading
            new = check_payload(ReadingRecord.from_reading(
                reading, monitor=kept.monitor if kept is not None else None).to_payload())
            command = CorrectEntry(event_id, (event.payload, event.at), (new, reading.at),
                                   f"Correct reading of {_clock(event.at)}")
            command.redo(self._append)
            self.undo_stack.push(command)
            op.undo = True
        return self._run(body)

    def timed_entry(self, event_id: int) -> DoseRow | CoInfusionRow | None:
        """The dose change or co-infusion entry ``event_id`` (None: not one of those)."""
        rows: list[DoseRow | CoInfusionRow] = [*self.state.doses, *self.state.co_infusion_log]
        return next((row for row in rows if row.event_id == event_id), None)

    def describe_entry(self, row: DoseRow | CoInfusionRow) -> str:
        if isinstance(row, CoInfusionRow):
            return f"{row.drug} stop" if row.action == "stop" else f"{row.drug} {row.action} {row.dose:g} {row.unit}"
        if not row.running:
            return "norepinephrine stop"
        dose = (f"{self._dose_text(row.dose_mcg_per_kg_per_min)} mcg/kg/min" if row.dose_mcg_per_kg_per_min is not None
                else f"{self._flat_text(row.dose_mcg_per_min)} mcg/min")
        rate = _rate(row.pump_rate_ml_per_h, self.protocol.pump.resolution_ml_per_h)
        return f"norepinephrine dose {dose} ({rate} mL/h)"

    def correct_entry_time(self, event_id: int, at: datetime) -> Change:
        """Move a dose change or co-infusion entry to the time it happened (its doses and rates stay)."""
        row = self.timed_entry(event_id)
        event = self.state.effective_event(event_id)
        if row is None or event is None:
            raise ValueError(f"only dose changes and co-infusion entries take a time correction, not entry {event_id}")
        if at > self.now():
            return Change(problem=FieldProblem("time", "When it happened: the time is in the future. Accepted: a "
                                                       "time up to now"))

        def body(op: _Op) -> None:
            command = CorrectEntry(event_id, (event.payload, event.at), (event.payload, at),
                                   f"Correct time of {self.describe_entry(row)} of {_clock(event.at)}")
            command.redo(self._append)
            self.undo_stack.push(command)
            op.undo = True
        return self._run(body)

    def delete_entry(self, event_id: int) -> Change:
        event = self.state.effective_event(event_id)
        if event is None:
            return Change()

        def body(op: _Op) -> None:
            text = f"Delete {event.kind.value.lower().replace('_', ' ')} of {_clock(event.at)}"
            command = DeleteEntry(event_id, event.kind, event.payload, event.at, text)
            command.redo(self._append)
            self.undo_stack.push(command)
            op.undo = True
        return self._run(body)

    def undo(self) -> Change:
        return self._step(self.undo_stack.take_undo(), lambda c: c.undo(self._append), self.undo_stack.give_back_undo)

    def redo(self) -> Change:
        return self._step(self.undo_stack.take_redo(), lambda c: c.redo(self._append), self.undo_stack.give_back_redo)

    def _step(self, command: Command | None, run: Callable[[Command], None], give_back: Callable[[], None]) -> Change:
        """Run one undo or redo ``command`` as an operation; when its entry cannot be recorded it goes back on its
        stack (``give_back``), so the nurse can try again."""
        if command is None:
            return Change()

        def body(op: _Op) -> None:
            op.undo = True
            try:
                run(command)
            except RecordingError:
                give_back()
                raise
        return self._run(body, needs_session=False)

    # ------------------------------------------------------------------------------------------------ who and order
    def hand_over(self, incoming: str, *, bed: str | None = None, note: str = "") -> Change:
        """``incoming`` takes over from the nurse on duty (signs on when nobody is). Every event recorded from now on
        carries ``incoming``'s initials. ``bed`` None keeps the bed recorded before."""
        try:
            nurse = check_initials(incoming, "Initials")
            where = _check_bed(self.state.bed if bed is None else bed)
            said = _check_text(note, "Handover note", 500)
        except InputError as exc:
            return Change(problem=FieldProblem(exc.field.lower(), _problem_text(exc)))
        outgoing = self.state.nurse if self.writable else None
        if outgoing is not None and outgoing.casefold() == nurse.casefold() and where == self.state.bed:
            return Change(problem=FieldProblem("initials", f"Initials: {nurse} is already on duty. Accepted: the "
                                                           "initials of the nurse taking over"))

        def body(op: _Op) -> None:
            current = self.state.nurse if self.writable else None  # a new session has nobody on duty yet
            self._append(EventKind.HANDOVER, HandoverRecord(nurse, current, where, said).to_payload())
            op.message = f"{current} handed over to {nurse}." if current else f"{nurse} signed on."
        return self._run(body)

    def order_defaults(self) -> TitrationOrder:
        """A titration order prefilled from the protocol for the recorded patient, goal = the band the advice uses."""
        from norepi_gui.bedside.inputs import line_of, population_of
        from norepi_gui.core.order import order_defaults

        t = self.protocol.targets
        band = self.target_band() or (t.default_map, t.default_map + t.band_above_mmhg)
        return order_defaults(self.protocol, population_of(self.state), line_of(self.state), band)

    def check_order(self, order: TitrationOrder) -> None:
        """InputError when the order asks for more than the protocol allows (its maximum above the hard maximum)."""
        from norepi_gui.bedside.inputs import population_of
        from norepi_gui.core.order import check_against_protocol

        check_against_protocol(order, self.protocol, population_of(self.state))

    def set_order(self, order: TitrationOrder) -> Change:
        """Record the titration order; from now on the advice stays inside it (rules ORD-*)."""
        try:
            self.check_order(order)
        except InputError as exc:
            return Change(problem=FieldProblem("order", _problem_text(exc)))

        def body(op: _Op) -> None:
            self._append(EventKind.ORDER, OrderRecord(order).to_payload())
            op.message = "Titration order recorded."
        return self._run(body)

    # ------------------------------------------------------------------------------------------------ settings
    def set_setting(self, key: str, value: JsonValue) -> Change:
        def body(_op: _Op) -> None:
            self._append(EventKind.SETTING, SettingRecord(key, value).to_payload())
        return self._run(body)

    def set_base_protocol(self, protocol: ClinicalProtocol) -> Change:
        """A new protocol file: recorded in the session (if one is open) and used from now on."""
        self.base_protocol = protocol
        self._inputs.invalidate()
        if not self.writable:
            self._apply_settings()
            return self._finish(_Op())
        from norepi_gui.core.protocol_identity import canonical_json

        self._session_protocol = None  # a protocol chosen now replaces the one a resumed session ran under
        try:
            sha = self.store.keep_protocol(canonical_json(protocol))
        except StorageError as exc:
            return Change(failure=f"Not recorded: {exc}")
        value: dict[str, JsonValue] = {"source": protocol.source, "name": protocol.meta.name,
                                       "version": protocol.meta.version, "sha256": sha}
        return self.set_setting(SETTING_PROTOCOL, value)

    def replay(self, entries: list[tuple[EventKind, Payload, datetime]]) -> Change:
        """Record entries as they stand, without confirmations (a record read from elsewhere: a CSV of readings)."""
        def body(_op: _Op) -> None:
            for kind, payload, at in entries:
                self._append(kind, payload, at=at)
        return self._run(body)

    def derive_advice(self) -> Advice:
        """The advice for the record now; InputError names what is missing or wrong (for scripts)."""
        return self._inputs.derive(self.state, self.protocol, self.now())

    def record_event(self, kind: EventKind, payload: Mapping[str, object], *, at: datetime | None = None) -> Change:
        """Record an event the bedside layer has no operation for (training: simulator events, debrief)."""
        def body(_op: _Op) -> None:
            self._append(kind, payload, at=at)
        return self._run(body)

    # ------------------------------------------------------------------------------------------------ monitor
    def set_monitor(self, *, enabled: bool, listening: bool, bed: str = "", patient_id: str = "", address: str = "",
                    problem: str = "") -> Change:
        """The window's monitor feed: on (``enabled``) or off; its listener running (``listening``) for ``bed``
        and/or ``patient_id`` at ``address``, or not and why (``problem``). What changes is recorded in the open
        session (MONITOR_LINK), so its record says which bed fed it and when the feed stopped."""
        feed = self.monitor
        was = (feed.enabled, feed.listening, feed.link_bed, feed.link_patient)
        if not enabled:
            self._write_monitor_batch(force=True)
        feed.enabled, feed.listening, feed.problem = enabled, listening and enabled, problem
        if enabled or bed or patient_id:  # turned off: the record keeps which bed it was for
            feed.link_bed, feed.link_patient, feed.address = bed, patient_id, address
        if enabled and (feed.since is None or was[:2] != (enabled, feed.listening) or was[2:] != (bed, patient_id)):
            feed.since = self.now()
        if not enabled:
            feed.since = None
        self._feed_kind = None

        def body(_op: _Op) -> None:
            self._note_monitor_link()
        change = self._run(body, needs_session=False) if self.writable else self._finish(_Op())
        return dataclasses.replace(change, monitor=True)

    def _note_monitor_link(self) -> None:
        """Record the feed's link in the open session when it is not what the session last recorded."""
        feed = self.monitor
        last = self.state.monitor_link
        if not self.writable or (last is None and not feed.listening):
            return
        record = feed.link_record()
        if not feed.listening and last is not None and not (record.bed or record.patient_id):
            record = dataclasses.replace(last, listening=False)  # not listening here: for the bed it was
        if record != last:
            self._append_quiet(EventKind.MONITOR_LINK, record.to_payload())

    def take_monitor(self, observations: ObservationSet) -> MonitorIntake:
        """Keep the values of one message the listener accepted (checked again against the link: a message of
        another bed or patient never reaches the session). They are in the session at once (plot, summary, feed
        state) and written with the minute's batch. Never starts a session: with none open, nothing is kept."""
        from norepi_gui.monitor.link import MonitorLink, check_link
        from norepi_gui.monitor.samples import samples_from

        feed = self.monitor
        if not (feed.enabled and feed.listening):
            return MonitorIntake(Change(), "the monitor feed is off in norepi-gui")
        if not self.writable:
            return MonitorIntake(Change(), "no session is open in norepi-gui: nothing is kept until one is")
        if self.recording_stopped:
            return MonitorIntake(Change(), f"not recorded: {self.recording_stopped}")
        refused = check_link(observations, MonitorLink(bed=feed.link_bed, patient_id=feed.link_patient))
        if refused is not None:
            return MonitorIntake(Change(), f"{refused.reason.value}: {refused.detail}")
        now = self.now()
        try:
            self._note_monitor_link()
        except RecordingError as exc:
            return MonitorIntake(Change(), f"not recorded: {exc}")
        new = self.state.monitor.add(samples_from(observations))
        feed.take(new, now)
        problem = self._write_monitor_batch()
        feed_changed = self._feed_changed()
        alarms = self._derive_alarms(force=feed_changed or bool(problem))
        return MonitorIntake(Change(monitor_samples=new, monitor=feed_changed, alarms=alarms), problem)

    def _write_monitor_batch(self, *, force: bool = False) -> str:
        """Write the samples taken since the last batch as one MONITOR_SAMPLES event when a minute has passed (or
        ``force``: the session closes, the feed stops); "" when written or not due, else the problem (an alarm)."""
        feed = self.monitor
        if not feed.pending or not self.writable or not (force or feed.batch_due(self.now())):
            return ""
        while feed.pending:
            batch = feed.batch()
            try:
                self._append_quiet(EventKind.MONITOR_SAMPLES, MonitorSamplesRecord(batch).to_payload(), at=batch[0].at)
            except RecordingError as exc:
                feed.failure = f"Monitor values not recorded: {exc}"
                self._alarm_minute = None
                return feed.failure
            feed.written(batch, self.now())
            if feed.failure:
                feed.failure = ""
                self._alarm_minute = None
            if not force:
                break
        return ""

    def monitor_state(self) -> FeedState:
        """The feed now: off, waiting, live (last value and its age) or stale (an alarm)."""
        return self.monitor.state(self.state.monitor, self.now(), self.protocol.monitor)

    def _feed_changed(self) -> bool:
        kind = self.monitor_state().kind.value
        changed = kind != self._feed_kind
        self._feed_kind = kind
        return changed

    def monitor_offer(self, at: datetime | None = None) -> Summary | None:
        """What a check offers from the monitor (``None`` with the feed off): the robust summary of the last
        ``monitor.summary_window_min`` (flush, damped trace, implausible values and spikes left out), chartable or
        not and why."""
        from norepi_gui.bedside.monitor import offer

        if not self.monitor.enabled:
            return None
        return offer(self.state.monitor, at if at is not None else self.now(), self.protocol.monitor)

    def monitor_shown(self, at: datetime) -> MonitorShown | None:
        """What the monitor showed at ``at`` (recorded with a reading), ``None`` with the feed off."""
        from norepi_gui.bedside.monitor import shown

        summary = self.monitor_offer(at)
        if summary is None:
            return None
        return shown(summary, self.monitor.state(self.state.monitor, at, self.protocol.monitor))

    def chart_monitor(self) -> Change:
        """Chart the monitor's summary now as a reading (source monitor, with what the monitor showed); it answers a
        due check like a typed reading. Nothing is charted when the summary is not chartable (the message says why:
        the nurse types the value)."""
        from norepi_gui.bedside.monitor import shown
        from norepi_gui.core.titration.model import Reading
        from norepi_gui.monitor.summary import Chartable

        now = self.now()
        summary = self.monitor_offer(now)
        if summary is None:
            return Change(message="The monitor feed is off: type the MAP.")
        if not isinstance(summary, Chartable):
            return Change(message=f"{summary.describe()}. Type the MAP.")
        seen = shown(summary, self.monitor_state())

        def whole(value: float | None) -> float | None:
            return None if value is None else float(round(value))  # the value shown, in whole units

        try:
            reading = Reading(at=now, map_mmhg=whole(summary.map_mmhg), sbp_mmhg=whole(summary.sbp_mmhg),
                              dbp_mmhg=whole(summary.dbp_mmhg), hr_per_min=whole(summary.hr_per_min))
        except InputError:  # the medians of SBP and DBP do not make a pair: the MAP (and HR) alone
            try:
                reading = Reading(at=now, map_mmhg=whole(summary.map_mmhg), hr_per_min=whole(summary.hr_per_min))
            except InputError as exc:
                return Change(message=f"The monitor's value cannot be charted ({exc}). Type the MAP.")
        self._write_monitor_batch(force=True)  # the samples behind the value go to disk with it
        return self.record_reading(reading, source=SOURCE_MONITOR, monitor=seen)

    # ------------------------------------------------------------------------------------------------ views
    def running_dose_per_kg(self) -> float:
        return per_kg(self.state.current_dose, self.state.patient.weight_kg)

    def advice_figures(self) -> InfusionSummary | None:
        """The dosing core's figures for the advised dose on the recorded patient and bag (its mcg/min and pump
        rate beside the mcg/kg/min the engine gives); ``None`` without a dose to advise."""
        advice = self._advice
        if isinstance(advice, Unavailable) or advice.dose_mcg_per_kg_per_min <= 0:
            return None
        if self._figures_for is advice:
            return self._figures
        try:
            figures: InfusionSummary | None = dose_summary(self.state, self.protocol, advice.dose_mcg_per_kg_per_min,
                                                           self.now())
        except InputError:
            figures = None
        self._figures_for, self._figures = advice, figures
        return figures

    _figures_for: object = None
    _figures: InfusionSummary | None = None

    def running_nee(self) -> float | None:
        """Norepinephrine equivalents of what runs now (rule NEE-SUM on the running NE dose and co-infusions);
        ``None`` without another vasopressor running (NEE is the NE dose then)."""
        from norepi_gui.bedside.inputs import co_infusions
        from norepi_gui.core.titration.nee import has_other_vasopressor, norepinephrine_equivalents

        co = co_infusions({drug: row.dose for drug, row in self.state.active_co_infusions.items()})
        if not has_other_vasopressor(co):
            return None
        return norepinephrine_equivalents(self.running_dose_per_kg(), co)

    def bedside_glance(self) -> Glance:
        """What the bedside strip shows now (latest MAP and trend, dose, bag, line, time in band)."""
        from norepi_gui.bedside.glance import glance

        now = self.now()
        return glance(self.state, self.protocol, now, band=self.target_band(),
                      left_ml=bag_left_ml(self.state, now) if self.state.bag is not None else None,
                      session_start=self.info.created_at if self.info is not None else None)

    def advice_on_empty_bag(self) -> bool:
        """The bag is empty while the pump runs: advice to change its dose is not the headline (hang a bag)."""
        alarm = self.alarm_state.of_source("bag")
        return alarm is not None and alarm.code == "BAG_EMPTY"

    def bag_left_ml(self) -> float | None:
        return bag_left_ml(self.state, self.now())

    def line_note(self) -> str | None:
        """The safety note for a peripheral or intraosseous line (limits, extravasation pathway, no bicarbonate);
        ``None`` on a central line."""
        from norepi_gui.bedside.inputs import line_of, population_of
        from norepi_gui.core.protocol import LineType
        from norepi_gui.core.safety_text import NO_BICARBONATE, peripheral_line_note

        line = line_of(self.state)
        if line is LineType.CENTRAL:
            return None
        text = peripheral_line_note(line.value.capitalize(), self.protocol.line(line).max_hours)
        weight = self.state.weight_kg()
        if weight is not None:
            from norepi_gui.core.titration import PatientInfo
            from norepi_gui.core.titration.lines import extravasation_text

            with suppress(InputError):
                text += "\n" + extravasation_text(PatientInfo(weight_kg=weight, population=population_of(self.state),
                                                              line=line))
        return text + "\n" + NO_BICARBONATE

    def quality_band(self) -> Band | None:
        """What the quality figures measure against: the order's goal and floor; without an order, the band the
        advice titrates to and targets.elderly_map (60 mmHg, the lowest target any adult trial accepted: 65 trial
        [V]) as the floor. ``None`` without a band."""
        order = self.state.order
        if order is not None:
            return Band(order.goal_map_low, order.goal_map_high, order.floor_map)
        band = self.target_band()
        if band is None:
            return None
        return Band(band[0], band[1], min(self.protocol.targets.elderly_map, band[0]))

    def quality(self) -> QualityFigures | None:
        """The quality figures now (``norepi_gui.core.quality``); ``None`` without a session or a band to measure
        (no session: the band is not even looked for, so the first paint does not load the titration engine)."""
        if self.info is None:
            return None
        band = self.quality_band()
        if band is None:
            return None
        return quality_figures(self.state, self._quality, band, self.protocol.intervals, self.now(),
                               self.prompt.due_at if self.writable else None)

    def flowsheet(self, tz: tzinfo | None = None, *, since: datetime | None = None) -> list[FlowsheetRow]:
        """The flowsheet rows of the session (``norepi_gui.bedside.flowsheet``), oldest first, up to now."""
        from norepi_gui.bedside.flowsheet import flowsheet_rows

        return flowsheet_rows(self.state, self.quality_band(), tz, since=since, until=self.now())

    def export_flowsheet_csv(self, path: Path, tz: tzinfo | None = None) -> None:
        """The flowsheet as CSV (named columns, local time with its offset), written through a temporary file."""
        from norepi_gui.core.flowsheet import write_flowsheet_csv

        write_flowsheet_csv(self.flowsheet(tz), path, tz)

    def target_band(self) -> tuple[float, float] | None:
        """The band the advice titrates to (from the advice, else from the patient's details)."""
        advice = self._advice
        if not isinstance(advice, Unavailable):
            low, high = advice.target_map, advice.target_map_upper
            return (low, high) if low is not None and high is not None else None  # a child without a written target
        from norepi_gui.bedside.inputs import patient_info
        from norepi_gui.core.titration.targets import choose_target, needs_written_target

        try:
            patient = patient_info(self.state, self.now())
        except InputError:
            return None
        if needs_written_target(patient):
            return None  # no adult band for a child: the child's own target is asked for
        target = choose_target(patient, self.protocol)
        return target.map_mmhg, target.upper_mmhg


def _check_bed(text: str) -> str:
    return _check_text(text, "Bed", 40)


def _check_text(text: str, field: str, limit: int) -> str:
    value = text.strip()
    if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InputError(field, "too long or holds control characters", f"up to {limit} characters")
    return value


def _problem_text(exc: InputError) -> str:
    text = f"{exc.field[:1].upper()}{exc.field[1:]}: {exc.problem}"
    return text + (f". Accepted: {exc.accepted}" if exc.accepted else "")


def _clock(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M")


def _rate(value: float, resolution: float) -> str:
    text = f"{resolution:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{value:.{decimals}f}"


def _at_resolution(value: float | None, resolution: float) -> str:
    """``value`` rounded to ``resolution`` (no trailing zeros): 0.3947 at 0.005 -> 0.395; 8.16 at 0.5 -> 8."""
    if value is None:
        return "-"
    text = f"{resolution:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    shown = f"{round(value / resolution) * resolution:.{decimals}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _same_factor(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def _delivery(drop_factor: float | None) -> str:
    return "on the infusion pump" if drop_factor is None else f"by gravity at {drop_factor:g} gtt/mL"


def _alert_lines(alerts: list[Alert]) -> str:
    marks = {"high": "!!! HIGH", "medium": "!! MEDIUM", "low": "! LOW"}
    return "\n".join(f"{marks[a.priority.value]}: {a.message}" for a in alerts)
