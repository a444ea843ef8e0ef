"""Reshape: tables that are not one row per region and date, turned into ones that are.

Two layouts portals and offices publish:
- **Long tables**: one row per region *and* indicator, a `kategori`/`indikator` column naming
  the measure and a `jumlah`/`nilai` column holding it (Satu Data, BPS exports). The rows are
  pivoted: one row per region and date, one column per indicator, named by the indicator's own
  words, which the column plan then reads like any header (an indicator it cannot place is asked
  about, as a column is).
- **Month columns**: `JAN … DES` under one measure (a group row `PEREKAMAN 2019` over the months,
  or the measure in the title). Each row becomes one row per month, dated the month's last day;
  months left blank (not reported yet) give no row.

Both read the whole table into memory, bounded by the extract limits (max_rows, max_columns).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from etl.extract import ExtractError, RawTable
from etl.headers import header_name
from etl.transform import date_in_title, is_missing, month_word, norm_header

#: Headers of a long table's indicator and value columns.
INDICATOR_HEADERS = {"KATEGORI", "INDIKATOR", "VARIABEL", "JENIS DATA", "URAIAN DATA", "NAMA INDIKATOR", "URAIAN"}
VALUE_HEADERS = {"JUMLAH", "NILAI", "VALUE", "JML", "TOTAL", "JUMLAH DATA"}
UNIT_HEADERS = {"SATUAN", "SATUAN UKURAN", "UNIT"}
#: Kinds whose files come as long tables or month columns (targets and destructions do not).
KINDS = ("coverage", "backlog", "blanko")
#: A month as the date cell of an unpivoted row: 'Maret 2019' is read as the month's last day.
MONTH_NAMES = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
               "November", "Desember")  # fmt: skip
#: The measure of month columns no header names: asked about (etl.headers.ASKED).
UNNAMED_MONTHLY = "NILAI PER BULAN"
_YEAR = re.compile(r"\b(20\d\d|19\d\d)\b")


def reshape(raw: RawTable, kind: str) -> RawTable:
    """The table as one row per region and date (unchanged when it is one already)."""
    if kind not in KINDS:
        return raw
    names = [norm_header(header_name(p)) for p in (raw.parts or [(h, "") for h in raw.headers])]
    ind = [i for i, n in enumerate(names) if n in INDICATOR_HEADERS]
    val = [i for i, n in enumerate(names) if n in VALUE_HEADERS]
    if len(ind) == 1 and len(val) == 1:
        return _pivot(raw, ind[0], val[0], [i for i, n in enumerate(names) if n in UNIT_HEADERS])
    months = _month_columns(raw)
    if len(months) >= 3:
        return _unpivot_months(raw, months)
    return raw


def _pivot(raw: RawTable, ind: int, val: int, units: list[int]) -> RawTable:
    keys = [i for i in range(len(raw.headers)) if i not in (ind, val, *units)]
    groups: dict[tuple, dict] = {}
    indicators: dict[str, None] = {}
    for row_number, cells in raw.rows:
        cells = list(cells) + [None] * (len(raw.headers) - len(cells))
        name = cells[ind]
        if is_missing(name) and is_missing(cells[val]):
            continue
        name = str(name).strip()
        key = tuple("" if is_missing(cells[i]) else str(cells[i]).strip() for i in keys)
        g = groups.setdefault(key, {"row": row_number, "cells": [cells[i] for i in keys], "values": {}, "rows": {}})
        if name in g["values"] and g["values"][name] != cells[val]:
            raise ExtractError(
                f"{raw.file.name}: rows {g['rows'][name]} and {row_number} give '{name}' twice for the same "
                f"region and date ({g['values'][name]!r} and {cells[val]!r}): which is right?"
            )
        g["values"][name], g["rows"][name] = cells[val], row_number
        indicators[name] = None
    cols = list(indicators)

    def rows() -> Iterator[tuple[int, list[object]]]:
        for g in groups.values():
            yield g["row"], g["cells"] + [g["values"].get(c) for c in cols]

    headers = [raw.headers[i] for i in keys] + cols
    note = (f"a long table ({raw.headers[ind]} + {raw.headers[val]}): {len(groups):,} rows of one region and "
            f"date, one column per indicator: {', '.join(cols)}")  # fmt: skip
    if units:
        note += f"; units in '{raw.headers[units[0]]}' left to each indicator's name"
    return RawTable(file=raw.file, fmt=raw.fmt, header_row=raw.header_row, headers=headers,
                    title_lines=raw.title_lines, rows=rows(), sheet=raw.sheet, encoding=raw.encoding,
                    delimiter=raw.delimiter, notes=[*raw.notes, note], parts=[(h, "") for h in headers],
                    header_rows=raw.header_rows, reshaped=note)  # fmt: skip


def _month_columns(raw: RawTable) -> dict[int, tuple[int, int | None, str]]:
    """Column → (month, year written with it, the measure it is a month of: its group)."""
    out = {}
    for i, (group, sub) in enumerate(raw.parts or [(h, "") for h in raw.headers]):
        m = month_word(sub or group)
        if m:
            out[i] = (m[0], m[1], group if sub else "")
    return out


def _measure_and_year(text: str) -> tuple[str, int | None]:
    """'JUMLAH PEREKAMAN TAHUN 2019' → ('JUMLAH PEREKAMAN', 2019)."""
    y = _YEAR.search(text)
    words = [w for w in norm_header(_YEAR.sub(" ", text)).split() if w not in ("TAHUN", "THN", "BULAN")]
    return " ".join(words), int(y[1]) if y else None


def _unpivot_months(raw: RawTable, months: dict[int, tuple[int, int | None, str]]) -> RawTable:
    title = date_in_title(raw.title_lines)
    title_year = title[0].year if title else None
    measures: dict[str, None] = {}
    for _, _, group in months.values():
        measures[group] = None
    named = {}
    for g in measures:
        measure, year = _measure_and_year(g) if g else ("", None)
        named[g] = (measure or UNNAMED_MONTHLY, year)
    keys = [i for i in range(len(raw.headers)) if i not in months]
    year_cols = [i for i in keys if norm_header(raw.headers[i]) in ("TAHUN", "YEAR", "THN")]
    headers = [raw.headers[i] for i in keys if i not in year_cols] + ["TANGGAL"] + [named[g][0] for g in measures]

    def year_of(col: int, cells: list[object], row_number: int) -> int:
        m_year, group = months[col][1], months[col][2]
        y = m_year or named[group][1]
        if y is None and year_cols and not is_missing(cells[year_cols[0]]):
            y = int(float(str(cells[year_cols[0]]).strip()))
        y = y or title_year
        if y is None:
            raise ExtractError(
                f"{raw.file.name}: row {row_number}: month columns with no year (none in the header, a TAHUN column "
                "or the title): give the date's year in the file"
            )
        return y

    def rows() -> Iterator[tuple[int, list[object]]]:
        for row_number, cells in raw.rows:
            cells = list(cells) + [None] * (len(raw.headers) - len(cells))
            base = [cells[i] for i in keys if i not in year_cols]
            by_month: dict[tuple[int, int], dict[str, object]] = {}
            for col, (month, _, group) in months.items():
                if is_missing(cells[col]):
                    continue
                by_month.setdefault((year_of(col, cells, row_number), month), {})[group] = cells[col]
            if not by_month:  # a row with no month filled in: read as it is (a title, a blank, a total)
                yield row_number, base + [None] + [None] * len(measures)
            for (year, month), values in sorted(by_month.items()):
                yield row_number, base + [f"{MONTH_NAMES[month - 1]} {year}"] + [values.get(g) for g in measures]

    note = (f"month columns ({', '.join(raw.headers[i] for i in list(months)[:3])} …): each row read as one row per "
            f"month, dated the month's last day")  # fmt: skip
    return RawTable(file=raw.file, fmt=raw.fmt, header_row=raw.header_row, headers=headers,
                    title_lines=raw.title_lines, rows=rows(), sheet=raw.sheet, encoding=raw.encoding,
                    delimiter=raw.delimiter, notes=[*raw.notes, note], parts=[(h, "") for h in headers],
                    header_rows=raw.header_rows, reshaped=note)  # fmt: skip
