"""Targets: every target with progress, status (met / on track / at risk / missed) and projection."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ektp import charts, ui
from ektp.analysis import summary
from ektp.analysis.metrics import attention_order, published_target_sources, status_counts
from ektp.data import queries
from ektp.text import fmt
from ektp.text.i18n import t

lg = ui.setup("page_targets")
#: Targets the chart draws at most (the sentence, tiles and table count every one).
CHART_ROWS = 40


def body() -> None:
    area = ui.page_header("page_targets", lg)
    if area is None:
        return
    show_synth = st.sidebar.toggle(t("synthetic", lg), value=True, key="w_show_synth")
    ui.show_invalid_notice(lg)
    tg = queries.targets(area, sourced_only=not show_synth)
    today = dt.date.today()
    rows = ui.target_rows(tg, queries.metric_series, lg, today)
    if not rows:
        st.info(t("no_data", lg))
        return
    counts = status_counts(rows)
    cols = st.columns(max(1, len(counts)))
    for col, (k, n) in zip(cols, counts.items(), strict=True):
        col.metric(fmt.capital(t(k, lg)), n)
    src = published_target_sources(rows)
    title = t("page_targets", lg) + " — " + ui.area_name(area, lg)
    as_of = max((r["latest"] for r in rows if r["latest"]), default=None)  # the data's date, not today's
    line = t("figure_source", lg, sources=(src or "–") + "; " + t("synthetic_marker", lg), date=fmt.date(as_of, lg))
    sorted_rows = sorted(rows, key=attention_order)[:CHART_ROWS]
    if len(rows) > CHART_ROWS:  # the chart draws the ones needing attention first, and says so
        title += " " + t("targets_shown", lg, shown=CHART_ROWS, n=len(rows))

    sentence = summary.targets_sentence(rows, lg)  # every target, as the tiles count them
    if sentence:  # what the chart shows, in words, above it
        ui.said(sentence)
    fig = ui.FigureSpec(charts.targets_progress, sorted_rows, lg, title, line)
    st.plotly_chart(fig.shared(), config=ui.plotly_config(lg), key="targets_chart")
    said = f"{title} — {sentence}" if sentence else title  # the sentence travels with the files
    table = ui.targets_table(rows, lg)
    ui.table(table, hide_index=True, width="stretch")
    st.caption(ui.marker([r["target_synthetic"] or r["value_synthetic"] for r in rows], lg))
    ui.figure_downloads(
        lambda: charts.targets_progress(sorted_rows, lg, said, line), table, f"target_{area}", lg, "targets"
    )


ui.guarded(body)
