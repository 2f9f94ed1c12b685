#!/usr/bin/env bash
# Set up everything norepi-gui needs on a Debian/Ubuntu machine, idempotently:
#   - the system libraries Qt needs (offscreen and X11), installed with apt-get when missing;
#   - a virtual environment in .venv with the locked dependency versions and norepi-gui itself (editable).
# Usage: packaging/bootstrap.sh          runtime only
#        packaging/bootstrap.sh --dev    runtime + test, lint and packaging tools
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="runtime"
[[ "${1:-}" == "--dev" ]] && mode="dev"
export LANG="${LANG:-C.UTF-8}"

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# --- system packages -----------------------------------------------------------------------------------------------
# Qt offscreen on bare Debian 12 needs the first six; a real X display or Xvfb also the xcb ones (measured).
qt_packages=(libglib2.0-0 libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3
             libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0)
tool_packages=(python3 python3-venv)
dev_packages=(binutils poppler-utils xvfb)   # PyInstaller needs objdump; PDF and screen checks

need=()
if command -v dpkg-query >/dev/null 2>&1; then
  wanted=("${qt_packages[@]}")
  command -v python3 >/dev/null 2>&1 || wanted+=(python3)
  [[ "$mode" == "dev" ]] && wanted+=("${dev_packages[@]}")
  for pkg in "${wanted[@]}"; do
    # Ubuntu 24.04 renamed some libraries with a t64 suffix: either name satisfies the need.
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" &&
       ! dpkg-query -W -f='${Status}' "${pkg}t64" 2>/dev/null | grep -q "ok installed"; then
      need+=("$pkg")
    fi
  done
fi

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; raise SystemExit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

python_bin="$(pick_python || true)"
if [[ -n "$python_bin" ]] && ! "$python_bin" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  ver="$("$python_bin" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  need+=("python${ver}-venv")
fi

if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]]; then sudo_cmd=(); elif command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    say "missing system packages: ${need[*]}"; say "install them as root: apt-get install ${need[*]}"; exit 1
  fi
  say "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  resolved=()
  for pkg in "${need[@]}"; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then resolved+=("$pkg");
    elif apt-cache show "${pkg}t64" >/dev/null 2>&1; then resolved+=("${pkg}t64");
    else resolved+=("$pkg"); fi
  done
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${resolved[@]}" >/dev/null
  python_bin="$(pick_python || true)"
fi

if [[ -z "$python_bin" ]]; then
  say "norepi-gui needs Python 3.11 or newer; none was found on PATH"; exit 1
fi

# --- virtual environment -------------------------------------------------------------------------------------------
lock="packaging/requirements.lock"
[[ "$mode" == "dev" ]] && lock="packaging/requirements-dev.lock"
stamp=".venv/.norepi-bootstrap-$mode"
if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $python_bin"
  "$python_bin" -m venv .venv
fi
digest="$(cat "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$digest" ]]; then
  say "installing locked dependencies from $lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null ||
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$digest" > "$stamp"
fi
say "ready ($mode): $(.venv/bin/norepi-gui --version)"
