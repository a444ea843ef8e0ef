"""Validate: the two grades of rules, row by row.

Rejected (row kept in `rejected_rows` with its reason): non-numeric or negative counts, an
unknown or ambiguous region, an unreadable, impossible, future or pre-2011 date, an exact
duplicate of an earlier row of the same file.

Loaded with a warning stored on the row (real reports carry such slips; the counts win):
recorded > eligible, printed > recorded, eligible > population, a 'belum rekam' or '% rekam'
that disagrees with the counts beyond rounding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from ektp.core import checks
from etl import rules
from etl.headers import SPLIT_FIELDS, ColumnPlan, FileError, plan_columns  # noqa: F401 - re-exported
from etl.places import RowContext, cell, code_system, resolve_region, text, title_regency  # noqa: F401 - re-exported
from etl.rules import coverage_warnings, pct_tolerance, split_warnings  # noqa: F401 - the row lane's notes
from etl.transform import (
    COUNT_FIELDS,
    DATE_FIELDS,
    NUMBER_FIELDS,
    PCT_FIELDS,
    ROW_DATE,
    ParseError,
    is_missing,
    is_total_row,
    metric_name,
    norm_header,
    parse_count,
    parse_date,
    parse_number,
    parse_pct,
    period_end,
    period_of,
)

EKTP_START = dt.date(2011, 1, 1)
#: Text columns copied onto the fact row as written (stripped; missing tokens → NULL).
COPIED_TEXT = ("note", "office", "method", "witnesses", "set_by", "source", "date_precision")

TABLE = {
    "coverage": "coverage_rows",  # `coverage` is the view of coverage_rows and coverage_counts
    "backlog": "pickup_backlog",
    "blanko": "blanko_stock",
    "destruction": "card_destruction",
    "targets": "targets",
}

#: Rows of a file that carries only a code, a date and these two counts (a Dukcapil recording
#: file, often by village: millions of rows) go, when clean, to this narrow table; the view
#: `coverage` shows them with the constants they would have had in coverage_rows. DuckDB's
#: append costs ~0.25 s per column per 10M rows, NULL or not: 19 columns took 5 s, 6 take 2.
COUNTS_TABLE = "coverage_counts"
COUNTS_FIELDS = ("region_code", "as_of", "eligible", "recorded")

#: Columns of each fact table written by the loader (besides load_id).
COLUMNS = {
    "coverage": [
        "row_number", "region_code", "as_of", "date_precision", "population", "eligible",
        "recorded", "printed", "print_ready", "not_recorded", "recorded_pct_reported",
        "blanko_on_hand", "region_name_in_source", "note", "source", "source_kind",
        "is_synthetic", "warnings", "basis", "eligible_male", "eligible_female", "recorded_male",
        "recorded_female", "not_recorded_male", "not_recorded_female",
    ],
    "backlog": [
        "row_number", "region_code", "office", "as_of", "date_precision", "awaiting_pickup",
        "collected", "age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus", "oldest_card_date",
        "oldest_card_precision", "region_name_in_source", "note", "source", "source_kind",
        "is_synthetic", "warnings",
    ],
    "blanko": [
        "row_number", "region_code", "as_of", "date_precision", "received", "used", "damaged",
        "remaining", "region_name_in_source", "note", "source", "source_kind", "is_synthetic",
        "warnings",
    ],
    "destruction": [
        "row_number", "region_code", "event_date", "date_precision", "destroyed", "period_from",
        "period_to", "period_from_precision", "period_to_precision", "method", "reason_damaged",
        "reason_changed_data", "reason_other",
        "witnesses", "region_name_in_source", "note", "source", "source_kind", "is_synthetic",
        "warnings",
    ],
    "targets": [
        "row_number", "region_code", "metric", "target_value", "minimum_value",
        "baseline_value", "start_date", "deadline", "date_precision", "set_by",
        "region_name_in_source", "note", "source", "source_kind", "is_synthetic", "warnings",
    ],
}  # fmt: skip


#: Units a `satuan` cell may give: a percentage column's, a count column's.
PCT_UNITS = {"PERSEN", "PERSENTASE", "PERCENT"}
COUNT_UNITS = {"JIWA", "ORANG", "PENDUDUK", "KEPING", "LEMBAR", "KARTU", "BUAH", "PEOPLE", "PERSONS", "UNIT"}
#: Stock columns, where offices write a stock-out in words: 'kosong' (empty), 'habis' (run out).
STOCK_FIELDS = ("blanko_on_hand", "remaining")
STOCK_OUT = {"kosong", "habis", "nihil", "stok kosong", "stok habis"}
#: Figure fields: a row that gives none of its kind's is a template row, skipped as blank.
FIGURE_FIELDS = {
    "coverage": COUNT_FIELDS["coverage"] + PCT_FIELDS["coverage"],
    "backlog": COUNT_FIELDS["backlog"] + ("oldest_card_date",),
    "blanko": COUNT_FIELDS["blanko"],
    "destruction": COUNT_FIELDS["destruction"],
}


#: RowResult.skipped of a row with nothing in it.
BLANK = "blank row"


@dataclass
class RowResult:
    record: dict | None = None
    reason: str | None = None
    skipped: str | None = None  # blank or total rows: counted, kept, never loaded as regions


#: A destruction's period, as written ("2012", "Januari 2019", "5/7/2021"): each bound keeps its
#: precision, and a year or month stands for its first day as a start and its last as an end.
PERIOD_BOUNDS = ("period_from", "period_to")


def period_bound(d: dt.date, precision: str, field: str) -> dt.date:
    """parse_date gives a month's last day and a year's 1 January; a period's start is the first
    day of what was written, its end the last."""
    if field == "period_from" and precision == "month":
        return d.replace(day=1)
    if field == "period_to" and precision == "year":
        return dt.date(d.year, 12, 31)
    return d


#: `coverage_rows.basis` of a row whose eligible count the loader derived.
BASIS_DERIVED_ELIGIBLE = "eligible derived: recorded + not recorded (the file gives no wajib KTP-el)"
#: … and of a row whose recorded share is the complement of the file's unrecorded share.
BASIS_PCT_FROM_UNRECORDED = "recorded share = 100 − the file's unrecorded share (% belum rekam)"


def _unit_errors(ctx: RowContext, cells: list[object], rec: dict) -> list[str]:
    """A `satuan` cell must fit the figure columns the row fills: PERSEN for a percentage,
    JIWA/ORANG for people; a unit the loader does not know refuses the row."""
    raw = text(cell(cells, ctx.plan.index["unit"]))
    if raw is None:
        return []
    u = norm_header(raw)
    filled = [f for f in FIGURE_FIELDS.get(ctx.kind, ()) if rec.get(f) is not None]
    pct = [f for f in filled if f in PCT_FIELDS.get(ctx.kind, ())]
    counts = [f for f in filled if f not in pct]
    header = {f: h for h, f in ctx.plan.mapped}
    if u not in PCT_UNITS | COUNT_UNITS:
        return [f"unit: unknown satuan '{raw}' (PERSEN for a percentage; JIWA or ORANG for people)"]
    if u in COUNT_UNITS and pct:
        return [f"unit: satuan '{raw}' but column '{header.get(pct[0], pct[0])}' holds a percentage"]
    if u in PCT_UNITS and counts:
        return [f"unit: satuan '{raw}' but column '{header.get(counts[0], counts[0])}' holds a count of people"]
    return []


def _screen(ctx: RowContext, row_number: int, cells: list[object]) -> RowResult | tuple[str, str | None]:
    """Blank, total, duplicate and template rows set aside, the region resolved: (code, its
    note) for a row to read on, else the RowResult that says why not."""
    key = ["" if is_missing(c) else str(c).strip() for c in cells]
    if not any(key):
        return RowResult(skipped=BLANK)
    if is_total_row(cells):
        return RowResult(skipped="total row (JUMLAH/TOTAL): not loaded as a region")
    # a 16-byte digest per row, not the row itself: memory stays bounded on big files
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    if digest in ctx.seen:
        return RowResult(reason=f"exact duplicate of row {ctx.seen[digest]}")
    ctx.seen[digest] = row_number
    code, err, region_warning = resolve_region(ctx, cells)
    if code is None:
        return RowResult(reason=err)
    figures = [i for f, i in ctx.plan.index.items() if f in FIGURE_FIELDS.get(ctx.kind, ())]
    if figures and all(is_missing(cell(cells, i)) for i in figures):
        return RowResult(skipped="no figure in the row (a template row): nothing to load")
    return code, region_warning


def _read_numbers(ctx: RowContext, cells: list[object], rec: dict, errors: list[str]) -> None:
    """Counts, percentages and other numbers, in the file's separators."""
    kind, idx = ctx.kind, ctx.plan.index
    for f in COUNT_FIELDS.get(kind, ()):
        v = cell(cells, idx.get(f))
        if type(v) is int and v >= 0:  # typed input (Parquet, XLSX): nothing to parse
            rec[f] = v
        elif f in STOCK_FIELDS and isinstance(v, str) and v.strip().lower() in STOCK_OUT:
            rec[f] = 0  # 'kosong' in a stock column: a stock-out
        elif f in idx and not is_missing(v):
            try:
                rec[f] = parse_count(v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
        else:
            rec[f] = None
    for f in PCT_FIELDS.get(kind, ()):
        v = cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                rec[f] = parse_pct(v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
    for f in NUMBER_FIELDS.get(kind, ()):
        v = cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                rec[f] = parse_number(str(v).strip().rstrip("%") if isinstance(v, str) else v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")


def _read_dates(ctx: RowContext, cells: list[object], rec: dict, errors: list[str]) -> str | None:
    """Every date field, checked against e-KTP's start and today; returns the row date's precision."""
    kind, idx = ctx.kind, ctx.plan.index
    precision = None
    for f in DATE_FIELDS[kind]:
        v = cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                d, p = parse_date(v)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
                continue
            if f == "as_of":  # a figure 'for 2019' describes the year's end
                d = period_end(d, p)
            if d > ctx.today and f != "deadline":
                errors.append(f"{f}: date {d.isoformat()} is in the future")
            elif d < EKTP_START and f in ("as_of", "event_date", "oldest_card_date"):
                errors.append(f"{f}: date {d.isoformat()} is before e-KTP began (2011)")
            if f in PERIOD_BOUNDS:
                d = period_bound(d, p, f)
                rec[f + "_precision"] = p
            rec[f] = d
            if f == ROW_DATE[kind]:
                precision = p
            if f == "oldest_card_date":
                rec["oldest_card_precision"] = p
    return precision


def _date_the_row(
    ctx: RowContext, cells: list[object], rec: dict, errors: list[str], precision: str | None
) -> str | None:
    """The row's date from its year (and semester, quarter or month) when it has no date cell,
    else the title's or --as-of; returns its precision."""
    kind, idx = ctx.kind, ctx.plan.index
    row_date = ROW_DATE[kind]
    if rec.get(row_date) is None and "year" in idx and not any(e.startswith(row_date) for e in errors):
        year = cell(cells, idx["year"])
        part = cell(cells, idx.get(ctx.plan.part_field)) if ctx.plan.part_field else None
        if not is_missing(year):
            try:
                rec[row_date], precision = period_of(year, part, ctx.plan.part_field)
            except ParseError as exc:
                errors.append(f"{row_date}: {exc}")
            else:
                if rec[row_date] > ctx.today:
                    errors.append(f"{row_date}: period ending {rec[row_date].isoformat()} is not over yet")
    if "unit" in idx:
        errors += _unit_errors(ctx, cells, rec)
    if rec.get(row_date) is None and not any(e.startswith(row_date) for e in errors):
        if ctx.default_date is None:
            errors.append(f"{row_date}: no date in the row, the title or --as-of")
        else:
            rec[row_date], precision = ctx.default_date
    return precision


def _provenance(ctx: RowContext, cells: list[object], rec: dict, precision: str | None) -> None:
    """Copied text, the date's precision, the name as written, synthetic or not, and the source."""
    idx = ctx.plan.index
    for f in COPIED_TEXT:
        if f in idx:
            rec[f] = text(cell(cells, idx[f]))
    rec["date_precision"] = rec.get("date_precision") or precision
    rec["region_name_in_source"] = text(cell(cells, idx.get("region_name")))
    synthetic = text(cell(cells, idx.get("is_synthetic"))) if "is_synthetic" in idx else None
    rec["is_synthetic"] = bool(synthetic and synthetic.lower() in {"1", "true", "yes", "y"})
    if rec.get("source"):
        rec["source_kind"] = "synthetic" if rec["is_synthetic"] else "citation"
    else:  # the views name it '<file> row <row_number>' (see sql/tables.sql)
        rec["source"] = None
        rec["source_kind"] = "synthetic" if rec["is_synthetic"] else "office"


def _kind_rules(ctx: RowContext, cells: list[object], rec: dict, warnings: list[str]) -> RowResult | None:
    """What each file kind checks once a row is read: notes added to `warnings`, or the
    RowResult that refuses it."""
    kind, idx = ctx.kind, ctx.plan.index
    if kind == "coverage":
        pct, unrec_pct = rec.pop("recorded_pct"), rec.pop("not_recorded_pct", None)
        pct_raw = cell(cells, idx.get("recorded_pct"))
        basis = []
        if pct is None and unrec_pct is not None:  # '% BELUM REKAM': the recorded share is its complement
            pct, pct_raw = round(100.0 - unrec_pct, 10), cell(cells, idx.get("not_recorded_pct"))
            basis.append(BASIS_PCT_FROM_UNRECORDED)
        elif pct is not None and unrec_pct is not None and abs(pct + unrec_pct - 100.0) > pct_tolerance(pct_raw):
            warnings.append(checks.write("shares_sum", recorded=f"{pct:g}", unrecorded=f"{unrec_pct:g}"))
        rec["recorded_pct_reported"] = pct
        if rec.get("eligible") is None and rec.get("recorded") is not None and rec.get("not_recorded") is not None:
            rec["eligible"] = rec["recorded"] + rec["not_recorded"]
            basis.append(BASIS_DERIVED_ELIGIBLE)
        rec["basis"] = "; ".join(basis) or None
        warnings += coverage_warnings(rec, pct_raw)
        warnings += split_warnings(rec)
    elif kind == "backlog":
        warnings += rules.notes("backlog", rec)
    elif kind == "destruction":
        parts = [rec.get(k) for k in ("reason_damaged", "reason_changed_data", "reason_other")]
        if rec.get("destroyed") is not None and any(p is not None for p in parts):
            s = sum(p or 0 for p in parts)
            if s != rec["destroyed"]:
                warnings.append(checks.write("reasons", total=s, destroyed=rec["destroyed"]))
    elif kind == "targets":
        try:
            rec["metric"] = metric_name(text(cell(cells, idx.get("metric"))) or "")
        except ParseError as exc:
            return RowResult(reason=f"metric: {exc}")
        if rec["target_value"] is None:
            return RowResult(reason="target_value: missing")
        if rec["metric"] == "recording_rate":
            for f in ("target_value", "minimum_value", "baseline_value"):
                if rec.get(f) is not None and rec[f] > 1.5:
                    rec[f] = rec[f] / 100.0
        if rec.get("deadline") and rec["deadline"] < rec["start_date"]:
            return RowResult(reason="deadline: before the start date")
    return None


def process_row(ctx: RowContext, row_number: int, cells: list[object]) -> RowResult:
    """One row through the row lane: screened (blank, total, duplicate, region, template), its
    numbers and dates read, dated, its provenance, then its kind's rules. A refused row says
    every problem at once ("eligible: …; as_of: …")."""
    screened = _screen(ctx, row_number, cells)
    if isinstance(screened, RowResult):
        return screened
    code, region_warning = screened
    rec: dict = {"row_number": row_number, "region_code": code}
    errors: list[str] = []
    _read_numbers(ctx, cells, rec, errors)
    errors += rules.ceiling_errors(rec, COUNT_FIELDS.get(ctx.kind, ()), ctx.matcher.level_of(code))
    precision = _read_dates(ctx, cells, rec, errors)
    precision = _date_the_row(ctx, cells, rec, errors, precision)
    if errors:
        return RowResult(reason="; ".join(errors))
    _provenance(ctx, cells, rec, precision)
    warnings: list[str] = [region_warning] if region_warning else []
    refused = _kind_rules(ctx, cells, rec, warnings)
    if refused is not None:
        return refused
    rec["warnings"] = checks.SEP.join(warnings) if warnings else None
    return RowResult(record=rec)
