"""Wires the levels (上下级): this seat's centre and login in the header, the panel of what
awaits the centre from above and below, the level actions (上报 下派 督办 退回) sent to the
store, and a toast when an escalation, a delegation, a return or a supervision arrives.

Who may do what is the database's decision (a levels store, ``cockpit centre init``); this
controller only offers the choices that make sense and shows the store's answer.
"""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from cockpit.datasets.dispatch import DispatchError
from cockpit.datasets.dispatch.centres import (
    ancestors,
    awaiting,
    default_owner,
    delegate_targets,
    own_open,
    top_unit_name,
    units_from_catalog,
)
from cockpit.widgets.levels_panel import LevelActionDialog, LevelsPanel, action_word
from cockpit.workers import run_in_background

ROLE_WORDS = {"operator": QT_TRANSLATE_NOOP("LevelsController", "值班员"),
              "leader": QT_TRANSLATE_NOOP("LevelsController", "值班长"),
              "observer": QT_TRANSLATE_NOOP("LevelsController", "观察员"),
              "trainer": QT_TRANSLATE_NOOP("LevelsController", "培训员")}


class LevelsController(QObject):
    """The levels panel of one window, over its dispatch store."""

    sig_toast = Signal(str)
    """Something arrived from another level: the text to show."""
    sig_count_changed = Signal(int)
    """How many items await this centre."""
    sig_action_done = Signal(str, str, bool)
    """A level action came back: (order id, action, recorded)."""

    def __init__(self, catalog, store, now: Callable[[], datetime],
                 to_utc: Callable[[datetime], datetime], parent: QObject | None = None,
                 interval_ms: int = 2000) -> None:
        super().__init__(parent)
        self.catalog, self.store, self.now, self.to_utc = catalog, store, now, to_utc
        self._units: dict | None = None  # the admin tree, read when a levels store needs it
        self._names: dict[str, str] | None = None
        self.panel = LevelsPanel()
        self.panel.sig_action_requested.connect(self._on_action)
        self.panel.set_identity(self.identity_text())
        self._seen: set[tuple[str, str]] | None = None
        self._rows: dict[str, dict] = {}
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ public API

    @property
    def units(self) -> dict:
        """The admin tree (code -> Unit), read from the catalog the first time it is needed
        (a single seat never needs it)."""
        if self._units is None:
            con = self.catalog.cursor()
            try:
                self._units = {u.code: u for u in units_from_catalog(con)}
            finally:
                con.close()
        return self._units

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            self._names = {c: u.name for c, u in self.units.items()}
        return self._names

    @property
    def enabled(self) -> bool:
        """True for a seat logged in to a levels store as a centre's login."""
        return bool(getattr(self.store, "levels", False) and getattr(self.store, "centre", None))

    def identity_text(self) -> str:
        """Who this seat is, as the header says it."""
        store = self.store
        if store is None:
            return self.tr("未连接派遣库")
        if self.enabled:
            name = self.names.get(store.centre, store.centre)
            role = self.tr(ROLE_WORDS.get(store.role, store.role))
            return self.tr("{centre}中心 · {role} · {login}").format(
                centre=name, role=role, login=store.login)
        if getattr(store, "shared", False):
            return self.tr("共享派遣库 · {login}").format(login=getattr(store, "login", ""))
        con = self.catalog.cursor()
        try:
            top = top_unit_name(con)
        finally:
            con.close()
        return self.tr("单席位 · {centre} · {user}").format(centre=top, user=getpass.getuser())

    def create_args(self, event: dict[str, Any] | None) -> dict[str, Any]:
        """What a new order needs in a levels store: the event's area and its default owner
        (its severity decides: the city for 1, the district for 2, else the street)."""
        if not self.enabled or not event:
            return {}
        area = event.get("street_code") or event.get("district_code")
        owner = (default_owner(area, int(event.get("severity") or 4), self.units)
                 if area else None)
        mine = self.store.centre
        if owner is None or not (owner == mine or mine in ancestors(owner, self.units)
                                 or owner in ancestors(mine, self.units)):
            owner = mine
        return {"area": area, "owner": owner}

    def start(self) -> None:
        if self.enabled:
            self._timer.start()
            self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        """Read the orders in scope (off the GUI thread) and show what awaits the centre."""
        if not self.enabled or self._busy:
            return
        self._busy = True
        store, centre, units = self.store, self.store.centre, self.units

        def work():
            df = store.orders()
            return awaiting(df, centre, units), own_open(df, centre)

        run_in_background(work, self._on_rows, self._on_failed)

    # ------------------------------------------------------------------ private

    def _on_failed(self, message: str) -> None:
        self._busy = False
        self.panel.show_message(message, ok=False)

    def _on_rows(self, result: tuple[list[dict], list[str]]) -> None:
        self._busy = False
        rows, own = result
        self._rows = {r["order_id"]: r for r in rows}
        self.panel.set_rows(rows, self.names, own)
        self.sig_count_changed.emit(len(rows))
        keys = {(r["kind"], r["order_id"]) for r in rows}
        if self._seen is not None:
            words = {"escalated": self.tr("下级上报"), "delegated": self.tr("上级下派"),
                     "returned": self.tr("工单退回"), "supervised": self.tr("上级督办")}
            for kind, oid in sorted(keys - self._seen):
                if kind in words:
                    self.sig_toast.emit(self.tr("{what}：工单 {order}").format(
                        what=words[kind], order=oid))
        self._seen = keys

    def _targets(self, action: str, area: str | None) -> list[tuple[str, str]]:
        mine = self.store.centre
        up = ancestors(mine, self.units)
        down = delegate_targets(mine, area, self.units) if area else []
        codes = {"escalate": up, "delegate": down, "return": up + down}.get(action, [])
        return [(c, self.names.get(c, c)) for c in codes]

    def _on_action(self, order_id: str, action: str) -> None:
        row = self._rows.get(order_id)
        if row is not None:
            self._open_dialog(order_id, action, row.get("area"))
            return
        # an order the panel has not listed: its area is read from the store, off the GUI
        # thread (a shared store may be slow or away)
        store = self.store

        def work():
            df = store.orders()
            hit = df[df["order_id"] == order_id] if len(df) else df
            return hit["area"].iloc[0] if len(hit) else None

        run_in_background(work, lambda area: self._open_dialog(order_id, action, area),
                          lambda m: self.panel.show_message(m, ok=False))

    def _open_dialog(self, order_id: str, action: str, area: str | None) -> None:
        try:
            targets = self._targets(action, area)
        except DispatchError as e:
            self.panel.show_message(str(e), ok=False)
            return
        dlg = LevelActionDialog(action, order_id, targets, self.now(), self.panel)
        self.dialog = dlg
        dlg.accepted.connect(lambda: self.perform(order_id, action, **dlg.values()))
        dlg.finished.connect(lambda _r: dlg.deleteLater())
        dlg.open()

    def perform(self, order_id: str, action: str, owner: str | None = None,
                due: datetime | None = None, note: str = "") -> None:
        """Send a level action to the store (off the GUI thread); ``due`` in screen time.
        The panel shows the store's answer — a refusal comes from the database."""
        due_utc = self.to_utc(due) if due is not None else None
        key = f"gui-{action}:{uuid.uuid4().hex}"
        store = self.store

        def work():
            try:
                return store.advance(order_id, action, store.login, key, note=note,
                                     owner=owner, due=due_utc, source="gui")
            except Exception as e:  # noqa: BLE001 - shown on the GUI thread
                return e

        def done(result) -> None:
            self.sig_action_done.emit(order_id, action, not isinstance(result, Exception))
            if isinstance(result, Exception):
                self.panel.show_message(self.tr("未记录：{error}").format(error=result), ok=False)
            else:
                self.panel.show_message(self.tr("已记录：工单 {order} {action}").format(
                    order=order_id, action=action_word(action)), ok=True)
                self.refresh()

        run_in_background(work, done, lambda m: done(RuntimeError(m)))
