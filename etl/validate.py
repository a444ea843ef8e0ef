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
import re
from dataclasses import dataclass, field

from ektp import checks
from etl import rules
from etl.headers import SPLIT_FIELDS, ColumnPlan, FileError, plan_columns  # noqa: F401 - re-exported
from etl.regions import RegionMatcher, name_key, normalize_code
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
    region_cache: dict[tuple, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    #: how the file's codes are read: "kemendagri" (code wins, a name that says otherwise is
    #: refused) or "bps" (matched by name, each code that differs warned), see `code_system`
    codes: str = "kemendagri"
    #: the regency a title row names ('REKAPITULASI … KABUPATEN SAROLANGUN'): scopes district names
    title_regency: str | None = None
    #: in a list of several levels, the last unit read at each level (the rows below a regency
    #: row are its districts)
    above: dict[str, str] = field(default_factory=dict)


#: RowResult.skipped of a row with nothing in it.
BLANK = "blank row"


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


_CODE_LEVEL = {2: "province", 4: "regency", 6: "district"}


def _code_digits(raw: str) -> str:
    s = raw.strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return "".join(ch for ch in s if ch.isdigit())


def _says(m: RegionMatcher, code: str, name: str) -> bool:
    """The typed name is the unit's own name or one of its aliases (prefixes aside)."""
    key = name_key(name)[1]
    own = m.name_of(code)
    if own is not None and key == name_key(own)[1]:
        return True
    return any(c == code for _, c in m.aliases.get(key, []))


def _code_names(m: RegionMatcher, canon: str | None, level: str | None, name: str) -> bool:
    """The code, read as a Kemendagri code of `level`, is the unit the row's name names (then a
    BPS code equals the Kemendagri one, as for Kota Jambi's 1571)."""
    return bool(canon) and m.level_of(canon) == level and _says(m, canon, name)


def _name_at(m: RegionMatcher, name: str, level: str, province: str | None, parent: str | None):  # noqa: ANN202
    kind = name_key(name)[0]
    if kind == "provinsi" or level == "province":
        return m.by_name(name, level="province")
    return m.by_name(name, level=level, province=province, parent=parent)


def _province_scope(ctx: RowContext, cells: list[object]) -> tuple[str | None, str | None]:
    """The province a row is scoped to (its province name or code cells, else --province), or
    an error when the two cells disagree."""
    m = ctx.matcher
    prov_raw = _text(_cell(cells, ctx.plan.index.get("province")))
    pcode_raw = _text(_cell(cells, ctx.plan.index.get("province_code")))
    found: list[str] = []
    for raw in (prov_raw, pcode_raw):
        if not raw:
            continue
        pr = m.by_code(raw) if raw.replace(".", "").isdigit() else None
        if pr is None or pr.code is None:
            pr = m.by_name(raw, level="province")
        if pr.code is None:
            return None, f"province: {pr.error}"
        found.append(pr.code)
    if len(set(found)) > 1:
        return None, (
            f"province code {pcode_raw} is {m.name_of(found[1])} but the province name says "
            f"'{prov_raw}' ({found[0]}): which is right?"
        )
    return (found[0] if found else ctx.province), None


def _resolve_region(ctx: RowContext, cells: list[object]) -> tuple[str | None, str | None, str | None]:
    """(code, error, warning) of a row's region. A code and a name on the same row are checked
    against each other: in a Kemendagri-coded file a name that names another unit refuses the
    row with both readings; in a BPS-coded file (`ctx.codes`) the name decides and a code that
    differs is warned on the row."""
    idx = ctx.plan.index
    bps_col = "region_code" not in idx and "bps_code" in idx
    code_raw = _text(_cell(cells, idx.get("bps_code" if bps_col else "region_code")))
    name_raw = _text(_cell(cells, idx.get("region_name")))
    parents = tuple(_text(_cell(cells, i)) for i, _ in ctx.plan.ancestors)
    key = (
        code_raw,
        name_raw,
        _text(_cell(cells, idx.get("province"))),
        _text(_cell(cells, idx.get("province_code"))),
        parents,
        tuple(sorted(ctx.above.items())) if ctx.plan.mixed_levels else None,
    )
    if key in ctx.region_cache:
        result = ctx.region_cache[key]
    else:
        result = _resolve_uncached(ctx, code_raw, name_raw, parents, cells, bps_col or ctx.codes == "bps")
        ctx.region_cache[key] = result
    if result[0] is not None and ctx.plan.mixed_levels:  # a list of several levels: the rows below
        ctx.above[ctx.matcher.level_of(result[0]) or ""] = result[0]  # 'Kab. Karimun' are its districts
    return result


def _resolve_uncached(
    ctx: RowContext, code_raw: str | None, name_raw: str | None, parents: tuple, cells: list[object], bps: bool
) -> tuple[str | None, str | None, str | None]:
    m = ctx.matcher
    province, perr = _province_scope(ctx, cells)
    if perr:
        return None, perr, None
    if code_raw and bps:
        digits = _code_digits(code_raw)
        if not name_raw:
            return (
                None,
                (
                    f"BPS code '{code_raw}' without a name: BPS codes differ from Kemendagri codes, so this "
                    "file's rows are matched by name"
                ),
                None,
            )
        level = _CODE_LEVEL.get(len(digits), "regency")
        scope = province or (digits[:2] if len(digits) >= 2 else None)
        canon = normalize_code(code_raw)
        if _code_names(m, canon, level, name_raw):
            return canon, None, None
        r = _name_at(m, name_raw, level, scope, None)
        if r.code is None:
            return (
                None,
                f"BPS code '{code_raw}' with name '{name_raw}': {r.error}"
                + (f"; candidates: {', '.join(r.candidates)}" if r.candidates else ""),
                None,
            )
        warn = None
        if canon != r.code:
            warn = checks.write("bps_code", code_bps=code_raw, name=m.name_of(r.code), code=r.code)
        return r.code, None, warn
    if code_raw:
        r = m.by_code(code_raw)
        if r.code is None:
            return None, r.error, None
        code = r.code
        level = m.level_of(code)
        if province and level not in (None, "country") and code[:2] != province:
            return (
                None,
                (f"code {code} ({m.name_of(code)}) is not in the row's province {province} ({m.name_of(province)})"),
                None,
            )
        if not name_raw or level in (None, "village") or _says(m, code, name_raw):
            return code, None, None
        parent = code.rsplit(".", 1)[0] if level == "district" else None
        n = _name_at(m, name_raw, level or "regency", code[:2] if level != "province" else None, parent)
        if n.code is not None and n.code != code:
            return (
                None,
                (
                    f"code {code} is {m.name_of(code)} but the name '{name_raw}' is {m.name_of(n.code)} ({n.code}): "
                    "which is right? (a file whose codes are BPS codes is read by name when its code/name "
                    "pairs show it, or with --codes bps)"
                ),
                None,
            )
        return code, None, checks.write("name_unrecognised", typed=name_raw, code=code, name=m.name_of(code))
    if name_raw:
        return _by_name(ctx, name_raw, parents, province)
    return None, "no region code or name", None


#: The level a name's own prefix says ('Kab. X', 'Kec. Y', 'Desa Z'), in a list of several levels.
PREFIX_LEVEL = {"provinsi": "province", "kabupaten": "regency", "kota": "regency", "kecamatan": "district",
                "kelurahan": "village", "desa": "village"}  # fmt: skip
_ABOVE = {"district": "regency", "village": "district"}


def _by_name(
    ctx: RowContext, name_raw: str, parents: tuple, province: str | None
) -> tuple[str | None, str | None, None]:
    """A row's unit by its name, at the level its column (or, in a list of several levels, its
    own prefix) says, inside its parents: the name columns above it (KABUPATEN › KECAMATAN), the
    row above it in a list ('Kab. Karimun' over 'Kec. Karimun'), or the regency the title
    names. A name is never placed on its parent: a village's figure is a village's."""
    m = ctx.matcher
    level = ctx.plan.level
    if ctx.plan.mixed_levels:
        level = PREFIX_LEVEL.get(name_key(name_raw)[0] or "", level)
    parent = None
    for (_, plevel), raw in zip(ctx.plan.ancestors, parents, strict=True):
        if not raw:
            continue
        pp = m.village_by_name(raw, parent) if plevel == "village" else _name_at(m, raw, plevel, province, parent)
        if pp.code is None:
            msg = f"{plevel} '{raw}': {pp.error}"
            return None, msg + (f"; candidates: {', '.join(pp.candidates)}" if pp.candidates else ""), None
        parent = pp.code
    if parent is None and level in _ABOVE:
        if ctx.plan.mixed_levels and ctx.above.get(_ABOVE[level]):
            parent = ctx.above[_ABOVE[level]]
        elif level == "district" and ctx.title_regency:
            parent = ctx.title_regency
    r = m.village_by_name(name_raw, parent) if level == "village" else _name_at(m, name_raw, level, province, parent)
    if r.code:
        return r.code, None, None
    msg = f"unknown or ambiguous region: {r.error}"
    if r.candidates:
        msg += f"; candidates: {', '.join(r.candidates[:8])}"
    return None, msg, None


_TITLE_REGENCY = re.compile(
    r"\b(KABUPATEN|KAB\.?|KOTA)\s+([A-Z][A-Z'.\- ]*?)(?=\s+(?:KEADAAN|PER|POSISI|TAHUN|BULAN|SEMESTER|"
    r"TRIWULAN|PROVINSI|TANGGAL|SAMPAI|S\.?D|AKHIR|AWAL|SEBELUM)\b|\s*[\d(,]|\s*$)"
)


def title_regency(lines: list[str], m: RegionMatcher, province: str | None) -> str | None:
    """The regency a title row names ('REKAPITULASI PEREKAMAN PER KECAMATAN KABUPATEN SAROLANGUN
    KEADAAN …'): the unit a district list belongs to, when its names repeat in the province."""
    for line in lines:
        for kind, name in _TITLE_REGENCY.findall(line.upper()):
            r = m.by_name(f"{kind} {name}", level="regency", province=province)
            if r.code:
                return r.code
    return None


def code_system(ctx: RowContext, sample: list[tuple[int, list[object]]]) -> tuple[str, str | None]:
    """How a file's region codes are to be read, from its own code/name pairs: "bps" when two or
    more rows name, beside a code, another unit of the same province than the Kemendagri code
    does (open-data portals publish BPS codes; in Jambi BPS 1508 is Tebo, Kemendagri 15.08 is
    Bungo), else "kemendagri". No BPS crosswalk is shipped: the reading comes from the names."""
    idx = ctx.plan.index
    if "region_code" not in idx and "bps_code" in idx:
        return "bps", "codes are in a BPS code column: rows are matched by name, each code checked"
    if "region_code" not in idx or "region_name" not in idx:
        return "kemendagri", None
    m = ctx.matcher
    pairs, differ = 0, []
    for _, cells in sample:
        code_raw = _text(_cell(cells, idx["region_code"]))
        name_raw = _text(_cell(cells, idx["region_name"]))
        if not code_raw or not name_raw or is_total_row(cells):
            continue
        digits = _code_digits(code_raw)
        level = _CODE_LEVEL.get(len(digits))
        if level is None:
            continue
        canon = normalize_code(code_raw)
        if _code_names(m, canon, level, name_raw):
            pairs += 1
            continue
        n = _name_at(m, name_raw, level, digits[:2], None)
        if n.code is None:
            continue
        pairs += 1
        differ.append((code_raw, canon, name_raw, n.code))
    if len(differ) < 2:
        return "kemendagri", None
    eg = "; ".join(
        f"{raw} is {m.name_of(c) if c and m.name_of(c) else 'no unit'} in Kemendagri codes, the row names {name} ({n})"
        for raw, c, name, n in differ[:3]
    )
    return "bps", (
        f"codes read as BPS codes: {len(differ)} of {pairs} code/name pairs name another unit than the "
        f"Kemendagri code ({eg}); rows are matched by name and each differing code is warned on its row"
    )


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
    raw = _text(_cell(cells, ctx.plan.index["unit"]))
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
    code, err, region_warning = _resolve_region(ctx, cells)
    if code is None:
        return RowResult(reason=err)
    figures = [i for f, i in ctx.plan.index.items() if f in FIGURE_FIELDS.get(ctx.kind, ())]
    if figures and all(is_missing(_cell(cells, i)) for i in figures):
        return RowResult(skipped="no figure in the row (a template row): nothing to load")
    return code, region_warning


def _read_numbers(ctx: RowContext, cells: list[object], rec: dict, errors: list[str]) -> None:
    """Counts, percentages and other numbers, in the file's separators."""
    kind, idx = ctx.kind, ctx.plan.index
    for f in COUNT_FIELDS.get(kind, ()):
        v = _cell(cells, idx.get(f))
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


def _read_dates(ctx: RowContext, cells: list[object], rec: dict, errors: list[str]) -> str | None:
    """Every date field, checked against e-KTP's start and today; returns the row date's precision."""
    kind, idx = ctx.kind, ctx.plan.index
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
        year = _cell(cells, idx["year"])
        part = _cell(cells, idx.get(ctx.plan.part_field)) if ctx.plan.part_field else None
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


def _kind_rules(ctx: RowContext, cells: list[object], rec: dict, warnings: list[str]) -> RowResult | None:
    """What each file kind checks once a row is read: notes added to `warnings`, or the
    RowResult that refuses it."""
    kind, idx = ctx.kind, ctx.plan.index
    if kind == "coverage":
        pct, unrec_pct = rec.pop("recorded_pct"), rec.pop("not_recorded_pct", None)
        pct_raw = _cell(cells, idx.get("recorded_pct"))
        basis = []
        if pct is None and unrec_pct is not None:  # '% BELUM REKAM': the recorded share is its complement
            pct, pct_raw = round(100.0 - unrec_pct, 10), _cell(cells, idx.get("not_recorded_pct"))
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
