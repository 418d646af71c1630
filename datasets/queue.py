"""The duty queue (值守队列): every event that needs action, until it is dispatched, merged or
dismissed — however old — and the catalog reads the dispatch side needs.

One function, :func:`collect`, makes the queue the window shows and ``cockpit queue`` prints:
the same rows, the same order, the same counts.

What is in it. An event **needs action** (is *in the queue*) when it has happened by the
screen's ``now``, is still open in the dataset (``event.closed_at`` empty or later than
``now``: finished outside this store otherwise), has no dispatch order that is open or was
closed, and was neither dismissed (不予派遣) nor merged as a duplicate (合并) in the dispatch log
(:meth:`cockpit.datasets.dispatch.DispatchStore.dispose`). An event whose orders were all
cancelled needs action again. Events from the live feeds (directory drops, MQTT, Open311) and
events without a type (待分拨: ``type_id`` empty) are queued the same way. Events that need no
action (dispatched, closed, dismissed) are listed while recent (``recent``, default 2 h) and
then age out of the list; :func:`find_events` still finds them.

Order. Overdue first (past the react deadline, 签收时限), then level (1 重大 first), then the
deadline, then the event id; the events that need no action follow, newest first.

Counts (:class:`QueueCounts`) are of the queue: its size, the overdue, and per level, source,
district and state — never of a window of time.

No Qt here and no database driver import: ``con`` is a catalog cursor (DuckDB) passed in, and
``store`` anything with ``orders()`` and ``dispositions()``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Names", "EventRecord", "Queue", "QueueCounts", "load_names",
    "event_types", "catalog_event", "open_events", "recent_events", "event_places",
    "find_events", "event_row", "event_text", "place_level", "EventPlace", "collect",
    "load_queue", "sort_key",
    "count_rows", "demo_closed_at", "local_utc_offset", "UNCLASSIFIED", "QUEUE_STATES",
]

#: The state of an event without a type (a report not yet routed): 待分拨.
UNCLASSIFIED = "unclassified"
#: An event's states in the list: the first three need action (are in the queue).
QUEUE_STATES = ("new", "overdue", UNCLASSIFIED)
#: Minutes to react for an event whose type is unknown.
DEFAULT_REACT_MIN = 15.0
_OPEN_ORDER = ("created", "acknowledged", "confirmed", "handled", "verified")
_DONE_ORDER = ("closed", "evaluated")


def local_utc_offset() -> timedelta:
    """This machine's UTC offset now: local screen time = UTC + offset (one helper for the
    dispatch controller and drills)."""
    return datetime.now().astimezone().utcoffset() or timedelta(0)


# --------------------------------------------------------------------------- catalog reads


@dataclass(frozen=True)
class EventType:
    name: str
    react_min: float
    default_severity: int


@dataclass
class Names:
    """Names the dispatch side shows: departments, units (city/district/street), event types,
    plans — the one name resolver of the queue, the dispatch controller, its preview's type
    chooser and corrections, and the 新建事件 form."""

    depts: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    types: dict[str, EventType] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    #: dept_id -> (level, unit_code): where a department works
    dept_units: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def dept_name(self, dept_id: str | None) -> str:
        """A department's name (its id when the dataset names it not)."""
        return self.depts.get(dept_id, dept_id or "") if dept_id else ""

    def type_name(self, type_id: str | None) -> str:
        """An event type's name (its id when the dataset has no such type)."""
        t = self.types.get(type_id) if type_id else None
        return t.name if t else (type_id or "")

    def type_choices(self) -> list[dict[str, str]]:
        """Every event type as ``{"type_id", "name"}``, by name: what an operator picks from."""
        return [{"type_id": t, "name": v.name}
                for t, v in sorted(self.types.items(), key=lambda kv: (kv[1].name, kv[0]))]

    def department_choices(self, district_code: str | None, street_code: str | None
                           ) -> list[dict[str, str]]:
        """The departments an operator may add to a dispatch at a place, as ``{"dept_id",
        "name"}``: the street's own, the district's, then the city's."""
        rank = {"street": 0, "district": 1, "city": 2}
        here = {c for c in (district_code, street_code) if c}
        picked = [(rank.get(lvl, 3), d) for d, (lvl, unit) in self.dept_units.items()
                  if unit in here or lvl == "city"]
        return [{"dept_id": d, "name": self.dept_name(d)} for _r, d in sorted(picked)]


def load_names(con: Any) -> Names:
    """The names of departments, units down to streets, event types and plans."""
    n = Names()
    rows = con.execute("SELECT dept_id, name, level, unit_code FROM department").fetchall()
    n.depts = {d: name for d, name, _l, _u in rows}
    n.dept_units = {d: (str(lvl or ""), unit) for d, _n, lvl, unit in rows}
    n.units = dict(con.execute("SELECT code, name FROM admin_unit WHERE level IN "
                               "('city', 'district', 'street')").fetchall())
    n.types = {t: EventType(name, float(r), int(s or 3)) for t, name, r, s in con.execute(
        "SELECT type_id, name, react_min, default_severity FROM event_type").fetchall()}
    n.plans = dict(con.execute("SELECT plan_id, name FROM plan").fetchall())
    return n


def event_types(con: Any) -> list[tuple[str, int | None]]:
    """(type_id, default severity) of every event type (what a feed may deliver)."""
    return [(t, None if s is None else int(s)) for t, s in con.execute(
        "SELECT type_id, default_severity FROM event_type").fetchall()]


@dataclass(frozen=True)
class EventRecord:
    """One event of the catalog (or of a feed), by name."""

    event_id: str
    type_id: str | None
    source: str
    occurred_at: datetime
    lon: float
    lat: float
    district_code: str | None
    street_code: str | None
    severity: int
    title: str
    point_id: int | None = None
    closed_at: datetime | None = None


_EVENT_COLS = ("event_id, type_id, source, occurred_at, lon, lat, district_code, street_code, "
               "severity, title, point_id, closed_at")


def _records(rows: Iterable[tuple]) -> list[EventRecord]:
    out = []
    for (eid, tid, src, at, lon, lat, dc, sc, sev, title, pid, closed) in rows:
        out.append(EventRecord(str(eid), tid, src, at, float(lon), float(lat), dc, sc,
                               int(sev if sev is not None else 3), title or "",
                               None if pid is None else int(pid), closed))
    return out


def catalog_event(con: Any, event_id: int | str) -> EventRecord | None:
    """One catalog event by id (None if there is none)."""
    if not str(event_id).isdigit():
        return None
    rows = con.execute(f"SELECT {_EVENT_COLS} FROM event WHERE event_id = ?",
                       [int(event_id)]).fetchall()
    recs = _records(rows)
    return recs[0] if recs else None


def open_events(con: Any, now: datetime) -> list[EventRecord]:
    """The catalog's events that have happened by ``now`` and are still open then (``closed_at``
    empty or later): the candidates of the queue, however old."""
    return _records(con.execute(
        f"SELECT {_EVENT_COLS} FROM event WHERE occurred_at <= $t "
        "AND (closed_at IS NULL OR closed_at > $t) ORDER BY occurred_at, event_id",
        {"t": now}).fetchall())


def recent_events(con: Any, now: datetime, since: datetime, limit: int = 300
                  ) -> list[EventRecord]:
    """The catalog's events of ``(since, now]``, newest first (at most ``limit``)."""
    return _records(con.execute(
        f"SELECT {_EVENT_COLS} FROM event WHERE occurred_at <= $t AND occurred_at > $t0 "
        "ORDER BY occurred_at DESC, event_id DESC LIMIT $n",
        {"t": now, "t0": since, "n": int(limit)}).fetchall())


def event_text(con: Any, event_id: int | str) -> str:
    """A catalog event's own words (its optional ``description``), "" without them."""
    if not str(event_id).isdigit():
        return ""
    has = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'event' AND column_name = 'description'").fetchone()[0]
    if not has:
        return ""
    row = con.execute("SELECT description FROM event WHERE event_id = ?",
                      [int(event_id)]).fetchone()
    return (row[0] or "") if row else ""


@dataclass(frozen=True)
class EventPlace:
    title: str
    district_code: str | None
    street_code: str | None


def event_places(con: Any, event_ids: Iterable[str]) -> dict[str, EventPlace]:
    """Title, district and street of catalog events by id (ids that are not numbers are
    skipped)."""
    nums = sorted({int(e) for e in event_ids if str(e).isdigit()})
    if not nums:
        return {}
    return {str(eid): EventPlace(title, dc, sc) for eid, title, dc, sc in con.execute(
        "SELECT event_id, title, district_code, street_code FROM event WHERE event_id IN "
        "(SELECT unnest(?::BIGINT[]))", [nums]).fetchall()}


_BELOW = {"city": "district", "district": "street", "street": "community"}


def place_level(con: Any) -> str:
    """The level the dispatch lists name places at: the one below the dataset's top unit
    (a city's centre: district 区县; a district's: street 镇街; a street's: community 社区)."""
    row = con.execute("SELECT level FROM admin_unit WHERE parent_code IS NULL "
                      "ORDER BY code LIMIT 1").fetchone()
    return _BELOW.get(row[0] if row else "city", "district")


def find_events(con: Any, text: str, now: datetime, limit: int = 20) -> list[EventRecord]:
    """Catalog events (happened by ``now``) whose id is ``text`` or whose title contains it,
    newest first — for Ctrl+F; the events that aged out of the list are found too."""
    text = (text or "").strip()
    if not text:
        return []
    if text.isdigit():
        rec = catalog_event(con, text)
        exact = [rec] if rec is not None and rec.occurred_at <= now else []
    else:
        exact = []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = _records(con.execute(
        f"SELECT {_EVENT_COLS} FROM event WHERE occurred_at <= ? AND title ILIKE ? ESCAPE '\\' "
        "ORDER BY occurred_at DESC, event_id DESC LIMIT ?", [now, like, int(limit)]).fetchall())
    return exact + [r for r in rows if not exact or r.event_id != exact[0].event_id]


# --------------------------------------------------------------------------- rows


def event_row(e: Any, names: Names, feed: str = "catalog") -> dict[str, Any]:
    """The list's row of an event (an :class:`EventRecord` or a feed event with the same
    attributes): ids, type, names of its place, title, severity and react deadline."""
    tid = getattr(e, "type_id", None) or None
    t = names.types.get(tid) if tid else None
    tname = t.name if t else (tid or "")
    react = t.react_min if t else DEFAULT_REACT_MIN
    dc, sc = e.district_code, e.street_code
    district, street = names.units.get(dc, dc or ""), names.units.get(sc, "")
    words = " ".join(str(getattr(e, "description", "") or "").split())
    title = e.title or tname or words[:40]  # a report without a type: its first words
    if street and street not in title:  # the catalog's titles start with the street
        title = f"{street} {title}"
    at = e.occurred_at
    return {"event_id": str(e.event_id), "type_id": tid, "type_name": tname,
            "source": e.source, "occurred_at": at, "lon": float(e.lon), "lat": float(e.lat),
            "district_code": dc, "street_code": sc, "severity": int(e.severity or 3),
            "title": title, "district": district, "street": street, "place": district,
            "point_id": None if e.point_id is None else int(e.point_id), "feed": feed,
            "react_min": react, "react_due": at + timedelta(minutes=react),
            "catalog": feed == "catalog", "closed_at": getattr(e, "closed_at", None)}


@dataclass
class QueueCounts:
    """Counts of the queue (the events that need action) and of its parts."""

    total: int = 0
    overdue: int = 0
    by_severity: dict[int, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_district: dict[str, int] = field(default_factory=dict)
    by_street: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "overdue": self.overdue,
                "by_severity": {str(k): v for k, v in sorted(self.by_severity.items())},
                "by_source": dict(sorted(self.by_source.items())),
                "by_district": dict(sorted(self.by_district.items())),
                "by_street": dict(sorted(self.by_street.items())),
                "by_state": dict(sorted(self.by_state.items()))}


@dataclass
class Queue:
    """The list's rows in the default order (the queue first) and the queue's counts."""

    as_of: datetime
    rows: list[dict[str, Any]]
    counts: QueueCounts

    def queue_rows(self) -> list[dict[str, Any]]:
        """The events that need action, in order."""
        return [r for r in self.rows if r["queue"]]


def live_state(row: Mapping[str, Any], now: datetime) -> str:
    """A row's state at ``now``: a new event past its react deadline is overdue."""
    st = row.get("state") or "new"
    if st == "new" and row.get("react_due") is not None and row["react_due"] < now:
        return "overdue"
    return st


def sort_key(row: Mapping[str, Any], now: datetime) -> tuple:
    """The default order: the queue first — overdue, then level, then deadline — then the rest,
    newest first."""
    if row.get("queue"):
        st = live_state(row, now)
        due = row.get("react_due") or datetime.max
        return (0, 0 if st == "overdue" else 1, int(row.get("severity") or 3), due,
                0.0, str(row["event_id"]))
    return (1, 0, 0, datetime.max, -row["occurred_at"].timestamp(), str(row["event_id"]))


def count_rows(rows: Iterable[Mapping[str, Any]], now: datetime) -> QueueCounts:
    """The counts of the queue among ``rows`` (rows not in the queue are not counted)."""
    q = [r for r in rows if r.get("queue")]
    states = [live_state(r, now) for r in q]
    return QueueCounts(
        total=len(q), overdue=sum(1 for s in states if s == "overdue"),
        by_severity=dict(Counter(int(r.get("severity") or 3) for r in q)),
        by_source=dict(Counter(str(r.get("source") or "") for r in q)),
        by_district=dict(Counter(str(r.get("district_code") or "") for r in q)),
        by_street=dict(Counter(str(r.get("street_code") or "") for r in q)),
        by_state=dict(Counter(states)))


def _orders_by_event(orders: pd.DataFrame | None) -> dict[str, list[tuple[str, bool]]]:
    out: dict[str, list[tuple[str, bool]]] = {}
    if orders is None or len(orders) == 0:
        return out
    for eid, st, over in zip(orders["event_id"].astype(str), orders["state"],
                             orders["overdue"], strict=True):
        out.setdefault(eid, []).append((str(st), bool(over)))
    return out


def _dispositions(disp: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if disp is None or len(disp) == 0:
        return {}
    return {str(r["event_id"]): {"action": r["action"], "note": r["note"],
                                 "outcome": r["outcome"], "operator": r["operator"]}
            for r in disp.to_dict("records")}


def collect(con: Any, now: datetime, names: Names, *, orders: pd.DataFrame | None = None,
            dispositions: pd.DataFrame | None = None, feed: Iterable[Any] = (),
            recent: timedelta = timedelta(hours=2), max_recent: int = 300) -> Queue:
    """The list as of ``now`` (screen time): every event that needs action (catalog events
    still open, feed events) and, after them, the recent events that need none.

    ``orders``: the store's order view as of ``now`` (:meth:`DispatchStore.orders`), or None
    without a store; ``dispositions``: the store's dismissed and merged events; ``feed``: the
    events the feeds delivered (attributes as :class:`EventRecord`, plus ``feed``)."""
    by_event = _orders_by_event(orders)
    disp = _dispositions(dispositions)
    rows: dict[str, dict[str, Any]] = {}
    for e in open_events(con, now):
        rows[e.event_id] = event_row(e, names, "catalog")
    for e in recent_events(con, now, now - recent, max_recent):
        rows.setdefault(e.event_id, event_row(e, names, "catalog"))
    for e in feed:
        if e.occurred_at <= now and str(e.event_id) not in rows:
            rows[str(e.event_id)] = event_row(e, names, getattr(e, "feed", "") or "feed")
    out = []
    for eid, r in rows.items():
        os_ = by_event.get(eid, [])
        live = [over for st, over in os_ if st in _OPEN_ORDER]
        done = any(st in _DONE_ORDER for st, _ in os_)
        d = disp.get(eid)
        closed = r["closed_at"] is not None and r["closed_at"] <= now
        if live:
            state = "order_overdue" if any(live) else "dispatched"
        elif done:
            state = "closed"
        elif d is not None:
            state = "dismissed" if d["action"] == "dismiss" else "merged"
        elif closed:
            state = "closed"
        elif not r["type_id"]:
            state = UNCLASSIFIED
        else:
            state = "new"
        queue = state in ("new", UNCLASSIFIED)
        if not queue and r["occurred_at"] <= now - recent:
            continue  # needs no action and is no longer recent: aged out
        r.update(state=state, queue=queue, orders=len(live),
                 disposition=d, overdue=False)
        out.append(r)
    for r in out:
        r["overdue"] = live_state(r, now) in ("overdue", "order_overdue")
    out.sort(key=lambda r: sort_key(r, now))
    return Queue(now, out, count_rows(out, now))


def load_queue(con: Any, store: Any | None, now: datetime, *, names: Names | None = None,
               utc_offset: timedelta | None = None, feed: Iterable[Any] = (),
               recent: timedelta = timedelta(hours=2)) -> Queue:
    """:func:`collect` with the store's orders and dispositions read as of ``now`` (screen
    time; the store keeps UTC: ``utc_offset`` default this machine's)."""
    off = utc_offset if utc_offset is not None else local_utc_offset()
    orders = disp = None
    if store is not None:
        t = now - off + timedelta(microseconds=999_999)
        orders, disp = store.orders(as_of=t), store.dispositions(as_of=t)
    return collect(con, now, names or load_names(con), orders=orders, dispositions=disp,
                   feed=feed, recent=recent)


# --------------------------------------------------------------------------- demo history


def demo_closed_at(occurred_us: np.ndarray, react_min: np.ndarray, rng: np.random.Generator
                   ) -> np.ndarray:
    """When the demo's events were finished outside the store (µs since 1970; -1 = never,
    still open): most within their react time (the street handled it), a few percent hours
    later (late ones, overdue while open), and about 1 in 120 000 never (a small old
    backlog)."""
    n = occurred_us.size
    react_us = np.asarray(react_min, float) * 60e6
    quick = react_us * rng.lognormal(np.log(0.6), 0.3, n)
    late = react_us + rng.lognormal(np.log(3600e6), 0.6, n)
    r = rng.random(n)
    dur = np.where(r < 0.025, late, quick)
    closed = occurred_us + dur.astype(np.int64)
    return np.where(rng.random(n) < 1 / 120_000, -1, closed)
