"""Training scenarios: TOML files validated on load.

Every error is a :class:`ScenarioError` naming the file, the dotted key and what is
accepted. The schema is the ``_read_*`` functions below; ``docs/simulator.md`` shows a
complete example. :func:`default_scenario_dir` finds the shipped ones.
"""

from __future__ import annotations

import importlib.resources
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from norepi_gui.core.toml_file import TomlFileError, read_toml_file
from norepi_gui.sim.actions import ACTION_KINDS, ExpectedAction
from norepi_gui.sim.engine import LineType, Monitoring, Setting
from norepi_gui.sim.events import EVENT_FIELDS, EVENT_KINDS, Event, EventKind
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
    debrief_target_map_mmhg: float
    patient: ScenarioPatient
    infusion: ScenarioInfusion
    disease: DiseaseCourse
    pkpd: PkPdOverrides
    events: tuple[Event, ...]
    expected_actions: tuple[ExpectedAction, ...]
    source: str = ""

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


def _read_event(t: _Table, duration_min: float) -> Event:
    kind = cast(EventKind, t.choice("kind", EVENT_KINDS))
    at = t.number("at_min", 0.0, duration_min, unit="min")
    allowed = EVENT_FIELDS[kind]
    values: dict[str, float] = {}
    readers: dict[str, Callable[[], float]] = {
        "mmhg": lambda: t.number("mmhg", -60.0, 80.0, unit="mmHg"),
        "recovery_tau_min": lambda: t.number("recovery_tau_min", 0.1, 10000.0, math.inf, unit="min"),
        "ml_per_min": lambda: t.number("ml_per_min", 0.0, 500.0, unit="mL/min"),
        "duration_min": lambda: t.number("duration_min", 0.01, 10000.0, math.inf, unit="min"),
        "fraction": lambda: t.number("fraction", 0.0, 1.0, 0.3),
    }
    for name in allowed:
        values[name] = readers[name]()
    t.finish()
    return Event(kind=kind, at_min=at, **values)


def _read_expected(t: _Table, duration_min: float) -> ExpectedAction:
    e = ExpectedAction(
        action=t.choice("action", ACTION_KINDS),
        by_minute=t.number("by_minute", 0.0, duration_min, unit="min"),
    )
    t.finish()
    return e


def parse_scenario(data: Mapping[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document."""
    top = _Table(file, "", dict(data))
    name = top.string("name")
    title = top.string("title")
    description = top.string("description")
    objectives = top.strings("learning_objectives")
    duration_h = top.number("duration_h", 0.1, 72.0, unit="h")
    target = top.number("target_map_mmhg", 40.0, 110.0, 65.0, unit="mmHg")
    debrief_target = top.number("debrief_target_map_mmhg", 40.0, 110.0, target, unit="mmHg")
    patient = _read_patient(top.table("patient"))
    infusion = _read_infusion(top.table("infusion"))
    disease = _read_disease(top.table("disease"), patient)
    pkpd = _read_pkpd(top.table("pkpd", required=False))
    duration_min = duration_h * 60.0
    events = tuple(sorted((_read_event(t, duration_min) for t in top.tables("events")), key=lambda e: e.at_min))
    expected = tuple(_read_expected(t, duration_min) for t in top.tables("expected_actions"))
    top.finish()
    return Scenario(
        name=name,
        title=title,
        description=description,
        learning_objectives=objectives,
        duration_h=duration_h,
        target_map_mmhg=target,
        debrief_target_map_mmhg=debrief_target,
        patient=patient,
        infusion=infusion,
        disease=disease,
        pkpd=pkpd,
        events=events,
        expected_actions=expected,
        source=file,
    )


def load_scenario_file(path: Path) -> Scenario:
    """Load and validate one scenario file.

    Read within the limits of :mod:`norepi_gui.core.toml_file` (size, UTF-8 only, nesting, array length, number
    length): a damaged or hostile file is a :class:`ScenarioError` naming the file and the problem.
    """
    try:
        data = read_toml_file(path)
    except TomlFileError as exc:
        raise ScenarioError(exc.file, exc.where, exc.accepted, exc.problem) from exc
    scenario = parse_scenario(data, str(path))
    if scenario.name != path.stem:
        raise ScenarioError(str(path), "name", repr(path.stem), f"name {scenario.name!r} differs from the file name")
    return scenario


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
