"""The institution's protocol (drug library): one TOML file, typed and bounded, validated on load, never executed.

Each section is a frozen dataclass; each field carries its accepted range in its metadata, so the schema lives in
one place and every error names the file, the key and what is accepted. :func:`load_protocol` returns a
:class:`Protocol` or raises :class:`ProtocolError`; callers keep their last valid protocol when it raises.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from norepi_gui.core.errors import InputError
from norepi_gui.core.toml_file import TomlFileError, read_toml_file, read_toml_text


class ProtocolError(InputError):
    """A protocol file was refused: names the file, the key and what is accepted."""

    def __init__(self, source: str, key: str, problem: str, accepted: str = "") -> None:
        self.source = source
        self.key = key
        super().__init__(f"{source}: {key}", problem, accepted)


class Population(StrEnum):
    ADULT = "adult"
    PEDIATRIC = "pediatric"


class LineType(StrEnum):
    CENTRAL = "central"
    PERIPHERAL = "peripheral"
    INTRAOSSEOUS = "intraosseous"

    @classmethod
    def parse(cls, text: str, field_name: str = "line") -> LineType:
        aliases = {"io": cls.INTRAOSSEOUS, "piv": cls.PERIPHERAL, "cvc": cls.CENTRAL}
        key = text.strip().lower()
        if key in aliases:
            return aliases[key]
        try:
            return cls(key)
        except ValueError as exc:
            raise InputError(field_name, f"unknown line type {text!r}", "central, peripheral, io") from exc


def _range(lo: float, hi: float, unit: str = "") -> Any:
    return field(metadata={"range": (lo, hi), "unit": unit})


def _choice(*allowed: str) -> Any:
    return field(metadata={"choices": allowed})


REVIEW_NOTE = "protocol default, review"


@dataclass(frozen=True)
class Meta:
    """``review``: the keys whose values are defaults the institution must review ([U] in the shipped file).

    A value stated in an alert or a suggestion is followed by "(protocol default, review)" while its key is listed
    here; an institution removes a key once it has checked the value against its own sources.
    """

    name: str
    version: str
    review: tuple[str, ...] = field(metadata={"allow_empty": True})


@dataclass(frozen=True)
class Concentrations:
    standard_mcg_per_ml: tuple[float, ...] = _range(0.1, 1000.0, "mcg/mL")
    default_mcg_per_ml: float = _range(0.1, 1000.0, "mcg/mL")
    min_mcg_per_ml: float = _range(0.01, 1000.0, "mcg/mL")
    max_mcg_per_ml: float = _range(0.1, 10000.0, "mcg/mL")


@dataclass(frozen=True)
class Pump:
    resolution_ml_per_h: float = _range(0.001, 10.0, "mL/h")
    max_rate_ml_per_h: float = _range(1.0, 9999.0, "mL/h")
    drop_factors_gtt_per_ml: tuple[int, ...] = _range(1, 100, "gtt/mL")
    max_delivered_error_fraction: float = _range(0.001, 0.5, "fraction of the ordered dose")


@dataclass(frozen=True)
class Bag:
    default_volume_ml: float = _range(1.0, 5000.0, "mL")
    near_empty_minutes: float = _range(0.0, 240.0, "min")
    change_reminder_minutes: float = _range(0.0, 720.0, "min")


@dataclass(frozen=True)
class Daily:
    label_max_mg_per_day: float = _range(1.0, 1000.0, "mg/day")


@dataclass(frozen=True)
class DoseChange:
    large_change_factor: float = _range(1.1, 100.0)
    repeat_entry_minutes: float = _range(0.0, 60.0, "min")


@dataclass(frozen=True)
class PopulationLimits:
    """Doses in mcg/kg/min unless the key says mcg/min."""

    dose_unit: str
    weight_min_kg: float = _range(0.2, 500.0, "kg")
    weight_max_kg: float = _range(0.5, 700.0, "kg")
    maybe_pounds_above_kg: float = _range(1.0, 5000.0, "kg")
    start_dose: float = _range(0.0, 10.0, "mcg/kg/min")
    min_plausible_dose: float = _range(0.0, 1.0, "mcg/kg/min")
    usual_max_dose: float = _range(0.0, 10.0, "mcg/kg/min")
    soft_max_dose: float = _range(0.01, 10.0, "mcg/kg/min")
    hard_max_dose: float = _range(0.01, 20.0, "mcg/kg/min")
    taper_min_dose: float = _range(0.0, 1.0, "mcg/kg/min")
    flat_start_mcg_per_min: float = _range(0.0, 500.0, "mcg/min")
    flat_soft_max_mcg_per_min: float = _range(0.1, 1000.0, "mcg/min")
    flat_hard_max_mcg_per_min: float = _range(0.1, 2000.0, "mcg/min")
    # Escalation doses per kg for this population; 0 = none in the protocol: adults then get the flat [escalation]
    # doses, any other population "dose per the prescriber's order".
    vasopressin_u_per_kg_per_min: float = _range(0.0, 0.01, "U/kg/min")
    hydrocortisone_mg_per_kg_per_day: float = _range(0.0, 20.0, "mg/kg/day")


@dataclass(frozen=True)
class LineLimits:
    """0 means no line-specific limit. The per-kg limit is exclusive (the dose must stay below it, seed 004's
    "< 0.5 mcg/kg/min"); the flat cap is inclusive (a dose up to it)."""

    max_dose_mcg_per_kg_per_min: float = _range(0.0, 20.0, "mcg/kg/min")
    max_dose_mcg_per_min: float = _range(0.0, 2000.0, "mcg/min")
    max_hours: float = _range(0.0, 24.0 * 365, "h")
    site_check_hours: float = _range(0.0, 24.0, "h")


@dataclass(frozen=True)
class Targets:
    default_map: float = _range(40.0, 120.0, "mmHg")
    band_above_mmhg: float = _range(1.0, 40.0, "mmHg")
    chronic_hypertension_map: float = _range(40.0, 120.0, "mmHg")
    chronic_hypertension_band_above_mmhg: float = _range(1.0, 40.0, "mmHg")
    elderly_min_age: float = _range(18.0, 120.0, "years")
    elderly_map: float = _range(40.0, 120.0, "mmHg")
    elderly_band_above_mmhg: float = _range(1.0, 40.0, "mmHg")
    baseline_sbp_max_drop_mmhg: float = _range(0.0, 100.0, "mmHg")
    individual_min_mmhg: float = _range(10.0, 100.0, "mmHg")
    individual_max_mmhg: float = _range(40.0, 150.0, "mmHg")


@dataclass(frozen=True)
class Titration:
    step_up: float = _range(0.001, 1.0, "mcg/kg/min")
    step_up_large: float = _range(0.001, 2.0, "mcg/kg/min")
    far_below_mmhg: float = _range(1.0, 60.0, "mmHg")
    step_down_large: float = _range(0.001, 1.0, "mcg/kg/min")
    above_band_readings_to_wean: int = _range(1, 20)
    centre_deadband_mmhg: float = _range(0.0, 20.0, "mmHg")
    proportional_gain: float = _range(0.0, 3.0, "per 10 mmHg")
    max_wean_fraction: float = _range(0.05, 1.0, "fraction of the dose")
    dose_resolution: float = _range(0.0001, 0.1, "mcg/kg/min")
    flat_dose_resolution_mcg_per_min: float = _range(0.01, 10.0, "mcg/min")
    flat_step_up_mcg_per_min: float = _range(0.1, 100.0, "mcg/min")
    flat_step_up_large_mcg_per_min: float = _range(0.1, 200.0, "mcg/min")
    flat_step_down_large_mcg_per_min: float = _range(0.1, 100.0, "mcg/min")
    abrupt_stop_watch_minutes: float = _range(0.0, 1440.0, "min")
    effect_minutes: float = _range(1.0, 60.0, "min")
    level_readings: int = _range(1, 10)
    level_off_centre_mmhg: float = _range(0.0, 20.0, "mmHg")


@dataclass(frozen=True)
class Readings:
    """When a reading may drive a dose change."""

    map_min_mmhg: float = _range(5.0, 60.0, "mmHg")
    map_max_mmhg: float = _range(100.0, 300.0, "mmHg")
    max_age_minutes: float = _range(1.0, 120.0, "min")
    artefact_jump_mmhg: float = _range(5.0, 100.0, "mmHg")
    artefact_window_minutes: float = _range(0.5, 60.0, "min")
    repeat_after_minutes: float = _range(0.5, 15.0, "min")

    @cached_property
    def max_age(self) -> timedelta:
        return timedelta(minutes=self.max_age_minutes)


@dataclass(frozen=True)
class Intervals:
    min_minutes: float = _range(1.0, 60.0, "min")
    max_minutes: float = _range(1.0, 240.0, "min")
    after_change_minutes: float = _range(1.0, 60.0, "min")
    below_target_minutes: float = _range(1.0, 60.0, "min")
    stable_readings_for_max: int = _range(1, 20)
    overdue_medium_after_minutes: float = _range(0.0, 60.0, "min")
    overdue_high_after_minutes: float = _range(0.0, 120.0, "min")
    snooze_minutes: float = _range(0.5, 30.0, "min")
    max_snoozes: int = _range(0, 10)


@dataclass(frozen=True)
class Alarms:
    """How the alarms sound: repeat intervals per priority, how much louder each unanswered repeat gets, and the
    one time-limited audio pause."""

    repeat_high_seconds: float = _range(1.0, 600.0, "s")
    repeat_medium_seconds: float = _range(1.0, 600.0, "s")
    repeat_low_seconds: float = _range(0.0, 3600.0, "s")
    louder_after_repeats: int = _range(0, 20)
    audio_pause_minutes: float = _range(0.5, 10.0, "min")


@dataclass(frozen=True)
class StartCriteria:
    sbp_below: float = _range(40.0, 120.0, "mmHg")
    dbp_at_or_below: float = _range(20.0, 80.0, "mmHg")
    diastolic_shock_index_at_or_above: float = _range(1.0, 10.0)
    sbp_after_bolus_below: float = _range(40.0, 120.0, "mmHg")
    fluids_ml_per_kg: float = _range(0.0, 100.0, "mL/kg")
    pediatric_fluids_ml_per_kg: float = _range(0.0, 200.0, "mL/kg")
    wait_for_fluids_alert_minutes: float = _range(1.0, 240.0, "min")

    @property
    def map_equivalent_below(self) -> float:
        """The MAP no reading meeting neither SBP nor DBP criterion can have: (SBP + 2 x DBP) / 3.

        A MAP below (sbp_below + 2 x dbp_at_or_below) / 3 cannot have SBP >= sbp_below and DBP > dbp_at_or_below
        together, so a MAP-only reading below it meets the life-threatening criterion (53.3 for 80 and 40).
        """
        return (self.sbp_below + 2.0 * self.dbp_at_or_below) / 3.0


@dataclass(frozen=True)
class Escalation:
    vasopressin_ne_threshold: float = _range(0.01, 5.0, "mcg/kg/min")
    vasopressin_dose_u_per_min: float = _range(0.001, 0.1, "U/min")
    vasopressin_salvage_above_u_per_min: float = _range(0.001, 0.2, "U/min")
    epinephrine_ne_threshold: float = _range(0.01, 5.0, "mcg/kg/min")
    epinephrine_min_dose: float = _range(0.001, 5.0, "mcg/kg/min")
    epinephrine_max_dose: float = _range(0.01, 5.0, "mcg/kg/min")
    dobutamine_min_dose: float = _range(0.1, 50.0, "mcg/kg/min")
    dobutamine_max_dose: float = _range(0.1, 50.0, "mcg/kg/min")
    hydrocortisone_ne_threshold: float = _range(0.01, 5.0, "mcg/kg/min")
    hydrocortisone_after_hours: float = _range(0.0, 48.0, "h")
    hydrocortisone_mg_per_day: float = _range(1.0, 1000.0, "mg/day")
    high_dose_volume_check: float = _range(0.01, 5.0, "mcg/kg/min")
    wean_first: str = _choice("norepinephrine", "vasopressin")


@dataclass(frozen=True)
class Safety:
    bradycardia_hr_below: float = _range(20.0, 100.0, "/min")
    overdose_map_above_target_mmhg: float = _range(5.0, 100.0, "mmHg")
    urine_low_ml_per_kg_per_h: float = _range(0.0, 5.0, "mL/kg/h")
    lactate_high_mmol_per_l: float = _range(0.5, 20.0, "mmol/L")
    crt_prolonged_s: float = _range(1.0, 10.0, "s")


@dataclass(frozen=True)
class Monitor:
    """The bedside monitor feed (docs/monitor.md): when it goes stale, which observation times are believed, and the
    summary offered at a check with its artefact checks (flush, damped trace, implausible jump). The plausible MAP
    bounds cannot cross (0-60 and 100-300 mmHg)."""

    stale_after_s: float = _range(10.0, 3600.0, "s")
    clock_tolerance_s: float = _range(0.0, 600.0, "s")
    max_age_min: float = _range(1.0, 1440.0, "min")
    summary_window_min: float = _range(1.0, 30.0, "min")
    summary_min_samples: int = _range(1, 600)
    max_excluded_fraction: float = _range(0.0, 1.0, "fraction of the samples")
    map_plausible_min_mmhg: float = _range(0.0, 60.0, "mmHg")
    map_plausible_max_mmhg: float = _range(100.0, 300.0, "mmHg")
    flush_max_s: float = _range(1.0, 120.0, "s")
    flush_settle_s: float = _range(0.0, 120.0, "s")
    damped_pulse_pressure_below_mmhg: float = _range(0.0, 60.0, "mmHg")
    jump_mmhg: float = _range(5.0, 100.0, "mmHg")


@dataclass(frozen=True)
class Protocol:
    """Everything institutional, as loaded from one TOML file."""

    source: str
    meta: Meta
    concentrations: Concentrations
    pump: Pump
    bag: Bag
    daily: Daily
    dose_change: DoseChange
    populations: dict[Population, PopulationLimits]
    lines: dict[LineType, LineLimits]
    targets: Targets
    titration: Titration
    readings: Readings
    intervals: Intervals
    alarms: Alarms
    start_criteria: StartCriteria
    escalation: Escalation
    safety: Safety
    monitor: Monitor

    def population(self, population: Population) -> PopulationLimits:
        return self.populations[population]

    def line(self, line: LineType) -> LineLimits:
        return self.lines[line]

    @cached_property
    def _review(self) -> frozenset[str]:
        return frozenset(self.meta.review)

    def is_review_default(self, key: str) -> bool:
        """Whether ``key`` ("targets.band_above_mmhg", "populations.adult.soft_max_dose") is a default to review."""
        return key in self._review

    def cite(self, key: str, text: str) -> str:
        """``text`` (a value as an alert states it) followed by "(protocol default, review)" when ``key`` is one."""
        return f"{text} ({REVIEW_NOTE})" if key in self._review else text


T = TypeVar("T")


def _check_value(source: str, key: str, raw: object, hint: Any, meta: typing.Mapping[str, Any]) -> object:
    lo, hi = meta.get("range", (None, None))
    unit = meta.get("unit", "")
    accepted = f"{lo} to {hi} {unit}".strip() if lo is not None else ""
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if isinstance(raw, list) and not raw and meta.get("allow_empty"):
            return ()
        if not isinstance(raw, list) or not raw:
            raise ProtocolError(
                source, key, f"expected a non-empty list, got {raw!r}", f"a list of numbers, {accepted}"
            )
        return tuple(_check_value(source, f"{key}[{i}]", item, item_hint, meta) for i, item in enumerate(raw))
    if hint is str:
        choices = meta.get("choices")
        if choices and raw not in choices:
            raise ProtocolError(source, key, f"{raw!r} is not one of the choices", ", ".join(choices))
        if not isinstance(raw, str) or not raw.strip():
            raise ProtocolError(source, key, f"expected text, got {raw!r}", "a non-empty string")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ProtocolError(source, key, f"expected a whole number, got {raw!r}", accepted)
        value: float = raw
    elif hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ProtocolError(source, key, f"expected a number, got {raw!r}", accepted)
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ProtocolError(source, key, f"{raw!r} is not finite", accepted)
    else:  # pragma: no cover - schema error, not user error
        raise TypeError(f"unsupported schema type {hint!r} for {key}")
    if lo is not None and not lo <= value <= hi:
        raise ProtocolError(source, key, f"{raw!r} is out of range", accepted)
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _section(source: str, key: str, raw: object, cls: type[T]) -> T:
    if not isinstance(raw, dict):
        raise ProtocolError(source, key, "missing or not a table", f"a [{key}] table")
    assert is_dataclass(cls)
    hints = _hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ProtocolError(source, f"{key}.{unknown[0]}", "unknown key", ", ".join(sorted(known)))
    values: dict[str, object] = {}
    for f in fields(cls):
        if f.name not in raw:
            raise ProtocolError(source, f"{key}.{f.name}", "missing", "a value is required")
        values[f.name] = _check_value(source, f"{key}.{f.name}", raw[f.name], hints[f.name], f.metadata)
    return cls(**values)


_SECTIONS: dict[str, type] = {
    "meta": Meta,
    "concentrations": Concentrations,
    "pump": Pump,
    "bag": Bag,
    "daily": Daily,
    "dose_change": DoseChange,
    "targets": Targets,
    "titration": Titration,
    "readings": Readings,
    "intervals": Intervals,
    "alarms": Alarms,
    "start_criteria": StartCriteria,
    "escalation": Escalation,
    "safety": Safety,
    "monitor": Monitor,
}


def _cross_checks(source: str, p: Protocol) -> None:
    def need(ok: bool, key: str, problem: str, accepted: str) -> None:
        if not ok:
            raise ProtocolError(source, key, problem, accepted)

    c = p.concentrations
    need(c.min_mcg_per_ml < c.max_mcg_per_ml, "concentrations.min_mcg_per_ml", "not below max_mcg_per_ml", "min < max")
    for conc in (*c.standard_mcg_per_ml, c.default_mcg_per_ml):
        need(
            c.min_mcg_per_ml <= conc <= c.max_mcg_per_ml,
            "concentrations.standard_mcg_per_ml",
            f"{conc} is outside min_mcg_per_ml..max_mcg_per_ml",
            f"{c.min_mcg_per_ml} to {c.max_mcg_per_ml}",
        )
    for pop, lim in p.populations.items():
        k = f"populations.{pop.value}"
        need(
            lim.dose_unit in ("mcg/kg/min", "mcg/min"), f"{k}.dose_unit", f"{lim.dose_unit!r}", "mcg/kg/min or mcg/min"
        )
        need(lim.weight_min_kg < lim.weight_max_kg, f"{k}.weight_min_kg", "not below weight_max_kg", "min < max")
        need(lim.soft_max_dose <= lim.hard_max_dose, f"{k}.soft_max_dose", "above hard_max_dose", "soft <= hard")
        need(lim.start_dose <= lim.soft_max_dose, f"{k}.start_dose", "above soft_max_dose", "start <= soft max")
        need(lim.taper_min_dose < lim.soft_max_dose, f"{k}.taper_min_dose", "not below soft_max_dose", "taper < soft")
        need(lim.min_plausible_dose <= lim.start_dose, f"{k}.min_plausible_dose", "above start_dose",
             "min plausible <= start")
        need(
            lim.maybe_pounds_above_kg <= lim.weight_max_kg,
            f"{k}.maybe_pounds_above_kg",
            "above weight_max_kg (the pounds check could never fire)",
            f"up to {lim.weight_max_kg:g} kg",
        )
        need(
            lim.flat_soft_max_mcg_per_min <= lim.flat_hard_max_mcg_per_min,
            f"{k}.flat_soft_max_mcg_per_min",
            "above flat_hard_max_mcg_per_min",
            "soft <= hard",
        )
    i = p.intervals
    need(i.min_minutes <= i.max_minutes, "intervals.min_minutes", "above max_minutes", "min <= max")
    for name in ("after_change_minutes", "below_target_minutes"):
        value = getattr(i, name)
        need(
            i.min_minutes <= value <= i.max_minutes,
            f"intervals.{name}",
            f"{value} outside the interval bounds",
            f"{i.min_minutes} to {i.max_minutes} min",
        )
    t = p.targets
    need(t.individual_min_mmhg < t.individual_max_mmhg, "targets.individual_min_mmhg", "not below individual_max_mmhg",
         "min < max")
    r = p.readings
    need(r.map_min_mmhg < r.map_max_mmhg, "readings.map_min_mmhg", "not below map_max_mmhg", "min < max")
    e = p.escalation
    need(e.epinephrine_min_dose <= e.epinephrine_max_dose, "escalation.epinephrine_min_dose", "above max", "min <= max")
    need(e.dobutamine_min_dose <= e.dobutamine_max_dose, "escalation.dobutamine_min_dose", "above max", "min <= max")


def parse_protocol(data: dict[str, Any], source: str) -> Protocol:
    """Validate a parsed TOML document into a :class:`Protocol`."""
    known = {*_SECTIONS, "populations", "lines"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ProtocolError(source, unknown[0], "unknown table", ", ".join(sorted(known)))
    sections: dict[str, Any] = {name: _section(source, name, data.get(name), cls) for name, cls in _SECTIONS.items()}

    populations: dict[Population, PopulationLimits] = {}
    raw_pops = data.get("populations")
    if not isinstance(raw_pops, dict):
        raise ProtocolError(
            source, "populations", "missing or not a table", "[populations.adult], [populations.pediatric]"
        )
    for pop in Population:
        populations[pop] = _section(source, f"populations.{pop.value}", raw_pops.get(pop.value), PopulationLimits)
    extra = sorted(set(raw_pops) - {p.value for p in Population})
    if extra:
        raise ProtocolError(source, f"populations.{extra[0]}", "unknown population", "adult, pediatric")

    lines: dict[LineType, LineLimits] = {}
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, dict):
        raise ProtocolError(
            source, "lines", "missing or not a table", "[lines.central], [lines.peripheral], [lines.intraosseous]"
        )
    for line in LineType:
        lines[line] = _section(source, f"lines.{line.value}", raw_lines.get(line.value), LineLimits)
    extra = sorted(set(raw_lines) - {x.value for x in LineType})
    if extra:
        raise ProtocolError(source, f"lines.{extra[0]}", "unknown line type", "central, peripheral, intraosseous")

    protocol = Protocol(source=source, populations=populations, lines=lines, **sections)
    _cross_checks(source, protocol)
    known_keys = setting_keys()
    for i, key in enumerate(protocol.meta.review):
        if key not in known_keys:
            raise ProtocolError(source, f"meta.review[{i}]", f"{key!r} is not a protocol setting",
                                "keys such as targets.band_above_mmhg or populations.adult.soft_max_dose")
    return protocol


def setting_keys() -> frozenset[str]:
    """Every setting's dotted key ("pump.resolution_ml_per_h", "populations.adult.start_dose", ...)."""
    keys = {f"{name}.{f.name}" for name, cls in _SECTIONS.items() if name != "meta" for f in fields(cls)}
    keys |= {f"populations.{pop.value}.{f.name}" for pop in Population for f in fields(PopulationLimits)}
    keys |= {f"lines.{line.value}.{f.name}" for line in LineType for f in fields(LineLimits)}
    return frozenset(keys)


def load_protocol(path: Path | None = None) -> Protocol:
    """Load and validate a protocol file; ``None`` loads the shipped default (read once: it cannot change).

    The file is read within the limits of :mod:`norepi_gui.core.toml_file` (size, UTF-8 only, nesting, array length,
    number length), so a damaged or hostile file is a :class:`ProtocolError` naming the file and the problem, never a
    traceback or a stall.
    """
    if path is None:
        return _shipped()
    return _load(path)


@cache
def _shipped() -> Protocol:
    return _load(None)


def _load(path: Path | None) -> Protocol:
    try:
        if path is None:
            ref = resources.files("norepi_gui.resources") / "protocols" / "default.toml"
            source = "default.toml (shipped)"
            data = read_toml_text(ref.read_text(encoding="utf-8"), source)
        else:
            source = str(path)
            data = read_toml_file(Path(path), source)
    except TomlFileError as exc:
        raise ProtocolError(exc.file, exc.where, exc.problem, exc.accepted) from exc
    return parse_protocol(data, source)


def load_protocol_or_shipped(path: Path | None) -> tuple[Protocol, str | None]:
    """The site protocol at ``path``, or the shipped protocol and a sentence saying why the file was refused.

    For the program's start: a bad site protocol never stops it; the window shows the sentence (file and problem).
    """
    if path is None:
        return load_protocol(None), None
    try:
        return load_protocol(path), None
    except ProtocolError as exc:
        return load_protocol(None), f"Protocol file refused, the shipped protocol is used: {exc}"
