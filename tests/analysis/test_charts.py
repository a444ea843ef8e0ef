"""Chart builders on figure structure and values, fed by the real default DB."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
import shapely
import shapely.geometry

from ektp import charts
from ektp.analysis.metrics import funnel
from ektp.data import geo, queries

D = dt.date(2019, 3, 31)


@pytest.fixture()
def jambi(app_env: Path) -> pl.DataFrame:
    return queries.map_values("regency", "15", D)


def test_jambi_regency_map(jambi: pl.DataFrame) -> None:
    """The view's geometry file and its classes: what the view model draws (ektp/mapview)."""
    gj = geo.geojson(geo.boundary_name("regency", "15"))
    assert len(gj["features"]) == 11
    # features numbered 0..n-1 in code order, the code and name in properties
    assert [f["id"] for f in gj["features"]] == list(range(11))
    codes = [f["properties"]["c"] for f in gj["features"]]
    assert codes == sorted(codes) and "15.03" in codes
    assert {f["properties"]["n"] for f in gj["features"]} >= {"Kabupaten Sarolangun"}
    # Dukcapil's bands of the recording rate, every unit in one class
    groups = charts.classify(jambi, "unrecorded_share", "id", "dukcapil", 0.98)
    assert sorted(c for g in groups for c in g["codes"]) == codes
    band = [g for g in groups if "15.03" in g["codes"]][0]
    assert band["label"].startswith("terekam 80–99,99%")  # a band of the recording rate
    # the file's bbox (Jambi: ~101–105°E, ~3°S–0.7°S) bounds its shapes: the map is framed to it
    x0, y0, x1, y1 = gj["bbox"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in gj["features"]]
    assert (x0, y0, x1, y1) == pytest.approx(shapely.total_bounds(shapes), abs=1e-4)
    assert 101 < x0 < x1 < 105 and -3 < y0 < y1 < 0


def test_count_metric_uses_quantile_classes(jambi: pl.DataFrame) -> None:
    groups = [g for g in charts.classify(jambi, "unrecorded", "en") if g["codes"]]
    assert sum(len(g["codes"]) for g in groups) == 11 and len(groups) > 1


def test_trend_and_funnel_structure(app_env: Path) -> None:
    s = queries.series(["15", "15.03"])
    pts = queries.sourced_points(["15", "15.03"])
    fig = charts.trend(
        s,
        pts,
        "en",
        "t",
        "src",
        [("target", 0.98, None)],
        [("Sarolangun", dt.date(2024, 12, 31), 0.97, dt.date(2025, 6, 30), 0.98)],
    )
    lines = [tr for tr in fig.data if tr.mode == "lines" and "Projection" not in (tr.name or "")]
    assert {tr.name for tr in lines} == {"Jambi", "Kabupaten Sarolangun"}
    markers = [tr for tr in fig.data if tr.mode == "markers"][0]
    assert round(max(y for y in markers.y), 2) >= 96.23  # Sarolangun 2020-07-09, sourced
    assert fig.layout.shapes[0].y0 == pytest.approx(98.0)
    f = charts.funnel_chart(funnel(100, 90, 5, 80, 10), "en", "t", "s")
    assert list(f.data[0].x) == [100, 90, 5, 80, 70]
    assert "gap 10" in f.data[0].text[1]


def test_trends_of_four_areas_keep_one_target_label_and_room_for_their_legend(app_env: Path) -> None:
    """Four areas with a 98% target: the merged label ran off the plot; their legend wraps on a
    phone, so the figure grows by its extra rows and the plot keeps its height."""
    codes = ["15", "16", "53", "15.03"]
    s, pts = queries.series(codes), queries.sourced_points(codes)
    names = ["Jambi", "Sumatera Selatan", "Nusa Tenggara Timur", "Kabupaten Sarolangun"]
    lines = [(f"{n}: Target 98%", 0.98, None) for n in names]
    four = charts.trend(s, pts, "en", "t", "src", lines)
    texts = [a.text for a in four.layout.annotations if a.text and "Target" in a.text]
    assert texts == ["Jambi: Target 98% (+3)"]
    two = charts.trend(s, pts, "en", "t", "src", lines[:2])
    two_labels = [a for a in two.layout.annotations if a.text and "Target" in a.text]
    assert [a.text.replace("<br>", " ") for a in two_labels] == ["Jambi: Target 98% · Sumatera Selatan: Target 98%"]
    # in lines a phone's plot holds, left-aligned over the target line
    assert all(len(part) <= charts.TARGET_LABEL_WRAP for part in two_labels[0].text.split("<br>"))
    assert two_labels[0].text.count("<br>") == 1 and two_labels[0].align == "left"
    one = charts.trend(queries.series(["15"]), queries.sourced_points(["15"]), "en", "t", "src", lines[:1])
    extra = (charts._legend_rows(four) - charts._legend_rows(one)) * charts.LEGEND_ROW_PX
    assert extra > 0 and four.layout.height - one.layout.height == extra

    def plot_px(f: go.Figure) -> float:
        return f.layout.height - f.layout.margin.t - f.layout.margin.b

    assert plot_px(four) == plot_px(one)
    # the y axis's title pushes the plot right: the source line wraps shorter to stay on a phone
    src = [a for a in four.layout.annotations if a.name == "source"][0]
    assert four.layout.yaxis.title.text and charts.Y_TITLE_WRAP < charts.SOURCE_WRAP
    long = charts.trend(s, pts, "en", "t", "Source: " + "abcdefghi " * 20, lines)
    parts = [a for a in long.layout.annotations if a.name == "source"][0].text.split("<br>")
    assert len(parts) > 3 and all(len(p) <= charts.Y_TITLE_WRAP for p in parts) and src.text == "src"


def test_backlog_and_destruction_charts(app_env: Path) -> None:
    b = queries.backlog_latest("16.71", dt.date(2022, 3, 31))
    fig = charts.backlog_offices(b, "en", "t", "s")
    labels = fig.data[0].y
    assert any("Seberang Ulu II" in lab for lab in labels)
    assert any("Oldest card: 2020" in a.text for a in fig.layout.annotations)
    assert "UPT Dukcapil Seberang Ulu II (Kota Palembang)" in labels  # the area where the name lacks it
    jambi = queries.backlog_latest("15", dt.date(2024, 12, 31))
    fig = charts.backlog_offices(jambi, "en", "t", "s")
    assert "Disdukcapil Kabupaten Bungo" in fig.data[0].y and not any("(Kabupaten Bungo)" in y for y in fig.data[0].y)
    m = fig.layout.margin
    assert (fig.layout.height - m.t - m.b) / len(fig.data[0].y) >= 20  # room for every office's label
    assert "offices with the oldest" not in fig.layout.title.text  # all of Jambi's 11 drawn
    nation = queries.backlog_latest("00", dt.date(2024, 12, 31))
    fig = charts.backlog_offices(nation, "id", "t", "s")
    assert len(fig.data[0].y) == 20 and nation.height > 500
    assert f"20 dari {nation.height:,} kantor dengan kartu tertua".replace(",", ".") in fig.layout.title.text.replace(
        "<br>", " "
    )
    assert fig.layout.yaxis.automargin is True  # the names also fit a print (kaleido has no screen theme)
    d = queries.destruction("00")
    fig = charts.destruction_by_year(d, "id", "t", "s")
    assert {tr.name for tr in fig.data} == {"Kota Jambi", "Kota Probolinggo"}
    assert sum(sum(tr.y) for tr in fig.data) == 14120 + 13659
    # one year's bar stays inside its year (2018 and 2021 had drawn 2.4 years wide), and the axis
    # spans the years drawn
    assert all(tr.width is not None and 0 < tr.width <= 1 for tr in fig.data)
    assert tuple(fig.layout.xaxis.range) == (2017.5, 2021.5)


def test_quantile_classes_spread_a_single_band(jambi: pl.DataFrame) -> None:
    dk = [g for g in charts.classify(jambi, "unrecorded_share", "en") if g["codes"]]
    assert len(dk) == 1  # all 11 in 80–99.99%
    q = [g for g in charts.classify(jambi, "unrecorded_share", "en", scheme="quantile") if g["codes"]]
    assert len(q) == 4 and sum(len(g["codes"]) for g in q) == 11
    top = q[-1]
    assert "15.03" in top["codes"]
    # a percentage class, not a count; Sarolangun (14% unrecorded, published) tops the highest
    assert re.fullmatch(r"\d+\.\d–14\.0%", top["label"]), top["label"]


def test_backlog_office_without_ages_still_shows_its_total(app_env: Path) -> None:
    b = queries.backlog_latest("53", dt.date(2020, 1, 27))  # Kupang's article beside an office with ages
    fig = charts.backlog_offices(b.filter(pl.col("region_code").is_in(["53.71", "53.01"])), "en", "t", "s")
    unknown = [tr for tr in fig.data if tr.name == "Age not reported"]
    assert len(unknown) == 1
    assert 5000 in [v for v in unknown[0].x if v is not None]  # Kupang, 27 Jan 2020 (seed article 003)


def test_screen_figures_are_shared_per_input_and_exports_are_fresh(app_env: Path) -> None:
    """ui.FigureSpec: one build per distinct input for the screen, a new figure for each export."""
    from ektp import ui

    offices = queries.backlog_latest("53", dt.date(2020, 1, 27))
    spec = ui.FigureSpec(charts.backlog_offices, offices, "en", "t", "s")
    again = ui.FigureSpec(charts.backlog_offices, offices.clone(), "en", "t", "s")
    assert spec.shared() is again.shared()  # equal inputs (not the same objects): one figure
    changed = offices.head(1)
    other = ui.FigureSpec(charts.backlog_offices, changed, "en", "t", "s")
    assert other.shared() is not spec.shared()  # new data (e.g. a swapped DB): a new figure
    assert other.shared().to_dict() != spec.shared().to_dict()
    assert ui.FigureSpec(charts.backlog_offices, offices, "id", "t", "s").shared() is not spec.shared()  # a language
    assert spec.fresh() is not spec.fresh() and spec.fresh() is not spec.shared()
    assert spec.fresh().to_dict() == spec.shared().to_dict()


def test_a_long_source_line_is_wrapped_to_fit_and_kept_whole() -> None:
    words = [f"source{i}.example.id" for i in range(20)]
    line = "Source: " + "; ".join(words) + " · Target 98%"
    fig = charts.blanko_stock(
        pl.DataFrame({"as_of": [dt.date(2020, 1, 31)], "remaining": [5], "used": [1], "received": [6], "damaged": [0]}),
        "en",
        "t",
        line,
    )
    text = fig.layout.annotations[-1].text
    assert all(len(part) <= charts.SOURCE_WRAP for part in text.split("<br>"))
    assert len(text.split("<br>")) > 2
    assert text.replace("<br>", " ") == line


def test_a_source_url_longer_than_a_line_is_broken_at_a_slash_or_hyphen() -> None:
    url = "penajambi.co/capai-9623-persen-perekaman-ktp-elektronik-di-sarolangun-melebihi-target-nasional/"
    line = f"Source: synthetic. As of 31 December 2024. · Target 93.86% ({url})"
    text = charts._wrap(line, 80)
    parts = text.split("<br>")
    assert all(len(p) <= 80 for p in parts) and len(parts) == 3, parts
    assert parts[1].endswith("-") and f"({url})" in text.replace("<br>", "")  # whole when rejoined
    assert charts._wrap("x" * 170, 80).split("<br>") == ["x" * 80, "x" * 80, "x" * 10]  # no break point


def test_prints_rewrap_title_and_source_for_their_width() -> None:
    title = "Printed cards not collected, Kepulauan Bangka Belitung — Age of waiting cards"
    source = "Source: " + "; ".join(f"article{i}.example.id/berita/2019/04/02" for i in range(6))
    df = pl.DataFrame({"as_of": [dt.date(2020, 1, 31)], "remaining": [5], "used": [1], "received": [6], "damaged": [0]})
    screen = charts.blanko_stock(df, "en", title, source)
    assert screen.layout.title.text.count("<br>") >= 1  # wrapped for a phone
    printed = charts.for_print(go.Figure(screen))
    assert printed.layout.title.text == title and printed.layout.margin.t == screen.layout.margin.t - 22 * (
        screen.layout.title.text.count("<br>")
    )
    src = [a for a in printed.layout.annotations if a.name == "source"][0].text
    assert src.count("<br>") < screen.layout.annotations[-1].text.count("<br>") and all(
        len(x) <= 180 for x in src.split("<br>")
    )
    assert src.replace("<br>", " ") == source
    assert screen.layout.title.text != title  # the screen figure is left as it was


def test_the_half_width_funnel_wraps_its_title_and_source_shorter() -> None:
    title = "Funnel: eligible → recorded → print-ready → printed → collected — Kabupaten Tanjung Jabung Timur"
    source = "Source: synthetic/coverage_synthetic.parquet row 138852. As of 31 December 2024"
    fig = charts.funnel_chart(funnel(100, 90, 5, 80, 3), "en", title, source)
    assert all(len(x) <= 40 for x in fig.layout.title.text.split("<br>"))
    assert fig.layout.title.text.replace("<br>", " ") == title
    assert all(len(x) <= charts.FUNNEL_SOURCE_WRAP for x in fig.layout.annotations[-1].text.split("<br>"))
    assert fig.layout.margin.t > 60  # room for the second title line


def _target_rows() -> list[dict]:
    names = ["Daerah Khusus Ibukota Jakarta · recording rate (synthetic) · 31 December 2024", "Jambi · recording rate"]
    return [
        {"label": n, "status": s, "progress": p, "current_text": "1", "target_text": "2"}
        for n, s, p in zip(names, ["status_met", "status_missed"], [1.0, 0.4], strict=True)
    ]


def _below_plot_px(fig: go.Figure) -> tuple[float, float]:
    """Pixels from the plot's bottom edge to the legend's top and to the source line's top."""
    src = [a for a in fig.layout.annotations if a.name == "source"][0]
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    return -fig.layout.legend.y * plot_px, -src.y * plot_px


def test_horizontal_bars_are_labelled_over_the_bar_and_the_source_clears_a_wrapped_legend() -> None:
    """The targets' labels took half a desktop chart and were cut off on a phone; a legend that
    wrapped on a phone covered the source line; the legend covered the x axis's title."""
    rows = _target_rows()
    fig = charts.targets_progress(rows, "en", "Targets — Indonesia", "Source: " + "x " * 40)
    labels = [a for a in fig.layout.annotations if a.name == "bar_label"]
    assert [a.text.replace("<br>", " ") for a in labels] == [r["label"] for r in rows]
    assert [a.y for a in labels] == [r["label"] for r in rows]
    assert all(a.xref == "paper" and a.x == 0 and a.xanchor == "left" and a.yshift > 0 for a in labels)
    assert fig.layout.yaxis.showticklabels is False and fig.layout.margin.l == 10  # the plot spans the figure
    assert all(tr.width == charts.BAR_WIDTH for tr in fig.data)
    # a label longer than a 360 px phone's line takes two, and every row grows to hold them
    assert (
        labels[0].text.count("<br>") == 1 and labels[1].text == "Jambi · recording rate" and labels[0].align == "left"
    )
    assert all(len(part) <= charts.BAR_LABEL_WRAP for part in labels[0].text.split("<br>"))
    short = charts.targets_progress(
        [dict(rows[0], label="DKI Jakarta · recording rate"), *rows[1:]], "en", "Targets — Indonesia", "x"
    )
    assert fig.layout.height - short.layout.height == (charts.BAR_TWO_LINE_ROW_PX - charts.TARGETS_ROW_PX) * len(rows)
    legend_px, source_px = _below_plot_px(fig)
    assert legend_px >= charts.LEGEND_GAP_PX + charts.AXIS_TITLE_PX  # below "Progress (%)"
    assert source_px - legend_px == pytest.approx(charts.SOURCE_GAP_PX - charts.LEGEND_GAP_PX)  # one row
    # four age groups do not fit one row of a phone: the source line moves down by a row
    ages = pl.DataFrame(
        {
            "office": ["UPT A", "UPT B"],
            "region_name": ["Kota X", "Kota Y"],
            "awaiting_pickup": [10, 20],
            "age_0_3m": [1, 2],
            "age_3_6m": [3, 4],
            "age_6_12m": [5, 6],
            "age_12m_plus": [1, 8],
            "oldest_card_date": [None, None],
            "oldest_card_precision": [None, None],
        }
    )
    fig = charts.backlog_offices(ages, "en", "t", "s")
    assert charts._legend_rows(fig) == 2
    legend_px, source_px = _below_plot_px(fig)
    assert source_px - legend_px == pytest.approx(charts.SOURCE_GAP_PX - charts.LEGEND_GAP_PX + charts.LEGEND_ROW_PX)
    assert [a.text for a in fig.layout.annotations if a.name == "bar_label"] == ["UPT A (Kota X)", "UPT B (Kota Y)"]
    hostile = charts.backlog_offices(ages.with_columns(office=pl.lit("<b>UPT</b><script>x</script>")), "en", "t", "s")
    texts = [a.text for a in hostile.layout.annotations if a.name == "bar_label"]
    assert texts[0].startswith("&lt;b&gt;UPT&lt;/b&gt;&lt;script&gt;") and "<" not in texts[0].replace("<br>", "")
    # a time series keeps its tick labels and has no bar labels
    df = pl.DataFrame({"as_of": [dt.date(2020, 1, 31)], "remaining": [5], "used": [1], "received": [6], "damaged": [0]})
    ts = charts.blanko_stock(df, "en", "t", "s")
    assert not [a for a in ts.layout.annotations if a.name == "bar_label"] and ts.layout.yaxis.showticklabels is None


def test_blank_card_figures_from_articles_are_points_naming_their_source() -> None:
    df = pl.DataFrame(
        {"as_of": [dt.date(2020, 1, 31)], "remaining": [5000], "used": [10], "received": [0], "damaged": [0]}
    )
    published = pl.DataFrame(
        {
            "as_of": [dt.date(2019, 12, 16), dt.date(2020, 1, 27)],
            "remaining": [4000, None],  # a 'received' only article has no stock to draw
            "source": ["a.example.id/1", "b.example.id/2"],
        }
    )
    fig = charts.blanko_stock(df, "id", "t", "s", published)
    pts = [tr for tr in fig.data if isinstance(tr, go.Scatter) and tr.mode == "markers"]
    assert len(pts) == 1 and list(pts[0].y) == [4000] and pts[0].name == "📰 angka bersumber"
    assert [list(c) for c in pts[0].customdata] == [["4.000", "a.example.id/1"]]
    assert "%{customdata[1]}" in pts[0].hovertemplate
    assert [tr.mode for tr in charts.blanko_stock(df, "id", "t", "s").data if isinstance(tr, go.Scatter)] == ["lines"]


@pytest.mark.parametrize("n", [1, 3, 5, 43])
def test_each_target_row_has_room_for_its_label_over_its_bar(n: int) -> None:
    """At 30 px a row and a 360 px floor, five targets had ~22 px each: labels ran into bars."""
    rows = [
        {
            "label": f"Area {i} · recording rate",
            "progress": 0.5,
            "status": "status_met",
            "current_text": "x",
            "target_text": "y",
        }
        for i in range(n)
    ]
    fig = charts.targets_progress(rows, "en", "Targets — Jambi", "Source: a; b; c")
    m = fig.layout.margin
    assert (fig.layout.height - m.t - m.b) / n >= 30


def test_a_legend_counts_the_rows_plotly_draws_on_a_phone() -> None:
    """Plotly lays a wrapped legend out in columns as wide as its widest entry: the blank-card
    chart's three entries took three rows at 390 px, and its source line sat under the legend."""
    df = pl.DataFrame({"as_of": [dt.date(2020, 1, 31)], "remaining": [5], "used": [1], "received": [6], "damaged": [0]})
    pts = pl.DataFrame({"as_of": [dt.date(2019, 12, 16)], "remaining": [4000], "source": ["a.example.id"]})
    fig = charts.blanko_stock(df, "id", "t", "s", pts)
    assert [tr.name for tr in fig.data] == ["Blangko tersedia", "Terpakai", "📰 angka bersumber"]
    assert charts._legend_rows(fig) == 3
    assert charts._legend_rows(charts.blanko_stock(df, "id", "t", "s")) == 1  # two short entries fit one row
    legend_px, source_px = _below_plot_px(fig)
    assert source_px - legend_px == pytest.approx(
        charts.SOURCE_GAP_PX - charts.LEGEND_GAP_PX + 2 * charts.LEGEND_ROW_PX
    )


def test_indonesian_charts_write_numbers_and_months_the_indonesian_way() -> None:
    """Indonesian charts showed "1.5M" and "15,768": English separators, and an SI "M" that an
    Indonesian reads as miliar (billion). Their numeric axes are written out with Indonesian
    separators; years stay "2018"; the page passes plotly.js an Indonesian locale for months."""
    from ektp import ui

    df = pl.DataFrame(
        {"as_of": [dt.date(2024, 1, 31), dt.date(2024, 2, 29)], "awaiting_pickup": [1_950_567, 1_500_000],
         "collected": [957_973, 949_433]}
    )  # fmt: skip
    idf, enf = charts.backlog_trend(df, "id", "t", "s"), charts.backlog_trend(df, "en", "t", "s")
    assert idf.layout.separators == ",." and enf.layout.separators == ".,"
    assert idf.layout.yaxis.tickformat == charts.ID_TICKFORMAT and enf.layout.yaxis.tickformat is None
    assert idf.layout.xaxis.tickformat is None  # dates: the locale names the months
    # the source line wraps shorter, after ticks as wide as "2.000.000"
    width = lambda f: max(len(x) for x in f.layout.annotations[-1].text.split("<br>"))  # noqa: E731
    long_source = "Sumber: " + "kata " * 30
    assert width(charts.backlog_trend(df, "id", "t", long_source)) < width(
        charts.backlog_trend(df, "en", "t", long_source)
    )
    d = pl.DataFrame(
        {"year": [2018, 2021], "destroyed": [13659, 14120], "region_name": ["Kota Probolinggo", "Kota Jambi"],
         "event_date": [dt.date(2018, 12, 28), dt.date(2021, 7, 5)], "method": ["dibakar", None], "source": ["a", "b"]}
    )  # fmt: skip
    dest = charts.destruction_by_year(d, "id", "t", "s")
    assert dest.layout.xaxis.tickformat == "d" and dest.layout.yaxis.tickformat == charts.ID_TICKFORMAT
    cfg = ui.plotly_config("id")
    assert cfg["locale"] == "id" and cfg["locales"]["id"]["format"]["shortMonths"][4] == "Mei"
    assert "locale" not in ui.plotly_config("en") and cfg["topojsonURL"] == ui.PLOTLY_CONFIG["topojsonURL"]


def test_each_areas_published_points_wear_its_lines_colour(app_env: Path) -> None:
    """Finding 10: the trend drew identical black markers for both areas' published figures;
    in a print they could not be told apart. Each area's points are in its line's colour, named
    after it in the legend."""
    s = queries.series(["15", "15.03"])
    pts = queries.sourced_points(["15", "15.03"])
    fig = charts.trend(s, pts, "en", "t", "src")
    lines = {tr.legendgroup: tr.line.color for tr in fig.data if tr.mode == "lines"}
    markers = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(lines) == 2 and len(set(lines.values())) == 2
    assert len(markers) == 2 and all(tr.marker.color == lines[tr.legendgroup] for tr in markers)
    assert {tr.name for tr in markers} == {"Jambi · 📰 sourced figure", "Kabupaten Sarolangun · 📰 sourced figure"}
    # finding 8: hovers write dates as the page does, not "2019-03-31"
    assert not [tr for tr in fig.data if "%Y-%m-%d" in (tr.hovertemplate or "")]
