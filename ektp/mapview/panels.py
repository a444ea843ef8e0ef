"""Small multiples: up to 12 dates of one map view side by side, on one legend. Each panel is
the view model's drawing of its date (`model.gather`): the map page's map of that date, its
shapes, classes and words, so a panel cannot say another figure than the map.

The classes are fixed across the dates (distance to the target, the same yardstick on every
date, or natural breaks over every date of the view), so a colour means the same figure in every
panel and the reader sees the change at a glance. A map of counts is drawn as classes here, not
circles: circles sized within each date would not compare from panel to panel. No Streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from ektp import charts
from ektp.analysis import changes, classes, summary
from ektp.data import geo, queries
from ektp.mapview import svg
from ektp.mapview.model import Drawn, gather, place_name
from ektp.mapview.url import Choice
from ektp.text import fmt
from ektp.text.i18n import t

#: At most this many panels; views of more units than MAX_UNITS are not drawn this way (12
#: national district maps are 12 × 7,285 shapes to draw and to tell apart).
MAX_PANELS, MAX_UNITS = 12, 600
#: The file's grid: panels a row, a panel's width and the room between panels (SVG units).
COLUMNS, CELL, GAP, CAPTION = 4, 250, 12, 22


def pick_dates(dates: Sequence[dt.date], until: dt.date, n: int = MAX_PANELS) -> list[dt.date]:
    """Up to `n` dates spread evenly over the view's dates up to `until`, the first and `until`
    among them."""
    upto = [d for d in dates if d <= until]
    if len(upto) <= n:
        return upto
    step = (len(upto) - 1) / (n - 1)
    return sorted({upto[round(i * step)] for i in range(n)})


def panel_scheme(scheme: str, target: float | None) -> str:
    """One legend for every panel: Dukcapil's bands or the distance to a shared target where
    asked; any other scheme becomes natural breaks over every date of the view (quantiles of
    each date would give a colour another meaning in each panel)."""
    if scheme == "dukcapil" or (scheme == "gap" and target is not None):
        return scheme
    return "fixed"


@dataclass(frozen=True)
class Panels:
    """The small multiples of a view, in the reader's language."""

    choice: Choice  # the view at its latest date, with the scheme every panel shares
    title: str
    sentence: str | None  # the change from the first panel to the last
    source_line: str
    legend: tuple[svg.Legend, ...]  # every class drawn in any panel, in the scale's order
    drawn: tuple[Drawn, ...]  # one per date, oldest first
    data: pl.DataFrame  # the figure's CSV: each panel's date, then its units as the map's CSV

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return tuple(d.choice.as_of for d in self.drawn)

    def notes(self) -> list[str]:
        lg = self.choice.lang
        return [self.source_line, t("reader_boundaries", lg), t("codes_licence", lg)]


def gather_panels(c: Choice, dates: Sequence[dt.date]) -> Panels | None:
    """The view `c` on up to MAX_PANELS of `dates` up to its date; None where it is not drawn
    this way (no boundary file, no figures, or more than MAX_UNITS units)."""
    if c.as_of is None:
        return None
    picked = pick_dates(dates, c.as_of)
    boundary = geo.boundary_name(c.level, c.area)
    if not picked or geo.status(boundary) != "ok":
        return None
    target = queries.view_target(c.level, c.area).value
    c = replace(c, scheme=panel_scheme(c.scheme, target), compare=None, as_of=picked[-1])
    frames = [queries.map_view(c.level, c.area, d, boundary) for d in picked]
    if len(frames[-1].codes) > MAX_UNITS:
        return None
    drawn = tuple(gather(replace(c, as_of=d)) for d in picked)
    if any(d is None or d.projected is None for d in drawn):
        return None
    lg = c.lang
    bins = classes.view_bins(c.level, c.area, c.metric) if c.scheme == "fixed" else None
    every = pl.concat([f.df for f in frames], how="vertical_relaxed")
    groups = charts.classify(every, c.metric, lg, c.scheme, target, bins)
    legend = tuple(svg.Legend(g["colour"], g["label"], "") for g in groups if g["codes"])
    area_name = place_name(c.area, lg)
    d0, d1 = fmt.date(picked[0], lg), fmt.date(picked[-1], lg)
    sources = tuple(sorted({s for f in frames for s in f.sources}))
    synthetic = tuple(sorted({s for f in frames for s in f.synthetic}))
    src_text, _ = summary.map_source_line(sources, synthetic, picked[-1], None, lg)
    first, last = frames[0].df, frames[-1].df
    # each panel's rows as the map's own CSV has them (the figure's own date and source, its
    # class), with the panel's date beside: a figure shown on a date may be older than it
    keep = ["code", "name", c.metric, "as_of", "source", "is_synthetic", "map_class"]
    data = pl.concat(
        [d.data.select(keep).with_columns(pl.lit(day).alias("map_date")) for day, d in zip(picked, drawn, strict=True)],
        how="vertical_relaxed",
    ).select("map_date", *keep)
    return Panels(
        choice=c,
        title=t("multiples_title", lg, metric=t("metric_" + c.metric, lg), area=area_name, d0=d0, d1=d1),
        sentence=changes.change_sentence(
            changes.change_frame(last, first, c.metric), c.metric, area_name, picked[0], picked[-1], lg
        ),
        source_line=t("figure_source", lg, sources=src_text or "–", date=f"{d0} – {d1}"),
        legend=legend,
        drawn=drawn,
        data=data,
    )


def _caption(d: Drawn) -> str:
    return fmt.date(d.choice.as_of, d.choice.lang, "short")


def grid_body(p: Panels) -> tuple[str, int, int]:
    """The panels as one SVG group, COLUMNS a row, each its date over its map: (markup, width,
    height) in SVG units. Each unit's shape carries its words (`<title>`), as on the map."""
    shape = p.drawn[0].projected
    scale = CELL / shape.width
    cell_h = CAPTION + round(shape.height * scale)
    out = []
    for i, d in enumerate(p.drawn):
        row, col = divmod(i, COLUMNS)
        x, y = col * (CELL + GAP), row * (cell_h + GAP)
        out.append(
            f'<text x="{x + CELL // 2}" y="{y + 15}" font-size="15" font-weight="bold" text-anchor="middle" '
            f'fill="#111111">{html.escape(_caption(d))}</text>'
            f'<g transform="translate({x} {y + CAPTION}) scale({scale:.5f})">'
            + svg.map_group(shape, d.fills, d.tips)
            + "</g>"
        )
    rows = -(-len(p.drawn) // COLUMNS)
    cols = min(COLUMNS, len(p.drawn))
    return "".join(out), cols * CELL + (cols - 1) * GAP, rows * cell_h + (rows - 1) * GAP


def standalone_svg(p: Panels) -> str:
    """The small multiples as one file (and the source of the PNG): title, the sentence, the
    panels, the legend and the source, date and licence lines, as a map's file has them."""
    body, width, height = grid_body(p)
    frame = svg.Projected(width, height, {}, (0.0, 0.0, 1.0, 1.0), 1.0)
    return svg.standalone_svg(frame, body, p.title, p.sentence, p.legend, p.notes())


def panels_file(p: Panels, kind: str) -> bytes:
    """The small multiples' download of `kind` (svg, png, html), drawn without a browser as a
    map's files are (ektp.reader.page.map_file)."""
    return svg.figure_file(standalone_svg(p), p.title, p.choice.lang, kind)


def payload(p: Panels) -> dict[str, Any]:
    """What the app's element draws: the view's shapes once (grey, in `codes` order), each unit's
    name once, and each panel as its date, its name for a screen reader, each unit's fill (an
    index into `palette`) and its words after its name, in that order (`[words]`: words said
    whole; None: the unit has no figure that date, its code said). Twelve panels of the 514
    regencies were ~495 KB of JSON with the words and colours whole, ~330 KB so. `key` changes
    with the drawing."""
    shape = p.drawn[0].projected
    codes = list(shape.paths)
    lg = p.choice.lang
    names = dict(zip(p.data["code"].to_list(), p.data["name"].to_list(), strict=True))
    palette = [e.colour for e in p.legend]
    palette += sorted({f for d in p.drawn for f in d.fills.values()} - set(palette)) + [classes.NO_DATA]
    at = {c: i for i, c in reversed(list(enumerate(palette)))}

    def words(d: Drawn, code: str) -> str | list[str] | None:
        tip = d.tips.get(code)
        if tip is None:
            return None
        name = names.get(code)
        return tip[len(name) + 2 :] if name and tip.startswith(f"{name}: ") else [tip]

    panels = [
        {
            "date": _caption(d),
            "label": f"{fmt.date(d.choice.as_of, lg)}: {p.title}",
            "fills": [at[d.fills.get(c, classes.NO_DATA)] for c in codes],
            "tips": [words(d, c) for c in codes],
        }
        for d in p.drawn
    ]
    shapes = svg.inline_svg(shape, svg.map_group(shape, {}, {}), p.title)
    legend = svg.legend_html(p.legend, None, lg)
    ident = "\0".join((p.title, p.source_line, legend, repr(p.choice), repr([x["fills"] for x in panels])))
    return {
        "key": hashlib.sha256(ident.encode()).hexdigest()[:16],
        "title": p.title,
        "source": p.source_line,
        "legend": legend,
        "shapes": shapes,
        "codes": codes,
        "names": [names.get(c, "") for c in codes],
        "palette": palette,
        "panels": panels,
        "hint": t("panels_keys_hint", lg),
    }


def tip_text(payload: dict[str, Any], panel: dict[str, Any], i: int) -> str:
    """A unit's words in a panel, as svgpanels.js puts them together from the payload."""
    said = panel["tips"][i]
    if said is None:
        return payload["codes"][i]
    if isinstance(said, list):
        return said[0]
    return f"{payload['names'][i]}: {said}"
