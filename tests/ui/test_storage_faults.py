"""The window always says whether an entry was recorded: a lost database, a full disk, an unusable folder, a second
instance, unreadable rows and a changed protocol are each shown at once, in words, and nothing typed is lost."""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock, SteadyClock
from norepi_gui.core.instance_lock import InstanceLock, raise_requested
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.session_log import DB_FILENAME, SessionStore
from norepi_gui.core.storage_errors import DatabaseUnusableError, DiskFullError, FolderInUseError
from norepi_gui.ui.data_folder import Choice, Problem, open_data_folder
from norepi_gui.ui.main_window import MainWindow
from tests.clock_doubles import Monotonic, Wall
from tests.ui.helpers import START, line, make_window, record_map, start_infusion, type_into


def _alarm(window: MainWindow) -> str:
    """The top alarm as the alarm area shows it ("" when none): priority marks, title and message."""
    top = window.bedside.alarm_state.top
    if top is None or top.source != "system":
        return ""
    title = window.findChild(QLabel, "alarmTitle")
    message = window.findChild(QLabel, "alarmMessage")
    assert title is not None and message is not None
    shown = f"{title.text()} {message.text()}"
    assert top.title in shown  # what the banner shows is that alarm
    marks = {"high": "\u26a0 !!!", "medium": "\u26a0 !!"}[top.priority]
    return f"{marks} {top.title.upper()}: {top.message}"


def test_a_database_deleted_while_the_window_runs_stops_recording_and_keeps_the_entry(
        qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    (tmp_path / DB_FILENAME).unlink()
    clock.advance(seconds=1)
    window.tick()  # the next tick finds the file gone: said at once, not at the next entry
    assert _alarm(window).startswith("\u26a0 !!! RECORDING STOPPED:") and "deleted or moved" in _alarm(window)
    type_into(qtbot, line(window, "mapInput"), "61", enter=True)
    assert [r.map_mmhg for r in window.state.readings] == [58.0]  # not shown as recorded
    assert line(window, "mapInput").text() == "61"  # still in its field
    kept = window.bedside.store.recovery.entries()  # type: ignore[attr-defined]
    assert [e.payload["map_mmhg"] for e in kept.entries if e.kind == "READING"] == [61.0]


class _Full:
    """Stands in for a disk that fills up and empties again (the store's own full-disk path is tested in core)."""

    def __init__(self, store: SessionStore) -> None:
        self.full = False
        self._append = store.append
        store.append = self.append  # type: ignore[method-assign]
        self._path = store.path

    def append(self, *args: object, **kwargs: object) -> object:
        if self.full:
            raise DiskFullError(self._path, "this entry was not recorded: the disk is full", "Free some space")
        return self._append(*args, **kwargs)  # type: ignore[arg-type]


def test_a_full_disk_refuses_each_entry_visibly_and_recording_resumes_with_space(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    store = window.bedside.store
    assert isinstance(store, SessionStore)
    disk = _Full(store)
    disk.full = True
    for value in ("58", "59"):
        type_into(qtbot, line(window, "mapInput"), value, enter=True)
        assert _alarm(window).startswith("\u26a0 !!! NOT RECORDED:") and "disk is full" in _alarm(window)
        assert line(window, "mapInput").text() == value and window.state.readings == []
    disk.full = False
    type_into(qtbot, line(window, "mapInput"), "60", enter=True)
    assert [r.map_mmhg for r in window.state.readings] == [60.0]
    assert _alarm(window) == ""  # recorded again: the alarm goes


def test_a_database_that_cannot_be_used_is_said_at_start_and_every_entry_is_refused(
        qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is a letter, not a database" * 64)
    window, _ = make_window(qtbot, tmp_path)
    alarm = _alarm(window)
    assert alarm.startswith("\u26a0 !!! RECORDING STOPPED:")
    assert "is not a norepi-gui session database" in alarm  # what
    assert str(tmp_path / DB_FILENAME) in alarm  # where
    assert "choose another data folder" in alarm  # what to do
    record_map(qtbot, window, "58")
    assert window.state.readings == [] and line(window, "mapInput").text() == "58"


def test_the_launcher_offers_another_folder_for_an_unusable_one_and_locks_the_one_it_opens(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    (bad / DB_FILENAME).write_bytes(b"x" * 4096)
    asked: list[Problem] = []

    def ask(problem: Problem) -> Choice:
        asked.append(problem)
        return Choice.OTHER_FOLDER

    opened = open_data_folder(bad, ask, lambda _current: good)
    assert opened is not None
    folder, lock = opened
    try:
        assert folder == good and lock.held
        assert len(asked) == 1 and isinstance(asked[0].error, DatabaseUnusableError) and not asked[0].in_use
        with pytest.raises(FolderInUseError):
            InstanceLock.acquire(good)
    finally:
        lock.release()


def test_a_second_start_on_a_folder_in_use_can_bring_the_first_window_forward(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    first = InstanceLock.acquire(tmp_path)
    try:
        before = raise_requested(tmp_path)
        asked: list[Problem] = []

        def ask(problem: Problem) -> Choice:
            asked.append(problem)
            return Choice.RAISE_OTHER

        assert open_data_folder(tmp_path, ask, lambda _current: None) is None
        assert asked[0].in_use and f"process {os.getpid()}" in asked[0].error.problem
        assert raise_requested(tmp_path) is not None and raise_requested(tmp_path) != before
        raised: list[bool] = []
        window.raise_ = lambda: raised.append(True)  # type: ignore[method-assign]
        window.tick()
        assert raised == [True]
        window.tick()
        assert raised == [True]  # once per request
    finally:
        first.release()


def test_a_resumed_session_lists_the_rows_it_could_not_read_and_keeps_the_rest(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    record_map(qtbot, window, "61")
    session = window.session
    assert session is not None
    window.close()
    with sqlite3.connect(tmp_path / DB_FILENAME) as db:  # a row from a newer version, with a kind this one lacks
        db.execute("INSERT INTO events (session_id, seq, at, recorded_at, kind, payload) VALUES (?, 999, ?, ?, "
                   "'PUMP_LINK', '{}')", (session.id, START.isoformat(), START.isoformat()))
    again, _ = make_window(qtbot, tmp_path, ManualClock(START))
    messages: list[str] = []
    again.controller.message.connect(messages.append)
    again.load_session(session.id)
    assert [r.map_mmhg for r in again.state.readings] == [58.0, 61.0]
    assert messages and "1 stored entry of this session could not be read" in messages[-1]
    assert "PUMP_LINK" in messages[-1] or "entry 999" in messages[-1]


def test_a_session_resumed_under_a_changed_protocol_runs_under_the_one_it_was_recorded_with(
        qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    session = window.session
    assert session is not None
    window.close()
    site = tmp_path / "site.toml"
    shipped = load_protocol()
    text = (Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml").read_text()
    site.write_text(text.replace("resolution_ml_per_h = 0.1", "resolution_ml_per_h = 1.0"), encoding="utf-8")
    changed = load_protocol(site)
    assert changed.pump.resolution_ml_per_h == 1.0 and shipped.pump.resolution_ml_per_h == 0.1
    again = MainWindow(data_dir=tmp_path, clock=ManualClock(START), protocol=changed)
    qtbot.addWidget(again)
    messages: list[str] = []
    again.controller.message.connect(messages.append)
    again.load_session(session.id)
    assert messages and "that protocol was changed since" in messages[-1]
    assert "continues under the protocol it was recorded with" in messages[-1]
    assert again.protocol.pump.resolution_ml_per_h == 0.1  # the recorded one
    again.new_session("next")
    assert again.protocol.pump.resolution_ml_per_h == 1.0  # a new session: the one loaded now


def test_a_failed_csv_or_flowsheet_export_is_said_in_the_status_bar_and_a_good_one_too(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    gone = tmp_path / "a folder since removed"
    failed = window.export_csv(gone / "session.csv")
    assert failed.startswith("\u26a0 CSV not exported:") and window.statusBar().currentMessage() == failed
    failed = window.export_flowsheet_csv(gone / "flowsheet.csv")
    assert failed.startswith("\u26a0 Flowsheet not written:") and window.statusBar().currentMessage() == failed
    assert not gone.exists()
    done = window.export_csv(tmp_path / "session.csv")
    assert done == f"Exported {tmp_path / 'session.csv'}" and window.statusBar().currentMessage() == done
    sheet = tmp_path / "flowsheet.csv"
    assert window.export_flowsheet_csv(sheet) == f"Flowsheet written to {sheet}"


def test_a_failed_pdf_export_says_so_and_leaves_the_old_file(qtbot: QtBot, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    target = tmp_path / "handover.pdf"
    target.write_bytes(b"%PDF- another patient's handover %%EOF")

    class FullDisk:  # the document Qt lays out, printed onto a disk that fills half way
        def print_(self, _writer: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("norepi_gui.ui.report.handover_document", lambda *_args: FullDisk())
    message = window.export_pdf(target)
    assert message.startswith("\u26a0 Handover not written:") and "disk is full" in message
    assert target.read_bytes() == b"%PDF- another patient's handover %%EOF"
    assert sorted(p.name for p in tmp_path.iterdir() if ".part" in p.suffixes) == []


def test_a_clock_stepped_back_keeps_entries_in_order_and_is_said(qtbot: QtBot, tmp_path: Path) -> None:
    # 08:00 MAP 58 at 0.1; at 08:01 the computer's clock is stepped back to 07:01. The window keeps counting from
    # 08:01: the reading typed then is the latest, the dose set by hand is the one running, the check is 5 min out.
    wall, mono = Wall(START), Monotonic()
    window = MainWindow(data_dir=tmp_path, clock=SteadyClock(wall, mono))
    qtbot.addWidget(window)
    window.confirm = lambda _title, _text: True
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    wall.time, mono.seconds = START - timedelta(minutes=59), 60.0
    window.tick()
    clock_alarm = window.bedside.alarm_state.by_code("CLOCK_STEPPED_BACK")
    assert clock_alarm is not None and clock_alarm.priority == "medium"
    assert "clock moved back 60 min" in clock_alarm.message
    record_map(qtbot, window, "62")
    assert [r.map_mmhg for r in window.state.readings] == [58.0, 62.0]
    assert window.state.readings[-1].at == START + timedelta(minutes=1)
    type_into(qtbot, line(window, "doseInput"), "0.12", enter=True)
    current = window.state.current_dose
    assert current is not None and current.dose_mcg_per_kg_per_min == 0.12
    assert window.bedside.prompt.due_at == START + timedelta(minutes=6)  # 5 min after the change, not 65
    wall.time, mono.seconds = START + timedelta(minutes=3), 120.0  # the clock set right again
    window.tick()
    assert window.bedside.alarm_state.by_code("CLOCK_STEPPED_BACK") is None
