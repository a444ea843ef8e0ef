"""Dry run: what a load would do, with nothing written.

The file goes through the same reader, header plan, row rules and cross-checks as a real load,
into a private in-memory DuckDB; the served file is only read (to say whether the same file was
loaded before). The command line (`python -m etl load FILE --dry-run`) prints the preview and
the Load page shows it before the operator confirms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ektp.served import open_read_only
from etl import splits
from etl.extract import sha256_file
from etl.load import LoadReport, LoadSpec, apply_schema, load_file, load_regions, refused_unread
from etl.regions import RegionMatcher
from etl.validate import TABLE

#: What the preview lists of matches, rejections and warnings (the summary counts them all).
SHOWN = 12


@dataclass
class Preview:
    report: LoadReport
    matches: list[tuple] = field(default_factory=list)  # row, name in the file, code, official name, level, as_of
    rejected: list[tuple] = field(default_factory=list)  # row, reason
    warned: list[tuple] = field(default_factory=list)  # row, code, warnings
    loaded_before: int | None = None  # load id of the same file (same sha256) in the served DB

    def lines(self) -> list[str]:
        """The preview as the command line prints it."""
        r = self.report
        out = [r.summary(), "", "header rows: " + (", ".join(map(str, r.header_rows)) or "–")]
        out += ["columns:"] + [f"  {c}" for c in r.columns]
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


def dry_run(spec: LoadSpec, served: Path | None = None, today: dt.date | None = None) -> Preview:
    """Load `spec` into a private in-memory DB and describe the result; `served` is only read."""
    unread = refused_unread(spec)
    if unread is not None:  # refused before the in-memory DB is built (a zip bomb: milliseconds)
        return Preview(unread)
    con = duckdb.connect(":memory:")
    try:
        con.execute("BEGIN TRANSACTION")
        apply_schema(con)
        load_regions(con)
        splits.load(con)  # a row dated before a split is previewed as the load would store it
        report = load_file(con, spec, RegionMatcher(), today=today, progress=False)
        pv = Preview(report)
        if report.load_id is None or report.status == "failed":
            return pv
        table = TABLE[spec.kind]
        date_col = "event_date" if spec.kind == "destruction" else "start_date" if spec.kind == "targets" else "as_of"
        pv.matches = con.execute(
            f"SELECT t.row_number, t.region_name_in_source, t.region_code, r.name, r.level, t.{date_col} "  # noqa: S608
            f"FROM {table} t JOIN regions r ON r.code = t.region_code ORDER BY t.row_number LIMIT {SHOWN}"
        ).fetchall()
        pv.rejected = con.execute(
            "SELECT row_number, reason FROM rejected_rows ORDER BY row_number LIMIT ?", [SHOWN]
        ).fetchall()
        pv.warned = con.execute(
            f"SELECT row_number, region_code, warnings FROM {table} WHERE warnings IS NOT NULL "  # noqa: S608
            f"ORDER BY row_number LIMIT {SHOWN}"
        ).fetchall()
    finally:
        con.close()
    if served is not None and served.exists() and spec.path.exists():
        ro = open_read_only(served)  # the app's own configuration: the Load page runs this in the app
        try:
            pv.loaded_before = loaded_before(ro, spec)
        finally:
            ro.close()
    return pv


def loaded_before(con: duckdb.DuckDBPyConnection, spec: LoadSpec) -> int | None:
    """The load id of the same file (same sha256) and kind accepted earlier in `con`'s DB."""
    hit = con.execute(
        "SELECT load_id FROM loads WHERE sha256 = ? AND kind = ? AND status IN ('ok', 'partial') LIMIT 1",
        [sha256_file(spec.path), spec.kind],
    ).fetchall()
    return hit[0][0] if hit else None
