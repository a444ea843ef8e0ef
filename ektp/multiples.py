"""Small multiples: up to 12 dates of one map view side by side, on one legend.

The classes are fixed across the dates (distance to the target, which is the same yardstick on
every date, or natural breaks over every date of the view), so a colour means the same figure
in every panel and the reader sees the change at a glance. Pure: frames in, figure out.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ektp import fmt

#: At most this many panels; views of more units than MAX_UNITS are not drawn this way (12
#: national district maps would send 12 × 7,285 shapes' values on every rerun).
MAX_PANELS, COLUMNS, MAX_UNITS = 12, 4, 600
PANEL_PX = 230


def pick_dates(dates: list[dt.date], until: dt.date, n: int = MAX_PANELS) -> list[dt.date]:
    """Up to `n` dates spread evenly over the view's dates up to `until`, the first and `until`
    among them."""
    upto = [d for d in dates if d <= until]
    if len(upto) <= n:
        return upto
    step = (len(upto) - 1) / (n - 1)
    return sorted({upto[round(i * step)] for i in range(n)})


def small_multiples(
    panels: list[tuple[dt.date, pl.DataFrame]],
    geojson: dict | str,
    metric: str,
    lang: str,
    title: str,
    source_line: str,
    scheme: str,
    target: float | None,
    bins: tuple[float, ...] | None,
    bounds: tuple[float, float, float, float] | None,
) -> go.Figure:
    """One panel per (date, frame with `fid`), each unit coloured by the shared classes; the
    legend (once) names each class."""
    from ektp.charts import _finish, _ints, classify

    rows = max(1, math.ceil(len(panels) / COLUMNS))
    fig = make_subplots(
        rows=rows,
        cols=COLUMNS,
        specs=[[{"type": "choropleth"}] * COLUMNS for _ in range(rows)],
        subplot_titles=[fmt.date(d, lang, "short") for d, _ in panels],
        horizontal_spacing=0.01,
        vertical_spacing=0.06,
    )
    seen: set[str] = set()
    for i, (_, df) in enumerate(panels):
        r, c = divmod(i, COLUMNS)
        located = df.filter(pl.col("fid").is_not_null())
        for cls in classify(located, metric, lang, scheme, target, bins):
            members = cls["rows"]
            if not members:
                continue
            fig.add_trace(
                go.Choropleth(
                    geojson=geojson,
                    featureidkey="id",
                    locations=_ints([m["fid"] for m in members]),
                    z=np.zeros(len(members), dtype=np.uint8),
                    colorscale=[[0, cls["colour"]], [1, cls["colour"]]],
                    showscale=False,
                    marker={"line": {"color": "white", "width": 0.3}},
                    name=cls["label"],
                    legendgroup=cls["key"],
                    showlegend=cls["key"] not in seen,
                    hovertemplate="<b>%{properties.n}</b><extra></extra>",
                ),
                row=r + 1,
                col=c + 1,
            )
            seen.add(cls["key"])
    frame: dict = {"fitbounds": "locations"}
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        frame = {"lonaxis_range": [x0, x1], "lataxis_range": [y0, y1]}
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="white", **frame)
    _finish(fig, title, source_line, 120 + PANEL_PX * rows + 150, legend_room=False, lang=lang)
    fig.update_layout(legend={"y": 0.0, "yanchor": "top", "font": {"size": 11}}, margin={"b": 150})
    return fig


def panel_data(panels: list[tuple[dt.date, pl.DataFrame]], metric: str) -> pl.DataFrame:
    """The panels' values in one table (code, name, the metric, as_of): the CSV of the figure."""
    return pl.concat([df.select("code", "name", metric).with_columns(pl.lit(d).alias("as_of")) for d, df in panels])
