"""Where the cockpit keeps its dispatch store, and opening it without crashing the window.

The embedded default is one DuckDB file per dataset in the user's data directory
(``<data dir>/stores/<dataset name>-<hash of its path>/dispatch.duckdb``; ``COCKPIT_DATA_HOME``
moves the data directory), so that cockpits on two datasets never share (or lock each other
out of) a store. A multi-seat centre points every seat at one PostgreSQL database instead
(``cockpit --store postgresql://user@host/db``). Beside a DuckDB store: ``dispatch.duckdb.key``
and ``dispatch.duckdb.head`` (the signed chain head, see :mod:`cockpit.datasets.dispatch`), and
the event feed's state (``event_feed.json``). The inbox is ``<data dir>/inbox``; drill session
stores are in ``<data dir>/drills``.

Before stores were per dataset, every dataset shared ``<data dir>/dispatch.duckdb``
(:func:`legacy_store_path`). It is never moved or deleted: when a dataset's own store is
created while that file exists, :func:`open_default_store` says where the old one is and how
to open it (``--store``).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path
from typing import Any

from cockpit import paths
from cockpit.datasets.dispatch import (
    DispatchError,
    DispatchStore,
    StoreLocked,
    StoreRecovered,
    StoreWriteError,
    is_pg_location,
    open_store,
)

STORE_NAME = "dispatch.duckdb"


def dataset_key(dataset_dir: Path | str) -> str:
    """A folder name for a dataset: its directory's name and a hash of its full path."""
    d = Path(dataset_dir).expanduser().resolve()
    name = re.sub(r"[^\w.-]+", "_", d.name)[:40] or "dataset"
    return f"{name}-{hashlib.sha1(str(d).encode()).hexdigest()[:8]}"


def default_store_path(dataset_dir: Path | str | None = None) -> Path:
    """The dataset's own store, ``<user data dir>/stores/<dataset key>/dispatch.duckdb``
    (default: the built-in demo dataset's)."""
    d = dataset_dir if dataset_dir is not None else paths.default_dataset_dir()
    return paths.data_dir() / "stores" / dataset_key(d) / STORE_NAME


def legacy_store_path() -> Path:
    """``<user data dir>/dispatch.duckdb``: the store every dataset shared before stores were
    per dataset (kept as it is; open it with ``--store``)."""
    return paths.data_dir() / STORE_NAME


def drills_dir() -> Path:
    """Where drill session stores and their after-action reports go."""
    return paths.data_dir() / "drills"


def legacy_notice(new_store: Path) -> str | None:
    """When ``new_store`` is about to be created while the old shared store exists: where the
    old one is and how to open it (else None)."""
    old = legacy_store_path()
    if new_store.exists() or not old.exists():
        return None
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(
        "store_location",
        "派遣库现按数据集分开，本数据集启用新的派遣库 {new}。此前各数据集共用的派遣库"
        "仍在 {old}，未作改动；用 --store {old} 打开它。").format(new=new_store, old=old)


def feed_state_path(store_path: Path | None = None) -> Path:
    """The directory feed's state file: beside ``store_path``, by default
    ``<user data dir>/event_feed.json`` (where it always was: the inbox files it records as
    read are not read twice)."""
    return store_path.with_name("event_feed.json") if store_path else (
        paths.data_dir() / "event_feed.json")


def default_drop_dir() -> Path:
    """The folder the directory feed watches by default: ``<user data dir>/inbox``."""
    return paths.data_dir() / "inbox"


def open_default_store(path: Path | str | None = None, dataset: Path | str | None = None,
                       **kw: Any) -> tuple[DispatchStore | None, str | None]:
    """Open the dispatch store (default: :func:`default_store_path` of ``dataset``; a
    ``postgresql://`` URL opens the shared store).

    Returns ``(store, None)`` when all is well; ``(store, text)`` when it opened but part of
    its write-ahead log had to be set aside (``store.recovered``: tell the operator loudly);
    ``(None, text)`` when it cannot be opened — held by another cockpit (:class:`StoreLocked`,
    the text names the holder), not writable, not a dispatch store, or a PostgreSQL server that
    cannot be reached — so that the window runs
    read-only with the reason in a banner instead of crashing; ``(store, text)`` too when a
    dataset's own default store is created while the old shared one exists
    (:func:`legacy_notice`). ``kw`` goes to
    :func:`cockpit.datasets.dispatch.open_store` (``seat``, ``source``, ``clock``, ``key``).
    """
    if is_pg_location(path):
        from cockpit.datasets.dispatch.pg_store import redacted

        p: Path | str = str(path)
        shown: Path | str = redacted(str(path))
    else:
        p = Path(path).expanduser() if path else default_store_path(dataset)
        shown = p
    notice = None if path else legacy_notice(Path(p))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StoreRecovered)  # reported through the result
            store = open_store(p, **kw)
    except StoreLocked as e:
        return None, str(e)
    except StoreWriteError as e:
        return None, str(e)
    except DispatchError as e:
        return None, _cannot_open(shown, e)
    except Exception as e:  # noqa: BLE001 - the window must run on, read-only, and say why
        return None, _cannot_open(shown, f"{type(e).__name__}: {e}")
    if store.recovered is not None:
        return store, str(store.recovered)
    return store, notice


def _cannot_open(path: Path | str, error: object) -> str:
    """Why the store did not open, in the interface language (shown in the window)."""
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("store_location", "派遣库无法打开 {path}：{error}").format(
        path=path, error=error)
