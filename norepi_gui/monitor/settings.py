"""The site's monitor-feed settings: off by default, loopback by default, every limit bounded.

Stored by the app in its JSON settings file (``to_json`` / ``from_json``). Protocol-level values (when the feed is
stale, the summary window, the artefact thresholds) are in the protocol file's ``[monitor]`` section instead: they are
clinical choices the institution reviews, these are the link's plumbing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields, replace
from typing import Any

from norepi_gui.core.errors import InputError
from norepi_gui.monitor.link import MonitorLink

#: The IANA-registered port for HL7 over MLLP ("hl7", 2575/tcp); gateways are often set to others.
HL7_PORT = 2575

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: (low, high, unit) for each numeric setting.
BOUNDS: dict[str, tuple[float, float, str]] = {
    "port": (1024, 65535, ""),
    "max_frame_bytes": (4096, 4 * 1024 * 1024, "bytes"),
    "max_junk_bytes": (0, 65536, "bytes"),
    "max_connections": (1, 64, ""),
    "max_messages_per_minute": (1, 600, "per minute"),
    "burst_messages": (1, 100, ""),
    "frame_timeout_s": (1.0, 300.0, "s"),
    "idle_timeout_s": (10.0, 86400.0, "s"),
}


def _field(name: str) -> str:
    return f"monitor.{name}"


@dataclass(frozen=True)
class MonitorSettings:
    """``enabled`` False: no socket is opened. ``listen_address`` is an IP literal (no name lookup);
    ``allowed_senders`` are addresses or networks (``10.1.2.0/24``) whose connections are served, all others are
    closed at once. Limits: a frame above ``max_frame_bytes`` is dropped and refused (AR); more than
    ``max_junk_bytes`` outside frames closes the connection (not an MLLP sender); at most ``max_connections`` at a
    time; ``max_messages_per_minute`` per connection with bursts of ``burst_messages``; a frame must end within
    ``frame_timeout_s`` of its start and a connection with no bytes for ``idle_timeout_s`` is closed (gateways
    reconnect)."""

    enabled: bool = False
    listen_address: str = "127.0.0.1"
    port: int = HL7_PORT
    allowed_senders: tuple[str, ...] = ("127.0.0.1", "::1")
    link: MonitorLink = field(default_factory=MonitorLink)
    max_frame_bytes: int = 64 * 1024
    max_junk_bytes: int = 4096
    max_connections: int = 4
    max_messages_per_minute: int = 60
    burst_messages: int = 10
    frame_timeout_s: float = 10.0
    idle_timeout_s: float = 600.0

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise InputError(_field("enabled"), f"expected true or false, got {self.enabled!r}", "true, false")
        if not isinstance(self.link, MonitorLink):
            raise InputError(_field("link"), "expected a bed and/or patient link", "bed, patient_id")
        _address(self.listen_address, "listen_address")
        if not isinstance(self.allowed_senders, tuple):
            raise InputError(_field("allowed_senders"), "expected a list of addresses", "IP addresses or networks")
        for sender in self.allowed_senders:
            _network(sender)
        for name, (lo, hi, unit) in BOUNDS.items():
            value = getattr(self, name)
            integral = isinstance(lo, int)
            if isinstance(value, bool) or not isinstance(value, int if integral else int | float):
                kind = "a whole number" if integral else "a number"
                raise InputError(_field(name), f"expected {kind}, got {value!r}", f"{lo} to {hi} {unit}".strip())
            if not lo <= value <= hi:
                raise InputError(_field(name), f"{value!r} is out of range", f"{lo} to {hi} {unit}".strip())

    @property
    def networks(self) -> tuple[Network, ...]:
        return tuple(_network(s) for s in self.allowed_senders)

    def allows(self, address: str) -> bool:
        """Whether a connection from ``address`` (the peer's IP) is served."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.networks)

    @property
    def loopback_only(self) -> bool:
        return ipaddress.ip_address(self.listen_address).is_loopback

    # -- JSON -----------------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["allowed_senders"] = list(self.allowed_senders)
        data["link"] = {"bed": self.link.bed, "patient_id": self.link.patient_id}
        return data

    @classmethod
    def from_json(cls, data: object) -> tuple[MonitorSettings, list[str]]:
        """Read settings tolerantly: a missing key keeps its default; an unknown or bad key is dropped with a
        warning naming it (a settings file never stops the app). Returns the settings and the warnings."""
        warnings: list[str] = []
        settings = cls()
        if not isinstance(data, dict):
            return settings, ["monitor: not a table; the defaults are used"]
        known = {f.name for f in fields(cls)}
        for key in sorted(set(data) - known):
            warnings.append(f"{_field(str(key))}: unknown setting, ignored")
        for f in fields(cls):
            if f.name not in data:
                continue
            raw = data[f.name]
            try:
                changes: dict[str, Any] = {f.name: _from_json_value(f.name, raw)}
                settings = replace(settings, **changes)
            except InputError as exc:
                warnings.append(f"{exc}; the default is used")
        return settings, warnings


def _from_json_value(name: str, raw: object) -> object:
    if name == "allowed_senders":
        if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
            raise InputError(_field(name), f"expected a list of addresses, got {raw!r}", "IP addresses or networks")
        return tuple(raw)
    if name == "link":
        if not isinstance(raw, dict) or set(raw) - {"bed", "patient_id"}:
            raise InputError(_field(name), f"expected {{bed, patient_id}}, got {raw!r}", "bed, patient_id")
        return MonitorLink(bed=raw.get("bed", ""), patient_id=raw.get("patient_id", ""))
    return raw


def _address(text: object, name: str) -> None:
    try:
        if not isinstance(text, str):
            raise ValueError(text)
        ipaddress.ip_address(text)
    except ValueError as exc:
        raise InputError(_field(name), f"{text!r} is not an IP address", "e.g. 127.0.0.1, ::1, 10.1.2.3") from exc


def _network(text: object) -> Network:
    try:
        if not isinstance(text, str):
            raise ValueError(text)
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise InputError(
            _field("allowed_senders"), f"{text!r} is not an address or network", "e.g. 10.1.2.3, 10.1.2.0/24"
        ) from exc
