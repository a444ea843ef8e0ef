"""Downloads: tables as CSV/XLSX/Parquet, figures as SVG/PNG (internal instance only: kaleido
starts a browser), HTML and their data; the chart config per language.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ektp.core import settings, spreadsheet
from ektp.text import fmt
from ektp.text.i18n import t


def report_lines(lg: str, *said: str | None) -> list[str]:
    """The lines under a planner's sheet title: what is said (sentence, source and date), then
    when it was made and the licences of the boundaries and codes."""
    import datetime as dt

    made = t("report_made", lg, date=fmt.date(dt.date.today(), lg))
    return [s for s in said if s] + [made, t("reader_boundaries", lg), t("codes_licence", lg)]


def ranking_report(d: Any, said: list[str | None]) -> bytes:
    """A map's ranking as a planner's XLSX: the view model's ranking as the page shows it
    (ui.ranking_table: headers in its language, each unit's class in words, yes/no in words),
    the rate as a percentage, under the map's title, its sentence and source line, the date it
    was made and the licences."""
    from ektp.analysis.metrics import RATE_METRICS
    from ektp.ui.tables import ranking_table

    lg, metric = d.choice.lang, d.choice.metric
    table = ranking_table(d)
    synthetic = fmt.capital(t("synthetic", lg))
    if synthetic in table.columns:
        words = {True: t("cell_yes", lg), False: t("cell_no", lg)}
        table = table.with_columns(pl.col(synthetic).replace_strict(words, default=None, return_dtype=pl.Utf8))
    percent = (fmt.capital(t("metric_" + metric, lg)),) if metric in RATE_METRICS else ()
    return spreadsheet.report_xlsx(table, d.title, report_lines(lg, *said), percent)


def table_bytes(df: pl.DataFrame, kind: str) -> bytes:
    """A table as a file: CSV and XLSX through ektp.core.spreadsheet (nothing from a file runs)."""
    if kind == "csv":
        return spreadsheet.csv_bytes(df)
    if kind == "xlsx":
        return spreadsheet.xlsx_bytes(df)
    if kind == "parquet":
        buf = io.BytesIO()
        df.write_parquet(buf)
        return buf.getvalue()
    raise ValueError(kind)


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


#: A column that holds a row's source as stored: for an office's file, its name and row.
_SOURCE_COLUMN = re.compile(r"(^|_)source$")


def cited_sources(df: pl.DataFrame, lg: str) -> pl.DataFrame:
    """On the public instance, a table's sources as a reader cites them (fmt.source: an office's
    file as "an office file", the synthetic fill as such, an article as it is), in a file as on
    the page: the chart data of Trends and Backlog and the Data page's tables carried each row's
    file and row ("synthetic/coverage_synthetic.parquet row 8549"). The internal instance's files
    keep them as stored, for the operators who trace a figure to its row."""
    if not settings.is_public():
        return df
    cols = [c for c, d in df.schema.items() if d == pl.String and _SOURCE_COLUMN.search(c)]
    # made in Python, not as a polars UDF (ui.tables._as_text says why)
    return df.with_columns(pl.Series(c, [fmt.source(v, lg) for v in df[c].to_list()], dtype=pl.String) for c in cols)


def table_downloads(
    df: pl.DataFrame, basename: str, lg: str, key: str, title: str | None = None, lines: list[str] | None = None
) -> None:
    """A table as CSV, XLSX and Parquet (formulas neutralised in CSV/XLSX); given a `title`, the
    XLSX opens with it and `lines` (source, date, licence) above the table (report_xlsx)."""

    def xlsx() -> bytes:
        if title is None:
            return table_bytes(cited_sources(df, lg), "xlsx")
        return spreadsheet.report_xlsx(cited_sources(df, lg), title, lines or [])

    makers = {
        "csv": lambda: table_bytes(cited_sources(df, lg), "csv"),
        "xlsx": xlsx,
        "parquet": lambda: table_bytes(cited_sources(df, lg), "parquet"),
    }
    items = [(k, t(f"download_table_{k}", lg), makers[k]) for k in ("csv", "xlsx", "parquet")]
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


def figure_html(fig: go.Figure, lg: str, basename: str) -> bytes:
    """The chart as one self-contained HTML file (plotly.js inside, no network) whose toolbar
    has, beside the camera (PNG), a button that saves the chart as SVG: plotly.js draws it in
    the reader's own browser, so an instance without Chromium still gives every chart as SVG."""
    config = plotly_config(lg)
    button = (
        "var gd=document.getElementById('{plot_id}');"
        f"var cfg={json.dumps(config)};"
        "cfg.modeBarButtonsToAdd=[{name:'ektp-svg',"
        f"title:{json.dumps(t('download_svg_button', lg))},icon:Plotly.Icons.disk,"
        "click:function(g){return Plotly.downloadImage(g,{format:'svg',"
        f"filename:{json.dumps(basename)},width:g._fullLayout.width,height:g._fullLayout.height}})}}}}];"
        "return Plotly.react(gd,gd.data,gd.layout,cfg);"
    )
    return fig.to_html(include_plotlyjs=True, full_html=True, config=config, post_script=button).encode()


def browser_available() -> bool:
    """Whether kaleido can find a Chromium to draw a chart's SVG/PNG on this machine."""
    import shutil

    return any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def figure_downloads(
    export_fig: Callable[[], go.Figure] | None,
    data: pl.DataFrame,
    basename: str,
    lg: str,
    key: str,
    sentence: str | None = None,
    images: Callable[[str], bytes] | None = None,
    report: Callable[[], bytes] | None = None,
) -> None:
    """SVG, print PNG, standalone HTML and the chart's data as CSV. Images are made on click;
    the chart's sentence (`said`) goes with the figure, after its title. `images` (kind → bytes:
    svg, png, html) draws all three without a browser, on either instance: maps, whose files are
    the view model's drawing (ektp.mapview), not `export_fig`'s Plotly figure."""
    if sentence and export_fig is not None:
        from ektp import charts

        bare = export_fig

        def export_fig() -> go.Figure:
            return charts.with_sentence(bare(), sentence)

    # Other charts' SVG and PNG are drawn by kaleido, which starts a Chromium on the server: never
    # for a public request (two anonymous clicks could hold both cores), nor where there is none;
    # there the chart's camera button makes the PNG in the reader's own browser, and the HTML
    # file is the chart itself
    if images is not None:
        drawn = [(kind, t(f"download_{kind}", lg), lambda kind=kind: images(kind)) for kind in ("svg", "png")]
    elif settings.is_public() or not browser_available():
        drawn = []
    else:
        drawn = [
            ("svg", t("download_svg", lg), lambda: image_bytes(export_fig(), "svg", lg)),
            ("png", t("download_png", lg), lambda: image_bytes(export_fig(), "png", lg)),
        ]
    items = [
        *drawn,
        (
            "html",
            t("download_html", lg),
            (lambda: images("html")) if images is not None else lambda: figure_html(export_fig(), lg, basename),
        ),
        ("csv", t("download_csv", lg), lambda: table_bytes(cited_sources(data, lg), "csv")),
        *([("xlsx", t("download_report_xlsx", lg), report)] if report is not None else []),
    ]
    _download_row(items, basename, key, lg)
    if not drawn:
        st.caption(t("download_png_public", lg))


def reader_link(query: str, lg: str) -> None:
    """A link to the view's reader page (/v/map, beside the pages): to share, embed or cite."""
    st.markdown(t("reader_link", lg, url=f"v/map?{query}"))


def area_link(code: str, lg: str) -> None:
    """A link to the area's page for readers (/v/wilayah/<code>): its figures, history and maps."""
    suffix = "" if lg == settings.default_lang() else f"?lang={lg}"
    st.markdown(t("area_link", lg, url=f"v/wilayah/{code}{suffix}"))


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
