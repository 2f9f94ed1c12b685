"""Settings: units shown, pump resolution, sound, night mode, the protocol file (validated before it is accepted) and
the site's training scenario folder on the General tab; the bedside monitor feed on the Monitor tab
(``monitor_settings_page``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Protocol, ProtocolError, Pump, load_protocol
from norepi_gui.core.units import split_number
from norepi_gui.ui.formatting import describe_input_error
from norepi_gui.ui.widgets import FieldStatus, ValidatedField

if TYPE_CHECKING:
    from collections.abc import Callable

    from norepi_gui.monitor.settings import MonitorSettings
    from norepi_gui.ui.monitor_settings_page import MonitorPage


@dataclass(frozen=True)
class SettingsChoice:
    dose_unit: str
    pump_resolution_ml_per_h: float
    sound_enabled: bool
    sound_volume: int
    protocol_path: Path | None
    protocol: Protocol
    night_mode: str = "system"
    scenario_folder: Path | None = None
    monitor: MonitorSettings | None = None  # None: the Monitor tab was not offered


def resolution_bounds() -> tuple[float, float]:
    """The protocol schema's accepted range for the pump resolution."""
    lo, hi = Pump.__dataclass_fields__["resolution_ml_per_h"].metadata["range"]
    return float(lo), float(hi)


class SettingsDialog(QDialog):
    def __init__(self, *, dose_unit: str, pump_resolution: float, sound_enabled: bool, sound_volume: int,
                 protocol_path: Path | None, protocol: Protocol, sound_player: str = "", night_mode: str = "system",
                 scenario_folder: Path | None = None, monitor: MonitorSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._protocol = protocol
        self.dose_unit = QComboBox()
        self.dose_unit.setObjectName("doseUnitPreference")
        self.dose_unit.setAccessibleName("Dose unit shown everywhere (the other beside it)")
        self.dose_unit.addItems(["mcg/kg/min", "mcg/min"])
        self.dose_unit.setCurrentText(dose_unit)
        self.resolution = ValidatedField("pumpResolutionInput", "Pump resolution (mL/h)",
                                         tooltip="The smallest rate step your pump accepts")
        self.resolution.set_text(f"{pump_resolution:g}")
        self.sound = QCheckBox("Sound for alarms and prompts")
        self.sound.setObjectName("soundEnabledCheck")
        self.sound.setAccessibleName("Sound for alarms and prompts")
        self.sound.setChecked(sound_enabled)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("soundVolumeSlider")
        self.volume.setAccessibleName("Prompt sound volume")
        self.volume.setRange(0, 100)
        self.volume.setValue(sound_volume)
        with_volume = sound_player in ("pw-play", "paplay", "afplay", "recording")
        self.volume.setEnabled(with_volume)
        if not with_volume:
            self.volume.setToolTip("This player takes no volume: the sound follows the system volume.")
        self.player = QLabel(f"Played by: {sound_player}" + (" (no sound player found: the system beep)"
                                                            if sound_player == "system beep" else ""))
        self.player.setObjectName("soundPlayerLabel")
        self.player.setWordWrap(True)
        self.night = QComboBox()
        self.night.setObjectName("nightModeSelect")
        self.night.setAccessibleName("Night mode")
        for value, text in (("system", "Follow the system"), ("day", "Day (light)"), ("night", "Night (dark)")):
            self.night.addItem(text, value)
        self.night.setCurrentIndex(max(0, self.night.findData(night_mode)))
        self.protocol_file = ValidatedField("protocolFileInput", "Protocol file",
                                            placeholder="empty: the shipped protocol")
        self.protocol_file.set_text("" if protocol_path is None else str(protocol_path))
        self.protocol_status = FieldStatus("protocolFileStatus")
        self.protocol_info = QLabel(f"In use: {protocol.meta.name} {protocol.meta.version} ({protocol.source})")
        self.protocol_info.setWordWrap(True)

        self.scenario_folder = ValidatedField("scenarioFolderInput", "Site scenario folder",
                                              placeholder="empty: the shipped scenarios only")
        self.scenario_folder.set_text("" if scenario_folder is None else str(scenario_folder))
        general = QWidget()
        general.setObjectName("generalSettingsPage")
        form = QFormLayout(general)
        form.addRow("Dose unit shown", self.dose_unit)
        form.addRow("Pump resolution mL/h", self.resolution)
        form.addRow("", self.sound)
        form.addRow("Volume", self.volume)
        form.addRow("", self.player)
        form.addRow("Night mode", self.night)
        form.addRow("Protocol file", _browse_row(self.protocol_file, "protocolBrowseButton", self._browse))
        form.addRow(self.protocol_status)
        form.addRow(self.protocol_info)
        form.addRow("Training scenarios",
                    _browse_row(self.scenario_folder, "scenarioFolderBrowseButton", self._browse_folder))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(general, "&General")
        self.monitor_page: MonitorPage | None = None
        if monitor is not None:
            from norepi_gui.ui.monitor_settings_page import MonitorPage

            self.monitor_page = MonitorPage(monitor, protocol.monitor)
            self.tabs.addTab(self.monitor_page, "&Monitor")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs)
        outer.addWidget(buttons)
        self.choice: SettingsChoice | None = None

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Protocol file", "", "Protocol (*.toml)")
        if path:
            self.protocol_file.set_text(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Site scenario folder")
        if path:
            self.scenario_folder.set_text(path)

    def validate(self) -> SettingsChoice | None:
        """Check every field; on error show it under the field (protocol errors name file, key and accepted)."""
        self.resolution.clear_error()
        self.protocol_status.clear_message()
        self.protocol_file.clear_error()
        lo, hi = resolution_bounds()
        resolution: float | None = None
        try:
            value, unit = split_number(self.resolution.text(), "Pump resolution")
            if unit and unit.replace(" ", "").lower() != "ml/h":
                raise InputError("Pump resolution", f"unexpected unit {unit!r}", "mL/h")
            if not lo <= value <= hi:
                raise InputError("Pump resolution", f"{value:g} mL/h is out of range", f"{lo:g} to {hi:g} mL/h")
            resolution = value
        except InputError as exc:
            self.resolution.show_error(describe_input_error("Pump resolution", exc))
        text = self.protocol_file.text().strip()
        path = Path(text) if text else None
        protocol: Protocol | None = None
        try:
            protocol = load_protocol(path)
        except ProtocolError as exc:
            self.protocol_file.show_error(f"Protocol file: {exc}")
            self.protocol_status.show_error("The protocol in use is kept until a valid file is chosen.")
        self.scenario_folder.clear_error()
        folder_text = self.scenario_folder.text().strip()
        folder = Path(folder_text).expanduser() if folder_text else None
        if folder is not None and not folder.is_dir():
            self.scenario_folder.show_error(f"Site scenario folder: {folder} is not a folder (accepted: an existing "
                                            "folder of scenario .toml files, or empty)")
        folder_ok = folder is None or folder.is_dir()
        if resolution is None or protocol is None or not folder_ok:
            self.tabs.setCurrentIndex(0)  # the General tab, where the message is
            return None
        monitor = self.monitor_page.settings() if self.monitor_page is not None else None
        if self.monitor_page is not None and monitor is None:
            self.tabs.setCurrentWidget(self.monitor_page)
            return None
        return SettingsChoice(self.dose_unit.currentText(), resolution, self.sound.isChecked(), self.volume.value(),
                              path, protocol, str(self.night.currentData()), folder, monitor)

    def accept(self) -> None:
        choice = self.validate()
        if choice is None:
            return
        self.choice = choice
        super().accept()


def _browse_row(field: ValidatedField, button_name: str, browse: Callable[[], None]) -> QWidget:
    """``field`` with a "Browse..." button beside it that runs ``browse`` (a file dialog filling the field in)."""
    button = QPushButton("Browse\u2026")
    button.setObjectName(button_name)
    button.clicked.connect(browse)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    return row
