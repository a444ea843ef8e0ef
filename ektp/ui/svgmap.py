"""The map of a view drawn in the app as the reader page draws it: the view model's SVG
(ektp.mapview), made interactive by a components-v2 element (no iframe, no Plotly: ~4 KB of
script instead of plotly.js's 1 MB compressed). Hover, a tap or keyboard focus shows a unit's
ranking row; a click, a second tap or Enter opens it.

On the map page the element also holds the view's ranking (the model's rows, as the reader page
lists them): a row pointed at outlines its unit on the map, a row picked shows it there and
tells the page (`pick`), and the search box filters the rows in the browser. Streamlit's data
grid drew it before: ~250 KB of script and the last second of a phone's work before the page
answered (Lighthouse's time to interactive)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ektp.core.pagestyle import map_room_css
from ektp.mapview import svg
from ektp.text import fmt
from ektp.text.i18n import t

if TYPE_CHECKING:
    from ektp.mapview.model import Drawn
    from ektp.mapview.panels import Panels

HERE = Path(__file__).parent
CSS = """
.ektp-map>svg{display:block;width:100%;height:auto;max-height:78vh;touch-action:manipulation;outline-offset:2px}
.ektp-map>svg [data-c]{cursor:pointer}
.ektp-map>svg .labels{pointer-events:none}
.ektp-map>svg path.on{fill:none;stroke:#111;stroke-width:3;pointer-events:none}
.ektp-map>svg:focus-visible{outline:3px solid #1a56a6}
.ektp-map .tip{min-height:1.4em;margin:.3rem 0;font-size:.95rem;color:#111}
.ektp-map .tip.shown{background:#f3f5f8;border-left:4px solid #1a56a6;padding:.25rem .5rem}
.ektp-map .hint{margin:0;font-size:.8rem;color:#555}
.ektp-map .legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem}
.ektp-map .legend svg,.ektp-map .small svg{vertical-align:-2px;margin-right:.3rem}
.ektp-map .small,.ektp-map .source{font-size:.85rem;color:#333;margin:.2rem 0;overflow-wrap:anywhere}
.ektp-map .title{font-weight:600;font-size:1.05rem;margin:0 0 .4rem}
.ektp-map .rank h2{font-size:1rem;margin:1rem 0 .3rem}
.ektp-map .rank label{display:block;font-size:.9rem;margin:.2rem 0}
.ektp-map .rank input{font:inherit;width:100%;max-width:20rem;box-sizing:border-box;padding:.3rem .4rem;border:1px solid #888;border-radius:.3rem}
.ektp-map .rank .scroll{max-height:26rem;overflow:auto;border:1px solid #ddd;margin-top:.4rem}
.ektp-map .rank table{border-collapse:collapse;width:100%;font-size:.85rem}
.ektp-map .rank th{position:sticky;top:0;background:#f3f5f8;text-align:left;padding:.3rem .4rem}
.ektp-map .rank td{padding:.25rem .4rem;border-top:1px solid #eee;overflow-wrap:anywhere}
.ektp-map .rank tbody tr{cursor:pointer}
.ektp-map .rank td:first-child{font-weight:600}
.ektp-map .rank tbody tr:hover,.ektp-map .rank tbody tr.on{background:#e8eef8}
.ektp-map .rank tbody tr:focus-visible{outline:3px solid #1a56a6;outline-offset:-3px}
@media (max-width:640px){.ektp-map .rank thead{display:none}
.ektp-map .rank tr{display:block;padding:.3rem 0;border-top:1px solid #ddd}
.ektp-map .rank td{display:block;border:0;padding:.05rem .4rem}
.ektp-map .rank td[data-h]::before{content:attr(data-h) ": ";color:#555}}
""".strip()

_component = st.components.v2.component("ektp_svg_map", css=CSS, js=(HERE / "svgmap.js").read_text(encoding="utf-8"))

PANELS_CSS = """
.ektp-panels .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem}
.ektp-panels figure{margin:0}
.ektp-panels figcaption{text-align:center;font-weight:600;font-size:.9rem}
.ektp-panels svg{display:block;width:100%;height:auto}
.ektp-panels path[data-c]{cursor:pointer}
.ektp-panels path.on{stroke:#111;stroke-width:4}
.ektp-panels .title{font-weight:600;font-size:1.05rem;margin:0 0 .4rem}
.ektp-panels .tip{min-height:1.4em;margin:.3rem 0;font-size:.95rem;color:#111}
.ektp-panels .tip.shown{background:#f3f5f8;border-left:4px solid #1a56a6;padding:.25rem .5rem}
.ektp-panels .hint{margin:0;font-size:.8rem;color:#555}
.ektp-panels svg:focus-visible{outline:3px solid #1a56a6;outline-offset:2px}
.ektp-panels .legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem}
.ektp-panels .legend svg{display:inline;width:auto;vertical-align:-2px;margin-right:.3rem}
.ektp-panels .source{font-size:.85rem;color:#333;margin:.2rem 0;overflow-wrap:anywhere}
""".strip()

_panels = st.components.v2.component(
    "ektp_svg_panels", css=PANELS_CSS, js=(HERE / "svgpanels.js").read_text(encoding="utf-8")
)


#: Rows the ranking lists at once (all 7,285 districts would be a long page; the search reaches all).
RANKING_ROWS = 1000


def ranking_words(d: Drawn) -> dict[str, Any]:
    """The ranking's words in the page's language, for the element that lists it."""
    lg = d.choice.lang
    n = len(d.table)
    return {
        "title": t("ranking", lg),
        "search": t("search", lg),
        "hint": t("ranking_pick_hint", lg),
        "none": t("ranking_none", lg),
        "max": RANKING_ROWS,
        "capped": t("ranking_capped", lg, shown=fmt.num(RANKING_ROWS, lg), total=fmt.num(n, lg))
        if n > RANKING_ROWS
        else "",
    }


def payload(d: Drawn, drillable: bool, focus: str | None = None, with_ranking: bool = False) -> dict[str, Any]:
    """What the element draws, a figure as the reader page and the files have it: the title,
    the SVG, its legend and source line with the data's date, the model's ranking (head and rows,
    worst first: a unit's details are its row, "Sarolangun · Recording rate: 86.0% · …", and the
    keyboard walks its order), whether a click opens a unit, and on the map page the ranking's
    words to list it. `key` changes with the drawing, so the browser redraws only a new map."""
    lg = d.choice.lang
    code_at = d.table_head.index(t("code", lg))
    codes = {row[code_at] for row in d.table}
    picture = d.picture()
    legend = svg.legend_html(d.legend, d.label_key, lg, d.sizes)
    source = d.source_line
    listed = "ranking" if with_ranking else ""
    key = hashlib.sha256("\0".join((d.title, picture, legend, source, listed)).encode()).hexdigest()[:16]
    return {
        "key": key,
        "title": d.title,
        "source": source,
        "svg": picture,
        "legend": legend,
        "head": list(d.table_head),
        "rows": [list(r) for r in d.table],
        "code_at": code_at,
        "drillable": drillable,  # every unit listed opens its own map (a district has none below it)
        "focus": focus if focus in codes else None,  # a unit picked in the ranking, shown on the map
        "open": t("map_open_unit", lg),
        "hint": t("map_keys_hint" if drillable else "map_keys_hint_leaf", lg),
        "ranking": ranking_words(d) if with_ranking else None,
    }


def svg_map(
    d: Drawn,
    key: str,
    on_drill: Callable[[], None] | None = None,
    focus: str | None = None,
    on_pick: Callable[[], None] | None = None,
) -> Any:
    """Draw the view's map; a unit opened calls `on_drill` (read `st.session_state[key].drill`);
    `focus` (a unit picked in the ranking) is shown as if pointed at. With `on_pick` the element
    lists the ranking under the map, and a row picked calls it (`st.session_state[key].pick`)."""
    if d.projected is not None:  # for the views after the first (its shell holds the first's)
        st.html(f"<style>{map_room_css(key, d.projected.width + 8, d.projected.height + 8)}</style>")
    drillable = on_drill is not None and d.choice.level in ("province", "regency")
    return _component(
        key=key,
        data=payload(d, drillable, focus, with_ranking=on_pick is not None),
        on_drill_change=on_drill or (lambda: None),
        on_pick_change=on_pick or (lambda: None),
    )


def svg_panels(p: Panels, key: str) -> Any:
    """Draw a view's small multiples (ektp.mapview.panels): the files' panels, in the page."""
    from ektp.mapview.panels import payload as panels_payload

    return _panels(key=key, data=panels_payload(p))
