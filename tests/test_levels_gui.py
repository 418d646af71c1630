"""The levels on screen: two seats, a street centre and its district, on one levels store;
an escalation from the street arrives at the district's panel with a toast, the district
delegates it back with a deadline, a refused action says why and records nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest
from cockpit.datasets.catalog import open_catalog
from cockpit.datasets.dispatch import open_store
from cockpit.datasets.dispatch.centres import add_operator, init_centres, units_from_catalog
from cockpit.widgets.levels_panel import LevelActionDialog
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QDialogButtonBox

from cockpit.controllers.levels import LevelsController


def as_login(url: str, login: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"postgresql://{login}@{info['host']}:{info['port']}/{info['dbname']}"


@pytest.fixture
def seats(pg_url, small_dataset_master, tmp_path):
    cat = open_catalog(small_dataset_master, tmp_path / "cache")
    units = units_from_catalog(cat.cursor())
    street = next(u for u in sorted(units, key=lambda u: u.code) if u.level == "street")
    district = street.parent
    init_centres(pg_url, units)
    add_operator(pg_url, "st_lead", street.code, "leader")
    add_operator(pg_url, "st_op", street.code, "operator")
    add_operator(pg_url, "di_lead", district, "leader")
    stores = {n: open_store(as_login(pg_url, n)) for n in ("st_lead", "st_op", "di_lead")}
    yield cat, stores, street.code, district
    QThreadPool.globalInstance().waitForDone(10_000)
    for s in stores.values():
        s.close()
    cat.close()


def _ctl(cat, store):
    return LevelsController(cat, store, datetime.now, lambda t: t, interval_ms=3_600_000)


def test_an_escalation_reaches_the_district_panel_and_goes_back_down(qtbot, seats):
    cat, stores, street, district = seats
    st, di = _ctl(cat, stores["st_lead"]), _ctl(cat, stores["di_lead"])
    qtbot.addWidget(st.panel)
    qtbot.addWidget(di.panel)
    assert st.enabled and "st_lead" in st.identity_text() and "值班长" in st.identity_text()
    event = {"street_code": street, "district_code": district, "severity": 3}
    args = st.create_args(event)
    assert args == {"area": street, "owner": street}
    assert _ctl(cat, stores["st_op"]).create_args({**event, "severity": 2})["owner"] == district
    oid = stores["st_lead"].create(42, "x", "k42", dept_id="D-1", deadlines={}, **args)[0]

    di.refresh()  # the district's first look: nothing awaits it yet
    qtbot.waitUntil(lambda: not di._busy and di._seen is not None, timeout=10_000)
    assert di.panel.table.rowCount() == 0

    with qtbot.waitSignal(st.sig_action_done, timeout=10_000) as done:
        st.perform(oid, "escalate", owner=district, note="需要区级协调")
    assert done.args == [oid, "escalate", True]

    with qtbot.waitSignal(di.sig_toast, timeout=10_000) as toast:
        di.refresh()
    assert oid in toast.args[0] and "下级上报" in toast.args[0]
    assert di.panel.table.rowCount() == 1 and di.panel.table.item(0, 1).text() == oid

    # the district delegates it back down: the dialog offers the street, with a deadline
    di._rows.pop(oid, None)  # not listed by the panel: its area is read off the GUI thread
    di.dialog = None
    di._on_action(oid, "delegate")
    qtbot.waitUntil(lambda: di.dialog is not None and di.dialog.isVisible(), timeout=10_000)
    offered = [di.dialog.target.itemData(i) for i in range(di.dialog.target.count())]
    assert offered == [street]
    di.dialog.reject()
    due = datetime.now() + timedelta(hours=2)
    with qtbot.waitSignal(di.sig_action_done, timeout=10_000) as done:
        di.perform(oid, "delegate", owner=street, due=due, note="街道牵头")
    assert done.args[2] is True
    with qtbot.waitSignal(st.sig_toast, timeout=10_000) as toast:
        st._seen = set()
        st.refresh()
    assert "上级下派" in toast.args[0]


def test_a_refused_action_says_why_and_records_nothing(qtbot, seats):
    cat, stores, street, district = seats
    op = _ctl(cat, stores["st_op"])
    qtbot.addWidget(op.panel)
    oid = stores["st_op"].create(7, "x", "k7", dept_id="D-1", deadlines={},
                                 **op.create_args({"street_code": street, "severity": 3}))[0]
    with qtbot.waitSignal(op.sig_action_done, timeout=10_000) as done:
        op.perform(oid, "escalate", owner=district, note="太难")
    assert done.args[2] is False
    assert "operator role may not escalate" in op.panel.message.text()
    assert list(stores["st_op"].history(oid)["action"]) == ["create"]


def test_the_dialog_needs_a_reason_and_names_the_target(qtbot):
    dlg = LevelActionDialog("escalate", "1/D/1", [("500103", "渝中区")], datetime(2026, 1, 1))
    qtbot.addWidget(dlg)
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dlg.result() == 0 and "理由" in dlg.problem.text()
    dlg.reason.setPlainText("超出街道职能")
    ok.click()
    assert dlg.result() == 1
    assert dlg.values() == {"owner": "500103", "due": None, "note": "超出街道职能"}


def test_a_district_seat_dismisses_an_event_in_its_area(qtbot, seats, pg_url):
    """不予派遣 at a seat of a levels store: the row carries the event's area and the login
    (the database refuses an event action without them), and the queue drops the event."""
    from cockpit.widgets.dispatch_panel import DispatchPanel

    from cockpit.controllers.dispatch import DispatchController
    from tests.test_dispatch_gui import OFF, Clock

    cat = seats[0]
    panel = DispatchPanel()
    qtbot.addWidget(panel)
    clock = Clock()
    ctl = DispatchController(cat, None, clock.local, panel, interval_ms=3_600_000,
                             utc_offset=OFF, operator="ignored")
    ctl.start()
    qtbot.waitUntil(lambda: panel.events_model.rowCount() > 0, timeout=10_000)
    ev = next(r for r in panel.visible_events() if r["queue"] and r.get("street_code"))
    ctl.stop()
    # a leader of the event's district (another district's seat could not see or act on it)
    add_operator(pg_url, "ev_lead", ev["district_code"], "leader")
    store = open_store(as_login(pg_url, "ev_lead"))
    levels = _ctl(cat, store)
    qtbot.addWidget(levels.panel)
    ctl = DispatchController(cat, store, clock.local, panel, interval_ms=3_600_000,
                             utc_offset=OFF, operator="ignored")
    ctl.create_args = levels.create_args
    ctl.start()
    qtbot.waitUntil(lambda: any(r["event_id"] == ev["event_id"] for r in ctl.event_rows),
                    timeout=10_000)
    ctl.request_disposal(ev["event_id"], "dismiss", "现场核实为误报")
    qtbot.waitUntil(lambda: len(store.dispositions()) == 1, timeout=10_000)
    row = store.log().iloc[-1]
    assert (row["event_id"], row["action"]) == (ev["event_id"], "dismiss")
    assert (row["operator"], row["centre"], row["area"]) == ("ev_lead", ev["district_code"],
                                                             ev["street_code"])
    with qtbot.waitSignal(ctl.sig_ticked, timeout=10_000):
        ctl.tick()
    assert ev["event_id"] not in [r["event_id"] for r in panel.visible_events() if r["queue"]]
    ctl.stop()
    QThreadPool.globalInstance().waitForDone(10_000)
    store.close()
