"""One area's page, built once: its latest figures with their dates and sources, its place in its
parent's ranking, its gaps, its maps, its recording rate over time and its former areas.

The rank, the parent's map and the children's map are the map views' own `Drawn`
(mapview.model.gather): an area page cannot rank a unit otherwise than the map of its parent
does. The figures come from `areadata.facts()`, every unit's at once (a published site has
7,838 pages in each language). No Streamlit here; the live reader and the publisher both draw
the `AreaView` that `area_view` returns.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from ektp.core import settings
from ektp.data import areadata, db, geo, queries
from ektp.mapview import svg
from ektp.mapview.model import Drawn, gather
from ektp.mapview.trend import trend_svg
from ektp.mapview.url import default_view
from ektp.text import fmt
from ektp.text.i18n import t

#: The marked unit on a locator map, and the others around it.
MARK, AROUND = "#c0392b", "#e4e4e4"


@dataclass(frozen=True)
class Figure:
    key: str  # the i18n key of its name (eligible, recorded, …): the JSON file's field
    label: str
    value: str
    raw: float | None
    date: str
    source: str
    age_days: int | None  # how old the figure was when this release was built
    synthetic: bool


@dataclass(frozen=True)
class AreaView:
    code: str
    lang: str
    level: str
    name: str
    crumbs: tuple[tuple[str, str], ...]  # (code, name) from Indonesia down to the parent
    title: str
    sentence: str
    figures: tuple[Figure, ...]
    rank: tuple[int, int, str, str] | None  # (position, of n, level name in plural, parent's name)
    gaps: tuple[str, ...]
    target: str | None
    parent_map: Drawn | None  # the parent's map of this level (the locator; this unit marked)
    child_map: Drawn | None  # this area's map of the level below
    children: tuple[tuple[str, str, str, str], ...]  # (code, name, figure, class), worst first
    siblings: tuple[tuple[str, str], ...]
    trend: str  # inline SVG, or "" with fewer than two figures
    trend_said: str
    former: tuple[str, ...]
    destroyed: tuple[str, ...]  # each destruction of invalid cards in the area, in words
    as_of: dt.date | None
    built: dt.date  # the data build's date: what "how old" is measured against

    def locator(self, links: dict[str, str] | None = None) -> str:
        """The parent's map with this unit marked, the units around it light (an inline SVG;
        with `links`, each unit a link)."""
        m = self.parent_map
        if m is None or m.projected is None:
            return ""
        fills = {c: (MARK if c == self.code else AROUND) for c in m.projected.paths}
        body = svg.map_group(m.projected, fills, m.tips, links=links)
        return svg.inline_svg(
            m.projected, body, t("area_locator", self.lang, name=self.name, parent=self.crumbs[-1][1])
        )


def map_of(area: str, level: str, lang: str) -> Drawn | None:
    """The map view of `area` at `level` as its default link draws it (latest date, the
    recording rate): the same `Drawn` as /v/map?area=…&level=…"""
    choice = default_view(area, level, lang)
    return gather(choice) if choice.level == level and choice.area == area else None


def area_view(code: str, lang: str) -> AreaView | None:
    """The page of the unit `code` in `lang`, or None for a code with no page."""
    f = areadata.facts()
    unit = f.units.get(code)
    if unit is None:
        return None
    return _area_view(code, lang, db.stamp(), settings.is_public())


@functools.lru_cache(maxsize=256)
def _area_view(code: str, lg: str, _stamp: tuple, _public: bool) -> AreaView:
    f = areadata.facts()
    unit = f.units[code]
    name = _name(f, code, lg)
    crumbs = trail(code, lg)[:-1]
    built = areadata.built_date()
    row = f.latest.get(code)
    as_of = row["as_of"] if row else None
    figures = _figures(f, code, row, built, lg)
    parent_map = map_of(unit.parent, unit.level, lg) if unit.parent else None
    child_level = geo.CHILD_LEVEL.get(unit.level)
    child_map = map_of(code, child_level, lg) if child_level else None
    rank = None
    if parent_map is not None:
        ranked = [r[3] for r in parent_map.table if r[1] != "–"]
        if code in ranked:
            rank = (ranked.index(code) + 1, len(ranked), t("level_plural_" + unit.level, lg), crumbs[-1][1])
    children = ()
    if child_map is not None:
        children = tuple((r[3], r[0], r[1], r[2]) for r in child_map.table)
    siblings = tuple((c, f.units[c].name) for c in f.children.get(unit.parent or "", ()) if c != code)
    tgt = f.own_target(code)
    target = None
    if tgt is not None:  # its value, by when, who set it, the source
        value, source, synthetic, deadline, set_by = tgt
        parts = [fmt.pct(value, lg)]
        if deadline:
            parts.append(t("area_target_by", lg, date=fmt.date(deadline, lg)))
        if set_by and not synthetic:
            parts.append(t("area_target_set_by", lg, who=set_by))
        parts.append(f"{t('source', lg)}: {_source(source, synthetic, lg)}")
        target = " · ".join(parts)
    gaps = _gaps(f, unit, row, tgt, lg)
    events = tuple(
        t(
            "area_destroyed_event",
            lg,
            date=fmt.date(d, lg),
            n=fmt.num(n, lg),
            where=_name(f, rc, lg),
            how=queries.translations(lg).get(method, method) if method else "–",  # "burned" → "dibakar"
            source=_source(src, syn, lg),
        )
        for rc, d, n, method, src, syn in f.events
        if code == "00" or rc == code or rc.startswith(code + ".")
    )
    points = f.series.get(code, ())
    trend = trend_svg(
        points,
        tgt[0] if tgt else None,
        t("area_trend_label", lg, name=name),
        lambda d: fmt.date(d, lg),
        lambda v: fmt.pct(v, lg, 0),
    )
    trend_said = ""
    if len(points) >= 2:
        trend_said = t(
            "area_trend_said",
            lg,
            first=fmt.pct(points[0][1], lg),
            d0=fmt.date(points[0][0], lg),
            last=fmt.pct(points[-1][1], lg),
            d1=fmt.date(points[-1][0], lg),
            n=fmt.num(sum(1 for p in points if not p[2]), lg),
        )
    former = tuple(
        t(
            "area_former",
            lg,
            name=x.name,
            date=fmt.date(x.effective, lg),
            successors=", ".join(_name(f, s, lg) for s in x.successors),
        )
        for x in f.former.get(code, ())
    )
    return AreaView(
        code=code,
        lang=lg,
        level=unit.level,
        name=name,
        crumbs=crumbs,
        title=t("area_title", lg, name=name),
        sentence=_sentence(name, row, rank, tgt, lg),
        figures=figures,
        rank=rank,
        gaps=gaps,
        target=target,
        parent_map=parent_map,
        child_map=child_map,
        children=children,
        siblings=siblings,
        trend=trend,
        trend_said=trend_said,
        former=former,
        destroyed=events,
        as_of=as_of,
        built=built,
    )


def _name(f: areadata.Facts, code: str, lg: str) -> str:
    return t("national", lg) if code == "00" else f.units[code].name if code in f.units else code


def trail(code: str, lg: str) -> tuple[tuple[str, str], ...]:
    """Indonesia down to the unit itself, as (code, name): an area page's and a map view's way
    back up (their breadcrumbs)."""
    f = areadata.facts()
    return tuple((u.code, _name(f, u.code, lg)) for u in f.ancestors(code))


def _source(text: str | None, synthetic: bool, lg: str) -> str:
    return t("synthetic", lg) if synthetic else (fmt.source(text, lg) or "–")


def _figures(f: areadata.Facts, code: str, row: dict | None, built: dt.date, lg: str) -> tuple[Figure, ...]:
    out: list[Figure] = []

    def add(
        key: str,
        raw: float | None,
        value: str,
        when: dt.date | None,
        source: str,
        synthetic: bool,
        since: dt.date | None = None,
        said: str = "",
    ) -> None:
        """`since`: the oldest of a sum's dates (said as a range; the age is the oldest's);
        `said`: what the figure is, after its name."""
        oldest = since or when
        age = (built - oldest).days if oldest else None
        date = fmt.date(when, lg) if oldest == when else f"{fmt.date(oldest, lg)} – {fmt.date(when, lg)}"
        out.append(Figure(key, t(key, lg) + (f" {said}" if said else ""), value, raw, date, source, age, synthetic))

    if row:
        src, syn, when = _source(row["source"], row["is_synthetic"], lg), bool(row["is_synthetic"]), row["as_of"]
        for key in ("eligible", "recorded"):
            add(key, row[key], fmt.num(row[key], lg), when, src, syn)
        add("recording_rate", row["recording_rate"], fmt.pct(row["recording_rate"], lg), when, src, syn)
        for key in ("unrecorded", "print_ready", "printed"):
            if row[key] is not None:
                add(key, row[key], fmt.num(row[key], lg), when, src, syn)

    def sources(stock: areadata.Stock) -> str:
        """Every source of a sum; "synthetic" among them when any of its rows is."""
        said = [fmt.source(s, lg) or s for s in stock.sources] + ([t("synthetic", lg)] if stock.synthetic else [])
        return ", ".join(said) or "–"

    stocks = (
        ("awaiting_pickup", f.backlog.get(code)),
        ("waiting_over_12m", f.waiting_long.get(code)),
        ("blanks_in_stock", f.blanks.get(code)),
        ("cards_destroyed", f.destroyed.get(code)),
    )
    for key, stock in stocks:
        if stock is None:
            continue
        said = ""
        if stock.reporting and code not in stock.reporting:
            # a sum of what units below reported, not the area's own count: the nation's
            # "27,779 destroyed" is two cities' burnings, and says so
            n = len(stock.reporting)
            said = t("area_reported_by_one" if n == 1 else "area_reported_by", lg, n=fmt.num(n, lg))
        add(
            key, stock.total, fmt.num(stock.total, lg), stock.as_of, sources(stock), stock.synthetic, stock.oldest, said
        )
        if key == "blanks_in_stock" and stock.extra is not None:  # the area's own runway (one row)
            runway = t("days", lg, days=fmt.num(stock.extra, lg))
            add("runway", stock.extra, runway, stock.as_of, sources(stock), stock.synthetic)
    return tuple(out)


def _digits(points: float) -> int:
    """Decimals that keep a gap's sign true: 0.04 points below is "0.04", never "0.0"."""
    if 0 < abs(points) < 0.005:
        return 3
    return 2 if 0 < abs(points) < 0.05 else 1


def _gaps(f: areadata.Facts, unit: areadata.Unit, row: dict | None, tgt: tuple | None, lg: str) -> tuple[str, ...]:
    """The rate's gap to its parent, the nation and its target, in points."""
    rate = row["recording_rate"] if row else None
    if rate is None:
        return ()
    out = []
    for other in dict.fromkeys([unit.parent, "00"]):
        if not other or other == unit.code:
            continue
        theirs = (f.latest.get(other) or {}).get("recording_rate")
        if theirs is not None:
            out.append(
                t(
                    "area_gap",
                    lg,
                    gap=fmt.signed((rate - theirs) * 100, lg, _digits((rate - theirs) * 100)),
                    other=_name(f, other, lg),
                    rate=fmt.pct(theirs, lg),
                )
            )
    if tgt is not None:
        gap = (rate - tgt[0]) * 100
        out.append(t("area_gap_target", lg, gap=fmt.signed(gap, lg, _digits(gap)), target=fmt.pct(tgt[0], lg)))
    return tuple(out)


def _sentence(name: str, row: dict | None, rank: tuple | None, tgt: tuple | None, lg: str) -> str:
    if not row or row["recording_rate"] is None:
        return t("area_no_figures", lg, name=name)
    parts = [
        t(
            "area_said",
            lg,
            name=name,
            rate=fmt.pct(row["recording_rate"], lg),
            date=fmt.date(row["as_of"], lg),
            unrecorded=fmt.num(row["unrecorded"], lg),
        )
    ]
    if rank is not None:
        parts.append(
            t("area_rank", lg, pos=fmt.num(rank[0], lg), n=fmt.num(rank[1], lg), level=rank[2], parent=rank[3])
        )
    if tgt is not None:
        gap = (tgt[0] - row["recording_rate"]) * 100
        key = "area_below_target" if gap > 0 else "area_meets_target"
        parts.append(t(key, lg, gap=fmt.num(abs(gap), lg, _digits(gap)), target=fmt.pct(tgt[0], lg)))
    return " ".join(parts)
