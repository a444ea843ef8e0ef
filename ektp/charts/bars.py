"""Bar and funnel builders: offices by age of waiting cards, targets' progress, destructions per
year, the funnel."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from ektp.charts.style import (
    FUNNEL_SOURCE_WRAP,
    _finish,
    bar_row_px,
)
from ektp.text import fmt
from ektp.text.i18n import t

AGE_KEYS = ("age_0_3m", "age_3_6m", "age_6_12m", "age_12m_plus")
AGE_COLOURS = ("#fee391", "#fe9929", "#cc4c02", "#662506")


def backlog_offices(df: pl.DataFrame, lang: str, title: str, source_line: str, top: int = 20) -> go.Figure:
    """Cards awaiting pickup per office, stacked by age; offices with the oldest cards first.
    Past `top` offices the title says how many are drawn (a national chart draws 20 of 516)."""
    d = df.head(top)
    if df.height > top:
        title = f"{title} ({t('offices_shown', lang, shown=top, total=fmt.num(df.height, lang))})"
    # the area in brackets only where the office's name does not already say it
    labels = [
        o if n and n.lower() in o.lower() else f"{o} ({n})"
        for o, n in zip(d["office"].to_list(), d["region_name"].to_list(), strict=True)
    ]
    fig = go.Figure()
    has_ages = d.select([pl.col(k).is_not_null().any() for k in AGE_KEYS]).row(0)
    if any(has_ages):
        for key, colour in zip(AGE_KEYS, AGE_COLOURS, strict=True):
            fig.add_trace(go.Bar(y=labels, x=d[key].to_list(), orientation="h", name=t(key, lang), marker_color=colour))
        # offices that report a total without age buckets still show their total
        unknown = [
            a if a is not None and all(r[k] is None for k in AGE_KEYS) else None
            for a, r in zip(d["awaiting_pickup"].to_list(), d.iter_rows(named=True), strict=True)
        ]
        if any(v is not None for v in unknown):
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=unknown,
                    orientation="h",
                    name=fmt.capital(t("age_unknown", lang)),
                    marker_color="#9e9e9e",
                )
            )
    else:
        fig.add_trace(
            go.Bar(
                y=labels,
                x=d["awaiting_pickup"].to_list(),
                orientation="h",
                name=t("awaiting_pickup", lang),
                marker_color="#cc4c02",
            )
        )
    notes = []
    for lab, oldest, prec, awaiting in zip(
        labels,
        d["oldest_card_date"].to_list(),
        d["oldest_card_precision"].to_list(),
        d["awaiting_pickup"].to_list(),
        strict=True,
    ):
        if oldest is not None:
            notes.append(
                (
                    lab,
                    f"{t('oldest_card', lang)}: {fmt.date(oldest, lang, prec or 'day')}"
                    + ("" if awaiting is not None else " · n/a"),
                )
            )
    for lab, text in notes:
        fig.add_annotation(
            y=lab,
            x=0,
            text=text,
            showarrow=False,
            xanchor="left",
            font={"size": 10, "color": "#111"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    fig.update_xaxes(gridcolor="#eee")  # the title names the measure; an axis title would meet the source line
    # ~30 px a bar: its label over it (thinner bars lost every other office's label)
    return _finish(fig, title, source_line, max(420, 240 + bar_row_px(labels, 30) * len(labels)), lang=lang)


#: The targets chart's height: title, axis, legend and source (~260 px), then a row per target
#: with room for its label over its bar (at 30 px a row, five targets left ~22 px and the labels
#: ran into the bars above them).
TARGETS_BASE_PX, TARGETS_ROW_PX = 260, 34


def targets_progress(rows: list[dict], lang: str, title: str, source_line: str) -> go.Figure:
    """Progress per target: the share of the gap from its baseline to the target closed
    (metrics.progress_share), coloured by status; the dotted line at 100% is the target."""
    colours = {
        "status_met": "#542788",
        "status_on_track": "#998ec3",
        "status_at_risk": "#f1a340",
        "status_missed": "#b35806",
        "status_no_deadline": "#bbbbbb",
        "status_no_data": "#dddddd",
    }
    fig = go.Figure()
    for status, colour in colours.items():
        sel = [r for r in rows if r["status"] == status]
        if not sel:
            continue
        fig.add_trace(
            go.Bar(
                y=[r["label"] for r in sel],
                x=[min(max(r["progress"] or 0, 0), 1.5) * 100 for r in sel],  # drawn within 0–150%
                orientation="h",
                marker_color=colour,
                name=fmt.capital(t(status, lang)),
                customdata=[[r["current_text"], r["target_text"]] for r in sel],
                hovertemplate="%{y}<br>"
                + t("current", lang)
                + ": %{customdata[0]}<br>"
                + t("target", lang)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    fig.add_vline(x=100, line={"dash": "dot", "color": "#333"})
    fig.update_xaxes(title=t("progress_axis", lang), ticksuffix="%", gridcolor="#eee")
    fig.update_layout(yaxis={"autorange": "reversed"})
    row_px = bar_row_px([r["label"] for r in rows], TARGETS_ROW_PX)
    return _finish(fig, title, source_line, TARGETS_BASE_PX + row_px * len(rows), lang=lang)


#: A destruction bar's width in years.
DESTRUCTION_BAR_YEARS = 0.6


def destruction_by_year(df: pl.DataFrame, lang: str, title: str, source_line: str) -> go.Figure:
    """Cards destroyed per event year, stacked by area. Each bar stays inside its year
    (DESTRUCTION_BAR_YEARS; Plotly sizes bars by the gap between x values, and two events three
    years apart drew 2.4-year bars, one seeming to cover 2017–2019), and the axis spans exactly
    the years drawn."""
    fig = go.Figure()
    for (name,), part in df.sort("year").group_by("region_name", maintain_order=True):
        fig.add_trace(
            go.Bar(
                x=part["year"].to_list(),
                y=part["destroyed"].to_list(),
                width=DESTRUCTION_BAR_YEARS,
                name=name,
                customdata=[
                    [fmt.date(d, lang), m or "–", fmt.source(s, lang)]
                    for d, m, s in zip(
                        part["event_date"].to_list(), part["method"].to_list(), part["source"].to_list(), strict=True
                    )
                ],
                hovertemplate="%{x}: %{y:,}<br>%{customdata[0]} · %{customdata[1]}<br>%{customdata[2]}<extra>"
                + name
                + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    years = df["year"].drop_nulls()
    span = {"range": [years.min() - 0.5, years.max() + 0.5]} if years.len() else {}
    fig.update_xaxes(title=t("year", lang), dtick=1, tickformat="d", **span)  # "2018", never "2.018"
    fig.update_yaxes(title=t("destroyed", lang), gridcolor="#eee")
    return _finish(fig, title, source_line, 400, lang=lang)


def funnel_chart(steps: list[tuple[str, int | None]], lang: str, title: str, source_line: str) -> go.Figure:
    """Eligible → recorded → print-ready → printed → collected, with the gap at each step."""
    known = [(k, v) for k, v in steps if v is not None]
    texts = []
    prev = None
    for k, v in known:
        gap = "" if prev is None or k == "print_ready" else f" ({t('gap', lang)} {fmt.num(prev - v, lang)})"
        texts.append(fmt.num(v, lang) + gap)
        if k != "print_ready":
            prev = v
    fig = go.Figure(
        go.Funnel(
            y=[t(k, lang) for k, _ in known],
            x=[v for _, v in known],
            text=texts,
            textinfo="text",
            marker={"color": ["#542788", "#998ec3", "#d8daeb", "#f1a340", "#b35806"][: len(known)]},
        )
    )
    return _finish(fig, title, source_line, 380, wrap=FUNNEL_SOURCE_WRAP, title_wrap=40, lang=lang)
