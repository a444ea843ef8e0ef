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
from dataclasses import dataclass, field

from ektp import checks
from etl.regions import RegionMatcher
from etl.transform import (
    COUNT_FIELDS,
    DATE_FIELDS,
    NUMBER_FIELDS,
    PCT_FIELDS,
    REQUIRED,
    ROW_DATE,
    ParseError,
    header_lookup,
    is_missing,
    is_total_row,
    metric_name,
    norm_header,
    parse_count,
    parse_date,
    parse_number,
    parse_pct,
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
        "is_synthetic", "warnings",
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


class FileError(Exception):
    """The file's columns cannot be used as a whole (missing, duplicated)."""


@dataclass
class ColumnPlan:
    index: dict[str, int]  # canonical field → column index
    parent_index: int | None
    level: str
    unknown: list[str]


def plan_columns(headers: list[str], kind: str, file_label: str) -> ColumnPlan:
    """Map each header to a canonical field; refuse duplicates and missing required columns."""
    lookup = header_lookup(kind)
    index: dict[str, int] = {}
    parent_index = None
    unknown = []
    level = "regency"
    for i, h in enumerate(headers):
        nh = norm_header(h)
        if not nh:
            continue
        f = lookup.get(nh)
        if f is None:
            unknown.append(str(h))
            continue
        if f == "region_name" and ("KECAMATAN" in nh or "DISTRICT" in nh):
            if "region_name" in index:  # the earlier name column is the parent regency
                parent_index = index.pop("region_name")
            level = "district"
        elif f == "region_name" and "region_name" in index and level == "district":
            parent_index = i
            continue
        if f in index:
            raise FileError(
                f"{file_label}: columns '{headers[index[f]]}' and '{h}' both mean '{f}' "
                "(duplicate header): rename or remove one"
            )
        index[f] = i
    if "region_code" not in index and "region_name" not in index:
        raise FileError(f"{file_label}: missing required column: a region code or name")
    for group in REQUIRED[kind]:
        if not any(g in index for g in group):
            raise FileError(f"{file_label}: missing required column for {kind}: one of {', '.join(group)}")
    return ColumnPlan(index, parent_index, level, unknown)


@dataclass
class RowContext:
    kind: str
    file_label: str
    matcher: RegionMatcher
    plan: ColumnPlan
    locale: str = "id"
    province: str | None = None
    default_date: tuple[dt.date, str] | None = None
    today: dt.date = field(default_factory=dt.date.today)
    seen: dict[bytes, int] = field(default_factory=dict)  # row digest → first row number
    region_cache: dict[tuple, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass
class RowResult:
    record: dict | None = None
    reason: str | None = None
    skipped: str | None = None  # blank or total rows: counted, kept, never loaded as regions


def _cell(cells: list[object], i: int | None) -> object:
    if i is None or i >= len(cells):
        return None
    return cells[i]


def _text(v: object) -> str | None:
    if is_missing(v):
        return None
    s = str(v).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s


def _resolve_region(ctx: RowContext, cells: list[object]) -> tuple[str | None, str | None]:
    code_raw = _text(_cell(cells, ctx.plan.index.get("region_code")))
    name_raw = _text(_cell(cells, ctx.plan.index.get("region_name")))
    prov_raw = _text(_cell(cells, ctx.plan.index.get("province")))
    parent_raw = _text(_cell(cells, ctx.plan.parent_index))
    key = (code_raw, name_raw, prov_raw, parent_raw)
    if key in ctx.region_cache:
        return ctx.region_cache[key]
    m = ctx.matcher
    result: tuple[str | None, str | None]
    if code_raw:
        r = m.by_code(code_raw)
        result = (r.code, None) if r.code else (None, r.error)
    elif name_raw:
        province = ctx.province
        if prov_raw:
            pr = m.by_code(prov_raw) if prov_raw.replace(".", "").isdigit() else None
            if pr is None or pr.code is None:
                pr = m.by_name(prov_raw, level="province")
            if pr.code is None:
                ctx.region_cache[key] = (None, f"province: {pr.error}")
                return ctx.region_cache[key]
            province = pr.code
        parent = None
        if ctx.plan.level == "district" and parent_raw:
            pp = m.by_name(parent_raw, level="regency", province=province)
            if pp.code is None:
                msg = f"regency '{parent_raw}': {pp.error}"
                if pp.candidates:
                    msg += f"; candidates: {', '.join(pp.candidates)}"
                ctx.region_cache[key] = (None, msg)
                return ctx.region_cache[key]
            parent = pp.code
        r = m.by_name(name_raw, level=ctx.plan.level, province=province, parent=parent)
        if r.code:
            result = (r.code, None)
        else:
            msg = f"unknown or ambiguous region: {r.error}"
            if r.candidates:
                msg += f"; candidates: {', '.join(r.candidates)}"
            result = (None, msg)
    else:
        result = (None, "no region code or name")
    ctx.region_cache[key] = result
    return result


def _pct_tolerance(raw: object) -> float:
    """One unit of the last printed decimal: '98.22' → 0.01, '86' → 1 (counts win beyond)."""
    s = str(raw).strip().rstrip("%")
    for sep in (",", "."):
        if sep in s:
            return 10.0 ** -len(s.rsplit(sep, 1)[1]) + 1e-9
    return 1.0 + 1e-9


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


def coverage_warnings(r: dict, pct_raw: object = None) -> list[str]:
    """Consistency checks that load the row but flag it (the counts win)."""
    w = []
    pop, elig, rec, prn = r.get("population"), r.get("eligible"), r.get("recorded"), r.get("printed")
    nrec, pct = r.get("not_recorded"), r.get("recorded_pct_reported")
    if elig is not None and rec is not None and rec > elig:
        w.append(checks.write("over_eligible", recorded=rec, eligible=elig))
    if rec is not None and prn is not None and prn > rec:
        w.append(checks.write("printed_over_recorded", printed=prn, recorded=rec))
    if pop is not None and elig is not None and elig > pop:
        w.append(checks.write("eligible_over_population", eligible=elig, population=pop))
    if elig is not None and rec is not None and nrec is not None and abs((elig - rec) - nrec) > 1:
        w.append(checks.write("not_recorded_mismatch", reported=nrec, computed=elig - rec))
    if pct is not None and rec is not None:
        base = elig if elig else (rec + nrec if nrec is not None else None)
        if base:
            computed = 100.0 * rec / base
            if abs(computed - pct) > _pct_tolerance(pct_raw if pct_raw is not None else pct):
                key = "rate_mismatch" if elig else "rate_mismatch_sum"
                w.append(checks.write(key, reported=f"{pct:g}", computed=f"{computed:.2f}"))
    return w


def process_row(ctx: RowContext, row_number: int, cells: list[object]) -> RowResult:
    kind = ctx.kind
    key = ["" if is_missing(c) else str(c).strip() for c in cells]
    if not any(key):
        return RowResult(skipped="blank row")
    if is_total_row(cells):
        return RowResult(skipped="total row (JUMLAH/TOTAL): not loaded as a region")
    # a 16-byte digest per row, not the row itself: memory stays bounded on big files
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    if digest in ctx.seen:
        return RowResult(reason=f"exact duplicate of row {ctx.seen[digest]}")
    ctx.seen[digest] = row_number

    code, err = _resolve_region(ctx, cells)
    if code is None:
        return RowResult(reason=err)
    rec: dict = {"row_number": row_number, "region_code": code}
    errors: list[str] = []
    idx = ctx.plan.index

    for f in COUNT_FIELDS.get(kind, ()):
        v = _cell(cells, idx.get(f))
        if type(v) is int and v >= 0:  # typed input (Parquet, XLSX): nothing to parse
            rec[f] = v
        elif f in idx and not is_missing(v):
            try:
                rec[f] = parse_count(v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
        else:
            rec[f] = None
    for f in PCT_FIELDS.get(kind, ()):
        v = _cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                rec[f] = parse_pct(v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
    for f in NUMBER_FIELDS.get(kind, ()):
        v = _cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                rec[f] = parse_number(str(v).strip().rstrip("%") if isinstance(v, str) else v, ctx.locale)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
    precision = None
    for f in DATE_FIELDS[kind]:
        v = _cell(cells, idx.get(f))
        rec[f] = None
        if f in idx and not is_missing(v):
            try:
                d, p = parse_date(v)
            except ParseError as exc:
                errors.append(f"{f}: {exc}")
                continue
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
    row_date = ROW_DATE[kind]
    if rec.get(row_date) is None and not any(e.startswith(row_date) for e in errors):
        if ctx.default_date is None:
            errors.append(f"{row_date}: no date in the row, the title or --as-of")
        else:
            rec[row_date], precision = ctx.default_date
    if errors:
        return RowResult(reason="; ".join(errors))

    for f in COPIED_TEXT:
        if f in idx:
            rec[f] = _text(_cell(cells, idx[f]))
    rec["date_precision"] = rec.get("date_precision") or precision
    rec["region_name_in_source"] = _text(_cell(cells, idx.get("region_name")))
    synthetic = _text(_cell(cells, idx.get("is_synthetic"))) if "is_synthetic" in idx else None
    rec["is_synthetic"] = bool(synthetic and synthetic.lower() in {"1", "true", "yes", "y"})
    if rec.get("source"):
        rec["source_kind"] = "synthetic" if rec["is_synthetic"] else "citation"
    else:  # the views name it '<file> row <row_number>' (see sql/tables.sql)
        rec["source"] = None
        rec["source_kind"] = "synthetic" if rec["is_synthetic"] else "office"

    warnings: list[str] = []
    if kind == "coverage":
        rec["recorded_pct_reported"] = rec.pop("recorded_pct")
        warnings = coverage_warnings(rec, _cell(cells, idx.get("recorded_pct")))
    elif kind == "backlog":
        ages = [rec.get(k) for k in ("age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus")]
        awaiting = rec.get("awaiting_pickup")
        if awaiting is not None and all(a is not None for a in ages) and sum(ages) != awaiting:
            warnings.append(checks.write("age_buckets", total=sum(ages), awaiting=rec["awaiting_pickup"]))
    elif kind == "destruction":
        parts = [rec.get(k) for k in ("reason_damaged", "reason_changed_data", "reason_other")]
        if rec.get("destroyed") is not None and any(p is not None for p in parts):
            s = sum(p or 0 for p in parts)
            if s != rec["destroyed"]:
                warnings.append(checks.write("reasons", total=s, destroyed=rec["destroyed"]))
    elif kind == "targets":
        try:
            rec["metric"] = metric_name(_text(_cell(cells, idx.get("metric"))) or "")
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
    rec["warnings"] = checks.SEP.join(warnings) if warnings else None
    return RowResult(record=rec)
