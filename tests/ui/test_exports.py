"""Exports: static images via kaleido and the system Chromium, tables without formula injection."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import plotly.graph_objects as go
import polars as pl
import pytest

from ektp import charts, ui
from ektp.data import geo, queries
from tests.conftest import ARTIFACTS, needs_browser

HOSTILE = pl.DataFrame(
    {
        "office": [
            '=HYPERLINK("http://x.example/","klik")',
            "+1+1",
            "-2",
            "@SUM(A1)",
            "UPT Biasa",
            "<script>alert(1)</script>",
            "x;=cmd|' /C calc'!A0",
        ],
        "n": [1, 2, 3, 4, 5, 6, 7],
    }
)


def test_csv_and_xlsx_exports_neutralise_formulas() -> None:
    """CSV: every text cell quoted, a formula start prefixed with an apostrophe (also after a ';',
    which an Indonesian Excel splits on). XLSX: text cells typed as text, written as they are."""
    csv_text = ui.table_bytes(HOSTILE, "csv").decode()
    for line in csv_text.splitlines()[1:5]:
        assert line.startswith("\"'")
    assert "UPT Biasa" in csv_text
    for sep in (",", ";"):  # read back the way a spreadsheet with either list separator reads it
        cells = [c for row in csv.reader(io.StringIO(csv_text), delimiter=sep) for c in row]
        assert not [c for c in cells if c.lstrip().startswith(("=", "+", "@"))], (sep, cells)
    wb = openpyxl.load_workbook(io.BytesIO(ui.table_bytes(HOSTILE, "xlsx")))
    ws = wb.active
    cells = [ws.cell(row=r, column=1).value for r in range(2, 2 + HOSTILE.height)]
    assert cells == HOSTILE["office"].to_list()  # as written: no visible apostrophe
    assert {ws.cell(row=r, column=1).data_type for r in range(2, 2 + HOSTILE.height)} == {"s"}  # text, never a formula
    pq = pl.read_parquet(io.BytesIO(ui.table_bytes(HOSTILE, "parquet")))
    assert pq.equals(HOSTILE)  # Parquet is not opened as a spreadsheet: kept exactly


def test_text_from_files_is_never_markdown() -> None:
    """M8: a source cell's link, image and markup stay text through Markdown."""
    said = ui.safe_text("[klik di sini](http://evil.example/) ![p](http://evil.example/p.png) <b>x</b>")
    assert "](http" not in said.replace("\\]\\(", "") and "<b>" not in said.replace("\\<", "")
    assert said.startswith("\\[klik") and "\\!\\[p\\]" in said


@needs_browser
def test_map_exports_svg_png_html_whole_offline(app_env: Path) -> None:
    """A map's three files are the view model's drawing, made without a browser: the SVG, its
    PNG (resvg) and its HTML page, each with the title, every unit and the source."""
    import datetime as dt

    from ektp.mapview.url import Choice
    from ektp.reader.page import map_file

    choice = Choice("15", "regency", "unrecorded_share", "dukcapil", dt.date(2019, 3, 31), None, "id")
    svg = map_file(choice, "svg")
    assert svg.lstrip().startswith(b"<svg") and b"Jambi" in svg and b"Sumber" in svg
    assert svg.count(b"<path data-c=") == 11
    png = map_file(choice, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (ARTIFACTS / "export_map_jambi.png").write_bytes(png)
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size[0] >= 1500  # 1.5 × the drawing's width: sharp in print
    html = map_file(choice, "html").decode()
    assert svg.decode() in html and "<script" not in html and 'data-c="15.03"' in html


@needs_browser
def test_trivial_figure_svg(app_env: Path) -> None:
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    fig.update_layout(height=300)
    assert ui.image_bytes(fig, "svg").lstrip().startswith(b"<svg")


@needs_browser
def test_an_indonesian_print_names_its_months_in_indonesian(app_env: Path) -> None:
    """Kaleido's plotly.js drops the locale the screen gets: an Indonesian print of Kupang's
    burn-down read "May 2020". It names its own month ticks; an English print keeps Plotly's."""
    import datetime as dt

    df = pl.DataFrame({"as_of": [dt.date(2020, 1, 27), dt.date(2020, 7, 9)], "awaiting_pickup": [5000, 2500]})
    svg = ui.image_bytes(charts.backlog_trend(df, "id", "t", "Sumber: uji"), "svg", "id").decode()
    assert "Mei 2020" in svg and "Agu 2020" not in svg and "May" not in svg
    assert "Feb 2020" in svg and "Jul 2020" in svg  # every month of the span, Feb to Jul
    assert "2.500" in svg or "2.000" in svg  # and Indonesian separators on the counts
    en = ui.image_bytes(charts.backlog_trend(df, "en", "t", "Source: test"), "svg", "en").decode()
    assert "May 2020" in en
    long = pl.DataFrame({"as_of": [dt.date(2018, 1, 31), dt.date(2024, 12, 31)], "awaiting_pickup": [1, 2]})
    fig = charts.backlog_trend(long, "id", "t", "s")
    charts.print_month_ticks(fig, "id")
    assert fig.layout.xaxis.tickvals is None  # seven years: Plotly's year ticks need no month names
    one = pl.DataFrame({"as_of": [dt.date(2020, 5, 27)], "awaiting_pickup": [5000]})
    fig = charts.backlog_trend(one, "id", "t", "s")
    charts.print_month_ticks(fig, "id")
    assert fig.layout.xaxis.ticktext == ("27 Mei 2020",)  # one day: its own tick, not none


@needs_browser
def test_a_charts_html_file_saves_it_as_svg_in_the_readers_browser(tmp_path: Path) -> None:
    """Where the server draws no chart images (public, or no Chromium), the chart's HTML file
    is the way to an SVG: its toolbar's disk button makes one with plotly.js, offline."""
    import datetime as dt

    from playwright.sync_api import sync_playwright

    from deploy.process import CHROME_ARGS, CHROMIUM

    # Kupang's queue, as published: 5,000 awaiting pickup in January 2020 (data/sourced)
    df = pl.DataFrame({"as_of": [dt.date(2020, 1, 27), dt.date(2020, 7, 9)], "awaiting_pickup": [5000, 2500]})
    fig = charts.backlog_trend(df, "id", "Kota Kupang: KTP-el menunggu diambil", "Sumber: uji")
    page_file = tmp_path / "antrean.html"
    page_file.write_bytes(ui.figure_html(fig, "id", "antrean_kupang"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(accept_downloads=True)
        outside: list[str] = []
        page.on(
            "request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None
        )
        page.goto(page_file.as_uri())
        page.wait_for_selector(".main-svg")
        button = page.locator('.modebar-btn[data-title="Unduh sebagai SVG"]')
        assert page.locator(".modebar-btn[data-title]").count() > 1  # the camera (PNG) stays beside it
        with page.expect_download() as got:
            button.click(force=True)
        download = got.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        browser.close()
    svg = saved.read_text()
    assert download.suggested_filename == "antrean_kupang.svg"
    assert svg.startswith("<svg") and "Kota Kupang: KTP-el menunggu diambil" in svg and "Sumber: uji" in svg
    assert "Mei 2020" in svg or "Apr 2020" in svg  # the chart's Indonesian months, as on screen
    assert outside == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_rankings_xlsx_is_a_planners_sheet(app_env: Path, lang: str) -> None:
    """Finding 10: the ranking's only export was the chart CSV with 18 English columns, rates as
    0.9755…, no class column. Its XLSX opens with the map's title, sentence, source line with
    the date, when it was made and the licences; then the page's ranking with headers in the
    page's language, the class in words, rates as percentages (numbers still)."""
    import datetime as dt

    from openpyxl import load_workbook

    from ektp import charts, ui
    from ektp.analysis import summary
    from ektp.data import queries
    from ektp.mapview.model import gather
    from ektp.mapview.url import Choice
    from ektp.text.i18n import t

    as_of = dt.date(2019, 3, 31)
    mv = queries.map_view("regency", "15", as_of, geo.boundary_name("regency", "15"))
    vt = queries.view_target("regency", "15")
    title = summary.map_title("recording_rate", "regency", "Jambi", lang)
    sentence = summary.map_sentence(mv.df, "recording_rate", "regency", "Jambi", vt.value, lang)
    _, line = summary.map_source_line(mv.sources, mv.synthetic, as_of, vt, lang)
    drawn = gather(Choice(area="15", level="regency", scheme="natural", as_of=as_of, lang=lang))
    assert (drawn.title, drawn.sentence, drawn.source_line) == (title, sentence, line)
    data = ui.ranking_report(drawn, [drawn.sentence, drawn.source_line])
    ws = load_workbook(io.BytesIO(data)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0][0] == title and cells[1][0] == sentence and cells[2][0] == line
    assert any("MIT" in str(r[0]) for r in cells[3:7])  # the licences
    header_row = next(i for i, r in enumerate(cells) if r[0] == t("name", lang).capitalize())
    header = cells[header_row]
    assert t("map_class", lang).capitalize() in header and "recording_rate" not in header
    rate_col = header.index(t("metric_recording_rate", lang).capitalize())
    sar = next(r for r in cells[header_row + 1 :] if r[0] == "Kabupaten Sarolangun")
    assert sar[rate_col] == pytest.approx(86.0)  # percent points, a number
    assert ws.cell(header_row + 2, rate_col + 1).number_format == '0.00"%"'
    classes_ = {g["label"] for g in charts.classify(mv.df, "recording_rate", lang, "natural")}
    assert sar[header.index(t("map_class", lang).capitalize())] in classes_
    words = {t("cell_yes", lang), t("cell_no", lang)}
    assert {r[header.index(t("synthetic", lang).capitalize())] for r in cells[header_row + 1 :]} <= words


@needs_browser
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_trend_print_keeps_its_whole_source_sentence_and_date_on_the_page(app_env: Path, lang: str) -> None:
    """Finding 10: the trend PNG cut its source mid-URL and had no sentence or date. The print
    (the file the Trends page offers, drawn as the page draws it, several areas so the source
    names many articles) holds the title with its sentence, every character of the source
    line with the data's date, and no text runs past the 1,200 px page."""
    import datetime as dt
    import re
    import xml.etree.ElementTree as ET

    from ektp.analysis import summary
    from ektp.text import fmt
    from ektp.text.i18n import t

    codes = ["00", "15", "15.03", "53.71"]
    names = {c: queries.region(c)["name"] if c != "00" else t("national", lang) for c in codes}
    series, points = queries.series(codes), queries.sourced_points(codes)
    tg = queries.targets("00", ("recording_rate",))
    lines, projections, _ = summary.trend_targets(codes, names, series, tg, lang, dt.date(2026, 1, 1))
    srcs = fmt.sources_line(sorted(set(points["source"].drop_nulls().to_list())), lang)
    assert len(srcs) > 180  # longer than one printed line: the wrap is what is tested
    as_of = fmt.date(series["as_of"].max(), lang)
    source_line = t("figure_source", lang, sources=srcs, date=as_of)
    sentence = summary.trend_sentence(series, names, lang)
    assert sentence
    title = t("trend_title", lang, regions=", ".join(names.values()))
    fig = charts.trend(series, points, lang, f"{title} — {sentence}", source_line, lines, projections)
    svg = ui.image_bytes(fig, "svg", lang).decode()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    width, height = float(root.get("width")), float(root.get("height"))
    texts = ["".join(e.itertext()) for e in root.iter(ns + "text")]
    flat = re.sub(r"\s+", "", "".join(texts))
    for said in (source_line, sentence, as_of):  # whole, across its wrapped lines
        assert re.sub(r"\s+", "", said) in flat, said[:60]
    for e in root.iter(ns + "text"):
        if "rotate" in (e.get("transform") or ""):  # the axis title runs up the side, not across
            continue
        size = float(re.search(r"font-size:\s*([\d.]+)px", e.get("style", "")).group(1))
        x = float(e.get("x") or 0) + _offset(e, root)
        for line in ["".join(s.itertext()) for s in e.iter(ns + "tspan")] or ["".join(e.itertext())]:
            anchor = e.get("text-anchor", "start")
            half = 0.5 if anchor == "middle" else (1.0 if anchor == "end" else 0.0)
            left, right = x - half * len(line) * size * 0.55, x + (1 - half) * len(line) * size * 0.55
            assert left >= -1 and right <= width + 1, (line[:60], left, right)
    assert height > 0


def _offset(element: object, root: object) -> float:
    """The horizontal translate of an SVG element and its ancestors (kaleido places annotations
    in translated groups, tick labels by their own transform)."""
    import re

    parents = {c: p for p in root.iter() for c in p}
    x, node = 0.0, element
    while node is not None:  # the element's own translate (a tick label's), then its groups'
        m = re.search(r"translate\(\s*([-\d.]+)", node.get("transform", "") or "")
        if m:
            x += float(m.group(1))
        node = parents.get(node)
    return x


#: A source as stored names its file and row: "synthetic/coverage_synthetic.parquet row 8549".
STORED_SOURCE = re.compile(r"\.(parquet|xlsx|xls|ods|csv) (row|baris) \d+|\b(row|baris) \d+\b")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "funnel": "on"}),
        ("pages/2_Tren.py", {"area": "15"}),
        ("pages/3_Antrean_pengambilan.py", {"area": "53.71"}),
        ("pages/5_Blangko_dan_kartu_rusak.py", {"area": "15"}),
        ("pages/6_Data_dan_metode.py", {"area": "15"}),
    ],
)
def test_no_file_a_public_page_offers_names_a_file_or_its_row(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str]
) -> None:
    """The chart data of Trends and Backlog and the Data page's tables carried each row's source
    as stored ("synthetic/coverage_synthetic.parquet row 8549"; an office's "rekap.xlsx row 12")
    on the public instance, which names no file (ui.downloads.cited_sources). Every table file
    each page offers (CSV, XLSX, Parquet) is made as the button would, and read. (A chart's HTML
    file carries plotly.js, whose code says "row" too; its figure is the page's.)"""
    import polars as pl
    from openpyxl import load_workbook

    from ektp.ui import downloads
    from tests.pages.test_app import run

    monkeypatch.setenv("EKTP_PUBLIC", "1")
    made: list[tuple[str, str, object]] = []
    real = downloads._download_row

    def offered(items: list, basename: str, key: str, lg: str) -> None:
        made.extend((basename, kind, make) for kind, _, make in items if kind in ("csv", "xlsx", "parquet"))
        return real(items, basename, key, lg)

    monkeypatch.setattr(downloads, "_download_row", offered)
    at = run(page, {**params, "lang": "en"})
    for toggle in [tg for tg in at.toggle if tg.key.startswith("dlopen_")]:
        toggle.set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(made) >= 2, made
    named = []
    for basename, kind, make in made:
        body = make()
        if kind == "xlsx":
            sheet = load_workbook(io.BytesIO(body)).active
            text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        elif kind == "parquet":
            text = pl.read_parquet(io.BytesIO(body)).write_csv()
        else:
            text = body.decode("utf-8")
        named += [(basename, kind, m.group(0)) for m in STORED_SOURCE.finditer(text)]
    assert named == [], named[:5]
