"""Three levels, one store: the city, district and street centres share one PostgreSQL
dispatch store, and the database decides who may see and do what.

``init_centres(url, units)`` (``cockpit centre init``) turns a dispatch store into a levels
store; it runs as the database owner and is idempotent:

- the log gains the columns :data:`~cockpit.datasets.dispatch.ledger.EXT_COLUMNS` — the acting
  ``centre``, the ``owner`` (the centre that owns the order after the row), the event's
  ``area`` (its admin unit) and ``due_utc`` (a delegation's or supervision's deadline) — all
  covered by each row's hash;
- ``centre_unit`` holds the admin tree (city, districts, streets, communities) and
  ``centre_scope`` its ancestor-or-self pairs; ``centre_login`` maps each login (a real
  PostgreSQL role) to its centre and its role;
- **identity by the server**: a trigger refuses a row whose ``operator`` is not the login that
  writes it (``session_user``) or whose ``centre`` is not that login's centre, so no client can
  write as somebody else (the client fills both from :func:`cockpit_whoami` so that its hash
  covers them);
- **roles**: duty *operator* (create, acknowledge, handle), duty *leader* (every action,
  including verify, close, cancel, evaluate and the level actions), *observer* (read only),
  *trainer* (no access to the live log: drills have stores of their own). A refused action is a
  database error (SQLSTATE 42501) with a sentence naming the rule; nothing is written;
- **row-level security**: a login reads the rows whose ``area`` lies in its centre's area — a
  street its street, a district its district and its streets, the city everything — and may
  write only there; acting on an order also needs its current owner to be this centre or one
  below it (so a street that escalated an order stays informed but no longer acts on it);
- **level actions**: 上报 ``escalate`` (to a centre above, with a reason), 下派 ``delegate`` (to
  a centre below whose area holds the event, with a deadline), 督办 ``supervise`` (a centre
  above a lower centre's order attaches a deadline and a note), 退回 ``return`` (the owner hands
  the order back to a centre above or below, with a reason). They change the owner, never the
  order's state;
- ``cockpit_head()`` gives every login the head of the whole chain (seq and hash only), so a
  scoped login still chains its rows after the last row of all.

The owner of a new order follows the event's severity (:func:`default_owner`): 1 (特别重大)
the city, 2 (重大) the district, otherwise the street the event is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("operator", "leader", "observer", "trainer")
#: What each role may record (the trigger's rule; observers and trainers record nothing).
ROLE_ACTIONS = {
    "operator": ("create", "acknowledge", "confirm", "handle", "merge", "correct"),
    "leader": ("create", "acknowledge", "confirm", "handle", "merge", "correct", "verify",
               "close", "evaluate", "cancel", "rework", "dismiss", "escalate", "delegate",
               "supervise", "return"),
    "observer": (),
    "trainer": (),
}
#: Group roles the logins are members of.
SEAT_GROUP = "cockpit_centre_seat"
OBSERVER_GROUP = "cockpit_centre_observer"
#: The admin levels a centre can sit at, top down (communities are areas, not centres).
CENTRE_LEVELS = ("city", "district", "street")
_AREA_LEVELS = ("city", "district", "street", "community")

_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent: str | None


def check_login_name(name: str) -> str:
    """A login is a PostgreSQL role name: lower-case letters, digits and _, ≤ 63 characters."""
    if not _NAME_RE.match(name):
        raise ValueError(f"login name {name!r}: use lower-case letters, digits and _ "
                         "(a letter first, at most 63 characters)")
    return name


def _ddl(schema_owner: str) -> list[str]:
    del schema_owner
    actions = ", ".join(f"'{a}'" for a in ROLE_ACTIONS["leader"])
    operator_actions = ", ".join(f"'{a}'" for a in ROLE_ACTIONS["operator"])
    return [
        "ALTER TABLE dispatch_log ADD COLUMN IF NOT EXISTS centre TEXT",
        "ALTER TABLE dispatch_log ADD COLUMN IF NOT EXISTS owner TEXT",
        "ALTER TABLE dispatch_log ADD COLUMN IF NOT EXISTS area TEXT",
        "ALTER TABLE dispatch_log ADD COLUMN IF NOT EXISTS due_utc TIMESTAMP",
        "CREATE INDEX IF NOT EXISTS dispatch_log_area ON dispatch_log (area)",
        "CREATE INDEX IF NOT EXISTS dispatch_log_owner ON dispatch_log (order_id, seq) "
        "WHERE owner IS NOT NULL",
        """CREATE TABLE IF NOT EXISTS centre_unit (
             code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,
             parent TEXT REFERENCES centre_unit (code))""",
        """CREATE TABLE IF NOT EXISTS centre_scope (
             ancestor TEXT NOT NULL REFERENCES centre_unit (code),
             unit TEXT NOT NULL REFERENCES centre_unit (code),
             PRIMARY KEY (ancestor, unit))""",
        "CREATE INDEX IF NOT EXISTS centre_scope_unit ON centre_scope (unit)",
        f"""CREATE TABLE IF NOT EXISTS centre_login (
             login NAME PRIMARY KEY,
             centre TEXT NOT NULL REFERENCES centre_unit (code),
             role TEXT NOT NULL CHECK (role IN ({", ".join(f"'{r}'" for r in ROLES)})),
             display_name TEXT NOT NULL DEFAULT '')""",
        # --- functions every login may call; SECURITY DEFINER: they read past RLS
        """CREATE OR REPLACE FUNCTION cockpit_whoami() RETURNS TABLE (centre TEXT, role TEXT)
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
             SELECT l.centre, l.role FROM centre_login l WHERE l.login = session_user $$""",
        """CREATE OR REPLACE FUNCTION cockpit_head() RETURNS TABLE (seq BIGINT, hash TEXT)
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
             SELECT d.seq, d.hash FROM dispatch_log d ORDER BY d.seq DESC LIMIT 1 $$""",
        """CREATE OR REPLACE FUNCTION cockpit_covers(centre TEXT, unit TEXT) RETURNS BOOLEAN
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
             SELECT EXISTS (SELECT 1 FROM centre_scope s
                            WHERE s.ancestor = $1 AND s.unit = $2) $$""",
        """CREATE OR REPLACE FUNCTION cockpit_in_scope(unit TEXT) RETURNS BOOLEAN
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
             SELECT EXISTS (SELECT 1 FROM centre_login l
                            JOIN centre_scope s ON s.ancestor = l.centre
                            WHERE l.login = session_user AND s.unit = $1) $$""",
        """CREATE OR REPLACE FUNCTION cockpit_order_owner(oid TEXT) RETURNS TEXT
           LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
             SELECT d.owner FROM dispatch_log d WHERE d.order_id = oid AND d.owner IS NOT NULL
             ORDER BY d.seq DESC LIMIT 1 $$""",
        # --- identity, roles and the rules of the level actions, checked on every insert
        f"""CREATE OR REPLACE FUNCTION cockpit_dispatch_check() RETURNS trigger
           LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
           DECLARE me RECORD; cur TEXT;
           BEGIN
             SELECT l.centre, l.role INTO me FROM centre_login l WHERE l.login = session_user;
             IF NOT FOUND THEN
               IF NEW.operator IS DISTINCT FROM session_user::text THEN
                 RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                   'login %s may not record an action as %s', session_user, NEW.operator);
               END IF;
               IF session_user::text <> (SELECT tableowner FROM pg_tables
                                          WHERE tablename = 'dispatch_log' LIMIT 1) THEN
                 RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                   'login %s belongs to no centre (cockpit centre add-operator)', session_user);
               END IF;
               RETURN NEW;
             END IF;
             IF NEW.operator IS DISTINCT FROM session_user::text
                OR NEW.centre IS DISTINCT FROM me.centre THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'an action is recorded as the login that writes it: %s of centre %s cannot '
                 'write as %s of centre %s', session_user, me.centre, NEW.operator, NEW.centre);
             END IF;
             IF NOT NEW.action = ANY (CASE me.role
                  WHEN 'leader' THEN ARRAY[{actions}]
                  WHEN 'operator' THEN ARRAY[{operator_actions}]
                  ELSE ARRAY[]::TEXT[] END) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'the %s role may not %s (a duty leader may)', me.role, NEW.action);
             END IF;
             IF NEW.area IS NULL OR NOT cockpit_covers(me.centre, NEW.area) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'the event''s area %s lies outside centre %s', NEW.area, me.centre);
             END IF;
             IF NEW.action = 'create' THEN
               IF NEW.owner IS NULL OR NOT (cockpit_covers(me.centre, NEW.owner)
                                           OR cockpit_covers(NEW.owner, me.centre)) THEN
                 RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                   'centre %s cannot make %s the owner of a new order', me.centre, NEW.owner);
               END IF;
               RETURN NEW;
             END IF;
             cur := cockpit_order_owner(NEW.order_id);
             IF NEW.action = 'supervise' THEN
               IF cur IS NULL OR cur = me.centre OR NOT cockpit_covers(me.centre, cur) THEN
                 RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                   'centre %s supervises only the orders of centres below it (owner: %s)',
                   me.centre, cur);
               END IF;
               IF NEW.due_utc IS NULL THEN
                 RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'supervision needs a deadline';
               END IF;
               RETURN NEW;
             END IF;
             IF cur IS NOT NULL AND NOT cockpit_covers(me.centre, cur) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'order %s is owned by centre %s: centre %s is informed but does not act on it',
                 NEW.order_id, cur, me.centre);
             END IF;
             IF NEW.action = 'escalate' AND (NEW.owner IS NULL OR NEW.owner = me.centre
                  OR NOT cockpit_covers(NEW.owner, me.centre)) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'an order is escalated to a centre above %s, not to %s', me.centre, NEW.owner);
             END IF;
             IF NEW.action = 'delegate' AND (NEW.owner IS NULL OR NEW.owner = me.centre
                  OR NOT cockpit_covers(me.centre, NEW.owner)
                  OR NOT cockpit_covers(NEW.owner, NEW.area) OR NEW.due_utc IS NULL) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'an order is delegated, with a deadline, to a centre below %s whose area holds '
                 'the event (%s), not to %s', me.centre, NEW.area, NEW.owner);
             END IF;
             IF NEW.action = 'return' AND (cur IS DISTINCT FROM me.centre OR NEW.owner IS NULL
                  OR NEW.owner = me.centre OR NOT (cockpit_covers(NEW.owner, me.centre)
                                                   OR cockpit_covers(me.centre, NEW.owner))) THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 'only the owning centre returns an order, to a centre above or below it '
                 '(owner %s, to %s)', cur, NEW.owner);
             END IF;
             IF NEW.action NOT IN ('escalate', 'delegate', 'return') AND NEW.owner IS NOT NULL
             THEN
               RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                 '%s does not change the owner of an order', NEW.action);
             END IF;
             RETURN NEW;
           END $$""",
        "DROP TRIGGER IF EXISTS dispatch_log_centre_check ON dispatch_log",
        """CREATE TRIGGER dispatch_log_centre_check BEFORE INSERT ON dispatch_log
           FOR EACH ROW EXECUTE FUNCTION cockpit_dispatch_check()""",
        # --- row-level security: what a login reads and writes (the owner is exempt)
        "ALTER TABLE dispatch_log ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS centre_read ON dispatch_log",
        "CREATE POLICY centre_read ON dispatch_log FOR SELECT USING (cockpit_in_scope(area))",
        "DROP POLICY IF EXISTS centre_write ON dispatch_log",
        "CREATE POLICY centre_write ON dispatch_log FOR INSERT WITH CHECK "
        "(cockpit_in_scope(area))",
        # --- the group roles and their grants
        f"""DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SEAT_GROUP}') THEN
               CREATE ROLE {SEAT_GROUP} NOLOGIN; END IF;
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OBSERVER_GROUP}') THEN
               CREATE ROLE {OBSERVER_GROUP} NOLOGIN; END IF;
           END $$""",
        "REVOKE ALL ON dispatch_log, store_meta, centre_unit, centre_scope, centre_login "
        "FROM PUBLIC",
        f"GRANT SELECT, INSERT ON dispatch_log TO {SEAT_GROUP}",
        f"GRANT SELECT ON dispatch_log TO {OBSERVER_GROUP}",
        f"GRANT SELECT ON store_meta, centre_unit TO {SEAT_GROUP}, {OBSERVER_GROUP}",
        "REVOKE ALL ON FUNCTION cockpit_whoami(), cockpit_head(), cockpit_in_scope(TEXT), "
        "cockpit_covers(TEXT, TEXT), cockpit_order_owner(TEXT) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION cockpit_whoami(), cockpit_head(), cockpit_in_scope(TEXT), "
        f"cockpit_covers(TEXT, TEXT), cockpit_order_owner(TEXT) TO {SEAT_GROUP}, "
        f"{OBSERVER_GROUP}",
    ]


def centre_units(rows: Iterable[tuple[str, str, str, str | None]]) -> list[Unit]:
    """The units a levels store knows, from ``(code, name, level, parent_code)`` rows of a
    dataset's ``admin_unit`` (grids are left out: an event's area is at most a community)."""
    return [Unit(str(c), str(n), str(lv), str(p) if p else None)
            for c, n, lv, p in rows if lv in _AREA_LEVELS]


def scope_pairs(units: list[Unit]) -> list[tuple[str, str]]:
    """Every (ancestor-or-self, unit) pair of the tree."""
    parent = {u.code: u.parent for u in units}
    pairs = []
    for u in units:
        a: str | None = u.code
        seen = set()
        while a is not None and a not in seen and a in parent:
            pairs.append((a, u.code))
            seen.add(a)
            a = parent[a]
    return pairs


def init_centres(url: str, units: list[Unit]) -> dict[str, int]:
    """Make the store at ``url`` a levels store (creating the dispatch tables if needed) and
    load the admin tree; idempotent. Runs as the database owner. Returns counts."""
    import psycopg
    from cockpit.datasets.dispatch import open_store

    open_store(url).close()  # the dispatch tables, as every seat expects them
    with psycopg.connect(url, autocommit=False) as con:
        con.execute("SELECT pg_advisory_xact_lock(%s)", [0x43454E54])
        owner = con.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'dispatch_log'"
                            ).fetchone()[0]
        for ddl in _ddl(owner):
            con.execute(ddl)
        with con.cursor() as cur:
            cur.executemany(
                "INSERT INTO centre_unit (code, name, level, parent) VALUES (%s, %s, %s, NULL) "
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level",
                [(u.code, u.name, u.level) for u in units])
            cur.executemany("UPDATE centre_unit SET parent = %s WHERE code = %s",
                            [(u.parent, u.code) for u in units if u.parent])
            pairs = scope_pairs(units)
            cur.execute("DELETE FROM centre_scope")
            with cur.copy("COPY centre_scope (ancestor, unit) FROM STDIN") as cp:
                for a, u in pairs:
                    cp.write_row((a, u))
        con.commit()
    return {"units": len(units), "scope_pairs": len(pairs)}


def add_operator(url: str, login: str, centre: str, role: str, display_name: str = "",
                 password: str | None = None) -> None:
    """Create a login (a PostgreSQL role) for a centre with a role; runs as the owner."""
    import psycopg
    from psycopg import sql

    check_login_name(login)
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    with psycopg.connect(url, autocommit=False) as con:
        level = con.execute("SELECT level FROM centre_unit WHERE code = %s", [centre]).fetchone()
        if level is None:
            raise ValueError(f"no unit {centre!r} in the store (cockpit centre init --data …)")
        if level[0] not in CENTRE_LEVELS:
            raise ValueError(f"{centre} is a {level[0]}: centres are at the city, district or "
                             "street level")
        exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [login]).fetchone()
        ident = sql.Identifier(login)
        if exists is None:
            con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
        if password is not None:
            con.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)))
        for group in (SEAT_GROUP, OBSERVER_GROUP):
            con.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
        group = {"operator": SEAT_GROUP, "leader": SEAT_GROUP,
                 "observer": OBSERVER_GROUP}.get(role)
        if group:
            con.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), ident))
        con.execute("INSERT INTO centre_login (login, centre, role, display_name) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (login) DO UPDATE SET "
                    "centre = EXCLUDED.centre, role = EXCLUDED.role, "
                    "display_name = EXCLUDED.display_name",
                    [login, centre, role, display_name])
        con.commit()


def default_owner(area: str, severity: int | None, units: dict[str, Unit]) -> str:
    """The centre that owns a new order, by the event's severity (1 highest … 4): 1 特别重大
    the city, 2 重大 the district, otherwise the street (or the lowest centre) the event's
    area lies in."""
    chain = []
    a: str | None = area
    while a is not None and a in units:
        chain.append(units[a])
        a = units[a].parent
    by_level = {u.level: u.code for u in chain}
    if severity == 1 and "city" in by_level:
        return by_level["city"]
    if severity == 2 and "district" in by_level:
        return by_level["district"]
    for lv in ("street", "district", "city"):
        if lv in by_level:
            return by_level[lv]
    return area


def top_unit_name(con) -> str:
    """The name of a dataset's top unit (the one without a parent)."""
    row = con.execute("SELECT name FROM admin_unit WHERE parent_code IS NULL "
                      "OR parent_code = '' ORDER BY code LIMIT 1").fetchone()
    return str(row[0]) if row else ""


def units_from_catalog(con) -> list[Unit]:
    """The units of a dataset's catalog (a DuckDB cursor), grids left out."""
    rows = con.execute("SELECT code, name, level, parent_code FROM admin_unit "
                       "WHERE level <> 'grid' ORDER BY code").fetchall()
    return centre_units(rows)


def whoami(url: str) -> tuple[str, str | None, str | None]:
    """(login, centre, role) of the login a URL connects as; centre and role are None when
    the login belongs to no centre or the store has no levels."""
    import psycopg

    with psycopg.connect(url) as con:
        login = con.execute("SELECT session_user").fetchone()[0]
        if not con.execute("SELECT to_regproc('cockpit_whoami') IS NOT NULL").fetchone()[0]:
            return login, None, None
        row = con.execute("SELECT centre, role FROM cockpit_whoami()").fetchone()
    return (login, *row) if row else (login, None, None)


# ---------------------------------------------------------------------------- what awaits a centre

#: The kinds of item a centre's levels panel lists.
AWAIT_KINDS = ("escalated", "delegated", "returned", "supervised", "supervising")


def ancestors(code: str, units: dict[str, Unit]) -> list[str]:
    """The centres above ``code``, nearest first."""
    out, seen = [], {code}
    p = units[code].parent if code in units else None
    while p is not None and p in units and p not in seen:
        if units[p].level in CENTRE_LEVELS:
            out.append(p)
        seen.add(p)
        p = units[p].parent
    return out


def covers(centre: str, unit: str, units: dict[str, Unit]) -> bool:
    """True when ``unit`` lies in ``centre``'s area (itself included)."""
    return unit == centre or centre in ancestors(unit, units)


def delegate_targets(centre: str, area: str, units: dict[str, Unit]) -> list[str]:
    """The centres below ``centre`` whose area holds the event, nearest first."""
    chain = [area, *ancestors(area, units)] if area in units else []
    below = [c for c in chain if c != centre and units.get(c) is not None
             and units[c].level in CENTRE_LEVELS and covers(centre, c, units)]
    return list(reversed(below))


def own_open(orders, centre: str) -> list[str]:
    """The ids of the open orders ``centre`` owns, newest first."""
    if orders is None or len(orders) == 0 or "owner" not in orders.columns:
        return []
    mine = orders[(orders["owner"] == centre)
                  & ~orders["state"].isin(["closed", "evaluated", "cancelled"])]
    return list(reversed(mine["order_id"].tolist()))


def _plain(v):
    """A frame's cell as a plain value: None for NaN/NaT, datetime for a Timestamp."""
    if v is None:
        return None
    if hasattr(v, "to_pydatetime"):
        return None if v != v else v.to_pydatetime()
    if isinstance(v, float) and v != v:
        return None
    return v


def awaiting(orders, centre: str, units: dict[str, Unit]) -> list[dict]:
    """What awaits ``centre`` from above and below, from an order view with the levels
    columns (:meth:`orders` of a levels store): orders escalated, delegated or returned to
    it that are still open; supervision on its own orders (from above); and the supervision
    it keeps on lower centres' orders. Newest first; each a plain dict."""
    rows: list[dict] = []
    if orders is None or len(orders) == 0 or "owner" not in orders.columns:
        return rows
    for r in orders.to_dict("records"):
        if r.get("state") in ("closed", "evaluated", "cancelled"):
            continue
        owner, how = r.get("owner"), r.get("owner_action")
        kind = None
        if owner == centre and how in ("escalate", "delegate", "return"):
            kind = {"escalate": "escalated", "delegate": "delegated", "return": "returned"}[how]
        if r.get("supervisions"):
            if owner is not None and covers(centre, owner, units) and owner != centre:
                kind = kind or "supervising"
            elif owner == centre or (owner is not None and covers(owner, centre, units)):
                kind = "supervised"
        if kind is None:
            continue
        due = r.get("supervise_due") if kind in ("supervised", "supervising") else (
            r.get("delegate_due") if kind == "delegated" else r.get("next_due"))
        rows.append({"kind": kind, "order_id": r["order_id"], "event_id": r["event_id"],
                     "dept_id": r["dept_id"], "state": r["state"], "owner": owner,
                     "area": _plain(r.get("area")), "due": _plain(due),
                     "overdue": bool(r.get("supervision_overdue")) or bool(r.get("overdue")),
                     "last_at": _plain(r.get("last_at"))})
    rows.sort(key=lambda x: str(x["last_at"]), reverse=True)
    rows.sort(key=lambda x: not x["overdue"])  # stable: overdue first, newest first within
    return rows


def needs_password(url: str, timeout: float = 3.0) -> bool:
    """True when the server at a ``postgresql://`` URL refuses this login for want of a
    password (none in the URL, ``PGPASSWORD``, a pgpass or a service file)."""
    import psycopg

    if not url.startswith(("postgresql:", "postgres:")):
        return False
    try:
        psycopg.connect(url, connect_timeout=max(1, int(timeout))).close()
    except psycopg.OperationalError as e:
        return "no password supplied" in str(e) or "password authentication failed" in str(e)
    return False
