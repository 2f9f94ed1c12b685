"""``norepi-gui simulate``: headless runs of the training simulator. Imports no Qt.

Runs a policy (``none``, ``fixed``, ``reference`` or ``advisor``), or several side by side
(``--policy fixed,reference`` or ``all``), on a scenario or on the default mixed septic-shock
population and prints the debrief metrics. With ``--patients N`` it prints the mean and
10th/50th/90th percentiles across patients. Exit 0 on success, 2 on bad input or when the
advisor is not available.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_OK


def add_parser(subparsers: Any) -> None:
    """Add the ``simulate`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="run the virtual patient headless and print debrief metrics",
        description="Run a titration policy on virtual patients (a training simulator, not a clinical tool) and "
        "print the debrief metrics. Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("--scenario", help="a scenario: a shipped or site name (see --list) or the path of a scenario file "
                   "from anywhere; default: a mixed septic-shock population")
    p.add_argument("--scenario-dir", type=Path, help="a site scenario folder, listed and searched before the shipped "
                   "scenarios")
    p.add_argument(
        "--policy",
        default="fixed",
        help="who titrates: advisor (the titration engine), fixed (textbook steps), reference (a PI controller, "
        "the peer closed-loop systems use), none; several separated by commas, or all, run side by side on the "
        "same patients",
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
    from norepi_gui.sim.debrief import summarise
    from norepi_gui.sim.runner import POLICY_NAMES, RunConfig, policy_factory, run_headless
    from norepi_gui.sim.scenario import (
        ScenarioError,
        load_scenario_file,
        resolve_scenario,
        scenario_catalogue,
    )
    from norepi_gui.sim.titration_advisor import AdvisorUnavailableError

    if args.list:
        listed = []
        for entry in scenario_catalogue(args.scenario_dir):
            try:
                s = load_scenario_file(entry.path)
            except ScenarioError as exc:
                print(f"norepi-gui simulate: not listed: {exc}", file=sys.stderr)
                continue
            listed.append({"name": s.name, "title": s.title, "duration_h": s.duration_h, "origin": entry.origin,
                           "path": str(entry.path)})
        if args.json:
            print(json.dumps({"scenarios": listed}, indent=2))
        else:
            for item in listed:
                origin = "  [site]" if item["origin"] == "site" else ""
                print(f"{item['name']:28s} {item['title']} ({item['duration_h']:g} h){origin}")
        return EXIT_OK
    if args.patients < 1:
        return _fail(f"--patients must be >= 1, got {args.patients}")
    if args.workers is not None and args.workers < 1:
        return _fail(f"--workers must be >= 1, got {args.workers}")
    if args.hours is not None and not 0.0 < args.hours <= 72.0:
        return _fail(f"--hours must be more than 0 and at most 72, got {args.hours}")
    try:
        scenario = load_scenario_file(resolve_scenario(args.scenario, args.scenario_dir)) if args.scenario else None
    except ScenarioError as exc:
        if exc.problem == "no such scenario":
            return _fail(f"unknown scenario {args.scenario!r}; accepted: {exc.accepted}, or the path of a scenario "
                         "file (.toml)")
        return _fail(str(exc))
    names = list(POLICY_NAMES) if args.policy == "all" else [n.strip() for n in args.policy.split(",")]
    unknown = [n for n in names if n not in POLICY_NAMES]
    if unknown or not names or len(set(names)) != len(names):
        return _fail(f"--policy {args.policy!r}: accepted {', '.join(POLICY_NAMES)}, several separated by commas "
                     "(each once), or all")
    try:
        factories = {name: policy_factory(name) for name in names}
    except AdvisorUnavailableError as exc:
        return _fail(str(exc))
    results: dict[str, dict[str, Any]] = {}
    for name, factory in factories.items():
        result = run_headless(factory, scenario=scenario, hours=args.hours, seed=args.seed, patients=args.patients,
                              config=RunConfig(workers=args.workers))
        debriefs = result.debriefs()
        results[name] = {
            "hours": result.duration_min / 60.0,
            "band_mmhg": [debriefs[0].band_low_mmhg, debriefs[0].band_high_mmhg],
            **({"metrics": debriefs[0].to_dict()} if args.patients == 1 else {"summary": summarise(debriefs)}),
        }
    first = results[names[0]]
    out: dict[str, Any] = {
        "scenario": scenario.name if scenario else None,
        "policy": args.policy if len(names) == 1 else names,
        "hours": first["hours"],
        "seed": args.seed,
        "patients": args.patients,
        "band_mmhg": first["band_mmhg"],
    }
    if len(names) == 1:
        out.update({k: v for k, v in first.items() if k in ("metrics", "summary")})
    else:
        out["policies"] = {name: {k: v for k, v in r.items() if k in ("metrics", "summary")}
                           for name, r in results.items()}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print_text(out)
    return EXIT_OK


def _print_text(out: dict[str, Any]) -> None:
    lo, hi = out["band_mmhg"]
    if "policies" in out:
        print(
            f"scenario {out['scenario'] or '(mixed population)'}, {out['hours']:g} h, seed {out['seed']}, "
            f"{out['patients']} patient(s); band {lo:g}-{hi:g} mmHg"
        )
        for name, result in out["policies"].items():
            print(f"policy {name}")
            _print_metrics(result)
        return
    print(
        f"scenario {out['scenario'] or '(mixed population)'}, policy {out['policy']}, {out['hours']:g} h, "
        f"seed {out['seed']}, {out['patients']} patient(s); band {lo:g}-{hi:g} mmHg"
    )
    _print_metrics(out)


def _print_metrics(out: dict[str, Any]) -> None:
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
