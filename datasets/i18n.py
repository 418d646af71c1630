"""Translatable words of the Qt-free layers, marked for Qt's translation tools — no Qt.

``datasets`` and ``layers`` cannot call Qt, yet some of their words reach the screen: status
words, risk levels, boards, stage and action labels, evaluation labels, the map legend. They
stay Chinese here (the source language) and are wrapped in :func:`QT_TRANSLATE_NOOP`, which
returns its text unchanged but lets ``pyside6-lupdate`` extract it into
``resources/i18n/cockpit_en.ts``. The widgets translate them when they show them, with
``QCoreApplication.translate("vocabulary", text)`` (``cockpit.widgets.words.tr_word``); a
word that is not in the catalogue (a district name, an event title: data) passes through
unchanged.
"""

from __future__ import annotations

#: The contexts of the words marked in datasets/ and layers/. lupdate reads literals only:
#: write ``QT_TRANSLATE_NOOP("vocabulary", "…")``, not the constant.
VOCABULARY = "vocabulary"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate knows
    """Mark ``text`` for translation in ``context``; return it unchanged."""
    return text


#: Risk levels (重大 较大 一般 低): a context of their own, 一般 is also an evaluation label.
RISK_LEVEL = "risk_level"
#: The five colours' labels (优秀 良好 一般 较差 差) and 无数据, 样本不足.
EVALUATION = "evaluation"


class Text(str):
    """A sentence made from a marked template and values: it *is* the Chinese text (a str,
    so files, logs and tests see no difference), and it remembers the template and the
    values, so a widget can show it in the interface language
    (``cockpit.widgets.words.tr_word``). Templates are in the "vocabulary" context::

        Text(QT_TRANSLATE_NOOP("vocabulary", "派单少于 {n} 件"), n=10)
    """

    template: str
    values: dict

    def __new__(cls, template: str, **values: object) -> Text:
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = values
        return self
