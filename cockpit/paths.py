"""Where the cockpit keeps its files: the user's data, cache and config directories."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "cockpit"


def _env_dir(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else default


def data_dir() -> Path:
    """The user's data directory (demo datasets, dispatch store). ``COCKPIT_DATA_HOME``
    overrides."""
    return _env_dir("COCKPIT_DATA_HOME", Path(platformdirs.user_data_dir(APP)))


def cache_dir() -> Path:
    """Where catalogs and rendered map pages live. ``COCKPIT_CACHE_HOME`` overrides."""
    return _env_dir("COCKPIT_CACHE_HOME", Path(platformdirs.user_cache_dir(APP)))


def catalog_cache_dir() -> Path:
    return cache_dir() / "catalogs"


def default_dataset_dir(scale: str = "chongqing") -> Path:
    """The built-in demo dataset, generated here on first run."""
    return data_dir() / f"demo-{scale}"
