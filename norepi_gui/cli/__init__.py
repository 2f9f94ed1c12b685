"""The ``norepi-gui`` command: no arguments opens the window; subcommands script the core.

Subcommands never import Qt (``calc``, ``advise`` and ``simulate`` answer in well under a second; ``monitor-sim``
and ``monitor-listen`` speak to the bedside monitor feed), so each lives in
its own module that exposes ``add_parser(subparsers)`` and ``run(args) -> int`` and is imported only when named.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import typing
from collections.abc import Sequence
from pathlib import Path

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE

SUBCOMMANDS = {
    "calc": "norepi_gui.cli.calc",
    "advise": "norepi_gui.cli.advise",
    "simulate": "norepi_gui.cli.simulate",
    "monitor-sim": "norepi_gui.cli.monitor_sim",
    "monitor-listen": "norepi_gui.cli.monitor_listen",
    "scenario": "norepi_gui.cli.scenario",
    "class-table": "norepi_gui.cli.class_table",
}


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (the option and what is wrong), exit 2, no usage
    block: scripts read one line, as they do for every other bad input."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def one_line(text: str) -> str:
    """``text`` on one line: a file name, a column name or a parser message may hold line breaks (any that
    ``str.splitlines`` knows: \\n, \\r, \\x1c-\\x1e, \\x85, \\u2028 ...)."""
    return " ".join(text.splitlines())


class _VersionAction(argparse.Action):
    """``--version``, reading the package metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"norepi-gui {package_version()}")
        parser.exit()


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="norepi-gui",
        description="Norepinephrine titration assistant and training simulator. " + DISCLAIMER,
        epilog="Subcommands (run 'norepi-gui SUBCOMMAND --help'): " + ", ".join(SUBCOMMANDS),
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--protocol", type=Path, help="protocol TOML file (default: the shipped protocol)")
    parser.add_argument(
        "--data-dir", type=Path, help="folder for sessions and settings (default: per-user data folder)"
    )
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit 0 if it works")
    parser.add_argument("--training", action="store_true", help="open in training mode")
    parser.add_argument("--quit-after-ms", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def _subcommand_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(SUBCOMMANDS[name])
    parser = OneLineParser(prog="norepi-gui")
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", required=True)
    module.add_parser(subparsers)
    return parser, module


def _reader_gone() -> int:
    """The reader of our output went away (``norepi-gui advise ... | head -1``): stop quietly, as a Unix tool does.

    Further writes (and the interpreter's own flush at exit) go to /dev/null, so no traceback follows.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        parser, module = _subcommand_parser(args_list[0])
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:  # --help, --version, or a one-line argument error
            return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        try:
            result: int = module.run(args)  # type: ignore[attr-defined]
            sys.stdout.flush()
        except BrokenPipeError:
            return _reader_gone()
        return result
    args = _window_parser().parse_args(args_list)
    if args.self_test:
        from norepi_gui.selftest import run_self_test

        return int(run_self_test(protocol_path=args.protocol))
    from norepi_gui.platform_check import explain_missing_display

    problem = explain_missing_display()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    from norepi_gui.ui.app import run_app

    return int(
        run_app(
            protocol_path=args.protocol,
            data_dir=args.data_dir,
            training=args.training,
            quit_after_ms=args.quit_after_ms,
        )
    )
