"""What a reader page draws: its parameters checked against what the app allows, and the view
gathered from the same queries, classes and sentences as the map page.

`choose` reads the map page's own query parameters (area, level, metric, date, bands, compare,
lang); a value that is not allowed falls back to the page's default and is named in a notice,
never an exception. `gather` returns everything the HTML, SVG, PNG, CSV and JSON say, so the
five formats cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import polars as pl

from ektp import changes, charts, classes, fmt, geo, queries, releases, summary
from ektp import labels as maplabels
from ektp.charts.style import RATE_METRICS, format_value, metric_value
from ektp.geo import CHILD_LEVEL, LEVELS_UNDER
from ektp.i18n import LANGS, t
from ektp.reader import svg
from ektp.settings import default_lang
from ektp.ui import state, tables

#: The map page's parameters, in the order a canonical link writes them.
PARAMS = ("area", "level", "metric", "date", "bands", "compare", "lang")


@dataclass(frozen=True)
class Choice:
    """One reader view: the map page's choices, checked."""

    area: str = "00"
    level: str = "province"
    metric: str = "recording_rate"
    scheme: str = "gap"
    as_of: dt.date | None = None
    compare: dt.date | None = None
    lang: str = "id"
    embed: bool = False

    def params(self, **override: object) -> dict[str, str]:
        """The canonical query parameters of this view (what the dashboard link carries)."""
        values = {
            "area": self.area,
            "level": self.level,
            "metric": self.metric,
            "date": self.as_of.isoformat() if self.as_of else "",
            "bands": self.scheme,
            "compare": self.compare.isoformat() if self.compare else "",
            "lang": self.lang,
        }
        values.update({k: str(v) for k, v in override.items()})
        return {k: values[k] for k in (*PARAMS, *(k for k in override if k not in PARAMS)) if values.get(k)}

    def query(self, **override: object) -> str:
        return urlencode(self.params(**override))


def _one(query: Mapping[str, list[str]], name: str, bad: list[str]) -> str | None:
    values = query.get(name) or []
    if not values or values[0] == "":
        return None
    if len(values[0]) > state.MAX_PARAM_LEN or not state.SAFE_PARAM.match(values[0]):
        bad.append(name)
        return None
    return values[0]


def _date(text: str | None, allowed: list[dt.date], name: str, bad: list[str]) -> dt.date | None:
    if text is None:
        return None
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        d = None
    if d not in allowed:
        bad.append(name)
        return None
    return d


def choose(query: Mapping[str, list[str]]) -> tuple[Choice, list[str]]:
    """The view a query string asks for, and the names of the parameters that were not allowed
    (each replaced by the map page's default). Parameters the map page does not know (a news
    site's tracking tags) are left alone; `multiples` is not drawn here and is named."""
    bad: list[str] = []
    lang = _one(query, "lang", bad) or default_lang()
    if lang not in LANGS:
        bad.append("lang")
        lang = default_lang()
    area = _one(query, "area", bad) or "00"
    info = queries.region(area)
    if info is None or info["level"] not in LEVELS_UNDER:
        bad.append("area")
        area, info = "00", queries.region("00")
    allowed = LEVELS_UNDER[info["level"]] if info else LEVELS_UNDER["country"]
    level = _one(query, "level", bad) or CHILD_LEVEL.get(info["level"] if info else "country", "district")
    if level not in allowed:
        bad.append("level")
        level = CHILD_LEVEL.get(info["level"] if info else "country", "district")
    metric = _one(query, "metric", bad) or "recording_rate"
    if metric not in charts.METRICS:
        bad.append("metric")
        metric = "recording_rate"
    target = queries.view_target(level, area).value
    scheme = _one(query, "bands", bad) or classes.default_scheme(metric, target)
    if scheme not in charts.SCHEMES:
        bad.append("bands")
        scheme = classes.default_scheme(metric, target)
    dates = queries.dates(level, area)
    as_of = _date(_one(query, "date", bad), dates, "date", bad) or (dates[-1] if dates else None)
    compare = _date(_one(query, "compare", bad), [d for d in dates if d != as_of], "compare", bad)
    if (_one(query, "multiples", bad) or "off") != "off":
        bad.append("multiples")
    embed = (_one(query, "embed", bad) or "0") == "1"
    return Choice(area, level, metric, scheme, as_of, compare, lang, embed), sorted(set(bad))


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
    label_key: str | None = None  # the units a number stands for on the map (ektp.labels)
    published: str | None = None  # the publisher's own band counts beside this map's

    def map_body(self) -> str:
        if self.projected is None:
            return ""
        return svg.map_group(self.projected, self.fills, self.tips, self.outlined, self.labels)


def _projected(view: str) -> svg.Projected | None:
    if geo.status(view) != "ok":
        return None
    path, mtime = geo.file_stamp(view)
    return svg.projected(path, mtime, lambda: geo.geojson(view))


def _legend(groups: list[dict], lang: str) -> tuple[svg.Legend, ...]:
    return tuple(
        svg.Legend(g["colour"], g["label"], t("units_in_band", lang, n=len(g["codes"]))) for g in groups if g["codes"]
    )


def gather(c: Choice) -> Drawn | None:
    """The view drawn: None when the area has no figures at all (the page says so)."""
    if c.as_of is None:
        return None
    lg = c.lang
    view = geo.view_name(c.level, c.area)
    mv = queries.map_view(c.level, c.area, c.as_of, view)
    area_name = state.area_name(c.area, lg)  # the map page's own words
    targets = queries.view_target(c.level, c.area)
    target = targets.value
    _, source_line = summary.map_source_line(mv.sources, mv.synthetic, c.as_of, targets, lg)
    projected = _projected(view)
    marker = tables.marker(mv.synthetic, lg) if mv.synthetic else ""
    if c.compare is not None:
        return _compare(c, mv, area_name, marker, projected)
    bins = queries.fixed_bins(c.level, c.area, c.metric) if c.scheme == "fixed" else None
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
        "source",
        "is_synthetic",
    ).with_columns(
        map_class=pl.col("code").replace_strict({k: g["label"] for k, g in class_of.items()}, default=None),
        # as people cite it: no file name or row leaves the public instance (fmt.source)
        # made in Python, not as a polars UDF (ui.tables._as_text says why)
        source=pl.Series("source", [fmt.source(s, lg) for s in mv.df["source"].to_list()], dtype=pl.String),
    )
    labels_, label_key = _labels(projected, mv, rows, c.metric, lg)
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
    )


def _labels(
    projected: svg.Projected | None, mv: queries.MapView, rows: list[dict], metric: str, lg: str
) -> tuple[tuple[tuple[float, float, str], ...], str | None]:
    """Each unit's name and figure at its label point, or a number the key spells out where it
    would cover another (ektp.labels; laggards named first), on views small enough to read them
    (as the app): (labels, key line or None)."""
    if projected is None or len(rows) > charts.LABEL_UNITS:
        return (), None
    points = queries.label_points(mv.codes)
    canvas = {c: projected.point(*points[c]) for c in mv.codes if c in points}
    names = {r["code"]: r["name"] for r in rows}
    figures = {r["code"]: format_value(metric_value(r, metric), metric, lg) for r in rows}
    order = [r["code"] for r in sorted(rows, key=lambda r: _rank_key(r, metric))]
    placed, key = maplabels.place(canvas, names, figures, order, font=13, canvas=(projected.width, projected.height))
    return tuple((p.x, p.y, "\n".join(p.lines)) for p in placed), (maplabels.key_line(key) or None)


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
            t("synthetic", lg) if r.get("is_synthetic") else (fmt.source(r.get("source"), lg) or "–"),
        )
        for r in sorted(rows, key=lambda r: _rank_key(r, metric))
    )
    return head, table


def _rank_key(row: dict, metric: str) -> tuple:
    """Worst first, as the app's ranking: the lowest rate, the most people unrecorded."""
    v = metric_value(row, metric)
    if v is None:
        return (1, 0.0, row["code"])
    return (0, v if metric == "recording_rate" else -v, row["code"])


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
    )
