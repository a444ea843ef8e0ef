"""The served DuckDB file: where it is, its identity, and the one way to open it read-only.

Every reader of the served file in any process — the app's cached connection (ektp.data.db), the
Load page's preview, the reader pages, the command line's `status` and `build` — opens it
through `open_read_only`. DuckDB refuses a second connection to one file in one process when
its configuration differs from the first ("Can't open a connection to same database file with
a different configuration"), so a second way of opening it would break whichever page comes
second. No Streamlit here: the ETL and the reader pages use it too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from ektp.core import settings

#: read_only: nothing here writes; no extension is installed or loaded at run time
READ_ONLY_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class DatabaseMissingError(Exception):
    """The DuckDB file does not exist yet."""


def db_path() -> Path:
    return settings.path("db_path")


def stamp(path: Path | None = None) -> tuple[str, int, int]:
    """Identity of the served file: changes when the ETL swaps a new one in."""
    p = path or db_path()
    try:
        s = os.stat(p)
    except FileNotFoundError as exc:
        raise DatabaseMissingError(str(p)) from exc
    return (str(p), s.st_ino, s.st_mtime_ns)


def open_read_only(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the one configuration every reader of the file shares."""
    return duckdb.connect(str(path or db_path()), read_only=True, config=READ_ONLY_CONFIG)


def journal_dir(path: Path | None = None) -> Path:
    """The load journal of one DB file (two DB files in one folder keep two histories): an
    entry per load under way, or one that ended without swapping a new file in."""
    p = path or db_path()
    return p.with_name(f".{p.name}.journal")


def pending_attempts(path: Path | None = None) -> list[dict]:
    """Attempts the served file does not record yet: loads that died, were refused or failed
    before a swap (a refused file leaves the served file untouched, so its record waits in the
    journal until the next load that swaps writes it into the history). Oldest first."""
    out = []
    for entry in sorted(journal_dir(path).glob("*.json")):
        try:
            out.append(json.loads(entry.read_text()))
        except (OSError, ValueError):
            continue
    return out
