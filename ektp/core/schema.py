"""Which schema a DuckDB file was built with, so code and data of different versions are caught.

The ETL writes the fingerprint of its SQL (etl/sql/tables.sql and views.sql) into `schema_info`
at every load. `make data` (`python -m etl build --if-missing`) upgrades a file whose fingerprint
differs, and the app tells the reader how instead of failing on a missing view.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ektp.core.settings import ROOT

SQL_FILES = ("tables.sql", "views.sql")
#: The layout of the map geometry files the ETL writes (`format.txt` beside them): 2 = feature
#: properties `c` (code) and `n` (name), and a brotli copy of each file; 3 = as 2 (3 also wrote
#: each view packed for Plotly's maps in the browser, `<view>.pack.json`; nothing reads those
#: since the maps are the server's SVG, and a folder holding them is the same layout). The app
#: does not draw files of another layout; `make data` rewrites them (etl.build.refresh_static).
GEO_FORMAT = "3"
GEO_FORMAT_FILE = "format.txt"


def geo_format_of(folder: Path) -> str:
    """The layout a geometry folder was written in ("1" for folders from before the marker)."""
    try:
        return (folder / GEO_FORMAT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "1"


def geo_files_status(folder: Path, boundary: str = "province") -> str:
    """'ok', 'missing' (no such file) or 'outdated' (written in another layout): what the
    app draws from (ektp.data.geo) and what `make data` rewrites (etl.build)."""
    if not (folder / f"{boundary}.json").exists():
        return "missing"
    return "ok" if geo_format_of(folder) == GEO_FORMAT else "outdated"


def fingerprint() -> str:
    """Short hash of the schema this code expects."""
    h = hashlib.sha256()
    for name in SQL_FILES:
        h.update((ROOT / "etl" / "sql" / name).read_bytes())
    return h.hexdigest()[:16]


def has_table(con, name: str) -> bool:  # noqa: ANN001 - any DuckDB connection
    """A base table (not a view) of that name in the open DB."""
    rows = con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


def of_connection(con) -> str | None:  # noqa: ANN001 - any DuckDB connection
    """The fingerprint stored in an open DB, None when it has none (built before fingerprints)."""
    if not has_table(con, "schema_info"):
        return None
    got = con.execute("SELECT fingerprint FROM schema_info").fetchall()
    return got[0][0] if got else None
