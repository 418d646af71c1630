#!/bin/sh
# Regenerate resources/i18n/cockpit_en.ts from the sources (keeps the translations already
# written, marks new texts unfinished, drops vanished ones) and compile cockpit_en.qm.
# Then translate what lupdate reports as unfinished (pyside6-linguist, or by hand in the .ts)
# and run this again. tests/test_i18n.py fails while a text has no translation.
set -eu
cd "$(dirname "$0")/.."
BIN=${PYSIDE_BIN:-.venv/bin}
SOURCES=$(find cockpit widgets datasets layers -name '*.py' | LC_ALL=C sort)
# shellcheck disable=SC2086
"$BIN/pyside6-lupdate" -locations relative -no-obsolete -source-language zh_CN \
    -target-language en $SOURCES -ts resources/i18n/cockpit_en.ts
"$BIN/pyside6-lrelease" resources/i18n/cockpit_en.ts -qm resources/i18n/cockpit_en.qm
