"""Escalations (ESC-*): vasopressin at NE 0.25, epinephrine at 0.5 on vasopressin, dobutamine, hydrocortisone."""

from __future__ import annotations

from norepi_gui.core.titration import CoInfusions, PatientInfo
from tests.core.titration._support import r, run


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


def test_vasopressin_stops_before_norepinephrine_at_the_taper_minimum() -> None:
    vaso = CoInfusions(vasopressin_u_per_min=0.03)
    at_min = run([r(0, 80, 0.01)], co=vaso)  # never taper_off with vasopressin on
    # norepinephrine takes over vasopressin's equivalent: 0.01 + 0.03 U/min x 2.5 = 0.085 mcg/kg/min
    assert at_min.action == "increase" and at_min.dose_mcg_per_kg_per_min == 0.085
    assert at_min.rate_ml_per_h == 22.3  # 0.085 x 70 x 60 / 16 = 22.3125
    assert "STOP_VASOPRESSIN" in at_min.escalation_codes() and "ESC-VASOPRESSIN-WEAN" in at_min.rules
    above_min = run([r(0, 80, 0.04)], co=vaso)  # 0.04 x e^-0.5 = 0.024 -> 0.025; 30 % cap 0.028 -> 0.03
    assert above_min.action == "decrease" and above_min.dose_mcg_per_kg_per_min == 0.03
    assert "STOP_VASOPRESSIN" not in above_min.escalation_codes()
    in_band = run([r(0, 75, 0.01)], co=vaso)
    assert in_band.action == "hold" and "STOP_VASOPRESSIN" not in in_band.escalation_codes()
    off = run([r(0, 80, 0.01)])  # no vasopressin: stop norepinephrine itself
    assert off.action == "taper_off"


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
