"""Run a child Python that prints one id per line, SIGKILL it mid-stream, and collect every id it printed.

Shared by the crash tests of the session log (tests/core) and of the window (tests/ui).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def _child(code: str, arg: str, header_ok: Callable[[str], bool], env: Mapping[str, str] | None
           ) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -c code arg`` started, its first line checked with ``header_ok``; yields the process and that line.

    On the way out a child still running is killed, and its pipes are closed either way.
    """
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-c", code, arg], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=full_env, cwd=REPO_ROOT)
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        header = proc.stdout.readline()
        assert header_ok(header), proc.stderr.read()
        yield proc, header
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def kill_after(code: str, arg: str, *, read_before_kill: int, header_ok: Callable[[str], bool],
               env: Mapping[str, str] | None = None) -> tuple[str, list[int]]:
    """Start ``python -c code arg``; check its first line with ``header_ok``; read ``read_before_kill`` ids; SIGKILL.

    Returns the first line and every id printed before the kill (those still in the pipe count too).
    """
    with _child(code, arg, header_ok, env) as (proc, header):
        assert proc.stdout is not None
        assert proc.stderr is not None
        printed: list[int] = []
        while len(printed) < read_before_kill:
            line = proc.stdout.readline()
            assert line.endswith("\n"), f"child stopped early: {proc.stderr.read()}"
            printed.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        # Ids the child printed before dying are still in the pipe: they count too.
        rest = proc.stdout.read()
        printed += [int(line) for line in rest.splitlines(keepends=True) if line.endswith("\n")]
        assert proc.wait(timeout=30) == -signal.SIGKILL  # killed mid-stream, not finished
    return header, printed


def kill_when(code: str, arg: str, *, header_ok: Callable[[str], bool], condition: Callable[[], bool],
              env: Mapping[str, str] | None = None, timeout_s: float = 60.0) -> str:
    """Start ``python -c code arg``; check its first line with ``header_ok``; SIGKILL it as soon as ``condition()``.

    ``condition`` is polled as fast as the parent can (it looks at files the child is writing), so the kill lands
    inside a window of a millisecond or less. Returns the first line.
    """
    import time

    with _child(code, arg, header_ok, env) as (proc, header):
        assert proc.stderr is not None
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert proc.poll() is None, f"child stopped early: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "the condition never held"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    return header
