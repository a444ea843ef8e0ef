"""The load history the internal instance shows (the Data page; never called in public mode):
the served file's loads and rejected rows, and the attempts it does not record yet."""

from __future__ import annotations

import polars as pl

from ektp.core import served
from ektp.data import db


def _q(sql: str, params: dict | None = None) -> pl.DataFrame:
    return db.query(sql, params)


def load_history() -> pl.DataFrame:
    """Load history (internal mode only; the public page never calls it): the served file's
    loads, and first the attempts it does not record yet (refused or failed without a swap,
    or under way; ektp.core.served.pending_attempts), with no load id."""
    done = _q(
        "SELECT load_id, file, kind, status, operator, origin, rows_read, rows_accepted, rows_rejected, "
        "rows_skipped, rows_warned, started_at, finished_at, message, columns FROM loads ORDER BY load_id DESC"
    )
    pending = [
        {"file": a.get("files"), "kind": a.get("kind"), "status": a.get("status") or "under way or interrupted",
         "operator": a.get("operator"), "origin": a.get("origin"), "rows_read": a.get("rows_read"),
         "rows_rejected": a.get("rows_rejected"), "rows_skipped": a.get("rows_skipped"),
         "message": a.get("error")}
        for a in reversed(served.pending_attempts())
    ]  # fmt: skip
    if not pending:
        return done
    return pl.concat([pl.DataFrame(pending, schema={c: done.schema[c] for c in pending[0]}), done], how="diagonal")


def rejected_rows(limit: int = 500) -> pl.DataFrame:
    return _q(
        "SELECT load_id, file, row_number, reason, raw FROM rejected_rows "
        "WHERE NOT starts_with(reason, 'skipped') ORDER BY load_id DESC, row_number LIMIT $limit",
        {"limit": limit},
    )
