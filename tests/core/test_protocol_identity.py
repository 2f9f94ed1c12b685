"""A session records the protocol it runs under (name, version, content hash) and a resume can tell if it changed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.protocol_identity import (
    SETTING_PROTOCOL,
    ProtocolIdentity,
    ProtocolMatch,
    canonical_json,
    compare_protocols,
    identify,
    protocol_from_json,
    session_protocol,
)
from norepi_gui.core.session_log import SessionStore

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml"
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def _site_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_identity_is_name_version_and_a_hash_of_the_content_not_of_the_bytes(tmp_path: Path) -> None:
    shipped = identify(load_protocol())
    assert (shipped.name, shipped.version) == ("norepi-gui default", "1.0.0")
    assert len(shipped.sha256 or "") == 64
    # Comments and spacing are not content: the same protocol, the same hash.
    reformatted = _site_copy(tmp_path, "default_volume_ml = 250.0 ", "default_volume_ml   =   250.0   # moved  ")
    assert identify(load_protocol(reformatted)) == shipped
    # One value changed without a new version: same name and version, another hash.
    edited = _site_copy(tmp_path, "default_volume_ml = 250.0", "default_volume_ml = 500.0")
    changed = identify(load_protocol(edited))
    assert (changed.name, changed.version) == (shipped.name, shipped.version)
    assert changed.sha256 != shipped.sha256


def test_canonical_content_reads_back_as_the_same_protocol() -> None:
    protocol = load_protocol()
    again = protocol_from_json(canonical_json(protocol), "recorded with session 4")
    assert again.source == "recorded with session 4"
    assert dataclasses.replace(again, source=protocol.source) == protocol
    assert identify(again) == identify(protocol)


@pytest.mark.parametrize(
    ("recorded", "loaded", "match"),
    [
        (("A", "1", "aa"), ("A", "1", "aa"), ProtocolMatch.SAME),
        (("A", "1", "aa"), ("A", "1", "bb"), ProtocolMatch.CONTENT_CHANGED),
        (("A", "1", "aa"), ("A", "2", "bb"), ProtocolMatch.DIFFERENT),
        (("A", "1", "aa"), ("B", "1", "aa"), ProtocolMatch.DIFFERENT),
        (("A", "1", None), ("A", "1", "aa"), ProtocolMatch.UNKNOWN),
        (("A", "1", None), ("A", "2", "aa"), ProtocolMatch.DIFFERENT),
    ],
)
def test_comparison_says_whether_the_protocol_changed(
    recorded: tuple[str, str, str | None], loaded: tuple[str, str, str], match: ProtocolMatch
) -> None:
    result = compare_protocols(ProtocolIdentity(*recorded), ProtocolIdentity(*loaded))
    assert result.match is match
    assert result.matches is (match is ProtocolMatch.SAME)


def test_comparison_message_names_both_protocols() -> None:
    result = compare_protocols(ProtocolIdentity("Ward 4", "2.0", "aa"), ProtocolIdentity("Ward 4", "2.1", "bb"))
    assert result.message == (
        "This session was recorded under the protocol Ward 4 2.0; the protocol loaded now is Ward 4 2.1."
    )
    edited = compare_protocols(ProtocolIdentity("Ward 4", "2.0", "aa"), ProtocolIdentity("Ward 4", "2.0", "bb"))
    assert "was changed since" in edited.message
    assert "same name and version" in edited.message


def test_resumed_session_knows_its_protocol_and_whether_the_one_loaded_now_matches(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    shipped = load_protocol()
    started = identify(shipped)
    with SessionStore(tmp_path / "data", clock) as store:
        info = store.create_session(
            "bed 4",
            is_training=False,
            protocol_name=started.name,
            protocol_version=started.version,
            protocol_sha256=started.sha256,
        )
        store.keep_protocol(canonical_json(shipped))
    edited = load_protocol(_site_copy(tmp_path, "default_volume_ml = 250.0", "default_volume_ml = 500.0"))
    with SessionStore(tmp_path / "data", clock) as store:
        resumed = store.read_session(info.id)
        recorded = session_protocol(resumed.info, resumed.events)
        assert recorded == started
        assert compare_protocols(recorded, identify(shipped)).match is ProtocolMatch.SAME
        assert compare_protocols(recorded, identify(edited)).match is ProtocolMatch.CONTENT_CHANGED
        # The recorded protocol itself can be used again.
        assert recorded.sha256 is not None
        content = store.protocol_content(recorded.sha256)
        assert content is not None
        assert identify(protocol_from_json(content, "recorded")) == started
        assert store.protocol_content("0" * 64) is None


def test_a_protocol_change_recorded_in_the_session_is_the_one_it_runs_under(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    with SessionStore(tmp_path, clock) as store:
        info = store.create_session(
            "bed 4", is_training=False, protocol_name="A", protocol_version="1", protocol_sha256="aa"
        )
        store.append(info.id, EventKind.SETTING, {"key": "sound_enabled", "value": False})
        store.append(
            info.id,
            EventKind.SETTING,
            {"key": SETTING_PROTOCOL, "value": {"source": "/site/b.toml", "name": "B", "version": "3", "sha256": "bb"}},
        )
        read = store.read_session(info.id)
    assert session_protocol(read.info, read.events) == ProtocolIdentity("B", "3", "bb")
    # A change recorded by an older norepi-gui (no hash): name and version only.
    assert session_protocol(
        read.info,
        [
            *read.events,
            dataclasses.replace(
                read.events[-1],
                seq=99,
                payload={"key": SETTING_PROTOCOL, "value": {"source": "c.toml", "name": "C", "version": "4"}},
            ),
        ],
    ) == ProtocolIdentity("C", "4", None)
