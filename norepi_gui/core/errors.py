"""Errors the core raises for input a person typed or a file supplied."""

from __future__ import annotations


class InputError(ValueError):
    """A value was refused. ``field`` names the input; ``accepted`` says what would be taken."""

    def __init__(self, field: str, problem: str, accepted: str = "") -> None:
        self.field = field
        self.problem = problem
        self.accepted = accepted
        text = f"{field}: {problem}"
        if accepted:
            text += f" (accepted: {accepted})"
        super().__init__(text)


class HardLimitError(InputError):
    """A dose above the hard limit (or too large to compute at all): refused; the commands exit 3 for it."""
