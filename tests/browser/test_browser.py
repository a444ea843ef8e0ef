"""End to end: the real server on 127.0.0.1, Debian's headless Chromium, a permalink to the map.

Skipped only when /usr/bin/chromium is absent (CI installs it in .ci/run).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from deploy.process import CHROME_ARGS, CHROMIUM, start_server, stop_server
from tests.conftest import ARTIFACTS, ROOT, needs_browser, needs_nginx

pytestmark = needs_browser  # tests/conftest.py: a missing Chromium stops the run, unless SKIP_BROWSER=1


@pytest.fixture(scope="module")
def server(default_db: Path):  # noqa: ANN201
    proc, base = start_server(default_db, public=True)
    yield base
    stop_server(proc)


def test_static_files_serve_only_map_geometry(server: str) -> None:
    import urllib.error

    ok = urllib.request.urlopen(server + "/app/static/geo/regency_15.json", timeout=10)
    assert ok.status == 200 and ok.headers["content-type"].startswith("application/json")
    for probe in (
        "/app/static/../../data/ektp.duckdb",
        "/app/static/%2e%2e/%2e%2e/data/ektp.duckdb",
        "/app/static/..%2F..%2Fdata%2Fektp.duckdb",
        "/app/static/../app.py",
    ):
        try:
            body = urllib.request.urlopen(server + probe, timeout=10).read()
        except urllib.error.HTTPError as exc:
            assert exc.code in (400, 403, 404)
            continue
        assert not body.startswith(b"\x00") and b"DUCK" not in body[:64] and b"import" not in body[:200]
    served = {p.suffix for p in (ROOT / "static").rglob("*") if p.is_file()}
    assert served <= {".json", ".br", ".txt", ".md"}


def test_websocket_messages_are_deflated(server: str) -> None:
    """The server negotiates permessage-deflate, and a map rerun is smaller on the wire."""
    import asyncio

    from bench import wsload

    async def one_rerun() -> tuple[str, int, int]:
        async with wsload.connect(server) as ws:
            wire = [0]
            wsload.count_wire(ws, wire)
            r = await wsload.rerun(ws, "Peta_cakupan", "area=15&level=regency&date=2019-03-31&lang=en")
            assert r.failed is None
            return ws.response.headers.get("Sec-WebSocket-Extensions", ""), r.received, wire[0]

    extensions, got, wire = asyncio.run(one_rerun())
    assert "permessage-deflate" in extensions
    assert got > 20_000 and wire < got / 2


def band_pixels(path: Path, rgb: tuple[int, int, int], tol: int = 12) -> int:
    img = Image.open(path).convert("RGB")
    return sum(1 for p in img.get_flattened_data() if all(abs(a - b) <= tol for a, b in zip(p, rgb, strict=True)))


def _jambi_2019_fills(db: Path) -> dict[str, tuple[int, int, int]]:
    """Each Jambi regency's fill in March 2019 as the view model has it (the reader's and the
    app's classes are one, tests/reader/test_reader.py): the colours the browser must show."""
    import os

    before = os.environ.get("EKTP_DB")
    os.environ["EKTP_DB"] = str(db)
    try:
        from ektp.mapview.model import gather
        from ektp.mapview.url import choose

        d = gather(choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": ["en"]})[0])
        return {c: tuple(int(h[i : i + 2], 16) for i in (1, 3, 5)) for c, h in d.fills.items()}
    finally:
        if before is None:
            os.environ.pop("EKTP_DB", None)
        else:
            os.environ["EKTP_DB"] = before


def _others_colour(fills: dict[str, tuple[int, int, int]]) -> tuple[int, int, int]:
    """The colour most of Sarolangun's neighbours share."""
    from collections import Counter

    return Counter(v for c, v in fills.items() if c != "15.03").most_common(1)[0][0]


#: Each unit's fill on the app's map (ektp.ui.svgmap: the view model's SVG in the page)
MAP_FILLS_JS = """() => Object.fromEntries([...document.querySelectorAll('*')].filter(e => e.shadowRoot)
  .flatMap(e => [...e.shadowRoot.querySelectorAll('.ektp-map path[data-c]')])
  .map(p => [p.getAttribute('data-c'), getComputedStyle(p).fill]))"""


def test_map_permalink_renders_in_chromium(server: str, default_db: Path) -> None:
    """The map page draws the view model's SVG (no Plotly, no geometry file fetched): each unit
    in its class's colour as the model has it; hovering Sarolangun names it with its figure,
    class, date and source; a click opens its districts, a shareable link; nothing leaves the
    machine."""
    from playwright.sync_api import sync_playwright

    url = server + "/Peta_cakupan?area=15&level=regency&metric=unrecorded_share&date=2019-03-31&lang=en"
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        page.wait_for_timeout(1500)
        assert page.get_by_text("Coverage map").first.is_visible()
        assert page.title() == "Coverage map · KTP-el"  # the tab speaks the URL's language too
        body = page.inner_text("body")
        assert "Kabupaten Sarolangun (86.0%)" in body  # below-target list beside the map
        assert "Ranking" in body
        page.screenshot(path=str(ARTIFACTS / "map_jambi_2019-03-31.png"))
        # the legend's swatches and the outline's mark stay small (a rule for the map's SVG once
        # stretched the outline's 14 px mark to the page's width, pushing its words off screen)
        marks = page.locator(".ektp-map .legend svg, .ektp-map .small svg")
        assert marks.count() >= 2 and all(marks.nth(i).bounding_box()["height"] <= 60 for i in range(marks.count()))
        map_shot = ARTIFACTS / "map_jambi_plot.png"
        page.locator(".ektp-map svg").first.screenshot(path=str(map_shot))
        fills = page.evaluate(MAP_FILLS_JS)
        model = _jambi_2019_fills(default_db)
        assert fills == {c: "rgb({}, {}, {})".format(*rgb) for c, rgb in model.items()}
        sar = page.locator('.ektp-map path[data-c="15.03"]')
        box = sar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 12)
        tip = page.locator(".ektp-map .tip")
        tip.filter(has_text="Sarolangun").wait_for(timeout=10_000)
        said = tip.inner_text()
        assert "Kabupaten Sarolangun" in said and "14.0%" in said and "31 March 2019" in said, said
        # a click on Sarolangun drills down to its districts
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 12)
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).some(c => c.startsWith('15.03.'))", timeout=60_000)
        page.wait_for_function("window.location.href.includes('level=district')", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "map_sarolangun_districts.png"))
        href = page.evaluate("window.location.href")  # the drilled view is a shareable link
        assert "area=15.03" in href and "level=district" in href
        # phone width: the page still renders the map
        page.set_viewport_size({"width": 390, "height": 900})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "map_jambi_phone.png"))
        browser.close()
    # pixels: Sarolangun's own colour and the colour most of its neighbours share both fill a
    # real part of the map
    assert band_pixels(map_shot, model["15.03"], tol=6) > 1500
    assert band_pixels(map_shot, _others_colour(model), tol=6) > 3000
    # the map came with the page: no geometry file, and not plotly.js (1 MB compressed)
    assert not [u for u in requests if "/app/static/geo/" in u or "plotly" in u.lower()], requests
    # nothing left the machine: no CDN, no tiles (the map's script runs from a blob of the page)
    outside = [u for u in requests if not u.startswith((server, "data:", "blob:" + server))]
    assert outside == []


def test_the_map_is_used_with_a_tap_and_with_the_keyboard(server: str) -> None:
    """On a phone a tap shows the unit's figures and a second tap opens it; with the keyboard,
    Tab reaches the map, the arrow keys walk the units in ranking order (the lowest first), each
    said in the live region, and Enter opens one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        page = ctx.new_page()
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=id")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        tip = page.locator(".ektp-map .tip")
        box = page.locator('.ektp-map path[data-c="15.03"]').bounding_box()
        at = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 8)
        page.touchscreen.tap(*at)
        tip.filter(has_text="Sarolangun").wait_for(timeout=10_000)
        assert "86,0%" in tip.inner_text() and "area=15&" in page.url  # shown, not opened
        page.touchscreen.tap(*at)
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).some(c => c.startsWith('15.03.'))", timeout=60_000)
        ctx.close()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        svg = page.locator(".ektp-map svg").first
        svg.focus()
        tip = page.locator(".ektp-map .tip")
        assert tip.get_attribute("aria-live") == "polite"
        tip.filter(has_text="Sarolangun").wait_for(timeout=10_000)  # the lowest first
        seen = [tip.inner_text()]
        for _ in range(3):
            page.keyboard.press("ArrowRight")
            seen.append(tip.inner_text())
        assert len({s.split(" · ")[0] for s in seen}) == 4, seen
        page.keyboard.press("Home")
        page.keyboard.press("Enter")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).some(c => c.startsWith('15.03.'))", timeout=60_000)
        browser.close()


def test_small_multiples_draw_the_files_panels_in_chromium(server: str, app_env: Path) -> None:
    """`multiples=on`: the element fills a copy of the view's shapes per date (svgpanels.js), and
    each panel shows the colours of the model's map of that date, unit for unit, with Plotly
    neither fetched nor drawn; a unit tapped says its date, name and figure."""
    from playwright.sync_api import sync_playwright

    from ektp.data import queries
    from ektp.mapview import panels
    from ektp.mapview.url import choose

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[1]) if r.url.endswith(".js") else None)
        page.goto(server + "/Peta_cakupan?area=15&level=regency&lang=en&multiples=on")
        figures = page.locator(".ektp-panels figure")
        figures.nth(11).wait_for(timeout=90_000)
        drawn = page.locator(".ektp-panels .grid").evaluate(
            """g => [...g.querySelectorAll('figure')].map(f => [f.querySelector('figcaption').textContent,
                Object.fromEntries([...f.querySelectorAll('path[data-c]')].map(p =>
                    [p.getAttribute('data-c'), p.getAttribute('fill')]))])"""
        )
        page.locator('.ektp-panels figure:last-child path[data-c="15.03"]').click()
        said = page.locator(".ektp-panels .tip").inner_text()
        marked = page.locator(".ektp-panels path.on")  # the unit said, outlined in its panel
        assert marked.count() == 1 and marked.get_attribute("data-c") == "15.03"
        # the keyboard: Tab to a date (the unit tapped is said there), right to the next unit,
        # down to that unit on the next date
        first = page.locator(".ektp-panels figure").first.locator("svg")
        first.focus()
        page.keyboard.press("Tab")  # away and back, so the focus is the keyboard's (focus-visible)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowRight")
        walked = [page.locator(".ektp-panels .tip").inner_text(), marked.get_attribute("data-c")]
        page.keyboard.press("ArrowDown")
        walked += [page.locator(".ektp-panels .tip").inner_text(), marked.get_attribute("data-c")]
        browser.close()
    choice, _ = choose({"area": ["15"], "level": ["regency"], "lang": ["en"]})
    model = panels.gather_panels(choice, queries.dates("regency", "15"))
    assert [d for d, _ in drawn] == [panels._caption(d) for d in model.drawn]
    for (_, fills), d in zip(drawn, model.drawn, strict=True):
        assert fills == {c: d.fills.get(c, "#d9d9d9") for c in d.projected.paths}
    assert said.startswith("31 Dec 2025 · Kabupaten Sarolangun: "), said
    codes = list(model.drawn[0].projected.paths)
    after = codes[codes.index("15.03") + 1]  # the unit tapped stays the one walked from
    assert walked[1] == walked[3] == after, walked  # the next unit, then the same on the next date
    assert walked[0].startswith(panels._caption(model.drawn[0]) + " · ") and walked[2].startswith(
        panels._caption(model.drawn[1]) + " · "
    )
    assert not [s for s in scripts if "plotly" in s.lower()], scripts


#: Every chart title and annotation (source line, bar label) with the part of it outside its
#: chart, in CSS pixels: Plotly neither wraps these nor keeps them inside, and the SVG cuts them.
OVERFLOW_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => {
    const box = p.getBoundingClientRect();
    return [...p.querySelectorAll('.annotation-text, .gtitle')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, left: box.left - r.left, right: r.right - box.right};
    }).filter(o => o.left > 1 || o.right > 1);
})"""
#: Each chart's legend and source line ("Source: …"), where both are drawn, as [top, bottom].
LEGEND_SOURCE_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
    const span = el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
    const legend = p.querySelector('.legend');
    const source = [...p.querySelectorAll('.annotation-text')].find(a => /^(Sumber|Source):/.test(a.textContent));
    return {title: (p.querySelector('.gtitle') || {}).textContent, legend: legend && span(legend), source: source && span(source)};
}).filter(o => o.legend && o.source)"""

#: Text (a bar's label, a source line) drawn over a bar, more than a pixel deep, with its depth.
TEXT_ON_BAR_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => {
    const bars = [...p.querySelectorAll('.trace.bars .point path')]
        .map(b => b.getBoundingClientRect()).filter(r => r.height > 0);
    return [...p.querySelectorAll('.annotation-text')].flatMap(t => {
        const r = t.getBoundingClientRect();
        return bars.filter(b => Math.min(r.right, b.right) - Math.max(r.left, b.left) > 1
                             && Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top) > 1)
            .map(b => ({text: t.textContent, depth: Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top)}));
    });
})"""

#: Every chart's axis tick labels.
TICKS_JS = """() => [...document.querySelectorAll('.js-plotly-plot .xtick text, .js-plotly-plot .ytick text')]
    .map(t => t.textContent)"""
ENGLISH_MONTH = re.compile(r"\b(May|Aug|Oct|Dec)\b")
SI_TICK = re.compile(r"^[0-9.,]+[kMG]$")


def test_chart_text_stays_inside_its_chart_on_a_360_px_phone(server: str) -> None:
    """On a 360 px phone the Targets page's source line lost its last word ("Keadaan pe"):
    64 characters fitted a 390 px phone only. Titles, bar labels and source lines must fit, and
    a legend wrapped into rows must end above the source line (on Trends it covered it), and
    no label may cover a bar."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 360, "height": 800})
        checked = legends = id_ticks = 0
        for path, plots in (
            ("/Target?area=15&lang=id", 1),
            ("/Target?area=00&lang=en", 1),  # 38 provinces' labels, "Daerah Khusus Ibukota Jakarta · …" the longest
            ("/Antrean_pengambilan?area=00&lang=id", 2),  # units' burn-downs are links, not charts
            ("/Tren?area=15&lang=id", 1),
            ("/Peta_cakupan?area=00&lang=en&funnel=on", 1),  # the funnel's source starts after its stage names
            ("/Blangko_dan_kartu_rusak?area=15.03&lang=en", 1),  # stock, use and the articles' points
        ):
            page.goto(server + path)
            try:
                for _ in range(6):  # charts below the fold are drawn once scrolled to
                    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                    page.mouse.wheel(0, 4000)
                    page.wait_for_timeout(500)
                page.wait_for_function(  # every chart drawn, with its title
                    f"document.querySelectorAll('.js-plotly-plot .gtitle').length >= {plots}", timeout=120_000
                )
            except Exception as exc:
                drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .gtitle').length")
                raise AssertionError(f"{path}: {drawn} of {plots} charts drawn") from exc
            page.wait_for_timeout(2000)
            n = page.evaluate(
                "document.querySelectorAll('.js-plotly-plot .annotation-text, .js-plotly-plot .gtitle').length"
            )
            out = page.evaluate(OVERFLOW_JS)
            assert out == [], (path, out)
            # a two-line bar label in a 48 px row had covered the bar above by 2-3 px
            on_bars = page.evaluate(TEXT_ON_BAR_JS)
            assert on_bars == [], (path, on_bars)
            if "lang=id" in path:  # "Mei 2020", and "2.000.000": an Indonesian "2M" is 2 miliar
                ticks = page.evaluate(TICKS_JS)
                assert ticks and not [x for x in ticks if ENGLISH_MONTH.search(x) or SI_TICK.match(x)], (path, ticks)
                id_ticks += len(ticks)
            checked += n
            for chart in page.evaluate(LEGEND_SOURCE_JS):  # a wrapped legend stays above the source line
                assert chart["legend"][1] <= chart["source"][0], (path, chart)
                legends += 1
            name = path.strip("/").split("?")[0] + "_" + path.split("area=")[1].split("&")[0]
            page.screenshot(path=str(ARTIFACTS / f"phone_360_{name}.png"), full_page=True)
        browser.close()
    assert checked > 10 and legends >= 3 and id_ticks > 10


def test_a_units_sources_table_stays_inside_its_column_on_a_phone_and_a_desktop(server: str) -> None:
    """The map page's detail lists a unit's sources in a plain HTML table (ui.small_table) of
    eight columns: in a 402 px column of a desktop page it ran past the window's edge. In a
    narrow place each row is a card of "column: value" lines; nothing leaves its column, and a
    card names each figure as the table's header does."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for width in (360, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en&unit=15.03")
            table = page.locator(".ektp-small-table").first
            table.wait_for(timeout=120_000)
            table.scroll_into_view_if_needed()
            box = page.evaluate(
                """() => { const d = document.querySelector('.ektp-small-table');
                const t = d.querySelector('table').getBoundingClientRect(), o = d.getBoundingClientRect();
                const c = [...d.querySelectorAll('tbody td')].map(e =>
                    getComputedStyle(e, '::before').content.replace(/^"|"$/g, '') + e.textContent);
                return {table: [t.left, t.right], own: [o.left, o.right], page: document.documentElement.scrollWidth,
                        cells: c}; }"""
            )
            assert box["page"] <= width, (width, box["page"])
            assert box["own"][0] - 1 <= box["table"][0] and box["table"][1] <= box["own"][1] + 1, (width, box)
            assert "Source: radarjambi.co.id (31 Mar 2019)" in box["cells"], box["cells"]  # a card's line
            page.close()
        browser.close()


def test_the_map_pages_data_files_are_the_readers_and_name_no_file_in_public(server: str) -> None:
    """The map page's CSV was the query's own frame: on the public instance it carried each
    unit's source as stored ("synthetic/coverage_synthetic.parquet row 2"), and other columns
    than the reader page's CSV of the same view. A reader downloads it as a reader would: the
    page's CSV is byte for byte the reader route's, and neither it nor the XLSX names a file or
    a row."""
    import io
    import urllib.request

    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
        page.get_by_text("Download (SVG").first.click(timeout=120_000)
        files = {}
        for kind, label in (("csv", "Chart data CSV"), ("xlsx", "XLSX")):
            with page.expect_download(timeout=60_000) as got:
                page.get_by_role("button", name=re.compile(label)).first.click()
            files[kind] = Path(got.value.path()).read_bytes()
        href = page.get_by_role("link", name=re.compile("light page for readers")).get_attribute("href")
        browser.close()
    query = href.split("?", 1)[1]
    reader = urllib.request.urlopen(f"{server}/v/map.csv?{query}", timeout=30).read()
    assert files["csv"] == reader
    sheet = load_workbook(io.BytesIO(files["xlsx"])).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    for text in (files["csv"].decode("utf-8"), cells):
        assert "radarjambi" in text  # the sources are there, as people cite them
        assert ".parquet" not in text and not re.search(r"\brow \d+", text), text[:400]


def test_the_load_journey_after_other_pages_in_chromium(default_db: Path, tmp_path: Path) -> None:
    """Internal instance on 127.0.0.1, as an operator walks it: the Overview and the map first
    (the app's connection to the served file is open), then Muat data: upload the stacked Jambi
    recap → the preview's tables → load → the link to the map of the loaded date → Sarolangun's
    detail for 31 January 2019 shows the new split by sex."""
    import shutil

    from playwright.sync_api import sync_playwright

    from tests.conftest import FIXTURES

    db = tmp_path / "ektp.duckdb"
    shutil.copy(default_db, db)
    stacked = FIXTURES / "layouts" / "stacked_lp_jambi_2019_01.csv"
    proc, base = start_server(db, public=False)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(base + "/?lang=en")
            page.get_by_text("Eligible").first.wait_for(timeout=90_000)
            page.goto(base + "/Peta_cakupan?area=15&level=regency&lang=en")
            page.locator(".ektp-map svg").first.wait_for(timeout=90_000)
            page.goto(base + "/Muat_data?lang=en")
            page.get_by_text("Load data").first.wait_for(timeout=90_000)
            try:  # this machine, straight to the server: no sign-in, the upload at once
                page.locator("input[type=file]").wait_for(state="attached", timeout=60_000)
            finally:
                page.screenshot(path=str(ARTIFACTS / "load_page_start.png"), full_page=True)
            page.locator("input[type=file]").set_input_files(str(stacked))
            page.get_by_text("The figures as they will be stored").wait_for(timeout=90_000)
            page.get_by_text("What each column was taken to mean").wait_for(timeout=30_000)
            page.get_by_role("button", name="Load 2 rows").wait_for(timeout=30_000)
            body = page.inner_text("body")
            assert "Traceback" not in body and "ConnectionException" not in body and "dry run" not in body
            page.screenshot(path=str(ARTIFACTS / "load_page_preview.png"), full_page=True)
            page.get_by_role("button", name="Load 2 rows").click()
            page.get_by_text("Loaded: 2 rows").first.wait_for(timeout=120_000)
            assert "dry run" not in page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "load_page_done.png"), full_page=True)
            page.get_by_text("See the map of the date and area just loaded").click()
            page.wait_for_url(re.compile(r".*Peta_cakupan\?.*date=2019-01-31.*"), timeout=60_000)
            page.goto(page.url + "&unit=15.03")
            want = "By sex — Eligible (wajib KTP-el): men 113,837 · women 109,374"
            page.get_by_text(want).first.wait_for(timeout=90_000)
            page.screenshot(path=str(ARTIFACTS / "load_page_map_after.png"), full_page=True)
            browser.close()
    finally:
        stop_server(proc)


@needs_nginx
def test_behind_the_shipped_nginx_every_client_signs_in(default_db: Path, tmp_path: Path) -> None:
    """H1: deploy/'s nginx on this machine in front of a loopback internal instance: the Load page
    asks every client to sign in (the proxy connects from loopback for all of them); straight to
    the server, a browser on this machine is not asked. A foreign Host gets 400 (M5)."""
    import subprocess
    import urllib.error
    import urllib.request

    from playwright.sync_api import sync_playwright

    from deploy.process import free_port, wait_healthy
    from deploy.replicas import NGINX, write_config
    from ektp.core import operators

    ops = tmp_path / "operators"
    operators.add_operator("siti", "sarolangun-98-persen", path=ops)
    proc, base = start_server(default_db, public=False, env={"EKTP_OPERATORS": str(ops)})
    port = free_port()
    conf = write_config(tmp_path / "nginx", [base], port)
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path / "nginx"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    proxied = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(proxied, 30)
        head = urllib.request.urlopen(base + "/Muat_data", timeout=10).headers  # L10: not frameable by others
        assert "frame-ancestors 'self'" in head["Content-Security-Policy"] and head["X-Frame-Options"] == "SAMEORIGIN"
        req = urllib.request.Request(base + "/Muat_data", headers={"Host": "rebind.attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 400
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(proxied + "/Muat_data?lang=en")
            page.get_by_text("came through a reverse proxy: sign in as an operator").first.wait_for(timeout=90_000)
            assert page.locator("input[type=file]").count() == 0
            page.screenshot(path=str(ARTIFACTS / "load_page_behind_nginx.png"), full_page=True)
            page.goto(base + "/Muat_data?lang=en")  # the same browser, straight to the server
            page.locator("input[type=file]").wait_for(state="attached", timeout=90_000)
            browser.close()
    finally:
        nginx.terminate()
        nginx.wait(10)
        stop_server(proc)


def test_networked_load_page_asks_an_operator_to_sign_in(default_db: Path, tmp_path: Path) -> None:
    """`EKTP_ADDRESS=0.0.0.0 make run`: the Load page is locked until an operator signs in; a
    wrong password is refused, the right one opens the upload (reached here on 127.0.0.1 only)."""
    from playwright.sync_api import sync_playwright

    from ektp.core import operators

    ops = tmp_path / "operators"
    operators.add_operator("siti", "sarolangun-98-persen", path=ops)
    proc, base = start_server(default_db, public=False, address="0.0.0.0", env={"EKTP_OPERATORS": str(ops)})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(base + "/Muat_data?lang=en")
            page.get_by_text("sign in as an operator").first.wait_for(timeout=90_000)
            assert page.locator("input[type=file]").count() == 0
            page.get_by_label("Operator name").fill("siti")
            page.get_by_role("textbox", name="Password").fill("salah")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("Wrong name or password.").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "load_page_locked.png"), full_page=True)
            page.get_by_role("textbox", name="Password").fill("sarolangun-98-persen")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("Signed in as siti").wait_for(timeout=30_000)
            page.locator("input[type=file]").wait_for(state="attached", timeout=30_000)
            assert page.locator("input[type=file]").count() == 1
            browser.close()
    finally:
        stop_server(proc)


def test_keyboard_reaches_the_area_date_and_drill_down_pickers(server: str) -> None:
    """Tab alone reaches the area picker, the date picker and the drill-down (no mouse needed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        reached = []
        for _ in range(120):
            page.keyboard.press("Tab")
            label = page.evaluate(
                "(() => { const e = document.activeElement; if (!e) return '';"
                " return e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) || ''; })()"
            )
            reached.append(label)
        browser.close()
    text = " | ".join(reached)
    for want in ("Area", "Data date", "Open area"):
        assert any(want in r for r in reached), text


def test_each_chart_is_described_by_its_sentence(server: str) -> None:
    """The sentence above a chart is its accessible description (aria-describedby), and the map
    is the page's hero: the content's width and at least 60% of a 900 px high window."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        holder = ".stElementContainer[class*='st-key-map_svg']"
        page.wait_for_function(f'document.querySelector("{holder}[aria-describedby]") !== null', timeout=30_000)
        described = page.evaluate(
            f'(() => {{ const c = document.querySelector("{holder}");'
            " return document.getElementById(c.getAttribute('aria-describedby')).innerText; })()"
        )
        assert described.startswith("Kabupaten Sarolangun has the lowest recording rate in Jambi: 86.0%")
        chart = page.locator(holder).first.bounding_box()
        main = page.locator("[data-testid='stMainBlockContainer']").first.bounding_box()
        assert chart["height"] >= 0.6 * 900 and chart["width"] >= 0.9 * main["width"] - 100, (chart, main)
        page.goto(server + "/Tren?area=15&lang=en")
        page.wait_for_function(
            "document.querySelector('[data-testid=\"stPlotlyChart\"][aria-describedby]') !== null", timeout=90_000
        )
        browser.close()


def test_public_surface_closes_what_a_reader_never_needs(server: str) -> None:
    """Public mode: /_stcore/metrics (the app's function names and timings), the upload
    endpoint, the agent API, the script health check and the component routes answer 404;
    pages and the health check answer, with X-Content-Type-Options."""
    import urllib.error
    import urllib.request

    for path in (
        "/_stcore/metrics",
        "/_stcore/upload_file/abc/def",
        "/_stcore/agent/openapi.json",
        "/_stcore/agent/interact",
        "/_stcore/script-health-check",
        "/component/x/index.html",
    ):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server + path, timeout=10)
        assert err.value.code == 404, path
        assert err.value.headers["x-content-type-options"] == "nosniff"
    for path in ("/_stcore/health", "/Peta_cakupan?lang=en"):
        reply = urllib.request.urlopen(server + path, timeout=10)
        assert reply.status == 200 and reply.headers["x-content-type-options"] == "nosniff", path


def test_the_reader_page_fits_a_320_px_phone_and_shows_the_map(server: str, default_db: Path) -> None:
    """/v/map in Chromium at 320 px: no sideways scrolling, no script, the map drawn in its
    classes' colours (Sarolangun's own among them), the table below it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 320, "height": 700})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto(server + "/v/map?area=15&level=regency&date=2019-03-31&lang=id")
        assert response.status == 200 and "frame-ancestors *" in response.headers["content-security-policy"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.evaluate("document.scripts.length") == 0 and errors == []
        box = page.locator("figure > svg").bounding_box()
        assert box["width"] >= 290 and box["height"] > 150 and box["y"] < 700  # on the first screen
        shot = ARTIFACTS / "reader_320_jambi.png"
        page.locator("figure > svg").screenshot(path=str(shot))
        colours = Image.open(shot).convert("RGB").getcolors(1 << 20)
        inked = {c for n, c in colours if n > 50}
        model = _jambi_2019_fills(default_db)
        assert model["15.03"] in inked and _others_colour(model) in inked, sorted(inked)[:12]
        assert page.locator("table tbody tr").count() == 11
        page.emulate_media(media="print")
        assert page.locator(".embed").is_hidden()
        browser.close()


#: Installed before the page's own HTML: when the map page's first view left the document.
_WATCH_FIRST_VIEW = """
window.__firstGone = null;
const mapUnits = () => [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
  .reduce((k, e) => k + e.shadowRoot.querySelectorAll('.ektp-map [data-c]').length, 0);
new MutationObserver(() => {
  const el = document.getElementById('ektp-first');
  if (el) window.__firstSeen = true;
  else if (window.__firstSeen && window.__firstGone === null) {
    window.__firstGone = performance.now();
    window.__unitsWhenGone = mapUnits();  // what replaced it: the app's map, drawn
  }
}).observe(document, {childList: true, subtree: true});
window.__lcp = [];
new PerformanceObserver(l => l.getEntries().forEach(e => window.__lcp.push(e.startTime)))
  .observe({type: 'largest-contentful-paint', buffered: true});
window.__shift = 0;
new PerformanceObserver(l => l.getEntries().forEach(e => { if (!e.hadRecentInput) window.__shift += e.value; }))
  .observe({type: 'layout-shift', buffered: true});
"""


def test_the_map_page_shows_its_view_before_the_app_and_the_app_takes_over(server: str, default_db: Path) -> None:
    """The map page's HTML carries its view (ektp.reader.page.first_view): without script, or
    before the app's script has run, a phone shows the title and the map in its classes'
    colours; the app starts after that paint, and the view stays until the app's map is drawn
    (no empty page between)."""
    from playwright.sync_api import sync_playwright

    url = server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        page = ctx.new_page()
        page.goto(url)
        assert page.locator("#ektp-first h1").inner_text() == "Recording rate by regency/city, Jambi"
        assert "Sarolangun has the lowest recording rate in Jambi: 86.0%" in page.inner_text("#ektp-first")
        img = page.locator("#ektp-first img")
        box = img.bounding_box()
        assert box["width"] >= 340 and box["y"] < 844 and page.evaluate("document.documentElement.scrollWidth") <= 390
        shot = ARTIFACTS / "map_first_view_390.png"
        img.screenshot(path=str(shot))
        model = _jambi_2019_fills(default_db)
        assert band_pixels(shot, model["15.03"], tol=6) > 300  # Sarolangun, its class alone
        assert band_pixels(shot, _others_colour(model), tol=6) > 1500  # most of its neighbours
        assert page.locator("#ektp-first a").get_attribute("href").startswith("/v/map?area=15&level=regency")
        ctx.close()
        ctx = browser.new_context(viewport={"width": 390, "height": 844})
        ctx.add_init_script(_WATCH_FIRST_VIEW)
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        assert page.locator("#ektp-first").count() == 0  # the app's map replaced it
        page.wait_for_timeout(1500)  # the map's words and the ranking settle
        times = page.evaluate(
            "({fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime, gone: window.__firstGone,"
            " lcp: window.__lcp, shift: window.__shift, units: window.__unitsWhenGone})"
        )
        browser.close()
    # painted before the app took over, and nothing the app drew later was larger
    assert times["gone"] is not None and times["fcp"] < times["gone"], times
    assert times["lcp"] and max(times["lcp"]) <= times["gone"], times
    assert times["shift"] < 0.05, times  # Lighthouse's good is 0.1
    assert times["units"] >= 11, times  # the view stayed until the app's map was drawn: no empty page between


EMBED_VIEWS = [
    "area=15&level=regency&date=2019-03-31&lang=id",
    "area=00&level=province&lang=en",
    "area=00&level=regency&lang=id",
    "area=15.03&level=district&date=2019-03-31&lang=en",
    "area=91&level=regency&lang=id",
]


def test_the_embed_snippet_never_cuts_off_its_own_words(server: str) -> None:
    """The snippet's iframe was 640 px for content ~750 px tall: the source line was cut in half.
    Its height is now computed for the view, and the embed lays its map out in the room its words
    leave: in an article column of 390 and 700 px, every word of the embed (title, sentence,
    legend, source, the link) is inside the frame."""
    import html as html_lib
    import urllib.request

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for q in EMBED_VIEWS:
            text = urllib.request.urlopen(f"{server}/v/map?{q}", timeout=60).read().decode()
            snippet = html_lib.unescape(re.search(r"<pre><code>(.*?)</code></pre>", text, re.S)[1])
            height = int(re.search(r'height="(\d+)"', snippet)[1])
            src = re.search(r'src="([^"]+)"', snippet)[1].replace("//localhost:", "//127.0.0.1:")  # this machine
            for width in (390, 700):
                page = browser.new_page(viewport={"width": width, "height": 1200})
                page.goto(f"{server}/robots.txt")  # an article on a web origin (frame-ancestors * is http/https)
                page.set_content(
                    f'<p>Artikel</p><iframe src="{src}" width="100%" height="{height}" style="border:0"></iframe>'
                )
                frame = page.frame_locator("iframe")
                frame.locator("figcaption").wait_for(timeout=30_000)
                inner = next(f for f in page.frames if f != page.main_frame)
                out = inner.evaluate(
                    "() => ({h: innerHeight, scroll: document.documentElement.scrollHeight,"
                    " bottoms: [...document.querySelectorAll('h1,.lede,.legend,figcaption,.links')]"
                    ".map(e => e.getBoundingClientRect().bottom)})"
                )
                assert out["scroll"] <= out["h"] + 1 and max(out["bottoms"]) <= out["h"] + 1, (q, width, height, out)
                page.close()
        browser.close()


def test_a_unit_picked_in_the_ranking_is_shown_on_the_map(server: str, default_db: Path) -> None:
    """The ranking is listed under the map, in the map's element (no data grid): a row pointed at
    outlines its unit on the map, the search box filters the rows without a round trip (accents
    and case aside), and a row picked shows the unit on the map (its outline and its figures in
    the map's live region) and opens the detail on it (`unit=` in the link)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[1]) if r.url.endswith(".js") else None)
        page.goto(server + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
        page.wait_for_function(f"Object.keys(({MAP_FILLS_JS})()).length >= 11", timeout=90_000)
        rows = page.locator(".ektp-map .rank tbody tr")
        assert rows.count() == 11 and rows.first.get_attribute("data-c") == "15.03"  # the lowest first
        outline = page.locator(".ektp-map svg path.on")
        rows.nth(3).hover()
        hovered = rows.nth(3).get_attribute("data-c")
        shape = page.locator(f'.ektp-map path[data-c="{hovered}"]').get_attribute("d")
        assert outline.get_attribute("d") == shape  # the row's unit outlined on the map
        search = page.locator(".ektp-map .rank input")
        search.fill("SARÔL")
        assert rows.count() == 1 and rows.first.get_attribute("data-c") == "15.03"
        search.fill("no such place")
        assert rows.count() == 0 and page.locator(".ektp-map .rank-note").inner_text() == "No area matches."
        search.fill("")
        assert rows.count() == 11
        # the other way: a unit pointed at on the map marks its row, and a row out of the list's
        # view is scrolled into it (the list made short here so that it scrolls)
        page.add_style_tag(content=".ektp-map .rank .scroll{max-height:120px}")
        last = rows.nth(10).get_attribute("data-c")
        page.locator(f'.ektp-map svg path[data-c="{last}"]').dispatch_event("pointermove", {"pointerType": "mouse"})
        marked = page.locator(".ektp-map .rank tbody tr.on")
        assert marked.count() == 1 and marked.get_attribute("data-c") == last
        box = page.locator(".ektp-map .rank .scroll")  # in the element's shadow root
        assert box.evaluate("b => b.scrollTop") > 0
        in_view = box.evaluate(
            """b => { const r = b.querySelector('tr.on').getBoundingClientRect(), v = b.getBoundingClientRect();
                return r.top >= v.top && r.bottom <= v.bottom + 1; }"""
        )
        assert in_view
        loaded = list(scripts)  # before a pick opens the detail (whose tables are data grids)
        second = rows.nth(1).get_attribute("data-c")  # the second row (its first is Sarolangun)
        rows.nth(1).click()
        page.wait_for_function(f"new URL(location.href).searchParams.get('unit') === '{second}'", timeout=60_000)
        tip = page.locator(".ektp-map .tip")
        tip.filter(has_text="·").wait_for(timeout=30_000)
        unit = page.evaluate("new URL(window.location.href).searchParams.get('unit')")
        said = tip.inner_text()
        rows.nth(4).focus()  # the keyboard: a row focused shows its unit, Enter picks it
        page.keyboard.press("Enter")
        picked = rows.nth(4).get_attribute("data-c")
        page.wait_for_function(f"new URL(location.href).searchParams.get('unit') === '{picked}'", timeout=60_000)
        browser.close()
    assert unit and unit != "15.03" and unit.startswith("15.")
    assert not [s for s in loaded if s.startswith("DataFrame.")], loaded  # no data grid on the map page
    from ektp.core.served import open_read_only

    con = open_read_only(default_db)
    (name,) = con.execute("SELECT name FROM regions WHERE code = $c", {"c": unit}).fetchone()
    con.close()
    assert said.split(" · ")[0] == name, (said, name)  # the picked unit, on the map


def test_a_reader_finds_their_area_on_a_320_px_phone(server: str) -> None:
    """A reader in Sarolangun on a 320 px phone, no script: types "sarolngun" in the search box of
    the national page, opens the result, walks down to a district by its map and back up by the
    breadcrumb. Nothing scrolls sideways: neither the page nor the ranking (cards, not a table)."""
    from playwright.sync_api import sync_playwright

    def fits(page) -> None:  # noqa: ANN001
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
        wide = page.evaluate(
            "[...document.querySelectorAll('.table')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        assert wide == 0, page.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        ctx = browser.new_context(viewport={"width": 320, "height": 700}, java_script_enabled=False)
        page = ctx.new_page()
        assert page.goto(server + "/v/wilayah/00").status == 200
        fits(page)
        page.fill("#q", "sarolngun")
        page.click("form.find button")
        page.wait_for_load_state()
        assert "/v/cari" in page.url and page.locator("ol.cards li").count() >= 1
        page.locator("ol.cards li a").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/v/wilayah/15.03") and "Kabupaten Sarolangun" in page.locator("h1").inner_text()
        fits(page)
        page.locator('figure a:has(path[data-c="15.03.01"])').first.click()  # a district on the map
        page.wait_for_load_state()
        assert page.url.endswith("/v/wilayah/15.03.01")
        page.locator(".crumbs a", has_text="Kabupaten Sarolangun").click()
        page.wait_for_load_state()
        assert page.url.endswith("/v/wilayah/15.03")
        assert page.goto(server + "/v/map?area=00&level=province").status == 200
        fits(page)  # the ranking of 38 provinces: cards on a phone
        # a phone draws no numbers on the map (too small to read), so no key to them either
        assert page.locator("figure svg .labels").count() and not page.locator("figure svg .labels").first.is_visible()
        assert page.locator(".labelkey").count() and not page.locator(".labelkey").first.is_visible()
        # words pasted twice over, with no space to break at, are echoed but never widen the page
        assert page.goto(server + "/v/cari?q=" + "sarolangun" * 10).status == 200
        fits(page)
        assert page.goto(server + "/v/cari?q=&lang=en").status == 200  # nothing typed: what to type
        assert "name of a province" in page.locator("main").inner_text()
        assert page.goto(server + "/v/cari?q=tanjabtim&lang=en").status == 200
        assert "1 area found" in page.locator("[role=status]").inner_text()
        browser.close()


#: Every element drawn in Streamlit's icon font, through shadow roots: its text and its width
#: against its font size (an icon is one glyph, a name the font lacks is a word).
_ICONS_JS = """async () => { await document.fonts.ready; const out = [];
  const walk = (root) => root.querySelectorAll('*').forEach(e => {
    const cs = getComputedStyle(e), r = e.getBoundingClientRect();
    if (/Material Symbols/.test(cs.fontFamily) && !e.childElementCount && e.textContent.trim() && r.width)
      out.push({name: e.textContent.trim(), width: r.width, size: parseFloat(cs.fontSize)});
    if (e.shadowRoot) walk(e.shadowRoot); });
  walk(document); return out; }"""
APP_PAGES = ["Peta_cakupan", "", "Tren", "Antrean_pengambilan", "Target", "Blangko_dan_kartu_rusak", "Data_dan_metode"]


def test_icons_come_from_the_small_icon_font_and_draw_as_icons(server: str) -> None:
    """ektp.web.assets cuts Streamlit's 375 KB icon font to the icons its frontend names: every
    icon on every page, sidebar open and on a phone, must still draw as one glyph (a name left
    out would show as its letters). The theme's font is the system's: on the map page Streamlit's
    Source Sans is neither preloaded nor fetched (ektp.web.pageshell; a Plotly chart's title
    still asks for it, ektp.charts.style.TITLE_FONT)."""
    from playwright.sync_api import sync_playwright

    fonts: dict[str, int] = {}
    seen: set[str] = set()
    map_fonts: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on(
                "response",
                lambda r: r.url.endswith(".woff2") and fonts.setdefault(r.url.rsplit("/", 1)[1], len(r.body())),
            )
            for name in APP_PAGES:
                reply = page.goto(f"{server}/{name}?lang=en")
                assert "SourceSansVF" not in reply.text(), name
                page.locator("[data-testid='stMainBlockContainer'] h1").first.wait_for(timeout=60_000)
                page.wait_for_timeout(1500)
                for icon in page.evaluate(_ICONS_JS):
                    seen.add(icon["name"])
                    assert icon["width"] <= 1.6 * icon["size"], (name, width, icon)
                if name == "Peta_cakupan" and width == 1280:  # the first page this browser opened
                    map_fonts = list(fonts)
            page.close()
        browser.close()
    assert "keyboard_double_arrow_left" in seen  # the sidebar's own button at least
    icon_font = [size for file, size in fonts.items() if file.startswith("MaterialSymbols")]
    assert icon_font and icon_font[0] < 80_000, fonts
    assert not [file for file in map_fonts if file.startswith("SourceSans")], map_fonts


def test_the_first_view_gives_way_when_the_page_draws_no_map(default_db: Path, tmp_path: Path) -> None:
    """The first view stays over the app until the app's map is drawn; a page without a map
    (here: no boundary files, the page says maps are off) must not keep it: it goes a moment
    after the app has drawn its page (ektp.web.pageshell.COVER_CLOSE)."""
    from playwright.sync_api import sync_playwright

    proc, base = start_server(default_db, public=True, env={"EKTP_STATIC_DIR": str(tmp_path / "no_geo")})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(base + "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en")
            covered = page.locator("#ektp-cover").count()
            page.locator("[data-testid='stMainBlockContainer'] h1").first.wait_for(timeout=90_000)
            page.wait_for_function("!document.getElementById('ektp-cover')", timeout=20_000)
            warned = page.locator("[data-testid='stAlert']").first.inner_text()
            visible = page.evaluate("getComputedStyle(document.getElementById('root')).visibility")
            browser.close()
    finally:
        stop_server(proc)
    assert covered == 1 and "Maps are off" in warned and visible == "visible"
