"""The acknowledgement every received message gets (HL7 v2.6 original mode, as IHE PCD-01 expects).

``MSH`` (sender and receiver swapped, MSH-9 ``ACK^R01^ACK``, MSH-10 our own id, MSH-7 the injected time), ``MSA``
(MSA-1 AA/AE/AR, MSA-2 the message's control id, MSA-3 the reason in words) and, when refused, ``ERR`` (ERR-2 where,
ERR-3 the HL7 table 0357 code, ERR-4 severity E, ERR-5 norepi-gui's reason code, ERR-8 the reason in words).
Built with python-hl7's containers, which escape the echoed values.
"""

from __future__ import annotations

from datetime import datetime

from norepi_gui.monitor import hl7v2
from norepi_gui.monitor.pcd01 import HL7_ERRORS, AckCode, MessageHeader, ObservationSet, Parsed, Rejection

APPLICATION = "norepi-gui"
#: MSA-3 is 80 characters in HL7 v2.x; the full text goes to ERR-8.
MSA_TEXT_MAX = 80
ERR_TEXT_MAX = 250
_REASON_TABLE = "NOREPI"


def build_ack(result: Parsed, *, now: datetime, ack_id: str) -> bytes:
    """The ACK message (unframed ER7 bytes) for one parse result: AA for an observation set, the rejection's code
    otherwise."""
    if isinstance(result, ObservationSet):
        return _ack(result.header, AckCode.ACCEPT, None, now=now, ack_id=ack_id)
    return _ack(result.header, result.ack_code, result, now=now, ack_id=ack_id)


def build_reject(rejection: Rejection, *, now: datetime, ack_id: str) -> bytes:
    return _ack(rejection.header, rejection.ack_code, rejection, now=now, ack_id=ack_id)


def _ack(
    header: MessageHeader | None, code: AckCode, rejection: Rejection | None, *, now: datetime, ack_id: str
) -> bytes:
    h = header or MessageHeader()
    event = h.message_type[1] if len(h.message_type) > 1 and h.message_type[1] else "R01"
    message = hl7v2.new_message(
        {
            3: APPLICATION,
            4: h.receiving_facility,
            5: h.sending_application,
            6: h.sending_facility,
            7: hl7v2.format_time(now),
            9: ("ACK", event, "ACK"),
            10: ack_id,
            11: h.processing_id or "P",
            12: h.version or "2.6",
            15: "NE",
            16: "NE",
        }
    )
    msa: dict[int, hl7v2.Components] = {1: code.value, 2: h.control_id}
    if rejection is not None:
        msa[3] = f"{rejection.reason.value}: {rejection.detail}"[:MSA_TEXT_MAX]
    message.add("MSA", msa)
    if rejection is not None:
        error = rejection.error_code
        err: dict[int, hl7v2.Components] = {
            3: (str(error), HL7_ERRORS.get(error, ""), "HL70357"),
            4: "E",
            5: (rejection.reason.value, "", _REASON_TABLE),
            8: rejection.detail[:ERR_TEXT_MAX],
        }
        if rejection.location:
            err[2] = tuple(rejection.location.split("^"))
        message.add("ERR", err)
    return message.to_er7()
