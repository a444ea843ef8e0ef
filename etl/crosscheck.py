"""Cross-checks of one loaded file against itself, run after its rows are in.

Real recaps print their own sums, and the sums often disagree with the rows: a JUMLAH row, or a
province's own row among its regencies. Neither is loaded as a region's figure by accident (a
JUMLAH row is skipped; a province row is the province's own figure), and where either disagrees
with the sum of the rows, the load summary says so and the row carries the note.
"""

from __future__ import annotations

import duckdb

from ektp.core import checks
from etl.headers import ColumnPlan
from etl.places import RowContext
from etl.transform import ParseError, is_missing, parse_count

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


#: How far a printed percentage may sit from the file's own counts and still be that reading
#: (a file printing whole percents is off by up to 0.5).
RATE_SLACK = 0.6
#: A rate this many points from the area's own previous figure is warned on the row.
JUMP_POINTS = 25.0


def _header(plan: ColumnPlan, f: str) -> str:
    return next((h for h, g in plan.mapped if g == f), f)


def check_readings(con: duckdb.DuckDBPyConnection, load_id: int, plan: ColumnPlan, label: str) -> str | None:
    """A column whose reading the file's own arithmetic contradicts is a wrong reading: the
    refusal that names the column and both readings, or None. A percentage is checked against
    recorded / eligible (a '%' under BELUM REKAM read as the recorded share comes out as its
    complement on every row); a BELUM REKAM count against eligible − recorded. One row off is a
    slip (the row keeps its note); most rows off is the reading. Counted in SQL: a file of ten
    million rows is checked without bringing them into Python."""
    pct_col = next((f for f in ("recorded_pct", "not_recorded_pct") if f in plan.index), None)
    if pct_col:
        n, agree, comp, frac, comp_row, frac_row = con.execute(
            """WITH r AS (SELECT row_number, recorded_pct_reported AS p,
                                 100.0 * recorded / coalesce(nullif(eligible, 0), recorded + not_recorded) AS c
                          FROM coverage_rows WHERE load_id = $id AND recorded_pct_reported IS NOT NULL
                          AND recorded IS NOT NULL AND coalesce(nullif(eligible, 0), recorded + not_recorded) > 0)
               SELECT count(*), count(*) FILTER (abs(p - c) <= $s),
                      count(*) FILTER (abs(100.0 - p - c) <= $s AND abs(c - 50.0) > $s),
                      count(*) FILTER (abs(100.0 * p - c) <= $s AND p <= 1.0),
                      min(row_number) FILTER (abs(100.0 - p - c) <= $s AND abs(c - 50.0) > $s),
                      min(row_number) FILTER (abs(100.0 * p - c) <= $s AND p <= 1.0) FROM r""",
            {"id": load_id, "s": RATE_SLACK},
        ).fetchall()[0]
        for what, hits, first in (("complement", comp, comp_row), ("fraction", frac, frac_row)):
            if hits and hits > agree and 2 * hits >= n:
                stored, computed = con.execute(
                    "SELECT recorded_pct_reported, 100.0 * recorded / coalesce(nullif(eligible, 0), recorded + not_recorded) "
                    "FROM coverage_rows WHERE load_id = ? AND row_number = ?",
                    [load_id, first],
                ).fetchall()[0]
                said = stored if pct_col == "recorded_pct" else 100.0 - stored
                reading = (
                    "% sudah rekam (recorded share)"
                    if pct_col == "recorded_pct"
                    else "% belum rekam (unrecorded share)"
                )
                truth = {"complement": ("% belum rekam (unrecorded share)" if pct_col == "recorded_pct"
                                        else "% sudah rekam (recorded share)"),
                         "fraction": "a fraction (0–1), not a percentage"}[what]  # fmt: skip
                return (
                    f"{label}: column '{_header(plan, pct_col)}' read as {reading} contradicts the file's own counts "
                    f"on {hits} of {n} rows (row {first}: it says {said:g}, sudah rekam / wajib KTP-el "
                    f"= {computed:.2f}%); it reads as {truth}. Nothing was loaded: give the column that meaning "
                    "(the Load page asks; --column) or correct its header"
                )
    if {"eligible", "recorded", "not_recorded"} <= set(plan.index):
        n, off, first = con.execute(
            """WITH r AS (SELECT row_number, abs(eligible - recorded - not_recorded) > greatest(1, 0.001 * eligible) AS bad
                          FROM coverage_rows WHERE load_id = ? AND eligible IS NOT NULL AND recorded IS NOT NULL
                          AND not_recorded IS NOT NULL)
               SELECT count(*), count(*) FILTER (bad), min(row_number) FILTER (bad) FROM r""",
            [load_id],
        ).fetchall()[0]
        if n >= 2 and 2 * off > n:
            e, rec, nrec = con.execute(
                "SELECT eligible, recorded, not_recorded FROM coverage_rows WHERE load_id = ? AND row_number = ?",
                [load_id, first],
            ).fetchall()[0]
            return (
                f"{label}: column '{_header(plan, 'not_recorded')}' read as belum rekam disagrees with "
                f"'{_header(plan, 'eligible')}' − '{_header(plan, 'recorded')}' on {off} of {n} rows "
                f"(row {first}: {e:,} − {rec:,} = {e - rec:,}, the column says {nrec:,}): a wrong reading of one of "
                "the three columns. Nothing was loaded: check their headers or choose their meanings"
            )
    return None


#: Rows with a rate a load may have and still be compared with its areas' history (a village file
#: of millions of rows is not: its summary says so).
HISTORY_ROWS = 100_000


def history_notes(con: duckdb.DuckDBPyConnection, history: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """A row whose rate sits far from its area's own latest earlier figure (97% last year, 2%
    now) keeps a note saying so; `history` is the served data (this load's rows left out)."""
    n = con.execute("SELECT count(*) FROM coverage_rows WHERE load_id = ?", [load_id]).fetchall()[0][0]
    if n > HISTORY_ROWS:
        return [f"rates not compared with each area's history: {n:,} rows, more than {HISTORY_ROWS:,}"]
    rows = con.execute(  # the rate as v_coverage reads it (etl/sql/views.sql), of this load's rows
        """SELECT row_number, region_code, as_of, CASE
               WHEN eligible > 0 AND recorded IS NOT NULL THEN 100.0 * recorded / eligible
               WHEN recorded_pct_reported IS NOT NULL THEN recorded_pct_reported
               WHEN not_recorded IS NOT NULL AND eligible > 0 THEN 100.0 - 100.0 * not_recorded / eligible END AS rate
           FROM coverage_rows WHERE load_id = ? AND rate IS NOT NULL""",
        [load_id],
    ).fetchall()
    if not rows:
        return []
    codes = sorted({r[1] for r in rows})
    before = history.execute(
        "SELECT region_code, as_of, 100.0 * recording_rate FROM v_coverage_best "
        "WHERE list_contains(?::VARCHAR[], region_code) AND recording_rate IS NOT NULL ORDER BY region_code, as_of",
        [codes],
    ).fetchall()
    past: dict[str, list[tuple]] = {}
    for code, when, rate in before:
        past.setdefault(code, []).append((when, rate))
    out = []
    for rn, code, when, rate in rows:
        earlier = [p for p in past.get(code, []) if p[0] < when]
        if not earlier:
            continue
        pwhen, prate = earlier[-1]
        if abs(rate - prate) > JUMP_POINTS:
            note = checks.write("history_jump", rate=f"{rate:.1f}", gap=f"{abs(rate - prate):.1f}",
                                previous=f"{prate:.1f}", when=pwhen.isoformat())  # fmt: skip
            con.execute(
                "UPDATE coverage_rows SET warnings = CASE WHEN warnings IS NULL THEN ? ELSE warnings || ? || ? END "
                "WHERE load_id = ? AND row_number = ?",
                [note, checks.SEP, note, load_id, rn],
            )
            out.append(f"row {rn}: {note}")
    return out
