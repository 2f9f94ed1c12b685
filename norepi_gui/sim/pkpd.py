"""Norepinephrine pharmacokinetics and pharmacodynamics for the virtual patient.

Model choice: **one compartment with endogenous production** (Beloeil 2005), not the
two-compartment model of Li 2024. Reasons, also given in ``docs/simulator.md``:

* Beloeil studied septic-shock patients in intensive care, the population this
  simulator trains for; Li 2024 studied healthy volunteers.
* Beloeil ties clearance to severity (SAPS II), which lets a scenario make a patient
  "sicker" with one number and gives the half-life range the reference quotes
  (2 min at SAPS II 20, 6.8 min at SAPS II 60).
* One compartment keeps the exact update over a constant-infusion interval to two
  exponentials, which is what makes 1000 patients x 24 h fast.

Sources (all in ``/work/shared/clinical-reference.md``, "Pharmacokinetics and dynamics"):

* Beloeil 2005 (Br J Anaesth 95:782) [V abstract]: CL 3 L/min (t1/2 2 min) at SAPS II 20,
  0.9 L/min (t1/2 6.8 min) at SAPS II 60; weight and sex no effect; V about 8.7 L.
  Between the two anchors this module interpolates clearance linearly in SAPS II and
  holds it at the anchors outside (our modelling choice).
* Li 2024 (Clin Pharmacokinet 63:1597) [S]: endogenous production 498 ng/min (adults);
  IIV on clearance 11 %.
* Oualha 2014 (Br J Clin Pharmacol 78:886) [V/S], children: V 0.08 L/kg,
  CL 6.6 L/h x WT^0.75 (IIV SD 0.6), endogenous 3.12 mcg/h x WT^0.75; Emax PD
  MAP = MAP0 + dMAP x C/(C + EC50), EC50 4.11 mcg/L, dMAP 32 mmHg (<= 3 organ failures)
  or 12 mmHg (>= 4), IIV 0.30 (applied here to both EC50 and dMAP). Used for children only.

Adult dose-response: the same Emax form, with parameters that are **not published** for adults in septic shock
(Beloeil 2005's abstract gives the kinetics; its dynamics could not be read in the sources here). They are model
assumptions [U], chosen so the seeds hold (``docs/simulator.md``, "Validation"): a typical adult in septic shock
reaches MAP 65 within 0.1-0.5 mcg/kg/min [seed 000], refractory cases need more, a rise above 0.5 still adds
pressure, and a sicker patient needs more drug even though he clears it more slowly. So the vascular response falls
with severity: EC50 rises log-linearly with SAPS II from 8 mcg/L (SAPS II 20) to 40 mcg/L (SAPS II 60), five times,
more than the 3.3-fold fall in clearance (Beloeil), and the largest rise falls linearly from 60 to 40 mmHg, then by
10 % per organ failure beyond two (graded, no cliff). IIV 0.30 on both, as in Oualha.

Effect-site lag: the reference gives an onset within 1-2 min. Plasma concentration
drives an effect compartment with rate constant ``KE0_PER_MIN`` = 1/min (equilibration
half-time 0.69 min); this value is a model assumption chosen to match that onset.

MAP0 here is the untreated pressure. Concentration ``C`` includes endogenous
norepinephrine, so the drug's rise is ``E(C) - E(C_endogenous)`` with ``E`` the
Emax term; with no infusion the patient sits at MAP0.

Units: concentrations mcg/L, rates mcg/min, clearance L/min, volume L, time min.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

LN2 = math.log(2.0)

# --- Beloeil 2005 (adults in septic shock) [V abstract] -------------------------------
BELOEIL_SAPS2_LOW = 20.0
BELOEIL_SAPS2_HIGH = 60.0
BELOEIL_CL_LOW_SEVERITY_L_PER_MIN = 3.0  # at SAPS II 20, t1/2 2 min
BELOEIL_CL_HIGH_SEVERITY_L_PER_MIN = 0.9  # at SAPS II 60, t1/2 6.8 min
# V = t1/2 x CL / ln 2: 2 x 3 / 0.693 = 8.66 L and 6.8 x 0.9 / 0.693 = 8.83 L -> "about 8.7 L".
ADULT_VOLUME_L = 8.7

# --- Li 2024 (healthy adults) [S] -----------------------------------------------------
ADULT_ENDOGENOUS_MCG_PER_MIN = 0.498  # 498 ng/min
ADULT_IIV_CLEARANCE = 0.11  # 11 % on CL; severity (SAPS II) carries the rest of the spread

# --- Oualha 2014 (children) [V/S] -------------------------------------------------------
PEDIATRIC_VOLUME_L_PER_KG = 0.08
PEDIATRIC_CL_L_PER_H_PER_KG075 = 6.6
PEDIATRIC_ENDOGENOUS_MCG_PER_H_PER_KG075 = 3.12
PEDIATRIC_IIV_CLEARANCE = 0.6
PEDIATRIC_EC50_MCG_PER_L = 4.11
PEDIATRIC_DMAP_MMHG = 32.0  # <= 3 organ failures
PEDIATRIC_DMAP_MANY_ORGAN_FAILURES_MMHG = 12.0  # >= 4 organ failures
MANY_ORGAN_FAILURES = 4
IIV_EC50 = 0.30
IIV_DMAP = 0.30

# --- adults: model assumptions [U], calibrated on the seeds (module docstring) -----------
ADULT_EC50_MILD_MCG_PER_L = 8.0  # SAPS II 20
ADULT_EC50_SEVERE_MCG_PER_L = 40.0  # SAPS II 60; log-linear between, held outside
ADULT_DMAP_MILD_MMHG = 60.0  # SAPS II 20
ADULT_DMAP_SEVERE_MMHG = 40.0  # SAPS II 60; linear between, held outside
ADULT_DMAP_LOSS_PER_ORGAN_FAILURE = 0.10  # beyond two failing organs
ADULT_DMAP_ORGAN_FAILURES_FREE = 2

# --- model assumption (onset 1-2 min per the reference) ---------------------------------
KE0_PER_MIN = 1.0


def adult_clearance_l_per_min(saps2: float | FloatArray) -> FloatArray:
    """Typical adult clearance for a SAPS II score (Beloeil 2005 anchors, linear between)."""
    s = np.clip(np.asarray(saps2, dtype=np.float64), BELOEIL_SAPS2_LOW, BELOEIL_SAPS2_HIGH)
    frac = (s - BELOEIL_SAPS2_LOW) / (BELOEIL_SAPS2_HIGH - BELOEIL_SAPS2_LOW)
    span = BELOEIL_CL_HIGH_SEVERITY_L_PER_MIN - BELOEIL_CL_LOW_SEVERITY_L_PER_MIN
    return np.asarray(BELOEIL_CL_LOW_SEVERITY_L_PER_MIN + frac * span, dtype=np.float64)


def pediatric_clearance_l_per_min(weight_kg: float | FloatArray) -> FloatArray:
    """Oualha 2014: 6.6 L/h x WT^0.75, in L/min."""
    w = np.asarray(weight_kg, dtype=np.float64)
    return np.asarray(PEDIATRIC_CL_L_PER_H_PER_KG075 * w**0.75 / 60.0, dtype=np.float64)


def pediatric_volume_l(weight_kg: float | FloatArray) -> FloatArray:
    """Oualha 2014: 0.08 L/kg."""
    return np.asarray(PEDIATRIC_VOLUME_L_PER_KG * np.asarray(weight_kg, dtype=np.float64))


def pediatric_endogenous_mcg_per_min(weight_kg: float | FloatArray) -> FloatArray:
    """Oualha 2014: 3.12 mcg/h x WT^0.75, in mcg/min."""
    w = np.asarray(weight_kg, dtype=np.float64)
    return np.asarray(PEDIATRIC_ENDOGENOUS_MCG_PER_H_PER_KG075 * w**0.75 / 60.0)


def pediatric_dmap_mmhg(organ_failures: int | npt.NDArray[np.int64]) -> FloatArray:
    """Oualha 2014 Emax: 32 mmHg with <= 3 organ failures, 12 mmHg with >= 4."""
    of = np.asarray(organ_failures)
    return np.where(of >= MANY_ORGAN_FAILURES, PEDIATRIC_DMAP_MANY_ORGAN_FAILURES_MMHG, PEDIATRIC_DMAP_MMHG)


def _severity(saps2: float | FloatArray) -> FloatArray:
    """0 at SAPS II 20, 1 at SAPS II 60, held outside (the Beloeil range)."""
    s = np.clip(np.asarray(saps2, dtype=np.float64), BELOEIL_SAPS2_LOW, BELOEIL_SAPS2_HIGH)
    return np.asarray((s - BELOEIL_SAPS2_LOW) / (BELOEIL_SAPS2_HIGH - BELOEIL_SAPS2_LOW))


def adult_ec50_mcg_per_l(saps2: float | FloatArray) -> FloatArray:
    """Typical adult EC50 for a SAPS II score: 8 mcg/L at 20 to 40 mcg/L at 60, log-linear [U]."""
    ratio = ADULT_EC50_SEVERE_MCG_PER_L / ADULT_EC50_MILD_MCG_PER_L
    return np.asarray(ADULT_EC50_MILD_MCG_PER_L * ratio ** _severity(saps2))


def adult_dmap_mmhg(saps2: float | FloatArray, organ_failures: int | npt.NDArray[np.int64]) -> FloatArray:
    """Typical adult largest rise: 60 mmHg at SAPS II 20 to 40 at 60, less 10 % per organ failure beyond 2 [U]."""
    span = ADULT_DMAP_SEVERE_MMHG - ADULT_DMAP_MILD_MMHG
    extra = np.maximum(np.asarray(organ_failures, dtype=np.float64) - ADULT_DMAP_ORGAN_FAILURES_FREE, 0.0)
    loss = np.maximum(1.0 - ADULT_DMAP_LOSS_PER_ORGAN_FAILURE * extra, 0.0)
    return np.asarray((ADULT_DMAP_MILD_MMHG + span * _severity(saps2)) * loss)


def half_life_min(clearance_l_per_min: float, volume_l: float) -> float:
    """Elimination half-life of the one-compartment model."""
    return LN2 * volume_l / clearance_l_per_min


def steady_state_concentration(
    infusion_mcg_per_min: float | FloatArray,
    endogenous_mcg_per_min: float | FloatArray,
    clearance_l_per_min: float | FloatArray,
) -> FloatArray:
    """Plasma concentration (mcg/L) at steady state: (infusion + endogenous) / CL."""
    total = np.asarray(infusion_mcg_per_min, dtype=np.float64) + endogenous_mcg_per_min
    return np.asarray(total / np.asarray(clearance_l_per_min, dtype=np.float64))


def emax_mmhg(concentration: float | FloatArray, ec50: float | FloatArray, dmap: float | FloatArray) -> FloatArray:
    """Emax term dMAP x C / (C + EC50)."""
    c = np.asarray(concentration, dtype=np.float64)
    return np.asarray(dmap * c / (c + ec50))


def map_rise_mmhg(
    infusion_mcg_per_min: float,
    *,
    clearance_l_per_min: float,
    endogenous_mcg_per_min: float,
    ec50: float,
    dmap: float,
) -> float:
    """Steady-state MAP rise above the untreated MAP0 for a constant infusion."""
    c = steady_state_concentration(infusion_mcg_per_min, endogenous_mcg_per_min, clearance_l_per_min)
    c0 = steady_state_concentration(0.0, endogenous_mcg_per_min, clearance_l_per_min)
    return float(emax_mmhg(c, ec50, dmap) - emax_mmhg(c0, ec50, dmap))


def lag_kernel(k: FloatArray, ke0: FloatArray, tau_min: FloatArray) -> FloatArray:
    """Response of the effect site to a unit plasma excess decaying at rate ``k``.

    ``ke0 / (ke0 - k) x (exp(-k tau) - exp(-ke0 tau))``, with the limit
    ``ke0 x tau x exp(-k tau)`` when ``k`` equals ``ke0``. Arguments broadcast.
    """
    diff = ke0 - k
    near = np.abs(diff) < 1e-9
    safe = np.where(near, 1.0, diff)
    general = ke0 / safe * (np.exp(-k * tau_min) - np.exp(-ke0 * tau_min))
    limit = ke0 * tau_min * np.exp(-k * tau_min)
    return np.asarray(np.where(near, limit, general), dtype=np.float64)


def propagate(
    c0: FloatArray,
    ce0: FloatArray,
    css: FloatArray,
    k: FloatArray,
    ke0: FloatArray,
    tau_min: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Exact plasma and effect-site concentrations after ``tau_min`` of constant input.

    Solves dC/dt = k (Css - C), dCe/dt = ke0 (C - Ce) in closed form. Arguments broadcast.
    """
    ek = np.exp(-k * tau_min)
    ee = np.exp(-ke0 * tau_min)
    c = css + (c0 - css) * ek
    ce = css + (ce0 - css) * ee + (c0 - css) * lag_kernel(k, ke0, tau_min)
    return np.asarray(c), np.asarray(ce)
