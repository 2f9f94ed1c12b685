"""``norepi-gui scenario``: check and start training scenario files without the window. Imports no Qt.

* ``scenario validate FILE...``: every problem of each file, naming the file, the key and the values accepted
  (the keys one by one, then the cross-checks: a 200 kg two-year-old, a nadir above the starting MAP, an event
  after the end, a key action after an event that does not exist, ...). Exit 0 when every file is valid, 2 if not.
* ``scenario template``: print the commented template (docs/scenarios.md explains every key).
* ``scenario list [--scenario-dir DIR]``: the shipped scenarios and a site folder's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_OK


def template_path() -> Path:
    from norepi_gui.sim.scenario import default_scenario_dir

    return default_scenario_dir().parent / "templates" / "scenario_template.toml"


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "scenario",
        help="validate training scenario files, print the template, list scenarios",
        description="Training scenarios (a training simulator, not a clinical tool). Exit 0 on success, 2 when a "
        "file is not valid.",
    )
    sub = p.add_subparsers(dest="action", required=True)
    v = sub.add_parser("validate", help="check scenario files: every problem, with key and accepted values")
    v.add_argument("files", nargs="+", type=Path, metavar="FILE")
    v.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("template", help="print the commented scenario template")
    ls = sub.add_parser("list", help="list the shipped scenarios and those of a site folder")
    ls.add_argument("--scenario-dir", type=Path, help="a site scenario folder")


def run(args: argparse.Namespace) -> int:
    if args.action == "template":
        sys.stdout.write(template_path().read_text(encoding="utf-8"))
        return EXIT_OK
    if args.action == "list":
        from norepi_gui.sim.scenario import scenario_catalogue

        for entry in scenario_catalogue(args.scenario_dir):
            print(f"{entry.name:28s} {entry.origin:8s} {entry.path}")
        return EXIT_OK
    from norepi_gui.sim.scenario import validate_file

    report: dict[str, list[dict[str, str]]] = {}
    for path in args.files:
        report[str(path)] = [{"key": p.key, "problem": p.problem, "accepted": p.accepted} for p in validate_file(path)]
    bad = sum(1 for problems in report.values() if problems)
    if args.json:
        print(json.dumps({"valid": bad == 0, "files": report}, indent=2))
    else:
        for file, problems in report.items():
            if not problems:
                print(f"{file}: valid")
            for p in problems:
                print(f"{file}: {p['key']}: {p['problem']} (accepted: {p['accepted']})")
    return EXIT_OK if bad == 0 else EXIT_BAD_INPUT
