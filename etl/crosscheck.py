"""Cross-checks of one loaded file against itself, run after its rows are in.

Real recaps print their own sums, and the sums often disagree with the rows: a JUMLAH row, or a
province's own row among its regencies. Neither is loaded as a region's figure by accident (a
JUMLAH row is skipped; a province row is the province's own figure), and where either disagrees
with the sum of the rows, the load summary says so and the row carries the note.
"""

from __future__ import annotations

import duckdb

from ektp import checks
from etl.transform import ParseError, is_missing, parse_count
from etl.validate import RowContext

#: Counts a JUMLAH row or a province row is compared on.
SUMMED = ("population", "eligible", "recorded", "not_recorded", "printed", "print_ready", "blanko_on_hand")


def _n(x: int) -> str:
    return f"{x:,}"


def check_totals(
    con: duckdb.DuckDBPyConnection, ctx: RowContext, load_id: int, label: str, totals: list[tuple[int, list]]
) -> list[str]:
    """Each JUMLAH/TOTAL row of the file against the sum of the file's accepted rows of the
    level most of them are at; a difference is said in the summary and on the skipped row."""
    if not totals:
        return []
    dates = con.execute("SELECT COUNT(DISTINCT as_of) FROM coverage WHERE load_id = ?", [load_id]).fetchall()[0][0]
    if dates != 1:
        return [f"JUMLAH rows not compared: the file's rows have {dates} dates"]
    fields = [f for f in SUMMED if f in ctx.plan.index]
    sums = con.execute(
        f"""
        WITH rows AS (SELECT c.*, r.level FROM coverage c JOIN regions r ON r.code = c.region_code
                      WHERE c.load_id = ?),
             lvl AS (SELECT level FROM rows GROUP BY level ORDER BY COUNT(*) DESC, level LIMIT 1)
        SELECT COUNT(*), {", ".join(f"SUM({f})::BIGINT" for f in fields) or "NULL"}
        FROM rows WHERE level = (SELECT level FROM lvl)
        """,  # noqa: S608 - field names come from the fixed SUMMED list
        [load_id],
    ).fetchall()[0]
    n_rows, summed = sums[0], dict(zip(fields, sums[1:], strict=True))
    out: list[str] = []
    for row_number, cells in totals:
        diffs, compared = [], 0
        for f in fields:
            v = cells[ctx.plan.index[f]] if ctx.plan.index[f] < len(cells) else None
            compared += not is_missing(v)  # a figure the JUMLAH row prints
            if is_missing(v) or summed[f] is None:
                continue
            try:
                printed = parse_count(v, ctx.locale)
            except ParseError:
                continue
            if printed != summed[f]:
                diffs.append(
                    f"{f} {_n(printed)} disagrees with the sum of the {n_rows} rows loaded, {_n(summed[f])} "
                    f"(difference {_n(printed - summed[f])})"
                )
        if diffs:
            note = f"row {row_number} (JUMLAH): " + "; ".join(diffs)
            out.append(f"{label} {note}")
            con.execute(
                "UPDATE rejected_rows SET reason = reason || '; ' || ? WHERE load_id = ? AND row_number = ?",
                ["printed total " + "; ".join(diffs), load_id, row_number],
            )
        elif compared:
            out.append(f"row {row_number} (JUMLAH) agrees with the sum of the {n_rows} rows loaded")
    return out


def check_province_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """A province's own row among its regencies, against the sum of those regency rows (same
    file, same date), where the file gives every regency of the province (a partial sum differs
    by design: a file of citations holds a province's figure and one regency's from two
    articles); a difference is noted on the province row and in the summary."""
    cols = ", ".join(f"p.{f} AS p_{f}, s.{f} AS s_{f}" for f in SUMMED)
    found = con.execute(
        f"""
        WITH rows AS (SELECT c.*, r.level, r.province_code FROM coverage_rows c
                      JOIN regions r ON r.code = c.region_code WHERE c.load_id = ?),
             sums AS (SELECT province_code, as_of, COUNT(DISTINCT region_code) AS n,
                             {", ".join(f"SUM({f})::BIGINT AS {f}" for f in SUMMED)}
                      FROM rows WHERE level = 'regency' GROUP BY ALL),
             kids AS (SELECT parent_code, COUNT(*) AS n FROM regions WHERE level = 'regency' GROUP BY ALL)
        SELECT p.row_number, p.region_code, s.n, {cols}
        FROM rows p JOIN sums s ON s.province_code = p.region_code AND s.as_of = p.as_of
        JOIN kids k ON k.parent_code = p.region_code AND k.n = s.n
        WHERE p.level = 'province' ORDER BY p.row_number
        """,  # noqa: S608 - field names come from the fixed SUMMED list
        [load_id],
    ).fetchall()
    out = []
    for row in found:
        row_number, code, n = row[:3]
        vals = row[3:]
        diffs = []
        for i, f in enumerate(SUMMED):
            own, summed = vals[2 * i], vals[2 * i + 1]
            if own is not None and summed is not None and own != summed:
                diffs.append(checks.write("province_sum", measure=f, own=own, n=n, summed=summed))
        if diffs:
            note = checks.SEP.join(diffs)
            con.execute(
                "UPDATE coverage_rows SET warnings = CASE WHEN warnings IS NULL THEN ? ELSE warnings || '; ' || ? END "
                "WHERE load_id = ? AND row_number = ?",
                [note, note, load_id, row_number],
            )
            out.append(f"row {row_number} ({code}, the province's own figure): {note}")
    return out
