"""Show the words of the Qt-free layers in the interface language.

``datasets`` and ``layers`` mark their screen words with ``QT_TRANSLATE_NOOP("vocabulary", …)``
(see ``datasets/i18n.py``); the widgets translate them here when they draw them. A string
that is not in the catalogue — a district name, an event title: data — passes through.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

#: The context the Qt-free layers mark their words in (``datasets.i18n.VOCABULARY``).
VOCABULARY = "vocabulary"


#: Risk levels (重大 较大 一般 低): their own context, 一般 is also an evaluation label.
RISK_LEVEL = "risk_level"
#: The five colours' labels (优秀 良好 一般 较差 差, 无数据, 样本不足).
EVALUATION = "evaluation"


def tr_word(text: str | None, context: str = VOCABULARY) -> str:
    """``text`` in the interface language when it is a marked word, else unchanged. A
    ``datasets.i18n.Text`` (a sentence with values) is translated as its template and
    filled with its values (text values translated too: marked words and Texts change,
    data passes through)."""
    if not text:
        return text or ""
    template = getattr(text, "template", None)
    if template is not None:
        values = {k: tr_word(v, context) if isinstance(v, str) else v
                  for k, v in text.values.items()}
        return QCoreApplication.translate(context, template).format(**values)
    return QCoreApplication.translate(context, str(text))
