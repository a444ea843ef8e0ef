"""Coverage map: choropleth by province, regency or district with drill-down, ranking and detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass

import polars as pl
import streamlit as st

from ektp import charts, ui
from ektp.analysis import changes, metrics, summary
from ektp.analysis.metrics import funnel
from ektp.core.pagestyle import MAP_KEY
from ektp.data import geo, queries, releases
from ektp.data.geo import CHILD_LEVEL
from ektp.mapview import panels, url
from ektp.mapview.model import Drawn, gather
from ektp.mapview.url import Choice
from ektp.reader.page import map_file
from ektp.text import fmt
from ektp.text.i18n import t

lg = ui.setup("page_map")
RANKING_ROWS = 1000
#: beyond this many units the detail's unit picker is grouped by province: the labels of all
#: 7,285 districts were 170 KB of every rerun of the national district map
GROUPED_PICKER_UNITS = 1000
#: the below-target line names the lowest units; the ranking has them all (2,160 of the
#: national districts below 98% made a 43 KB paragraph on every rerun)
BELOW_LISTED = 3


def drill(code: str, level: str) -> None:
    """Callback: open an area (from a click, the picker or the breadcrumb)."""
    st.session_state["w_area"] = code
    st.session_state["_area"] = code
    st.session_state["w_level"] = level
    st.query_params["area"] = code
    st.query_params["level"] = level


def on_map_drill() -> None:
    """Callback: a unit opened on the map (click, second tap, Enter) opens its own map."""
    value = st.session_state.get(MAP_KEY) or {}
    code = value.get("drill") if hasattr(value, "get") else None
    info = queries.region(code) if isinstance(code, str) else None
    if info and info["level"] in ("province", "regency"):
        drill(code, CHILD_LEVEL[info["level"]])


@ui.fragment
def ranking(drawn: Drawn, mv: queries.MapView) -> None:
    """The view model's ranking as a table with its search box (the page without a map): typing
    reruns this fragment only. Each unit's colour class is a column, in words."""
    lg = drawn.choice.lang
    st.markdown(f"**{t('ranking', lg)}**")
    query = st.text_input(t("search", lg), key="map_search", max_chars=60)
    table = ui.ranking_table(drawn)
    if query:
        table = ui.search_rows(table, t("name", lg), query)
    if table.height > RANKING_ROWS:  # all 7,285 districts would send ~830 KB on every rerun
        st.caption(t("ranking_capped", lg, shown=fmt.num(RANKING_ROWS, lg), total=fmt.num(table.height, lg)))
        table = table.head(RANKING_ROWS)
    picked = ui.table(
        table, lang=lg, hide_index=True, width="stretch", height=420,
        on_select="rerun", selection_mode="single-row", key="ranking_pick",
    )  # fmt: skip
    rows = picked.selection.rows if picked is not None else []
    code_col = next(c for c in table.columns if c.lower() == t("code", lg).lower())
    if rows and rows[0] < table.height and table[code_col][rows[0]] != st.session_state.get("map_focus"):
        focus_unit(table[code_col][rows[0]], mv)
        st.rerun(scope="app")  # the map and the detail are outside this fragment


def focus_unit(code: str, mv: queries.MapView) -> None:
    """A ranking row picked (the map element's or, without a map, the table's): the map shows
    that unit (its outline and figures) and the detail opens on it."""
    if code == st.session_state.get("map_focus") or code not in mv.names:
        return
    st.session_state["map_focus"] = code
    st.session_state["w_unit"] = code
    if len(mv.codes) > GROUPED_PICKER_UNITS:
        st.session_state["w_unit_province"] = code[:2]


def on_map_pick(mv: queries.MapView) -> None:
    """Callback: a row picked in the map element's ranking (before the rerun it causes)."""
    value = st.session_state.get(MAP_KEY) or {}
    code = value.get("pick") if hasattr(value, "get") else None
    if isinstance(code, str):
        focus_unit(code, mv)


@ui.fragment
def detail(mv: queries.MapView, as_of: dt.date, lg: str, metric: str = "recording_rate") -> None:
    """One unit's funnel and its alternative sources: picking a unit reruns this fragment only.
    It opens on the unit the sentence names (summary.named_first), not the first code."""
    st.header(t("detail", lg))
    codes, names = mv.codes, mv.names
    first = summary.named_first(mv.df, metric) or codes[0]
    if len(codes) > GROUPED_PICKER_UNITS:  # pick the province first, then one of its units
        wanted = st.session_state.get("w_unit") or ui.raw_param("unit") or ""
        provinces = tuple(mv.by_province)
        pnames = queries.province_names()
        province = ui.choice(
            "unit_province",
            provinces,
            wanted[:2] if wanted[:2] in mv.by_province else first[:2],
            t("level_province", lg),
            format_func=lambda c: pnames.get(c, c),
            where=st,
        )
        codes = mv.by_province[province]
    unit = ui.choice(
        "unit",
        codes,
        first if first in codes else codes[0],
        t("detail", lg),
        format_func=lambda c: f"{names.get(c, c)} ({c})",
        where=st,  # fmt: skip
    )
    row = mv.df.row(mv.codes.index(unit), named=True)
    backlog = queries.backlog_latest(unit, as_of)
    awaiting = backlog["awaiting_pickup"].drop_nulls()
    steps = funnel(
        row["eligible"],
        row["recorded"],
        row["print_ready"],
        row["printed"],
        int(awaiting.sum()) if awaiting.len() else None,
    )
    c1, c2 = st.columns(2)
    with c1:
        if any(v is not None for _, v in steps):
            ftitle = f"{t('funnel_title', lg)} — {row['name']}"
            fsaid = summary.funnel_sentence(steps, row["name"], lg)
            if fsaid:  # what the funnel shows, in words, above it
                ui.said(fsaid)
            fsrc = t("figure_source", lg, sources=fmt.source(row["source"], lg) or "–", date=fmt.date(row["as_of"], lg))

            funnel_fig = ui.FigureSpec(charts.funnel_chart, steps, lg, ftitle, fsrc)
            # the funnel is the page's one Plotly chart: drawn when asked, so a phone opening the
            # map does not fetch plotly.js (1 MB compressed) for a chart below the fold
            shown = ui.choice(
                "funnel", ("off", "on"), "off", t("funnel_show", lg), where=st, widget="radio",
                format_func=lambda x: t("funnel_" + x, lg),
            )  # fmt: skip
            if shown == "on":
                st.plotly_chart(funnel_fig.shared(), config=ui.plotly_config(lg), key="funnel")
            else:
                st.markdown(ui.safe_text(" → ".join(f"{t(k, lg)} {fmt.num(v, lg)}" for k, v in steps if v is not None)))
            st.caption(ui.marker(row["is_synthetic"], lg))
            funnel_data = metrics.funnel_frame(steps)
            ui.figure_downloads(
                funnel_fig.fresh, funnel_data, f"alur_{unit}_{row['as_of']}", lg, "funnel", sentence=fsaid
            )
        elif row.get("recording_rate") is not None:  # a published rate without counts
            st.info(t("funnel_no_counts", lg, source=ui.safe_text(fmt.source(row["source"], lg) or "–")))
        else:
            st.info(t("no_data", lg))
    with c2:
        st.markdown(f"**{t('alternatives', lg)}**")
        alts = queries.sources_for(unit, row["as_of"]) if row["as_of"] else pl.DataFrame()
        if alts.height:
            if metrics.sources_disagree(alts["is_synthetic"].to_list()):
                st.caption(t("disagree_note", lg))
            ui.small_table(ui.alternatives_table(alts, lg), lg)
        else:
            st.caption(t("no_alternatives", lg))
        if row.get("warnings"):
            st.warning(f"{t('warnings', lg)}: {fmt.notes(row['warnings'], lg)}")
        split = queries.split_by_sex(unit, row["as_of"]) if row["as_of"] else None
        if split:
            st.caption(
                f"{t('by_sex', lg)} — {fmt.split_by_sex(split, lg)} · {ui.safe_text(fmt.source(split['source'], lg))}"
            )


@dataclass(frozen=True)
class View:
    """What the map page has chosen: the boundary file it is drawn on, where, on which date, in
    which language."""

    boundary: str
    maps_on: bool
    level: str
    area: str
    area_name: str
    metric: str
    as_of: dt.date
    src_text: str
    lg: str


def reader_view(v: View, scheme: str, compare: dt.date | None = None) -> Choice:
    """The same view on the reader route (/v/map): its link and its SVG/PNG, drawn without a browser."""
    return Choice(v.area, v.level, v.metric, scheme, v.as_of, compare, v.lg)


def no_map(map_files: str) -> None:
    """Why the view has no map: its boundary file is outdated, or not built (the reason named
    on the internal instance only)."""
    if map_files == "outdated":
        st.warning(t("maps_outdated", lg))
        return
    reason = queries.meta().get("boundaries_status", "boundary files not built")
    st.warning(t("maps_off", lg, reason=reason if not ui.settings.is_public() else "—"))


def multiples_view(v: View, dates: list[dt.date], scheme: str) -> None:
    """`multiples=on`: up to 12 dates of this view side by side on one legend (the view model's
    drawing of each date, as the files have it), and its downloads."""
    if not v.maps_on:
        no_map(geo.status(v.boundary))
        return
    drawn = panels.gather_panels(reader_view(v, scheme), dates)
    if drawn is None:
        st.info(t("multiples_too_many", v.lg, n=panels.MAX_UNITS))
        return
    if drawn.sentence:
        ui.said(drawn.sentence)
    ui.svg_panels(drawn, "multiples_map")
    ui.figure_downloads(
        None,
        drawn.data,
        f"peta_kecil_{v.metric}_{v.area}",
        v.lg,
        "multiples",
        images=lambda kind: panels.panels_file(drawn, kind),
    )


def compare_view(v: View, mv: queries.MapView, compare: dt.date) -> None:
    """`compare=`: the change of every unit between `compare` and `date`, as a sentence, a map
    on a diverging scale, a table sorted worst change first, and their downloads."""
    _, maps_on, level, area, area_name, metric, as_of, src_text, lg = astuple(v)
    before = queries.map_values(level, area, compare)
    ch = changes.change_frame(mv.df, before, metric)
    d0, d1 = fmt.date(compare, lg), fmt.date(as_of, lg)
    sentence = changes.change_sentence(ch, metric, area_name, compare, as_of, lg)
    if sentence:
        ui.said(sentence)
    shared = reader_view(v, "", compare)  # a change map has no colour scheme to choose
    if maps_on:  # the view model's drawing, as the reader page and the files draw it
        ui.svg_map(gather(shared), MAP_KEY, on_map_drill)
    table = changes.change_table(ch, metric, {"name": t("name", lg), "code": t("code", lg), "before": d0, "now": d1,
                                             "change": t("change_col", lg)})  # fmt: skip
    ui.table(table, hide_index=True, width="stretch", height=420)

    ui.reader_link(shared.query(), lg)
    ui.figure_downloads(
        None,  # the files are the drawing above (the view model's), as the reader page's
        table,
        f"perubahan_{metric}_{level}_{area}_{compare}_{as_of}",
        lg,
        "change",
        images=lambda kind: map_file(shared, kind),
    )


def choose(area: str) -> tuple:
    """The sidebar's pickers, each mirrored in the URL: (level, metric, the units' targets,
    colour scheme, the view's dates, the date, the date compared with or None, multiples)."""
    info = queries.region(area)
    levels = list(geo.LEVELS_UNDER[info["level"]])
    level = ui.choice(
        "level",
        levels,
        url.default_level(info["level"]),
        t("level", lg),
        format_func=lambda x: t("level_" + x, lg),
        widget="radio",
    )
    metric = ui.choice(
        "metric", charts.METRICS, url.DEFAULT_METRIC, t("metric", lg), format_func=lambda x: t("metric_" + x, lg)
    )
    targets = queries.view_target(level, area)  # each unit's own target (queries.UNIT_TARGET_CTE)
    scheme = ui.choice(
        "scheme",
        charts.SCHEMES,
        url.default_scheme(level, area, metric),
        t("bands", lg),
        format_func=lambda x: t("bands_" + x, lg),
        widget="radio",
    )
    dates = queries.dates(level, area)
    as_of = ui.date_choice(dates, lg)
    compare = ui.choice(  # "none" (not None: Streamlit would show its placeholder) is no comparison
        "compare",
        ["none", *reversed([d for d in dates if d != as_of])],
        "none",
        t("compare", lg),
        format_func=lambda d: t("compare_none", lg) if d == "none" else fmt.date(d, lg),
        to_str=lambda d: "" if d == "none" else d.isoformat(),
    )
    compare = None if compare == "none" else compare
    panels_on = ui.choice(
        "multiples", ("off", "on"), "off", t("multiples", lg), format_func=lambda x: t("multiples_" + x, lg),
        widget="radio",
    )  # fmt: skip
    return level, metric, targets, scheme, dates, as_of, compare, panels_on


def breadcrumb(area: str) -> None:
    """Indonesia › province › regency: each level above the area a button that opens it."""
    crumbs = queries.ancestors(area)
    cols = st.columns(len(crumbs) + 1)
    for col, a in zip(cols, crumbs, strict=False):
        label = t("national", lg) if a["code"] == "00" else a["name"]
        if a["code"] == area:
            col.markdown(f"**{ui.safe_text(label)}**")
        else:
            col.button(
                "⬆ " + label,
                key=f"crumb_{a['code']}",
                on_click=drill,
                args=(a["code"], url.default_level(a["level"])),
            )


def plain_view(v: View, mv: queries.MapView, map_files: str, scheme: str, target: float | None) -> None:
    """The map of one date: its sentence, the map, the published band counts beside its own, the
    ranking, the below-target line, the drill-down picker, the downloads and a unit's detail."""
    _, maps_on, level, area, area_name, metric, as_of, _, lg = astuple(v)
    df = mv.df
    drawn = gather(reader_view(v, scheme))  # one model: the reader page and the files draw it too
    sentence = drawn.sentence if drawn else None
    if sentence:  # the map's story in words, above it: what the chart shows, for every reader
        ui.said(sentence)
    # the map is the page's hero: the content's full width; the ranking and pickers below it
    listed = maps_on and drawn is not None  # the element lists the ranking under its map
    if listed:  # the unit picked in the ranking shown on it
        pick = lambda: on_map_pick(mv)  # noqa: E731
        ui.svg_map(drawn, MAP_KEY, on_map_drill, focus=st.session_state.get("map_focus"), on_pick=pick)
    else:
        no_map(map_files)
    st.caption(ui.marker(mv.synthetic, lg) + " · " + t("over_100_note", lg))
    published = summary.published_bands_line(releases.published_bands(level, area, as_of), df, lg)
    if published and metric == "recording_rate":  # the publisher's own count of this map's bands
        st.markdown(published)
    one_band = charts.single_band(df, metric, scheme) if maps_on else None
    if one_band is not None:
        # distance to the target is offered only where every unit has a target of its own
        key = "one_band" if target is not None else "one_band_no_target"
        st.caption(t(key, lg, n=one_band[1], band=t(one_band[0], lg)))
    if listed:
        right = st.container()
    else:  # no map drawn: the model's ranking as a table beside the rest
        left, right = st.columns([3, 2])
        with left:
            if drawn is not None:
                ranking(drawn, mv)
    with right:
        below = summary.below_target_line(df, target, lg, BELOW_LISTED)
        if below:
            st.markdown(below)
        child = CHILD_LEVEL.get(level)
        if child and level != "district":
            opts = ["", *mv.codes]
            names = mv.names
            pick = st.selectbox(
                t("drill_to", lg), opts, format_func=lambda c: names.get(c, t("drill_none", lg)), key="drill_pick"
            )
            if pick:
                st.button(f"➡ {names[pick]}", on_click=drill, args=(pick, child), key="drill_go")

    if maps_on and drawn is not None:
        map_downloads(v, drawn, scheme)

    st.divider()
    detail(mv, as_of, lg, v.metric)


def map_downloads(v: View, drawn: Drawn, scheme: str) -> None:
    """The map's link on the reader route and its files, all of the view model (as the reader
    page's): SVG, PNG and HTML drawn there (no browser), its data as CSV (the reader's CSV: on the
    public instance no file name or row) and its ranking as a planner's sheet."""
    _, _, level, area, _, metric, as_of, _, lg = astuple(v)
    shared = reader_view(v, scheme)
    ui.reader_link(shared.query(), lg)
    ui.figure_downloads(
        None,  # the files are the drawing above (the view model's), as the reader page's
        drawn.data,
        f"peta_{metric}_{level}_{area}_{as_of}",
        lg,
        "map",
        images=lambda kind: map_file(shared, kind),
        report=lambda: ui.ranking_report(drawn, [drawn.sentence, drawn.source_line]),
    )


def body() -> None:
    area = ui.page_header("page_map", lg)
    if area is None:
        return
    level, metric, targets, scheme, dates, as_of, compare, panels_on = choose(area)
    target = targets.value  # the one target all units share (gap classes, labels), else None
    ui.show_invalid_notice(lg)

    breadcrumb(area)
    if as_of is None:
        st.info(t("no_data", lg))
        return
    boundary = geo.boundary_name(level, area)
    map_files = geo.status(boundary)
    maps_on = map_files == "ok"
    mv = queries.map_view(level, area, as_of, boundary)
    area_name = ui.area_name(area, lg)
    src_text, _ = summary.map_source_line(mv.sources, mv.synthetic, as_of, targets, lg)

    here = View(boundary, maps_on, level, area, area_name, metric, as_of, src_text, lg)
    if panels_on == "on":
        multiples_view(here, dates, scheme)
        return
    if compare is not None:
        compare_view(here, mv, compare)
        st.divider()
        detail(mv, as_of, lg, metric)
        return
    plain_view(here, mv, map_files, scheme, target)


ui.guarded(body)
