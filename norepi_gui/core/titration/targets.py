"""The patient's MAP target band and the reason for it (rules TGT-*)."""

from __future__ import annotations

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.model import PatientInfo, Reading, Target


def choose_target(patient: PatientInfo, protocol: Protocol) -> Target:
    """Individual target > chronic hypertension > age >= 65 > default."""
    t = protocol.targets
    ceiling = None
    if patient.chronic_hypertension and patient.baseline_sbp_mmhg is not None:
        # Label: raise SBP no higher than 40 mmHg below the pre-existing systolic [seed 002; U].
        ceiling = patient.baseline_sbp_mmhg - t.baseline_sbp_max_drop_mmhg
    if patient.target_map_mmhg is not None:
        m = patient.target_map_mmhg
        return Target(m, m + t.band_above_mmhg, f"individual target {m:g} set by the clinician", rid.TGT_INDIVIDUAL,
                      ceiling)
    if patient.chronic_hypertension:
        m = t.chronic_hypertension_map
        return Target(m, m + t.chronic_hypertension_band_above_mmhg,
                      f"chronic hypertension: higher target {m:g} (SEPSISPAM: less renal replacement therapy)",
                      rid.TGT_CHRONIC_HTN, ceiling)
    if patient.age_years is not None and patient.age_years >= t.elderly_min_age:
        m = t.elderly_map
        return Target(m, m + t.elderly_band_above_mmhg,
                      f"age {patient.age_years:g} >= {t.elderly_min_age:g}: permissive target {m:g} (65 trial)",
                      rid.TGT_AGE_65)
    m = t.default_map
    return Target(m, m + t.band_above_mmhg, f"default target MAP {m:g}", rid.TGT_DEFAULT)


def target_alerts(patient: PatientInfo, target: Target, latest: Reading) -> tuple[list[Alert], list[str]]:
    alerts: list[Alert] = []
    fired: list[str] = []
    if patient.population is Population.PEDIATRIC and patient.target_map_mmhg is None:
        fired.append(rid.TGT_PEDIATRIC_REVIEW)
        alerts.append(Alert("TARGET_NEEDS_REVIEW", Priority.MEDIUM,
                            f"No paediatric MAP target in the protocol: the adult {target.map_mmhg:g} is used; "
                            "set this child's target."))
    ceiling, sbp = target.sbp_ceiling_mmhg, latest.sbp_mmhg
    if ceiling is not None and sbp is not None and sbp > ceiling:
        fired.append(rid.TGT_BASELINE_SBP)
        alerts.append(Alert("SBP_ABOVE_BASELINE_LIMIT", Priority.LOW,
                            f"SBP {sbp:g} is above {ceiling:g} (baseline minus 40 mmHg, "
                            "label): consider weaning."))
    return alerts, fired
