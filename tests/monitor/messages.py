"""PCD-01 messages as a gateway writes them, protocol rules and acknowledgement reading, for the monitor tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import hl7

from norepi_gui.core.protocol import Monitor, load_protocol
from norepi_gui.monitor.mllp import Frame, MllpDecoder

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
SB, EB, CR = b"\x0b", b"\x1c", b"\r"


def rules(**changes: Any) -> Monitor:
    """The shipped protocol's [monitor] section, with changes."""
    return replace(load_protocol().monitor, **changes)


# A PCD-01 message written out by hand after the IHE PCD technical framework's layout and the GE B40 gateway example
# (MSH-21 PCD_DEC_001, MDS/VMD/channel structure rows with OBX-11 X, NM rows with MDC codes and units, OBX-14 times).
# {placeholders} let a test vary one field at a time.
PCD01_TEMPLATE = (
    "MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||20260101080000+0000||{type}|{control_id}|P|2.6|||NE|AL||"
    "UNICODE UTF-8|||PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
    "PID|||{patient}^^^HOSP^MR||DOE^JANE^^^^^L\r"
    "PV1||I|{bed}\r"
    "OBR|1|{control_id}^VSP|{control_id}^VSP|182777000^monitoring of patient^SCT|||{obr_time}\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
    "OBX|2||69798^MDC_DEV_ECG_VMD^MDC|1.5.0.0|||||||X\r"
    "OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|{hr}|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||{obx_time}\r"
    "OBX|4||69854^MDC_DEV_METER_PRESS_BLD_VMD^MDC|1.13.0.0|||||||X\r"
    "OBX|5||69855^MDC_DEV_METER_PRESS_BLD_CHAN^MDC|1.13.1.0|||||||X\r"
    "OBX|6|NM|150033^MDC_PRESS_BLD_ART_SYS^MDC|1.13.1.1|{sbp}|266016^MDC_DIM_MMHG^MDC|||||R|||{obx_time}\r"
    "OBX|7|NM|150034^MDC_PRESS_BLD_ART_DIA^MDC|1.13.1.2|{dbp}|266016^MDC_DIM_MMHG^MDC|||||R|||{obx_time}\r"
    "OBX|8|NM|150035^MDC_PRESS_BLD_ART_MEAN^MDC|1.13.1.3|{map}|{map_unit}|||||R|||{obx_time}\r"
    "OBX|9|NM|149522^MDC_BLD_PULS_RATE_INV^MDC|1.13.1.4|{pulse}|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||{obx_time}\r"
    "OBX|10|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||{obx_time}\r"
)
DEFAULTS: dict[str, str] = {
    "type": "ORU^R01^ORU_R01",
    "control_id": "MSG00001",
    "patient": "HED12",
    "bed": "ICU^12^A",
    "obr_time": "20260101080000+0000",
    "obx_time": "20260101075955+0000",
    "hr": "80",
    "sbp": "112",
    "dbp": "76",
    "map": "95",
    "map_unit": "266016^MDC_DIM_MMHG^MDC",
    "pulse": "81",
}


def pcd01(**fields: str) -> bytes:
    """The template with some fields changed (unframed bytes)."""
    return PCD01_TEMPLATE.format(**{**DEFAULTS, **fields}).encode("utf-8")


def framed(payload: bytes) -> bytes:
    return SB + payload + EB + CR


def ack_fields(reply: bytes) -> dict[str, str]:
    """MSA-1, MSA-2, MSA-3 and ERR-3.1 of one acknowledgement, read with python-hl7 itself."""
    msg = hl7.parse(reply.decode("utf-8"))
    out = {
        "msa1": str(msg.extract_field("MSA", 1, 1, 1, 1)),
        "msa2": str(msg.extract_field("MSA", 1, 2, 1, 1)),
        "msa3": str(msg.extract_field("MSA", 1, 3, 1, 1)) if len(msg.segment("MSA")) > 3 else "",
        "msh9": "^".join(str(msg.extract_field("MSH", 1, 9, 1, c)) for c in (1, 2, 3)),
    }
    try:
        out["err3"] = str(msg.extract_field("ERR", 1, 3, 1, 1))
        out["err2"] = str(msg.segment("ERR")[2])
    except KeyError:
        out["err3"] = out["err2"] = ""
    return out


def unframe(data: bytes) -> list[bytes]:
    decoder = MllpDecoder(max_frame_bytes=1 << 20, max_junk_bytes=1 << 20)
    return [item.payload for item in decoder.feed(data) if isinstance(item, Frame)]
