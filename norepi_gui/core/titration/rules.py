"""Every clinical rule of the titration engine, with a stable ID, one sentence and its source.

IDs are stable: advice records them, sessions store them and ``docs/rules.md`` lists them (a test keeps the two in
step). Never rename or reuse an ID; retire it instead. Thresholds are not written here: each statement names the
protocol key that holds the number, and sources follow ``shared/clinical-reference.md`` ([seed NNN], [V], [S], [U]).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    source: str


# Targets
TGT_DEFAULT = "TGT-DEFAULT"
TGT_INDIVIDUAL = "TGT-INDIVIDUAL"
TGT_CHRONIC_HTN = "TGT-CHRONIC-HTN"
TGT_AGE_65 = "TGT-AGE-65"
TGT_BASELINE_SBP = "TGT-BASELINE-SBP"
TGT_PEDIATRIC_REVIEW = "TGT-PEDIATRIC-REVIEW"
# Titration
TIT_UP = "TIT-UP"
TIT_UP_LARGE = "TIT-UP-LARGE"
TIT_UP_RISING = "TIT-UP-RISING"
TIT_UP_BORDERLINE = "TIT-UP-BORDERLINE"
TIT_SOFT_MAX = "TIT-SOFT-MAX"
TIT_HARD_MAX = "TIT-HARD-MAX"
TIT_HOLD = "TIT-HOLD"
TIT_LEVEL = "TIT-LEVEL"
TIT_EFFECT_WAIT = "TIT-EFFECT-WAIT"
TIT_EFFECT_FALLING = "TIT-EFFECT-FALLING"
TIT_EFFECT_OVERSHOOT = "TIT-EFFECT-OVERSHOOT"
TIT_EFFECT_MODEL = "TIT-EFFECT-MODEL"
TIT_PROPORTIONAL = "TIT-PROPORTIONAL"
TIT_ABOVE_CONFIRM = "TIT-ABOVE-CONFIRM"
TIT_DOWN_BORDERLINE = "TIT-DOWN-BORDERLINE"
TIT_DOWN = "TIT-DOWN"
TIT_DOWN_FAR = "TIT-DOWN-FAR"
TIT_DOWN_SCALED = "TIT-DOWN-SCALED"
TIT_TAPER_FLOOR = "TIT-TAPER-FLOOR"
TIT_TAPER_OFF = "TIT-TAPER-OFF"
TIT_NOT_RUNNING = "TIT-NOT-RUNNING"
TIT_RESTART = "TIT-RESTART"
TIT_AWAIT_READING = "TIT-AWAIT-READING"
TIT_WEAN_LIMIT = "TIT-WEAN-LIMIT"
TIT_LARGE_CHANGE = "TIT-LARGE-CHANGE"
# Start
START_SBP = "START-SBP"
START_DBP = "START-DBP"
START_DSI = "START-DSI"
START_SBP_AFTER_BOLUS = "START-SBP-AFTER-BOLUS"
START_FLUID_HARMFUL = "START-FLUID-HARMFUL"
START_AFTER_FLUIDS = "START-AFTER-FLUIDS"
START_WAIT_FLUIDS = "START-WAIT-FLUIDS"
START_MAP_EQUIVALENT = "START-MAP-EQUIVALENT"
START_VASOPRESSIN_RUNNING = "START-VASOPRESSIN-RUNNING"
START_WAIT_LIMIT = "START-WAIT-LIMIT"
START_PEDIATRIC = "START-PEDIATRIC"
# Readings
READ_PLAUSIBLE = "READ-PLAUSIBLE"
READ_MAP_BETWEEN = "READ-MAP-BETWEEN"
READ_ARTEFACT = "READ-ARTEFACT"
READ_STALE = "READ-STALE"
# Reminders
REM_FLUIDS = "REM-FLUIDS"
REM_ARTERIAL_LINE = "REM-ARTERIAL-LINE"
REM_CENTRAL_ACCESS = "REM-CENTRAL-ACCESS"
# Interval
INT_AFTER_CHANGE = "INT-AFTER-CHANGE"
INT_BELOW_TARGET = "INT-BELOW-TARGET"
INT_CONFIRM = "INT-CONFIRM"
INT_STABLE = "INT-STABLE"
INT_OVERDUE = "INT-OVERDUE"
INT_OVERSHOOT = "INT-OVERSHOOT"
INT_EFFECT = "INT-EFFECT"
# Escalation
ESC_VASOPRESSIN = "ESC-VASOPRESSIN"
ESC_VASOPRESSIN_SALVAGE = "ESC-VASOPRESSIN-SALVAGE"
ESC_VASOPRESSIN_ALONE = "ESC-VASOPRESSIN-ALONE"
ESC_EPINEPHRINE = "ESC-EPINEPHRINE"
ESC_EPINEPHRINE_WEAN = "ESC-EPINEPHRINE-WEAN"
ESC_VASOPRESSIN_WEAN = "ESC-VASOPRESSIN-WEAN"
ESC_DOBUTAMINE = "ESC-DOBUTAMINE"
ESC_DOBUTAMINE_WEAN = "ESC-DOBUTAMINE-WEAN"
ESC_HYDROCORTISONE = "ESC-HYDROCORTISONE"
ESC_VOLUME = "ESC-VOLUME"
ESC_VASOPRESSIN_FLOOR = "ESC-VASOPRESSIN-FLOOR"
ESC_PEDIATRIC_DOSES = "ESC-PEDIATRIC-DOSES"
# Lines
LINE_DOSE_LIMIT = "LINE-DOSE-LIMIT"
LINE_TIME_LIMIT = "LINE-TIME-LIMIT"
LINE_EXTRAVASATION = "LINE-EXTRAVASATION"
# Safety
SAFE_MAP_CRITICAL = "SAFE-MAP-CRITICAL"
SAFE_MAP_ABOVE_BAND = "SAFE-MAP-ABOVE-BAND"
SAFE_OVERDOSE = "SAFE-OVERDOSE"
SAFE_BRADYCARDIA = "SAFE-BRADYCARDIA"
SAFE_VASOCONSTRICTION = "SAFE-VASOCONSTRICTION"
SAFE_BAG_BEFORE_CHECK = "SAFE-BAG-BEFORE-CHECK"
SAFE_BAG_LOW = "SAFE-BAG-LOW"
SAFE_DAILY_MAX = "SAFE-DAILY-MAX"
SAFE_PUMP_MAX = "SAFE-PUMP-MAX"
SAFE_MAP_FAR_BELOW = "SAFE-MAP-FAR-BELOW"
SAFE_ABRUPT_STOP = "SAFE-ABRUPT-STOP"
SAFE_PUMP_ROUNDING = "SAFE-PUMP-ROUNDING"
SAFE_INPUT_CHECKS = "SAFE-INPUT-CHECKS"
# Norepinephrine equivalents
NEE_SUM = "NEE-SUM"
MAP_FROM_SBP_DBP = "MAP-FROM-SBP-DBP"

_ALL = (
    Rule(TGT_DEFAULT, "Target MAP is targets.default_map (65 mmHg); the band runs to target + targets.band_above_mmhg.",
         "[seed 000, 001; V SSC 2021]; band width [U]"),
    Rule(TGT_INDIVIDUAL, "An explicit individual target set by the clinician replaces the protocol target "
         "(band width targets.band_above_mmhg); one outside targets.individual_min_mmhg..individual_max_mmhg "
         "(20-120: neonatal and preterm targets included) is refused, naming the field.",
         "[seed 001] individualise; range and band [U]"),
    Rule(TGT_CHRONIC_HTN, "Chronic hypertension: target targets.chronic_hypertension_map (80 mmHg), band "
         "+targets.chronic_hypertension_band_above_mmhg; wins over the age rule.",
         "[seed 001]; SEPSISPAM NEJM 2014 (80-85) [V]"),
    Rule(TGT_AGE_65, "Age >= targets.elderly_min_age (65 y): permissive target targets.elderly_map (60 mmHg), band "
         "+targets.elderly_band_above_mmhg (60-65).", "65 trial, JAMA 2020 [V]"),
    Rule(TGT_BASELINE_SBP, "Chronic hypertension with a known baseline SBP: SBP above baseline - "
         "targets.baseline_sbp_max_drop_mmhg (40) raises SBP_ABOVE_BASELINE_LIMIT (low), quoting the protocol's "
         "value.", "[seed 002] Levophed label; 40 mmHg rule [U]"),
    Rule(TGT_PEDIATRIC_REVIEW, "Paediatric patient without a written target: no adult target is used and no "
         "titration step is given (hold the running dose, start nothing); CHILD_TARGET_NEEDED (high) asks for the "
         "child's MAP target.", "no paediatric MAP target in the seeds"),
    Rule(TIT_UP, "NE running and MAP below target (not far below): increase by the TIT-PROPORTIONAL step, at least "
         "one titration.dose_resolution step and at most titration.step_up (0.05 mcg/kg/min).",
         "[seed 000] titrate upward; largest step MSF guide [S]"),
    Rule(TIT_UP_LARGE, "MAP at least titration.far_below_mmhg (10) below target: increase by titration.step_up_large "
         "(0.1 mcg/kg/min).", "Beloeil 2005 steps of 0.1 [S]; threshold [U]"),
    Rule(TIT_UP_RISING, "MAP below target but not far below, the dose was raised since the previous reading and MAP "
         "has risen by at least the remaining gap: hold and recheck soon (the last step is still taking effect).",
         "onset 1-2 min, steady state 10-35 min (Beloeil 2005) [V]; [U]"),
    Rule(TIT_UP_BORDERLINE, "MAP below target but not far below, and the mean of this and the previous reading at the "
         "same dose is at or above target: hold and recheck soon (one borderline, possibly noisy, reading is not acted "
         "on).", "[U]; residual error 14% on MAP (Oualha 2014) [V/S]"),
    Rule(TIT_SOFT_MAX, "An increase stops at the soft maximum (populations.*.soft_max_dose); beyond it the advice "
         "needs confirmation and raises DOSE_ABOVE_SOFT_MAX.", "[seed 002] usual range; [S] MSF max 1; [U]"),
    Rule(TIT_HARD_MAX, "Never propose a dose above the hard maximum (populations.*.hard_max_dose); at it, hold and "
         "raise DOSE_AT_HARD_MAX; above it, reduce toward the hard maximum (DOSE_ABOVE_HARD_MAX, confirmation), "
         "within TIT-WEAN-LIMIT.", "[U]; [seed 002]"),
    Rule(TIT_HOLD, "MAP in the band: keep the dose, unless TIT-LEVEL finds the mean of the settled readings off the "
         "band's middle (a single reading carries the noise and the minute-to-minute swing).",
         "[seed 000] titrate to target; [U]"),
    Rule(TIT_LEVEL, "MAP in the band, the last change settled (TIT-EFFECT-WAIT over) and the mean of the last "
         "titration.level_readings (3) readings at the running dose, all taken after it settled, more than "
         "titration.level_off_centre_mmhg (3) from the band's middle: step toward the middle by TIT-PROPORTIONAL from "
         "that mean (never above the soft maximum, never below the taper minimum). Replaces TIT-CENTRE, which stepped "
         "on single readings and changed the dose for noise.",
         "closed loop aims at a set point, Joosten 2019 [V]; count and margin [U]"),
    Rule(TIT_EFFECT_WAIT, "The latest reading was taken less than titration.effect_minutes (15) after the last dose "
         "change: the change is still taking effect. After a start or an increase, no further increase (a MAP still "
         "below target is not 'no response') and, in the band, no step at all; after a decrease, no further decrease "
         "and no step in the band. Hold and say until when.",
         "onset 1-2 min, full effect after about 5 half-lives, 10-35 min; half-life 2-7 min (Beloeil 2005) [V]; "
         "minutes [U]"),
    Rule(TIT_EFFECT_FALLING, "Within TIT-EFFECT-WAIT after a start or an increase, an adult reading meeting the "
         "life-threatening criteria (SBP < start_criteria.sbp_below, DBP <= start_criteria.dbp_at_or_below, MAP below "
         "their MAP equivalent 53.3), or MAP at least titration.far_below_mmhg below target and lower than the "
         "reading before: increase now (TIT-UP-LARGE or TIT-UP).", "[seed 000] life-threatening hypotension: act now"),
    Rule(TIT_EFFECT_OVERSHOOT, "MAP above the band while a start or an increase is still taking effect "
         "(TIT-EFFECT-WAIT): decrease now by the TIT-PROPORTIONAL step from that reading, at least one "
         "titration.dose_resolution step, at most TIT-WEAN-LIMIT: the pressure will rise further. A sensitive patient "
         "who overshoots the start dose is brought down early and gradually.",
         "full effect 10-35 min (Beloeil 2005) [V]; reduce gradually [seed 002]"),
    Rule(TIT_PROPORTIONAL, "Step size: dose x (e^(titration.proportional_gain (0.5) x (band middle - MAP) / 10) - 1), "
         "rounded to titration.dose_resolution (0.005 mcg/kg/min); a decrease takes at most "
         "titration.max_wean_fraction (0.3) of the dose in one check. On the Emax dose-response the same MAP change "
         "needs about the same fraction of the dose, so a fixed step overshoots at low doses and barely acts at high "
         "ones.", "Emax PD, Oualha 2014 [V/S]; reduce gradually [seed 002]; gain and limits [U]"),
    Rule(TIT_ABOVE_CONFIRM, "MAP above the band on fewer than titration.above_band_readings_to_wean consecutive "
         "readings (or not yet at the taper minimum on as many): hold and recheck soon.", "[U]"),
    Rule(TIT_DOWN_BORDERLINE, "MAP above the band but not far above (TIT-DOWN-FAR), the mean of this and the previous "
         "reading at the same dose at or below the band's top, and the mean of the settled readings (TIT-LEVEL's, this "
         "one included) within titration.centre_deadband_mmhg of the band's middle: hold and recheck. One reading "
         "above the band after one in it is noise or the minute-to-minute swing until a second one agrees, unless "
         "the settled mean already sits high.", "[U]; residual error 14% on MAP (Oualha 2014) [V/S]"),
    Rule(TIT_DOWN, "MAP above the band on titration.above_band_readings_to_wean (1) consecutive readings, and not a "
         "single high reading after one in the band (TIT-DOWN-BORDERLINE): decrease by the TIT-PROPORTIONAL step "
         "from the mean of this and the previous reading at the same dose (this one alone without one), at least "
         "one titration.dose_resolution step, not below the taper minimum.",
         "[seed 002] reduce gradually; [U]"),
    Rule(TIT_DOWN_FAR, "MAP more than safety.overdose_map_above_target_mmhg above target: decrease now by "
         "titration.step_down_large (0.05 mcg/kg/min), scaled by TIT-DOWN-SCALED, at most TIT-WEAN-LIMIT, not below "
         "the taper minimum; the overshoot is answered with an earlier recheck (INT-OVERSHOOT), not a bigger step.",
         "[seed 003] hypertension from overdose; step [U]"),
    Rule(TIT_DOWN_SCALED, "The TIT-DOWN-FAR step is titration.step_down_large times the whole number of start doses "
         "(populations.*.start_dose) in the running dose, at least once: 0.05 below 0.2, 0.1 from 0.2, 0.3 from "
         "0.6 mcg/kg/min (a fixed step barely lowers MAP high on the Emax curve).",
         "Emax dose-response, Oualha 2014 [V/S]; multiple [U]"),
    Rule(TIT_TAPER_FLOOR, "A decrease from above the taper minimum stops at populations.*.taper_min_dose: never stop "
         "abruptly from a meaningful dose.", "[seed 002; V label] abrupt withdrawal causes marked hypotension"),
    Rule(TIT_TAPER_OFF, "At or below the taper minimum with MAP above the band on "
         "titration.above_band_readings_to_wean consecutive readings taken at that dose, and no vasopressin running: "
         "stop norepinephrine.",
         "[seed 002] reduce gradually; taper minimum [U]"),
    Rule(TIT_NOT_RUNNING, "NE not running and MAP at or above target without a start criterion: no vasopressor.",
         "[seed 000]"),
    Rule(TIT_RESTART, "NE stopped earlier in this history and MAP below target again: restart at the population's "
         "start dose (populations.*.start_dose), not at the taper minimum it was stopped from; one borderline reading "
         "is rechecked first (TIT-UP-BORDERLINE).",
         "[seed 000, 002] start 0.1, titrate to effect"),
    Rule(TIT_AWAIT_READING, "The running dose was set after the latest reading (a change, a start or a stop not yet "
         "measured): keep it, advise no further change, and recheck intervals.after_change_minutes after the change "
         "(INT-EFFECT: titration.effect_minutes after a step taken with MAP at or above target); the next advice "
         "comes from a reading taken after it. The advice says what it waits for and until when (Advice.waiting).",
         "onset 1-2 min, steady state 10-35 min (Beloeil 2005) [V]; never act on a dose whose effect is not yet "
         "seen [seed 002] titrate to effect"),
    Rule(TIT_WEAN_LIMIT, "No single decrease is larger than titration.max_wean_fraction (0.3) of the running dose, "
         "far above target and above the hard maximum included (0.4 at MAP 96 -> 0.28, not 0.2); the lowest dose is "
         "rounded up to titration.dose_resolution.", "[seed 002] reduce gradually; fraction [U]"),
    Rule(TIT_LARGE_CHANGE, "An advised dose more than dose_change.large_change_factor (3) above or below the running "
         "one needs the nurse's confirmation: LARGE_DOSE_CHANGE (medium), needs_confirmation true.",
         "10-fold programming error, MSOS forum [V]; factor [U]"),
    Rule(START_SBP, "NE not running and SBP < start_criteria.sbp_below (80): start now, even during fluid "
         "resuscitation.", "[seed 000]"),
    Rule(START_DBP, "NE not running and DBP <= start_criteria.dbp_at_or_below (40): start now, even during fluid "
         "resuscitation.", "[seed 000, 001]"),
    Rule(START_DSI, "NE not running, MAP below target and diastolic shock index HR/DBP >= "
         "start_criteria.diastolic_shock_index_at_or_above (3): start early.",
         "[seed 000, 001]; Ospina-Tascon 2020 [V]; cut-off [U]"),
    Rule(START_SBP_AFTER_BOLUS, "NE not running, fluids given and SBP < start_criteria.sbp_after_bolus_below (70): "
         "start early.", "[seed 000]"),
    Rule(START_FLUID_HARMFUL, "NE not running, MAP below target and ARDS, intra-abdominal hypertension or cardiac "
         "dysfunction: start early (fluid is harmful).", "[seed 000, 001]"),
    Rule(START_AFTER_FLUIDS, "NE not running, MAP below target after >= start_criteria.fluids_ml_per_kg (30 mL/kg): "
         "start at populations.*.start_dose (0.1 mcg/kg/min).", "[seed 000, 004; V SSC 2021]"),
    Rule(START_WAIT_FLUIDS, "NE not running, MAP below target, no start criterion and fluids below 30 mL/kg or "
         "unknown: no start yet; give fluids and recheck.", "[seed 000, 002]"),
    Rule(START_MAP_EQUIVALENT, "Adult, NE not running, SBP and DBP not both recorded and MAP below "
         "(start_criteria.sbp_below + 2 x start_criteria.dbp_at_or_below) / 3 (53.3 mmHg): such a MAP cannot have "
         "SBP >= 80 and DBP > 40 together, so it is life-threatening hypotension: start now, fluids recorded or not.",
         "[seed 000] SBP < 80 or DBP <= 40; MAP = DBP + (SBP - DBP)/3 [S]"),
    Rule(START_VASOPRESSIN_RUNNING, "NE not running, vasopressin running and MAP below target: start "
         "norepinephrine (vasopressin is never monotherapy), not 'give fluids first'.", "[seed 000, 001]"),
    Rule(START_WAIT_LIMIT, "NE not running and MAP below target, waiting for fluids, for "
         "start_criteria.wait_for_fluids_alert_minutes (30 min) or more: BELOW_TARGET_WAITING (high) says how long "
         "and asks to record the fluids given or to start norepinephrine as ordered.",
         "[seed 000] duration and depth of hypotension worsen outcome; time [U]"),
    Rule(START_PEDIATRIC, "Child, NE not running, MAP below the written target after "
         "start_criteria.pediatric_fluids_ml_per_kg (40 mL/kg) of volume resuscitation, or with fluid harmful: start "
         "at the paediatric start dose, worded as the paediatric rule. The adult emergency criteria (SBP < 80, DBP <= "
         "40, MAP < 53.3) do not apply to children.", "[seed 002] after volume resuscitation; [seed 004] SSC 2020 "
         "40-60 mL/kg"),
    Rule(READ_PLAUSIBLE, "A MAP (measured or from SBP/DBP) outside readings.map_min_mmhg..map_max_mmhg (20-200) is "
         "refused, naming the field.", "typing-error bounds [U]"),
    Rule(READ_MAP_BETWEEN, "A typed MAP not between the DBP and the SBP of the same reading (MAP 120 with 80/40) is "
         "refused, naming the fields.", "MAP lies between DBP and SBP [S]"),
    Rule(READ_ARTEFACT, "A MAP more than readings.artefact_jump_mmhg (30) from the last trusted reading within "
         "readings.artefact_window_minutes (10 min), at unchanged doses and not marked confirmed, is recorded but "
         "unconfirmed: READING_UNCONFIRMED (high), 'repeat the reading now', no dose change, next check in "
         "readings.repeat_after_minutes (1 min); the next reading within the jump of it confirms it, one that is not "
         "drops it from the trends. A life-threatening reading with NE not running still starts it (START-*).",
         "arterial-line flush and damping artefacts; amounts [U]"),
    Rule(READ_STALE, "A latest reading older than readings.max_age_minutes (15 min) at now never drives a dose "
         "change: READING_STALE (high), 'take a new reading'; readings older than that are left out of the trends "
         "(TIT-UP-RISING, TIT-UP-BORDERLINE, the counts above the band).", "age [U]"),
    Rule(REM_FLUIDS, "On starting (or while waiting for fluids) with fluids below start_criteria.fluids_ml_per_kg or "
         "unknown: remind 30 mL/kg crystalloid within 3 h.", "[seed 000, 004; V SSC 2021]"),
    Rule(REM_ARTERIAL_LINE, "On starting, or while running without one: remind an arterial line as soon as "
         "practical.", "[seed 000, 001]"),
    Rule(REM_CENTRAL_ACCESS, "NE through a peripheral or intraosseous line: remind that central access is preferred.",
         "[seed 000, 004]"),
    Rule(INT_AFTER_CHANGE, "After a start, an increase below target, TIT-EFFECT-OVERSHOOT or a change far above "
         "target the next check is intervals.after_change_minutes (5 min); a small step at or above target waits "
         "for its effect (INT-EFFECT).",
         "[seed 000, 004]; label every 2-5 min [V]"),
    Rule(INT_BELOW_TARGET, "While MAP is below target the next check is intervals.below_target_minutes (5 min).",
         "[seed 000, 004]"),
    Rule(INT_CONFIRM, "MAP above the band without a change: recheck at intervals.min_minutes to confirm.", "[U]"),
    Rule(INT_STABLE, "Steady readings (at the running dose, in the band and within titration.centre_deadband_mmhg "
         "(2) of its middle) lengthen the interval from intervals.min_minutes to intervals.max_minutes over "
         "intervals.stable_readings_for_max readings; a reading near a band edge keeps it at the minimum; always "
         "within the bounds.", "[seed 000, 004] 5-15 min; count and zone [U]"),
    Rule(INT_OVERDUE, "A check not done by its due time raises CHECK_OVERDUE: low, medium after "
         "intervals.overdue_medium_after_minutes, high after intervals.overdue_high_after_minutes.",
         "IEC 60601-1-8 priorities [V]; unanswered reminders escalate; times [U]"),
    Rule(TIT_EFFECT_MODEL, "Within TIT-EFFECT-WAIT, the MAP the running dose will give is predicted from a first-order "
         "course with a half-life of titration.effect_minutes / 5 (full effect after five half-lives): the reading "
         "plus the response seen since the last reading before the change, times r / (1 - r), r = 2^(-5 t / "
         "titration.effect_minutes) the part still to come t minutes after the change. After a decrease, a MAP above "
         "the band that is predicted to stay above it is weaned further by TIT-DOWN from the predicted MAP; a "
         "predicted MAP in the band waits.",
         "first-order kinetics, half-life 2-7 min, full effect 10-35 min (Beloeil 2005) [V]; [U]"),
    Rule(INT_EFFECT, "A step taken with MAP at or above target (TIT-LEVEL, TIT-DOWN), and a hold while a change "
         "takes effect with MAP at or above target, are rechecked when the change has had its full time "
         "(titration.effect_minutes after it), within intervals.min_minutes..max_minutes: nothing would be decided "
         "earlier. Below target, after a start and far above target the check stays at 5 min.",
         "[seed 000, 004] 5-15 min; full effect 10-35 min (Beloeil 2005) [V]"),
    Rule(INT_OVERSHOOT, "A decrease for MAP far above target (TIT-DOWN-FAR) is rechecked at intervals.min_minutes.",
         "[seed 000, 004] 5-15 min"),
    Rule(ESC_VASOPRESSIN, "NE >= escalation.vasopressin_ne_threshold (0.25) and MAP below target, no vasopressin: "
         "ADD_VASOPRESSIN 0.03 U/min (never alone).", "[seed 000, 001]; threshold SSC narrative [S]"),
    Rule(ESC_VASOPRESSIN_SALVAGE, "Vasopressin above escalation.vasopressin_salvage_above_u_per_min (0.04 U/min) "
         "raises VASOPRESSIN_SALVAGE_DOSE (salvage only).", "[seed 001]"),
    Rule(ESC_VASOPRESSIN_ALONE, "Vasopressin running with no norepinephrine raises VASOPRESSIN_ALONE (never as "
         "monotherapy).", "[seed 000, 001]"),
    Rule(ESC_VASOPRESSIN_FLOOR, "While vasopressin runs, norepinephrine is not weaned below vasopressin's "
         "norepinephrine equivalent (U/min x 2.5: 0.075 mcg/kg/min for 0.03 U/min), so vasopressin never carries the "
         "patient.", "[seed 000, 001] never alone; NEE Goradia 2021 [S]"),
    Rule(ESC_PEDIATRIC_DOSES, "Child: no adult flat dose is shown. Vasopressin and hydrocortisone doses come per kg "
         "from populations.pediatric.vasopressin_u_per_kg_per_min and hydrocortisone_mg_per_kg_per_day; where the "
         "protocol has none (0, as shipped), and for epinephrine and dobutamine, the suggestion names the agent and "
         "says 'dose per the prescriber's order'.", "no paediatric escalation doses in the seeds"),
    Rule(ESC_EPINEPHRINE, "MAP below target with vasopressin running and NE >= escalation.epinephrine_ne_threshold "
         "(0.5), no epinephrine: ADD_EPINEPHRINE 0.05-2 mcg/kg/min.", "[seed 000, 001]; threshold [U]"),
    Rule(ESC_EPINEPHRINE_WEAN, "MAP above the band on titration.above_band_readings_to_wean consecutive readings "
         "with epinephrine running and NE below escalation.epinephrine_ne_threshold (0.5): hold norepinephrine and "
         "wean epinephrine first (the last agent added comes off first), like norepinephrine in steps: "
         "REDUCE_EPINEPHRINE by at most titration.max_wean_fraction down to escalation.epinephrine_min_dose (0.05), "
         "STOP_EPINEPHRINE from there (1.0 -> 0.7 -> 0.49 ...). At or above the threshold NE is weaned first.",
         "[seed 002] reduce gradually; order [U]"),
    Rule(ESC_VASOPRESSIN_WEAN, "MAP above the band on titration.above_band_readings_to_wean consecutive readings "
         "with vasopressin running: in the order escalation.wean_first sets (norepinephrine first: once "
         "norepinephrine is at ESC-VASOPRESSIN-FLOOR; vasopressin first: at once) STOP_VASOPRESSIN and raise "
         "norepinephrine by vasopressin's norepinephrine equivalent (U/min x 2.5, NEE-SUM: 0.075 -> 0.15 mcg/kg/min "
         "for 0.03 U/min), so the pressure vasopressin gave is not lost at once; norepinephrine is stopped only "
         "after vasopressin. A raise beyond TIT-LARGE-CHANGE needs confirmation.",
         "[seed 000, 001] vasopressin never alone; NEE Goradia 2021 [S]; order and handover [U]"),
    Rule(ESC_DOBUTAMINE, "MAP at or above target with hypoperfusion (lactate above safety.lactate_high_mmol_per_l and "
         "not falling, urine < safety.urine_low_ml_per_kg_per_h, capillary refill > safety.crt_prolonged_s, altered "
         "mentation), no dobutamine: CONSIDER_DOBUTAMINE 2.5-20 mcg/kg/min, especially with cardiac dysfunction.",
         "[seed 000; V SSC 2021]; lactate and refill cut-offs [U]"),
    Rule(ESC_DOBUTAMINE_WEAN, "Dobutamine running, MAP at or above target, no sign of hypoperfusion, and the latest "
         "lactate <= safety.lactate_high_mmol_per_l and urine >= safety.urine_low_ml_per_kg_per_h: STOP_DOBUTAMINE "
         "(it was started for hypoperfusion, which has resolved).",
         "[seed 000] dobutamine for hypoperfusion at target MAP; stopping when it resolves [U]"),
    Rule(ESC_HYDROCORTISONE, "NE or epinephrine >= escalation.hydrocortisone_ne_threshold (0.25) for >= "
         "escalation.hydrocortisone_after_hours (4 h), hydrocortisone not started: CONSIDER_HYDROCORTISONE 200 mg/day.",
         "SSC 2021 [U]"),
    Rule(ESC_VOLUME, "NE >= escalation.high_dose_volume_check (0.5): CHECK_VOLUME_STATUS (suspect occult "
         "hypovolaemia).", "[seed 002]; threshold [U]"),
    Rule(LINE_DOSE_LIMIT, "Peripheral or intraosseous line with the dose not below "
         "lines.*.max_dose_mcg_per_kg_per_min (0.5 itself is over) or above lines.*.max_dose_mcg_per_min: "
         "LINE_DOSE_LIMIT and CENTRAL_LINE_NEEDED.",
         "[seed 004] < 0.5 mcg/kg/min; Yerke 2024 15 mcg/min [V/S]"),
    Rule(LINE_TIME_LIMIT, "Peripheral or intraosseous line in place longer than lines.*.max_hours (24 h): "
         "LINE_TIME_LIMIT and CENTRAL_LINE_NEEDED.", "[seed 004]"),
    Rule(LINE_EXTRAVASATION, "Peripheral or intraosseous line: show the extravasation pathway (phentolamine 5-10 mg "
         "in 10-15 mL saline within 12 h; paediatric 0.1-0.2 mg/kg, max 10 mg).", "[seed 000, 002; V label]"),
    Rule(SAFE_MAP_CRITICAL, "Adult with life-threatening hypotension, absolute and never relative to a target: SBP < "
         "start_criteria.sbp_below (80), DBP <= start_criteria.dbp_at_or_below (40), or (SBP and DBP not both "
         "recorded) MAP below (80 + 2 x 40) / 3 = 53.3: MAP_CRITICALLY_LOW (high).", "[seed 000]"),
    Rule(SAFE_MAP_FAR_BELOW, "MAP at least titration.far_below_mmhg (10) below target without life-threatening "
         "hypotension (MAP 67 under a target of 80): MAP_FAR_BELOW_TARGET (medium), 'below target'.",
         "[seed 000] titrate to target; margin [U]"),
    Rule(SAFE_ABRUPT_STOP, "Norepinephrine seen stopped in the record from above the taper minimum "
         "(populations.*.taper_min_dose), and not running now: NE_STOPPED_ABRUPTLY (high) for "
         "titration.abrupt_stop_watch_minutes (60 min) after the stop.",
         "[seed 002; V label] abrupt withdrawal causes marked hypotension; watch time [U]"),
    Rule(SAFE_PUMP_ROUNDING, "The advised dose's pump rate rounds to 0 mL/h, or the rounded rate delivers a dose "
         "more than pump.max_delivered_error_fraction (10 %) off: PUMP_RATE_ROUNDING (medium) with the delivered dose "
         "and 'use a more dilute concentration'.", "[seed 002] more dilute solutions; fraction [U]"),
    Rule(SAFE_INPUT_CHECKS, "The engine checks its weight and concentration exactly as the dose calculator does "
         "(core.infusion.check_inputs): implausible ones are refused, WEIGHT_MAYBE_POUNDS, SALT_CONVERTED_TO_BASE and "
         "NONSTANDARD_CONCENTRATION are raised (see Dosing and input safety).", "see the dosing rules"),
    Rule(SAFE_MAP_ABOVE_BAND, "NE running and MAP above the band: MAP_ABOVE_BAND (low).", "[U]"),
    Rule(SAFE_OVERDOSE, "NE running and MAP more than safety.overdose_map_above_target_mmhg (25) above target: "
         "MAP_FAR_ABOVE_TARGET (high).", "[seed 003]; threshold [U]"),
    Rule(SAFE_BRADYCARDIA, "HR < safety.bradycardia_hr_below (50): BRADYCARDIA (medium, reflex bradycardia).",
         "[seed 003]; threshold [U]"),
    Rule(SAFE_VASOCONSTRICTION, "NE running, MAP at or above target and urine output falling below "
         "safety.urine_low_ml_per_kg_per_h or lactate rising above safety.lactate_high_mmol_per_l: "
         "EXCESS_VASOCONSTRICTION (medium).", "[seed 001]"),
    Rule(SAFE_BAG_BEFORE_CHECK, "The bag runs out before the next check at the proposed rate: BAG_NEAR_EMPTY (high).",
         "[U]"),
    Rule(SAFE_BAG_LOW, "Less than bag.near_empty_minutes (30 min) left at the proposed rate: BAG_NEAR_EMPTY "
         "(medium).", "[U]"),
    Rule(SAFE_DAILY_MAX, "Drug over the last 24 h, or the proposed dose run for 24 h, above "
         "daily.label_max_mg_per_day (68 mg base): DAILY_TOTAL_ABOVE_LABEL_MAX (medium).", "[seed 002; V label]"),
    Rule(SAFE_PUMP_MAX, "The proposed rate above pump.max_rate_ml_per_h: RATE_ABOVE_PUMP_MAX (high); use a more "
         "concentrated solution.", "[seed 002] concentration adjustments"),
    Rule(NEE_SUM, "NEE = NE + epinephrine + phenylephrine/10 + dopamine/100 + metaraminol/8 + vasopressin (U/min) x "
         "2.5 + angiotensin II x 10 (mcg/kg/min), shown beside the NE dose.",
         "Goradia 2021 as in MIT-LCP mimic-code [S]"),
    Rule(MAP_FROM_SBP_DBP, "Without a measured MAP, MAP = DBP + (SBP - DBP)/3.", "standard formula [S]"),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
assert len(RULES) == len(_ALL), "duplicate rule ID"

# Retired IDs: never reused (docs/rules.md, "Retired rules"); the value says what replaced the rule.
RETIRED: dict[str, str] = {
    "TIT-CENTRE": "issue 13: stepped toward the band's middle on single readings, so noise alone changed the dose; "
                  "replaced by TIT-LEVEL (the mean of settled readings) and TIT-HOLD",
}
assert not set(RETIRED) & set(RULES), "a retired rule ID is reused"
