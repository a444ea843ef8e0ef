"""Pure figure builders: frame in, plotly figure out. No Streamlit, no SQL.

Every figure carries its title and a source / as-of line inside it, so an exported chart stands
alone in a report. Maps draw on the real boundaries with no tile basemap, so they are complete
offline and in SVG/PNG exports.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import numbers
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import polars as pl

from ektp import classes, fmt
from ektp.i18n import t
from ektp.metrics import (
    COUNT_COLOURS,
    RATE_BANDS,
    RATE_COLOURS,
    count_breaks,
    count_class,
    rate_band,
)

FONT = "DejaVu Sans, Arial, sans-serif"
RATE_METRICS = {"recording_rate", "unrecorded_share"}
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
    legend_room: bool = True,
    lang: str = "en",
) -> go.Figure:
    """Title, fonts, margins and the source line under the plot, numbers written the reader's
    way (`lang`: "15.768" in Indonesian, numeric axes written out as "2.000.000", ID_TICKFORMAT).
    `wrap` and `title_wrap`:
    characters a line may take (half-width charts, such as the funnel beside its table, need
    fewer; Plotly never wraps a title or an annotation). `legend_room=False`: the chart makes
    its own room for a wrapped legend (a map keeps MAP_BOTTOM_PX for three rows)."""
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
    more_rows = max(_legend_rows(fig) - 1, 0) * LEGEND_ROW_PX if legend_room else 0
    height += more_rows
    top, bottom = _top_margin(title), 160 + below + more_rows
    plot_px = max(height - top - bottom, 60)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
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
    """The chart's sentence (ektp/summary.py) after its title, for a file that leaves the page:
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


def format_value(v: float | None, metric: str, lang: str) -> str:
    if v is None:
        return "–"
    return fmt.num(v, lang, 1) + "%" if metric in RATE_METRICS else fmt.num(v, lang)


SCHEMES = classes.SCHEMES


def single_band(df: pl.DataFrame, metric: str, scheme: str) -> tuple[str, int] | None:
    """(band, areas) when every area with a rate falls in one Dukcapil band and there are
    several: the map is then one colour (in 2024 all 38 provinces are at 80–99.99%), and the
    page points to quantile classes. None otherwise."""
    if scheme != "dukcapil" or metric not in RATE_METRICS or "recording_rate" not in df.columns:
        return None
    rates = df["recording_rate"].drop_nulls()
    # the bands are intervals: all rates share one when the lowest and the highest do (a band
    # per distinct rate cost 7,285 calls on every rerun of the national district map)
    bands = {rate_band(rates.min()), rate_band(rates.max())} | ({"band_none"} if rates.is_nan().any() else set())
    return (bands.pop(), rates.len()) if len(bands) == 1 and rates.len() > 1 else None


def classify(
    df: pl.DataFrame,
    metric: str,
    lang: str,
    scheme: str = "dukcapil",
    target: float | None = None,
    fixed_bins: tuple[float, ...] | None = None,
) -> list[dict]:
    """Legend classes for the map (ektp/classes.py): distance to the target ("gap", a rate with a
    target), natural breaks, equal intervals, quantiles or Dukcapil's bands.

    Returns [{'key', 'label', 'colour', 'codes', 'rows'}], one per class, in legend order.
    Classes of the recording rate run dark (lowest) to light, like counts where more is worse.
    """
    rows = df.to_dicts()
    if scheme == "gap" and (metric not in RATE_METRICS or target is None):
        scheme = "natural"  # no target to measure against: the values' own breaks
    if scheme == "fixed" and not fixed_bins:
        scheme = "natural"  # no values of other dates given: this date's own breaks
    if scheme in ("gap", "natural", "equal", "fixed"):
        values = [metric_value(r, metric) for r in rows]
        if scheme == "gap":
            defs, which = classes.gap_classes([r.get("recording_rate") for r in rows], target, lang)
        elif scheme == "fixed":
            defs, which = classes.breaks_classes(values, metric, "natural", lang, bins=fixed_bins)
        else:
            defs, which = classes.breaks_classes(values, metric, scheme, lang)
        out = [{**d, "codes": [], "rows": []} for d in [*defs, classes.no_data_class(lang)]]
        for r, i in zip(rows, which, strict=True):
            cls = out[i] if i is not None else out[-1]
            cls["codes"].append(r["code"])
            cls["rows"].append(r)
        return out
    classes_: list[dict] = []
    if metric in RATE_METRICS and scheme == "dukcapil":
        keys = [k for k, _ in RATE_BANDS] + ["band_none"]
        for k in keys:
            label = t(k, lang)
            if metric != "recording_rate" and k != "band_none":  # the bands are of the recording rate
                label = t("band_of_rate", lang, band=label)
            classes_.append({"key": k, "label": label, "colour": RATE_COLOURS[k], "codes": [], "rows": []})
        index = {c["key"]: c for c in classes_}
        for r in rows:
            # the band is always that of the recording rate (unrecorded share = 1 − rate)
            index[rate_band(r.get("recording_rate"))]["codes"].append(r["code"])
            index[rate_band(r.get("recording_rate"))]["rows"].append(r)
    else:
        values = [metric_value(r, metric) for r in rows]
        breaks = count_breaks([v for v in values if v is not None])
        rate = metric in RATE_METRICS
        lower = min((v for v in values if v is not None), default=0.0) if rate else 0.0
        for i, b in enumerate(breaks):
            if rate:
                label = f"{fmt.num(lower, lang, 2)}–{fmt.num(b, lang, 2)}%"
            else:
                label = f"{fmt.num(lower, lang)}–{fmt.num(b, lang)}"
            shade = min(i, 3) + max(0, 4 - len(breaks))
            if metric == "recording_rate":
                shade = 3 - shade  # a low rate is the worry: darkest
            classes_.append(
                {"key": f"class_{i}", "label": label, "colour": COUNT_COLOURS[shade], "codes": [], "rows": []}
            )
            lower = b + (0.01 if rate else 1)
        classes_.append(
            {
                "key": "band_none",
                "label": t("band_none", lang),
                "colour": RATE_COLOURS["band_none"],
                "codes": [],
                "rows": [],
            }
        )
        for r, v in zip(rows, values, strict=True):
            c = count_class(v, breaks)
            cls = classes_[c] if c is not None else classes_[-1]
            cls["codes"].append(r["code"])
            cls["rows"].append(r)
    return classes_


def _template_text(s: str) -> str:
    """A value baked into a hovertemplate: '%{' would start a template variable."""
    return s.replace("%{", "% {")


#: Above this many units a map's hover drops the counts and sends the value in two bytes: the
#: 7,285-district map would otherwise carry ~14 bytes a unit on every rerun (the detail panel
#: and the ranking still show the counts).
COMPACT_UNITS = 1000

#: Above this many units a map's hover names its units' sources once, as what they have in common
#: (`fmt.source_family`: the file, the kind of roll-up), or as several: a unit's own source went
#: on every rerun as text (~30 bytes a unit), and the ranking beside the map lists it per unit.
SHARED_SOURCE_UNITS = 200


def _ints(values: list[int]) -> np.ndarray:
    """The smallest integer typed array that holds the values (plotly sends it as base64)."""
    hi = max(values, default=0)
    lo = min(values, default=0)
    for dtype in (np.uint8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= lo and hi <= info.max:
            return np.array(values, dtype=dtype)
    return np.array(values, dtype=np.int64)


def _hover(
    rows: list[dict], metric: str, lang: str, compact: bool = False, shared_source: bool = False
) -> tuple[str, object, object]:
    """(hovertemplate, customdata, z) for one map trace, as small as the browser allows.

    Code and name come from the static GeoJSON (`properties`, sent once); the value is z. Fields
    equal across the trace (as-of, source) are written into the template once; numbers go as
    typed arrays (base64 in the figure JSON) when none is missing, else as formatted text. In
    `compact` mode a rate goes as its whole percent (z) and tenths (customdata), one byte each.
    With `shared_source` the sources are said once (SHARED_SOURCE_UNITS).
    """
    head = "<b>%{properties.n}</b> (%{properties.c})<br>" + t("metric_" + metric, lang) + ": "
    vals = [metric_value(r, metric) for r in rows]
    dates = [fmt.date(r.get("as_of"), lang) for r in rows]

    # synthetic rows say so in a word (their file/row source is in the table and exports)
    def said(r: dict, say: Callable[[str | None, str], str | None]) -> str:
        return t("synthetic", lang) if r.get("is_synthetic") else (say(r.get("source"), lang) or "–")

    sources = [said(r, fmt.source) for r in rows]
    if shared_source and len(set(sources)) > 1:
        families = {said(r, fmt.source_family) for r in rows}
        sources = [families.pop() if len(families) == 1 else t("source_various", lang)] * len(rows)
    counts = [(r.get("eligible"), r.get("recorded")) for r in rows]
    same = len(set(dates)) == 1 and len(set(sources)) == 1 and all(v is not None for v in vals)
    value = "%{z:,.1f}%" if metric in RATE_METRICS else "%{z:,.0f}"  # z as a float
    tail = (
        _template_text(t("as_of", lang, date=dates[0] if dates else "")) + "<br>"
        + t("source", lang) + ": " + _template_text(sources[0] if sources else "") + "<extra></extra>"
    )  # fmt: skip
    if same and compact:
        if metric in RATE_METRICS:
            tenths = [round(v * 10) for v in vals]
            if min(tenths) >= 0:
                sep = "," if lang == "id" else "."
                whole = _ints([x // 10 for x in tenths])
                return head + "%{z:,}" + sep + "%{customdata}%<br>" + tail, _ints([x % 10 for x in tenths]), whole
        elif all(float(v).is_integer() for v in vals) and min(vals) >= 0:
            return head + "%{z:,}<br>" + tail, None, _ints([int(v) for v in vals])
        return head + value + "<br>" + tail, None, np.array(vals, dtype=np.float32)
    if same and all(e is not None and c is not None for e, c in counts):
        arr = np.array(counts, dtype=np.float64)
        big = max(float(np.abs(arr).max(initial=0)), max((abs(v) for v in vals), default=0)) >= 2**24
        dtype = np.float64 if big else np.float32  # float32 is exact for counts below 16.7M
        hover = (
            head + value + "<br>"
            + t("eligible", lang) + ": %{customdata[0]:,.0f}<br>"
            + t("recorded", lang) + ": %{customdata[1]:,.0f}<br>"
            + tail
        )  # fmt: skip
        return hover, arr.astype(dtype), np.array(vals, dtype=dtype)
    hover = (
        head + "%{customdata[0]}<br>"
        + t("eligible", lang) + ": %{customdata[1]}<br>"
        + t("recorded", lang) + ": %{customdata[2]}<br>"
        + t("as_of", lang, date="%{customdata[3]}") + "<br>"
        + t("source", lang) + ": %{customdata[4]}<extra></extra>"
    )  # fmt: skip
    data = [
        [format_value(v, metric, lang), fmt.num(e, lang), fmt.num(c, lang), d, src]
        for v, (e, c), d, src in zip(vals, counts, dates, sources, strict=True)
    ]
    z = np.array([v if v is not None else 0.0 for v in vals], dtype=np.float32)
    return hover, data, z


def feature_numbers(df: pl.DataFrame, geojson: dict | str) -> dict[str, int]:
    """Code → feature number: the frame's `fid` (screen maps, from the served file) or the
    embedded FeatureCollection's own numbering (exports)."""
    if "fid" in df.columns:
        return {c: i for c, i in zip(df["code"].to_list(), df["fid"].to_list(), strict=True) if i is not None}
    if isinstance(geojson, dict):
        return {f["properties"]["c"]: f["id"] for f in geojson["features"]}
    raise ValueError("a map drawn from a geometry URL needs the frame's fid column (geo.with_feature_ids)")


def choropleth(
    df: pl.DataFrame,
    geojson: dict | str,
    metric: str,
    lang: str,
    title: str,
    source_line: str,
    target: float | None = None,
    height: int | None = None,
    scheme: str = "dukcapil",
    bounds: tuple[float, float, float, float] | None = None,
    labels: dict[str, tuple[float, float]] | None = None,
    fixed_bins: tuple[float, ...] | None = None,
) -> go.Figure:
    """A classed choropleth: one trace per legend class (with its unit count), units below the
    target outlined, hover with name, code, value, counts, as-of and source; views of up to
    LABEL_UNITS units carry each unit's value on the map (`labels`: code → lng, lat), so the
    reader sees the figures, not only colours.

    `bounds` (min lng, min lat, max lng, max lat; an embedded FeatureCollection's own `bbox` when
    not given) frames the map to the view's units; Plotly's fitbounds leaves ~25% of the width
    empty around Indonesia. The height follows the area's shape (`map_height`) unless given.

    `geojson` is the FeatureCollection itself (exports) or the URL of the static file (screen,
    with `fid` in the frame); features are numbered (`id`) with the code in `properties.c` (name `n`).
    Units without a shape in the file are counted in the legend but not drawn.
    """
    fig = go.Figure()
    ids = feature_numbers(df, geojson)
    compact = df.height > COMPACT_UNITS
    for c in classify(df, metric, lang, scheme, target, fixed_bins):
        if not c["codes"]:
            continue
        rows = [r for r in c["rows"] if r["code"] in ids]
        if not rows:
            continue
        hover, customdata, z = _hover(rows, metric, lang, compact, df.height > SHARED_SOURCE_UNITS)
        fig.add_trace(
            go.Choropleth(
                geojson=geojson,
                featureidkey="id",
                locations=_ints([ids[r["code"]] for r in rows]),
                z=z,
                colorscale=[[0, c["colour"]], [1, c["colour"]]],
                showscale=False,
                marker={"line": {"color": "white", "width": 0.5}},
                name=f"{c['label']} · {t('units_in_band', lang, n=len(c['codes']))}",
                legendgroup=c["key"],
                showlegend=True,
                customdata=customdata,
                hovertemplate=hover,
            )
        )
    if target is not None:
        below = [
            r for r in df.to_dicts()
            if r.get("recording_rate") is not None and r["recording_rate"] < target and r["code"] in ids
        ]  # fmt: skip
        if below:
            fig.add_trace(
                go.Choropleth(
                    geojson=geojson,
                    featureidkey="id",
                    locations=_ints([ids[r["code"]] for r in below]),
                    z=np.ones(len(below), dtype=np.uint8),
                    colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                    showscale=False,
                    # thinner on a national district map, where 2 px would ink over small units
                    marker={"line": {"color": "#111111", "width": 0.8 if compact else 2}},
                    name=t("below_target", lang, value=fmt.target_pct(target, lang))
                    + f" · {t('units_in_band', lang, n=len(below))}",
                    hoverinfo="skip",
                    showlegend=True,
                )
            )
    if labels and df.height <= LABEL_UNITS:
        shown = [r for r in df.to_dicts() if r["code"] in labels and metric_value(r, metric) is not None]
        if shown:
            fig.add_trace(
                go.Scattergeo(
                    lon=[labels[r["code"]][0] for r in shown],
                    lat=[labels[r["code"]][1] for r in shown],
                    text=[format_value(metric_value(r, metric), metric, lang) for r in shown],
                    mode="text",
                    textfont={"size": 11, "color": "#111111", "shadow": "auto"},
                    hoverinfo="skip",
                    showlegend=False,
                    name="labels",
                )
            )
    if bounds is None and isinstance(geojson, dict) and len(geojson.get("bbox") or ()) == 4:
        bounds = tuple(geojson["bbox"])
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        px, py = max((x1 - x0) * 0.01, 0.005), max((y1 - y0) * 0.01, 0.005)  # the outline's width
        frame = {"lonaxis_range": [x0 - px, x1 + px], "lataxis_range": [y0 - py, y1 + py]}
    else:
        frame = {"fitbounds": "locations"}
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="white", **frame)
    _finish(fig, title, source_line, height or map_height(bounds, title), legend_room=False, lang=lang)
    fig.update_layout(legend={"y": 0.0, "yanchor": "top", "font": {"size": 11}}, margin={"b": MAP_BOTTOM_PX})
    # the source sits on the figure's bottom edge, so a legend wrapped into three rows on a phone
    # (it grows downward from the map) still ends above it
    m = fig.layout.margin
    fig.layout.annotations[0].update(y=-(m.b - 6) / max(fig.layout.height - m.t - m.b, 60), yanchor="bottom")
    return fig


#: Views of up to this many units carry value labels on the map (DHIS2 does the same).
LABEL_UNITS = 40

#: Below a map: a legend of up to three rows, then the source line (up to four lines).
MAP_BOTTOM_PX = 150


#: The map is the page's hero: drawn across the content's width (~1,000 px on a desktop), its
#: plot kept between these heights, so that with its title and legend it takes at least ~60%
#: of a desktop viewport (a 1080p window shows ~900 px of page).
MAP_WIDTH_PX, MAP_PLOT_MIN_PX, MAP_PLOT_MAX_PX = 1000, 480, 720


def map_height(bounds: tuple[float, float, float, float] | None, title: str = "", width_px: int = MAP_WIDTH_PX) -> int:
    """A map figure's height for its area's shape in Mercator at the content's width: a fixed
    height left Indonesia (2.7 times wider than tall) in a band of white, while a tall regency
    needs the room. The plot is kept between MAP_PLOT_MIN_PX and MAP_PLOT_MAX_PX."""
    top = _top_margin(_wrap(title, TITLE_WRAP))
    if bounds is None:
        return top + MAP_PLOT_MIN_PX + MAP_BOTTOM_PX
    x0, y0, x1, y1 = bounds

    def merc(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2)))

    aspect = (x1 - x0) / max(merc(y1) - merc(y0), 1e-6)
    return top + int(min(max(width_px / aspect, MAP_PLOT_MIN_PX), MAP_PLOT_MAX_PX)) + MAP_BOTTOM_PX


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
    for (code,), part in regular.sort("as_of").group_by("region_code", maintain_order=True):
        name = part["region_name"][0]
        fig.add_trace(
            go.Scatter(
                x=part["as_of"].to_list(),
                y=[v * 100 if v is not None else None for v in part["recording_rate"].to_list()],
                mode="lines",
                name=name,
                legendgroup=code,
                customdata=[
                    [s + (f" ({t('synthetic', lang)})" if syn else "")]
                    for s, syn in zip(part["source"].to_list(), part["is_synthetic"].to_list(), strict=True)
                ],
                hovertemplate="%{x|%Y-%m-%d}: %{y:.2f}%<br>%{customdata[0]}<extra>" + name + "</extra>",
            )
        )
    if sourced_df.height:
        pts = sourced_df.filter(pl.col("recording_rate").is_not_null())
        fig.add_trace(
            go.Scatter(
                x=pts["as_of"].to_list(),
                y=[v * 100 for v in pts["recording_rate"].to_list()],
                mode="markers",
                marker=SOURCED_MARKER,
                name=t("sourced_marker", lang),
                customdata=[[n, s] for n, s in zip(pts["region_name"].to_list(), pts["source"].to_list(), strict=True)],
                hovertemplate="%{customdata[0]} %{x|%Y-%m-%d}: %{y:.2f}%<br>"
                + t("source", lang)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    merged: dict[float, list[str]] = {}
    for label, value, _ in target_lines or []:
        merged.setdefault(value, []).append(label)
    for label, value, deadline in target_lines or []:
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


#: The targets chart's height: title, axis, legend and source (~260 px), then a row per target
#: with room for its label over its bar (at 30 px a row, five targets left ~22 px and the labels
#: ran into the bars above them).
TARGETS_BASE_PX, TARGETS_ROW_PX = 260, 34


def targets_progress(rows: list[dict], lang: str, title: str, source_line: str) -> go.Figure:
    """Progress from baseline to target per target (share of the way), coloured by status."""
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
    fig.update_xaxes(title=t("progress", lang) + " (%)", ticksuffix="%", gridcolor="#eee")
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
                    [fmt.date(d, lang), m or "–", s]
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
                customdata=[[fmt.num(v, lang), s] for v, s in zip(pts["remaining"], pts["source"], strict=True)],
                hovertemplate="%{x|%Y-%m-%d}: %{customdata[0]}<br>"
                + t("source", lang)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")
    return _finish(fig, title, source_line, 380, lang=lang)


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
