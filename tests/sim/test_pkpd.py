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


# Typical adult at SAPS II 40: CL 1.95 L/min; EC50 8 x (40/8)^0.5 = 8 x 2.23607 = 17.8885 mcg/L;
# dMAP 60 + (40 - 60) x 0.5 = 50 mmHg; endogenous C0 = 0.498/1.95 = 0.25538, C0/(C0 + EC50) = 0.014076.
CL_40, EC50_40, DMAP_40 = 1.95, 17.8885, 50.0


def _rise(dose: float, cl: float, ec50: float, dmap: float) -> float:
    return pkpd.map_rise_mmhg(dose * 70.0, clearance_l_per_min=cl, endogenous_mcg_per_min=0.498, ec50=ec50,
                              dmap=dmap)


def test_adult_parameters_follow_severity() -> None:
    assert float(pkpd.adult_ec50_mcg_per_l(20.0)) == pytest.approx(8.0)
    assert float(pkpd.adult_ec50_mcg_per_l(40.0)) == pytest.approx(EC50_40, abs=1e-4)
    assert float(pkpd.adult_ec50_mcg_per_l(60.0)) == pytest.approx(40.0)
    assert float(pkpd.adult_dmap_mmhg(20.0, 2)) == pytest.approx(60.0)
    assert float(pkpd.adult_dmap_mmhg(40.0, 2)) == pytest.approx(DMAP_40)
    assert float(pkpd.adult_dmap_mmhg(60.0, 2)) == pytest.approx(40.0)


def test_typical_adult_reaches_map_65_within_0_1_to_0_5_and_gains_above_0_5() -> None:
    # 0.1: C = 7.498/1.95 = 3.84513; 50 x (3.84513/21.73367 - 0.014076) = 50 x (0.176920 - 0.014076) = 8.142
    # 0.5: C = 35.498/1.95 = 18.2041; 50 x (18.2041/36.0926 - 0.014076) = 50 x (0.504370 - 0.014076) = 24.515
    # 1.0: C = 70.498/1.95 = 36.1528; 50 x (36.1528/54.0413 - 0.014076) = 50 x (0.668985 - 0.014076) = 32.745
    assert _rise(0.1, CL_40, EC50_40, DMAP_40) == pytest.approx(8.142, abs=0.01)
    assert _rise(0.5, CL_40, EC50_40, DMAP_40) == pytest.approx(24.515, abs=0.01)
    assert _rise(1.0, CL_40, EC50_40, DMAP_40) == pytest.approx(32.745, abs=0.01)
    # From MAP0 50, MAP 65 needs +15 mmHg: C/(C + EC50) = 15/50 + 0.014076 = 0.314076 -> C = 17.8885 x
    # 0.314076/0.685924 = 8.19092 mcg/L -> dose (8.19092 x 1.95 - 0.498)/70 = 0.2211 mcg/kg/min: inside 0.1-0.5
    # [seed 000]; and 0.5 -> 1.0 still adds 32.745 - 24.515 = 8.2 mmHg (the paediatric model gave 2.7).
    assert _rise(0.2211, CL_40, EC50_40, DMAP_40) == pytest.approx(15.0, abs=0.01)


def test_sicker_adults_need_more_drug_for_the_same_rise() -> None:
    # +15 mmHg. SAPS II 20 (CL 3, EC50 8, dMAP 60): C0 = 0.166, C0/(C0 + 8) = 0.020328; f = 0.25 + 0.020328 =
    #   0.270328 -> C = 8 x 0.270328/0.729672 = 2.96384 -> dose (2.96384 x 3 - 0.498)/70 = 0.1199.
    # SAPS II 60 (CL 0.9, EC50 40, dMAP 40): C0 = 0.553333, C0/(C0 + 40) = 0.013644; f = 0.375 + 0.013644 =
    #   0.388644 -> C = 40 x 0.388644/0.611356 = 25.4282 -> dose (25.4282 x 0.9 - 0.498)/70 = 0.3198.
    # (The paediatric Emax, EC50 4.11 and dMAP 32 for everyone, gave the reverse: 0.174 at 20, 0.068 at 60.)
    assert _rise(0.1199, 3.0, 8.0, 60.0) == pytest.approx(15.0, abs=0.01)
    assert _rise(0.3198, 0.9, 40.0, 40.0) == pytest.approx(15.0, abs=0.01)
    for saps2, dose in ((20.0, 0.1199), (60.0, 0.3198)):
        cl = float(pkpd.adult_clearance_l_per_min(saps2))
        rise = _rise(dose, cl, float(pkpd.adult_ec50_mcg_per_l(saps2)), float(pkpd.adult_dmap_mmhg(saps2, 2)))
        assert rise == pytest.approx(15.0, abs=0.01)


def test_adult_response_falls_gradually_with_organ_failures() -> None:
    # dMAP at SAPS II 40: 50 x (1 - 0.1 x max(OF - 2, 0)): 50, 50, 45, 40, 35 for 1-5 failing organs, no cliff
    got = [float(pkpd.adult_dmap_mmhg(40.0, of)) for of in (1, 2, 3, 4, 5)]
    assert got == pytest.approx([50.0, 50.0, 45.0, 40.0, 35.0])


def test_children_keep_oualha_emax() -> None:
    # C = 3.8451, C_endogenous = 0.498/1.95 = 0.25538 mcg/L, EC50 4.11, dMAP 32:
    # 32 x (3.8451/7.9551 - 0.25538/4.36538) = 32 x (0.48335 - 0.05850) = 13.595 mmHg; dMAP 12: 12 x 0.42485 = 5.098.
    assert _rise(0.1, 1.95, pkpd.PEDIATRIC_EC50_MCG_PER_L, 32.0) == pytest.approx(13.595, abs=0.01)
    assert float(pkpd.pediatric_dmap_mmhg(3)) == 32.0
    assert float(pkpd.pediatric_dmap_mmhg(4)) == 12.0
    assert _rise(0.1, 1.95, 4.11, 12.0) == pytest.approx(5.098, abs=0.01)


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
