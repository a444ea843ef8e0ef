"""Overview: who lags in the selected area (the map's own sentence, its lowest units with their
gap, a small map), then the area's headline tiles, its sources and the page links."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ektp import ui
from ektp.analysis import summary
from ektp.data import geo, queries
from ektp.mapview.model import gather
from ektp.mapview.url import choose
from ektp.text import fmt
from ektp.text.i18n import t

#: How many of the lowest units the Overview lists (the map page ranks them all).
LAGGARDS = 5

lg = ui.setup("page_overview")


def body() -> None:
    area = ui.page_header("app_title", lg)
    if area is None:
        return
    ui.show_invalid_notice(lg)
    st.caption(t("overview_intro", lg))
    who_lags(area)
    cur, prev = queries.area_latest(area)
    if cur is None:
        st.info(t("no_data", lg))
        return
    as_of = cur["as_of"]
    backlog = queries.backlog_latest(area, as_of)
    blanko = queries.blanko_latest(area, as_of)
    st.header(f"{ui.safe_text(ui.area_name(area, lg))} · {t('as_of', lg, date=fmt.date(as_of, lg))}")
    st.caption(
        ui.marker(cur["is_synthetic"], lg) + f" · {t('source', lg)}: {ui.safe_text(fmt.source(cur['source'], lg))}"
    )

    def delta(key: str, percent: bool = False) -> str | None:
        if prev is None or cur.get(key) is None or prev.get(key) is None:
            return None
        return t(
            "change_since",
            lg,
            delta=fmt.signed(cur[key] - prev[key], lg, 1 if percent else 0, percent),
            date=fmt.date(prev["as_of"], lg),
        )

    awaiting = backlog["awaiting_pickup"].drop_nulls()
    stock = blanko["remaining"].drop_nulls()
    tiles = [
        (t("eligible", lg), fmt.num(cur["eligible"], lg), delta("eligible"), "normal"),
        (t("recorded", lg), fmt.num(cur["recorded"], lg), delta("recorded"), "normal"),
        (t("recording_rate", lg), fmt.pct(cur["recording_rate"], lg), delta("recording_rate", True), "normal"),
        (t("unrecorded", lg), fmt.num(cur["unrecorded"], lg), delta("unrecorded"), "inverse"),
        (t("awaiting_pickup", lg), fmt.num(awaiting.sum() if awaiting.len() else None, lg), None, "inverse"),
        (t("blanks_in_stock", lg), fmt.num(stock.sum() if stock.len() else None, lg), None, "normal"),
    ]
    for row in (tiles[:3], tiles[3:]):
        cols = st.columns(3)
        for col, (label, value, d, colour) in zip(cols, row, strict=True):
            col.metric(label, value, d, delta_color=colour)
    if prev is not None:  # what the changes are against: a figure of the same kind, named
        st.caption(
            t(
                "change_against",
                lg,
                date=fmt.date(prev["as_of"], lg),
                source=ui.safe_text(fmt.source(prev["source"], lg)),
            )
        )
    # each tile's kind from the rows it counts: an article that gives no count (Palembang's cards
    # piled up, no number) is named elsewhere, not made "a mix" of a synthetic total
    counted = backlog.filter(pl.col("awaiting_pickup").is_not_null())["is_synthetic"].to_list()
    in_stock = blanko.filter(pl.col("remaining").is_not_null())["is_synthetic"].to_list()
    st.caption(
        f"{t('awaiting_pickup', lg)}: {ui.marker(counted, lg) if counted else '–'} · "
        f"{t('blanks_in_stock', lg)}: {ui.marker(in_stock, lg) if in_stock else '–'}"
    )
    if cur.get("warnings"):
        st.warning(f"{t('warnings', lg)}: {fmt.notes(cur['warnings'], lg)}")
    split = queries.split_by_sex(area, as_of)
    if split:
        st.caption(
            f"{t('by_sex', lg)} — {fmt.split_by_sex(split, lg)} · {t('source', lg)}: {ui.safe_text(fmt.source(split['source'], lg))}"
        )
    ui.show_latest_release(lg)  # the national anchor and the sources' notes: after the answer
    pts = queries.sourced_points([area])
    if pts.height:
        st.markdown(f"**{t('sources', lg)}** — {t('sourced_marker', lg)}")
        ui.table(ui.sourced_table(pts, lg, areas=False), hide_index=True, width="stretch")
        ui.show_check_notes(pts, lg, areas=False)
    ui.show_former_areas([area], lg)
    ui.area_link(area, lg)
    st.markdown(f"**{t('pages', lg)}**")
    cols = st.columns(3)
    for i, (path, key, icon) in enumerate(ui.PAGES[1:]):
        cols[i % 3].page_link(path, label=t(key, lg), icon=icon, query_params={"lang": lg, "area": area})


def who_lags(area: str) -> None:
    """The area's units at their latest date: the map page's sentence, the lowest few with
    their gap to their own target, and the map, from the one view model the map page, the
    reader page and the files draw (ektp.mapview), so the Overview says what they say."""
    info = queries.region(area)
    child = geo.CHILD_LEVEL.get(info["level"]) if info else None
    if child is None:
        return
    choice, _ = choose({"area": [area], "level": [child], "lang": [lg]})
    drawn = gather(choice)
    if drawn is None:
        return
    st.header(t("who_lags", lg, units=t(summary.UNITS[child], lg), date=fmt.date(choice.as_of, lg)))
    if drawn.sentence:
        ui.said(drawn.sentence)
    ui.svg_map(drawn, "map_svg_overview")  # the map page's drawing, its legend under it
    st.page_link(
        "pages/1_Peta_cakupan.py",
        label=t("who_lags_map", lg),
        query_params={"lang": lg, "area": area, "level": child, "date": choice.as_of.isoformat()},
    )
    ui.table(ui.laggards(drawn, LAGGARDS), lang=lg, hide_index=True, width="stretch")


ui.guarded(body)
