"""One file's load, step by step, inside the caller's transaction (etl.load.run copies, swaps
and keeps the journal): skip a file loaded the same way before → extract (etl.extract) → header
plan (etl.headers) → reading rules (separators, code system) → the bulk lane (etl.bulk: clean
rows checked in DuckDB) or the row lane (etl.transform, etl.validate: each row) → the checks
both lanes share after insert (pre-split areas, JUMLAH and province rows) → the load recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ektp.core import settings
from etl import bulk, choices, splits
from etl.extract import WORKBOOKS, ExtractError, RawTable, raw_text, read_table, sha256_file, workbook_sheets
from etl.headers import ColumnPlan, FileError, layout_fingerprint, plan_columns
from etl.places import RowContext, code_system, title_regency
from etl.regions import RegionMatcher
from etl.reshape import reshape
from etl.transform import date_in_title, detect_locale, norm_header
from etl.validate import BLANK, COLUMNS, TABLE, process_row

#: Rows inserted at a time (records and rejected rows each).
BATCH = 50_000


@dataclass
class LoadSpec:
    path: Path
    kind: str
    as_of: dt.date | None = None
    province: str | None = None
    sheet: str | None = None
    label: str | None = None  # how the source is named in `source` (default: the file name)
    #: loads this one replaces (a default file's earlier version, etl.build.outdated_defaults):
    #: once this load is accepted, their rows go
    replaces: tuple[int, ...] = ()
    #: one of the default files (data/sourced, the synthetic fill): recorded in meta.default_loads
    default: bool = False
    #: how region codes are read: None (from the file's code/name pairs), "kemendagri" or "bps"
    codes: str | None = None
    #: who ran the load and from where (loads.operator / loads.origin): the Load page passes the
    #: signed-in operator and the client's address
    operator: str = "command line"
    origin: str | None = None
    #: said in the load's summary first (the other sheets of a workbook, and why some were not read)
    notes: tuple[str, ...] = ()
    #: an operator's answers to "what does this column mean?": header → field or 'ignore' (the
    #: Load page's choices, --column 'HEADER=field'); kept per layout once the load is accepted
    columns: dict[str, str] = field(default_factory=dict)


#: Tables whose rows belong to a load (`load_id`).
FACT_TABLES = (
    "coverage_rows",
    "coverage_counts",
    "pickup_backlog",
    "blanko_stock",
    "card_destruction",
    "targets",
    "rejected_rows",
)


@dataclass
class LoadReport:
    file: str
    kind: str
    status: str = "ok"
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    warned: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    load_id: int | None = None
    reader: str = "rows"  # "bulk" when DuckDB checked the clean rows (etl.bulk), else "rows"
    fast_rows: int = 0  # rows the bulk path accepted in SQL without the row-by-row checks
    columns: list[str] = field(default_factory=list)  # the column plan: each column → field, or ignored
    header_rows: list[int] = field(default_factory=list)
    date_from: str | None = None  # where the figures' date came from
    #: columns the load waits on a choice for: (header, why); and the choices it applied:
    #: (header, field, who, when) — when None, chosen in this load
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    choices: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    plan: ColumnPlan | None = None  # the column plan (the preview shows it)
    layout: str = ""  # the layout's fingerprint
    title_lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.file} [{self.kind}] {self.status}: read {self.rows_read}, accepted "
            f"{self.accepted}, rejected {self.rejected}, skipped {self.skipped} "
            f"(blank/total), with warnings {self.warned}"
        ]
        lines += [f"  {m}" for m in self.messages]
        for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])[:15]:
            lines.append(f"  rejected {n} × {reason}")
        return "\n".join(lines)


def sheet_specs(spec: LoadSpec) -> list[LoadSpec]:
    """A workbook of several sheets (one per office, one per month) is read sheet by sheet: each
    sheet with a header is a load of its own, named 'file › sheet'; the sheets without one are
    named in the first load's summary, never skipped in silence. A file of one sheet, a named
    sheet (--sheet) or another format is the spec itself."""
    from dataclasses import replace

    if spec.sheet is not None or spec.path.suffix.lower() not in WORKBOOKS:
        return [spec]
    try:
        names = workbook_sheets(spec.path)
    except ExtractError:
        return [spec]  # load_file says why the workbook cannot be read
    if len(names) <= 1:
        return [spec]
    label = spec.label or spec.path.name
    out, unread = [], []
    for name in names:
        try:
            read_table(spec.path, spec.kind, name).rows.close()
        except ExtractError as exc:
            unread.append(f"sheet '{name}' not read: {str(exc).split(': ', 1)[-1]}")
            continue
        out.append(replace(spec, sheet=name, label=f"{label} › {name}"))
    if not out:
        return [spec]
    read = f"{len(out)} of {len(names)} sheets read, each a load of its own: " + ", ".join(s.sheet or "" for s in out)
    out[0] = replace(out[0], notes=(*spec.notes, read, *unread))
    return out


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT COALESCE(MAX(load_id), 0) + 1 FROM loads").fetchall()
    return int(row[0][0])


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], df: pl.DataFrame) -> None:
    col_list = ", ".join(cols)
    bulk.run_with_frame(con, f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM _frame", df)  # noqa: S608


def _frame(kind: str, load_id: int, records: list[dict]) -> pl.DataFrame:
    cols = COLUMNS[kind]
    data = {c: [r.get(c) for r in records] for c in cols}
    df = pl.DataFrame(data, strict=False, infer_schema_length=None)
    return df.with_columns(pl.lit(load_id, dtype=pl.Int32).alias("load_id"))


def _options(spec: LoadSpec) -> str:
    """The options a load is known by (with the file's sha256: the same file loaded the same way)."""
    return json.dumps(
        {
            "as_of": spec.as_of.isoformat() if spec.as_of else None,
            "province": spec.province,
            "sheet": spec.sheet,
            **({"codes": spec.codes} if spec.codes else {}),
            **({"columns": dict(sorted(spec.columns.items()))} if spec.columns else {}),
        }
    )


def _describe_plan(report: LoadReport, raw: RawTable, plan: ColumnPlan, spec: LoadSpec) -> tuple[dt.date, str] | None:
    """The column plan and where the dates come from, said in the report; returns the date for
    rows without one (`--as-of`, else a date in the title rows)."""
    report.messages += raw.notes
    report.columns, report.header_rows = plan.describe(), plan.header_rows
    if raw.stacked:
        report.messages.append(
            f"two header rows ({', '.join(map(str, raw.header_rows))}): each column named group / sub-column"
        )
    if plan.ignored:
        report.messages.append("ignored columns: " + "; ".join(f"{h} ({r})" for h, r in plan.ignored))
    default_date = (spec.as_of, "day") if spec.as_of else date_in_title(raw.title_lines)
    if spec.as_of:
        report.date_from = f"--as-of {spec.as_of.isoformat()} (rows without a date)"
    elif default_date:
        report.date_from = f"the title rows: {default_date[0].isoformat()} ({default_date[1]})"
        report.messages.append(f"date taken from the title rows: {default_date[0].isoformat()}")
    elif "as_of" in plan.index or "event_date" in plan.index:
        report.date_from = "each row's date column"
    elif "year" in plan.index:
        report.date_from = "each row's year" + (f" and {plan.part_field.split('_')[1]}" if plan.part_field else "")
    return default_date


def _reading_rules(
    ctx: RowContext, spec: LoadSpec, rows: Iterator, report: LoadReport
) -> list[tuple[int, list[object]]]:
    """Peek at the first rows to decide, for the whole file, Indonesian or English separators
    and how its codes are read (a national regency table fits in 600 rows); returns the rows
    peeked at, which are read first."""
    buffered: list[tuple[int, list[object]]] = []
    for item in rows:
        buffered.append(item)
        if len(buffered) >= 600:
            break
    samples = [str(c) for _, cells in buffered[:200] for c in cells if isinstance(c, str)]
    ctx.locale = detect_locale(samples)
    if ctx.locale == "en":
        report.messages.append("numbers read with English separators (1,234,567 and 90.5)")
    if spec.codes:
        ctx.codes = spec.codes
        report.messages.append(f"codes read as {spec.codes.upper()} codes (--codes)")
    else:
        ctx.codes, why = code_system(ctx, buffered)
        if why:
            report.messages.append(why)
    return buffered


class _Rows:
    """Where one file's rows go: accepted records and rejected rows (with their reason) are
    inserted in batches; JUMLAH rows are kept to compare with the sum of the rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, ctx: RowContext, spec: LoadSpec, load_id: int, label: str, report: LoadReport) -> None:  # fmt: skip
        self.con, self.ctx, self.kind, self.load_id, self.label, self.report = (
            con,
            ctx,
            spec.kind,
            load_id,
            label,
            report,
        )
        self.table, self.cols = TABLE[spec.kind], COLUMNS[spec.kind] + ["load_id"]
        self.records: list[dict] = []
        self.rejects: list[tuple] = []
        self.totals: list[tuple[int, list[object]]] = []
        self.history: duckdb.DuckDBPyConnection | None = None
        self.blank_run: list | None = None  # [first, last, raw of the first] of the blank rows being counted

    def blank(self, row_number: int, cells: list[object]) -> None:
        """A blank row: counted, and kept as one line per run of them (a sheet with one row at
        row 10,000,000 does not write ten million lines of 'blank row')."""
        self.report.skipped += 1
        if self.blank_run is not None and self.blank_run[1] == row_number - 1:
            self.blank_run[1] = row_number
            return
        self.end_blank_run()
        self.blank_run = [row_number, row_number, raw_text(cells)]

    def end_blank_run(self) -> None:
        if self.blank_run is None:
            return
        first, last, raw = self.blank_run
        self.blank_run = None
        what = "blank row" if first == last else f"blank rows {first:,}–{last:,} ({last - first + 1:,} rows)"
        self.rejects.append((self.load_id, self.label, first, raw, "skipped: " + what))

    def reject(self, row_number: int, cells: list[object], reason: str, key: str) -> None:
        report = self.report
        report.rejected += 1
        self.rejects.append((self.load_id, self.label, row_number, raw_text(cells), reason))
        report.reasons[key] = report.reasons.get(key, 0) + 1
        if report.rejected <= 20:
            report.messages.append(f"row {row_number}: {reason}")

    def consume(self, row_number: int, cells: list[object]) -> None:
        """One row through the row lane's rules (etl.validate.process_row)."""
        res = process_row(self.ctx, row_number, cells)
        if res.skipped == BLANK:
            self.blank(row_number, cells)
            return
        self.end_blank_run()
        if res.record is not None:
            self.records.append(res.record)
            self.report.accepted += 1
            if res.record.get("warnings"):
                self.report.warned += 1
        elif res.skipped:
            self.report.skipped += 1
            self.rejects.append((self.load_id, self.label, row_number, raw_text(cells), "skipped: " + res.skipped))
            if res.skipped.startswith("total row"):
                self.totals.append((row_number, cells))
        else:
            self.reject(row_number, cells, res.reason or "", (res.reason or "").split(":")[0])
        if len(self.records) >= BATCH or len(self.rejects) >= BATCH:
            self.flush()

    def flush(self, final: bool = False) -> None:
        if final:
            self.end_blank_run()
        if self.records:
            _insert_frame(self.con, self.table, self.cols, _frame(self.kind, self.load_id, self.records))
            self.records.clear()
        if self.rejects:
            _insert_rejects(self.con, self.rejects)
            self.rejects.clear()


def _stage_bulk(con: duckdb.DuckDBPyConnection, raw: RawTable, ctx: RowContext, spec: LoadSpec, report: LoadReport, progress: bool) -> bulk.Staged | None:  # fmt: skip
    """The file staged in DuckDB for the bulk lane, or None (the row lane reads it; the report
    says why). Staged outside the load's transaction (a temp table, private to this
    connection): rows created inside a transaction have no rowids that say their place, and
    reading uncommitted rows is slow. The run's atomicity is the swap, not this transaction."""
    row_only = bulk.not_bulk_reason(raw, ctx)
    if row_only:
        report.reader = f"rows ({row_only})"
    if (
        spec.kind not in bulk.BULK_KINDS
        or settings.get("etl_bulk") == "off"
        or raw.fmt not in ("csv", "parquet")
        or row_only
    ):
        return None
    con.execute("COMMIT")
    try:
        return bulk.stage(con, raw)
    except bulk.NotBulk as exc:
        report.reader = f"rows ({exc})"
        if progress:
            print(f"  {report.file}: read row by row ({exc})", file=sys.stderr)
        return None
    finally:
        con.execute("BEGIN TRANSACTION")


def _bulk_lane(sink: _Rows, raw: RawTable, staged: bulk.Staged, t0: float, progress: bool) -> None:
    """Clean rows checked and inserted in DuckDB; the others one by one through the row lane."""
    con, report, label = sink.con, sink.report, sink.label
    report.reader = "bulk"
    report.rows_read = staged.rows
    if progress:
        print(f"  … {label}: {staged.rows:,} rows (read into DuckDB in {time.monotonic() - t0:.1f} s, "
              f"{rss_bytes() // 2**20} MiB)", file=sys.stderr, flush=True)  # fmt: skip
    report.fast_rows = bulk.classify_and_insert(con, sink.ctx, staged, sink.table, sink.load_id)
    report.accepted += report.fast_rows
    for row_number, dup_of, cells in bulk.other_rows(con, raw, staged):
        if dup_of is not None:
            reason = f"exact duplicate of row {dup_of}"
            sink.reject(row_number, cells, reason, reason)
        else:
            sink.consume(row_number, cells)
    bulk.cleanup(con)
    if progress:
        rate = staged.rows / max(time.monotonic() - t0, 1e-6)
        print(f"  … {label}: {staged.rows:,} rows checked ({rate:,.0f} rows/s; {report.fast_rows:,} clean "
              "rows in DuckDB, the rest row by row)", file=sys.stderr)  # fmt: skip


def _row_lane(sink: _Rows, raw: RawTable, rows: Iterator, t0: float, progress: bool) -> None:
    """Every row through the row lane, a CSV row with more fields than the header refused."""
    report, n_header = sink.report, len(raw.headers)
    for row_number, cells in rows:
        report.rows_read += 1
        if not any(c is not None and (type(c) is not str or c.strip()) for c in cells):
            sink.blank(row_number, cells)  # the common case, without the row's rules
            continue
        if raw.fmt == "csv" and len(cells) > n_header and any(str(c).strip() for c in cells[n_header:]):
            reason = f"{len(cells)} fields where the header has {n_header} (mixed delimiters?)"
            sink.reject(row_number, cells, reason, "wrong number of fields")
            continue
        sink.consume(row_number, cells)
        if progress and report.rows_read % 200_000 == 0:
            rate = report.rows_read / max(time.monotonic() - t0, 1e-6)
            print(f"  … {sink.label}: {report.rows_read:,} rows ({rate:,.0f} rows/s, {rss_bytes() // 2**20} MiB)",
                  file=sys.stderr)  # fmt: skip


def _after_insert(sink: _Rows, spec: LoadSpec) -> str | None:
    """Coverage rows checked once all are in (both lanes share these steps): pre-split figures
    moved to their former area, JUMLAH rows and province rows compared with the sums; then the
    load's status, and the loads it replaces retired."""
    con, report, load_id = sink.con, sink.report, sink.load_id
    if spec.kind == "coverage" and report.accepted:
        from etl.crosscheck import check_province_rows, check_readings, check_totals, history_notes

        refusal = check_readings(con, load_id, sink.ctx.plan, sink.label)
        if refusal:
            return refusal

        moved = splits.assign_former_areas(con, load_id)
        report.messages += moved
        report.messages += check_totals(con, sink.ctx, load_id, sink.label, sink.totals)
        flagged = check_province_rows(con, load_id)
        report.messages += flagged
        jumps = history_notes(con, sink.history or con, load_id)
        report.messages += jumps
        if flagged or moved or jumps:
            report.warned = con.execute(
                "SELECT COUNT(*) FROM coverage_rows WHERE load_id = ? AND warnings IS NOT NULL", [load_id]
            ).fetchall()[0][0]
    if report.accepted == 0:
        report.status = "rejected"
        report.messages.append("nothing was accepted")
    elif report.rejected:
        report.status = "partial"
    if spec.replaces and report.status in ("ok", "partial"):
        _retire(con, list(spec.replaces), load_id)
        report.messages.append(f"replaces load {', '.join(map(str, spec.replaces))} of {sink.label}")


def _plan(
    con: duckdb.DuckDBPyConnection, spec: LoadSpec, label: str, report: LoadReport
) -> tuple[RawTable, ColumnPlan]:
    """The file read up to its header, and its column plan with the operator's choices: this
    load's (spec.columns), else the ones kept for its layout."""
    choices.check(spec.kind, spec.columns, label)
    raw = reshape(read_table(spec.path, spec.kind, spec.sheet), spec.kind)
    parts = raw.parts or [(h, "") for h in raw.headers]
    layout = layout_fingerprint(parts, spec.kind)
    saved = choices.saved(con, layout)
    answers = {h: f for h, (f, _, _) in saved.items()} | spec.columns
    plan = plan_columns(parts, spec.kind, label, raw.header_rows, answers)
    asked = {norm_header(h) for h in spec.columns}
    report.plan, report.layout, report.unresolved = plan, layout, list(plan.unresolved)
    report.title_lines = raw.title_lines
    for header, f in plan.chosen:
        who = None if norm_header(header) in asked else saved.get(header, (f, None, None))
        report.choices.append((header, f, *(who[1:] if who else (None, None))))
    return raw, plan


def refused_unread(spec: LoadSpec) -> LoadReport | None:
    """A file refused before any database work: unreadable, over a limit, or with no header (a
    zip bomb answers in milliseconds, with no copy of the served file and no schema built). None
    when it reads up to its header."""
    label = spec.label or spec.path.name
    try:
        choices.check(spec.kind, spec.columns, label)
        read_table(spec.path, spec.kind, spec.sheet).rows.close()
    except (ExtractError, FileError) as exc:
        return LoadReport(file=label, kind=spec.kind, status="failed", messages=[*spec.notes, str(exc)])
    return None


def load_file(
    con: duckdb.DuckDBPyConnection,
    spec: LoadSpec,
    matcher: RegionMatcher,
    today: dt.date | None = None,
    progress: bool = True,
    dry: bool = False,
    history: duckdb.DuckDBPyConnection | None = None,
) -> LoadReport:
    """One file inside the caller's transaction, step by step: skip a file loaded the same way
    before → extract (read_table) → header plan (plan_columns) → reading rules (separators,
    code system) → the bulk lane or the row lane (transform and validate each row) → checks
    after insert → the load recorded. The swap is the caller's (`run`)."""
    label = spec.label or spec.path.name
    report = LoadReport(file=label, kind=spec.kind, messages=list(spec.notes))
    digest = sha256_file(spec.path) if spec.path.exists() else ""
    options = _options(spec)
    prior = con.execute(
        "SELECT load_id FROM loads WHERE sha256 = ? AND kind = ? AND options = ? AND status IN ('ok', 'partial')",
        [digest, spec.kind, options],
    ).fetchall()
    if digest and prior and not spec.replaces:  # a replacing load is asked for on purpose
        report.status = "skipped"
        report.messages.append(f"already loaded as load {prior[0][0]} (same sha256): nothing changed")
        return report
    load_id = _next_load_id(con)
    report.load_id = load_id
    started = dt.datetime.now()
    try:
        raw, plan = _plan(con, spec, label, report)
        if plan.unresolved and not dry:
            raise FileError(choices.unresolved_message(label, plan))
    except (ExtractError, FileError) as exc:
        report.status = "failed"
        report.messages.append(str(exc))
        _record_load(con, load_id, label, digest, spec.kind, options, report, started, str(exc), spec)
        return report
    default_date = _describe_plan(report, raw, plan, spec)
    ctx = RowContext(kind=spec.kind, file_label=label, matcher=matcher, plan=plan, province=spec.province,
                     default_date=default_date, today=today or dt.date.today())  # fmt: skip
    if plan.level in ("district", "village") or plan.mixed_levels:
        ctx.title_regency = title_regency(raw.title_lines, matcher, spec.province)
    sink = _Rows(con, ctx, spec, load_id, label, report)
    sink.history = history  # the served data a dry run compares with (a load: its own copy)
    t0 = time.monotonic()
    try:
        peeked = _reading_rules(ctx, spec, raw.rows, report)
        staged = _stage_bulk(con, raw, ctx, spec, report, progress)
        if staged is not None:
            raw.rows.close()  # the bulk reader has the file; the row reader's handle is released
            _bulk_lane(sink, raw, staged, t0, progress)
        else:
            _row_lane(sink, raw, itertools.chain(peeked, raw.rows), t0, progress)
    except (ExtractError, UnicodeDecodeError, OSError) as exc:
        # the file is refused whole: what this load inserted so far goes, the attempt is recorded
        for table in FACT_TABLES:  # names from the constant, never from input
            con.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])  # noqa: S608
        report.status, report.accepted, report.fast_rows = "failed", 0, 0
        msg = (
            str(exc) if isinstance(exc, ExtractError) else f"{label}: read failed after row {report.rows_read:,}: {exc}"
        )
        report.messages.append(msg)
        _record_load(con, load_id, label, digest, spec.kind, options, report, started, msg, spec)
        return report
    sink.flush(final=True)
    refusal = _after_insert(sink, spec)
    if refusal:  # the file's own arithmetic contradicts a column's reading: nothing of it is kept
        for table in FACT_TABLES:  # names from the constant, never from input
            con.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])  # noqa: S608
        report.status, report.accepted, report.fast_rows, report.warned = "failed", 0, 0, 0
        report.messages.append(refusal)
        _record_load(con, load_id, label, digest, spec.kind, options, report, started, refusal, spec)
        return report
    if report.status in ("ok", "partial") and not dry:
        choices.keep(con, spec.kind, spec.columns, spec.operator, plan, load_id)
    _record_load(con, load_id, label, digest, spec.kind, options, report, started, None, spec)
    return report


#: `meta` key: the loads of the default files (data/sourced, the synthetic fill), by id.
def _retire(con: duckdb.DuckDBPyConnection, old: list[int], load_id: int) -> None:
    """Loads `old` give way to load `load_id`: their rows go, and the load history keeps them
    as 'replaced'. Called only once the new version was accepted, so a failing new version
    leaves the old rows in place. Given by id, never by file name: an office file may share a
    default file's name."""
    for table in FACT_TABLES:  # names from the constant above, never from input
        con.execute(f"DELETE FROM {table} WHERE list_contains(?::INTEGER[], load_id)", [old])  # noqa: S608
    con.execute(
        "UPDATE loads SET status = 'replaced', message = ? WHERE list_contains(?::INTEGER[], load_id)",
        [f"replaced by load {load_id}, a newer version of the file", old],
    )


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of a process (Linux /proc; 0 where unreadable or the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _insert_rejects(con: duckdb.DuckDBPyConnection, rejects: list[tuple]) -> None:
    df = pl.DataFrame(
        rejects,
        schema={"load_id": pl.Int32, "file": pl.Utf8, "row_number": pl.Int32, "raw": pl.Utf8, "reason": pl.Utf8},
        orient="row",
    )
    _insert_frame(con, "rejected_rows", ["load_id", "file", "row_number", "raw", "reason"], df)


def _record_load(con, load_id, label, digest, kind, options, report: LoadReport, started, message, spec) -> None:  # noqa: ANN001
    con.execute(
        "INSERT INTO loads (load_id, file, sha256, kind, options, rows_read, rows_accepted, rows_rejected, "
        "rows_skipped, rows_warned, started_at, finished_at, status, message, columns, operator, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id, label, digest, kind, options, report.rows_read, report.accepted,
            report.rejected, report.skipped, report.warned, started, dt.datetime.now(),
            report.status, message or "; ".join(report.messages[:5]) or None,
            json.dumps({"header_rows": report.header_rows, "columns": report.columns}, ensure_ascii=False)
            if report.columns else None,
            spec.operator, spec.origin or f"this machine ({socket.gethostname()})",
        ],
    )  # fmt: skip
