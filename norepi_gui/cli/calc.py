"""``norepi-gui calc``: the dosing core for scripts and for a pharmacist checking a protocol. Imports no Qt."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from norepi_gui.cli import one_line
from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_HARD_LIMIT, EXIT_OK
from norepi_gui.cli.inputs import (
    add_patient_and_bag,
    fail,
    finite,
    read_patient_and_bag,
    text_option,
)
from norepi_gui.core.dosing import parse_dose, parse_rate
from norepi_gui.core.errors import InputError
from norepi_gui.core.infusion import InfusionRequest, InfusionSummary, summarise_infusion
from norepi_gui.core.protocol import Protocol, load_protocol
from norepi_gui.core.units import DoseBasis, parse_quantity

__all__ = ["EXIT_BAD_INPUT", "EXIT_HARD_LIMIT", "EXIT_OK", "add_parser", "build_request", "run"]


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "calc",
        help="convert a dose to a pump rate or back, with every dosing alert",
        description="Convert a norepinephrine base dose to a pump rate (or a rate to a dose) and check it against "
        "the protocol. Exit 0 on success, 2 on bad input, 3 when the dose is above the hard limit.",
    )
    add_patient_and_bag(p, weight_required=False)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--dose", type=text_option,
                       help='"0.1 mcg/kg/min" or "7 mcg/min" (bare number: the population\'s unit)')
    group.add_argument("--rate", type=text_option, help='pump rate, e.g. "26.3 mL/h" (bare number: mL/h)')
    p.add_argument(
        "--rate-basis",
        choices=["per_kg", "flat"],
        default=None,
        help="report a --rate as mcg/kg/min (per_kg, the default with a weight) or mcg/min (flat)",
    )
    p.add_argument("--drop-factor", type=finite,
                   help="drip chamber drop factor in gtt/mL, one of the protocol's (10, 15, 20, 60)")
    p.add_argument("--bag-volume", type=text_option, help='volume left in the bag, e.g. "250 mL"')
    p.add_argument("--current-dose", type=text_option, help="the dose running now, for the large-change check")


def build_request(args: argparse.Namespace, protocol: Protocol) -> InfusionRequest:
    common = read_patient_and_bag(args)
    population, weight, concentration = common.population, common.weight, common.concentration
    default_unit = protocol.population(population).dose_unit
    dose = parse_dose(args.dose, "dose", default_unit) if args.dose else None
    rate = parse_rate(args.rate) if args.rate else None
    basis = DoseBasis(args.rate_basis) if args.rate_basis else (DoseBasis.PER_KG if weight else DoseBasis.FLAT)
    if basis is DoseBasis.PER_KG and weight is None and rate is not None:
        raise InputError("weight", "--rate-basis per_kg needs the patient's weight", "a weight in kg or lb")
    current = None
    if args.current_dose:
        current = parse_dose(args.current_dose, "current dose", default_unit).mcg_per_min(weight)
    bag = parse_quantity(args.bag_volume, "bag volume", "mL") if args.bag_volume else None
    if bag is not None and (
        bag.dimensionality != parse_quantity("1 mL", "bag volume", "mL").dimensionality or bag.magnitude < 0
    ):
        raise InputError("bag volume", f"{args.bag_volume!r} is not a volume of 0 mL or more", "e.g. 250 mL")
    return InfusionRequest(
        concentration=concentration,
        weight=weight,
        population=population,
        dose=dose,
        rate=rate,
        basis=basis,
        line=common.line,
        drop_factor_gtt_per_ml=args.drop_factor,
        bag_volume_left=bag,
        current_dose_mcg_per_min=current,
    )


def format_table(summary: InfusionSummary) -> str:
    def num(value: float | None, fmt: str, unit: str) -> str:
        return "-" if value is None else f"{value:{fmt}} {unit}"

    rows = [
        ("Concentration (base)", num(summary.concentration_mcg_per_ml, ".4g", "mcg/mL")),
        ("Weight", num(summary.weight_kg, ".2f", "kg")),
        ("Dose", num(summary.dose_mcg_per_kg_per_min, ".3f", "mcg/kg/min")),
        ("Dose (whole patient)", num(summary.dose_mcg_per_min, ".2f", "mcg/min")),
        ("Dose per hour", num(summary.dose_mg_per_h, ".3f", "mg/h")),
        ("Rate (exact)", num(summary.rate_ml_per_h, ".3f", "mL/h")),
        ("Pump rate (rounded)", num(summary.pump_rate_ml_per_h, "g", "mL/h")),
        ("Delivered at pump rate", num(summary.delivered_dose_mcg_per_kg_per_min, ".4f", "mcg/kg/min")),
        ("Drops (drip chamber)", num(summary.drops_per_min, ".1f", "gtt/min")),
        ("Bag empty in", num(summary.bag_hours_left, ".1f", "h")),
        ("Drug per 24 h", num(summary.mg_per_24h, ".2f", "mg")),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    for alert in summary.alerts:
        lines.append(f"[{alert.priority.value.upper()}] {alert.code}: {alert.message}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        protocol = load_protocol(args.protocol)
        summary = summarise_infusion(build_request(args, protocol), protocol)
    except InputError as exc:
        return fail("calc", exc)
    print(json.dumps(summary.to_json(), indent=2, allow_nan=False) if args.json else format_table(summary))
    if summary.refused:
        hard = next(a for a in summary.alerts if a.code == "DOSE_ABOVE_HARD_MAX")
        print(one_line(f"norepi-gui calc: dose: {hard.message}"), file=sys.stderr)
        return EXIT_HARD_LIMIT
    return EXIT_OK
