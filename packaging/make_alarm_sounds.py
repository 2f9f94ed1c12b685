"""Write the bundled alarm sounds, resources/sounds/alarm-{high,medium,low}-{1,2,3}.wav (made here, no third-party
audio, no licence to track).

Each priority has its own burst, after the pulse patterns of IEC 60601-1-8 (the clinical reference: high, medium and
low priority alarms [V]):

- high: ten pulses, 3 + 2 and again 3 + 2 after a pause, pulses of 150 ms (75-200 ms), 100 ms apart (50-125 ms);
- medium: three pulses of 200 ms (125-250 ms), 120 ms apart;
- low: two pulses of 200 ms, 120 ms apart.

A pulse is a tone with its fundamental and four harmonics (the standard asks for at least four within 15 dB of the
fundamental; here the weakest is 8 dB down), with rise and fall times of 15 % of the pulse. Each burst comes at three
loudness levels (1 quiet, 2, 3 loud): an alarm left unanswered repeats one level louder each time (ui/sound.py).
The output is deterministic: tests/ui/test_sound.py regenerates it and compares it with the files shipped.

Run:  .venv/bin/python packaging/make_alarm_sounds.py [--out resources/sounds]
"""

from __future__ import annotations

import argparse
import math
import struct
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATE = 16_000  # samples per second: the fifth harmonic of the highest tone (5 x 523 Hz) is well below 8 kHz
HARMONICS = (1.0, 0.8, 0.6, 0.5, 0.4)  # fundamental and four harmonics; 20 log10(0.4) = -8 dB
LEVELS = {1: 0.35, 2: 0.6, 3: 0.9}  # peak amplitude of each loudness level (fraction of full scale)


def _pattern(priority: str) -> tuple[float, list[float]]:
    """(fundamental Hz, the burst as alternating pulse and silence durations in seconds, pulse first)."""
    if priority == "high":
        p, td = 0.150, 0.100
        three_two = [p, td, p, td, p, 2 * td + p, p, td, p]
        return 523.25, [*three_two, 0.40, *three_two]
    if priority == "medium":
        return 440.0, [0.200, 0.120, 0.200, 0.120, 0.200]
    if priority == "low":
        return 392.0, [0.200, 0.120, 0.200]
    raise ValueError(f"priority: needs high, medium or low; got {priority!r}")


def _pulse(frequency: float, seconds: float, peak: float) -> list[float]:
    n = round(seconds * RATE)
    edge = max(1, round(0.15 * n))  # rise and fall: 15 % of the pulse
    norm = sum(HARMONICS)
    samples = []
    for i in range(n):
        t = i / RATE
        tone = sum(a * math.sin(2 * math.pi * frequency * (k + 1) * t) for k, a in enumerate(HARMONICS)) / norm
        envelope = min(1.0, i / edge, (n - 1 - i) / edge)
        samples.append(peak * envelope * tone)
    return samples


def burst(priority: str, level: int) -> list[float]:
    """The burst of ``priority`` at loudness ``level`` as samples in -1..1."""
    frequency, parts = _pattern(priority)
    out: list[float] = []
    for index, seconds in enumerate(parts):
        if index % 2 == 0:
            out += _pulse(frequency, seconds, LEVELS[level])
        else:
            out += [0.0] * round(seconds * RATE)
    return out + [0.0] * round(0.05 * RATE)  # a short tail of silence


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples))


def file_name(priority: str, level: int) -> str:
    return f"alarm-{priority}-{level}.wav"


def make_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for priority in ("high", "medium", "low"):
        for level in LEVELS:
            path = folder / file_name(priority, level)
            write(path, burst(priority, level))
            written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "sounds")
    args = parser.parse_args()
    for path in make_all(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
