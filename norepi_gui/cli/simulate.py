"""``norepi-gui simulate``: headless runs of the training simulator. Imports no Qt.

Runs a policy (``none``, ``fixed`` or ``advisor``) on a scenario or on the default mixed
septic-shock population and prints the debrief metrics. With ``--patients N`` it prints
the mean and 10th/50th/90th percentiles across patients. Exit 0 on success, 2 on bad
input or when the advisor is not available.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def add_parser(subparsers: Any) -> None:
    """Add the ``simulate`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="run the virtual patient headless and print debrief metrics",
        description="Run a titration policy on virtual patients (a training simulator, not a clinical tool) and "
        "print the debrief metrics. Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("--scenario", help="scenario name (see --list); default: a mixed septic-shock population")
    p.add_argument(
        "--policy",
        default="fixed",
        choices=("advisor", "fixed", "none"),
        help="who titrates: advisor (the titration engine), fixed (textbook steps), none",
    )
    p.add_argument("--hours", type=float, help="length of the run (default: the scenario's, else 24)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same run")
    p.add_argument("--patients", type=int, default=1, help="number of virtual patients (default 1)")
    p.add_argument(
        "--workers",
        type=int,
        help="processes that answer the policies (Linux; default: one per CPU, at most 8, from 200 patients on; "
        "1 = this process only). The results are the same whatever the number",
    )
    p.add_argument("--list", action="store_true", help="list the scenario names and exit")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _fail(message: str) -> int:
    print(f"norepi-gui simulate: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    """Run the ``simulate`` subcommand; returns the exit code."""
    from norepi_gui.sim.advisor import AdvisorUnavailableError
    from norepi_gui.sim.debrief import summarise
    from norepi_gui.sim.runner import RunConfig, policy_factory, run_headless
    from norepi_gui.sim.scenario import ScenarioError, list_scenarios, load_all, load_scenario

    if args.list:
        if args.json:
            print(
                json.dumps(
                    {"scenarios": [{"name": s.name, "title": s.title, "duration_h": s.duration_h} for s in load_all()]},
                    indent=2,
                )
            )
        else:
            for s in load_all():
                print(f"{s.name:28s} {s.title} ({s.duration_h:g} h)")
        return EXIT_OK
    if args.patients < 1:
        return _fail(f"--patients must be >= 1, got {args.patients}")
    if args.workers is not None and args.workers < 1:
        return _fail(f"--workers must be >= 1, got {args.workers}")
    if args.hours is not None and not 0.0 < args.hours <= 72.0:
        return _fail(f"--hours must be more than 0 and at most 72, got {args.hours}")
    try:
        scenario = load_scenario(args.scenario) if args.scenario else None
    except ScenarioError as exc:
        if exc.problem == "no such scenario":
            return _fail(f"unknown scenario {args.scenario!r}; accepted: {', '.join(list_scenarios())}")
        return _fail(str(exc))
    try:
        factory = policy_factory(args.policy)
    except AdvisorUnavailableError as exc:
        return _fail(str(exc))
    result = run_headless(factory, scenario=scenario, hours=args.hours, seed=args.seed, patients=args.patients,
                          config=RunConfig(workers=args.workers))
    debriefs = result.debriefs()
    out: dict[str, Any] = {
        "scenario": scenario.name if scenario else None,
        "policy": args.policy,
        "hours": result.duration_min / 60.0,
        "seed": args.seed,
        "patients": args.patients,
        "band_mmhg": [debriefs[0].band_low_mmhg, debriefs[0].band_high_mmhg],
    }
    if args.patients == 1:
        out["metrics"] = debriefs[0].to_dict()
    else:
        out["summary"] = summarise(debriefs)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print_text(out)
    return EXIT_OK


def _print_text(out: dict[str, Any]) -> None:
    lo, hi = out["band_mmhg"]
    print(
        f"scenario {out['scenario'] or '(mixed population)'}, policy {out['policy']}, {out['hours']:g} h, "
        f"seed {out['seed']}, {out['patients']} patient(s); band {lo:g}-{hi:g} mmHg"
    )
    if "metrics" in out:
        for key, value in out["metrics"].items():
            if isinstance(value, float):
                print(f"  {key:34s} {value:.2f}")
            elif isinstance(value, int | type(None)):
                print(f"  {key:34s} {value}")
            elif key in ("key_actions", "escalations"):
                for item in value:
                    print(f"  {key:34s} {item}")
        return
    for key, stats in out["summary"].items():
        if stats["mean"] is None:
            print(f"  {key:34s} (no values)")
        else:
            print(
                f"  {key:34s} mean {stats['mean']:.2f}  p10 {stats['p10']:.2f}  p50 {stats['p50']:.2f}  "
                f"p90 {stats['p90']:.2f}  (n={stats['n']})"
            )
