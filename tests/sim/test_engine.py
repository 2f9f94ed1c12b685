"""The vectorised engine: exact concentrations, co-infusions, derived signals, events, measurement."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from norepi_gui.sim.engine import Setting, SimConfig, VirtualPatients
from norepi_gui.sim.events import FLUSH_READING_MMHG, Event
from norepi_gui.sim.patient import PatientSpec, baseline_map0, default_population, sample_patients
from tests.sim.helpers import QUIET, STABLE, make_sim

# Typical adult (SAPS II 40): CL 1.95 L/min, V 8.7 L, endogenous 0.498 mcg/min, EC50 17.8885 mcg/L, dMAP 50 mmHg.
CSS_0_1 = 3.8451  # (0.1 x 70 + 0.498) / 1.95 mcg/L
RISE_0_1 = 8.142  # mmHg, see test_pkpd


def test_plasma_concentration_reaches_steady_state_in_about_five_half_lives(quiet_sim: VirtualPatients) -> None:
    quiet_sim.advance_to(60.0)
    assert float(quiet_sim.c[0]) == pytest.approx(CSS_0_1, abs=1e-3)
    assert float(quiet_sim.true_map[0]) == pytest.approx(50.0 + RISE_0_1, abs=0.05)


def test_effect_starts_within_two_minutes_and_is_complete_by_thirty(quiet_sim: VirtualPatients) -> None:
    quiet_sim.advance_to(30.0)
    rise = quiet_sim.rec_true_map[0].astype(float) - 50.0  # 1 s samples
    assert rise[0] == pytest.approx(0.0, abs=1e-6)
    assert rise[120] > 1.0  # visible at 2 min
    assert rise[120] < 0.5 * RISE_0_1  # but not yet half: effect-site lag
    assert rise[-1] > 0.95 * RISE_0_1


def test_stepping_many_blocks_at_once_equals_block_by_block() -> None:
    a = make_sim(config=SimConfig(record_every_s=1.0))
    b = make_sim(config=SimConfig(record_every_s=1.0))
    assert a.advance_blocks(15) == 15
    for _ in range(15):
        b.advance_block()
    np.testing.assert_allclose(a.rec_true_map, b.rec_true_map, rtol=0, atol=1e-4)
    np.testing.assert_allclose(a.rec_lactate, b.rec_lactate, rtol=1e-9)
    assert a.c[0] == pytest.approx(b.c[0], rel=1e-12)


def test_same_seed_gives_identical_runs_and_another_seed_differs() -> None:
    def run(seed: int) -> tuple[np.ndarray, np.ndarray]:
        params = default_population(5, np.random.default_rng(seed))
        sim = VirtualPatients(params, Setting(), np.random.default_rng(seed + 100))
        sim.advance_to(120.0)
        return sim.rec_true_map.copy(), sim.meas_map.copy()

    m1, s1 = run(7)
    m2, s2 = run(7)
    m3, _ = run(8)
    assert np.array_equal(m1, m2)
    assert np.array_equal(s1, s2)
    assert not np.array_equal(m1, m3)


def test_population_arrays_have_one_row_per_patient() -> None:
    params = default_population(40, np.random.default_rng(1))
    sim = VirtualPatients(params, Setting(), np.random.default_rng(2))
    sim.advance_to(30.0)
    assert sim.rec_true_map.shape == (40, 30 * 6)  # 10 s recording over 30 min
    assert sim.rec_lactate.shape == (40, 30)
    assert np.all(np.isfinite(sim.rec_true_map))


def test_dose_is_per_kilogram_times_weight() -> None:
    heavy = make_sim(replace(STABLE, weight_kg=100.0))
    heavy.advance_to(60.0)
    # (0.1 x 100 + 0.498) / 1.95 = 5.3836 mcg/L
    assert float(heavy.c[0]) == pytest.approx(5.3836, abs=1e-3)


def test_empty_bag_stops_delivery_and_a_new_bag_restarts_it() -> None:
    # 0.1 mcg/kg/min x 70 kg / 16 mcg/mL = 0.4375 mL/min: 2 mL lasts 4.57 min.
    sim = make_sim(setting=Setting(bag_remaining_ml=2.0, at_steady_state=True))
    sim.advance_to(60.0)
    assert float(sim.bag_remaining_ml[0]) == 0.0
    assert not bool(sim.pump_running[0])
    assert float(sim.c[0]) == pytest.approx(0.498 / 1.95, abs=1e-3)  # back to endogenous
    sim.change_bag(0)
    sim.advance_to(120.0)
    assert float(sim.c[0]) == pytest.approx(CSS_0_1, abs=1e-3)
    # 250 mL minus 60 min x 0.4375 mL/min = 223.75 mL
    assert float(sim.bag_remaining_ml[0]) == pytest.approx(223.75, abs=1e-6)


def test_extravasation_delivers_a_fraction_until_the_line_is_resited() -> None:
    sim = make_sim(setting=Setting(at_steady_state=True))
    sim.schedule(Event("extravasation", at_min=10.0, fraction=0.3))
    sim.advance_to(70.0)
    assert bool(sim.site_alert[0])
    # (0.3 x 7 + 0.498) / 1.95 = 1.3323 mcg/L
    assert float(sim.c[0]) == pytest.approx(1.3323, abs=1e-3)
    sim.resite_line(0)
    sim.advance_to(130.0)
    assert float(sim.c[0]) == pytest.approx(CSS_0_1, abs=1e-3)


def test_vasopressin_adds_pressure_so_less_norepinephrine_is_needed() -> None:
    base = make_sim()
    vaso = make_sim()
    vaso.set_doses(0, vasopressin=0.03)
    base.advance_to(90.0)
    vaso.advance_to(90.0)
    # 12.74 x 0.03 / (0.03 + 0.03) = 6.37 mmHg once the 10 min lag has passed (exp(-9) ~ 1e-4): what
    # 0.075 mcg/kg/min norepinephrine gives (NEE factor 2.5, Goradia 2021 [S]; see physiology.py)
    assert float(vaso.true_map[0] - base.true_map[0]) == pytest.approx(6.37, abs=0.05)
    # Lower NE + vasopressin reaches more than a higher NE dose alone: 0.05 gives C = 3.998/1.95 = 2.05026,
    # 50 x (2.05026/19.93876 - 0.014076) = 4.44, + 6.37 = 10.81 mmHg against 8.14 on 0.1 alone.
    spared = make_sim()
    spared.set_doses(0, ne=0.05, vasopressin=0.03)
    alone = make_sim()
    alone.set_doses(0, ne=0.1)
    spared.advance_to(90.0)
    alone.advance_to(90.0)
    assert float(spared.true_map[0]) > float(alone.true_map[0])


def test_epinephrine_raises_heart_rate_more_than_norepinephrine() -> None:
    ne = make_sim()
    ne.set_doses(0, ne=0.2)
    epi = make_sim()
    epi.set_doses(0, ne=0.1, epinephrine=0.1)
    ne.advance_to(60.0)
    epi.advance_to(60.0)
    assert float(epi.hr[0]) > float(ne.hr[0]) + 5.0
    assert float(epi.true_map[0]) == pytest.approx(float(ne.true_map[0]), abs=8.0)


def test_dobutamine_raises_perfusion_more_than_map() -> None:
    weak_heart = replace(STABLE, cardiac_index=0.5, map0_start_mmhg=60.0, map0_nadir_mmhg=60.0)
    off = make_sim(weak_heart)
    on = make_sim(weak_heart)
    on.set_doses(0, dobutamine=5.0)
    off.advance_to(60.0)
    on.advance_to(60.0)
    # Cardiac output 0.5 x (1 + 0.7 x 5/10) = 0.675 vs 0.5: perfusion +35 %. MAP: inotropic 10 x 5/10 x
    # min(2 x (1 - 0.5), 1) = +5, vasodilation 8 x 5/15 = -2.667: +2.33 mmHg.
    assert float(on.perfusion[0]) / float(off.perfusion[0]) == pytest.approx(1.35, abs=0.01)
    assert float(on.true_map[0] - off.true_map[0]) == pytest.approx(2.333, abs=0.01)


def test_dobutamine_lowers_map_in_a_heart_with_normal_output() -> None:
    off, on = make_sim(), make_sim()
    on.set_doses(0, dobutamine=10.0)
    off.advance_to(60.0)
    on.advance_to(60.0)
    # Cardiac index 1: no inotropic pressure (2 x (1 - 1) = 0); vasodilation 8 x 10/20 = -4 mmHg
    assert float(on.true_map[0] - off.true_map[0]) == pytest.approx(-4.0, abs=0.01)


def test_epinephrine_raises_lactate_without_hypoperfusion() -> None:
    well = replace(STABLE, map0_start_mmhg=70.0, map0_nadir_mmhg=70.0)  # MAP above 65 whatever the drug: perfusion 1
    ne, epi = make_sim(well), make_sim(well)
    epi.set_doses(0, ne=0.0, epinephrine=0.1)
    ne.advance_to(360.0)
    epi.advance_to(360.0)
    assert float(ne.perfusion[0]) == float(epi.perfusion[0]) == 1.0
    # Epinephrine C = 0.1 x 70 / 1.95 = 3.58974 mcg/L, beta = 3.58974/7.69974 = 0.466190: lactate tends to
    # 1 + 4 x 0.466190 = 2.8648 (from 2.0, rising with 30 min: there by 6 h). Norepinephrine: 1 + (2 - 1) e^(-360/120)
    # = 1.0498 (falling with 120 min).
    assert float(epi.lactate[0]) == pytest.approx(2.8648, abs=0.005)
    assert float(ne.lactate[0]) == pytest.approx(1.0498, abs=0.005)


def test_a_childs_vasopressin_acts_per_kilogram() -> None:
    child = PatientSpec(population="pediatric", weight_kg=20.0, iiv_scale=0.0, map0_start_mmhg=45.0,
                        map0_nadir_mmhg=45.0, nadir_at_min=0.0, plateau_min=1e9)
    setting = Setting(population="pediatric")
    base, adult_dose, per_kg = make_sim(child, setting), make_sim(child, setting), make_sim(child, setting)
    adult_dose.set_doses(0, vasopressin=0.03)  # an adult's flat dose
    per_kg.set_doses(0, vasopressin=0.0005 * 20.0)  # 0.0005 U/kg/min
    for sim in (base, adult_dose, per_kg):
        sim.advance_to(120.0)
    # 0.03 U/min in 20 kg acts as 0.03 x 70/20 = 0.105 U/min in 70 kg: 12.74 x 0.105/0.135 = 9.909 mmHg (an adult
    # gets 6.37); 0.01 U/min acts as 0.035: 12.74 x 0.035/0.065 = 6.860 mmHg.
    assert float(adult_dose.true_map[0] - base.true_map[0]) == pytest.approx(9.909, abs=0.01)
    assert float(per_kg.true_map[0] - base.true_map[0]) == pytest.approx(6.860, abs=0.01)


def test_a_bolus_acts_over_its_infusion_time_in_a_responder_only() -> None:
    responder = make_sim()
    non = make_sim(replace(STABLE, fluid_responsive=False))
    for sim in (responder, non):
        sim.advance_to(60.0)
        sim.give_fluid(0, 500.0)  # 500 mL at 500 mL per 15 min: 7.142857 mL/kg, 0.476190 mL/kg each minute
        sim.advance_to(76.0)
    before = 50.0 + RISE_0_1
    r, nr = responder.rec_true_map[0].astype(float), non.rec_true_map[0].astype(float)  # index 60 x t
    # After 1 min: expansion 0.476190 x 60 (1 - e^(-1/60)) = 0.472244 mL/kg -> 10 (1 - e^-0.0472244) = 0.461 mmHg.
    assert r[61 * 60] - before == pytest.approx(0.461, abs=0.005)
    # After 15 min: x = sum over minutes j = 0..14 of 0.476190 (1 - 0.476190 j / 30) x 0.991735 x e^(-(14 - j)/60)
    # = 5.5866 mL/kg (responsiveness falls as the fluid goes in) -> 10 (1 - e^-0.55866) = 4.280 mmHg.
    assert r[75 * 60] - before == pytest.approx(4.280, abs=0.005)
    assert np.allclose(nr[60 * 60 :], before, atol=1e-4)  # a non-responder's MAP does not move


def test_fluid_has_diminishing_returns_and_fades() -> None:
    control, small, large = make_sim(), make_sim(), make_sim()
    small.give_fluid(0, 500.0)
    large.give_fluid(0, 2000.0)  # 28.571 mL/kg over 60 min: responsiveness nearly used up by the end
    for sim in (control, small, large):
        sim.advance_to(300.0)
    base = control.rec_true_map[0].astype(float)
    rise_small = float(np.max(small.rec_true_map[0] - base))
    rise_large = float(np.max(large.rec_true_map[0] - base))
    # 500 mL: 4.28 mmHg at 15 min (above). 2 L: the same sum with 0.476190 mL/kg/min x (1 - given/30) peaks when
    # the shrinking input no longer outweighs the loss, at 43 min: 9.1547 mL/kg -> 10 (1 - e^-0.91547) = 6.00 mmHg:
    # four times the fluid, 1.4 times the pressure (the old linear model: 2 L = +17 mmHg at once).
    assert rise_small == pytest.approx(4.28, abs=0.02)
    assert rise_large == pytest.approx(6.00, abs=0.02)
    # 4 h after the small bolus: 5.5866 x e^-4 = 0.1023 mL/kg left -> 0.10 mmHg: transitory [seed 001]
    assert float(small.true_map[0] - control.true_map[0]) < 0.11


def test_fluid_beyond_30_ml_per_kg_overloads_and_lowers_perfusion() -> None:
    control = make_sim(replace(STABLE, fluid_responsive=False))
    flooded = make_sim(replace(STABLE, fluid_responsive=False))
    flooded.give_fluid(0, 4000.0, duration_min=120.0)  # 57.143 mL/kg
    control.advance_to(121.0)
    flooded.advance_to(121.0)
    # Same MAP and cardiac output (a non-responder); overload 0.3 x (57.143 - 30)/30 = 0.2714 of perfusion lost
    assert float(flooded.true_map[0]) == pytest.approx(float(control.true_map[0]), abs=1e-6)
    assert float(flooded.fluid_given[0]) == pytest.approx(57.143, abs=1e-3)
    assert float(flooded.perfusion[0]) / float(control.perfusion[0]) == pytest.approx(1.0 - 0.2714, abs=1e-3)


def test_overshoot_causes_reflex_bradycardia() -> None:
    sim = make_sim(replace(STABLE, map0_start_mmhg=80.0, map0_nadir_mmhg=80.0, hr_bpm=90.0))
    sim.set_doses(0, ne=0.3)
    sim.advance_to(60.0)
    # C = (21 + 0.498)/1.95 = 11.025; rise = 50 x (11.025/28.9135 - 0.014076) = 50 x (0.381310 - 0.014076)
    # = 18.362 -> MAP 98.36; HR = 90 - 1.0 x (98.36 - 85) = 76.64 bpm
    assert float(sim.true_map[0]) == pytest.approx(98.36, abs=0.05)
    assert float(sim.hr[0]) == pytest.approx(76.64, abs=0.1)


def test_lactate_rises_and_urine_falls_over_tens_of_minutes_with_hypoperfusion() -> None:
    sim = make_sim(replace(STABLE, map0_start_mmhg=45.0, map0_nadir_mmhg=45.0))
    sim.set_doses(0, ne=0.0)
    sim.advance_to(120.0)
    lac = sim.rec_lactate[0]
    uo = sim.rec_urine[0]
    # MAP 45: perfusion (45 - 40)/25 = 0.2; lactate target 1 + 12 x 0.8^2 = 8.68, tau 30 min
    assert lac[9] < 2.0 + (8.68 - 2.0) * 0.35  # after 10 min: 1 - exp(-1/3) = 28 % of the way
    assert lac[119] == pytest.approx(8.68 + (2.0 - 8.68) * math.exp(-4.0), abs=0.05)
    assert uo[119] < 0.05  # target 0 below perfusion 0.3


def test_map_drop_event_lowers_map_and_recovers_with_its_time_constant() -> None:
    sim = make_sim(setting=Setting(at_steady_state=True))
    sim.schedule(Event("map_drop", at_min=30.0, mmhg=10.0, recovery_tau_min=60.0))
    sim.advance_to(30.0)
    before = float(sim.true_map[0])
    sim.advance_to(90.0)
    # 10 x exp(-60/60) = 3.68 mmHg still missing after 60 min (sampled 1 s before 90 min)
    assert before - float(sim.true_map[0]) == pytest.approx(3.68, abs=0.05)


def test_instructor_injection_fires_now() -> None:
    sim = make_sim(setting=Setting(at_steady_state=True))
    sim.advance_to(20.0)
    before = float(sim.true_map[0])
    sim.inject(Event("map_drop", at_min=999.0, mmhg=15.0))
    sim.advance_to(21.0)
    assert before - float(sim.true_map[0]) == pytest.approx(15.0, abs=0.05)


def test_bleeding_lowers_map_raises_heart_rate_and_fluid_refills() -> None:
    sim = make_sim(setting=Setting(at_steady_state=True))
    sim.schedule(Event("bleeding", at_min=10.0, ml_per_min=35.0, duration_min=20.0))
    sim.advance_to(10.0)
    map0, hr0 = float(sim.true_map[0]), float(sim.hr[0])
    sim.advance_to(40.0)
    # 35 x 20 = 700 mL / 70 kg = 10 mL/kg: MAP -10 mmHg; HR +1.5 x 10 = +15 bpm from the deficit
    # and +0.5 x 10 = +5 bpm baroreflex (MAP 63.6 -> 53.6, below the 65 mmHg autoregulation limit)
    assert map0 - float(sim.true_map[0]) == pytest.approx(10.0, abs=0.05)
    assert float(sim.hr[0]) - hr0 == pytest.approx(20.0, abs=0.5)
    sim.give_fluid(0, 700.0)  # 10 mL/kg over 21 min (500 mL per 15 min): all of it refills the deficit
    sim.advance_to(41.0)
    assert map0 - float(sim.true_map[0]) == pytest.approx(10.0 - 0.476190, abs=0.05)  # one minute's worth back
    sim.advance_to(62.0)
    assert float(sim.true_map[0]) == pytest.approx(map0, abs=0.05)
    assert float(sim.expansion[0]) == pytest.approx(0.0, abs=1e-9)


def test_damped_line_reads_low_with_narrow_pulse_pressure_and_flush_clears_it() -> None:
    sim = make_sim(setting=Setting(at_steady_state=True))
    sim.schedule(Event("damped_line", at_min=5.0))
    sim.advance_to(10.0)
    assert float(sim.meas_map[0]) == pytest.approx(float(sim.true_map[0]) - 3.0, abs=0.1)
    assert float(sim.meas_sbp[0] - sim.meas_dbp[0]) == pytest.approx(45.0 * 0.35)
    sim.flush_line(0)
    sim.advance_to(11.0)
    assert float(sim.meas_sbp[0] - sim.meas_dbp[0]) == pytest.approx(45.0)


def test_flush_artefact_shows_flush_pressure_on_recorded_trace() -> None:
    cfg = replace(QUIET, record_measured=True)
    sim = make_sim(config=cfg, setting=Setting(at_steady_state=True))
    sim.schedule(Event("flush", at_min=2.0))  # 10 s
    sim.advance_to(4.0)
    meas = sim.rec_measured_map[0]
    t = sim.trace.meas_t_min
    flushing = (t >= 2.0) & (t < 2.0 + 10 / 60)
    assert flushing.sum() == 2  # readings every 5 s
    assert np.all(meas[flushing] == FLUSH_READING_MMHG)
    assert np.all(meas[~flushing] < 100.0)


def test_cuff_reads_only_at_its_interval() -> None:
    sim = make_sim(setting=Setting(monitoring="cuff", cuff_interval_min=5.0))
    sim.advance_to(12.0)
    assert float(sim.meas_time_min[0]) == pytest.approx(10.0)


def test_arterial_noise_has_the_configured_spread() -> None:
    cfg = SimConfig(phys_sd_mmhg=0.0, art_noise_mmhg=1.5, record_measured=True)
    sim = make_sim(config=cfg, setting=Setting(at_steady_state=True), n=50)
    sim.advance_to(60.0)
    true = sim.rec_true_map[:, ::1][:, ::1]  # 10 s grid
    meas = sim.rec_measured_map[:, ::2]  # 5 s grid -> 10 s grid
    resid = (meas - true).ravel()
    assert float(np.std(resid)) == pytest.approx(1.5, rel=0.05)


def test_disease_course_deepens_then_resolves_or_stays_refractory() -> None:
    spec = PatientSpec(
        map0_start_mmhg=52.0,
        map0_nadir_mmhg=46.0,
        nadir_at_min=120.0,
        plateau_min=60.0,
        map0_recovered_mmhg=75.0,
        resolution_tau_min=120.0,
    )
    resolving = sample_patients(spec, 1, np.random.default_rng(0))
    refractory = sample_patients(replace(spec, resolution_tau_min=math.inf), 1, np.random.default_rng(0))
    t = np.array([0.0, 60.0, 120.0, 180.0, 300.0])
    # linear 52 -> 46 over 2 h (49 at 1 h), plateau to 3 h, then 75 + (46-75) exp(-120/120) = 64.33
    np.testing.assert_allclose(baseline_map0(resolving, t)[0], [52.0, 49.0, 46.0, 46.0, 64.332], atol=1e-3)
    np.testing.assert_allclose(baseline_map0(refractory, t)[0], [52.0, 49.0, 46.0, 46.0, 46.0], atol=1e-9)


def test_invalid_dose_is_rejected_with_the_field_name(quiet_sim: VirtualPatients) -> None:
    with pytest.raises(ValueError, match="vasopressin"):
        quiet_sim.set_doses(0, vasopressin=-1.0)


def test_an_abrupt_stop_shows_within_three_minutes_even_in_the_sickest() -> None:
    # SAPS II 60: CL 0.9, k = 0.9/8.7 = 0.103448/min, ke0 1/min, EC50 40, dMAP 40. Steady state on 0.3:
    # C = 21.498/0.9 = 23.8867 -> E = 40 x 23.8867/63.8867 = 14.9557; after the stop C -> 0.553333 (E 0.545786):
    # total drop 14.4099 mmHg. Effect site at 3 min: excess x (e^-0.310345 - 0.103448 e^-3)/0.896552
    # = (0.733228 - 0.005150)/0.896552 = 0.812087 -> Ce = 0.553333 + 23.3333 x 0.812087 = 19.5020,
    # E = 40 x 19.5020/59.5020 = 13.1102: down 1.846 mmHg, 12.8 % of the drop (the paediatric Emax: 5.9 min to 10 %).
    sim = make_sim(replace(STABLE, saps2=60.0), setting=Setting(start_ne_mcg_per_kg_per_min=0.3, at_steady_state=True))
    start = float(sim.true_map[0])
    sim.set_doses(0, ne=0.0)
    sim.advance_to(60.0)
    m = sim.rec_true_map[0].astype(float)  # 1 s samples
    assert start - m[180] == pytest.approx(1.846, abs=0.01)
    # at 60 min (the last sample, 59:59) the excess left is 23.3333 x e^(-0.103448 x 59.98) / 0.896552 = 0.0524
    # -> Ce 0.6057, E 0.5966: down 14.359 of the 14.41
    assert start - m[-1] == pytest.approx(14.359, abs=0.01)
    assert start - m[180] > 0.1 * (start - m[-1])


def test_hydrocortisone_restores_the_response_over_hours_not_minutes() -> None:
    sim = make_sim(setting=Setting(bag_volume_ml=1000.0, bag_remaining_ml=1000.0))  # 7 h x 0.875 mL/min
    sim.set_doses(0, ne=0.2)
    sim.advance_to(60.0)
    # steady on 0.2: C = 14.498/1.95 = 7.43487; rise 50 x (7.43487/25.32341 - 0.014076) = 13.976 -> MAP 63.976
    assert float(sim.true_map[0]) == pytest.approx(63.976, abs=0.01)
    sim.set_doses(0, hydrocortisone=200.0)
    sim.advance_to(421.0)
    m = sim.rec_true_map[0].astype(float)  # 1 s samples; index 60 x t
    # Two stages of 120 min. After 1 h: effect 1 - 1.5 e^-0.5 = 0.090204, EC50 17.8885/1.045102 = 17.1165,
    # E = 50 x 7.43487/24.55137 = 15.1415, less the endogenous 0.7038: rise 14.438 (+0.46 mmHg).
    assert m[120 * 60] == pytest.approx(50.0 + 14.438, abs=0.01)
    # After 6 h: effect 1 - 4 e^-3 = 0.800852, EC50 17.8885/1.400426 = 12.7736, E = 50 x 7.43487/20.20845 =
    # 18.3956: rise 17.692 (+3.72 mmHg) on the same dose.
    assert m[420 * 60] == pytest.approx(50.0 + 17.692, abs=0.01)


def test_hydrocortisone_spares_about_a_third_of_the_norepinephrine() -> None:
    # Full effect: EC50 17.8885/1.5 = 11.9257. MAP 65 from MAP0 50 needs C/(C + EC50) = 0.3 + 0.014076 = 0.314076
    # -> C = 11.9257 x 0.457887 = 5.46062 -> dose (5.46062 x 1.95 - 0.498)/70 = 0.1450, against 0.2211 without.
    sim = make_sim(setting=Setting(start_hydrocortisone_mg_per_day=200.0, start_ne_mcg_per_kg_per_min=0.145,
                                   at_steady_state=True))
    assert float(sim.hydrocortisone_effect()[0]) == 1.0
    sim.advance_to(10.0)
    assert float(sim.true_map[0]) == pytest.approx(65.0, abs=0.02)


def test_routine_line_care_flushes_after_each_hourly_sample_and_damps_now_and_then() -> None:
    cfg = replace(QUIET, record_measured=True, record_every_s=10.0)
    ward = make_sim(setting=Setting(routine_line_care=True, at_steady_state=True), config=cfg, n=300, seed=4)
    plain = make_sim(setting=Setting(at_steady_state=True), config=cfg, n=300, seed=4)
    ward.advance_to(360.0)
    plain.advance_to(360.0)
    # The patients and the other noise are the same: only the artefacts differ.
    assert np.array_equal(ward.rec_true_map, plain.rec_true_map)
    flush = ward.rec_measured_map == FLUSH_READING_MMHG
    # One sample an hour at a random time: six in 6 h; a 10 s flush covers two 5 s readings: 12 per patient.
    assert np.all(flush.sum(axis=1) == 12)
    hours = np.floor(ward.trace.meas_t_min[np.nonzero(flush)[1]] / 60.0).reshape(300, 12)
    assert np.all(hours == np.repeat(np.arange(6.0), 2)[None, :])  # two readings in each hour
    # Damping: 3 mmHg low. About 1 in 12 h per patient for 20 min: 300 patients x 6 h -> about 150 episodes,
    # 150 x 20 min / (300 x 360 min) = 2.8 % of the readings.
    low = np.isclose(ward.rec_measured_map - plain.rec_measured_map, -3.0, atol=1e-3) & ~flush
    assert 0.02 < float(low.mean()) < 0.036
    assert np.array_equal(ward.rec_measured_map[~flush & ~low], plain.rec_measured_map[~flush & ~low])
