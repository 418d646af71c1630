"""The live feed's settings, without Qt: where a single seat's live tables are, the intake's
API keys, whether the window starts the feed. The command-line side (``cockpit ingest``,
``cockpit simulate``) reads them without importing the Qt controller."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.config import Config

__all__ = ["DEMO_API_KEYS", "api_keys", "default_live_store", "live_enabled"]


# the api keys of the demo data when the config names none (the endpoint listens on loopback)
DEMO_API_KEYS = {"hotline": "demo-hotline-key", "grid": "demo-grid-key"}


def default_live_store(dataset_dir: Path | str | None = None) -> Path:
    """The single seat's live tables: ``live.duckdb`` beside the dataset's dispatch store
    (:func:`cockpit.controllers.store.default_store_path`)."""
    from cockpit.controllers.store import default_store_path

    return default_store_path(dataset_dir).with_name("live.duckdb")


def api_keys(cfg: Config, synthetic: bool) -> dict[str, str]:
    """The configured keys; the demo keys for the demo data when none are configured."""
    if cfg.live.api_keys:
        return dict(cfg.live.api_keys)
    return dict(DEMO_API_KEYS) if synthetic else {}


def live_enabled(cfg: Config, *, screenshot: bool = False) -> bool:
    """Whether the window starts the live feed (never for a screenshot unless asked)."""
    if screenshot and os.environ.get("COCKPIT_SCREENSHOT_LIVE") != "1":
        return False
    return bool(cfg.live.enabled)
