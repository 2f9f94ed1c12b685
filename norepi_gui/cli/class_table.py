"""``norepi-gui class-table DEBRIEF...``: many trainees' debrief files in one table (CSV, and PDF).

Reads the files the debrief exports (JSON, or the metrics CSV; a folder: its *.json and *.csv), one trainee's run
per row, the class mean below. ``--csv OUT`` writes the table as CSV (no Qt); ``--pdf OUT`` as a landscape A4 PDF
(this alone loads Qt, off screen). Without either, the table is printed. A file that is not a debrief is named with
the reason and left out; exit 2 when no file could be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from norepi_gui.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "class-table",
        help="collect training debrief files into one class table (CSV, PDF)",
        description="Collect training debrief files (exported from the debrief: JSON or metrics CSV) into one "
        "class table. Exit 0 on success, 2 when no file could be read.",
    )
    p.add_argument("debriefs", nargs="+", type=Path, metavar="DEBRIEF", help="debrief files or folders of them")
    p.add_argument("--csv", type=Path, help="write the class table as CSV to this file")
    p.add_argument("--pdf", type=Path, help="write the class table as a PDF to this file")


def run(args: argparse.Namespace) -> int:
    from norepi_gui.core.export_file import write_export
    from norepi_gui.core.storage_errors import ExportError
    from norepi_gui.sim.class_table import class_csv, class_table_rows, collect

    rows, problems = collect(args.debriefs)
    for problem in problems:
        print(f"norepi-gui class-table: left out: {problem}", file=sys.stderr)
    if not rows:
        print("norepi-gui class-table: no debrief could be read (accepted: files exported from a training "
              "debrief, .json or .csv)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if args.csv is not None:
            write_export(args.csv, class_csv(rows))
            print(f"class table: {len(rows)} debrief(s) written to {args.csv}")
        if args.pdf is not None:
            if args.pdf.suffix.lower() != ".pdf":
                print(f"norepi-gui class-table: --pdf {args.pdf}: needs a file name ending in .pdf", file=sys.stderr)
                return EXIT_BAD_INPUT
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a PDF needs no screen
            from PySide6.QtGui import QGuiApplication

            from norepi_gui.ui.class_table import write_class_table_pdf

            app = QGuiApplication.instance() or QGuiApplication([])
            write_class_table_pdf(args.pdf, rows, problems)
            del app
            print(f"class table: {len(rows)} debrief(s) written to {args.pdf}")
    except (ExportError, OSError) as exc:
        print(f"norepi-gui class-table: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if args.csv is None and args.pdf is None:
        table = class_table_rows(rows)
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        for row in table:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK
