"""Number and date formatting per language: 1.234.567 and 14,0% in Indonesian, 1,234,567 and 14.0% in English."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from ektp.core import checks
from ektp.text.i18n import t
from ektp.text.numbers import missing as _missing
from ektp.text.numbers import num  # noqa: F401 - fmt.num, as every caller writes it

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

#: Plotly's date and number formats for Indonesian (its `config.locales`; Streamlit's plotly.js
#: ships English only): axis dates read "Mei 2020" and "3 Agu", not "May 2020" and "Aug 3".
PLOTLY_FORMAT_ID = {
    "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    "months": MONTHS_ID,
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "periods": ["AM", "PM"],
    "dateTime": "%A, %-d %B %Y %X",
    "date": "%d/%m/%Y",
    "time": "%H.%M.%S",
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["Rp", ""],
    "year": "%Y",
    "month": "%b %Y",
    "dayMonth": "%-d %b",
    "dayMonthYear": "%-d %b %Y",
}


def pct(fraction: float | None, lang: str = "id", decimals: int = 1) -> str:
    """A fraction 0–1 as a percentage: 0.14 → '14,0%' (id) / '14.0%' (en)."""
    if _missing(fraction):
        return "–"
    return percent(fraction * 100, lang, decimals)


def percent(value: float, lang: str = "id", decimals: int = 1) -> str:
    """A value in per cent, written: 86.0 → '86,0%'. A rate short of 100 is never written as
    100: 99.97 is '99,97%', not '100,0%', which sat in Dukcapil's band "80–99,99%" beside it."""
    while decimals < 4 and value < 100 and round(value, decimals) >= 100:
        decimals += 1
    return num(value, lang, decimals) + "%"


def signed(x: float | None, lang: str = "id", decimals: int = 0, percent: bool = False) -> str:
    if _missing(x):
        return "–"
    body = pct(abs(x), lang, decimals) if percent else num(abs(x), lang, decimals)
    if percent:
        body = body.replace("%", " pp")
    # an ASCII minus: Streamlit's st.metric reads the sign from the first character
    return ("+" if x >= 0 else "-") + body


#: Days in a month on average: a pace is said per month (per day, a slow pace rounds to 0,000).
MONTH_DAYS = 365.25 / 12


def pace(per_day: float | None, lang: str = "id") -> str:
    """A rate's pace (a fraction per day) in points per month, with the decimals it needs to show
    it is not zero: 0,3 pp, 0,012 pp."""
    if per_day is None:
        return "–"
    per_month = per_day * 100 * MONTH_DAYS
    decimals = 1
    while decimals < 4 and per_month and abs(per_month) < 10 ** (1 - decimals):
        decimals += 1
    return num(per_month, lang, decimals) + " pp"


def date(d: dt.date | None, lang: str = "id", precision: str = "day") -> str:
    if d is None:
        return "–"
    months = MONTHS_ID if lang == "id" else MONTHS_EN
    if precision == "year":
        return str(d.year)
    if precision in ("month", "semester", "quarter"):  # a period is dated its last month
        return f"{months[d.month - 1]} {d.year}"
    if precision == "short":  # a tile a third of the page wide: '31 Des 2024'
        return f"{d.day} {months[d.month - 1][:3]} {d.year}"
    if precision in ("early-month", "early-year", "before"):  # as offices wrote it: 'awal Januari 2024'
        when = f"{months[d.month - 1]} {d.year}" if precision == "early-month" else str(d.year)
        if precision == "before":
            when = f"{d.day} {months[d.month - 1]} {d.year}"
        return t("date_" + precision.replace("-", "_"), lang, date=when)
    return f"{d.day} {months[d.month - 1]} {d.year}"


def period(
    start: dt.date | None, start_precision: str | None, end: dt.date | None, end_precision: str | None, lang: str
) -> str:
    """A period as its source wrote it: '2012 – 2018', 'Januari 2019 – 2021'; an open end '…'."""
    if start is None and end is None:
        return "–"
    a = date(start, lang, start_precision or "day") if start else "…"
    b = date(end, lang, end_precision or "day") if end else "…"
    return f"{a} – {b}"


def target_pct(fraction: float | None, lang: str = "id") -> str:
    """A target as set: '98%' for whole percents, '93,86%' otherwise (never rounded away)."""
    if _missing(fraction):
        return "–"
    whole = abs(fraction * 100 - round(fraction * 100)) < 1e-9
    return pct(fraction, lang, 0 if whole else 2)


def _figure(v: str, lang: str) -> str:
    """A number as the ETL wrote it into a note ("94.31", "10534606"), written the reader's way
    with as many decimals."""
    return num(float(v), lang, len(v.split(".")[1])) if "." in v else num(int(v), lang)


def _level_word(level: str, lang: str) -> str:
    """A level as a word inside a sentence ("kecamatan", "desa/kelurahan")."""
    return t("level_" + level, lang).lower()


#: a note's measure field → the UI word for it
_MEASURE_WORD = {"eligible": "eligible", "recorded": "recorded", "not_recorded": "unrecorded"}


def _field(k: str, v: str, lang: str) -> str:
    """One field of a stored note, for the reader: a level or measure as a word, names and codes
    as stored, numbers written the reader's way."""
    if k == "level":
        return _level_word(v, lang)
    if k == "measure":  # inside a sentence: "wajib KTP-el", "sudah rekam"
        word = t(_MEASURE_WORD.get(v, v), lang)
        return word[:1].lower() + word[1:]
    if k in ("name", "typed", "code", "code_bps", "successors", "former"):
        return v
    if k in ("effective", "when"):  # a split's first day; an earlier figure's date
        return date(dt.date.fromisoformat(v), lang)
    return _figure(v, lang)


def _say(lang: str) -> Callable[[str | None, dict[str, str]], str]:
    def say(key: str | None, fields: dict[str, str]) -> str:
        if key is None:
            return fields["text"]
        vals: dict[str, object] = {k: _field(k, v, lang) for k, v in fields.items()}
        if fields.get("n") == "1":
            vals["n"] = 1  # t() picks the singular
        return t("check_" + key, lang, **vals)

    return say


def notes(text: str | None, lang: str = "id") -> str | None:
    """A row's check notes (stored in English, ektp/core/checks.py) in the reader's language, numbers
    written the reader's way; a note no template knows is shown as stored."""
    return checks.render(text, _say(lang))


_FILE_ROW = re.compile(r"(?P<file>.+) row \d+")  # how the views name an office row (sql/views.sql row_source)


def source(text: str | None, lang: str = "id") -> str | None:
    """A row's source as a reader cites it: a roll-up's "sum of 11 regency rows" in the UI's
    language ("jumlah 11 baris kabupaten/kota"); the synthetic fill's file row as the synthetic
    fill; an office file's row by its file and row on the internal instance, and as "an office
    file" on the public one (no file name or path leaves the office); an article as it is."""
    parts = checks.read(text)
    if len(parts) == 1 and parts[0][0] == "rollup":
        return _say(lang)(*parts[0])
    m = _FILE_ROW.fullmatch(text or "")
    if m:
        return _file_source(m["file"], lang) or text
    return _brief_source(text, lang)


def ranked_source(text: str | None, synthetic: bool, lang: str = "id") -> str:
    """A ranking's source cell: the synthetic fill says it is synthetic; a sum of rows that holds
    synthetic figures says both ("synthetic · sum of 11 regency rows": the sum alone hid the
    fill, the mark alone hid the sum); any other row its source."""
    said = source(text, lang)
    if not synthetic:
        return said or "–"
    rolled = any(kind == "rollup" for kind, *_ in checks.read(text))
    return f"{t('synthetic', lang)} · {said}" if rolled and said else t("synthetic", lang)


#: How the project brief named the articles it was given without their address: "seed article
#: 003 (27 Jan 2020)", "seed article 001 (Bhirawa)", "seed brief: Kota Palembang uncollected
#: cards (24 Mar 2022)". A reader cites the publisher and date, not the brief's numbering.
_BRIEF = re.compile(r"seed (?:article \d+|brief: (?P<title>[^(]+?))\s*(?:\((?P<what>[^)]*)\))?")
_SHORT_MONTHS = {m[:3].lower(): i for i, m in enumerate(MONTHS_EN, 1)}


def _brief_source(text: str | None, lang: str) -> str | None:
    m = _BRIEF.fullmatch(text or "")
    if not m:
        return text
    what = (m["what"] or "").strip()
    day = re.fullmatch(r"(\d{1,2}) (\w{3})\w* (\d{4})", what)
    if day and day[2].lower() in _SHORT_MONTHS:
        when = date(dt.date(int(day[3]), _SHORT_MONTHS[day[2].lower()], int(day[1])), lang)
        return t("source_news_dated", lang, date=when)
    return t("source_news_by", lang, publisher=what) if what else t("source_news", lang)


def brief_mentions(text: str | None, lang: str = "id") -> str | None:
    """A note that points to the brief's numbering ("(seed article 002)") says "a news article"."""
    if not text:
        return text
    return re.sub(r"seed article \d+", t("source_news", lang), text)


def _file_source(file: str, lang: str) -> str | None:
    """How a loaded file is named as a source (None: by its own name)."""
    from ektp.core import settings

    if file.startswith("synthetic/"):
        return t("source_synthetic_fill", lang)
    if settings.is_public():
        return t("source_office_file", lang)
    return None


def source_family(text: str | None, lang: str = "id") -> str | None:
    """What the sources of many units have in common, for a map hover that says it once: a file
    row's file ("coverage.csv row 12" → "coverage.csv"), a roll-up's kind ("sum of district
    rows"); any other source as `source` says it. A national map whose every unit named its own
    row sent each unit's text on every rerun: 680 KB for 7,285 districts from one office file."""
    if not text:
        return text
    m = _FILE_ROW.fullmatch(text)
    if m:
        return _file_source(m["file"], lang) or m["file"]
    parts = checks.read(text)
    if len(parts) == 1 and parts[0][0] == "rollup":
        return t("source_rollup_family", lang, level=_level_word(parts[0][1]["level"], lang))
    return source(text, lang)


def sourced(*frames: Any) -> list[str]:
    """The distinct sources of the frames' rows that are not synthetic (every row of a frame
    without `is_synthetic`), sorted: what a chart's source line names."""
    names: set[str] = set()
    for df in frames:
        rows = df.filter(~df["is_synthetic"].fill_null(False)) if "is_synthetic" in df.columns else df
        names |= {s for s in rows["source"].to_list() if s}
    return sorted(names)


def sources_line(sources: list[str | None], lang: str = "id", most: int = 3) -> str:
    """The sources a figure's source line names: what they share (`source_family`), each once,
    the first `most` and "…" for more. A national map from one office file had named three of
    its rows ("kec.csv row 100081; kec.csv row 100201; …"); it names the file."""
    names = list(dict.fromkeys(f for f in (source_family(x, lang) for x in sources) if f))
    return "; ".join(names[:most]) + (" …" if len(names) > most else "")


def capital(text: str) -> str:
    """A label that heads a column or a tile: the status words ("tercapai") are lower case for
    use inside a sentence."""
    return text[:1].upper() + text[1:]


def split_by_sex(row: dict, lang: str = "id") -> str:
    """'Wajib KTP-el: L 113.837 · P 109.374; …' for the figures a file split by sex."""
    from ektp.text.i18n import t

    parts = []
    for f, key in (("eligible", "eligible"), ("recorded", "recorded"), ("not_recorded", "unrecorded")):
        male, female = row.get(f"{f}_male"), row.get(f"{f}_female")
        if male is None and female is None:
            continue
        parts.append(
            f"{t(key, lang)}: {t('sex_male', lang)} {num(male, lang)} · {t('sex_female', lang)} {num(female, lang)}"
        )
    return "; ".join(parts)


def marker(is_synthetic: Any, lang: str) -> str:
    """Sourced/synthetic marker for a figure or a set of figures."""
    if isinstance(is_synthetic, (list, tuple, set)) or hasattr(is_synthetic, "to_list"):
        vals = {bool(v) for v in is_synthetic if v is not None}
        if vals == {True}:
            return t("synthetic_marker", lang)
        if vals == {False}:
            return t("sourced_marker", lang)
        return t("mixed_marker", lang)
    return t("synthetic_marker", lang) if is_synthetic else t("sourced_marker", lang)
