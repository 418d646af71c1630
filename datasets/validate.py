"""Check a dataset directory against the schema and load it into DuckDB.

``load_dataset`` reads every table of :data:`schema.TABLES` (``<table>.parquet``, else
``<table>.csv``), the district boundaries and the optional manifest, checks every value with
set-based SQL and, when nothing is wrong, leaves one typed table per schema table in the
connection. Every problem is reported with its file, row and column, in plain words.

How a file is read:

* CSV is never type-sniffed: every column is read as text (pyarrow, single-threaded so that
  malformed rows keep their line numbers) and parsed by ``TRY_CAST`` in DuckDB. The encoding
  is strict UTF-8 (with or without BOM), else GB18030 (which covers GBK; a warning says so),
  else an error naming the line and byte offset of the first bad byte.
* Parquet is read by DuckDB with its file row numbers; a column whose type differs from the
  schema's goes through the same ``TRY_CAST`` checks as CSV text.

Row numbers are 1-based data rows, the header not counted (for CSV: the line number minus
one, so a text editor finds them). At most :data:`ROW_CAP` rows are listed per file, column
and kind of problem, followed by one summary problem with the number of rows left out.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from cockpit.datasets import schema
from cockpit.datasets.schema import Column, Table

#: Every kind of problem, in the order they are usually found.
KINDS = (
    "missing_file",  # a table has neither <table>.parquet nor <table>.csv
    "empty_file",  # a file without content (a warning when it only lacks rows)
    "encoding",  # neither UTF-8 nor GB18030 (a warning when read as GB18030)
    "unreadable",  # malformed CSV row, unterminated quote, a file the reader rejects
    "missing_column",  # a required column is not in the file
    "unparseable",  # a value that is not of the column's type
    "missing_value",  # a required cell is empty
    "non_finite",  # NaN or ±inf in a finite column
    "out_of_range",  # outside the column's min/max
    "out_of_extent",  # a coordinate outside the city's extent
    "bad_choice",  # not one of the allowed values
    "bad_pattern",  # does not match the column's pattern
    "duplicate_id",  # a repeated unique key
    "unknown_reference",  # a value not found in the table it refers to
    "bad_geojson",  # the boundaries file is missing or broken
    "bad_manifest",  # dataset.json is not a JSON object
    "threshold_order",  # vital_sign thresholds out of order
    "single_top_unit",  # admin_unit must have exactly one unit without parent
    "bad_stages",  # a plan's stages that cannot run (unknown, repeated, out of order)
    "ignored_file",  # (warning) <table>.csv beside <table>.parquet is not read
    "suspicious_text",  # (warning) markup or bidi control characters in a name or title
    "zero_length",  # a network pipe of length 0 or from a node to itself
    "valve_off_pipe",  # a network valve no pipe touches
    "network_island",  # (warning) a part of a water/gas network with no source or tank
    "drain_nowhere",  # a drainage pipe with no way downstream to an outfall/treatment plant
    "drain_cycle",  # a drainage pipe on a circle of drainage pipes
)

#: Listed rows per (file, column, kind); the rest are counted in one summary problem.
ROW_CAP = 50
#: Degrees a coordinate may lie outside the bounding box of the boundaries.
EXTENT_MARGIN = 0.05

#: How each final table is sorted (the queries of the layers filter on these first).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    # by latitude: DuckDB's zone maps then skip most row groups of a viewport query
    "risk_point": ("lat", "lon"),
    "sensor": ("lat", "lon"),
    "facility": ("lat", "lon"),
    "network_node": ("lat", "lon"),
    "vital_reading": ("indicator_id", "ts"),
    "event": ("occurred_at",),
    "kpi_value": ("period", "unit_code"),
}

_TYPE_WORDS = {
    "DOUBLE": "a number",
    "BIGINT": "a whole number",
    "INTEGER": "a whole number",
    "TIMESTAMP": "a date and time like 2026-11-20 08:30:00",
    "DATE": "a date like 2026-11-20",
    "BOOLEAN": "true or false",
    "VARCHAR": "text",
}
_INTEGER_TYPES = ("BIGINT", "INTEGER")
_STAGE = "__validate_{}"
_CHUNK = 16 << 20
#: The CSV reader's block: no row may be longer (a longer one is reported with its place).
_BLOCK = 8 << 20

Progress = Callable[[float, str], None] | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset, located by file, row and column."""

    file: str  # file name within the dataset dir, e.g. "risk_point.csv"
    row: int | None  # 1-based data row (header not counted); None for file/column problems
    column: str | None
    kind: str  # one of KINDS
    message: str  # plain words naming the value and what is expected
    severity: str = "error"  # "error" blocks loading; "warning" does not

    def __str__(self) -> str:
        loc = self.file
        if self.row is not None:
            loc += f", row {self.row}"
        if self.column is not None:
            loc += f", column {self.column}"
        sev = "" if self.severity == "error" else f" ({self.severity})"
        return f"{loc}: {self.kind}{sev}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "kind": self.kind,
                "message": self.message, "severity": self.severity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        return cls(d["file"], d.get("row"), d.get("column"), d["kind"], d["message"],
                   d.get("severity", "error"))


class DatasetInvalid(Exception):
    """The dataset has errors; ``problems`` lists all of them (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self._summary())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def _summary(self, first: int = 5) -> str:
        errors = self.errors
        files = sorted({p.file for p in errors})
        head = (f"the dataset has {len(errors)} error(s) in {len(files)} file(s)"
                + (f": {', '.join(files)}" if len(files) <= 5 else ""))
        lines = [head] + [f"  {p}" for p in errors[:first]]
        if len(errors) > first:
            lines.append(f"  … and {len(errors) - first} more")
        return "\n".join(lines)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


# --------------------------------------------------------------------------------- helpers


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(value: Any) -> str:
    """A SQL literal for a string or number."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _fmt(value: Any) -> str:
    """A value as it appears in a message."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return str(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class _Report:
    """Collects problems, listing at most ROW_CAP rows per (file, column, kind)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.files: dict[str, str] = {}  # table -> the file it was read from

    def add(self, file: str, row: int | None, column: str | None, kind: str, message: str,
            severity: str = "error") -> None:
        self.problems.append(Problem(file, row, column, kind, message, severity))

    def rows(self, file: str, column: str | None, kind: str,
             rows: list[tuple[int | None, str]], total: int, severity: str = "error") -> None:
        """Rows (row, message) of one problem, of ``total`` in all (only the first ROW_CAP
        of ``rows`` are listed)."""
        listed = rows[:ROW_CAP]
        for row, message in listed:
            self.add(file, row, column, kind, message, severity)
        if total > len(listed):
            self.add(file, None, column, kind,
                     f"… and {total - len(listed):,} more rows with the same problem", severity)

    @property
    def errors(self) -> bool:
        return has_errors(self.problems)


@dataclass
class _Source:
    """A table file as read: where it is registered and the types of its columns."""

    table: Table
    file: str  # file name for messages
    relation: str  # SQL relation with a _row column and the file's columns
    types: dict[str, str]  # file column -> DuckDB type as read
    arrow_name: str | None = None  # registered Arrow table to unregister


# ----------------------------------------------------------------------------- file access


def _present(path: Path) -> bool:
    """Whether anything is at ``path``: a file, a directory, or a link (even a broken one or
    a loop, which ``Path.exists`` calls missing)."""
    return path.exists() or path.is_symlink()


def file_problem(path: Path) -> str | None:
    """What stops ``path`` from being read as a file, in words that say what to do (None:
    it can be read, or there is nothing there at all)."""
    name = path.name
    try:
        st = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return (f"{name} is a symbolic link that leads back to itself (a loop); point the "
                    f"link at the real file, or put the file itself in its place")
        if path.is_symlink():
            return (f"{name} is a symbolic link to {os.readlink(path)!r}, which does not "
                    "exist; point the link at the real file, or put the file itself in its "
                    "place")
        if exc.errno == errno.EACCES:
            return (f"{name} cannot be reached: permission denied on its directory; give the "
                    "user running the cockpit access to the dataset directory")
        return None if exc.errno == errno.ENOENT else f"{name} cannot be read: {exc.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return (f"{name} is a directory, not a file; move the directory away and put the "
                f"file {name} in its place")
    if not stat.S_ISREG(st.st_mode):
        return f"{name} is not a regular file; put the file {name} in its place"
    try:
        with open(path, "rb") as f:
            f.read(1)
    except PermissionError:
        return (f"{name} cannot be read: permission denied; give the user running the cockpit "
                f"read access (for example: chmod a+r {name})")
    except OSError as exc:
        return f"{name} cannot be read: {exc.strerror}"
    return None


# ------------------------------------------------------------------------------ encodings


def _scan_encoding(path: Path, encoding: str) -> tuple[int, int] | None:
    """None when the whole file decodes; else (byte offset, line) of the first bad byte.

    The file is decoded in pieces cut after a newline byte, which never occurs inside a
    multi-byte character in UTF-8 or GB18030, so offsets are exact.
    """
    offset = 0
    line = 1
    rest = b""
    with open(path, "rb") as f:
        first = True
        while True:
            chunk = f.read(_CHUNK)
            data = rest + chunk
            if not data:
                return None
            if chunk:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data
                    continue
                piece, rest = data[:cut], data[cut:]
            else:
                piece, rest = data, b""
            skip = 3 if first and encoding == "utf-8" and piece.startswith(codecs.BOM_UTF8) else 0
            first = False
            try:
                piece[skip:].decode(encoding)
            except UnicodeDecodeError as exc:
                at = skip + exc.start
                return offset + at, line + piece.count(b"\n", 0, at)
            offset += len(piece)
            line += piece.count(b"\n")
            if not chunk:
                return None


def _detect_encoding(path: Path, file: str, report: _Report) -> str | None:
    """"utf-8" or "gb18030" (with a warning), or None after an error problem."""
    bad_utf8 = _scan_encoding(path, "utf-8")
    if bad_utf8 is None:
        return "utf-8"
    bad_gb = _scan_encoding(path, "gb18030")
    if bad_gb is None:
        report.add(file, None, None, "encoding",
                   "read as GB18030 (GBK) because it is not UTF-8; save it as UTF-8 to "
                   "silence this warning", "warning")
        return "gb18030"
    # the encoding that got further is the one the file was most likely meant to be in
    offset, line = max(bad_utf8, bad_gb)
    with open(path, "rb") as f:
        f.seek(offset)
        sample = f.read(4)
    report.add(file, line - 1 if line > 1 else None, None, "encoding",
               f"byte {sample[:1].hex()} at byte offset {offset:,} (line {line}) is neither "
               "UTF-8 nor GB18030; save the file as UTF-8")
    return None


# ----------------------------------------------------------------------------------- CSV


def _read_header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
              newline="") as f:
        first = f.readline()
    rows = list(csv.reader(io.StringIO(first)))
    return rows[0] if rows else []


def _longest_line(path: Path) -> tuple[int, int] | None:
    """(line number, length in bytes) of the file's longest line (None when it is empty)."""
    best: tuple[int, int] | None = None
    line, length = 1, 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            start = 0
            while (nl := chunk.find(b"\n", start)) >= 0:
                length += nl - start
                if best is None or length > best[1]:
                    best = (line, length)
                line, length, start = line + 1, 0, nl + 1
            length += len(chunk) - start
    if length and (best is None or length > best[1]):
        best = (line, length)
    return best


def _longest_field(path: Path, encoding: str, line: int, header: list[str]) -> str | None:
    """The column of the longest value on ``line`` (1-based, the header is line 1)."""
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
              newline="", errors="replace") as f:
        for i, text in enumerate(f, start=1):
            if i == line:
                csv.field_size_limit(max(len(text) + 1, csv.field_size_limit()))
                fields = next(csv.reader([text]), [])
                if not fields:
                    return None
                at = max(range(len(fields)), key=lambda k: len(fields[k]))
                return header[at] if at < len(header) else None
    return None


def _line_starts(n: int, spans: np.ndarray | None, bad: list[tuple[int, int]]) -> np.ndarray:
    """The line number of each kept record, given the line spans of the kept records and the
    (line, span) of the rows the reader skipped. Line 1 is the header."""
    if spans is None:
        spans = np.ones(n, dtype=np.int64)
    off = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(spans[:-1], out=off[1:])
    if bad:
        bad.sort()
        lines = np.array([b[0] for b in bad], dtype=np.int64)
        bspans = np.array([b[1] for b in bad], dtype=np.int64)
        before = np.concatenate([[0], np.cumsum(bspans)[:-1]])
        kept_pos = lines - 2 - before  # where each skipped row sits among the kept lines
        csum = np.cumsum(bspans)
        idx = np.searchsorted(kept_pos, off, side="right")
        off = off + np.where(idx > 0, csum[np.maximum(idx - 1, 0)], 0)
    return off + 2


def _read_csv(con: duckdb.DuckDBPyConnection, table: Table, path: Path,
              report: _Report) -> _Source | None:
    file = path.name
    encoding = _detect_encoding(path, file, report)
    if encoding is None:
        return None
    header = [h.strip() for h in _read_header(path, encoding)]
    if not any(header):
        report.add(file, None, None, "empty_file", "the file has no header line")
        return None
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        report.add(file, None, None, "unreadable",
                   f"the header names column(s) {', '.join(dupes)} more than once")
        return None

    bad: list[tuple[int, int]] = []  # (line, span) of every skipped row
    listed: list[tuple[int | None, str]] = []
    malformed = [0]
    expected = len(header)

    def on_invalid(row: Any) -> str:
        text = row.text or ""
        span = text.count("\n") + 1
        if row.number is not None:
            bad.append((row.number, span))
        if not text.strip(" ,\r\n"):
            return "skip"  # an empty line
        malformed[0] += 1
        if len(listed) < ROW_CAP:
            num = row.number - 1 if row.number is not None else None
            if span > 1 or text.count('"') % 2:
                why = ("a quote is not closed, the row runs to "
                       + ("the end of the file" if span > 1 else "the end of the line"))
            else:
                why = f"{row.actual_columns} fields where the header has {expected}"
            snippet = text.split("\n", 1)[0][:80]
            listed.append((num, f"malformed row: {why} ({snippet!r})"))
        return "skip"

    try:
        tbl = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, encoding=encoding,
                                           block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in _read_header(path, encoding)},
                strings_can_be_null=True, quoted_strings_can_be_null=True,
                null_values=[""]),
        )
    except (pa.ArrowInvalid, OSError, UnicodeError) as exc:
        long = _longest_line(path) if "straddl" in str(exc) else None
        if long is not None and long[1] > _BLOCK:
            line, size = long
            col = _longest_field(path, encoding, line, header)
            report.add(file, line - 1, col, "unreadable",
                       f"one value of {size / 1e6:,.1f} MB on line {line}: the cockpit reads "
                       f"rows of at most {_BLOCK >> 20} MB. A quote that is never closed, or "
                       "a whole document pasted into one cell, does this; shorten the value "
                       "(or close the quote) and save the file again")
        elif "straddl" in str(exc):
            report.add(file, None, None, "unreadable",
                       f"a row longer than {_BLOCK >> 20} MB: a quote that is never closed "
                       "makes the rest of the file one row; check the quotes of the file and "
                       "save it again")
        else:
            report.add(file, None, None, "unreadable", f"cannot read the CSV file: {exc}")
        return None
    tbl = tbl.rename_columns(header)
    if listed:
        report.rows(file, None, "unreadable", listed, malformed[0])

    # values running over several lines: a quote opened and closed lines later
    spans = None
    multi = None
    for name in header:
        col = tbl.column(name)
        if pc.any(pc.match_substring(col, "\n")).as_py():
            cnt = pc.count_substring(col, "\n").fill_null(0).to_numpy(zero_copy_only=False)
            spans = (np.ones(tbl.num_rows, dtype=np.int64) if spans is None else spans) + cnt
            mask = cnt > 0
            multi = mask if multi is None else (multi | mask)
    # blank lines and rows of nothing but empty fields: ignore them
    allnull = None
    for name in header:
        m = pc.is_null(tbl.column(name))
        allnull = m if allnull is None else pc.and_(allnull, m)
    lines = _line_starts(tbl.num_rows, spans, bad)
    tbl = tbl.append_column("_row", pa.array(lines - 1, pa.int64()))
    if allnull is not None and pc.any(allnull).as_py():
        tbl = tbl.filter(pc.invert(allnull))
        if multi is not None:
            multi = multi[~allnull.to_numpy(zero_copy_only=False)]
    if multi is not None:
        idx = np.flatnonzero(multi)
        rows = []
        for i in idx[:ROW_CAP]:
            rec = tbl.slice(int(i), 1).to_pylist()[0]
            col = next(k for k, v in rec.items() if isinstance(v, str) and "\n" in v)
            first_line = rec[col].split("\n", 1)[0][:60]
            rows.append((rec["_row"], f"the value of column {col} runs over several lines "
                                      f"(from {first_line!r}): a quote is probably not "
                                      "closed"))
        report.rows(file, None, "unreadable", rows, len(idx))

    # only the schema's columns go on (a file may carry more, even one called _row)
    wanted = {c.name for c in table.columns}
    tbl = tbl.select([i for i, h in enumerate(header) if h in wanted] + [len(header)])
    name = f"__validate_arrow_{table.name}"
    con.register(name, tbl)
    return _Source(table, file, name, {h: "VARCHAR" for h in header}, name)


def _read_parquet(con: duckdb.DuckDBPyConnection, table: Table, path: Path,
                  report: _Report) -> _Source | None:
    file = path.name
    rel = f"read_parquet({_lit(str(path))}, file_row_number=true)"
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    except duckdb.Error as exc:
        msg = str(exc).split("\n", 1)[0]
        report.add(file, None, None, "unreadable", f"not a readable Parquet file: {msg}")
        return None
    types = {r[0]: r[1] for r in desc if r[0] != "file_row_number"}
    cols = [_q(c.name) for c in table.columns if c.name in types]
    return _Source(table, file, f"(SELECT {', '.join(cols + ['file_row_number + 1 AS _row'])} "
                                f"FROM {rel})", types)


def _open_table(con: duckdb.DuckDBPyConnection, data_dir: Path, table: Table,
                report: _Report) -> _Source | None:
    pq_path = data_dir / f"{table.name}.parquet"
    csv_path = data_dir / f"{table.name}.csv"
    if _present(pq_path):
        path = pq_path
        if _present(csv_path):
            report.add(csv_path.name, None, None, "ignored_file",
                       f"ignored: {pq_path.name} is read instead", "warning")
    elif _present(csv_path):
        path = csv_path
    elif table.optional:
        return None  # an optional table left out: loaded as an empty table
    else:
        report.add(f"{table.name}.parquet", None, None, "missing_file",
                   f"the table {table.name} needs {table.name}.parquet or {table.name}.csv "
                   "in the dataset directory")
        return None
    problem = file_problem(path)
    if problem is not None:
        report.add(path.name, None, None, "unreadable", problem)
        return None
    if path.stat().st_size == 0:
        report.add(path.name, None, None, "empty_file", "the file is empty (0 bytes)")
        return None
    if path.suffix == ".csv":
        return _read_csv(con, table, path, report)
    return _read_parquet(con, table, path, report)


# ---------------------------------------------------------------------------- boundaries


def _read_boundaries(data_dir: Path, report: _Report) -> tuple[list[tuple], tuple | None]:
    """Rows (adcode, name, overlay, feature JSON) and the extent (or None)."""
    from shapely.geometry import shape

    file = schema.BOUNDARIES_FILE
    path = data_dir / file
    if not _present(path):
        report.add(file, None, None, "bad_geojson",
                   "the district boundaries file is missing (a GeoJSON FeatureCollection "
                   "with an adcode and a name per feature)")
        return [], None
    problem = file_problem(path)
    if problem is not None:
        report.add(file, None, None, "bad_geojson", problem)
        return [], None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        report.add(file, None, None, "bad_geojson", f"{file} cannot be read: {exc.strerror}")
        return [], None
    except UnicodeDecodeError as exc:
        report.add(file, None, None, "bad_geojson",
                   f"not UTF-8 text (bad byte at offset {exc.start:,})")
        return [], None
    except json.JSONDecodeError as exc:
        report.add(file, None, None, "bad_geojson",
                   f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return [], None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        what = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        report.add(file, None, None, "bad_geojson",
                   f"expected a GeoJSON FeatureCollection with a list of features, found {what!r}")
        return [], None
    if not doc["features"]:
        report.add(file, None, None, "bad_geojson", "the FeatureCollection has no features")
        return [], None
    rows: list[tuple] = []
    bounds: list[tuple[float, float, float, float]] = []
    seen: dict[str, int] = {}
    for i, feat in enumerate(doc["features"], start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            report.add(file, i, None, "bad_geojson", f"feature {i} is not a GeoJSON Feature")
            continue
        props = feat.get("properties") or {}
        adcode = props.get("adcode") if isinstance(props, dict) else None
        if adcode is None or str(adcode).strip() == "":
            report.add(file, i, "adcode", "bad_geojson",
                       f"feature {i} has no adcode property (the code of its admin unit)")
            continue
        adcode = str(adcode).strip()
        if adcode in seen:
            report.add(file, i, "adcode", "bad_geojson",
                       f"adcode {adcode!r} appears again (first in feature {seen[adcode]})")
            continue
        seen[adcode] = i
        geom = feat.get("geometry")
        gtype = geom.get("type") if isinstance(geom, dict) else None
        if gtype not in ("Polygon", "MultiPolygon"):
            report.add(file, i, "geometry", "bad_geojson",
                       f"feature {adcode} has geometry {gtype!r}; expected Polygon or "
                       "MultiPolygon")
            continue
        try:
            shp = shape(geom)
            b = shp.bounds
            ok = not shp.is_empty and all(math.isfinite(x) for x in b)
        except Exception as exc:  # shapely raises many kinds on bad coordinates
            report.add(file, i, "geometry", "bad_geojson",
                       f"feature {adcode} has unreadable coordinates: {exc}")
            continue
        if not ok:
            report.add(file, i, "geometry", "bad_geojson",
                       f"feature {adcode} has an empty geometry or non-finite coordinates")
            continue
        if not (-180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90):
            report.add(file, i, "geometry", "bad_geojson",
                       f"feature {adcode} has coordinates outside longitude/latitude degrees "
                       f"({b[0]:.2f}, {b[1]:.2f}, {b[2]:.2f}, {b[3]:.2f})")
            continue
        bounds.append(b)
        overlay = bool(props.get("overlay") or props.get("functional_zone"))
        name = props.get("name")
        rows.append((adcode, None if name is None else str(name), overlay,
                     json.dumps(feat, ensure_ascii=False, separators=(",", ":"))))
    extent = None
    if bounds:
        arr = np.array(bounds)
        extent = (float(arr[:, 0].min()), float(arr[:, 1].min()),
                  float(arr[:, 2].max()), float(arr[:, 3].max()))
    return rows, extent


def _read_manifest(data_dir: Path, report: _Report) -> dict:
    path = data_dir / schema.MANIFEST_FILE
    if not _present(path):
        return {}
    problem = file_problem(path)
    if problem is not None:
        report.add(path.name, None, None, "bad_manifest", problem)
        return {}
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        report.add(path.name, None, None, "bad_manifest",
                   f"{path.name} cannot be read: {exc.strerror}")
        return {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add(path.name, None, None, "bad_manifest", f"not valid JSON text: {exc}")
        return {}
    if not isinstance(doc, dict):
        report.add(path.name, None, None, "bad_manifest",
                   f"expected a JSON object ({{\"title\": …}}), found {type(doc).__name__}")
        return {}
    for key in ("title", "top_unit_name"):
        if isinstance(doc.get(key), str):
            for why in text_warnings(doc[key]):
                report.add(path.name, None, key, "suspicious_text",
                           f"{_short(doc[key])} {why}", "warning")
    return doc


# -------------------------------------------------------------------------------- staging


def _stage(con: duckdb.DuckDBPyConnection, src: _Source, report: _Report) -> dict[str, Column]:
    """Create the stage table: _row, one typed column per schema column (NULL when the value
    does not parse) and the raw text of every column that had to be cast. Returns the
    columns that are present in the file (absent required ones are reported)."""
    t = src.table
    present: dict[str, Column] = {}
    lower = {k.lower(): k for k in src.types}
    exprs = ["_row"]
    for c in t.columns:
        if c.name not in src.types:
            exprs.append(f"CAST(NULL AS {c.type}) AS {_q(c.name)}")
            if c.required:
                hint = lower.get(c.name.lower())
                report.add(src.file, None, c.name, "missing_column",
                           f"the required column {c.name} ({c.doc}) is not in the file"
                           + (f"; found {hint!r} — names are case-sensitive" if hint else ""))
            continue
        present[c.name] = c
        raw_type = src.types[c.name].upper()
        raw = _q(c.name)
        if raw_type == "VARCHAR":
            raw = f"NULLIF({raw}, '')"
        if raw_type == c.type:
            exprs.append(f"{raw} AS {_q(c.name)}")
            continue
        if c.type == "VARCHAR":
            exprs.append(f"CAST({raw} AS VARCHAR) AS {_q(c.name)}")
            continue
        cast = f"TRY_CAST({raw} AS {c.type})"
        if c.type in _INTEGER_TYPES and raw_type not in _INTEGER_TYPES:
            # TRY_CAST rounds 1.5 to 2; a whole number must be whole
            dbl = f"TRY_CAST({raw} AS DOUBLE)"
            cast = f"CASE WHEN {dbl} IS NULL OR {dbl} = {cast} THEN {cast} END"
        exprs.append(f"{cast} AS {_q(c.name)}")
        exprs.append(f"{raw} AS {_q('__raw_' + c.name)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE.format(t.name)} AS "
                f"SELECT {', '.join(exprs)} FROM {src.relation}")
    return present


def _column_checks(c: Column, raw_cast: bool, extent: tuple | None
                   ) -> list[tuple[str, str, str]]:
    """(kind, condition, value expression) of each check of one column."""
    v = _q(c.name)
    out: list[tuple[str, str, str]] = []
    if raw_cast:
        raw = _q("__raw_" + c.name)
        out.append(("unparseable", f"{raw} IS NOT NULL AND {v} IS NULL", raw))
        if not c.nullable:
            out.append(("missing_value", f"{raw} IS NULL", v))
    elif not c.nullable:
        out.append(("missing_value", f"{v} IS NULL", v))
    is_double = c.type == "DOUBLE"
    fin = f"isfinite({v}) AND " if is_double else ""
    if c.finite and is_double:
        out.append(("non_finite", f"NOT isfinite({v})", v))
    if c.min is not None or c.max is not None:
        parts = []
        if c.min is not None:
            parts.append(f"{v} < {c.min!r}")
        if c.max is not None:
            parts.append(f"{v} > {c.max!r}")
        out.append(("out_of_range", f"{fin}({' OR '.join(parts)})", v))
    if c.coord and extent is not None:
        lo, hi = (extent[0], extent[2]) if c.coord == "lon" else (extent[1], extent[3])
        out.append(("out_of_extent", f"{fin}({v} < {lo - EXTENT_MARGIN!r} OR "
                                     f"{v} > {hi + EXTENT_MARGIN!r})", v))
    if c.choices:
        out.append(("bad_choice", f"{v} NOT IN ({', '.join(_lit(x) for x in c.choices)})", v))
    if c.pattern:
        out.append(("bad_pattern", f"NOT regexp_full_match({v}, {_lit(c.pattern)})", v))
    return out


def _message(kind: str, c: Column, value: Any, extent: tuple | None) -> str:
    if kind == "unparseable":
        return f"{_fmt(value)} is not {_TYPE_WORDS.get(c.type, c.type)} ({c.type})"
    if kind == "missing_value":
        return f"the cell is empty, but {c.name} ({c.doc}) is required"
    if kind == "non_finite":
        return f"{_fmt(value)} is not a finite number"
    if kind == "out_of_range":
        lo = _num(c.min) if c.min is not None else "−∞"
        hi = _num(c.max) if c.max is not None else "∞"
        return f"{_fmt(value)} lies outside the allowed range {lo}–{hi}"
    if kind == "out_of_extent":
        assert extent is not None
        lo, hi = (extent[0], extent[2]) if c.coord == "lon" else (extent[1], extent[3])
        word = "longitude" if c.coord == "lon" else "latitude"
        return f"{_fmt(value)} lies outside the city's extent {lo:.2f}–{hi:.2f} ({word})"
    if kind == "bad_choice":
        return f"{_fmt(value)} is not one of {', '.join(str(x) for x in c.choices or ())}"
    if kind == "bad_pattern":
        return f"{_fmt(value)} does not match {c.pattern} ({c.doc})"
    return _fmt(value)


def _check_columns(con: duckdb.DuckDBPyConnection, src: _Source, present: dict[str, Column],
                   extent: tuple | None, report: _Report) -> None:
    stage = _STAGE.format(src.table.name)
    checks = []
    for c in present.values():
        raw_cast = src.types[c.name].upper() != c.type and c.type != "VARCHAR"
        for kind, cond, value in _column_checks(c, raw_cast, extent):
            checks.append((c, kind, cond, value))
    if not checks:
        return
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, _, cond, _ in checks)
        + f" FROM {stage}").fetchone()
    for (c, kind, cond, value), n in zip(checks, counts):
        if not n:
            continue
        got = con.execute(f"SELECT _row, {value} FROM {stage} WHERE {cond} "
                          f"ORDER BY _row LIMIT {ROW_CAP}").fetchall()
        report.rows(src.file, c.name, kind,
                    [(r, _message(kind, c, val, extent)) for r, val in got], n)


def _check_key(con: duckdb.DuckDBPyConnection, src: _Source, present: dict[str, Column],
               report: _Report) -> None:
    key = src.table.key
    if not key or any(k not in present for k in key):
        return
    stage = _STAGE.format(src.table.name)
    cols = ", ".join(_q(k) for k in key)
    notnull = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key)
    sql = f"""
        WITH d AS (SELECT {cols}, min(_row) AS _first FROM {stage} WHERE {notnull}
                   GROUP BY {cols} HAVING count(*) > 1)
        SELECT s._row, {', '.join('s.' + _q(k) for k in key)}, d._first, count(*) OVER ()
        FROM {stage} s JOIN d USING ({cols}) WHERE s._row > d._first
        ORDER BY s._row LIMIT {ROW_CAP}"""
    got = con.execute(sql).fetchall()
    if not got:
        return
    total = got[0][-1]
    rows = []
    for r in got:
        vals = ", ".join(f"{k} {_fmt(v)}" for k, v in zip(key, r[1:-2]))
        rows.append((r[0], f"duplicate {vals}: the key must be unique (first at row {r[-2]})"))
    report.rows(src.file, ", ".join(key), "duplicate_id", rows, total)


def _check_references(con: duckdb.DuckDBPyConnection, sources: dict[str, _Source],
                      presents: dict[str, dict[str, Column]], report: _Report) -> None:
    for name, src in sources.items():
        stage = _STAGE.format(name)
        for c in presents[name].values():
            if not c.ref:
                continue
            ptable, pcol = c.ref.split(".")
            if ptable not in sources or pcol not in presents[ptable]:
                continue  # the referenced table is missing: reported already
            pstage = _STAGE.format(ptable)
            v = _q(c.name)
            got = con.execute(f"""
                SELECT s._row, s.{v}, count(*) OVER () FROM {stage} s
                ANTI JOIN (SELECT DISTINCT {_q(pcol)} AS k FROM {pstage}) p ON s.{v} = p.k
                WHERE s.{v} IS NOT NULL ORDER BY s._row LIMIT {ROW_CAP}""").fetchall()
            if got:
                pfile = sources[ptable].file
                report.rows(src.file, c.name, "unknown_reference",
                            [(r, f"{_fmt(val)} is not a {pcol} in {pfile}")
                             for r, val, _ in got], got[0][2])


def _check_single_top_unit(con: duckdb.DuckDBPyConnection, src: _Source,
                           present: dict[str, Column], report: _Report) -> None:
    if "parent_code" not in present or "code" not in present:
        return
    stage = _STAGE.format(src.table.name)
    got = con.execute(f"SELECT _row, code, count(*) OVER () FROM {stage} "
                      f"WHERE parent_code IS NULL ORDER BY _row LIMIT {ROW_CAP}").fetchall()
    if not got:
        report.add(src.file, None, "parent_code", "single_top_unit",
                   "no unit has an empty parent_code; exactly one unit (the top unit, e.g. "
                   "the city) must have none")
        return
    total = got[0][2]
    if total == 1:
        return
    where = ", ".join(str(r[0]) for r in got[:5]) + (" …" if total > 5 else "")
    report.rows(src.file, "parent_code", "single_top_unit",
                [(r, f"unit {_fmt(code)} has an empty parent_code, as do {total - 1} other(s) "
                     f"(rows {where}); exactly one top unit is allowed")
                 for r, code, _ in got], total)


_THRESHOLDS = ("alarm_low", "warn_low", "warn_high", "alarm_high")


def _check_threshold_order(con: duckdb.DuckDBPyConnection, src: _Source,
                           present: dict[str, Column], report: _Report) -> None:
    cols = [c for c in _THRESHOLDS if c in present]
    # adjacent pairs first, so that the message names the nearest disorder
    pairs = sorted(((a, b) for i, a in enumerate(cols) for b in cols[i + 1:]),
                   key=lambda p: _THRESHOLDS.index(p[1]) - _THRESHOLDS.index(p[0]))
    if not pairs:
        return
    stage = _STAGE.format(src.table.name)
    conds = [f"(isfinite({_q(a)}) AND isfinite({_q(b)}) AND {_q(a)} > {_q(b)})"
             for a, b in pairs]
    case = " ".join(f"WHEN {cond} THEN {i}" for i, cond in enumerate(conds))
    idc = "indicator_id" if "indicator_id" in present else "NULL"
    got = con.execute(f"""
        SELECT _row, {idc}, CASE {case} END AS p, {', '.join(_q(c) for c in cols)},
               count(*) OVER ()
        FROM {stage} WHERE {' OR '.join(conds)} ORDER BY _row LIMIT {ROW_CAP}""").fetchall()
    if not got:
        return
    rows = []
    for r in got:
        a, b = pairs[r[2]]
        vals = dict(zip(cols, r[3:-1]))
        rows.append((r[0], (f"{a} {_fmt(vals[a])} > {b} {_fmt(vals[b])} for indicator "
                            f"{_fmt(r[1])}; expected alarm_low ≤ warn_low ≤ warn_high ≤ "
                            "alarm_high where present")))
    # one column for the listing cap: the upper column of the first disorder found
    by_col: dict[str, list[tuple[int | None, str]]] = {}
    for r, (row, msg) in zip(got, rows):
        by_col.setdefault(pairs[r[2]][1], []).append((row, msg))
    total = got[0][-1]
    shown = 0
    for col, items in by_col.items():
        report.rows(src.file, col, "threshold_order", items, len(items))
        shown += len(items)
    if total > shown:
        report.add(src.file, None, None, "threshold_order",
                   f"… and {total - shown:,} more rows with the same problem")


def _check_plan_stages(con: duckdb.DuckDBPyConnection, src: _Source,
                       present: dict[str, Column], report: _Report) -> None:
    """A plan's ``stages``: a flow the dispatch ledger can run (see datasets/stages.py)."""
    if "stages" not in present:
        return
    from cockpit.datasets.stages import stage_problem

    stage = _STAGE.format(src.table.name)
    got = con.execute(f"SELECT _row, stages FROM {stage} WHERE stages IS NOT NULL "
                      "AND trim(stages) <> '' ORDER BY _row").fetchall()
    bad = []
    for row, text in got:
        items = [s.strip().lower() for s in str(text).replace("，", ",").split(",")
                 if s.strip()]
        why = stage_problem(items)
        if why:
            bad.append((row, f"stages {_fmt(text)}: {why}"))
    if bad:
        report.rows(src.file, "stages", "bad_stages", bad[:ROW_CAP], len(bad))


#: Columns holding names shown on screen: checked for markup and bidi controls.
TEXT_COLUMNS = ("name", "title")
#: Markup: a tag opening or closing (``<b>``, ``</i>``, ``<img …``, ``<!--``).
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!]")
#: Bidi embedding, override and isolate controls and the implicit marks (UAX #9).
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text_warnings(value: str) -> list[str]:
    """What is suspicious in a name shown on screen (markup, bidi controls), in words."""
    out = []
    m = MARKUP.search(value)
    if m:
        tag = value[m.start():m.start() + 12].split(">", 1)[0] + ">"
        out.append(f"holds markup ({tag}): the cockpit shows it as plain text, never as "
                   "formatting; remove it unless it is part of the name")
    b = BIDI.search(value)
    if b:
        out.append(f"holds the bidi control character U+{ord(b.group(0)):04X}, which reorders "
                   "the text around it (\"41\" shows as \"14\"); the cockpit removes it on "
                   "screen: remove it from the data")
    return out


def _short(value: str, n: int = 60) -> str:
    """A value quoted in a message, cut to ``n`` characters."""
    return repr(value if len(value) <= n else value[:n] + "…")


def _check_text(con: duckdb.DuckDBPyConnection, src: _Source, present: dict[str, Column],
                report: _Report) -> None:
    """Warnings for names and titles holding markup or bidi control characters."""
    stage = _STAGE.format(src.table.name)
    for c in present.values():
        if c.name not in TEXT_COLUMNS or c.type != "VARCHAR":
            continue
        cond = (f"regexp_matches({_q(c.name)}, {_lit(MARKUP.pattern)}) OR "
                f"regexp_matches({_q(c.name)}, {_lit(BIDI.pattern)})")
        got = con.execute(f"SELECT _row, {_q(c.name)}, count(*) OVER () FROM {stage} "
                          f"WHERE {cond} ORDER BY _row LIMIT {ROW_CAP}").fetchall()
        if got:
            report.rows(src.file, c.name, "suspicious_text",
                        [(r, f"{_short(v)} " + "; ".join(text_warnings(v)))
                         for r, v, _ in got], got[0][2], "warning")


def _check_network_topology(con: duckdb.DuckDBPyConnection, src: _Source,
                            present: dict[str, Column], report: _Report) -> None:
    """Zero-length pipes, valves on no pipe, unfed islands, drainage draining nowhere or in a
    circle (:mod:`.network.checks`)."""
    from cockpit.datasets.network import checks

    node_file = report.files.get("network_node", "network_node.parquet")
    stage = _STAGE.format("network_node")
    if not checks._exists(con, stage):
        report.add(src.file, None, None, "missing_file",
                   "network_pipe needs network_node.parquet or network_node.csv beside it")
    for f in checks.topology(con, stage, _STAGE.format(src.table.name), node_file, src.file,
                             ROW_CAP):
        report.rows(f.file, f.column, f.kind, f.rows, f.total, f.severity)


_TABLE_CHECKS = {
    "single_top_unit": _check_single_top_unit,
    "threshold_order": _check_threshold_order,
    "plan_stages": _check_plan_stages,
    "network_topology": _check_network_topology,
}


def _check_boundary_codes(con: duckdb.DuckDBPyConnection, rows: list[tuple],
                          presents: dict[str, dict[str, Column]], report: _Report) -> None:
    if not rows or "code" not in presents.get("admin_unit", {}):
        return
    codes = {r[0] for r in con.execute(
        f"SELECT code FROM {_STAGE.format('admin_unit')} WHERE code IS NOT NULL").fetchall()}
    unknown = [(i, r[0]) for i, r in enumerate(rows, start=1) if r[0] not in codes]
    report.rows(schema.BOUNDARIES_FILE, "adcode", "unknown_reference",
                [(None, f"adcode {code!r} is not a code in admin_unit") for _, code in unknown],
                len(unknown), "warning")


# ---------------------------------------------------------------------------------- loading


def _order_by(t: Table) -> str:
    keys = SORT_KEYS.get(t.name)
    return ", ".join(_q(k) for k in keys) + ", _row" if keys else "_row"


def _drop(con: duckdb.DuckDBPyConnection, names: list[str], temp: bool) -> None:
    for n in names:
        try:
            con.execute(f"DROP TABLE IF EXISTS {'temp.' if temp else ''}{_q(n)}")
        except duckdb.Error:
            pass


def load_dataset(data_dir: Path, con: duckdb.DuckDBPyConnection,
                 progress: Progress = None) -> list[Problem]:
    """Check the dataset in ``data_dir`` and, when it has no errors, load it into ``con``.

    Returns every problem found (errors and warnings). Without errors ``con`` then holds one
    typed table per schema table (exactly the schema's columns, sorted as :data:`SORT_KEYS`),
    ``boundaries(adcode, name, overlay, geojson)`` with one row per feature (``geojson`` is
    the Feature as JSON text) and ``_manifest(key, value)`` with one row per key of
    dataset.json (``value`` is the JSON text of the value). With errors nothing is left in
    ``con``. ``progress(fraction, message)`` is called as the work advances.
    """
    data_dir = Path(data_dir)

    def tell(fraction: float, message: str) -> None:
        if progress is not None:
            progress(min(1.0, fraction), message)

    report = _Report()
    if not data_dir.is_dir():
        report.add(str(data_dir), None, None, "missing_file",
                   "the dataset directory does not exist")
        return report.problems

    tell(0.0, "reading boundaries")
    boundary_rows, extent = _read_boundaries(data_dir, report)
    check_extent = extent if extent is not None else schema.CHONGQING_EXTENT
    manifest = _read_manifest(data_dir, report)

    sizes = {}
    for t in schema.TABLES:
        for ext in (".parquet", ".csv"):
            p = data_dir / f"{t.name}{ext}"
            if p.is_file():
                sizes[t.name] = p.stat().st_size + 1
                break
    total = float(sum(sizes.values()) or 1)
    done = 0.0

    sources: dict[str, _Source] = {}
    presents: dict[str, dict[str, Column]] = {}
    created: list[str] = []
    try:
        for t in schema.TABLES:
            share = sizes.get(t.name, 0) / total
            tell(0.05 + 0.55 * done, f"checking {t.name}")
            src = _open_table(con, data_dir, t, report)
            if src is not None:
                try:
                    present = _stage(con, src, report)
                except duckdb.Error as exc:
                    msg = str(exc).split("\n", 1)[0]
                    report.add(src.file, None, None, "unreadable", f"cannot read: {msg}")
                    done += share
                    continue
                finally:
                    if src.arrow_name:  # the stage holds the data now
                        con.unregister(src.arrow_name)
                        src.arrow_name = None
                sources[t.name] = src
                presents[t.name] = present
                report.files[t.name] = src.file
                n = con.execute(f"SELECT count(*) FROM {_STAGE.format(t.name)}").fetchone()[0]
                if n == 0:
                    report.add(src.file, None, None, "empty_file",
                               "the file has a header but no rows", "warning")
                _check_columns(con, src, present, check_extent, report)
                _check_key(con, src, present, report)
                _check_text(con, src, present, report)
                for check in t.checks:
                    _TABLE_CHECKS[check](con, src, present, report)
            done += share
        tell(0.6, "checking references")
        _check_references(con, sources, presents, report)
        _check_boundary_codes(con, boundary_rows, presents, report)
        if report.errors:
            return report.problems

        done = 0.0
        for t in schema.TABLES:
            tell(0.65 + 0.33 * done, f"loading {t.name}")
            done += sizes.get(t.name, 0) / total
            if t.optional and t.name not in sources:  # left out: an empty typed table
                cols = ", ".join(f"{_q(c.name)} {c.type}" for c in t.columns)
                con.execute(f"CREATE OR REPLACE TABLE {_q(t.name)} ({cols})")
                created.append(t.name)
                continue
            cols = ", ".join(_q(c.name) for c in t.columns)
            con.execute(f"CREATE OR REPLACE TABLE {_q(t.name)} AS SELECT {cols} "
                        f"FROM {_STAGE.format(t.name)} ORDER BY {_order_by(t)}")
            created.append(t.name)
            _drop(con, [_STAGE.format(t.name)], temp=True)
        con.execute("CREATE OR REPLACE TABLE boundaries (adcode VARCHAR, name VARCHAR, "
                    "overlay BOOLEAN, geojson VARCHAR)")
        created.append("boundaries")
        if boundary_rows:
            con.executemany("INSERT INTO boundaries VALUES (?, ?, ?, ?)", boundary_rows)
        con.execute("CREATE OR REPLACE TABLE _manifest (key VARCHAR, value VARCHAR)")
        created.append("_manifest")
        if manifest:
            con.executemany("INSERT INTO _manifest VALUES (?, ?)",
                            [(str(k), json.dumps(v, ensure_ascii=False))
                             for k, v in manifest.items()])
        created.clear()
        tell(1.0, "loaded")
        return report.problems
    finally:
        _drop(con, created, temp=False)
        _drop(con, [_STAGE.format(t.name) for t in schema.TABLES], temp=True)


def validate_dataset(data_dir: Path, progress: Progress = None) -> list[Problem]:
    """Every problem of the dataset in ``data_dir`` (loaded into a throw-away database)."""
    con = duckdb.connect(":memory:")
    try:
        return load_dataset(Path(data_dir), con, progress)
    finally:
        con.close()


def dataset_extent(con: duckdb.DuckDBPyConnection) -> tuple[float, float, float, float]:
    """The bounding box (lon_min, lat_min, lon_max, lat_max) of a loaded boundaries table."""
    from shapely.geometry import shape

    bounds = []
    for (text,) in con.execute("SELECT geojson FROM boundaries").fetchall():
        bounds.append(shape(json.loads(text)["geometry"]).bounds)
    if not bounds:
        return schema.CHONGQING_EXTENT
    arr = np.array(bounds)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()),
            float(arr[:, 2].max()), float(arr[:, 3].max()))
