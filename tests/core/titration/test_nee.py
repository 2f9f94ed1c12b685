"""Norepinephrine equivalents (NEE-SUM), shown beside the NE dose."""

from __future__ import annotations

import pytest

from norepi_gui.core.titration import CoInfusions
from norepi_gui.core.titration.nee import norepinephrine_equivalents
from tests.core.titration._support import r, run


def test_nee_adds_every_vasopressor_with_its_factor() -> None:
    co = CoInfusions(vasopressin_u_per_min=0.04, epinephrine_mcg_per_kg_per_min=0.05,
                     phenylephrine_mcg_per_kg_per_min=1.0, dopamine_mcg_per_kg_per_min=5.0,
                     metaraminol_mcg_per_kg_per_min=0.8, angiotensin_ii_mcg_per_kg_per_min=0.002)
    # 0.1 + 0.05 + 1.0/10 + 5/100 + 0.8/8 + 0.04 x 2.5 + 0.002 x 10 = 0.1+0.05+0.1+0.05+0.1+0.1+0.02 = 0.52
    assert norepinephrine_equivalents(0.1, co) == pytest.approx(0.52)


def test_nee_shown_beside_the_dose_when_vasopressin_runs() -> None:
    a = run([r(0, 70, 0.25)], co=CoInfusions(vasopressin_u_per_min=0.03))
    assert a.nee_mcg_per_kg_per_min == pytest.approx(0.325)  # 0.25 + 0.03 x 2.5
    assert "NEE 0.325" in a.rationale and "NEE-SUM" in a.rules
    alone = run([r(0, 70, 0.25)])
    assert alone.nee_mcg_per_kg_per_min == pytest.approx(0.25) and "NEE" not in alone.rationale
