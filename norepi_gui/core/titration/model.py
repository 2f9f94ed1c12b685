"""What the titration engine reads (patient, infusion, co-infusions, readings) and what it answers (:class:`Advice`).

Doses are norepinephrine base in mcg/kg/min unless a name says otherwise. Every input type checks itself on
construction and raises :class:`InputError` naming the field (named like the CSV columns of ``norepi-gui advise``)
and the accepted range. The ranges here are plausibility bounds for typed input, not clinical thresholds: those live
in the protocol file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from norepi_gui.core.alerts import Alert
from norepi_gui.core.dosing import Concentration
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType, Population

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None


class Action(StrEnum):
    START = "start"
    INCREASE = "increase"
    HOLD = "hold"
    DECREASE = "decrease"
    TAPER_OFF = "taper_off"
    NONE = "none"

    @property
    def changes_dose(self) -> bool:
        return self in (Action.START, Action.INCREASE, Action.DECREASE, Action.TAPER_OFF)


def check_range(value: float | None, field: str, lo: float, hi: float, unit: str = "") -> None:
    """Refuse a non-finite or out-of-range number (``None`` means not given and passes)."""
    if value is None or (type(value) is float and lo <= value <= hi):  # the common case, cheaply (NaN fails)
        return
    accepted = f"{lo:g} to {hi:g} {unit}".strip()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(field, f"{value!r} is not a number", accepted)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise InputError(field, f"{value:g} is out of range", accepted)


# Plausibility bounds for typed input (not clinical thresholds).
_MAP = (10.0, 250.0)
_SBP = (20.0, 300.0)
_DBP = (5.0, 250.0)
_HR = (0.0, 300.0)
_NE = (0.0, 20.0)


@dataclass(frozen=True)
class Reading:
    """One bedside observation and the infusions running when it was taken.

    ``confirmed``: the nurse checked this reading (repeated it, or checked the line and the transducer), so it is
    never held back as a possible artefact (rule READ-ARTEFACT).
    """

    at: datetime
    map_mmhg: float | None = None
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None
    ne_dose_mcg_per_kg_per_min: float | None = None
    vasopressin_u_per_min: float | None = None
    epinephrine_mcg_per_kg_per_min: float | None = None
    dobutamine_mcg_per_kg_per_min: float | None = None
    lactate_mmol_per_l: float | None = None
    urine_ml_per_kg_per_h: float | None = None
    crt_s: float | None = None
    altered_mental_status: bool | None = None
    confirmed: bool = False

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InputError("time", "the time has no time zone", "a timezone-aware time (UTC)")
        check_range(self.map_mmhg, "map", *_MAP, "mmHg")
        check_range(self.sbp_mmhg, "sbp", *_SBP, "mmHg")
        check_range(self.dbp_mmhg, "dbp", *_DBP, "mmHg")
        check_range(self.hr_per_min, "hr", *_HR, "/min")
        check_range(self.ne_dose_mcg_per_kg_per_min, "ne_dose_mcg_kg_min", *_NE, "mcg/kg/min")
        check_range(self.vasopressin_u_per_min, "vasopressin_u_min", 0.0, 1.0, "U/min")
        check_range(self.epinephrine_mcg_per_kg_per_min, "epinephrine_mcg_kg_min", 0.0, 10.0, "mcg/kg/min")
        check_range(self.dobutamine_mcg_per_kg_per_min, "dobutamine_mcg_kg_min", 0.0, 50.0, "mcg/kg/min")
        check_range(self.lactate_mmol_per_l, "lactate_mmol_l", 0.0, 40.0, "mmol/L")
        check_range(self.urine_ml_per_kg_per_h, "urine_ml_kg_h", 0.0, 50.0, "mL/kg/h")
        check_range(self.crt_s, "crt_s", 0.0, 30.0, "s")
        if self.map_mmhg is None and (self.sbp_mmhg is None or self.dbp_mmhg is None):
            missing = "sbp" if self.sbp_mmhg is None else "dbp"
            raise InputError(missing, "no MAP and no SBP/DBP pair", "a MAP, or both SBP and DBP")
        if self.sbp_mmhg is not None and self.dbp_mmhg is not None and self.dbp_mmhg >= self.sbp_mmhg:
            raise InputError("dbp", f"DBP {self.dbp_mmhg:g} is not below SBP {self.sbp_mmhg:g}", "DBP < SBP")
        m = self.map_mmhg
        if m is not None and ((self.sbp_mmhg is not None and m > self.sbp_mmhg)
                              or (self.dbp_mmhg is not None and m < self.dbp_mmhg)):
            sbp = "-" if self.sbp_mmhg is None else f"{self.sbp_mmhg:g}"
            dbp = "-" if self.dbp_mmhg is None else f"{self.dbp_mmhg:g}"
            raise InputError("map, sbp, dbp", f"MAP {m:g} is not between DBP {dbp} and SBP {sbp}",
                             "a MAP between the DBP and the SBP of the same reading")

    @property
    def map(self) -> float:
        """Measured MAP, else DBP + (SBP - DBP)/3 (rule MAP-FROM-SBP-DBP)."""
        if self.map_mmhg is not None:
            return self.map_mmhg
        sbp, dbp = self.sbp_mmhg, self.dbp_mmhg
        if sbp is None or dbp is None:  # pragma: no cover - refused in __post_init__
            raise InputError("map", "no MAP and no SBP/DBP pair", "a MAP, or both SBP and DBP")
        return dbp + (sbp - dbp) / 3.0

    @property
    def map_is_computed(self) -> bool:
        return self.map_mmhg is None

    @property
    def diastolic_shock_index(self) -> float | None:
        if self.hr_per_min is None or self.dbp_mmhg is None:
            return None
        return self.hr_per_min / self.dbp_mmhg


@dataclass(frozen=True)
class PatientInfo:
    weight_kg: float
    population: Population = Population.ADULT
    age_years: float | None = None
    chronic_hypertension: bool = False
    baseline_sbp_mmhg: float | None = None
    ards: bool = False
    intra_abdominal_hypertension: bool = False
    cardiac_dysfunction: bool = False
    line: LineType = LineType.CENTRAL
    line_hours: float = 0.0
    fluids_ml_per_kg: float | None = None  # crystalloid given so far; None = not recorded
    arterial_line: bool | None = None  # None = not recorded
    target_map_mmhg: float | None = None  # an explicit individual target set by the clinician

    def __post_init__(self) -> None:
        check_range(self.weight_kg, "weight", 0.2, 700.0, "kg")
        check_range(self.age_years, "age", 0.0, 130.0, "years")
        check_range(self.baseline_sbp_mmhg, "baseline-sbp", 50.0, 300.0, "mmHg")
        check_range(self.line_hours, "line-hours", 0.0, 24.0 * 365, "h")
        check_range(self.fluids_ml_per_kg, "fluids-ml-kg", 0.0, 500.0, "mL/kg")
        check_range(self.target_map_mmhg, "target", 10.0, 150.0, "mmHg")  # the protocol's range is checked by advise

    def with_line_hours(self, hours: float) -> PatientInfo:
        """This patient with the line in place ``hours``, checked as the constructor checks it. The other fields were
        checked when this one was built, so a caller whose patient only ages between checks (the simulator's advisor,
        at every check of every virtual patient) does not pay for checking them again."""
        check_range(hours, "line-hours", 0.0, 24.0 * 365, "h")
        twin = object.__new__(PatientInfo)
        twin.__dict__.update(self.__dict__)  # a frozen dataclass without slots: its fields live in __dict__
        twin.__dict__["line_hours"] = hours
        return twin


@dataclass(frozen=True)
class DoseEvent:
    """A norepinephrine dose set at a time (0 = stopped): the record's dose history, for the stop rules."""

    at: datetime
    dose_mcg_per_kg_per_min: float

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InputError("time", "the time has no time zone", "a timezone-aware time (UTC)")
        check_range(self.dose_mcg_per_kg_per_min, "ne_dose_mcg_kg_min", *_NE, "mcg/kg/min")


@dataclass(frozen=True)
class InfusionState:
    """The norepinephrine infusion now: dose running (0 = not running), concentration, bag volume left."""

    concentration: Concentration
    dose_mcg_per_kg_per_min: float = 0.0
    bag_volume_left_ml: float | None = None
    dose_since: datetime | None = None  # when the pump was set to the running dose (None: not recorded)
    # The dose before ``dose_since`` when the record cannot tell (0: the infusion was started then); None: not known,
    # and the readings and the dose history are asked instead.
    dose_before: float | None = None

    def __post_init__(self) -> None:
        check_range(self.dose_mcg_per_kg_per_min, "ne_dose_mcg_kg_min", *_NE, "mcg/kg/min")
        if self.dose_since is not None and self.dose_since.tzinfo is None:
            raise InputError("dose_since", "the time has no time zone", "a timezone-aware time (UTC)")
        check_range(self.bag_volume_left_ml, "bag-volume-left", 0.0, 10000.0, "mL")
        check_range(self.dose_before, "dose_before", *_NE, "mcg/kg/min")


@dataclass(frozen=True)
class CoInfusions:
    """Other drugs running now. Doses per kg except vasopressin (U/min)."""

    vasopressin_u_per_min: float = 0.0
    epinephrine_mcg_per_kg_per_min: float = 0.0
    dobutamine_mcg_per_kg_per_min: float = 0.0
    phenylephrine_mcg_per_kg_per_min: float = 0.0
    dopamine_mcg_per_kg_per_min: float = 0.0
    metaraminol_mcg_per_kg_per_min: float = 0.0
    angiotensin_ii_mcg_per_kg_per_min: float = 0.0
    hydrocortisone_started: bool = False

    def __post_init__(self) -> None:
        check_range(self.vasopressin_u_per_min, "vasopressin_u_min", 0.0, 1.0, "U/min")
        check_range(self.epinephrine_mcg_per_kg_per_min, "epinephrine_mcg_kg_min", 0.0, 10.0, "mcg/kg/min")
        check_range(self.dobutamine_mcg_per_kg_per_min, "dobutamine_mcg_kg_min", 0.0, 50.0, "mcg/kg/min")
        check_range(self.phenylephrine_mcg_per_kg_per_min, "phenylephrine_mcg_kg_min", 0.0, 50.0, "mcg/kg/min")
        check_range(self.dopamine_mcg_per_kg_per_min, "dopamine_mcg_kg_min", 0.0, 100.0, "mcg/kg/min")
        check_range(self.metaraminol_mcg_per_kg_per_min, "metaraminol_mcg_kg_min", 0.0, 50.0, "mcg/kg/min")
        check_range(self.angiotensin_ii_mcg_per_kg_per_min, "angiotensin_ii_mcg_kg_min", 0.0, 1.0, "mcg/kg/min")

    @classmethod
    def from_reading(cls, reading: Reading) -> CoInfusions:
        """The co-infusions a reading recorded (missing columns: not running)."""
        return cls(
            vasopressin_u_per_min=reading.vasopressin_u_per_min or 0.0,
            epinephrine_mcg_per_kg_per_min=reading.epinephrine_mcg_per_kg_per_min or 0.0,
            dobutamine_mcg_per_kg_per_min=reading.dobutamine_mcg_per_kg_per_min or 0.0,
        )


@dataclass(frozen=True)
class Escalation:
    """A step beyond norepinephrine titration the clinician should consider, and why.

    ``dose`` and ``unit``: the co-infusion dose the step names (e.g. REDUCE_EPINEPHRINE to 0.7 mcg/kg/min), when
    it names one; ``None`` for a step without a dose or one "per the prescriber's order".
    """

    code: str
    reason: str
    rule: str
    dose: float | None = None
    unit: str = ""

    def to_json(self) -> dict[str, JsonValue]:
        return {"code": self.code, "reason": self.reason, "rule": self.rule, "dose": self.dose, "unit": self.unit}


@dataclass(frozen=True)
class Reminder:
    code: str
    message: str
    rule: str

    def to_json(self) -> dict[str, JsonValue]:
        return {"code": self.code, "message": self.message, "rule": self.rule}


@dataclass(frozen=True)
class Target:
    """The patient's MAP target band [map_mmhg, upper_mmhg] and why it was chosen."""

    map_mmhg: float
    upper_mmhg: float
    reason: str
    rule: str
    sbp_ceiling_mmhg: float | None = None


def fmt_dose(value: float) -> str:
    """Two decimals, three or four when they matter: 0.1 -> '0.10', 0.125 -> '0.125', 0.0105 -> '0.0105'."""
    text = f"{value:.2f}"
    if abs(float(text) - value) < 5e-7:
        return text
    text = f"{value:.3f}"
    return text if abs(float(text) - value) < 5e-7 else f"{value:.4f}"


def _clock(when: datetime) -> str:
    return f"{when:%H:%M}"


@dataclass(frozen=True)
class Waiting:
    """What a hold waits for: the effect of the dose set at ``set_at`` (rules TIT-EFFECT-WAIT, TIT-AWAIT-READING).

    ``effect_until``: the change has had its full time (titration.effect_minutes after it). ``next_check``: when to
    look again. ``sooner_below_mmhg`` / ``sooner_above_mmhg``: a MAP outside these is one the engine would act on
    before then (``None``: no such bound, e.g. with norepinephrine stopped).
    """

    dose_mcg_per_kg_per_min: float
    set_at: datetime
    effect_until: datetime
    next_check: datetime
    sooner_below_mmhg: float | None = None
    sooner_above_mmhg: float | None = None

    def text(self, clock: Callable[[datetime], str] = _clock) -> str:
        """'Waiting for the effect of 0.15 mcg/kg/min set at 14:05: next check 14:20; recheck sooner if MAP < 55 or
        > 75'. ``clock`` formats a time (the window shows local time; the default is HH:MM of the time given)."""
        if self.dose_mcg_per_kg_per_min <= 0:
            head = f"Waiting for a reading after norepinephrine was stopped at {clock(self.set_at)}"
        else:
            head = (f"Waiting for the effect of {fmt_dose(self.dose_mcg_per_kg_per_min)} mcg/kg/min set at "
                    f"{clock(self.set_at)}")
        bounds = []
        if self.sooner_below_mmhg is not None:
            bounds.append(f"< {self.sooner_below_mmhg:g}")
        if self.sooner_above_mmhg is not None:
            bounds.append(f"> {self.sooner_above_mmhg:g}")
        sooner = f"; recheck sooner if MAP {' or '.join(bounds)}" if bounds else ""
        return f"{head}: next check {clock(self.next_check)}{sooner}"

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "dose_mcg_per_kg_per_min": round(float(self.dose_mcg_per_kg_per_min), 6),
            "set_at": self.set_at.isoformat(),
            "effect_until": self.effect_until.isoformat(),
            "next_check": self.next_check.isoformat(),
            "sooner_below_mmhg": self.sooner_below_mmhg,
            "sooner_above_mmhg": self.sooner_above_mmhg,
            "text": self.text(),
        }


@dataclass(frozen=True)
class DoseAdvice:
    """The acting part of an :class:`Advice` (``titration.engine.advise_dose``): the same action, dose, next check and
    escalations, without the text a reader needs. For callers that act on the advice without showing it."""

    action: Action
    dose_mcg_per_kg_per_min: float
    next_check_in_min: float
    escalations: tuple[Escalation, ...]


@dataclass(frozen=True)
class Advice:
    """What to do now, by how much, why, and when to look again."""

    action: Action
    dose_mcg_per_kg_per_min: float  # proposed norepinephrine base dose (0 when none)
    dose_mcg_per_min: float
    rate_ml_per_h: float  # rounded to the pump resolution
    current_dose_mcg_per_kg_per_min: float
    needs_confirmation: bool
    next_check_in_min: float
    next_check_due: datetime
    target_map: float | None  # None: a child without a written target (no titration step, rule TGT-PEDIATRIC-REVIEW)
    target_map_upper: float | None
    target_reason: str
    map_mmhg: float
    map_computed: bool
    escalations: tuple[Escalation, ...]
    alerts: tuple[Alert, ...]
    reminders: tuple[Reminder, ...]
    rules: tuple[str, ...]
    rationale: str
    nee_mcg_per_kg_per_min: float
    extravasation: str | None
    reading_unconfirmed: bool = False  # the latest reading is a possible artefact: repeat it (rule READ-ARTEFACT)
    reading_age_min: float = 0.0  # how old the latest reading is at ``now``
    waiting: Waiting | None = None  # a hold that waits for the effect of a change: what for and until when

    def alert_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.alerts)

    def escalation_codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.escalations)

    def to_json(self) -> dict[str, JsonValue]:
        """The keys ``norepi-gui advise --json`` prints."""
        return {
            "action": self.action.value,
            "dose_mcg_per_kg_per_min": round(float(self.dose_mcg_per_kg_per_min), 6),
            "dose_mcg_per_min": round(float(self.dose_mcg_per_min), 4),
            "rate_ml_per_h": self.rate_ml_per_h,
            "current_dose_mcg_per_kg_per_min": round(float(self.current_dose_mcg_per_kg_per_min), 6),
            "needs_confirmation": self.needs_confirmation,
            "next_check_in_min": self.next_check_in_min,
            "next_check_due": self.next_check_due.isoformat(),
            "target_map": self.target_map,
            "target_map_upper": self.target_map_upper,
            "target_reason": self.target_reason,
            "map": round(float(self.map_mmhg), 1),
            "map_computed": self.map_computed,
            "nee_mcg_per_kg_per_min": round(float(self.nee_mcg_per_kg_per_min), 4),
            "escalations": [e.to_json() for e in self.escalations],
            "alerts": [{**a.to_json()} for a in self.alerts],
            "reminders": [r.to_json() for r in self.reminders],
            "rules": list(self.rules),
            "rationale": self.rationale,
            "extravasation": self.extravasation,
            "reading_unconfirmed": self.reading_unconfirmed,
            "reading_age_min": round(float(self.reading_age_min), 1),
            "waiting": None if self.waiting is None else self.waiting.to_json(),
        }
