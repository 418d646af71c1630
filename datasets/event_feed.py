"""Events arriving in live mode, and the departments answering in the demo.

An **event source** is anything with ``name`` and ``poll(now) -> FeedBatch``: the events that
arrived since the last poll (up to ``now``) and the problems met on the way. Three are here:

- :class:`EventSimulator` — the demo's stream: sensor alarms, AI-camera detections (占道经营 …),
  grid-worker reports, hotline complaints (民呼我为), drones and patrols, at the rates and
  places of the dataset's own history (:meth:`SimProfile.from_catalog` samples the catalog's
  event history: rates per source and hour of day, and whole past events as templates, so that
  types, severities and places follow the data — sensor alarms stay at their risk points). It
  is deterministic: the events of a minute depend only on the seed, the profile and the minute,
  never on how often it is polled.
- :class:`DirectoryFeed` — JSON Lines (``*.jsonl``, ``*.ndjson``) or CSV files dropped into a
  folder are ingested once each. Only complete lines are read; a file that grows is read on from
  where it stopped. Ingested files and byte offsets are remembered in a small JSON state file
  (written atomically: temporary file, fsync, rename); every ingested event is appended, synced,
  to an inbox file beside it *before* the offsets move on, so nothing is lost on restart: a
  restart hands back the inbox's recent events and reads every file on from its offset (a crash
  between the two writes re-reads a few lines; their event ids are already known and they are
  skipped). Bad lines are reported with file and line (:class:`FeedProblem`) and skipped.
- :class:`DepartmentSimulator` — not a source: in demo live mode it answers open dispatch
  orders for the departments (acknowledge → handle → verify → close) with realistic delays,
  some of them late, through the dispatch store's public API with ``source="simulator"``.

Record fields of a dropped file (JSON keys or CSV header names):

==================  ======================================================================
``type_id``         event type (``event_type.type_id``); required unless ``description`` is
                    given — then the cockpit routes the words (智能分拨) and the event waits
                    for the operator (待分拨) when the router is not sure
``description``     the report's own words, optional
``occurred_at``     ISO time, required; naive = the dataset's local time, an offset is
                    converted to it
``lon``, ``lat``    WGS-84 degrees, required
``source``          sensor / ai_camera / grid_worker / hotline / drone / patrol (or the
                    Chinese labels 传感器 AI视频 网格员 民呼我为 无人机 巡查), required
``severity``        1 (highest) … 4; default: the type's default severity, else 3
``event_id``        the sender's id, optional; the event's id here is ``F-<event_id>``
                    (``F-<file>-<line>`` without one), so it never clashes with the catalog's
``title``           short description, optional
``district_code``,  the place's codes, optional (the cockpit finds them from lon/lat)
``street_code``
``point_id``        risk point concerned, optional
==================  ======================================================================

Times: events carry naive datetimes in the dataset's local time, like the catalog's ``event``
table; ``poll(now)`` takes the screen's clock in the same convention.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import math
import os
import random
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd
from cockpit.datasets.dispatch import FINISHED, DispatchError, IllegalTransition
from cockpit.datasets.dispatch.ledger import next_actions
from cockpit.datasets.schema import EVENT_SOURCES
from cockpit.datasets.stages import ACTION_STAGE, DEFAULT_STAGES

__all__ = [
    "FeedEvent", "FeedProblem", "FeedBatch", "EventSource", "SimProfile", "Template",
    "EventSimulator", "DirectoryFeed", "DepartmentSimulator", "SOURCE_ALIASES",
    "DEPARTMENT_ACTIONS",
]

log = logging.getLogger(__name__)

#: Chinese labels accepted for the ``source`` field.
SOURCE_ALIASES = {"传感器": "sensor", "AI视频": "ai_camera", "AI摄像头": "ai_camera",
                  "网格员": "grid_worker", "民呼我为": "hotline", "热线": "hotline",
                  "无人机": "drone", "巡查": "patrol"}
_EPOCH = datetime(2000, 1, 1)


# --------------------------------------------------------------------------- plain values


@dataclass(frozen=True)
class FeedEvent:
    """One event that arrived from a source (not from the catalog)."""

    event_id: str
    type_id: str
    source: str
    occurred_at: datetime  # naive, the dataset's local time
    lon: float
    lat: float
    severity: int
    title: str = ""
    district_code: str | None = None
    street_code: str | None = None
    point_id: int | None = None
    feed: str = ""  # the source that delivered it: simulator, directory …
    received_at: datetime | None = None
    #: the pipe network whose burst analysis is its impact, when the source says (a drill
    #: scenario's ``network``); else the event type's (``event_type.network``)
    network: str | None = None
    description: str = ""  # the report's own words (an event without a type is routed by them)
    #: the point was found from an address or a place's name (a unit's centre), not given by
    #: the sender: it says where the report roughly is, not what is around it (the router
    #: reads no surroundings for it)
    located: bool = False

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["occurred_at"] = self.occurred_at.isoformat()
        d["received_at"] = self.received_at.isoformat() if self.received_at else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FeedEvent:
        kw = {k: d.get(k) for k in cls.__dataclass_fields__}
        kw["occurred_at"] = datetime.fromisoformat(d["occurred_at"])
        kw["received_at"] = (datetime.fromisoformat(d["received_at"])
                             if d.get("received_at") else None)
        kw["severity"] = int(d["severity"])
        kw["lon"], kw["lat"] = float(d["lon"]), float(d["lat"])
        kw["title"] = d.get("title") or ""
        kw["feed"] = d.get("feed") or ""
        kw["description"] = d.get("description") or ""
        kw["located"] = bool(d.get("located"))
        return cls(**kw)


@dataclass(frozen=True)
class FeedProblem:
    """A line that was skipped (``line`` 0: about the whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else \
            f"{self.file}: {self.message}"


@dataclass
class FeedBatch:
    """What one poll brought: new events (oldest first) and problems."""

    events: list[FeedEvent] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list)


class EventSource(Protocol):
    """Where live events come from."""

    name: str

    def poll(self, now: datetime) -> FeedBatch:
        """Events that arrived after the previous poll, up to ``now`` (the screen's clock)."""
        ...


# --------------------------------------------------------------------------- simulator


@dataclass(frozen=True)
class Template:
    """A past event whose type, severity and place a simulated event takes."""

    type_id: str
    severity: int
    lon: float
    lat: float
    district_code: str | None
    street_code: str | None
    point_id: int | None
    title: str


@dataclass
class SimProfile:
    """Rates and templates of the simulator, per source.

    ``hourly[source]``: 24 rates, events per hour at each hour of the day; ``templates[source]``:
    past events of that source, drawn uniformly from the history (so their types, severities
    and places are distributed as in the data).
    """

    hourly: dict[str, list[float]]
    templates: dict[str, list[Template]]
    days: float = 0.0  # length of history the rates were measured on

    def per_day(self, source: str | None = None) -> float:
        """Expected events per day (of one source, or of all)."""
        srcs = [source] if source else list(self.hourly)
        return float(sum(sum(self.hourly.get(s, [])) for s in srcs))

    @classmethod
    def from_catalog(cls, con: duckdb.DuckDBPyConnection, as_of: datetime | None = None,
                     days: float = 28.0, max_templates: int = 2000, seed: int = 1
                     ) -> SimProfile:
        """Measure the rates over the ``days`` before ``as_of`` (default: the data's end) and
        sample up to ``max_templates`` past events per source (deterministic for a seed)."""
        first, last = con.execute("SELECT min(occurred_at), max(occurred_at) FROM event"
                                  ).fetchone()
        if last is None:
            return cls({s: [0.0] * 24 for s in EVENT_SOURCES}, {s: [] for s in EVENT_SOURCES})
        t1 = min(as_of, last) if as_of is not None else last
        t0 = max(first, t1 - timedelta(days=days))
        span = max((t1 - t0).total_seconds() / 86400.0, 1 / 24)
        params = {"t0": t0, "t1": t1}
        hourly = {s: [0.0] * 24 for s in EVENT_SOURCES}
        for src, h, n in con.execute(
                """SELECT source, hour(occurred_at), count(*) FROM event
                   WHERE occurred_at > $t0 AND occurred_at <= $t1 GROUP BY ALL""",
                params).fetchall():
            hourly.setdefault(src, [0.0] * 24)[int(h)] = n / span
        templates: dict[str, list[Template]] = {s: [] for s in hourly}
        rows = con.execute(
            """SELECT source, type_id, severity, lon, lat, district_code, street_code, point_id,
                      title
               FROM (SELECT *, row_number() OVER (PARTITION BY source
                                                  ORDER BY hash(event_id, $seed), event_id) AS rn
                     FROM event WHERE occurred_at > $t0 AND occurred_at <= $t1)
               WHERE rn <= $n ORDER BY source, rn""",
            {**params, "seed": int(seed), "n": int(max_templates)}).fetchall()
        for src, tid, sev, lon, lat, dc, sc, pid, title in rows:
            templates.setdefault(src, []).append(Template(
                tid, int(sev), float(lon), float(lat), dc, sc,
                None if pid is None else int(pid), title or ""))
        return cls(hourly, templates, span)


def _minute_of(t: datetime) -> int:
    return int((t - _EPOCH).total_seconds() // 60)


class EventSimulator:
    """The demo's live events (see the module doc). ``rate_scale`` multiplies every rate;
    ``start``: the first poll returns the events since ``start`` (default: none)."""

    name = "simulator"

    def __init__(self, profile: SimProfile, seed: int = 1, rate_scale: float = 1.0,
                 start: datetime | None = None, jitter_m: float = 80.0) -> None:
        self.profile = profile
        self.seed = int(seed)
        self.rate_scale = float(rate_scale)
        self.jitter_m = float(jitter_m)
        self._until: datetime | None = start
        self._cache: tuple[int, list[FeedEvent]] | None = None

    def poll(self, now: datetime) -> FeedBatch:
        if self._until is None or now < self._until:  # first poll, or the clock went back
            self._until = now
            return FeedBatch()
        events = self.events_between(self._until, now)
        self._until = now
        return FeedBatch(events)

    def events_between(self, t0: datetime, t1: datetime) -> list[FeedEvent]:
        """The simulated events with ``t0 < occurred_at <= t1``, oldest first."""
        out: list[FeedEvent] = []
        for m in range(_minute_of(t0), _minute_of(t1) + 1):
            out += [e for e in self._minute(m) if t0 < e.occurred_at <= t1]
        return out

    def _minute(self, m: int) -> list[FeedEvent]:
        if self._cache is not None and self._cache[0] == m:
            return self._cache[1]
        rng = np.random.default_rng([self.seed, m])
        start = _EPOCH + timedelta(minutes=m)
        hour = start.hour
        events: list[FeedEvent] = []
        j = 0
        for src in EVENT_SOURCES:
            lam = self.profile.hourly.get(src, [0.0] * 24)[hour] / 60.0 * self.rate_scale
            k = int(rng.poisson(lam)) if lam > 0 else 0
            pool = self.profile.templates.get(src) or []
            if not k or not pool:
                continue
            idx = rng.integers(0, len(pool), size=k)
            secs = np.sort(rng.integers(0, 60, size=k))
            dxy = rng.normal(0.0, self.jitter_m, size=(k, 2))
            for i in range(k):
                tpl = pool[int(idx[i])]
                lon, lat = tpl.lon, tpl.lat
                if tpl.point_id is None:  # sensors stay at their risk point
                    lat += dxy[i, 1] / 111_190.0
                    lon += dxy[i, 0] / (111_190.0 * max(math.cos(math.radians(lat)), 0.1))
                at = start + timedelta(seconds=int(secs[i]))
                events.append(FeedEvent(
                    f"SIM-{self.seed}-{m}-{j}", tpl.type_id, src, at, round(lon, 6),
                    round(lat, 6), tpl.severity, tpl.title, tpl.district_code, tpl.street_code,
                    tpl.point_id, feed=self.name, received_at=at))
                j += 1
        events.sort(key=lambda e: (e.occurred_at, e.event_id))
        self._cache = (m, events)
        return events


# --------------------------------------------------------------------------- directory feed


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


class DirectoryFeed:
    """JSON Lines / CSV files dropped into ``folder``, each ingested once (see the module doc).

    ``state_path``: the JSON state file (ingested files and byte offsets); the inbox of
    ingested events is ``<state_path>.inbox.jsonl`` unless ``inbox_path`` is given.
    ``type_ids``: the catalog's event types, to refuse unknown ones; ``default_severity``:
    type → severity for records without one. ``keep``: how far back a restart hands back the
    inbox's events. ``local_tz``: the dataset's local time zone, for times given with an offset
    (default: this machine's).
    """

    name = "directory"
    SUFFIXES = (".jsonl", ".ndjson", ".csv")
    MAX_BYTES_PER_POLL = 8 << 20

    def __init__(self, folder: str | Path, state_path: str | Path, *,
                 inbox_path: str | Path | None = None, type_ids: Iterable[str] | None = None,
                 default_severity: Mapping[str, int] | None = None,
                 keep: timedelta = timedelta(hours=24), local_tz: tzinfo | None = None) -> None:
        self.folder = Path(folder)
        self.state_path = Path(state_path)
        self.inbox_path = Path(inbox_path) if inbox_path else \
            self.state_path.with_name(self.state_path.name + ".inbox.jsonl")
        self.type_ids = set(type_ids) if type_ids is not None else None
        self.default_severity = dict(default_severity or {})
        self.keep = keep
        self.local_tz = local_tz
        self.problems: list[FeedProblem] = []  # the most recent ones, for a status line
        self._files: dict[str, dict[str, Any]] = {}
        self._seen: set[str] = set()
        self._restored: list[FeedEvent] | None = None
        self._load_state()
        self._load_inbox()

    # ---- public API ----------------------------------------------------------------------
    def poll(self, now: datetime) -> FeedBatch:
        batch = FeedBatch()
        if self._restored is not None:  # the first poll after a start hands the inbox back
            batch.events += [e for e in self._restored if e.occurred_at > now - self.keep]
            self._restored = None
        new: list[FeedEvent] = []
        changed = False
        for path in self._candidates():
            ev, pr, moved = self._read_file(path, now)
            new += ev
            batch.problems += pr
            changed |= moved
        if new:
            self._append_inbox(new)  # first the events, durably …
        if changed:
            self._save_state()  # … then the offsets
        batch.events += new
        if batch.problems:
            for p in batch.problems:
                log.warning("event feed: %s", p)
            self.problems = (self.problems + batch.problems)[-200:]
        return batch

    def ingested(self) -> dict[str, dict[str, Any]]:
        """The state: file name → {offset, line, head, size}."""
        return json.loads(json.dumps(self._files))

    # ---- state ---------------------------------------------------------------------------
    def _load_state(self) -> None:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
            self._files = dict(data.get("files", {}))
        except FileNotFoundError:
            self._files = {}
        except (OSError, ValueError) as e:
            # never start over silently: keep the unreadable file, report it
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.state_path.with_name(f"{self.state_path.name}.unreadable-{stamp}")
            with contextlib.suppress(OSError):
                os.replace(self.state_path, aside)
            self.problems.append(FeedProblem(str(self.state_path), 0,
                                             f"state file unreadable ({e}); kept as "
                                             f"{aside.name}; files are read again and events "
                                             "already in the inbox are skipped"))
            self._files = {}

    def _save_state(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"version": 1, "folder": str(self.folder), "files": self._files},
                          ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        _atomic_write(self.state_path, body)

    def _load_inbox(self) -> None:
        events: list[FeedEvent] = []
        try:
            lines = self.inbox_path.read_bytes().splitlines()
        except FileNotFoundError:
            lines = []
        for n, raw in enumerate(lines, start=1):
            try:
                e = FeedEvent.from_dict(json.loads(raw))
            except (ValueError, KeyError, TypeError) as exc:  # a torn last line after a crash
                self.problems.append(FeedProblem(str(self.inbox_path), n,
                                                 f"unreadable inbox line skipped: {exc}"))
                continue
            if e.event_id not in self._seen:
                self._seen.add(e.event_id)
                events.append(e)
        self._restored = events

    def _append_inbox(self, events: list[FeedEvent]) -> None:
        self.inbox_path.parent.mkdir(parents=True, exist_ok=True)
        data = b"".join(json.dumps(e.as_dict(), ensure_ascii=False).encode("utf-8") + b"\n"
                        for e in events)
        fd = os.open(self.inbox_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    # ---- reading -------------------------------------------------------------------------
    def _candidates(self) -> list[Path]:
        try:
            entries = sorted(self.folder.iterdir())
        except FileNotFoundError:
            return []
        return [p for p in entries if p.suffix.lower() in self.SUFFIXES
                and not p.name.startswith(".") and p.is_file()]

    @staticmethod
    def _head(data: bytes) -> str:
        first = data.split(b"\n", 1)[0][:4096]
        return hashlib.sha1(first).hexdigest()[:16]

    def _read_file(self, path: Path, now: datetime
                   ) -> tuple[list[FeedEvent], list[FeedProblem], bool]:
        name = path.name
        try:
            size = path.stat().st_size
            with open(path, "rb") as f:
                head_bytes = f.read(4096)
                st = self._files.get(name)
                problems: list[FeedProblem] = []
                head = self._head(head_bytes)
                if b"\n" not in head_bytes and size < 4096:
                    return [], [], False  # not even one complete line yet
                if st is not None and (st.get("head") != head or size < st.get("offset", 0)):
                    problems.append(FeedProblem(name, 0, "the file was replaced or truncated "
                                                "since it was read; reading it again from the "
                                                "start (events already ingested are skipped)"))
                    st = None
                if st is None:
                    st = {"offset": 0, "line": 0, "head": head, "size": 0}
                if st["offset"] >= size:
                    return [], problems, False
                f.seek(st["offset"])
                chunk = f.read(self.MAX_BYTES_PER_POLL)
        except OSError as e:
            return [], [FeedProblem(name, 0, f"cannot read: {e}")], False
        end = chunk.rfind(b"\n")
        if end < 0:
            return [], problems, False  # the writer has not finished the line
        lines = chunk[:end + 1].split(b"\n")[:-1]
        is_csv = path.suffix.lower() == ".csv"
        header: list[str] | None = None
        if is_csv:
            header = self._csv_header(head_bytes)
        events: list[FeedEvent] = []
        line_no = st["line"]
        file_key = hashlib.sha1(f"{name}|{head}".encode()).hexdigest()[:8]
        for raw in lines:
            line_no += 1
            if is_csv and line_no == 1:
                continue  # the header
            text = raw.rstrip(b"\r")
            if not text.strip():
                continue
            try:
                s = text.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as e:
                problems.append(FeedProblem(name, line_no, f"not UTF-8 text: {e}"))
                continue
            try:
                rec = self._csv_record(s, header) if is_csv else json.loads(s)
                if not isinstance(rec, dict):
                    raise ValueError("a line must be one JSON object")
                ev = self._event(rec, file_key, line_no, now)
            except (ValueError, TypeError) as e:
                problems.append(FeedProblem(name, line_no, str(e)))
                continue
            if ev.event_id in self._seen:
                problems.append(FeedProblem(name, line_no, f"event {ev.event_id} was already "
                                            "ingested; skipped"))
                continue
            self._seen.add(ev.event_id)
            events.append(ev)
        self._files[name] = {"offset": st["offset"] + end + 1, "line": line_no, "head": head,
                             "size": size}
        return events, problems, True

    @staticmethod
    def _csv_header(head_bytes: bytes) -> list[str]:
        first = head_bytes.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig", "replace")
        return [h.strip() for h in next(csv.reader([first]))]

    @staticmethod
    def _csv_record(line: str, header: list[str] | None) -> dict[str, Any]:
        values = next(csv.reader([line]))
        if header is None or len(values) != len(header):
            raise ValueError(f"expected {len(header or [])} CSV fields, found {len(values)}")
        return {k: (v if v != "" else None) for k, v in zip(header, values)}

    def _event(self, rec: dict[str, Any], file_key: str, line_no: int, now: datetime
               ) -> FeedEvent:
        described = rec.get("description") not in (None, "")
        missing = [k for k in ("type_id", "occurred_at", "lon", "lat", "source")
                   if rec.get(k) in (None, "") and not (k == "type_id" and described)]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        type_id = str(rec.get("type_id") or "").strip()
        if type_id and self.type_ids is not None and type_id not in self.type_ids:
            raise ValueError(f"unknown event type {type_id!r}")
        source = str(rec["source"]).strip()
        source = SOURCE_ALIASES.get(source, source)
        if source not in EVENT_SOURCES:
            raise ValueError(f"unknown source {rec['source']!r}: one of "
                             f"{', '.join(EVENT_SOURCES)}")
        try:
            at = datetime.fromisoformat(str(rec["occurred_at"]).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"occurred_at {rec['occurred_at']!r} is not an ISO time") from None
        if at.tzinfo is not None:
            at = at.astimezone(self.local_tz).replace(tzinfo=None)
        try:
            lon, lat = float(rec["lon"]), float(rec["lat"])
        except (TypeError, ValueError):
            raise ValueError(f"lon/lat {rec['lon']!r}, {rec['lat']!r} are not numbers") from None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):
            raise ValueError(f"lon/lat {lon}, {lat} are not a place on Earth")
        sev = rec.get("severity")
        if sev in (None, ""):
            sev = self.default_severity.get(type_id, 3)
        try:
            sev = int(sev)
        except (TypeError, ValueError):
            raise ValueError(f"severity {sev!r} is not 1–4") from None
        if not 1 <= sev <= 4:
            raise ValueError(f"severity {sev} is not 1–4")
        pid = rec.get("point_id")
        try:
            pid = None if pid in (None, "") else int(pid)
        except (TypeError, ValueError):
            raise ValueError(f"point_id {pid!r} is not a number") from None
        given = rec.get("event_id")
        eid = f"F-{str(given).strip()}" if given not in (None, "") else \
            f"F-{file_key}-{line_no}"

        def text(k: str) -> str | None:
            v = rec.get(k)
            return None if v in (None, "") else str(v).strip()

        return FeedEvent(eid, type_id, source, at.replace(microsecond=0), lon, lat, sev,
                         text("title") or "", text("district_code"), text("street_code"), pid,
                         feed=self.name, received_at=now,
                         description=(text("description") or "")[:10_000])


# --------------------------------------------------------------------------- departments

#: What the departments do, in order (评价 evaluate is the centre's, not theirs); an order
#: runs those of its own flow (the order view's ``stages``).
DEPARTMENT_ACTIONS = ("acknowledge", "confirm", "handle", "verify", "close")


def _flow(order: Mapping[str, Any]) -> tuple[str, ...]:
    """The stages of an order (a row of ``store.orders()``)."""
    acts = [a for a in str(order.get("stages") or "").split(",") if a in ACTION_STAGE]
    return tuple(ACTION_STAGE[a] for a in acts) or DEFAULT_STAGES


class DepartmentSimulator:
    """Answers open orders for the departments in demo live mode.

    Each order gets a schedule, deterministic from the seed and the order id: every action is
    done at a random moment inside its stage's window (30–90 % of the way from the previous
    deadline to its own), or — with probability ``late_share`` per action — 10–60 % of the
    window *after* its deadline. :meth:`step` performs what is due through the store's public
    API, ``source="simulator"``, with the idempotency key ``sim:<order>:<action>`` (so running
    a step twice, or after a restart, writes nothing twice).
    """

    def __init__(self, seed: int = 1, late_share: float = 0.15) -> None:
        self.seed = int(seed)
        self.late_share = float(late_share)
        self.problems: list[str] = []

    def schedule(self, order: Mapping[str, Any]) -> dict[str, datetime]:
        """When each department action of ``order`` (a row of ``store.orders()``) is done."""
        created = _py_dt(order["created_at"])
        rng = random.Random(f"{self.seed}:{order['order_id']}")
        out: dict[str, datetime] = {}
        prev_due, prev_t = 0.0, 0.0
        flow = _flow(order)
        for a in DEPARTMENT_ACTIONS:
            if ACTION_STAGE[a] not in flow:
                continue
            due_at = _py_dt(order.get(f"{a}_due"))
            due = (due_at - created).total_seconds() / 60 if due_at else prev_due + 1.0
            window = max(due - prev_due, 0.5)
            if rng.random() < self.late_share:
                t = due + rng.uniform(0.1, 0.6) * max(window, 2.0)
            else:
                t = prev_due + rng.uniform(0.3, 0.9) * window
            t = max(t, prev_t + 0.05)
            out[a] = created + timedelta(minutes=t)
            prev_due, prev_t = max(due, prev_due), t
        return out

    def step(self, store: Any, now_utc: datetime, orders: Any = None) -> list[Any]:
        """Do what is due at ``now_utc`` (naive UTC, the store's time); returns the receipts.

        ``orders``: ``store.orders(as_of=now_utc)`` if already at hand (a DataFrame or a list
        of dicts).
        """
        if orders is None:
            orders = store.orders(as_of=now_utc)
        rows = orders.to_dict("records") if hasattr(orders, "to_dict") else list(orders)
        done = []
        for o in rows:
            state = o["state"]
            if state in FINISHED:
                continue
            plan = self.schedule(o)
            flow = _flow(o)
            # after a rework (退回) the stages are done again, under new keys
            again = _py_dt(o.get("rework_at"))
            suffix = f":{again:%Y%m%dT%H%M%S%f}" if again else ""
            while state not in FINISHED:
                nxt = next((a for a in DEPARTMENT_ACTIONS
                            if a in next_actions(state, flow)), None)
                if nxt is None or plan[nxt] > now_utc:
                    break
                try:
                    rec = store.advance(o["order_id"], nxt, f"sim:{o['dept_id']}",
                                        f"sim:{o['order_id']}:{nxt}{suffix}",
                                        note="模拟部门应答 · simulated department",
                                        source="simulator", seat="simulator")
                except IllegalTransition:  # someone else acted on it meanwhile
                    break
                except DispatchError as e:
                    self.problems = (self.problems + [str(e)])[-50:]
                    return done
                done.append(rec)
                state = rec.state
        return done


def _py_dt(v: Any) -> datetime | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else \
            v.astimezone(UTC).replace(tzinfo=None)
    return None
