"""What the loader says, in the Load page's language: its reasons, notes and messages, and the
names of the dictionary's fields.

The loader writes English (the command line prints it, the load history and `rejected_rows`
keep it, and it reads on its own). The Load page says the same things to an office operator in
Indonesian or English: each message the loader writes has a pattern here and a template in
ektp/i18n (`lt_<key>`), with its values (names, numbers, rows) carried over; a message no
pattern knows is shown as written. A row's check notes use ektp/checks' templates (fmt.notes).
No Streamlit here: the page draws what these return.
"""

from __future__ import annotations

import re

import polars as pl

from ektp.text import fmt
from ektp.text.i18n import t
from ektp.text.numbers import num

#: The loader's messages: (key, pattern). A part of a reason is matched whole; `{field}` values
#: are the dictionary's names, said as the page's labels.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("not_a_number", r"not a number: (?P<v>.+)"),
    ("negative", r"negative (?:count|percentage): (?P<v>.+)"),
    ("not_whole", r"count is not a whole number: (?P<v>.+?) \(check '\.' vs ',' separators\)"),
    ("pct_range", r"percentage out of range: (?P<v>.+)"),
    ("future", r"date (?P<d>\S+) is in the future"),
    ("before_ektp", r"date (?P<d>\S+) is before e-KTP began \(2011\)"),
    ("not_over", r"period ending (?P<d>\S+) is not over yet"),
    ("no_date", r"no date in the row, the title or --as-of"),
    ("bad_date", r"(?:unreadable|impossible) date (?P<v>'[^']*')(?:.*)"),
    ("bad_month", r"unknown month name in date (?P<v>.+)"),
    ("bad_period", r"unreadable period (?P<v>.+) of year (?P<y>\d+)"),
    ("not_year", r"not a year: (?P<v>.+)"),
    ("duplicate", r"exact duplicate of row (?P<n>\d+)"),
    ("not_code", r"'(?P<v>[^']*)' is not a Kemendagri code"),
    ("unknown_code", r"unknown region code '(?P<v>[^']*)'"),
    (
        "no_named",
        r"(?:unknown or ambiguous region: )?no (?P<level>province|regency|district|village) named '(?P<v>[^']*)'(?: in (?P<scope>[\d.]+))?(?: \S.*)?",
    ),
    (
        "many_named",
        r"(?:unknown or ambiguous region: )?'(?P<v>[^']*)' matches (?P<n>\d+) regions; give a code or --province",
    ),
    (
        "no_kab",
        r"(?:unknown or ambiguous region: )?'(?P<v>[^']*)' names no kabupaten; a city must be written with 'Kota'",
    ),
    ("village_alone", r"(?:unknown or ambiguous region: )?village '(?P<v>[^']*)' without its kecamatan.*"),
    ("candidates", r"candidates: (?P<c>.+)"),
    (
        "code_vs_name",
        r"code (?P<code>[\d.]+) is (?P<a>.+?) but the name '(?P<v>[^']*)' is (?P<b>.+?) \((?P<code2>[\d.]+)\): which is right\?.*",
    ),
    ("not_in_province", r"code (?P<code>[\d.]+) \((?P<a>.+?)\) is not in the row's province (?P<p>\d+) .*"),
    ("no_region", r"no region code or name"),
    (
        "ceiling",
        r"(?P<v>[\d,]+) is more than any (?P<level>\w+) can hold \(at most (?P<max>[\d,]+)\): not a reading of this column",
    ),
    ("fields", r"(?P<n>\d+) fields where the header has (?P<m>\d+) \(mixed delimiters\?\)"),
    ("total_row", r"total row \(JUMLAH/TOTAL\): not loaded as a region"),
    ("blank", r"blank row"),
    ("blanks", r"blank rows (?P<a>[\d,]+)–(?P<b>[\d,]+) \((?P<n>[\d,]+) rows\)"),
    ("template", r"no figure in the row \(a template row\): nothing to load"),
    ("unkept_target", r"target (?P<v>'.*') is for printing, PRR or blanks.*"),
    ("unknown_metric", r"unknown target metric (?P<v>.+)"),
    ("missing", r"missing"),
    ("deadline", r"before the start date"),
    ("date_title", r"date taken from the title rows: (?P<d>\S+)"),
    ("english_numbers", r"numbers read with English separators \(1,234,567 and 90\.5\)"),
    ("two_rows", r"two header rows \((?P<rows>[\d, ]+)\): each column named group / sub-column"),
    ("number_row", r"row (?P<n>\d+): column numbers under the header, skipped"),
    ("cp1252", r"not valid UTF-8: read as Windows-1252"),
    ("json_records", r"(?P<n>[\d,]+) JSON records, each a row"),
    (
        "long_table",
        r"a long table \((?P<a>.+?) \+ (?P<b>.+?)\): (?P<n>[\d,]+) rows of one region and date, one column per indicator: (?P<c>.+)",
    ),
    (
        "month_columns",
        r"month columns \((?P<c>.+?) …\): each row read as one row per month, dated the month's last day",
    ),
    ("sheets_read", r"(?P<n>\d+) of (?P<m>\d+) sheets read, each a load of its own: (?P<c>.+)"),
    ("sheet_unread", r"sheet '(?P<v>[^']*)' not read: (?P<why>.+)"),
    ("bps_read", r"codes read as BPS codes: (?P<n>\d+) of (?P<m>\d+) code/name pairs .*"),
    ("nothing", r"nothing was accepted"),
    ("df_title", r"the title rows: (?P<d>\S+) \((?P<p>[\w-]+)\)"),
    ("df_column", r"each row's date column"),
    ("df_asof", r"--as-of (?P<d>\S+) \(rows without a date\)"),
    ("df_year", r"each row's year(?: and (?P<p>\w+))?"),
    (
        "f_inflate",
        r"its parts inflate to (?P<a>[\d,]+) MB, more than the limit of (?P<b>[\d,]+) MB \(setting max_inflated_mb\): refused unread",
    ),
    (
        "f_spans",
        r"a sheet spans (?P<a>[\d,]+) rows × (?P<b>[\d,]+) columns = (?P<n>[\d,]+) cells, more than (?P<m>[\d,]+) \(setting max_sheet_cells\).*",
    ),
    (
        "f_rows",
        r"(?:a sheet reaches row |more than )?(?P<n>[\d,]+)(?: rows| records)?,? more than (?P<m>[\d,]+) \(setting max_rows\)",
    ),
    ("f_columns", r"(?P<n>[\d,]+) columns, more than the limit of (?P<m>[\d,]+) \(setting max_columns\)"),
    ("f_line", r"line (?P<n>[\d,]+) is longer than (?P<m>[\d,]+) characters \(setting max_line_chars\).*"),
    ("f_cell", r"(?:line|row) (?P<n>[\d,]+): .*?(?P<m>[\d,]+) characters.*\(setting max_cell_chars\)"),
    ("f_empty", r"the file is empty"),
    ("f_not_zip", r"not an? (?:XLSX workbook|OpenDocument spreadsheet|workbook) \(not a zip container\)"),
    ("f_protected", r"a password-protected workbook.*"),
    ("f_no_header", r"no header row found in the first (?P<n>\d+) rows.*"),
    ("f_required", r"missing required column for (?P<v>\w+): one of (?P<c>[^(]+?)(?: \(.*)?"),
    ("f_duplicate", r"columns '(?P<a>[^']*)' and '(?P<b>[^']*)' both mean '(?P<f>\w+)' \(duplicate header\).*"),
    ("f_unresolved", r"(?P<n>\d+) column\(s\) need a meaning before the file loads — .*"),
    (
        "f_pct_reading",
        r"column '(?P<v>[^']*)' read as (?P<a>.+?) contradicts the file's own counts on (?P<n>\d+) of (?P<m>\d+) rows \(row (?P<r>\d+): it says (?P<x>[\d.]+), sudah rekam / wajib KTP-el = (?P<y>[\d.]+)%\); it reads as (?P<b>.+?)\. Nothing.*",
    ),
    ("f_count_reading", r"column '(?P<v>[^']*)' read as belum rekam disagrees .* on (?P<n>\d+) of (?P<m>\d+) rows .*"),
    ("f_type", r"unsupported file type '(?P<v>[^']*)'.*"),
    ("f_only", r"only (?P<v>.+) files are read"),
    ("f_size", r"(?P<n>[\d,]+) bytes is over the (?P<m>[\d.]+) MB limit \(setting max_upload_mb\)"),
    ("already", r"already loaded as load (?P<n>\d+) \(same sha256\): nothing changed"),
)
_COMPILED = [(k, re.compile(p)) for k, p in PATTERNS]
#: The readings of a rate column the loader names in a refusal (etl.crosscheck.check_readings).
_READINGS = {"% sudah rekam (recorded share)": "lt_reading_recorded", "% belum rekam (unrecorded share)": "lt_reading_unrecorded",
             "a fraction (0–1), not a percentage": "lt_reading_fraction"}  # fmt: skip
#: A reason part that starts with a field's name: 'eligible: not a number: …'.
_FIELD_PART = re.compile(r"^(?P<field>[a-z_]+): (?P<rest>.+)$")


def field_label(field: str, lang: str) -> str:
    """A dictionary field as the page names it ('eligible' → 'Wajib KTP-el')."""
    key = f"fld_{field}"
    said = t(key, lang)
    return field if said == key else said


def _values(groups: dict[str, str | None], lang: str) -> dict[str, str]:
    out = {}
    for k, v in groups.items():
        if v is None:
            out[k] = ""
        elif k == "d":
            try:
                import datetime as dt

                out[k] = fmt.date(dt.date.fromisoformat(v), lang, groups.get("p") or "day")
            except ValueError:
                out[k] = v
        elif k == "level":
            out[k] = t("level_" + v, lang).lower() if v in ("province", "regency", "district", "village") else v
        elif k in ("a", "b") and v in _READINGS:
            out[k] = t(_READINGS[v], lang)
        elif k in ("x", "y") and re.fullmatch(r"\d+(\.\d+)?", v):
            out[k] = v.replace(".", ",") if lang == "id" else v
        elif k == "p":  # a period word: month, semester, quarter
            out[k] = (
                field_label("period_" + v, lang).lower() if field_label("period_" + v, lang) != "period_" + v else v
            )
        elif k == "scope":
            out[k] = t("lt_in", lang, s=v)
        elif k in ("n", "m", "max", "v", "a", "b") and re.fullmatch(r"\d{1,3}(,\d{3})*", v):
            out[k] = v.replace(",", ".") if lang == "id" else v  # as written, however long (no float)
        else:
            out[k] = v
    return out


def _one(part: str, lang: str) -> str:
    part = part.strip()
    for key, rx in _COMPILED:
        m = rx.fullmatch(part)
        if m:
            return t("lt_" + key, lang, **_values(m.groupdict(), lang))
    m = _FIELD_PART.match(part)
    if m and m["field"] not in ("row",):
        label = field_label(m["field"], lang)
        if label != m["field"] or m["field"] in ("metric", "unit", "province"):
            return f"{label}: {_one(m['rest'], lang)}"
    return part


def say(text: str | None, lang: str, file: str | None = None) -> str:
    """A loader message or reason in the page's language; its parts ('; ') said one by one. A
    message about a whole file starts with the file's name (`file`), which is kept as it is."""
    if not text:
        return ""
    if file and text.startswith(file + ": "):
        whole = text[len(file) + 2 :]
        for key, rx in _COMPILED:
            m = rx.fullmatch(whole)
            if m and key.startswith("f_"):
                return f"{file}: " + t("lt_" + key, lang, **_values(m.groupdict(), lang))
        return f"{file}: " + say(whole, lang)
    if text.startswith("row ") and ": " in text:  # 'row 12: …' in a summary
        head, _, rest = text.partition(": ")
        return t("lt_row", lang, n=head[4:]) + ": " + say(rest, lang)
    return "; ".join(_one(p, lang) for p in text.split("; "))


def note(status: str, text: str | None, lang: str) -> str:
    """A preview row's note: a stored row's check notes (ektp/checks templates), or the reason a
    row is rejected or skipped."""
    if not text:
        return ""
    return (fmt.notes(text, lang) or "") if status in ("ok", "warned") else say(text, lang)


#: The figures table's columns that are not figures, in the order the page shows them.
STATUS_ICON = {"ok": "✅", "warned": "⚠️", "rejected": "⛔", "skipped": "⏭️"}


def rows_table(rows: pl.DataFrame, figures: list[str], lang: str) -> pl.DataFrame:
    """The preview's figures as the operator checks them: the row, what happens to it, the region
    as the dictionary names it, the date as offices write it, each figure, the file's rate beside
    the one its counts give, and the note or reason, all in the page's language."""
    if rows.height == 0:
        return rows
    recs = []
    for r in rows.iter_rows(named=True):
        rec = {
            t("lt_col_row", lang): r["row_number"],
            t("lt_col_status", lang): f"{STATUS_ICON.get(r['status'], '')} {t('lt_status_' + r['status'], lang)}",
            t("lt_col_region", lang): (
                f"{r['region']} ({r['region_code']})" if r.get("region") else (r.get("raw") or "")
            ),
            t("lt_col_date", lang): fmt.date(r["date"], lang, r.get("date_precision") or "day")
            if r.get("date")
            else "",
        }
        for f in figures:
            v = r.get(f)
            rec[field_label(f, lang)] = num(v, lang) if isinstance(v, int) else ("" if v is None else str(v))
        if "rate_file" in r:
            rec[t("lt_col_rate_file", lang)] = (
                fmt.pct(r["rate_file"] / 100, lang, 2) if r["rate_file"] is not None else ""
            )
            rec[t("lt_col_rate_counts", lang)] = (
                fmt.pct(r["rate_counts"] / 100, lang, 2) if r["rate_counts"] is not None else ""
            )
        rec[t("lt_col_note", lang)] = note(r["status"], r.get("note"), lang)
        recs.append(rec)
    return pl.DataFrame(recs, infer_schema_length=None)


def plan_table(plan: object, choices: list[tuple], lang: str) -> pl.DataFrame:
    """Each column of the file: what it was taken to mean, and on whose word (the dictionary, the
    layout's saved choice by whom and when, or the choice made now); the ignored ones with why."""
    chosen = {h: (f, who, when) for h, f, who, when in choices}
    out = []
    for header, f in getattr(plan, "mapped", []):
        base = f.split(" (")[0]
        meaning = t("lt_parent", lang) if base == "parent" else field_label(base, lang)
        c = chosen.get(header)
        source = t("lt_by_dictionary", lang)
        if c:
            source = t("lt_by_saved", lang, who=c[1], when=c[2]) if c[1] else t("lt_by_you", lang)
        out.append(
            {t("lt_col_column", lang): header, t("lt_col_meaning", lang): meaning, t("lt_col_source", lang): source}
        )
    for header, why in getattr(plan, "ignored", []):
        c = chosen.get(header)
        source = (t("lt_by_saved", lang, who=c[1], when=c[2]) if c and c[1] else t("lt_by_you", lang)) if c else ""
        out.append({t("lt_col_column", lang): header, t("lt_col_meaning", lang): t("lt_ignored", lang) + ": " + ignore_reason(why, lang),
                    t("lt_col_source", lang): source or t("lt_by_dictionary", lang)})  # fmt: skip
    return pl.DataFrame(out) if out else pl.DataFrame()


#: Why the loader leaves a column out, by the English it writes (data/header_map.csv's meanings
#: of its `ignore` rows, etl.headers' words of other measures).
_IGNORE_KEYS = {
    "a row number: not a figure": "row_number",
    "not a column the loader knows": "unknown",
    "ignored by the operator's choice": "chosen",
    "a printing percentage: recomputed from the counts, never stored": "print_pct",
    "suket (surat keterangan, the paper stand-in for a card): not a figure this dashboard keeps": "suket",
    "a split by sex of no measure the file names: the totals are read": "sex",
}


def ignore_reason(why: str, lang: str) -> str:
    key = _IGNORE_KEYS.get(why)
    if key:
        return t("lt_ign_" + key, lang)
    m = re.fullmatch(r"(?P<what>.+?): a measure this dashboard does not keep", why)
    if m:
        return t("lt_ign_other_measure", lang, what=m["what"])
    m = re.fullmatch(r"the (?P<sub>.+) sub-column of (?P<f>\w+): only its total is read", why)
    if m:
        return t("lt_ign_sub", lang, sub=m["sub"], field=field_label(m["f"], lang))
    return why


#: Messages the preview's tables already say: each row's reason (the figures table), the columns
#: left out (the columns table), the date (said above the tables).
_IN_TABLES = re.compile(r"^(row \d+: |ignored columns: |date taken from the title rows: )")


def messages(report: object, lang: str) -> list[str]:
    """What else the loader noticed about a file, in the page's language (a refusal is said
    apart: the last message of a failed load)."""
    msgs = list(getattr(report, "messages", []))
    if getattr(report, "status", "") == "failed":
        msgs = msgs[:-1]
    return [say(m, lang, getattr(report, "file", None)) for m in msgs if not _IN_TABLES.match(m)]
