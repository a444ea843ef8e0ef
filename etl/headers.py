"""Header plan: which rows of a sheet are its header, and what each column means.

Dukcapil recaps stack their headers: a group merged across sub-columns (`WAJIB KTP-EL` over
`L | P | JUMLAH`). Read as one row, the first sub-column (men only) would pass for the total.
Here a header is one row or a group row with its sub-row; each column gets one name (group +
sub-column), `JUMLAH`/`TOTAL` sub-columns are the counts, `L`/`P` sub-columns of eligible,
recorded and not recorded are kept as the split by sex, and every other column is either mapped
to a field or listed as ignored with its reason. What the loader cannot read with confidence
(a group with sub-columns but no total, a figure-like column it does not know) refuses the
file with what it saw, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.transform import REQUIRED, header_lookup, ignore_reasons, norm_header

#: A sub-column label under a group header: the split by sex, or the group's total.
SEX_LABELS = {
    "L": "male", "LK": "male", "LAKI LAKI": "male", "LAKI": "male", "PRIA": "male", "MALE": "male", "M": "male",
    "P": "female", "PR": "female", "PEREMPUAN": "female", "WANITA": "female", "FEMALE": "female", "F": "female",
    "JUMLAH": "total", "JML": "total", "TOTAL": "total", "L P": "total", "L DAN P": "total", "JUMLAH L P": "total",
    "L PR": "total", "LK PR": "total",
}  # fmt: skip
#: Fields whose split by sex is stored (coverage_rows.<field>_male / _female).
SPLIT_FIELDS = ("eligible", "recorded", "not_recorded")
#: Words of a figure column: an unknown header holding one is refused, not ignored.
FIGURE_WORDS = ("WAJIB", "REKAM", "CETAK", "PRR", "BLANKO", "BLANGKO", "KTP")
_FLAT_SUFFIX = re.compile(r"^(.+?) (L|P|LK|PR|LAKI LAKI|PEREMPUAN|JUMLAH|JML|TOTAL)$")


class FileError(Exception):
    """The file's columns cannot be used as a whole (missing, duplicated, unclear)."""


@dataclass
class HeaderFind:
    """Where the header is in the first rows of a sheet (0-based indexes into those rows)."""

    top: int
    bottom: int
    parts: list[tuple[str, str]]  # (group, sub-column) per column; sub '' for one-row headers
    number_row: bool = False  # a row of column numbers (1, 2, 3, …) under the header, skipped

    @property
    def names(self) -> list[str]:
        return [header_name(p) for p in self.parts]


def header_name(part: tuple[str, str]) -> str:
    group, sub = part
    return f"{group} / {sub}" if group and sub else (group or sub)


def _texts(row: list[object]) -> list[str]:
    return ["" if c is None else str(c).strip() for c in row]


def _numeric(s: str) -> bool:
    return bool(re.fullmatch(r"[-+(]?[\d.,\s%]+\)?", s)) and any(ch.isdigit() for ch in s)


def sub_label(cell: str) -> str | None:
    """'L' → 'male', 'P' → 'female', 'JUMLAH' → 'total'; None for anything else."""
    return SEX_LABELS.get(norm_header(cell))


def combine(top: list[object], sub: list[object]) -> list[tuple[str, str]]:
    """One (group, sub-column) per column. A merged group cell is read once (openpyxl and CSV
    exports leave the cells it covers empty), so it carries right over the sub-labels below it."""
    t, s = _texts(top), _texts(sub)
    n = max(len(t), len(s))
    t += [""] * (n - len(t))
    s += [""] * (n - len(s))
    out: list[tuple[str, str]] = []
    group = ""
    for i in range(n):
        if t[i]:
            group = t[i]
        elif not (s[i] and sub_label(s[i])):
            group = ""  # a merge ends where a column has its own header or none
        if t[i] and s[i]:
            out.append((t[i], s[i]))
        elif s[i] and sub_label(s[i]) and group:
            out.append((group, s[i]))
        else:
            out.append((t[i] or s[i], ""))
    return out


def _field_score(parts: list[tuple[str, str]], lookup: dict[str, str]) -> int:
    fields: set[str] = set()
    for p in parts:
        f = _map_part(p, lookup)[0]
        if f:
            fields.add(f)
    if not ({"region_code", "region_name", "bps_code", "province"} & fields):
        return 0
    return len(fields)


def _may_be_sub_row(row: list[object], lookup: dict[str, str]) -> bool:
    cells = [c for c in _texts(row) if c]
    if len(cells) < 2 or any(_numeric(c) for c in cells):
        return False
    labels = sum(1 for c in cells if sub_label(c))
    mapped = sum(1 for c in cells if norm_header(c) in lookup)
    return labels >= 2 or mapped >= 2


def _under_header(top: list[object], row: list[object], lookup: dict[str, str]) -> bool:
    """A row right under a header that is still header: text only, and empty under the region
    columns (every data row names its region there). Read with the header, so that what its
    cells mean is decided, or refused, by the plan instead of being loaded as a row."""
    t, cells = _texts(top), _texts(row)
    if not any(cells) or any(_numeric(c) for c in cells if c):
        return False
    region = {"region_code", "region_name", "province", "bps_code"}
    cols = [i for i, c in enumerate(t) if lookup.get(norm_header(c)) in region]
    return bool(cols) and all(i >= len(cells) or not cells[i] for i in cols)


def _is_number_row(row: list[object]) -> bool:
    cells = [c for c in _texts(row) if c]
    nums = []
    for c in cells:
        m = re.fullmatch(r"\(?(\d{1,2})\)?(?:\.0)?", c)
        if not m:
            return False
        nums.append(int(m[1]))
    return len(nums) >= 3 and nums == list(range(nums[0], nums[0] + len(nums))) and nums[0] in (0, 1)


def find_header(head: list[list[object]], kind: str, file_label: str, scan_rows: int) -> HeaderFind:
    """The header among the first rows: the row, or group row + sub-row, that names a region
    column and the most fields of `kind`."""
    lookup = header_lookup(kind)
    best, found = 0, None
    scores = [_field_score(combine(row, []), lookup) for row in head]
    for i, row in enumerate(head):
        if scores[i] > best:
            best, found = scores[i], HeaderFind(i, i, combine(row, []))
        if i + 1 < len(head) and _may_be_sub_row(head[i + 1], lookup):
            pair = combine(row, head[i + 1])
            sp = _field_score(pair, lookup)
            alone = max(scores[i], scores[i + 1])
            has_labels = any(sub_label(b) for _, b in pair if b)
            # a group row over its sub-row reads more fields than either row alone (or the same
            # fields split by sex); a title over a one-row header does not
            if sp >= best and (sp > alone or (has_labels and sp >= alone)):
                best, found = sp, HeaderFind(i, i + 1, pair)
    if found is not None and found.top == found.bottom and found.bottom + 1 < len(head):
        below = head[found.bottom + 1]
        if _under_header(head[found.bottom], below, lookup):
            found = HeaderFind(found.top, found.bottom + 1, combine(head[found.bottom], below))
    if found is None or best < 2:
        seen = [str(c) for c in (head[0] if head else []) if c not in (None, "")]
        raise FileError(
            f"{file_label}: no header row found in the first {scan_rows} rows "
            f"(need a region column such as 'KABUPATEN/KOTA' or 'KODE WILAYAH' and at least one "
            f"{kind} column; first row has {seen[:8]})"
        )
    if found.bottom + 1 < len(head) and _is_number_row(head[found.bottom + 1]):
        found.number_row = True
    return found


@dataclass
class ColumnPlan:
    """What each column of a file means: the field it fills, or why it is ignored."""

    index: dict[str, int]  # canonical field → column index
    parent_index: int | None
    level: str
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header, reason)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (header, field)
    header_rows: list[int] = field(default_factory=list)  # 1-based rows of the file
    part_field: str | None = None  # period_semester | period_quarter | period_month, with `year`

    def describe(self) -> list[str]:
        """The plan as lines: each column → its field, or ignored with the reason."""
        out = [f"{h!r} → {f}" for h, f in self.mapped]
        out += [f"{h!r} ignored: {r}" for h, r in self.ignored]
        return out


def _split_flat(nh: str) -> tuple[str, str] | None:
    """'WAJIB KTP EL L' → ('WAJIB KTP EL', 'L'); 'JUMLAH WAJIB KTP' is left whole (an alias)."""
    m = _FLAT_SUFFIX.match(nh)
    return (m[1], m[2]) if m else None


def _map_part(part: tuple[str, str], lookup: dict[str, str]) -> tuple[str | None, str | None]:
    """(field, None) for a mapped column, (None, reason) for an ignored one, (None, None) unknown."""
    group, sub = part
    ng, ns = norm_header(group), norm_header(sub)
    if not ns:
        if ng in lookup:
            return lookup[ng], None
        flat = _split_flat(ng)
        if flat and flat[0] in lookup:
            group, sub = flat
            ng, ns = flat
        else:
            return None, None
    sex = SEX_LABELS.get(ns)
    if sex is not None:
        f = lookup.get(ng)
        if f is None:
            return None, None
        if sex == "total":
            return f, None
        if f in SPLIT_FIELDS:
            return f"{f}_{sex}", None
        return None, f"the {sub} sub-column of {f}: only its total is read"
    f = lookup.get(f"{ng} {ns}") or lookup.get(ns)
    return f, None


def plan_columns(parts: list[tuple[str, str]], kind: str, file_label: str, header_rows: list[int]) -> ColumnPlan:
    """Map each column to a canonical field; refuse duplicates, unclear figure columns and
    files missing a required column."""
    lookup = header_lookup(kind)
    ignore = ignore_reasons(kind)
    plan = ColumnPlan({}, None, "regency", header_rows=header_rows)
    stacked = any(sub for _, sub in parts)
    groups: dict[str, list[str]] = {}
    for i, part in enumerate(parts):
        name = header_name(part)
        nh = norm_header(name)
        if not nh:
            continue
        f, reason = _map_part(part, lookup)
        if f is None:
            if part[1]:
                groups.setdefault(part[0], []).append(part[1])
            why = reason or ignore.get(norm_header(part[0] if not part[1] else name)) or ignore.get(nh)
            if why is None and part[1] and lookup.get(norm_header(part[0])):
                raise FileError(
                    f"{file_label}: two header rows: '{part[0]}' over '{part[1]}': cannot tell what "
                    f"'{part[1]}' is (a {lookup[norm_header(part[0])]} sub-column that is neither L, P "
                    "nor JUMLAH/TOTAL); rename it or remove it"
                )
            if why is None and any(w in nh.split() for w in FIGURE_WORDS):
                raise FileError(
                    f"{file_label}: column '{name}' looks like a figure but its meaning is not known "
                    "(no alias in data/header_map.csv): rename it to a known header (e.g. WAJIB KTP-EL, "
                    "SUDAH REKAM, BELUM REKAM, % REKAM, SUDAH CETAK, PRR) or remove it"
                )
            plan.ignored.append((name, why or "not a column the loader knows"))
            continue
        if part[1]:
            groups.setdefault(part[0], []).append(part[1])
        if f == "region_name" and ("KECAMATAN" in nh or "DISTRICT" in nh):
            if "region_name" in plan.index:  # the earlier name column is the parent regency
                plan.parent_index = plan.index.pop("region_name")
            plan.level = "district"
        elif f == "region_name" and "region_name" in plan.index and plan.level == "district":
            plan.parent_index = i
            plan.mapped.append((name, "parent regency"))
            continue
        if f in plan.index:
            raise FileError(
                f"{file_label}: columns '{header_name(parts[plan.index[f]])}' and '{name}' both mean "
                f"'{f}' (duplicate header): rename or remove one"
            )
        plan.index[f] = i
        plan.mapped.append((name, f))
    for f in SPLIT_FIELDS:
        split = [s for s in ("male", "female") if f"{f}_{s}" in plan.index]
        if split and f not in plan.index:
            col = header_name(parts[plan.index[f"{f}_{split[0]}"]])
            group = col.split(" / ")[0]
            raise FileError(
                f"{file_label}: two header rows: {group} / {', '.join(groups.get(group, []))}: no JUMLAH or "
                f"TOTAL column for {f}: a sub-column by sex is never taken for the total"
            )
    parts_given = [p for p in ("period_semester", "period_quarter", "period_month") if p in plan.index]
    if len(parts_given) > 1:
        raise FileError(f"{file_label}: more than one period column ({', '.join(parts_given)}): keep one")
    if parts_given:
        if "year" not in plan.index:
            raise FileError(f"{file_label}: a {parts_given[0].split('_')[1]} column without a TAHUN (year) column")
        plan.part_field = parts_given[0]
    if not {"region_code", "region_name", "bps_code"} & set(plan.index) and "province" in plan.index:
        # a table of provinces: its province column names the rows' own regions
        plan.index["region_name"] = plan.index.pop("province")
        plan.level = "province"
        plan.mapped = [(h, "region_name (province)" if f == "province" else f) for h, f in plan.mapped]
    if "region_code" not in plan.index and "region_name" not in plan.index and "bps_code" not in plan.index:
        raise FileError(f"{file_label}: missing required column: a region code or name")
    for group in REQUIRED[kind]:
        if not any(g in plan.index for g in group):
            seen = f" (header rows {', '.join(map(str, header_rows))}; columns: {', '.join(plan.describe())})"
            raise FileError(
                f"{file_label}: missing required column for {kind}: one of {', '.join(group)}"
                + (seen if stacked else "")
            )
    return plan
