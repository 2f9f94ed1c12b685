"""An event whose append() returned survives the program being killed outright."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore
from tests.sigkill import kill_after, kill_when

# The child appends far more readings than it gets the chance to: it is killed
# after the parent has seen READ_BEFORE_KILL of them.
CHILD = """
import sys
from pathlib import Path
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore

clock = ManualClock()
store = SessionStore(Path(sys.argv[1]), clock)
info = store.create_session(
    "bed 7", is_training=False, protocol_name="default-ne", protocol_version="1.2"
)
print("session", info.id, flush=True)
for i in range(1_000_000):
    clock.advance(seconds=1)
    event = store.append(info.id, EventKind.READING, {"i": i, "map_mmHg": 60.0 + i % 10})
    print(event.id, flush=True)
"""
READ_BEFORE_KILL = 40


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_every_reading_reported_as_recorded_survives_sigkill(tmp_path: Path) -> None:
    header, printed = kill_after(CHILD, str(tmp_path), read_before_kill=READ_BEFORE_KILL,
                                 header_ok=lambda line: line.startswith("session "))
    session_id = int(header.split()[1])

    clock = ManualClock(datetime(2026, 1, 2, 8, 0, tzinfo=UTC))
    with SessionStore(tmp_path, clock) as store:
        assert [s.id for s in store.open_sessions()] == [session_id]
        events = store.events(session_id)
        stored_ids = [e.id for e in events]
        missing = sorted(set(printed) - set(stored_ids))
        assert missing == []
        # At most one more reading than printed: committed, killed before its print.
        assert len(printed) <= len(events) <= len(printed) + 1
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert all(e.kind is EventKind.READING for e in events)
        assert [e.payload["i"] for e in events] == list(range(len(events)))
        # The recovered session takes new events where it stopped.
        resumed = store.append(session_id, EventKind.NOTE, {"text": "resumed after crash"})
        assert resumed.seq == len(events) + 1


# The child exports the same session over and over to one file and is killed in the middle of an export.
EXPORT_CHILD = """
import sys
from pathlib import Path
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore

folder = Path(sys.argv[1])
clock = ManualClock()
store = SessionStore(folder / "data", clock)
info = store.create_session("bed 7", is_training=False, protocol_name="default-ne", protocol_version="1.2")
for i in range(150):
    store.append(info.id, EventKind.NOTE, {"i": i, "text": "n" * 8000})
store.export_csv(info.id, folder / "export.csv")
print("session", info.id, flush=True)
for i in range(1_000_000):
    store.export_csv(info.id, folder / "export.csv")
    print(i, flush=True)
"""


def _part_being_written(folder: Path) -> bool:
    """A temporary file (``.part``) with something in it beside the target: a write not yet renamed into place."""
    for p in folder.iterdir():
        try:
            if ".part" in p.suffixes and p.stat().st_size > 0:
                return True
        except FileNotFoundError:  # renamed by the child between the listing and the look
            continue
    return False


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_export_killed_midway_leaves_the_previous_export_whole(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    full: list[int] = []

    def mid_export() -> bool:
        """True while an export is half-written: a temporary file beside the target, or the target not whole."""
        if not full:
            full.append(target.stat().st_size)  # the first export, finished before the header was printed
        try:
            if target.stat().st_size != full[0]:
                return True
        except FileNotFoundError:
            return True
        return _part_being_written(tmp_path)

    header = kill_when(EXPORT_CHILD, str(tmp_path), header_ok=lambda line: line.startswith("session "),
                       condition=mid_export)
    session_id = int(header.split()[1])
    with SessionStore(tmp_path / "data", ManualClock(datetime(2026, 1, 2, 8, 0, tzinfo=UTC))) as store:
        store.export_csv(session_id, tmp_path / "expected.csv")
        # Every export of the child wrote the same ~1.2 MB: what is at the path is one of them, whole.
        assert target.read_bytes() == (tmp_path / "expected.csv").read_bytes()
        # The next export to that name removes what the killed process left half-written.
        store.export_csv(session_id, target)
    assert sorted(p.name for p in tmp_path.iterdir() if ".part" in p.suffixes) == []


# The child saves its settings over and over (a large value, so each save takes a while) until it is killed.
SETTINGS_CHILD = """
import sys
from pathlib import Path
from norepi_gui.core.settings_file import Setting, SettingsFile

schema = {
    "note": Setting("", lambda v: isinstance(v, str), "text"),
    "count": Setting(0, lambda v: isinstance(v, int), "a whole number"),
}
settings = SettingsFile(Path(sys.argv[1]) / "settings.json", schema)
settings.set("note", "x" * 200_000)
print("saved", flush=True)
for i in range(1, 1_000_000):
    settings.set("count", i)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_settings_killed_while_being_saved_are_whole_afterwards(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"

    def mid_save() -> bool:
        """True while a save is half-done: a temporary file beside the settings, or the settings file cut short."""
        try:
            if path.stat().st_size < 200_000:
                return True
        except FileNotFoundError:
            return True
        return _part_being_written(tmp_path)

    kill_when(SETTINGS_CHILD, str(tmp_path), header_ok=lambda line: line.strip() == "saved", condition=mid_save)
    document = json.loads(path.read_bytes())
    assert document["settings"]["note"] == "x" * 200_000
    assert isinstance(document["settings"].get("count", 0), int)
