"""Start criteria (START-*) and the reminders that come with starting (REM-*). NE not running, 70 kg."""

from __future__ import annotations

from dataclasses import replace

from norepi_gui.core.alerts import Priority
from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.titration import CoInfusions, PatientInfo
from tests.core.titration._support import protocol, r, run, with_settings

CHILD = PatientInfo(3.5, population=Population.PEDIATRIC, target_map_mmhg=45.0)  # a written target


def test_sbp_79_starts_80_does_not() -> None:
    yes = run([r(0, None, 0.0, sbp_mmhg=79, dbp_mmhg=50)])  # MAP 50 + 29/3 = 59.7
    no = run([r(0, None, 0.0, sbp_mmhg=80, dbp_mmhg=50)])  # MAP 60
    assert yes.action == "start" and yes.dose_mcg_per_kg_per_min == 0.1 and "START-SBP" in yes.rules
    assert yes.rate_ml_per_h == 26.3  # 0.1 x 70 x 60 / 16 = 26.25 -> 26.3
    assert "START_NOREPINEPHRINE" in yes.escalation_codes()
    assert no.action == "none" and "START-WAIT-FLUIDS" in no.rules


def test_dbp_40_starts_41_does_not() -> None:
    yes = run([r(0, None, 0.0, sbp_mmhg=100, dbp_mmhg=40)])  # MAP 40 + 60/3 = 60
    no = run([r(0, None, 0.0, sbp_mmhg=100, dbp_mmhg=41)])  # MAP 60.7
    assert yes.action == "start" and "START-DBP" in yes.rules
    assert no.action == "none"


def test_diastolic_shock_index_3_starts_2_99_does_not() -> None:
    yes = run([r(0, None, 0.0, sbp_mmhg=90, dbp_mmhg=50, hr_per_min=150)])  # 150/50 = 3.0; MAP 63.3
    no = run([r(0, None, 0.0, sbp_mmhg=90, dbp_mmhg=50, hr_per_min=149)])  # 2.98
    assert yes.action == "start" and "START-DSI" in yes.rules
    assert no.action == "none"


def test_sbp_below_70_after_bolus_starts() -> None:
    # With the default SBP < 80 rule any SBP < 70 starts anyway; lower it to see this rule alone.
    proto = replace(protocol(), start_criteria=replace(protocol().start_criteria, sbp_below=60.0))
    after = run([r(0, None, 0.0, sbp_mmhg=69, dbp_mmhg=50)], patient=PatientInfo(70.0, fluids_ml_per_kg=10),
                proto=proto)
    at_70 = run([r(0, None, 0.0, sbp_mmhg=70, dbp_mmhg=50)], patient=PatientInfo(70.0, fluids_ml_per_kg=10),
                proto=proto)
    no_bolus = run([r(0, None, 0.0, sbp_mmhg=69, dbp_mmhg=50)], patient=PatientInfo(70.0, fluids_ml_per_kg=0),
                   proto=proto)
    assert after.action == "start" and "START-SBP-AFTER-BOLUS" in after.rules
    assert at_70.action == "none" and no_bolus.action == "none"


def test_fluid_harmful_conditions_start_early() -> None:
    for patient in (PatientInfo(70.0, ards=True), PatientInfo(70.0, intra_abdominal_hypertension=True),
                    PatientInfo(70.0, cardiac_dysfunction=True)):
        a = run([r(0, 60, 0.0)], patient=patient)
        assert a.action == "start" and "START-FLUID-HARMFUL" in a.rules
    at_target = run([r(0, 65, 0.0)], patient=PatientInfo(70.0, ards=True))
    assert at_target.action == "none"


def test_after_30_ml_kg_starts_but_29_waits() -> None:
    yes = run([r(0, 62, 0.0)], patient=PatientInfo(70.0, fluids_ml_per_kg=30))
    wait = run([r(0, 62, 0.0)], patient=PatientInfo(70.0, fluids_ml_per_kg=29))
    assert yes.action == "start" and "START-AFTER-FLUIDS" in yes.rules
    assert wait.action == "none" and "START-WAIT-FLUIDS" in wait.rules and wait.next_check_in_min == 5
    assert "FLUIDS_30_ML_KG" in [x.code for x in wait.reminders]


def test_start_reminds_fluids_and_arterial_line() -> None:
    a = run([r(0, None, 0.0, sbp_mmhg=75, dbp_mmhg=45)], patient=PatientInfo(70.0, fluids_ml_per_kg=20))
    codes = [x.code for x in a.reminders]
    assert codes == ["FLUIDS_30_ML_KG", "ARTERIAL_LINE"]
    assert "2100 mL" in a.reminders[0].message  # 30 mL/kg x 70 kg
    done = run([r(0, None, 0.0, sbp_mmhg=75, dbp_mmhg=45)],
               patient=PatientInfo(70.0, fluids_ml_per_kg=30, arterial_line=True))
    assert done.reminders == ()
    assert {"REM-FLUIDS", "REM-ARTERIAL-LINE"} <= set(a.rules)


def test_peripheral_line_reminds_central_access() -> None:
    a = run([r(0, 70, 0.1)], patient=PatientInfo(70.0, line=LineType.PERIPHERAL))
    assert "CENTRAL_ACCESS" in [x.code for x in a.reminders] and "REM-CENTRAL-ACCESS" in a.rules
    central = run([r(0, 70, 0.1)])
    assert central.reminders == ()


def test_map_only_below_53_3_is_life_threatening_and_starts_now_without_fluids() -> None:
    # (80 + 2 x 40) / 3 = 53.33: a MAP below it cannot have SBP >= 80 and DBP > 40 together [seed 000].
    yes = run([r(0, 53, 0.0)])  # fluids not recorded
    assert yes.action == "start" and yes.dose_mcg_per_kg_per_min == 0.1 and "START-MAP-EQUIVALENT" in yes.rules
    assert "START-WAIT-FLUIDS" not in yes.rules and "give fluids first" not in yes.rationale
    start = next(e for e in yes.escalations if e.code == "START_NOREPINEPHRINE")
    assert "life-threatening" in start.reason and "even during fluid resuscitation" in start.reason
    assert "MAP_CRITICALLY_LOW" in yes.alert_codes()
    no = run([r(0, 54, 0.0)])  # 54 > 53.3: below target, fluids first
    assert no.action == "none" and "START-WAIT-FLUIDS" in no.rules and "MAP_CRITICALLY_LOW" not in no.alert_codes()
    # With SBP and DBP both recorded they decide: MAP 50 typed with 85/45 meets neither SBP < 80 nor DBP <= 40.
    both = run([r(0, 50, 0.0, sbp_mmhg=85, dbp_mmhg=45)])
    assert both.action == "none" and "START-MAP-EQUIVALENT" not in both.rules


def test_map_equivalent_is_derived_from_the_protocols_start_criteria() -> None:
    higher = with_settings("start_criteria", sbp_below=90.0)  # (90 + 2 x 40) / 3 = 56.67
    assert run([r(0, 56, 0.0)], proto=higher).action == "start"
    assert run([r(0, 57, 0.0)], proto=higher).action == "none"
    assert "56.7" in run([r(0, 56, 0.0)], proto=higher).rationale


def test_vasopressin_running_without_norepinephrine_below_target_starts_norepinephrine() -> None:
    a = run([r(0, 60, 0.0)], co=CoInfusions(vasopressin_u_per_min=0.03))  # fluids not recorded
    assert a.action == "start" and a.dose_mcg_per_kg_per_min == 0.1 and "START-VASOPRESSIN-RUNNING" in a.rules
    assert "give fluids first" not in a.rationale and "never monotherapy" in a.rationale
    at_target = run([r(0, 66, 0.0)], co=CoInfusions(vasopressin_u_per_min=0.03))
    assert at_target.action == "none" and "VASOPRESSIN_ALONE" in at_target.alert_codes()


def test_waiting_for_fluids_too_long_raises_a_high_alert_with_the_time() -> None:
    # MAP below target, no fluids recorded, no norepinephrine: from the first such reading to the latest.
    short = run([r(0, 60, 0.0), r(15, 61, 0.0), r(29, 60, 0.0)])  # 29 min < 30
    assert short.action == "none" and "BELOW_TARGET_WAITING" not in short.alert_codes()
    long = run([r(0, 60, 0.0), r(15, 61, 0.0), r(30, 60, 0.0)])  # 30 min: at the limit
    waiting = next(a for a in long.alerts if a.code == "BELOW_TARGET_WAITING")
    assert waiting.priority is Priority.HIGH and "for 30 min" in waiting.message and "START-WAIT-LIMIT" in long.rules
    assert "record the fluids given, or start norepinephrine as ordered" in waiting.message
    broken = run([r(0, 60, 0.0), r(15, 66, 0.0), r(30, 60, 0.0)])  # at target at 15: the run starts again at 30
    assert "BELOW_TARGET_WAITING" not in broken.alert_codes()
    some = run([r(0, 60, 0.0), r(40, 60, 0.0)], patient=PatientInfo(70.0, fluids_ml_per_kg=10))
    assert "only 10 mL/kg fluid recorded" in next(a.message for a in some.alerts if a.code == "BELOW_TARGET_WAITING")


def test_child_starts_after_volume_resuscitation_and_not_on_adult_thresholds() -> None:
    # SBP 60/DBP 30 (MAP 30 + 30/3 = 40) is life-threatening for an adult; for a 3.5 kg child below the written
    # target 45 without volume resuscitation recorded, the paediatric rule waits for volume [seed 002].
    low = run([r(0, None, 0.0, sbp_mmhg=60, dbp_mmhg=30)], patient=CHILD)
    assert low.action == "none" and "START-SBP" not in low.rules and "MAP_CRITICALLY_LOW" not in low.alert_codes()
    assert "after volume resuscitation" in low.rationale and "adult emergency criteria do not apply" in low.rationale
    after = run([r(0, 40, 0.0)], patient=replace(CHILD, fluids_ml_per_kg=40.0))  # 40 mL/kg [seed 004]
    assert after.action == "start" and after.dose_mcg_per_kg_per_min == 0.1 and "START-PEDIATRIC" in after.rules
    assert after.rate_ml_per_h == 1.3  # 0.1 x 3.5 x 60 / 16 = 1.3125
    start = next(e for e in after.escalations if e.code == "START_NOREPINEPHRINE")
    assert "paediatric" in start.reason and "adult emergency criteria do not apply to children" in start.reason
    fewer = run([r(0, 40, 0.0)], patient=replace(CHILD, fluids_ml_per_kg=39.0))
    assert fewer.action == "none"
    assert "140 mL for 3.5 kg" in fewer.reminders[0].message  # 40 mL/kg x 3.5 kg
