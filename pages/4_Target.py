"""Targets: every target with progress, status (met / on track / at risk / missed) and projection."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from ektp import charts, fmt, queries, ui
from ektp.i18n import t
from ektp.metrics import progress_share, project


def value_text(v: float | None, metric: str, lg: str) -> str:
    if v is None:
        return "–"
    return fmt.pct(v, lg, 2) if metric == "recording_rate" else fmt.num(v, lg)


lg = ui.setup("page_targets")


def body() -> None:
    area = ui.page_header("page_targets", lg)
    if area is None:
        return
    show_synth = st.sidebar.toggle(t("synthetic", lg), value=True, key="w_show_synth")
    ui.show_invalid_notice(lg)
    tg = queries.targets(area)
    if not show_synth:
        tg = tg.filter(~pl.col("is_synthetic"))
    today = dt.date.today()
    rows = []
    for r in tg.iter_rows(named=True):
        s = queries.metric_series(r["region_code"], r["metric"])
        pts = list(zip(s["as_of"].to_list(), s["value"].to_list(), strict=True))
        p = project(pts, r["target_value"], r["metric"], r["deadline"], today)
        start_pts = [v for d, v in pts if d <= r["start_date"]]
        baseline = r["baseline_value"] if r["baseline_value"] is not None else (start_pts[-1] if start_pts else None)
        used_synth = (
            bool(s.filter(pl.col("as_of") <= (p.latest_date or today))["is_synthetic"].tail(1).any())
            if s.height
            else False
        )
        rows.append(
            {
                # one bar per target: a sourced and a synthetic target of one area stay apart
                "label": f"{r['region_name']} · {t('metric_name_' + r['metric'], lg)}"
                + (f" ({t('synthetic', lg)})" if r["is_synthetic"] else "")
                + (f" · {fmt.date(r['deadline'], lg)}" if r["deadline"] else ""),
                "region": r["region_name"],
                "metric": t("metric_name_" + r["metric"], lg),
                "target_text": value_text(r["target_value"], r["metric"], lg)
                + (
                    f" ({t('minimum', lg)} {value_text(r['minimum_value'], r['metric'], lg)})"
                    if r["minimum_value"] is not None
                    else ""
                ),
                "baseline": value_text(baseline, r["metric"], lg),
                "current_text": value_text(p.latest_value, r["metric"], lg)
                + (f" ({fmt.date(p.latest_date, lg)})" if p.latest_date else ""),
                "progress": progress_share(baseline, p.latest_value, r["target_value"], r["metric"]),
                "status": p.status,
                "start": r["start_date"],
                "deadline": r["deadline"],
                "projected": p.projected_date,
                "set_by": r["set_by"],
                "source": r["source"] or "–",
                "target_synthetic": r["is_synthetic"],
                "value_synthetic": used_synth,
            }
        )
    if not rows:
        st.info(t("no_data", lg))
        return
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    cols = st.columns(max(1, len(counts)))
    for col, (k, n) in zip(cols, sorted(counts.items()), strict=True):
        col.metric(fmt.capital(t(k, lg)), n)
    src = "; ".join(sorted({r["source"] for r in rows if not r["target_synthetic"]}))
    title = t("page_targets", lg) + " — " + ui.area_name(area, lg)
    line = t("figure_source", lg, sources=(src or "–") + "; " + t("synthetic_marker", lg), date=fmt.date(today, lg))
    sorted_rows = sorted(rows, key=lambda r: (r["target_synthetic"], r["status"], r["label"]))[:40]

    fig = ui.FigureSpec(charts.targets_progress, sorted_rows, lg, title, line)
    st.plotly_chart(fig.shared(), config=ui.PLOTLY_CONFIG, key="targets_chart")
    table = pl.DataFrame(
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
    ui.table(table, hide_index=True, width="stretch")
    st.caption(ui.marker([r["target_synthetic"] or r["value_synthetic"] for r in rows], lg))
    ui.figure_downloads(fig.fresh, table, f"target_{area}", lg, "targets")


ui.guarded(body)
