"""Norepinephrine equivalents (NEE): the combined vasopressor load in mcg/kg/min of norepinephrine (rule NEE-SUM).

NEE = NE + epinephrine + phenylephrine/10 + dopamine/100 + metaraminol/8 + vasopressin (U/min) x 2.5
      + angiotensin II (mcg/kg/min) x 10
(Goradia 2021, as implemented in MIT-LCP mimic-code [S], clinical-reference "Norepinephrine equivalents").
"""

from __future__ import annotations

from norepi_gui.core.titration.model import CoInfusions

PHENYLEPHRINE_DIVISOR = 10.0
DOPAMINE_DIVISOR = 100.0
METARAMINOL_DIVISOR = 8.0
VASOPRESSIN_FACTOR = 2.5  # per U/min
ANGIOTENSIN_II_FACTOR = 10.0  # per mcg/kg/min


def norepinephrine_equivalents(ne_mcg_per_kg_per_min: float, co: CoInfusions) -> float:
    return (
        ne_mcg_per_kg_per_min
        + co.epinephrine_mcg_per_kg_per_min
        + co.phenylephrine_mcg_per_kg_per_min / PHENYLEPHRINE_DIVISOR
        + co.dopamine_mcg_per_kg_per_min / DOPAMINE_DIVISOR
        + co.metaraminol_mcg_per_kg_per_min / METARAMINOL_DIVISOR
        + co.vasopressin_u_per_min * VASOPRESSIN_FACTOR
        + co.angiotensin_ii_mcg_per_kg_per_min * ANGIOTENSIN_II_FACTOR
    )


def has_other_vasopressor(co: CoInfusions) -> bool:
    return (co.epinephrine_mcg_per_kg_per_min > 0 or co.phenylephrine_mcg_per_kg_per_min > 0
            or co.dopamine_mcg_per_kg_per_min > 0 or co.metaraminol_mcg_per_kg_per_min > 0
            or co.vasopressin_u_per_min > 0 or co.angiotensin_ii_mcg_per_kg_per_min > 0)
