"""The recovery file: an entry that could not be recorded is kept, typed, until someone has dealt with it."""

from __future__ import annotations

import json
import stat
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.recovery import RECOVERY_FILENAME, RecoveryEntry, RecoveryLog
from norepi_gui.core.session_log import DB_FILENAME, SessionStore
from norepi_gui.core.storage_errors import DatabaseReplacedError, DiskFullError
from tests.fsfaults import fill, small_filesystem

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
POSIX = sys.platform != "win32"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def _entry(value: float, reason: str = "the disk is full") -> RecoveryEntry:
    return RecoveryEntry(
        kept_at=T0,
        session_id=3,
        session_uid="ab" * 16,
        kind="READING",
        payload={"map_mmHg": value, "source": "cuff"},
        at=datetime(2026, 1, 1, 7, 55, tzinfo=UTC),
        supersedes=None,
        reason=reason,
    )


def test_kept_entries_are_listed_in_order_exactly_as_typed(tmp_path: Path, clock: ManualClock) -> None:
    log = RecoveryLog(tmp_path / "data", clock, fallback_dir=tmp_path / "fallback")
    (tmp_path / "data").mkdir()
    first = log.keep(_entry(58.0))
    second = log.keep(_entry(61.5, "the database was deleted"))
    assert first == second == tmp_path / "data" / RECOVERY_FILENAME
    listing = log.entries()
    assert listing.entries == [_entry(58.0), _entry(61.5, "the database was deleted")]
    assert listing.unreadable == []
    lines = first.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["payload"] == {"map_mmHg": 58.0, "source": "cuff"}


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_recovery_file_is_private(tmp_path: Path, clock: ManualClock) -> None:
    (tmp_path / "data").mkdir()
    path = RecoveryLog(tmp_path / "data", clock, fallback_dir=tmp_path / "fb").keep(_entry(58.0))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_data_folder_gone_keeps_the_entry_in_the_fallback_folder(tmp_path: Path, clock: ManualClock) -> None:
    log = RecoveryLog(tmp_path / "deleted-data", clock, fallback_dir=tmp_path / "fallback")
    path = log.keep(_entry(58.0))
    assert path == tmp_path / "fallback" / RECOVERY_FILENAME
    assert not (tmp_path / "deleted-data").exists()  # not silently re-created
    assert log.entries().entries == [_entry(58.0)]


def test_entries_come_from_both_folders_and_clear_empties_both(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "data"
    RecoveryLog(tmp_path / "gone", clock, fallback_dir=tmp_path / "fallback").keep(_entry(1.0))
    data.mkdir()
    log = RecoveryLog(data, clock, fallback_dir=tmp_path / "fallback")
    log.keep(_entry(2.0))
    assert [e.payload["map_mmHg"] for e in log.entries().entries] == [2.0, 1.0]
    log.clear()
    assert log.entries().entries == []
    assert not (data / RECOVERY_FILENAME).exists()
    assert not (tmp_path / "fallback" / RECOVERY_FILENAME).exists()


def test_torn_last_line_is_listed_as_unreadable_and_the_next_entry_is_whole(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "data"
    data.mkdir()
    log = RecoveryLog(data, clock, fallback_dir=tmp_path / "fb")
    path = log.keep(_entry(58.0))
    with path.open("ab") as fh:
        fh.write(b'{"format": 1, "kind": "REA')  # killed mid-write
    log.keep(_entry(59.0))
    listing = log.entries()
    assert listing.entries == [_entry(58.0), _entry(59.0)]
    ((where, line, reason),) = [(u.path, u.line, u.reason) for u in listing.unreadable]
    assert (where, line) == (path, 2)
    assert "not valid JSON" in reason


# -- the store keeps what it could not record --------------------------------------------------------


def test_entry_refused_for_a_full_database_is_kept_in_the_recovery_file(tmp_path: Path, clock: ManualClock) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = store.create_session("bed 4", is_training=False, protocol_name="p", protocol_version="1").id
        (pages,) = store._db.execute("PRAGMA page_count").fetchone()
        store._db.execute(f"PRAGMA max_page_count={pages}")
        at = datetime(2026, 1, 1, 7, 58, tzinfo=UTC)
        with pytest.raises(DiskFullError) as info:
            store.append(sid, EventKind.READING, {"map_mmHg": 58.0, "note": "x" * 5000}, at=at)
        assert info.value.recovered_to == tmp_path / RECOVERY_FILENAME
        assert f"kept in {tmp_path / RECOVERY_FILENAME}" in str(info.value)
        (kept,) = store.recovery.entries().entries
        uid = store.session(sid).uid
    assert (kept.session_id, kept.session_uid, kept.kind, kept.at) == (sid, uid, "READING", at)
    assert kept.payload == {"map_mmHg": 58.0, "note": "x" * 5000}
    assert "disk is full" in kept.reason


def test_entry_refused_after_the_database_was_deleted_is_kept(tmp_path: Path, clock: ManualClock) -> None:
    with SessionStore(tmp_path, clock) as store:
        sid = store.create_session("bed 4", is_training=False, protocol_name="p", protocol_version="1").id
        (tmp_path / DB_FILENAME).unlink()
        with pytest.raises(DatabaseReplacedError) as info:
            store.append(sid, EventKind.NE_DOSE, {"mcg_kg_min": 0.12})
        assert info.value.recovered_to == tmp_path / RECOVERY_FILENAME
        (kept,) = store.recovery.entries().entries
    assert (kept.kind, kept.payload, kept.at) == ("NE_DOSE", {"mcg_kg_min": 0.12}, None)


def test_real_full_disk_keeps_the_entry_in_the_fallback_folder(tmp_path: Path, clock: ManualClock) -> None:
    fallback = tmp_path / "fallback"
    with small_filesystem(tmp_path / "small", 1024) as folder:
        data = folder / "data"
        with SessionStore(data, clock, recovery=RecoveryLog(data, clock, fallback_dir=fallback)) as store:
            sid = store.create_session("bed 4", is_training=False, protocol_name="p", protocol_version="1").id
            fill(folder)
            recovered = None
            for i in range(2000):
                try:
                    store.append(sid, EventKind.READING, {"map_mmHg": 60, "i": i, "note": "x" * 3000})
                except DiskFullError as exc:
                    recovered = exc.recovered_to
                    break
            assert recovered == fallback / RECOVERY_FILENAME
            (kept,) = store.recovery.entries().entries
            assert kept.payload["i"] == i
            assert all(e.payload["i"] != i for e in store.events(sid))
