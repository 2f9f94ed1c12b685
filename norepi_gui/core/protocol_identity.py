"""Which protocol a session runs under, and whether the protocol loaded now is the same one.

A protocol is identified by its name, its version and a SHA-256 hash of its *content*: the validated values, written
as canonical JSON (sorted keys, no spaces), not the bytes of the TOML file. Comments and spacing do not change the hash;
any value does, also when whoever edited the file forgot to change the version.

A session records the identity it started under (``SessionInfo.protocol_sha256``) and every later protocol change as
a ``SETTING`` event with key :data:`SETTING_PROTOCOL` and value ``{"source", "name", "version", "sha256"}``;
:func:`session_protocol` reads the one in force. The canonical JSON can be kept in the session database
(``SessionStore.keep_protocol``) and read back with :func:`protocol_from_json`, so a resumed session can run under
the very protocol it was recorded with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

from norepi_gui.core.events import EventKind
from norepi_gui.core.protocol import ProtocolError, parse_protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from norepi_gui.core.events import Event, SessionInfo
    from norepi_gui.core.protocol import Protocol

#: The ``key`` of the SETTING event that records a protocol change.
SETTING_PROTOCOL = "protocol"


@dataclass(frozen=True)
class ProtocolIdentity:
    """Name, version and content hash (None when the session did not record one: an older norepi-gui)."""

    name: str
    version: str
    sha256: str | None

    def describe(self) -> str:
        return f"{self.name} {self.version}"


class ProtocolMatch(StrEnum):
    SAME = "same"  # same name, version and content
    CONTENT_CHANGED = "content_changed"  # same name and version, other values: edited without a new version
    DIFFERENT = "different"  # another protocol, or another version
    UNKNOWN = "unknown"  # same name and version, but the session recorded no hash to compare


@dataclass(frozen=True)
class ProtocolComparison:
    match: ProtocolMatch
    recorded: ProtocolIdentity
    loaded: ProtocolIdentity

    @property
    def matches(self) -> bool:
        return self.match is ProtocolMatch.SAME

    @property
    def message(self) -> str:
        """One sentence for the window; empty when the protocols match."""
        recorded, loaded = self.recorded.describe(), self.loaded.describe()
        if self.match is ProtocolMatch.SAME:
            return ""
        if self.match is ProtocolMatch.CONTENT_CHANGED:
            return (
                f"This session was recorded under the protocol {recorded}; that protocol was changed since "
                "(same name and version, other values)."
            )
        if self.match is ProtocolMatch.UNKNOWN:
            return (
                f"This session was recorded under the protocol {recorded} by an older norepi-gui that kept no "
                "content hash: whether its values changed since cannot be checked."
            )
        return f"This session was recorded under the protocol {recorded}; the protocol loaded now is {loaded}."


def protocol_data(protocol: Protocol) -> dict[str, Any]:
    """The protocol's values shaped like its TOML file (what :func:`parse_protocol` reads), without ``source``."""
    data = _plain(asdict(protocol))
    assert isinstance(data, dict)
    data.pop("source", None)
    return data


def canonical_json(protocol: Protocol) -> str:
    """The protocol's values as canonical JSON: sorted keys, no spaces, ASCII; what the hash is taken of."""
    return json.dumps(protocol_data(protocol), sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_sha256(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def identify(protocol: Protocol) -> ProtocolIdentity:
    return ProtocolIdentity(protocol.meta.name, protocol.meta.version, content_sha256(canonical_json(protocol)))


def protocol_from_json(text: str, source: str) -> Protocol:
    """A protocol back from :func:`canonical_json`, validated like a file; :class:`ProtocolError` if it is not one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(source, "(content)", f"not valid JSON: {exc}", "a protocol kept by norepi-gui") from exc
    if not isinstance(data, dict):
        raise ProtocolError(source, "(content)", "not a JSON object", "a protocol kept by norepi-gui")
    return parse_protocol(data, source)


def compare_protocols(recorded: ProtocolIdentity, loaded: ProtocolIdentity) -> ProtocolComparison:
    if (recorded.name, recorded.version) != (loaded.name, loaded.version):
        match = ProtocolMatch.DIFFERENT
    elif recorded.sha256 is None or loaded.sha256 is None:
        match = ProtocolMatch.UNKNOWN
    elif recorded.sha256 == loaded.sha256:
        match = ProtocolMatch.SAME
    else:
        match = ProtocolMatch.CONTENT_CHANGED
    return ProtocolComparison(match, recorded, loaded)


def session_protocol(info: SessionInfo, events: Iterable[Event]) -> ProtocolIdentity:
    """The protocol in force at the end of a session: its last protocol SETTING event, else the one it started with."""
    current = ProtocolIdentity(info.protocol_name, info.protocol_version, info.protocol_sha256)
    for event in sorted(events, key=lambda e: e.seq):
        if event.kind is not EventKind.SETTING or event.payload.get("key") != SETTING_PROTOCOL:
            continue
        value = event.payload.get("value")
        if not isinstance(value, dict):
            continue
        name, version, sha = value.get("name"), value.get("version"), value.get("sha256")
        if isinstance(name, str) and isinstance(version, str):
            current = ProtocolIdentity(name, version, sha if isinstance(sha, str) else None)
    return current


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
