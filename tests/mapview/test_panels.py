"""Small multiples (ektp.mapview.panels, `multiples=on`): up to twelve dates of a view on one
legend, each panel the view model's map of its date; the page and the files are one drawing."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_map_page, shown

#: Views in both languages, every colour scheme the page offers and a map of counts.
VIEWS = [
    {"area": "15", "level": "regency", "lang": "en", "scheme": "fixed"},
    {"area": "15", "level": "regency", "lang": "id", "scheme": "quantile", "date": "2019-03-31"},
    {"area": "15", "level": "district", "lang": "en", "scheme": "dukcapil", "metric": "unrecorded"},
    {"area": "00", "level": "province", "lang": "id", "scheme": "gap"},
    {"area": "53", "level": "regency", "lang": "en", "scheme": "equal", "metric": "print_gap"},
]


def run(params: dict[str, str]) -> AppTest:
    return open_map_page(params)


def payloads(at: AppTest) -> list[dict]:
    """What each small-multiples element on the page draws (ektp.mapview.panels.payload)."""
    return [
        json.loads(e.proto.json)
        for e in at.main
        if getattr(getattr(e, "proto", None), "component_name", "") == "ektp_svg_panels"
    ]


def drawn_in_browser(payload: dict) -> list[str]:
    """Each panel as svgpanels.js makes it: the shapes, each path's fill and words set in
    `codes` order (the script's rules, done here on the markup)."""
    from ektp.mapview.panels import tip_text

    out = []
    for panel in payload["panels"]:
        paths = iter(range(len(payload["codes"])))

        def one(m: re.Match, panel: dict = panel, paths: object = paths) -> str:
            i = next(paths)
            assert m.group(1) == payload["codes"][i]
            tip = html.escape(tip_text(payload, panel, i))  # textContent, as the file's markup escapes it
            fill = payload["palette"][panel["fills"][i]]
            return f'<path data-c="{m.group(1)}" fill="{fill}" d="{m.group(2)}"><title>{tip}</title></path>'

        out.append(
            re.sub(
                r'<path data-c="([^"]+)" fill="[^"]+" d="([^"]+)"><title>[^<]*</title></path>', one, payload["shapes"]
            )
        )
    return out


def test_small_multiples_twelve_dates_on_one_legend(app_env: Path) -> None:
    from ektp.analysis import classes
    from ektp.data import queries

    at = run({"area": "15", "level": "regency", "multiples": "on", "lang": "en"})
    assert not at.exception and not at.warning
    assert not at.get("plotly_chart")  # the maps are the view model's drawing, not Plotly's
    (drawn,) = payloads(at)
    assert len(drawn["panels"]) == 12 and len(queries.dates("regency", "15")) >= 12
    assert drawn["panels"][-1]["date"] == "31 Dec 2025" and drawn["panels"][0]["date"] == "15 Nov 2013"
    # one legend: each class listed once, every colour of every panel in it, no count of one date
    legend = re.findall(r'<rect width="14" height="14" fill="([^"]+)"', drawn["legend"])
    assert len(legend) == len(set(legend)) >= 3 and " · " not in drawn["legend"]
    used = {drawn["palette"][i] for p in drawn["panels"] for i in p["fills"]}
    assert used <= set(legend) | {classes.NO_DATA}
    # each unit's name goes once, not once a panel
    assert len(drawn["names"]) == len(drawn["codes"]) and "Kabupaten Sarolangun" in drawn["names"]
    # hostile value: the one-date map and a notice
    at = run({"area": "15", "level": "regency", "multiples": "<svg onload=1>", "lang": "en"})
    assert not at.exception and any("multiples" in w.value for w in at.warning) and not payloads(at)
    # too many units: said, not drawn
    at = run({"area": "00", "level": "district", "multiples": "on", "lang": "en"})
    assert any("up to 600 units" in i.value for i in at.info) and not payloads(at)


def test_small_multiples_say_what_changed_from_the_first_panel_to_the_last(app_env: Path) -> None:
    at = run({"area": "15", "level": "regency", "multiples": "on", "lang": "en"})
    assert any(shown(m.value).startswith("Between 15 November 2013 and 31 December 2025,") for m in at.markdown)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "-".join(v.values()))
def test_each_panel_is_the_map_of_its_date_and_the_page_and_files_one_drawing(app_env: Path, view: dict) -> None:
    """The page's panels (as its script fills them), the SVG file's panels and the map page's
    own map of each date are the same shapes in the same colours with the same words; the legend
    holds every class drawn; the PNG and HTML files are that SVG."""
    from ektp.analysis import classes
    from ektp.mapview import panels, svg
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    at = run({**view, "multiples": "on"})
    assert not at.exception, [e.value for e in at.exception]
    (page,) = payloads(at)
    choice, bad = choose({k: [v] for k, v in view.items()})
    assert bad == []
    from ektp.data import queries

    p = panels.gather_panels(choice, queries.dates(choice.level, choice.area))
    assert page == panels.payload(p)  # the page draws the model's panels
    assert 2 <= len(p.drawn) <= panels.MAX_PANELS and list(p.dates) == sorted(p.dates)
    assert p.choice.scheme == panels.panel_scheme(choice.scheme, queries.view_target(choice.level, choice.area).value)
    file = panels.standalone_svg(p)
    legend_colours = {e.colour for e in p.legend}
    assert len(legend_colours) == len(p.legend)  # a colour is one class
    for d, browser_panel in zip(p.drawn, drawn_in_browser(page), strict=True):
        # the map page's own map of this date, with the panels' shared scheme
        alone = gather(replace(p.choice, as_of=d.choice.as_of))
        assert alone.fills == d.fills and alone.tips == d.tips
        body = svg.map_group(d.projected, d.fills, d.tips)
        assert body in file  # the file's panel
        assert browser_panel == svg.inline_svg(d.projected, body, p.title)  # the page's panel
        assert set(d.fills.values()) <= legend_colours | {classes.NO_DATA}
        # a class of the date's own map is a class of the shared legend (its range over every
        # date may be wider: the lowest figure of all dates opens the first class)
        assert {e.colour for e in d.legend if not e.outline} <= legend_colours
    said = " ".join(html.unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", file))).split())
    for line in (p.title, p.sentence or "", p.source_line):  # wrapped into lines, pictographs left out
        assert " ".join(svg.plain(line).split()) in said
    # the CSV: each panel's units with their own figure's date, never later than the panel's
    assert p.data["map_date"].unique().sort().to_list() == list(p.dates)
    assert (p.data["as_of"].is_null() | (p.data["as_of"] <= p.data["map_date"])).all()
    assert p.data.height == sum(d.data.height for d in p.drawn)
    png = panels.panels_file(p, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    page_html = panels.panels_file(p, "html").decode()
    assert file in page_html and page_html.startswith("<!doctype html>") and "<script" not in page_html
