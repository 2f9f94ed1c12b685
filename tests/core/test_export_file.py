"""Exports go to a temporary file beside the target, are checked, fsynced and renamed; the old file survives."""

from __future__ import annotations

import csv
import io
import stat
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind, SessionInfo
from norepi_gui.core.export_file import (
    check_pdf,
    default_export_name,
    export_target,
    sanitise_label,
    write_export,
)
from norepi_gui.core.session_log import SessionStore
from norepi_gui.core.spreadsheet_safe import neutralise_cell
from norepi_gui.core.storage_errors import ExportError
from tests.fsfaults import fill, read_only, small_filesystem

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
POSIX = sys.platform != "win32"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.suffixes)


def test_export_replaces_the_target_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old export of another patient")
    assert write_export(target, b"a,b\n1,2\n") == target
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_export_is_private_whatever_the_old_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_export(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failed_check_raises_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def refuse(data: bytes) -> None:
        raise ValueError("readback differs")

    with pytest.raises(ExportError) as info:
        write_export(target, b"new", check=refuse)
    assert info.value.path == target
    assert "readback differs" in info.value.problem
    assert "unchanged" in info.value.remedy
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_export_into_a_read_only_folder_is_a_typed_error(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "out.csv").write_bytes(b"old")
    with read_only(folder), pytest.raises(ExportError) as info:
        write_export(folder / "out.csv", b"new")
    assert "cannot be written" in info.value.problem
    assert (folder / "out.csv").read_bytes() == b"old"


def test_export_onto_a_full_disk_is_a_typed_error_and_the_old_file_stays(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "small", 256) as folder:
        target = folder / "out.csv"
        target.write_bytes(b"old")
        fill(folder)
        with pytest.raises(ExportError) as info:
            write_export(target, b"x" * 200_000)
        assert "full" in info.value.problem
        assert target.read_bytes() == b"old"
        assert _leftovers(folder) == []


def test_a_target_name_near_the_file_system_limit_still_exports(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 240 + ".csv")  # 244 characters: a temporary name built on all of it would be too long
    write_export(target, b"data")
    assert target.read_bytes() == b"data"
    assert _leftovers(tmp_path) == []


def test_export_to_a_missing_folder_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot be written"):
        write_export(tmp_path / "no-such-folder" / "out.csv", b"x")


def test_target_for_a_writer_of_its_own_is_renamed_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "handover.pdf"
    target.write_bytes(b"%PDF-1.4 old handover %%EOF")
    with export_target(target, verify=check_pdf) as temporary:
        assert temporary.parent == tmp_path
        assert temporary != target
        temporary.write_bytes(b"%PDF-1.7\n...pages...\n%%EOF\n")  # e.g. QPdfWriter(str(temporary))
        assert target.read_bytes() == b"%PDF-1.4 old handover %%EOF"  # not yet replaced
    assert target.read_bytes() == b"%PDF-1.7\n...pages...\n%%EOF\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("written", "problem"),
    [(b"", "empty"), (b"<html>not a pdf</html>", "not a PDF"), (b"%PDF-1.7\n...cut short", "not a complete PDF")],
)
def test_pdf_that_the_writer_did_not_finish_never_replaces_the_old_one(
    tmp_path: Path, written: bytes, problem: str
) -> None:
    target = tmp_path / "handover.pdf"
    target.write_bytes(b"%PDF-1.4 old %%EOF")
    with pytest.raises(ExportError, match=problem), export_target(target, verify=check_pdf) as temporary:
        temporary.write_bytes(written)
    assert target.read_bytes() == b"%PDF-1.4 old %%EOF"
    assert _leftovers(tmp_path) == []


def test_writer_that_raises_leaves_the_old_file_and_says_why(tmp_path: Path) -> None:
    target = tmp_path / "handover.pdf"
    target.write_bytes(b"old")
    with pytest.raises(ExportError, match="the printer engine failed"), export_target(target):
        raise RuntimeError("the printer engine failed")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


# -- default names -----------------------------------------------------------------------------------


def _info(label: str, *, training: bool = False, uid: str = "3f2a9c1b" + "0" * 24) -> SessionInfo:
    return SessionInfo(1, T0, label, training, "p", "1", None, None, uid=uid)


@pytest.mark.parametrize(
    ("label", "safe"),
    [
        ("Bed 4", "Bed-4"),
        ("Müller, Anna (ICU 3)", "Müller-Anna-ICU-3"),
        ("../../etc/passwd", "etc-passwd"),
        ('a<b>c:d"e/f\\g|h?i*j', "a-b-c-d-e-f-g-h-i-j"),
        ("tab\there\nnewline\x00nul", "tab-here-newline-nul"),
        ("   ", ""),
        ("=cmd|' /C calc'!A0", "cmd-C-calc-A0"),
        ("x" * 100, "x" * 40),
    ],
)
def test_patient_label_is_made_safe_for_a_file_name(label: str, safe: str) -> None:
    assert sanitise_label(label) == safe


def test_default_names_carry_the_label_the_local_date_and_a_unique_id() -> None:
    info = _info("Bed 4")
    # 08:00 UTC on 1 January is 03:00 the same day at UTC-5.
    assert default_export_name(info, "csv", tz=timezone(timedelta(hours=-5))) == "session-Bed-4-2026-01-01-3f2a9c1b.csv"
    assert default_export_name(info, "pdf") == "handover-Bed-4-2026-01-01-3f2a9c1b.pdf"
    assert default_export_name(info, "flowsheet") == "flowsheet-Bed-4-2026-01-01-3f2a9c1b.csv"
    assert default_export_name(_info("", training=True), "csv") == "training-session-2026-01-01-3f2a9c1b.csv"
    other_folder = _info("Bed 4", uid="9" * 32)  # session 1 of another data folder: another name
    assert default_export_name(other_folder, "csv") != default_export_name(info, "csv")


# -- CSV cells a spreadsheet would evaluate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),  # leading blanks are not a way around it
        ("default-ne", "default-ne"),  # a dash later on is just text
        ("1.2", "1.2"),
        ('{"map_mmHg":61}', '{"map_mmHg":61}'),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_start_with_a_quote(cell: str, written: str) -> None:
    # OWASP CSV injection: prefix cells that begin with = + - @ tab or carriage return with a single quote.
    assert neutralise_cell(cell) == written


def test_csv_export_neutralises_protocol_name_and_version_and_quotes_every_cell(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    with SessionStore(tmp_path / "data", clock) as store:
        sid = store.create_session(
            "bed 4", is_training=False, protocol_name="=cmd|' /C calc'!A0", protocol_version="+1.2"
        ).id
        store.append(sid, EventKind.NOTE, {"text": "=1+1"})
        out = tmp_path / "export.csv"
        store.export_csv(sid, out)
    text = out.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2:4] == ["'=cmd|' /C calc'!A0", "'+1.2"]
    assert rows[1][10] == '{"text":"=1+1"}'  # JSON starts with a brace: never a formula
    assert all(line.startswith('"') for line in text.splitlines())  # every cell quoted


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_csv_export_failure_is_typed_and_the_old_file_stays(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "export.csv").write_bytes(b"previous export")
    with SessionStore(tmp_path / "data", clock) as store:
        sid = store.create_session("bed 4", is_training=False, protocol_name="p", protocol_version="1").id
        with read_only(folder), pytest.raises(ExportError):
            store.export_csv(sid, folder / "export.csv")
    assert (folder / "export.csv").read_bytes() == b"previous export"
