"""The bundled alarm sounds: made by packaging/make_alarm_sounds.py, one burst per IEC 60601-1-8 priority, shipped in
the installers, played louder while unanswered and silenced only for a limited time."""

from __future__ import annotations

import importlib.util
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from norepi_gui.core.protocol import load_protocol
from norepi_gui.ui.sound import AlarmSound, ProcessPlayer, RecordingPlayer, sound_file

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_alarm_sounds", ROOT / "packaging" / "make_alarm_sounds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_sounds_are_the_generators_output(tmp_path: Path) -> None:
    written = _maker().make_all(tmp_path)
    assert len(written) == 9  # three priorities x three loudness levels
    for path in written:
        assert path.read_bytes() == sound_file(*_priority_level(path.name)).read_bytes(), path.name


def _priority_level(name: str) -> tuple[str, int]:
    _alarm, priority, level = name.removesuffix(".wav").split("-")
    return priority, int(level)


def _pulses(path: Path) -> list[float]:
    """Durations (s) of the sounding stretches of a WAV file, found from its samples."""
    import array

    with wave.open(str(path)) as f:
        rate = f.getframerate()
        samples = array.array("h", f.readframes(f.getnframes()))
    window = rate // 200  # 5 ms windows
    loud = [max(abs(x) for x in samples[i:i + window]) > 300 for i in range(0, len(samples) - window, window)]
    pulses, run = [], 0
    for on in [*loud, False]:
        if on:
            run += 1
        elif run:
            pulses.append(run * window / rate)
            run = 0
    return pulses


@pytest.mark.parametrize(("priority", "count", "low", "high"), [
    # IEC 60601-1-8 bursts: high 10 pulses of 75-200 ms; medium 3 pulses of 125-250 ms; low 1 or 2 pulses
    ("high", 10, 0.075, 0.200), ("medium", 3, 0.125, 0.250), ("low", 2, 0.125, 0.250),
])
def test_each_priority_has_its_own_burst(priority: str, count: int, low: float, high: float) -> None:
    pulses = _pulses(sound_file(priority, 3))
    assert len(pulses) == count
    assert all(low - 0.01 <= p <= high + 0.01 for p in pulses), pulses


def test_louder_levels_are_louder() -> None:
    peaks = []
    for level in (1, 2, 3):
        import array

        with wave.open(str(sound_file("high", level))) as f:
            peaks.append(max(abs(x) for x in array.array("h", f.readframes(f.getnframes()))))
    assert peaks[0] < peaks[1] < peaks[2]


def test_the_installers_ship_the_sounds() -> None:
    # The spec copies resources/ whole into norepi_gui/resources (no suffix left out) and pyproject lists *.wav as
    # package data, so the sounds are in the bundle, the wheel and every installer built from them.
    spec = (ROOT / "packaging" / "norepi-gui.spec").read_text(encoding="utf-8")
    assert 'for path in sorted((ROOT / "resources").rglob("*")):' in spec
    assert 'path.suffix != ".pyc"' in spec and ".wav" not in spec.split("datas = []", 1)[1].split("datas.append")[0]
    assert '"**/*.wav"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert sorted(p.name for p in (ROOT / "resources" / "sounds").glob("*.wav")) == sorted(
        f"alarm-{p}-{n}.wav" for p in ("high", "medium", "low") for n in (1, 2, 3))


def test_an_unanswered_alarm_repeats_louder_and_a_higher_one_sounds_at_once() -> None:
    alarms = load_protocol().alarms  # high every 10 s, medium every 30 s, low once; full volume after 3 repeats
    player = RecordingPlayer()
    sound = AlarmSound(alarms, player=player)
    sound.follow("medium", T0)
    sound.follow("medium", T0 + timedelta(seconds=29))  # not yet
    sound.follow("medium", T0 + timedelta(seconds=30))  # first repeat: 1 + 1 x 2 // 3 = level 1
    sound.follow("high", T0 + timedelta(seconds=31))  # a higher priority: at once, from the quiet level
    for seconds in (41, 51, 61):  # three unanswered repeats of the high alarm: levels 1 + 2k // 3 = 1, 2, 3
        sound.follow("high", T0 + timedelta(seconds=seconds))
    assert sound.played == [("medium", 1), ("medium", 1), ("high", 1), ("high", 1), ("high", 2), ("high", 3)]
    assert [name for name, _volume in player.calls][-1] == "alarm-high-3.wav"
    sound.follow(None, T0 + timedelta(seconds=62))  # answered: quiet, and a new alarm starts quiet again
    sound.follow("low", T0 + timedelta(seconds=63))
    sound.follow("low", T0 + timedelta(seconds=600))  # low sounds once
    assert sound.played[-1] == ("low", 1) and len(sound.played) == 7


def test_the_platform_players_get_the_file_and_the_volume() -> None:
    path = Path("/x/alarm-high-1.wav")
    assert ProcessPlayer("paplay", "/usr/bin/paplay").arguments(path, 0.5) == ["--volume=32768", str(path)]
    assert ProcessPlayer("pw-play", "/usr/bin/pw-play").arguments(path, 0.5) == ["--volume=0.50", str(path)]
    assert ProcessPlayer("afplay", "/usr/bin/afplay").arguments(path, 1.0) == ["-v", "1.00", str(path)]
    assert ProcessPlayer("aplay", "/usr/bin/aplay").arguments(path, 1.0) == ["-q", str(path)]
