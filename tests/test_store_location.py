"""Where the dispatch store is: one per dataset by default, the old shared store named, and the
reason the window runs read-only when the store cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from cockpit.datasets.dispatch import open_store

from cockpit.controllers import store as S


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("COCKPIT_DATA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_each_dataset_has_its_own_default_store(home: Path, tmp_path: Path, qapp) -> None:
    a, b = tmp_path / "city", tmp_path / "district"
    assert S.default_store_path(a) != S.default_store_path(b)
    assert S.default_store_path(a) == S.default_store_path(tmp_path / "x" / ".." / "city")
    assert S.default_store_path(a).is_relative_to(home / "stores")
    # two cockpits on two datasets: both stores open for writing at once
    sa, pa = S.open_default_store(dataset=a)
    sb, pb = S.open_default_store(dataset=b)
    try:
        assert (pa, pb) == (None, None)
        sa.create(1, "alice", "k1", dept_id="D-1")
        sb.create(1, "bob", "k1", dept_id="D-1")
        assert len(sa.orders()) == 1 and len(sb.orders()) == 1
    finally:
        sa.close()
        sb.close()


def test_the_old_shared_store_is_named_once_and_left_alone(home: Path, tmp_path: Path,
                                                          qapp) -> None:
    old = S.legacy_store_path()
    with open_store(old) as s:
        s.create(7, "alice", "k", dept_id="D-1")
    before = old.read_bytes()
    store, notice = S.open_default_store(dataset=tmp_path / "city")
    store.close()
    assert notice is not None and str(old) in notice and f"--store {old}" in notice
    store, notice = S.open_default_store(dataset=tmp_path / "city")  # the second start
    store.close()
    assert notice is None
    assert old.read_bytes() == before
    # a store given explicitly gets no notice
    store, notice = S.open_default_store(tmp_path / "explicit.duckdb")
    store.close()
    assert notice is None


def test_a_held_store_gives_the_read_only_reason_naming_the_holder(home: Path, tmp_path: Path,
                                                                   hold_store, qapp) -> None:
    path = tmp_path / "held.duckdb"
    open_store(path).close()
    with hold_store(path) as holder:
        store, reason = S.open_default_store(path)
    assert store is None and str(holder.pid) in reason


def test_a_file_that_is_not_a_store_gives_the_reason(home: Path, tmp_path: Path, qapp) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("just some text, not a database")
    store, reason = S.open_default_store(path)
    assert store is None and str(path) in reason and "派遣库无法打开" in reason
    assert path.read_text() == "just some text, not a database"
