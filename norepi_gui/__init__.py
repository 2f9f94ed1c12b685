"""norepi-gui: norepinephrine titration assistant and training simulator.

Clinical decision support and a training tool; not a certified medical device. It never replaces clinical judgement.
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("norepi-gui")
except metadata.PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

DISCLAIMER = (
    "norepi-gui is clinical decision support and a training tool. It is not a certified medical device and does "
    "not replace clinical judgement, the prescriber's order or your institution's protocol. Check every dose and "
    "pump setting independently before giving it."
)
