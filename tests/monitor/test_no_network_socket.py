"""The monitor feed is off by default: the application opens no network socket unless it is turned on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Runs the installation self-test (protocol, a dose, 30 simulated minutes, the main window built offscreen) with an
# audit hook that records every Python socket made for IPv4/IPv6, then lists the process's own IP sockets still
# open from /proc (which also sees sockets made by native code, such as Qt's).
CODE = """
import os, socket, sys
made = []
def hook(event, args):
    if event == 'socket.__new__' and len(args) > 1 and args[1] in (socket.AF_INET, socket.AF_INET6):
        made.append(event)
    if event in ('socket.bind', 'socket.connect'):
        made.append(event)
sys.addaudithook(hook)
from norepi_gui.cli import main
rc = main(['--self-test'])
inodes = set()
for fd in os.listdir('/proc/self/fd'):
    try:
        target = os.readlink(f'/proc/self/fd/{fd}')
    except OSError:
        continue
    if target.startswith('socket:['):
        inodes.add(target[8:-1])
ip = set()
for table in ('tcp', 'tcp6', 'udp', 'udp6'):
    with open(f'/proc/self/net/{table}') as f:
        ip.update(line.split()[9] for line in f.read().splitlines()[1:])
print('RESULT', rc, len(made), len(inodes & ip))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_application_opens_no_network_socket_with_the_monitor_off() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=300,
                            check=False)
    last = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    assert last == ["RESULT 0 0 0"], result.stdout + result.stderr
