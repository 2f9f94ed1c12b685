"""IHE PCD-01 (HL7 v2.6 ORU^R01): one message's bytes in, a typed observation set or a typed rejection out.

What is read (IHE PCD technical framework; ../shared/clinical-reference.md "Monitor data" [S]):

* MSH: delimiters ``|^~\\&`` (required by PCD TF-2), MSH-9 ``ORU^R01``, MSH-10 control id, MSH-21 profile;
* PID-3 patient identifiers (each repetition's ID, CX.1), PV1-3 location ``unit^room^bed``;
* OBR-7 observation time; each OBX: OBX-3 MDC code, OBX-4 containment path, OBX-5 value, OBX-6 unit, OBX-11 status,
  OBX-14 observation time (OBR-7 when empty).

Codes other than those in :mod:`norepi_gui.monitor.codes` are skipped, as are rows with no value or a status that
carries none (X, D, W, N, I). A message with none of our codes is refused (``unknown_code``); one with our codes but
no values yet (an arterial line not connected) is accepted with no observations. A wrong unit, a value that is not a
number, or a missing or unreadable time refuses the whole message: nothing of a message in doubt reaches the plot.
Link (bed/patient) and time-window checks need the session and the clock: :mod:`norepi_gui.monitor.handler`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from norepi_gui.monitor import hl7v2
from norepi_gui.monitor.codes import BY_CODE, MDC_CODING_SYSTEM, VALUE_BOUNDS, Vital


class AckCode(StrEnum):
    """MSA-1 (HL7 table 0008, original mode)."""

    ACCEPT = "AA"
    ERROR = "AE"  # the message had an error in its content
    REJECT = "AR"  # refused for a reason other than its content's values (type, size, rate, another patient)


class RejectReason(StrEnum):
    MALFORMED = "malformed"
    NOT_ORU_R01 = "not_oru_r01"
    UNKNOWN_CODE = "unknown_code"
    WRONG_UNIT = "wrong_unit"
    BAD_VALUE = "bad_value"
    BAD_TIME = "bad_time"
    WRONG_BED = "wrong_bed"
    WRONG_PATIENT = "wrong_patient"
    NOT_LINKED = "not_linked"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    NOT_STORED = "not_stored"  # accepted by the checks, but the receiver could not keep the values (send again)


#: HL7 table 0357 (message error condition codes), the ones used here.
HL7_ERRORS: dict[int, str] = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    103: "Table value not found",
    104: "Value too long",
    200: "Unsupported message type",
    201: "Unsupported event code",
    204: "Unknown key identifier",
    207: "Application internal error",
}

#: Each reason's MSA-1 and default ERR-3 code.
REASON_ACK: dict[RejectReason, tuple[AckCode, int]] = {
    RejectReason.MALFORMED: (AckCode.REJECT, 100),
    RejectReason.NOT_ORU_R01: (AckCode.REJECT, 200),
    RejectReason.UNKNOWN_CODE: (AckCode.ERROR, 103),
    RejectReason.WRONG_UNIT: (AckCode.ERROR, 103),
    RejectReason.BAD_VALUE: (AckCode.ERROR, 102),
    RejectReason.BAD_TIME: (AckCode.ERROR, 102),
    RejectReason.WRONG_BED: (AckCode.REJECT, 204),
    RejectReason.WRONG_PATIENT: (AckCode.REJECT, 204),
    RejectReason.NOT_LINKED: (AckCode.REJECT, 207),
    RejectReason.TOO_LARGE: (AckCode.REJECT, 104),
    RejectReason.RATE_LIMITED: (AckCode.REJECT, 207),
    RejectReason.NOT_STORED: (AckCode.REJECT, 207),
}

#: OBX-11 statuses that carry a value (HL7 table 0085): results entered, final, corrected, preliminary.
VALUE_STATUSES = frozenset({"R", "F", "C", "P", ""})

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]; norepi-gui needs at least the minute.
_DTM = re.compile(r"([0-9]{12}(?:[0-9]{2}(?:\.[0-9]{1,4})?)?)([+-][0-9]{4})?")
_CODE = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """What an acknowledgement echoes from MSH (unescaped components)."""

    sending_application: tuple[str, ...] = ()
    sending_facility: tuple[str, ...] = ()
    receiving_application: tuple[str, ...] = ()
    receiving_facility: tuple[str, ...] = ()
    message_type: tuple[str, ...] = ()
    control_id: str = ""
    processing_id: str = ""
    version: str = ""
    profile: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """PV1-3 as ``point of care ^ room ^ bed``. Compared component by component, ignoring case and outer spaces;
    an empty component matches only an empty one (no wildcards: a link names one bed)."""

    unit: str = ""
    room: str = ""
    bed: str = ""

    @classmethod
    def parse(cls, text: str) -> Location:
        """``"ICU^12^A"`` (what the gateway sends in PV1-3; fewer components leave the rest empty)."""
        parts = [p.strip() for p in text.split("^")][:3]
        return cls(*parts)

    def key(self) -> tuple[str, str, str]:
        return (self.unit.strip().casefold(), self.room.strip().casefold(), self.bed.strip().casefold())

    def matches(self, other: Location) -> bool:
        return self.key() == other.key()

    @property
    def empty(self) -> bool:
        return not any(self.key())

    def __str__(self) -> str:
        return "^".join((self.unit, self.room, self.bed)).rstrip("^")


@dataclass(frozen=True, slots=True)
class Observation:
    vital: Vital
    value: float
    unit: str
    at: datetime  # UTC
    code: int
    sub_id: str  # OBX-4 containment path, e.g. 1.13.1.3
    status: str  # OBX-11


@dataclass(frozen=True, slots=True)
class ObservationSet:
    """One accepted PCD-01 message: who, where, when, and the values norepi-gui reads."""

    header: MessageHeader
    patient_ids: tuple[str, ...]
    location: Location | None
    observed_at: datetime | None  # OBR-7, UTC
    observations: tuple[Observation, ...]
    skipped: int = 0  # OBX rows with other codes or without a value
    notes: tuple[str, ...] = ()

    def get(self, vital: Vital) -> Observation | None:
        for obs in self.observations:
            if obs.vital is vital:
                return obs
        return None

    def value(self, vital: Vital) -> float | None:
        obs = self.get(vital)
        return obs.value if obs is not None else None

    @property
    def latest_at(self) -> datetime | None:
        times = [o.at for o in self.observations]
        return max(times) if times else self.observed_at


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message refused: why (``reason``, ``detail`` in words), where (ERR-2, e.g. ``OBX^3^6``), and the header
    when it could be read (for the acknowledgement's MSA-2)."""

    reason: RejectReason
    detail: str
    header: MessageHeader | None = None
    location: str = ""
    hl7_error: int = field(default=0)

    @property
    def ack_code(self) -> AckCode:
        return REASON_ACK[self.reason][0]

    @property
    def error_code(self) -> int:
        return self.hl7_error or REASON_ACK[self.reason][1]


Parsed = ObservationSet | Rejection


# ---------------------------------------------------------------------------------------------------- parsing
def decode(payload: bytes) -> str:
    """UTF-8 (what PCD gateways send, MSH-18 ``UNICODE UTF-8``), else Latin-1 (every byte reads); segments end with
    carriage returns, which some senders write as CR LF or LF."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = payload.decode("latin-1")
    return text.replace("\r\n", "\r").replace("\n", "\r").strip("\r \t\x00")


def read_header(message: hl7v2.Message) -> MessageHeader:
    msh = message.header
    return MessageHeader(
        sending_application=msh.components(3, 3),
        sending_facility=msh.components(4, 3),
        receiving_application=msh.components(5, 3),
        receiving_facility=msh.components(6, 3),
        message_type=msh.components(9, 3),
        control_id=msh.field(10),
        processing_id=msh.field(11),
        version=msh.field(12),
        profile=msh.field(21),
    )


def parse_time(text: str, local_tz: tzinfo) -> datetime:
    """An HL7 DTM with at least the minute, as UTC; without an offset it is ``local_tz`` time. Raises ValueError."""
    match = _DTM.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time YYYYMMDDHHMM[SS[.SSSS]][+/-ZZZZ]")
    offset = match.group(2)
    if offset is not None and (int(offset[1:3]) > 14 or int(offset[3:5]) > 59):
        raise ValueError(f"{text!r} has an impossible UTC offset")
    try:
        value = hl7v2.parse_datetime(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=local_tz)
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not a valid date and time") from exc


#: Parsing costs about 4 microseconds per delimiter here (python-hl7 builds a container for every part); a message
#: with more is refused before parsing, so no frame can hold a listener for more than about 40 ms. A PCD-01 message
#: of a whole monitor (60 OBX rows) has about 3000.
MAX_DELIMITERS = 10_000
_DELIMITERS = (b"|", b"^", b"~", b"&", b"\r", b"\n")


@dataclass(frozen=True, slots=True)
class Envelope:
    """A message read as far as who and where (MSH, PID-3, PV1-3): enough to check the link before the values."""

    header: MessageHeader
    patient_ids: tuple[str, ...]
    location: Location | None
    message: hl7v2.Message = field(compare=False, repr=False)


def parse_pcd01(payload: bytes, *, local_tz: tzinfo) -> Parsed:
    """Parse one message (the bytes of one MLLP frame) to its observations. Never raises."""
    envelope = read_envelope(payload)
    if isinstance(envelope, Rejection):
        return envelope
    return read_observations(envelope, local_tz=local_tz)


def read_envelope(payload: bytes) -> Envelope | Rejection:
    """Read MSH, PID-3 and PV1-3 of one message; a rejection when it is not a readable ORU^R01. Never raises."""
    delimiters = sum(payload.count(d) for d in _DELIMITERS)
    if delimiters > MAX_DELIMITERS:
        return Rejection(
            RejectReason.TOO_LARGE,
            f"{delimiters} delimiters (fields, components, segments); accepted: at most {MAX_DELIMITERS}",
            header_only(payload),
            "MSH",
        )
    text = decode(payload)
    if not text.startswith("MSH"):
        return Rejection(RejectReason.MALFORMED, "the message does not start with an MSH segment", location="MSH")
    try:
        message = hl7v2.parse(text)
    except hl7v2.Hl7ParseError as exc:
        return Rejection(RejectReason.MALFORMED, str(exc), location="MSH^1^2", hl7_error=102)
    header = read_header(message)
    kind, event = header.message_type[0], header.message_type[1]
    if kind != "ORU":
        return _reject(header, RejectReason.NOT_ORU_R01, f"message type {kind or '(empty)'} is not ORU", "MSH^1^9")
    if event != "R01":
        return _reject(header, RejectReason.NOT_ORU_R01, f"event {event or '(empty)'} is not R01", "MSH^1^9", 201)
    if not header.control_id:
        return _reject(header, RejectReason.MALFORMED, "MSH-10 (message control id) is empty", "MSH^1^10", 101)
    pid = message.first("PID")
    ids = (pid.field(3, 1, r).strip() for r in range(1, pid.repetitions(3) + 1)) if pid is not None else ()
    pv1 = message.first("PV1")
    location = Location(*(c.strip() for c in pv1.components(3, 3))) if pv1 is not None else None
    return Envelope(header, tuple(i for i in ids if i), None if location is None or location.empty else location,
                    message)


#: Enough of a message's start to hold its MSH.
HEADER_BYTES = 1024


def header_only(payload: bytes) -> MessageHeader | None:
    """The MSH of a message that is not parsed whole (too large, over the rate, cut off): to acknowledge it by its
    control id. ``None`` when its first ``HEADER_BYTES`` hold no readable MSH."""
    first = decode(payload[:HEADER_BYTES]).split("\r", 1)[0]
    if not first.startswith(hl7v2.HEADER_PREFIX) or sum(first.count(d) for d in "|^~&") > 200:
        return None
    try:
        return read_header(hl7v2.parse(first))
    except hl7v2.Hl7ParseError:
        return None


def _reject(header: MessageHeader, reason: RejectReason, detail: str, location: str = "", code: int = 0) -> Rejection:
    return Rejection(reason, detail, header, location, code)


def read_observations(envelope: Envelope, *, local_tz: tzinfo) -> Parsed:
    """The values of a message whose envelope was read. Never raises."""
    message, header = envelope.message, envelope.header
    obr = message.first("OBR")
    observed_at: datetime | None = None
    obr_time = obr.field(7).strip() if obr is not None else ""
    if obr_time:
        try:
            observed_at = parse_time(obr_time, local_tz)
        except ValueError as exc:
            return _reject(header, RejectReason.BAD_TIME, f"OBR-7: {exc}", "OBR^1^7")

    observations: list[Observation] = []
    seen: set[Vital] = set()
    known_rows = 0
    skipped = 0
    notes: list[str] = []
    for index, obx in enumerate(message.segments("OBX"), start=1):
        code_text, system = obx.field(3, 1).strip(), obx.field(3, 3).strip()
        known = _CODE.fullmatch(code_text) is not None and system in (MDC_CODING_SYSTEM, "")
        entry = BY_CODE.get(int(code_text)) if known else None
        if entry is None:
            skipped += 1
            continue
        known_rows += 1
        where = f"OBX^{index}"
        status = obx.field(11).strip().upper()
        raw = obx.field(5).strip()
        if status not in VALUE_STATUSES or not raw:
            skipped += 1
            continue
        if entry.vital in seen:
            skipped += 1
            notes.append(f"{where}: a second {entry.name} was skipped (the first one is used)")
            continue
        unit_code = obx.field(6, 1).strip()
        if unit_code != str(entry.unit_code):
            unit_text = "^".join(c for c in obx.components(6, 2) if c) or "no unit"
            return _reject(
                header,
                RejectReason.WRONG_UNIT,
                f"{entry.name} in {unit_text}; accepted: {entry.unit_code}^{entry.unit_name}",
                f"{where}^6",
            )
        if _NUMBER.fullmatch(raw) is None:
            return _reject(header, RejectReason.BAD_VALUE, f"{entry.name} {raw!r} is not a number", f"{where}^5")
        value = float(raw)
        lo, hi = VALUE_BOUNDS[entry.unit]
        if not lo <= value <= hi:
            return _reject(
                header,
                RejectReason.BAD_VALUE,
                f"{entry.name} {raw} {entry.unit} is not a measurement (accepted: {lo:g} to {hi:g})",
                f"{where}^5",
            )
        time_text = obx.field(14).strip()
        if time_text:
            try:
                at = parse_time(time_text, local_tz)
            except ValueError as exc:
                return _reject(header, RejectReason.BAD_TIME, f"OBX-14: {exc}", f"{where}^14")
        elif observed_at is not None:
            at = observed_at
        else:
            return _reject(
                header, RejectReason.BAD_TIME, f"{entry.name} has no time in OBX-14 or OBR-7", f"{where}^14", 101
            )
        seen.add(entry.vital)
        observations.append(
            Observation(entry.vital, value, entry.unit, at, entry.code, obx.field(4).strip(), status or "R")
        )
    if known_rows == 0:
        return _reject(
            header,
            RejectReason.UNKNOWN_CODE,
            f"no arterial or cuff pressure or heart rate among {skipped} OBX rows "
            "(accepted: MDC 150033-150035, 150021-150023, 147842, 149522)",
            "OBX",
        )
    return ObservationSet(
        header, envelope.patient_ids, envelope.location, observed_at, tuple(observations), skipped, tuple(notes)
    )
