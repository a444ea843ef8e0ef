"""Tables as spreadsheet files, from every path that writes one (the app's downloads, the reader
pages' .csv, the static publish): nothing from a loaded file runs when a planner opens it.

A source or note cell comes from an office's file as written, and a spreadsheet runs a cell that
starts with = + - @ (or a tab or CR) as a formula: `=HYPERLINK(…)`, `=cmd|' /C calc'!A0`. In a
CSV such a text cell gets a leading apostrophe, and so does such a start after a ',' or ';'
inside a cell: Excel set to ';' as its list separator (Indonesia's default) splits a
comma-separated line at every ';', quotes or not, so `x;=cmd|…` would start a live cell there.
Every text cell is also quoted. In XLSX a text cell is typed as text, which a spreadsheet never
runs: it is written as it is, with no visible apostrophe.
"""

from __future__ import annotations

import io

import polars as pl

#: Text a spreadsheet would read as the start of a formula (after any leading spaces).
FORMULA_START = r"^\s*[=+\-@\t\r]"
#: … and a formula start after a separator inside a cell, where a spreadsheet using the other
#: separator would begin a new cell.
INNER_START = r"([,;\t\r\n])(\s*[=+\-@])"


def neutralised(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells that would start a formula, prefixed with an apostrophe."""
    exprs = [
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .str.replace_all(INNER_START, "$1'$2")
        .alias(name)
        for name, dtype in df.schema.items()
        if dtype == pl.Utf8
    ]
    return df.with_columns(exprs) if exprs else df


def csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 CSV with formulas neutralised and every text cell quoted."""
    return neutralised(df).write_csv(quote_style="non_numeric").encode("utf-8")


def xlsx_bytes(df: pl.DataFrame, **kwargs: object) -> bytes:
    """XLSX whose text cells are typed text (never formulas); `kwargs` go to polars' write_excel."""
    buf = io.BytesIO()
    df.write_excel(buf, **kwargs)  # type: ignore[arg-type]
    return buf.getvalue()


def report_xlsx(table: pl.DataFrame, title: str, lines: list[str], percent: tuple[str, ...] = ()) -> bytes:
    """A planner's sheet: the title in row 1, one line each below it (the sentence, the source,
    the date, the licence), a blank row, then the table with its headers as given (the page's
    language); the `percent` columns (percent points, 86.0) shown as percentages ("86.00%")
    and still numbers. Text cells are typed text, never formulas (as xlsx_bytes)."""
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    wb = Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True})
    ws = wb.add_worksheet()
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    wrap = wb.add_format({"text_wrap": False})
    for i, line in enumerate(lines, start=1):
        ws.write_string(i, 0, line, wrap)
    table.write_excel(
        workbook=wb,
        worksheet=ws,
        position=(len(lines) + 2, 0),
        column_formats={c: '0.00"%"' for c in percent if c in table.columns},
        autofit=True,
        table_style="Table Style Light 1",
    )
    wb.close()
    return buf.getvalue()
