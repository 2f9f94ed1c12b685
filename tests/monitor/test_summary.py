"""The summary offered at a check: a median computed by hand, and the artefacts it leaves out or refuses on.

Shipped [monitor] values used here: window 5 min, at least 3 samples, at most half excluded, MAP plausible 20-180,
a high run up to 30 s is a flush (+10 s settling), pulse pressure below 20 is damped, 25 mmHg a jump, stale 120 s.
"""

from __future__ import annotations

from datetime import timedelta

from norepi_gui.monitor.samples import MonitorSample, SampleSource
from norepi_gui.monitor.summary import (
    Chartable,
    Exclusion,
    NotChartable,
    NotChartableReason,
    Summary,
    summarise,
    window_of,
)
from tests.monitor.messages import T0, rules

NOW = T0 + timedelta(minutes=10)
RULES = rules()


def art(seconds_before: float, mean: float, pp: float = 45.0, hr: float | None = None) -> MonitorSample:
    """An arterial sample; systolic and diastolic from the pulse pressure (2/3 above, 1/3 below the mean)."""
    return MonitorSample(NOW - timedelta(seconds=seconds_before), SampleSource.ARTERIAL, mean,
                         mean + 2 * pp / 3, mean - pp / 3, hr)


def series(step_s: float, maps: list[float]) -> list[MonitorSample]:
    """Arterial samples ``step_s`` apart, the last one at NOW."""
    n = len(maps)
    return [art((n - 1 - i) * step_s, m) for i, m in enumerate(maps)]


def chartable(summary: Summary) -> Chartable:
    assert isinstance(summary, Chartable), summary
    return summary


def refused(summary: Summary) -> NotChartable:
    assert isinstance(summary, NotChartable), summary
    return summary


def test_an_odd_window_charts_its_middle_value_and_the_medians_of_the_rest() -> None:
    samples = [art(240, 60, hr=80), art(180, 68, hr=81), art(120, 62, hr=82), art(60, 66, hr=83), art(0, 64, hr=84)]
    s = chartable(summarise(samples, now=NOW, rules=RULES))
    # MAP 60 62 64 66 68 -> 64. SBP = MAP + 30 -> 94; DBP = MAP - 15 -> 49; HR 80..84 -> 82.
    assert (s.map_mmhg, s.sbp_mmhg, s.dbp_mmhg, s.hr_per_min) == (64.0, 94.0, 49.0, 82.0)
    assert (s.used, s.low_map_mmhg, s.high_map_mmhg, s.excluded) == (5, 60.0, 68.0, ())
    assert s.latest == samples[-1]
    assert s.describe() == "MAP 64 mmHg: median of 5 arterial samples over 5 min (range 60-68)"


def test_an_even_window_charts_the_mean_of_its_two_middle_values() -> None:
    # 60 62 64 66 -> (62 + 64) / 2 = 63.
    assert chartable(summarise(series(60, [60, 66, 62, 64]), now=NOW, rules=RULES)).map_mmhg == 63.0


def test_the_window_holds_samples_after_its_start_up_to_now() -> None:
    samples = [art(300, 95), art(200, 60), art(100, 60), art(0, 60)]
    s = chartable(summarise([*samples, art(-1, 99)], now=NOW, rules=RULES))
    assert s.used == 3 and s.map_mmhg == 60.0  # the sample at exactly now - 5 min and the one after now are out


def test_a_flush_square_wave_and_its_settling_are_excluded() -> None:
    maps = [64, 66, 65, 67, 63, 250, 250, 90, 66, 64, 65, 66]  # every 10 s; the flush at -60 and -50 s
    s = chartable(summarise(series(10, maps), now=NOW, rules=RULES))
    # Excluded: the two 250s (a 10 s run <= 30 s) and the 90 at -40 s (within 10 s after the flush).
    # Kept: 63 64 64 65 65 66 66 66 67 -> the 5th of 9 = 65.
    assert s.excluded_counts == {Exclusion.FLUSH: 3}
    assert s.map_mmhg == 65.0 and s.used == 9
    assert s.describe().endswith("; excluded 3 flush")


def test_a_high_run_of_exactly_the_flush_time_is_a_flush_and_a_longer_one_implausible() -> None:
    flush = [65, 65, 200, 200, 200, 200, 65, 65, 65, 65, 65, 65]  # high from -90 to -60 s: 30 s
    assert chartable(summarise(series(10, flush), now=NOW, rules=RULES)).excluded_counts == {Exclusion.FLUSH: 5}
    longer = [65, 65, 200, 200, 200, 200, 200, 65, 65, 65, 65, 65]  # -90 to -50 s: 40 s, no settling exclusion
    s = chartable(summarise(series(10, longer), now=NOW, rules=RULES))
    assert s.excluded_counts == {Exclusion.IMPLAUSIBLE: 5}
    assert s.map_mmhg == 65.0


def test_a_damped_trace_is_excluded_and_a_wholly_damped_window_is_not_chartable() -> None:
    samples = [art((11 - i) * 20, 70, pp=15) for i in range(12)]  # every 20 s, oldest first
    s = refused(summarise(samples, now=NOW, rules=RULES))
    assert s.reason is NotChartableReason.MOSTLY_ARTEFACT
    assert s.detail == "12 of 12 samples excluded (12 damped trace)"
    partly = [art((11 - i) * 20, 70, pp=15 if i % 3 == 0 else 40) for i in range(12)]  # 4 of 12 damped
    assert chartable(summarise(partly, now=NOW, rules=RULES)).excluded_counts == {Exclusion.DAMPED: 4}


def test_a_spike_away_from_both_neighbours_is_excluded() -> None:
    s = chartable(summarise(series(60, [65, 66, 100, 65, 66]), now=NOW, rules=RULES))
    # |100 - 66| = 34 and |100 - 65| = 35, both > 25, same side: a spike. Kept 65 65 66 66 -> 65.5.
    assert s.excluded_counts == {Exclusion.SPIKE: 1} and s.map_mmhg == 65.5
    dip = chartable(summarise(series(60, [65, 66, 30, 65, 66]), now=NOW, rules=RULES))
    assert dip.excluded_counts == {Exclusion.SPIKE: 1}


def test_a_step_or_fast_trend_wider_than_the_jump_makes_the_window_not_chartable() -> None:
    s = refused(summarise(series(30, [70, 71, 70, 45, 46, 45]), now=NOW, rules=RULES))
    # Kept samples span 71 - 45 = 26 mmHg (> 25): the median (46 + 70) / 2 = 58 would be neither then nor now.
    # Samples at -150 -120 -90 -60 -30 0 s: the 71 at -120 s (08:08:00), the first 45 at -60 s (08:09:00).
    assert s.reason is NotChartableReason.UNSTABLE
    assert s.detail == ("MAP moved from 71 (08:08:00 UTC) to 45 mmHg (08:09:00 UTC), more than 25 mmHg: "
                        "read the patient and the line")
    trend = refused(summarise(series(60, [78, 72, 66, 60, 52]), now=NOW, rules=RULES))  # 26 mmHg in 4 min
    assert trend.reason is NotChartableReason.UNSTABLE
    # Spanning exactly 25 mmHg is still chartable: 45 45 46 69 70 70 -> (46 + 69) / 2 = 57.5.
    assert chartable(summarise(series(30, [70, 70, 69, 45, 46, 45]), now=NOW, rules=RULES)).map_mmhg == 57.5


def test_too_few_samples_are_not_chartable() -> None:
    s = refused(summarise(series(60, [65, 66]), now=NOW, rules=RULES))
    assert (s.reason, s.detail) == (NotChartableReason.TOO_FEW, "2 usable samples; at least 3 are needed")


def test_more_than_half_excluded_is_not_chartable_and_exactly_half_is() -> None:
    half = series(30, [65, 10, 66, 10, 65, 10])  # 3 of 6 below 20 mmHg: implausible
    assert chartable(summarise(half, now=NOW, rules=RULES)).excluded_counts == {Exclusion.IMPLAUSIBLE: 3}
    more = series(30, [65, 10, 66, 10, 65, 10, 10])  # 4 of 7
    assert refused(summarise(more, now=NOW, rules=RULES)).reason is NotChartableReason.MOSTLY_ARTEFACT


def test_a_window_whose_last_sample_is_older_than_the_stale_time_is_not_chartable() -> None:
    fresh = [art(240, 65), art(180, 65), art(120, 65)]
    assert chartable(summarise(fresh, now=NOW, rules=RULES)).map_mmhg == 65.0  # 120 s old: not yet stale
    stale = [art(241, 65), art(181, 65), art(121, 65)]
    s = refused(summarise(stale, now=NOW, rules=RULES))
    assert s.reason is NotChartableReason.STALE


def test_no_arterial_sample_in_the_window_is_not_chartable() -> None:
    cuff = MonitorSample(NOW, SampleSource.CUFF, 70, 110, 50)
    s = refused(summarise([art(400, 65), cuff], now=NOW, rules=RULES))
    assert (s.reason, s.detail) == (NotChartableReason.NO_SAMPLES, "no arterial MAP in the last 5 min")


def test_one_cuff_reading_in_the_window_is_chartable_as_it_is() -> None:
    cuff = MonitorSample(NOW - timedelta(minutes=3), SampleSource.CUFF, 71, 110, 52, 90)
    s = chartable(summarise([cuff], now=NOW, rules=RULES, source=SampleSource.CUFF))
    assert (s.map_mmhg, s.sbp_mmhg, s.dbp_mmhg, s.hr_per_min, s.used) == (71.0, 110.0, 52.0, 90.0, 1)
    high = MonitorSample(NOW, SampleSource.CUFF, 200, 230, 180)
    s2 = refused(summarise([high], now=NOW, rules=RULES, source=SampleSource.CUFF))
    assert s2.reason is NotChartableReason.MOSTLY_ARTEFACT and s2.excluded_counts == {Exclusion.IMPLAUSIBLE: 1}


def test_a_long_session_is_summarised_from_its_last_minutes_only() -> None:
    start = NOW - timedelta(hours=10)
    samples = [
        MonitorSample(start + timedelta(seconds=i), SampleSource.ARTERIAL, 60.0 + i % 7, 100.0 + i % 7, 40.0)
        for i in range(1, 10 * 3600 + 1)
    ]
    last = window_of(samples, NOW - timedelta(minutes=5), NOW)
    assert len(last) == 300 and last[-1].at == NOW
    assert summarise(samples, now=NOW, rules=RULES) == summarise(list(last), now=NOW, rules=RULES)
