#!/usr/bin/env bash
# Install everything the cockpit needs on a fresh Debian/Ubuntu machine, idempotently:
# the system libraries QtWebEngine loads, a CJK font, then a virtualenv with the project.
# Usage: scripts/bootstrap.sh [--test]    (--test adds the test extras and PostgreSQL)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRAS=""
[[ "${1:-}" == "--test" ]] && EXTRAS="[test]"

# Libraries the Qt wheels (QtWebEngine's Chromium above all) load at run time, a CJK font
# for the Chinese interface, and xvfb/xauth for running a real window on a machine without one.
SYSTEM_PACKAGES=(
  fonts-noto-cjk fontconfig libnss3 libnspr4 libxkbcommon0 libxkbcommon-x11-0 libxcomposite1
  libxdamage1 libxrandr2 libxtst6 libxshmfence1 libgbm1 libasound2 libegl1 libgl1 libopengl0
  libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbfile1 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libxi6 libxss1 libcups2 libatk-bridge2.0-0 libdrm2 xvfb xauth
  poppler-utils  # pdftotext / pdftoppm: read and look at the printed reports
  # the live feed: the local MQTT broker the run command starts (cockpit/services/mosquitto.py),
  # and mosquitto_pub/mosquitto_sub for the README's worked example
  mosquitto mosquitto-clients
)
# the tests and the `seats` benchmark start a throw-away PostgreSQL server (cockpit/services/pg_server.py)
[[ "${1:-}" == "--test" ]] && SYSTEM_PACKAGES+=(postgresql)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "bootstrap: please install as root: apt-get install ${missing[*]}" >&2; exit 1; fi
  fi
  # some names differ between releases (libasound2 vs libasound2t64): install what exists
  $SUDO apt-get update -qq >/dev/null
  avail=()
  for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then avail+=("$p");
    elif apt-cache show "${p}t64" >/dev/null 2>&1; then avail+=("${p}t64"); fi
  done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${avail[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
# a venv made with PySide6 6.12.0 (see pyproject) cannot be downgraded in place cleanly
if [[ -x .venv/bin/python ]] && .venv/bin/python -c \
    "import sys, importlib.metadata as m; sys.exit(m.version('PySide6') != '6.12.0')" 2>/dev/null; then
  echo "bootstrap: rebuilding .venv (PySide6 6.12.0 aborts Python 3.11 after many signals)" >&2
  rm -rf .venv
fi
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
fi
# reinstall only when the project's metadata changed
HASH="$(sha1sum pyproject.toml | cut -c1-12)"
STAMP=".venv/.cockpit-install-${HASH}${EXTRAS:+-test}"
# an install with the test extras also serves a plain run
if [[ ! -f "$STAMP" && ! -f ".venv/.cockpit-install-${HASH}-test" ]]; then
  .venv/bin/python -m pip install -q -e ".${EXTRAS}"
  rm -f .venv/.cockpit-install-*
  touch "$STAMP"
fi
# The project is installed in editable mode, so pip compiled none of its modules, and with
# PYTHONDONTWRITEBYTECODE set (as on many build machines) Python never caches them either:
# every start compiled ~90 modules again (~0.4 s of a 2.5 s start). Compile them here, as pip
# does for a wheel; only changed files are compiled again (a few hundredths of a second).
.venv/bin/python -m compileall -q cockpit widgets layers datasets resources >/dev/null
