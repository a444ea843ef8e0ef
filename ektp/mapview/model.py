"""One map view, built once: the checked choice (mapview.url) → its data, classes, legend,
sentence, ranking, labels and SVG shapes, in the reader's language.

The map page, the reader page (HTML, SVG, PNG, CSV, JSON), the Overview and the exports all
draw the `Drawn` that `gather` returns, so they cannot disagree. No Streamlit here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import polars as pl

from ektp import charts
from ektp.analysis import changes, classes, summary
from ektp.charts.style import RATE_METRICS, format_value, metric_value, rank_key
from ektp.core import labels as maplabels
from ektp.core import settings
from ektp.data import db, geo, queries, releases
from ektp.mapview import svg
from ektp.mapview.url import Choice
from ektp.text import fmt
from ektp.text.i18n import t


def place_name(code: str, lg: str) -> str:
    """'Indonesia (nasional)' for '00', else the unit's Kemendagri name."""
    return t("national", lg) if code == "00" else queries.region(code)["name"]


@dataclass(frozen=True)
class Drawn:
    """Everything a reader view says, in the reader's language."""

    choice: Choice
    title: str
    area_name: str
    sentence: str | None
    source_line: str
    marker: str
    legend: tuple[svg.Legend, ...]
    table_head: tuple[str, ...]
    table: tuple[tuple[str, ...], ...]
    data: pl.DataFrame  # what the map draws, one row per unit (the CSV and JSON)
    projected: svg.Projected | None  # None: no boundary file for the view (maps off)
    fills: dict[str, str] = field(default_factory=dict)
    tips: dict[str, str] = field(default_factory=dict)
    outlined: tuple[str, ...] = ()
    labels: tuple[tuple[float, float, str], ...] = ()
    label_key: str | None = None  # the units a number stands for on the map (ektp.core.labels)
    published: str | None = None  # the publisher's own band counts beside this map's

    border: str = svg.BORDER  # a change map's classes meet at white: its borders are dark
    symbols: tuple[tuple[str, float, float, float], ...] = ()  # a map of counts: (code, x, y, r)
    sizes: tuple[tuple[str, float], ...] = ()  # its size key: (figure, radius)

    def map_body(self, links: dict[str, str] | None = None) -> str:
        if self.projected is None:
            return ""
        return svg.map_group(
            self.projected,
            self.fills,
            self.tips,
            self.outlined,
            self.labels,
            border=self.border,
            symbols=self.symbols,
            links=links,
        )

    def picture(self, links: dict[str, str] | None = None) -> str:
        """The map as one inline SVG, named by its sentence (else its title) for a screen reader:
        what the map page, the Overview and the reader page show (the reader's with each unit a
        link to its area page)."""
        if self.projected is None:
            return ""
        return svg.inline_svg(self.projected, self.map_body(links), self.sentence or self.title)


def _projected(boundary: str) -> svg.Projected | None:
    if geo.status(boundary) != "ok":
        return None
    path, mtime = geo.file_stamp(boundary)
    return svg.projected(path, mtime, lambda: geo.geojson(boundary))


def _legend(groups: list[dict], lang: str) -> tuple[svg.Legend, ...]:
    return tuple(
        svg.Legend(g["colour"], g["label"], t("units_in_band", lang, n=len(g["codes"]))) for g in groups if g["codes"]
    )


def gather(c: Choice) -> Drawn | None:
    """The view drawn: None when the area has no figures at all (the page says so). Made once
    per view, data build, boundary file and setting it reads (public names sources otherwise), and
    shared read-only: every rerun of the map page asked for it again (0.3 s for 514 units)."""
    if c.as_of is None:
        return None
    boundary = geo.boundary_name(c.level, c.area)
    # every input besides the choice: the data build, the boundary file and the settings it reads
    return _gather(c, db.stamp(), geo.file_stamp(boundary), settings.is_public(), queries.stale_days())


@functools.lru_cache(maxsize=64)
def _gather(c: Choice, _db: tuple, _geo: tuple, _public: bool, _stale_days: int) -> Drawn:
    lg = c.lang
    boundary = geo.boundary_name(c.level, c.area)
    mv = queries.map_view(c.level, c.area, c.as_of, boundary)
    area_name = place_name(c.area, lg)  # the map page's own words
    targets = queries.view_target(c.level, c.area)
    target = targets.value
    _, source_line = summary.map_source_line(mv.sources, mv.synthetic, c.as_of, targets, lg)
    projected = _projected(boundary)
    marker = fmt.marker(mv.synthetic, lg) if mv.synthetic else ""
    if c.compare is not None:
        return _compare(c, mv, area_name, marker, projected)
    bins = classes.view_bins(c.level, c.area, c.metric) if c.scheme == "fixed" else None
    groups = charts.classify(mv.df, c.metric, lg, c.scheme, target, bins)
    class_of = {code: g for g in groups for code in g["codes"]}
    rows = mv.df.to_dicts()
    fills = {code: g["colour"] for code, g in class_of.items() if g["key"] != "band_none"}
    # each unit's figure with its own date: a map of one date can hold figures of several
    tips = {
        r["code"]: f"{r['name']}: {format_value(metric_value(r, c.metric), c.metric, lg)}"
        + (f" · {fmt.date(r['as_of'], lg)}" if r.get("as_of") else "")
        for r in rows
    }
    legend = _legend(groups, lg)
    outlined = tuple(classes.below_target(mv.df)["code"].to_list())  # each against its own target
    if outlined:
        label = classes.below_label(target, lg)
        legend += (svg.Legend("none", label, t("units_in_band", lg, n=len(outlined)), outline=True),)
    head, table = _ranking(rows, class_of, c.metric, lg)
    published = None
    if c.metric == "recording_rate":
        published = summary.published_bands_line(releases.published_bands(c.level, c.area, c.as_of), mv.df, lg)
    data = mv.df.select(
        "code",
        "name",
        "as_of",
        "recording_rate",
        "unrecorded_share",
        "eligible",
        "recorded",
        "unrecorded",
        "print_ready",
        "printed",
        "print_gap",
        "target",  # the unit's own target (queries.UNIT_TARGET_CTE): what its outline is judged by
        "source",
        "is_synthetic",
    ).with_columns(
        map_class=pl.col("code").replace_strict({k: g["label"] for k, g in class_of.items()}, default=None),
        # as people cite it: no file name or row leaves the public instance (fmt.source)
        # made in Python, not as a polars UDF (ui.tables._as_text says why)
        source=pl.Series("source", [fmt.source(s, lg) for s in mv.df["source"].to_list()], dtype=pl.String),
    )
    figures = {r["code"]: format_value(metric_value(r, c.metric), c.metric, lg) for r in rows}
    order = [r["code"] for r in sorted(rows, key=lambda r: rank_key(r, c.metric))]
    labels_, label_key = _labels(projected, mv, rows, figures, order)
    symbols, sizes = _symbols(projected, mv, rows, c.metric, lg) if c.metric not in RATE_METRICS else ((), ())
    return Drawn(
        choice=c,
        title=summary.map_title(c.metric, c.level, area_name, lg),
        area_name=area_name,
        sentence=summary.map_sentence(mv.df, c.metric, c.level, area_name, target, lg),
        source_line=source_line,
        marker=marker,
        legend=legend,
        table_head=head,
        table=table,
        data=data,
        projected=projected,
        fills=fills,
        tips=tips,
        outlined=outlined,
        labels=labels_,
        label_key=label_key,
        published=published,
        symbols=symbols,
        sizes=sizes,
    )


def _labels(
    projected: svg.Projected | None,
    mv: queries.MapView,
    rows: list[dict],
    figures: dict[str, str],
    order: list[str],
) -> tuple[tuple[tuple[float, float, str], ...], str | None]:
    """Each unit's name and figure (`figures`: its value, or its change) at its label point, or a
    number the key spells out where it would cover another (ektp.core.labels; the first of `order`,
    the laggards, named first), on views small enough to read them: (labels, key line or None)."""
    if projected is None or len(rows) > charts.LABEL_UNITS:
        return (), None
    points = queries.label_points(mv.codes)
    canvas = {c: projected.point(*points[c]) for c in mv.codes if c in points}
    names = {r["code"]: r["name"] for r in rows}
    placed, key = maplabels.place(canvas, names, figures, order, font=13, canvas=(projected.width, projected.height))
    return tuple((p.x, p.y, "\n".join(p.lines)) for p in placed), (maplabels.key_line(key) or None)


#: The circles of a map of counts together cover about this share of the canvas (so they
#: overlap little, whether a view has 11 units or 514); the largest between these radii, in
#: canvas units (the canvas is svg.CANVAS wide).
SYMBOL_COVER = 0.06
SYMBOL_MAX, SYMBOL_MIN = 50.0, 6.0


def _symbols(
    projected: svg.Projected | None, mv: queries.MapView, rows: list[dict], metric: str, lg: str
) -> tuple[tuple[tuple[str, float, float, float], ...], tuple[tuple[str, float], ...]]:
    """A map of counts: each unit's count as a circle at its label point, its area in proportion
    to the count (radius ∝ √count), and a size key of three round figures."""
    if projected is None:
        return (), ()
    values = {r["code"]: metric_value(r, metric) for r in rows}
    top = max((v for v in values.values() if v), default=0.0)
    if top <= 0:
        return (), ()
    total = sum(v for v in values.values() if v and v > 0) / top  # the circles' area in largest ones
    room = SYMBOL_COVER * projected.width * projected.height / (math.pi * total)
    biggest = max(SYMBOL_MIN, min(SYMBOL_MAX, room**0.5))
    points = queries.label_points(mv.codes)

    def radius(v: float) -> float:
        return biggest * (v / top) ** 0.5

    circles = tuple(
        (code, *projected.point(*points[code]), radius(v))
        for code, v in values.items()
        if v and v > 0 and code in points
    )
    key = []
    for share in (1.0, 0.25, 0.04):  # three nested circles: the largest count and two rounder
        v = _round_figure(top * share)
        if v > 0 and (not key or key[-1][0] != fmt.num(v, lg)):
            key.append((fmt.num(v, lg), radius(v)))
    return circles, tuple(key)


def _round_figure(v: float) -> float:
    """1, 2 or 5 times a power of ten, at most `v` (a size key's round figures)."""
    if v < 1:
        return 0.0
    power = 10 ** math.floor(math.log10(v))
    return max(m * power for m in (1, 2, 5) if m * power <= v)


def _ranking(rows: list[dict], class_of: dict, metric: str, lg: str) -> tuple[tuple[str, ...], tuple]:
    """The ranking's head and rows, worst first, each unit's class in words (as the app's)."""
    head = (t("name", lg), t("metric_" + metric, lg), t("map_class", lg), t("code", lg), t("date", lg), t("source", lg))
    table = tuple(
        (
            r["name"],
            format_value(metric_value(r, metric), metric, lg),
            class_of[r["code"]]["label"] if r["code"] in class_of else "–",
            r["code"],
            fmt.date(r.get("as_of"), lg) if r.get("as_of") else "–",
            fmt.ranked_source(r.get("source"), bool(r.get("is_synthetic")), lg),
        )
        for r in sorted(rows, key=lambda r: rank_key(r, metric))
    )
    return head, table


def _compare(c: Choice, mv: queries.MapView, area_name: str, marker: str, projected: svg.Projected | None) -> Drawn:
    """The change between `compare` and `date`, as the map page's compare view draws it."""
    lg = c.lang
    before = queries.map_values(c.level, c.area, c.compare)
    ch = changes.change_frame(mv.df, before, c.metric)
    rows = ch.to_dicts()
    groups = [{**d, "codes": [r["code"] for r in members]} for d, members in changes.change_groups(rows, c.metric, lg)]
    fills = {code: g["colour"] for g in groups[:-1] for code in g["codes"]}
    d0, d1 = fmt.date(c.compare, lg), fmt.date(c.as_of, lg)
    digits = 1 if c.metric in RATE_METRICS else 0

    def num(v: float | None) -> str:
        return "–" if v is None else fmt.num(v, lg, digits) + ("%" if c.metric in RATE_METRICS else "")

    def change(v: float | None) -> str:
        return "–" if v is None else fmt.signed(v, lg, digits)

    tips = {r["code"]: f"{r['name']}: {changes.change_text(r, c.metric, lg)}" for r in rows}
    title = changes.change_title(c.metric, c.level, area_name, c.compare, c.as_of, lg)
    src_text, _ = summary.map_source_line(mv.sources, mv.synthetic, c.as_of, None, lg)
    source = t("figure_source", lg, sources=src_text or "–", date=f"{d0} → {d1}")
    head = (t("name", lg), t("code", lg), d0, d1, t("change_col", lg))
    table = tuple((r["name"], r["code"], num(r["before"]), num(r["now"]), change(r["change"])) for r in rows)
    data = ch.select("code", "name", "before", "now", "change", "is_synthetic")
    # each unit's change written on it, the worst named first
    changed = [r for r in rows if r["change"] is not None]
    figures = {r["code"]: change(r["change"]) for r in changed}
    up = 1 if c.metric in changes.BETTER_UP else -1
    order = [r["code"] for r in sorted(changed, key=lambda r: (up * r["change"], r["code"]))]
    labels_, label_key = _labels(projected, mv, changed, figures, order)
    return Drawn(
        choice=c,
        title=title,
        area_name=area_name,
        sentence=changes.change_sentence(ch, c.metric, area_name, c.compare, c.as_of, lg),
        source_line=source,
        marker=marker,
        legend=_legend(groups, lg),
        table_head=head,
        table=table,
        data=data,
        projected=projected,
        fills=fills,
        tips=tips,
        labels=labels_,
        label_key=label_key,
        border=changes.BORDER,
    )
