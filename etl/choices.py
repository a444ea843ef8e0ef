"""An operator's answers to "what does this column mean?": checked against the data
dictionary, applied to the load they were given for, and kept per layout (the file's header
cells and kind, hashed: etl.headers.layout_fingerprint) with who chose and when, so that the next
file of that layout is read the same way without asking (table column_choices).
"""

from __future__ import annotations

import duckdb

from ektp.core import schema
from etl.headers import ColumnPlan, FileError
from etl.transform import header_lookup, norm_header


def saved(con: duckdb.DuckDBPyConnection, layout: str) -> dict[str, tuple[str, str | None, str | None]]:
    """The choices kept for a layout: header → (field, who, when), the latest for each header."""
    if not schema.has_table(con, "column_choices"):
        return {}
    rows = con.execute(
        "SELECT header, field, chosen_by, strftime(chosen_at, '%Y-%m-%d %H:%M') FROM column_choices "
        "WHERE fingerprint = ? ORDER BY chosen_at",
        [layout],
    ).fetchall()
    return {h: (f, who, when) for h, f, who, when in rows}


def keep(
    con: duckdb.DuckDBPyConnection, kind: str, columns: dict[str, str], by: str, plan: ColumnPlan, load_id: int
) -> None:
    """An accepted load keeps the choices made for it (`columns`, by `by`), for the next file of
    its layout."""
    asked = {norm_header(h): f for h, f in columns.items()}
    for header, chosen in plan.chosen:
        if asked.get(norm_header(header)) != chosen:
            continue  # applied from a saved layout: kept already
        con.execute("DELETE FROM column_choices WHERE fingerprint = ? AND header = ?", [plan.fingerprint, header])
        con.execute(
            "INSERT INTO column_choices VALUES (?, ?, ?, ?, ?, current_timestamp, ?)",
            [plan.fingerprint, kind, header, chosen, by, load_id],
        )


def check(kind: str, columns: dict[str, str], label: str) -> None:
    """Every chosen meaning is a field of the data dictionary for this kind, or 'ignore'."""
    fields = set(header_lookup(kind).values())
    for header, f in columns.items():
        if f != "ignore" and f not in fields:
            raise FileError(
                f"{label}: '{header}' cannot mean '{f}': not a {kind} field of the dictionary "
                f"(one of: {', '.join(sorted(fields))}, or ignore)"
            )


def unresolved_message(label: str, plan: ColumnPlan) -> str:
    cols = "; ".join(f"'{h}': {why}" for h, why in plan.unresolved)
    return (
        f"{label}: {len(plan.unresolved)} column(s) need a meaning before the file loads — {cols}. Choose it on "
        "the Load page, or give --column 'HEADER=field' (or 'HEADER=ignore'); the choice is kept for the next "
        "file of this layout"
    )
