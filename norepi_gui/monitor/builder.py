"""Compose an IHE PCD-01 ORU^R01 message, as a monitor gateway sends it: for ``monitor-sim``, the tests and bench/.

Layout (IHE PCD technical framework; GE B40 and IntelliVue gateway examples, ../shared/clinical-reference.md [S]):
MSH with MSH-21 ``PCD_DEC_001``, PID (PID-3), PV1 (PV1-3 ``unit^room^bed``), one OBR (OBR-7 the observation time),
then OBX rows along the containment tree ``MDS.VMD.channel.metric``: the monitor (MDS, ``1.0.0.0``, status X), the
ECG VMD ``1.5`` with heart rate, the blood-pressure VMD ``1.13`` with the invasive channel ``1.13.1`` (systolic,
diastolic, mean, pulse rate) and the non-invasive channel ``1.13.2`` (systolic, diastolic, mean). Structure rows carry
OBX-11 ``X`` and no value; measurement rows ``NM``, an MDC unit, OBX-11 ``R`` and OBX-14.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from norepi_gui.monitor import hl7v2
from norepi_gui.monitor.codes import BY_VITAL, MDC_CODING_SYSTEM, Vital
from norepi_gui.monitor.pcd01 import Location

PCD_DEC_001 = ("PCD_DEC_001", "IHE PCD", "1.3.6.1.4.1.19376.1.6.1.1.1", "ISO")
DEFAULT_SENDER = ("NOREPI-SIM", "0000000000000001", "EUI-64")
MONITORING_OF_PATIENT = ("182777000", "monitoring of patient", "SCT")

_MDS = ("69965", "MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS", MDC_CODING_SYSTEM)
_ECG_VMD = ("69798", "MDC_DEV_ECG_VMD", MDC_CODING_SYSTEM)
_ECG_CHAN = ("69799", "MDC_DEV_ECG_CHAN", MDC_CODING_SYSTEM)
_BP_VMD = ("69854", "MDC_DEV_METER_PRESS_BLD_VMD", MDC_CODING_SYSTEM)
_ART_CHAN = ("69855", "MDC_DEV_METER_PRESS_BLD_CHAN", MDC_CODING_SYSTEM)
_NIBP_CHAN = ("70687", "MDC_DEV_PRESS_BLD_NONINV_CHAN", MDC_CODING_SYSTEM)

# (structure rows, measurement rows) per group, in the order a gateway sends them.
_GROUPS: tuple[tuple[tuple[tuple[tuple[str, str, str], str], ...], tuple[tuple[Vital, str], ...]], ...] = (
    (((_ECG_VMD, "1.5.0.0"), (_ECG_CHAN, "1.5.1.0")), ((Vital.HR, "1.5.1.1"),)),
    (
        ((_BP_VMD, "1.13.0.0"), (_ART_CHAN, "1.13.1.0")),
        ((Vital.ART_SBP, "1.13.1.1"), (Vital.ART_DBP, "1.13.1.2"), (Vital.ART_MAP, "1.13.1.3"),
         (Vital.PULSE, "1.13.1.4")),
    ),
    (
        ((_NIBP_CHAN, "1.13.2.0"),),
        ((Vital.NIBP_SBP, "1.13.2.1"), (Vital.NIBP_DBP, "1.13.2.2"), (Vital.NIBP_MAP, "1.13.2.3")),
    ),
)


def format_value(value: float, decimals: int = 0) -> str:
    """An HL7 NM: fixed-point, no exponent (monitors send whole mmHg and beats per minute)."""
    text = f"{value:.{decimals}f}"
    return "0" if text in ("-0", "-0.0") else text


def build_oru_r01(
    *,
    control_id: str,
    sent_at: datetime,
    observed_at: datetime,
    values: Mapping[Vital, float],
    bed: Location | None = None,
    patient_id: str = "",
    sender: tuple[str, ...] = DEFAULT_SENDER,
    facility: str = "",
    processing_id: str = "P",
    decimals: int = 0,
) -> bytes:
    """One PCD-01 message (unframed ER7 bytes) reporting ``values`` observed at ``observed_at``."""
    message = hl7v2.new_message(
        {
            3: sender,
            4: facility,
            7: hl7v2.format_time(sent_at),
            9: ("ORU", "R01", "ORU_R01"),
            10: control_id,
            11: processing_id,
            12: "2.6",
            15: "NE",
            16: "AL",
            18: "UNICODE UTF-8",
            21: PCD_DEC_001,
        }
    )
    message.add("PID", {3: (patient_id, "", "", "HOSP", "MR")} if patient_id else {})
    message.add("PV1", {2: "I", 3: (bed.unit, bed.room, bed.bed) if bed is not None else ""})
    when = hl7v2.format_time(observed_at)
    filler = (control_id, sender[0])
    message.add("OBR", {1: "1", 2: filler, 3: filler, 4: MONITORING_OF_PATIENT, 7: when})
    rows: list[dict[int, hl7v2.Components]] = [{2: "", 3: _MDS, 4: "1.0.0.0", 11: "X"}]
    for structure, measurements in _GROUPS:
        present = [(vital, sub) for vital, sub in measurements if vital in values]
        if not present:
            continue
        rows.extend({3: code, 4: sub, 11: "X"} for code, sub in structure)
        for vital, sub in present:
            entry = BY_VITAL[vital]
            rows.append(
                {
                    2: "NM",
                    3: (str(entry.code), entry.name, MDC_CODING_SYSTEM),
                    4: sub,
                    5: format_value(values[vital], decimals),
                    6: (str(entry.unit_code), entry.unit_name, MDC_CODING_SYSTEM),
                    11: "R",
                    14: when,
                }
            )
    for number, row in enumerate(rows, start=1):
        message.add("OBX", {1: str(number), **row})
    return message.to_er7()
