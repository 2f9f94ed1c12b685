"""Start criteria (START-*) and the reminders that come with starting (REM-*). NE not running, 70 kg."""

from __future__ import annotations

from dataclasses import replace

from norepi_gui.core.protocol import LineType
from norepi_gui.core.titration import PatientInfo
from tests.core.titration._support import protocol, r, run


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
