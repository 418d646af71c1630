"""Where the cockpit keeps its dispatch store, and opening it without crashing the window.

The embedded default is a DuckDB file in the user's data directory
(``<data dir>/dispatch.duckdb``; ``COCKPIT_DATA_HOME`` moves the data directory). A multi-seat
centre points every seat at one PostgreSQL database instead (``cockpit --store
postgresql://user@host/db``); the event feed's files stay in the data directory. Beside it:
``dispatch.duckdb.key`` and ``dispatch.duckdb.head`` (the signed chain head, see
:mod:`cockpit.datasets.dispatch`), and the event feed's state and inbox
(``event_feed.json``, ``event_feed.json.inbox.jsonl``).
"""

from __future__ import annotations

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


def default_store_path() -> Path:
    """``<user data dir>/dispatch.duckdb``."""
    return paths.data_dir() / STORE_NAME


def feed_state_path(store_path: Path | None = None) -> Path:
    """The directory feed's state file, beside the store."""
    return (store_path or default_store_path()).with_name("event_feed.json")


def default_drop_dir() -> Path:
    """The folder the directory feed watches by default: ``<user data dir>/inbox``."""
    return paths.data_dir() / "inbox"


def open_default_store(path: Path | str | None = None, **kw: Any
                       ) -> tuple[DispatchStore | None, str | None]:
    """Open the dispatch store (default: :func:`default_store_path`; a ``postgresql://`` URL
    opens the shared store).

    Returns ``(store, None)`` when all is well; ``(store, text)`` when it opened but part of
    its write-ahead log had to be set aside (``store.recovered``: tell the operator loudly);
    ``(None, text)`` when it cannot be opened — held by another cockpit (:class:`StoreLocked`,
    the text names the holder), not writable, not a dispatch store, or a PostgreSQL server that
    cannot be reached — so that the window runs
    read-only with the reason in a banner instead of crashing. ``kw`` goes to
    :func:`cockpit.datasets.dispatch.open_store` (``seat``, ``source``, ``clock``, ``key``).
    """
    if is_pg_location(path):
        from cockpit.datasets.dispatch.pg_store import redacted

        p: Path | str = str(path)
        shown: Path | str = redacted(str(path))
    else:
        p = Path(path).expanduser() if path else default_store_path()
        shown = p
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
    return store, None


def _cannot_open(path: Path | str, error: object) -> str:
    """Why the store did not open, in the interface language (shown in the window)."""
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("store_location", "派遣库无法打开 {path}：{error}").format(
        path=path, error=error)
