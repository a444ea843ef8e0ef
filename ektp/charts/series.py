"""Time-series builders: trends with targets and projections, the backlog line, burn-downs, the
blank-card stock."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from ektp.charts.style import (
    SOURCED_MARKER,
    TARGET_LABEL_WRAP,
    _finish,
    _wrap,
)
from ektp.text import fmt
from ektp.text.i18n import t


def _target_lines(fig: go.Figure, target_lines: list[tuple[str, float, dt.date | None]]) -> None:
    """Dotted target lines, one per value (areas sharing a value share the line and its label),
    and a dotted vertical line at each deadline."""
    merged: dict[float, list[str]] = {}
    for label, value, _ in target_lines:
        merged.setdefault(value, []).append(label)
    for label, value, deadline in target_lines:
        if label != merged[value][0]:
            continue
        # one line at most: four areas' "Jambi: Target 98%" ran off the plot
        label = (
            " · ".join(merged[value]) if len(merged[value]) <= 2 else f"{merged[value][0]} (+{len(merged[value]) - 1})"
        )
        fig.add_hline(
            y=value * 100,
            line={"dash": "dot", "color": "#b35806"},
            annotation_text=_wrap(label, TARGET_LABEL_WRAP),  # two areas' labels ran off a phone
            annotation_position="top left",
            annotation_font_size=11,
            annotation_align="left",
        )
        if deadline:
            fig.add_vline(
                x=dt.datetime.combine(deadline, dt.time()).timestamp() * 1000, line={"dash": "dot", "color": "#999"}
            )


#: One colour per area's line, and its published points (Okabe–Ito, colour-blind safe).
TREND_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def trend(
    series_df: pl.DataFrame,
    sourced_df: pl.DataFrame,
    lang: str,
    title: str,
    source_line: str,
    target_lines: list[tuple[str, float, dt.date | None]] | None = None,
    projections: list[tuple[str, dt.date, float, dt.date, float]] | None = None,
) -> go.Figure:
    """Recording rate over time per area (line), published figures as markers with their
    citation in the hover, target lines, and a dashed projection at the current pace."""
    fig = go.Figure()
    # the line is the regular series (office files, synthetic fill, roll-ups); published
    # citations are drawn as markers, so a one-off figure never bends the line
    regular = series_df.filter(pl.col("source_kind") != "citation") if "source_kind" in series_df.columns else series_df
    colour_of: dict[str, str] = {}
    for i, ((code,), part) in enumerate(regular.sort("as_of").group_by("region_code", maintain_order=True)):
        name = part["region_name"][0]
        colour_of[code] = TREND_COLOURS[i % len(TREND_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=part["as_of"].to_list(),
                y=[v * 100 if v is not None else None for v in part["recording_rate"].to_list()],
                mode="lines",
                line={"color": colour_of[code]},
                name=name,
                legendgroup=code,
                customdata=[
                    [(fmt.source(s, lang) or "–") + (f" ({t('synthetic', lang)})" if syn else "")]
                    for s, syn in zip(part["source"].to_list(), part["is_synthetic"].to_list(), strict=True)
                ],
                # a date as the page writes it ("31 Mar 2019"; Indonesian month names come with the
                # chart's locale, ui.plotly_config), never ISO
                hovertemplate="%{x|%-d %b %Y}: %{y:.2f}%<br>%{customdata[0]}<extra>" + name + "</extra>",
            )
        )
    # each area's published figures in its line's colour (one black diamond for every area could
    # not be told apart in a print); the diamond shape says "published"
    for (code,), pts in sourced_df.filter(pl.col("recording_rate").is_not_null()).group_by(
        "region_code", maintain_order=True
    ):
        marker = {
            **SOURCED_MARKER,
            "color": colour_of.get(code, SOURCED_MARKER["color"]),
            "line": {"color": "#111", "width": 1},
        }
        fig.add_trace(
            go.Scatter(
                x=pts["as_of"].to_list(),
                y=[v * 100 for v in pts["recording_rate"].to_list()],
                mode="markers",
                marker=marker,
                legendgroup=code,
                name=f"{pts['region_name'][0]} · {t('sourced_marker', lang)}",
                customdata=[
                    [n, fmt.source(s, lang)]
                    for n, s in zip(pts["region_name"].to_list(), pts["source"].to_list(), strict=True)
                ],
                hovertemplate="%{customdata[0]} %{x|%-d %b %Y}: %{y:.2f}%<br>"
                + t("source", lang)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    _target_lines(fig, target_lines or [])
    for name, d0, v0, d1, v1 in projections or []:
        fig.add_trace(
            go.Scatter(
                x=[d0, d1],
                y=[v0 * 100, v1 * 100],
                mode="lines",
                line={"dash": "dash", "width": 1.5},
                name=f"{t('projection', lang)}: {name}",
            )
        )
    fig.update_yaxes(title=t("recording_rate", lang) + " (%)", ticksuffix="%", gridcolor="#eee")
    fig.update_xaxes(gridcolor="#eee")
    return _finish(fig, title, source_line, 480, lang=lang)


def burndown(
    actual: pl.DataFrame,
    baseline: float,
    target: float,
    start: dt.date,
    deadline: dt.date,
    lang: str,
    title: str,
    source_line: str,
) -> go.Figure:
    """Actual values against the straight line from the baseline at start to the target at the deadline."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[start, deadline],
            y=[baseline, target],
            mode="lines",
            line={"dash": "dash", "color": "#777"},
            name=t("ideal", lang),
        )
    )
    if actual.height:
        fig.add_trace(
            go.Scatter(
                x=actual["as_of"].to_list(),
                y=actual["value"].to_list(),
                mode="lines+markers",
                name=t("actual", lang),
                line={"color": "#b35806"},
            )
        )
    fig.add_vline(
        x=dt.datetime.combine(deadline, dt.time()).timestamp() * 1000, line={"dash": "dot", "color": "#542788"}
    )
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")
    return _finish(fig, title, source_line, 420, lang=lang)


def backlog_trend(df: pl.DataFrame, lang: str, title: str, source_line: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["as_of"].to_list(),
            y=df["awaiting_pickup"].to_list(),
            mode="lines",
            name=t("awaiting_pickup", lang),
            line={"color": "#cc4c02"},
        )
    )
    if "collected" in df.columns:
        fig.add_trace(
            go.Scatter(
                x=df["as_of"].to_list(),
                y=df["collected"].to_list(),
                mode="lines",
                name=t("collected", lang),
                line={"color": "#542788", "dash": "dot"},
            )
        )
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")
    return _finish(fig, title, source_line, 380, lang=lang)


def blanko_stock(
    df: pl.DataFrame, lang: str, title: str, source_line: str, published: pl.DataFrame | None = None
) -> go.Figure:
    """Stock (line) and use (bars) over time; `published` stock figures of the same area from
    articles (queries.blanko_published) as points beside the line, each hover naming its source."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["as_of"].to_list(),
            y=df["remaining"].to_list(),
            mode="lines",
            name=t("blanks_in_stock", lang),
            line={"color": "#542788"},
        )
    )
    fig.add_trace(
        go.Bar(
            x=df["as_of"].to_list(),
            y=df["used"].to_list(),
            name=fmt.capital(t("used", lang)),
            marker_color="#f1a340",
            opacity=0.6,
        )
    )
    pts = published.filter(pl.col("remaining").is_not_null()) if published is not None else None
    if pts is not None and pts.height:
        fig.add_trace(
            go.Scatter(
                x=pts["as_of"].to_list(),
                y=pts["remaining"].to_list(),
                mode="markers",
                marker=SOURCED_MARKER,
                name=t("sourced_marker", lang),
                customdata=[
                    [fmt.num(v, lang), fmt.source(s, lang)]
                    for v, s in zip(pts["remaining"], pts["source"], strict=True)
                ],
                hovertemplate="%{x|%-d %b %Y}: %{customdata[0]}<br>"
                + t("source", lang)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")
    return _finish(fig, title, source_line, 380, lang=lang)
