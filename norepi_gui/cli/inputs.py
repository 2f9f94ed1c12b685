"""What ``calc`` and ``advise`` both read, read one way: the options they share, their parsing, and the one-line
error they print. The checks themselves are the core's (``core.infusion.check_inputs``, run by the dose calculator
and by the titration engine), so both commands refuse and flag the same weight and concentration alike."""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from norepi_gui.cli import one_line
from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_HARD_LIMIT
from norepi_gui.cli.exit_codes import EXIT_OK as EXIT_OK  # advise reads it here
from norepi_gui.core.dosing import Concentration, Salt, parse_concentration, parse_weight
from norepi_gui.core.errors import HardLimitError, InputError
from norepi_gui.core.protocol import LineType, Population, Protocol
from norepi_gui.core.units import Quantity, unit

MAX_OPTION_CHARS = 200  # a typed option longer than this is not a value (a file name is not read from here)


def finite(text: str) -> float:
    """An argparse type: a finite number (``nan``, ``inf`` and overflowing values are refused, naming the option)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a finite number")
    return value


def text_option(text: str) -> str:
    """An argparse type for the typed values (weight, dose, concentration): at most MAX_OPTION_CHARS characters."""
    if len(text) > MAX_OPTION_CHARS:
        raise argparse.ArgumentTypeError(f"{len(text)} characters, more than {MAX_OPTION_CHARS}")
    return text


def add_patient_and_bag(p: argparse.ArgumentParser, *, weight_required: bool) -> None:
    """The options both commands share, with the same names, types and help."""
    p.add_argument("--weight", type=text_option, required=weight_required,
                   help='patient weight, e.g. "70 kg" or "154 lb" (bare number: kg)')
    p.add_argument("--concentration", type=text_option, required=True,
                   help='"16 mcg/mL", "4 mg/250 mL" or "4 mg in 250 mL"')
    p.add_argument("--salt", type=text_option, default="base",
                   help="what the vial states: base (default) | bitartrate")
    p.add_argument("--line", type=text_option, default="central", help="central | peripheral | io (default central)")
    p.add_argument("--population", default="adult", choices=[x.value for x in Population])
    p.add_argument("--protocol", type=Path, help="protocol TOML file (default: the shipped protocol)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


@dataclass(frozen=True)
class PatientAndBag:
    weight: Quantity | None
    population: Population
    concentration: Concentration
    line: LineType

    @property
    def weight_kg(self) -> float | None:
        return None if self.weight is None else float(self.weight.to(unit("kg")).magnitude)


def read_patient_and_bag(args: argparse.Namespace) -> PatientAndBag:
    """Parse the shared options (InputError names the option)."""
    return PatientAndBag(
        weight=parse_weight(args.weight) if args.weight is not None else None,
        population=Population(args.population),
        concentration=parse_concentration(args.concentration, Salt.parse(args.salt)),
        line=LineType.parse(args.line),
    )


def hard_limit_per_kg(protocol: Protocol, population: Population, weight_kg: float | None) -> float | None:
    """The population's hard limit in mcg/kg/min (a flat limit over the weight), ``None`` if it cannot be known."""
    limits = protocol.population(population)
    if limits.dose_unit == "mcg/min":
        return None if weight_kg is None else limits.flat_hard_max_mcg_per_min / weight_kg
    return limits.hard_max_dose


def fail(command: str, exc: InputError) -> int:
    """Print the one line that names the field and what is accepted; the exit code for it."""
    print(one_line(f"norepi-gui {command}: {exc}"), file=sys.stderr)
    return EXIT_HARD_LIMIT if isinstance(exc, HardLimitError) else EXIT_BAD_INPUT

