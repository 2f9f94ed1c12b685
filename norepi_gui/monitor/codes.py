"""The ISO/IEEE 11073-10101 (MDC) codes norepi-gui reads from a PCD-01 message, and their units.

Codes and units: IHE PCD technical framework and vendor gateway examples (../shared/clinical-reference.md, "Monitor
data" [S]). Any other code in a message (SpO2, temperature, device and channel rows) is ignored, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MDC_CODING_SYSTEM = "MDC"

MDC_DIM_MMHG = 266016
MDC_DIM_BEAT_PER_MIN = 264864


class Vital(StrEnum):
    """One measured value. Arterial-line (invasive) and cuff (non-invasive) pressures are kept apart."""

    ART_MAP = "art_map"
    ART_SBP = "art_sbp"
    ART_DBP = "art_dbp"
    NIBP_MAP = "nibp_map"
    NIBP_SBP = "nibp_sbp"
    NIBP_DBP = "nibp_dbp"
    HR = "hr"
    PULSE = "pulse"


@dataclass(frozen=True, slots=True)
class VitalCode:
    vital: Vital
    code: int
    name: str
    unit_code: int
    unit_name: str
    unit: str  # as the app shows it


_MMHG = (MDC_DIM_MMHG, "MDC_DIM_MMHG", "mmHg")
_BPM = (MDC_DIM_BEAT_PER_MIN, "MDC_DIM_BEAT_PER_MIN", "/min")

VITAL_CODES: tuple[VitalCode, ...] = (
    VitalCode(Vital.ART_SBP, 150033, "MDC_PRESS_BLD_ART_SYS", *_MMHG),
    VitalCode(Vital.ART_DBP, 150034, "MDC_PRESS_BLD_ART_DIA", *_MMHG),
    VitalCode(Vital.ART_MAP, 150035, "MDC_PRESS_BLD_ART_MEAN", *_MMHG),
    VitalCode(Vital.NIBP_SBP, 150021, "MDC_PRESS_BLD_NONINV_SYS", *_MMHG),
    VitalCode(Vital.NIBP_DBP, 150022, "MDC_PRESS_BLD_NONINV_DIA", *_MMHG),
    VitalCode(Vital.NIBP_MAP, 150023, "MDC_PRESS_BLD_NONINV_MEAN", *_MMHG),
    VitalCode(Vital.HR, 147842, "MDC_ECG_HEART_RATE", *_BPM),
    VitalCode(Vital.PULSE, 149522, "MDC_BLD_PULS_RATE_INV", *_BPM),
)

BY_CODE: dict[int, VitalCode] = {c.code: c for c in VITAL_CODES}
BY_VITAL: dict[Vital, VitalCode] = {c.vital: c for c in VITAL_CODES}

#: Values outside these bounds are not a measurement at all (a corrupt or test message), whatever the artefact
#: checks later say about plausible ones: mmHg and /min. A zeroing transducer may read a little below 0.
VALUE_BOUNDS: dict[str, tuple[float, float]] = {"mmHg": (-50.0, 500.0), "/min": (0.0, 400.0)}
