"""The time course of a dose change: what the running dose has had time to show (rules TIT-EFFECT-*, TIT-LEVEL).

Norepinephrine acts within 1-2 min but reaches its full effect only after about five half-lives, 10-35 min
(half-life 2-7 min, Beloeil 2005; clinical-reference "Pharmacokinetics and dynamics"). The engine models this as a
rule: the last dose change is still taking effect for titration.effect_minutes after it was set, and a reading taken
in that window shows only part of it. Within the window no further step is taken the same way (a MAP still below
target minutes after an increase is not "no response"), except for life-threatening hypotension, or MAP far below
target and falling. Once the window has passed, the readings at the running dose are "settled": their mean (the
"level", over titration.level_readings readings) is the MAP the dose gives, with the measurement noise and the
minute-to-minute swing averaged out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import DoseEvent, Reading


@dataclass(frozen=True)
class Change:
    """The running dose ``dose``, set at ``at`` from ``before`` (``None``: the dose before is not known)."""

    at: datetime
    before: float | None
    dose: float

    @property
    def up(self) -> bool:
        """A start or an increase (a change of unknown size counts as one: its rise may still be coming)."""
        return self.before is None or self.dose > self.before + EPS

    @property
    def down(self) -> bool:
        return self.before is not None and self.dose < self.before - EPS


@dataclass(frozen=True)
class Course:
    """Where the latest reading stands in the time course of the running dose.

    ``change``: the last change known (``None``: the dose ran unchanged through the whole history). ``settling``: the
    latest reading was taken less than titration.effect_minutes after the change. ``until``: when the change has had
    its full time. ``settled``: the MAPs of the trusted readings at the running dose taken after that, the latest last
    (at most titration.level_readings of them).
    """

    change: Change | None
    settling: bool
    until: datetime | None
    settled: tuple[float, ...]
    predicted: float | None = None  # the MAP the change will give once it has taken full effect (None: unknown)

    @property
    def level(self) -> float | None:
        """The mean of the settled readings (``None`` without any)."""
        return sum(self.settled) / len(self.settled) if self.settled else None

    @property
    def settling_up(self) -> bool:
        return self.settling and self.change is not None and self.change.up

    @property
    def settling_down(self) -> bool:
        return self.settling and self.change is not None and self.change.down


SETTLED = Course(None, False, None, ())


def last_change(chart: ChartedHistory, current: float, dose_since: datetime | None,
                ne_doses: Sequence[DoseEvent] | None, now: datetime,
                dose_before: float | None = None) -> Change | None:
    """The last change of the norepinephrine dose to ``current``: from the pump's time (``dose_since``), the record's
    dose history, or, without either, the readings (the change then counts from the first reading at the new dose,
    the latest time it can have happened: the window is never cut short by a guess). ``None``: no change known, the
    dose ran through the whole history (a dose already running when the record began, whose start is not known, is
    taken as settled unless ``dose_before`` says what ran before it)."""
    readings = chart.readings
    if dose_since is not None:
        i = chart.first_index_from(dose_since) - 1  # the last reading before the change
        while i + 1 < len(readings) and readings[i + 1].at == dose_since \
                and abs(chart.dose_at(i + 1, current) - current) > EPS:
            i += 1  # taken at the same minute, at the old dose: the reading the change answered
        before = chart.dose_at(i, current) if i >= 0 else _event_before(ne_doses, dose_since)
        if before is None:
            before = dose_before
        if before is not None and abs(before - current) > EPS:
            return Change(dose_since, before, current)
        if before is None:
            return None
        # the same dose set again (a new bag, a corrected entry): not a change; look further back
    if ne_doses:
        past = [e for e in ne_doses if e.at <= now]
        past.sort(key=lambda e: e.at)
        if past and abs(past[-1].dose_mcg_per_kg_per_min - current) <= EPS:
            j = len(past) - 1
            while j > 0 and abs(past[j - 1].dose_mcg_per_kg_per_min - current) <= EPS:
                j -= 1
            return Change(past[j].at, past[j - 1].dose_mcg_per_kg_per_min if j > 0 else None, current)
    n = len(readings)
    if n and abs(chart.dose_at(n - 1, current) - current) > EPS:
        return Change(readings[-1].at, chart.dose_at(n - 1, current), current)
    k = n - 1
    while k > 0 and abs(chart.dose_at(k - 1, current) - current) <= EPS:
        k -= 1
    if k <= 0:
        return None
    return Change(readings[k].at, chart.dose_at(k - 1, current), current)


def _event_before(ne_doses: Sequence[DoseEvent] | None, when: datetime) -> float | None:
    """The dose the record's history had set before ``when`` (``None``: none recorded)."""
    before = [e for e in ne_doses or () if e.at < when]
    return max(before, key=lambda e: e.at).dose_mcg_per_kg_per_min if before else None


def course(change: Change | None, readings: Sequence[Reading], doses: Sequence[float], current: float,
           effect_minutes: float, level_readings: int) -> Course:
    """The course of the running dose at the latest of ``readings`` (trusted readings, oldest first, with the dose at
    each)."""
    latest = readings[-1]
    if change is None:
        until = None
        settling = False
    else:
        until = change.at + timedelta(minutes=effect_minutes)
        settling = latest.at < until
    settled: list[float] = []
    for i in range(len(readings) - 1, -1, -1):
        r = readings[i]
        if len(settled) >= level_readings or abs(doses[i] - current) > EPS or (until is not None and r.at < until):
            break
        settled.append(r.map)
    settled.reverse()
    predicted = None
    if settling and change is not None and change.before is not None:
        before = next((readings[i].map for i in range(len(readings) - 2, -1, -1)
                       if readings[i].at < change.at and abs(doses[i] - change.before) <= EPS), None)
        if before is not None:
            since = max((latest.at - change.at).total_seconds() / 60.0, 0.0)
            predicted = predict(latest.map, before, since, effect_minutes)
    return Course(change, settling, until, tuple(settled), predicted)


def remaining(minutes: float, effect_minutes: float) -> float:
    """The fraction of a change's effect still to come ``minutes`` after it: first order, full effect (97 %) after
    five half-lives, so a half-life of titration.effect_minutes / 5 (15 min: 3 min, within Beloeil's 2-7 min)."""
    return float(2.0 ** (-5.0 * minutes / effect_minutes))


def predict(m: float, before: float, minutes: float, effect_minutes: float) -> float:
    """The MAP a change will give: the reading ``m`` plus the part of the response still to come, extrapolated from
    the part seen since the reading ``before`` it. A first-order course that is already well on its way (a half-life
    at the short end) keeps this prediction cautious: a response that develops more slowly comes out larger."""
    left = remaining(minutes, effect_minutes)
    if left >= 1.0 - 1e-9:
        return m
    return m + (m - before) * left / (1.0 - left)
