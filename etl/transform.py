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
    ),
    "backlog": ("awaiting_pickup", "collected", "age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus"),
    "blanko": ("received", "used", "damaged", "remaining"),
    "destruction": ("destroyed", "reason_damaged", "reason_changed_data", "reason_other"),
    "targets": (),
}
PCT_FIELDS = {"coverage": ("recorded_pct",)}
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
    "coverage": [("eligible", "recorded", "not_recorded", "recorded_pct")],
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

TOTAL_WORDS = re.compile(r"^\s*(JUMLAH|TOTAL|GRAND TOTAL|JML|SUB TOTAL|SUBTOTAL)\b", re.I)
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
        if kind in spec.kinds:
            lookup.setdefault(spec.field, spec.field)  # canonical names are aliases too
            for a in spec.aliases:
                lookup.setdefault(a, spec.field)
    return {norm_header(k): v for k, v in lookup.items()}


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


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_date(v: object) -> tuple[dt.date, str]:
    """A date and its precision: '31/03/2019', '2019-03-31', '31 Maret 2019' → day;
    'Maret 2019' → the month's last day, precision month; '2020' → year (1 January)."""
    if isinstance(v, dt.datetime):
        return v.date(), "day"
    if isinstance(v, dt.date):
        return v, "day"
    s = re.sub(r"\s+", " ", str(v).strip())
    try:
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
    except ValueError as exc:
        raise ParseError(f"impossible date {v!r}: {exc}") from exc
    raise ParseError(f"unreadable date {v!r} (use 31/03/2019, 2019-03-31 or 31 Maret 2019)")


_TITLE_DATE = re.compile(r"(\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}|\d{4}-\d{2}-\d{2}|(?:\d{1,2}\s+)?[A-Za-z]{3,9}\s+\d{4})")


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


def metric_name(raw: str) -> str:
    s = norm_header(raw)
    if any(w in s for w in ("BACKLOG", "DIAMBIL", "PICKUP")):
        return "pickup_backlog"
    if any(w in s for w in ("BELUM", "UNRECORDED", "NOT RECORDED")):
        return "unrecorded_count"
    if any(w in s for w in ("PERSEN", "RATE", "CAPAIAN")):
        return "recording_rate"
    if "REKAM" in s or "RECORDED" in s:
        return "recorded_count"
    raise ParseError(f"unknown target metric {raw!r}")
