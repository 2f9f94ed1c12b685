"""Times a gateway sends without a UTC offset are read in the machine's zone, with its daylight-saving changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = """
from datetime import UTC, datetime
from norepi_gui.monitor.localtime import system_local_timezone
tz = system_local_timezone()
for month in (1, 7):
    local = datetime(2026, month, 15, 12, 0, tzinfo=tz)
    print(local.astimezone(UTC).strftime('%H:%M'), datetime(2026, month, 15, 10, 0, tzinfo=UTC).astimezone(tz).hour)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="TZ rules from the environment are a Unix feature")
def test_local_noon_is_read_with_the_zones_winter_and_summer_offsets() -> None:
    env = {**os.environ, "TZ": "CET-1CEST,M3.5.0,M10.5.0/3"}  # a POSIX rule: needs no zone database
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True).stdout
    # Central Europe is UTC+1 in January and UTC+2 in July: 12:00 local is 11:00 and 10:00 UTC;
    # 10:00 UTC is 11 and 12 local.
    assert out.split() == ["11:00", "11", "10:00", "12"]
