"""Help > Keyboard (F1): every shortcut of the window, built from the window's own tables, so it never goes stale."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class KeyboardSheet(QDialog):
    """The shortcut sheet: group, keys and what they do, one row each (``MainWindow.keyboard_rows``)."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboardSheet")
        self.setWindowTitle("Keyboard")
        self.setAccessibleName("Keyboard shortcuts")
        intro = QLabel("Everything can be done from the keyboard. Alt+letter goes to a field on any tab; "
                       "the underlined letter in a label is its key.")
        intro.setObjectName("keyboardSheetIntro")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("keyboardSheetTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        for i, (group, keys, what) in enumerate(rows):
            for j, text in enumerate((group, keys, what)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("keyboardSheetButtons")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 560)

    def rows(self) -> list[tuple[str, str, str]]:
        out = []
        for i in range(self.table.rowCount()):
            cells = [self.table.item(i, j) for j in range(3)]
            out.append(tuple(c.text() if c is not None else "" for c in cells))
        return out  # type: ignore[return-value]
