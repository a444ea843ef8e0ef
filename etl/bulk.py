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

from etl.extract import RawTable
from etl.transform import COUNT_FIELDS, DATE_FIELDS, MISSING, PCT_FIELDS, ROW_DATE, is_total_row
from etl.validate import COLUMNS, COPIED_TEXT, EKTP_START, RowContext

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
        CREATE OR REPLACE TEMP MACRO cell_text(k) AS
            CASE WHEN k = '' THEN NULL WHEN regexp_full_match(k, '[0-9]+\\.0') THEN left(k, -2) ELSE k END;
        CREATE OR REPLACE TEMP MACRO count_ok(k) AS k = '' OR regexp_full_match(k, '[0-9]{{1,15}}(\\.0)?');
        CREATE OR REPLACE TEMP MACRO count_val(k) AS CASE WHEN k = '' THEN NULL
            ELSE TRY_CAST(CASE WHEN suffix(k, '.0') THEN left(k, -2) ELSE k END AS BIGINT) END;
        CREATE OR REPLACE TEMP MACRO pct_ok(k) AS k = '' OR regexp_full_match(k, '[0-9]{{1,3}}([.,][0-9]{{1,2}})?%?');
        CREATE OR REPLACE TEMP MACRO pct_val(k) AS
            CASE WHEN k = '' THEN NULL ELSE TRY_CAST(replace(rtrim(k, '%'), ',', '.') AS DOUBLE) END;
        CREATE OR REPLACE TEMP MACRO date_val(k) AS CASE
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
    """Copy the file's data rows into TEMP TABLE stage(rn, c0..cN) as text, one row per line."""
    n = len(raw.headers)
    cols = [f"c{i}" for i in range(n)]
    con.execute("DROP TABLE IF EXISTS stage")
    if raw.fmt == "csv":
        if raw.encoding != "utf-8":
            raise NotBulk(f"encoding {raw.encoding}")
        if not _csv_head_ok(raw):
            raise NotBulk("title or header rows span several lines")
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
        try:  # a streaming row_number() keeps the reader's order: rn is the row number in the file
            con.execute(
                f"CREATE TEMP TABLE stage AS SELECT row_number() OVER () + $skip AS rn, * FROM read_csv($path, delim = $delim, quote = '\"', "
                f"escape = '\"', header = false, skip = $skip, auto_detect = false, columns = {spec}, "
                "strict_mode = true, null_padding = false, ignore_errors = true)",
                {"path": str(raw.file), "delim": raw.delimiter or ",", "skip": raw.header_row},
            )
        except duckdb.Error as exc:
            raise NotBulk(f"CSV reader: {str(exc).splitlines()[0]}") from None
        rows = con.execute("SELECT COUNT(*) FROM stage").fetchall()[0][0]
        if rows != line_count(raw.file) - raw.header_row:
            con.execute("DROP TABLE stage")
            raise NotBulk("blank lines or quoted line breaks: lines and rows differ")
    elif raw.fmt == "parquet":
        sel = ", ".join(f"CAST({_q(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(raw.headers))
        try:
            con.execute(
                f"CREATE TEMP TABLE stage AS SELECT file_row_number + 1 AS rn, {sel} "
                "FROM read_parquet($path, file_row_number = true)",
                {"path": str(raw.file)},
            )
        except duckdb.Error as exc:
            raise NotBulk(f"Parquet reader: {str(exc).splitlines()[0]}") from None
        rows = con.execute("SELECT COUNT(*) FROM stage").fetchall()[0][0]
    else:
        raise NotBulk(f"format {raw.fmt}")
    return Staged(n, rows)


def _exact_totals(con: duckdb.DuckDBPyConnection, n_cols: int) -> None:
    """TEMP TABLE totals(rn): rows `is_total_row` skips. SQL flagged candidates, Python decides."""
    first3 = ", ".join(f"s.c{i}" for i in range(min(3, n_cols)))
    cands = con.execute(
        f"SELECT s.rn, {first3} FROM stage s SEMI JOIN keyed k ON k.rn = s.rn AND k.maybe_total"
    ).fetchall()
    exact = [(r[0],) for r in cands if is_total_row(["" if c is None else c for c in r[1:]])]
    con.execute("CREATE OR REPLACE TEMP TABLE totals (rn BIGINT)")
    if exact:
        con.executemany("INSERT INTO totals VALUES (?)", exact)


def _region_map(con: duckdb.DuckDBPyConnection, ctx: RowContext, n_cols: int) -> list[str]:
    """TEMP TABLE regmap: each distinct raw region tuple → code (NULL when unresolved)."""
    from etl.validate import _resolve_region

    idx = ctx.plan.index
    slots = [idx.get("region_code"), idx.get("region_name"), idx.get("province"), ctx.plan.parent_index]
    used = [i for i in slots if i is not None]
    keys = [f"c{i}" for i in used]
    distinct = con.execute(f"SELECT DISTINCT {', '.join(keys)} FROM stage").fetchall()
    out = []
    for values in distinct:
        cells: list[object] = [None] * n_cols
        for i, v in zip(used, values, strict=True):
            cells[i] = v
        code, _ = _resolve_region(ctx, cells)
        out.append((*values, code))
    con.execute(f"CREATE OR REPLACE TEMP TABLE regmap ({', '.join(f'{k} VARCHAR' for k in keys)}, region_code VARCHAR)")
    if out:
        con.executemany(f"INSERT INTO regmap VALUES ({', '.join('?' for _ in range(len(keys) + 1))})", out)
    return keys


def classify_and_insert(
    con: duckdb.DuckDBPyConnection, ctx: RowContext, staged: Staged, table: str, load_id: int
) -> int:
    """Insert the fast lane into `table`; leave TEMP TABLE lanes(rn, lane, dup_of) of the other rows.

    Returns the number of rows inserted.
    """
    _macros(con)
    n = staged.n_cols
    kind, idx = ctx.kind, ctx.plan.index
    reg_keys = _region_map(con, ctx, n)
    all_keys = [f"k{i}" for i in range(n)]

    def k(field: str) -> str:
        return f"k{idx[field]}" if field in idx else "''"

    maybe_total = " OR ".join(
        f"regexp_matches(coalesce(s.c{i}, ''), '(?i)^{_WS}*(JUMLAH|TOTAL|GRAND|JML|SUB)')" for i in range(min(3, n))
    )
    # keyed: each cell as Python's dedupe key sees it (stripped, missing tokens → '')
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE keyed AS
        SELECT s.rn, {", ".join(f"cell_key(s.c{i}) AS k{i}" for i in range(n))},
               m.region_code, ({maybe_total}) AS maybe_total
        FROM stage s
        LEFT JOIN regmap m ON {" AND ".join(f"m.{c} IS NOT DISTINCT FROM s.{c}" for c in reg_keys)}
        """
    )
    _exact_totals(con, n)
    blank = " AND ".join(f"k{i} = ''" for i in range(n))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dupgroups AS
        SELECT {", ".join(all_keys)}, MIN(rn) AS first_rn FROM keyed ANTI JOIN totals USING (rn)
        WHERE NOT ({blank})
        GROUP BY ALL HAVING COUNT(*) > 1
        """
    )

    checks: list[str] = ["region_code IS NOT NULL"]
    values: dict[str, str] = {}
    for f in COUNT_FIELDS.get(kind, ()):
        checks.append(f"count_ok({k(f)})")
        values[f] = f"count_val({k(f)})"
    for f in PCT_FIELDS.get(kind, ()):
        checks.append(f"pct_ok({k(f)})")
        values[f] = f"pct_val({k(f)})"
    row_date = ROW_DATE[kind]
    for f in DATE_FIELDS[kind]:
        if f not in idx:
            values[f] = "NULL::DATE"
            continue
        ok = f"(date_val({k(f)}) BETWEEN $start AND $today)"
        may_be_empty = f != row_date or ctx.default_date is not None
        checks.append(f"({k(f)} = '' OR {ok})" if may_be_empty else ok)
        values[f] = f"date_val({k(f)})"
    if row_date not in idx and ctx.default_date is None:
        checks.append("FALSE")  # every row lacks its date: the slow lane words the error
    for f in (*COPIED_TEXT, "region_name", "is_synthetic"):
        if f in idx:  # Python's '.0' rule uses str.isdigit (any script): non-ASCII cases go slow
            checks.append(f"NOT regexp_matches({k(f)}, '[^\\x00-\\x7f].*\\.0$')")

    default_date, default_prec = ctx.default_date or (None, None)
    params: dict[str, object] = {
        "start": EKTP_START,
        "today": ctx.today,
        "default_date": default_date,
        "default_prec": default_prec,
        "label": ctx.file_label,
        "load_id": load_id,
    }

    # warnings: any rule that could fire sends the row to the slow lane, which words it
    warn: list[str] = []
    if kind == "coverage":
        pop, elig, rec = values["population"], values["eligible"], values["recorded"]
        prn, nrec, pct = values["printed"], values["not_recorded"], values["recorded_pct"]
        warn += [f"{rec} > {elig}", f"{prn} > {rec}", f"{elig} > {pop}", f"abs(({elig} - {rec}) - {nrec}) > 1"]
        base = f"(CASE WHEN {elig} <> 0 THEN {elig} ELSE {rec} + {nrec} END)"
        warn.append(f"({pct} IS NOT NULL AND {base} <> 0 AND abs(100.0 * {rec} / {base} - {pct}) > 0.005)")
    elif kind == "backlog":
        ages = [values[a] for a in ("age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus")]
        warn.append(f"({' + '.join(ages)}) <> {values['awaiting_pickup']}")
    clean = " AND ".join(checks)
    if warn:
        clean += " AND NOT coalesce(" + " OR ".join(f"coalesce({w}, FALSE)" for w in warn) + ", FALSE)"

    _execute(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE lanes AS
        SELECT * FROM (
            SELECT kd.rn, d.first_rn AS dup_of,
                   CASE WHEN d.first_rn IS NOT NULL AND d.first_rn < kd.rn THEN 'dup'
                        WHEN t.rn IS NOT NULL OR ({blank.replace("k", "kd.k")}) THEN 'slow'
                        WHEN {clean} THEN 'fast' ELSE 'slow' END AS lane
            FROM keyed kd LEFT JOIN dupgroups d USING ({", ".join(all_keys)}) LEFT JOIN totals t ON t.rn = kd.rn
        ) WHERE lane <> 'fast'
        """,
        params,
    )

    synthetic = "lower(cell_text(" + k("is_synthetic") + ")) IN ('1', 'true', 'yes', 'y')"
    if "is_synthetic" not in idx:
        synthetic = "FALSE"
    texts = {f: (f"cell_text({k(f)})" if f in idx else "NULL") for f in COPIED_TEXT}
    row_date_expr = values[row_date]
    if ctx.default_date is not None:
        row_date_expr = f"coalesce({row_date_expr}, $default_date)"
    prec_parsed = "'day'" if row_date in idx else "NULL"
    if row_date in idx and ctx.default_date is not None:
        prec_parsed = f"CASE WHEN {k(row_date)} = '' THEN $default_prec ELSE 'day' END"
    elif ctx.default_date is not None:
        prec_parsed = "$default_prec"
    out = {
        "row_number": "kd.rn",
        "region_code": "kd.region_code",
        "date_precision": f"coalesce({texts['date_precision']}, {prec_parsed})",
        "recorded_pct_reported": values.get("recorded_pct", "NULL"),
        "region_name_in_source": f"cell_text({k('region_name')})" if "region_name" in idx else "NULL",
        "source": f"coalesce({texts['source']}, $label || ' row ' || kd.rn)",
        "source_kind": f"CASE WHEN {synthetic} THEN 'synthetic' WHEN {texts['source']} IS NOT NULL "
        "THEN 'citation' ELSE 'office' END",
        "is_synthetic": synthetic,
        "warnings": "NULL",
        "oldest_card_precision": f"CASE WHEN {values.get('oldest_card_date', 'NULL')} IS NOT NULL THEN 'day' END",
    }
    for f in COPIED_TEXT:
        out.setdefault(f, texts[f])
    out.update({f: v for f, v in values.items() if f in COLUMNS[kind]})
    out[row_date] = row_date_expr
    cols = COLUMNS[kind]
    select = ", ".join(f"{out[c]} AS {c}" for c in cols)
    sql = f"""
        INSERT INTO {table} ({", ".join(cols)}, load_id)
        SELECT {select}, $load_id FROM keyed kd ANTI JOIN lanes l ON l.rn = kd.rn
        """
    _execute(con, sql, params)
    inserted = staged.rows - con.execute("SELECT COUNT(*) FROM lanes").fetchall()[0][0]
    con.execute("DROP TABLE keyed; DROP TABLE dupgroups; DROP TABLE totals")
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
        "DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS lanes; DROP TABLE IF EXISTS regmap; DROP TABLE IF EXISTS others"
    )
