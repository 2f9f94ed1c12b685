"""Fixed test cases for benchmarks: populations that are neither a training scenario nor the default population.

A :class:`Cohort` says how to draw ``n`` patients and what they share; :func:`run_headless` takes one instead of a
scenario. :func:`steady_noise_case` is issue 13's noise case: true MAP held in the middle of the band and only
measurement noise moving the readings, so every dose change a policy makes there is a change made for noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from norepi_gui.sim.engine import Setting, SimConfig
from norepi_gui.sim.patient import PatientParams, PatientSpec, sample_patients, typical_map_rise_mmhg


@dataclass(frozen=True)
class Cohort:
    """``build(n, rng)`` draws the patients; ``setting`` is what they share; ``sim`` the measurement settings."""

    name: str
    build: Callable[[int, np.random.Generator], PatientParams]
    setting: Setting = field(default_factory=Setting)
    sim: SimConfig | None = None  # None: the run's own SimConfig


# Issue 13: "steady-state noise case (true MAP in band, measurement noise SD 3 mmHg, 6 h)".
NOISE_CASE_MAP_MMHG = 70.0  # the middle of the default band 65-75
NOISE_CASE_SD_MMHG = 3.0
NOISE_CASE_HOURS = 6.0
NOISE_CASE_DOSE = 0.1  # the start dose [seed 000]


def steady_noise_case(
    map_mmhg: float = NOISE_CASE_MAP_MMHG, noise_sd_mmhg: float = NOISE_CASE_SD_MMHG, dose: float = NOISE_CASE_DOSE
) -> Cohort:
    """Typical adults (no variability) at steady state on ``dose`` whose true MAP stays at ``map_mmhg``.

    The untreated MAP0 is set to ``map_mmhg`` minus the typical rise at ``dose``, with no disease course and no
    physiological fluctuation; each arterial-line reading carries white noise of SD ``noise_sd_mmhg``.
    """
    base = PatientSpec(iiv_scale=0.0, nadir_at_min=0.0, plateau_min=1e9, lactate_mmol_per_l=1.5,
                       urine_ml_per_kg_per_h=0.8)
    map0 = map_mmhg - typical_map_rise_mmhg(base, dose)
    spec = PatientSpec(
        iiv_scale=0.0,
        map0_start_mmhg=map0,
        map0_nadir_mmhg=map0,
        nadir_at_min=0.0,
        plateau_min=1e9,
        lactate_mmol_per_l=1.5,
        urine_ml_per_kg_per_h=0.8,
    )

    def build(n: int, rng: np.random.Generator) -> PatientParams:
        return sample_patients(spec, n, rng)

    return Cohort(
        name="steady_noise",
        build=build,
        setting=Setting(start_ne_mcg_per_kg_per_min=dose, at_steady_state=True),
        sim=SimConfig(phys_sd_mmhg=0.0, art_noise_mmhg=noise_sd_mmhg),
    )
