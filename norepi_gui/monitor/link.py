"""Which bed and patient this session takes monitor data for: wrong-patient data is the feature's first hazard.

A session is linked to a bed (PV1-3 ``unit^room^bed`` as the site's gateway sends it), a patient identifier (PID-3),
or both. With both, a message must match both. A session linked to neither accepts nothing. A message for another
bed or patient is acknowledged as rejected (AR) and never returned as observations.
"""

from __future__ import annotations

from dataclasses import dataclass

from norepi_gui.core.errors import InputError
from norepi_gui.monitor.pcd01 import Envelope, Location, ObservationSet, Rejection, RejectReason

MAX_ID_LENGTH = 64
_FORBIDDEN = set("|~\\&\r\n")


@dataclass(frozen=True, slots=True)
class MonitorLink:
    """``bed`` is ``"UNIT^ROOM^BED"`` (fewer components leave the rest empty); ``patient_id`` is PID-3's identifier.
    Empty means "not used"; both empty means not linked."""

    bed: str = ""
    patient_id: str = ""

    def __post_init__(self) -> None:
        for name, value in (("bed", self.bed), ("patient_id", self.patient_id)):
            if not isinstance(value, str):
                raise InputError(f"monitor.link.{name}", f"expected text, got {value!r}", "text")
            if len(value) > MAX_ID_LENGTH or _FORBIDDEN & set(value) or any(c < " " for c in value):
                raise InputError(
                    f"monitor.link.{name}",
                    f"{value[:MAX_ID_LENGTH]!r} is not usable",
                    f"at most {MAX_ID_LENGTH} characters, none of | ~ \\ & or control characters",
                )
        if self.bed.count("^") > 2:
            raise InputError("monitor.link.bed", f"{self.bed!r} has more than 3 components", "UNIT^ROOM^BED")
        object.__setattr__(self, "patient_id", self.patient_id.strip())
        object.__setattr__(self, "bed", self.bed.strip())

    @property
    def location(self) -> Location | None:
        location = Location.parse(self.bed) if self.bed else None
        return None if location is None or location.empty else location

    @property
    def linked(self) -> bool:
        return self.location is not None or bool(self.patient_id)

    def describe(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"bed {self.location}")
        if self.patient_id:
            parts.append(f"patient {self.patient_id}")
        return " and ".join(parts) or "no bed or patient"


def check_link(observations: Envelope | ObservationSet, link: MonitorLink) -> Rejection | None:
    """``None`` when the message is for this session's bed and patient; otherwise the rejection."""
    header = observations.header
    if not link.linked:
        return Rejection(
            RejectReason.NOT_LINKED, "this session is not linked to a bed or patient", header, "PV1^1^3"
        )
    bed = link.location
    if bed is not None:
        where = observations.location
        if where is None:
            return Rejection(RejectReason.WRONG_BED, f"no location in PV1-3; linked to {bed}", header, "PV1^1^3")
        if not where.matches(bed):
            return Rejection(RejectReason.WRONG_BED, f"PV1-3 {where} is not the linked bed {bed}", header, "PV1^1^3")
    if link.patient_id:
        ids = observations.patient_ids
        if not ids:
            return Rejection(
                RejectReason.WRONG_PATIENT, "no identifier in PID-3; linked to a patient", header, "PID^1^3"
            )
        if link.patient_id not in ids:
            return Rejection(
                RejectReason.WRONG_PATIENT, "PID-3 is not the linked patient's identifier", header, "PID^1^3"
            )
    return None
