"""Tables and texts for the reader: number formats per language, labelled columns, markers,
sources, check notes, rankings and target rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from ektp.text import fmt
from ektp.text.fmt import marker  # noqa: F401 - ui.marker, as the pages write it
from ektp.text.i18n import t


def search_rows(table: pl.DataFrame, column: str, query: str) -> pl.DataFrame:
    """The rows whose `column` holds the typed text, ignoring case (the ranking's search box)."""
    return table.filter(pl.col(column).str.to_lowercase().str.contains(query.lower(), literal=True))


def safe_text(s: Any) -> str:
    """Text from the data (a name, an office's source or note) shown through Markdown exactly as
    written, never as a link, an image or markup: every ASCII punctuation mark is escaped
    (`[klik](http://…)` and `![p](http://…)` stay text; `<b>` stays text; a '$' no formula)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(s)) if s is not None else "–"


#: What a table cell shows where a figure is missing (Streamlit's default is the word "None").
GAP = "–"


#: Up to this many rows a table's numbers and dates are written in the page's language by a
#: pandas Styler: the cells show "14.227" and "86,00" and "30 Juni 2017" on an Indonesian page
#: while they stay numbers and dates underneath, so a click on a header still sorts by value.
#: ~0.04 s for 500 rows. A longer table (the 7,285 districts' changes) shows its first rows in
#: its order, with a line saying so; a browser that speaks the page's language gets it whole,
#: in its own forms (table_formats): printf's "86.00" on an Indonesian page would misread.
STYLED_ROWS = 2000
#: Whole-number columns that are labels, not amounts: a year, a load or row number, a code.
PLAIN_INTEGER = re.compile(r"year|tahun|load|muat|row|baris|kode|code|\bid\b|#", re.I)


def table(df: pl.DataFrame, lang: str | None = None, **kwargs: Any) -> Any:
    """st.dataframe of a polars frame in the page's language (`lang`, else the session's):
    numbers with its separators and dates in its words, still sorting by value (STYLED_ROWS);
    a missing figure shows as '–' (returns what st.dataframe returns: a selection, given
    `on_select`). A frame too large to style goes as Arrow (Streamlit
    serialises it as it is; a polars frame takes a detour through pandas) with the browser's
    or printf's number forms (number_config)."""
    from ektp.ui.state import lang as session_lang

    lang = lang or session_lang()
    kwargs.setdefault("placeholder", GAP)
    if not isinstance(df, pl.DataFrame):
        return st.dataframe(df, **kwargs)
    browser = st.context.locale
    if (browser or "").lower().split("-")[0] != lang:
        if df.height > STYLED_ROWS:  # in the page's language, in the order given; the files have all
            st.caption(t("table_capped", lang, shown=fmt.num(STYLED_ROWS, lang), total=fmt.num(df.height, lang)))
            df = df.head(STYLED_ROWS)
        return st.dataframe(styled(df, lang), **kwargs)
    config = number_config(df, lang, browser)
    config.update(date_config(df, lang))
    kwargs.setdefault("column_config", config)
    return st.dataframe(df.to_arrow(), **kwargs)


def small_table(df: pl.DataFrame, lang: str) -> None:
    """A short table (a unit's few sources) as plain HTML in the page's language: no sorting or
    scrolling to offer. Neither the data grid's script (~250 KB compressed) nor st.table's (Arrow's
    reader and number formats, ~90 KB) is fetched for it: on the map page it was the last thing a
    phone downloaded before the page answered. Numbers right-aligned; in a narrow place (a phone, a column) each row is a card
    of "column: value" lines (eight columns do not fit 360 px), so nothing scrolls sideways."""
    from html import escape

    def cell(value: Any, dtype: pl.DataType, column: str) -> str:
        numeric = ' class="num"' if dtype.is_numeric() and not PLAIN_INTEGER.search(column) else ""
        return f'<td data-label="{escape(str(column))}"{numeric}>{escape(cell_text(value, dtype, column, lang))}</td>'

    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(cell(v, d, c) for v, (c, d) in zip(row, df.schema.items(), strict=True)) + "</tr>"
        for row in df.iter_rows()
    )
    st.html(f'<div class="ektp-small-table"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>')


def cell_text(value: Any, dtype: pl.DataType, column: str, lang: str) -> str:
    """How a table cell reads in the page's language (the Styler's display text)."""
    if value is None or (isinstance(value, float) and value != value):
        return GAP
    if dtype == pl.Boolean:
        return t("cell_yes" if value else "cell_no", lang)
    if dtype.is_integer():
        value = int(value)  # a column with gaps comes back from pandas as floats
        return str(value) if PLAIN_INTEGER.search(column) else fmt.num(value, lang)
    if dtype.is_float():
        return fmt.num(value, lang, 2)
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return (
            f"{fmt.date(value.date(), lang)} {value:%H.%M}"
            if lang == "id"
            else f"{fmt.date(value.date(), lang)} {value:%H:%M}"
        )
    if dtype == pl.Date:
        return fmt.date(value, lang)
    return str(value)


def styled(df: pl.DataFrame, lang: str) -> Any:
    """A pandas Styler over the frame: each number and date written for `lang` (cell_text)."""
    formats = {c: (lambda v, d=d, c=c: cell_text(_native(v, d), d, c, lang)) for c, d in df.schema.items()}
    return df.to_pandas().style.format(formats, na_rep=GAP)


def _native(value: Any, dtype: pl.DataType) -> Any:
    """A pandas cell back to the Python value cell_text reads (Timestamp → date/datetime)."""
    if dtype == pl.Date and hasattr(value, "date"):
        return value.date()
    if isinstance(dtype, pl.Datetime) and hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def date_config(df: pl.DataFrame, lang: str) -> dict[str, Any]:
    """column_config for the date columns of a table too large to style: day/month/year in
    Indonesian (month names would be the browser's English), "30 Jun 2017" in English."""
    form = "DD/MM/YYYY" if lang == "id" else "D MMM YYYY"
    return {c: st.column_config.DateColumn(c, format=form) for c, d in df.schema.items() if d == pl.Date}


def table_formats(lang: str, browser: str | None) -> tuple[str, str]:
    """Formats for a table's whole and decimal numbers that follow the page's language.

    Numbers stay numbers, so a click on a header sorts them by value (text written here would
    sort 9.856 after 14.227, and a pandas Styler took 0.55 s on every rerun for 7,285 rows).
    Streamlit writes separators only the browser's way ('localized'): right when the browser
    speaks the page's language. Otherwise English gets printf's "1,234.56", and Indonesian gets
    no thousands separator: an English browser's "14,227" reads as fourteen point two in
    Indonesian, "14227" reads one way only.
    """
    if (browser or "").lower().split("-")[0] == lang:
        return "localized", "localized"
    return ("%,d", "%,.2f") if lang == "en" else ("%d", "%.2f")


#: Decimal places of a table's decimal numbers (rates, in percent): two, as "%.2f" writes them.
DECIMAL_STEP = 0.01


def number_config(df: pl.DataFrame, lang: str, browser: str | None = None) -> dict[str, Any]:
    """column_config for every numeric column of `df` (table_formats)."""
    whole, decimal = table_formats(lang, browser)
    return {
        col: st.column_config.NumberColumn(col, format=whole)
        if dtype.is_integer()
        # a step fixes the browser's decimals: "88,10" under "87,95", not "88,1"
        else st.column_config.NumberColumn(col, format=decimal, step=DECIMAL_STEP)
        for col, dtype in df.schema.items()
        if dtype.is_numeric()
    }


#: Columns of free text that the curated files write in English (etl/translations.py).
TRANSLATED = ("note", "method")


def data_text(text: str | None, lg: str) -> str | None:
    """A curated file's note or method in the reader's language; anything else as written. A
    pointer to the brief's numbering ("seed article 002") reads "a news article"."""
    from ektp.data import queries

    return None if text is None else fmt.brief_mentions(queries.translations(lg).get(text, text), lg)


def translated(df: pl.DataFrame, lg: str) -> pl.DataFrame:
    """The frame with its curated notes and methods (TRANSLATED) in the reader's language, under
    the same names: for a chart's hover, which shows them as they come."""
    from ektp.data import queries

    cols = [c for c in TRANSLATED if c in df.columns and df.schema[c] == pl.String]
    readings = dict(queries.translations(lg)) if cols else {}
    if not cols:
        return df
    return df.with_columns(
        pl.Series(c, [fmt.brief_mentions(readings.get(v, v), lg) for v in df[c].to_list()], dtype=pl.String)
        for c in cols
    )


def labelled(df: pl.DataFrame, columns: dict[str, str], lg: str) -> pl.DataFrame:
    """A frame as a reader's table: only `columns` (column → label in the reader's language),
    in that order and headed with a capital; a source in the reader's language (fmt.source),
    a curated note or method too (data_text)."""
    exprs = []
    for col, label in columns.items():
        expr = pl.col(col)
        if col == "source":
            expr = _as_text(df, col, lambda s: fmt.source(s, lg))
        exprs.append(expr.alias(fmt.capital(label)))
    return translated(df, lg).select(exprs)


def with_period(register: pl.DataFrame, lg: str) -> pl.DataFrame:
    """The destruction register with a `period` column written as its source gave it
    ('2012 – 2018'): two dates would claim a day the source never named."""
    cols = ("period_from", "period_from_precision", "period_to", "period_to_precision")
    return register.with_columns(
        period=pl.Series(
            [fmt.period(*(r[c] for c in cols), lg) for r in register.select(cols).iter_rows(named=True)],
            dtype=pl.String,
        )
    )


def _as_text(df: pl.DataFrame, col: str, f: Callable[[Any], str | None]) -> pl.Expr:
    """A column of `df` written for the reader by `f` (nulls included: f says how a gap reads).

    Made in Python, never as a polars UDF (map_elements): polars calls a UDF from its own thread
    pool, which waits for the GIL; with several sessions' scripts in one server, a thread
    holding the GIL while waiting for that pool deadlocked a replica under eight sessions."""
    return pl.lit(pl.Series(col, [f(v) for v in df[col].to_list()], dtype=pl.String))


def sourced_table(points: pl.DataFrame, lg: str, areas: bool = True) -> pl.DataFrame:
    """Published figures (queries.sourced_points) as a reader sees them: labelled columns in the
    reader's language; rates in percent and counts stay numbers (table() writes them the page's
    way and a header click sorts them); an empty note, never 'None', where an article gave none."""
    cols = [pl.col("region_name").alias(t("area", lg)), pl.col("region_code").alias(t("code", lg))] if areas else []
    return points.select(
        *cols,
        pl.col("as_of").alias(t("date", lg)),
        (pl.col("recording_rate") * 100).round(2).alias(t("metric_recording_rate", lg) + " (%)"),
        pl.col("unrecorded").alias(t("unrecorded", lg)),
        _as_text(points, "source", lambda s: fmt.source(s, lg)).alias(t("source", lg)),
        _as_text(points, "warnings", lambda w: fmt.notes(w, lg) or "").alias(t("warnings", lg)),
    )


def source_use(r: dict, lg: str) -> str:
    """Where a published source is used (a row of queries.sources): its tables, its row count
    and its dates, written the reader's way ("coverage (2 baris; 15 November 2013)")."""
    first, last = r["first"], r["last"]
    dates = fmt.date(first, lg) if first == last else f"{fmt.date(first, lg)} – {fmt.date(last, lg)}"
    return t("source_use", lg, tables=r["tables"], n=r["rows"], dates=dates)


def header_map_table(path: Path) -> pl.DataFrame:
    """The loader's header map (data/header_map.csv: which column names it reads as what), as
    the Data page lists it: every column as text, exactly as the file has it."""
    with path.open(encoding="utf-8", newline="") as fh:
        return pl.DataFrame(list(csv.DictReader(fh)))


def doc_body(text: str) -> str:
    """A Markdown document without its own title: the page heads it in the reader's language."""
    first, _, rest = text.lstrip().partition("\n")
    return rest.lstrip("\n") if first.startswith("#") else text


def check_note_lines(points: pl.DataFrame, lg: str, areas: bool = True) -> list[str]:
    """One line per published figure whose numbers disagree with themselves: which figure
    (area, date, source) and its check notes in the reader's language. The table's cell cuts
    such notes off; the disagreement is the point, so it is written out in full."""
    rows = points.filter(pl.col("warnings").is_not_null() & (pl.col("warnings") != ""))
    return [
        (f"{r['region_name']} · " if areas else "")
        + f"{fmt.date(r['as_of'], lg)} · {r['source'] or '–'}: {fmt.notes(r['warnings'], lg)}"
        for r in rows.iter_rows(named=True)
    ]


def show_check_notes(points: pl.DataFrame, lg: str, areas: bool = True) -> None:
    """check_note_lines under a table of published figures, as a list."""
    lines = check_note_lines(points, lg, areas)
    if lines:
        st.caption(f"⚠️ {t('warnings', lg)}:\n" + "\n".join("- " + safe_text(x) for x in lines))


def alternatives_table(alts: pl.DataFrame, lg: str) -> pl.DataFrame:
    """Every source kept for one area and date (queries.sources_for), side by side as a reader
    compares them: labelled columns, the kind of source in words, numbers as the page writes
    them, and the rate an article printed beside the one its counts give."""
    return alts.select(
        _as_text(alts, "source_kind", lambda k: t(f"kind_{k}", lg)).alias(t("kind", lg)),
        # the rates first: in the detail's half column they are what a reader compares
        _as_text(alts, "recording_rate", lambda v: fmt.pct(v, lg, 2)).alias(t("metric_recording_rate", lg)),
        _as_text(alts, "recorded_pct_reported", lambda v: fmt.pct(None if v is None else v / 100, lg, 2)).alias(
            t("rate_reported", lg)
        ),
        _as_text(alts, "source", lambda s: fmt.source(s, lg) or "–").alias(t("source", lg)),
        _as_text(alts, "eligible", lambda v: fmt.num(v, lg)).alias(t("eligible", lg)),
        _as_text(alts, "recorded", lambda v: fmt.num(v, lg)).alias(t("recorded", lg)),
        _as_text(alts, "unrecorded", lambda v: fmt.num(v, lg)).alias(t("unrecorded", lg)),
        _as_text(alts, "warnings", lambda w: fmt.notes(w, lg) or "").alias(t("warnings", lg)),
    )


def ranking_table(d: Any) -> pl.DataFrame:
    """The view model's ranking (ektp.mapview.model.Drawn) as a sortable table: its units in its
    order (worst first), each one's figure as a number (a rate in per cent), its colour class in
    words (colour is never the only carrier), code, counts, date and source as the model words
    them. The map element lists the same rows as text; the page without a map and the planner's
    XLSX show this, so no face ranks or classes a view again."""
    from ektp.analysis.metrics import RATE_METRICS

    c = d.choice
    lg = c.lang
    value = (pl.col(c.metric) * 100).round(2) if c.metric in RATE_METRICS else pl.col(c.metric).round(0).cast(pl.Int64)
    df = _in_model_order(d).with_columns(value=value)
    columns = {
        "name": t("name", lg),
        # the value next to the name: in the map's narrow column a third column was cut off
        "value": t("metric_" + c.metric, lg),
        "map_class": t("map_class", lg),
        "code": t("code", lg),
        "eligible": t("eligible", lg),
        "recorded": t("recorded", lg),
        "as_of": t("date", lg),
        "is_synthetic": t("synthetic", lg),
        "source": t("source", lg),
    }
    exprs = [pl.col(col).alias(fmt.capital(label)) for col, label in columns.items()]
    return df.select(exprs)


def laggards(d: Any, n: int) -> pl.DataFrame:
    """The first `n` units of the view model's ranking of recording rates (the Overview's list):
    name, rate in per cent, points below the unit's own target (empty where it has none) and
    the date of its figure. The model's rows in the model's order, so the list is the head of
    the map page's ranking and its sentence names the same unit first."""
    lg = d.choice.lang
    return (
        _in_model_order(d)
        .filter(pl.col("recording_rate").is_not_null())
        .head(n)
        .select(
            pl.col("name").alias(t("name", lg)),
            (pl.col("recording_rate") * 100).round(2).alias(t("metric_recording_rate", lg) + " (%)"),
            ((pl.col("target") - pl.col("recording_rate")) * 100).round(2).alias(t("points_below_own_target", lg)),
            pl.col("as_of").alias(t("date", lg)),
        )
    )


def _in_model_order(d: Any) -> pl.DataFrame:
    """The model's data (one row per unit) sorted as its ranking rows are: worst first."""
    code_at = d.table_head.index(t("code", d.choice.lang))
    order = {row[code_at]: i for i, row in enumerate(d.table)}
    return d.data.sort(pl.col("code").replace_strict(order, return_dtype=pl.Int64))


def _value_text(v: float | None, metric: str, lg: str) -> str:
    if v is None:
        return "–"
    return fmt.pct(v, lg, 2) if metric == "recording_rate" else fmt.num(v, lg)


def target_rows(
    targets: pl.DataFrame, series_of: Callable[[str, str], pl.DataFrame], lg: str, today: dt.date
) -> list[dict]:
    """Each target (queries.targets) judged against its metric's series (`series_of(code,
    metric)`, queries.metric_series), as the Target page's chart and table show it."""
    from ektp.analysis.metrics import target_state

    rows = []
    for r in targets.iter_rows(named=True):
        s = series_of(r["region_code"], r["metric"])
        state = target_state(r, list(zip(s["as_of"], s["value"], s["is_synthetic"], strict=True)), today)
        p, metric = state.projection, r["metric"]
        minimum = r["minimum_value"]
        rows.append(
            {
                # one bar per target: a sourced and a synthetic target of one area stay apart
                "label": f"{r['region_name']} · {t('metric_name_' + metric, lg)}"
                + (f" ({t('synthetic', lg)})" if r["is_synthetic"] else "")
                + (f" · {fmt.date(r['deadline'], lg, 'short')}" if r["deadline"] else "")  # short: a phone
                # the projected date on the same row as the deadline, where the target is not yet met
                + (
                    f" → {fmt.date(p.projected_date, lg, 'short')}"
                    if p.projected_date and p.status in ("status_on_track", "status_at_risk", "status_missed")
                    else ""
                ),
                "region": r["region_name"],
                "metric": t("metric_name_" + metric, lg),
                "target_text": _value_text(r["target_value"], metric, lg)
                + (f" ({t('minimum', lg)} {_value_text(minimum, metric, lg)})" if minimum is not None else ""),
                "baseline": _value_text(state.baseline, metric, lg),
                "current_text": _value_text(p.latest_value, metric, lg)
                + (f" ({fmt.date(p.latest_date, lg)})" if p.latest_date else ""),
                "latest": p.latest_date,  # the date of the value judged: the page's "as of"
                "progress": state.progress,
                "status": p.status,
                "start": r["start_date"],
                "deadline": r["deadline"],
                "projected": p.projected_date,
                "reached": p.reached_date if p.status == "status_met" else None,
                "set_by": r["set_by"],
                "source": fmt.source(r["source"], lg) or "–",
                "target_synthetic": r["is_synthetic"],
                "value_synthetic": state.value_synthetic,
            }
        )
    return rows


def targets_table(rows: list[dict], lg: str) -> pl.DataFrame:
    """target_rows as the reader's table: labelled columns; which part is synthetic in words."""
    return pl.DataFrame(
        [
            {
                t("area", lg): r["region"],
                t("metric", lg): r["metric"],
                t("baseline", lg): r["baseline"],
                t("current", lg): r["current_text"],
                t("target", lg): r["target_text"],
                t("start", lg): r["start"],
                t("deadline", lg): r["deadline"],
                t("status", lg): t(r["status"], lg),
                t("reached", lg): r["reached"],
                t("projection", lg): r["projected"],
                t("set_by", lg): r["set_by"],
                t("source", lg): r["source"],
                t("synthetic", lg): ", ".join(
                    [t("target", lg)] * r["target_synthetic"] + [t("current", lg)] * r["value_synthetic"]
                ),
            }
            for r in rows
        ]
    )
