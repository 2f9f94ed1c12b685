"""Monitor samples: what the plot draws and the summary reads, one per source per accepted observation set.

The arterial line and the cuff are kept apart (different timing, different artefacts). A sample needs a mean
pressure; systolic, diastolic and heart rate come with it when the message has them. Heart rate is the ECG's
(147842), else the arterial line's pulse rate (149522).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from norepi_gui.monitor.codes import Vital

if TYPE_CHECKING:  # the bedside layer reads samples without loading the HL7 parser
    from norepi_gui.monitor.pcd01 import ObservationSet


class SampleSource(StrEnum):
    ARTERIAL = "arterial"
    CUFF = "cuff"


@dataclass(frozen=True, slots=True)
class MonitorSample:
    at: datetime  # UTC, the observation time the monitor reported
    source: SampleSource
    map_mmhg: float
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_per_min: float | None = None

    @property
    def pulse_pressure_mmhg(self) -> float | None:
        if self.sbp_mmhg is None or self.dbp_mmhg is None:
            return None
        return self.sbp_mmhg - self.dbp_mmhg


_SOURCES = (
    (SampleSource.ARTERIAL, Vital.ART_MAP, Vital.ART_SBP, Vital.ART_DBP),
    (SampleSource.CUFF, Vital.NIBP_MAP, Vital.NIBP_SBP, Vital.NIBP_DBP),
)


def samples_from(observations: ObservationSet) -> tuple[MonitorSample, ...]:
    """The arterial and cuff samples of one accepted observation set (none when it has no mean pressure)."""
    hr = observations.value(Vital.HR)
    if hr is None:
        hr = observations.value(Vital.PULSE)
    out: list[MonitorSample] = []
    for source, mean, sys, dia in _SOURCES:
        m = observations.get(mean)
        if m is None:
            continue
        out.append(MonitorSample(m.at, source, m.value, observations.value(sys), observations.value(dia), hr))
    return tuple(out)
