"""Blank cards and invalid cards: stock with runway, and the register of destructions."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from ektp import charts, ui
from ektp.analysis import metrics, summary
from ektp.data import queries
from ektp.text import fmt
from ektp.text.i18n import t

lg = ui.setup("page_blanks")


def stock_labels() -> dict[str, str]:
    """Headers of the stock columns both tables show."""
    return {
        "region_name": t("area", lg),
        "as_of": t("date", lg),
        "received": t("received", lg),
        "used": t("used", lg),
        "damaged": t("damaged", lg),
        "remaining": t("blanks_in_stock", lg),
    }


def stock_view(area: str, area_name: str, series: pl.DataFrame, as_of: dt.date) -> None:
    """Blanks in stock and their runway on `as_of`: the tiles, the stock chart with the
    published figures as markers, its downloads and each area's runway."""
    latest = queries.blanko_latest(area, as_of)
    stock = latest["remaining"].drop_nulls()
    runway = metrics.runway_days(latest["remaining"].to_list(), latest["daily_use_90d"].to_list())
    c = st.columns(3)
    c[0].metric(t("blanks_in_stock", lg), fmt.num(stock.sum() if stock.len() else None, lg))
    c[1].metric(
        t("runway", lg),
        t("days", lg, days=fmt.num(runway, lg)) if runway is not None else "–",
        help=t("runway_days", lg, days=fmt.num(runway, lg)),
    )
    c[2].metric(t("date", lg), fmt.date(as_of, lg, "short"))  # the long form was cut off
    st.caption(ui.marker(latest["is_synthetic"].to_list(), lg))
    title = t("blanko_title", lg, area=area_name)
    # the chart, its source line and its data file end at the page's date: a 2019 view cited
    # the 2020 article and its CSV held the series to 2025
    until = queries.blanko_series(area, until=as_of)
    own_until = queries.blanko_published(area, own_area=True, until=as_of)
    srcs = fmt.sourced(latest, own_until)
    line = t(
        "figure_source",
        lg,
        sources="; ".join(srcs) + ("; " if srcs else "") + t("synthetic_marker", lg),
        date=fmt.date(as_of, lg),
    )
    said = summary.series_sentence(until, "remaining", t("blanks_in_stock", lg), area_name, lg)
    if said:  # what the chart shows, in words, above it
        ui.said(said)
    fig = ui.FigureSpec(charts.blanko_stock, until, lg, title, line, own_until)
    st.plotly_chart(fig.shared(), config=ui.plotly_config(lg), key="blanko")
    ui.figure_downloads(fig.fresh, until, f"blangko_{area}_{as_of}", lg, "blanko", sentence=said)
    st.markdown(f"**{t('runway', lg)}**")
    runway_table = ui.labelled(
        latest,
        {
            **stock_labels(),
            "runway_days": t("runway", lg),
            "is_synthetic": t("synthetic", lg),
            "source": t("source", lg),
            "note": t("note", lg),
        },
        lg,
    )
    ui.table(runway_table, lang=lg, hide_index=True, width="stretch")


def published_view(area: str) -> None:
    """The stock figures the articles printed, each with its source."""
    published = queries.blanko_published(area)
    if published.height:
        st.markdown(f"**{t('published_blanko', lg)}**")
        labels = {**stock_labels(), "note": t("note", lg), "source": t("source", lg)}
        ui.table(ui.labelled(published, labels, lg), lang=lg, hide_index=True, width="stretch")


def destruction_view(area: str, area_name: str) -> None:
    """The register of destroyed cards: its sentence, the chart by year, the register and the
    totals per year and per area."""
    st.header(t("destruction_title", lg))
    reg = queries.destruction(area)
    if not reg.height:
        st.info(t("no_data", lg))
        return
    title = t("destruction_title", lg) + " — " + area_name
    line = t(
        "figure_source",
        lg,
        sources=fmt.sources_line(sorted(set(reg["source"].to_list())), lg, most=6),
        date=fmt.date(reg["event_date"].max(), lg),
    )
    dsaid = summary.destruction_sentence(reg, area_name, lg)
    if dsaid:
        ui.said(dsaid)
    dfig = ui.FigureSpec(charts.destruction_by_year, ui.translated(reg, lg), lg, title, line)
    st.plotly_chart(dfig.shared(), config=ui.plotly_config(lg), key="destruction")
    st.caption(ui.marker(reg["is_synthetic"].to_list(), lg))
    ui.figure_downloads(dfig.fresh, reg, f"pemusnahan_{area}", lg, "destruction", sentence=dsaid)
    destroyed_table = ui.labelled(
        ui.with_period(reg, lg),
        {
            "region_name": t("area", lg),
            "event_date": t("date", lg),
            "destroyed": t("destroyed", lg),
            "period": t("period", lg),
            "method": t("method", lg),
            "witnesses": t("witnesses", lg),
            "note": t("note", lg),
            "source": t("source", lg),
            "is_synthetic": t("synthetic", lg),
        },
        lg,
    )
    ui.table(destroyed_table, lang=lg, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    for col, by, head in ((c1, "year", "total_per_year"), (c2, "region", "total_per_region")):
        with col:
            st.markdown(f"**{t(head, lg)}**")
            totals = queries.destruction_totals(area, by)
            labels = {"key": t("year" if by == "year" else "area", lg), "destroyed": t("destroyed", lg)}
            ui.table(ui.labelled(totals, labels, lg), lang=lg, hide_index=True)


def body() -> None:
    area = ui.page_header("page_blanks", lg)
    if area is None:
        return
    series = queries.blanko_series(area)
    as_of = ui.date_choice(series["as_of"].to_list(), lg)
    ui.show_invalid_notice(lg)
    area_name = ui.area_name(area, lg)
    if as_of is not None:
        stock_view(area, area_name, series, as_of)
    published_view(area)
    st.divider()
    destruction_view(area, area_name)


ui.guarded(body)
