"""Install the interface language: our translations and Qt's own, before any window exists.

The source texts are Chinese (``self.tr("…")``, ``QCoreApplication.translate(ctx, "…")`` and,
in the Qt-free layers, ``QT_TRANSLATE_NOOP``); ``resources/i18n/cockpit_en.qm`` holds the
English. Regenerate it with ``scripts/update_translations.sh`` after changing a string.

Widgets read their texts when they are built, so call :func:`install_translator` before the
main window is made; switching later takes effect at the next start.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from cockpit.language import DEFAULT_LANGUAGE, normalise
from cockpit.widgets.words import tr_word  # noqa: F401 - re-exported for cockpit/

#: Qt's own catalogue per language (the standard buttons, the progress dialog): Qt's source
#: texts are English, so English needs none.
QT_CATALOGUES = {"zh": "qtbase_zh_CN", "en": None}
LOCALES = {"zh": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
           "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)}

_installed: list[QTranslator] = []
_current = DEFAULT_LANGUAGE


def catalogue_path(lang: str) -> Path:
    """Our compiled catalogue for ``lang`` (it exists for every language but Chinese)."""
    return Path(str(resources.files("cockpit.resources").joinpath("i18n", f"cockpit_{lang}.qm")))


def install_translator(app: QCoreApplication, lang: str | None) -> str:
    """Make ``lang`` ('zh' or 'en') the interface language of ``app``; return the language
    in use. Replaces what an earlier call installed. Raises FileNotFoundError when our
    English catalogue is missing (a broken install), never silently shows Chinese."""
    global _current
    code = normalise(lang) or DEFAULT_LANGUAGE
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if code != "zh":
        ours = QTranslator(app)
        path = catalogue_path(code)
        if not ours.load(str(path)):
            raise FileNotFoundError(f"cannot load the {code} translations {path}")
        _installed.append(ours)
    qt_name = QT_CATALOGUES.get(code)
    if qt_name:
        qt = QTranslator(app)
        if qt.load(qt_name, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            _installed.append(qt)
    for t in _installed:
        app.installTranslator(t)
    QLocale.setDefault(LOCALES[code])
    _current = code
    return code


def remove_translators(app: QCoreApplication) -> None:
    """Take out what :func:`install_translator` put in (Qt's source texts and ours remain)."""
    global _current
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    _current = DEFAULT_LANGUAGE


def current_language() -> str:
    """The language the last :func:`install_translator` put in place ('zh' before any)."""
    return _current



_english: QTranslator | None = None


def english(context: str, text: str) -> str:
    """``text``'s English translation whatever the interface language: the command line's
    messages on stderr stay readable to every operator (and to logs and tests)."""
    global _english
    if _english is None:
        _english = QTranslator()
        _english.load(str(catalogue_path("en")))
    return _english.translate(context, text) or text
