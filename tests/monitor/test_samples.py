"""Plot samples from an accepted observation set: arterial and cuff apart, heart rate from the ECG or the pulse."""

from __future__ import annotations

from datetime import UTC, datetime

from norepi_gui.monitor.builder import build_oru_r01
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.pcd01 import ObservationSet, parse_pcd01
from norepi_gui.monitor.samples import MonitorSample, SampleSource, samples_from
from tests.monitor.messages import T0, pcd01


def parsed(payload: bytes) -> ObservationSet:
    result = parse_pcd01(payload, local_tz=UTC)
    assert isinstance(result, ObservationSet)
    return result


def test_an_arterial_sample_carries_the_mean_systolic_diastolic_and_the_ecg_heart_rate() -> None:
    # Template: MAP 95, SBP 112, DBP 76, ECG HR 80, pulse 81, OBX-14 07:59:55.
    (sample,) = samples_from(parsed(pcd01()))
    assert sample == MonitorSample(datetime(2026, 1, 1, 7, 59, 55, tzinfo=UTC), SampleSource.ARTERIAL, 95.0, 112.0,
                                   76.0, 80.0)
    assert sample.pulse_pressure_mmhg == 36.0


def test_without_an_ecg_the_heart_rate_is_the_arterial_pulse_rate() -> None:
    text = "\r".join(s for s in pcd01().decode().split("\r") if "147842" not in s)
    (sample,) = samples_from(parsed(text.encode()))
    assert sample.hr_per_min == 81.0


def test_cuff_and_arterial_values_give_two_samples_and_none_without_a_mean() -> None:
    values = {Vital.ART_MAP: 65, Vital.NIBP_MAP: 70, Vital.NIBP_SBP: 110, Vital.NIBP_DBP: 50}
    samples = samples_from(parsed(build_oru_r01(control_id="1", sent_at=T0, observed_at=T0, values=values)))
    assert [(s.source, s.map_mmhg, s.sbp_mmhg) for s in samples] == [
        (SampleSource.ARTERIAL, 65.0, None), (SampleSource.CUFF, 70.0, 110.0)]
    only_hr = build_oru_r01(control_id="2", sent_at=T0, observed_at=T0, values={Vital.HR: 90})
    assert samples_from(parsed(only_hr)) == ()
