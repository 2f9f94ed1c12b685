"""When to start norepinephrine (rules START-*) and the reminders that go with starting (REM-*)."""

from __future__ import annotations

from dataclasses import dataclass

from norepi_gui.core.protocol import LineType, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import PatientInfo, Reading, Reminder, Target


@dataclass(frozen=True)
class StartFinding:
    rule: str
    reason: str  # e.g. "SBP 75 < 80"


def start_criteria(latest: Reading, patient: PatientInfo, target: Target, protocol: Protocol) -> list[StartFinding]:
    """Every start criterion the latest reading meets, emergency ones first. Empty: do not start yet."""
    sc = protocol.start_criteria
    found: list[StartFinding] = []
    sbp, dbp, m = latest.sbp_mmhg, latest.dbp_mmhg, latest.map
    below = m < target.map_mmhg
    if sbp is not None and sbp < sc.sbp_below:
        found.append(StartFinding(rid.START_SBP, f"SBP {sbp:g} < {sc.sbp_below:g}"))
    if dbp is not None and dbp <= sc.dbp_at_or_below:
        found.append(StartFinding(rid.START_DBP, f"DBP {dbp:g} <= {sc.dbp_at_or_below:g}"))
    dsi = latest.diastolic_shock_index
    if below and dsi is not None and dsi >= sc.diastolic_shock_index_at_or_above - EPS:
        found.append(StartFinding(rid.START_DSI,
                                  f"diastolic shock index {dsi:.2f} >= {sc.diastolic_shock_index_at_or_above:g}"))
    fluids = patient.fluids_ml_per_kg
    if sbp is not None and fluids is not None and fluids > 0 and sbp < sc.sbp_after_bolus_below:
        found.append(StartFinding(rid.START_SBP_AFTER_BOLUS,
                                  f"SBP {sbp:g} < {sc.sbp_after_bolus_below:g} after {fluids:g} mL/kg fluid"))
    harmful = [name for flag, name in ((patient.ards, "ARDS"),
                                       (patient.intra_abdominal_hypertension, "intra-abdominal hypertension"),
                                       (patient.cardiac_dysfunction, "cardiac dysfunction")) if flag]
    if below and harmful:
        found.append(StartFinding(rid.START_FLUID_HARMFUL,
                                  f"MAP {m:.0f} < {target.map_mmhg:g} with {', '.join(harmful)} (fluid harmful)"))
    if below and fluids is not None and fluids >= sc.fluids_ml_per_kg - EPS:
        found.append(StartFinding(rid.START_AFTER_FLUIDS,
                                  f"MAP {m:.0f} < {target.map_mmhg:g} after {fluids:g} mL/kg fluid"))
    return found


def start_reminders(patient: PatientInfo, protocol: Protocol, *, starting: bool, waiting_for_fluids: bool,
                    running: bool) -> list[Reminder]:
    """Fluids, arterial line and central access reminders (shown when starting, or while they still apply)."""
    sc = protocol.start_criteria
    out: list[Reminder] = []
    fluids = patient.fluids_ml_per_kg
    if (starting or waiting_for_fluids) and (fluids is None or fluids < sc.fluids_ml_per_kg - EPS):
        given = "not recorded" if fluids is None else f"{fluids:g} mL/kg given"
        volume = sc.fluids_ml_per_kg * patient.weight_kg
        out.append(Reminder("FLUIDS_30_ML_KG",
                            f"Give at least {sc.fluids_ml_per_kg:g} mL/kg crystalloid within 3 h ({volume:.0f} mL for "
                            f"{patient.weight_kg:g} kg), before or alongside norepinephrine; {given}.", rid.REM_FLUIDS))
    if (starting and patient.arterial_line is not True) or (running and patient.arterial_line is False):
        out.append(Reminder("ARTERIAL_LINE", "Place an arterial line for continuous pressure as soon as practical.",
                            rid.REM_ARTERIAL_LINE))
    if (starting or running) and patient.line is not LineType.CENTRAL:
        out.append(Reminder("CENTRAL_ACCESS",
                            f"Norepinephrine via a {patient.line.value} line: central venous access is preferred; "
                            "plan it.", rid.REM_CENTRAL_ACCESS))
    return out
