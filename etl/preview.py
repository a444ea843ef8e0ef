"""Dry run: what a load would do, with nothing written.

The file goes through the same reader, header plan, row rules and cross-checks as a real load,
into a private in-memory DuckDB; the served data is only read (the operators' saved column
choices, each area's earlier figures for the history check, whether the same file was loaded
before). The command line (`python -m etl load FILE --dry-run`) prints the preview as text; the
Load page shows it as tables in the reader's language (ektp.analysis.loadtext) before the operator
confirms. Each sheet of a workbook is a preview of its own, as it is a load of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ektp.core.served import open_read_only
from etl import splits
from etl.extract import sha256_file
from etl.load import LoadReport, LoadSpec, apply_schema, load_file, load_regions, refused_unread, sheet_specs
from etl.regions import RegionMatcher
from etl.validate import COLUMNS, TABLE

#: What the text preview lists of matches, rejections and warnings (the summary counts them all).
SHOWN = 12
#: Rows of the figures table the preview keeps (the summary counts them all).
TABLE_ROWS = 2000
#: Columns of a fact table that are not a figure or the date (the preview shows the rest).
_META = {"row_number", "region_code", "region_name_in_source", "note", "source", "source_kind", "is_synthetic",
         "warnings", "basis", "load_id", "date_precision", "oldest_card_precision", "period_from_precision",
         "period_to_precision"}  # fmt: skip
#: The row's own date, by kind.
DATE_COLUMN = {"destruction": "event_date", "targets": "start_date"}

#: What the loader cannot go on without, found in its reasons (the Load page asks with a widget).
NEEDS_DATE = "no date in the row, the title or --as-of"
NEEDS_PROVINCE = "give a code or --province"


@dataclass
class Preview:
    report: LoadReport
    matches: list[tuple] = field(default_factory=list)  # row, name in the file, code, official name, level, as_of
    rejected: list[tuple] = field(default_factory=list)  # row, reason
    warned: list[tuple] = field(default_factory=list)  # row, code, warnings
    loaded_before: int | None = None  # load id of the same file (same sha256) in the served DB
    #: the figures as they will be stored, row by row, with the rows to be rejected or skipped
    #: and their reason: row_number, status (ok | warned | rejected | skipped), region_code,
    #: region (the dictionary's name), level, date, date_precision, each figure, rate_file and
    #: rate_counts (coverage: the file's % beside recorded / eligible), note (warnings or reason)
    rows: pl.DataFrame = field(default_factory=pl.DataFrame)
    figures: list[str] = field(default_factory=list)  # the figure columns of `rows`, in the plan's order

    @property
    def needs_date(self) -> bool:
        """Rows wait for a date: none in the file, its title or the options."""
        return any(NEEDS_DATE in (r or "") for _, r in self.rejected) or (
            self.rows.height > 0 and self.rows.filter(pl.col("note").str.contains(NEEDS_DATE, literal=True)).height > 0
        )

    @property
    def needs_province(self) -> bool:
        """Names that match regions in several provinces: a province scopes them."""
        return (
            self.rows.height > 0
            and self.rows.filter(pl.col("note").str.contains(NEEDS_PROVINCE, literal=True)).height > 0
        )

    def lines(self) -> list[str]:
        """The preview as the command line prints it."""
        r = self.report
        out = [r.summary(), "", "header rows: " + (", ".join(map(str, r.header_rows)) or "–")]
        out += ["columns:"] + [f"  {c}" for c in r.columns]
        for h, f, who, when in r.choices:
            out.append(
                f"  '{h}' → {f}: " + (f"the layout's choice by {who}, {when}" if who else "chosen for this load")
            )
        out.append(f"date: {r.date_from or 'none found (give --as-of)'}")
        if self.matches:
            out.append("first region matches:")
            out += [
                f"  row {rn}: {typed or '(code)'!s} → {code} {name} ({level}), {as_of}"
                for rn, typed, code, name, level, as_of in self.matches
            ]
        if self.rejected:
            out.append("would be rejected or skipped:")
            out += [f"  row {rn}: {reason}" for rn, reason in self.rejected]
        if self.warned:
            out.append("would load with a warning:")
            out += [f"  row {rn} ({code}): {w}" for rn, code, w in self.warned]
        if self.loaded_before is not None:
            out.append(f"the same file was loaded before (load {self.loaded_before}): a load would change nothing")
        out.append("dry run: nothing was written")
        return out


def dry_runs(
    spec: LoadSpec,
    served: Path | None = None,
    today: dt.date | None = None,
    history: duckdb.DuckDBPyConnection | None = None,
) -> list[Preview]:
    """Every sheet of `spec` loaded into one private in-memory DB, each described. The served
    data is read through `history` (the Load page passes the app's own connection), else by
    opening `served` read-only; it is never written."""
    sheets = sheet_specs(spec)
    unread = [refused_unread(s) for s in sheets]
    if all(unread):  # refused before the in-memory DB is built (a zip bomb: milliseconds)
        return [Preview(r) for r in unread if r is not None]
    own = open_read_only(served) if history is None and served is not None and served.exists() else None
    hist = history or own
    con = duckdb.connect(":memory:")
    try:
        con.execute("BEGIN TRANSACTION")
        apply_schema(con)
        load_regions(con)
        splits.load(con)  # a row dated before a split is previewed as the load would store it
        if hist is not None:  # the operators' choices kept for each layout, applied as a load applies them
            rows = hist.execute("SELECT * FROM column_choices").fetchall() if _has(hist, "column_choices") else []
            for row in rows:
                con.execute("INSERT INTO column_choices VALUES (?, ?, ?, ?, ?, ?, ?)", list(row))
        matcher = RegionMatcher()
        out = []
        for sheet in sheets:
            report = load_file(con, sheet, matcher, today=today, progress=False, dry=True, history=hist)
            pv = _describe(con, sheet, report)
            if hist is not None and sheet.path.exists() and _has(hist, "loads"):
                pv.loaded_before = loaded_before(hist, sheet)
            out.append(pv)
        return out
    finally:
        con.close()
        if own is not None:
            own.close()


def dry_run(spec: LoadSpec, served: Path | None = None, today: dt.date | None = None) -> Preview:
    """The first sheet's preview (a file of one sheet: its only one)."""
    return dry_runs(spec, served, today)[0]


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = ?", [table]).fetchall())


def _describe(con: duckdb.DuckDBPyConnection, spec: LoadSpec, report: LoadReport) -> Preview:
    pv = Preview(report)
    if report.load_id is None or report.status == "failed" and not report.rows_read:
        return pv
    table = "coverage" if spec.kind == "coverage" else TABLE[spec.kind]
    date_col = DATE_COLUMN.get(spec.kind, "as_of")
    pv.matches = con.execute(
        f"SELECT t.row_number, t.region_name_in_source, t.region_code, r.name, r.level, t.{date_col} "  # noqa: S608
        f"FROM {table} t JOIN regions r ON r.code = t.region_code WHERE t.load_id = ? ORDER BY t.row_number LIMIT {SHOWN}",
        [report.load_id],
    ).fetchall()
    pv.rejected = con.execute(
        "SELECT row_number, reason FROM rejected_rows WHERE load_id = ? ORDER BY row_number LIMIT ?",
        [report.load_id, SHOWN],
    ).fetchall()
    pv.warned = con.execute(
        f"SELECT row_number, region_code, warnings FROM {table} WHERE load_id = ? AND warnings IS NOT NULL "  # noqa: S608
        f"ORDER BY row_number LIMIT {SHOWN}",
        [report.load_id],
    ).fetchall()
    mapped = {f for _, f in (report.plan.mapped if report.plan else [])}
    mapped |= {"recorded_pct_reported"} if mapped & {"recorded_pct", "not_recorded_pct"} else set()
    shown_apart = {date_col, "recorded_pct_reported"}  # the date, and the file's rate (rate_file)
    pv.figures = [c for c in COLUMNS[spec.kind] if c not in _META and c not in shown_apart and c in mapped]
    pv.rows = _rows(con, spec.kind, table, date_col, pv.figures, report.load_id)
    return pv


def _rows(
    con: duckdb.DuckDBPyConnection, kind: str, table: str, date_col: str, figures: list[str], load_id: int
) -> pl.DataFrame:
    """The figures as they will be stored, and the rows that will not be, with their reasons."""
    figs = "".join(f", t.{f}" for f in figures)  # column names from COLUMNS, never from input
    rate = ""
    if kind == "coverage":
        rate = (", t.recorded_pct_reported AS rate_file, "
                "CASE WHEN t.eligible > 0 AND t.recorded IS NOT NULL THEN 100.0 * t.recorded / t.eligible END AS rate_counts")  # fmt: skip
    stored = (
        f"SELECT t.row_number, CASE WHEN t.warnings IS NULL THEN 'ok' ELSE 'warned' END AS status, t.region_code, "  # noqa: S608
        f"r.name AS region, r.level, t.{date_col} AS date, t.date_precision{figs}{rate}, t.warnings AS note "
        f"FROM {table} t LEFT JOIN regions r ON r.code = t.region_code WHERE t.load_id = $id"
    )
    refused = (
        "SELECT row_number, CASE WHEN starts_with(reason, 'skipped') THEN 'skipped' ELSE 'rejected' END AS status, "
        "CASE WHEN starts_with(reason, 'skipped: ') THEN reason[10:] ELSE reason END AS note, raw "
        "FROM rejected_rows WHERE load_id = $id"
    )
    sql = f"SELECT * FROM ({stored}) UNION ALL BY NAME SELECT * FROM ({refused}) ORDER BY row_number, date LIMIT $n"  # noqa: S608
    return pl.from_arrow(con.sql(sql, params={"id": load_id, "n": TABLE_ROWS}).to_arrow_table())  # type: ignore[return-value]


def loaded_before(con: duckdb.DuckDBPyConnection, spec: LoadSpec) -> int | None:
    """The load id of the same file (same sha256) and kind accepted earlier in `con`'s DB."""
    hit = con.execute(
        "SELECT load_id FROM loads WHERE sha256 = ? AND kind = ? AND status IN ('ok', 'partial') LIMIT 1",
        [sha256_file(spec.path), spec.kind],
    ).fetchall()
    return hit[0][0] if hit else None
