"""The two clocks ``SteadyClock`` reads, as stand-ins a test sets by hand: the wall clock (stepped anywhere, backwards
included) and the monotonic counter (seconds, never backwards on a real machine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Wall:
    """A wall clock at ``time`` until the test moves it."""

    time: datetime

    def now(self) -> datetime:
        return self.time


@dataclass
class Monotonic:
    """A monotonic counter at ``seconds`` until the test moves it."""

    seconds: float = 0.0

    def __call__(self) -> float:
        return self.seconds
