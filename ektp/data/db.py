"""The app's one read-only DuckDB connection, cached, and dropped when the ETL swaps the file.

DuckDB allows many read-only processes or one writer. Within one process a new connect() to the
same path returns the old instance until every old connection is closed, so when the file's
identity (inode, mtime) changes we close the cached connection before opening the new file.
Each query runs on its own cursor: a connection with an unfinished result refuses more work.
"""

from __future__ import annotations

import threading

import duckdb
import polars as pl
import streamlit as st

from ektp.core import schema
from ektp.core.served import READ_ONLY_CONFIG, DatabaseMissingError, db_path, open_read_only, stamp  # noqa: F401

_lock = threading.Lock()
_last_stamp: tuple | None = None


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=1, show_spinner=False, on_release=_close)
def _connect(key: tuple[str, int, int]) -> duckdb.DuckDBPyConnection:
    return open_read_only(key[0])


def connection() -> duckdb.DuckDBPyConnection:
    global _last_stamp
    key = stamp()
    with _lock:
        if _last_stamp is not None and key != _last_stamp:
            _connect.clear()
        _last_stamp = key
        return _connect(key)


def query(sql: str, params: dict | list | None = None) -> pl.DataFrame:
    """Run one parameterised statement on a fresh cursor and return a polars frame."""
    cur = connection().cursor()
    try:
        return pl.from_arrow(cur.sql(sql, params=params or {}).to_arrow_table())
    finally:
        cur.close()


@st.cache_data(show_spinner=False, max_entries=4)
def _schema_current(key: tuple[str, int, int]) -> bool:
    cur = connection().cursor()
    try:
        return schema.of_connection(cur) == schema.fingerprint()
    finally:
        cur.close()


def schema_current() -> bool:
    """True when the served file was built with this code's schema (checked once per file)."""
    return _schema_current(stamp())
