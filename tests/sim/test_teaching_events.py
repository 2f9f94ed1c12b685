"""Each teaching event the instructor can inject, run headless: its effect on the patient, by hand from its sizes
(norepi_gui/sim/events.py KIND_DEFAULTS, docs/simulator.md "Teaching events"), and what resolves it.

Most tests compare twins: the same typical, noiseless adult (tests/sim/helpers.py STABLE, QUIET: SAPS II 40, 70 kg,
CL 1.95 L/min, V 8.7 L, EC50 17.89 mcg/L, dMAP 50 mmHg), one with the event, one without. MAP0, drops and the
vasopressor terms add, so their MAP difference is the event's own effect.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from norepi_gui.sim.engine import Setting, VirtualPatients
from norepi_gui.sim.events import Event, Trigger, make_event
from tests.sim.helpers import QUIET, STABLE, make_sim

STEADY = Setting(at_steady_state=True)  # 0.1 mcg/kg/min at steady state, 16 mcg/mL
CL, V, KE0 = 1.95, 8.7, 1.0  # typical adult at SAPS II 40 (docs/simulator.md)


def twins(setting: Setting = STEADY) -> tuple[VirtualPatients, VirtualPatients]:
    return make_sim(setting=setting), make_sim(setting=setting)


def step(*sims: VirtualPatients, to: float) -> None:
    for s in sims:
        s.advance_to(to)


def gap(a: VirtualPatients, b: VirtualPatients) -> float:
    return float(b.true_map[0] - a.true_map[0])


def drop_at(since: float, mmhg: float, ramp: float, tau: float) -> float:
    """A drop's size ``since`` minutes after it starts: it ramps in, then recovers."""
    rise = min(max(since / ramp, 0.0), 1.0) if ramp > 0 else 1.0
    return mmhg * rise * math.exp(-max(since - ramp, 0.0) / tau) if math.isfinite(tau) else mmhg * rise


# ------------------------------------------------------------------------------------------- pressure events
def test_a_sedation_bolus_lowers_map_within_minutes_and_wears_off() -> None:
    hit, calm = twins()
    hit.schedule(make_event("sedation_bolus", 10.0))  # 15 mmHg, ramp 2 min, recovery 15 min [U]
    step(hit, calm, to=13.0)
    # the last sample of the block 12-13 is at 12 min 59 s: 2.98 min after the bolus
    assert gap(hit, calm) == pytest.approx(drop_at(2.983, 15.0, 2.0, 15.0), abs=0.05)  # 14.0 mmHg
    step(hit, calm, to=40.0)
    assert gap(hit, calm) == pytest.approx(drop_at(29.983, 15.0, 2.0, 15.0), abs=0.05)  # 2.3 mmHg


def test_sepsis_worsening_is_a_trend_over_an_hour_that_stays() -> None:
    worse, same = twins()
    worse.schedule(make_event("sepsis_worsening", 0.0))  # 10 mmHg over 60 min, no recovery [U]
    step(worse, same, to=31.0)
    assert gap(worse, same) == pytest.approx(10.0 * 30.983 / 60.0, abs=0.05)  # 5.2 mmHg half way
    step(worse, same, to=180.0)
    assert gap(worse, same) == pytest.approx(10.0, abs=0.01)


def test_anaphylaxis_drops_map_30_within_3_minutes_and_resolving_it_fades_the_drop() -> None:
    hit, calm = twins()
    hit.schedule(make_event("anaphylaxis", 5.0))  # 30 mmHg over 3 min, recovery 60 min [U]
    step(hit, calm, to=9.0)
    assert gap(hit, calm) == pytest.approx(drop_at(3.983, 30.0, 3.0, 60.0), abs=0.1)  # 29.5 mmHg
    hit.resolve("anaphylaxis")  # epinephrine given: the drop fades with 10 min [U]
    step(hit, calm, to=20.0)
    resolved_fade = math.exp(-(19.983 - 9.0) / 10.0)
    assert gap(hit, calm) == pytest.approx(drop_at(14.983, 30.0, 3.0, 60.0) * resolved_fade, abs=0.1)


def test_atrial_fibrillation_raises_heart_rate_lowers_map_and_scatters_cuff_readings() -> None:
    cuff = replace(STEADY, monitoring="cuff", cuff_interval_min=5.0)
    cfg = replace(QUIET, cuff_noise_mmhg=5.0, record_every_s=10.0)
    n = 400
    af = make_sim(setting=cuff, config=cfg, n=n, seed=3)
    sinus = make_sim(setting=cuff, config=cfg, n=n, seed=3)
    af.schedule(make_event("atrial_fibrillation", 0.0))  # HR +40, MAP -5, cuff SD +10 mmHg [U]
    errors = []
    for minute in range(5, 125, 5):
        step(af, sinus, to=float(minute))
        t = float(af.meas_time_min[0])  # the reading's time: a block start, where rec_true_map is exact
        errors.append(af.meas_map - af.rec_true_map[:, round(t * 6)])
    spread = float(np.std(np.concatenate(errors)))
    assert spread == pytest.approx(math.sqrt(5.0**2 + 10.0**2), rel=0.05)  # 11.2 mmHg, against 5 in sinus rhythm
    assert float(np.mean(sinus.true_map - af.true_map)) == pytest.approx(5.0, abs=0.01)
    assert float(np.mean(af.hr - sinus.hr)) > 40.0  # +40, and the baroreflex adds for the 5 mmHg lost
    af.resolve("atrial_fibrillation")
    step(af, sinus, to=130.0)
    assert float(np.mean(af.hr - sinus.hr)) < 40.0 and "atrial_fibrillation" not in af.active(0)


def test_bleeding_stops_when_resolved() -> None:
    sim = make_sim(setting=STEADY)
    sim.schedule(make_event("bleeding", 5.0))  # 20 mL/min for 30 min
    step(sim, to=15.0)
    sim.resolve("bleeding")
    step(sim, to=40.0)
    assert float(sim.deficit[0]) == pytest.approx(20.0 * 10.0 / 70.0, abs=1e-6)  # 10 min of bleeding, then none


# ------------------------------------------------------------------------------------------- delivery events
def test_a_stopped_pump_lets_the_concentration_fall_with_the_drugs_half_life_until_restarted() -> None:
    stopped, running = twins()
    stopped.schedule(make_event("pump_stop", 10.0))
    step(stopped, running, to=15.0)
    c0 = (7.0 + 0.498) / CL  # 0.1 x 70 = 7 mcg/min plus endogenous, at steady state: 3.85 mcg/L
    c_endo = 0.498 / CL
    expected = c_endo + (c0 - c_endo) * math.exp(-CL / V * 5.0)  # 5 min without delivery: 1.45 mcg/L
    assert float(stopped.c[0]) == pytest.approx(expected, rel=1e-3)
    assert gap(stopped, running) > 3.0
    assert stopped.active(0) == ["pump_stop"]
    stopped.resolve("pump_stop")  # the trainee restarts it
    step(stopped, running, to=60.0)
    assert float(stopped.c[0]) == pytest.approx(float(running.c[0]), rel=0.01)


def test_a_disconnected_line_delivers_nothing_until_reconnected() -> None:
    off, on = twins()
    off.schedule(make_event("line_disconnection", 0.0))
    step(off, on, to=20.0)
    assert float(off.c[0]) == pytest.approx(0.498 / CL + 7.0 / CL * math.exp(-CL / V * 20.0), rel=1e-3)
    off.resolve("line_disconnection")
    assert off.active(0) == []


def test_a_changeover_gap_stops_delivery_for_three_minutes_then_recovers() -> None:
    gap_sim, steady = twins()
    gap_sim.schedule(make_event("changeover_gap", 10.0))
    step(gap_sim, steady, to=13.0)
    c_endo = 0.498 / CL
    assert float(gap_sim.c[0]) == pytest.approx(c_endo + 7.0 / CL * math.exp(-CL / V * 3.0), rel=1e-3)
    step(gap_sim, steady, to=14.0)
    assert gap_sim.active(0) == []  # over by itself after 3 min
    step(gap_sim, steady, to=60.0)
    assert abs(gap(gap_sim, steady)) < 0.1


def test_the_flush_bolus_raises_map_within_a_minute() -> None:
    flushed, quiet = twins()
    flushed.inject(make_event("flush_bolus"))  # 2 mL at 16 mcg/mL = 32 mcg into 8.7 L at once
    step(flushed, quiet, to=1.0)
    # by hand: plasma excess 32/8.7 = 3.68 mcg/L decays with k = CL/V; the effect site follows with ke0 = 1/min:
    # excess(t) = 3.68 x ke0/(ke0 - k) x (e^-kt - e^-ke0 t); at the last sample of the first minute (59 s)
    k, t = CL / V, 59.0 / 60.0
    extra = 32.0 / V * KE0 / (KE0 - k) * (math.exp(-k * t) - math.exp(-KE0 * t))
    ce0 = (7.0 + 0.498) / CL
    ec50, dmap = float(quiet.p.ec50_mcg_per_l[0]), float(quiet.p.dmap_mmhg[0])
    expected = dmap * ((ce0 + extra) / (ce0 + extra + ec50) - ce0 / (ce0 + ec50))
    assert expected > 3.0
    assert -gap(flushed, quiet) == pytest.approx(expected, abs=0.05)  # MAP up by 3.4 mmHg within a minute
    step(flushed, quiet, to=40.0)
    assert abs(gap(flushed, quiet)) < 0.2  # and gone as the drug clears


def test_a_tenfold_pump_error_delivers_ten_times_the_order_until_the_pump_is_checked() -> None:
    wrong, right = twins()
    wrong.schedule(make_event("pump_tenfold", 0.0))  # 0.8 typed for 0.08 [V, MSOS forum]
    step(wrong, right, to=30.0)
    css = (70.0 + 0.498) / CL  # 1.0 mcg/kg/min delivered: 70 mcg/min
    c0 = (7.0 + 0.498) / CL
    assert float(wrong.c[0]) == pytest.approx(css + (c0 - css) * math.exp(-CL / V * 30.0), rel=1e-3)
    assert -gap(wrong, right) > 15.0
    wrong.resolve("pump_tenfold")
    assert wrong.active(0) == []


# ------------------------------------------------------------------------------------------- conditions
def test_a_triggered_event_fires_once_the_condition_has_held_long_enough() -> None:
    sim = make_sim(setting=Setting(start_ne_mcg_per_kg_per_min=0.0))  # MAP 50 untreated: below 60 throughout
    sim.schedule(replace(make_event("map_drop", 0.0, mmhg=5.0), id="crash", when=Trigger(map_below=60.0,
                                                                                           for_min=10.0)))
    step(sim, to=9.0)
    assert sim.fired == []
    step(sim, to=12.0)
    assert [(f.time_min, f.event.name, f.source) for f in sim.fired] == [(10.0, "crash", "triggered")]
    step(sim, to=40.0)
    assert len(sim.fired) == 1  # once per patient


def test_a_trigger_that_never_holds_never_fires_and_stays_pending() -> None:
    sim = make_sim(setting=STEADY)  # MAP about 58 on 0.1: never above 80
    sim.schedule(Event("map_drop", 0.0, mmhg=5.0, when=Trigger(map_above=80.0, for_min=5.0)), tag="t")
    step(sim, to=60.0)
    assert sim.fired == [] and [tag for _e, tag in sim.pending()] == ["t"]


def test_teaching_events_cost_nothing_on_a_run_without_them() -> None:
    # the engine's plain path keeps its shape: no event acted, so no delivery factor or widened noise is computed
    sim = make_sim(spec=replace(STABLE), setting=STEADY)
    step(sim, to=30.0)
    assert sim._delivery() == 1.0 and sim._noise_sd(1.5, 1.0) == 1.5
