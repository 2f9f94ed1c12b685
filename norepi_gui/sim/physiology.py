"""Co-infusions, perfusion and derived signals of the virtual patient.

Everything here is a **model assumption** for training, not a published model: the
clinical reference gives the direction of each effect, not its size. Each constant
names what it stands for; ``docs/simulator.md`` lists them under "Assumptions".
The directions come from the reference:

* vasopressin 0.03 U/min adds pressure and spares norepinephrine [seed 000, 001];
  its size is calibrated with the norepinephrine-equivalent factor 2.5 (Goradia 2021
  [S]): 0.03 U/min x 2.5 = 0.075 mcg/kg/min NE, which raises a typical 70 kg adult's
  MAP by about 6.4 mmHg (see ``VASOPRESSIN_EMAX_MMHG``);
* vasopressin in a child is dosed per kg: its effect follows the dose per kg (0.03 U/min in a 70 kg
  adult = 0.00043 U/kg/min), so an adult's 0.03 U/min is a large dose for a 20 kg child;
* epinephrine counts 1:1 with norepinephrine (Goradia [S]) and raises heart rate more, and it raises
  lactate (beta-2 stimulation of glycolysis) without any fall in perfusion;
* dobutamine raises cardiac output and perfusion more than MAP [seed 000]; its beta-2 vasodilation
  lowers MAP, so in a heart with normal output it lowers MAP, and only a failing heart's gain in
  output can outweigh it;
* fluid helps fluid-responsive patients for a while; "the response of arterial
  pressure to volume expansion alone is inconstant, delayed, and transitory" [seed 001]:
  a bolus runs over its infusion time, each further mL/kg adds less, responsiveness is lost
  as fluid accumulates, and past a point the fluid harms perfusion (overload; fluid is harmful
  in ARDS and intra-abdominal hypertension [seed 000]);
* hydrocortisone (200 mg/day) shortens vasopressor dependence by about a day (ADRENAL, APROCCHSS [S],
  clinical-reference "Hydrocortisone in septic shock"): a delayed, partial restoration of the vascular
  response to norepinephrine, over hours (see ``HYDROCORTISONE_*``);
* reflex bradycardia with excess pressure [seed 003]; falling urine output and rising
  lactate with hypoperfusion or excess vasoconstriction [seed 001]; urine target
  >= 0.5 mL/kg/h [seed 000].
"""

from __future__ import annotations

import numpy as np

from norepi_gui.sim.pkpd import FloatArray


def clip(x: FloatArray | float, lo: float, hi: float | FloatArray) -> FloatArray:
    """``np.clip`` without its Python-level overhead (this runs once per block)."""
    return np.asarray(np.minimum(np.maximum(x, lo), hi))


# Vasopressin: non-adrenergic Emax on the lagged dose (U/min). Calibration: a typical
# adult (SAPS II 40: CL 1.95 L/min, EC50 17.89 mcg/L, dMAP 50 mmHg; 70 kg) on 0.075
# mcg/kg/min NE = 5.25 mcg/min has C = (5.25 + 0.498) / 1.95 = 2.9477 mcg/L, rise =
# 50 x (2.9477/20.8362 - 0.25538/18.1439) = 50 x (0.14147 - 0.01408) = 6.37 mmHg. With
# EC50 0.03 U/min, Emax 12.74 mmHg gives 12.74 x 0.03 / 0.06 = 6.37 mmHg at 0.03 U/min.
# Vasopressin acts on V1 receptors, so the adrenergic loss of response with severity
# does not apply to it.
VASOPRESSIN_EMAX_MMHG = 12.74
VASOPRESSIN_EC50_U_PER_MIN = 0.03
VASOPRESSIN_LAG_MIN = 10.0
VASOPRESSIN_REFERENCE_KG = 70.0  # a child's dose acts as dose x 70 / weight would in the 70 kg adult

# Epinephrine: same PK and vasoconstriction as norepinephrine (counted into the same
# concentration), plus beta effects on its own concentration (mcg/L).
EPINEPHRINE_INOTROPIC_MMHG = 10.0
EPINEPHRINE_HR_BPM = 25.0
EPINEPHRINE_CO_GAIN = 0.3
EPINEPHRINE_BETA_EC50_MCG_PER_L = 4.11
# Lactate from beta-2 stimulation: up to +4 mmol/L at full beta effect (+1.9 at 0.1 mcg/kg/min in a typical adult).
EPINEPHRINE_LACTATE_MMOL_PER_L = 4.0

# Hydrocortisone (mg/day): the vascular response to catecholamines recovers over hours. Two first-order stages
# with the same time constant (a delay, then a rise): the effect is 9 % of its full size after 1 h
# (1 - 1.5 e^-0.5), 59 % after 4 h (1 - 3 e^-2), 80 % after 6 h (1 - 4 e^-3). At full effect the catecholamine
# EC50 is divided by 1 + 0.5, so about a third less norepinephrine holds the same MAP. Size and time course
# are model assumptions [U]; the direction and "hours, not minutes" are from the reference. A dose below
# the usual 200 mg/day gives a proportionally smaller effect.
HYDROCORTISONE_FULL_MG_PER_DAY = 200.0
HYDROCORTISONE_TAU_MIN = 120.0
HYDROCORTISONE_SENSITIVITY_GAIN = 0.5

# Dobutamine (mcg/kg/min), lagged.
DOBUTAMINE_CO_GAIN = 0.7
DOBUTAMINE_CO_EC50 = 5.0
# MAP: + inotropic pressure in a failing heart, 10 mmHg x d/(d + 5) x (the share of output missing, doubled,
# at most 1: full at cardiac index 0.5, none at 1), - beta-2 vasodilation 8 mmHg x d/(d + 10).
DOBUTAMINE_INOTROPIC_MMHG = 10.0
DOBUTAMINE_VASODILATION_MMHG = 8.0
DOBUTAMINE_VASODILATION_EC50 = 10.0
DOBUTAMINE_HR_BPM = 15.0
DOBUTAMINE_HR_EC50 = 10.0
DOBUTAMINE_LAG_MIN = 2.0

# Volume: bleeding deficit and transient expansion, both in mL/kg.
DEFICIT_MMHG_PER_ML_KG = 1.0
DEFICIT_HR_BPM_PER_ML_KG = 1.5
# A bolus runs at 500 mL per 15 min; it first refills a bleeding deficit. What is left expands the circulation
# in proportion to the patient's remaining fluid responsiveness (1 for a responder who has had no fluid in the run,
# falling linearly to 0 after 30 mL/kg; 0 for a non-responder) and leaves it with a 60 min time constant. The
# expansion raises MAP and cardiac output with diminishing returns: 10 mmHg and +20 % at most,
# 1 - e^(-x / 10 mL/kg) of it. Given fluid beyond 30 mL/kg overloads: perfusion falls by up to 30 % at 60 mL/kg.
BOLUS_ML_PER_MIN = 500.0 / 15.0
EXPANSION_MAX_MMHG = 10.0
EXPANSION_MAX_CO = 0.2
EXPANSION_SCALE_ML_KG = 10.0
EXPANSION_DECAY_MIN = 60.0
RESPONSIVENESS_LOST_ML_KG = 30.0
OVERLOAD_START_ML_KG = 30.0
OVERLOAD_FULL_ML_KG = 60.0
OVERLOAD_MAX_PENALTY = 0.3

# Heart rate.
BARO_BRADY_BPM_PER_MMHG = 1.0
BARO_THRESHOLD_ABOVE_AUTOREG_MMHG = 20.0
BARO_TACHY_BPM_PER_MMHG = 0.5
HR_MIN_BPM = 30.0
HR_MAX_BPM = 200.0

# Perfusion: autoregulation lower limit (MAP below which flow falls), shifted up in
# chronic hypertension; perfusion falls linearly to zero over ``PERFUSION_RANGE_MMHG``.
AUTOREG_MAP_MMHG = 65.0
AUTOREG_SHIFT_PER_MMHG_SBP_ABOVE_130 = 0.3
PERFUSION_RANGE_MMHG = 25.0
# Excess vasoconstriction: perfusion penalty growing with the NE equivalent above 0.5.
VASOCONSTRICTION_START_NEE = 0.5
VASOCONSTRICTION_FULL_NEE = 1.5
VASOCONSTRICTION_MAX_PENALTY = 0.3

# Lactate (mmol/L) and urine (mL/kg/h) follow perfusion over tens of minutes.
LACTATE_BASE = 1.0
LACTATE_GAIN = 12.0
LACTATE_RISE_TAU_MIN = 30.0
LACTATE_FALL_TAU_MIN = 120.0
URINE_MAX_ML_KG_H = 1.0
URINE_ZERO_PERFUSION = 0.3
URINE_TAU_MIN = 30.0


def autoregulation_map(chronic_hypertension: bool, baseline_sbp_mmhg: float) -> float:
    """Lower autoregulation limit; chronic hypertension shifts it up."""
    if not chronic_hypertension:
        return AUTOREG_MAP_MMHG
    return AUTOREG_MAP_MMHG + AUTOREG_SHIFT_PER_MMHG_SBP_ABOVE_130 * max(0.0, baseline_sbp_mmhg - 130.0)


def dobutamine_mmhg(lagged: FloatArray, cardiac_index: FloatArray) -> FloatArray:
    """MAP change (mmHg) from dobutamine: inotropic pressure where output is low, less beta-2 vasodilation."""
    failing = clip(2.0 * (1.0 - cardiac_index), 0.0, 1.0)
    inotropic = DOBUTAMINE_INOTROPIC_MMHG * lagged / (lagged + DOBUTAMINE_CO_EC50) * failing
    vasodilation = DOBUTAMINE_VASODILATION_MMHG * lagged / (lagged + DOBUTAMINE_VASODILATION_EC50)
    return np.asarray(inotropic - vasodilation)


def vasopressin_mmhg(lagged_u_per_min: FloatArray) -> FloatArray:
    u = lagged_u_per_min
    return np.asarray(VASOPRESSIN_EMAX_MMHG * u / (u + VASOPRESSIN_EC50_U_PER_MIN))


def epinephrine_beta(ce_epi: FloatArray) -> FloatArray:
    """Fraction (0-1) of the maximal beta effect of epinephrine."""
    return np.asarray(ce_epi / (ce_epi + EPINEPHRINE_BETA_EC50_MCG_PER_L))


def dobutamine_co(lagged: FloatArray) -> FloatArray:
    return np.asarray(DOBUTAMINE_CO_GAIN * lagged / (lagged + DOBUTAMINE_CO_EC50))


def heart_rate(
    map_mmhg: FloatArray,
    hr_base: FloatArray,
    autoreg: FloatArray,
) -> FloatArray:
    """Heart rate from MAP: reflex bradycardia above, tachycardia below; ``hr_base`` carries drugs."""
    over = np.maximum(map_mmhg - (autoreg + BARO_THRESHOLD_ABOVE_AUTOREG_MMHG), 0.0)
    under = np.maximum(autoreg - map_mmhg, 0.0)
    hr = hr_base - BARO_BRADY_BPM_PER_MMHG * over + BARO_TACHY_BPM_PER_MMHG * under
    return np.asarray(clip(hr, HR_MIN_BPM, HR_MAX_BPM))


def expansion_fraction(expansion_ml_kg: FloatArray) -> FloatArray:
    """Share (0-1) of the largest volume effect reached with ``expansion_ml_kg``: diminishing returns."""
    return np.asarray(1.0 - np.exp(-expansion_ml_kg / EXPANSION_SCALE_ML_KG))


def fluid_responsiveness(responsive: FloatArray, given_ml_kg: FloatArray) -> FloatArray:
    """How much of the next mL/kg expands the circulation (0-1): lost as fluid accumulates."""
    return np.asarray(responsive * clip(1.0 - given_ml_kg / RESPONSIVENESS_LOST_ML_KG, 0.0, 1.0))


def overload_penalty(given_ml_kg: FloatArray) -> FloatArray:
    """Share (0-0.3) of perfusion lost to fluid overload."""
    span = OVERLOAD_FULL_ML_KG - OVERLOAD_START_ML_KG
    return np.asarray(OVERLOAD_MAX_PENALTY * clip((given_ml_kg - OVERLOAD_START_ML_KG) / span, 0.0, 1.0))


def perfusion(
    map_mmhg: FloatArray,
    autoreg: FloatArray,
    cardiac_output: FloatArray,
    nee: FloatArray,
    overload: FloatArray | float = 0.0,
) -> FloatArray:
    """Perfusion index 0-1 from pressure, relative cardiac output, vasoconstriction and fluid overload."""
    pressure = clip((map_mmhg - (autoreg - PERFUSION_RANGE_MMHG)) / PERFUSION_RANGE_MMHG, 0.0, 1.0)
    span = VASOCONSTRICTION_FULL_NEE - VASOCONSTRICTION_START_NEE
    excess = clip((nee - VASOCONSTRICTION_START_NEE) / span, 0.0, 1.0)
    flow = np.minimum(cardiac_output, 1.0)
    return np.asarray(pressure * flow * (1.0 - VASOCONSTRICTION_MAX_PENALTY * excess) * (1.0 - overload))


def lactate_target(perf: FloatArray, epinephrine_beta: FloatArray | float = 0.0) -> FloatArray:
    """Lactate the patient tends to (mmol/L): hypoperfusion, plus epinephrine's beta-2 lactate."""
    hypoperfusion = LACTATE_GAIN * (1.0 - perf) ** 2
    return np.asarray(LACTATE_BASE + hypoperfusion + EPINEPHRINE_LACTATE_MMOL_PER_L * epinephrine_beta)


def urine_target(perf: FloatArray) -> FloatArray:
    frac = clip((perf - URINE_ZERO_PERFUSION) / (1.0 - URINE_ZERO_PERFUSION), 0.0, 1.0)
    return np.asarray(URINE_MAX_ML_KG_H * frac)
