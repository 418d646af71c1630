"""The live demo's history ends at the moment it is generated; the live feed continues it.

:func:`cut_history` is the generator's hook (``generate(..., until=now)``, which the window
uses for the built-in demo data): events and vital readings after ``until`` are dropped before
the files are written, so that what happens after the generation arrives through the real
path (``cockpit simulate`` → MQTT / Open311 → intake → screen). No Qt.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["cut_history"]

#: table → its time column
TIME_COLUMNS = {"event": "occurred_at", "vital_reading": "ts"}


def cut_history(tables: dict[str, pa.Table], until: datetime) -> int:
    """Keep the rows of the timed tables at or before ``until`` (naive local time); returns
    the last moment kept, as microseconds since 1970 of that local clock."""
    end = until.replace(tzinfo=None)
    last = 0
    for name, col in TIME_COLUMNS.items():
        t = tables.get(name)
        if t is None or col not in t.column_names:
            continue
        unit = t.schema.field(col).type.unit if pa.types.is_timestamp(
            t.schema.field(col).type) else "us"
        limit = pa.scalar(end, pa.timestamp(unit))
        kept = t.filter(pc.less_equal(t[col], limit))
        tables[name] = kept
        if kept.num_rows:
            m = pc.max(kept[col]).as_py()
            last = max(last, (m - datetime(1970, 1, 1)) // timedelta(microseconds=1))
    return last
