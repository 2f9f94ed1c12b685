"""norepi-gui: norepinephrine titration assistant and training simulator.

Clinical decision support and a training tool; not a certified medical device. It never replaces clinical judgement.
"""

from __future__ import annotations

from functools import cache

DISCLAIMER = (
    "norepi-gui is clinical decision support and a training tool. It is not a certified medical device and does "
    "not replace clinical judgement, the prescriber's order or your institution's protocol. Check every dose and "
    "pump setting independently before giving it."
)


@cache
def package_version() -> str:
    """The one version number, from the installed package's metadata (read on first use: it costs ~30 ms)."""
    from importlib import metadata

    try:
        return metadata.version("norepi-gui")
    except metadata.PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module 'norepi_gui' has no attribute {name!r}")
