"""Shared styling of every figure: titles and source lines wrapped for a phone, margins, legend
rows, tick formats per language, print restyling, the published-figure marker."""

from __future__ import annotations

import datetime as dt
import html
import math
import numbers

import numpy as np
import plotly.graph_objects as go

from ektp.analysis.metrics import RATE_METRICS
from ektp.text import fmt

FONT = "DejaVu Sans, Arial, sans-serif"
#: Titles in Streamlit's narrow Source Sans on screen (TITLE_WRAP's 42 characters fit a 360 px
#: phone in it, not in DejaVu Sans), as Streamlit's chart theme drew them until the app's own
#: theme font became the system's; a file drawn without the browser's fonts falls back to FONT.
TITLE_FONT = f'"Source Sans", {FONT}'
METRICS = ("recording_rate", "unrecorded_share", "unrecorded", "print_gap")


def _wrap(text: str, width: int = 80) -> str:
    """Break a long title or source line into <br>-separated lines: Plotly never wraps a title
    or an annotation, so a line must fit the narrowest chart, a phone's (SOURCE_WRAP characters
    of 10 px source text, TITLE_WRAP of the 16 px title; at 80 and unwrapped both ran off a phone, and a
    long area name pushed the map's title past a 1,280 px screen's map column). A word longer
    than a line (an article's URL) is broken after a '/' or '-' where it can be, else at the width."""
    words, lines, cur = [p for w in text.split(" ") for p in _pieces(w, width)], [], ""
    for w in words:
        if cur and len(cur) + len(w) + (0 if w.startswith("\0") else 1) > width:
            lines.append(cur)
            cur = w.removeprefix("\0")
        elif w.startswith("\0"):  # the rest of a broken word: no space before it
            cur += w[1:]
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "<br>".join(lines)


def _pieces(word: str, width: int) -> list[str]:
    """A word cut into pieces of at most `width`; pieces after the first are marked with a
    leading NUL so `_wrap` joins them without a space when they share a line."""
    out = []
    while len(word) > width:
        cut = max(word.rfind("/", 0, width), word.rfind("-", 0, width)) + 1 or width
        out.append(word[:cut])
        word = word[cut:]
    out.append(word)
    return out[:1] + ["\0" + p for p in out[1:]]


#: Characters of a title line: 42 of 16 px text fit a phone's ~370 px figure.
TITLE_WRAP = 42
#: Characters of a source line: a 360 px phone's figure is ~330 px wide. 64 fitted a 390 px
#: phone, but on 360 px a line with an emoji (the synthetic marker) lost its last word.
SOURCE_WRAP = 60
#: Top margin for a one-line title, and what each further line of it adds.
TITLE_TOP_PX, TITLE_LINE_PX = 60, 22


def _top_margin(wrapped_title: str) -> int:
    """Room above the plot for a title already wrapped into <br>-separated lines."""
    return TITLE_TOP_PX + TITLE_LINE_PX * wrapped_title.count("<br>")


#: Pixels from the bottom of the plot to the legend (clear of the tick labels) and to the
#: source line (clear of a one-row legend).
LEGEND_GAP_PX, SOURCE_GAP_PX = 34, 66
#: Extra pixels below the plot when the x axis has a title (the legend had covered it).
AXIS_TITLE_PX = 22
#: A legend's rows are counted for a phone (Plotly wraps it at ~250 px there): entries take
#: ~6.5 px a character plus ~46 px for the symbol and gap, and each further row ~20 px. On a
#: phone a legend of four ages, or of four areas on Trends, wrapped into rows that covered the
#: source line.
LEGEND_PHONE_PX, LEGEND_CHAR_PX, LEGEND_ENTRY_PX, LEGEND_ROW_PX = 250, 6.5, 46, 20
#: Characters of a target line's label (11 px) on a trend: a phone's plot, after the y axis's
#: title and ticks, is ~240 px wide.
TARGET_LABEL_WRAP = 38
#: Characters a source line may take when a y-axis title and its ticks push the plot right
#: (the line starts where the plot does), and when tick labels alone do (a 360 px phone).
Y_TITLE_WRAP, Y_TICKS_WRAP = 46, 52
#: Horizontal bars: each bar takes this share of its row; its label sits over it, in 11 px.
BAR_WIDTH, BAR_LABEL_PX = 0.45, 11
#: Characters of a bar's label line: ~310 px of a 360 px phone's plot at 11 px. A longer label
#: ("Daerah Khusus Ibukota Jakarta · recording rate (synthetic) · 31 Dec 2024") takes two
#: lines, and every row of its chart is BAR_TWO_LINE_ROW_PX high to hold them: the bar takes
#: 45% of it, and two 11 px lines with their padding ~29 px (at 48 px a label touched the bar above).
BAR_LABEL_WRAP, BAR_TWO_LINE_ROW_PX = 56, 56
#: A published figure drawn beside a line (trends, blank-card stock): a black diamond.
SOURCED_MARKER = {"symbol": "diamond", "size": 10, "color": "#111", "line": {"color": "white", "width": 1}}
#: The funnel's stage names sit left of it (~150 px on a phone in English): its source line
#: starts there.
FUNNEL_SOURCE_WRAP = 34


def _y_ticks_left(fig: go.Figure) -> bool:
    """The chart has x/y axes with tick labels on the left, which push the plot right."""
    cartesian = any(tr.type in ("scatter", "bar") for tr in fig.data)
    return cartesian and fig.layout.yaxis.showticklabels is not False and fig.layout.yaxis.side != "right"


def _legend_rows(fig: go.Figure, width: float = LEGEND_PHONE_PX) -> int:
    """Rows a horizontal legend takes at `width` px. Plotly puts the entries on one row when they
    all fit; else every entry takes the widest one's width, so a long entry ("📰 sourced figure")
    can put each on a row of its own (packing them tightly counted two rows where Plotly drew three)."""
    names = [tr.name for tr in fig.data if tr.name and getattr(tr, "showlegend", None) is not False]
    widths = [len(name) * LEGEND_CHAR_PX + LEGEND_ENTRY_PX for name in names]
    if not widths:
        return 0
    if sum(widths) <= width:
        return 1
    per_row = max(1, int(width // max(widths)))
    return math.ceil(len(widths) / per_row)


def bar_row_px(labels: list[str], one_line_px: int) -> int:
    """Pixels a labelled bar's row takes: `one_line_px`, or BAR_TWO_LINE_ROW_PX when any label
    needs two lines (rows are uniform; a two-line label over a one-line row covered the bar above)."""
    return BAR_TWO_LINE_ROW_PX if any(len(lab) > BAR_LABEL_WRAP for lab in labels) else one_line_px


def _label_bars(fig: go.Figure, plot_px: float) -> None:
    """Horizontal bars get their labels over each bar, across the plot, instead of left of it:
    long labels (a target's area, measure and deadline) took half a desktop chart, were cut
    off on a phone, and pushed the source line off the figure."""
    bars = [tr for tr in fig.data if getattr(tr, "orientation", None) == "h"]
    labels = list(dict.fromkeys(str(v) for tr in bars for v in (tr.y or ())))
    if not labels:
        return
    row = plot_px / len(labels)
    fig.update_traces(width=BAR_WIDTH, selector={"orientation": "h"})
    fig.update_yaxes(showticklabels=False)
    for lab in labels:
        fig.add_annotation(
            name="bar_label",
            text=_wrap(html.escape(lab, quote=False), BAR_LABEL_WRAP),  # a file's office name is text, not tags
            xref="paper",
            x=0,
            y=lab,
            yshift=row * BAR_WIDTH / 2,
            xanchor="left",
            yanchor="bottom",
            align="left",  # a second line starts under the first, not centred
            showarrow=False,
            font={"size": BAR_LABEL_PX, "color": "#333"},
        )


#: Plotly's decimal and thousands separators per language (its `separators`).
SEPARATORS = {"id": ",.", "en": ".,"}
#: Numeric axes in Indonesian: whole numbers, not SI prefixes. "2M" reads as 2 miliar (billion)
#: in Indonesian, where a million is "jt" (juta), so ticks are written out: "2.000.000".
ID_TICKFORMAT = ",~r"


def _numeric_axes(fig: go.Figure) -> set[str]:
    """The axes ("x", "y") whose values are numbers in some trace, not dates or labels."""
    out = set()
    for tr in fig.data:
        for ax in ("x", "y"):
            vals = getattr(tr, ax, None)
            if vals is None or tr.type not in ("scatter", "bar"):
                continue
            first = next((v for v in vals if v is not None), None)
            if isinstance(first, (numbers.Number, np.number)) and not isinstance(first, bool):  # Decimal: DuckDB's sums
                out.add(ax)
    return out


def _y_tick_chars(fig: go.Figure, lang: str, numeric: set[str]) -> int:
    """Characters of the longest y tick label when Indonesian ticks are written out (ID_TICKFORMAT;
    `numeric`: _numeric_axes), from the largest value drawn; 4 ("1.5M", "100%") otherwise."""
    if lang != "id" or "y" not in numeric or fig.layout.yaxis.ticksuffix:
        return 4
    top = max(
        (abs(float(v)) for tr in fig.data for v in (tr.y or ()) if isinstance(v, (numbers.Number, np.number))),
        default=0,
    )
    return len(fmt.num(top, lang))


def _finish(
    fig: go.Figure,
    title: str,
    source_line: str,
    height: int = 520,
    wrap: int = SOURCE_WRAP,
    title_wrap: int = TITLE_WRAP,
    lang: str = "en",
) -> go.Figure:
    """Title, fonts, margins and the source line under the plot, numbers written the reader's
    way (`lang`: "15.768" in Indonesian, numeric axes written out as "2.000.000", ID_TICKFORMAT).
    `wrap` and `title_wrap`:
    characters a line may take (half-width charts, such as the funnel beside its table, need
    fewer; Plotly never wraps a title or an annotation)."""
    raw_title, title = title, _wrap(title, title_wrap)
    below = AXIS_TITLE_PX if fig.layout.xaxis.title.text else 0
    numeric = _numeric_axes(fig) if lang == "id" else set()  # the axes written out in Indonesian
    # written-out Indonesian ticks ("2.000.000") push the plot further right than "2M"
    longer = max(_y_tick_chars(fig, lang, numeric) - 4, 0)
    if fig.layout.yaxis.title.text:  # the plot, and the source line, start ~90 px in on a phone
        wrap = min(wrap, Y_TITLE_WRAP - longer)
    elif _y_ticks_left(fig):  # ~50 px in, after tick labels such as "1.5M"
        wrap = min(wrap, Y_TICKS_WRAP - longer)
    # room for a legend wrapped on a phone, added to the figure so the plot keeps its size
    more_rows = max(_legend_rows(fig) - 1, 0) * LEGEND_ROW_PX
    height += more_rows
    top, bottom = _top_margin(title), 160 + below + more_rows
    plot_px = max(height - top - bottom, 60)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16, "family": TITLE_FONT}},
        font={"family": FONT, "size": 12},
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        height=height,
        paper_bgcolor="white",
        plot_bgcolor="white",
        separators=SEPARATORS[lang],  # d3's numbers: axis ticks and hover
        # placed in pixels below the axis (a fraction of a short plot landed on its tick labels)
        # no gap between legend groups: the trends' areas are one group each, and the default
        # 10 px made each phone row 29 px where LEGEND_ROW_PX counts 20 (the source line sat under it)
        legend={"orientation": "h", "y": -(LEGEND_GAP_PX + below) / plot_px, "yanchor": "top", "tracegroupgap": 0},
    )
    _label_bars(fig, plot_px)
    fig.add_annotation(
        text=_wrap(source_line, wrap),
        name="source",
        xref="paper",
        yref="paper",
        x=0,
        y=-(SOURCE_GAP_PX + below + more_rows) / plot_px,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 10, "color": "#444"},
        align="left",
    )
    for ax in numeric:
        axis = fig.layout.xaxis if ax == "x" else fig.layout.yaxis
        if axis.tickformat is None and axis.type not in ("date", "category"):
            axis.tickformat = ID_TICKFORMAT
    fig.update_layout(meta={"title": raw_title, "source": source_line})  # unwrapped, for wider prints
    # long category labels (office names) get room in exports too: Streamlit's theme does this
    # on screen, kaleido's plain template did not, and a print cut the offices' names off
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _as_day(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and len(v) >= 10:
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


#: A print's month ticks: steps in months, and at most this many ticks across 1,200 px.
PRINT_MONTH_STEPS, PRINT_MAX_TICKS = (1, 2, 3, 6), 12


def print_month_ticks(fig: go.Figure, lang: str) -> None:
    """An Indonesian print names its months itself ("Mei 2020"): kaleido's plotly.js keeps only
    its own config, so the locale the screen gets (ui.plotly_config) would not reach it. Spans
    of more than PRINT_MAX_TICKS × 6 months are left to Plotly, which labels them by year."""
    if lang != "id":
        return
    days = [d for tr in fig.data if tr.type in ("scatter", "bar") for d in map(_as_day, tr.x or ()) if d is not None]
    if not days:
        return
    lo, hi = min(days), max(days)
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    step = next((s for s in PRINT_MONTH_STEPS if months / s < PRINT_MAX_TICKS), None)
    if step is None:
        return
    short = fmt.PLOTLY_FORMAT_ID["shortMonths"]
    ticks = []
    y, m = lo.year, lo.month
    while dt.date(y, m, 1) <= hi:
        if dt.date(y, m, 1) >= lo and (m - 1) % step == 0:
            ticks.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if ticks:
        fig.update_xaxes(tickvals=ticks, ticktext=[f"{short[d.month - 1]} {d.year}" for d in ticks])
        return
    drawn = sorted(set(days))  # within one month: the days drawn ("27 Jan 2020")
    if len(drawn) <= PRINT_MAX_TICKS:
        fig.update_xaxes(tickvals=drawn, ticktext=[f"{d.day} {short[d.month - 1]} {d.year}" for d in drawn])


def with_sentence(fig: go.Figure, sentence: str | None) -> go.Figure:
    """The chart's sentence (ektp/analysis/summary.py) after its title, for a file that leaves the page:
    the title's room grows with its lines. Changes `fig` in place, so give it a fresh figure."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else None
    if not sentence or meta is None or "title" not in meta or fig.layout.title.text is None:
        return fig
    title = f"{meta['title']} — {sentence}"
    old, new = fig.layout.title.text, _wrap(title, TITLE_WRAP)
    fig.layout.title.text = new
    fig.layout.margin.t = (fig.layout.margin.t or TITLE_TOP_PX) + _top_margin(new) - _top_margin(old)
    fig.layout.height = (fig.layout.height or 600) + _top_margin(new) - _top_margin(old)
    fig.update_layout(meta={**meta, "title": title})
    return fig


def for_print(fig: go.Figure, title_wrap: int = 110, wrap: int = 180, lang: str = "en") -> go.Figure:
    """Re-wrap a figure's title and source line for a 1,200 px export (the screen wraps them
    for a phone's width), and name an Indonesian print's months (print_month_ticks). Changes
    `fig` in place, so give it a fresh figure."""
    print_month_ticks(fig, lang)
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if "title" in meta and fig.layout.title.text is not None:
        title = _wrap(meta["title"], title_wrap)
        # the chart may have added to _finish's margin (a legend above): keep that part
        extra = (fig.layout.margin.t or TITLE_TOP_PX) - _top_margin(fig.layout.title.text)
        fig.layout.title.text = title
        fig.layout.margin.t = _top_margin(title) + extra
    for a in fig.layout.annotations:
        if a.name == "source" and "source" in meta:
            a.text = _wrap(meta["source"], wrap)
    return fig


def metric_value(row: dict, metric: str) -> float | None:
    """The value drawn for a metric: rates in percent (14.0), counts as counts."""
    v = row.get(metric)
    if v is None:
        return None
    return float(v) * 100.0 if metric in RATE_METRICS else float(v)


def rank_key(row: dict, metric: str) -> tuple:
    """Worst first: the lowest rate, the most people unrecorded; units without a figure last, and
    the code between equals. Every ranking of a map keeps this order: the view model's, its
    labels' and the page's sortable table (ui.ranking_table takes the model's order)."""
    v = metric_value(row, metric)
    if v is None:
        return (1, 0.0, row["code"])
    return (0, v if metric == "recording_rate" else -v, row["code"])


def format_value(v: float | None, metric: str, lang: str) -> str:
    if v is None:
        return "–"
    return fmt.percent(v, lang, 1) if metric in RATE_METRICS else fmt.num(v, lang)
