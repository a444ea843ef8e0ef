"""The map of a view drawn in the app as the reader page draws it: the view model's SVG
(ektp.mapview), made interactive by a components-v2 element (no iframe, no Plotly: ~3 KB of
script instead of plotly.js's 1 MB compressed). Hover, a tap or keyboard focus shows a unit's
ranking row; a click, a second tap or Enter opens it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ektp.i18n import t
from ektp.mapview import svg
from ektp.pagestyle import map_room_css

if TYPE_CHECKING:
    from ektp.mapview.model import Drawn

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
""".strip()

_component = st.components.v2.component("ektp_svg_map", css=CSS, js=(HERE / "svgmap.js").read_text(encoding="utf-8"))


def unit_details(d: Drawn) -> tuple[dict[str, str], list[str]]:
    """Each unit's ranking row in words ("Sarolangun · Recording rate: 86.0% · Class: … ·
    Date: …"), and the units in the ranking's order (the keyboard walks it)."""
    head = d.table_head
    code_at = head.index(t("code", d.choice.lang))
    units: dict[str, str] = {}
    for row in d.table:
        cells = [row[0]] + [
            f"{h}: {v}" for i, (h, v) in enumerate(zip(head, row, strict=True)) if i not in (0, code_at)
        ]
        units[row[code_at]] = " · ".join(cells)
    return units, [row[code_at] for row in d.table]


def payload(d: Drawn, drillable: bool, focus: str | None = None) -> dict[str, Any]:
    """What the element draws, a figure as the reader page and the files have it: the title,
    the SVG, its legend and source line with the data's date, each unit's details and order, the units a
    click opens. `key` changes with the drawing, so the browser redraws only a new map."""
    lg = d.choice.lang
    units, order = unit_details(d)
    picture = d.picture()
    legend = svg.legend_html(d.legend, d.label_key, lg, d.sizes)
    source = d.source_line
    key = hashlib.sha256("\0".join((d.title, picture, legend, source)).encode()).hexdigest()[:16]
    return {
        "key": key,
        "title": d.title,
        "source": source,
        "svg": picture,
        "legend": legend,
        "units": units,
        "order": order,
        "drill": order if drillable else [],
        "focus": focus if focus in units else None,  # a unit picked in the ranking, shown on the map
        "open": t("map_open_unit", lg),
        "hint": t("map_keys_hint" if drillable else "map_keys_hint_leaf", lg),
    }


def svg_map(d: Drawn, key: str, on_drill: Callable[[], None] | None = None, focus: str | None = None) -> Any:
    """Draw the view's map; a unit opened calls `on_drill` (read `st.session_state[key].drill`);
    `focus` (a unit picked in the ranking) is shown as if pointed at."""
    if d.projected is not None:  # for the views after the first (its shell holds the first's)
        st.html(f"<style>{map_room_css(key, d.projected.width + 8, d.projected.height + 8)}</style>")
    drillable = on_drill is not None and d.choice.level in ("province", "regency")
    return _component(key=key, data=payload(d, drillable, focus), on_drill_change=on_drill or (lambda: None))
