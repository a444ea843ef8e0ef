"""Blank cards and invalid cards: stock with runway, and the register of destructions."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ektp import charts, fmt, queries, ui
from ektp.i18n import t

lg = ui.setup("page_blanks")


def body() -> None:
    area = ui.page_header("page_blanks", lg)
    if area is None:
        return
    series = queries.blanko_series(area)
    as_of = ui.date_choice(series["as_of"].to_list(), lg)
    ui.show_invalid_notice(lg)
    area_name = ui.area_name(area, lg)
    if as_of is not None:
        latest = queries.blanko_latest(area, as_of)
        stock = latest["remaining"].drop_nulls()
        use = latest["daily_use_90d"].drop_nulls()
        c = st.columns(3)
        c[0].metric(t("blanks_in_stock", lg), fmt.num(stock.sum() if stock.len() else None, lg))
        runway = (stock.sum() / use.sum()) if use.len() and use.sum() > 0 else None
        c[1].metric(
            t("runway", lg),
            t("days", lg, days=fmt.num(runway, lg)) if runway is not None else "–",
            help=t("runway_days", lg, days=fmt.num(runway, lg)),
        )
        c[2].metric(t("date", lg), fmt.date(as_of, lg, "short"))  # the long form was cut off
        st.caption(ui.marker(latest["is_synthetic"].to_list(), lg))
        title = t("blanko_title", lg, area=area_name)
        srcs = sorted({s for s in latest.filter(~pl.col("is_synthetic"))["source"].to_list() if s})
        line = t(
            "figure_source",
            lg,
            sources="; ".join(srcs) + ("; " if srcs else "") + t("synthetic_marker", lg),
            date=fmt.date(as_of, lg),
        )

        fig = ui.FigureSpec(charts.blanko_stock, series.filter(pl.col("as_of") <= as_of), lg, title, line)
        st.plotly_chart(fig.shared(), config=ui.PLOTLY_CONFIG, key="blanko")
        ui.figure_downloads(fig.fresh, series, f"blangko_{area}_{as_of}", lg, "blanko")
        st.markdown(f"**{t('runway', lg)}**")
        ui.table(
            latest.select(
                pl.col("region_name").alias(t("area", lg)),
                pl.col("as_of").alias(t("date", lg)),
                pl.col("received").alias(t("received", lg)),
                pl.col("used").alias(t("used", lg)),
                pl.col("damaged").alias(t("damaged", lg)),
                pl.col("remaining").alias(t("blanks_in_stock", lg)),
                pl.col("runway_days").round(0).alias(t("runway", lg)),
                pl.col("is_synthetic").alias(t("synthetic", lg)),
                pl.col("source").alias(t("source", lg)),
                pl.col("note").alias(t("note", lg)),
            ),
            hide_index=True,
            width="stretch",
        )
    st.divider()
    st.subheader(t("destruction_title", lg))
    reg = queries.destruction(area)
    if not reg.height:
        st.info(t("no_data", lg))
        return
    title = t("destruction_title", lg) + " — " + area_name
    line = t(
        "figure_source",
        lg,
        sources="; ".join(sorted(set(reg["source"].to_list()))),
        date=fmt.date(reg["event_date"].max(), lg),
    )

    dfig = ui.FigureSpec(charts.destruction_by_year, reg, lg, title, line)
    st.plotly_chart(dfig.shared(), config=ui.PLOTLY_CONFIG, key="destruction")
    st.caption(ui.marker(reg["is_synthetic"].to_list(), lg))
    ui.figure_downloads(dfig.fresh, reg, f"pemusnahan_{area}", lg, "destruction")
    ui.table(
        reg.select(
            pl.col("region_name").alias(t("area", lg)),
            pl.col("event_date").alias(t("date", lg)),
            pl.col("destroyed").alias(t("destroyed", lg)),
            pl.col("period_from").alias(t("period", lg) + " ≥"),
            pl.col("period_to").alias(t("period", lg) + " ≤"),
            pl.col("method").alias(t("method", lg)),
            pl.col("witnesses").alias(t("witnesses", lg)),
            pl.col("note").alias(t("note", lg)),
            pl.col("source").alias(t("source", lg)),
            pl.col("is_synthetic").alias(t("synthetic", lg)),
        ),
        hide_index=True,
        width="stretch",
    )
    c1, c2 = st.columns(2)
    c1.markdown(f"**{t('total_per_year', lg)}**")
    c1.dataframe(
        reg.group_by("year")
        .agg(pl.col("destroyed").sum())
        .sort("year")
        .rename({"year": t("year", lg), "destroyed": t("destroyed", lg)}),
        hide_index=True,
    )
    c2.markdown(f"**{t('total_per_region', lg)}**")
    c2.dataframe(
        reg.group_by("region_name")
        .agg(pl.col("destroyed").sum())
        .sort("destroyed", descending=True)
        .rename({"region_name": t("area", lg), "destroyed": t("destroyed", lg)}),
        hide_index=True,
    )


ui.guarded(body)
