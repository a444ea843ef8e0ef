"""Transform: headers → canonical fields, Indonesian numbers and dates → values.

Every parser returns a value or raises ParseError with a message a district office can act on.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HEADER_MAP_CSV = Path(__file__).resolve().parent.parent / "data" / "header_map.csv"

KINDS = ("coverage", "backlog", "blanko", "destruction", "targets")

#: Fields parsed as non-negative whole counts, per kind.
COUNT_FIELDS = {
    "coverage": (
        "population",
        "eligible",
        "recorded",
        "not_recorded",
        "printed",
        "print_ready",
        "blanko_on_hand",
        "eligible_male",
        "eligible_female",
        "recorded_male",
        "recorded_female",
        "not_recorded_male",
        "not_recorded_female",
    ),
    "backlog": ("awaiting_pickup", "collected", "age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus"),
    "blanko": ("received", "used", "damaged", "remaining"),
    "destruction": ("destroyed", "reason_damaged", "reason_changed_data", "reason_other"),
    "targets": (),
}
PCT_FIELDS = {"coverage": ("recorded_pct", "not_recorded_pct")}
NUMBER_FIELDS = {"targets": ("target_value", "minimum_value", "baseline_value")}
DATE_FIELDS = {
    "coverage": ("as_of",),
    "backlog": ("as_of", "oldest_card_date"),
    "blanko": ("as_of",),
    "destruction": ("event_date", "period_from", "period_to"),
    "targets": ("start_date", "deadline"),
}
#: The date that places a row in time (the 'as_of' of the fact).
ROW_DATE = {
    "coverage": "as_of",
    "backlog": "as_of",
    "blanko": "as_of",
    "destruction": "event_date",
    "targets": "start_date",
}
#: A file of a kind must have a region column and these; "any of" groups need one present.
REQUIRED = {
    "coverage": [
        ("eligible", "recorded", "not_recorded", "recorded_pct", "not_recorded_pct", "print_ready", "printed")
    ],
    "backlog": [("awaiting_pickup", "collected", "oldest_card_date")],
    "blanko": [("received", "used", "damaged", "remaining")],
    "destruction": [("destroyed",), ("event_date",)],
    "targets": [("metric",), ("target_value",)],
}
TEXT_FIELDS = (
    "region_name",
    "province",
    "office",
    "method",
    "witnesses",
    "metric",
    "set_by",
    "note",
    "source",
    "date_precision",
    "is_synthetic",
    "province_code",
    "bps_code",
    "unit",
    "year",
    "period_semester",
    "period_quarter",
    "period_month",
)

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip


def month_word(text: object) -> tuple[int, int | None] | None:
    """A month column's header: 'JAN' → (1, None), 'Januari 2019' → (1, 2019); None otherwise."""
    words = re.sub(r"[^0-9A-Za-z]+", " ", str(text or "")).lower().split()
    if not words or len(words) > 2 or words[0] not in MONTHS:
        return None
    if len(words) == 1:
        return MONTHS[words[0]], None
    return (MONTHS[words[0]], int(words[1])) if re.fullmatch(r"(19|20)\d\d", words[1]) else None


#: What a total row (a recap's JUMLAH row) starts with, said once for both lanes: the row lane
#: reads the phrases exactly (TOTAL_WORDS); the bulk lane sends every row whose first cells
#: start with a phrase's first word to the row lane (TOTAL_START, a wider net).
TOTAL_PHRASES = ("JUMLAH", "TOTAL", "GRAND TOTAL", "JML", "SUB TOTAL", "SUBTOTAL")
TOTAL_WORDS = re.compile(r"^\s*(" + "|".join(TOTAL_PHRASES) + r")\b", re.I)
TOTAL_START = "|".join(sorted({p.split()[0] for p in TOTAL_PHRASES}))
MISSING = {"", "-", "--", "—", "–", "n/a", "na", "null", "none", "nan"}


class ParseError(ValueError):
    """A cell that cannot be read; the message names the problem."""


def norm_header(h: object) -> str:
    s = str(h if h is not None else "").upper().replace("%", " PERSEN ")
    s = re.sub(r"[^0-9A-Z]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class HeaderSpec:
    field: str
    kinds: tuple[str, ...]
    aliases: tuple[str, ...]
    meaning: str


@lru_cache(maxsize=1)
def header_specs() -> tuple[HeaderSpec, ...]:
    out = []
    with HEADER_MAP_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kinds = KINDS if row["kinds"] == "all" else tuple(row["kinds"].split("|"))
            aliases = tuple(norm_header(a) for a in row["aliases"].split("|"))
            out.append(HeaderSpec(row["field"], kinds, aliases, row["meaning"]))
    return tuple(out)


def header_lookup(kind: str) -> dict[str, str]:
    """Normalised header text → canonical field, for one kind of file."""
    lookup: dict[str, str] = {}
    for spec in header_specs():
        if kind in spec.kinds and spec.field != "ignore":
            lookup.setdefault(spec.field, spec.field)  # canonical names are aliases too
            for a in spec.aliases:
                lookup.setdefault(a, spec.field)
    return {norm_header(k): v for k, v in lookup.items()}


def ignore_reasons(kind: str) -> dict[str, str]:
    """Normalised header text → why the column is read but not kept (rows `ignore` of the map)."""
    out: dict[str, str] = {}
    for spec in header_specs():
        if spec.field == "ignore" and kind in spec.kinds:
            for a in spec.aliases:
                out.setdefault(a, spec.meaning)
    return out


def is_missing(v: object) -> bool:
    if v is None:
        return True
    t = type(v)
    if t is str:
        return v.strip().lower() in MISSING
    if t is float:
        return math.isnan(v)
    return False


_ID_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_EN_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_ID_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})*,\d+$|^\d+,\d+$")
_EN_DECIMAL = re.compile(r"^\d{1,3}(,\d{3})*\.\d+$|^\d+\.\d+$")


def parse_number(v: object, locale: str = "id") -> float:
    """'1.234.567' → 1234567 (Indonesian grouping), '90,5' → 90.5; locale 'en' swaps roles.

    A single separator followed by exactly three digits ('1.234', '1,234') is read by the file's
    locale: in Indonesian files '.' groups thousands and ',' marks decimals.
    """
    if isinstance(v, bool):
        raise ParseError(f"not a number: {v!r}")
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ParseError(f"not a number: {v!r}")
        return float(v)
    s = str(v).strip().replace("\u00a0", "").replace(" ", "")
    neg = False
    if s.startswith("(") and s.endswith(")"):
        s, neg = s[1:-1], True
    if s.startswith(("-", "−")):
        s, neg = s[1:], True
    if s.startswith("+"):
        s = s[1:]
    if not s:
        raise ParseError(f"not a number: {v!r}")
    if s.isdigit():
        out = float(s)
    elif locale == "id" and _ID_THOUSANDS.match(s):
        out = float(s.replace(".", ""))
    elif locale == "id" and _ID_DECIMAL.match(s):
        out = float(s.replace(".", "").replace(",", "."))
    elif locale == "en" and _EN_THOUSANDS.match(s) or locale == "en" and _EN_DECIMAL.match(s):
        out = float(s.replace(",", ""))
    elif locale == "id" and _EN_DECIMAL.match(s) and not _ID_THOUSANDS.match(s):
        out = float(s)  # '90.5' in an Indonesian file: a decimal point, no grouping possible
    elif locale == "en" and _ID_DECIMAL.match(s):
        out = float(s.replace(",", "."))
    else:
        raise ParseError(f"not a number: {v!r}")
    return -out if neg else out


def parse_count(v: object, locale: str = "id") -> int:
    if (
        isinstance(v, str)
        and (digits := v.strip().replace("\u00a0", "").replace(" ", "")).isascii()
        and digits.isdigit()
    ):
        return int(digits)  # exact however long (a float would round 10²³ to other digits)
    x = parse_number(v, locale)
    if x < 0:
        raise ParseError(f"negative count: {v!r}")
    if abs(x - round(x)) > 1e-9:
        raise ParseError(f"count is not a whole number: {v!r} (check '.' vs ',' separators)")
    return int(round(x))


def parse_pct(v: object, locale: str = "id") -> float:
    """'90,5%' → 90.5, '86' → 86.0 (percent units, as the source printed it)."""
    s = v
    if isinstance(v, str):
        s = v.strip().rstrip("%").strip()
    x = parse_number(s, locale)
    if x < 0:
        raise ParseError(f"negative percentage: {v!r}")
    if x > 1000:
        raise ParseError(f"percentage out of range: {v!r}")
    return x


_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?(?:\.0+)?)?$")
_WORDY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]+)\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# 'Semester I 2018', 'Sem. II 2021', 'SEMESTER 1 TAHUN 2019', 'S2 2020', '2019 Semester II'
_SEMESTER = re.compile(r"^(?:SEMESTER|SEM|S)\s*\.?\s*(II|I|1|2)\s*(?:TAHUN|THN)?\s*(\d{4})$", re.I)
_SEMESTER_YF = re.compile(r"^(\d{4})\s*(?:SEMESTER|SEM|S)\s*\.?\s*(II|I|1|2)$", re.I)
# 'Triwulan III 2020', 'TW 3 2020', 'Kuartal IV 2021', 'Q3 2020'
_QUARTER = re.compile(
    r"^(?:TRIWULAN|TRIW|TW|KUARTAL|QUARTER|Q)\s*\.?\s*(IV|III|II|I|1|2|3|4)\s*(?:TAHUN|THN)?\s*(\d{4})$", re.I
)
_QUARTER_YF = re.compile(r"^(\d{4})\s*(?:TRIWULAN|TRIW|TW|KUARTAL|QUARTER|Q)\s*\.?\s*(IV|III|II|I|1|2|3|4)$", re.I)


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


#: How offices write a date in words: 'akhir Februari 2019' (the month's last day), 'awal Januari
#: 2024' (its first days), 'akhir tahun 2017', 'sebelum Pemilu 17 April 2019' (before that day);
#: 'per', 'posisi', 'keadaan', 's.d.' say nothing more than the date after them.
_PHRASE = re.compile(r"^(akhir|awal|sebelum|per|posisi|keadaan|s\.?\s?d\.?|sampai(?:\s+dengan)?)\s+(.*)$", re.I)
_YEAR_WORDS = re.compile(r"^(?:tahun|thn\.?)\s+(\d{4})$", re.I)
_DATE_INSIDE = re.compile(
    r"(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}|[A-Za-z]+\.?\s+\d{4}|\d{4})$"
)


def _phrase_date(s: str) -> tuple[dt.date, str] | None:
    """A date written in words around it (see _PHRASE), with its precision; None for none."""
    m = _PHRASE.match(s)
    if not m:
        return None
    word, rest = m[1].lower(), m[2].strip()
    if y := _YEAR_WORDS.match(rest):
        rest = y[1]
    if word == "sebelum":  # 'sebelum Pemilu 17 April 2019': the date that ends the phrase
        found = _DATE_INSIDE.search(rest)
        if not found:
            return None
        d, _ = parse_date(found[1])
        return d, "before"
    d, precision = parse_date(rest)
    if word == "akhir":
        if precision == "year":
            return dt.date(d.year, 12, 31), "year"
        return d, precision
    if word == "awal":
        if precision == "year":
            return dt.date(d.year, 1, 1), "early-year"
        if precision == "month":
            return d.replace(day=1), "early-month"
        return d, precision
    return d, precision


def parse_date(v: object) -> tuple[dt.date, str]:
    """A date and its precision: '31/03/2019', '2019-03-31', '31 Maret 2019' → day;
    'Maret 2019' → the month's last day, precision month; 'Semester I 2018' → 30 June 2018,
    semester; 'Triwulan III 2020' → 30 September 2020, quarter; '2020' → year (1 January here:
    a bound of a period; `period_end` makes it the year's last day where it dates a figure)."""
    if isinstance(v, dt.datetime):
        return v.date(), "day"
    if isinstance(v, dt.date):
        return v, "day"
    s = re.sub(r"\s+", " ", str(v).strip())
    try:
        if phrased := _phrase_date(s):
            return phrased
        if m := _YMD.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "day"
        if m := _DMY.match(s):
            return dt.date(int(m[3]), int(m[2]), int(m[1])), "day"
        if m := _WORDY.match(s):
            month = MONTHS.get(m[2].lower())
            if month is None:
                raise ParseError(f"unknown month name in date {v!r}")
            if m[1]:
                return dt.date(int(m[3]), month, int(m[1])), "day"
            return _month_end(int(m[3]), month), "month"
        if m := _YEAR.match(s):
            return dt.date(int(m[1]), 1, 1), "year"
        if m := _SEMESTER.match(s) or _SEMESTER_YF.match(s):
            part, year = (m[1], m[2]) if m.re in (_SEMESTER,) else (m[2], m[1])
            return _month_end(int(year), 6 * _ROMAN[part.upper()]), "semester"
        if m := _QUARTER.match(s) or _QUARTER_YF.match(s):
            part, year = (m[1], m[2]) if m.re in (_QUARTER,) else (m[2], m[1])
            return _month_end(int(year), 3 * _ROMAN[part.upper()]), "quarter"
    except ValueError as exc:
        raise ParseError(f"impossible date {v!r}: {exc}") from exc
    raise ParseError(
        f"unreadable date {v!r} (use 31/03/2019, 2019-03-31, 31 Maret 2019, Maret 2019, "
        "Semester I 2019, Triwulan III 2019, 2019, akhir Februari 2019, awal Januari 2024 or akhir tahun 2017)"
    )


def period_end(d: dt.date, precision: str) -> dt.date:
    """The day a figure of a period describes: its last day ('2019' → 31 December 2019)."""
    return dt.date(d.year, 12, 31) if precision == "year" else d


#: The word a period part is written with, by the column it sits in (tahun + semester/triwulan/bulan).
PART_WORD = {"period_semester": "Semester", "period_quarter": "Triwulan", "period_month": ""}


def period_of(year: object, part: object = None, part_field: str | None = None) -> tuple[dt.date, str]:
    """A period written in two cells, as open-data portals do: tahun '2019' with a semester
    ('I', '2', 'Semester II'), triwulan ('3', 'III') or bulan ('Maret', '3') column."""
    y = _text_year(year)
    p = "" if is_missing(part) else re.sub(r"\s+", " ", str(part).strip())
    if p.endswith(".0"):
        p = p[:-2]
    if not p:
        return period_end(*parse_date(y)), "year"
    if part_field == "period_month" and p.isdigit() and 1 <= int(p) <= 12:
        return _month_end(int(y), int(p)), "month"
    word = PART_WORD.get(part_field or "", "")
    for attempt in (f"{p} {y}", f"{word} {p} {y}".strip()):
        try:
            return parse_date(attempt)
        except ParseError:
            continue
    raise ParseError(f"unreadable period {part!r} of year {y}")


def _text_year(v: object) -> str:
    s = str(v).strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not _YEAR.match(s):
        raise ParseError(f"not a year: {v!r}")
    return s


_TITLE_DATE = re.compile(
    r"(SEBELUM\s+(?:[A-Za-z]+\s+){0,3}?\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4}|"
    r"(?:(?:AKHIR|AWAL)\s+)?(?:(?:SEMESTER|SEM\.?|TRIWULAN|TW)\s+(?:IV|III|II|I|[1-4])\s+(?:TAHUN\s+)?\d{4}|"
    r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}|\d{4}-\d{2}-\d{2}|(?:\d{1,2}\s+)?[A-Za-z]{3,9}\s+\d{4}))",
    re.I,
)


def date_in_title(lines: list[str]) -> tuple[dt.date, str] | None:
    """A date written in the title rows above the header ('KEADAAN 31 MARET 2019')."""
    for line in lines:
        for cand in _TITLE_DATE.findall(line):
            try:
                return parse_date(cand)
            except ParseError:
                continue
    return None


def detect_locale(samples: list[str]) -> str:
    """'en' when numbers look English ('1,234,567' or '90.5'), else 'id' (Dukcapil's)."""
    id_votes = en_votes = 0
    for s in samples:
        s = s.strip()
        if re.fullmatch(r"\d{1,3}(\.\d{3}){2,}", s) or re.fullmatch(r"\d+,\d{1,2}%?", s):
            id_votes += 1
        elif re.fullmatch(r"\d{1,3}(,\d{3}){2,}", s) or re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", s):
            en_votes += 1
    return "en" if en_votes > id_votes else "id"


def is_total_row(cells: list[object]) -> bool:
    """A 'JUMLAH' / 'TOTAL' row: recognised in the first text cells, never loaded as a region."""
    for c in cells[:3]:
        if isinstance(c, str) and c.strip():
            return bool(TOTAL_WORDS.match(c))
    return False


#: Target words that name no measure the dictionary keeps targets for: printing and blanks.
_UNKEPT_TARGET = ("PRR", "CETAK", "SUKET", "BLANKO", "BLANGKO", "PRINT")


def metric_name(raw: str) -> str:
    """A target's measure from its phrase. A printing, PRR or blanko target ('sisa PRR dan suket
    belum dicetak') fits no measure of the dictionary and is refused, never read by its word
    'belum' as a target for unrecorded residents."""
    s = norm_header(raw)
    words = set(s.split())
    if words & set(_UNKEPT_TARGET) or any(w.startswith(("DICETAK", "PENCETAKAN", "TERCETAK")) for w in words):
        raise ParseError(
            f"target {raw!r} is for printing, PRR or blanks: the dictionary keeps targets only for the recording "
            "rate, unrecorded and recorded residents and the pickup backlog"
        )
    if any(w in s for w in ("BACKLOG", "DIAMBIL", "PICKUP")):
        return "pickup_backlog"
    if any(w in s for w in ("UNRECORDED", "NOT RECORDED")) or ("BELUM" in words and "REKAM" in s):
        return "unrecorded_count"
    if any(w in s for w in ("PERSEN", "RATE", "CAPAIAN")):
        return "recording_rate"
    if "REKAM" in s or "RECORDED" in s:
        return "recorded_count"
    raise ParseError(f"unknown target metric {raw!r}")
