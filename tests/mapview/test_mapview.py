"""One map view (issue 32): its address (ektp.mapview.url: parse, defaults, invalid input, round
trip), one model, and one drawing — the map page, the reader page and the SVG export of a view
are the same picture, and the page's sortable ranking has the model's units, order and figures."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, map_payloads

AREAS = ("00", "15", "53", "91", "94", "35", "16", "15.03", "53.71", "35.74")


@st.composite
def choices(draw: st.DrawFn) -> object:
    """A view the map page can show: area × level × metric × scheme × date × compare × language."""
    from ektp import charts
    from ektp.data import geo, queries
    from ektp.mapview.url import Choice

    area = draw(st.sampled_from(AREAS))
    level = draw(st.sampled_from(list(geo.LEVELS_UNDER[queries.region(area)["level"]])))
    dates = queries.dates(level, area)
    as_of = draw(st.sampled_from(dates)) if dates else None
    others = [d for d in dates if d != as_of]
    compare = draw(st.sampled_from([None, *others[-3:]])) if others else None
    return Choice(
        area=area,
        level=level,
        metric=draw(st.sampled_from(list(charts.METRICS))),
        scheme=draw(st.sampled_from(list(charts.SCHEMES))),
        as_of=as_of,
        compare=compare,
        lang=draw(st.sampled_from(["id", "en"])),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=choices())
def test_a_views_link_reads_back_as_the_same_view(app_env: Path, choice: object) -> None:
    """URL ⇄ view: the canonical link of a checked view, parsed, is that view with nothing
    refused; parameters a news site adds are left alone."""
    from ektp.mapview.url import choose

    query = parse_qs(choice.query(utm_source="x"))
    again, bad = choose(query)
    assert bad == [] and again == choice


def test_a_views_defaults_and_refusals(app_env: Path) -> None:
    """No parameters: the nation's provinces at the latest date in the default language. Each
    value not allowed falls back to its default and is named, never an exception."""
    from ektp.core.settings import default_lang
    from ektp.data import queries
    from ektp.mapview.url import Choice, choose

    c, bad = choose({})
    assert bad == [] and (c.area, c.level, c.metric, c.lang) == ("00", "province", "recording_rate", default_lang())
    assert c.as_of == queries.dates("province", "00")[-1] and c.compare is None
    c, bad = choose({"area": ["15.03"]})
    assert bad == [] and c.level == "district"  # an area's own units by default
    hostile = {
        "area": ["'; DROP TABLE coverage; --"],
        "level": ["planet"],
        "metric": ["x" * 200],
        "date": ["1999-01-01"],
        "bands": ["<script>"],
        "compare": ["2019-13-40"],
        "lang": ["fr"],
        "multiples": ["on"],
    }
    c, bad = choose(hostile)
    assert set(bad) == set(hostile) and c == Choice(as_of=c.as_of, lang=default_lang())
    c, bad = choose({"area": ["15"], "level": ["province"]})  # a province has no provinces under it
    assert bad == ["level"] and c.level == "regency"
    # a link shared before the scheme's parameter was renamed (bands=, url.OLD_PARAMS) opens its
    # view, which links under the new name; the new name wins where a link has both
    c, bad = choose({"area": ["15"], "bands": ["quantile"]})
    assert bad == [] and c.scheme == "quantile" and c.params()["scheme"] == "quantile" and "bands" not in c.params()
    assert choose({"area": ["15"], "bands": ["quantile"], "scheme": ["equal"]})[0].scheme == "equal"
    assert choose(parse_qs(c.query()))[0] == c  # its new link opens the same view


VIEWS = [
    {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en"},
    {"area": "00", "level": "province", "lang": "id"},
    {"area": "15.03", "level": "district", "lang": "id", "metric": "unrecorded"},
    {"area": "53", "level": "regency", "lang": "en", "scheme": "quantile"},
    {"area": "15", "level": "regency", "date": "2024-12-31", "compare": "2019-03-31", "lang": "id"},
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "-".join(v.values()))
def test_the_map_page_the_reader_page_and_the_svg_file_are_one_drawing(app_env: Path, view: dict) -> None:
    """The map page shows the model's SVG, the reader page inlines the same, and the reader's
    SVG file carries the same map with the same legend, title and source."""
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose
    from ektp.reader import page

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/1_Peta_cakupan.py")
    for k, v in view.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (shown,) = map_payloads(at)
    choice, bad = choose({k: [v] for k, v in view.items()})
    assert bad == []
    drawn = gather(choice)
    picture = drawn.picture()
    assert shown["svg"] == picture
    assert shown["legend"] == page.legend_html(drawn) and shown["title"] == drawn.title
    assert shown["source"] == drawn.source_line
    req = page.Request("http://localhost", "")
    reader_html = page.page(drawn, choice, req).decode()
    # the reader's map is the same drawing with each unit a link to its area page
    links = page.unit_links(drawn, req.to)
    linked = drawn.picture(links)
    assert linked in reader_html and page.legend_html(drawn) in reader_html
    assert re.sub(r'<a href="[^"]*">|</a>', "", linked) == picture
    assert set(links) == set(drawn.projected.paths) and linked.count("<a href=") == len(links)
    assert drawn.map_body() in page.standalone_svg(drawn)  # the SVG file: the same shapes, framed
    # every unit of the ranking is a shape of the drawing, each with its words in the model's order
    codes = re.findall(r'<path data-c="([^"]+)"', shown["svg"])
    # the element's ranking (its tips, its keyboard order and, on the map page, its list) is the
    # model's, row for row
    assert shown["head"] == list(drawn.table_head) and shown["rows"] == [list(r) for r in drawn.table]
    order = [row[shown["code_at"]] for row in shown["rows"]]
    assert shown["head"][shown["code_at"]] == _code(view["lang"])
    assert set(codes) <= set(order) and len(set(order)) == len(order)
    assert shown["drillable"] == (choice.level != "district")  # a district has no map below it
    assert (shown["ranking"] is not None) == (choice.compare is None)  # a change map lists its own table


def _code(lang: str) -> str:
    from ektp.text.i18n import t

    return t("code", lang)


@settings(max_examples=110, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=choices())
def test_the_pages_ranking_and_the_models_agree_on_every_unit(app_env: Path, choice: object) -> None:
    """Over 110 views: the sortable ranking (ui.ranking_table: the page without a map, the
    planner's XLSX), made from the model's rows, lists them in the same order, with the same
    figure and the same class."""
    from ektp import charts, ui
    from ektp.mapview.model import gather
    from ektp.text import fmt

    if choice.as_of is None or choice.compare is not None:
        return
    drawn = gather(choice)
    if drawn is None:
        return
    table = ui.ranking_table(drawn)
    lg = choice.lang
    head = drawn.table_head
    code_at, class_at = head.index(_code(lg)), 2
    page_codes = table[fmt.capital(_code(lg))].to_list() if fmt.capital(_code(lg)) in table.columns else None
    page_codes = page_codes or table[table.columns[[c.lower() for c in table.columns].index(_code(lg).lower())]]
    assert list(page_codes) == [row[code_at] for row in drawn.table]
    values = table[table.columns[1]].to_list()
    for row, v in zip(drawn.table, values, strict=True):
        said = charts.format_value(None if v is None else float(v), choice.metric, lg)
        assert row[1] == said or (v is not None and _close(row[1], v, lg)), (row, v)
    classes_ = table[table.columns[2]].to_list()
    assert [row[class_at] for row in drawn.table] == [c or "–" for c in classes_]


def _close(text: str, value: float, lang: str) -> bool:
    """The model writes a rate to one decimal, the table keeps two: the same figure."""
    number = float(
        text.rstrip("%").replace(".", "").replace(",", ".") if lang == "id" else text.rstrip("%").replace(",", "")
    )
    return abs(number - float(value)) <= 0.051


def test_nothing_under_mapview_imports_streamlit() -> None:
    """The view model serves the reader without Streamlit's page machinery: no module of
    ektp/mapview imports streamlit itself."""
    for path in (ROOT / "ektp" / "mapview").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import streamlit|from streamlit)", text, re.M), path.name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_map_page_draws_no_plotly_chart_until_one_is_asked_for(app_env: Path, lang: str) -> None:
    """plotly.js is 1 MB compressed and most of a phone's blocking time: the map page's first
    view has none. The unit's funnel reads as a line of figures, and as a chart when asked for
    (`funnel=on`, a link like every choice)."""
    from ektp.text.i18n import t

    def page(**extra: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.switch_page("pages/1_Peta_cakupan.py")
        for k, v in {"area": "15", "level": "regency", "date": "2024-12-31", "lang": lang, **extra}.items():
            at.query_params[k] = v
        return at.run()

    at = page()
    assert not at.exception and at.get("plotly_chart") == [] and len(map_payloads(at)) == 1
    line = [m.value.replace("\\", "") for m in at.markdown if m.value.replace("\\", "").startswith(t("eligible", lang))]
    assert line and " → " in line[0] and re.search(r"\d", line[0]), line  # the funnel's figures, in words
    at.radio(key="w_funnel").set_value("on").run()
    assert [c for c in at.get("plotly_chart") if '"funnel"' in c.proto.spec] and at.query_params["funnel"] == "on"


COUNT_VIEWS = [
    {"area": "15", "level": "regency", "metric": "unrecorded", "lang": "en"},
    {"area": "53", "level": "regency", "metric": "print_gap", "lang": "id"},
    {"area": "00", "level": "regency", "metric": "unrecorded", "lang": "id"},
]


@pytest.mark.parametrize("view", COUNT_VIEWS, ids=lambda v: "-".join(v.values()))
def test_a_map_of_counts_draws_circles_sized_by_the_count(app_env: Path, view: dict) -> None:
    """A choropleth of counts is read as a map of area. A count is a circle at the unit's label
    point, its area in proportion to the count, in its class's colour, over light units; the
    legend keeps the classes and adds a size key; a rate is still a choropleth."""
    from ektp.charts.style import metric_value
    from ektp.mapview import svg
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    choice, bad = choose({k: [v] for k, v in view.items()})
    assert bad == []
    drawn = gather(choice)
    values = {r["code"]: metric_value(r, choice.metric) for r in drawn.data.to_dicts()}
    counted = {c for c, v in values.items() if v and v > 0}
    picture = drawn.picture()
    circles = re.findall(r'<circle data-c="([^"]+)" cx="[^"]+" cy="[^"]+" r="([^"]+)" fill="([^"]+)"', picture)
    assert {c for c, _, _ in circles} == {c for c in counted if c in drawn.projected.paths} and len(circles) > 5
    assert all(fill == drawn.fills[c] for c, _, fill in circles)  # the class's colour
    ratios = [float(r) ** 2 / values[c] for c, r, _ in circles if float(r) > 2]
    assert max(ratios) / min(ratios) < 1.1  # area ∝ count (radii are rounded to 0.1)
    shapes = dict(re.findall(r'<path data-c="([^"]+)" fill="([^"]+)"', picture))
    assert {shapes[c] for c in counted if c in shapes} == {svg.BASE_FILL}
    assert drawn.sizes and "<circle" in svg.legend_html(drawn.legend, drawn.label_key, choice.lang, drawn.sizes)
    rate, _ = choose({**{k: [v] for k, v in view.items()}, "metric": ["recording_rate"]})
    assert "<circle" not in gather(rate).picture() and not gather(rate).sizes


@pytest.mark.parametrize(("area", "lang"), [("00", "id"), ("15", "en"), ("15.03", "id"), ("94", "en")])
def test_the_map_page_opens_the_view_its_link_names(app_env: Path, area: str, lang: str) -> None:
    """A link with only the area: the map page's pickers settle on the view `url.choose` reads
    from that link (one home for each default), and draw that view's map."""
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/1_Peta_cakupan.py")
    at.query_params["area"] = area
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    c, bad = choose({"area": [area], "lang": [lang]})
    assert bad == []
    picked = (
        at.radio(key="w_level").value,
        at.selectbox(key="w_metric").value,
        at.radio(key="w_scheme").value,
        at.selectbox(key="w_date").value,
    )
    assert picked == (c.level, c.metric, c.scheme, c.as_of)
    (shown,) = map_payloads(at)
    assert shown["svg"] == gather(c).picture()
