"""Trends: recording rate over time for several areas, with targets and projections."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ektp import charts, ui
from ektp.analysis import summary
from ektp.data import queries
from ektp.text import fmt
from ektp.text.i18n import t

lg = ui.setup("page_trends")


def body() -> None:
    area = ui.page_header("page_trends", lg)
    if area is None:
        return
    provinces = queries.regions("province")
    regencies = queries.regions("regency")
    names = (
        {"00": t("national", lg)}
        | dict(zip(provinces["code"].to_list(), provinces["name"].to_list(), strict=True))
        | dict(zip(regencies["code"].to_list(), regencies["name"].to_list(), strict=True))
    )
    default = [area] if area != "00" else ["00"]
    if area == "15":
        default = ["15", "15.03"]
    codes = ui.multi_choice(
        "regions", list(names), default, t("regions", lg), format_func=lambda c: f"{names[c]} ({c})"
    )
    ui.show_invalid_notice(lg)
    if not codes:
        st.info(t("no_data", lg))
        return
    series = queries.series(codes)
    points = queries.sourced_points(codes)
    tg = queries.targets(area, ("recording_rate",))
    target_lines, projections, notes = summary.trend_targets(codes, names, series, tg, lg, dt.date.today())
    title = t("trend_title", lg, regions=", ".join(names[c] for c in codes))
    srcs = fmt.sources_line(sorted(set(points["source"].drop_nulls().to_list())), lg)
    source_line = t(
        "figure_source",
        lg,
        sources=srcs + ("; " if srcs else "") + t("synthetic_marker", lg),
        date=fmt.date(series["as_of"].max(), lg) if series.height else "–",
    )

    sentence = summary.trend_sentence(series, names, lg)
    if sentence:  # what the chart shows, in words, above it
        ui.said(sentence)
    fig = ui.FigureSpec(charts.trend, series, points, lg, title, source_line, target_lines, projections)
    st.plotly_chart(fig.shared(), config=ui.plotly_config(lg), key="trend")
    said = f"{title} — {sentence}" if sentence else title  # the sentence travels with the files
    st.caption(ui.marker(series["is_synthetic"].to_list(), lg) + " · ◆ = " + t("sourced_marker", lg))
    for m in notes:
        st.markdown(m)
    ui.figure_downloads(
        lambda: charts.trend(series, points, lg, said, source_line, target_lines, projections),
        series,
        f"tren_{'_'.join(codes)}",
        lg,
        "trend",
    )
    if points.height:
        st.markdown(f"**{t('sources', lg)}**")
        ui.table(ui.sourced_table(points, lg), hide_index=True, width="stretch")
        ui.show_check_notes(points, lg)
    ui.show_former_areas([c[:2] for c in codes], lg)  # a split province's history, told apart


ui.guarded(body)
