"""The patient's MAP target band and the reason for it (rules TGT-*)."""

from __future__ import annotations

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.model import PatientInfo, Reading, Target


def choose_target(patient: PatientInfo, protocol: Protocol) -> Target:
    """Individual target > chronic hypertension > age >= 65 > default."""
    t = protocol.targets
    ceiling = None
    if patient.chronic_hypertension and patient.baseline_sbp_mmhg is not None:
        # Label: raise SBP no higher than baseline_sbp_max_drop_mmhg below the pre-existing systolic [seed 002; U].
        ceiling = patient.baseline_sbp_mmhg - t.baseline_sbp_max_drop_mmhg
    band = protocol.cite("targets.band_above_mmhg", f"+{t.band_above_mmhg:g} mmHg")
    if patient.target_map_mmhg is not None:
        m = patient.target_map_mmhg
        return Target(m, m + t.band_above_mmhg, f"individual target {m:g} set by the clinician, band {band}",
                      rid.TGT_INDIVIDUAL, ceiling)
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
    return Target(m, m + t.band_above_mmhg, f"default target MAP {m:g}, band {band}", rid.TGT_DEFAULT)


def check_target(patient: PatientInfo, protocol: Protocol) -> None:
    """Refuse an individual target outside targets.individual_min_mmhg..individual_max_mmhg, naming the field."""
    m = patient.target_map_mmhg
    t = protocol.targets
    if m is not None and not t.individual_min_mmhg <= m <= t.individual_max_mmhg:
        raise InputError("target", f"{m:g} mmHg is outside the accepted range",
                         protocol.cite("targets.individual_min_mmhg",
                                       f"{t.individual_min_mmhg:g} to {t.individual_max_mmhg:g} mmHg"))


def needs_written_target(patient: PatientInfo) -> bool:
    """A child without a written target gets no adult target and no titration step (rule TGT-PEDIATRIC-REVIEW)."""
    return patient.population is Population.PEDIATRIC and patient.target_map_mmhg is None


def child_target_alert() -> Alert:
    return Alert("CHILD_TARGET_NEEDED", Priority.HIGH,
                 "No MAP target for this child: enter the child's MAP target (the protocol has no paediatric "
                 "default, and the adult one is not used). No titration step until then.")


def target_alerts(target: Target, latest: Reading, protocol: Protocol) -> tuple[list[Alert], list[str]]:
    alerts: list[Alert] = []
    fired: list[str] = []
    ceiling, sbp = target.sbp_ceiling_mmhg, latest.sbp_mmhg
    if ceiling is not None and sbp is not None and sbp > ceiling:
        fired.append(rid.TGT_BASELINE_SBP)
        drop = protocol.cite("targets.baseline_sbp_max_drop_mmhg",
                             f"{protocol.targets.baseline_sbp_max_drop_mmhg:g} mmHg")
        alerts.append(Alert("SBP_ABOVE_BASELINE_LIMIT", Priority.LOW,
                            f"SBP {sbp:g} is above {ceiling:g} (baseline minus {drop}, label): consider weaning."))
    return alerts, fired
