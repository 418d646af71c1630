"""Three levels, one store: the database decides who sees and does what (a real PostgreSQL).

A small tree — the city, two districts, three streets — and logins at each level. Every
refusal here comes from the server (a trigger or row-level security), never from the client:
some tests bypass the store's API and write raw SQL to prove it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest
from cockpit.datasets.dispatch import NotPermitted, open_store
from cockpit.datasets.dispatch.centres import (
    Unit,
    add_operator,
    default_owner,
    init_centres,
    scope_pairs,
)

CITY, YUZHONG, JIANGBEI = "500000", "500103", "500105"
JIEFANGBEI, CHAOTIANMEN, GUANYINQIAO = "500103001", "500103002", "500105001"
UNITS = [
    Unit(CITY, "重庆市", "city", None),
    Unit(YUZHONG, "渝中区", "district", CITY),
    Unit(JIANGBEI, "江北区", "district", CITY),
    Unit(JIEFANGBEI, "解放碑街道", "street", YUZHONG),
    Unit(CHAOTIANMEN, "朝天门街道", "street", YUZHONG),
    Unit(GUANYINQIAO, "观音桥街道", "street", JIANGBEI),
    Unit("500103001001", "某社区", "community", JIEFANGBEI),
]
PLAN = {"dept_id": "D-1", "deadlines": {}}


def as_login(url: str, login: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"postgresql://{login}@{info['host']}:{info['port']}/{info['dbname']}"


@pytest.fixture
def levels(pg_url):
    """A levels store with logins at each level; yields a function login -> URL."""
    init_centres(pg_url, UNITS)
    for login, centre, role in [
        ("jfb_op", JIEFANGBEI, "operator"), ("jfb_lead", JIEFANGBEI, "leader"),
        ("ctm_lead", CHAOTIANMEN, "leader"), ("gyq_lead", GUANYINQIAO, "leader"),
        ("yz_lead", YUZHONG, "leader"), ("yz_op", YUZHONG, "operator"),
        ("city_lead", CITY, "leader"), ("watcher", CITY, "observer"),
        ("coach", CITY, "trainer"),
    ]:
        add_operator(pg_url, login, centre, role)
    return lambda login: as_login(pg_url, login), pg_url


def test_scope_pairs_are_every_ancestor_or_self():
    pairs = set(scope_pairs(UNITS))
    assert (CITY, "500103001001") in pairs and (YUZHONG, JIEFANGBEI) in pairs
    assert (JIEFANGBEI, JIEFANGBEI) in pairs
    assert (JIANGBEI, JIEFANGBEI) not in pairs and (JIEFANGBEI, YUZHONG) not in pairs


def test_default_owner_follows_the_event_level():
    units = {u.code: u for u in UNITS}
    assert default_owner("500103001001", 3, units) == JIEFANGBEI
    assert default_owner(JIEFANGBEI, 2, units) == YUZHONG
    assert default_owner(JIEFANGBEI, 1, units) == CITY


def test_a_street_sees_only_its_street(levels):
    url, _ = levels
    with open_store(url("jfb_lead")) as s:
        assert (s.centre, s.role) == (JIEFANGBEI, "leader")
        s.create(1, "ignored", "k1", area=JIEFANGBEI, **PLAN)
    with open_store(url("ctm_lead")) as s:
        s.create(2, "x", "k2", area=CHAOTIANMEN, **PLAN)
        assert set(s.orders()["event_id"]) == {"2"}
        # raw SQL, past the store's API: the database filters the rows
        with psycopg.connect(url("ctm_lead")) as con:
            events = {r[0] for r in con.execute("SELECT event_id FROM dispatch_log")}
        assert events == {"2"}
    with open_store(url("yz_lead")) as s:  # the district sees both of its streets
        assert set(s.orders()["event_id"]) == {"1", "2"}
    with open_store(url("gyq_lead")) as s:  # another district's street sees neither
        assert s.orders().empty
    with open_store(url("city_lead")) as s:
        assert set(s.orders()["event_id"]) == {"1", "2"}


def test_the_database_records_who_wrote_and_refuses_forgery(levels):
    url, _ = levels
    with open_store(url("jfb_op")) as s:
        oid = s.create(1, "somebody else", "k1", area=JIEFANGBEI, **PLAN)[0]
        row = s.history(oid).iloc[0]
        assert (row["operator"], row["centre"], row["owner"]) == ("jfb_op", JIEFANGBEI, JIEFANGBEI)
    with open_store(url("jfb_op")) as s:
        head = s.head
    forged = dict(seq=head[0] + 1, order_id=oid, event_id="1", dept_id="D-1", action="handle",
                  at_utc=datetime(2026, 1, 1), operator="yz_lead", seat="s", source="gui",
                  outcome="ok", note="", idempotency_key="forged", part=0, prev_hash=head[1],
                  hash="0" * 64, centre=YUZHONG, area=JIEFANGBEI)
    cols = ", ".join(forged)
    marks = ", ".join(["%s"] * len(forged))
    with psycopg.connect(url("jfb_op")) as con, pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="recorded as the login that writes it"):
        con.execute(f"INSERT INTO dispatch_log ({cols}) VALUES ({marks})", list(forged.values()))
    # the right name but another centre's area: refused too
    forged.update(operator="jfb_op", centre=JIEFANGBEI, area=GUANYINQIAO)
    with psycopg.connect(url("jfb_op")) as con, pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="outside centre"):
        con.execute(f"INSERT INTO dispatch_log ({cols}) VALUES ({marks})", list(forged.values()))


def test_roles_limit_the_actions(levels):
    url, admin = levels
    with open_store(url("jfb_op")) as s:
        oid = s.create(1, "x", "k1", area=JIEFANGBEI, **PLAN)[0]
        s.advance(oid, "acknowledge", "x", "a1")
        s.advance(oid, "handle", "x", "h1")
        with pytest.raises(NotPermitted, match="operator role may not verify"):
            s.advance(oid, "verify", "x", "v1")
        with pytest.raises(NotPermitted, match="may not cancel"):
            s.advance(oid, "cancel", "x", "c1", note="dup")
        assert s.state(oid) == "handled"  # nothing was recorded
    with open_store(url("jfb_lead")) as s:
        s.advance(oid, "verify", "x", "v1")
        s.advance(oid, "close", "x", "c1")
        assert s.state(oid) == "closed"
    with open_store(url("watcher")) as s:  # an observer reads everything in scope, writes nothing
        assert len(s.orders()) == 1
        with pytest.raises(NotPermitted):
            s.create(9, "x", "k9", area=JIEFANGBEI, **PLAN)
    with pytest.raises(Exception, match="permission denied"), open_store(url("coach")) as s:
        s.orders()  # a trainer has no access to the live log at all


def test_escalate_delegate_supervise_return(levels):
    url, admin = levels
    due = datetime(2030, 1, 1)
    with open_store(url("jfb_lead")) as street:
        oid = street.create(1, "x", "k1", area=JIEFANGBEI, **PLAN)[0]
        street.advance(oid, "acknowledge", "x", "a1")
        with pytest.raises(NotPermitted, match="centre above"):
            street.advance(oid, "escalate", "x", "e0", note="too big", owner=CHAOTIANMEN)
        street.advance(oid, "escalate", "x", "e1", note="需要区级协调", owner=YUZHONG)
        # informed, but no longer acting
        row = street.orders().set_index("order_id").loc[oid]
        assert row["owner"] == YUZHONG and row["state"] == "acknowledged"
        with pytest.raises(NotPermitted, match="informed but does not act"):
            street.advance(oid, "handle", "x", "h1")
    with open_store(url("yz_lead")) as district:
        row = district.orders().set_index("order_id").loc[oid]
        assert (row["owner"], row["owner_action"]) == (YUZHONG, "escalate")
        with pytest.raises(NotPermitted, match="whose area holds the event"):
            district.advance(oid, "delegate", "x", "d0", owner=CHAOTIANMEN, due=due)
        district.advance(oid, "delegate", "x", "d1", owner=JIEFANGBEI, due=due,
                         note="街道牵头处置")
    with open_store(url("city_lead")) as city:
        past = datetime.now() - timedelta(minutes=5)
        city.advance(oid, "supervise", "x", "s1", note="限时办结", due=past)
    for who in ("jfb_lead", "yz_lead"):  # overdue supervision shows at both levels
        with open_store(url(who)) as s:
            row = s.orders().set_index("order_id").loc[oid]
            assert row["supervisions"] == 1 and bool(row["supervision_overdue"])
    with open_store(url("jfb_lead")) as street:
        street.advance(oid, "handle", "x", "h1")  # owner again: acts
        street.advance(oid, "return", "x", "r1", note="超出街道职能", owner=YUZHONG)
        assert street.orders().set_index("order_id").loc[oid, "owner"] == YUZHONG
    with open_store(admin) as owner:  # the chain verifies across every level's rows
        assert owner.verify() == []
        assert list(owner.history(oid)["action"]) == [
            "create", "acknowledge", "escalate", "delegate", "supervise", "handle", "return"]


def test_event_actions_are_recorded_as_the_login_in_its_area(levels):
    """不予派遣, 合并 and a routing correction at a street seat: the server records who and
    where, scopes the rows like orders, and the roles decide (a duty leader dismisses)."""
    url, admin = levels
    with open_store(url("jfb_op")) as s:
        with pytest.raises(ValueError, match="needs the area"):
            s.correct(7, "x", "c0", from_type="ET-A", to_type="ET-B")
        seq = s.correct(7, "somebody", "c1", from_type="ET-A", to_type="ET-B", text="井盖没了",
                        area=JIEFANGBEI)
        s.dispose(8, "merge", "x", "m1", "同一井盖", duplicate_of="7", area=JIEFANGBEI)
        with pytest.raises(NotPermitted, match="operator role may not dismiss"):
            s.dispose(9, "dismiss", "x", "d1", "误报", area=JIEFANGBEI)
        with pytest.raises(NotPermitted, match="outside centre"):
            s.dispose(9, "merge", "x", "m2", "重复", duplicate_of="7", area=GUANYINQIAO)
    with open_store(url("jfb_lead")) as s:
        assert s.dispose(9, "dismiss", "x", "d1", "误报", area=JIEFANGBEI).state == "dismissed"
    with open_store(admin) as owner:
        log = owner.log()
        rows = log[log["event_id"].isin(["7", "8", "9"])].set_index("event_id")
        assert list(rows["operator"]) == ["jfb_op", "jfb_op", "jfb_lead"]
        assert set(rows["centre"]) == {JIEFANGBEI} and set(rows["area"]) == {JIEFANGBEI}
        assert int(rows.loc["7", "seq"]) == seq and owner.verify() == []
    with open_store(url("ctm_lead")) as other:  # another street does not see them
        log = other.log()
        assert not set(log["event_id"].astype(str)) & {"7", "8", "9"}


def test_a_lower_centre_cannot_supervise_upwards(levels):
    url, _ = levels
    with open_store(url("yz_lead")) as district:
        oid = district.create(1, "x", "k1", area=JIEFANGBEI, owner=YUZHONG, **PLAN)[0]
    with open_store(url("jfb_lead")) as street, pytest.raises(NotPermitted, match="below it"):
        street.advance(oid, "supervise", "x", "s1", note="?", due=datetime(2030, 1, 1))


def _cockpit(*argv: str, cache):
    import os
    import subprocess
    import sys

    env = dict(os.environ, COCKPIT_CACHE_HOME=str(cache))
    return subprocess.run([sys.executable, "-P", "-m", "cockpit", *argv], capture_output=True,
                          text=True, env=env, timeout=300)


def test_centre_commands_set_up_a_store_from_a_dataset(pg_url, small_dataset_master, tmp_path):
    import duckdb

    r = _cockpit("centre", "init", pg_url, "--data", str(small_dataset_master), cache=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "row-level security on" in r.stdout
    units = {c: (lv, p) for c, lv, p in duckdb.sql(
        "SELECT code, level, parent_code"
        f" FROM read_parquet('{small_dataset_master}/admin_unit.parquet')"
        " WHERE level IN ('street', 'district')").fetchall()}
    street = next(c for c, (lv, _) in sorted(units.items()) if lv == "street")
    district = units[street][1]
    for name, code, role in [("st_lead", street, "leader"), ("di_op", district, "operator")]:
        r = _cockpit("centre", "add-operator", pg_url, "--centre", code, "--role", role, name,
                     cache=tmp_path)
        assert r.returncode == 0, r.stderr
    with open_store(as_login(pg_url, "st_lead")) as s:
        assert (s.centre, s.role) == (street, "leader")
        s.create(7, "x", "k", area=street, **PLAN)
    with open_store(as_login(pg_url, "di_op")) as s:
        assert list(s.orders()["event_id"]) == ["7"]
    bad = _cockpit("centre", "add-operator", pg_url, "--centre", "999999", "--role", "leader",
                   "ghost", cache=tmp_path)
    assert bad.returncode == 5 and "no unit '999999'" in bad.stderr
    bad = _cockpit("centre", "add-operator", pg_url, "--centre", street, "--role", "leader",
                   "Robert'); DROP TABLE dispatch_log;--", cache=tmp_path)
    assert bad.returncode == 5 and "login name" in bad.stderr
    bad = _cockpit("centre", "init", str(tmp_path / "x.duckdb"), cache=tmp_path)
    assert bad.returncode == 5 and "PostgreSQL" in bad.stderr


def test_a_login_that_needs_a_password_is_recognised(pg_server, pg_url, monkeypatch):
    """The cockpit asks for a password at start only when the server wants one that libpq
    does not already have (URL, PGPASSWORD, pgpass, service file)."""
    from cockpit.datasets.dispatch.centres import needs_password

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE ROLE pw_seat LOGIN PASSWORD 's3cret'")
    hba = pg_server.data / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text("host all pw_seat 127.0.0.1/32 scram-sha-256\n" + before)
    try:
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("SELECT pg_reload_conf()")
        monkeypatch.delenv("PGPASSWORD", raising=False)
        assert needs_password(as_login(pg_url, "pw_seat"))
        assert not needs_password(pg_url)  # trust for everybody else
        monkeypatch.setenv("PGPASSWORD", "s3cret")
        assert not needs_password(as_login(pg_url, "pw_seat"))
    finally:
        hba.write_text(before)
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("SELECT pg_reload_conf()")
