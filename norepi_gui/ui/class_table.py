"""The class table on screen and on paper: many trainees' debriefs side by side, with the class mean.

The rows come from :mod:`norepi_gui.sim.class_table` (debrief files read without Qt); this module shows them in a
table (Training > Class table) and writes the PDF (``norepi-gui class-table --pdf``) with Qt's own writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import QSizeF, Qt
from PySide6.QtGui import QPageLayout, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.core.export_file import write_export
from norepi_gui.sim.class_table import ClassRow, DebriefFileError, class_csv, class_table_rows, collect
from norepi_gui.ui.widgets import report_export

MARK = "TRAINING \u2014 class table (simulated patients)"


def class_table_html(rows: Sequence[ClassRow], problems: Sequence[DebriefFileError] = ()) -> str:
    table = class_table_rows(rows)
    head = "".join(f"<th>{escape(h).replace(chr(10), '<br>')}</th>" for h in table[0])
    body = ""
    for i, row in enumerate(table[1:]):
        mean = rows and i == len(table) - 2
        style = " style='font-weight:bold; background-color:#EFE8F7'" if mean else ""
        body += f"<tr{style}>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
    skipped = ""
    if problems:
        items = "".join(f"<li>{escape(str(p))}</li>" for p in problems)
        skipped = f"<p><b>Files left out:</b></p><ul>{items}</ul>"
    return (
        "<html><head><style>body { font-family: sans-serif; font-size: 7pt; } "
        "p.mark { background-color: #5B2A86; color: #FFFFFF; font-size: 11pt; font-weight: bold; padding: 3px; } "
        "th { background-color: #E8E8E8; text-align: left; } td, th { padding: 2px 4px; border: 1px solid #CCC; }"
        "</style></head><body>"
        f"<p class='mark'>{escape(MARK)}</p>"
        f"<p>{len(rows)} debrief(s). Each row: one trainee's run, scored on the true MAP against the band the advice "
        "showed. norepi-gui " + escape(package_version()) + "</p>"
        f"<table cellspacing='0'><tr>{head}</tr>{body}</table>{skipped}"
        f"<p style='font-size:6pt; color:#444'>{escape(DISCLAIMER)}</p></body></html>"
    )


def class_table_document(rows: Sequence[ClassRow], problems: Sequence[DebriefFileError] = (),
                         page_size_pt: QSizeF | None = None) -> QTextDocument:
    document = QTextDocument()
    if page_size_pt is not None:
        document.setPageSize(page_size_pt)
    document.setHtml(class_table_html(rows, problems))
    return document


def write_class_table_pdf(path: Path, rows: Sequence[ClassRow], problems: Sequence[DebriefFileError] = ()) -> None:
    """The class table as a landscape A4 PDF (Qt's own writer, checked and written atomically)."""
    from norepi_gui.core.export_file import check_pdf, export_target
    from norepi_gui.ui.report import PDF_RESOLUTION_DPI, a4_page_layout

    if path.suffix.lower() != ".pdf":
        raise ValueError(f"path: the class table is a PDF; needs a file name ending in .pdf, got {path.name!r}")
    layout = a4_page_layout()
    layout.setOrientation(QPageLayout.Orientation.Landscape)
    with export_target(path, verify=check_pdf) as temporary:
        writer = QPdfWriter(str(temporary))
        writer.setTitle(MARK)
        writer.setCreator(f"norepi-gui {package_version()}")
        writer.setResolution(PDF_RESOLUTION_DPI)
        writer.setPageLayout(layout)
        page = QSizeF(writer.pageLayout().paintRect(QPageLayout.Unit.Point).size())
        class_table_document(rows, problems, page).print_(writer)
        del writer  # the file is finished and closed when the writer goes


class ClassTableDialog(QDialog):
    """Debrief files chosen by the instructor, in one table; exports CSV and PDF."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("classTableDialog")
        self.setWindowTitle(f"Class table \u2014 {MARK}")
        self.rows: list[ClassRow] = []
        self.problems: list[DebriefFileError] = []
        self.table = QTableWidget()
        self.table.setObjectName("classTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("classTableStatus")
        self.status.setWordWrap(True)
        add = QPushButton("Add debrief files\u2026")
        add.clicked.connect(self.choose_files)
        csv_button = QPushButton("Export CSV\u2026")
        csv_button.clicked.connect(self._export_csv)
        pdf_button = QPushButton("Export PDF\u2026")
        pdf_button.clicked.connect(self._export_pdf)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addStretch(1)
        buttons.addWidget(csv_button)
        buttons.addWidget(pdf_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{escape(MARK)}</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(1300, 520)

    def choose_files(self) -> None:
        files, _f = QFileDialog.getOpenFileNames(self, "Debrief files", "", "Debriefs (*.json *.csv)")
        if files:
            self.add_files([Path(f) for f in files])

    def add_files(self, paths: Sequence[Path]) -> None:
        rows, problems = collect(paths)
        known = {r.source for r in self.rows}
        self.rows += [r for r in rows if r.source not in known]
        self.problems += problems
        self.show_rows()

    def show_rows(self) -> None:
        table = class_table_rows(self.rows)
        self.table.clear()
        self.table.setColumnCount(len(table[0]))
        self.table.setRowCount(len(table) - 1)
        self.table.setHorizontalHeaderLabels(table[0])
        for r, row in enumerate(table[1:]):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c > 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if self.rows and r == len(table) - 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        left_out = f"; left out: {'; '.join(str(p) for p in self.problems)}" if self.problems else ""
        self.status.setText(f"{len(self.rows)} debrief(s){left_out}")

    def export_csv(self, path: Path) -> str:
        return report_export(self.status, f"Class table written to {path}",
                             lambda: write_export(path, class_csv(self.rows)))

    def export_pdf(self, path: Path) -> str:
        return report_export(self.status, f"Class table written to {path}",
                             lambda: write_class_table_pdf(path, self.rows, self.problems))

    def _export_csv(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "Export the class table", "class-table.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def _export_pdf(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "Export the class table", "class-table.pdf", "PDF (*.pdf)")
        if path:
            self.export_pdf(Path(path))
