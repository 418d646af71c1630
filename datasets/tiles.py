"""Offline base-map tiles from an MBTiles file (SQLite, TMS row order), no Qt."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class MBTiles:
    """Reads tiles from an MBTiles file; safe to call from several threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"MBTiles file not found: {self.path}")
        self._local = threading.local()
        meta = dict(self._con().execute("SELECT name, value FROM metadata").fetchall())
        self.format = meta.get("format", "png")
        self.minzoom = int(meta.get("minzoom", 0))
        self.maxzoom = int(meta.get("maxzoom", 18))
        self.name = meta.get("name", self.path.stem)

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            con = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ coordinates (as Leaflet asks), or None."""
        if not (0 <= z <= 30 and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return None
        tms_y = (2 ** z - 1) - y
        row = self._con().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (z, x, tms_y)).fetchone()
        return bytes(row[0]) if row else None

    @property
    def mime(self) -> str:
        return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
                "pbf": "application/x-protobuf"}.get(self.format, "image/png")
