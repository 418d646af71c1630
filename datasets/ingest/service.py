"""The whole intake in one object: store, writer, MQTT subscriber and Open311 endpoint.

The same object runs inside the cockpit's process (DuckDB store: the intake's threads, never
the GUI thread) and as ``cockpit ingest`` (PostgreSQL store: a process of its own that every
seat reads from)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.datasets.ingest.intake import DEFAULT_PREFIX, Intake
from cockpit.datasets.ingest.mqtt import MqttSubscriber
from cockpit.datasets.ingest.open311 import HttpServer, StatusOf, make_app
from cockpit.datasets.ingest.store import LiveStore, open_live_store
from cockpit.datasets.ingest.validate import FloodGate, Vocabulary

__all__ = ["IntakeOptions", "LiveService", "DEFAULT_HTTP_PORT"]

log = logging.getLogger(__name__)

DEFAULT_HTTP_PORT = 8311


@dataclass
class IntakeOptions:
    """Where the intake listens and whom it lets in."""

    broker_host: str = "127.0.0.1"
    broker_port: int | None = None  # None: no MQTT
    http_port: int | None = DEFAULT_HTTP_PORT  # None: no HTTP; 0: any free port
    prefix: str = DEFAULT_PREFIX
    api_keys: dict[str, str] = field(default_factory=dict)
    client_id: str = "cockpit-intake"
    flood_rate: float = 50.0
    flood_burst: float = 2000.0


class LiveService:
    """Start/stop the intake on ``location`` (a DuckDB path or a PostgreSQL URL)."""

    def __init__(self, location: Path | str | LiveStore, vocab: Vocabulary,
                 options: IntakeOptions, status_of: StatusOf | None = None) -> None:
        self.store = location if isinstance(location, LiveStore) else open_live_store(location)
        self.options = options
        self.intake = Intake(self.store, vocab, prefix=options.prefix,
                             flood=FloodGate(options.flood_rate, options.flood_burst))
        self.mqtt: MqttSubscriber | None = None
        self.http: HttpServer | None = None
        self.status_of = status_of

    def start(self) -> None:
        self.intake.start()
        o = self.options
        if o.broker_port is not None:
            self.mqtt = MqttSubscriber(self.intake, o.broker_host, o.broker_port,
                                       client_id=o.client_id)
            self.mqtt.start()
        if o.http_port is not None:
            self.http = HttpServer(make_app(self.intake, o.api_keys, status_of=self.status_of),
                                   o.http_port)
            self.http.start()
            log.info("Open311 endpoint at %s", self.http.url)

    @property
    def http_url(self) -> str | None:
        return self.http.url if self.http else None

    def stop(self, end_session: bool = False) -> None:
        """Stop listening and write what is queued (``end_session``: see
        :meth:`MqttSubscriber.stop`)."""
        if self.http is not None:
            self.http.stop()
        if self.mqtt is not None:
            self.mqtt.stop(end_session)
        self.intake.stop()

    def close(self, end_session: bool = False) -> None:
        """Stop, then close the store."""
        self.stop(end_session)
        self.store.close()
