"""The due prompt: it waits for an answer, escalates when ignored, snoozes only a limited number of times."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore
from norepi_gui.core.titration import Advice
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.titration_panel import TitrationPanel
from norepi_gui.ui.widgets import PriorityBadge
from tests.ui.helpers import START, make_window, raw_events, record_map, start_infusion


def _due_window(qtbot: QtBot, tmp_path: Path) -> tuple[MainWindow, ManualClock]:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")  # next check 5 min out (intervals.below_target_minutes)
    return window, clock


def _shown(window: MainWindow) -> list[str]:
    return [str(e.payload["priority"]) for e in raw_events(window) if e.kind is EventKind.PROMPT_SHOWN]


def test_unanswered_prompt_escalates_low_medium_high(qtbot: QtBot, tmp_path: Path) -> None:
    window, clock = _due_window(qtbot, tmp_path)
    clock.advance(minutes=5, seconds=1)
    window.tick()
    assert window.banner.priority == "low"
    clock.advance(minutes=2)  # 2 min late: intervals.overdue_medium_after_minutes = 2
    window.tick()
    assert window.banner.priority == "medium"
    clock.advance(minutes=3)  # 5 min late: intervals.overdue_high_after_minutes = 5
    window.tick()
    assert window.banner.priority == "high"
    badge = window.findChild(PriorityBadge, "alarmPriorityBadge")
    assert badge is not None
    assert badge.text() == "!!! HIGH"  # words, IEC exclamation marks and a shape, not colour alone
    assert _shown(window) == ["low", "medium", "high"]
    window.tick()  # no new record while the priority stays
    assert _shown(window) == ["low", "medium", "high"]
    # each rise in priority sounds at once, that priority's own sound
    assert [priority for priority, _level in window.sound.played] == ["low", "medium", "high"]


def test_snooze_is_limited_to_the_protocol_count(qtbot: QtBot, tmp_path: Path) -> None:
    window, clock = _due_window(qtbot, tmp_path)
    clock.advance(minutes=5, seconds=1)
    window.tick()
    assert window.snooze_prompt().recorded  # 1 of intervals.max_snoozes = 2
    assert window.banner.isHidden()
    clock.advance(minutes=1)
    window.tick()
    assert window.banner.isHidden()  # snoozed for intervals.snooze_minutes = 2
    clock.advance(minutes=1, seconds=1)
    window.tick()
    assert not window.banner.isHidden()
    assert window.snooze_prompt().recorded  # 2 of 2
    clock.advance(minutes=2, seconds=1)
    window.tick()
    assert not window.banner.isHidden()
    assert not window.banner.snooze_button.isEnabled()
    assert not window.snooze_prompt().recorded
    snoozes = [e for e in raw_events(window) if e.kind is EventKind.PROMPT_SNOOZED]
    assert len(snoozes) == 2


def test_not_applied_with_a_reason_is_recorded_and_keeps_the_dose(qtbot: QtBot, tmp_path: Path) -> None:
    window, clock = _due_window(qtbot, tmp_path)
    clock.advance(minutes=6)
    window.tick()
    window.banner.reason.setCurrentText("Reading looks like an artefact")
    window.banner.not_applied_button.click()
    answers = [e for e in raw_events(window) if e.kind is EventKind.PROMPT_ANSWERED]
    assert [(a.payload["answer"], a.payload["reason"]) for a in answers] == [
        ("not_applied", "Reading looks like an artefact")]
    current = window.state.current_dose
    assert current is not None
    assert current.dose_mcg_per_kg_per_min == 0.1
    assert window.banner.isHidden()


def test_a_new_reading_answers_the_prompt(qtbot: QtBot, tmp_path: Path) -> None:
    window, clock = _due_window(qtbot, tmp_path)
    clock.advance(minutes=6)
    window.tick()
    window.banner.new_reading_button.click()
    record_map(qtbot, window, "66")
    answers = [e for e in raw_events(window) if e.kind is EventKind.PROMPT_ANSWERED]
    assert [a.payload["answer"] for a in answers] == ["new_reading"]
    assert window.banner.isHidden()
    kinds = [e.kind for e in raw_events(window)]
    assert kinds[-3:] == [EventKind.READING, EventKind.PROMPT_ANSWERED, EventKind.ADVICE]


def test_advice_is_recorded_before_it_is_shown(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whenever the advice panel draws an advice, that advice is already in the database file: read back through a
    # second connection at the moment of drawing, the last ADVICE event carries the same action, dose and rules.
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    seen: list[tuple[object, object]] = []
    original = TitrationPanel.show_advice

    def drawing(panel: TitrationPanel, advice: Advice) -> None:
        session = window.session
        assert session is not None
        with SessionStore(tmp_path, window.clock) as other:
            stored = [e for e in other.events(session.id) if e.kind is EventKind.ADVICE]
        assert stored, "advice drawn before any ADVICE event was on disk"
        last = stored[-1].payload
        seen.append(((last["action"], last["dose_mcg_per_kg_per_min"], tuple(last["rules"])),
                     (advice.action.value, advice.dose_mcg_per_kg_per_min, advice.rules)))
        original(panel, advice)

    monkeypatch.setattr(TitrationPanel, "show_advice", drawing)
    record_map(qtbot, window, "58")
    record_map(qtbot, window, "80")  # one high reading after 58: rechecked first (TIT-DOWN-BORDERLINE)
    record_map(qtbot, window, "80")
    assert len(seen) == 3
    assert all(on_disk == drawn for on_disk, drawn in seen)
    assert [s[1][0] for s in seen] == ["increase", "hold", "decrease"]
