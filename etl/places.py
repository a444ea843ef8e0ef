"""Places: which unit of the region dictionary a row is about — by Kemendagri code, by name as
offices type it (at the level its column or its own prefix says, inside its parents, the row
above it in a list of several levels, or the regency its title names), or by a BPS code read
through its name — and the context the rows of one file are read in (RowContext).

A code and a name on the same row are checked against each other; a name is never placed on its
parent (a village's figure is a village's).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ektp.core import checks
from etl.headers import ColumnPlan
from etl.regions import RegionMatcher, name_key, normalize_code
from etl.transform import is_missing, is_total_row


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


def cell(cells: list[object], i: int | None) -> object:
    if i is None or i >= len(cells):
        return None
    return cells[i]


def text(v: object) -> str | None:
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
    prov_raw = text(cell(cells, ctx.plan.index.get("province")))
    pcode_raw = text(cell(cells, ctx.plan.index.get("province_code")))
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


def resolve_region(ctx: RowContext, cells: list[object]) -> tuple[str | None, str | None, str | None]:
    """(code, error, warning) of a row's region. A code and a name on the same row are checked
    against each other: in a Kemendagri-coded file a name that names another unit refuses the
    row with both readings; in a BPS-coded file (`ctx.codes`) the name decides and a code that
    differs is warned on the row."""
    idx = ctx.plan.index
    bps_col = "region_code" not in idx and "bps_code" in idx
    code_raw = text(cell(cells, idx.get("bps_code" if bps_col else "region_code")))
    name_raw = text(cell(cells, idx.get("region_name")))
    parents = tuple(text(cell(cells, i)) for i, _ in ctx.plan.ancestors)
    key = (
        code_raw,
        name_raw,
        text(cell(cells, idx.get("province"))),
        text(cell(cells, idx.get("province_code"))),
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
        code_raw = text(cell(cells, idx["region_code"]))
        name_raw = text(cell(cells, idx["region_name"]))
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
