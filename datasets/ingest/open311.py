"""The Open311 GeoReport v2 endpoint of the intake (FastAPI, served by uvicorn on loopback).

Base path ``/open311/v2`` (JSON only — the ``.json`` format of the spec):

``GET  services.json``          the dataset's event types as services
``POST requests.json``          a report: ``api_key`` (required), ``service_code``
                                (optional: without it the report waits as unclassified,
                                待分拨), ``description``, ``lat`` + ``long`` or
                                ``address_string``, ``attribute[<code>]`` fields (or an
                                ``attributes`` object in a JSON body), ``id`` (the sender's
                                own id: a retry with the same id is not stored twice).
                                Form-encoded (as the spec) or a JSON object.
``GET  requests/{id}.json``     one request with its status from the dispatch log
``GET  requests.json``          requests: ``service_request_id`` (comma list),
                                ``service_code``, ``status`` (open/closed), ``start_date``,
                                ``end_date`` (ISO-8601), newest first, at most 1000

Errors are the spec's array ``[{"code": <HTTP status>, "description": "…"}]``: 400 for bad
input (the request is quarantined with its reason), 403 for a missing or unknown api_key
(nothing written), 404 for an unknown request or path, 429 for a flood (quarantined too).
A created request answers 201 with ``[{"service_request_id": "…", "service_notice": "…",
"account_id": null}]``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from cockpit.datasets.ingest.intake import Intake, report_from_fields
from cockpit.datasets.ingest.store import Quarantined
from cockpit.datasets.ingest.validate import MAX_PAYLOAD, Rejected
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["make_app", "HttpServer", "BASE", "StatusOf"]

BASE = "/open311/v2"
#: event ids → (status "open"/"closed", status notes, updated time or None)
StatusOf = Callable[[list[str]], dict[str, tuple[str, str, datetime | None]]]


def report_event_id(seq: int) -> str:
    """The event id a stored report carries in the cockpit (and in dispatch orders)."""
    return f"L-{int(seq)}"


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _error(status: int, description: str) -> Response:
    return _json([{"code": status, "description": description}], status)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone().isoformat(timespec="seconds")


class _NeverATraceback:
    """An error inside a request answers 500 with the spec's error array, never a stack
    trace. Plain ASGI: Starlette's ``@app.middleware("http")`` runs every request through
    an extra task and stream, which cost a third of the endpoint's time."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:  # noqa: BLE001 - the spec's error array, not a stack trace
            if started:  # half an answer is out: nothing better can be said
                raise
            await _error(500, f"internal error: {type(e).__name__}")(scope, receive, send)


def make_app(intake: Intake, api_keys: dict[str, str], *,
             status_of: StatusOf | None = None, timeout_s: float = 30.0) -> FastAPI:
    """The FastAPI app: ``api_keys`` maps client name → key (a key identifies its client);
    ``status_of`` reads the dispatch log (default: every request is open)."""
    app = FastAPI(title="City Operations Cockpit · Open311 GeoReport v2", docs_url=None,
                  redoc_url=None, openapi_url=None)
    by_key = {v: k for k, v in api_keys.items()}
    vocab = intake.vocab

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_req: Request, exc: StarletteHTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> Response:
        return _error(400, "; ".join(str(e.get("msg")) for e in exc.errors())[:500])

    app.add_middleware(_NeverATraceback)

    @app.get(f"{BASE}/services.json")
    def services() -> Response:
        return _json([{"service_code": code, "service_name": s.get("name") or code,
                       "description": s.get("name") or "", "metadata": False,
                       "type": "realtime", "keywords": "", "group": s.get("group") or ""}
                      for code, s in vocab.services.items()])

    @app.post(f"{BASE}/requests.json")
    async def post_request(request: Request) -> Response:
        now = intake.clock()
        body = await request.body()
        ctype = request.headers.get("content-type", "")
        fields, problem = _fields(body, ctype)
        key = fields.get("api_key") if fields else None
        if key is None:
            key = request.query_params.get("api_key")
        if key is None and problem is not None:  # nobody to charge it to: not stored
            return _error(400, f"{problem.message}; nothing stored (no api_key could be read "
                          "— it may also be given as ?api_key=)")
        client = by_key.get(str(key)) if key else None
        if client is None:
            return _error(403, "api_key missing or unknown · api_key 缺失或无效")
        if problem is None and not intake.allow(f"open311:{client}"):
            problem = Rejected("flood", f"client {client} sends faster than "
                               f"{intake.flood.rate:g}/s")
        rep = None
        if problem is None:
            try:
                rep = report_from_fields(fields, channel="open311", client=client, vocab=vocab,
                                         now=now)
            except Rejected as e:
                problem = e
        if problem is not None:
            kept = body.replace(str(key).encode(), b"***")  # the key is not kept
            q = Quarantined("open311", f"{BASE}/requests.json {client}",
                            f"{problem.reason}: {problem.message}", kept, now)
            await asyncio.wait_for(asyncio.wrap_future(intake.submit_report(q)), timeout_s)
            return _error(429 if problem.reason == "flood" else 400, problem.message)
        seq = await asyncio.wait_for(asyncio.wrap_future(intake.submit_report(rep)), timeout_s)
        if seq is None:  # the same client sent the same id before
            prev = [r for r in intake.store.reports_recent(5000)
                    if r["client"] == client and r["ext_id"] == rep.ext_id]
            seq = prev[0]["seq"] if prev else None
        if seq is None:
            return _error(400, f"request id {rep.ext_id} was already received")
        notice = ("已受理，待分拨 · received, waiting to be classified"
                  if rep.service_code is None else "已受理 · received")
        return _json([{"service_request_id": str(seq), "service_notice": notice,
                       "account_id": None}], 201)

    def _rows(reports: list[dict]) -> list[dict]:
        ids = [report_event_id(r["seq"]) for r in reports]
        st = status_of(ids) if status_of and ids else {}
        out = []
        for r, eid in zip(reports, ids):
            status, notes, updated = st.get(eid, ("open", "", None))
            code = r["service_code"]
            out.append({
                "service_request_id": str(r["seq"]), "status": status,
                "status_notes": notes or ("待分拨 · unclassified" if code is None else ""),
                "service_name": (vocab.services.get(code, {}).get("name") if code else None),
                "service_code": code, "description": r["description"],
                "agency_responsible": None, "service_notice": None,
                "requested_datetime": _iso(r["occurred_at"]),
                "updated_datetime": _iso(updated or r["received_at"]),
                "expected_datetime": None, "address": r["address"], "address_id": None,
                "zipcode": None, "lat": r["lat"], "long": r["lon"], "media_url": None})
        return out

    @app.get(f"{BASE}/requests/{{request_id}}.json")
    def get_request(request_id: str) -> Response:
        if not request_id.isdigit():
            return _error(404, f"no request {request_id[:40]}")
        r = intake.store.report(int(request_id))
        if r is None:
            return _error(404, f"no request {request_id}")
        return _json(_rows([r]))

    @app.get(f"{BASE}/requests.json")
    def list_requests(request: Request) -> Response:
        q = request.query_params
        reports = intake.store.reports_recent(5000)
        try:
            if q.get("service_request_id"):
                want = {s.strip() for s in q["service_request_id"].split(",")}
                reports = [r for r in reports if str(r["seq"]) in want]
            if q.get("service_code"):
                reports = [r for r in reports if r["service_code"] == q["service_code"]]
            for name, keep in (("start_date", lambda r, t: r["occurred_at"] >= t),
                               ("end_date", lambda r, t: r["occurred_at"] <= t)):
                if q.get(name):
                    t = datetime.fromisoformat(q[name].replace("Z", "+00:00"))
                    t = t.astimezone().replace(tzinfo=None) if t.tzinfo else t
                    reports = [r for r in reports if keep(r, t)]
        except ValueError:
            return _error(400, "start_date/end_date must be ISO-8601")
        rows = _rows(reports[:1000])
        if q.get("status"):
            want = {s.strip() for s in q["status"].split(",")}
            rows = [r for r in rows if r["status"] in want]
        return _json(rows)

    return app


def dispatch_status(store: Any) -> StatusOf:
    """The ``status_of`` of a dispatch store (DuckDB or PostgreSQL): a request is *closed*
    once every order of its event is finished (closed, evaluated or cancelled), *open*
    otherwise — also while nobody has dispatched it yet."""
    from cockpit.datasets.dispatch import FINISHED

    def status_of(event_ids: list[str]) -> dict[str, tuple[str, str, datetime | None]]:
        orders = store.orders()
        if orders is None or not len(orders):
            return {}
        want = set(event_ids)
        rows = orders[orders["event_id"].astype(str).isin(want)]
        out: dict[str, tuple[str, str, datetime | None]] = {}
        for eid, grp in rows.groupby("event_id"):
            states = [str(s) for s in grp["state"]]
            done = all(s in FINISHED for s in states)
            last = grp["last_at"].max()
            updated = None
            if last is not None and str(last) != "NaT":  # the store keeps naive UTC
                updated = last.to_pydatetime().replace(tzinfo=UTC)
            notes = ("已结案 · closed" if done else
                     "处置中 · in progress: " + ", ".join(f"{d} {s}" for d, s in
                                                       zip(grp["dept_id"], states)))
            out[str(eid)] = ("closed" if done else "open", notes[:300], updated)
        return out

    return status_of


def _fields(body: bytes, ctype: str) -> tuple[dict[str, Any], Rejected | None]:
    """The POST fields: a JSON object, or form fields (``attribute[code]`` gathered into
    ``attributes``)."""
    if len(body) > MAX_PAYLOAD:
        return {}, Rejected("too_large", f"{len(body)} bytes, more than {MAX_PAYLOAD}")
    if "json" in ctype:
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError as e:
            return {}, Rejected("malformed", f"not JSON: {e}")
        if not isinstance(obj, dict):
            return {}, Rejected("malformed", "the body must be one JSON object")
        return obj, None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return {}, Rejected("malformed", "the form is not UTF-8")
    fields: dict[str, Any] = {}
    attrs: dict[str, str] = {}
    for k, v in pairs:
        if k.startswith("attribute[") and k.endswith("]"):
            attrs[k[10:-1]] = v
        else:
            fields[k] = v
    if attrs:
        fields["attributes"] = attrs
    return fields, None


class HttpServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread (``port`` 0: a free one)."""

    def __init__(self, app: FastAPI, port: int = 0, host: str = "127.0.0.1") -> None:
        import uvicorn

        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets, and
        # without it every response waits ~40 ms for a delayed ACK (headers and body go in
        # two writes)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, int(port)))
        except OSError:
            if not port:
                raise
            self.sock.bind((host, 0))  # the configured port is taken: any free one
        self.host, self.port = host, self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                                    access_log=False))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{BASE}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                        name="live-open311", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.sock.close()
