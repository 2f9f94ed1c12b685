"""Upper bounds of the numbers typed into the window: no field takes 1e300 (or a number a calculation cannot hold).

These are plausibility bounds for typed input, not clinical limits (those are the protocol's, e.g. its hard maximum
dose, and apply on top). Each is the largest value the protocol schema lets any protocol configure for the same
quantity (the ranges in :mod:`norepi_gui.core.protocol`), or the engine's own bound for typed input
(:mod:`norepi_gui.core.titration.model`) where the schema has none.
"""

from __future__ import annotations

from norepi_gui.core.protocol import Concentrations, Escalation, PopulationLimits, Pump


def _schema_top(cls: type, name: str) -> float:
    return float(cls.__dataclass_fields__[name].metadata["range"][1])  # type: ignore[attr-defined]


#: populations.*.hard_max_dose accepts up to 20 mcg/kg/min (the engine's ne_dose bound is the same).
DOSE_MAX_MCG_PER_KG_PER_MIN = _schema_top(PopulationLimits, "hard_max_dose")
#: populations.*.flat_hard_max_mcg_per_min accepts up to 2000 mcg/min.
DOSE_MAX_MCG_PER_MIN = _schema_top(PopulationLimits, "flat_hard_max_mcg_per_min")
#: pump.max_rate_ml_per_h accepts up to 9999 mL/h.
RATE_MAX_ML_PER_H = _schema_top(Pump, "max_rate_ml_per_h")
#: The engine takes a bag volume left of up to 10000 mL (bag-volume-left in core/titration/model.py).
BAG_MAX_ML = 10000.0
#: The most drug a bag can hold: concentrations.max_mcg_per_ml accepts up to 10000 mcg/mL, times BAG_MAX_ML,
#: 1e8 mcg = 100000 mg.
DRUG_AMOUNT_MAX_MG = _schema_top(Concentrations, "max_mcg_per_ml") * BAG_MAX_ML / 1000.0
#: populations.*.weight_max_kg accepts up to 700 kg (the engine's weight bound is the same).
WEIGHT_MAX_KG = _schema_top(PopulationLimits, "weight_max_kg")
#: Co-infusions the engine does not bound itself: escalation.hydrocortisone_mg_per_day accepts up to 1000 mg/day.
CO_INFUSION_MAXIMA: dict[str, tuple[float, str]] = {
    "hydrocortisone": (_schema_top(Escalation, "hydrocortisone_mg_per_day"), "mg/day"),
}
