"""``norepi-gui monitor-sim``: a simulated bedside monitor gateway. Sends IHE PCD-01 over MLLP; imports no Qt.

The values come from the virtual patient (a scenario and a seed, as the training window runs it) or from a CSV
file, one observation set per ``--interval`` seconds of simulated time, paced at ``--speed`` times real time
(``--speed 0``: as fast as the acknowledgements come). Each message waits for its acknowledgement, which is printed.
For tests, demonstrations and training (a trainee's window titrates against a simulated monitor through the same
path as a real one); a training simulator, not a clinical tool.

Exit 0 when every message was acknowledged (whatever the code), 1 when the receiver could not be reached or stopped
answering, 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK
from norepi_gui.core.errors import InputError

DEFAULT_SCENARIO = "septic_responsive"
#: CSV column -> Vital value (``map``, ``sbp``, ``dbp`` are the arterial line's, as in ``advise``).
CSV_COLUMNS = {
    "map": "art_map",
    "sbp": "art_sbp",
    "dbp": "art_dbp",
    "hr": "hr",
    "pulse": "pulse",
    "nibp_map": "nibp_map",
    "nibp_sbp": "nibp_sbp",
    "nibp_dbp": "nibp_dbp",
}


def add_parser(subparsers: Any) -> None:
    """Add the ``monitor-sim`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "monitor-sim",
        help="send PCD-01 observations over MLLP from the virtual patient or a CSV file",
        description="A simulated monitor gateway (training and testing, not a clinical tool): sends IHE PCD-01 "
        "(HL7 v2.6 ORU^R01) over MLLP and prints each acknowledgement. Exit 0 when every message was "
        "acknowledged, 1 when the receiver could not be reached or stopped answering, 2 on bad input.",
    )
    p.add_argument("--to", required=True, metavar="HOST:PORT", help="the receiver, e.g. 127.0.0.1:2575 or [::1]:2575")
    p.add_argument("--bed", required=True, help="PV1-3 location as UNIT^ROOM^BED, e.g. ICU^12^A")
    p.add_argument("--patient", default="", help="PID-3 patient identifier (default: none sent)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--scenario", help=f"scenario name or TOML file (default {DEFAULT_SCENARIO})")
    source.add_argument("--csv", type=Path, help=f"CSV of values, one row a message; columns: seconds (optional), "
                        f"{', '.join(CSV_COLUMNS)}")
    p.add_argument("--seed", type=int, default=0, help="random seed of the virtual patient (default 0)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds of simulated time between messages "
                   "(default 60, as gateways send; at least 5 for a scenario, the arterial line's sample period)")
    p.add_argument("--speed", type=float, default=1.0, help="simulated time per real time (default 1; 0 = no waiting)")
    p.add_argument("--count", type=int, help="messages to send (default: to the end of the scenario or file)")
    p.add_argument("--start", help="simulated start time, ISO 8601 with offset (default: one interval before now, "
                   "so that the first observation is now)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each acknowledgement")
    p.add_argument("--json", action="store_true", help="print one JSON object per acknowledgement")


@dataclass(frozen=True)
class Observed:
    """One observation set to send: when it was observed and the values (Vital value -> number)."""

    at: datetime
    values: dict[str, float]


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"norepi-gui monitor-sim: {message}", file=sys.stderr)
    return code


def parse_target(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[IPv6]:PORT``."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError("--to", f"{text!r} is not HOST:PORT", "e.g. 127.0.0.1:2575 or [::1]:2575")
    return host, int(port)


def parse_start(text: str | None, interval_s: float) -> datetime:
    if text is None:  # the entry point reads the wall clock, once
        return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=interval_s)
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError("--start", f"{text!r} is not an ISO 8601 time", "e.g. 2026-01-01T08:00:00+00:00") from exc
    if when.tzinfo is None:
        raise InputError("--start", f"{text!r} has no UTC offset", "e.g. 2026-01-01T08:00:00+00:00")
    return when.astimezone(UTC)


# ---------------------------------------------------------------------------------------------------- sources
def from_scenario(name: str, *, seed: int, start: datetime, interval_s: float) -> Iterator[Observed]:
    """The virtual patient's monitor, one observation set per ``interval_s``: the arterial line's latest sample
    (every 5 s, flush and damping artefacts included) with its pulse pressure and heart rate, or the latest cuff
    reading for a cuff-monitored scenario."""
    from norepi_gui.sim.events import FLUSH_READING_MMHG
    from norepi_gui.sim.scenario import load_scenario, load_scenario_file
    from norepi_gui.sim.training import TrainingRun

    path = Path(name)
    scenario = load_scenario_file(path) if path.suffix == ".toml" else load_scenario(name)
    run = TrainingRun(scenario, start=start, seed=seed)
    arterial = scenario.setting().monitoring == "arterial"
    block = timedelta(minutes=run.sim.block_min)
    times: list[float] = []
    maps: list[float] = []
    k = 1
    while True:
        at = start + timedelta(seconds=k * interval_s)
        if run.minutes(at) > run.duration_min:
            return
        feed = run.advance_to(at + block)  # one block ahead, so the samples up to ``at`` are all there
        times.extend(float(t) for t in feed.times_epoch)
        maps.extend(float(m) for m in feed.map_mmhg)
        reading = run.monitor_reading()
        upto = [i for i, t in enumerate(times) if t <= at.timestamp() + 1e-6]
        if not upto:
            k += 1
            continue
        i = upto[-1]
        when = datetime.fromtimestamp(times[i], UTC)
        mean = maps[i]
        del times[:i], maps[:i]
        if arterial:
            flush = mean >= FLUSH_READING_MMHG - 1e-6  # the square wave: every pressure reads the flush bag's
            sbp = mean if flush else mean + (reading.sbp_mmhg - reading.map_mmhg)
            dbp = mean if flush else mean + (reading.dbp_mmhg - reading.map_mmhg)
            yield Observed(when, {"art_map": mean, "art_sbp": sbp, "art_dbp": dbp, "hr": reading.hr_per_min})
        else:
            yield Observed(
                when,
                {"nibp_map": mean, "nibp_sbp": reading.sbp_mmhg, "nibp_dbp": reading.dbp_mmhg,
                 "hr": reading.hr_per_min},
            )
        k += 1


def from_csv(path: Path, *, start: datetime, interval_s: float) -> list[Observed]:
    """Rows of a CSV file: ``seconds`` after the start (optional; else one ``interval_s`` apart) and values."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, f"cannot be read: {exc}", "a readable UTF-8 CSV file") from exc
    rows = list(csv.DictReader(text.splitlines()))
    columns = {c.strip().lower() for c in (rows[0].keys() if rows else [])}
    unknown = sorted(columns - set(CSV_COLUMNS) - {"seconds"})
    if unknown:
        raise InputError(f"{source}: column {unknown[0]}", "unknown column", ", ".join(["seconds", *CSV_COLUMNS]))
    out: list[Observed] = []
    for line, row in enumerate(rows, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        values: dict[str, float] = {}
        for column, vital in CSV_COLUMNS.items():
            if cells.get(column):
                values[vital] = _number(source, line, column, cells[column])
        offset = (
            _number(source, line, "seconds", cells["seconds"]) if cells.get("seconds") else (line - 1) * interval_s
        )
        out.append(Observed(start + timedelta(seconds=offset), values))
    return out


def _number(source: str, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{source}: line {line}, column {column}", f"{text!r} is not a number", "a number")
    return value


# ---------------------------------------------------------------------------------------------------- sending
@dataclass(frozen=True)
class AckSeen:
    control_id: str
    code: str
    text: str


class Gateway:
    """One MLLP connection: send a message, wait for its acknowledgement."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        from norepi_gui.monitor.mllp import MllpDecoder

        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.decoder = MllpDecoder(max_frame_bytes=64 * 1024, max_junk_bytes=4096)
        self.pending: list[bytes] = []

    def exchange(self, message: bytes) -> AckSeen:
        from norepi_gui.monitor import hl7v2
        from norepi_gui.monitor.mllp import Frame, frame
        from norepi_gui.monitor.pcd01 import decode

        self.sock.sendall(frame(message))
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the receiver closed the connection")
            self.pending.extend(i.payload for i in self.decoder.feed(data) if isinstance(i, Frame))
        reply = self.pending.pop(0)
        try:
            msa = hl7v2.parse(decode(reply)).first("MSA")
        except hl7v2.Hl7ParseError:
            msa = None
        if msa is None:
            return AckSeen("", "?", "the acknowledgement has no MSA segment")
        return AckSeen(msa.field(2), msa.field(1), msa.field(3))

    def close(self) -> None:
        self.sock.close()


def run(args: argparse.Namespace) -> int:
    """Run the ``monitor-sim`` subcommand; returns the exit code."""
    from norepi_gui.monitor.builder import build_oru_r01
    from norepi_gui.monitor.codes import Vital
    from norepi_gui.monitor.link import MonitorLink
    from norepi_gui.sim.scenario import ScenarioError

    try:
        host, port = parse_target(args.to)
        start = parse_start(args.start, args.interval)
        link = MonitorLink(bed=args.bed, patient_id=args.patient)
        if link.location is None:
            raise InputError("--bed", f"{args.bed!r} names no bed", "UNIT^ROOM^BED, e.g. ICU^12^A")
        minimum = 0.001 if args.csv else 5.0
        if not minimum <= args.interval <= 3600.0:
            raise InputError("--interval", f"{args.interval:g} is out of range", f"{minimum:g} to 3600 s")
        if not 0.0 <= args.speed <= 10000.0:
            raise InputError("--speed", f"{args.speed:g} is out of range", "0 (no waiting) to 10000")
        if args.count is not None and args.count < 1:
            raise InputError("--count", f"{args.count} is below 1", "1 or more")
        if args.csv:
            observed: Iterator[Observed] = iter(from_csv(args.csv, start=start, interval_s=args.interval))
        else:
            observed = from_scenario(args.scenario or DEFAULT_SCENARIO, seed=args.seed, start=start,
                                     interval_s=args.interval)
        first = next(observed, None)
    except (InputError, ScenarioError) as exc:
        return _fail(str(exc))
    if first is None:
        return _fail("nothing to send")
    try:
        gateway = Gateway(host, port, args.timeout)
    except OSError as exc:
        return _fail(f"cannot reach {args.to}: {exc.strerror or exc}", EXIT_FAILURE)
    wall0 = time.monotonic()
    sent = 0
    try:
        item: Observed | None = first
        while item is not None and (args.count is None or sent < args.count):
            if args.speed > 0:
                due = wall0 + (item.at - first.at).total_seconds() / args.speed
                time.sleep(max(0.0, due - time.monotonic()))
            sent += 1
            control_id = f"SIM{sent:06d}"
            message = build_oru_r01(
                control_id=control_id,
                sent_at=item.at,
                observed_at=item.at,
                values={Vital(k): v for k, v in item.values.items()},
                bed=link.location,
                patient_id=link.patient_id,
                processing_id="T",
            )
            ack = gateway.exchange(message)
            _print(control_id, item, ack, as_json=args.json)
            item = next(observed, None)
    except (OSError, ConnectionError) as exc:
        return _fail(f"after {sent - 1} acknowledged messages: {exc}", EXIT_FAILURE)
    finally:
        gateway.close()
    return EXIT_OK


def _print(control_id: str, item: Observed, ack: AckSeen, *, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "control_id": control_id,
                    "observed_at": item.at.isoformat(),
                    "values": item.values,
                    "ack": ack.code,
                    "ack_control_id": ack.control_id,
                    "text": ack.text,
                }
            ),
            flush=True,
        )
        return
    values = " ".join(f"{k}={v:.0f}" for k, v in item.values.items())
    tail = f" {ack.text}" if ack.text else ""
    print(f"{control_id} {item.at:%Y-%m-%d %H:%M:%S}Z {values} -> {ack.code}{tail}", flush=True)
