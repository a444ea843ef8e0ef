"""AppTest: app.py and every page, default and permalink parameters, bad ones, public mode."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ektp.data.db import open_read_only
from tests.conftest import ROOT, map_payloads, map_ranking, shown, small_tables, table_cells

PAGES = [None] + sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
BAD = {
    "area": "15'; DROP TABLE coverage; --",
    "date": "1999-01-01",
    "metric": "<script>",
    "lang": "xx",
    "level": "x" * 500,
    "regions": "00,ZZ",
}


def run(page: str | None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if page:
        at.switch_page(page)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_by_default(app_env: Path, operator_file: Path, page: str | None) -> None:
    at = run(page)  # an operator is configured: the Load page asks for a sign-in, no warning
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value
    assert not at.warning  # no invalid-parameter notice on a clean link


#: Pages with an area in their URL (the Load page has none: it writes, and only on the internal instance).
VIEW_PAGES = [p for p in PAGES if not (p and p.endswith("_Muat_data.py"))]


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_bad_permalink_params_fall_back_with_notice(app_env: Path, page: str | None) -> None:
    at = run(page, BAD)
    assert not at.exception, [e.value for e in at.exception]
    notice = " ".join(w.value for w in at.warning)
    assert "area" in notice and ("tidak valid" in notice or "invalid" in notice)
    assert at.query_params["area"] == "00"


def test_map_permalink_restores_view_and_sarolangun_reads_14(app_env: Path) -> None:
    at = run(
        "pages/1_Peta_cakupan.py",
        {"area": "15", "level": "regency", "metric": "unrecorded_share", "date": "2019-03-31", "lang": "en"},
    )
    assert not at.exception
    assert at.selectbox(key="w_area").value == "15"
    assert at.radio(key="w_level").value == "regency"
    assert at.selectbox(key="w_metric").value == "unrecorded_share"
    assert str(at.selectbox(key="w_date").value) == "2019-03-31"
    table = map_ranking(at)
    row = table[table["Code"] == "15.03"].iloc[0]
    assert row["Unrecorded share"] == "14.0%"
    assert row["Name"] == "Kabupaten Sarolangun"
    assert len(table) == 11
    assert at.title[0].value == "Coverage map"


def page_text(at: AppTest) -> str:
    """Everything a page says in words (markdown, captions, notices), as the reader sees it."""
    parts = [m.value for kind in ("markdown", "caption", "info", "warning") for m in at.get(kind)]
    return "\n".join(shown(p) for p in parts)


def test_each_unit_is_judged_against_its_own_target_never_its_parents(app_env: Path) -> None:
    """Issue 31 finding 3: the national map judged every province against the national 93.86%
    (quoted by a Jambi article) while the Targets page gave each province its own 98%. A unit is
    judged against its own target (queries.UNIT_TARGET_CTE) or not at all."""
    import datetime as dt

    from ektp.data import queries

    # Batang Hari's districts have no target of their own (Jambi's 98% is the province's)
    at = run("pages/1_Peta_cakupan.py", {"area": "15.04", "level": "district", "lang": "en", "date": "2019-03-31"})
    assert not at.exception
    assert not [m.value for m in at.markdown if "below" in m.value.lower() and "target" in m.value.lower()]
    # Jambi's regencies: only Sarolangun has one (98%, radarjambi); it alone is judged
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "lang": "en", "date": "2019-03-31"})
    line = next(m.value for m in at.markdown if "Below its own target" in m.value)
    assert ": 1 of 1 — lowest: Kabupaten Sarolangun (86.0%)" in line, line
    said = page_text(at)
    assert "1 of 1 regencies/cities is below target (10 without a target of their own)." in said
    from ektp.analysis import summary

    vt = queries.view_target("regency", "15")
    _, line = summary.map_source_line((), (), dt.date(2019, 3, 31), vt, "en")
    assert line.endswith("· Own targets: 1 of 11 units (radarjambi.co.id (31 Mar 2019))"), line
    from tests.conftest import map_payloads

    assert map_payloads(at)[0]["source"].endswith(line.split(" · ", 1)[1])  # the map's own source line
    # the provinces: each its own 98%, never the nation's 93.86%
    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "province", "lang": "en"})
    said = page_text(at)
    assert "Below target (98%)" in said and "93.86" not in said, said


def test_below_target_line_counts_the_units_and_names_the_lowest(app_env: Path) -> None:
    """'Below target (98%): N of M — lowest: A (x%), B (y%), C (z%) … and K more': a count and
    the lowest three; the count is each province against its own target, counted here in SQL."""
    import datetime as dt

    import polars as pl

    from ektp.data import queries

    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "province", "lang": "en"})
    line = next(m.value for m in at.markdown if "Below target" in m.value)
    head, rest = line.split(" — lowest: ", 1)
    listed, more = rest.rsplit(" … and ", 1)
    rates = [float(x.rsplit("(", 1)[1].rstrip("%)")) for x in listed.split("), ")]
    assert len(rates) == 3 and rates == sorted(rates)  # the lowest first
    as_of = dt.date.fromisoformat(str(at.selectbox(key="w_date").value))
    con = open_read_only(app_env)
    own = dict(
        con.execute(
            "SELECT region_code, arg_min(target_value, (is_synthetic, -epoch(start_date))) FROM targets "
            "WHERE metric = 'recording_rate' AND length(region_code) = 2 AND region_code <> '00' GROUP BY 1"
        ).fetchall()
    )
    con.close()
    rates_all = queries.map_values("province", "00", as_of).filter(pl.col("recording_rate").is_not_null())
    n_below = sum(
        1 for c, r in zip(rates_all["code"], rates_all["recording_rate"], strict=True) if c in own and r < own[c]
    )
    judged = sum(1 for c in rates_all["code"] if c in own)
    assert head.endswith(f": {n_below:,} of {judged:,}")
    assert int(more.split(" ")[0].replace(",", "")) == n_below - 3


def test_map_unit_detail_is_a_fragment_that_follows_the_pick(app_env: Path) -> None:
    """The unit detail is a fragment: it follows the pick and leaves the map (with its ranking)
    as it was. (The ranking's search runs in the browser: tests/browser/test_browser.py.)"""
    at = run(
        "pages/1_Peta_cakupan.py",
        {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en", "funnel": "on"},
    )
    assert not at.exception
    assert map_ranking(at)["Code"].tolist()[0] == "15.03"  # the lowest first
    for code, name in (("15.01", "Kabupaten Kerinci"), ("15.02", "Kabupaten Merangin")):
        at.selectbox(key="w_unit").set_value(code).run()
        assert not at.exception
        assert at.query_params["unit"] == code  # the pick is in the link, as every widget is
        specs = [c.proto.spec for c in at.get("plotly_chart")]  # the map is no Plotly chart
        assert len(specs) == 1 and name in specs[0] and '"type":"funnel"' in specs[0].replace(" ", "")
    assert len(map_ranking(at)) == 11  # the map element kept its ranking


def test_url_changed_in_the_same_session_wins(app_env: Path) -> None:
    """Back/forward in the browser reruns the session with the older URL: the view follows it."""
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en"})
    assert len(map_ranking(at)) == 11  # the regencies of Jambi
    at.query_params["area"] = "00"
    at.query_params["level"] = "province"
    at.query_params["lang"] = "id"
    at.run()
    assert not at.exception
    assert at.selectbox(key="w_area").value == "00" and at.radio(key="w_level").value == "province"
    assert at.radio(key="w_lang").value == "id" and at.title[0].value == "Peta cakupan"
    assert len(map_ranking(at)) == 38  # the provinces
    at.radio(key="w_level").set_value("regency").run()  # and a widget change still wins over the old URL
    assert at.query_params["level"] == "regency" and len(map_ranking(at)) == 514


def test_national_district_ranking_is_capped_and_search_reaches_every_unit(app_env: Path) -> None:
    """The element lists the first 1,000 of 7,285 districts and says so; its search (in the
    browser) reaches every district, as each one's row is in the element's data."""
    from tests.conftest import map_payloads

    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "district", "lang": "en"})
    assert not at.exception
    listed = next(p for p in map_payloads(at) if p.get("ranking"))
    con = open_read_only(app_env)
    (districts,) = con.execute("SELECT COUNT(*) FROM regions WHERE level = 'district'").fetchall()[0]
    con.close()
    assert listed["ranking"]["max"] == 1000 and "first 1,000 of 7,285" in listed["ranking"]["capped"]
    assert len(map_ranking(at)) == districts == 7285


def test_national_district_detail_picks_a_province_then_one_of_its_districts(app_env: Path) -> None:
    """7,285 district labels were 170 KB of every rerun: the detail groups them by province."""
    at = run(
        "pages/1_Peta_cakupan.py", {"area": "00", "level": "district", "lang": "en", "unit": "15.03.01", "funnel": "on"}
    )
    assert not at.exception and not at.warning
    assert at.selectbox(key="w_unit_province").value == "15"  # from the linked unit
    unit = at.selectbox(key="w_unit")
    assert unit.value == "15.03.01" and len(unit.options) < 200 and all(o.endswith(")") for o in unit.options)
    funnel = at.get("plotly_chart")[0].proto.spec
    assert "Batang Asai" in funnel  # Sarolangun's district 15.03.01
    at.selectbox(key="w_unit_province").set_value("53").run()
    assert not at.exception
    assert at.selectbox(key="w_unit").value.startswith("53.") and at.query_params["unit"].startswith("53.")
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "lang": "en"})
    assert not [s for s in at.selectbox if s.key == "w_unit_province"]  # 11 units: one picker


def test_language_switch_translates(app_env: Path) -> None:
    at = run(None, {"lang": "en", "area": "15"})
    labels_en = [m.label for m in at.metric]
    assert "Recording rate" in labels_en
    at.radio(key="w_lang").set_value("id").run()
    labels_id = [m.label for m in at.metric]
    assert "Persentase rekam" in labels_id
    values = [m.value for m in at.metric]
    assert any("%" in v and "," in v for v in values)  # 14,0% style
    assert at.query_params["lang"] == "id"


def test_drill_down_by_picker_updates_the_link(app_env: Path) -> None:
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31"})
    at.selectbox(key="drill_pick").set_value("15.03").run()
    at.button(key="drill_go").click().run()
    assert not at.exception
    assert at.query_params["area"] == "15.03" and at.query_params["level"] == "district"
    con = open_read_only(app_env)
    n = con.execute("SELECT COUNT(*) FROM regions WHERE parent_code = '15.03'").fetchall()[0][0]
    con.close()
    assert n > 5 and len(map_ranking(at)) == n  # the districts of Sarolangun


def test_internal_mode_shows_load_history_public_mode_does_not(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = "pages/6_Data_dan_metode.py"
    at = run(page, {"lang": "en"})
    assert "Load history" in [s.value for s in at.header]
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = run(page, {"lang": "en"})
    subs = [s.value for s in at.header]
    assert "Load history" not in subs and "Rejected rows" not in subs
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert str(app_env) not in text and "/tmp/" not in text


def test_data_page_writes_counts_and_dates_the_readers_way(app_env: Path) -> None:
    """The Indonesian Data page said "coverage · 655,138 rows" and listed each source as
    "(2; 2013-11-15 – 2013-11-15)": an English word, English separators, a bare count."""
    page = "pages/6_Data_dan_metode.py"
    at = run(page, {"lang": "id", "area": "15"})
    assert not at.exception
    labels = [e.label for e in at.expander]
    con = open_read_only(app_env)
    n = con.execute(
        "SELECT COUNT(*) FROM v_coverage WHERE province_code = '15' AND as_of >= DATE '2013-01-01'"
    ).fetchall()
    con.close()
    want = f"coverage · {n[0][0]:,} baris".replace(",", ".")
    assert want in labels and not any("rows" in lab for lab in labels), labels
    lines = [m.value for m in at.markdown if m.value.startswith("- ")]
    sar = next(line for line in lines if "jambi.tribunnews.com" in line)  # Sarolangun, 16 Dec 2018: two rows
    assert sar.endswith("coverage, blanko_stock (2 baris; 16 Desember 2018)"), sar
    assert not any(re.search(r"\d{4}-\d\d-\d\d", line.split(" — ")[-1]) for line in lines), lines
    at = run(page, {"lang": "en", "area": "15"})
    assert any(lab.startswith("coverage · ") and lab.endswith(" rows") for lab in (e.label for e in at.expander))
    assert any("(1 row; " in m.value for m in at.markdown), "one row is a row"


def test_missing_db_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EKTP_DB", str(tmp_path / "none.duckdb"))
    at = run("pages/1_Peta_cakupan.py")
    assert not at.exception
    assert "make run" in at.error[0].value


def test_db_from_another_version_says_how_to_upgrade(monkeypatch: pytest.MonkeyPatch, empty_db: Path) -> None:
    con = duckdb.connect(str(empty_db))
    con.execute("UPDATE schema_info SET fingerprint = 'older'")
    con.close()
    monkeypatch.setenv("EKTP_DB", str(empty_db))
    at = run("pages/1_Peta_cakupan.py")
    assert not at.exception
    assert "make data" in at.error[0].value and "versi lain" in at.error[0].value


def test_app_connection_is_read_only(app_env: Path) -> None:
    from ektp.data import db

    con = db.connection()
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM coverage")
    with pytest.raises(duckdb.Error):
        con.execute("INSTALL spatial")


def test_public_mode_errors_are_friendly_not_tracebacks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a duckdb file" * 100)
    monkeypatch.setenv("EKTP_DB", str(broken))
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = run("pages/1_Peta_cakupan.py", {"lang": "en"})
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Something went wrong" in text
    assert str(broken) not in text and "Traceback" not in text
    monkeypatch.setenv("EKTP_PUBLIC", "0")
    at = run("pages/1_Peta_cakupan.py", {"lang": "en"})
    assert at.exception  # internal mode shows the error to the team


def test_streamlit_config_static_serving_on_usage_stats_off() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["enableStaticServing"] is True
    assert "run-public" in (ROOT / "Makefile").read_text()
    assert "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none" in (ROOT / "Makefile").read_text()


def test_translations_have_the_same_keys() -> None:
    from ektp.text.i18n import strings

    assert set(strings("id")) == set(strings("en"))
    assert all(strings("id")[k] for k in strings("id"))
    from ektp.text.i18n import t

    assert t("units_in_band", "en", n=1) == "1 unit" and t("units_in_band", "en", n=2) == "2 units"
    assert t("units_in_band", "id", n=1) == "1 wilayah"
    # the national district map's legend had "2541 wilayah"
    assert t("units_in_band", "id", n=2541) == "2.541 wilayah" and t("units_in_band", "en", n=2541) == "2,541 units"
    assert t("units_in_band", "en", n="1") == "1 unit"  # a count already written out is still one


def test_the_national_map_is_not_one_colour_by_default(app_env: Path) -> None:
    """All 11 regencies of Jambi in March 2019 are in Dukcapil's 80–99.99% band (Sarolangun's
    published 86% among the fill's ~96–99%). By default the map colours them by natural breaks
    (only Sarolangun has a target of its own, so distance to a target is no default), so it is
    not one colour; Dukcapil's bands, when chosen, say that they are one colour and name the
    schemes that tell them apart. (The national province map of the fill was one
    band until the fill met the published picture, Papua's provinces far below 80%.)"""

    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en"})
    assert not at.exception
    assert at.radio(key="w_scheme").value == "natural"
    assert not [c for c in at.caption if "fall in one band" in c.value]
    from tests.conftest import map_fills, map_payloads

    assert len(set(map_fills(map_payloads(at)[0]).values())) >= 2
    at = run(
        "pages/1_Peta_cakupan.py",
        {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en", "scheme": "dukcapil"},
    )
    hint = [c.value for c in at.caption if "fall in one band" in c.value]
    assert hint == [
        "All 11 areas fall in one band (80–99.99%): the map is one colour. Natural breaks or quantiles tell them apart."
    ]
    at = run(
        "pages/1_Peta_cakupan.py",
        {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en", "scheme": "quantile"},
    )
    assert not [c for c in at.caption if "fall in one band" in c.value]
    # a link shared before the parameter was renamed (bands=): its view, under the new name
    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "district", "lang": "id", "bands": "dukcapil"})
    assert not [c for c in at.caption if "satu kelas" in c.value] and not at.warning
    assert at.query_params["scheme"] == "dukcapil" and "bands" not in at.query_params
    assert at.radio(key="w_scheme").value == "dukcapil"


def test_map_page_says_why_maps_are_off(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_STATIC_DIR", str(ROOT / "static" / "no_such_folder"))
    at = run("pages/1_Peta_cakupan.py", {"lang": "en", "area": "15"})
    assert not at.exception
    assert any("Maps are off" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 11  # the ranking table still works without maps


def test_map_files_of_an_older_layout_are_not_drawn_and_the_page_says_how_to_rewrite_them(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A folder written before `format.txt` (properties `code`/`name`): the hover and the click
    would read keys the file lacks, so the page says to run `make data` instead of failing."""
    import json

    folder = tmp_path / "geo"
    folder.mkdir()
    feature = {"type": "Feature", "id": 0, "properties": {"code": "15.01", "name": "Kerinci"}, "geometry": None}
    (folder / "regency_15.json").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    monkeypatch.setenv("EKTP_STATIC_DIR", str(folder))
    at = run("pages/1_Peta_cakupan.py", {"lang": "en", "area": "15"})
    assert not at.exception, [e.value for e in at.exception]
    assert any("another version" in w.value and "make data" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 11  # the ranking still works
    (folder / "format.txt").write_text("1\n")
    at = run("pages/1_Peta_cakupan.py", {"lang": "id", "area": "15"})
    assert any("versi lain" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("page", "min_charts"),
    [
        ("pages/1_Peta_cakupan.py", 2),
        ("pages/2_Tren.py", 1),
        ("pages/3_Antrean_pengambilan.py", 2),
        ("pages/4_Target.py", 1),
        ("pages/5_Blangko_dan_kartu_rusak.py", 2),
    ],
)
def test_every_chart_offers_svg_png_html_csv(app_env: Path, page: str, min_charts: int) -> None:
    params = {"lang": "en", "area": "15"} if "Antrean" not in page else {"lang": "en", "area": "53.71"}
    at = run(page, params | ({"funnel": "on"} if "Peta" in page else {}))  # the funnel drawn when asked
    assert not at.exception
    assert not at.get("download_button")  # closed until asked for: each button costs server time
    openers = [tg for tg in at.toggle if tg.key.startswith("dlopen_")]
    assert len(openers) >= min_charts and all(tg.label.startswith("⬇ Download (SVG") for tg in openers[:min_charts])
    for tg in openers:
        tg.set_value(True)
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    for kind in ("SVG", "PNG (print)", "HTML", "Chart data CSV"):
        assert sum(kind in lab for lab in labels) >= min_charts, (kind, labels)
    from tests.conftest import map_payloads

    charts_drawn = [*at.get("plotly_chart"), *map_payloads(at)]  # the map page's map is the model's SVG
    assert len(charts_drawn) >= min_charts


def test_targets_chart_has_one_bar_per_target(app_env: Path) -> None:
    at = run("pages/4_Target.py", {"lang": "en", "area": "15"})
    assert not at.exception
    import json

    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = [y for tr in fig["data"] for y in tr["y"]]
    assert len(labels) == len(set(labels))
    assert any(lab.startswith("Jambi · recording rate (synthetic)") for lab in labels)
    assert "Jambi · recording rate" in labels  # the sourced 98% target


def test_curated_notes_and_methods_read_in_the_page_language(app_env: Path) -> None:
    """The curated files write notes in English (data/sourced/translations.csv gives them in
    Indonesian); the Indonesian page shows the reading, the English page the stored text."""
    import json

    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"area": "35", "lang": "id"})
    assert not at.exception
    register = next(d.value for d in at.dataframe if "Cara" in d.value.columns)
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)  # the destruction chart's hover
    assert [c[1] for tr in chart["data"] for c in tr["customdata"]] == ["dibakar"]
    row = register.iloc[0]
    assert row["Cara"] == "dibakar" and row["Keterangan"].startswith("KTP-el tidak berlaku dari 2012 hingga 2018")
    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"area": "35", "lang": "en"})
    register = next(d.value for d in at.dataframe if "Method" in d.value.columns)
    assert register.iloc[0]["Method"] == "burned" and register.iloc[0]["Note"].startswith("invalid cards from 2012")
    at = run("pages/3_Antrean_pengambilan.py", {"area": "53.71", "lang": "id"})  # Kupang's burn-down caption
    assert any("40.000 warga tanpa KTP-el dituntaskan dalam 3 bulan" in c.value for c in at.caption)
    at = run(
        "pages/3_Antrean_pengambilan.py", {"area": "53.71", "lang": "id", "date": "2020-01-27"}
    )  # the article's day
    offices = at.dataframe[0].value
    assert "5.000 warga menunggu mengambil KTP-el yang sudah dicetak" in offices["Keterangan"].tolist()


def test_tables_are_labelled_in_the_reader_language(app_env: Path) -> None:
    """Published figures and the ranking show labelled columns, the value beside the name."""

    def sources_of(at: AppTest):  # noqa: ANN202 - the Overview's table of published figures
        return next(
            d for d in at.dataframe if "Check notes" in d.value.columns or "Catatan pemeriksaan" in d.value.columns
        )

    at = run("app.py", {"area": "00", "lang": "en"})
    sources = sources_of(at).value
    assert list(sources.columns) == ["Data date", "Recording rate (%)", "Unrecorded", "Source", "Check notes"]
    assert len(sources) >= 3 and all(isinstance(v, str) for v in sources["Check notes"])  # no 'None'
    first = table_cells(sources_of(at))[0]
    assert first[1:3] == ["92.13", "14,915,750"] and sources["Unrecorded"].dtype.kind in "if"  # sorts by value
    at = run("app.py", {"area": "00", "lang": "id"})  # the check notes, too, in the reader's language
    notes = " ".join(sources_of(at).value["Catatan pemeriksaan"])
    assert "tidak sama dengan" in notes and "disagrees" not in notes and "14.915.750" in notes, notes
    notes_list = [c.value for c in at.caption if "Catatan pemeriksaan" in c.value]
    assert len(notes_list) == 1 and "2017" in notes_list[0] and "jpnn\\.com" in notes_list[0], notes_list
    assert "14\\.915\\.750" in notes_list[0]  # written out in full, under the table that cuts it off
    at = run("app.py", {"area": "15", "lang": "id"})  # Jambi: one article gave no rate
    rates = [row[1] for row in table_cells(sources_of(at))]
    assert "–" in rates and all(r == "–" or re.fullmatch(r"\d+,\d\d", r) for r in rates), rates
    at = run("pages/2_Tren.py", {"area": "15", "lang": "id"})
    assert not at.exception
    assert list(at.dataframe[0].value.columns)[:3] == ["Wilayah", "Kode", "Tanggal data"]
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en"})
    assert list(map_ranking(at).columns)[:4] == ["Name", "Recording rate", "Map class", "Code"]


def test_a_roll_ups_source_speaks_the_reader_language(app_env: Path) -> None:
    """Jambi's figure is the sum of its regencies: the ETL writes that in English, the UI says it."""
    at = run("app.py", {"area": "15", "lang": "id"})
    captions = shown(" ".join(c.value for c in at.caption))
    assert "jumlah 11 baris kabupaten/kota" in captions and "sum of" not in captions
    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "province", "lang": "id"})
    sources = map_ranking(at)["Sumber"].tolist()
    assert "sintetis · jumlah 11 baris kabupaten/kota" in sources  # Jambi: a sum holding the synthetic fill
    assert not any("sum of" in str(s) for s in sources)
    # a roll-up's detail: no other source to compare, and the page says so
    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "province", "lang": "en", "unit": "15"})
    assert not at.exception and not at.dataframe  # no table of sources (the ranking is the map's)
    assert "No other source gives a figure for this area and date." in [c.value for c in at.caption]


def test_the_detail_compares_a_units_sources_in_words(app_env: Path) -> None:
    """Sarolangun, March 2019: the article's figure beside the other rows kept for that date."""
    at = run(
        "pages/1_Peta_cakupan.py",
        {"area": "15", "level": "regency", "date": "2019-03-31", "lang": "en", "unit": "15.03"},
    )
    assert not at.exception
    # a static HTML table: neither the data grid nor st.table's Arrow reader is fetched for it
    tables = [(head, rows) for head, rows in small_tables(at) if "Kind" in head]
    assert len(tables) == 1 and not at.dataframe and not at.table, tables
    head, rows = tables[0]
    assert head[:4] == ["Kind", "Recording rate", "Rate as published", "Source"]
    cited = [dict(zip(head, r, strict=True)) for r in rows if r[0] == "published figure"]
    assert len(cited) == 1, rows
    assert cited[0]["Recording rate"] == "86.00%" and "radarjambi" in cited[0]["Source"]
    # the article gave a rate, no counts: the funnel says why it is not drawn
    assert any("gives a rate but no counts" in i.value and "radarjambi" in i.value for i in at.info)


def _number_formats(df) -> dict[str, set[str]]:  # noqa: ANN001 - an AppTest dataframe element
    """The numeric columns of a table (numbers underneath) → how their cells read: "1.234"
    and "1,234" become "1.000" and "1,000"; "–" stays."""
    frame = df.value
    cells = table_cells(df)
    out = {}
    for i, c in enumerate(frame.columns):
        if frame[c].dtype.kind in "if":
            out[c] = {re.sub(r"\d", "0", row[i]).lstrip("0") or "0" for row in cells}
    return out


def test_reader_tables_keep_numbers_sortable_and_show_gaps_as_a_dash(app_env: Path) -> None:
    """Backlog, blank-card and destruction tables: capitalised headers in the reader's language,
    counts as numbers (a header click sorts by value) written the browser's way, '–' not 'None'."""
    at = run("pages/3_Antrean_pengambilan.py", {"lang": "id", "area": "00"})
    assert not at.exception
    offices = at.dataframe[0]
    frame = offices.value
    assert offices.proto.placeholder == "–"
    assert all(c[:1] == c[:1].upper() for c in frame.columns), list(frame.columns)
    counts = ["Sudah cetak belum diambil", "Sudah diambil", "> 12 bulan"]
    # no browser locale under AppTest: an Indonesian page writes its thousands with a point
    forms = _number_formats(offices)
    assert set(counts) <= set(forms) and {"0", ".000", "–"} >= set().union(*(forms[c] for c in counts)) - {"00", "000"}
    assert any(".000" in forms[c] for c in counts), forms
    assert all(frame[c].dtype.kind in "if" for c in counts), frame.dtypes
    # the offices counted are those with a count (metrics.counted_offices); Palembang's article gave
    # only its oldest card's date: named in the sentence, not a row with a gap in the count
    assert frame["Sudah cetak belum diambil"].notna().all()
    said = " ".join(shown(m.value) for m in at.markdown)
    assert "kartu tertua yang menunggu dicetak pada 2020" in said
    assert "None" not in frame.astype(str).where(frame.notna(), "").to_numpy().ravel().tolist()

    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"lang": "en", "area": "00"})
    assert not at.exception
    runway, published, register, per_year, per_area = at.dataframe[:5]
    assert published.proto.placeholder == "–" and "Blank cards in stock" in _number_formats(published)
    assert {"Received", "Used", "Damaged", "Stock runway"} <= set(_number_formats(runway))
    assert any(",000" in f for f in _number_formats(runway).values())  # English: 1,234
    assert not any("." in x for f in _number_formats(runway).values() for x in f)  # whole numbers
    days = runway.value["Stock runway"]  # whole days ('–' where a store used none in 90 days)
    assert days.dtype.kind in "if" and days.notna().any() and (days.dropna() % 1 == 0).all()
    destroyed = register.value["Destroyed"]
    # periods as their sources wrote them, not a day they never named
    assert sorted(register.value["Period"]) == ["2012 – 2018", "January 2019 – 2021"]
    assert per_year.value["Year"].map(type).eq(str).all()  # a label: no "2,019"
    assert list(_number_formats(per_year)) == ["Destroyed"]
    assert per_year.value["Destroyed"].sum() == per_area.value["Destroyed"].sum() == destroyed.sum() > 0
    assert per_area.value["Destroyed"].is_monotonic_decreasing


def test_kupangs_burn_down_runs_from_its_baseline_to_zero_over_its_window(app_env: Path) -> None:
    """Kupang, Jan–Apr 2020: '40,000 unrecorded residents done in 3 months' (Kupang's target in
    the published data): the ideal line from 40,000 to 0, the actual values within the window."""
    import json

    at = run("pages/3_Antrean_pengambilan.py", {"lang": "en", "area": "53.71"})
    assert not at.exception
    burns = [c for c in at.get("plotly_chart") if "burn_53.71_unrecorded_count" in c.proto.id]
    assert len(burns) == 1, [c.proto.id for c in at.get("plotly_chart")]
    fig = json.loads(burns[0].proto.spec)
    ideal, actual = fig["data"][0], fig["data"][1]
    assert ideal["y"] == [40000, 0] and ideal["x"] == ["2020-01-27", "2020-04-27"]
    dates = [x[:10] for x in actual["x"]]
    assert dates and min(dates) >= "2020-01-27" and max(dates) <= "2020-07-28"  # start … deadline + 3 months
    assert "Kota Kupang" in fig["layout"]["title"]["text"]


def test_table_numbers_follow_the_page_language_whatever_the_browser() -> None:
    """Streamlit writes a table's separators only the browser's way: used where the browser
    speaks the page's language; else printf, never a separator that misreads."""
    from ektp.ui import table_formats

    assert table_formats("id", "id-ID") == table_formats("en", "en-GB") == ("localized", "localized")
    assert table_formats("en", "id-ID") == table_formats("en", None) == ("%,d", "%,.2f")
    assert table_formats("id", "en-US") == table_formats("id", None) == ("%d", "%.2f")


def test_decimal_columns_keep_two_places_in_the_browsers_own_format() -> None:
    """'localized' alone lets the browser drop zeros (88,1 under 88,05 in a ranking); the
    column's step fixes two places, as the printf formats do."""
    import polars as pl

    from ektp.ui import number_config

    df = pl.DataFrame({"name": ["a"], "rate": [88.1], "count": [5]})
    conf = number_config(df, "id", "id-ID")
    assert set(conf) == {"rate", "count"}
    assert conf["rate"]["type_config"]["format"] == "localized" and conf["rate"]["type_config"]["step"] == 0.01
    assert conf["count"]["type_config"]["format"] == "localized" and conf["count"]["type_config"]["step"] is None
    assert number_config(df, "id", "en-US")["rate"]["type_config"]["format"] == "%.2f"


def test_the_backlog_trend_names_the_articles_inside_its_sums(app_env: Path) -> None:
    """Kupang's article (5,000 waiting, 27 Jan 2020) is part of the national line from that day
    on (queries.backlog_series), so the line's source names it beside the synthetic marker."""
    import json

    at = run("pages/3_Antrean_pengambilan.py", {"area": "00", "lang": "en"})
    assert not at.exception
    trend = json.loads(at.get("plotly_chart")[-1].proto.spec)
    source = [a["text"] for a in trend["layout"]["annotations"] if a.get("name") == "source"][0]
    assert "news article of 27 January 2020" in source and "synthetic" in source, source
    assert "Palembang" not in source  # its rows give no count: nothing of them is in the line


def test_the_data_dictionary_is_headed_once_in_the_page_language(app_env: Path) -> None:
    from ektp.ui import doc_body

    assert doc_body("## Title\n\nBody\n### Part") == "Body\n### Part" and doc_body("Body") == "Body"
    page = next(p for p in PAGES if p and "Data_dan_metode" in p)
    at = run(page, {"lang": "id"})
    assert not at.exception
    assert "Kamus data" in [h.value for h in at.header]
    shown = " ".join(m.value for m in at.markdown)
    assert "Wilayah dan batas wilayah" in shown and "## Kamus data" not in shown
    assert "Regions and boundaries" not in shown  # the Indonesian dictionary, not the English one
    at = run(page, {"lang": "en"})
    shown = " ".join(m.value for m in at.markdown)
    assert "Regions and boundaries" in shown and "## Data dictionary" not in shown


def test_the_indonesian_data_dictionary_names_everything_the_english_one_does() -> None:
    """The Indonesian page read the English dictionary. Its own keeps every table, view, column,
    command and path the English one names (a name with no space between backticks) and the same
    sections, so a column added to one and not the other fails here."""
    en = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    id_ = (ROOT / "docs" / "DATA_DICTIONARY.id.md").read_text(encoding="utf-8")

    def names(text: str) -> set[str]:
        return {n for n in re.findall(r"`([^`]+)`", text) if " " not in n}

    assert len(names(en)) > 100
    assert names(en) - names(id_) == set()
    heads = lambda text: [line.split(" ")[0] for line in text.splitlines() if line.startswith("#")]  # noqa: E731
    assert heads(en) == heads(id_)
    rows = lambda text: sum(1 for line in text.splitlines() if line.startswith("| `"))  # noqa: E731
    assert rows(en) == rows(id_)  # a table row per table and view in both


def test_blank_card_figures_from_articles_are_drawn_and_listed_with_their_sources(app_env: Path) -> None:
    """The stock line leaves articles' figures out (one regency on its own day is not the area's
    stock), so before this they showed nowhere on the page; now as points and in a table."""
    import json

    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"area": "15.03", "lang": "en"})
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    pts = [tr for tr in fig["data"] if tr.get("mode") == "markers"]
    assert len(pts) == 1 and pts[0]["y"] == [4000, 5000] and pts[0]["name"] == "📰 sourced figure"
    assert any("jambi.tribunnews.com" in c[1] for c in pts[0]["customdata"])
    source = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "source"][0]
    assert "penajambi.co" in source.replace("<br>", "")
    table = next(d.value for d in at.dataframe if "Blank cards in stock" in d.value.columns and len(d.value) == 2)
    assert table["Note"].tolist() == ["blanks on hand", "blanks on hand"]
    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"area": "00", "lang": "id"})
    listed = next(d.value for d in at.dataframe if "Keterangan" in d.value.columns and len(d.value) == 5)
    assert set(listed["Wilayah"]) >= {"Kota Kupang", "Kabupaten Probolinggo"}
    assert "stok blangko di tangan" in listed["Keterangan"].tolist()
    # Kupang's article read two ways: 4,000 blanks received (the seed brief), on hand (the
    # published-figures file); both are listed, the stock also as a point on Kupang's line
    kupang = listed[listed["Wilayah"] == "Kota Kupang"]
    assert len(kupang) == 2 and set(kupang["Sumber"]) == {"artikel berita 27 Januari 2020"}
    assert "40.000 belum memiliki KTP-el" in " ".join(kupang["Keterangan"])  # the published file's note, read
    assert kupang["Diterima"].isna().tolist() == [False, True] and kupang["Blangko tersedia"].isna().tolist() == [
        True,
        False,
    ]
    assert kupang["Diterima"].tolist()[0] == 4000 and kupang["Blangko tersedia"].tolist()[1] == 4000
    national = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not [tr for tr in national["data"] if tr.get("mode") == "markers"]  # a regency's count is no national point
    at = run("pages/5_Blangko_dan_kartu_rusak.py", {"area": "53.71", "lang": "en"})
    kupang_pts = [tr for tr in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if tr.get("mode") == "markers"]
    assert len(kupang_pts) == 1 and kupang_pts[0]["y"] == [4000]


def test_a_met_target_on_the_trend_says_since_when(app_env: Path) -> None:
    """Jambi's 98% (the province's own target, no deadline) is met in the fill's latest months
    (Sarolangun, which met it from 2020 to 2023, has fallen below it since, as the nation has)."""
    at = run("pages/2_Tren.py", {"regions": "15,15.03", "lang": "en"})
    assert not at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("**Jambi**")]
    assert len(lines) == 1 and " · met · since " in lines[0], lines
    assert "Projected to reach" not in lines[0] and "Current pace" not in lines[0]
    at = run("pages/4_Target.py", {"area": "15", "lang": "en"})
    table = next(d.value for d in at.dataframe if "Met since" in d.value.columns)
    assert table["Met since"].notna().any()


def test_language_and_area_carry_to_the_next_page(app_env: Path) -> None:
    """A reader on the English Trends page for Jambi who opens the map from the sidebar (the
    link carries no query) stays in English and in Jambi: the page's own widgets take over the
    values the last page's widgets of the same key left (ui._adopt)."""
    at = run("pages/2_Tren.py", {"lang": "en", "area": "15"})
    assert at.title[0].value == "Trends"
    at.switch_page("pages/1_Peta_cakupan.py")
    for k in list(at.query_params):
        del at.query_params[k]
    at.run()
    assert not at.exception
    assert at.title[0].value == "Coverage map" and at.radio(key="w_lang").value == "en"
    assert at.selectbox(key="w_area").value == "15"
    assert at.query_params["lang"] == "en" and at.query_params["area"] == "15"  # the new link says so too


def test_the_sentence_linker_script_has_no_angle_bracket() -> None:
    """st.html does not run a script holding '<' (a loop's `i<4` kept the charts undescribed)."""
    import re

    from ektp.ui import SAID_LINKER

    script = re.search(r"<script>(.*)</script>", SAID_LINKER, re.S).group(1)
    assert "<" not in script and "window.__ektpSaid" in script


def test_a_missing_chromium_stops_the_run_unless_skipped_on_purpose(tmp_path: Path) -> None:
    """Without Chromium the run fails with one line saying how to install it; SKIP_BROWSER=1
    skips the browser tests and says so in the summary (never a silent 's')."""
    import os
    import subprocess
    import sys

    import tests.conftest as c

    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from tests.conftest import needs_browser\n\n@needs_browser\ndef test_x():\n    pass\n\ndef test_y():\n    pass\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # a conftest that points at a Chromium that is not there, as on a machine without it
    (tmp_path / "conftest.py").write_text(
        "from pathlib import Path\nimport tests.conftest as c\nc.CHROMIUM = Path('/nonexistent/chromium')\n"
        "from tests.conftest import *  # noqa\n"
    )
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", str(probe), "-p", "no:cacheprovider"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode != 0 and "apt-get install -y chromium" in run.stdout + run.stderr, run.stdout + run.stderr
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", str(probe), "-p", "no:cacheprovider"],
                         cwd=tmp_path, env={**env, "SKIP_BROWSER": "1"}, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0 and "skipped on purpose" in run.stdout, run.stdout
    assert Path("/usr/bin/chromium") == c.CHROMIUM


def test_public_downloads_start_no_browser_on_the_server(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kaleido starts a Chromium per image: the public instance offers HTML and CSV (and the
    chart's camera button, in the reader's browser); the internal one offers SVG and PNG too."""
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = run("pages/2_Tren.py", {"area": "15", "lang": "en"})
    at.toggle(key="dlopen_trend").set_value(True).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["⬇ HTML", "⬇ Chart data CSV"], labels
    assert any("camera button" in c.value for c in at.caption)
    monkeypatch.setenv("EKTP_PUBLIC", "0")
    at = run("pages/2_Tren.py", {"area": "15", "lang": "en"})
    at.toggle(key="dlopen_trend").set_value(True).run()
    assert [b.proto.label for b in at.get("download_button")][:2] == ["⬇ SVG", "⬇ PNG (print)"]


def test_targets_are_filtered_in_the_query_module(app_env: Path) -> None:
    import polars as pl

    from ektp.data import queries

    everything = queries.targets("15")
    rates = queries.targets("15", ("recording_rate",))
    assert rates.height and set(rates["metric"]) == {"recording_rate"}
    assert rates.height == everything.filter(pl.col("metric") == "recording_rate").height
    dated = queries.targets("15", dated_only=True)
    assert dated["deadline"].null_count() == 0 and dated.height <= everything.height
    sourced = queries.targets("15", sourced_only=True)
    assert sourced.height and not any(sourced["is_synthetic"])


def test_a_charts_sources_and_its_dates_come_from_the_query_and_fmt_modules(app_env: Path) -> None:
    import datetime as dt

    import polars as pl

    from ektp.data import queries
    from ektp.text import fmt

    frame = pl.DataFrame(
        {"source": ["b.id", None, "a.id", "b.id", "fill"], "is_synthetic": [False, False, False, None, True]}
    )
    assert fmt.sourced(frame) == ["a.id", "b.id"]
    assert fmt.sourced(frame, pl.DataFrame({"source": ["c.id"]})) == ["a.id", "b.id", "c.id"]
    whole = queries.blanko_series("00")
    cut = dt.date(2022, 12, 31)
    until = queries.blanko_series("00", until=cut)
    assert until.height and until["as_of"].max() <= cut and until.height == whole.filter(pl.col("as_of") <= cut).height


def test_data_page_lists_the_header_map_as_the_file_has_it(app_env: Path) -> None:
    """The loader's header map (which column names it reads as what) is on the Data page,
    every row and column of data/header_map.csv as text."""
    import csv

    with (ROOT / "data" / "header_map.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    at = run("pages/6_Data_dan_metode.py", {"lang": "en"})
    assert not at.exception
    shown = next(d.value for d in at.dataframe if list(d.value.columns) == list(rows[0]))
    assert len(shown) == len(rows) > 20
    assert shown.astype(str).to_dict("records") == rows


@pytest.mark.parametrize("lang", ["id", "en"])
def test_without_maps_the_ranking_table_is_the_view_models(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """No boundary files (maps off): the page lists the view's ranking as a sortable table. It
    is the view model's ranking (ui.ranking_table of mapview.model.gather), the one the reader
    page and the map element list: the same units in the same order, each in the same class."""
    import datetime as dt

    from ektp.mapview.model import gather
    from ektp.mapview.url import choose
    from ektp.text import fmt
    from ektp.text.i18n import t

    monkeypatch.setenv("EKTP_STATIC_DIR", str(tmp_path / "no_geo"))
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    assert not map_payloads(at)  # maps are off
    grids = [d.value for d in at.dataframe if fmt.capital(t("code", lang)) in d.value.columns]
    assert len(grids) == 1, [list(d.value.columns) for d in at.dataframe]
    shown_table = grids[0]
    # the view the page ended on (its link, with the scheme it chose), as the model reads it
    choice, bad = choose({k: [at.query_params[k]] for k in ("area", "level", "metric", "date", "scheme", "lang")})
    assert not bad and choice.as_of == dt.date(2019, 3, 31)
    drawn = gather(choice)
    code_at, class_at = drawn.table_head.index(t("code", lang)), drawn.table_head.index(t("map_class", lang))
    assert list(shown_table[fmt.capital(t("code", lang))]) == [r[code_at] for r in drawn.table]
    shown_classes = [c if isinstance(c, str) else "–" for c in shown_table[fmt.capital(t("map_class", lang))]]
    assert shown_classes == [r[class_at] for r in drawn.table]
    assert len(drawn.table) == 11  # Jambi's regencies
