"""Map builders: the classed choropleth with its legend, hover, labels and frame (ektp/classes.py
for the classes)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import polars as pl

from ektp import classes, fmt
from ektp.charts.style import (
    RATE_METRICS,
    TITLE_WRAP,
    _finish,
    _ints,
    _template_text,
    _top_margin,
    _wrap,
    format_value,
    metric_value,
    rank_key,
)
from ektp.i18n import t
from ektp.metrics import (
    COUNT_COLOURS,
    RATE_BANDS,
    RATE_COLOURS,
    count_breaks,
    count_class,
    rate_band,
)

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
    target), natural breaks, equal intervals, quantiles or Dukcapil's bands; then a unit whose
    figure is older than the setting's window (`is_stale`, queries.MAP_SQL) in a class of its
    own, "stale", and a unit without a figure in "no data": neither is a colour of the scale.

    Returns [{'key', 'label', 'colour', 'codes', 'rows'}], one per class, in legend order.
    Classes of the recording rate run dark (lowest) to light, like counts where more is worse.
    """
    out = _classify(df.filter(~pl.col("is_stale").fill_null(False)) if "is_stale" in df.columns else df,
                    metric, lang, scheme, target, fixed_bins)  # fmt: skip
    stale = df.filter(pl.col("is_stale").fill_null(False)).to_dicts() if "is_stale" in df.columns else []
    if stale:
        from ektp import queries

        cls = classes.stale_class(queries.stale_days(), lang)
        out.insert(len(out) - 1 if out and out[-1]["key"] == "band_none" else len(out),
                   {**cls, "codes": [r["code"] for r in stale], "rows": stale})  # fmt: skip
    return out


def _classify(
    df: pl.DataFrame,
    metric: str,
    lang: str,
    scheme: str,
    target: float | None,
    fixed_bins: tuple[float, ...] | None,
) -> list[dict]:
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


#: Above this many units a map's hover drops the counts and sends the value in two bytes: the
#: 7,285-district map would otherwise carry ~14 bytes a unit on every rerun (the detail panel
#: and the ranking still show the counts).
COMPACT_UNITS = 1000

#: Above this many units a map's hover names its units' sources once, as what they have in common
#: (`fmt.source_family`: the file, the kind of roll-up), or as several: a unit's own source went
#: on every rerun as text (~30 bytes a unit), and the ranking beside the map lists it per unit.
SHARED_SOURCE_UNITS = 200


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


def _outline_below(
    fig: go.Figure,
    df: pl.DataFrame,
    geojson: dict | str,
    ids: dict[str, int],
    target: float | None,
    lang: str,
    compact: bool,
) -> None:
    """A transparent trace outlining the units below the target. Not a legend entry: the legend's
    classes count every unit once (an outline entry among them read as a class of its own, and
    the counts added up to 44 of 38); the line under the map says what the outline is."""
    below = [r for r in classes.below_target(df).to_dicts() if r["code"] in ids]  # each against its own target
    if not below:
        return
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
            name=classes.below_label(target, lang, "below_target") + f" · {t('units_in_band', lang, n=len(below))}",
            hoverinfo="skip",
            showlegend=False,
        )
    )


#: The canvas width (px) the map's labels are laid out on: about the map's width on a laptop.
LABEL_CANVAS_PX = 760


def _value_labels(
    fig: go.Figure,
    df: pl.DataFrame,
    labels: dict[str, tuple[float, float]],
    metric: str,
    lang: str,
    bounds: tuple[float, float, float, float] | None = None,
) -> str | None:
    """Each unit's name and figure at its label point, or a number where it would cover another
    label (ektp.labels, the laggards named first, laid out on the Mercator canvas the map is
    drawn on); returns the key line for the numbered units (None: every unit is named)."""
    import html

    from ektp import labels as maplabels

    rows = [r for r in df.to_dicts() if r["code"] in labels]
    if not rows:
        return None
    lngs, lats = [labels[r["code"]][0] for r in rows], [labels[r["code"]][1] for r in rows]
    x0, _, x1, y1 = bounds or (min(lngs), min(lats), max(lngs), max(lats))
    scale = LABEL_CANVAS_PX / max(x1 - x0, 1e-6)
    top = maplabels.merc(y1)
    canvas = {
        r["code"]: ((labels[r["code"]][0] - x0) * scale, (top - maplabels.merc(labels[r["code"]][1])) * scale)
        for r in rows
    }
    names = {r["code"]: r["name"] for r in rows}
    figures = {r["code"]: format_value(metric_value(r, metric), metric, lang) for r in rows}

    order = [r["code"] for r in sorted(rows, key=lambda r: rank_key(r, metric))]
    placed, key = maplabels.place(canvas, names, figures, order)
    fig.add_trace(
        go.Scattergeo(
            lon=[p.x / scale + x0 for p in placed],
            lat=[maplabels.unmerc(top - p.y / scale) for p in placed],
            text=["<br>".join(html.escape(line) for line in p.lines) for p in placed],
            mode="text",
            textfont={"size": maplabels.FONT_PX, "color": "#111111", "shadow": "auto"},
            hoverinfo="skip",
            showlegend=False,
            name="labels",
        )
    )
    return maplabels.key_line(key) or None


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
    _outline_below(fig, df, geojson, ids, target, lang, compact)
    key = _value_labels(fig, df, labels, metric, lang, bounds) if labels and df.height <= LABEL_UNITS else None
    fig = frame_map(fig, geojson, title, source_line, lang, bounds, height)
    if key:  # the exported file carries it in meta
        fig.update_layout(meta={**(fig.layout.meta or {}), "label_key": key})
    return fig


def frame_map(
    fig: go.Figure,
    geojson: dict | str,
    title: str,
    source_line: str,
    lang: str,
    bounds: tuple[float, float, float, float] | None = None,
    height: int | None = None,
) -> go.Figure:
    """A map's frame, for every map drawn (the choropleth, the change map): framed to the view's
    bounds (an embedded FeatureCollection's own `bbox` when not given), no basemap, its height
    from the area's shape, the legend below it and the source line on the figure's bottom edge."""
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
