"""The quarterly ranking (逐季度晾晒): ranking with movement, two quarters side by side, and
the top and bottom five of every board.

Plain data in, signals out. Rows are dicts (see :class:`cockpit.widgets.five_colour.
DictRowsModel`); the rank change arrives as a number and is shown as ↑3 / ↓1 / — (same
rank) / 新 (not ranked the quarter before), in colour **and** with the arrow. Run
``python -m cockpit.widgets.ranking [PNG]`` to see it alone on sample data.
"""

from __future__ import annotations

import html
from typing import Any

from cockpit.widgets import theme
from cockpit.widgets.five_colour import (
    CODE_ROLE,
    UNIT_CHARS,
    DictRowsModel,
    fmt_change,
    fmt_score,
    make_table,
    model_data,
    rank_change_text,
)
from cockpit.widgets.plain import display, set_plain
from cockpit.widgets.preview import preview_app, screenshot_path, show_or_save
from cockpit.widgets.words import EVALUATION, tr_word
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

RANKING_COLUMNS = [("rank", QT_TRANSLATE_NOOP("ranking", "名次")),
                   ("change", QT_TRANSLATE_NOOP("ranking", "变化")),
                   ("name", QT_TRANSLATE_NOOP("ranking", "单位")),
                   ("total", QT_TRANSLATE_NOOP("ranking", "总分"), "{:.1f}"),
                   ("score_change", QT_TRANSLATE_NOOP("ranking", "较上季")),
                   ("level", QT_TRANSLATE_NOOP("ranking", "等级"))]
"""The ranking's columns, headers as Chinese source texts (see :func:`ranking_columns`)."""


def ranking_columns() -> list[tuple]:
    """:data:`RANKING_COLUMNS` with the headers in the interface language."""
    return [(c[0], QCoreApplication.translate("ranking", c[1]), *c[2:]) for c in RANKING_COLUMNS]


def ranking_row(code: str, name: str, rank: int | None, change: int | None,
                total: float | None, score_change: float | None, label: str, colour: str,
                text: str, prev_rank: int | None = None) -> dict[str, Any]:
    """One row of the ranking table from plain values (used by the controller and tests)."""
    ch, ch_colour = rank_change_text(change if prev_rank is not None or change is not None
                                     else None)
    if change is None and prev_rank is None:
        tip = QCoreApplication.translate("ranking", "上季度未排名")
    elif change is None:
        tip = QCoreApplication.translate("ranking",
                                         "上季度第 {prev} 名；本季度无排名").format(prev=prev_rank)
    else:
        tip = QCoreApplication.translate(
            "ranking", "上季度第 {prev} 名 → 本季度第 {rank} 名").format(prev=prev_rank, rank=rank)
    label = tr_word(label, EVALUATION)
    return {"code": code, "rank": rank, "rank__text": "—" if rank is None else str(rank),
            "change": change, "change__text": ch, "change__fg": ch_colour, "change__tip": tip,
            "name": name, "total": total,
            "total__text": fmt_score(total) if total is not None else label,
            "total__bg": colour, "total__fg": text, "total__tip": f"{name}：{label}",
            "score_change": score_change, "score_change__text": fmt_change(score_change),
            "score_change__fg": (theme.STATUS["normal"] if (score_change or 0) > 0 else
                                 theme.STATUS["alarm"] if (score_change or 0) < 0 else
                                 theme.TEXT_DIM),
            "level": label, "level__bg": colour, "level__fg": text}


class ExtremesView(QScrollArea):
    """Per board, the five best and the five worst units, as cards."""

    sig_unit_selected = Signal(str)
    """A unit's name was clicked: its code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._inner = QWidget()
        self._grid = QGridLayout(self._inner)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self.setWidget(self._inner)
        self._cards: list[QFrame] = []
        self._boards: list[dict] = []
        self._columns = 3

    def set_boards(self, boards: list[dict[str, Any]]) -> None:
        """``boards``: ``{"board": str, "top": [...], "bottom": [...]}`` where each entry is
        ``(rank, code, name, score, colour, text)``."""
        self._boards = list(boards)
        self._rebuild()

    def set_columns(self, n: int) -> None:
        self._columns = max(1, n)
        self._rebuild()

    def card_texts(self) -> list[str]:
        """The cards' text (for tests)."""
        return [c.findChild(QLabel, "extremes").text() for c in self._cards]

    def _rebuild(self) -> None:
        for c in self._cards:
            self._grid.removeWidget(c)
            c.deleteLater()
        self._cards = []
        for i, b in enumerate(self._boards):
            card = QFrame()
            card.setObjectName("statTile")
            lay = QVBoxLayout(card)
            lay.setContentsMargins(8, 6, 8, 6)
            title = QLabel(html.escape(tr_word(b["board"])))
            title.setStyleSheet(f"font-weight: 700; font-size: 12pt; color: {theme.ACCENT};")
            body = QLabel(_extremes_html(b))
            body.setObjectName("extremes")
            body.setTextFormat(Qt.TextFormat.RichText)
            body.linkActivated.connect(self._on_link)
            lay.addWidget(title)
            lay.addWidget(body)
            self._grid.addWidget(card, i // self._columns, i % self._columns)
            self._cards.append(card)
        for c in range(self._columns):
            self._grid.setColumnStretch(c, 1)

    def _on_link(self, link: str) -> None:
        if link.startswith("unit:"):
            self.sig_unit_selected.emit(link[5:])


def _extremes_html(b: dict) -> str:
    def rows(entries: list[tuple]) -> str:
        if not entries:
            return (f"<tr><td colspan=3 style='color:{theme.TEXT_DIM}'>"
                    + QCoreApplication.translate("ranking", "无数据") + "</td></tr>")
        out = []
        for rank, code, name, score, colour, text in entries:
            out.append(
                f"<tr><td width=28 align=right style='color:{theme.TEXT_DIM}'>{rank}</td>"
                f"<td>&nbsp;<a href='unit:{html.escape(str(code), quote=True)}' "
                f"style='color:{theme.TEXT}; text-decoration:none'>"
                f"{html.escape(display(name, UNIT_CHARS))}</a></td>"
                f"<td width=64 align=right bgcolor='{colour}' style='color:{text}'>"
                f"<b>&nbsp;{score:.1f}&nbsp;</b></td></tr>")
        return "".join(out)

    head = f"<tr><td colspan=3 style='color:{theme.TEXT_DIM}'>{{}}</td></tr>"
    return ("<table width='100%' cellspacing=0 cellpadding=2>"
            + head.format(QCoreApplication.translate("ranking", "前五")) + rows(b.get("top", []))
            + head.format(QCoreApplication.translate("ranking", "后五")) + rows(b.get("bottom", []))
            + "</table>")


class RankingView(QWidget):
    """The ranking, the comparison of two quarters, and the top/bottom five per board."""

    sig_period_requested = Signal(str)
    """The quarter selector asked for another quarter."""
    sig_compare_requested = Signal(str)
    """The comparison selector asked for another quarter to compare with."""
    sig_unit_selected = Signal(str)
    """A unit was clicked in any of the three views: its code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = QComboBox()
        self.period.setToolTip(self.tr("季度"))
        self.compare = QComboBox()
        self.compare.setToolTip(self.tr("与哪个季度对比"))
        # bound methods, not lambdas: a lambda holding self keeps the widget alive until
        # the interpreter's exit, where PySide deletes it out of order
        self.period.activated.connect(self._on_period_activated)
        self.compare.activated.connect(self._on_compare_activated)
        # the quarter selector is its own widget, so that a panel can put it in its toolbar
        self.selector = QWidget()
        bar = QHBoxLayout(self.selector)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        bar.addWidget(QLabel(self.tr("季度")))
        bar.addWidget(self.period)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("对比")))
        bar.addWidget(self.compare)
        bar.addStretch(1)

        self.ranking_model = DictRowsModel(ranking_columns(), self)
        self.ranking = make_table(self.ranking_model)
        self.ranking.clicked.connect(self._on_clicked)
        self.ranking_caption = QLabel()
        self.ranking_caption.setObjectName("note")
        self.ranking_caption.setWordWrap(True)
        page1 = QWidget()
        l1 = QVBoxLayout(page1)
        l1.setContentsMargins(0, 4, 0, 0)
        l1.addWidget(self.ranking, 1)
        l1.addWidget(self.ranking_caption)

        self.comparison_model = DictRowsModel([("name", self.tr("单位"))], self)
        self.comparison = make_table(self.comparison_model)
        self.comparison.clicked.connect(self._on_clicked)
        self.comparison_caption = QLabel()
        self.comparison_caption.setObjectName("note")
        self.comparison_caption.setWordWrap(True)
        page2 = QWidget()
        l2 = QVBoxLayout(page2)
        l2.setContentsMargins(0, 4, 0, 0)
        l2.addWidget(self.comparison, 1)
        l2.addWidget(self.comparison_caption)

        self.extremes = ExtremesView()
        self.extremes.sig_unit_selected.connect(self.sig_unit_selected)

        self.tabs = QTabWidget()
        self.tabs.addTab(page1, self.tr("排名"))
        self.tabs.addTab(page2, self.tr("两季度对比"))
        self.tabs.addTab(self.extremes, self.tr("前五 · 后五"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.selector)
        lay.addWidget(self.tabs, 1)

    # ---- public API -------------------------------------------------------------------
    def set_periods(self, periods: list[str], current: str | None,
                    compare: str | None) -> None:
        """The quarters to choose from (oldest first) and the ones shown."""
        for box, value in ((self.period, current), (self.compare, compare)):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(reversed(periods)))
            if value in periods:
                box.setCurrentText(value)
            box.blockSignals(False)

    def set_ranking(self, rows: list[dict[str, Any]], caption: str = "") -> None:
        """Rows as :func:`ranking_row` makes them, best first."""
        self.ranking_model.set_rows(rows)
        self.ranking.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.ranking.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        set_plain(self.ranking_caption, caption, None)

    def set_comparison(self, rows: list[dict[str, Any]], period_a: str, period_b: str,
                       caption: str = "") -> None:
        """Rows with ``code, name, rank_a, total_a, rank_b, total_b, rank_change,
        score_change`` (plus styling keys); ``a`` is the earlier quarter."""
        rank, total = self.tr("{period} 名次"), self.tr("{period} 总分")
        cols = [("name", self.tr("单位")), ("rank_a", rank.format(period=period_a)),
                ("total_a", total.format(period=period_a), "{:.1f}"),
                ("rank_b", rank.format(period=period_b)),
                ("total_b", total.format(period=period_b), "{:.1f}"),
                ("rank_change", self.tr("名次变化")), ("score_change", self.tr("分数变化"))]
        self.comparison_model.set_rows(rows, cols)
        self.comparison.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.comparison.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        set_plain(self.comparison_caption, caption, None)

    def set_extremes(self, boards: list[dict[str, Any]]) -> None:
        self.extremes.set_boards(boards)

    def set_compact(self, compact: bool) -> None:
        self.extremes.set_columns(1 if compact else 3)

    # ---- private ------------------------------------------------------------------------
    def _on_period_activated(self, _i: int) -> None:
        self.sig_period_requested.emit(self.period.currentText())

    def _on_compare_activated(self, _i: int) -> None:
        self.sig_compare_requested.emit(self.compare.currentText())

    def _on_clicked(self, index: QModelIndex) -> None:
        code = model_data(index, CODE_ROLE)
        if code:
            self.sig_unit_selected.emit(code)


# --------------------------------------------------------------------------- sample


def sample_rows(n: int = 41) -> list[dict[str, Any]]:
    import random

    from cockpit.widgets.five_colour import sample_palette

    rng = random.Random(3)
    pal = sample_palette()
    totals = sorted((round(rng.uniform(55, 97), 1) for _ in range(n)), reverse=True)
    rows = []
    for i, t in enumerate(totals, start=1):
        p = next(p for p in pal if t >= p["min_score"])
        prev = max(1, min(n, i + rng.randint(-4, 4)))
        rows.append(ranking_row(f"5001{i:02d}", f"示例区{i}", i, prev - i,
                                t, round(rng.uniform(-3, 3), 1), p["label"], p["colour"],
                                p["text"], prev))
    return rows


def preview(argv: list[str]) -> int:
    """This widget alone on sample data (see :mod:`cockpit.widgets.preview`)."""
    app = preview_app(argv)
    w = RankingView()
    periods = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    w.set_periods(periods, "2026Q3", "2026Q2")
    rows = sample_rows()
    w.set_ranking(rows, "示例数据 · sample data")
    comp = [{"code": r["code"], "name": r["name"], "rank_a": r["rank"] + (r["change"] or 0),
             "total_a": r["total"] - r["score_change"], "rank_b": r["rank"],
             "total_b": r["total"], "rank_change": r["change"],
             "rank_change__text": r["change__text"], "rank_change__fg": r["change__fg"],
             "score_change": r["score_change"], "score_change__text": r["score_change__text"]}
            for r in rows]
    w.set_comparison(comp, "2026Q2", "2026Q3")
    from cockpit.widgets.five_colour import sample_palette

    pal = sample_palette()

    def entry(r):
        p = next(p for p in pal if r["total"] >= p["min_score"])
        return (r["rank"], r["code"], r["name"], r["total"], p["colour"], p["text"])

    w.set_extremes([{"board": b, "top": [entry(r) for r in rows[:5]],
                     "bottom": [entry(r) for r in rows[::-1][:5]]}
                    for b in ("总分", "党建统领", "经济发展", "设施运行")])
    w.resize(900, 800)
    out = screenshot_path(argv)
    if out:  # one PNG per tab: NAME-0.png, NAME-1.png, …
        w.show()
        app.processEvents()
        for i in range(w.tabs.count()):
            w.tabs.setCurrentIndex(i)
            app.processEvents()
            w.grab().save(out.replace(".png", f"-{i}.png"))
        return 0
    return show_or_save(app, w, argv)


if __name__ == "__main__":
    import sys

    raise SystemExit(preview(sys.argv))
