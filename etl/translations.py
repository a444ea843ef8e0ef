"""Translations of the curated files' free text: extract → validate → load.

The curated files under data/sourced/ write their notes (and a destruction's method) in English,
as the facts were copied; `translations.csv` gives each such text its Indonesian reading. The
stored text is never changed (exports keep it); the app shows the reading for the page's language
(`queries.translations`). Office files write their own words, which are shown as written.

The file is ours and small: a bad row fails the load with the file, row and problem, and the
DB already served stays as it was (the load builds a new file and swaps it in).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ektp.core import settings
from etl.extract import curated_rows

COLUMNS = ("text", "lang", "translated")
LANGS = ("id", "en")


class TranslationError(ValueError):
    """A row of the translations file that cannot be used."""


def extract(path: Path) -> list[dict[str, str]]:
    """The file's rows as text (row 2 is the first after the header, as a spreadsheet counts)."""
    return curated_rows(path, COLUMNS, TranslationError)


def validate(rows: list[dict[str, str]], name: str) -> list[tuple[str, str, str]]:
    """(lang, text, translated) per row; the first problem raises, naming the file and row."""
    out: dict[tuple[str, str], int] = {}
    result = []
    for i, r in enumerate(rows, start=2):
        text, lang, translated = (r.get(c) for c in COLUMNS)
        if None in (text, lang, translated):
            raise TranslationError(f"{name} row {i}: expected {len(COLUMNS)} fields")
        text, lang, translated = text.strip(), lang.strip(), translated.strip()
        if not text or not translated:
            raise TranslationError(f"{name} row {i}: empty {'text' if not text else 'translated'}")
        if lang not in LANGS:
            raise TranslationError(f"{name} row {i}: lang {lang!r} is not one of {', '.join(LANGS)}")
        if (lang, text) in out:
            raise TranslationError(f"{name} row {i}: {text!r} is already translated to {lang} in row {out[lang, text]}")
        out[lang, text] = i
        result.append((lang, text, translated))
    return result


def read(path: Path) -> list[tuple[str, str, str]]:
    """The file's (lang, text, translated) rows, checked (extract → validate)."""
    return validate(extract(path), path.name)


def load(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """Replace the `translations` table with the file's rows; a missing file leaves it as is."""
    path = Path(path) if path is not None else settings.path("translations")
    if not path.exists():
        return 0
    rows = read(path)
    con.execute("DELETE FROM translations")
    if rows:
        con.executemany("INSERT INTO translations VALUES (?, ?, ?)", rows)
    return len(rows)
