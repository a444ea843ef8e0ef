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

from etl.transform import REQUIRED, header_lookup, ignore_reasons, month_word, norm_header

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
#: A sub-column that says "the share" of its group's measure (a '%' is read as PERSEN).
PCT_WORDS = {"PERSEN", "PERSENTASE", "PCT", "RASIO"}
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


def _carries(cell: str) -> bool:
    """A sub-column a merged group carries over: L, P, JUMLAH, a '%' share, a month (JAN)."""
    return bool(cell) and (
        sub_label(cell) is not None or norm_header(cell) in PCT_WORDS or month_word(cell) is not None
    )


def combine(top: list[object], sub: list[object]) -> list[tuple[str, str]]:
    """One (group, sub-column) per column. A merged group cell is read once (openpyxl and CSV
    exports leave the cells it covers empty), so it carries right over the sub-labels below it:
    L / P / JUMLAH, a '%' (BELUM REKAM over JUMLAH | %), the months of a year (JAN … DES)."""
    t, s = _texts(top), _texts(sub)
    n = max(len(t), len(s))
    t += [""] * (n - len(t))
    s += [""] * (n - len(s))
    out: list[tuple[str, str]] = []
    group = ""
    for i in range(n):
        if t[i]:
            group = t[i]
        elif not _carries(s[i]):
            group = ""  # a merge ends where a column has its own header or none
        if t[i] and s[i]:
            out.append((t[i], s[i]))
        elif _carries(s[i]) and group:
            out.append((group, s[i]))
        else:
            out.append((t[i] or s[i], ""))
    return out


def _field_score(parts: list[tuple[str, str]], lookup: dict[str, str]) -> int:
    fields: set[str] = set()
    if sum(1 for g, sub in parts if month_word(sub or g)) >= 3:
        fields.add("months")  # month columns (JAN … DES) hold the figures: etl.reshape reads them
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
    labels = sum(1 for c in cells if _carries(c))
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
    """What each column of a file means: the field it fills, or why it is ignored, or the
    question an operator answers (a column the loader cannot place: `unresolved`)."""

    index: dict[str, int]  # canonical field → column index
    parent_index: int | None
    level: str
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header, reason)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (header, field)
    header_rows: list[int] = field(default_factory=list)  # 1-based rows of the file
    part_field: str | None = None  # period_semester | period_quarter | period_month, with `year`
    #: columns the loader cannot place with confidence: (header, why); the load waits for a
    #: choice (the Load page asks; the CLI takes --column 'HEADER=field')
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (header, field or 'ignore') by an operator
    #: the rows' names may carry their own level ('Kab. X', 'Kec. Y'): a generic name column
    mixed_levels: bool = False
    #: the name columns above the row's own, from the top (index, level): KABUPATEN › KECAMATAN
    ancestors: list[tuple[int, str]] = field(default_factory=list)
    fingerprint: str = ""  # the layout: its header cells and the kind, hashed (saved choices key on it)

    def describe(self) -> list[str]:
        """The plan as lines: each column → its field, or ignored with the reason."""
        out = [f"{h!r} → {f}" for h, f in self.mapped]
        out += [f"{h!r} ignored: {r}" for h, r in self.ignored]
        out += [f"{h!r} needs a meaning: {r}" for h, r in self.unresolved]
        return out


def _split_flat(nh: str) -> tuple[str, str] | None:
    """'WAJIB KTP EL L' → ('WAJIB KTP EL', 'L'); 'JUMLAH WAJIB KTP' is left whole (an alias)."""
    m = _FLAT_SUFFIX.match(nh)
    return (m[1], m[2]) if m else None


#: The share each measure's percentage is: a '%' under BELUM REKAM is the unrecorded share.
SHARE_OF = {"recorded": "recorded_pct", "not_recorded": "not_recorded_pct", "recorded_pct": "recorded_pct",
            "not_recorded_pct": "not_recorded_pct"}  # fmt: skip
#: Measures whose percentage is recomputed from the counts, never stored.
SHARE_NOT_KEPT = {"printed": "a printing percentage: recomputed from the counts, never stored",
                  "print_ready": "a share of PRR: recomputed from the counts, never stored"}  # fmt: skip
#: Words of other measures real recaps carry beside e-KTP's, read and left out (one word of the
#: header is enough: 'jml_cetak_kia', 'AKTA KELAHIRAN', 'KK').
NOT_KEPT_WORDS = {
    "KIA": "KIA (kartu identitas anak): a measure this dashboard does not keep",
    "AKTA": "akta (civil registration certificates): a measure this dashboard does not keep",
    "KK": "KK (kartu keluarga): a measure this dashboard does not keep",
    "KELUARGA": "kartu keluarga: a measure this dashboard does not keep",
    "KELAHIRAN": "births: a measure this dashboard does not keep",
    "KEMATIAN": "deaths: a measure this dashboard does not keep",
    "PINDAH": "moves: a measure this dashboard does not keep",
    "DATANG": "arrivals: a measure this dashboard does not keep",
    "IKD": "IKD (identitas kependudukan digital): a measure this dashboard does not keep",
    "SUKET": "suket (surat keterangan, the paper stand-in for a card): not a figure this dashboard keeps",
}
#: Sub-columns of a measure that say which people it counts, not how many in all: the total is read.
SEX_WORDS = {"LAKI", "LAKI LAKI", "PEREMPUAN", "PRIA", "WANITA"}
#: A name column's header naming a level below the regency: its rows are at that level.
LEVEL_WORDS = (("KELURAHAN", "village"), ("DESA", "village"), ("KECAMATAN", "district"), ("DISTRICT", "district"))
#: Name columns that say nothing of a level: their rows may say it themselves ('Kab. X', 'Kec. Y').
GENERIC_NAMES = {"WILAYAH", "NAMA WILAYAH", "DAERAH", "NAMA DAERAH", "REGION", "REGION NAME", "NAME", "URAIAN",
                 "KAB KOTA KEC", "NAMA"}  # fmt: skip


def _map_part(part: tuple[str, str], lookup: dict[str, str]) -> tuple[str | None, str | None]:
    """(field, None) for a mapped column, (None, reason) for an ignored one, (None, None) unknown.

    A stacked header's meaning is made of its two rows read together: the sub-column says the
    unit ('%' → the share, 'JUMLAH' → the count, 'L'/'P' → by sex) of the measure its group
    names (BELUM REKAM + % = the unrecorded share; WAJIB + JUMLAH = eligible). The sub-column's
    own meaning is used only under a group that names no measure."""
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
    fg = lookup.get(ng)
    sex = SEX_LABELS.get(ns)
    if sex is not None:
        if fg is None:
            return None, None
        if sex == "total":
            return fg, None
        if fg in SPLIT_FIELDS:
            return f"{fg}_{sex}", None
        return None, f"the {sub} sub-column of {fg}: only its total is read"
    if ns in PCT_WORDS or ns.endswith(" PERSEN"):
        if fg in SHARE_OF:
            return SHARE_OF[fg], None
        if fg in SHARE_NOT_KEPT:
            return None, SHARE_NOT_KEPT[fg]
        if fg is not None:
            return None, None  # a share of a measure the dictionary does not store as a share: ask
    for combined in (f"{ng} {ns}", f"{ns} {ng}"):  # PEREKAMAN over SUDAH / BELUM
        if combined in lookup:
            return lookup[combined], None
    fs = lookup.get(ns)
    if fg is None or fs == fg:
        return fs, None
    if fs in ("eligible", "population"):  # a base count under a stage's group (PEREKAMAN / WAJIB KTP-EL)
        return fs, None
    return None, None  # the two rows name different measures: ask


def _not_kept(nh: str) -> str | None:
    words = set(nh.split())
    for w, reason in NOT_KEPT_WORDS.items():
        if w in words:
            return reason
    return None


def _why_unplaced(part: tuple[str, str], name: str, nh: str, lookup: dict[str, str]) -> str | None:
    """Why a column the lookup cannot place needs an operator's choice (None: it is ignored)."""
    group, sub = part
    fg = lookup.get(norm_header(group)) if sub else None
    if sub and fg:
        return (f"under '{group}' ({fg}), '{sub}' is neither L, P nor JUMLAH/TOTAL, nor a share the dictionary "
                "keeps")  # fmt: skip
    if nh == "NILAI PER BULAN":  # etl.reshape: month columns whose measure no header names
        return "month columns (JAN … DES) whose measure no header or title names"
    if any(w in nh.split() for w in FIGURE_WORDS):
        return "it looks like a figure, but no name in data/header_map.csv says which"
    return None


def plan_columns(
    parts: list[tuple[str, str]],
    kind: str,
    file_label: str,
    header_rows: list[int],
    choices: dict[str, str] | None = None,
) -> ColumnPlan:
    """Map each column to a canonical field; `choices` (header → field or 'ignore', an operator's
    answers: the Load page, --column, a saved layout) come first. A column the loader cannot
    place is an open question (`unresolved`), not a reason to refuse the file; duplicates and
    files missing a required column are refused."""
    lookup = header_lookup(kind)
    ignore = ignore_reasons(kind)
    choices = {norm_header(k): v for k, v in (choices or {}).items()}
    plan = ColumnPlan({}, None, "regency", header_rows=header_rows)
    stacked = any(sub for _, sub in parts)
    groups: dict[str, list[str]] = {}
    names: list[tuple[int, str, str | None]] = []  # name columns: index, header, level it names
    for i, part in enumerate(parts):
        name = header_name(part)
        nh = norm_header(name)
        if not nh:
            continue
        if part[1]:
            groups.setdefault(part[0], []).append(part[1])
        chosen = choices.get(nh)
        if chosen == "ignore":
            plan.ignored.append((name, "ignored by the operator's choice"))
            plan.chosen.append((name, "ignore"))
            continue
        f, reason = (chosen, None) if chosen else _map_part(part, lookup)
        if chosen:
            plan.chosen.append((name, chosen))
        if f is None:
            why = reason or ignore.get(norm_header(part[0] if not part[1] else name)) or ignore.get(nh)
            why = why or _not_kept(nh)
            if why is None and set(nh.split()) & SEX_WORDS:
                why = "a split by sex of no measure the file names: the totals are read"
            if why is None:
                question = _why_unplaced(part, name, nh, lookup)
                if question:
                    plan.unresolved.append((name, question))
                    continue
            plan.ignored.append((name, why or "not a column the loader knows"))
            continue
        if f == "region_name":  # placed once all name columns are seen (the deepest names the row)
            names.append((i, name, _name_level(nh)))
            continue
        if f in plan.index:
            raise FileError(
                f"{file_label}: columns '{header_name(parts[plan.index[f]])}' and '{name}' both mean "
                f"'{f}' (duplicate header): rename or remove one"
            )
        plan.index[f] = i
        plan.mapped.append((name, f))
    _place_names(plan, names, file_label)
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
        if not any(g in plan.index for g in group) and not plan.unresolved:
            seen = f" (header rows {', '.join(map(str, header_rows))}; columns: {', '.join(plan.describe())})"
            raise FileError(
                f"{file_label}: missing required column for {kind}: one of {', '.join(group)}"
                + (seen if stacked else "")
            )
    plan.fingerprint = layout_fingerprint(parts, kind)
    return plan


_LEVEL_DEPTH = {"regency": 2, "district": 3, "village": 4}


def _name_level(nh: str) -> str | None:
    """The level a name column's header names: KELURAHAN/DESA → village, KECAMATAN → district,
    KABUPATEN/KOTA → regency; None for a generic one (WILAYAH, NAMA)."""
    words = nh.split()
    level = next((lv for w, lv in LEVEL_WORDS if w in words), None)
    if level is None and ({"KABUPATEN", "KOTA", "KAB", "REGENCY", "KABKOTA"} & set(words)):
        level = "regency"
    return level


def _place_names(plan: ColumnPlan, names: list[tuple[int, str, str | None]], file_label: str) -> None:
    """The name columns: the deepest level names the row's own unit; the others its parents
    (KABUPATEN › KECAMATAN › KELURAHAN). A generic column (WILAYAH) may hold several levels,
    each row saying its own ('Kab. Karimun', then 'Kec. Karimun')."""
    if not names:
        return
    ranked = sorted(names, key=lambda n: _LEVEL_DEPTH.get(n[2] or "regency", 2))
    levels = [n[2] or "regency" for n in ranked]
    if len(set(levels)) < len(levels):
        dup = [n[1] for n in ranked if (n[2] or "regency") == levels[-1]]
        raise FileError(f"{file_label}: columns {', '.join(map(repr, dup))} both name the rows' region: keep one")
    i, name, level = ranked[-1]
    plan.index["region_name"] = i
    plan.level = level or "regency"
    plan.mixed_levels = level is None and norm_header(name) in GENERIC_NAMES
    plan.ancestors = [(n[0], n[2] or "regency") for n in ranked[:-1]]
    plan.parent_index = ranked[-2][0] if len(ranked) > 1 else None
    plan.mapped += [(n[1], f"parent ({n[2] or 'regency'})") for n in ranked[:-1]] + [(name, "region_name")]


def layout_fingerprint(parts: list[tuple[str, str]], kind: str) -> str:
    """A layout's identity: the kind and its header cells as the loader reads them (case,
    spacing and punctuation aside), so next month's file of the same template matches."""
    import hashlib

    text = kind + "\x1e" + "\x1f".join(norm_header(header_name(p)) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
