"""Number and date formatting per language: 1.234.567 and 14,0% in Indonesian, 1,234,567 and 14.0% in English."""

from __future__ import annotations

import datetime as dt
import math
import re

from ektp.i18n import t

#: A roll-up's source as the ETL writes it (etl/load.py): "sum of 11 regency rows".
_ROLLUP = re.compile(r"sum of (\d+) (province|regency|district) rows")

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float | int | None, lang: str = "id", decimals: int = 0) -> str:
    if _missing(x):
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "id":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def pct(fraction: float | None, lang: str = "id", decimals: int = 1) -> str:
    """A fraction 0–1 as a percentage: 0.14 → '14,0%' (id) / '14.0%' (en)."""
    if _missing(fraction):
        return "–"
    return num(fraction * 100, lang, decimals) + "%"


def signed(x: float | None, lang: str = "id", decimals: int = 0, percent: bool = False) -> str:
    if _missing(x):
        return "–"
    body = pct(abs(x), lang, decimals) if percent else num(abs(x), lang, decimals)
    if percent:
        body = body.replace("%", " pp")
    # an ASCII minus: Streamlit's st.metric reads the sign from the first character
    return ("+" if x >= 0 else "-") + body


def date(d: dt.date | None, lang: str = "id", precision: str = "day") -> str:
    if d is None:
        return "–"
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    if precision == "year":
        return str(d.year)
    if precision in ("month", "semester"):
        return f"{months[d.month - 1]} {d.year}"
    if precision == "short":  # a tile a third of the page wide: '31 Des 2024'
        return f"{d.day} {months[d.month - 1][:3]} {d.year}"
    return f"{d.day} {months[d.month - 1]} {d.year}"


def target_pct(fraction: float | None, lang: str = "id") -> str:
    """A target as set: '98%' for whole percents, '93,86%' otherwise (never rounded away)."""
    if _missing(fraction):
        return "–"
    whole = abs(fraction * 100 - round(fraction * 100)) < 1e-9
    return pct(fraction, lang, 0 if whole else 2)


def source(text: str | None, lang: str = "id") -> str | None:
    """A row's source for the reader: a roll-up's "sum of 11 regency rows" in the UI's language
    ("jumlah 11 baris kabupaten/kota"); any other source (a file row, an article) as it is."""
    m = _ROLLUP.fullmatch(text) if text else None
    if m is None:
        return text
    return t("rollup_source", lang, n=num(int(m[1]), lang), level=t("level_" + m[2], lang).lower())


def capital(text: str) -> str:
    """A label that heads a column or a tile: the status words ("tercapai") are lower case for
    use inside a sentence."""
    return text[:1].upper() + text[1:]
