"""The pieces of packaging/build.py and packaging/icons.py that do not need a full build."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "packaging" / "linux" / "norepi-gui-launcher.sh"


def test_ico_holds_one_png_per_size_with_256_written_as_zero(icons_script: ModuleType) -> None:
    data = icons_script.ico_bytes({16: b"AAAA", 256: b"BB"})

    # ICONDIR (6 bytes) + 2 entries x 16 bytes = 38; the 16 px image starts at 38, the 256 px one at 38 + 4 = 42.
    assert data[:6] == struct.pack("<HHH", 0, 1, 2)
    assert data[6:22] == struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, 4, 38)
    assert data[22:38] == struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, 2, 42)
    assert data[38:] == b"AAAABB"


def test_icns_has_its_total_length_and_one_element_per_type(icons_script: ModuleType) -> None:
    pngs = {size: b"P" * size for _, size in icons_script.ICNS_TYPES}

    data = icons_script.icns_bytes(pngs)

    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    assert data[8:12] == b"icp4"
    assert struct.unpack(">I", data[12:16])[0] == 8 + 16  # element header + the 16 px image
    assert data[16:32] == b"P" * 16


def test_icons_are_rendered_from_the_svg_in_every_platform_size(
    icons_script: ModuleType, tmp_path: Path, qapp: object
) -> None:
    icons_script.build_icons(tmp_path)

    for size in (16, 32, 48, 256, 512):
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "norepi-gui.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png.read_bytes()[16:24])  # IHDR
        assert (width, height) == (size, size)
    assert (tmp_path / "norepi-gui.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (tmp_path / "norepi-gui.icns").read_bytes()[:4] == b"icns"


@pytest.mark.parametrize(
    ("pep440", "debian"),
    [("0.1.0", "0.1.0"), ("0.2.0rc1", "0.2.0~rc1"), ("0.2.0.dev3", "0.2.0~dev3"), ("1.0.0.post1", "1.0.0+post1")],
)
def test_debian_version_sorts_pre_releases_before_the_release(build_script: ModuleType, pep440: str,
                                                               debian: str) -> None:
    assert build_script.debian_version(pep440) == debian


def test_template_with_a_missing_value_is_refused(build_script: ModuleType, tmp_path: Path) -> None:
    template = tmp_path / "control.in"
    template.write_text("Version: @VERSION@\nArchitecture: @ARCH@\n", encoding="utf-8")

    with pytest.raises(build_script.BuildError, match="@ARCH@"):
        build_script.fill(template, VERSION="0.1.0")


def _launch(tmp_path: Path, env: dict[str, str]) -> str:
    """Run the launcher next to a stand-in binary that prints the locale it was given."""
    shutil.copy(LAUNCHER, tmp_path / "norepi-gui-launcher")
    fake = tmp_path / "norepi-gui"
    fake.write_text('#!/bin/sh\necho "LANG=${LANG:-} LC_ALL=${LC_ALL:-} ARGS=$*"\n', encoding="utf-8")
    fake.chmod(0o755)
    (tmp_path / "norepi-gui-launcher").chmod(0o755)
    link = tmp_path / "bin" / "norepi-gui"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "norepi-gui-launcher")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([str(link), "--self-test"], env={**base, **env}, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("sh") is None or os.name != "posix", reason="the launcher is a POSIX shell script")
def test_launcher_sets_a_utf8_locale_when_none_is_set(tmp_path: Path) -> None:
    assert _launch(tmp_path, {}) == "LANG=C.UTF-8 LC_ALL= ARGS=--self-test"


@pytest.mark.skipif(shutil.which("sh") is None or os.name != "posix", reason="the launcher is a POSIX shell script")
def test_launcher_replaces_the_c_locale(tmp_path: Path) -> None:
    assert _launch(tmp_path, {"LC_ALL": "C", "LANG": "C"}) == "LANG=C.UTF-8 LC_ALL= ARGS=--self-test"


@pytest.mark.skipif(shutil.which("sh") is None or os.name != "posix", reason="the launcher is a POSIX shell script")
def test_launcher_keeps_the_users_utf8_locale(tmp_path: Path) -> None:
    assert _launch(tmp_path, {"LANG": "de_DE.UTF-8"}) == "LANG=de_DE.UTF-8 LC_ALL= ARGS=--self-test"
