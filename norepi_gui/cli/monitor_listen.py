"""``norepi-gui monitor-listen``: the headless monitor listener, for set-up checks and tests. Imports no Qt.

Listens for IHE PCD-01 over MLLP as the window would (the same handler, link and limits), acknowledges every
message and prints one line per message: the accepted values, or the refusal and its reason. It opens a socket
only because it is asked to. Stops after ``--count`` messages or ``--seconds`` (default: on Ctrl+C).
Exit 0 on a normal stop, 1 when the address cannot be listened on, 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK
from norepi_gui.core.errors import InputError


def add_parser(subparsers: Any) -> None:
    """Add the ``monitor-listen`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "monitor-listen",
        help="listen for PCD-01 over MLLP headless and print what arrives (set-up checks)",
        description="Listen for IHE PCD-01 (HL7 v2.6 ORU^R01) over MLLP with the window's checks, acknowledge "
        "every message and print one line per message. Exit 0 on a normal stop, 1 when the address cannot be "
        "listened on, 2 on bad input.",
    )
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=2575, help="port (default 2575; 0 = any free port, printed)")
    p.add_argument("--bed", default="", help="linked bed, UNIT^ROOM^BED as the gateway sends PV1-3")
    p.add_argument("--patient", default="", help="linked patient identifier (PID-3)")
    p.add_argument("--allow", action="append", default=None, metavar="ADDRESS",
                   help="sender address or network to serve (repeatable; default loopback only)")
    p.add_argument("--protocol", type=Path, help="protocol TOML file (default: the shipped protocol)")
    p.add_argument("--count", type=int, help="stop after this many messages")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.add_argument("--json", action="store_true", help="print one JSON object per message")


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"norepi-gui monitor-listen: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    """Run the ``monitor-listen`` subcommand; returns the exit code."""
    from norepi_gui.core.protocol import load_protocol
    from norepi_gui.monitor.link import MonitorLink
    from norepi_gui.monitor.settings import MonitorSettings

    try:
        settings = MonitorSettings(
            enabled=True,
            listen_address=args.address,
            port=args.port if args.port != 0 else MonitorSettings().port,
            allowed_senders=tuple(args.allow) if args.allow else MonitorSettings().allowed_senders,
            link=MonitorLink(bed=args.bed, patient_id=args.patient),
        )
        if not settings.link.linked:
            raise InputError("--bed/--patient", "the listener is linked to no bed and no patient", "--bed, --patient")
        if args.count is not None and args.count < 1:
            raise InputError("--count", f"{args.count} is below 1", "1 or more")
        if args.seconds is not None and not args.seconds > 0:
            raise InputError("--seconds", f"{args.seconds} is not above 0", "more than 0")
        protocol = load_protocol(args.protocol)
    except InputError as exc:
        return _fail(str(exc))
    try:
        return asyncio.run(_listen(settings, protocol.monitor, args))
    except KeyboardInterrupt:
        return EXIT_OK


async def _listen(settings: Any, rules: Any, args: argparse.Namespace) -> int:
    from norepi_gui.core.clock import SystemClock
    from norepi_gui.monitor.listener import MonitorListener
    from norepi_gui.monitor.localtime import system_local_timezone
    from norepi_gui.monitor.pcd01 import ObservationSet, Rejection

    done = asyncio.Event()
    seen = 0

    def count() -> None:
        nonlocal seen
        seen += 1
        if args.count is not None and seen >= args.count:
            done.set()

    def accepted(obs: ObservationSet) -> None:
        values = {o.vital.value: o.value for o in obs.observations}
        at = obs.latest_at.isoformat() if obs.latest_at else None
        if args.json:
            print(json.dumps({"control_id": obs.header.control_id, "ack": "AA", "at": at, "values": values,
                              "bed": str(obs.location or ""), "patient_ids": list(obs.patient_ids)}), flush=True)
        else:
            text = " ".join(f"{k}={v:g}" for k, v in values.items())
            print(f"{obs.header.control_id} AA {at} {text}", flush=True)
        count()

    def rejected(rejection: Rejection) -> None:
        control_id = rejection.header.control_id if rejection.header else ""
        if args.json:
            print(json.dumps({"control_id": control_id, "ack": rejection.ack_code.value,
                              "reason": rejection.reason.value, "detail": rejection.detail}), flush=True)
        else:
            print(f"{control_id or '-'} {rejection.ack_code.value} {rejection.reason.value}: {rejection.detail}",
                  flush=True)
        count()

    listener = MonitorListener(settings, rules, clock=SystemClock(), local_tz=system_local_timezone(),
                               on_accepted=accepted, on_rejected=rejected, bind_port=args.port)
    try:
        await listener.start()
    except OSError as exc:
        return _fail(f"cannot listen on {settings.listen_address}:{settings.port}: {exc.strerror or exc}",
                     EXIT_FAILURE)
    print(f"listening on {settings.listen_address}:{listener.port} for {settings.link.describe()}", flush=True)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), args.seconds)
    finally:
        await listener.close()
    return EXIT_OK
