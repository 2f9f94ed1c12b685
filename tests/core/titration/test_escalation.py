"""Escalations (ESC-*): vasopressin at NE 0.25, epinephrine at 0.5 on vasopressin, dobutamine, hydrocortisone."""

from __future__ import annotations

import pytest

from norepi_gui.core.protocol import Population
from norepi_gui.core.titration import CoInfusions, PatientInfo
from tests.core.titration._support import r, run, with_population, with_settings


def test_vasopressin_at_ne_0_25_not_0_24() -> None:
    yes = run([r(0, 60, 0.25)])
    no = run([r(0, 60, 0.24)])
    in_band = run([r(0, 70, 0.3)])
    on_vaso = run([r(0, 60, 0.3)], co=CoInfusions(vasopressin_u_per_min=0.03))
    assert "ADD_VASOPRESSIN" in yes.escalation_codes() and "ESC-VASOPRESSIN" in yes.rules
    assert "0.03 U/min" in yes.escalations[0].reason
    assert "ADD_VASOPRESSIN" not in no.escalation_codes()
    assert "ADD_VASOPRESSIN" not in in_band.escalation_codes()
    assert "ADD_VASOPRESSIN" not in on_vaso.escalation_codes()


def test_vasopressin_above_0_04_is_salvage() -> None:
    at_limit = run([r(0, 70, 0.2)], co=CoInfusions(vasopressin_u_per_min=0.04))
    above = run([r(0, 70, 0.2)], co=CoInfusions(vasopressin_u_per_min=0.05))
    assert "VASOPRESSIN_SALVAGE_DOSE" not in at_limit.alert_codes()
    assert "VASOPRESSIN_SALVAGE_DOSE" in above.alert_codes() and "ESC-VASOPRESSIN-SALVAGE" in above.rules


def test_vasopressin_alone_when_norepinephrine_is_off() -> None:
    alone = run([r(0, 80, 0.0)], co=CoInfusions(vasopressin_u_per_min=0.03))
    assert alone.action == "none"
    assert "VASOPRESSIN_ALONE" in alone.alert_codes() and "ESC-VASOPRESSIN-ALONE" in alone.rules
    running = run([r(0, 70, 0.02)], co=CoInfusions(vasopressin_u_per_min=0.03))
    assert "VASOPRESSIN_ALONE" not in running.alert_codes()


def test_vasopressin_stops_in_the_protocols_order_and_never_carries_the_patient() -> None:
    vaso = CoInfusions(vasopressin_u_per_min=0.03)  # its norepinephrine equivalent: 0.03 x 2.5 = 0.075
    # Norepinephrine first (shipped): weaned as usual while well above vasopressin's equivalent ...
    high = run([r(0, 80, 0.2)], co=vaso)  # 0.2 x e^-0.5 = 0.121; at most 30 % off: 0.14
    assert high.action == "decrease" and high.dose_mcg_per_kg_per_min == 0.14
    assert "STOP_VASOPRESSIN" not in high.escalation_codes()
    # ... but never below 0.075 while vasopressin runs (ESC-VASOPRESSIN-FLOOR): 0.08 x 0.7 = 0.056 -> 0.075.
    floor = run([r(0, 80, 0.08)], co=vaso)
    assert floor.action == "decrease" and floor.dose_mcg_per_kg_per_min == 0.075
    assert "ESC-VASOPRESSIN-FLOOR" in floor.rules
    # In the band with a settled mean of 74, TIT-LEVEL stops there too: 0.08 x e^-0.2 = 0.0655 -> 0.065 -> 0.075.
    centre = run([r(0, 74, 0.08), r(5, 74, 0.08), r(10, 74, 0.08), r(15, 74, 0.08)], co=vaso)
    assert centre.dose_mcg_per_kg_per_min == 0.075 and "ESC-VASOPRESSIN-FLOOR" in centre.rules
    # At the floor: stop vasopressin, norepinephrine takes over its equivalent: 0.075 + 0.075 = 0.15 (2-fold).
    at_floor = run([r(0, 80, 0.075)], co=vaso)
    assert at_floor.action == "increase" and at_floor.dose_mcg_per_kg_per_min == 0.15
    assert at_floor.rate_ml_per_h == 39.4  # 0.15 x 70 x 60 / 16 = 39.375
    assert "STOP_VASOPRESSIN" in at_floor.escalation_codes() and "ESC-VASOPRESSIN-WEAN" in at_floor.rules
    assert not at_floor.needs_confirmation  # 2-fold is within the 3-fold large-change factor
    stop = next(e for e in at_floor.escalations if e.code == "STOP_VASOPRESSIN")
    assert stop.dose == 0.0 and "norepinephrine first (protocol default, review)" in stop.reason
    # A record left with norepinephrine at 0.01 under vasopressin: the 8.5-fold takeover needs confirmation.
    old = run([r(0, 80, 0.01)], co=vaso)  # 0.01 + 0.075 = 0.085
    assert old.dose_mcg_per_kg_per_min == 0.085 and old.needs_confirmation and "LARGE_DOSE_CHANGE" in old.alert_codes()
    # Vasopressin first (a protocol choice): it stops at the first reading above the band, at any dose.
    first = run([r(0, 80, 0.2)], co=vaso, proto=with_settings("escalation", wean_first="vasopressin"))
    assert first.dose_mcg_per_kg_per_min == 0.275 and "STOP_VASOPRESSIN" in first.escalation_codes()  # 0.2+0.075
    in_band = run([r(0, 72, 0.075)], co=vaso)
    assert in_band.action == "hold" and "STOP_VASOPRESSIN" not in in_band.escalation_codes()
    off = run([r(0, 80, 0.01)])  # no vasopressin: stop norepinephrine itself
    assert off.action == "taper_off"


def test_epinephrine_is_weaned_in_steps_not_stopped_from_a_high_dose() -> None:
    # NE 0.2 < 0.5, MAP 80 above the band: epinephrine comes off first, at most 30 % per check, NE held.
    high = run([r(0, 80, 0.2)], co=CoInfusions(epinephrine_mcg_per_kg_per_min=1.0))
    assert high.action == "hold" and high.dose_mcg_per_kg_per_min == 0.2
    reduce = next(e for e in high.escalations if e.code == "REDUCE_EPINEPHRINE")
    assert reduce.dose == 0.7 and reduce.unit == "mcg/kg/min"  # 1.0 x 0.7
    assert "STOP_EPINEPHRINE" not in high.escalation_codes() and "ESC-EPINEPHRINE-WEAN" in high.rules
    low = run([r(0, 80, 0.2)], co=CoInfusions(epinephrine_mcg_per_kg_per_min=0.06))
    assert next(e for e in low.escalations if e.code == "REDUCE_EPINEPHRINE").dose == 0.05  # 0.042 -> the 0.05 floor
    last = run([r(0, 80, 0.2)], co=CoInfusions(epinephrine_mcg_per_kg_per_min=0.05))
    assert "STOP_EPINEPHRINE" in last.escalation_codes()  # stopped only from escalation.epinephrine_min_dose


def test_epinephrine_stops_once_norepinephrine_is_below_its_threshold() -> None:
    both = CoInfusions(vasopressin_u_per_min=0.03, epinephrine_mcg_per_kg_per_min=0.05)
    below = run([r(0, 76, 0.49)], co=both)  # NE 0.49 < epinephrine threshold 0.5
    assert below.action == "hold" and below.dose_mcg_per_kg_per_min == 0.49
    assert "STOP_EPINEPHRINE" in below.escalation_codes() and "ESC-EPINEPHRINE-WEAN" in below.rules
    at = run([r(0, 76, 0.5)], co=both)  # NE still at the threshold: wean norepinephrine first
    assert at.action == "decrease" and at.dose_mcg_per_kg_per_min == 0.37  # 0.5 x e^-0.3 = 0.3704 -> 0.37
    assert "STOP_EPINEPHRINE" not in at.escalation_codes()
    in_band = run([r(0, 75, 0.3)], co=both)
    assert "STOP_EPINEPHRINE" not in in_band.escalation_codes()


def test_epinephrine_needs_vasopressin_and_ne_0_5() -> None:
    vaso = CoInfusions(vasopressin_u_per_min=0.03)
    yes = run([r(0, 60, 0.5)], co=vaso)
    no = run([r(0, 60, 0.49)], co=vaso)
    no_vaso = run([r(0, 60, 0.5)])
    assert "ADD_EPINEPHRINE" in yes.escalation_codes() and "ESC-EPINEPHRINE" in yes.rules
    assert "0.05-2 mcg/kg/min" in next(e for e in yes.escalations if e.code == "ADD_EPINEPHRINE").reason
    assert "ADD_EPINEPHRINE" not in no.escalation_codes()
    assert "ADD_EPINEPHRINE" not in no_vaso.escalation_codes()


def test_dobutamine_for_hypoperfusion_at_target() -> None:
    def dobu(**markers: object) -> bool:
        return "CONSIDER_DOBUTAMINE" in run([r(0, 70, 0.1, **markers)]).escalation_codes()

    assert dobu(urine_ml_per_kg_per_h=0.49) and not dobu(urine_ml_per_kg_per_h=0.5)
    assert dobu(crt_s=3.1) and not dobu(crt_s=3.0)
    assert dobu(lactate_mmol_per_l=2.1) and not dobu(lactate_mmol_per_l=2.0)
    assert dobu(altered_mental_status=True) and not dobu(altered_mental_status=False)
    clearing = run([r(0, 70, 0.1, lactate_mmol_per_l=4.0), r(60, 70, 0.1, lactate_mmol_per_l=3.0)])
    assert "CONSIDER_DOBUTAMINE" not in clearing.escalation_codes()
    below = run([r(0, 60, 0.1, urine_ml_per_kg_per_h=0.2)])
    assert "CONSIDER_DOBUTAMINE" not in below.escalation_codes()
    heart = run([r(0, 70, 0.1, crt_s=5)], patient=PatientInfo(70.0, cardiac_dysfunction=True))
    assert "cardiac dysfunction" in heart.escalations[0].reason and "ESC-DOBUTAMINE" in heart.rules
    running = run([r(0, 70, 0.1, crt_s=5)], co=CoInfusions(dobutamine_mcg_per_kg_per_min=5))
    assert "CONSIDER_DOBUTAMINE" not in running.escalation_codes()


def test_dobutamine_stops_once_perfusion_is_restored() -> None:
    dobu = CoInfusions(dobutamine_mcg_per_kg_per_min=5)

    def stop(m: float = 70, **markers: object) -> bool:
        return "STOP_DOBUTAMINE" in run([r(0, m, 0.1, **markers)], co=dobu).escalation_codes()

    assert stop(lactate_mmol_per_l=2.0, urine_ml_per_kg_per_h=0.5)  # both at their limits: restored
    assert not stop(lactate_mmol_per_l=2.1, urine_ml_per_kg_per_h=0.5)
    assert not stop(lactate_mmol_per_l=2.0, urine_ml_per_kg_per_h=0.49)
    assert not stop(lactate_mmol_per_l=1.0)  # urine not recorded: not known to be restored
    assert not stop(m=60, lactate_mmol_per_l=1.0, urine_ml_per_kg_per_h=1.0)  # below target: keep it
    assert not stop(lactate_mmol_per_l=1.0, urine_ml_per_kg_per_h=1.0, crt_s=4)  # refill still prolonged
    off = run([r(0, 70, 0.1, lactate_mmol_per_l=1.0, urine_ml_per_kg_per_h=1.0)])
    assert "STOP_DOBUTAMINE" not in off.escalation_codes()  # nothing to stop
    done = run([r(0, 70, 0.1, lactate_mmol_per_l=1.0, urine_ml_per_kg_per_h=1.0)], co=dobu)
    assert "ESC-DOBUTAMINE-WEAN" in done.rules and "lactate 1 <= 2 mmol/L" in done.escalations[0].reason


def test_hydrocortisone_after_4_h_at_0_25() -> None:
    four_h = run([r(0, 70, 0.25), r(120, 70, 0.3), r(240, 70, 0.25)])
    short = run([r(1, 70, 0.25), r(120, 70, 0.3), r(240, 70, 0.25)])  # 3 h 59 min
    broken = run([r(0, 70, 0.25), r(120, 70, 0.2), r(240, 70, 0.25)])
    started = run([r(0, 70, 0.25), r(240, 70, 0.25)], co=CoInfusions(hydrocortisone_started=True))
    assert "CONSIDER_HYDROCORTISONE" in four_h.escalation_codes() and "ESC-HYDROCORTISONE" in four_h.rules
    assert "200 mg/day" in next(e for e in four_h.escalations if e.code == "CONSIDER_HYDROCORTISONE").reason
    assert "CONSIDER_HYDROCORTISONE" not in short.escalation_codes()
    assert "CONSIDER_HYDROCORTISONE" not in broken.escalation_codes()
    assert "CONSIDER_HYDROCORTISONE" not in started.escalation_codes()


def test_high_dose_checks_volume_status() -> None:
    yes = run([r(0, 70, 0.5)])
    no = run([r(0, 70, 0.49)])
    assert "CHECK_VOLUME_STATUS" in yes.escalation_codes() and "ESC-VOLUME" in yes.rules
    assert "CHECK_VOLUME_STATUS" not in no.escalation_codes()


def test_a_child_is_never_shown_an_adult_flat_escalation_dose() -> None:
    child = PatientInfo(3.5, population=Population.PEDIATRIC, target_map_mmhg=45.0)
    a = run([r(0, 40, 0.3)], patient=child)  # NE 0.3 >= 0.25 and MAP 40 < 45
    vaso = next(e for e in a.escalations if e.code == "ADD_VASOPRESSIN")
    assert "vasopressin, dose per the prescriber's order" in vaso.reason and "0.03 U/min" not in vaso.reason
    assert vaso.dose is None and "ESC-PEDIATRIC-DOSES" in a.rules
    per_kg = with_population(Population.PEDIATRIC, vasopressin_u_per_kg_per_min=0.0005,
                             hydrocortisone_mg_per_kg_per_day=2.0)
    b = run([r(0, 40, 0.3)], patient=child, proto=per_kg)
    vaso = next(e for e in b.escalations if e.code == "ADD_VASOPRESSIN")
    assert vaso.dose == pytest.approx(0.00175) and "0.00175 U/min (0.0005 U/kg/min x 3.5 kg)" in vaso.reason
    hours = run([r(0, 50, 0.25), r(240, 50, 0.25)], patient=child)  # 4 h at 0.25: hydrocortisone
    hydro = next(e for e in hours.escalations if e.code == "CONSIDER_HYDROCORTISONE")
    assert "hydrocortisone, dose per the prescriber's order" in hydro.reason and "200 mg" not in hydro.reason
    dosed = run([r(0, 50, 0.25), r(240, 50, 0.25)], patient=child, proto=per_kg)
    assert next(e for e in dosed.escalations if e.code == "CONSIDER_HYDROCORTISONE").dose == 7.0  # 2 x 3.5
    on_vaso = run([r(0, 40, 0.5)], patient=child, co=CoInfusions(vasopressin_u_per_min=0.001))
    epi = next(e for e in on_vaso.escalations if e.code == "ADD_EPINEPHRINE")
    assert "epinephrine, dose per the prescriber's order" in epi.reason and "0.05-2" not in epi.reason
    adult = run([r(0, 70, 0.25), r(240, 70, 0.25)])
    assert "hydrocortisone, 200 mg/day (protocol default, review)" in next(
        e.reason for e in adult.escalations if e.code == "CONSIDER_HYDROCORTISONE")
