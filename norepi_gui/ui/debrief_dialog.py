"""The training debrief on screen (a dialog) and on paper (PDF), its metrics as CSV and JSON, and the training mark
on the handover report.

The metrics and their wording come from :mod:`norepi_gui.sim.training` (``debrief_rows`` and friends) and the files
from :mod:`norepi_gui.sim.class_table`; this module only lays them out, with the timeline
(:mod:`norepi_gui.ui.timeline_plot`), as a QTextDocument (the same HTML on screen and in the PDF), following the
handover report's pattern (:mod:`norepi_gui.ui.report`).
"""

from __future__ import annotations

import dataclasses
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSizeF, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.core.export_file import write_export
from norepi_gui.sim.class_table import debrief_csv, debrief_json
from norepi_gui.sim.training import (
    TrainingDebrief,
    action_rows,
    considered_rows,
    debrief_rows,
    escalation_rows,
    flag_rows,
    fmt_minutes,
    forbidden_rows,
    key_action_rows,
    response_rows,
    scoring_statement,
)
from norepi_gui.ui.formatting import fmt_date_time
from norepi_gui.ui.report import write_document_pdf
from norepi_gui.ui.timeline_plot import render_timeline
from norepi_gui.ui.widgets import report_export

if TYPE_CHECKING:
    from norepi_gui.core.handover import HandoverData

TRAINING_MARK = "TRAINING \u2014 simulated patient"
TRAINING_COLOUR = "#5B2A86"  # the training banner's purple: no priority colour of IEC 60601-1-8 is reused
TRAINING_NOTE = "Simulated patient for training: not a patient record, not for clinical use."
PLOT_URL = QUrl("debrief://timeline.png")


def _table(head: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='grid' cellspacing='0' cellpadding='3'><tr>{th}</tr>{body}</table>"


def _section(parts: list[str], title: str, head: tuple[str, ...], rows: tuple[tuple[str, ...], ...],
             empty: str) -> None:
    parts.append(f"<h2>{escape(title)}</h2>")
    parts.append(_table(head, rows) if rows else f"<p>{escape(empty)}</p>")


def debrief_html(d: TrainingDebrief, plot_width: float | None) -> str:
    """The debrief as the HTML subset QTextDocument lays out; ``plot_width`` None leaves the timeline out."""
    metrics = "".join(
        f"<tr><td class='label'>{escape(label)}</td><td>{escape(value)}</td></tr>" for label, value in debrief_rows(d)
    )
    who = f"Trainee {escape(d.trainee)} &middot; " if d.trainee else ""
    parts = [
        "<html><head><style>",
        "body { font-family: sans-serif; font-size: 9pt; }",
        f"p.mark {{ background-color: {TRAINING_COLOUR}; color: #FFFFFF; font-size: 13pt; font-weight: bold; "
        "padding: 4px; }",
        "h1 { font-size: 15pt; margin-bottom: 2px; }",
        "h2 { font-size: 11pt; margin-top: 10px; margin-bottom: 3px; border-bottom: 1px solid #888; }",
        "td.label { font-weight: bold; padding-right: 12px; }",
        "table.grid th { background-color: #E8E8E8; text-align: left; padding-right: 10px; }",
        "table.grid td { padding-right: 10px; }",
        "p.scored { background-color: #F1ECF7; padding: 4px; }",
        "p.disclaimer { font-size: 8pt; color: #444; }",
        "</style></head><body>",
        f"<p class='mark'>{escape(TRAINING_MARK)}</p>",
        f"<h1>Debrief: {escape(d.scenario_title)}</h1>",
        f"<p>{who}Scenario {escape(d.scenario_name)} (seed {d.seed}) &middot; started "
        f"{escape(fmt_date_time(d.started_at))} (simulated) &middot; {escape(fmt_minutes(d.simulated_min))} h:min "
        f"simulated &middot; norepi-gui {escape(package_version())}</p>",
        f"<p class='scored'><b>What was scored.</b> {escape(scoring_statement(d))}</p>",
        "<h2>Metrics</h2>",
        f"<table class='rows' cellspacing='0' cellpadding='2'>{metrics}</table>",
    ]
    if plot_width is not None:
        parts += ["<h2>Timeline</h2>", f"<p><img src='{PLOT_URL.toString()}' width='{plot_width:.0f}'></p>"]
    _section(parts, "Key actions (counted only inside their window)", ("Expected action", "Window", "Done at",
             "Verdict", "Points"), key_action_rows(d), "None expected.")
    _section(parts, "Actions the scenario counts against", ("Action", "Window", "Done at", "Points"),
             forbidden_rows(d), "None listed.")
    _section(parts, "Errors flagged", ("At", "Error", "Detail"), flag_rows(d), "None.")
    _section(parts, "Response to each event", ("Event", "At", "Answered at", "First answer", "Response"),
             response_rows(d), "No event called for an answer.")
    _section(parts, "Escalations due (when due, when made)", ("Escalation", "Due at", "Made at", "Delay"),
             escalation_rows(d), "None fell due.")
    _section(parts, "Advice to consider (reported, not scored)", ("Escalation", "Advised at", "Started at"),
             considered_rows(d), "None advised.")
    alerts = tuple((fmt_minutes(a.time_min), a.kind.replace("_", " ").lower(), a.detail) for a in d.limit_alerts)
    _section(parts, "Limit alerts", ("At", "Limit", "Detail"), alerts, "None triggered.")
    _section(parts, "Actions taken", ("At (h:min)", "Action"), action_rows(d), "No action recorded.")
    if d.learning_objectives:
        items = "".join(f"<li>{escape(o)}</li>" for o in d.learning_objectives)
        parts.append(f"<h2>Learning objectives</h2><ul>{items}</ul>")
    parts += [
        f"<p class='disclaimer'>{escape(TRAINING_NOTE)} Times are h:min from the start of the scenario. "
        f"{escape(DISCLAIMER)}</p>",
        "</body></html>",
    ]
    return "".join(parts)


def timeline_image(d: TrainingDebrief) -> QImage | None:
    return render_timeline(d.timeline) if d.timeline is not None else None


def debrief_document(
    d: TrainingDebrief, plot_image: QImage | None, page_size_pt: QSizeF | None = None
) -> QTextDocument:
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, f"Debrief: {d.scenario_title}")
    plot_width: float | None = None
    if page_size_pt is not None:
        document.setPageSize(page_size_pt)
    if plot_image is not None and not plot_image.isNull():
        document.addResource(QTextDocument.ResourceType.ImageResource, PLOT_URL, plot_image)
        if page_size_pt is not None:
            plot_width = page_size_pt.width() - 2 * document.documentMargin() - 8
        else:
            plot_width = float(min(plot_image.width(), 940))
    document.setHtml(debrief_html(d, plot_width))
    return document


def write_debrief_pdf(path: Path, d: TrainingDebrief, plot_image: QImage | None) -> None:
    """Write the debrief as an A4 PDF with Qt's own writer."""
    title = f"{TRAINING_MARK}: debrief {d.scenario_title}"
    write_document_pdf(path, title, "debrief", lambda page: debrief_document(d, plot_image, page))


def write_debrief_files(folder_or_stem: Path, d: TrainingDebrief) -> tuple[Path, Path]:
    """The metrics as CSV and the whole debrief as JSON beside ``folder_or_stem`` (``stem.csv``, ``stem.json``)."""
    stem = folder_or_stem.with_suffix("")
    csv_path, json_path = stem.with_suffix(".csv"), stem.with_suffix(".json")
    write_export(csv_path, debrief_csv(d))
    write_export(json_path, debrief_json(d))
    return csv_path, json_path


class DebriefDialog(QDialog):
    """The debrief on screen, with Export PDF and Export metrics (CSV and JSON)."""

    def __init__(self, debrief: TrainingDebrief, plot_image: QImage | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("debriefDialog")
        self.setWindowTitle(f"Debrief \u2014 {TRAINING_MARK} \u2014 {debrief.scenario_title}")
        self.debrief = debrief
        self.plot_image = plot_image if plot_image is not None else timeline_image(debrief)
        self.browser = QTextBrowser()
        self.browser.setObjectName("debriefText")
        self.browser.setOpenLinks(False)
        self._document = debrief_document(debrief, self.plot_image)
        self._document.setParent(self)
        self.browser.setDocument(self._document)
        self.export_button = QPushButton("Export PDF\u2026")
        self.export_button.setObjectName("exportDebriefPdfButton")
        self.metrics_button = QPushButton("Export metrics (CSV + JSON)\u2026")
        self.metrics_button.setObjectName("exportDebriefMetricsButton")
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeDebriefButton")
        self.status = QLabel()
        self.status.setObjectName("debriefStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.metrics_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._export_dialog)
        self.metrics_button.clicked.connect(self._metrics_dialog)
        self.close_button.clicked.connect(self.accept)
        self.resize(1000, 880)

    def text(self) -> str:
        return self.browser.toPlainText()

    def _stem(self) -> str:
        who = "".join(ch if ch.isalnum() else "-" for ch in self.debrief.trainee).strip("-")
        return f"debrief-{self.debrief.scenario_name}" + (f"-{who}" if who else "")

    def export_pdf(self, path: Path) -> str:
        """Write the debrief PDF; the status line (and a message box on failure) says what happened."""
        return report_export(self.status, f"Debrief written to {path}",
                             lambda: write_debrief_pdf(path, self.debrief, self.plot_image))

    def export_metrics(self, path: Path) -> str:
        """Write the metrics CSV and JSON beside ``path``; the status line says what happened."""
        stem = path.with_suffix("")
        return report_export(self.status, f"Metrics written to {stem.with_suffix('.csv')} and "
                             f"{stem.with_suffix('.json')}", lambda: write_debrief_files(path, self.debrief))

    def _export_dialog(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "Export debrief PDF", self._stem() + ".pdf", "PDF (*.pdf)")
        if path:
            self.export_pdf(Path(path))

    def _metrics_dialog(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "Export debrief metrics", self._stem() + ".json",
                                               "Debrief metrics (*.json *.csv)")
        if path:
            self.export_metrics(Path(path))


# ---------------------------------------------------------------------------------------------------- handover
def mark_handover(data: HandoverData, scenario: str | None) -> HandoverData:
    """The handover report of a training session: the training mark in the title and on every disclaimer line."""
    what = f" (scenario {scenario})" if scenario else ""
    return dataclasses.replace(
        data,
        title=f"{TRAINING_MARK}{what}: {data.title}",
        disclaimer=f"{TRAINING_NOTE} {data.disclaimer}",
    )
