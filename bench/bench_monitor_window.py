"""A 1 Hz monitor feed for 72 h of simulated time, replayed fast into the real window over loopback TCP.

A separate process plays the gateway: one PCD-01 message per simulated second (the layout of
norepi_gui.monitor.builder, MAP around 68 with a 10 s fast flush every hour: bench_monitor.py's signal), each sent
when the previous one was acknowledged, as gateways do. The window (offscreen, 1280x800, shown) listens with its
MonitorService (the worker thread parses, the window's thread stores), keeps every sample in its session (one
MONITOR_SAMPLES event a minute, SQLite on disk), draws them on its plot, and every 15 simulated minutes the nurse
charts the monitor's value (F3's operation). The window's clock is the gateway's simulated time, shared between the
two processes (the gateway moves it one second before each message), so the protocol's time checks, the batching,
the feed state and the checks all run as they would over 72 h.

Measured, per simulated hour:

- cost per message: the gateway's wait for each acknowledgement (send to AA: parsing in the worker thread, the
  queued hand-over, storing in the session, the acknowledgement), and the window's own time in
  ``BedsideController.take_monitor`` per message; goal: the last hour within 1.25x of the first (issue 18);
- responsiveness: a 20 ms QTimer on the window's thread records how late each of its ticks comes (an event waiting
  behind monitor work waits as long); the median, 99th percentile and worst lateness per hour, and the time the
  window's thread takes to chart the monitor's value (an operation the nurse waits for); plot updates (gathered
  every 100 ms) are timed too.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_monitor_window.py [--hours 72] [--write-docs]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
BED = "ICU^12^A"
PROBE_MS = 20
CHART_EVERY_S = 15 * 60
GOAL = 1.25
DOCS_TITLE = "## Monitor feed into the window"


# ---------------------------------------------------------------------------------------------------- the gateway
def gateway(port: int, clock: Any, seconds: int, out: str) -> None:
    """The separate process: send one message a simulated second, each after the previous acknowledgement."""
    import socket

    from bench_monitor import Messages, signal  # the handler benchmark's messages and MAP signal

    from norepi_gui.monitor.mllp import Frame, MllpDecoder

    messages = Messages()
    rng = random.Random(18)
    decoder = MllpDecoder(max_frame_bytes=1 << 16, max_junk_bytes=1 << 12)
    waits = array("d")
    refused = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for s in range(seconds):
            data = messages.at(s, signal(rng, s))
            clock.value = START.timestamp() + s + 1  # the window's clock: one second after the observation
            t0 = time.perf_counter()
            sock.sendall(data)
            acks: list[bytes] = []
            while not acks:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the window closed the connection")
                acks = [i.payload for i in decoder.feed(chunk) if isinstance(i, Frame)]
            waits.append(time.perf_counter() - t0)
            if b"MSA|AA|" not in acks[0]:
                refused += 1
    waits.append(float(refused))
    Path(out).write_bytes(waits.tobytes())


class SharedClock:
    """The window's clock: the gateway's simulated time (a double in shared memory)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.value.value, UTC)


# ---------------------------------------------------------------------------------------------------- the window
def start_session(window: Any) -> None:
    from norepi_gui.bedside.records import BagRecord, PatientRecord
    from norepi_gui.core.dosing import DoseRate, parse_concentration
    from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
    from norepi_gui.core.units import DoseBasis, Q

    c = window.controller
    c.set_patient(PatientRecord(weight_kg=70.0, weight_entered="70"))
    c.set_bag(BagRecord(concentration_mcg_per_ml=16.0, bag_volume_ml=250.0))
    request = InfusionRequest(concentration=parse_concentration("16 mcg/mL"), weight=Q(70.0, "kg"),
                              dose=DoseRate.per_kg(0.1))
    c.set_dose(summarise_infusion(request, window.protocol), DoseBasis.PER_KG)


def hour_of(clock: SharedClock) -> int:
    return int((clock.value.value - START.timestamp()) // 3600)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(hours: float) -> dict[str, Any]:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from norepi_gui.monitor.link import MonitorLink
    from norepi_gui.monitor.settings import MonitorSettings
    from norepi_gui.ui.main_window import MainWindow

    seconds = round(hours * 3600)
    app = QApplication.instance() or QApplication(sys.argv)
    ctx = multiprocessing.get_context("spawn")
    shared = ctx.Value("d", START.timestamp(), lock=False)
    clock = SharedClock(shared)
    with tempfile.TemporaryDirectory(prefix="norepi-bench-monitor-") as folder:
        window = MainWindow(data_dir=Path(folder), clock=clock)
        window.confirm = lambda _t, _x: True
        window.resize(1280, 800)
        window.show()
        start_session(window)
        settings = MonitorSettings(enabled=True, link=MonitorLink(bed=BED, patient_id="HED12"),
                                   max_messages_per_minute=120)
        problem = window.start_monitor(settings, bind_port=0)
        if problem:
            raise RuntimeError(problem)
        service = window.monitor_service
        assert service is not None

        take_costs: dict[int, list[float]] = defaultdict(list)
        chart_costs: dict[int, list[float]] = defaultdict(list)
        draw_costs: dict[int, list[tuple[float, int]]] = defaultdict(list)
        lateness: dict[int, list[float]] = defaultdict(list)
        next_chart = [CHART_EVERY_S]
        inner_take: Callable[[Any], str] = service._take

        def chart() -> None:
            t0 = time.perf_counter()
            window.controller.chart_monitor()
            chart_costs[hour_of(clock)].append(time.perf_counter() - t0)

        def timed_take(observations: Any) -> str:
            t0 = time.perf_counter()
            problem = inner_take(observations)
            take_costs[hour_of(clock)].append(time.perf_counter() - t0)
            if clock.value.value - START.timestamp() >= next_chart[0]:
                next_chart[0] += CHART_EVERY_S
                QTimer.singleShot(0, chart)
            return problem

        service._take = timed_take
        plot = window.plot
        inner_append = plot.append_monitor_samples

        def timed_append(times: Any, maps: Any) -> None:
            t0 = time.perf_counter()
            inner_append(times, maps)
            draw_costs[hour_of(clock)].append((time.perf_counter() - t0, len(times)))

        plot.append_monitor_samples = timed_append  # type: ignore[method-assign]
        elapsed = QElapsedTimer()
        elapsed.start()
        last = [elapsed.nsecsElapsed()]

        def probe() -> None:
            now = elapsed.nsecsElapsed()
            lateness[hour_of(clock)].append(max(0.0, (now - last[0]) / 1e6 - PROBE_MS))
            last[0] = now

        timer = QTimer()
        timer.timeout.connect(probe)
        timer.start(PROBE_MS)
        out = Path(folder) / "waits.bin"
        sender = ctx.Process(target=gateway, args=(service.port, shared, seconds, str(out)))
        wall = time.perf_counter()
        sender.start()
        watch = QTimer()
        watch.timeout.connect(lambda: None if sender.is_alive() else app.quit())
        watch.start(100)
        app.exec()  # the window's own event loop, until the gateway has sent everything
        watch.stop()
        app.processEvents()
        run_s = time.perf_counter() - wall
        timer.stop()
        waits = array("d")
        waits.frombytes(out.read_bytes())
        refused = int(waits.pop())
        samples = len(window.state.monitor)
        window.stop_monitor()
        window.bedside.close_store()
        events = 0
        session = window.session
        if session is not None:
            from norepi_gui.core.events import EventKind
            from norepi_gui.core.session_log import SessionStore

            with SessionStore(Path(folder), clock) as store:
                events = sum(1 for e in store.events(session.id) if e.kind is EventKind.MONITOR_SAMPLES)
        window.close()
    last_hour = seconds // 3600 - 1
    return {"seconds": seconds, "hours": hours, "run_s": run_s, "refused": refused, "samples": samples,
            "batches": events, "waits": list(waits), "take": take_costs, "chart": chart_costs, "draw": draw_costs,
            "late": lateness, "last_hour": last_hour,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def report(r: dict[str, Any]) -> list[str]:
    waits: list[float] = r["waits"]
    first_w, last_w = waits[:3600], waits[-3600:]
    h0, hl = 0, r["last_hour"]
    take0, takel = r["take"][h0], r["take"][hl]
    late0, latel = r["late"][h0], r["late"][hl]

    def us(x: float) -> str:
        return f"{x * 1e6:.0f} us"

    def per_sample(rows: list[tuple[float, int]]) -> float:
        return sum(c for c, _n in rows) / max(1, sum(n for _c, n in rows))

    ratio_w = statistics.median(last_w) / statistics.median(first_w)
    ratio_t = statistics.median(takel) / statistics.median(take0)
    lines = [
        f"`bench/bench_monitor_window.py`: {r['seconds']:,} PCD-01 messages at 1 Hz ({r['hours']:g} h simulated) from "
        "a separate gateway process over loopback TCP into the real window (offscreen, 1280x800, shown), each sent "
        f"after the previous AA; replayed in {r['run_s']:.0f} s. {r['samples']:,} samples in the session, written "
        f"as {r['batches']:,} MONITOR_SAMPLES events (one a simulated minute); {r['refused']} messages not answered "
        f"AA; peak memory (max RSS of the window's process) {r['rss_mib']:.0f} MiB.",
        "",
        "| hour | send to AA median | p99 | window's thread per message median | p99 |",
        "|---|---|---|---|---|",
        f"| first | {us(statistics.median(first_w))} | {us(percentile(first_w, 0.99))} | "
        f"{us(statistics.median(take0))} | {us(percentile(take0, 0.99))} |",
        f"| last | {us(statistics.median(last_w))} | {us(percentile(last_w, 0.99))} | "
        f"{us(statistics.median(takel))} | {us(percentile(takel, 0.99))} |",
        f"| last / first | {ratio_w:.2f} | | {ratio_t:.2f} | |",
        "",
        f"Goal: the last hour within {GOAL:g}x of the first: send to AA "
        f"{'met' if ratio_w <= GOAL else 'NOT met'} ({ratio_w:.2f}); the window's thread "
        f"{'met' if ratio_t <= GOAL else 'NOT met'} ({ratio_t:.2f}).",
        "",
        f"Responsiveness (a {PROBE_MS} ms QTimer on the window's thread; how late its ticks came, ms):",
        "",
        "| hour | median | p99 | worst | charting the monitor's value (F3), mean | plot update per sample |",
        "|---|---|---|---|---|---|",
    ]
    for label, hour, late in (("first", h0, late0), ("last", hl, latel)):
        charts = r["chart"].get(hour, [])
        chart = f"{statistics.fmean(charts) * 1e3:.1f} ms ({len(charts)})" if charts else "-"
        lines.append(f"| {label} | {statistics.median(late):.1f} | {percentile(late, 0.99):.1f} | {max(late):.1f} | "
                     f"{chart} | {us(per_sample(r['draw'][hour]))} |")
    lines += [
        "",
        f"Environment: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end of the run "
        "(other work on the host moves wall-clock figures).",
    ]
    return lines


def write_docs(lines: list[str]) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    section = DOCS_TITLE + "\n\n" + "\n".join(lines) + "\n"
    if DOCS_TITLE in text:
        head, rest = text.split(DOCS_TITLE, 1)
        i = rest.find("\n## ")
        text = head + section + (rest[i:] if i >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=72.0, help="simulated hours at 1 Hz (default 72)")
    parser.add_argument("--write-docs", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.hours < 2:
        parser.error("--hours must be at least 2 (a first and a last hour)")
    result = run(args.hours)
    lines = report(result)
    print("\n".join(lines))
    if args.write_docs:
        write_docs(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
