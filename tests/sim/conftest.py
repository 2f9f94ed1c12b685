"""Fixtures for the simulator tests."""

from __future__ import annotations

import pytest

from norepi_gui.sim.engine import VirtualPatients
from tests.sim.helpers import make_sim


@pytest.fixture
def quiet_sim() -> VirtualPatients:
    return make_sim()
