"""The PK/PD model pinned to the literature values in clinical-reference.md."""

from __future__ import annotations

import numpy as np
import pytest

from norepi_gui.sim import pkpd


def test_steady_state_at_0_1_mcg_per_kg_per_min_70_kg_is_near_ensinger_range() -> None:
    # SAPS II 40 (mid Beloeil range): CL = 3 - (40-20)/40 x (3 - 0.9) = 1.95 L/min.
    # Input 0.1 x 70 = 7 mcg/min + endogenous 0.498 (Li 2024) -> Css = 7.498 / 1.95 = 3.845 mcg/L,
    # inside 3.6-4.4 mcg/L (Pulse's validation against Ensinger 1992).
    cl = float(pkpd.adult_clearance_l_per_min(40.0))
    css = float(pkpd.steady_state_concentration(7.0, pkpd.ADULT_ENDOGENOUS_MCG_PER_MIN, cl))
    assert cl == pytest.approx(1.95)
    assert css == pytest.approx(3.8451, abs=1e-3)
    assert 3.6 <= css <= 4.4


def test_clearance_follows_beloeil_anchors_and_holds_outside() -> None:
    assert float(pkpd.adult_clearance_l_per_min(20.0)) == pytest.approx(3.0)
    assert float(pkpd.adult_clearance_l_per_min(60.0)) == pytest.approx(0.9)
    assert float(pkpd.adult_clearance_l_per_min(10.0)) == pytest.approx(3.0)
    assert float(pkpd.adult_clearance_l_per_min(80.0)) == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("saps2", "expected_min"),
    [
        (20.0, 2.010),  # ln2 x 8.7 / 3.0 = 0.6931 x 2.9 = 2.010 (Beloeil: 2 min)
        (40.0, 3.092),  # ln2 x 8.7 / 1.95 = 3.092
        (60.0, 6.700),  # ln2 x 8.7 / 0.9 = 6.700 (Beloeil: 6.8 min)
    ],
)
def test_half_life_stays_within_2_to_7_minutes_across_severities(saps2: float, expected_min: float) -> None:
    t_half = pkpd.half_life_min(float(pkpd.adult_clearance_l_per_min(saps2)), pkpd.ADULT_VOLUME_L)
    assert t_half == pytest.approx(expected_min, abs=1e-3)
    assert 2.0 <= t_half <= 7.0


def test_map_rise_at_0_1_mcg_per_kg_per_min_is_within_oualha_emax() -> None:
    # C = 3.8451, C_endogenous = 0.498/1.95 = 0.25538 mcg/L, EC50 4.11, dMAP 32:
    # 32 x (3.8451/7.9551 - 0.25538/4.36538) = 32 x (0.48335 - 0.05850) = 13.595 mmHg.
    rise = pkpd.map_rise_mmhg(7.0, clearance_l_per_min=1.95, endogenous_mcg_per_min=0.498)
    assert rise == pytest.approx(13.595, abs=0.01)
    assert 0.0 < rise < pkpd.DMAP_MMHG


def test_four_organ_failures_cap_the_rise_at_the_lower_emax() -> None:
    # Same concentrations with dMAP 12: 12 x 0.42485 = 5.098 mmHg.
    dmap = float(pkpd.typical_dmap_mmhg(4))
    rise = pkpd.map_rise_mmhg(7.0, clearance_l_per_min=1.95, endogenous_mcg_per_min=0.498, dmap=dmap)
    assert dmap == 12.0
    assert float(pkpd.typical_dmap_mmhg(3)) == 32.0
    assert rise == pytest.approx(5.098, abs=0.01)


def test_pediatric_pk_follows_oualha_allometry_for_20_kg() -> None:
    # 20^0.75 = 9.4574; CL = 6.6 x 9.4574 / 60 = 1.0403 L/min; V = 0.08 x 20 = 1.6 L;
    # endogenous = 3.12 x 9.4574 / 60 = 0.4918 mcg/min.
    assert float(pkpd.pediatric_clearance_l_per_min(20.0)) == pytest.approx(1.0403, abs=1e-4)
    assert float(pkpd.pediatric_volume_l(20.0)) == pytest.approx(1.6)
    assert float(pkpd.pediatric_endogenous_mcg_per_min(20.0)) == pytest.approx(0.4918, abs=1e-4)


def test_exact_update_matches_fine_numerical_integration() -> None:
    c0, ce0, css, k, ke0, tau = 1.0, 0.5, 4.0, 0.224, 1.0, 3.0
    c, ce = pkpd.propagate(np.array(c0), np.array(ce0), np.array(css), np.array(k), np.array(ke0), np.array(tau))
    h = 1e-4
    x, y = c0, ce0
    for _ in range(int(tau / h)):  # midpoint (RK2) steps
        xm = x + 0.5 * h * k * (css - x)
        ym = y + 0.5 * h * ke0 * (x - y)
        x, y = x + h * k * (css - xm), y + h * ke0 * (xm - ym)
    assert float(c) == pytest.approx(x, abs=1e-6)
    assert float(ce) == pytest.approx(y, abs=1e-6)


def test_lag_kernel_uses_the_limit_when_rates_coincide() -> None:
    # ke0 x tau x exp(-k tau) = 1 x 2 x exp(-2) = 0.27067
    g = pkpd.lag_kernel(np.array(1.0), np.array(1.0), np.array(2.0))
    assert float(g) == pytest.approx(0.27067, abs=1e-5)
    near = pkpd.lag_kernel(np.array(1.0 + 1e-7), np.array(1.0), np.array(2.0))
    assert float(near) == pytest.approx(0.27067, abs=1e-5)
