"""The instructor console: a window of its own (it can sit on a second screen), locked by a PIN the instructor sets
when first opening it, so the trainee cannot open it without the instructor's word.

Behind the lock: simulated time (pause, speed 1-60x, jump ahead), snapshots and rewind (retry from a moment), whether
the trainee may pause or change the speed, and the :class:`InstructorPanel` (hidden patient, events with their size,
resolve, scenario events still to come). The console emits what the instructor asks; the training controller does it.

The PIN is kept only in memory, as a salted PBKDF2 hash (hashlib, standard library), for the life of the window: it
is a classroom lock against a curious trainee, not an access control for data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.core.clock import MAX_SPEED, MIN_SPEED
from norepi_gui.sim.training import fmt_minutes
from norepi_gui.ui.instructor_panel import InstructorPanel

MIN_PIN_CHARS = 4
JUMPS_MIN: tuple[float, ...] = (5.0, 15.0, 30.0, 60.0)
_ITERATIONS = 100_000


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, _ITERATIONS)


class InstructorConsole(QWidget):
    pause_toggled = Signal()
    speed_chosen = Signal(float)
    jump_requested = Signal(float)  # minutes ahead
    snapshot_requested = Signal()
    rewind_requested = Signal(float)  # minutes from the start
    trainee_controls_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("instructorConsole")
        self.setWindowTitle("norepi-gui \u2014 instructor console (training)")
        self._salt = secrets.token_bytes(16)
        self._pin_hash: bytes | None = None
        self.panel = InstructorPanel()

        # The lock page.
        lock = QWidget()
        lock.setObjectName("consoleLock")
        ll = QVBoxLayout(lock)
        self.lock_text = QLabel()
        self.lock_text.setWordWrap(True)
        self.pin = QLineEdit()
        self.pin.setObjectName("consolePin")
        self.pin.setAccessibleName("Instructor PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again = QLineEdit()
        self.pin_again.setObjectName("consolePinAgain")
        self.pin_again.setAccessibleName("Instructor PIN again")
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("consoleUnlockButton")
        self.lock_message = QLabel()
        self.lock_message.setObjectName("consoleLockMessage")
        self.lock_message.setStyleSheet("color: #C00000;")
        form = QFormLayout()
        self._pin_form = form
        form.addRow("PIN", self.pin)
        form.addRow("PIN again", self.pin_again)
        ll.addStretch(1)
        ll.addWidget(self.lock_text)
        ll.addLayout(form)
        ll.addWidget(self.unlock_button)
        ll.addWidget(self.lock_message)
        ll.addStretch(2)

        # The console page.
        page = QWidget()
        pl = QVBoxLayout(page)
        time_box = QGroupBox("Simulated time")
        tl = QVBoxLayout(time_box)
        self.time_label = QLabel("-")
        self.time_label.setObjectName("consoleTimeLabel")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("consolePauseButton")
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setObjectName("consoleSpeedSlider")
        self.speed.setAccessibleName("Simulation speed")
        self.speed.setRange(round(MIN_SPEED), round(MAX_SPEED))
        self.speed_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.time_label, 1)
        row.addWidget(self.pause_button)
        tl.addLayout(row)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        tl.addLayout(speed_row)
        jump_row = QHBoxLayout()
        jump_row.addWidget(QLabel("Jump ahead"))
        self.jump_buttons: dict[float, QPushButton] = {}
        for minutes in JUMPS_MIN:
            button = QPushButton(f"+{minutes:g} min")
            button.setObjectName(f"jump{minutes:g}Button")
            button.clicked.connect(lambda _checked=False, m=minutes: self.jump_requested.emit(m))
            self.jump_buttons[minutes] = button
            jump_row.addWidget(button)
        tl.addLayout(jump_row)
        self.trainee_controls = QCheckBox("The trainee may pause and change the speed")
        self.trainee_controls.setObjectName("traineeControlsCheck")
        self.trainee_controls.setChecked(True)
        tl.addWidget(self.trainee_controls)

        snap_box = QGroupBox("Snapshots: retry from a moment")
        sl = QVBoxLayout(snap_box)
        self.snapshot_button = QPushButton("Take a snapshot now")
        self.snapshot_button.setObjectName("snapshotButton")
        self.snapshots = QListWidget()
        self.snapshots.setObjectName("snapshotList")
        self.snapshots.setMaximumHeight(80)
        self.rewind_button = QPushButton("Rewind to the selected snapshot (a new attempt)")
        self.rewind_button.setObjectName("rewindButton")
        sl.addWidget(self.snapshot_button)
        sl.addWidget(self.snapshots)
        sl.addWidget(self.rewind_button)

        self.lock_button = QPushButton("Lock the console")
        self.lock_button.setObjectName("consoleLockButton")
        self.scenario_label = QLabel("No scenario running")
        self.scenario_label.setObjectName("consoleScenarioLabel")
        self.scenario_label.setStyleSheet("font-weight: bold;")
        header = QHBoxLayout()
        header.addWidget(self.scenario_label, 1)
        header.addWidget(self.lock_button)
        controls = QHBoxLayout()
        controls.addWidget(time_box, 1)
        controls.addWidget(snap_box, 1)
        pl.addLayout(header)
        pl.addLayout(controls)
        pl.addWidget(self.panel, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)

        self.stack = QStackedWidget()
        self.stack.addWidget(lock)
        self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stack)

        self.unlock_button.clicked.connect(self._unlock_clicked)
        self.pin.returnPressed.connect(self._unlock_clicked)
        self.pin_again.returnPressed.connect(self._unlock_clicked)
        self.pause_button.clicked.connect(self.pause_toggled)
        self.speed.valueChanged.connect(self._speed_moved)
        self.snapshot_button.clicked.connect(self.snapshot_requested)
        self.rewind_button.clicked.connect(self._rewind_clicked)
        self.lock_button.clicked.connect(self.lock)
        self.trainee_controls.toggled.connect(self.trainee_controls_changed)
        self.lock()
        self.resize(1080, 760)

    # -- the lock ----------------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.stack.currentIndex() == 0

    @property
    def has_pin(self) -> bool:
        return self._pin_hash is not None

    def lock(self) -> None:
        self.stack.setCurrentIndex(0)
        self.pin.clear()
        self.pin_again.clear()
        first = self._pin_hash is None
        self.pin_again.setVisible(first)
        label = self._pin_form.labelForField(self.pin_again)
        if label is not None:
            label.setVisible(first)
        self.lock_text.setText(
            "Set the instructor PIN (at least 4 characters). The console then opens only with it, so the trainee "
            "cannot see the hidden patient or change the scenario." if first else
            "The instructor console is locked. Enter the instructor PIN.")
        self.unlock_button.setText("Set PIN and open" if first else "Unlock")
        self.lock_message.clear()

    def set_pin(self, pin: str) -> bool:
        """Set the PIN (only once per window); False when it is too short."""
        if len(pin) < MIN_PIN_CHARS or self._pin_hash is not None:
            return False
        self._pin_hash = _hash(pin, self._salt)
        return True

    def unlock(self, pin: str) -> bool:
        if self._pin_hash is None or not hmac.compare_digest(_hash(pin, self._salt), self._pin_hash):
            self.lock_message.setText("Wrong PIN.")
            self.pin.clear()
            return False
        self.stack.setCurrentIndex(1)
        self.lock_message.clear()
        self.pin.clear()
        self.panel.shown.emit()
        return True

    def _unlock_clicked(self) -> None:
        pin = self.pin.text()
        if self._pin_hash is None:
            if pin != self.pin_again.text():
                self.lock_message.setText("The two PINs differ.")
                return
            if not self.set_pin(pin):
                self.lock_message.setText(f"A PIN has at least {MIN_PIN_CHARS} characters.")
                return
        self.unlock(pin)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.lock()  # closing locks: the next opening asks for the PIN again
        super().closeEvent(event)

    # -- what the console shows ----------------------------------------------------------------------------
    def _speed_moved(self, value: int) -> None:
        self.speed_label.setText(f"{value}x")
        self.speed_chosen.emit(float(value))

    def show_time(self, elapsed_min: float | None, duration_min: float | None, running: bool, speed: float) -> None:
        if elapsed_min is None or duration_min is None:
            self.time_label.setText("No scenario running")
        else:
            state = "running" if running else "paused"
            self.time_label.setText(f"{fmt_minutes(elapsed_min)} of {fmt_minutes(duration_min)} h:min ({state})")
        self.pause_button.setText("Pause" if running else "Resume")
        self.speed.blockSignals(True)
        self.speed.setValue(round(speed))
        self.speed.blockSignals(False)
        self.speed_label.setText(f"{speed:g}x")

    def show_scenario(self, text: str) -> None:
        self.scenario_label.setText(text)

    def set_running(self, running: bool) -> None:
        for w in (self.pause_button, self.snapshot_button, self.rewind_button, *self.jump_buttons.values()):
            w.setEnabled(running)
        self.panel.set_running(running)

    def show_snapshots(self, minutes: list[float]) -> None:
        self.snapshots.clear()
        for m in minutes:
            item = QListWidgetItem(f"Snapshot at {fmt_minutes(m)} h:min")
            item.setData(Qt.ItemDataRole.UserRole, m)
            self.snapshots.addItem(item)
        if minutes:
            self.snapshots.setCurrentRow(len(minutes) - 1)

    def _rewind_clicked(self) -> None:
        item = self.snapshots.currentItem()
        if item is not None:
            self.rewind_requested.emit(float(item.data(Qt.ItemDataRole.UserRole)))
