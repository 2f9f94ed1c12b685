"""What each bedside event records: one typed record per kind, and the only code that writes or reads payload keys.

Every operation of :class:`~norepi_gui.bedside.session.BedsideSession` builds one of these records and stores
``record.to_payload()``; the session state reads payloads back only through ``Record.from_payload``. A payload that
does not parse (a row written by a newer version, a hand-edited file) gives ``None`` and is left out of the state,
never a crash. The keys are the ones sessions have always been written with, so older session files still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from norepi_gui.core.errors import InputError
from norepi_gui.core.events import JsonValue, Payload
from norepi_gui.monitor.samples import MonitorSample, SampleSource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from norepi_gui.core.order import TitrationOrder
    from norepi_gui.core.titration.model import Reading

# Co-infusions the window offers, with the unit each is entered in [clinical-reference: Escalation].
CO_INFUSION_UNITS: dict[str, str] = {
    "vasopressin": "U/min",
    "epinephrine": "mcg/kg/min",
    "dobutamine": "mcg/kg/min",
    "hydrocortisone": "mg/day",
}

ANSWER_APPLIED = "applied"
ANSWER_NOT_APPLIED = "not_applied"
ANSWER_NEW_READING = "new_reading"

SOURCE_TYPED = "typed"
SOURCE_MONITOR = "monitor"

SITE_OK = "ok"
SITE_PROBLEM = "problem"


def as_float(value: JsonValue) -> float | None:
    """A stored number (bools are not numbers), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def as_str(value: JsonValue) -> str | None:
    return value if isinstance(value, str) else None


def as_bool(value: JsonValue) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_time(value: JsonValue) -> datetime | None:
    """A stored ISO 8601 time (timezone-aware), else ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _int(value: JsonValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def with_restores(payload: Payload, restores: int | None) -> Payload:
    """A copy of ``payload`` naming ``restores`` as the deleted entry it restores (an entry recorded again by undo or
    redo); without that key when ``restores`` is None. Whatever entry ``payload`` named before is replaced."""
    kept: Payload = {key: value for key, value in payload.items() if key != "restores"}
    if restores is not None:
        kept["restores"] = restores
    return kept


def _restored(p: Payload) -> int | None:
    """The id of the deleted entry a payload restores, if any (``with_restores`` wrote it)."""
    return _int(p.get("restores"))


# --------------------------------------------------------------------------------------------------- readings
@dataclass(frozen=True)
class ReadingRecord:
    """A charted reading: the values as entered and the MAP the engine uses (entered, or computed from SBP/DBP)."""

    map_mmhg: float
    map_entered: float | None = None
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None
    lactate_mmol_per_l: float | None = None
    urine_ml_per_kg_per_h: float | None = None
    crt_s: float | None = None
    altered_mental_status: bool | None = None
    source: str = SOURCE_TYPED
    restores: int | None = None  # the deleted entry this one restores (undo of a deletion)
    monitor: MonitorShown | None = None  # what the bedside monitor showed when it was charted (monitor feed on)

    @property
    def map_from_pressures(self) -> bool:
        return self.map_entered is None

    @property
    def perfusion(self) -> dict[str, JsonValue]:
        """The perfusion markers recorded with the reading, labelled for display."""
        return _perfusion_labels(self.lactate_mmol_per_l, self.urine_ml_per_kg_per_h, self.crt_s,
                                 self.altered_mental_status)

    @classmethod
    def from_reading(cls, reading: Reading, *, source: str = SOURCE_TYPED,
                     monitor: MonitorShown | None = None) -> ReadingRecord:
        return cls(
            map_mmhg=reading.map,
            map_entered=reading.map_mmhg,
            sbp_mmhg=reading.sbp_mmhg,
            dbp_mmhg=reading.dbp_mmhg,
            hr_per_min=reading.hr_per_min,
            lactate_mmol_per_l=reading.lactate_mmol_per_l,
            urine_ml_per_kg_per_h=reading.urine_ml_per_kg_per_h,
            crt_s=reading.crt_s,
            altered_mental_status=reading.altered_mental_status,
            source=source,
            monitor=monitor,
        )

    def to_payload(self) -> Payload:
        payload: Payload = {
            "map_mmhg": self.map_mmhg,
            "map_entered": self.map_entered,
            "map_from": "sbp_dbp" if self.map_from_pressures else "entered",
            "sbp_mmhg": self.sbp_mmhg,
            "dbp_mmhg": self.dbp_mmhg,
            "hr_per_min": self.hr_per_min,
            "lactate_mmol_per_l": self.lactate_mmol_per_l,
            "urine_ml_per_kg_per_h": self.urine_ml_per_kg_per_h,
            "crt_s": self.crt_s,
            "altered_mental_status": self.altered_mental_status,
            "perfusion": self.perfusion,
            "source": self.source,
        }
        if self.monitor is not None:
            payload["monitor"] = self.monitor.to_payload()
        return with_restores(payload, self.restores)

    @classmethod
    def from_payload(cls, p: Payload) -> ReadingRecord | None:
        map_mmhg = as_float(p.get("map_mmhg"))
        if map_mmhg is None:
            return None
        entered = as_float(p.get("map_entered"))
        if entered is None and p.get("map_from") != "sbp_dbp":
            entered = map_mmhg  # written before "map_entered" existed: the MAP was typed
        return cls(
            map_mmhg=map_mmhg,
            map_entered=entered,
            sbp_mmhg=as_float(p.get("sbp_mmhg")),
            dbp_mmhg=as_float(p.get("dbp_mmhg")),
            hr_per_min=as_float(p.get("hr_per_min")),
            lactate_mmol_per_l=as_float(p.get("lactate_mmol_per_l")),
            urine_ml_per_kg_per_h=as_float(p.get("urine_ml_per_kg_per_h")),
            crt_s=as_float(p.get("crt_s")),
            altered_mental_status=as_bool(p.get("altered_mental_status")),
            source=as_str(p.get("source")) or SOURCE_TYPED,
            restores=_restored(p),
            monitor=MonitorShown.from_payload(p.get("monitor")),
        )


def _perfusion_labels(lactate: float | None, urine: float | None, crt: float | None,
                     mental: bool | None) -> dict[str, JsonValue]:
    return {key: value for key, value in (
        ("lactate", lactate), ("urine mL/kg/h", urine), ("CRT s", crt), ("altered mental status", mental),
    ) if value is not None}


@dataclass(frozen=True)
class PerfusionRecord:
    """Perfusion markers recorded on their own, without a blood pressure (lactate from a blood gas, the hour's urine
    output, capillary refill, mental status). The engine reads markers per reading: the input builder gives them to
    the reading they follow (``bedside/inputs.py``)."""

    lactate_mmol_per_l: float | None = None
    urine_ml_per_kg_per_h: float | None = None
    crt_s: float | None = None
    altered_mental_status: bool | None = None
    source: str = SOURCE_TYPED
    restores: int | None = None

    @property
    def perfusion(self) -> dict[str, JsonValue]:
        return _perfusion_labels(self.lactate_mmol_per_l, self.urine_ml_per_kg_per_h, self.crt_s,
                                 self.altered_mental_status)

    @property
    def empty(self) -> bool:
        return not self.perfusion

    @classmethod
    def checked(cls, at: datetime, *, lactate_mmol_per_l: float | None = None,
                urine_ml_per_kg_per_h: float | None = None, crt_s: float | None = None,
                altered_mental_status: bool | None = None, source: str = SOURCE_TYPED) -> PerfusionRecord:
        """The markers, checked against the bounds the engine puts on them in a reading; InputError names the field
        (``lactate_mmol_l``, ``urine_ml_kg_h``, ``crt_s``), or ``perfusion`` when nothing was entered."""
        from norepi_gui.core.titration.model import Reading

        record = cls(lactate_mmol_per_l, urine_ml_per_kg_per_h, crt_s, altered_mental_status, source)
        if record.empty:
            raise InputError("perfusion", "nothing entered",
                             "a lactate, urine output, capillary refill or mental status")
        try:  # the engine's own bounds for each marker: a reading checks them before it asks for a pressure
            Reading(at=at, lactate_mmol_per_l=lactate_mmol_per_l, urine_ml_per_kg_per_h=urine_ml_per_kg_per_h,
                    crt_s=crt_s, altered_mental_status=altered_mental_status)
        except InputError as exc:
            if exc.field not in ("sbp", "dbp"):
                raise
        return record

    def to_payload(self) -> Payload:
        payload: Payload = {
            "lactate_mmol_per_l": self.lactate_mmol_per_l,
            "urine_ml_per_kg_per_h": self.urine_ml_per_kg_per_h,
            "crt_s": self.crt_s,
            "altered_mental_status": self.altered_mental_status,
            "perfusion": self.perfusion,
            "source": self.source,
        }
        return with_restores(payload, self.restores)

    @classmethod
    def from_payload(cls, p: Payload) -> PerfusionRecord | None:
        record = cls(
            lactate_mmol_per_l=as_float(p.get("lactate_mmol_per_l")),
            urine_ml_per_kg_per_h=as_float(p.get("urine_ml_per_kg_per_h")),
            crt_s=as_float(p.get("crt_s")),
            altered_mental_status=as_bool(p.get("altered_mental_status")),
            source=as_str(p.get("source")) or SOURCE_TYPED,
            restores=_restored(p),
        )
        return None if record.empty else record


# ------------------------------------------------------------------------------------------------------ doses
@dataclass(frozen=True)
class DoseRecord:
    """The norepinephrine dose the pump was set to (pump rate 0: stopped), as the dosing core computed it."""

    dose_mcg_per_kg_per_min: float | None
    dose_mcg_per_min: float
    rate_ml_per_h: float
    pump_rate_ml_per_h: float
    concentration_mcg_per_ml: float
    basis: str | None  # "per_kg" | "flat" (norepi_gui.core.units.DoseBasis values)
    source: str  # manual | advice | weight change | new bag | stopped
    delivered_dose_mcg_per_kg_per_min: float | None = None
    delivered_dose_mcg_per_min: float | None = None
    confirmed_alerts: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    advice_event_id: int | None = None
    restores: int | None = None

    @property
    def running(self) -> bool:
        return self.pump_rate_ml_per_h > 0

    def to_payload(self) -> Payload:
        payload: Payload = {
            "dose_mcg_per_kg_per_min": self.dose_mcg_per_kg_per_min,
            "dose_mcg_per_min": self.dose_mcg_per_min,
            "rate_ml_per_h": self.rate_ml_per_h,
            "pump_rate_ml_per_h": self.pump_rate_ml_per_h,
            "delivered_dose_mcg_per_kg_per_min": self.delivered_dose_mcg_per_kg_per_min,
            "delivered_dose_mcg_per_min": self.delivered_dose_mcg_per_min,
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "basis": self.basis,
            "source": self.source,
            "confirmed_alerts": list(self.confirmed_alerts),
            "alerts": list(self.alerts),
            "advice_event_id": self.advice_event_id,
        }
        return with_restores(payload, self.restores)

    @classmethod
    def from_payload(cls, p: Payload) -> DoseRecord | None:
        per_min = as_float(p.get("dose_mcg_per_min"))
        pump = as_float(p.get("pump_rate_ml_per_h"))
        conc = as_float(p.get("concentration_mcg_per_ml"))
        if per_min is None or pump is None or conc is None:
            return None
        confirmed, alerts = p.get("confirmed_alerts"), p.get("alerts")
        return cls(
            dose_mcg_per_kg_per_min=as_float(p.get("dose_mcg_per_kg_per_min")),
            dose_mcg_per_min=per_min,
            rate_ml_per_h=as_float(p.get("rate_ml_per_h")) or pump,
            pump_rate_ml_per_h=pump,
            concentration_mcg_per_ml=conc,
            basis=as_str(p.get("basis")),
            source=as_str(p.get("source")) or "manual",
            delivered_dose_mcg_per_kg_per_min=as_float(p.get("delivered_dose_mcg_per_kg_per_min")),
            delivered_dose_mcg_per_min=as_float(p.get("delivered_dose_mcg_per_min")),
            confirmed_alerts=tuple(x for x in confirmed if isinstance(x, str)) if isinstance(confirmed, list) else (),
            alerts=tuple(x for x in alerts if isinstance(x, str)) if isinstance(alerts, list) else (),
            advice_event_id=_int(p.get("advice_event_id")),
            restores=_restored(p),
        )


@dataclass(frozen=True)
class CoInfusionRecord:
    drug: str
    action: str  # start | change | stop
    dose: float
    unit: str
    restores: int | None = None

    def to_payload(self) -> Payload:
        payload: Payload = {"drug": self.drug, "action": self.action, "dose": self.dose, "unit": self.unit}
        return with_restores(payload, self.restores)

    @classmethod
    def from_payload(cls, p: Payload) -> CoInfusionRecord | None:
        drug, action, unit, dose = as_str(p.get("drug")), as_str(p.get("action")), as_str(p.get("unit")), \
            as_float(p.get("dose"))
        if drug is None or action is None or unit is None or dose is None:
            return None
        return cls(drug, action, dose, unit, _restored(p))


# ---------------------------------------------------------------------------------------------------- patient
@dataclass(frozen=True)
class PatientRecord:
    """One snapshot of the patient's details (each PATIENT event replaces the previous one)."""

    weight_kg: float | None = None
    weight_entered: str = ""
    population: str = "adult"
    age_years: float | None = None
    chronic_hypertension: bool = False
    baseline_sbp_mmhg: float | None = None
    ards: bool = False
    intra_abdominal_hypertension: bool = False
    cardiac_dysfunction: bool = False
    line: str = "central"
    line_inserted_at: datetime | None = None
    arterial_line: bool | None = None
    fluids_ml_per_kg: float | None = None
    fluids_entered: str = ""
    target_map_mmhg: float | None = None

    def to_payload(self) -> Payload:
        return {
            "weight_kg": self.weight_kg,
            "weight_entered": self.weight_entered,
            "population": self.population,
            "age_years": self.age_years,
            "chronic_hypertension": self.chronic_hypertension,
            "baseline_sbp_mmhg": self.baseline_sbp_mmhg,
            "ards": self.ards,
            "intra_abdominal_hypertension": self.intra_abdominal_hypertension,
            "cardiac_dysfunction": self.cardiac_dysfunction,
            "line": self.line,
            "line_inserted_at": _iso(self.line_inserted_at),
            "arterial_line": self.arterial_line,
            "fluids_ml_per_kg": self.fluids_ml_per_kg,
            "fluids_entered": self.fluids_entered,
            "target_map_mmhg": self.target_map_mmhg,
        }

    @classmethod
    def from_payload(cls, p: Payload) -> PatientRecord:
        return cls(
            weight_kg=as_float(p.get("weight_kg")),
            weight_entered=as_str(p.get("weight_entered")) or "",
            population=as_str(p.get("population")) or "adult",
            age_years=as_float(p.get("age_years")),
            chronic_hypertension=p.get("chronic_hypertension") is True,
            baseline_sbp_mmhg=as_float(p.get("baseline_sbp_mmhg")),
            ards=p.get("ards") is True,
            intra_abdominal_hypertension=p.get("intra_abdominal_hypertension") is True,
            cardiac_dysfunction=p.get("cardiac_dysfunction") is True,
            line=as_str(p.get("line")) or "central",
            line_inserted_at=parse_time(p.get("line_inserted_at")),
            arterial_line=as_bool(p.get("arterial_line")),
            fluids_ml_per_kg=as_float(p.get("fluids_ml_per_kg")),
            fluids_entered=as_str(p.get("fluids_entered")) or "",
            target_map_mmhg=as_float(p.get("target_map_mmhg")),
        )


@dataclass(frozen=True)
class BagRecord:
    """The bag hung: its concentration (as base), how it was described, and the volume read on it."""

    concentration_mcg_per_ml: float
    standard: bool = True
    description: str = ""
    amount_entered: str | None = None
    volume_entered: str | None = None
    salt: str = "base"
    diluent: str | None = None
    bag_volume_ml: float | None = None
    drop_factor: float | None = None
    hung: bool = False  # a new bag was hung now (full, as read); otherwise a change to the set-up or a volume read
    restores: int | None = None

    def to_payload(self) -> Payload:
        payload: Payload = {
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "standard": self.standard,
            "description": self.description,
            "amount_entered": self.amount_entered,
            "volume_entered": self.volume_entered,
            "salt": self.salt,
            "diluent": self.diluent,
            "bag_volume_ml": self.bag_volume_ml,
            "drop_factor": self.drop_factor,
        }
        if self.hung:
            payload["hung"] = True
        return with_restores(payload, self.restores)

    @classmethod
    def from_payload(cls, p: Payload) -> BagRecord | None:
        conc = as_float(p.get("concentration_mcg_per_ml"))
        if conc is None:
            return None
        return cls(
            concentration_mcg_per_ml=conc,
            standard=p.get("standard") is not False,
            description=as_str(p.get("description")) or "",
            amount_entered=as_str(p.get("amount_entered")),
            volume_entered=as_str(p.get("volume_entered")),
            salt=as_str(p.get("salt")) or "base",
            diluent=as_str(p.get("diluent")),
            bag_volume_ml=as_float(p.get("bag_volume_ml")),
            drop_factor=as_float(p.get("drop_factor")),
            hung=p.get("hung") is True,
            restores=_restored(p),
        )

    def same_setup(self, other: BagRecord) -> bool:
        """The same bag set-up whether or not it was just hung (what the fields show)."""
        return _replace_hung(self) == _replace_hung(other)


def _replace_hung(bag: BagRecord) -> BagRecord:
    from dataclasses import replace

    return replace(bag, hung=False, restores=None)


@dataclass(frozen=True)
class SiteCheckRecord:
    """A peripheral or intraosseous line's site was checked: ``ok``, or a ``problem`` (swelling, blanching, pain)."""

    line: str
    finding: str = SITE_OK
    note: str = ""

    def to_payload(self) -> Payload:
        return {"line": self.line, "finding": self.finding, "note": self.note}

    @classmethod
    def from_payload(cls, p: Payload) -> SiteCheckRecord | None:
        line = as_str(p.get("line"))
        return None if line is None else cls(line, as_str(p.get("finding")) or SITE_OK, as_str(p.get("note")) or "")


@dataclass(frozen=True)
class AudioPauseRecord:
    """The alarm sound was paused until ``until`` for the alarms then sounding (``codes``); a new one sounds."""

    until: datetime
    codes: tuple[str, ...] = ()

    def to_payload(self) -> Payload:
        return {"until": self.until.isoformat(), "codes": list(self.codes)}

    @classmethod
    def from_payload(cls, p: Payload) -> AudioPauseRecord | None:
        until = parse_time(p.get("until"))
        codes = p.get("codes")
        if until is None:
            return None
        return cls(until, tuple(c for c in codes if isinstance(c, str)) if isinstance(codes, list) else ())


# ----------------------------------------------------------------------------------------------------- prompts
@dataclass(frozen=True)
class PromptShownRecord:
    priority: str
    due_at: datetime
    minutes_overdue: float

    def to_payload(self) -> Payload:
        return {"priority": self.priority, "due_at": self.due_at.isoformat(),
                "minutes_overdue": round(self.minutes_overdue, 2)}

    @classmethod
    def from_payload(cls, p: Payload) -> PromptShownRecord | None:
        priority, due = as_str(p.get("priority")), parse_time(p.get("due_at"))
        if priority is None or due is None:
            return None
        return cls(priority, due, as_float(p.get("minutes_overdue")) or 0.0)


@dataclass(frozen=True)
class AnswerRecord:
    """A check answered. ``due_at``: when the check it answers was due; ``checked_at``: when it was done (the
    reading's time for a new reading, else when the answer was recorded). Both are absent in sessions recorded
    before they existed."""

    answer: str  # applied | not_applied | new_reading
    reason: str = ""
    advice_event_id: int | None = None
    next_due_at: datetime | None = None
    due_at: datetime | None = None
    checked_at: datetime | None = None

    def to_payload(self) -> Payload:
        payload: Payload = {"answer": self.answer, "reason": self.reason, "advice_event_id": self.advice_event_id,
                            "next_due_at": _iso(self.next_due_at)}
        if self.due_at is not None:
            payload["due_at"] = self.due_at.isoformat()
        if self.checked_at is not None:
            payload["checked_at"] = self.checked_at.isoformat()
        return payload

    @classmethod
    def from_payload(cls, p: Payload) -> AnswerRecord | None:
        answer = as_str(p.get("answer"))
        if answer is None:
            return None
        return cls(answer, as_str(p.get("reason")) or "", _int(p.get("advice_event_id")),
                   parse_time(p.get("next_due_at")), parse_time(p.get("due_at")), parse_time(p.get("checked_at")))


@dataclass(frozen=True)
class SnoozeRecord:
    until: datetime
    count: int

    def to_payload(self) -> Payload:
        return {"until": self.until.isoformat(), "count": self.count}

    @classmethod
    def from_payload(cls, p: Payload) -> SnoozeRecord | None:
        until = parse_time(p.get("until"))
        return None if until is None else cls(until, _int(p.get("count")) or 1)


@dataclass(frozen=True)
class SettingRecord:
    key: str
    value: JsonValue

    def to_payload(self) -> Payload:
        return {"key": self.key, "value": self.value}

    @classmethod
    def from_payload(cls, p: Payload) -> SettingRecord | None:
        key = as_str(p.get("key"))
        return None if key is None else cls(key, p.get("value"))


SETTING_PUMP_RESOLUTION = "pump_resolution_ml_per_h"
SETTING_PROTOCOL = "protocol"
SETTING_SOUND = "sound_enabled"


# ------------------------------------------------------------------------------------------------- who and order
#: The payload key under which the bedside layer stores, on every event it records, the initials (or name) of the
#: nurse on duty when it was recorded. Absent: nobody had signed on (and in sessions recorded before it existed).
NURSE_KEY = "nurse"
NURSE_MAX_CHARS = 40


def stamp_nurse(payload: Mapping[str, object], nurse: str | None) -> dict[str, object]:
    """``payload`` with the nurse on duty (unchanged when nobody has signed on)."""
    out = dict(payload)
    if nurse:
        out[NURSE_KEY] = nurse
    return out


def nurse_of(payload: Payload) -> str | None:
    """The nurse on duty when the event was recorded, or ``None``."""
    return as_str(payload.get(NURSE_KEY)) or None


def check_initials(text: str, field: str = "initials") -> str:
    """The initials (or name) as typed, trimmed; InputError when empty, too long or holding control characters."""
    from norepi_gui.core.errors import InputError

    value = " ".join(text.split())
    if not value:
        raise InputError(field, "nothing entered", f"the nurse's initials or name, up to {NURSE_MAX_CHARS} characters")
    if len(value) > NURSE_MAX_CHARS or any(ord(c) < 32 for c in value):
        raise InputError(field, f"{value[:NURSE_MAX_CHARS]!r}... is too long" if len(value) > NURSE_MAX_CHARS
                         else "holds control characters", f"up to {NURSE_MAX_CHARS} characters")
    return value


@dataclass(frozen=True)
class HandoverRecord:
    """A nurse takes over the patient: ``outgoing`` is ``None`` when the first nurse signs on. ``bed`` is where the
    patient lies this shift; ``note`` what was said at the handover, if anything."""

    incoming: str
    outgoing: str | None = None
    bed: str = ""
    note: str = ""

    def to_payload(self) -> Payload:
        return {"incoming": self.incoming, "outgoing": self.outgoing, "bed": self.bed, "note": self.note}

    @classmethod
    def from_payload(cls, p: Payload) -> HandoverRecord | None:
        incoming = as_str(p.get("incoming"))
        if not incoming:
            return None
        return cls(incoming, as_str(p.get("outgoing")) or None, as_str(p.get("bed")) or "",
                   as_str(p.get("note")) or "")


@dataclass(frozen=True)
class OrderRecord:
    """The titration order as recorded (:class:`norepi_gui.core.order.TitrationOrder`)."""

    order: TitrationOrder

    def to_payload(self) -> Payload:
        o = self.order
        return {
            "drug": o.drug,
            "route": o.route.value,
            "dose_unit": o.dose_unit,
            "start_dose": o.start_dose,
            "step": o.step,
            "change_every_min": o.change_every_min,
            "max_dose": o.max_dose,
            "goal_map_low": o.goal_map_low,
            "goal_map_high": o.goal_map_high,
            "floor_map": o.floor_map,
            "prescriber": o.prescriber,
            "defaults": list(o.defaults),
            "review": list(o.review),
        }

    @classmethod
    def from_payload(cls, p: Payload) -> OrderRecord | None:
        from norepi_gui.core.errors import InputError
        from norepi_gui.core.order import DRUG, PER_KG, TitrationOrder
        from norepi_gui.core.protocol import LineType

        numbers = [as_float(p.get(k)) for k in ("start_dose", "step", "change_every_min", "max_dose",
                                                 "goal_map_low", "goal_map_high", "floor_map")]
        route = as_str(p.get("route"))
        if route not in {line.value for line in LineType}:
            return None
        start, step, every, maximum, low, high, floor = numbers
        if start is None or step is None or every is None or maximum is None or low is None or high is None \
                or floor is None:
            return None
        defaults, review = p.get("defaults"), p.get("review")
        try:
            return cls(TitrationOrder(
                route=LineType(route), start_dose=start, step=step, change_every_min=every, max_dose=maximum,
                goal_map_low=low, goal_map_high=high, floor_map=floor,
                dose_unit=as_str(p.get("dose_unit")) or PER_KG, prescriber=as_str(p.get("prescriber")) or "",
                defaults=tuple(x for x in defaults if isinstance(x, str)) if isinstance(defaults, list) else (),
                review=tuple(x for x in review if isinstance(x, str)) if isinstance(review, list) else (),
                drug=as_str(p.get("drug")) or DRUG,
            ))
        except InputError:
            return None


# ----------------------------------------------------------------------------------------------------- monitor
@dataclass(frozen=True)
class MonitorShown:
    """What the bedside monitor showed when a reading was charted: the summary offered at that time (its median and
    what it left out, or why there was nothing to chart), the latest sample, and the feed's state. Recorded with
    every reading while the feed is on, whether the nurse charted the monitor's value or typed another one."""

    feed: str  # off | waiting | live | stale
    source: str = SampleSource.ARTERIAL.value  # arterial | cuff
    map_mmhg: float | None = None  # the median offered (None: not chartable)
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None
    used: int = 0  # samples the median is of
    window_min: float = 0.0
    low_map_mmhg: float | None = None
    high_map_mmhg: float | None = None
    excluded: tuple[tuple[str, int], ...] = ()  # (flush | spike | damped trace | implausible, how many)
    not_chartable: str = ""  # why nothing could be charted (no_samples | stale | mostly_artefact | too_few | unstable)
    detail: str = ""  # the summary in words, as the prompt showed it
    latest_map_mmhg: float | None = None
    latest_at: datetime | None = None

    @property
    def chartable(self) -> bool:
        return self.map_mmhg is not None

    def to_payload(self) -> Payload:
        return {
            "feed": self.feed, "source": self.source, "map_mmhg": self.map_mmhg, "sbp_mmhg": self.sbp_mmhg,
            "dbp_mmhg": self.dbp_mmhg, "hr_per_min": self.hr_per_min, "used": self.used,
            "window_min": self.window_min, "low_map_mmhg": self.low_map_mmhg, "high_map_mmhg": self.high_map_mmhg,
            "excluded": dict(self.excluded), "not_chartable": self.not_chartable,
            "detail": self.detail, "latest_map_mmhg": self.latest_map_mmhg, "latest_at": _iso(self.latest_at),
        }

    @classmethod
    def from_payload(cls, p: JsonValue) -> MonitorShown | None:
        if not isinstance(p, dict):
            return None
        feed = as_str(p.get("feed"))
        if feed is None:
            return None
        excluded = p.get("excluded")
        return cls(
            feed=feed,
            source=as_str(p.get("source")) or SampleSource.ARTERIAL.value,
            map_mmhg=as_float(p.get("map_mmhg")),
            sbp_mmhg=as_float(p.get("sbp_mmhg")),
            dbp_mmhg=as_float(p.get("dbp_mmhg")),
            hr_per_min=as_float(p.get("hr_per_min")),
            used=_int(p.get("used")) or 0,
            window_min=as_float(p.get("window_min")) or 0.0,
            low_map_mmhg=as_float(p.get("low_map_mmhg")),
            high_map_mmhg=as_float(p.get("high_map_mmhg")),
            excluded=tuple((str(k), v) for k, v in excluded.items() if isinstance(v, int) and not isinstance(v, bool))
            if isinstance(excluded, dict) else (),
            not_chartable=as_str(p.get("not_chartable")) or "",
            detail=as_str(p.get("detail")) or "",
            latest_map_mmhg=as_float(p.get("latest_map_mmhg")),
            latest_at=parse_time(p.get("latest_at")),
        )


#: A batch holds at most this many samples (10 minutes of a 1 Hz feed); the session writes one a minute.
MAX_BATCH_SAMPLES = 600
_SOURCES = {s.value: s for s in SampleSource}


@dataclass(frozen=True)
class MonitorSamplesRecord:
    """A batch of the monitor's values, as they came (kept apart from charted readings; the engine never reads
    them). Stored as columns: the first observation time, then each sample's offset from it in milliseconds."""

    samples: tuple[MonitorSample, ...]

    def to_payload(self) -> Payload:
        if not self.samples:
            return {"t0": None, "dt_ms": [], "source": [], "map": [], "sbp": [], "dbp": [], "hr": []}
        t0 = self.samples[0].at
        return {
            "t0": t0.isoformat(),
            "dt_ms": [round((s.at - t0).total_seconds() * 1000) for s in self.samples],
            "source": [s.source.value for s in self.samples],
            "map": [s.map_mmhg for s in self.samples],
            "sbp": [s.sbp_mmhg for s in self.samples],
            "dbp": [s.dbp_mmhg for s in self.samples],
            "hr": [s.hr_per_min for s in self.samples],
        }

    @classmethod
    def from_payload(cls, p: Payload) -> MonitorSamplesRecord | None:
        """The batch; a sample whose columns do not read (a hand-edited file) is left out, never a crash."""
        from datetime import timedelta

        t0 = parse_time(p.get("t0"))
        columns = [p.get(k) for k in ("dt_ms", "source", "map", "sbp", "dbp", "hr")]
        if t0 is None or not all(isinstance(c, list) for c in columns):
            return None
        dt, source, maps, sbp, dbp, hr = (c if isinstance(c, list) else [] for c in columns)
        n = len(dt)
        if any(len(c) != n for c in (source, maps, sbp, dbp, hr)):
            return None
        out: list[MonitorSample] = []
        for i in range(n):
            offset, kind, mean = _int(dt[i]), _SOURCES.get(str(source[i])), as_float(maps[i])
            if offset is None or kind is None or mean is None:
                continue
            out.append(MonitorSample(t0 + timedelta(milliseconds=offset), kind, mean, as_float(sbp[i]),
                                     as_float(dbp[i]), as_float(hr[i])))
        return cls(tuple(out))


@dataclass(frozen=True)
class MonitorLinkRecord:
    """The monitor feed for this session: listening for ``bed`` (PV1-3) and/or ``patient_id`` (PID-3) at
    ``address``, or turned off (``listening`` False). The record says which bed fed the session, and when."""

    listening: bool
    bed: str = ""
    patient_id: str = ""
    address: str = ""

    def to_payload(self) -> Payload:
        return {"listening": self.listening, "bed": self.bed, "patient_id": self.patient_id, "address": self.address}

    @classmethod
    def from_payload(cls, p: Payload) -> MonitorLinkRecord | None:
        listening = as_bool(p.get("listening"))
        if listening is None:
            return None
        return cls(listening, as_str(p.get("bed")) or "", as_str(p.get("patient_id")) or "",
                   as_str(p.get("address")) or "")

    def describe(self) -> str:
        who = " and ".join(x for x in (f"bed {self.bed}" if self.bed else "",
                                        f"patient {self.patient_id}" if self.patient_id else "") if x)
        return who or "no bed or patient"
