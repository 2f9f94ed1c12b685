"""Training scenarios: TOML files validated on load.

Every error is a :class:`ScenarioError` naming the file, the dotted key and what is
accepted. The schema is the ``_read_*`` functions below; ``docs/scenarios.md`` is the key
reference with a commented template. After the keys are read one by one, :func:`cross_check`
looks at them together (a 200 kg two-year-old, a nadir above the starting MAP, a key action
after an event that does not exist, ...). :func:`default_scenario_dir` finds the shipped
scenarios; :func:`scenario_catalogue` adds a site folder; :func:`load_scenario_file` reads
one from anywhere.
"""

from __future__ import annotations

import importlib.resources
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from norepi_gui.core.toml_file import MAX_BYTES, TomlFileError, read_toml_file, read_toml_text
from norepi_gui.sim.actions import ACTION_KINDS, START, ExpectedAction, ForbiddenAction, Window
from norepi_gui.sim.debrief import MAP_FLOOR_MMHG
from norepi_gui.sim.engine import LineType, Monitoring, Setting
from norepi_gui.sim.events import (
    EVENT_FIELDS,
    EVENT_KINDS,
    FIELD_RANGES,
    KIND_DEFAULTS,
    Event,
    EventKind,
    Trigger,
    make_event,
)
from norepi_gui.sim.patient import PatientSpec, Population

_REQUIRED = object()


class ScenarioError(ValueError):
    """A scenario file is wrong: ``file``, dotted ``key`` and what is ``accepted``."""

    def __init__(self, file: str, key: str, accepted: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.accepted = accepted
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem} (accepted: {accepted})")


@dataclass(frozen=True)
class ScenarioPatient:
    weight_kg: float
    population: Population
    age_years: float
    chronic_hypertension: bool
    baseline_sbp_mmhg: float
    cardiac_dysfunction: bool
    ards: bool
    intra_abdominal_hypertension: bool
    line: LineType
    line_hours: float
    monitoring: Monitoring
    cuff_interval_min: float
    # The handover names the chronic hypertension (the panel is ticked at the start); false: the history is only
    # in the description, and recognising it (and raising the target) is the trainee's task.
    chronic_hypertension_in_handover: bool = True


@dataclass(frozen=True)
class ScenarioInfusion:
    concentration_mcg_per_ml: float
    bag_volume_ml: float
    bag_remaining_ml: float
    start_dose_mcg_per_kg_per_min: float
    vasopressin_u_per_min: float
    epinephrine_mcg_per_kg_per_min: float
    dobutamine_mcg_per_kg_per_min: float
    at_steady_state: bool
    hydrocortisone_mg_per_day: float = 0.0


@dataclass(frozen=True)
class DiseaseCourse:
    saps2: float
    organ_failures: int
    map0_start_mmhg: float
    map0_nadir_mmhg: float
    nadir_at_h: float
    plateau_h: float
    map0_recovered_mmhg: float
    resolution_tau_h: float  # math.inf when refractory
    hr_bpm: float
    pulse_pressure_mmhg: float
    lactate_mmol_per_l: float
    urine_ml_per_kg_per_h: float
    fluid_responsive: bool
    cardiac_index: float


@dataclass(frozen=True)
class PkPdOverrides:
    clearance_l_per_min: float | None = None
    volume_l: float | None = None
    endogenous_mcg_per_min: float | None = None
    ec50_mcg_per_l: float | None = None
    dmap_mmhg: float | None = None
    iiv_clearance: float | None = None
    iiv_ec50: float | None = None
    iiv_dmap: float | None = None
    iiv_scale: float = 1.0


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    learning_objectives: tuple[str, ...]
    duration_h: float
    target_map_mmhg: float
    patient: ScenarioPatient
    infusion: ScenarioInfusion
    disease: DiseaseCourse
    pkpd: PkPdOverrides
    events: tuple[Event, ...]
    expected_actions: tuple[ExpectedAction, ...]
    source: str = ""
    forbidden_actions: tuple[ForbiddenAction, ...] = ()
    floor_map_mmhg: float = MAP_FLOOR_MMHG  # the debrief's "time below the floor" (a child's own)
    text: str = ""  # the file as read (kept with a training session, so a resume runs the same scenario)

    def patient_spec(self) -> PatientSpec:
        d, pt, o = self.disease, self.patient, self.pkpd
        extra: dict[str, float] = {}
        if o.iiv_ec50 is not None:
            extra["iiv_ec50"] = o.iiv_ec50
        if o.iiv_dmap is not None:
            extra["iiv_dmap"] = o.iiv_dmap
        return PatientSpec(
            weight_kg=pt.weight_kg,
            population=pt.population,
            chronic_hypertension=pt.chronic_hypertension,
            baseline_sbp_mmhg=pt.baseline_sbp_mmhg,
            cardiac_index=d.cardiac_index,
            fluid_responsive=d.fluid_responsive,
            saps2=d.saps2,
            organ_failures=d.organ_failures,
            map0_start_mmhg=d.map0_start_mmhg,
            map0_nadir_mmhg=d.map0_nadir_mmhg,
            nadir_at_min=d.nadir_at_h * 60.0,
            plateau_min=d.plateau_h * 60.0,
            map0_recovered_mmhg=d.map0_recovered_mmhg,
            resolution_tau_min=d.resolution_tau_h * 60.0,
            hr_bpm=d.hr_bpm,
            pulse_pressure_mmhg=d.pulse_pressure_mmhg,
            lactate_mmol_per_l=d.lactate_mmol_per_l,
            urine_ml_per_kg_per_h=d.urine_ml_per_kg_per_h,
            clearance_l_per_min=o.clearance_l_per_min,
            volume_l=o.volume_l,
            endogenous_mcg_per_min=o.endogenous_mcg_per_min,
            ec50_mcg_per_l=o.ec50_mcg_per_l,
            dmap_mmhg=o.dmap_mmhg,
            iiv_clearance=o.iiv_clearance,
            iiv_scale=o.iiv_scale,
            **extra,
        )

    def setting(self) -> Setting:
        pt, inf = self.patient, self.infusion
        return Setting(
            population=pt.population,
            line=pt.line,
            line_hours_at_start=pt.line_hours,
            monitoring=pt.monitoring,
            cuff_interval_min=pt.cuff_interval_min,
            concentration_mcg_per_ml=inf.concentration_mcg_per_ml,
            bag_volume_ml=inf.bag_volume_ml,
            bag_remaining_ml=inf.bag_remaining_ml,
            start_ne_mcg_per_kg_per_min=inf.start_dose_mcg_per_kg_per_min,
            start_vasopressin_u_per_min=inf.vasopressin_u_per_min,
            start_epinephrine_mcg_per_kg_per_min=inf.epinephrine_mcg_per_kg_per_min,
            start_dobutamine_mcg_per_kg_per_min=inf.dobutamine_mcg_per_kg_per_min,
            start_hydrocortisone_mg_per_day=inf.hydrocortisone_mg_per_day,
            at_steady_state=inf.at_steady_state,
            target_map_mmhg=self.target_map_mmhg,
        )


class _Table:
    """Typed, bounded reads from one TOML table; ``finish`` rejects unknown keys."""

    def __init__(self, file: str, prefix: str, data: object) -> None:
        self.file = file
        self.prefix = prefix
        if not isinstance(data, dict):
            problem = f"expected a table, got {type(data).__name__}"
            raise ScenarioError(file, prefix or "(top level)", "a table", problem)
        self.data: dict[str, Any] = data
        self.known: list[str] = []

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, accepted: str, problem: str) -> ScenarioError:
        return ScenarioError(self.file, self.key(name), accepted, problem)

    def _raw(self, name: str, default: object, accepted: str) -> object:
        self.known.append(name)
        if name not in self.data:
            if default is _REQUIRED:
                raise self.error(name, accepted, "missing")
            return default
        return self.data[name]

    def number(self, name: str, lo: float, hi: float, default: object = _REQUIRED, *, unit: str = "") -> float:
        accepted = f"a number from {lo:g} to {hi:g}{' ' + unit if unit else ''}"
        if name not in self.data and isinstance(default, float | int):
            self.known.append(name)
            return float(default)
        v = self._raw(name, default, accepted)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.error(name, accepted, f"not a number: {v!r}")
        if not lo <= float(v) <= hi:
            raise self.error(name, accepted, f"out of range: {v!r}")
        return float(v)

    def optional_number(self, name: str, lo: float, hi: float) -> float | None:
        if name not in self.data:
            self.known.append(name)
            return None
        return self.number(name, lo, hi)

    def integer(self, name: str, lo: int, hi: int, default: object = _REQUIRED) -> int:
        accepted = f"a whole number from {lo} to {hi}"
        v = self._raw(name, default, accepted)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.error(name, accepted, f"invalid: {v!r}")
        return v

    def boolean(self, name: str, default: object = _REQUIRED) -> bool:
        v = self._raw(name, default, "true or false")
        if not isinstance(v, bool):
            raise self.error(name, "true or false", f"not a boolean: {v!r}")
        return v

    def string(self, name: str, default: object = _REQUIRED) -> str:
        v = self._raw(name, default, "a non-empty string")
        if not isinstance(v, str) or not v.strip():
            raise self.error(name, "a non-empty string", f"invalid: {v!r}")
        return v

    def choice(self, name: str, choices: tuple[str, ...], default: object = _REQUIRED) -> str:
        accepted = " | ".join(choices)
        v = self._raw(name, default, accepted)
        if v not in choices:
            raise self.error(name, accepted, f"unknown value {v!r}")
        return str(v)

    def strings(self, name: str, default: object = _REQUIRED) -> tuple[str, ...]:
        v = self._raw(name, default, "a list of strings")
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise self.error(name, "a list of strings", f"invalid: {v!r}")
        return tuple(v)

    def table(self, name: str, *, required: bool = True) -> _Table:
        v = self._raw(name, _REQUIRED if required else {}, "a table")
        return _Table(self.file, self.key(name), v)

    def tables(self, name: str) -> list[_Table]:
        v = self._raw(name, [], "an array of tables")
        if not isinstance(v, list):
            raise self.error(name, "an array of tables ([[...]])", "not an array of tables")
        return [_Table(self.file, f"{self.key(name)}[{i}]", item) for i, item in enumerate(v)]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - set(self.known))
        if unknown:
            raise self.error(unknown[0], ", ".join(sorted(set(self.known))), "unknown key")


def _read_patient(t: _Table) -> ScenarioPatient:
    chronic = t.boolean("chronic_hypertension", False)
    p = ScenarioPatient(
        weight_kg=t.number("weight_kg", 1.0, 250.0, unit="kg"),
        population=cast(Population, t.choice("population", ("adult", "pediatric"))),
        age_years=t.number("age_years", 0.0, 120.0),
        chronic_hypertension=chronic,
        baseline_sbp_mmhg=t.number("baseline_sbp_mmhg", 70.0, 260.0, _REQUIRED if chronic else 130.0, unit="mmHg"),
        cardiac_dysfunction=t.boolean("cardiac_dysfunction", False),
        ards=t.boolean("ards", False),
        intra_abdominal_hypertension=t.boolean("intra_abdominal_hypertension", False),
        line=cast(LineType, t.choice("line", ("central", "peripheral", "io"))),
        line_hours=t.number("line_hours", 0.0, 720.0, 0.0, unit="h"),
        monitoring=cast(Monitoring, t.choice("monitoring", ("arterial", "cuff"), "arterial")),
        cuff_interval_min=t.number("cuff_interval_min", 1.0, 60.0, 15.0, unit="min"),
        chronic_hypertension_in_handover=t.boolean("chronic_hypertension_in_handover", True),
    )
    t.finish()
    return p


def _read_infusion(t: _Table) -> ScenarioInfusion:
    bag = t.number("bag_volume_ml", 10.0, 1000.0, unit="mL")
    inf = ScenarioInfusion(
        concentration_mcg_per_ml=t.number("concentration_mcg_per_ml", 1.0, 1000.0, unit="mcg/mL"),
        bag_volume_ml=bag,
        bag_remaining_ml=t.number("bag_remaining_ml", 0.0, bag, bag, unit="mL"),
        start_dose_mcg_per_kg_per_min=t.number("start_dose_mcg_per_kg_per_min", 0.0, 5.0, unit="mcg/kg/min"),
        vasopressin_u_per_min=t.number("vasopressin_u_per_min", 0.0, 0.1, 0.0, unit="U/min"),
        epinephrine_mcg_per_kg_per_min=t.number("epinephrine_mcg_per_kg_per_min", 0.0, 2.0, 0.0),
        dobutamine_mcg_per_kg_per_min=t.number("dobutamine_mcg_per_kg_per_min", 0.0, 20.0, 0.0),
        at_steady_state=t.boolean("at_steady_state", False),
        hydrocortisone_mg_per_day=t.number("hydrocortisone_mg_per_day", 0.0, 400.0, 0.0, unit="mg/day"),
    )
    t.finish()
    return inf


def _read_disease(t: _Table, patient: ScenarioPatient) -> DiseaseCourse:
    start = t.number("map0_start_mmhg", 20.0, 120.0, unit="mmHg")
    refractory = t.boolean("refractory", False)
    tau = t.number("resolution_tau_h", 0.1, 200.0, 4.0, unit="h")
    fluid_default = not (patient.ards or patient.intra_abdominal_hypertension)  # fluid harmful [seed 000]
    d = DiseaseCourse(
        saps2=t.number("saps2", 0.0, 163.0, 40.0),
        organ_failures=t.integer("organ_failures", 0, 6, 2),
        map0_start_mmhg=start,
        map0_nadir_mmhg=t.number("map0_nadir_mmhg", 20.0, 120.0, start, unit="mmHg"),
        nadir_at_h=t.number("nadir_at_h", 0.0, 72.0, 0.0, unit="h"),
        plateau_h=t.number("plateau_h", 0.0, 72.0, 0.0, unit="h"),
        map0_recovered_mmhg=t.number("map0_recovered_mmhg", 20.0, 140.0, 75.0, unit="mmHg"),
        resolution_tau_h=math.inf if refractory else tau,
        hr_bpm=t.number("hr_bpm", 30.0, 220.0, 110.0, unit="bpm"),
        pulse_pressure_mmhg=t.number("pulse_pressure_mmhg", 10.0, 100.0, 45.0, unit="mmHg"),
        lactate_mmol_per_l=t.number("lactate_mmol_per_l", 0.5, 25.0, 3.0, unit="mmol/L"),
        urine_ml_per_kg_per_h=t.number("urine_ml_per_kg_per_h", 0.0, 5.0, 0.3, unit="mL/kg/h"),
        fluid_responsive=t.boolean("fluid_responsive", fluid_default),
        cardiac_index=t.number("cardiac_index", 0.2, 1.5, 0.5 if patient.cardiac_dysfunction else 1.0),
    )
    t.finish()
    return d


def _read_pkpd(t: _Table) -> PkPdOverrides:
    o = PkPdOverrides(
        clearance_l_per_min=t.optional_number("clearance_l_per_min", 0.05, 20.0),
        volume_l=t.optional_number("volume_l", 0.1, 100.0),
        endogenous_mcg_per_min=t.optional_number("endogenous_mcg_per_min", 0.0, 10.0),
        ec50_mcg_per_l=t.optional_number("ec50_mcg_per_l", 0.1, 100.0),
        dmap_mmhg=t.optional_number("dmap_mmhg", 0.0, 100.0),
        iiv_clearance=t.optional_number("iiv_clearance", 0.0, 2.0),
        iiv_ec50=t.optional_number("iiv_ec50", 0.0, 2.0),
        iiv_dmap=t.optional_number("iiv_dmap", 0.0, 2.0),
        iiv_scale=t.number("iiv_scale", 0.0, 3.0, 1.0),
    )
    t.finish()
    return o


def _read_trigger(t: _Table, duration_min: float) -> Trigger:
    below = t.optional_number("map_below", 20.0, 200.0)
    above = t.optional_number("map_above", 20.0, 200.0)
    if (below is None) == (above is None):
        raise t.error("map_below", "exactly one of map_below and map_above (mmHg)", "give one level")
    trigger = Trigger(
        map_below=below,
        map_above=above,
        for_min=t.number("for_min", 0.0, duration_min, 0.0, unit="min"),
        after_min=t.number("after_min", 0.0, duration_min, 0.0, unit="min"),
    )
    t.finish()
    return trigger


def _read_event(t: _Table, duration_min: float) -> Event:
    kind = cast(EventKind, t.choice("kind", EVENT_KINDS))
    when: Trigger | None = None
    if "when" in t.data:
        when = _read_trigger(t.table("when"), duration_min)
        if "at_min" in t.data:
            raise t.error("at_min", "at_min or when, not both", "an event fires at a time or on a condition")
        at = 0.0
    else:
        at = t.number("at_min", 0.0, duration_min, unit="min")
    ident = t.string("id", "") if "id" in t.data else ""
    values: dict[str, float] = {}
    for name in EVENT_FIELDS[kind]:
        lo, hi, unit = FIELD_RANGES[name]
        values[name] = t.number(name, lo, hi, KIND_DEFAULTS[kind][name], unit=unit)
    t.finish()
    return replace(make_event(kind, at, **values), id=ident, when=when)


def _read_window(t: _Table, duration_min: float, events: tuple[Event, ...], *, needs_end: bool) -> Window:
    names = [START, *sorted({e.name for e in events})]
    after = t.choice("after_event", tuple(names), START)
    by = t.optional_number("by_minute", 0.0, duration_min)
    within = t.optional_number("within_min", 0.0, duration_min)
    if by is not None and within is not None:
        raise t.error("within_min", "by_minute or within_min, not both", "two ends given")
    if by is not None and after != START:
        raise t.error("by_minute", "within_min after an event (by_minute counts from the start)",
                      f"by_minute with after_event {after!r}")
    if needs_end and by is None and within is None:
        raise t.error("by_minute", "by_minute (minutes from the start) or within_min (after its trigger)",
                      "missing: when must it be done?")
    return Window(after=after, from_min=t.number("from_min", 0.0, duration_min, 0.0, unit="min"), by_minute=by,
                  within_min=within)


def _read_expected(t: _Table, duration_min: float, events: tuple[Event, ...]) -> ExpectedAction:
    action = t.choice("action", ACTION_KINDS)
    window = _read_window(t, duration_min, events, needs_end=True)
    e = ExpectedAction(
        action=action,
        by_minute=window.by_minute,
        window=window,
        weight=t.number("weight", 0.0, 100.0, 1.0),
        why=t.string("why", "") if "why" in t.data else "",
    )
    t.finish()
    return e


def _read_forbidden(t: _Table, duration_min: float, events: tuple[Event, ...]) -> ForbiddenAction:
    action = t.choice("action", ACTION_KINDS)
    window = _read_window(t, duration_min, events, needs_end=False)
    f = ForbiddenAction(
        action=action,
        window=window,
        weight=t.number("weight", 0.0, 100.0, 1.0),
        why=t.string("why", "") if "why" in t.data else "",
    )
    t.finish()
    return f


def _apls_weight_kg(age_years: float) -> float:
    """A child's expected weight for age, 2 x (age + 4) kg (the APLS estimate, 1-10 years) [U]."""
    return 2.0 * (age_years + 4.0)


def cross_check(s: Scenario) -> list[ScenarioError]:
    """What the keys say together that none says alone: each problem names the key and what is accepted."""
    f, pt, d = s.source or "<scenario>", s.patient, s.disease
    out: list[ScenarioError] = []

    def problem(key: str, accepted: str, text: str) -> None:
        out.append(ScenarioError(f, key, accepted, text))

    if pt.population == "pediatric" and pt.age_years >= 18:
        problem("patient.age_years", "under 18 for population = pediatric", f"{pt.age_years:g} years is an adult")
    if pt.population == "adult" and pt.age_years < 12:
        problem("patient.population", "pediatric for a child under 12", f"an adult aged {pt.age_years:g} years")
    if pt.population == "pediatric":
        if pt.age_years < 1:
            lo, hi = 1.0, 15.0  # a baby [U]
        elif pt.age_years <= 12:
            lo, hi = 0.5 * _apls_weight_kg(pt.age_years), 2.5 * _apls_weight_kg(pt.age_years)
        else:
            lo, hi = 20.0, 150.0  # an adolescent [U]
        if not lo <= pt.weight_kg <= hi:
            problem("patient.weight_kg", f"{lo:.0f}-{hi:.0f} kg at {pt.age_years:g} years (half to two and a half "
                    "times 2 x (age + 4) kg)", f"{pt.weight_kg:g} kg is not a plausible weight at that age")
    if d.map0_nadir_mmhg > d.map0_start_mmhg:
        problem("disease.map0_nadir_mmhg", f"at most map0_start_mmhg ({d.map0_start_mmhg:g} mmHg): the nadir is the "
                "lowest point of the untreated MAP", f"{d.map0_nadir_mmhg:g} mmHg is above the start")
    if math.isfinite(d.resolution_tau_h) and d.map0_recovered_mmhg < d.map0_nadir_mmhg:
        problem("disease.map0_recovered_mmhg", f"at least map0_nadir_mmhg ({d.map0_nadir_mmhg:g} mmHg), or "
                "refractory = true", f"{d.map0_recovered_mmhg:g} mmHg recovers below the nadir")
    end = s.duration_h * 60.0
    ids = [e.id for e in s.events if e.id]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problem("events.id", "a different id for each event", f"id {dup!r} is used twice")
    if START in ids:
        problem("events.id", "any name but 'start'", "id 'start' names the start of the scenario")
    for i, e in enumerate(s.events):
        if e.when is None and e.at_min > end:
            problem(f"events[{i}].at_min", f"0 to {end:g} min (duration_h)", "after the scenario ends")
        if e.when is not None and e.when.after_min > end:
            problem(f"events[{i}].when.after_min", f"0 to {end:g} min (duration_h)", "after the scenario ends")
    windows = [("expected_actions", i, e.when) for i, e in enumerate(s.expected_actions)]
    windows += [("forbidden_actions", i, f.window) for i, f in enumerate(s.forbidden_actions)]
    for group, i, w in windows:
        if w.by_minute is not None and w.by_minute < w.from_min:
            problem(f"{group}[{i}].by_minute", f"at least from_min ({w.from_min:g})", "the window closes before it "
                    "opens")
    chronic_known = pt.chronic_hypertension and pt.chronic_hypertension_in_handover
    for i, expected in enumerate(s.expected_actions):
        if expected.action == "RAISE_TARGET" and chronic_known:
            problem(f"expected_actions[{i}].action", "patient.chronic_hypertension_in_handover = false, or no "
                    "RAISE_TARGET: the handover already raises the target", "RAISE_TARGET is expected, but the "
                    "handover ticks chronic hypertension, so the advice raises the target from the start")
    return out


def parse_scenario(data: Mapping[str, Any], file: str = "<scenario>", *, text: str = "") -> Scenario:
    """Validate a parsed TOML document (the keys one by one, then :func:`cross_check`)."""
    scenario = _parse(data, file)
    problems = cross_check(scenario)
    if problems:
        raise problems[0]
    return replace(scenario, text=text)


def _parse(data: Mapping[str, Any], file: str) -> Scenario:
    top = _Table(file, "", dict(data))
    name = top.string("name")
    title = top.string("title")
    description = top.string("description")
    objectives = top.strings("learning_objectives")
    duration_h = top.number("duration_h", 0.1, 72.0, unit="h")
    target = top.number("target_map_mmhg", 40.0, 110.0, 65.0, unit="mmHg")
    if "debrief_target_map_mmhg" in top.data:
        raise top.error("debrief_target_map_mmhg", "no such key now: the debrief scores the band the trainee was "
                        "shown (a higher target comes from the patient's details, e.g. chronic_hypertension)",
                        "retired key")
    patient = _read_patient(top.table("patient"))
    infusion = _read_infusion(top.table("infusion"))
    disease = _read_disease(top.table("disease"), patient)
    pkpd = _read_pkpd(top.table("pkpd", required=False))
    duration_min = duration_h * 60.0
    events = tuple(sorted((_read_event(t, duration_min) for t in top.tables("events")), key=lambda e: e.at_min))
    expected = tuple(_read_expected(t, duration_min, events) for t in top.tables("expected_actions"))
    forbidden = tuple(_read_forbidden(t, duration_min, events) for t in top.tables("forbidden_actions"))
    scoring = top.table("scoring", required=False)
    floor_default: object = MAP_FLOOR_MMHG if patient.population == "adult" else _REQUIRED
    if patient.population == "pediatric" and "floor_map_mmhg" not in scoring.data:
        raise scoring.error("floor_map_mmhg", "a number from 20 to 100 mmHg: the child's own floor (no adult 60 for a "
                            "child)", "missing for a pediatric scenario")
    floor = scoring.number("floor_map_mmhg", 20.0, 100.0, floor_default, unit="mmHg")
    scoring.finish()
    top.finish()
    return Scenario(
        name=name,
        title=title,
        description=description,
        learning_objectives=objectives,
        duration_h=duration_h,
        target_map_mmhg=target,
        patient=patient,
        infusion=infusion,
        disease=disease,
        pkpd=pkpd,
        events=events,
        expected_actions=expected,
        source=file,
        forbidden_actions=forbidden,
        floor_map_mmhg=floor,
    )


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data = read_toml_file(path)
        text = path.read_bytes()[: MAX_BYTES + 1].decode("utf-8-sig")  # read_toml_file checked size and encoding
    except TomlFileError as exc:
        raise ScenarioError(exc.file, exc.where, exc.accepted, exc.problem) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "(file)", "a readable UTF-8 file", f"cannot be read: {exc}") from exc
    return data, text


def load_scenario_file(path: Path) -> Scenario:
    """Load and validate one scenario file, from anywhere.

    Read within the limits of :mod:`norepi_gui.core.toml_file` (size, UTF-8 only, nesting, array length, number
    length): a damaged or hostile file is a :class:`ScenarioError` naming the file and the problem.
    """
    data, text = _read(path)
    scenario = parse_scenario(data, str(path), text=text)
    if scenario.name != path.stem:
        raise ScenarioError(str(path), "name", repr(path.stem), f"name {scenario.name!r} differs from the file name")
    return scenario


def load_scenario_text(text: str, source: str) -> Scenario:
    """A scenario from its text (as kept with a training session), within the same limits as a file."""
    try:
        data = read_toml_text(text, source)
    except TomlFileError as exc:
        raise ScenarioError(exc.file, exc.where, exc.accepted, exc.problem) from exc
    return parse_scenario(data, source, text=text)


def validate_file(path: Path) -> list[ScenarioError]:
    """Every problem of a scenario file: the first key that cannot be read, else every cross-check that fails."""
    try:
        data, _text = _read(path)
        scenario = _parse(data, str(path))
    except ScenarioError as exc:
        return [exc]
    problems = cross_check(scenario)
    if scenario.name != path.stem:
        problems.append(ScenarioError(str(path), "name", repr(path.stem),
                                      f"name {scenario.name!r} differs from the file name"))
    return problems


def default_scenario_dir() -> Path:
    """Where the shipped scenarios live: the installed ``norepi_gui.resources`` package, else the repository's
    top-level ``resources/scenarios`` (a source tree that was never installed)."""
    try:
        shipped = Path(str(importlib.resources.files("norepi_gui.resources") / "scenarios"))
    except ModuleNotFoundError:
        shipped = None
    if shipped is not None and shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "resources" / "scenarios"


def list_scenarios(directory: Path | None = None) -> list[str]:
    """Names of the scenario files in ``directory`` (default: shipped scenarios)."""
    d = directory if directory is not None else default_scenario_dir()
    return sorted(p.stem for p in d.glob("*.toml"))


def load_scenario(name: str, directory: Path | None = None) -> Scenario:
    """Load the scenario called ``name`` from ``directory`` (default: shipped scenarios)."""
    d = directory if directory is not None else default_scenario_dir()
    path = d / f"{name}.toml"
    if not path.is_file():
        raise ScenarioError(str(path), "name", ", ".join(list_scenarios(d)) or "(none found)", "no such scenario")
    return load_scenario_file(path)


def load_all(directory: Path | None = None) -> list[Scenario]:
    d = directory if directory is not None else default_scenario_dir()
    return [load_scenario_file(d / f"{n}.toml") for n in list_scenarios(d)]


@dataclass(frozen=True)
class CatalogueEntry:
    """A scenario file found in a folder: ``origin`` is "shipped" or "site"."""

    name: str
    path: Path
    origin: str


def scenario_catalogue(site_dir: Path | None = None) -> list[CatalogueEntry]:
    """The shipped scenarios and those of a site folder (a site file of the same name comes first)."""
    out: list[CatalogueEntry] = []
    if site_dir is not None and site_dir.is_dir():
        out += [CatalogueEntry(p.stem, p, "site") for p in sorted(site_dir.glob("*.toml"))]
    shipped = default_scenario_dir()
    out += [CatalogueEntry(p.stem, p, "shipped") for p in sorted(shipped.glob("*.toml"))]
    return out


def resolve_scenario(name_or_path: str, site_dir: Path | None = None) -> Path:
    """A scenario named on a command line: a file path (anything ending in .toml or naming an existing file), else a
    name in the site folder, else a shipped one; ScenarioError lists the names accepted."""
    candidate = Path(name_or_path).expanduser()
    if name_or_path.endswith(".toml") or candidate.is_file():
        if not candidate.is_file():
            raise ScenarioError(str(candidate), "(file)", "an existing scenario file", "no such file")
        return candidate
    for entry in scenario_catalogue(site_dir):
        if entry.name == name_or_path:
            return entry.path
    names = ", ".join(sorted({e.name for e in scenario_catalogue(site_dir)}))
    raise ScenarioError(name_or_path, "name", names or "(none found)", "no such scenario")
