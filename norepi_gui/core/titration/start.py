"""When to start norepinephrine (rules START-*) and the reminders that go with starting (REM-*)."""

from __future__ import annotations

from dataclasses import dataclass

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.protocol import LineType, Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import PatientInfo, Reading, Reminder, Target


@dataclass(frozen=True)
class StartFinding:
    rule: str
    reason: str  # e.g. "SBP 75 < 80"
    emergency: bool = False  # life-threatening: start now, even while fluids are given


def life_threatening(latest: Reading, protocol: Protocol) -> list[StartFinding]:
    """The seeds' absolute life-threatening hypotension (adults): SBP < 80, DBP <= 40, or a MAP that cannot have
    SBP >= 80 and DBP > 40 together: (80 + 2 x 40) / 3 = 53.3 (thresholds from start_criteria). Never relative to a
    target. The MAP criterion applies when SBP and DBP are not both recorded (with both, they decide)."""
    sc = protocol.start_criteria
    found: list[StartFinding] = []
    sbp, dbp = latest.sbp_mmhg, latest.dbp_mmhg
    if sbp is not None and sbp < sc.sbp_below:
        found.append(StartFinding(rid.START_SBP, f"SBP {sbp:g} < {sc.sbp_below:g}", emergency=True))
    if dbp is not None and dbp <= sc.dbp_at_or_below:
        found.append(StartFinding(rid.START_DBP, f"DBP {dbp:g} <= {sc.dbp_at_or_below:g}", emergency=True))
    equivalent = sc.map_equivalent_below
    if (sbp is None or dbp is None) and not found and latest.map < equivalent - EPS:
        found.append(StartFinding(
            rid.START_MAP_EQUIVALENT,
            f"MAP {latest.map:.0f} < {equivalent:.1f} (= ({sc.sbp_below:g} + 2 x {sc.dbp_at_or_below:g}) / 3: SBP < "
            f"{sc.sbp_below:g} or DBP <= {sc.dbp_at_or_below:g})", emergency=True))
    return found


def start_criteria(latest: Reading, patient: PatientInfo, target: Target, protocol: Protocol) -> list[StartFinding]:
    """Every start criterion the latest reading meets, emergency ones first. Empty: do not start yet.

    Adults: the life-threatening criteria, then the early-start ones of seed 000. Children (seed 002: norepinephrine
    for continued shock after volume resuscitation): MAP below the child's written target after
    start_criteria.pediatric_fluids_ml_per_kg, or with fluid harmful; the adult thresholds do not apply.
    """
    if patient.population is Population.PEDIATRIC:
        return _pediatric_criteria(latest, patient, target, protocol)
    sc = protocol.start_criteria
    found = life_threatening(latest, protocol)
    sbp, m = latest.sbp_mmhg, latest.map
    below = m < target.map_mmhg
    dsi = latest.diastolic_shock_index
    if below and dsi is not None and dsi >= sc.diastolic_shock_index_at_or_above - EPS:
        cutoff = protocol.cite("start_criteria.diastolic_shock_index_at_or_above",
                               f"{sc.diastolic_shock_index_at_or_above:g}")
        found.append(StartFinding(rid.START_DSI, f"diastolic shock index {dsi:.2f} >= {cutoff}"))
    fluids = patient.fluids_ml_per_kg
    if sbp is not None and fluids is not None and fluids > 0 and sbp < sc.sbp_after_bolus_below:
        found.append(StartFinding(rid.START_SBP_AFTER_BOLUS,
                                  f"SBP {sbp:g} < {sc.sbp_after_bolus_below:g} after {fluids:g} mL/kg fluid"))
    harmful = _fluid_harmful(patient)
    if below and harmful:
        found.append(StartFinding(rid.START_FLUID_HARMFUL,
                                  f"MAP {m:.0f} < {target.map_mmhg:g} with {harmful} (fluid harmful)"))
    if below and fluids is not None and fluids >= sc.fluids_ml_per_kg - EPS:
        found.append(StartFinding(rid.START_AFTER_FLUIDS,
                                  f"MAP {m:.0f} < {target.map_mmhg:g} after {fluids:g} mL/kg fluid"))
    return found


def _fluid_harmful(patient: PatientInfo) -> str:
    return ", ".join(name for flag, name in ((patient.ards, "ARDS"),
                                             (patient.intra_abdominal_hypertension, "intra-abdominal hypertension"),
                                             (patient.cardiac_dysfunction, "cardiac dysfunction")) if flag)


def _pediatric_criteria(latest: Reading, patient: PatientInfo, target: Target,
                        protocol: Protocol) -> list[StartFinding]:
    m = latest.map
    if m >= target.map_mmhg:
        return []
    need = protocol.start_criteria.pediatric_fluids_ml_per_kg
    fluids = patient.fluids_ml_per_kg
    harmful = _fluid_harmful(patient)
    if fluids is not None and fluids >= need - EPS:
        why = f"after {fluids:g} mL/kg volume resuscitation"
    elif harmful:
        why = f"with {harmful} (fluid harmful)"
    else:
        return []
    return [StartFinding(rid.START_PEDIATRIC,
                         f"child: MAP {m:.0f} < the written target {target.map_mmhg:g}, continued shock {why}")]


def pediatric_wait_note(protocol: Protocol) -> str:
    """Why a child below target is not started yet (the adult emergency criteria do not apply)."""
    need = protocol.start_criteria.pediatric_fluids_ml_per_kg
    return (f"child: norepinephrine for continued shock after volume resuscitation ({need:g} mL/kg or more); "
            "the adult emergency criteria do not apply")


def minutes_waiting(chart: ChartedHistory, current: float, target: Target) -> float:
    """How long MAP has been below target with no norepinephrine: from the first reading of the unbroken run of
    such readings to the latest one (0 for a single reading)."""
    readings = chart.readings
    first = len(readings) - 1
    while first > 0 and readings[first - 1].map < target.map_mmhg and chart.dose_at(first - 1, current) <= EPS:
        first -= 1
    return (readings[-1].at - readings[first].at).total_seconds() / 60.0


def waiting_alert(minutes: float, patient: PatientInfo, target: Target, protocol: Protocol) -> Alert | None:
    """BELOW_TARGET_WAITING (high) once MAP has stayed below target without norepinephrine for
    start_criteria.wait_for_fluids_alert_minutes while the advice is to give fluids first (rule START-WAIT-LIMIT)."""
    limit = protocol.start_criteria.wait_for_fluids_alert_minutes
    if minutes < limit - EPS:
        return None
    fluids = patient.fluids_ml_per_kg
    given = "no fluids recorded" if fluids is None else f"only {fluids:g} mL/kg fluid recorded"
    return Alert("BELOW_TARGET_WAITING", Priority.HIGH,
                 f"MAP below target {target.map_mmhg:g} for {minutes:.0f} min (more than "
                 f"{protocol.cite('start_criteria.wait_for_fluids_alert_minutes', f'{limit:g} min')}) with {given} "
                 "and no norepinephrine: record the fluids given, or start norepinephrine as ordered.")


def start_reminders(patient: PatientInfo, protocol: Protocol, *, starting: bool, waiting_for_fluids: bool,
                    running: bool) -> list[Reminder]:
    """Fluids, arterial line and central access reminders (shown when starting, or while they still apply)."""
    sc = protocol.start_criteria
    out: list[Reminder] = []
    fluids = patient.fluids_ml_per_kg
    child = patient.population is Population.PEDIATRIC
    need = sc.pediatric_fluids_ml_per_kg if child else sc.fluids_ml_per_kg
    if (starting or waiting_for_fluids) and (fluids is None or fluids < need - EPS):
        given = "not recorded" if fluids is None else f"{fluids:g} mL/kg given"
        volume = need * patient.weight_kg
        if child:
            text = (f"Volume resuscitation: {need:g} mL/kg or more ({volume:.0f} mL for {patient.weight_kg:g} kg) "
                    f"before norepinephrine, as ordered; {given}.")
        else:
            text = (f"Give at least {need:g} mL/kg crystalloid within 3 h ({volume:.0f} mL for "
                    f"{patient.weight_kg:g} kg), before or alongside norepinephrine; {given}.")
        out.append(Reminder("FLUIDS_30_ML_KG", text, rid.REM_FLUIDS))
    if (starting and patient.arterial_line is not True) or (running and patient.arterial_line is False):
        out.append(Reminder("ARTERIAL_LINE", "Place an arterial line for continuous pressure as soon as practical.",
                            rid.REM_ARTERIAL_LINE))
    if (starting or running) and patient.line is not LineType.CENTRAL:
        out.append(Reminder("CENTRAL_ACCESS",
                            f"Norepinephrine via a {patient.line.value} line: central venous access is preferred; "
                            "plan it.", rid.REM_CENTRAL_ACCESS))
    return out
