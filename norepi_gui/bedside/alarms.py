"""The alarms of a bedside session now: one list, one priority per condition, for the banner, the panels and the sound.

Derived, never stored (like the advice): :func:`derive_alarms` reads the record, the current advice, the check cycle
and the time. Each condition appears once, with the priority the engine or the core gives it:

- the due check (``CHECK_DUE``): the prompt's priority (the engine's INT-OVERDUE escalation, low -> medium -> high);
- the bag (``BAG_EMPTY``, ``BAG_NEAR_EMPTY``, ``BAG_CHANGE_DUE``): :func:`norepi_gui.core.bag.bag_alert` at the pump
  rate running now against the next check, or the engine's own BAG_NEAR_EMPTY when that is the higher priority;
- the line: the engine's LINE_TIME_LIMIT (peripheral or intraosseous line in place longer than ``lines.*.max_hours``)
  and ``SITE_CHECK_DUE`` every ``lines.*.site_check_hours`` (Yerke 2024: every 2 h), answered like a prompt;
- every other alert of the advice, with the engine's priority. High-priority ones go on the banner and sound; the
  others are listed with the advice;
- the program's own conditions, first: ``NOT_RECORDED`` / ``RECORDING_STOPPED`` (high: an entry was not recorded,
  or the database cannot be written at all) and ``CLOCK_STEPPED_BACK`` (medium);
- the bedside monitor feed: ``MONITOR_STALE`` (medium) when the feed is on and no MAP came for the protocol's
  ``monitor.stale_after_s`` (``norepi_gui.monitor.feed``); answered by reading the monitor and typing the MAP, and
  gone when a value comes or the feed is turned off.

The engine's CHECK_OVERDUE, BAG_NEAR_EMPTY and LINE_TIME_LIMIT are replaced by the entries above, so the advice panel,
the banner and the infusion panel never show one condition twice or at two priorities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from norepi_gui.core.alerts import Priority

if TYPE_CHECKING:
    from norepi_gui.bedside.prompts import PromptState
    from norepi_gui.bedside.state import SessionState
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.titration import Advice
    from norepi_gui.monitor.feed import FeedState

RANK = {"high": 3, "medium": 2, "low": 1}
SOURCE_ORDER = {"system": -1, "bag": 0, "check": 1, "monitor": 2, "line": 3, "site": 4, "advice": 5}
#: Advice alerts that an alarm of the bedside layer stands for (shown once, never twice).
REPLACED = frozenset({"CHECK_OVERDUE", "BAG_NEAR_EMPTY", "LINE_TIME_LIMIT"})


@dataclass(frozen=True)
class Alarm:
    """One alarm condition: ``code`` (stable), ``priority`` (high | medium | low), a short ``title`` for the banner,
    the ``message``, its ``source`` (check | bag | monitor | line | site | advice) and whether it goes on the banner and
    sounds (``banner``; the others are listed with the advice)."""

    code: str
    priority: str
    title: str
    message: str
    source: str
    banner: bool = True

    @property
    def rank(self) -> int:
        return RANK.get(self.priority, 0)


@dataclass(frozen=True)
class AlarmState:
    alarms: tuple[Alarm, ...] = ()
    paused_until: datetime | None = None  # the audio pause in force (None: the sound is on)
    paused_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def banner(self) -> tuple[Alarm, ...]:
        """The alarms on the banner, highest priority first."""
        return tuple(a for a in self.alarms if a.banner)

    @property
    def top(self) -> Alarm | None:
        banner = self.banner
        return banner[0] if banner else None

    def by_code(self, code: str) -> Alarm | None:
        return next((a for a in self.alarms if a.code == code), None)

    def of_source(self, source: str) -> Alarm | None:
        return next((a for a in self.alarms if a.source == source), None)

    @property
    def sounding(self) -> str | None:
        """The priority the alarm sound plays now: the highest banner alarm not silenced by the audio pause."""
        for alarm in self.banner:
            if self.paused_until is None or alarm.code not in self.paused_codes:
                return alarm.priority
        return None


def derive_alarms(state: SessionState, prompt: PromptState, advice: Advice | None, protocol: Protocol,
                  now: datetime, *, bag_left_ml: float | None, writable: bool = True,
                  system: tuple[Alarm, ...] = (), feed: FeedState | None = None,
                  feed_problem: str = "") -> AlarmState:
    """Every alarm condition at ``now``, highest priority first (see the module docstring). ``system``: conditions
    of the program itself (an entry not recorded, recording stopped, the computer's clock stepped back), shown
    whether or not a session takes entries. ``feed``: the monitor feed's state (None: no monitor);
    ``feed_problem``: why its listener is not running, in words."""
    if not writable:
        return AlarmState(tuple(sorted(system, key=lambda a: -a.rank)))
    found: list[Alarm] = list(system)
    check = _check_alarm(prompt, now)
    if check is not None:
        found.append(check)
    if feed is not None and feed.alarm:
        found.append(monitor_alarm(feed, feed_problem))
    bag = _bag_alarm(state, prompt, advice, protocol, now, bag_left_ml)
    if bag is not None:
        found.append(bag)
    found += _line_alarms(state, advice, protocol, now)
    if advice is not None:
        for alert in advice.alerts:
            if alert.code in REPLACED:
                continue
            found.append(Alarm(alert.code, alert.priority.value, _title(alert.code), alert.message, "advice",
                               banner=alert.priority is Priority.HIGH))
    found.sort(key=lambda a: (-a.rank, SOURCE_ORDER.get(a.source, 9)))
    pause = state.audio_pause
    if pause is not None and now < pause.until:
        return AlarmState(tuple(found), pause.until, frozenset(pause.codes))
    return AlarmState(tuple(found))


TITLES = {
    "MAP_CRITICALLY_LOW": "MAP critically low",
    "MAP_FAR_ABOVE_TARGET": "MAP far above target",
    "MAP_ABOVE_BAND": "MAP above the band",
    "DOSE_AT_HARD_MAX": "Dose at the hard maximum",
    "DOSE_ABOVE_HARD_MAX": "Dose above the hard maximum",
    "DOSE_ABOVE_SOFT_MAX": "Dose above the soft maximum",
    "RATE_ABOVE_PUMP_MAX": "Rate above the pump maximum",
    "LINE_DOSE_LIMIT": "Line dose limit",
    "EXCESS_VASOCONSTRICTION": "Excess vasoconstriction",
    "DAILY_TOTAL_ABOVE_LABEL_MAX": "Daily total above the label maximum",
}


def _title(code: str) -> str:
    return TITLES.get(code, code.replace("_", " ").capitalize())


def _check_alarm(prompt: PromptState, now: datetime) -> Alarm | None:
    if not prompt.open or prompt.priority is None or prompt.due_at is None:
        return None
    late = (now - prompt.due_at).total_seconds() / 60.0
    title = "Check overdue" if late >= 1.0 else "Check due"
    return Alarm("CHECK_DUE", prompt.priority, title, "A titration check is due: take a reading.", "check")


def monitor_alarm(feed: FeedState, problem: str = "") -> Alarm:
    """The monitor feed is stale: no MAP for the protocol's ``monitor.stale_after_s`` (medium: the nurse reads the
    monitor and types the MAP; the monitor's own alarms are unchanged)."""
    why = f" The listener is not running: {problem}." if problem else ""
    return Alarm("MONITOR_STALE", Priority.MEDIUM.value, "Monitor feed stale",
                 f"{feed.describe()}.{why} Read the monitor and type the MAP; check the monitor's gateway and "
                 "network.", "monitor")


def _bag_alarm(state: SessionState, prompt: PromptState, advice: Advice | None, protocol: Protocol, now: datetime,
               left_ml: float | None) -> Alarm | None:
    from norepi_gui.core.bag import bag_alert

    running = state.dose_at(now)
    if running is None or not running.running or left_ml is None:
        return None
    rate = running.pump_rate_ml_per_h
    minutes_left = left_ml / rate * 60.0  # the time the bag lasts at the pump rate (as the engine's SAFE-BAG rules)
    next_check = None
    if prompt.due_at is not None and prompt.due_at > now:
        next_check = (prompt.due_at - now).total_seconds() / 60.0
    ours = bag_alert(minutes_left, next_check, protocol, rate_text=f"{rate:g}")
    engine = next((a for a in advice.alerts if a.code == "BAG_NEAR_EMPTY"), None) if advice is not None else None
    if engine is not None and (ours is None or engine.priority.rank > ours.priority.rank):
        return Alarm(engine.code, engine.priority.value, _bag_title(engine.code, minutes_left), engine.message, "bag")
    if ours is None:
        return None
    return Alarm(ours.code, ours.priority.value, _bag_title(ours.code, minutes_left), ours.message, "bag")


def _bag_title(code: str, minutes_left: float) -> str:
    if code == "BAG_EMPTY":
        return "Bag empty"
    if code == "BAG_CHANGE_DUE":
        return "Next bag due"
    return f"Bag runs out in {max(0.0, minutes_left):.0f} min"


def _line_alarms(state: SessionState, advice: Advice | None, protocol: Protocol, now: datetime) -> list[Alarm]:
    from norepi_gui.bedside.inputs import line_of
    from norepi_gui.core.protocol import LineType

    line = line_of(state)
    running = state.dose_at(now)
    if line is LineType.CENTRAL or running is None or not running.running:
        return []
    limits = protocol.line(line)
    out: list[Alarm] = []
    engine = next((a for a in advice.alerts if a.code == "LINE_TIME_LIMIT"), None) if advice is not None else None
    hours = line_hours(state, now)
    if engine is not None:
        out.append(Alarm(engine.code, engine.priority.value, "Line time limit", engine.message, "line"))
    elif hours is not None and limits.max_hours > 0 and hours > limits.max_hours:
        # The engine's LINE-TIME-LIMIT, at its priority, while there is no advice (no weight or reading yet).
        out.append(Alarm("LINE_TIME_LIMIT", Priority.MEDIUM.value, "Line time limit",
                         f"{line.value} line in place {hours:.0f} h > {limits.max_hours:g} h: central access needed.",
                         "line"))
    due = site_check_due(state, protocol, now)
    if due is not None and now >= due:
        from norepi_gui.core.titration import overdue_state

        overdue = overdue_state(due, now, protocol.intervals)
        # The check prompt's escalation (INT-OVERDUE), at most medium: a site check is answered promptly [U].
        priority = Priority.LOW if overdue.priority is None else overdue.priority
        if priority is Priority.HIGH:
            priority = Priority.MEDIUM
        out.append(Alarm("SITE_CHECK_DUE", priority.value, "Site check due",
                         f"Check the {line.value} line's site (swelling, blanching, pain, blood return): due "
                         f"every {limits.site_check_hours:g} h.", "site"))
    return out


def line_hours(state: SessionState, now: datetime) -> float | None:
    """How long the line has been in, from its recorded insertion time (``None`` when not recorded)."""
    inserted = state.patient.line_inserted_at
    if inserted is None:
        return None
    return max(0.0, (now - inserted).total_seconds() / 3600.0)


def site_check_due(state: SessionState, protocol: Protocol, now: datetime) -> datetime | None:
    """When the next site check of a peripheral or intraosseous line is due: ``site_check_hours`` after the last
    check, else after the insertion, else after the infusion started on it; ``None`` for a central line or none due.
    """
    from norepi_gui.bedside.inputs import line_of
    from norepi_gui.core.protocol import LineType

    line = line_of(state)
    hours = protocol.line(line).site_check_hours
    if line is LineType.CENTRAL or hours <= 0:
        return None
    anchors = [t for t in (state.patient.line_inserted_at,
                           state.last_site_check.at if state.last_site_check is not None else None) if t is not None]
    if not anchors:
        first = next((d for d in state.doses if d.running), None)
        if first is None:
            return None
        anchors.append(first.at)
    return max(anchors) + timedelta(hours=hours)
