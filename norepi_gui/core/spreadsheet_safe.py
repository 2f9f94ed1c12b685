"""CSV that a spreadsheet opens as text: no cell is ever evaluated as a formula.

OWASP's advice on CSV injection: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (which can fetch URLs or, in old Excel, run commands); such a
cell is written with a leading single quote, which the spreadsheet takes as "this is text". Every cell is also quoted,
so a separator inside a value cannot start a new cell. Blanks before the trigger are not a way around it, and a NUL is
treated like the triggers (OWASP ASVS 1.2.10).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0")


def neutralise_cell(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula; otherwise unchanged."""
    first = text.lstrip(" ")[:1]
    if text[:1] in FORMULA_TRIGGERS or (first and first in FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text: every cell quoted and neutralised; ``None`` is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else neutralise_cell(str(cell)) for cell in row])
    return buffer.getvalue()
