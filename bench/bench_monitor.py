"""A 1 Hz monitor feed for 72 h of simulated time, replayed fast through the connection handler (no window).

Each second of simulated time one PCD-01 message (the layout of norepi_gui.monitor.builder: MDS, ECG and pressure
structure rows, HR, SBP, DBP, MAP) goes through ConnectionHandler.receive (framing, envelope, link, values, times,
ACK), its samples are appended to the session's list (the bedside layer's store, stood in by a Python list), and
every 5 minutes the check's summary and the feed state are computed from that growing list. Prints the cost per
message (median and mean) in the first and the last hour and their ratio: flat is the goal (last hour within 1.25x
of the first, issue 18). The machine is shared, so a load change between the first and the last hour moves that
ratio; the script then also times a fresh pipeline (the first hour's state) against the grown one, alternating
message by message, which cancels such drift. The window half of this benchmark (samples reaching the plot) comes
with the window adapter.

Messages are made from one builder message by replacing the values and times (building 259,200 with python-hl7
would take longer than the run); the handler parses every one in full.
Run: .venv/bin/python bench/bench_monitor.py [--hours 72]
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from norepi_gui.core.protocol import load_protocol
from norepi_gui.monitor.builder import build_oru_r01
from norepi_gui.monitor.codes import Vital
from norepi_gui.monitor.feed import feed_state
from norepi_gui.monitor.handler import ConnectionHandler, HandlerConfig
from norepi_gui.monitor.hl7v2 import format_time
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.mllp import frame
from norepi_gui.monitor.pcd01 import Location
from norepi_gui.monitor.samples import MonitorSample, samples_from
from norepi_gui.monitor.settings import MonitorSettings
from norepi_gui.monitor.summary import summarise

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
BED = Location("ICU", "12", "A")


class Messages:
    """PCD-01 messages from one template: control id, times and the four values replaced."""

    def __init__(self) -> None:
        marks = {Vital.HR: 111, Vital.ART_SBP: 222, Vital.ART_DBP: 133, Vital.ART_MAP: 144}
        text = build_oru_r01(control_id="CTRL000000", sent_at=START, observed_at=START, values=marks,
                             bed=BED, patient_id="HED12").decode()
        stamp = format_time(START)
        for vital, mark in marks.items():
            text = text.replace(f"|{mark}|", f"|{{{vital.value}}}|")
        self.template = text.replace(stamp, "{time}").replace("CTRL000000", "{cid}")

    def at(self, second: int, values: dict[str, int]) -> bytes:
        when = format_time(START + timedelta(seconds=second))
        return frame(self.template.format(time=when, cid=f"B{second:09d}", **values).encode())


def signal(rng: random.Random, second: int) -> dict[str, int]:
    """A MAP around 68 mmHg with a slow swing and noise; a 10 s fast flush at 250 mmHg every hour."""
    if second % 3600 < 10:
        return {"hr": 90, "art_sbp": 250, "art_dbp": 250, "art_map": 250}
    mean = 68 + 4 * math.sin(second / 900.0) + rng.gauss(0, 1.5)
    return {"hr": round(90 + rng.gauss(0, 2)), "art_sbp": round(mean + 30), "art_dbp": round(mean - 15),
            "art_map": round(mean)}


class Pipeline:
    """What the receiving side does per message: the handler, the session's sample store, the check every 5 min."""

    def __init__(self) -> None:
        self.rules = load_protocol().monitor
        settings = MonitorSettings(enabled=True, link=MonitorLink(bed="ICU^12^A", patient_id="HED12"),
                                   max_messages_per_minute=120)
        self.handler = ConnectionHandler(HandlerConfig.from_settings(settings, self.rules, UTC), now=START)
        self.store: list[MonitorSample] = []
        self.accepted = 0

    def message(self, data: bytes, second: int) -> None:
        out = self.handler.receive(data, START + timedelta(seconds=second + 1))
        for obs in out.accepted:
            self.store.extend(samples_from(obs))
        self.accepted += len(out.accepted)

    def check(self, second: int) -> None:
        now = START + timedelta(seconds=second + 1)
        summarise(self.store, now=now, rules=self.rules)
        feed_state(self.store, now=now, enabled=True, listening_since=START, stale_after_s=self.rules.stale_after_s)


def interleaved(grown: Pipeline, from_second: int, messages: Messages, rng: random.Random) -> tuple[float, float]:
    """Median cost per message of a fresh pipeline and of ``grown``, timed alternately over one hour each."""
    fresh = Pipeline()
    cost_fresh: list[float] = []
    cost_grown: list[float] = []
    for s in range(3600):
        values = signal(rng, s)
        for pipeline, second, costs in ((fresh, s, cost_fresh), (grown, from_second + s, cost_grown)):
            data = messages.at(second, values)
            t0 = time.perf_counter()
            pipeline.message(data, second)
            costs.append(time.perf_counter() - t0)
    return statistics.median(cost_fresh), statistics.median(cost_grown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=72.0, help="simulated hours at 1 Hz (default 72)")
    args = parser.parse_args(argv)
    seconds = round(args.hours * 3600)
    if seconds < 2 * 3600:
        parser.error("--hours must be at least 2 (a first and a last hour)")
    pipeline = Pipeline()
    messages = Messages()
    rng = random.Random(18)
    per_message = [0.0] * seconds
    checks: list[tuple[int, float]] = []
    wall = time.perf_counter()
    for s in range(seconds):
        data = messages.at(s, signal(rng, s))
        t0 = time.perf_counter()
        pipeline.message(data, s)
        per_message[s] = time.perf_counter() - t0
        if s % 300 == 299:
            t1 = time.perf_counter()
            pipeline.check(s)
            checks.append((s, time.perf_counter() - t1))
        if s % (12 * 3600) == 12 * 3600 - 1:
            print(f"  {(s + 1) // 3600} h simulated, {time.perf_counter() - wall:.0f} s", file=sys.stderr, flush=True)
    if pipeline.accepted != seconds:
        print(f"only {pipeline.accepted} of {seconds} messages accepted", file=sys.stderr)
        return 1
    run_s = time.perf_counter() - wall
    stored = len(pipeline.store)
    fresh_med, grown_med = interleaved(pipeline, seconds, messages, random.Random(19))

    first, last = per_message[:3600], per_message[-3600:]
    first_checks = [c for s, c in checks if s < 3600]
    last_checks = [c for s, c in checks if s >= seconds - 3600]
    f_med, l_med = statistics.median(first) * 1e6, statistics.median(last) * 1e6
    f_mean, l_mean = statistics.fmean(first) * 1e6, statistics.fmean(last) * 1e6
    print(f"monitor feed: {seconds} messages at 1 Hz ({args.hours:g} h simulated) through the handler in "
          f"{run_s:.0f} s; {stored} samples stored")
    print(f"  per message, first hour: median {f_med:.0f} us, mean {f_mean:.0f} us")
    print(f"  per message, last hour:  median {l_med:.0f} us, mean {l_mean:.0f} us")
    print(f"  ratio last/first hour: median {l_med / f_med:.2f}, mean {l_mean / f_mean:.2f} (goal <= 1.25)")
    print(f"  interleaved, fresh pipeline vs after {args.hours:g} h: median {fresh_med * 1e6:.0f} us vs "
          f"{grown_med * 1e6:.0f} us, ratio {grown_med / fresh_med:.2f} (goal <= 1.25)")
    print(f"  check summary (5 min window of a growing store): first hour {statistics.fmean(first_checks) * 1e6:.0f} "
          f"us, last hour {statistics.fmean(last_checks) * 1e6:.0f} us")
    print(f"  peak memory (max RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
