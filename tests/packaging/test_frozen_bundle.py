"""The shipped artefacts start: the frozen bundle, and the .deb unpacked into a temporary root (``-m packaging``).

The fixture builds with ``python packaging/build.py --fast`` unless dist/build-info.json already records a build of
the current source (same digest of norepi_gui/, resources/, packaging/, pyproject.toml and tool versions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1200
RUN_TIMEOUT_S = 300
CHECK_NAMES = ("version", "protocol", "units", "calculation", "advice", "simulator", "window")
IS_LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def build_info(build_script: ModuleType) -> Any:
    if IS_LINUX and shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed: the .deb cannot be built here (apt-get install dpkg)")
    info = build_script.read_build_info()
    if not _is_fresh(info, build_script.source_digest()):
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--fast"], cwd=ROOT, check=True,
                       timeout=BUILD_TIMEOUT_S)
        info = build_script.read_build_info()
    assert info is not None, "packaging/build.py wrote no dist/build-info.json"
    return info


def _is_fresh(info: Any, digest: str) -> bool:
    """dist/ holds a complete build (with its .deb on Linux) of exactly the current source."""
    if info is None or info.source_digest != digest or not (ROOT / info.executable).exists():
        return False
    if not all((ROOT / "dist" / name).exists() for name in info.artifacts):
        return False
    return not IS_LINUX or any(name.endswith(".deb") for name in info.artifacts)


def _run(executable: Path, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8", HOME=str(tmp_path / "home"))
    env.pop("LC_ALL", None)
    (tmp_path / "home").mkdir(exist_ok=True)
    return subprocess.run([str(executable), *args], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S,
                          check=False)


def _assert_self_test_passed(result: subprocess.CompletedProcess[str]) -> None:
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"
    assert result.returncode == 0, report
    lines = result.stdout.splitlines()
    for name in CHECK_NAMES:
        assert any(line.startswith(f"PASS {name}:") for line in lines), report
    assert lines[-1] == f"self-test passed ({len(CHECK_NAMES)} checks)", report


def test_frozen_version_is_the_package_metadata_version(build_info: Any, tmp_path: Path) -> None:
    result = _run(ROOT / build_info.console_executable, "--version", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"norepi-gui {metadata.version('norepi-gui')}"
    assert build_info.version == metadata.version("norepi-gui")


def test_frozen_self_test_passes_every_check(build_info: Any, tmp_path: Path) -> None:
    _assert_self_test_passed(_run(ROOT / build_info.console_executable, "--self-test", tmp_path=tmp_path))


def test_frozen_calc_json_gives_26_25_ml_per_h_set_as_26_3(build_info: Any, tmp_path: Path) -> None:
    # 0.1 mcg/kg/min x 70 kg x 60 min/h / 16 mcg/mL = 26.25 mL/h [seed 002]; pump resolution 0.1 mL/h -> 26.3 mL/h.
    result = _run(ROOT / build_info.console_executable, "calc", "--weight", "70 kg", "--concentration", "16 mcg/mL",
                  "--dose", "0.1 mcg/kg/min", "--json", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rate_ml_per_h"] == pytest.approx(26.25, abs=1e-9)
    assert summary["pump_rate_ml_per_h"] == pytest.approx(26.3, abs=1e-9)


def test_bundle_leaves_out_unused_toolkits_and_qt_modules(build_info: Any) -> None:
    names = {p.name for p in (ROOT / build_info.bundle).rglob("*")}
    unwanted = ("tkinter", "_tkinter", "matplotlib", "pytest", "hypothesis", "PyQt5", "PyQt6", "libQt6Qml",
                "libQt6Quick", "libQt6Network", "libQt6Pdf", "libgtk-3", "QtNetwork", "QtQml", "Qt6Qml")
    found = sorted(n for n in names if any(n.startswith(u) for u in unwanted))
    assert found == []


def test_tarball_holds_the_bundle_under_a_versioned_folder(build_info: Any) -> None:
    exe = Path(build_info.executable).name
    with tarfile.open(ROOT / build_info.archive) as tar:
        first = tar.next()
        assert first is not None
        assert first.name == f"norepi-gui-{build_info.version}"
        tar.getmember(f"norepi-gui-{build_info.version}/{exe}")


@pytest.mark.skipif(not IS_LINUX, reason="the .deb is built on Linux only")
def test_deb_unpacks_to_opt_with_link_desktop_entry_icons_and_metainfo(build_info: Any, tmp_path: Path) -> None:
    deb = next(ROOT / "dist" / name for name in build_info.artifacts if name.endswith(".deb"))
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, timeout=RUN_TIMEOUT_S)
    control = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout

    assert (root / "opt/norepi-gui/norepi-gui").is_file()
    link = root / "usr/bin/norepi-gui"
    assert link.is_symlink()
    assert not Path(os.readlink(link)).is_absolute()  # resolves inside whatever root the package is unpacked to
    assert (root / "usr/share/applications/org.norepi_gui.NorepiGui.desktop").is_file()
    assert (root / "usr/share/metainfo/org.norepi_gui.NorepiGui.metainfo.xml").is_file()
    assert (root / "usr/share/icons/hicolor/256x256/apps/norepi-gui.png").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/norepi-gui.svg").is_file()
    assert f"Version: {build_info.version}" in control
    assert "libxcb-cursor0" in control
    assert "libegl1" in control


@pytest.mark.skipif(not IS_LINUX, reason="the .deb is built on Linux only")
def test_installed_binary_from_the_deb_passes_its_self_test(build_info: Any, tmp_path: Path) -> None:
    deb = next(ROOT / "dist" / name for name in build_info.artifacts if name.endswith(".deb"))
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, timeout=RUN_TIMEOUT_S)

    _assert_self_test_passed(_run(root / "usr/bin/norepi-gui", "--self-test", tmp_path=tmp_path))
