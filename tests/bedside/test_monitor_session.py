"""The bedside monitor's values in a session (Qt-free, in memory): kept apart from readings, written a minute at a
time, linked to one bed, summarised at a check and charted with what the monitor showed; the feed's stale alarm.

Protocol defaults ([monitor] in default.toml): stale after 120 s, summary of the last 5 min, at least 3 samples, at
most half excluded, MAP >= 180 a flush when the run lasts <= 30 s (and 10 s after it), pulse pressure < 20 damped,
25 mmHg a jump. Target 65-75; a reading below target makes the check due 5 min later.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from norepi_gui.bedside.memory import MemoryStore
from norepi_gui.bedside.monitor import BATCH_SECONDS, MonitorTrace
from norepi_gui.bedside.records import MonitorSamplesRecord, ReadingRecord
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.storage_errors import StorageError
from norepi_gui.core.titration import Advice, Reading
from norepi_gui.monitor.builder import build_oru_r01
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.pcd01 import Location, ObservationSet, parse_pcd01
from norepi_gui.monitor.samples import MonitorSample, SampleSource
from tests.bedside.test_session import Answers, events, kinds, start_infusion

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
BED = "ICU^12^A"


def obs(at: datetime, map_mmhg: float = 68, sbp: float = 98, dbp: float = 52, hr: float = 96,
        bed: str = BED, patient: str = "") -> ObservationSet:
    """One PCD-01 message from the gateway, parsed (as the listener hands it on)."""
    values = {Vital.ART_MAP: map_mmhg, Vital.ART_SBP: sbp, Vital.ART_DBP: dbp, Vital.HR: hr}
    message = build_oru_r01(control_id=f"M{at:%H%M%S}", sent_at=at, observed_at=at, values=values,
                            bed=Location.parse(bed), patient_id=patient)
    parsed = parse_pcd01(message, local_tz=UTC)
    assert isinstance(parsed, ObservationSet)
    return parsed


def monitored(*, patient: str = "") -> tuple[BedsideSession, ManualClock, MemoryStore]:
    """A session with the infusion running and the feed on for bed ICU^12^A."""
    clock = ManualClock(T0)
    store = MemoryStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=Answers())
    start_infusion(session)
    session.set_monitor(enabled=True, listening=True, bed=BED, patient_id=patient, address="127.0.0.1:2575")
    return session, clock, store


def feed(session: BedsideSession, clock: ManualClock, seconds: range, **values: float) -> None:
    for s in seconds:
        clock.set(T0 + timedelta(seconds=s))
        assert session.take_monitor(obs(clock.now(), **values)).problem == ""


def batches(session: BedsideSession, store: MemoryStore) -> list[MonitorSamplesRecord]:
    out = []
    for e in events(session, store):
        if e.kind is EventKind.MONITOR_SAMPLES:
            record = MonitorSamplesRecord.from_payload(e.payload)
            assert record is not None
            out.append(record)
    return out


def test_samples_are_in_the_session_at_once_and_written_one_batch_a_minute_never_one_write_per_sample() -> None:
    session, clock, store = monitored()
    feed(session, clock, range(1, 151))  # 1 Hz for 150 s
    assert len(session.state.monitor) == 150
    # The first batch starts with the sample of 08:00:01 and is due 60 s later, with the sample of 08:01:01:
    # samples 1..61 (61); the next starts at 08:01:02 and is written at 08:02:02: 62..122 (61); 123..150 wait.
    assert [len(b.samples) for b in batches(session, store)] == [61, 61]
    session.close_session()  # the session closes: the last 28 are written with it
    assert [len(b.samples) for b in batches(session, store)] == [61, 61, 28]
    written = [s for b in batches(session, store) for s in b.samples]
    assert [s.at for s in written] == [T0 + timedelta(seconds=s) for s in range(1, 151)]
    assert BATCH_SECONDS == 60.0


def test_the_session_records_which_bed_fed_it_and_when_the_feed_stopped() -> None:
    session, clock, store = monitored(patient="HED12")
    links = [e.payload for e in events(session, store) if e.kind is EventKind.MONITOR_LINK]
    assert links == [{"listening": True, "bed": BED, "patient_id": "HED12", "address": "127.0.0.1:2575"}]
    clock.advance(seconds=5)
    session.set_monitor(enabled=False, listening=False)
    links = [e.payload for e in events(session, store) if e.kind is EventKind.MONITOR_LINK]
    assert links[-1] == {"listening": False, "bed": BED, "patient_id": "HED12", "address": "127.0.0.1:2575"}


def test_a_message_for_another_bed_or_patient_never_reaches_the_session() -> None:
    session, _clock, store = monitored(patient="HED12")
    before = len(events(session, store))
    other_bed = session.take_monitor(obs(T0, bed="ICU^14^B", patient="HED12"))
    other_patient = session.take_monitor(obs(T0, patient="XYZ99"))
    assert other_bed.problem.startswith("wrong_bed") and other_patient.problem.startswith("wrong_patient")
    assert other_bed.change.monitor_samples == () and len(session.state.monitor) == 0
    assert len(events(session, store)) == before
    assert session.take_monitor(obs(T0, patient="HED12")).problem == ""
    assert len(session.state.monitor) == 1


def test_nothing_is_kept_without_an_open_session_or_with_the_feed_off() -> None:
    clock = ManualClock(T0)
    store = MemoryStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=Answers())
    assert "off" in session.take_monitor(obs(T0)).problem
    session.set_monitor(enabled=True, listening=True, bed=BED)
    refused = session.take_monitor(obs(T0))
    assert "no session is open" in refused.problem and session.info is None  # the monitor never starts one


def test_a_message_sent_again_is_kept_once_and_a_reopened_session_has_its_whole_trace() -> None:
    session, clock, _store = monitored()
    feed(session, clock, range(0, 130, 5))  # 26 samples, 08:00:00 to 08:02:05
    assert session.take_monitor(obs(T0 + timedelta(seconds=125))).change.monitor_samples == ()
    late = session.take_monitor(obs(T0 + timedelta(seconds=62)))  # an older time, not seen: placed in order
    assert len(late.change.monitor_samples) == 1
    assert [s.at for s in session.state.monitor][12:15] == [T0 + timedelta(seconds=s) for s in (60, 62, 65)]
    assert session.info is not None
    sid = session.info.id
    session.close_session()
    session.open_session(sid)
    assert len(session.state.monitor) == 27
    assert session.state.monitor[-1] == MonitorSample(T0 + timedelta(seconds=125), SampleSource.ARTERIAL, 68.0, 98.0,
                                                      52.0, 96.0)


def test_titration_never_runs_on_the_monitors_values() -> None:
    session, clock, _store = monitored()
    session.record_reading(Reading(at=T0, map_mmhg=70.0))  # in the 65-75 band
    before = session.advice
    feed(session, clock, range(5, 240, 5), map_mmhg=50, sbp=80, dbp=35)  # the monitor far below target
    session.tick()
    after = session.advice
    assert isinstance(after, Advice) and after.reading_age_min == (4 * 60 - 5) / 60  # 08:03:55, the last sample
    assert dataclasses.replace(after, reading_age_min=0.0) == before  # the engine reads charted readings only
    assert [r.map_mmhg for r in session.state.readings] == [70.0]


def test_a_due_check_offers_the_monitors_median_and_charting_it_leaves_the_flush_out() -> None:
    session, clock, store = monitored()
    session.record_reading(Reading(at=T0, map_mmhg=58.0))  # below target: the check is due at 08:05
    feed(session, clock, range(60, 290, 5))  # 08:01:00..08:04:45: 46 samples of MAP 68 (98/52, HR 96)
    feed(session, clock, range(290, 301, 5), map_mmhg=250, sbp=250, dbp=250)  # a 10 s fast flush at the end
    assert session.due_now()
    offer = session.monitor_offer()
    assert offer is not None and offer.chartable
    change = session.chart_monitor()
    reading = change.readings.appended[0]
    assert (reading.map_mmhg, reading.sbp_mmhg, reading.dbp_mmhg, reading.hr_per_min) == (68.0, 98.0, 52.0, 96.0)
    assert reading.record.source == "monitor"
    shown = reading.record.monitor
    assert shown is not None
    # Window 08:00:00-08:05:00: 49 samples, the 3 of the flush (250 >= 180 for 10 s <= 30 s) left out, 46 used.
    assert (shown.map_mmhg, shown.used, dict(shown.excluded), shown.window_min) == (68.0, 46, {"flush": 3}, 5.0)
    assert (shown.latest_map_mmhg, shown.feed) == (250.0, "live")  # the latest value was the flush: not charted
    assert kinds(session, store)[-3:-1] == [EventKind.READING, EventKind.PROMPT_ANSWERED]  # it answered the check
    assert not session.due_now()


def test_a_typed_reading_records_what_the_monitor_showed_and_its_source() -> None:
    session, clock, _store = monitored()
    feed(session, clock, range(0, 181, 5), map_mmhg=66, sbp=96, dbp=50)
    session.record_reading(Reading(at=clock.now(), map_mmhg=74.0))
    record = session.state.readings[-1].record
    assert record.source == "typed" and record.map_mmhg == 74.0
    assert record.monitor is not None and record.monitor.map_mmhg == 66.0 and record.monitor.used == 37
    again = ReadingRecord.from_payload(record.to_payload())  # read back from the stored payload
    assert again == record


def test_nothing_is_charted_from_a_window_that_cannot_be_summarised_honestly() -> None:
    session, clock, _store = monitored()
    feed(session, clock, range(0, 121, 5), map_mmhg=60, sbp=90, dbp=45)
    feed(session, clock, range(125, 241, 5), map_mmhg=90, sbp=120, dbp=75)  # a step of 30 mmHg > 25: unstable
    before = len(session.state.readings)
    change = session.chart_monitor()
    assert change.readings.appended == () and len(session.state.readings) == before
    assert "not chartable" in change.message and "Type the MAP" in change.message


def test_a_feed_that_stops_raises_the_stale_alarm_once_its_time_has_passed_and_a_value_clears_it() -> None:
    session, clock, _store = monitored()
    feed(session, clock, range(0, 121, 10))  # last value at 08:02:00
    clock.set(T0 + timedelta(minutes=4))  # 120 s old: not yet stale (stale after more than 120 s)
    session.tick()
    assert session.alarm_state.by_code("MONITOR_STALE") is None
    clock.set(T0 + timedelta(minutes=4, seconds=1))
    change = session.tick()
    alarm = session.alarm_state.by_code("MONITOR_STALE")
    assert alarm is not None and alarm.priority == "medium" and change.alarms and change.monitor
    assert "no MAP for 2 min 01 s" in alarm.message
    session.take_monitor(obs(clock.now()))
    assert session.alarm_state.by_code("MONITOR_STALE") is None


def test_a_listener_that_could_not_start_is_stale_after_its_time_and_says_why() -> None:
    session, clock, _store = monitored()
    session.set_monitor(enabled=True, listening=False, bed=BED, problem="cannot listen on 127.0.0.1 port 2575: "
                        "Address already in use")
    clock.advance(seconds=121)
    session.tick()
    alarm = session.alarm_state.by_code("MONITOR_STALE")
    assert alarm is not None and "Address already in use" in alarm.message


class FailingMonitorWrites(MemoryStore):
    """A store whose disk refuses monitor batches while ``failing``."""

    failing = False

    def append(self, session_id, kind, payload, *, at=None, supersedes=None):  # type: ignore[no-untyped-def]
        if self.failing and kind is EventKind.MONITOR_SAMPLES:
            raise StorageError(Path("sessions.sqlite3"), "disk full", "free some space")
        return super().append(session_id, kind, payload, at=at, supersedes=supersedes)


def test_a_batch_that_cannot_be_written_is_refused_to_the_gateway_raised_as_an_alarm_and_written_later() -> None:
    clock = ManualClock(T0)
    store = FailingMonitorWrites(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=Answers())
    start_infusion(session)
    session.set_monitor(enabled=True, listening=True, bed=BED)
    store.failing = True
    feed(session, clock, range(0, 60, 5))
    clock.set(T0 + timedelta(seconds=60))
    refused = session.take_monitor(obs(clock.now()))  # the minute's batch is due and cannot be written
    assert "disk full" in refused.problem
    assert session.alarm_state.by_code("NOT_RECORDED") is not None
    store.failing = False
    clock.advance(seconds=5)
    assert session.take_monitor(obs(clock.now())).problem == ""
    assert sum(len(b.samples) for b in batches(session, store)) == 14  # 08:00:00..08:01:05, nothing lost
    assert session.alarm_state.by_code("NOT_RECORDED") is None


def test_the_trace_keeps_one_sample_per_time_and_source_in_time_order() -> None:
    trace = MonitorTrace()
    a = MonitorSample(T0, SampleSource.ARTERIAL, 68.0, 98.0, 52.0, None)
    cuff = MonitorSample(T0, SampleSource.CUFF, 70.0)
    later = MonitorSample(T0 + timedelta(seconds=10), SampleSource.ARTERIAL, 69.0)
    earlier = MonitorSample(T0 - timedelta(seconds=10), SampleSource.ARTERIAL, 67.0)
    assert trace.add([a, later]) == (a, later)
    assert trace.add([cuff, a, earlier]) == (cuff, earlier)
    assert list(trace) == [earlier, a, cuff, later]
    assert trace[1:3] == [a, cuff] and trace[-1] == later
    with pytest.raises(IndexError):
        trace[4]


def test_a_stored_batch_that_does_not_read_is_left_out_and_its_unreadable_samples_skipped() -> None:
    good = MonitorSamplesRecord((MonitorSample(T0, SampleSource.ARTERIAL, 68.0, 98.0, 52.0, 96.0),
                                 MonitorSample(T0 + timedelta(seconds=1), SampleSource.CUFF, 70.0)))
    payload = good.to_payload()
    assert MonitorSamplesRecord.from_payload(payload) == good
    assert MonitorSamplesRecord.from_payload({**payload, "map": [68.0]}) is None  # columns of different lengths
    assert MonitorSamplesRecord.from_payload({**payload, "t0": "yesterday"}) is None
    damaged = MonitorSamplesRecord.from_payload({**payload, "source": ["arterial", "telepathy"]})
    assert damaged is not None and damaged.samples == good.samples[:1]
