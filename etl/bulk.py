"""Validate in bulk: the row rules of `etl.validate`, run as DuckDB set operations.

Row-by-row Python reads about 25k rows/s, so a national village-month file (10M rows) would
take minutes. Here DuckDB reads the file in parallel and sorts the rows into three lanes:

- fast: every cell is in a plain, unambiguous form (digits, ISO or d/m/Y dates, a resolved
  region code) and no warning rule can fire; inserted straight from SQL;
- dup: an exact duplicate of an earlier row; rejected with the earlier row's number;
- slow: anything else (blank, total, ambiguous numbers, unknown regions, warnings, …); these
  rows go through `validate.process_row`, the one definition of the rules and their messages.

The SQL only ever decides "certainly clean"; when in doubt a row takes the slow lane, so the
result is the row-by-row result (tests load every fixture both ways and compare). A file the
bulk reader cannot map one line to one row (blank lines, quoted newlines, ragged rows,
non-UTF-8) is not staged at all: the caller falls back to reading it row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl import rules
from etl.extract import RawTable
from etl.places import RowContext, resolve_region
from etl.transform import (
    COUNT_FIELDS,
    DATE_FIELDS,
    MISSING,
    PCT_FIELDS,
    ROW_DATE,
    TOTAL_START,
    is_missing,
    is_total_row,
)
from etl.validate import COLUMNS, COPIED_TEXT, COUNTS_FIELDS, COUNTS_TABLE, EKTP_START, FIGURE_FIELDS

#: Fields the bulk lanes do not check (periods in two cells, units, BPS codes, province codes,
#: a split by sex): a file with any of them is read row by row.
ROW_ONLY_FIELDS = (
    "year", "period_semester", "period_quarter", "period_month", "unit", "bps_code", "province_code",
    "eligible_male", "eligible_female", "recorded_male", "recorded_female", "not_recorded_male",
    "not_recorded_female",
)  # fmt: skip


def not_bulk_reason(raw: RawTable, ctx: RowContext) -> str | None:
    """Why a file is read row by row whatever its size, or None when the bulk lanes may take it."""
    if raw.stacked:
        return "two header rows"
    if raw.reshaped:
        return "reshaped rows (a long table or month columns)"
    if ctx.codes == "bps":
        return "BPS codes, matched by name"
    if ctx.plan.mixed_levels and "region_code" not in ctx.plan.index:
        return "names of several levels, each row placed by its own"
    if len(ctx.plan.ancestors) > 1:
        return "more than one parent column"
    if "not_recorded_pct" in ctx.plan.index:
        return "an unrecorded share, turned into the recorded one row by row"
    extra = [f for f in ROW_ONLY_FIELDS if f in ctx.plan.index]
    return f"columns {', '.join(extra)}" if extra else None


#: Kinds whose rules the bulk lanes cover; destruction and targets files are small and
#: carry cross-field rules, so they are always read row by row.
BULK_KINDS = ("coverage", "backlog", "blanko")

# Python's str.strip() whitespace, as an RE2 class (RE2's \s is ASCII only)
_WS = r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
assert max(len(m.encode()) for m in MISSING) <= 4  # cell_key only lowers cells of up to 4 bytes
_MISSING_SQL = ", ".join("'" + m.replace("'", "''") + "'" for m in sorted(MISSING))


class NotBulk(Exception):
    """The file cannot be staged one line per row; read it row by row instead."""


@dataclass
class Staged:
    n_cols: int
    rows: int


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """Bind only the $names the statement uses (DuckDB refuses unused ones)."""
    con.execute(sql, {p: v for p, v in params.items() if f"${p}" in sql})


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO py_strip(s) AS
            CASE WHEN regexp_matches(s, '^{_WS}|{_WS}$') THEN regexp_replace(s, '^{_WS}+|{_WS}+$', '', 'g') ELSE s END;
        CREATE OR REPLACE TEMP MACRO cell_key(s) AS
            CASE WHEN s IS NULL THEN ''
                 WHEN strlen(py_strip(s)) <= 4 AND lower(py_strip(s)) IN ({_MISSING_SQL}) THEN ''
                 ELSE py_strip(s) END;
        CREATE OR REPLACE TEMP MACRO canon(s) AS ord(s) BETWEEN 33 AND 126 AND ord(right(s, 1)) BETWEEN 33 AND 126
            AND (strlen(s) > 4 OR ord(s) BETWEEN 48 AND 57 OR lower(s) NOT IN ({_MISSING_SQL}));
        CREATE OR REPLACE TEMP MACRO key(s) AS CASE WHEN canon(s) THEN s ELSE cell_key(s) END;
        CREATE OR REPLACE TEMP MACRO digits(s) AS ltrim(s, '0123456789') = '';
        CREATE OR REPLACE TEMP MACRO cell_text(k) AS
            CASE WHEN k = '' THEN NULL WHEN regexp_full_match(k, '[0-9]+\\.0') THEN left(k, -2) ELSE k END;
        CREATE OR REPLACE TEMP MACRO count_body(k) AS CASE WHEN suffix(k, '.0') THEN left(k, -2) ELSE k END;
        CREATE OR REPLACE TEMP MACRO count_ok(k) AS k = '' OR (strlen(count_body(k)) BETWEEN 1 AND 15 AND digits(count_body(k)));
        CREATE OR REPLACE TEMP MACRO count_val(k) AS CASE WHEN k = '' THEN NULL
            ELSE TRY_CAST(count_body(k) AS BIGINT) END;
        CREATE OR REPLACE TEMP MACRO pct_ok(k) AS k = '' OR regexp_full_match(k, '[0-9]{{1,3}}([.,][0-9]{{1,2}})?%?');
        CREATE OR REPLACE TEMP MACRO pct_val(k) AS
            CASE WHEN k = '' THEN NULL ELSE TRY_CAST(replace(rtrim(k, '%'), ',', '.') AS DOUBLE) END;
        CREATE OR REPLACE TEMP MACRO date_val(k) AS CASE
            WHEN strlen(k) = 10 AND k[3] = '/' AND k[6] = '/' AND digits(replace(k, '/', ''))
                THEN try_strptime(k, '%d/%m/%Y')::DATE
            WHEN strlen(k) = 10 AND k[5] = '-' AND k[8] = '-' AND digits(replace(k, '-', '')) THEN TRY_CAST(k AS DATE)
            WHEN regexp_full_match(k, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}( 00:00:00)?') THEN TRY_CAST(
                regexp_extract(k, '^([0-9]{{4}})', 1) || '-' || lpad(regexp_extract(k, '^[0-9]{{4}}-([0-9]+)', 1), 2, '0')
                || '-' || lpad(regexp_extract(k, '^[0-9]{{4}}-[0-9]+-([0-9]+)', 1), 2, '0') AS DATE)
            WHEN regexp_full_match(k, '[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-][0-9]{{4}}') THEN TRY_CAST(
                regexp_extract(k, '([0-9]{{4}})$', 1) || '-' || lpad(regexp_extract(k, '^[0-9]+[/.-]([0-9]+)', 1), 2, '0')
                || '-' || lpad(regexp_extract(k, '^([0-9]+)', 1), 2, '0') AS DATE)
            END;
        """
    )


def _csv_head_ok(raw: RawTable) -> bool:
    """The header sits on physical line `header_row`: no quoted newline above or in it."""
    import csv
    import io

    with raw.file.open("r", encoding="utf-8-sig", newline="") as fh:
        lines = [fh.readline() for _ in range(raw.header_row)]
    records = list(csv.reader(io.StringIO("".join(lines)), delimiter=raw.delimiter or ","))
    return len(records) == raw.header_row and [str(c) for c in records[-1]] == raw.headers


def line_count(path: Path) -> int:
    """Physical lines of a file (a last line without a newline counts)."""
    n, last = 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def stage(con: duckdb.DuckDBPyConnection, raw: RawTable) -> Staged:
    """Copy the file's data rows into TEMP TABLE stage_rows as text, one row per line, seen
    through TEMP VIEW stage(rn, c0..cN) with rn the row's line in the file."""
    n = len(raw.headers)
    cols = [f"c{i}" for i in range(n)]
    cleanup(con)
    if raw.fmt == "csv":
        if raw.encoding != "utf-8":
            raise NotBulk(f"encoding {raw.encoding}")
        if not _csv_head_ok(raw):
            raise NotBulk("title or header rows span several lines")
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
        # The reader keeps the file's order (preserve_insertion_order), so a row's rowid is its
        # place among the data rows; the count check below makes sure no line was dropped. A
        # row_number() column instead is a single-threaded window: 3.7 s against 1.9 s for 10M rows.
        try:
            con.execute(
                f"CREATE TEMP TABLE stage_rows AS SELECT * FROM read_csv($path, delim = $delim, quote = '\"', "
                f"escape = '\"', header = false, skip = $skip, auto_detect = false, columns = {spec}, "
                "strict_mode = true, null_padding = false, ignore_errors = true)",
                {"path": str(raw.file), "delim": raw.delimiter or ",", "skip": raw.header_row},
            )
        except duckdb.Error as exc:
            raise NotBulk(f"CSV reader: {str(exc).splitlines()[0]}") from None
        rows, last_rowid = con.execute("SELECT COUNT(*), MAX(rowid) FROM stage_rows").fetchall()[0]
        if rows != line_count(raw.file) - raw.header_row:
            cleanup(con)
            raise NotBulk("blank lines or quoted line breaks: lines and rows differ")
        if rows and last_rowid != rows - 1:  # inside an open transaction rowids are provisional
            cleanup(con)
            raise NotBulk("staged inside a transaction: rowids are not line numbers")
        con.execute(f"CREATE TEMP VIEW stage AS SELECT rowid + {int(raw.header_row) + 1} AS rn, * FROM stage_rows")
    elif raw.fmt == "parquet":
        sel = ", ".join(f"CAST({_q(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(raw.headers))
        try:
            con.execute(
                f"CREATE TEMP TABLE stage_rows AS SELECT file_row_number + 1 AS rn, {sel} "
                "FROM read_parquet($path, file_row_number = true)",
                {"path": str(raw.file)},
            )
        except duckdb.Error as exc:
            raise NotBulk(f"Parquet reader: {str(exc).splitlines()[0]}") from None
        rows = con.execute("SELECT COUNT(*) FROM stage_rows").fetchall()[0][0]
        con.execute("CREATE TEMP VIEW stage AS SELECT * FROM stage_rows")
    else:
        raise NotBulk(f"format {raw.fmt}")
    return Staged(n, rows)


def run_with_frame(con: duckdb.DuckDBPyConnection, sql: str, df: pl.DataFrame) -> None:
    """Run `sql` with a polars frame visible as `_frame`: how Python rows reach DuckDB here
    (executemany costs ~0.3 ms a row: 20 s for an 83k-village region map)."""
    con.register("_frame", df)
    try:
        con.execute(sql)
    finally:
        con.unregister("_frame")


def _exact_totals(con: duckdb.DuckDBPyConnection, n_cols: int) -> None:
    """TEMP TABLE totals(rn): rows `is_total_row` skips. SQL flagged candidates, Python decides."""
    first3 = ", ".join(f"s.c{i}" for i in range(min(3, n_cols)))
    cands = con.execute(
        f"SELECT s.rn, {first3} FROM stage s SEMI JOIN slowkeys k ON k.rn = s.rn AND k.maybe_total"
    ).fetchall()
    exact = [r[0] for r in cands if is_total_row(["" if c is None else c for c in r[1:]])]
    run_with_frame(
        con,
        "CREATE OR REPLACE TEMP TABLE totals AS SELECT * FROM _frame",
        pl.DataFrame({"rn": exact}, schema={"rn": pl.Int64}),
    )


def _date_map(con: duckdb.DuckDBPyConnection, i: int) -> None:
    """TEMP TABLE dmap{i}(raw, dv, ok): each distinct date text of column i, parsed once.

    A file has a few hundred distinct dates in millions of rows, and a failing
    TRY_CAST(... AS DATE) is slow (about 0.3 µs a cell: 3 s for 10M). `ok`: the text is its
    own d/m/Y or ISO round trip, so the value is certain.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dmap{i} AS
        SELECT raw, coalesce(d::DATE, iso) AS dv,
               coalesce(strftime(d, '%d/%m/%Y') = raw, FALSE) OR coalesce(CAST(iso AS VARCHAR) = raw, FALSE) AS ok
        FROM (SELECT raw, try_strptime(raw, '%d/%m/%Y') AS d, TRY_CAST(raw AS DATE) AS iso
              FROM (SELECT DISTINCT c{i} AS raw FROM stage WHERE c{i} IS NOT NULL))
        """  # noqa: S608 - i is an int
    )


# a Kemendagri code already written the way `normalize_code` returns it
_CANONICAL_CODE = r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?"


def _region_map(con: duckdb.DuckDBPyConnection, ctx: RowContext, n_cols: int) -> list[str]:
    """TEMP TABLE regmap: each distinct raw region tuple → code (NULL when unresolved).

    Codes already in canonical form are looked up in the DB's own `regions` table; anything
    else (names, '1503', stray spaces) goes through the matcher, as the row-by-row path does.
    """
    idx = ctx.plan.index
    slots = [idx.get("region_code"), idx.get("region_name"), idx.get("province"), ctx.plan.parent_index]
    used = [i for i in slots if i is not None]
    keys = [f"c{i}" for i in used]
    distinct = f"SELECT DISTINCT {', '.join(keys)} FROM stage"
    if used == [idx.get("region_code")] and con.execute("SELECT COUNT(*) FROM regions").fetchall()[0][0]:
        c = keys[0]
        con.execute(f"CREATE OR REPLACE TEMP TABLE rawcodes AS {distinct}")  # once: a pass over every row
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE regmap AS
            SELECT d.{c}, r.code AS region_code, TRUE AS canon FROM rawcodes d
            JOIN regions r ON r.code = d.{c}
            WHERE regexp_full_match(d.{c}, '{_CANONICAL_CODE}')
            """  # noqa: S608 - c is c<digit>
        )
        todo = con.execute(f"SELECT {c} FROM rawcodes d ANTI JOIN regmap m USING ({c})").fetchall()  # noqa: S608
        con.execute("DROP TABLE rawcodes")
    else:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE regmap ({', '.join(f'{k} VARCHAR' for k in keys)}, region_code VARCHAR, canon BOOLEAN)"
        )
        todo = con.execute(distinct).fetchall()
    out = []
    for values in todo:
        cells: list[object] = [None] * n_cols
        for i, v in zip(used, values, strict=True):
            cells[i] = v
        code, _, warning = resolve_region(ctx, cells)
        if warning:  # the row-by-row rules word the warning: the row takes the slow lane
            code = None
        # canon: every cell is its own dedupe key (not a missing token, nothing to strip)
        canon = all(v is None or (not is_missing(v) and v == v.strip()) for v in values)
        out.append((*values, code, canon))
    if out:
        schema = [(k, pl.Utf8) for k in keys] + [("region_code", pl.Utf8), ("canon", pl.Boolean)]
        run_with_frame(con, "INSERT INTO regmap SELECT * FROM _frame", pl.DataFrame(out, schema=schema, orient="row"))
    return keys


@dataclass
class _Plan:
    """What the bulk lane knows of one file's columns, for the SQL it writes: each column's test
    on its raw text, the casts computed once per cell, and how a field's value is read."""

    ctx: RowContext
    n: int
    region_join: str
    keyed_cols: set[int]
    date_cols: list[int]
    casts: list[str]
    texts: list[str]
    tests: list[str]

    @property
    def idx(self) -> dict[str, int]:
        return self.ctx.plan.index

    @property
    def kind(self) -> str:
        return self.ctx.kind

    def typed(self, stage_from: str) -> str:
        """The staged rows with their region, casts and cast texts (a subquery)."""
        cells = ", ".join(f"s.c{i}" for i in range(self.n))
        date_joins = " ".join(f"LEFT JOIN dmap{i} ON dmap{i}.raw = s.c{i}" for i in self.date_cols)
        inner = (
            f"SELECT s.rn, {cells}, m.region_code, m.canon{''.join(', ' + x for x in self.casts)} "
            f"FROM {stage_from} {self.region_join} {date_joins}"
        )
        return f"(SELECT *{''.join(', ' + x for x in self.texts)} FROM ({inner}))"

    def val(self, f: str) -> str:
        """A field's value in SQL, valid where the row passed its tests."""
        idx, kind = self.idx, self.kind
        if f not in idx:
            return "NULL::DATE" if f in DATE_FIELDS[kind] else "NULL"
        x = f"c{idx[f]}"
        if f in COUNT_FIELDS.get(kind, ()):  # TRY: a count past 2⁶³ fails its test, never the query
            return f"TRY_CAST(u{idx[f]} AS BIGINT)"
        if f in PCT_FIELDS.get(kind, ()):
            return f"pct_val(coalesce({x}, ''))"
        if f in DATE_FIELDS[kind]:
            return f"dv{idx[f]}"
        return f"cell_text(k{idx[f]})" if idx[f] in self.keyed_cols else f"cell_text(coalesce({x}, ''))"

    def values(self) -> dict[str, str]:
        kind = self.kind
        return {f: self.val(f) for f in (*COUNT_FIELDS.get(kind, ()), *PCT_FIELDS.get(kind, ()), *DATE_FIELDS[kind])}


def _plan_cells(con: duckdb.DuckDBPyConnection, ctx: RowContext, n: int) -> _Plan:
    """One pass over the columns. Codes, counts and dates are tested on their raw text (a clean
    cell is its own key); text and unknown columns get Python's dedupe key (`key`: stripped,
    missing tokens → '', cheap when already canonical). Casts are computed once per cell in an
    inner projection (`casts`, then `texts` over them): DuckDB would evaluate a cast repeated
    across the checks once per use. `tests` say the raw cells are certainly clean."""
    kind, idx = ctx.kind, ctx.plan.index
    reg_keys = _region_map(con, ctx, n)
    region_join = "LEFT JOIN regmap m ON " + " AND ".join(f"m.{k} IS NOT DISTINCT FROM s.{k}" for k in reg_keys)
    col_of = {i: f for f, i in idx.items()}
    counts, pcts = set(COUNT_FIELDS.get(kind, ())), set(PCT_FIELDS.get(kind, ()))
    plan = _Plan(ctx, n, region_join, set(), [], [], [], [])
    for i in range(n):
        f, c = col_of.get(i), f"c{i}"
        if f in counts:
            plan.casts.append(f"TRY_CAST(s.c{i} AS UBIGINT) AS u{i}")
            plan.texts.append(f"CAST(u{i} AS VARCHAR) AS ut{i}")
            # '5' and '5.0' come back from the integer cast; ' 5', '+5', '5_000', '1e3' do not
            plan.tests.append(f"({c} IS NULL OR (({c} = ut{i} OR {c} = ut{i} || '.0') AND u{i} < 1000000000000000))")
        elif f in DATE_FIELDS[kind]:
            _date_map(con, i)
            plan.date_cols.append(i)
            plan.casts += [f"dmap{i}.dv AS dv{i}", f"dmap{i}.ok AS dok{i}"]
            may_be_empty = f != ROW_DATE[kind] or ctx.default_date is not None
            plan.tests.append(f"({c} IS NULL OR dok{i})" if may_be_empty else f"coalesce(dok{i}, FALSE)")
        elif f in pcts:
            plan.tests.append(f"({c} IS NULL OR (canon({c}) AND pct_ok({c})))")
        elif f == "region_code" and reg_keys == [f"c{i}"]:
            plan.tests.append("canon")
        else:  # a keyed text column: any value is fine, a few patterns go to the row-by-row rules
            plan.keyed_cols.add(i)
            plan.casts.append(f"key(s.c{i}) AS k{i}")
            if f in (*COPIED_TEXT, "region_name", "is_synthetic"):  # Python's '.0' rule: str.isdigit, any script
                plan.tests.append(f"NOT regexp_matches(k{i}, '[^\\x00-\\x7f].*\\.0$')")
            if i < 3:  # digits, dates and codes never start with a total word; text cells might
                plan.tests.append(f"NOT regexp_matches(k{i}, '(?i)^({TOTAL_START})')")
    return plan


def _clean_condition(plan: _Plan) -> str:
    """The SQL that is true for a row the fast lane may insert as it is: every cell clean, a
    region, dates in range, a figure, and no rule that could fire (the row lane words those)."""
    kind, idx, ctx = plan.kind, plan.idx, plan.ctx
    values = plan.values()
    row_date = ROW_DATE[kind]
    checks = ["region_code IS NOT NULL", *plan.tests]
    for f in DATE_FIELDS[kind]:
        if f in idx:
            checks.append(f"(c{idx[f]} IS NULL OR {values[f]} BETWEEN $start AND $today)")
    if row_date not in idx and ctx.default_date is None:
        checks.append("FALSE")  # every row lacks its date: the slow lane words the error
    for f in COUNT_FIELDS.get(kind, ()):  # above the smallest ceiling: the row lane judges it by level
        if f in idx:
            checks.append(f"(u{idx[f]} IS NULL OR coalesce({values[f]} <= {rules.BULK_CEILING}, FALSE))")
    warn = rules.sql_conditions(kind, values)  # the rules the row lane applies too (etl/rules.py)
    if kind == "coverage":  # the reported rate: its tolerance is the row lane's (rules.coverage_warnings)
        elig, rec, nrec, pct = values["eligible"], values["recorded"], values["not_recorded"], values["recorded_pct"]
        base = f"(CASE WHEN {elig} <> 0 THEN {elig} ELSE {rec} + {nrec} END)"
        warn.append(f"({pct} IS NOT NULL AND {base} <> 0 AND abs(100.0 * {rec} / {base} - {pct}) > 0.005)")
        warn.append(  # no recorded count: the rate eligible and not recorded give
            f"({pct} IS NOT NULL AND {rec} IS NULL AND {elig} <> 0 AND {nrec} IS NOT NULL "
            f"AND abs(100.0 * ({elig} - {nrec}) / {elig} - {pct}) > 0.005)"
        )
    figures = [f for f in FIGURE_FIELDS.get(kind, ()) if f in idx]
    if figures:  # a template row with no figure is skipped by the row-by-row rules
        checks.append("(" + " OR ".join(f"c{idx[f]} IS NOT NULL AND c{idx[f]} <> ''" for f in figures) + ")")
    if kind == "coverage":  # eligible derived from recorded + not recorded: the row-by-row rules
        checks.append(
            f"NOT ({values['eligible']} IS NULL AND {values['recorded']} IS NOT NULL "
            f"AND {values['not_recorded']} IS NOT NULL)"
        )
    clean = " AND ".join(checks)
    if warn:
        clean += " AND NOT coalesce(" + " OR ".join(f"coalesce({w}, FALSE)" for w in warn) + ", FALSE)"
    return clean


def _mark_lanes(con: duckdb.DuckDBPyConnection, plan: _Plan, clean: str, params: dict[str, object]) -> None:
    """TEMP TABLE lanes(rn, dup_of, lane): exact duplicates and the rows for the row lane."""
    n = plan.n
    raw_keys = ", ".join(f"k{i}" if i in plan.keyed_cols else f"coalesce(c{i}, '')" for i in range(n))
    # pass 1: clean or not, and (for clean rows, whose cells are their own keys) the key hash
    _execute(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE flags AS
        SELECT rn, coalesce({clean}, FALSE) AS clean, hash({raw_keys}) AS h FROM {plan.typed("stage s")}
        """,  # noqa: S608 - generated from the column plan; values are bound
        params,
    )
    # the other rows: Python's keys (stripped, missing tokens → ''), blank and total candidates
    keys = ", ".join(f"cell_key(s.c{i}) AS k{i}" for i in range(n))
    all_keys = [f"k{i}" for i in range(n)]
    maybe_total = " OR ".join(
        f"regexp_matches(coalesce(s.c{i}, ''), '(?i)^{_WS}*({TOTAL_START})')" for i in range(min(3, n))
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE slowkeys AS
        SELECT *, hash({", ".join(all_keys)}) AS h, ({" AND ".join(f"{k} = ''" for k in all_keys)}) AS blank
        FROM (SELECT s.rn, {keys}, ({maybe_total}) AS maybe_total
              FROM stage s SEMI JOIN flags f ON f.rn = s.rn AND NOT f.clean)
        """  # noqa: S608
    )
    _exact_totals(con, n)
    # exact duplicates: only rows whose key hash repeats get their keys compared
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dups AS
        WITH hashes AS (
            SELECT rn, h FROM flags WHERE clean
            UNION ALL
            SELECT rn, h FROM slowkeys k WHERE NOT blank AND NOT EXISTS (SELECT 1 FROM totals t WHERE t.rn = k.rn)
        ), cand AS (
            SELECT rn FROM hashes WHERE h IN (SELECT h FROM hashes GROUP BY h HAVING COUNT(*) > 1)
        ), ckeys AS (  -- Python's keys for the few candidate rows, clean or not
            SELECT s.rn, {keys} FROM stage s SEMI JOIN cand c ON c.rn = s.rn
        )
        SELECT rn, first_rn FROM (
            SELECT rn, MIN(rn) OVER (PARTITION BY {", ".join(all_keys)}) AS first_rn FROM ckeys
        ) WHERE rn > first_rn
        """  # noqa: S608
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE lanes AS
        SELECT rn, first_rn AS dup_of, 'dup' AS lane FROM dups
        UNION ALL
        SELECT f.rn, NULL, 'slow' FROM flags f ANTI JOIN dups d ON d.rn = f.rn WHERE NOT f.clean
        """
    )


def _insert_clean(con: duckdb.DuckDBPyConnection, plan: _Plan, table: str, params: dict[str, object]) -> None:
    """Pass 2: every row not in a lane, as the row lane would have stored it."""
    kind, idx, ctx, val = plan.kind, plan.idx, plan.ctx, plan.val
    values = plan.values()
    row_date = ROW_DATE[kind]
    synthetic = f"lower({val('is_synthetic')}) IN ('1', 'true', 'yes', 'y')" if "is_synthetic" in idx else "FALSE"
    row_date_expr = values[row_date]
    if ctx.default_date is not None:
        row_date_expr = f"coalesce({row_date_expr}, $default_date)"
    prec_parsed = "'day'" if row_date in idx else "NULL"
    if row_date in idx and ctx.default_date is not None:
        prec_parsed = f"CASE WHEN c{idx[row_date]} IS NULL THEN $default_prec ELSE 'day' END"
    elif ctx.default_date is not None:
        prec_parsed = "$default_prec"
    out = {
        "row_number": "rn",
        "region_code": "region_code",
        "date_precision": f"coalesce({val('date_precision')}, {prec_parsed})",
        "recorded_pct_reported": values.get("recorded_pct", "NULL"),
        "region_name_in_source": val("region_name"),
        "source": val("source"),
        "source_kind": f"CASE WHEN {synthetic} THEN 'synthetic' WHEN {val('source')} IS NOT NULL "
        "THEN 'citation' ELSE 'office' END",
        "is_synthetic": synthetic,
        "warnings": "NULL",
        "oldest_card_precision": f"CASE WHEN {values.get('oldest_card_date', 'NULL')} IS NOT NULL THEN 'day' END",
    }
    for f in COPIED_TEXT:
        out.setdefault(f, val(f))
    for col in COLUMNS[kind]:  # basis and the split by sex: never filled in this lane
        out.setdefault(col, "NULL")
    out.update({f: v for f, v in values.items() if f in COLUMNS[kind]})
    out[row_date] = row_date_expr
    cols = COLUMNS[kind]
    if kind == "coverage" and set(idx) <= set(COUNTS_FIELDS) and ctx.default_date is None:
        # a count-only file: its clean rows hold nothing the narrow table lacks (see COUNTS_TABLE)
        table, cols = COUNTS_TABLE, ["row_number", *COUNTS_FIELDS]
    select = ", ".join(f"{out[col]} AS {col}" for col in cols)
    sql = f"""
        INSERT INTO {table} ({", ".join(cols)}, load_id)
        SELECT {select}, $load_id FROM {plan.typed("stage s ANTI JOIN lanes l ON l.rn = s.rn")}
        """
    _execute(con, sql, params)


def classify_and_insert(
    con: duckdb.DuckDBPyConnection, ctx: RowContext, staged: Staged, table: str, load_id: int
) -> int:
    """Insert the fast lane into `table`; leave TEMP TABLE lanes(rn, lane, dup_of) of the other rows.

    The fast lane is decided on the raw cells with cheap, exact tests (a count cell is its own
    integer cast back to text, a date its own strptime/strftime round trip, a code is already
    canonical), so a clean cell is its own dedupe key. Only the rows that fail them get Python's
    keys rebuilt in SQL (strip, missing tokens), and only rows whose key hash repeats are
    compared for exact duplicates. Returns the number of rows inserted.
    """
    _macros(con)
    plan = _plan_cells(con, ctx, staged.n_cols)
    default_date, default_prec = ctx.default_date or (None, None)
    params: dict[str, object] = {
        "start": EKTP_START,
        "today": ctx.today,
        "default_date": default_date,
        "default_prec": default_prec,
        "label": ctx.file_label,
        "load_id": load_id,
    }
    _mark_lanes(con, plan, _clean_condition(plan), params)
    _insert_clean(con, plan, table, params)
    inserted = staged.rows - con.execute("SELECT COUNT(*) FROM lanes").fetchall()[0][0]
    con.execute("DROP TABLE flags; DROP TABLE slowkeys; DROP TABLE dups; DROP TABLE totals")
    for i in plan.date_cols:
        con.execute(f"DROP TABLE dmap{i}")
    return int(inserted)


def other_rows(con: duckdb.DuckDBPyConnection, raw: RawTable, staged: Staged) -> Iterator[tuple[int, int | None, list]]:
    """The dup and slow rows in file order, with the cells the row-by-row reader would give.

    Parquet rows are re-read typed (ints, dates) so messages match the row-by-row path. Read in
    pages (the caller inserts between pages, and a DuckDB connection holds one open result).
    """
    if raw.fmt == "parquet":
        sel = ", ".join(_q(h) for h in raw.headers)
        _execute(
            con,
            f"CREATE OR REPLACE TEMP TABLE others AS SELECT l.rn, l.dup_of, l.lane, {sel} FROM lanes l JOIN "
            "(SELECT file_row_number + 1 AS rn, * FROM read_parquet($path, file_row_number = true)) p "
            "ON p.rn = l.rn ORDER BY l.rn",
            {"path": str(raw.file)},
        )
    else:
        sel = ", ".join(f"coalesce(s.c{i}, '') AS c{i}" for i in range(staged.n_cols))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE others AS SELECT l.rn, l.dup_of, l.lane, {sel} "
            "FROM lanes l JOIN stage s ON s.rn = l.rn ORDER BY l.rn"
        )
    last = -1
    while True:  # sorted by rn, so each page reads only the row groups past the last one
        page = con.execute("SELECT * FROM others WHERE rn > ? ORDER BY rn LIMIT 20000", [last]).fetchall()
        if not page:
            return
        last = page[-1][0]
        for r in page:
            yield int(r[0]), (int(r[1]) if r[2] == "dup" else None), list(r[3:])


def cleanup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "DROP VIEW IF EXISTS stage; DROP TABLE IF EXISTS stage_rows; DROP TABLE IF EXISTS lanes; DROP TABLE IF EXISTS regmap; DROP TABLE IF EXISTS others"
    )
