"""The append-only session log: commit before return, no rewrites, effective view, export."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind, PayloadError, decode_payload, encode_payload
from norepi_gui.core.session_log import (
    DB_FILENAME,
    SCHEMA_VERSION,
    SchemaVersionError,
    SessionStore,
    SessionStoreError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[SessionStore]:
    with SessionStore(tmp_path, clock) as s:
        yield s


def _patient(store: SessionStore, label: str = "bed 4") -> int:
    return store.create_session(label, is_training=False, protocol_name="default-ne", protocol_version="1.2").id


def _raw_connection(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / DB_FILENAME)


# -- append, commit and order --------------------------------------------------------------


def test_append_is_committed_and_visible_to_another_connection_when_it_returns(
    store: SessionStore, tmp_path: Path
) -> None:
    sid = _patient(store)
    event = store.append(sid, EventKind.READING, {"map_mmHg": 58.0})
    other = _raw_connection(tmp_path)
    try:
        rows = other.execute("SELECT id, kind, payload FROM events").fetchall()
    finally:
        other.close()
    assert rows == [(event.id, "READING", '{"map_mmHg":58.0}')]


def test_database_file_uses_write_ahead_log(store: SessionStore, tmp_path: Path) -> None:
    other = _raw_connection(tmp_path)
    try:
        (mode,) = other.execute("PRAGMA journal_mode").fetchone()
    finally:
        other.close()
    assert mode == "wal"


def test_seq_counts_up_within_each_session_in_recording_order(store: SessionStore, clock: ManualClock) -> None:
    a = _patient(store, "bed 1")
    b = _patient(store, "bed 2")
    e1 = store.append(a, EventKind.READING, {"map_mmHg": 60})
    e2 = store.append(b, EventKind.READING, {"map_mmHg": 70})
    clock.advance(minutes=1)
    e3 = store.append(a, EventKind.NE_DOSE, {"mcg_kg_min": 0.1})
    e4 = store.append(a, EventKind.NOTE, {"text": "line flushed"})
    assert [e.seq for e in (e1, e3, e4)] == [1, 2, 3]
    assert e2.seq == 1
    assert e1.id < e2.id < e3.id < e4.id
    assert [e.id for e in store.events(a)] == [e1.id, e3.id, e4.id]
    assert [e.kind for e in store.events(a)] == [
        EventKind.READING,
        EventKind.NE_DOSE,
        EventKind.NOTE,
    ]


def test_at_defaults_to_clock_and_explicit_at_is_stored_in_utc(store: SessionStore, clock: ManualClock) -> None:
    sid = _patient(store)
    clock.advance(minutes=10)
    now_event = store.append(sid, EventKind.READING, {"map_mmHg": 61})
    # 09:05 at +02:00 is 07:05 UTC.
    past = datetime(2026, 1, 1, 9, 5, tzinfo=timezone(timedelta(hours=2)))
    back_event = store.append(sid, EventKind.READING, {"map_mmHg": 55}, at=past)
    assert now_event.at == datetime(2026, 1, 1, 8, 10, tzinfo=UTC)
    assert now_event.recorded_at == datetime(2026, 1, 1, 8, 10, tzinfo=UTC)
    stored = store.events(sid)[1]
    assert stored.at == datetime(2026, 1, 1, 7, 5, tzinfo=UTC)
    assert stored.at.utcoffset() == timedelta(0)
    assert stored.recorded_at == datetime(2026, 1, 1, 8, 10, tzinfo=UTC)
    assert back_event == stored


def test_naive_clinical_time_is_refused(store: SessionStore) -> None:
    sid = _patient(store)
    with pytest.raises(ValueError, match="at: must be a timezone-aware"):
        store.append(sid, EventKind.READING, {"map_mmHg": 61}, at=datetime(2026, 1, 1, 8, 0))
    assert store.events(sid) == []


def test_unknown_session_is_refused_with_its_id(store: SessionStore) -> None:
    with pytest.raises(SessionStoreError, match="no session 99"):
        store.append(99, EventKind.NOTE, {"text": "x"})
    with pytest.raises(SessionStoreError, match="no session 99"):
        store.events(99)


# -- payloads --------------------------------------------------------------------------------


def test_payload_round_trips_floats_ints_and_nesting_as_sorted_json(store: SessionStore, tmp_path: Path) -> None:
    sid = _patient(store)
    payload = {
        "z_rate_ml_h": 0.1 + 0.2,  # 0.30000000000000004, must not be rounded
        "a_weight_kg": 70.0,
        "count": 3,
        "ok": True,
        "missing": None,
        "nested": {"b": [1, 2.5, "µg"], "a": -1e-07},
    }
    store.append(sid, EventKind.SETTING, payload)
    (stored,) = store.events(sid)
    assert stored.payload == payload
    assert isinstance(stored.payload["a_weight_kg"], float)
    assert isinstance(stored.payload["count"], int)
    other = _raw_connection(tmp_path)
    try:
        (text,) = other.execute("SELECT payload FROM events").fetchone()
    finally:
        other.close()
    assert text == (
        '{"a_weight_kg":70.0,"count":3,"missing":null,'
        '"nested":{"a":-1e-07,"b":[1,2.5,"\\u00b5g"]},"ok":true,'
        '"z_rate_ml_h":0.30000000000000004}'
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_survives_json_encoding_bit_for_bit(value: float) -> None:
    assert decode_payload(encode_payload({"v": value})) == {"v": value}


def test_unknown_event_kind_is_refused_listing_the_kinds(store: SessionStore) -> None:
    sid = _patient(store)
    with pytest.raises(ValueError, match="kind: 'READNG' is not an event kind; accepted: READING"):
        store.append(sid, "READNG", {"map_mmHg": 61})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"map_mmHg": float("nan")}, r"payload\['map_mmHg'\]: nan is not allowed"),
        ({"dose": {"value": float("inf")}}, r"payload\['dose'\]\['value'\]: inf is not allowed"),
        ({"series": [1.0, -float("inf")]}, r"payload\['series'\]\[1\]: -inf is not allowed"),
        ({"when": T0}, r"payload\['when'\]: datetime is not storable"),
        ({"pair": (1, 2)}, r"payload\['pair'\]: tuple is not storable"),
        ({"tags": {"a"}}, r"payload\['tags'\]: set is not storable"),
        ({"blob": b"\x00"}, r"payload\['blob'\]: bytes is not storable"),
        ({"by_bed": {4: "x"}}, r"payload\['by_bed'\]: key 4 is not a string"),
    ],
)
def test_payload_that_is_not_finite_plain_json_is_refused_naming_the_field(
    store: SessionStore, payload: dict[str, object], message: str
) -> None:
    sid = _patient(store)
    with pytest.raises(PayloadError, match=message):
        store.append(sid, EventKind.READING, payload)
    assert store.events(sid) == []


# -- corrections and deletions ---------------------------------------------------------------


def test_correction_is_a_new_event_and_raw_log_keeps_the_original(store: SessionStore, clock: ManualClock) -> None:
    sid = _patient(store)
    original = store.append(sid, EventKind.READING, {"map_mmHg": 85})
    clock.advance(minutes=3)
    fix = store.append(sid, EventKind.CORRECTION, {"map_mmHg": 58}, supersedes=original.id)
    raw = store.events(sid)
    assert raw == [original, fix]
    assert raw[0].payload == {"map_mmHg": 85}
    assert fix.supersedes == original.id
    # A correction keeps the clinical time of what it corrects unless told otherwise.
    assert fix.at == T0
    assert fix.recorded_at == datetime(2026, 1, 1, 8, 3, tzinfo=UTC)


def test_events_table_refuses_update_and_delete_even_from_outside(store: SessionStore, tmp_path: Path) -> None:
    sid = _patient(store)
    store.append(sid, EventKind.READING, {"map_mmHg": 85})
    other = _raw_connection(tmp_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            other.execute("UPDATE events SET payload = '{}'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            other.execute("DELETE FROM events")
    finally:
        other.close()
    assert store.events(sid)[0].payload == {"map_mmHg": 85}


def test_effective_view_applies_latest_correction_and_drops_deleted_events(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = _patient(store)
    r1 = store.append(sid, EventKind.READING, {"map_mmHg": 85})
    clock.advance(minutes=5)
    r2 = store.append(sid, EventKind.READING, {"map_mmHg": 70})
    clock.advance(minutes=5)
    dose = store.append(sid, EventKind.NE_DOSE, {"mcg_kg_min": 0.1})
    first_fix = store.append(sid, EventKind.CORRECTION, {"map_mmHg": 58}, supersedes=r1.id)
    # A correction of the correction still speaks for r1; the later one wins.
    store.append(sid, EventKind.CORRECTION, {"map_mmHg": 57}, supersedes=first_fix.id)
    store.append(sid, EventKind.DELETION, {"reason": "wrong patient"}, supersedes=r2.id)

    effective = store.effective_events(sid)

    assert [(e.id, e.kind, e.payload) for e in effective] == [
        (r1.id, EventKind.READING, {"map_mmHg": 57}),
        (dose.id, EventKind.NE_DOSE, {"mcg_kg_min": 0.1}),
    ]
    assert len(store.events(sid)) == 6  # 3 originals + 2 corrections + 1 deletion


def test_effective_view_is_in_clinical_time_order_after_a_time_correction(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = _patient(store)
    clock.advance(minutes=30)
    late = store.append(sid, EventKind.READING, {"map_mmHg": 62})  # at 08:30
    clock.advance(minutes=1)
    other = store.append(sid, EventKind.READING, {"map_mmHg": 66})  # at 08:31
    # The first reading was really taken at 08:10.
    store.append(
        sid,
        EventKind.CORRECTION,
        {"map_mmHg": 62},
        at=datetime(2026, 1, 1, 8, 10, tzinfo=UTC),
        supersedes=late.id,
    )
    effective = store.effective_events(sid)
    assert [(e.id, e.at) for e in effective] == [
        (late.id, datetime(2026, 1, 1, 8, 10, tzinfo=UTC)),
        (other.id, datetime(2026, 1, 1, 8, 31, tzinfo=UTC)),
    ]


def test_superseding_rules_are_enforced_with_clear_errors(store: SessionStore) -> None:
    sid = _patient(store)
    other_sid = _patient(store, "bed 9")
    reading = store.append(sid, EventKind.READING, {"map_mmHg": 80})
    foreign = store.append(other_sid, EventKind.READING, {"map_mmHg": 90})
    with pytest.raises(ValueError, match="CORRECTION must name the event id"):
        store.append(sid, EventKind.CORRECTION, {"map_mmHg": 81})
    with pytest.raises(ValueError, match="only CORRECTION and DELETION events supersede"):
        store.append(sid, EventKind.READING, {"map_mmHg": 81}, supersedes=reading.id)
    with pytest.raises(ValueError, match=f"no event {foreign.id} in session {sid}"):
        store.append(sid, EventKind.DELETION, {}, supersedes=foreign.id)
    deletion = store.append(sid, EventKind.DELETION, {}, supersedes=reading.id)
    with pytest.raises(ValueError, match=f"event {reading.id} was deleted"):
        store.append(sid, EventKind.CORRECTION, {"map_mmHg": 81}, supersedes=reading.id)
    with pytest.raises(ValueError, match="is a DELETION; it cannot be superseded"):
        store.append(sid, EventKind.DELETION, {}, supersedes=deletion.id)
    assert len(store.events(sid)) == 2


# -- sessions --------------------------------------------------------------------------------


def test_training_and_patient_sessions_are_never_listed_together(store: SessionStore) -> None:
    patient = _patient(store)
    training = store.create_session(
        "septic shock drill",
        is_training=True,
        protocol_name="default-ne",
        protocol_version="1.2",
        scenario="septic-shock-01",
    ).id
    assert [s.id for s in store.list_sessions()] == [patient]
    assert [s.id for s in store.list_sessions(training=False)] == [patient]
    assert [s.id for s in store.list_sessions(training=True)] == [training]
    assert [s.id for s in store.open_sessions()] == [patient]
    assert [s.id for s in store.open_sessions(training=True)] == [training]


def test_session_records_protocol_name_version_and_scenario(store: SessionStore) -> None:
    info = store.create_session(
        "drill",
        is_training=True,
        protocol_name="default-ne",
        protocol_version="2025.3",
        scenario="refractory-02",
    )
    (listed,) = store.list_sessions(training=True)
    assert listed == info
    assert (listed.protocol_name, listed.protocol_version, listed.scenario) == (
        "default-ne",
        "2025.3",
        "refractory-02",
    )
    assert listed.created_at == T0
    assert listed.closed_at is None


def test_session_without_protocol_name_is_refused(store: SessionStore) -> None:
    with pytest.raises(ValueError, match="protocol_name: must be a non-empty string"):
        store.create_session("x", is_training=False, protocol_name=" ", protocol_version="1")


def test_closing_records_an_event_and_removes_session_from_resumable_list(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = _patient(store)
    store.append(sid, EventKind.READING, {"map_mmHg": 66})
    clock.advance(minutes=45)
    closed = store.close_session(sid)
    assert closed.closed_at == datetime(2026, 1, 1, 8, 45, tzinfo=UTC)
    assert store.open_sessions() == []
    assert [s.id for s in store.list_sessions()] == [sid]
    last = store.events(sid)[-1]
    assert (last.seq, last.kind, last.payload) == (2, EventKind.SESSION_CLOSED, {})
    with pytest.raises(SessionStoreError, match="closed sessions take no new events"):
        store.append(sid, EventKind.NOTE, {"text": "late"})
    with pytest.raises(SessionStoreError, match="already closed"):
        store.close_session(sid)
    assert len(store.events(sid)) == 2


def test_reopening_the_folder_keeps_every_session_and_event(tmp_path: Path, clock: ManualClock) -> None:
    with SessionStore(tmp_path, clock) as first:
        sid = _patient(first)
        reading = first.append(sid, EventKind.READING, {"map_mmHg": 59.5})
        fix = first.append(sid, EventKind.CORRECTION, {"map_mmHg": 60.5}, supersedes=reading.id)
        done = _patient(first, "bed 2")
        first.close_session(done)
        sessions_before = first.list_sessions()
    with SessionStore(tmp_path, clock) as second:
        assert second.list_sessions() == sessions_before
        assert second.events(sid) == [reading, fix]
        assert [s.id for s in second.open_sessions()] == [sid]
        next_event = second.append(sid, EventKind.NOTE, {"text": "resumed"})
    assert next_event.seq == 3


# -- files -----------------------------------------------------------------------------------


def test_export_csv_writes_one_row_per_raw_event(store: SessionStore, clock: ManualClock, tmp_path: Path) -> None:
    sid = _patient(store)
    reading = store.append(sid, EventKind.READING, {"map_mmHg": 85, "source": "arterial line"})
    clock.advance(minutes=2, seconds=30)
    store.append(sid, EventKind.CORRECTION, {"map_mmHg": 58.0}, supersedes=reading.id)
    out = tmp_path / "export.csv"
    store.export_csv(sid, out)
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [
        "session_id",
        "training",
        "protocol_name",
        "protocol_version",
        "seq",
        "event_id",
        "at",
        "recorded_at",
        "kind",
        "supersedes",
        "payload",
    ]
    assert len(rows) == 3
    assert rows[1] == [
        str(sid),
        "0",
        "default-ne",
        "1.2",
        "1",
        str(reading.id),
        "2026-01-01T08:00:00+00:00",
        "2026-01-01T08:00:00+00:00",
        "READING",
        "",
        '{"map_mmHg":85,"source":"arterial line"}',
    ]
    # Recorded 2 min 30 s later, at the clinical time of the reading it corrects.
    assert rows[2][6:] == [
        "2026-01-01T08:00:00+00:00",
        "2026-01-01T08:02:30+00:00",
        "CORRECTION",
        str(reading.id),
        '{"map_mmHg":58.0}',
    ]


def test_file_from_a_newer_schema_is_refused_with_its_version(tmp_path: Path, clock: ManualClock) -> None:
    SessionStore(tmp_path, clock).close()
    other = _raw_connection(tmp_path)
    try:
        other.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    finally:
        other.close()
    newer = SCHEMA_VERSION + 1
    with pytest.raises(SchemaVersionError, match=rf"schema version {newer}.*versions up to {SCHEMA_VERSION}"):
        SessionStore(tmp_path, clock)


def test_new_file_gets_the_current_schema_version(tmp_path: Path, clock: ManualClock) -> None:
    SessionStore(tmp_path, clock).close()
    other = _raw_connection(tmp_path)
    try:
        (version,) = other.execute("PRAGMA user_version").fetchone()
    finally:
        other.close()
    assert version == SCHEMA_VERSION == 2


def test_file_that_is_not_a_database_is_refused_naming_the_path(tmp_path: Path, clock: ManualClock) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SessionStoreError, match="is not a norepi-gui session database"):
        SessionStore(tmp_path, clock)
