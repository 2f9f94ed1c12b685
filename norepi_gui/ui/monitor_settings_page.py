"""Settings > Monitor: the bedside monitor feed (off by default), where it listens, whom it accepts, which bed and
patient it takes values for, and its limits. Each field is checked by :class:`~norepi_gui.monitor.settings.
MonitorSettings` (and :class:`~norepi_gui.monitor.link.MonitorLink`); a refusal names the field and what it accepts.
The clinical parts of the feed (when it is stale, the summary offered at a check) are the protocol's ``[monitor]``
keys, shown here read-only.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from norepi_gui.core.errors import InputError
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.settings import BOUNDS, MonitorSettings
from norepi_gui.ui.widgets import FieldStatus, ValidatedField, set_role

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Monitor

#: MonitorSettings field -> (objectName, label, unit shown)
LIMITS: dict[str, tuple[str, str, str]] = {
    "max_frame_bytes": ("monitorMaxFrameInput", "Largest message", "bytes"),
    "max_junk_bytes": ("monitorMaxJunkInput", "Bytes outside messages before closing", "bytes"),
    "max_connections": ("monitorMaxConnectionsInput", "Connections at a time", ""),
    "max_messages_per_minute": ("monitorRateInput", "Messages a minute per connection", ""),
    "burst_messages": ("monitorBurstInput", "Messages at once (burst)", ""),
    "frame_timeout_s": ("monitorFrameTimeoutInput", "A message must end within", "s"),
    "idle_timeout_s": ("monitorIdleTimeoutInput", "Close a silent connection after", "s"),
}


def _number(value: float) -> str:
    return f"{value:g}"


class MonitorPage(QWidget):
    """The Monitor tab of the settings dialog; :meth:`settings` checks every field."""

    def __init__(self, current: MonitorSettings, rules: Monitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorSettingsPage")
        self._current = current
        self.enabled = QCheckBox("Take the MAP from the bedside monitor (IHE PCD-01 over MLLP)")
        self.enabled.setObjectName("monitorEnabledCheck")
        self.enabled.setAccessibleName("Monitor feed on")
        self.enabled.setChecked(current.enabled)
        self.address = ValidatedField("monitorAddressInput", "Listen on address",
                                      tooltip="127.0.0.1: only a gateway on this computer can connect")
        self.address.set_text(current.listen_address)
        self.port = ValidatedField("monitorPortInput", "Port", tooltip="The gateway's HL7 destination port")
        self.port.set_text(str(current.port))
        self.senders = ValidatedField("monitorSendersInput", "Allowed senders",
                                      tooltip="Addresses or networks, separated by commas (e.g. 10.1.2.3, 10.1.2.0/24)")
        self.senders.set_text(", ".join(current.allowed_senders))
        self.bed = ValidatedField("monitorBedInput", "Bed (PV1-3)", placeholder="e.g. ICU^12^A",
                                  tooltip="The location exactly as the gateway sends it: UNIT^ROOM^BED")
        self.bed.set_text(current.link.bed)
        self.patient = ValidatedField("monitorPatientInput", "Patient identifier (PID-3)", placeholder="optional",
                                      tooltip="The hospital number the gateway sends; with a bed, both must match")
        self.patient.set_text(current.link.patient_id)
        self.exposure = FieldStatus("monitorExposureNote")
        self.address.edit.textChanged.connect(self._show_exposure)
        self.link_status = FieldStatus("monitorLinkStatus")
        self.limits: dict[str, ValidatedField] = {}
        limits = QGroupBox("Limits")
        limits.setObjectName("monitorLimitsGroup")
        limits_form = QFormLayout(limits)
        for name, (object_name, label, unit) in LIMITS.items():
            lo, hi, _unit = BOUNDS[name]
            field = ValidatedField(object_name, label, tooltip=f"{_number(lo)} to {_number(hi)} {unit}".strip())
            field.set_text(_number(getattr(current, name)))
            self.limits[name] = field
            limits_form.addRow(f"{label} ({unit})" if unit else label, field)
        clinical = QLabel(
            f"From the protocol: stale after {rules.stale_after_s:g} s without a MAP (an alarm); at a check the median "
            f"of the last {rules.summary_window_min:g} min is offered, flushes, damped traces and jumps left out.")
        clinical.setObjectName("monitorProtocolNote")
        clinical.setWordWrap(True)
        set_role(clinical, "muted")

        form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow("Listen on address", self.address)
        form.addRow(self.exposure)
        form.addRow("Port", self.port)
        form.addRow("Allowed senders", self.senders)
        form.addRow("Bed (PV1-3)", self.bed)
        form.addRow("Patient (PID-3)", self.patient)
        form.addRow(self.link_status)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(limits)
        layout.addWidget(clinical)
        layout.addStretch(1)
        self._show_exposure()

    def _show_exposure(self, *_args: object) -> None:
        try:
            loopback = ipaddress.ip_address(self.address.text().strip()).is_loopback
        except ValueError:
            self.exposure.clear_message()
            return
        if loopback:
            self.exposure.clear_message()
        else:
            self.exposure.show_note("Reachable from the network: allow this port only from the gateway's address in "
                                    "the firewall, and list only the gateway below.")

    def fields(self) -> list[ValidatedField]:
        return [self.address, self.port, self.senders, self.bed, self.patient, *self.limits.values()]

    def settings(self) -> MonitorSettings | None:
        """The settings typed, or ``None`` with each problem shown under its field."""
        for field in self.fields():
            field.clear_error()
        self.link_status.clear_message()
        changes: dict[str, Any] = {"enabled": self.enabled.isChecked()}
        ok = True
        texts: dict[str, tuple[ValidatedField, str]] = {
            "listen_address": (self.address, self.address.text().strip()),
            "port": (self.port, self.port.text().strip()),
            **{name: (field, field.text().strip()) for name, field in self.limits.items()},
        }
        for name, (field, text) in texts.items():
            try:
                value: Any = text if name == "listen_address" else _parse_number(field.label, text, name)
                dataclasses.replace(self._current, **{name: value})  # each field on its own: its own message
            except InputError as exc:
                field.show_error(_words(field.label, exc))
                ok = False
                continue
            changes[name] = value
        senders = tuple(s.strip() for s in self.senders.text().replace(";", ",").split(",") if s.strip())
        try:
            dataclasses.replace(self._current, allowed_senders=senders)
            changes["allowed_senders"] = senders
        except InputError as exc:
            self.senders.show_error(_words("Allowed senders", exc))
            ok = False
        try:
            link = MonitorLink(bed=self.bed.text(), patient_id=self.patient.text())
            changes["link"] = link
        except InputError as exc:
            target = self.patient if exc.field.endswith("patient_id") else self.bed
            target.show_error(_words(target.label, exc))
            return None
        if changes["enabled"] and not link.linked:
            self.bed.show_error("Bed (PV1-3): the feed takes values for one bed or patient only. Accepted: the bed "
                                "as the gateway sends it (e.g. ICU^12^A) and/or the patient identifier")
            ok = False
        if changes["enabled"] and not senders:
            self.senders.show_error("Allowed senders: none listed, so no gateway could connect. Accepted: the "
                                    "gateway's address or network")
            ok = False
        if not ok:
            return None
        try:
            return dataclasses.replace(self._current, **changes)
        except InputError as exc:  # a combination the fields alone did not show
            self.link_status.show_error(str(exc))
            return None


def _parse_number(label: str, text: str, name: str) -> int | float:
    lo, _hi, _unit = BOUNDS[name]
    try:
        value = float(text)
    except ValueError as exc:
        raise InputError(f"monitor.{name}", f"{text!r} is not a number", label) from exc
    if isinstance(lo, int):
        if value != int(value):
            raise InputError(f"monitor.{name}", f"{text!r} is not a whole number", "a whole number")
        return int(value)
    return value


def _words(label: str, exc: InputError) -> str:
    accepted = f" Accepted: {exc.accepted}" if exc.accepted else ""
    return f"{label}: {exc.problem}.{accepted}"
