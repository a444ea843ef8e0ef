"""Shared page furniture: setup, language, permalink state, pickers, markers and downloads.

Every selection lives in the URL query string (st.query_params), so any view is a shareable
link. Values from the URL are checked against allow-lists; an invalid one falls back to the
default and the page shows a notice naming it — never an exception.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ektp import db, fmt, settings
from ektp.i18n import LANGS, t

MAX_PARAM_LEN = 64
_SAFE = re.compile(r"^[0-9A-Za-z._,\-]{1,64}$")
PAGES = [
    ("app.py", "page_overview", "🏠"),
    ("pages/1_Peta_cakupan.py", "page_map", "🗺️"),
    ("pages/2_Tren.py", "page_trends", "📈"),
    ("pages/3_Antrean_pengambilan.py", "page_backlog", "📦"),
    ("pages/4_Target.py", "page_targets", "🎯"),
    ("pages/5_Blangko_dan_kartu_rusak.py", "page_blanks", "🗃️"),
    ("pages/6_Data_dan_metode.py", "page_data", "📚"),
]
#: The Load page: linked on the internal instance only (the public one has no write path).
LOAD_PAGE = ("pages/7_Muat_data.py", "page_load", "📥")


def _invalid() -> list[str]:
    return st.session_state.setdefault("_invalid_params", [])


def raw_param(name: str) -> str | None:
    v = st.query_params.get(name)
    if v is None:
        return None
    if len(v) > MAX_PARAM_LEN or not _SAFE.match(v):
        _invalid().append(name)
        return None
    return v


def lang() -> str:
    return st.session_state.get("_lang", settings.default_lang())


def setup(page_key: str) -> str:
    """Page config, language switch and public-mode notice; returns the language."""
    st.set_page_config(page_icon="🪪", layout="wide")
    st.session_state["_invalid_params"] = []
    st.session_state["_said_n"] = 0  # chart sentences of this run (said)
    current = lang()
    url_lang = raw_param("lang")
    if url_lang is not None and url_lang not in LANGS:
        _invalid().append("lang")
        url_lang = None
    _follow_url("lang")
    _adopt("w_lang")
    if "w_lang" not in st.session_state:
        st.session_state["w_lang"] = url_lang or current
    chosen = st.sidebar.radio(
        t("lang_label", st.session_state["w_lang"]),
        LANGS,
        key="w_lang",
        format_func=lambda x: {"id": "Bahasa Indonesia", "en": "English"}[x],
        horizontal=True,
    )
    st.session_state["_lang"] = chosen
    _sync_url("lang", chosen)
    # the tab's title in the chosen language (the URL's `lang` is only known from here on)
    st.set_page_config(page_title=t(page_key, chosen) + " · KTP-el")
    st.markdown(
        # captions in a grey with 7:1 contrast on white (Streamlit's #828180 gives 3.9:1: Lighthouse
        # and WCAG AA ask 4.5:1 for 14 px text)
        "<style>[data-testid='stCaptionContainer'],.stCaption,[data-testid='stCaptionContainer'] p"
        "{color:#595959 !important;opacity:1 !important;}"
        "@media (max-width: 640px){.block-container{padding:0.6rem 0.4rem;}"
        " [data-testid='stHorizontalBlock']{flex-wrap:wrap;}"
        " [data-testid='stHorizontalBlock']>div{min-width:100% !important;}}</style>",
        unsafe_allow_html=True,
    )
    if settings.is_public():
        st.sidebar.caption(t("public_note", chosen))
    return chosen


def require_db(lg: str) -> bool:
    """False (with the command to run) when the DB file is missing or was built by another version."""
    path = "data/ektp.duckdb" if settings.is_public() else str(db.db_path())
    try:
        current = db.schema_current()
    except db.DatabaseMissingError:
        st.error(t("missing_db", lg, path=path))
        return False
    if not current:
        st.error(t("outdated_db", lg, path=path))
    return current


def show_invalid_notice(lg: str) -> None:
    bad = sorted(set(_invalid()))
    if bad:
        st.warning(t("invalid_param", lg, names=", ".join(bad)))


def _follow_url(name: str) -> None:
    """Forget widget `w_{name}` when the URL's `name` differs from what this session last wrote
    there: the reader went back or forward in the browser history (or opened another link in
    the tab), so the URL, read again below, wins over the widget's remembered value."""
    wkey = f"w_{name}"
    written = st.session_state.get("_url_written", {})
    now = st.query_params.get(name)
    if wkey in st.session_state and now is not None and name in written and now != written[name]:
        del st.session_state[wkey]


def _adopt(wkey: str) -> None:
    """Hand the value under widget key `wkey` to this page's widget of that key.

    A value another page's widget left there (the language, the area) reaches this page's
    widget only when code sets it in this run: Streamlit gives a widget new to the page its
    default otherwise, and English switched back to Indonesian on the next page.
    """
    if wkey in st.session_state:
        st.session_state[wkey] = st.session_state[wkey]


def _sync_url(name: str, value: str) -> None:
    """Mirror a widget in the URL; an empty value (no comparison) leaves the parameter out."""
    st.session_state.setdefault("_url_written", {})[name] = value
    if value == "":
        if name in st.query_params:
            del st.query_params[name]
        return
    st.query_params[name] = value


def choice(
    name: str,
    options: Sequence[Any],
    default: Any,
    label: str,
    format_func: Callable[[Any], str] = str,
    where: Any = None,
    to_str: Callable[[Any], str] = str,
    widget: str = "selectbox",
) -> Any:
    """A picker whose value is mirrored in the URL (`?name=`) and restored from it."""
    where = where or st.sidebar
    options = list(options)
    if not options:
        return default
    by_str = {to_str(o): o for o in options}
    wkey = f"w_{name}"
    if default not in options:
        default = options[0]
    if wkey in st.session_state and st.session_state[wkey] not in options:
        st.session_state[wkey] = default  # options changed with another choice: not a bad link
    _follow_url(name)
    _adopt(wkey)
    if wkey not in st.session_state:
        raw = raw_param(name)
        if raw is not None and raw not in by_str:
            _invalid().append(name)
            raw = None
        remembered = st.session_state.get(f"_{name}")
        st.session_state[wkey] = by_str[raw] if raw is not None else (remembered if remembered in options else default)
    if widget == "radio":
        value = where.radio(label, options, key=wkey, format_func=format_func, horizontal=True)
    else:
        value = where.selectbox(label, options, key=wkey, format_func=format_func)
    st.session_state[f"_{name}"] = value
    _sync_url(name, to_str(value))
    return value


def multi_choice(
    name: str,
    options: Sequence[str],
    default: list[str],
    label: str,
    format_func: Callable[[str], str],
    max_items: int = 8,
) -> list[str]:
    """A multiselect mirrored in the URL as a comma list."""
    wkey = f"w_{name}"
    _follow_url(name)
    _adopt(wkey)
    if wkey not in st.session_state:
        raw = raw_param(name)
        picked = default
        if raw is not None:
            vals = [v for v in raw.split(",") if v]
            if vals and all(v in options for v in vals) and len(vals) <= max_items:
                picked = vals
            else:
                _invalid().append(name)
        st.session_state[wkey] = [v for v in picked if v in options]
    value = st.multiselect(label, list(options), key=wkey, format_func=format_func, max_selections=max_items)
    _sync_url(name, ",".join(value))
    return value


def date_choice(dates: list[dt.date], lg: str, name: str = "date", where: Any = None) -> dt.date | None:
    if not dates:
        return None
    return choice(
        name,
        list(reversed(dates)),
        dates[-1],
        t("date", lg),
        format_func=lambda d: fmt.date(d, lg),
        where=where,
        to_str=lambda d: d.isoformat(),
    )


def area_choice(lg: str, allow_regency: bool = True) -> str:
    """Area picker: Indonesia, a province, or a regency (for the area-level pages)."""
    options, names = _area_options(db.stamp(), lg, allow_regency)
    return choice("area", options, "00", t("area", lg), format_func=names.get)


@st.cache_resource(max_entries=16, show_spinner=False)
def _area_options(stamp: tuple, lg: str, allow_regency: bool) -> tuple[list[str], dict[str, str]]:
    """The picker's 553 codes and labels, made once per DB file and language (every rerun of
    every page shows this picker; rebuilding it was ~4% of a rerun). Never mutated."""
    from ektp import queries

    names = {"00": t("national", lg)} | dict(queries.province_names())
    options = list(names)
    if allow_regency:
        regencies = queries.regions("regency")
        for c, n in zip(regencies["code"].to_list(), regencies["name"].to_list(), strict=True):
            names[c] = f"{n} ({names[c[:2]]})"
        options += regencies["code"].to_list()
    return options, names


def page_header(title_key: str, lg: str) -> str | None:
    """Title, DB check, translated page links and the area picker every page starts with.

    Returns the chosen area code, or None (after saying what to run) when the DB is missing.
    """
    st.title(t(title_key, lg))
    if not require_db(lg):
        return None
    page_links(lg)
    return area_choice(lg)


def area_name(code: str, lg: str) -> str:
    """'Indonesia (nasional)' for '00', else the unit's Kemendagri name."""
    from ektp import queries

    return t("national", lg) if code == "00" else queries.region(code)["name"]


def marker(is_synthetic: Any, lg: str) -> str:
    """Sourced/synthetic marker for a figure or a set of figures."""
    if isinstance(is_synthetic, (list, tuple, set, pl.Series)):
        vals = {bool(v) for v in is_synthetic if v is not None}
        if vals == {True}:
            return t("synthetic_marker", lg)
        if vals == {False}:
            return t("sourced_marker", lg)
        return t("mixed_marker", lg)
    return t("synthetic_marker", lg) if is_synthetic else t("sourced_marker", lg)


def safe_text(s: Any) -> str:
    """Escape text from data (region or office names) before any markdown/HTML rendering."""
    return html.escape(str(s)) if s is not None else "–"


def neutralise_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """Cells starting with = + - @ (or tab/CR) would run as formulas in a spreadsheet: prefix
    them with an apostrophe in CSV/XLSX exports (CSV injection)."""
    exprs = []
    for name, dtype in df.schema.items():
        if dtype == pl.Utf8:
            exprs.append(
                pl.when(pl.col(name).str.contains(r"^[=+\-@\t\r]"))
                .then(pl.lit("'") + pl.col(name))
                .otherwise(pl.col(name))
                .alias(name)
            )
    return df.with_columns(exprs) if exprs else df


def table_bytes(df: pl.DataFrame, kind: str) -> bytes:
    safe = neutralise_formulas(df)
    if kind == "csv":
        return safe.write_csv().encode("utf-8")
    buf = io.BytesIO()
    if kind == "xlsx":
        safe.write_excel(buf)
    elif kind == "parquet":
        df.write_parquet(buf)
    else:
        raise ValueError(kind)
    return buf.getvalue()


MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/octet-stream",
    "svg": "image/svg+xml",
    "png": "image/png",
    "html": "text/html",
}


def _download_row(items: list[tuple[str, str, Callable[[], bytes]]], basename: str, key: str, lg: str) -> None:
    """A toggle that opens one download button per (file kind, label, maker); files are made on click.

    The buttons appear only when asked for: each registers a deferred file with Streamlit's
    media manager, and eight of them were ~15 ms of every map rerun's ~50 ms of server CPU.
    """
    kinds = ", ".join(label for _, label, _ in items)
    if not st.toggle(t("download_open", lg, kinds=kinds), key=f"dlopen_{key}"):
        return
    for col, (kind, label, make) in zip(st.columns(len(items)), items, strict=True):
        col.download_button(
            f"⬇ {label}",
            data=make,
            file_name=f"{basename}.{kind}",
            mime=MIME[kind],
            key=f"dl_{key}_{kind}",
            on_click="ignore",
        )


def table_downloads(df: pl.DataFrame, basename: str, lg: str, key: str) -> None:
    """A table as CSV, XLSX and Parquet (formulas neutralised in CSV/XLSX)."""
    items = [(k, t(f"download_table_{k}", lg), lambda k=k: table_bytes(df, k)) for k in ("csv", "xlsx", "parquet")]
    _download_row(items, basename, key, lg)


def image_bytes(fig: go.Figure, kind: str, lang: str = "en") -> bytes:
    """SVG, or PNG at print resolution (3×), via kaleido and the system Chromium. Restyles `fig`
    for print: give it a figure of its own (the downloads pass `FigureSpec.fresh()`).

    Kaleido's plotly.js would fetch the world base map from a CDN: point it at our empty
    local layers so exports work offline (the map's own geometry is embedded in the figure).
    """
    import plotly.io as pio

    from ektp import charts

    pio.defaults.topojson = (settings.ROOT / "static" / "topojson").as_uri() + "/"
    charts.for_print(fig, lang=lang)  # titles and sources in long lines across 1,200 px
    if kind == "svg":
        return fig.to_image(format="svg", width=1200, height=fig.layout.height or 600)
    return fig.to_image(format="png", width=1200, height=fig.layout.height or 600, scale=3)


#: What a table cell shows where a figure is missing (Streamlit's default is the word "None").
GAP = "–"


def table(df: pl.DataFrame, lang: str | None = None, **kwargs: Any) -> None:
    """st.dataframe of a polars frame, handed over as Arrow: Streamlit serialises an Arrow
    table as it is, while a polars frame takes a detour through pandas (~9% of a map rerun).
    A missing figure shows as '–'. With `lang`, the numbers are counts and rates a reader
    compares (see `labelled`), written for the page's language (number_config)."""
    kwargs.setdefault("placeholder", GAP)
    if lang and isinstance(df, pl.DataFrame):
        kwargs.setdefault("column_config", number_config(df, lang, st.context.locale))
    st.dataframe(df.to_arrow() if isinstance(df, pl.DataFrame) else df, **kwargs)


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
    """A curated file's note or method in the reader's language; anything else as written."""
    from ektp import queries

    return None if text is None else queries.translations(lg).get(text, text)


def translated(df: pl.DataFrame, lg: str) -> pl.DataFrame:
    """The frame with its curated notes and methods (TRANSLATED) in the reader's language, under
    the same names: for a chart's hover, which shows them as they come."""
    from ektp import queries

    cols = [c for c in TRANSLATED if c in df.columns and df.schema[c] == pl.String]
    readings = dict(queries.translations(lg)) if cols else {}
    return df.with_columns(pl.col(c).replace(readings) for c in cols) if readings else df


def labelled(df: pl.DataFrame, columns: dict[str, str], lg: str) -> pl.DataFrame:
    """A frame as a reader's table: only `columns` (column → label in the reader's language),
    in that order and headed with a capital; a source in the reader's language (fmt.source),
    a curated note or method too (data_text)."""
    exprs = []
    for col, label in columns.items():
        expr = pl.col(col)
        if col == "source":
            expr = expr.map_elements(lambda s: fmt.source(s, lg), return_dtype=pl.String)
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


def _as_text(col: str, f: Callable[[Any], str]) -> pl.Expr:
    """A column written for the reader by `f` (nulls included: f says how a gap reads)."""
    return pl.col(col).map_elements(f, return_dtype=pl.String, skip_nulls=False)


def sourced_table(points: pl.DataFrame, lg: str, areas: bool = True) -> pl.DataFrame:
    """Published figures (queries.sourced_points) as a reader sees them: labelled columns in the
    reader's language, numbers written as the page writes them (14,0% / 1.234 in Indonesian),
    and '–' or an empty note, never 'None', where an article gave no such figure."""
    cols = [pl.col("region_name").alias(t("area", lg)), pl.col("region_code").alias(t("code", lg))] if areas else []
    return points.select(
        *cols,
        pl.col("as_of").alias(t("date", lg)),
        _as_text("recording_rate", lambda v: fmt.pct(v, lg, 2)).alias(t("metric_recording_rate", lg)),
        _as_text("unrecorded", lambda v: fmt.num(v, lg)).alias(t("unrecorded", lg)),
        pl.col("source").alias(t("source", lg)),
        _as_text("warnings", lambda w: fmt.notes(w, lg) or "").alias(t("warnings", lg)),
    )


def source_use(r: dict, lg: str) -> str:
    """Where a published source is used (a row of queries.sources): its tables, its row count
    and its dates, written the reader's way ("coverage (2 baris; 15 November 2013)")."""
    first, last = r["first"], r["last"]
    dates = fmt.date(first, lg) if first == last else f"{fmt.date(first, lg)} – {fmt.date(last, lg)}"
    return t("source_use", lg, tables=r["tables"], n=r["rows"], dates=dates)


def doc_body(text: str) -> str:
    """A Markdown document without its own title: the page heads it in the reader's language."""
    first, _, rest = text.lstrip().partition("\n")
    return rest.lstrip("\n") if first.startswith("#") else text


def md_text(text: str) -> str:
    """Text from the data shown through Markdown as it is: every ASCII punctuation mark escaped
    (a source's URL or '$' would otherwise turn into emphasis or a formula)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


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
        st.caption(f"⚠️ {t('warnings', lg)}:\n" + "\n".join("- " + md_text(x) for x in lines))


def alternatives_table(alts: pl.DataFrame, lg: str) -> pl.DataFrame:
    """Every source kept for one area and date (queries.sources_for), side by side as a reader
    compares them: labelled columns, the kind of source in words, numbers as the page writes
    them, and the rate an article printed beside the one its counts give."""
    return alts.select(
        _as_text("source_kind", lambda k: t(f"kind_{k}", lg)).alias(t("kind", lg)),
        # the rates first: in the detail's half column they are what a reader compares
        _as_text("recording_rate", lambda v: fmt.pct(v, lg, 2)).alias(t("metric_recording_rate", lg)),
        _as_text("recorded_pct_reported", lambda v: fmt.pct(None if v is None else v / 100, lg, 2)).alias(
            t("rate_reported", lg)
        ),
        _as_text("source", lambda s: fmt.source(s, lg) or "–").alias(t("source", lg)),
        _as_text("eligible", lambda v: fmt.num(v, lg)).alias(t("eligible", lg)),
        _as_text("recorded", lambda v: fmt.num(v, lg)).alias(t("recorded", lg)),
        _as_text("unrecorded", lambda v: fmt.num(v, lg)).alias(t("unrecorded", lg)),
        _as_text("warnings", lambda w: fmt.notes(w, lg) or "").alias(t("warnings", lg)),
    )


def ranking_table(
    mv: Any,
    metric: str,
    lg: str,
    scheme: str | None = None,
    target: float | None = None,
    bins: tuple[float, ...] | None = None,
) -> pl.DataFrame:
    """A map's units ranked by the metric (worst first), with the columns in the reader's
    language and, given the map's `scheme`, each unit's colour class in words (colour is never
    the only carrier): made once per view, metric, classes and language, and shared (read only)."""
    return _ranking_table(mv.key, metric, lg, scheme, target, bins, mv)


@st.cache_resource(show_spinner=False, max_entries=256)
def _ranking_table(
    key: tuple, metric: str, lg: str, scheme: str | None, target: float | None, bins: tuple | None, _mv: Any
) -> pl.DataFrame:
    from ektp import charts

    rate = metric in charts.RATE_METRICS
    value = (pl.col(metric) * 100).round(2) if rate else pl.col(metric).round(0).cast(pl.Int64)
    df = _mv.df.with_columns(value=value)
    if scheme is not None:
        class_of = {
            c: cls["label"] for cls in charts.classify(_mv.df, metric, lg, scheme, target, bins) for c in cls["codes"]
        }
        df = df.with_columns(map_class=pl.col("code").replace_strict(class_of, default=None, return_dtype=pl.Utf8))
    columns = {
        "name": t("name", lg),
        # the value next to the name: in the map's narrow column a third column was cut off
        "value": t("metric_" + metric, lg),
        "map_class": t("map_class", lg),
        "code": t("code", lg),
        "eligible": t("eligible", lg),
        "recorded": t("recorded", lg),
        "as_of": t("date", lg),
        "is_synthetic": t("synthetic", lg),
        "source": t("source", lg),
    }
    if scheme is None:
        columns.pop("map_class")
    frame = labelled(df, columns, lg)
    return frame.sort(frame.columns[1], descending=metric != "recording_rate", nulls_last=True)


def _value_text(v: float | None, metric: str, lg: str) -> str:
    if v is None:
        return "–"
    return fmt.pct(v, lg, 2) if metric == "recording_rate" else fmt.num(v, lg)


def target_rows(
    targets: pl.DataFrame, series_of: Callable[[str, str], pl.DataFrame], lg: str, today: dt.date
) -> list[dict]:
    """Each target (queries.targets) judged against its metric's series (`series_of(code,
    metric)`, queries.metric_series), as the Target page's chart and table show it."""
    from ektp.metrics import target_state

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
                "progress": state.progress,
                "status": p.status,
                "start": r["start_date"],
                "deadline": r["deadline"],
                "projected": p.projected_date,
                "reached": p.reached_date if p.status == "status_met" else None,
                "set_by": r["set_by"],
                "source": r["source"] or "–",
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


class FigureSpec:
    """A chart as its builder and inputs: `shared()` for the screen, `fresh()` for exports.

    Building a Plotly figure is the dearest part of a rerun (about 50 ms for 514 regencies,
    300 ms for 7,285 districts, mostly Plotly's property validation). The screen copy is built
    once per distinct input and shared by every session and rerun (st.cache_resource: no copy);
    st.plotly_chart only reads it. Exports may restyle a figure, so they always get a new one.
    """

    def __init__(
        self, builder: Callable[..., go.Figure], *args: Any, data_key: tuple | None = None, **kwargs: Any
    ) -> None:
        """`data_key`, when given, stands for the frames among args (their source's identity, e.g.
        queries.MapView.key): the cache then hashes the key, not the frames' contents."""
        self.builder, self.args, self.kwargs, self.data_key = builder, args, kwargs, data_key

    def fresh(self) -> go.Figure:
        return self.builder(*self.args, **self.kwargs)

    def shared(self) -> go.Figure:
        # a figure of 7,285 districts holds ~3 MB of Plotly objects: few of those are kept
        big = any(isinstance(a, pl.DataFrame) and a.height > BIG_FIGURE_ROWS for a in self.args)
        cached = _shared_big_figure if big else _shared_figure
        return cached(self.builder.__module__, self.builder.__qualname__, self.cache_key(), self.args, self.kwargs)

    def cache_key(self) -> tuple:
        """What the shared figure is cached under: every input, with the frames replaced by
        `data_key` when one is given."""
        args = self.args
        if self.data_key is not None:
            args = (self.data_key, *(None if isinstance(a, pl.DataFrame) else a for a in args))
        return args, tuple(sorted(self.kwargs.items()))


BIG_FIGURE_ROWS = 1000


def map_spec(
    mv: Any,
    view: str,
    metric: str,
    lg: str,
    title: str,
    source_line: str,
    target: float | None = None,
    scheme: str = "dukcapil",
    fixed_bins: tuple[float, ...] | None = None,
) -> FigureSpec:
    """The map as the page draws it: geometry by URL, framed to the file's bbox, cached under
    the view's data (queries.MapView). The benchmark times this same figure."""
    from ektp import charts, geo, queries

    return FigureSpec(
        charts.choropleth,
        mv.located,
        geo.static_url(view),
        metric,
        lg,
        title,
        source_line,
        target,
        scheme=scheme,
        bounds=geo.bounds(view),
        labels=queries.label_points(mv.codes) if len(mv.codes) <= charts.LABEL_UNITS else None,
        fixed_bins=fixed_bins,
        data_key=mv.key,
    )


@st.cache_resource(show_spinner=False)
def _geopack_js() -> str:
    """ektp/geopack.js without its comment lines and indentation: it goes with a session's first map."""
    lines = (settings.ROOT / "ektp" / "geopack.js").read_text(encoding="utf-8").splitlines()
    return "\n".join(ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("//"))


def geometry_loader(view: str, with_decoder: bool = True) -> str:
    """The HTML that has the browser load the view's packed geometry for the map drawn after it
    (ektp/geopack.js): 105 KB gzipped for the national districts instead of the GeoJSON's 260 KB.
    Without the decoder (a window that ran it already) it is only the call, ~270 bytes a rerun;
    a window without the decoder then lets Plotly fetch the GeoJSON itself."""
    from ektp import geo

    # JSON strings inside a <script>: no "<", so no "</script>" can ever close it early
    url, pack = (json.dumps(u).replace("<", "\\u003c") for u in (geo.static_url(view), geo.pack_url(view)))
    call = f"window.ektpGeoPack&&window.ektpGeoPack.load({url},{pack});"
    script = f"{_geopack_js()}\n{call}" if with_decoder else call
    return (  # the element shows nothing: its container leaves the column's flow (no gap above the map)
        "<style>.stElementContainer:has(.ektp-geo-loader){display:none}</style>"
        f'<span class="ektp-geo-loader"></span><script>{script}</script>'
    )


#: Links each chart to the sentence above it as its accessible description: a chart whose element
#: follows a sentence's container (`said`) gets role="figure" and aria-describedby that sentence.
#: Streamlit gives no way to set ARIA on its chart element, so this runs in the page (once). No
#: "<" may stand in the script: st.html then does not run it (seen here with a loop's "i<4").
SAID_LINKER = (
    "<style>.stElementContainer:has(.ektp-said-linker){display:none}</style>"
    '<span class="ektp-said-linker"></span>'
    "<script>(function(){if(window.__ektpSaid)return;window.__ektpSaid=true;"
    "function link(){document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').forEach(function(ch){"
    "var box=ch.closest('[data-testid=\"stElementContainer\"]')||ch;var p=box.previousElementSibling;"
    "for(var i=0;p&&i!==4;i++,p=p.previousElementSibling){var s=p.matches('[class*=\"st-key-said_\"]')?p:"
    "p.querySelector('[class*=\"st-key-said_\"]');if(s){var t=s.querySelector('p')||s;"
    "if(!t.id){t.id='ektp-'+(s.className.match(/st-key-(said_[0-9]+)/)||[0,'said'])[1];}"
    "ch.setAttribute('role','figure');ch.setAttribute('aria-describedby',t.id);return;}}});}"
    "new MutationObserver(link).observe(document.body,{childList:true,subtree:true});link();})();</script>"
)


def said(text: str) -> None:
    """A chart's sentence: shown right above the chart and linked to it as its accessible
    description (SAID_LINKER), so a screen reader says it with the chart."""
    n = st.session_state.get("_said_n", 0) + 1
    st.session_state["_said_n"] = n
    with st.container(key=f"said_{n}"):
        st.markdown(safe_text(text))
    if n == 1:
        st.html(SAID_LINKER, unsafe_allow_javascript=True)


def show_geometry_loader(view: str) -> None:
    """Put the geometry loader on the page, before the map it serves: the decoder goes with the
    session's first map, as the window keeps it (a reload is a new session)."""
    first = not st.session_state.get("_geopack_sent")
    st.html(geometry_loader(view, with_decoder=first), unsafe_allow_javascript=True)
    st.session_state["_geopack_sent"] = True


# the leading underscores keep Streamlit from hashing the inputs twice: `key` stands for them
@st.cache_resource(max_entries=128, show_spinner=False)
def _shared_figure(module: str, name: str, key: tuple, _args: tuple, _kwargs: dict) -> go.Figure:
    return _build_figure(module, name, _args, _kwargs)


@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_big_figure(module: str, name: str, key: tuple, _args: tuple, _kwargs: dict) -> go.Figure:
    return _build_figure(module, name, _args, _kwargs)


def _build_figure(module: str, name: str, args: tuple, kwargs: dict) -> go.Figure:
    import importlib

    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def figure_downloads(
    export_fig: Callable[[], go.Figure],
    data: pl.DataFrame,
    basename: str,
    lg: str,
    key: str,
    sentence: str | None = None,
) -> None:
    """SVG, print PNG, standalone HTML and the chart's data as CSV. Images are made on click;
    the chart's sentence (`said`) goes with the figure, after its title."""
    if sentence:
        from ektp import charts

        bare = export_fig

        def export_fig() -> go.Figure:
            return charts.with_sentence(bare(), sentence)

    # SVG and PNG are drawn by kaleido, which starts a Chromium on the server: never for a public
    # request (two anonymous clicks could hold both cores); there the chart's camera button makes
    # the PNG in the reader's own browser, and the HTML file is the chart itself
    images = [] if settings.is_public() else [
        ("svg", t("download_svg", lg), lambda: image_bytes(export_fig(), "svg", lg)),
        ("png", t("download_png", lg), lambda: image_bytes(export_fig(), "png", lg)),
    ]  # fmt: skip
    items = [
        *images,
        (
            "html",
            t("download_html", lg),
            lambda: export_fig().to_html(include_plotlyjs=True, full_html=True, config=plotly_config(lg)).encode(),
        ),
        ("csv", t("download_csv", lg), lambda: table_bytes(data, "csv")),
    ]
    _download_row(items, basename, key, lg)
    if settings.is_public():
        st.caption(t("download_png_public", lg))


PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "responsive": True,
    # empty base layers served locally: plotly.js would otherwise fetch them from a CDN
    "topojsonURL": "app/static/topojson/",
}


def plotly_config(lg: str) -> dict[str, Any]:
    """The chart config for a page's language: Indonesian gets its month names and separators
    from a locale passed with the chart (plotly.js in Streamlit knows English only)."""
    if lg != "id":
        return PLOTLY_CONFIG
    return {**PLOTLY_CONFIG, "locale": "id", "locales": {"id": {"format": fmt.PLOTLY_FORMAT_ID}}}


def page_links(lg: str) -> None:
    st.sidebar.markdown(f"**{t('pages', lg)}**")
    for path, key, icon in PAGES + ([] if settings.is_public() else [LOAD_PAGE]):
        st.sidebar.page_link(path, label=t(key, lg), icon=icon, query_params={"lang": lg})


def guarded(body: Callable[[], None]) -> None:
    """Run a page body; in public mode an error shows a friendly message, never a traceback."""
    try:
        body()
    except Exception:
        if settings.is_public():
            st.error(t("error_page", lang()))
        else:
            raise


def fragment(fn: Callable[..., None]) -> Callable[..., None]:
    """st.fragment with `guarded`'s public-mode rule: a widget inside reruns only this part of
    the page (no map rebuild, no full delta stream), and its errors never show a traceback."""
    import functools

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        guarded(lambda: fn(*args, **kwargs))

    return st.fragment(run)
