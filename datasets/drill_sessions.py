"""Saved drill sessions: what a closed drill window leaves for later — no Qt.

A drill writes its orders to its own store (``<drills>/<session_id>.duckdb``, see
:class:`cockpit.datasets.drill.DrillSession`). When its window closes, the trainer chooses to
end the drill (the after-action report is written) or to keep it for later; either way
:func:`save_session` writes ``<session_id>.json`` beside the store: the scenario, the drill
clock's time, whether it ended and the report's path. :func:`saved_sessions` lists them, newest
first, for a drill list to offer (review an ended drill, continue one kept for later).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["SavedSession", "save_session", "saved_sessions", "saved_session"]


@dataclass(frozen=True)
class SavedSession:
    """One drill session as its window left it."""

    session_id: str
    scenario_id: str
    title: str
    store: str
    clock: str  # the drill clock's time when the window closed (ISO, local)
    ended: bool
    saved_at: str  # ISO, local
    report: str | None = None  # the after-action PDF (an ended drill)


def save_session(drill_dir: Path | str, session_id: str, scenario_id: str, title: str,
                 store: Path | str, clock: datetime, ended: bool,
                 report: Path | str | None = None) -> Path:
    """Write the session's state beside its store (atomically); returns the file."""
    s = SavedSession(session_id, scenario_id, title, str(store), clock.isoformat(), ended,
                     datetime.now().replace(microsecond=0).isoformat(),
                     str(report) if report else None)
    folder = Path(drill_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{session_id}.json"
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(asdict(s), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def saved_sessions(drill_dir: Path | str) -> list[SavedSession]:
    """The sessions saved in ``drill_dir``, newest first (unreadable files are skipped)."""
    out = []
    for f in Path(drill_dir).glob("*.json"):
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
            out.append(SavedSession(**{k: d.get(k) for k in SavedSession.__dataclass_fields__}))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(out, key=lambda s: s.saved_at or "", reverse=True)


def saved_session(drill_dir: Path | str, session_id: str) -> SavedSession:
    """The kept, unfinished session ``session_id`` of ``drill_dir``, to continue; raises
    ValueError naming what is wrong (no such session, ended, store gone)."""
    if not session_id or any(c in session_id for c in "/\\") or session_id.startswith("."):
        raise ValueError(f"{session_id!r} is not a drill session id")
    folder = Path(drill_dir)
    found = next((s for s in saved_sessions(folder) if s.session_id == session_id), None)
    if found is None:
        raise ValueError(f"no saved drill session {session_id!r} in {folder}")
    if found.ended:
        raise ValueError(f"the drill session {session_id!r} has ended: its report is "
                         f"{found.report or 'not written'}")
    if not (folder / f"{session_id}.duckdb").exists():
        raise ValueError(f"the drill session {session_id!r} has lost its store "
                         f"{folder / f'{session_id}.duckdb'}")
    return found
