"""Monitor settings: off and on loopback by default, every limit bounded, read tolerantly from JSON."""

from __future__ import annotations

import json

import pytest

from norepi_gui.core.errors import InputError
from norepi_gui.monitor.link import MonitorLink
from norepi_gui.monitor.settings import MonitorSettings


def test_the_defaults_are_off_loopback_only_and_bounded() -> None:
    s = MonitorSettings()
    assert s.enabled is False
    assert s.listen_address == "127.0.0.1" and s.loopback_only
    assert s.port == 2575  # IANA "hl7" port
    assert s.allowed_senders == ("127.0.0.1", "::1")
    assert not s.link.linked
    assert (s.max_frame_bytes, s.max_connections, s.max_messages_per_minute) == (65536, 4, 60)


@pytest.mark.parametrize(
    ("changes", "field", "accepted"),
    [
        ({"port": 80}, "monitor.port", "1024 to 65535"),
        ({"port": 2575.5}, "monitor.port", "1024 to 65535"),
        ({"max_frame_bytes": 100 * 1024 * 1024}, "monitor.max_frame_bytes", "4096 to 4194304 bytes"),
        ({"max_connections": 0}, "monitor.max_connections", "1 to 64"),
        ({"max_messages_per_minute": 10_000}, "monitor.max_messages_per_minute", "1 to 600 per minute"),
        ({"frame_timeout_s": float("nan")}, "monitor.frame_timeout_s", "1.0 to 300.0 s"),
        ({"idle_timeout_s": True}, "monitor.idle_timeout_s", "10.0 to 86400.0 s"),
        ({"listen_address": "localhost"}, "monitor.listen_address", "e.g. 127.0.0.1"),
        ({"allowed_senders": ("10.0.0.300",)}, "monitor.allowed_senders", "10.1.2.0/24"),
        ({"enabled": "yes"}, "monitor.enabled", "true, false"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting_and_what_is_accepted(
    changes: dict[str, object], field: str, accepted: str
) -> None:
    with pytest.raises(InputError) as info:
        MonitorSettings(**changes)  # type: ignore[arg-type]
    assert info.value.field == field
    assert accepted in info.value.accepted


def test_senders_are_matched_by_address_or_network_including_ipv4_mapped_ipv6() -> None:
    s = MonitorSettings(allowed_senders=("10.1.2.0/24", "192.0.2.7", "::1"))
    assert s.allows("10.1.2.200") and s.allows("192.0.2.7") and s.allows("::1")
    assert s.allows("::ffff:10.1.2.3")
    assert not s.allows("10.1.3.1") and not s.allows("192.0.2.8") and not s.allows("127.0.0.1")
    assert not s.allows("not an address") and not s.allows("")
    assert not MonitorSettings(allowed_senders=()).allows("127.0.0.1")


def test_settings_survive_a_json_round_trip() -> None:
    s = MonitorSettings(enabled=True, listen_address="10.1.2.3", port=3000, allowed_senders=("10.1.2.0/24",),
                        link=MonitorLink(bed="ICU^12^A", patient_id="HED12"), max_connections=2)
    back, warnings = MonitorSettings.from_json(json.loads(json.dumps(s.to_json())))
    assert back == s and warnings == []


def test_a_bad_or_unknown_key_is_dropped_with_a_warning_and_the_rest_kept() -> None:
    data = {"enabled": True, "port": 99999, "colour": "red", "link": {"bed": "ICU^1^A"}, "allowed_senders": "x"}
    s, warnings = MonitorSettings.from_json(data)
    assert s.enabled is True and s.port == 2575 and s.link.bed == "ICU^1^A"
    assert s.allowed_senders == ("127.0.0.1", "::1")
    assert any(w.startswith("monitor.port: 99999 is out of range") for w in warnings)
    assert any(w.startswith("monitor.colour: unknown setting") for w in warnings)
    assert any(w.startswith("monitor.allowed_senders:") for w in warnings)
    assert MonitorSettings.from_json([1, 2]) == (MonitorSettings(), ["monitor: not a table; the defaults are used"])
