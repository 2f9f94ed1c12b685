"""Virtual patients: one typical description (``PatientSpec``) and per-patient arrays.

``PatientParams`` holds one numpy array per parameter, one element per patient, so the
engine can step every patient at once. ``sample_patients`` draws inter-individual
variability (log-normal on clearance, EC50 and Emax; sources in ``pkpd``);
``default_population`` draws a mixed septic-shock population for runs without a scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np

from norepi_gui.sim import physiology as phys
from norepi_gui.sim.physiology import clip
from norepi_gui.sim.pkpd import (
    ADULT_ENDOGENOUS_MCG_PER_MIN,
    ADULT_IIV_CLEARANCE,
    ADULT_VOLUME_L,
    IIV_DMAP,
    IIV_EC50,
    KE0_PER_MIN,
    PEDIATRIC_EC50_MCG_PER_L,
    PEDIATRIC_IIV_CLEARANCE,
    FloatArray,
    adult_clearance_l_per_min,
    adult_dmap_mmhg,
    adult_ec50_mcg_per_l,
    pediatric_clearance_l_per_min,
    pediatric_dmap_mmhg,
    pediatric_endogenous_mcg_per_min,
    pediatric_volume_l,
)

Population = Literal["adult", "pediatric"]


@dataclass(frozen=True)
class PatientSpec:
    """A typical patient as a scenario describes it (scalars)."""

    weight_kg: float = 70.0
    population: Population = "adult"
    chronic_hypertension: bool = False
    baseline_sbp_mmhg: float = 130.0
    cardiac_index: float = 1.0  # relative cardiac output, 1 = normal
    fluid_responsive: bool = True
    saps2: float = 40.0
    organ_failures: int = 2
    # disease course: untreated MAP0 deepens to a nadir, then resolves (or not)
    map0_start_mmhg: float = 52.0
    map0_nadir_mmhg: float = 48.0
    nadir_at_min: float = 120.0
    plateau_min: float = 120.0
    map0_recovered_mmhg: float = 75.0
    resolution_tau_min: float = 240.0  # math.inf = refractory
    hr_bpm: float = 110.0
    pulse_pressure_mmhg: float = 45.0
    lactate_mmol_per_l: float = 3.0
    urine_ml_per_kg_per_h: float = 0.3
    # PK/PD overrides (None = literature typical value) and variability
    clearance_l_per_min: float | None = None
    volume_l: float | None = None
    endogenous_mcg_per_min: float | None = None
    ec50_mcg_per_l: float | None = None
    dmap_mmhg: float | None = None
    iiv_clearance: float | None = None
    iiv_ec50: float = IIV_EC50
    iiv_dmap: float = IIV_DMAP
    iiv_scale: float = 1.0


@dataclass(frozen=True)
class PatientParams:
    """Per-patient parameter arrays, all of shape (N,)."""

    weight_kg: FloatArray
    clearance_l_per_min: FloatArray
    volume_l: FloatArray
    endogenous_mcg_per_min: FloatArray
    ec50_mcg_per_l: FloatArray
    dmap_mmhg: FloatArray
    ke0_per_min: FloatArray
    map0_start_mmhg: FloatArray
    map0_nadir_mmhg: FloatArray
    nadir_at_min: FloatArray
    plateau_min: FloatArray
    map0_recovered_mmhg: FloatArray
    resolution_rate_per_min: FloatArray  # 0 = refractory
    hr_bpm: FloatArray
    pulse_pressure_mmhg: FloatArray
    autoreg_map_mmhg: FloatArray
    cardiac_index: FloatArray
    fluid_responsive: FloatArray  # 1.0 or 0.0
    lactate_mmol_per_l: FloatArray
    urine_ml_per_kg_per_h: FloatArray

    @property
    def n(self) -> int:
        return int(self.weight_kg.shape[0])

    def __post_init__(self) -> None:
        n = self.weight_kg.shape
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.shape != n:
                raise ValueError(f"PatientParams.{f.name} has shape {arr.shape}, expected {n}")


def _full(n: int, value: float) -> FloatArray:
    return np.full(n, float(value), dtype=np.float64)


def sample_patients(spec: PatientSpec, n: int, rng: np.random.Generator) -> PatientParams:
    """``n`` patients around ``spec`` with log-normal variability on CL, EC50 and dMAP."""
    if n < 1:
        raise ValueError("n must be >= 1")
    eta = rng.standard_normal((n, 3)) * spec.iiv_scale
    w = spec.weight_kg
    if spec.population == "pediatric":
        cl_typ = float(pediatric_clearance_l_per_min(w))
        v_typ = float(pediatric_volume_l(w))
        endo_typ = float(pediatric_endogenous_mcg_per_min(w))
        iiv_cl = PEDIATRIC_IIV_CLEARANCE
        ec50_typ = PEDIATRIC_EC50_MCG_PER_L
        dmap_typ = float(pediatric_dmap_mmhg(spec.organ_failures))
    else:
        cl_typ = float(adult_clearance_l_per_min(spec.saps2))
        v_typ = ADULT_VOLUME_L
        endo_typ = ADULT_ENDOGENOUS_MCG_PER_MIN
        iiv_cl = ADULT_IIV_CLEARANCE
        ec50_typ = float(adult_ec50_mcg_per_l(spec.saps2))
        dmap_typ = float(adult_dmap_mmhg(spec.saps2, spec.organ_failures))
    cl = spec.clearance_l_per_min if spec.clearance_l_per_min is not None else cl_typ
    if spec.iiv_clearance is not None:
        iiv_cl = spec.iiv_clearance
    ec50 = spec.ec50_mcg_per_l if spec.ec50_mcg_per_l is not None else ec50_typ
    dmap = spec.dmap_mmhg if spec.dmap_mmhg is not None else dmap_typ
    autoreg = phys.autoregulation_map(spec.chronic_hypertension, spec.baseline_sbp_mmhg)
    rate = 0.0 if math.isinf(spec.resolution_tau_min) else 1.0 / spec.resolution_tau_min
    return PatientParams(
        weight_kg=_full(n, w),
        clearance_l_per_min=cl * np.exp(iiv_cl * eta[:, 0]),
        volume_l=_full(n, spec.volume_l if spec.volume_l is not None else v_typ),
        endogenous_mcg_per_min=_full(
            n, spec.endogenous_mcg_per_min if spec.endogenous_mcg_per_min is not None else endo_typ
        ),
        ec50_mcg_per_l=ec50 * np.exp(spec.iiv_ec50 * eta[:, 1]),
        dmap_mmhg=dmap * np.exp(spec.iiv_dmap * eta[:, 2]),
        ke0_per_min=_full(n, KE0_PER_MIN),
        map0_start_mmhg=_full(n, spec.map0_start_mmhg),
        map0_nadir_mmhg=_full(n, spec.map0_nadir_mmhg),
        nadir_at_min=_full(n, spec.nadir_at_min),
        plateau_min=_full(n, spec.plateau_min),
        map0_recovered_mmhg=_full(n, spec.map0_recovered_mmhg),
        resolution_rate_per_min=_full(n, rate),
        hr_bpm=_full(n, spec.hr_bpm),
        pulse_pressure_mmhg=_full(n, spec.pulse_pressure_mmhg),
        autoreg_map_mmhg=_full(n, autoreg),
        cardiac_index=_full(n, spec.cardiac_index),
        fluid_responsive=_full(n, 1.0 if spec.fluid_responsive else 0.0),
        lactate_mmol_per_l=_full(n, spec.lactate_mmol_per_l),
        urine_ml_per_kg_per_h=_full(n, spec.urine_ml_per_kg_per_h),
    )


# Mixed septic-shock population (model assumptions, docs/simulator.md): SAPS II spans the
# Beloeil range, a quarter have 4 organ failures (20 % less maximal response), 15 % stay
# refractory, half are fluid responsive.
DEFAULT_REFRACTORY_FRACTION = 0.15
DEFAULT_MANY_ORGAN_FAILURE_FRACTION = 0.25
DEFAULT_FLUID_RESPONSIVE_FRACTION = 0.5


def default_population(n: int, rng: np.random.Generator) -> PatientParams:
    """``n`` adults in septic shock with varied weight, severity and disease course."""
    if n < 1:
        raise ValueError("n must be >= 1")
    u = rng.random((n, 10))
    eta = rng.standard_normal((n, 4))
    weight = clip(75.0 * np.exp(0.2 * eta[:, 3]), 40.0, 150.0)
    saps2 = 20.0 + 40.0 * u[:, 0]
    organ_failures = np.where(u[:, 1] < DEFAULT_MANY_ORGAN_FAILURE_FRACTION, 4, 2)
    refractory = u[:, 2] < DEFAULT_REFRACTORY_FRACTION
    map0_start = 48.0 + 10.0 * u[:, 3]
    map0_nadir = map0_start - 8.0 * u[:, 4]
    nadir_at = 60.0 + 300.0 * u[:, 5]
    plateau = 360.0 * u[:, 6]
    tau = 180.0 + 540.0 * u[:, 7]
    recovered = 70.0 + 10.0 * u[:, 8]
    fluid = u[:, 9] < DEFAULT_FLUID_RESPONSIVE_FRACTION
    return PatientParams(
        weight_kg=weight,
        clearance_l_per_min=adult_clearance_l_per_min(saps2) * np.exp(ADULT_IIV_CLEARANCE * eta[:, 0]),
        volume_l=_full(n, ADULT_VOLUME_L),
        endogenous_mcg_per_min=_full(n, ADULT_ENDOGENOUS_MCG_PER_MIN),
        ec50_mcg_per_l=adult_ec50_mcg_per_l(saps2) * np.exp(IIV_EC50 * eta[:, 1]),
        dmap_mmhg=adult_dmap_mmhg(saps2, organ_failures) * np.exp(IIV_DMAP * eta[:, 2]),
        ke0_per_min=_full(n, KE0_PER_MIN),
        map0_start_mmhg=map0_start,
        map0_nadir_mmhg=map0_nadir,
        nadir_at_min=nadir_at,
        plateau_min=plateau,
        map0_recovered_mmhg=recovered,
        resolution_rate_per_min=np.where(refractory, 0.0, 1.0 / tau),
        hr_bpm=100.0 + 20.0 * u[:, 4],
        pulse_pressure_mmhg=_full(n, 45.0),
        autoreg_map_mmhg=_full(n, phys.AUTOREG_MAP_MMHG),
        cardiac_index=_full(n, 1.0),
        fluid_responsive=np.where(fluid, 1.0, 0.0),
        lactate_mmol_per_l=2.0 + 3.0 * u[:, 0],
        urine_ml_per_kg_per_h=_full(n, 0.3),
    )


def baseline_map0(p: PatientParams, t_min: float | FloatArray) -> FloatArray:
    """Untreated MAP0: linear fall to the nadir, plateau, exponential recovery.

    ``t_min`` scalar gives shape (N,); a 1-D array of T times gives (N, T).
    """
    t = np.asarray(t_min, dtype=np.float64)

    def col(x: FloatArray) -> FloatArray:
        return x[:, None] if t.ndim == 1 else x

    nadir_at = col(p.nadir_at_min)
    frac = clip(t / np.maximum(nadir_at, 1e-9), 0.0, 1.0)
    falling = col(p.map0_start_mmhg) + col(p.map0_nadir_mmhg - p.map0_start_mmhg) * frac
    since = t - (nadir_at + col(p.plateau_min))
    decay = np.exp(-col(p.resolution_rate_per_min) * np.maximum(since, 0.0))
    recovering = col(p.map0_recovered_mmhg) + col(p.map0_nadir_mmhg - p.map0_recovered_mmhg) * decay
    return np.asarray(np.where(since > 0.0, recovering, falling))


def steady_rise_mmhg(p: PatientParams, dose_mcg_per_kg_per_min: float) -> FloatArray:
    """Each patient's steady-state MAP rise above MAP0 on a constant norepinephrine dose (no other drug)."""
    cl = p.clearance_l_per_min
    c = (dose_mcg_per_kg_per_min * p.weight_kg + p.endogenous_mcg_per_min) / cl
    c0 = p.endogenous_mcg_per_min / cl
    return np.asarray(p.dmap_mmhg * (c / (c + p.ec50_mcg_per_l) - c0 / (c0 + p.ec50_mcg_per_l)))


def typical_map_rise_mmhg(spec: PatientSpec, dose_mcg_per_kg_per_min: float) -> float:
    """The steady-state MAP rise of the typical patient of ``spec`` (no variability) on ``dose``."""
    typical = sample_patients(replace(spec, iiv_scale=0.0), 1, np.random.default_rng(0))
    return float(steady_rise_mmhg(typical, dose_mcg_per_kg_per_min)[0])
