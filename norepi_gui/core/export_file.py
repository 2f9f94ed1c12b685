"""Writing an export so that a failure or a crash never leaves a half file or destroys the previous one.

Every export goes to a temporary file in the target's folder (same file system, so the final rename is atomic), is
read back and checked, fsynced, made 0600 and only then renamed over the target; the folder is fsynced after the
rename. On any failure the temporary file is removed, the target is left exactly as it was, and
:class:`~norepi_gui.core.storage_errors.ExportError` says what went wrong. A process killed mid-export leaves the
previous file intact (and at most a hidden ``.name.PID.*.part.ext`` file, removed by the next export to that name).

:func:`write_export` takes the bytes (the CSV); :func:`export_target` yields the temporary path to a writer that
writes a file itself (Qt's PDF writer), then checks and renames it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from datetime import UTC
from typing import TYPE_CHECKING

from norepi_gui.core.fsync import fsync_folder, fsync_path
from norepi_gui.core.private_files import FILE_MODE, POSIX, make_private
from norepi_gui.core.storage_errors import ExportError, describe_os_error, is_disk_full

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import tzinfo
    from pathlib import Path

    from norepi_gui.core.events import SessionInfo

_KEPT = "The file at that path is unchanged"
MAX_LABEL_CHARS = 40


def write_export(path: Path, data: bytes, *, check: Callable[[bytes], None] | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (see the module text); ``check`` may refuse the read-back bytes by raising
    ``ValueError``. Returns ``path``; raises :class:`ExportError` and leaves ``path`` as it was on any failure."""

    def verify(temporary: Path) -> None:
        written = temporary.read_bytes()
        if len(written) != len(data) or hashlib.sha256(written).digest() != hashlib.sha256(data).digest():
            raise ValueError(f"the file read back differs from what was written ({len(written)} of {len(data)} bytes)")
        if check is not None:
            check(written)

    with export_target(path, verify=verify) as temporary, temporary.open("r+b") as fh:
        fh.write(data)
    return path


@contextlib.contextmanager
def export_target(path: Path, *, verify: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield a new, empty, 0600 temporary file beside ``path`` for a writer to fill; on leaving the block, check it
    (not empty, then ``verify``, which refuses by raising ``ValueError``), fsync it and rename it over ``path``.

    Any exception in the block or in the checks removes the temporary file and becomes :class:`ExportError`; ``path``
    stays as it was.
    """
    folder = path.parent
    _remove_stale_parts(path)
    try:
        temporary = _new_part(path)
    except OSError as exc:
        raise _error(path, exc) from exc
    try:
        yield temporary
        _finish(temporary, path, verify)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, ExportError):
            raise
        if isinstance(exc, OSError):
            raise _error(path, exc) from exc
        if isinstance(exc, Exception):
            raise ExportError(path, f"the export failed: {exc}", _KEPT) from exc
        raise
    with contextlib.suppress(OSError):
        fsync_folder(folder)


def check_pdf(path: Path) -> None:
    """Refuse (``ValueError``) a file that is not a complete PDF: it must start ``%PDF-`` and end with ``%%EOF``."""
    with path.open("rb") as fh:
        head = fh.read(5)
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    if size == 0:
        raise ValueError("the writer produced an empty file")
    if head != b"%PDF-":
        raise ValueError("the written file is not a PDF")
    if b"%%EOF" not in tail:
        raise ValueError("the written file is not a complete PDF (no %%EOF at its end)")


def sanitise_label(label: str) -> str:
    """A patient or bed label made safe as part of a file name on every system (letters and digits kept, anything
    else becomes one ``-``), at most :data:`MAX_LABEL_CHARS` characters; may be empty."""
    text = unicodedata.normalize("NFKC", label)
    text = "".join(ch if ch.isalnum() else "-" for ch in text)
    text = re.sub(r"-+", "-", text).strip("-")
    return text[:MAX_LABEL_CHARS].rstrip("-")


def default_export_name(info: SessionInfo, kind: str, *, tz: tzinfo | None = None) -> str:
    """``session-<label>-<date>-<uid8>.csv`` (the event log), ``flowsheet-...csv`` or ``handover-...pdf``
    (``training-`` first for a training session); ``kind`` is "csv", "flowsheet" or "pdf".

    The date is the session's start in ``tz`` (default UTC; the window passes the local zone). ``uid8`` is the first 8
    hex digits of the session's uid, unique across data folders where the session id (1, 2, ...) is not.
    """
    stems = {"csv": ("session", "csv"), "flowsheet": ("flowsheet", "csv"), "pdf": ("handover", "pdf")}
    if kind not in stems:
        raise ValueError(f"kind: {kind!r}; accepted: csv, flowsheet, pdf")
    stem, extension = stems[kind]
    if info.is_training:
        stem = "training-" + stem
    date = info.created_at.astimezone(tz if tz is not None else UTC).date().isoformat()
    unique = info.uid[:8] if info.uid else f"id{info.id}"
    parts = [stem, sanitise_label(info.label), date, unique]
    return "-".join(p for p in parts if p) + "." + extension


# -- internals -------------------------------------------------------------------------------------


def _part_prefix(path: Path) -> str:
    # At most 120 characters of the target's name, so the temporary name stays within the 255 a file system allows.
    return f".{path.name[:120]}."


def _part_suffix(path: Path) -> str:
    """The temporary file keeps the target's extension (a writer may insist on it: Qt's PDF writer on .pdf)."""
    return ".part" + path.suffix[:16]


def _new_part(path: Path) -> Path:
    temporary = path.with_name(f"{_part_prefix(path)}{os.getpid()}.{secrets.token_hex(4)}{_part_suffix(path)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(fd)
    make_private(temporary)
    return temporary


def _finish(temporary: Path, path: Path, verify: Callable[[Path], None] | None) -> None:
    if temporary.stat().st_size == 0:
        raise ExportError(path, "the writer produced an empty file", _KEPT)
    try:
        if verify is not None:
            verify(temporary)
    except ValueError as exc:
        raise ExportError(path, str(exc), _KEPT) from exc
    fsync_path(temporary)
    make_private(temporary)


def _remove_stale_parts(path: Path) -> None:
    """Temporary files of this target left by a process that no longer runs (killed mid-export)."""
    if not POSIX:
        return
    prefix = _part_prefix(path)
    with contextlib.suppress(OSError):
        for candidate in path.parent.iterdir():
            name = candidate.name
            if not (name.startswith(prefix) and name.endswith(_part_suffix(path))):
                continue
            pid_text = name[len(prefix) :].split(".", 1)[0]
            if pid_text.isdigit() and not _alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    candidate.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _error(path: Path, exc: OSError) -> ExportError:
    if is_disk_full(exc):
        return ExportError(path, "the disk is full", f"{_KEPT}. Free space, or export to another folder")
    return ExportError(
        path, f"the file cannot be written ({describe_os_error(exc)})", f"{_KEPT}. Export to another folder"
    )
