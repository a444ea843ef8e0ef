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

from ektp import charts, fmt, geo, queries
from ektp.metrics import funnel

D = dt.date(2019, 3, 31)


@pytest.fixture()
def jambi(app_env: Path) -> pl.DataFrame:
    return queries.map_values("regency", "15", D)


def codes_of(view: str) -> dict[int, str]:
    return {i: c for c, i in geo.feature_ids(view).items()}


def values_by_code(fig, view: str) -> dict[str, float]:  # noqa: ANN001
    code = codes_of(view)
    out = {}
    for tr in fig.data:
        if tr.type == "choropleth" and tr.hoverinfo != "skip":
            for loc, z in zip(tr.locations, tr.z, strict=True):
                out[code[int(loc)]] = z
    return out


def test_jambi_regency_map(jambi: pl.DataFrame) -> None:
    view = geo.view_name("regency", "15")
    gj = geo.geojson(view)
    assert len(gj["features"]) == 11
    # features numbered 0..n-1 in code order, the code and name in properties
    assert [f["id"] for f in gj["features"]] == list(range(11))
    codes = [f["properties"]["c"] for f in gj["features"]]
    assert codes == sorted(codes) and "15.03" in codes
    assert {f["properties"]["n"] for f in gj["features"]} >= {"Kabupaten Sarolangun"}
    fig = charts.choropleth(jambi, gj, "unrecorded_share", "id", "judul", "Sumber: x", target=0.98)
    vals = values_by_code(fig, view)
    assert len(vals) == 11 and set(vals) == set(codes)
    assert round(vals["15.03"], 1) == 14.0
    # legend: Dukcapil bands with unit counts, and the below-target outline trace
    names = [tr.name for tr in fig.data]
    assert any(n.startswith("terekam 80–99,99% · ") for n in names)  # a band of the recording rate
    outline = [tr for tr in fig.data if tr.hoverinfo == "skip"]
    assert len(outline) == 1 and geo.feature_ids(view)["15.03"] in outline[0].locations
    assert outline[0].marker.line.width == 2
    # no basemap: draws offline
    assert fig.layout.geo.visible is False
    # framed to the file's bbox (Jambi: ~101–105°E, ~3°S–0.7°S), not padded by fitbounds
    x0, y0, x1, y1 = gj["bbox"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in gj["features"]]
    assert (x0, y0, x1, y1) == pytest.approx(shapely.total_bounds(shapes), abs=1e-4)
    assert 101 < x0 < x1 < 105 and -3 < y0 < y1 < 0
    lon, lat = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert lon[0] < x0 < x1 < lon[1] and lon[1] - lon[0] < (x1 - x0) * 1.05 and lat[0] < y0 < y1 < lat[1]
    assert fig.layout.geo.fitbounds is False or fig.layout.geo.fitbounds is None
    assert charts.choropleth(jambi, {**gj, "bbox": None}, "recording_rate", "en", "t", "s").layout.geo.fitbounds == (
        "locations"
    )
    # title and source inside the figure
    assert fig.layout.title.text == "judul"
    assert any("Sumber: x" in a.text for a in fig.layout.annotations)


def test_hover_carries_name_code_value_as_of_source(jambi: pl.DataFrame) -> None:
    view = geo.view_name("regency", "15")
    fig = charts.choropleth(geo.with_feature_ids(jambi, view), geo.static_url(view), "recording_rate", "en", "t", "s")
    sarolangun = geo.feature_ids(view)["15.03"]
    found = 0
    for tr in fig.data:
        if tr.hoverinfo == "skip" or sarolangun not in list(tr.locations):
            continue
        i = list(tr.locations).index(sarolangun)
        found += 1
        # name and code from the static file's properties, value from z
        assert tr.hovertemplate.startswith("<b>%{properties.n}</b> (%{properties.c})")
        assert round(float(tr.z[i]), 1) == 86.0 and "%{z:,.1f}%" in tr.hovertemplate or tr.customdata[i][0] == "86.0%"
        text = tr.hovertemplate + " ".join(map(str, tr.customdata[i]))
        assert "31 March 2019" in text and "radarjambi" in text
    assert found == 1
    assert fig.data[0].geojson == geo.static_url(view)
    assert fig.layout.separators == ".,"


def test_hover_sends_constant_fields_once_and_numbers_typed() -> None:
    """A class whose units share date and source: those go into the template, numbers as
    float32 typed arrays (base64 in the JSON), so a rerun carries ids and three numbers a unit."""
    import json

    rows = pl.DataFrame(
        {
            "code": ["15.01", "15.02"],
            "name": ["Kerinci", "Merangin"],
            "recording_rate": [0.91, 0.93],
            "eligible": [180000, 280000],
            "recorded": [163800, 260400],
            "as_of": [dt.date(2024, 12, 31)] * 2,
            "is_synthetic": [True, True],
            "source": ["synthetic fill", "synthetic fill"],
            "fid": [4, 7],
        }
    )
    fig = charts.choropleth(rows, "x.json", "recording_rate", "id", "t", "s")
    tr = next(tr for tr in fig.data if len(tr.locations) == 2)
    assert "31 Desember 2024" in tr.hovertemplate and "%{customdata[0]:,.0f}" in tr.hovertemplate
    assert tr.customdata.dtype.name == "float32" and tr.customdata[1][0] == 280000
    assert fig.layout.separators == ",."
    spec = json.loads(fig.to_json())["data"][0]
    assert "bdata" in spec["customdata"] and "bdata" in spec["z"]
    assert "Merangin" not in fig.to_json()  # names come from the geometry file, sent once
    # units are located by feature number, a typed array too (no code strings per rerun)
    assert tr.locations.dtype.name == "uint8" and list(tr.locations) == [4, 7]
    assert "bdata" in spec["locations"] and "15.02" not in fig.to_json()
    # a URL map without feature numbers cannot be drawn right: it says so
    with pytest.raises(ValueError, match="fid"):
        charts.choropleth(rows.drop("fid"), "x.json", "recording_rate", "id", "t", "s")


def test_a_map_of_many_units_says_their_sources_once() -> None:
    """Units loaded from an office file each name their own row ("x.csv row 12"). Above
    SHARED_SOURCE_UNITS the hover names the file once instead of each row (the ranking lists
    rows): one file's 7,285 districts were 680 KB a rerun. Two files: "several"; a small map
    keeps each unit's own row; roll-ups are said by kind in the reader's language."""
    import json

    def frame(n: int, sources: list[str]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "code": [f"15.01.{i:04d}" for i in range(n)],
                "name": [f"D{i}" for i in range(n)],
                "recording_rate": [0.91] * n,
                "eligible": [1000 + i for i in range(n)],
                "recorded": [910 + i for i in range(n)],
                "as_of": [dt.date(2024, 12, 31)] * n,
                "is_synthetic": [False] * n,
                "source": sources,
                "fid": list(range(n)),
            }
        )

    n = charts.SHARED_SOURCE_UNITS + 50
    one_file = charts.choropleth(
        frame(n, [f"kec.csv row {i + 2}" for i in range(n)]), "x.json", "recording_rate", "en", "t", "s"
    )
    (tr,) = one_file.data
    assert tr.hovertemplate.endswith("Source: kec.csv<extra></extra>") and "row" not in tr.hovertemplate
    assert tr.customdata.dtype.name == "float32"  # the counts, typed: no text per unit
    assert "kec.csv row" not in one_file.to_json() and len(one_file.to_json()) < 40 * n
    two = frame(n, [f"{'a' if i % 2 else 'b'}.csv row {i}" for i in range(n)])
    (tr,) = charts.choropleth(two, "x.json", "recording_rate", "id", "t", "s").data
    assert "Sumber: beragam (sumber tiap wilayah di peringkat)" in tr.hovertemplate
    rolled = frame(n, [f"sum of {i % 7 + 2} village rows" for i in range(n)])
    (tr,) = charts.choropleth(rolled, "x.json", "recording_rate", "id", "t", "s").data
    assert "Sumber: jumlah baris desa/kelurahan" in tr.hovertemplate, tr.hovertemplate
    assert fmt.source("sum of 12 village rows", "id") == "jumlah 12 baris desa/kelurahan"  # was "level_village"
    # the figure's source line names the file once, not three of its rows
    assert fmt.sources_line([f"kec.csv row {i}" for i in range(2, 900)], "en") == "kec.csv"
    mixed = ["a.csv row 2", "sum of 3 district rows", "sum of 9 district rows", "https://x.id/a", "b.csv row 7"]
    assert fmt.sources_line(mixed, "en") == "a.csv; sums of district rows; https://x.id/a …"
    small = charts.choropleth(
        frame(11, [f"kec.csv row {i + 2}" for i in range(11)]), "x.json", "recording_rate", "en", "t", "s"
    )
    assert "kec.csv row 12" in json.dumps(small.data[0].customdata)


def test_big_map_sends_two_bytes_of_value_a_unit() -> None:
    """Above COMPACT_UNITS a rate goes as whole percent (z) and tenths (customdata), one byte
    each, and the hover drops the counts; the numbers still read back exactly."""
    n = charts.COMPACT_UNITS + 500
    rates = [0.5 + (i % 500) / 1000 + 0.0004 for i in range(n)]  # 50.04% … 99.94%
    rows = pl.DataFrame(
        {
            "code": [f"{i:06d}" for i in range(n)],
            "name": ["x"] * n,
            "recording_rate": rates,
            "eligible": [1000] * n,
            "recorded": [round(r * 1000) for r in rates],
            "as_of": [dt.date(2024, 12, 31)] * n,
            "is_synthetic": [True] * n,
            "source": ["s"] * n,
            "fid": list(range(n)),
        }
    )
    fig = charts.choropleth(rows, "x.json", "recording_rate", "en", "t", "s")
    seen = {}
    for tr in fig.data:
        assert tr.locations.dtype.name == "int16" and tr.z.dtype.name == "uint8"
        assert tr.customdata.dtype.name == "uint8" and "%{z:,}.%{customdata}%" in tr.hovertemplate
        assert "customdata[" not in tr.hovertemplate  # no counts in a big map's hover
        for loc, whole, tenth in zip(tr.locations, tr.z, tr.customdata, strict=True):
            seen[int(loc)] = int(whole) * 10 + int(tenth)
    assert seen == {i: round(r * 1000) for i, r in enumerate(rates)}
    # Indonesian decimal comma in the template
    fig_id = charts.choropleth(rows, "x.json", "recording_rate", "id", "t", "s")
    assert "%{z:,},%{customdata}%" in fig_id.data[0].hovertemplate


def test_feature_numbers_round_trip(app_env: Path) -> None:
    view = geo.view_name("district", "15.03")
    ids = geo.feature_ids(view)
    assert sorted(ids.values()) == list(range(len(ids)))
    df = geo.with_feature_ids(pl.DataFrame({"code": [next(iter(ids)), "99.99.99"]}), view)
    assert df["fid"].to_list() == [ids[next(iter(ids))], None]  # no shape: no number


def test_count_metric_uses_quantile_classes(jambi: pl.DataFrame) -> None:
    view = geo.view_name("regency", "15")
    fig = charts.choropleth(geo.with_feature_ids(jambi, view), "x.json", "unrecorded", "en", "t", "s")
    classes = [tr for tr in fig.data if tr.showlegend]  # the outline of units below target is no class
    assert sum(len(tr.locations) for tr in classes) == 11
    assert all("·" in tr.name for tr in classes)


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
    view = geo.view_name("regency", "15")
    jambi = geo.with_feature_ids(jambi, view)
    dk = charts.choropleth(jambi, "x.json", "unrecorded_share", "en", "t", "s")
    assert len([tr for tr in dk.data if tr.hoverinfo != "skip"]) == 1  # all 11 in 80–99.99%
    q = charts.choropleth(jambi, "x.json", "unrecorded_share", "en", "t", "s", scheme="quantile")
    traces = [tr for tr in q.data if tr.hoverinfo != "skip"]
    assert len(traces) == 4 and sum(len(tr.locations) for tr in traces) == 11
    top = traces[-1]
    assert geo.feature_ids(view)["15.03"] in top.locations
    # a percentage class, not a count; Sarolangun (14% unrecorded, published) tops the highest
    assert re.fullmatch(r"\d+\.\d\d–14\.00% · \d units", top.name), top.name


def test_backlog_office_without_ages_still_shows_its_total(app_env: Path) -> None:
    b = queries.backlog_latest("53", dt.date(2020, 1, 27))  # Kupang's article beside an office with ages
    fig = charts.backlog_offices(b.filter(pl.col("region_code").is_in(["53.71", "53.01"])), "en", "t", "s")
    unknown = [tr for tr in fig.data if tr.name == "Age not reported"]
    assert len(unknown) == 1
    assert 5000 in [v for v in unknown[0].x if v is not None]  # Kupang, 27 Jan 2020 (seed article 003)


def test_screen_figures_are_shared_per_input_and_exports_are_fresh(jambi: pl.DataFrame) -> None:
    """ui.FigureSpec: one build per distinct input for the screen, a new figure for each export."""
    jambi = geo.with_feature_ids(jambi, geo.view_name("regency", "15"))
    from ektp import ui

    spec = ui.FigureSpec(charts.choropleth, jambi, "app/static/x.json", "recording_rate", "en", "t", "s", 0.98)
    again = ui.FigureSpec(charts.choropleth, jambi.clone(), "app/static/x.json", "recording_rate", "en", "t", "s", 0.98)
    assert spec.shared() is again.shared()  # equal inputs (not the same objects): one figure
    changed = jambi.with_columns(pl.col("recording_rate") * 0.5)
    other = ui.FigureSpec(charts.choropleth, changed, "app/static/x.json", "recording_rate", "en", "t", "s", 0.98)
    assert other.shared() is not spec.shared()  # new data (e.g. a swapped DB): a new figure
    view = geo.view_name("regency", "15")
    assert values_by_code(other.shared(), view) != values_by_code(spec.shared(), view)
    assert spec.fresh() is not spec.fresh() and spec.fresh() is not spec.shared()
    assert spec.fresh().to_dict() == spec.shared().to_dict()
    # national-district-sized inputs go to a small cache of their own (each holds ~3 MB)
    big_df = pl.concat([jambi] * 100)
    big = ui.FigureSpec(charts.choropleth, big_df, "app/static/x.json", "recording_rate", "en", "t", "s", 0.98)
    fig = big.shared()
    assert fig is ui._shared_big_figure(
        charts.choropleth.__module__, "choropleth", big.cache_key(), big.args, big.kwargs
    )
    assert spec.shared() is ui._shared_figure(
        charts.choropleth.__module__, "choropleth", spec.cache_key(), spec.args, spec.kwargs
    )


def test_a_keyed_figure_is_cached_by_its_data_key_and_its_other_inputs(app_env: Path) -> None:
    """FigureSpec(data_key=MapView.key): the frames are not hashed; the key and every other input are."""
    from ektp import ui

    view = geo.view_name("regency", "15")
    mv = queries.map_view("regency", "15", dt.date(2019, 3, 31), view)
    assert mv is queries.map_view("regency", "15", dt.date(2019, 3, 31), view)  # shared, not copied
    assert mv.located["fid"].null_count() == 0 and "fid" not in mv.df.columns
    assert mv.names["15.03"] == "Kabupaten Sarolangun" and mv.codes[0] == "15.01"

    def spec(mv: queries.MapView, metric: str = "recording_rate", **kw: object) -> ui.FigureSpec:
        return ui.FigureSpec(
            charts.choropleth, mv.located, "app/static/x.json", metric, "en", "t", "s", 0.98, data_key=mv.key, **kw
        )

    fig = spec(mv).shared()
    assert spec(mv).shared() is fig
    assert spec(mv, "unrecorded").shared() is not fig  # another metric
    assert spec(mv, scheme="quantile").shared() is not fig  # another keyword
    other = queries.map_view("regency", "15", dt.date(2018, 6, 30), view)
    assert other.key != mv.key and spec(other).shared() is not fig  # another date: other data
    assert spec(mv).fresh().to_dict() == fig.to_dict()


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


def test_a_map_is_as_tall_as_its_area_is_tall(app_env: Path) -> None:
    """Indonesia is 2.7 times wider than tall: a fixed height left it in a band of white. The map
    is the page's hero: even Indonesia's plot is at least MAP_PLOT_MIN_PX (~60% of a desktop
    viewport with its title and legend), a tall regency gets more, up to MAP_PLOT_MAX_PX."""
    nation, sarolangun = geo.bounds("province"), geo.bounds("district_15.03")
    short, tall = charts.map_height(nation), charts.map_height(sarolangun)
    assert 60 + charts.MAP_PLOT_MIN_PX + charts.MAP_BOTTOM_PX <= short < tall
    assert tall <= 60 + charts.MAP_PLOT_MAX_PX + charts.MAP_BOTTOM_PX and short >= 0.6 * 900
    assert charts.map_height(nation, "x " * 40) == short + 22  # a wrapped title gets its line
    df = geo.with_feature_ids(queries.map_values("province", "00", dt.date(2024, 12, 31)), "province")
    fig = charts.choropleth(df, geo.static_url("province"), "recording_rate", "en", "t", "s", bounds=nation)
    assert fig.layout.height == short
    m = fig.layout.margin
    source = fig.layout.annotations[0]
    assert source.yanchor == "bottom" and source.y * (fig.layout.height - m.t - m.b) == pytest.approx(-(m.b - 6))
    # a legend that wraps on a phone does not make a map taller: its bottom keeps three rows
    counts = charts.choropleth(df, geo.static_url("province"), "unrecorded", "en", "t", "s", 0.9, bounds=nation)
    assert charts._legend_rows(counts) > 1 and counts.layout.height == short
    assert counts.layout.margin.b == charts.MAP_BOTTOM_PX


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
