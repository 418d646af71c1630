"""Search the map: risk points, streets and communities by name or code."""

from __future__ import annotations

import duckdb


def search(con: duckdb.DuckDBPyConnection, text: str, limit: int = 20) -> list[dict]:
    """Matches for ``text`` (a name fragment or a code/id prefix), best first.

    Each match: {kind, id, name, detail, lon, lat, zoom}. The text is a bound parameter,
    never SQL; LIKE wildcards in it are escaped so they match themselves.
    """
    q = text.strip()
    if not q or len(q) > 100:
        return []
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    prefix = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = con.execute(r"""
        SELECT * FROM (
          SELECT 'unit' AS kind, code AS id, name,
                 level AS detail, lon, lat,
                 CASE level WHEN 'district' THEN 10 WHEN 'street' THEN 13
                            WHEN 'community' THEN 15 ELSE 16 END AS zoom,
                 CASE WHEN name = $q OR code = $q THEN 0 WHEN name LIKE $prefix ESCAPE '\'
                      THEN 1 ELSE 2 END AS rank_
          FROM admin_unit
          WHERE level IN ('district', 'street', 'community')
            AND (name LIKE $like ESCAPE '\' OR code LIKE $prefix ESCAPE '\')
          UNION ALL
          SELECT 'risk_point', CAST(point_id AS VARCHAR), name, CAST(level AS VARCHAR),
                 lon, lat, 17,
                 CASE WHEN CAST(point_id AS VARCHAR) = $q THEN 0 ELSE 3 END
          FROM risk_point
          WHERE name LIKE $like ESCAPE '\' OR CAST(point_id AS VARCHAR) = $q
        ) ORDER BY rank_, length(name), id LIMIT $lim""",
        {"q": q, "like": like, "prefix": prefix, "lim": int(limit)}).fetchall()
    return [{"kind": k, "id": i, "name": n, "detail": d, "lon": float(x), "lat": float(y),
             "zoom": int(z)} for k, i, n, d, x, y, z, _r in rows]
