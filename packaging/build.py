"""The one build command: ``python packaging/build.py`` writes the frozen app and its installers to ``dist/``.

Every platform:
    dist/norepi-gui/                           the one-folder PyInstaller bundle (packaging/norepi-gui.spec)
    dist/norepi-gui-<version>-<os>-<arch>.tar.gz   that folder, as ``norepi-gui-<version>/``
    dist/build-info.json                       version, source digest, build time and sizes (tests and bench read it)
Linux:
    dist/norepi-gui_<debversion>_<arch>.deb    dpkg-deb --root-owner-group -Zxz; /opt/norepi-gui, /usr/bin link,
                                               .desktop entry, hicolor icons, AppStream metainfo
Windows (when Inno Setup's ISCC.exe is installed, as on GitHub's hosted runners):
    dist/norepi-gui-<version>-windows-<arch>-setup.exe   packaging/windows/norepi-gui.iss
macOS:
    dist/norepi-gui.app and dist/norepi-gui-<version>-macos-<arch>.dmg   packaging/macos/make-dmg.sh (hdiutil)

The version is read from the installed package metadata (importlib.metadata), the one source for --version, About,
the bundle and every installer; the build refuses to run when it disagrees with pyproject.toml (stale install).
Options: --clean (PyInstaller cache cleared), --skip-installers (bundle and .tar.gz only), --fast (light compression
of the .tar.gz and .deb, for tests: ~20 s instead of ~2 min on 2 cores, ~15% larger files).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
ICONS = BUILD / "icons"
APP_NAME = "norepi-gui"
APP_ID = "org.norepi_gui.NorepiGui"  # reverse-DNS id of the .desktop file and AppStream component (also in the spec)
MAINTAINER = "norepi-gui maintainers <maintainers@norepi-gui.invalid>"  # placeholder address: set the real one
SUMMARY = "Norepinephrine titration assistant and training simulator"
DISCLAIMER = "Clinical decision support and a training tool; not a certified medical device."
LAUNCHER = "norepi-gui-launcher"  # Linux: shell wrapper next to the binary (UTF-8 locale), target of /usr/bin link
# Runtime libraries Qt loads from the system on Debian/Ubuntu (measured on bare Debian 12; norepi_gui/platform_check.py
# names the same set): the base set, then the X11 (xcb) set. libstdc++/libgcc are left out of the bundle (see spec).
DEB_DEPENDS = (
    "libstdc++6", "libgcc-s1",
    "libglib2.0-0", "libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxkbcommon-x11-0",
)
SOURCE_PARTS = ("norepi_gui", "resources", "packaging", "pyproject.toml")
DIGEST_PACKAGES = ("norepi-gui", "pyinstaller", "pyinstaller-hooks-contrib", "PySide6-Essentials", "pint",
                   "pyqtgraph", "numpy", "platformdirs", "hl7")


class BuildError(RuntimeError):
    pass


@dataclass
class BuildInfo:
    version: str
    platform: str
    source_digest: str
    build_seconds: float
    bundle: str
    executable: str
    console_executable: str
    bundle_mb: float
    archive: str
    fast: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds (icons, pyinstaller, tarball, deb, ...)
    artifacts: dict[str, float] = field(default_factory=dict)  # file name -> size in MB


def app_version() -> str:
    """The package metadata version; refuses a stale install whose metadata disagrees with pyproject.toml."""
    try:
        installed = metadata.version("norepi-gui")
    except metadata.PackageNotFoundError as exc:
        raise BuildError("norepi-gui is not installed in this Python: run `pip install -e .` first") from exc
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    if installed != declared:
        raise BuildError(f"installed metadata says {installed} but pyproject.toml says {declared}: "
                         "reinstall (`pip install -e .`) so every artefact carries the same version")
    return installed


def os_tag() -> str:
    return {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)


def arch_tag() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def source_digest() -> str:
    """A hash of everything the bundle is built from, so a test can tell whether dist/ is fresh."""
    h = hashlib.sha256()
    for part in SOURCE_PARTS:
        base = ROOT / part
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or path.name.endswith(".md"):
                continue
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    for dist in DIGEST_PACKAGES:
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist} missing".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def read_build_info(dist: Path = DIST) -> BuildInfo | None:
    try:
        data = json.loads((dist / "build-info.json").read_text(encoding="utf-8"))
        return BuildInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def run(cmd: list[str], **kwargs: object) -> None:
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def dir_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def mb(n: int) -> float:
    return round(n / 1e6, 1)


# ---------------------------------------------------------------------------------------------------------- bundle


def build_icons() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run([sys.executable, str(PACKAGING / "icons.py"), str(ICONS)], env=env)


def build_bundle(clean: bool) -> None:
    cmd = [sys.executable, "-m", "PyInstaller", str(PACKAGING / "norepi-gui.spec"), "--noconfirm",
           "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"), "--log-level", "WARN"]
    if clean:
        cmd.append("--clean")
    run(cmd, env=dict(os.environ, NOREPI_ICON_DIR=str(ICONS)))


def write_linux_launcher(bundle: Path) -> None:
    launcher = bundle / LAUNCHER
    launcher.write_text((PACKAGING / "linux" / "norepi-gui-launcher.sh").read_text(encoding="utf-8"),
                        encoding="utf-8", newline="\n")
    launcher.chmod(0o755)


def make_tarball(bundle: Path, version: str, fast: bool) -> Path:
    target = DIST / f"{APP_NAME}-{version}-{os_tag()}-{arch_tag()}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=1 if fast else 6) as tar:
        tar.add(bundle, arcname=f"{APP_NAME}-{version}")
    return target


# ------------------------------------------------------------------------------------------------------------ .deb


def debian_version(version: str) -> str:
    """PEP 440 to Debian ordering: 0.2.0rc1 -> 0.2.0~rc1, 0.2.0.dev3 -> 0.2.0~dev3 (pre-releases sort first)."""
    return re.sub(r"\.?(a|b|rc|dev)(\d+)", r"~\1\2", version).replace(".post", "+post")


def glibc_requirement() -> str:
    libc = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None
    match = re.search(r"(\d+\.\d+)", libc or "")
    return f"libc6 (>= {match.group(1)})" if match else "libc6"


def fill(template: Path, **values: str) -> str:
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("@" + key + "@", value)
    if leftover := re.findall(r"@[A-Z_]+@", text):
        raise BuildError(f"{template}: no value for {', '.join(sorted(set(leftover)))}")
    return text


def normalise_modes(root: Path) -> None:
    """0755 folders and executables, 0644 everything else: the package must not depend on the builder's umask."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        if path.is_dir() or mode & stat.S_IXUSR:
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def make_deb(bundle: Path, version: str, fast: bool) -> Path:
    if shutil.which("dpkg-deb") is None:
        raise BuildError("dpkg-deb is not installed: apt-get install dpkg (Debian/Ubuntu) to build the .deb")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    deb_version = debian_version(version)
    linux = PACKAGING / "linux"
    root = BUILD / "deb" / "root"
    shutil.rmtree(root.parent, ignore_errors=True)
    opt = root / "opt" / APP_NAME
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / APP_NAME).symlink_to(Path("..", "..", "opt", APP_NAME, LAUNCHER))  # relative: works under dpkg -x too
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "applications" / f"{APP_ID}.desktop").write_text(
        fill(linux / "norepi-gui.desktop.in", SUMMARY=SUMMARY), encoding="utf-8")
    (share / "metainfo").mkdir(parents=True)
    release_date = datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())), UTC).date()
    (share / "metainfo" / f"{APP_ID}.metainfo.xml").write_text(
        fill(linux / "norepi-gui.metainfo.xml.in", APP_ID=APP_ID, VERSION=version, DATE=release_date.isoformat(),
             SUMMARY=SUMMARY), encoding="utf-8")
    shutil.copytree(ICONS / "hicolor", share / "icons" / "hicolor")
    doc = share / "doc" / APP_NAME
    doc.mkdir(parents=True)
    shutil.copyfile(linux / "copyright", doc / "copyright")
    debian = root / "DEBIAN"
    debian.mkdir()
    installed_kib = (dir_size(root) + 1023) // 1024
    control = fill(linux / "control.in", VERSION=deb_version, ARCH=arch, MAINTAINER=MAINTAINER,
                   INSTALLED_SIZE=str(installed_kib), DEPENDS=", ".join((glibc_requirement(), *DEB_DEPENDS)),
                   SUMMARY=SUMMARY, DISCLAIMER=DISCLAIMER)
    (debian / "control").write_text(control, encoding="utf-8")
    normalise_modes(root)
    target = DIST / f"{APP_NAME}_{deb_version}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z1" if fast else "-z6", "--build", str(root), str(target)])
    return target


# ------------------------------------------------------------------------------------------------ Windows and macOS


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):  # Windows: case-insensitive
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return str(Path(base) / "Inno Setup 6" / "ISCC.exe")
    return None


def make_windows_installer(bundle: Path, version: str) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup (ISCC.exe) not found: skipping the Windows installer", flush=True)
        return None
    base = f"{APP_NAME}-{version}-windows-{arch_tag()}-setup"
    run([iscc, f"/DAppVersion={version}", f"/DSourceDir={bundle}", f"/DOutputDir={DIST}", f"/DOutputBase={base}",
         f"/DIconFile={ICONS / 'norepi-gui.ico'}", str(PACKAGING / "windows" / "norepi-gui.iss")])
    return DIST / f"{base}.exe"


def make_dmg(version: str) -> Path:
    target = DIST / f"{APP_NAME}-{version}-macos-{arch_tag()}.dmg"
    run(["bash", str(PACKAGING / "macos" / "make-dmg.sh"), str(DIST / f"{APP_NAME}.app"), str(target), version])
    return target


# ------------------------------------------------------------------------------------------------------------ main


def build(clean: bool = False, installers: bool = True, fast: bool = False) -> BuildInfo:
    version = app_version()
    digest = source_digest()  # before building: a file edited during the build makes the stamp stale, not wrong
    phases: dict[str, float] = {}
    started = last = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        phases[name] = round(now - last, 1)
        last = now

    DIST.mkdir(exist_ok=True)
    (DIST / "build-info.json").unlink(missing_ok=True)
    build_icons()
    phase("icons")
    build_bundle(clean)
    bundle = DIST / APP_NAME
    exe_suffix = ".exe" if sys.platform == "win32" else ""
    executable = bundle / f"{APP_NAME}{exe_suffix}"
    console = bundle / f"{APP_NAME}-cli.exe" if sys.platform == "win32" else executable
    if sys.platform.startswith("linux"):
        write_linux_launcher(bundle)
    phase("pyinstaller")
    artifacts = [make_tarball(bundle, version, fast)]
    phase("tarball")
    if installers and sys.platform.startswith("linux"):
        artifacts.append(make_deb(bundle, version, fast))
        phase("deb")
    elif installers and sys.platform == "win32":
        installer = make_windows_installer(bundle, version)
        if installer is not None:
            artifacts.append(installer)
        phase("inno_setup")
    elif installers and sys.platform == "darwin":
        artifacts.append(make_dmg(version))
        phase("dmg")
    info = BuildInfo(
        version=version,
        platform=f"{os_tag()}-{arch_tag()}",
        source_digest=digest,
        build_seconds=round(time.perf_counter() - started, 1),
        bundle=bundle.relative_to(ROOT).as_posix(),
        executable=executable.relative_to(ROOT).as_posix(),
        console_executable=console.relative_to(ROOT).as_posix(),
        bundle_mb=mb(dir_size(bundle)),
        archive=artifacts[0].relative_to(ROOT).as_posix(),
        fast=fast,
        phases=phases,
        artifacts={a.name: mb(a.stat().st_size) for a in artifacts},
    )
    (DIST / "build-info.json").write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the frozen norepi-gui app and its installers into dist/.")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--skip-installers", action="store_true", help="bundle and .tar.gz only")
    parser.add_argument("--fast", action="store_true", help="light compression of the .tar.gz and .deb (for tests)")
    args = parser.parse_args(argv)
    try:
        info = build(clean=args.clean, installers=not args.skip_installers, fast=args.fast)
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in info.phases.items())
    print(f"norepi-gui {info.version} built in {info.build_seconds:.1f} s ({steps}); bundle {info.bundle_mb:.1f} MB")
    for name, size in info.artifacts.items():
        print(f"  dist/{name}  {size:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
