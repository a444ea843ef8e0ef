"""Pickup backlog: printed cards not collected, per office, by age, and burn-down to targets."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from ektp import charts, ui
from ektp.analysis import metrics, summary
from ektp.data import queries
from ektp.text import fmt
from ektp.text.i18n import t

lg = ui.setup("page_backlog")


def headline(offices: pl.DataFrame, reported: pl.DataFrame) -> None:
    """Cards waiting and the offices that report them (metrics.counted_offices), the oldest card
    any office reported, with the sourced/synthetic marker."""
    total = offices["awaiting_pickup"]
    c = st.columns(3)
    c[0].metric(t("awaiting_pickup", lg), fmt.num(total.sum() if total.len() else None, lg))
    c[1].metric(t("offices", lg), fmt.num(offices.height, lg))
    oldest = metrics.oldest_card(reported)
    c[2].metric(t("oldest_card", lg), fmt.date(oldest[0], lg, oldest[1]) if oldest else "–")
    st.caption(ui.marker(offices["is_synthetic"].to_list(), lg))


def offices_view(
    offices: pl.DataFrame, reported: pl.DataFrame, area: str, area_name: str, as_of: dt.date, title: str
) -> None:
    """Each office's cards waiting by age: its sentence, chart, downloads and table."""
    srcs = fmt.sourced(offices)
    src_line = t(
        "figure_source",
        lg,
        sources="; ".join(srcs) + ("; " if srcs else "") + t("synthetic_marker", lg),
        date=fmt.date(as_of, lg),
    )
    said = summary.backlog_offices_sentence(offices, area_name, lg, oldest=reported)
    if said:  # what the chart shows, in words, above it; it travels with the files
        ui.said(said)
    otitle = title + " — " + t("aging", lg)
    offices_fig = ui.FigureSpec(charts.backlog_offices, offices, lg, otitle, src_line)
    st.plotly_chart(offices_fig.shared(), config=ui.plotly_config(lg), key="offices")
    ui.figure_downloads(
        lambda: charts.backlog_offices(offices, lg, f"{otitle} — {said}" if said else otitle, src_line),
        offices,
        f"antrean_{area}_{as_of}",
        lg,
        "offices",
    )
    table = ui.labelled(
        offices,
        {
            "office": t("office", lg),
            "region_name": t("area", lg),
            "as_of": t("date", lg),
            "awaiting_pickup": t("awaiting_pickup", lg),
            "collected": t("collected", lg),
            "age_12m_plus": t("age_12m_plus", lg),
            "oldest_card_date": t("oldest_card", lg),
            "is_synthetic": t("synthetic", lg),
            "source": t("source", lg),
            "note": t("note", lg),
        },
        lg,
    )
    ui.table(table, lang=lg, hide_index=True, width="stretch")


def burndowns(area: str) -> None:
    """One burn-down chart per dated target the area itself set on the backlog or the unrecorded
    count; the targets of its units are listed with a link to each unit's page, not drawn as the
    area's (the national page opened on Kota Kupang's 2020 burn-down as if it were the nation's)."""
    st.header(t("burndown", lg))
    tg = queries.targets(area, ("pickup_backlog", "unrecorded_count"), dated_only=True)
    own = tg.filter(pl.col("region_code") == area)
    units = tg.filter(pl.col("region_code") != area)
    if not own.height:
        n = units["region_code"].n_unique()
        st.info(t("no_burndown_own", lg, area=ui.area_name(area, lg), n=n) if n else t("no_burndown", lg))
    for r in units.unique("region_code", maintain_order=True).iter_rows(named=True):
        st.page_link(
            "pages/3_Antrean_pengambilan.py",
            label=t(
                "burndown_of",
                lg,
                name=r["region_name"],
                start=fmt.date(r["start_date"], lg),
                deadline=fmt.date(r["deadline"], lg),
            ),  # fmt: skip
            icon="📉",
            query_params={"lang": lg, "area": r["region_code"]},
        )
    for r in own.iter_rows(named=True):
        window = queries.burndown_window(r["region_code"], r["metric"], r["start_date"], r["deadline"])
        baseline = (
            r["baseline_value"] if r["baseline_value"] is not None else (window["value"][0] if window.height else None)
        )
        if baseline is None:
            continue
        btitle = f"{r['region_name']}: {t('metric_name_' + r['metric'], lg)} {fmt.num(baseline, lg)} → {fmt.num(r['target_value'], lg)} ({fmt.date(r['start_date'], lg)} – {fmt.date(r['deadline'], lg)})"
        bsrc = t(
            "figure_source",
            lg,
            sources=(fmt.source(r["source"], lg) or r["set_by"] or "–")
            + ("; " + t("synthetic_marker", lg) if window["is_synthetic"].any() else ""),
            # the last figure drawn (a burn-down runs past its deadline), not the deadline
            date=fmt.date(window["as_of"].max() if window.height else r["deadline"], lg),
        )

        bsaid = summary.series_sentence(window, "value", t("metric_name_" + r["metric"], lg), r["region_name"], lg)
        if bsaid:
            ui.said(bsaid)
        burn = ui.FigureSpec(
            charts.burndown, window, baseline, r["target_value"], r["start_date"], r["deadline"], lg, btitle, bsrc
        )
        st.plotly_chart(burn.shared(), config=ui.plotly_config(lg), key=f"burn_{r['region_code']}_{r['metric']}")
        st.caption(
            ui.marker(window["is_synthetic"].to_list() + [r["is_synthetic"]], lg)
            + (f" · {ui.data_text(r['note'], lg)}" if r["note"] else "")
        )
        ui.figure_downloads(
            burn.fresh,
            window,
            f"burndown_{r['region_code']}_{r['metric']}",
            lg,
            f"burn_{r['region_code']}_{r['metric']}",
            sentence=bsaid,
        )


def trend_view(series: pl.DataFrame, area: str, area_name: str, as_of: dt.date, title: str) -> None:
    """Cards waiting over time up to the page's date (as the Blanks page draws its stock), with
    its sentence, sources and downloads: a 2019 view drew the line to 2025 and cited 2020."""
    series = series.filter(pl.col("as_of") <= as_of)
    trend_src = t(
        "figure_source",
        lg,
        sources="; ".join(
            [fmt.source(x, lg) or "–" for x in queries.backlog_series_sources(area, as_of)]
            + ([t("synthetic_marker", lg)] if series["is_synthetic"].any() else [])
        )
        or "–",
        date=fmt.date(as_of, lg),
    )
    tsaid = summary.series_sentence(series, "awaiting_pickup", t("awaiting_pickup", lg), area_name, lg)
    if tsaid:
        ui.said(tsaid)
    trend = ui.FigureSpec(charts.backlog_trend, series, lg, title, trend_src)
    st.plotly_chart(trend.shared(), config=ui.plotly_config(lg), key="backlog_trend")
    st.caption(ui.marker(series["is_synthetic"].to_list(), lg))
    ui.figure_downloads(trend.fresh, series, f"antrean_tren_{area}", lg, "backlog_trend", sentence=tsaid)


def body() -> None:
    area = ui.page_header("page_backlog", lg)
    if area is None:
        return
    series = queries.backlog_series(area)
    as_of = ui.date_choice(series["as_of"].to_list(), lg)
    ui.show_invalid_notice(lg)
    if as_of is None:
        st.info(t("no_data", lg))
        return
    area_name = ui.area_name(area, lg)
    reported = queries.backlog_latest(area, as_of)
    offices = metrics.counted_offices(reported)  # one count for the tile, the sentence and the chart
    title = t("backlog_title", lg, area=area_name)
    headline(offices, reported)
    offices_view(offices, reported, area, area_name, as_of, title)
    burndowns(area)
    trend_view(series, area, area_name, as_of, title)


ui.guarded(body)
