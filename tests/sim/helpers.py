"""Helpers for the simulator tests: quiet, typical patients."""

from __future__ import annotations

import numpy as np

from norepi_gui.sim.engine import Setting, SimConfig, VirtualPatients
from norepi_gui.sim.patient import PatientSpec, sample_patients

QUIET = SimConfig(phys_sd_mmhg=0.0, art_noise_mmhg=0.0, cuff_noise_mmhg=0.0, record_every_s=1.0)

# A stable typical adult: MAP0 50 for the whole run, no variability.
STABLE = PatientSpec(
    iiv_scale=0.0,
    map0_start_mmhg=50.0,
    map0_nadir_mmhg=50.0,
    nadir_at_min=0.0,
    plateau_min=1e9,
    lactate_mmol_per_l=2.0,
    urine_ml_per_kg_per_h=0.5,
)


def make_sim(
    spec: PatientSpec = STABLE, setting: Setting | None = None, config: SimConfig = QUIET, n: int = 1, seed: int = 0
) -> VirtualPatients:
    params = sample_patients(spec, n, np.random.default_rng(seed))
    return VirtualPatients(params, setting or Setting(), np.random.default_rng(seed + 1), config)
