"""One truth on a page (issue 31): what the tiles, the sentence and the chart of one page say
agrees, over many views and both languages. Each test reads the page as AppTest renders it."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ektp.data import queries
from ektp.text import fmt
from tests.conftest import ROOT, map_ranking, shown, small_tables

BACKLOG = "pages/3_Antrean_pengambilan.py"


def legend_entries(payload: dict) -> list[str]:
    """The class entries of a map's legend as the page shows them ("label · N units")."""
    return [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", payload["legend"])]


def svg_of(drawn: object) -> str:
    """The map of a view model as the page and the reader inline it."""
    return drawn.picture()


def t_stale(lang: str) -> str:
    from ektp.text.i18n import t

    return t("class_stale", lang).split("{")[0].strip()


def run(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _number(text: str, lang: str) -> int:
    return int(text.replace("." if lang == "id" else ",", ""))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "16", "53", "53.71", "35"])
def test_the_backlog_tile_sentence_and_chart_count_the_same_offices(app_env: Path, area: str, lang: str) -> None:
    """The tile said 'Kantor 516' and the sentence '… di 514 kantor': one rule counts the offices
    (those that report cards waiting: metrics.counted_offices) for the tile, sentence and chart."""
    at = run(BACKLOG, {"area": area, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    label = "Kantor" if lang == "id" else "Offices"
    tile = next((m for m in at.metric if m.label == label), None)
    if tile is None:  # no backlog figures in this area
        return
    said = next(
        s
        for s in (shown(m.value) for m in at.markdown)
        if " kantor di " in s or " offices in " in s or " office in " in s
    )
    m = re.search(r"(?:di|at) ([\d.,]+) (?:kantor|offices?) ", said)
    assert m and _number(m[1], lang) == _number(tile.value, lang), (tile.value, said)
    table = next(d.value for d in at.dataframe)
    assert len(table) == _number(tile.value, lang)  # the office table lists the offices counted


def test_a_partial_sum_is_never_the_nations_figure(app_env: Path) -> None:
    """Indonesia on 15 November 2013 was Jambi's figure alone ('1 of 38 units'): the national trend
    said 'from 73.6% (15 November 2013)' over a chart starting in 2017. A sum of fewer units than
    the area has is never drawn or said as the area's own: the sentence starts where the chart
    does, and no point of the chart is a partial sum."""
    from ektp.data import queries

    series = queries.series(["00"])
    assert (
        series.height and series["as_of"].min().year >= 2017 and "73.6" not in str(series["recording_rate"].to_list())
    )
    for lang in ("id", "en"):
        at = run("pages/2_Tren.py", {"area": "00", "regions": "00", "lang": lang})
        assert not at.exception
        said = " ".join(shown(m.value) for m in at.markdown)
        assert "2013" not in said and "73,6" not in said and "73.6" not in said, said[:300]
        first = series["as_of"].min()
        from ektp.text import fmt

        assert fmt.date(first, lang) in said  # the sentence starts where the chart does


def test_a_slow_pace_is_never_said_as_zero_beside_a_finish_date() -> None:
    """'Current pace: 0.000 pp per day · Projected to reach: 27 May 2026' said a zero pace that
    still arrives: the pace is said per month with the decimals it needs."""
    from ektp.text import fmt

    per_day = 0.0000083  # 0.025 points a month
    for lang in ("id", "en"):
        said = fmt.pace(per_day, lang)
        assert float(said.split()[0].replace(",", ".")) > 0, said
    assert fmt.pace(0.001, "id") == "3,0 pp" and fmt.pace(0.0000083, "en") == "0.025 pp"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "15", "53"])
def test_the_targets_tiles_and_sentence_count_the_same_targets(app_env: Path, area: str, lang: str) -> None:
    """Tiles said 19 met · 23 missed · 1 without deadline (43), the sentence 'Of 40 targets: 23
    missed, 16 met' (it counted the 40 the chart draws). Now the sentence counts every target,
    each status as the tiles do; the chart says how many of them it draws; its date is the data's."""
    import datetime as dt

    at = run("pages/4_Target.py", {"area": area, "lang": lang})
    assert not at.exception
    tiles = {m.label.lower(): _number(m.value, lang) for m in at.metric}
    if not tiles:
        return
    said = next(s for s in (shown(m.value) for m in at.markdown) if re.match(r"^(Dari|Of) \d", s))
    n = int(re.match(r"^(?:Dari|Of) ([\d.,]+)", said)[1].replace(".", "").replace(",", ""))
    assert n == sum(tiles.values()), (tiles, said)
    for status, count in tiles.items():
        if f"{count} {status}" not in said.lower() and count:
            pytest.fail(f"tile {status} {count} not in the sentence: {said}")
    today = dt.date.today()
    from ektp.text import fmt

    captions = " ".join(shown(c.value) for c in at.caption) + " ".join(shown(m.value) for m in at.markdown)
    assert fmt.date(today, lang) not in captions  # the chart's 'as of' is the data's date


MAP_VIEWS = [
    {"area": "00", "level": "province"},
    {"area": "00", "level": "regency"},
    {"area": "15", "level": "regency", "date": "2019-03-31"},
    {"area": "15.03", "level": "district", "date": "2019-03-31"},
    {"area": "91", "level": "regency"},
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", MAP_VIEWS, ids=lambda v: "-".join(v.values()))
def test_the_map_legend_counts_each_unit_once(app_env: Path, view: dict, lang: str) -> None:
    """The legend's classes count the units of the map once each: the outline of the units
    below target is no legend entry (it read as a class, and the counts added to 44 of 38); the
    line under the map says what the outline is, with the same count as the sentence."""
    from tests.conftest import map_payloads

    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    names = legend_entries(map_payloads(at)[0])
    counts = [
        int(m[1].replace(".", "").replace(",", ""))
        for n in names
        if (m := re.search(r"· ([\d.,]+) (?:wilayah|units?)$", n))
    ]
    table = map_ranking(at)  # the ranking: every unit of the view, one row each
    assert counts and sum(counts) == len(table), (names, len(table))
    assert not [n for n in names if n.startswith(("Below target", "Di bawah target"))]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", MAP_VIEWS, ids=lambda v: "-".join(v.values()))
def test_the_detail_opens_on_the_unit_the_sentence_names(app_env: Path, view: dict, lang: str) -> None:
    """The detail picker opened on the first code (Kerinci, Aceh, Batang Asai), while the sentence
    named Sarolangun: it opens on the unit the sentence names first."""
    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception
    unit = at.selectbox(key="w_unit").value
    name = re.search(r"\(([\d.]+)\)$", at.selectbox(key="w_unit").format_func(unit))  # "Name (code)"
    said = " ".join(shown(m.value) for m in at.markdown)
    label = at.selectbox(key="w_unit").format_func(unit).rsplit(" (", 1)[0]
    assert name and unit == name[1]
    assert re.search(rf"^{re.escape(label)} (memiliki|has) ", said) or f"{label} " in said.split(";")[0], (
        label,
        said[:200],
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_file_path_is_a_source_on_the_public_instance(
    app_env: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'synthetic/coverage_synthetic.parquet row 8367' read as the source of a published figure:
    the synthetic fill is named as such, an office file as an office file (the public instance
    names no file); the internal instance keeps the file and row."""
    from ektp.text import fmt

    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = run("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31", "lang": lang})
    assert not at.exception
    shown_text = " ".join([shown(c.value) for c in at.caption] + [shown(m.value) for m in at.markdown])
    cells = " ".join(str(v) for d in [*at.dataframe, *at.table] for v in d.value.to_numpy().ravel())
    cells += " ".join(c for _, rows in small_tables(at) for r in rows for c in r)
    cells += " ".join(str(v) for v in map_ranking(at).to_numpy().ravel())
    assert ".parquet" not in shown_text + cells and not re.search(r"\brow \d+", shown_text + cells)
    assert fmt.source("rekap_DRAFT_maret.xlsx row 12", lang) == ("berkas kantor" if lang == "id" else "an office file")
    monkeypatch.setenv("EKTP_PUBLIC", "0")
    assert fmt.source("rekap_DRAFT_maret.xlsx row 12", lang) == "rekap_DRAFT_maret.xlsx row 12"


TARGET_VIEWS = [
    {"area": "00", "level": "province"},
    {"area": "00", "level": "province", "date": "2019-03-31"},
    {"area": "15", "level": "regency", "date": "2019-03-31"},
    {"area": "15", "level": "regency"},
    {"area": "15.03", "level": "district", "date": "2019-03-31"},
    {"area": "53", "level": "regency"},
]


def _length(array: list | dict) -> int:
    """The length of a Plotly array as the figure's JSON holds it (_values)."""
    return len(_values(array))


def _values(array: list | dict) -> list:
    """A Plotly array's values as the figure's JSON holds them (a list, or typed: dtype + base64)."""
    import base64

    import numpy as np

    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def _own_targets(db: Path) -> dict[str, float]:
    """Each area's own recording-rate target, by the rule said in words (sourced before the
    synthetic fill's, the latest set), counted here from the table itself."""
    from ektp.data.db import open_read_only

    con = open_read_only(db)
    rows = con.execute(
        "SELECT region_code, target_value, is_synthetic, start_date FROM targets WHERE metric = 'recording_rate'"
    ).fetchall()
    con.close()
    best: dict[str, tuple] = {}
    for code, value, synthetic, start in rows:
        key = (not synthetic, start)
        if code not in best or key > best[code][0]:
            best[code] = (key, value)
    return {c: v for c, (_, v) in best.items()}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", TARGET_VIEWS, ids=lambda v: "-".join(v.values()))
def test_each_unit_is_outlined_and_counted_against_its_own_target(app_env: Path, view: dict, lang: str) -> None:
    """Finding 3: the national map judged 38 provinces against 93.86% (a target a Jambi article
    quoted for the nation); the Targets page gave each its own 98%. The outline on the map, the
    sentence's count, the line under the map and the reader page all judge each unit against
    its own target, and no unit against another area's."""

    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    own = _own_targets(app_env)
    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    table = map_ranking(at)
    code_col = "Kode" if lang == "id" else "Code"
    codes = set(table[code_col])
    as_of = at.selectbox(key="w_date").value
    from ektp.data import queries

    df = queries.map_values(view["level"], view["area"], as_of).to_dicts()
    expected = {
        r["code"]
        for r in df
        if r["recording_rate"] is not None and r["code"] in own and r["recording_rate"] < own[r["code"]]
    }
    judged = {r["code"] for r in df if r["recording_rate"] is not None and r["code"] in own}
    assert judged <= codes
    # the outline the map draws: the shapes of exactly the units below their own target
    from tests.conftest import map_payloads

    picture = map_payloads(at)[0]["svg"]
    shapes = dict(re.findall(r'<path data-c="([^"]+)" fill="[^"]+" d="([^"]+)"', picture))
    outline = re.search(r'<path fill="none" stroke="#111111"[^>]* d="([^"]+)"', picture)
    outlined = outline[1] if outline else ""
    assert len(outlined) == sum(len(shapes[c]) for c in expected if c in shapes)
    assert all(shapes[c] in outlined for c in expected if c in shapes)
    # the sentence's count and the line under the map
    said = " ".join(shown(m.value) for m in at.markdown)
    if judged:
        word = "dari" if lang == "id" else "of"
        assert re.search(rf"\b{len(expected)} {word} {len(judged)} \S+ (di bawah|(is|are) below)", said), said[:400]
        assert re.search(rf"\*\*: {len(expected)} {word} {len(judged)}\b", said)
    else:
        assert not re.search(r"di bawah target|below target|below its own", said, re.I), said[:400]
    assert "93,86" not in said and "93.86" not in said  # the nation's target judges no province
    # the reader page of the same view
    choice, bad = choose({**{k: [v] for k, v in view.items()}, "lang": [lang]})
    assert not bad
    drawn_reader = gather(choice)
    assert set(drawn_reader.outlined) == expected
    assert drawn_reader.sentence and drawn_reader.sentence in said  # the same sentence, word for word


PAGES_WITH_TABLES = [
    ("pages/1_Peta_cakupan.py", {"area": "15", "level": "regency", "date": "2019-03-31"}),
    ("pages/1_Peta_cakupan.py", {"area": "00", "level": "province"}),
    ("pages/2_Tren.py", {"area": "15"}),
    ("pages/3_Antrean_pengambilan.py", {"area": "53"}),
    ("pages/4_Target.py", {"area": "00"}),
    ("pages/5_Blangko_dan_kartu_rusak.py", {"area": "00"}),
    ("pages/6_Data_dan_metode.py", {}),
]
#: A cell written the other language's way: "86.00" or "2017-06-30" on an Indonesian page,
#: "86,00" on an English one; a raw True/False/None/nan anywhere.
WRONG_CELL = {
    "id": re.compile(r"^-?\d+\.\d{1,2}%?$|^\d{4}-\d{2}-\d{2}|^(True|False|None|nan|NaN|yes|no)$"),
    "en": re.compile(r"^-?\d+,\d{1,2}%?$|^\d{4}-\d{2}-\d{2}|^(True|False|None|nan|NaN|ya|tidak)$"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page,params", PAGES_WITH_TABLES, ids=lambda x: x if isinstance(x, str) else "")
def test_every_table_writes_numbers_and_dates_in_the_pages_language(
    app_env: Path, page: str, params: dict, lang: str
) -> None:
    """Finding 8: "86.00", "15035", "2017-06-30" in tables on Indonesian pages. Every cell of
    every table (data grids, static tables, the map element's ranking) reads the page's way
    ("86,00", "15.035", "30 Juni 2017"), and a data grid's cells stay numbers underneath (a
    header click sorts by value)."""
    from tests.conftest import map_payloads, table_cells

    at = run(page, {**params, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    tables = [(list(e.value.columns), table_cells(e), e.value) for e in at.dataframe]
    tables += [(list(e.value.columns), table_cells(e), None) for e in at.table]
    tables += [(head, rows, None) for head, rows in small_tables(at)]
    tables += [(p["head"], p["rows"], None) for p in map_payloads(at) if p.get("ranking")]
    assert tables, page
    numbers_seen = 0
    for names, rows, frame in tables:
        codes = {
            i for i, n in enumerate(names) if "code" in str(n).lower() or "kode" in str(n).lower()
        }  # "15.03" is a code
        wrong = [c for row in rows for i, c in enumerate(row) if i not in codes and WRONG_CELL[lang].search(c)]
        assert not wrong, (page, wrong[:5])
        big = re.compile(r"^\d{1,3}(\.\d{3})+$" if lang == "id" else r"^\d{1,3}(,\d{3})+$")
        numbers_seen += sum(1 for row in rows for c in row if big.match(c))
        for i, column in enumerate(
            frame.columns if frame is not None and len(rows) > 5 else ()
        ):  # underneath, a list's numbers are numbers
            column_cells = [row[i] for row in rows]
            mixed = len({c.endswith("%") for c in column_cells if c != "–"}) > 1  # rates and counts: text
            if any(big.match(c) for c in column_cells[:50]) and not mixed:
                assert frame[column].dtype.kind in "iuf", (column, frame[column].dtype)
    grids = [frame for _, _, frame in tables if frame is not None]
    if grids and page != "pages/6_Data_dan_metode.py" and page != "pages/4_Target.py":
        assert numbers_seen, page  # the check saw thousands written the page's way


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_table_too_long_to_style_shows_its_first_rows_in_the_pages_language(app_env: Path, lang: str) -> None:
    """The 7,285 districts' changes went to the browser unstyled ("86.00" on an Indonesian page
    read in an English browser). Past ui.tables.STYLED_ROWS a table shows its first rows in
    its order, written the page's way, and says how many it holds."""
    from ektp.ui.tables import STYLED_ROWS
    from tests.conftest import table_cells

    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "district", "compare": "2025-06-30", "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    longest = max(at.dataframe, key=lambda d: len(d.value))
    rows = table_cells(longest)
    assert len(rows) == STYLED_ROWS
    total = fmt.num(queries.map_values("district", "00", dt.date(2025, 12, 31)).height, lang)
    shown = fmt.num(STYLED_ROWS, lang)
    assert any(shown in c.value and total in c.value for c in at.caption), [c.value for c in at.caption]
    wrong = [c for row in rows for c in row[2:] if WRONG_CELL[lang].search(c)]  # name and code first
    assert not wrong, wrong[:5]


BRIEF_PAGES = [
    ("app.py", {"area": "35.74"}),
    ("app.py", {"area": "53.71"}),
    ("pages/2_Tren.py", {"area": "53.71"}),
    ("pages/3_Antrean_pengambilan.py", {"area": "53.71"}),
    ("pages/3_Antrean_pengambilan.py", {"area": "16.71"}),
    ("pages/4_Target.py", {"area": "53.71"}),
    ("pages/5_Blangko_dan_kartu_rusak.py", {"area": "00"}),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page,params", BRIEF_PAGES, ids=lambda x: x if isinstance(x, str) else "")
def test_sources_read_as_people_cite_them(app_env: Path, page: str, params: dict, lang: str) -> None:
    """Finding 9: "seed article 001 (Bhirawa)", "seed brief: …" (the project brief's numbering)
    read as sources. Every text, table cell and chart of these pages names the article by its
    publisher or date in the page's language instead."""
    import json

    from tests.conftest import table_cells

    at = run(page, {**params, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    words = [shown(e.value) for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind)]
    cells = [c for d in at.dataframe for row in table_cells(d) for c in row]
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    everything = "\n".join(words + cells + charts)
    assert "seed article" not in everything and "seed brief" not in everything
    if params["area"] != "16.71":  # Palembang's brief gave no count: nothing of it is drawn
        said = json.dumps(everything, ensure_ascii=False)
        assert ("artikel berita" if lang == "id" else "news article") in said


def _in_order(node: object) -> list:
    """Every element of an AppTest tree, in the order the page shows them."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(_in_order(child))
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "15", "15.03", "91"])
def test_the_overview_says_who_lags_before_any_note(app_env: Path, area: str, lang: str) -> None:
    """Finding 13: the Overview opened with a raw URL and how two news sites disagree. It opens
    with who lags: the map's own sentence for the area's units (the same words as the map page
    and the reader page), its lowest units with their gap, and a map; the notes come after."""
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    at = run("app.py", {"area": area, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    choice, _ = choose({"area": [area], "lang": [lang]})
    drawn = gather(choice)
    heads = [h.value for h in at.header]
    assert heads and heads[0].startswith("Siapa tertinggal" if lang == "id" else "Who lags"), heads
    said = [shown(m.value) for m in at.markdown]
    assert drawn.sentence in said  # word for word the map's sentence
    lowest = at.dataframe[0].value
    name = lowest.iloc[0, 0]
    assert drawn.sentence.startswith(f"{name} "), (name, drawn.sentence[:80])
    rates = list(lowest.iloc[:, 1])
    assert rates == sorted(rates) and len(rates) <= 5
    # the head of the map's own ranking (the model's rows), each gap against the unit's own target
    names = [row[0] for row in drawn.table if row[1] != "–"][: len(rates)]
    assert list(lowest.iloc[:, 0]) == names
    data = {r["name"]: r for r in drawn.data.to_dicts()}
    for name, rate, gap in zip(names, rates, lowest.iloc[:, 2], strict=True):
        unit = data[name]
        assert rate == pytest.approx(unit["recording_rate"] * 100, abs=0.005)
        if unit["target"] is None:
            assert gap is None or gap != gap  # no target: no gap (None or NaN in the frame)
        else:
            assert gap == pytest.approx((unit["target"] - unit["recording_rate"]) * 100, abs=0.006)
    from tests.conftest import map_payloads

    (drawing,) = map_payloads(at)  # the map page's own drawing of the view, with its legend
    assert drawing["svg"] == svg_of(drawn) and all(html.escape(e.label) in drawing["legend"] for e in drawn.legend)
    order = [getattr(e, "value", None) for e in _in_order(at.main)]
    first_note = next(
        i for i, v in enumerate(order) if isinstance(v, str) and v.startswith(("Rilis", "Latest published"))
    )
    assert order.index(heads[0]) < first_note


COMPARE_VIEWS = [
    {"area": "15", "level": "regency", "date": "2024-12-31", "compare": "2019-03-31"},
    {"area": "00", "level": "province", "date": "2025-12-31", "compare": "2019-03-31"},
    {"area": "53", "level": "regency", "date": "2025-12-31", "compare": "2022-06-30"},
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", COMPARE_VIEWS, ids=lambda v: "-".join(v.values()))
def test_the_compare_map_has_its_legend_borders_and_values(app_env: Path, view: dict, lang: str) -> None:
    """Finding 7: the compare map had no legend, near-invisible borders and no values; its
    table printed "95.8" and "2". Each class is a legend entry with its count (the counts sum
    to the table's units), borders are drawn dark, each unit's change is written on the map,
    and the table reads the page's way."""
    from tests.conftest import map_payloads, table_cells

    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    payload = map_payloads(at)[0]
    entries = legend_entries(payload)
    counts = [
        int(re.search(r"· ([\d.,]+) (?:wilayah|units?)$", e)[1].replace(".", "").replace(",", "")) for e in entries
    ]
    table = at.dataframe[0]
    assert entries and sum(counts) == len(table.value)
    assert '<g stroke="#555555"' in payload["svg"]  # dark borders: the middle class is near white
    labels = [t for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", payload["svg"]) if re.search(r"\d", t)]
    sign = "," if lang == "id" else "."
    figures = [x for x in labels if re.fullmatch(rf"[+−-]?\d+\{sign}\d|0\{sign}0|±0\{sign}0", x)]
    keys = [x for x in labels if re.fullmatch(r"\d+", x)]  # a unit's number where its name would collide
    assert labels and len(figures) + len(keys) == len(labels), labels
    assert len(labels) == sum(1 for v in table.value.iloc[:, -1] if v == v)  # every unit with a change
    assert not keys or all(f"{k} " in html.unescape(payload["legend"]) for k in keys)  # spelled out in the key
    cells = [c for row in table_cells(table) for c in row[2:]]
    assert not [c for c in cells if WRONG_CELL[lang].search(c)]


FRESHNESS_VIEWS = [
    {"area": "00", "level": "province", "date": "2022-07-24"},
    {"area": "00", "level": "province", "date": "2013-11-15"},
    {"area": "15", "level": "regency", "date": "2018-12-16"},
    {"area": "53", "level": "regency", "date": "2020-01-27"},
    {"area": "00", "level": "province", "date": "2016-09-30"},
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", FRESHNESS_VIEWS, ids=lambda v: "-".join(v.values()))
def test_stale_and_missing_figures_have_classes_of_their_own(
    app_env: Path, view: dict, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 14: a map of one date mixed units whose figures were weeks apart, and nothing said
    how old each was. A unit whose figure is older than the window (setting stale_days, here 10
    days) is drawn in a "stale" class, one without a figure in "no data"; neither is a colour of
    the scale; the counts agree with the frame; each unit's date is in its tip; the sentence
    says how many are stale. On the page and the reader page alike."""
    import datetime as dt

    from ektp.analysis import classes
    from ektp.analysis.metrics import COUNT_COLOURS, RATE_COLOURS
    from ektp.data import queries
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    monkeypatch.setenv("EKTP_STALE_DAYS", "10")
    day = dt.date.fromisoformat(view["date"])
    df = queries.map_values(view["level"], view["area"], day)
    stale = {r["code"] for r in df.to_dicts() if r["as_of"] is not None and (day - r["as_of"]).days > 10}
    missing = {r["code"] for r in df.to_dicts() if r["recording_rate"] is None}
    scale = {*classes.GAP_COLOURS, classes.GAP_MET, *classes.SEQUENTIAL, *COUNT_COLOURS}
    scale |= {v for k, v in RATE_COLOURS.items() if k != "band_none"}
    assert classes.STALE not in scale and classes.NO_DATA not in scale and classes.STALE != classes.NO_DATA

    choice, bad = choose({**{k: [v] for k, v in view.items()}, "lang": [lang]})
    drawn = gather(choice)
    if drawn is not None:
        legend = {e.colour: e for e in drawn.legend if not e.outline}
        n = lambda e: int(re.match(r"[\d.,]+", e.count)[0].replace(".", "").replace(",", ""))  # noqa: E731
        assert (n(legend[classes.STALE]) if classes.STALE in legend else 0) == len(stale)
        assert all(drawn.fills.get(c) == classes.STALE for c in stale)
        assert not [c for c in missing - stale if drawn.fills.get(c) in scale]  # no figure: never a scale colour
        dated = [c for c in df["code"] if c not in missing]
        assert all(re.search(r"\d{4}$", drawn.tips[c]) for c in dated)  # each figure's own date
        if stale:
            assert drawn.sentence and ("10 hari" in drawn.sentence or "10 days" in drawn.sentence)

    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    from tests.conftest import map_fills, map_payloads

    maps = map_payloads(at)
    if maps and stale:  # the page's map draws the model's stale class, its count in the legend
        assert {c for c, f in map_fills(maps[0]).items() if f == classes.STALE} == set(stale)
        entry = [e for e in legend_entries(maps[0]) if e.startswith(t_stale(lang))]
        assert entry and re.search(rf"· {len(stale)} (wilayah|units?)$", entry[0]), legend_entries(maps[0])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reached_since_is_the_start_of_the_run_the_chart_draws(app_env: Path, lang: str) -> None:
    """Finding 6: "tercapai sejak 31 Juli 2022" while the national line had been above its
    target since 2018 (a one-province partial sum broke the run). The date said is the first
    of the last unbroken run at or above the target in the series the chart draws."""
    import datetime as dt

    import polars as pl

    from ektp.data import queries
    from ektp.text import fmt

    at = run("pages/2_Tren.py", {"area": "00", "lang": lang})
    assert not at.exception
    line = next(shown(m.value) for m in at.markdown if "93" in m.value and ("sejak" in m.value or "since" in m.value))
    said = re.search(r"(?:sejak|since) (\d{1,2} \w+ \d{4})", line)[1]
    series = queries.series(["00"]).sort("as_of").filter(pl.col("recording_rate").is_not_null())
    pts = list(zip(series["as_of"], series["recording_rate"], strict=True))
    start = None
    for d, v in pts:
        start = (start or d) if v >= 0.9386 else None
    assert start is not None and said == fmt.date(start, lang), (said, start)
    assert start < dt.date(2019, 1, 1)  # above target since 2018, as the chart shows


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_units_burn_down_is_not_drawn_as_the_nations(app_env: Path, lang: str) -> None:
    """Finding 5: the national backlog page opened on Kota Kupang's 2020 burn-down. The nation
    draws only its own dated targets and links to its units' burn-downs; Kupang draws its own."""
    at = run(BACKLOG, {"area": "00", "lang": lang})
    assert not at.exception
    assert not [c for c in at.get("plotly_chart") if "burn_" in c.proto.id]
    links = [p for p in at.get("page_link") if "Kota Kupang" in p.proto.label]
    assert links and "area=53.71" in links[0].proto.query_string.split("&")
    at = run(BACKLOG, {"area": "53.71", "lang": lang})
    assert [c for c in at.get("plotly_chart") if "burn_53.71" in c.proto.id]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "15", "53"])
def test_a_targets_bar_reaches_the_line_only_when_it_is_met(app_env: Path, area: str, lang: str) -> None:
    """Finding 2: almost every bar ended at the 100% line, missed targets too (current / target:
    97% of a 98% target drew as 99% done). A bar is the share of the gap from the baseline to
    the target that was closed: it reaches the line exactly when the target is met."""
    import json

    at = run("pages/4_Target.py", {"area": area, "lang": lang})
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    met_word = {"id": "Tercapai", "en": "Met"}[lang]
    seen = 0
    for tr in fig["data"]:
        if tr.get("type") != "bar":
            continue
        for x in _values(tr["x"]):
            seen += 1
            if tr["name"] == met_word:
                assert x >= 100 - 1e-9, (tr["name"], x)
            else:
                assert x < 100, (tr["name"], x)
    assert seen


LABEL_VIEWS = [
    {"area": "15", "level": "regency", "date": "2019-03-31"},
    {"area": "00", "level": "province"},
    {"area": "53", "level": "regency"},
    {"area": "15.03", "level": "district", "date": "2019-03-31"},
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", LABEL_VIEWS, ids=lambda v: "-".join(v.values()))
def test_maps_name_their_units_without_collisions(app_env: Path, view: dict, lang: str) -> None:
    """Finding 11: the map wrote values only, and they collided ("97,8%97,4%"). Up to 40 units,
    each unit carries its name and figure, or a number the key under the map spells out; no two
    labels overlap on the canvas they are laid out on; the laggard is always named; the map page
    and the reader page place the same labels."""

    from ektp.core import labels as maplabels
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    choice, _ = choose({**{k: [v] for k, v in view.items()}, "lang": [lang]})
    drawn = gather(choice)
    assert drawn.labels
    boxes = []
    for x, y, text in drawn.labels:
        lines = tuple(text.split("\n"))
        boxes.append(maplabels._box(x, y, lines, 13))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not maplabels._overlaps(a, b), (a, b)
    named = [t for _, _, t in drawn.labels if "\n" in t]
    numbered = [t for _, _, t in drawn.labels if "\n" not in t]
    assert len(named) + len(numbered) == len(drawn.data.filter(drawn.data["recording_rate"].is_not_null()))
    first = drawn.table[0][0]  # the laggard, named in full
    assert any(t.split("\n")[0] == maplabels.short_name(first) for t in named), (first, named[:3])
    if numbered:
        assert drawn.label_key and all(f"{n} " in drawn.label_key for n in numbered)
    from tests.conftest import map_payloads

    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    payload = map_payloads(at)[0]  # the page draws the model's own labels and key
    assert payload["svg"] == svg_of(drawn)
    if numbered:
        assert html.escape(drawn.label_key) in payload["legend"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_reader_files_name_sources_as_people_cite_them(
    app_env: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 9: the reader's CSV and JSON carried "synthetic/coverage_synthetic.parquet row
    8367" as a figure's source on the public instance. They carry the source as the page says it."""
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose
    from ektp.reader import page

    monkeypatch.setenv("EKTP_PUBLIC", "1")
    choice, _ = choose({"area": ["15"], "level": ["regency"], "date": ["2019-03-31"], "lang": [lang]})
    drawn = gather(choice)
    text = page.csv(drawn).decode()
    assert ".parquet" not in text and not re.search(r"\brow \d+", text)
    assert "radarjambi.co.id (31 Mar 2019)" in text  # an article as it is cited
    assert ("isian sintetis" if lang == "id" else "synthetic fill (illustrative") in text  # the fill, said as such


@pytest.mark.parametrize("area", ["00", "15", "91", "94", "53.71", "16.71"])
def test_a_targets_series_is_the_trend_the_charts_draw(app_env: Path, area: str) -> None:
    """Review finding (2026-12-08): the Targets page judged targets on a series that still held
    partial sums, so it said both national targets were "met since 31 July 2022" (a 24 July
    "sum" of Jayawijaya alone broke the run) beside a trend above them since 2018. Each target
    metric's series is the trend's (queries.series: the area's own figures, no partial sum)."""
    import polars as pl

    trend = queries.series([area])
    for metric, column in (
        ("recording_rate", "recording_rate"),
        ("recorded_count", "recorded"),
        ("unrecorded_count", "unrecorded"),
    ):
        judged = queries.metric_series(area, metric)
        drawn = trend.filter(pl.col(column).is_not_null())
        assert judged["as_of"].to_list() == drawn["as_of"].to_list(), (area, metric)
        assert judged["value"].to_list() == pytest.approx(drawn[column].cast(pl.Float64).to_list()), (area, metric)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_targets_page_says_a_target_is_met_since_the_date_trends_says(app_env: Path, lang: str) -> None:
    """The national targets met: the Targets table's "reached" date is where the trend's last
    unbroken run at or above the target starts, as the Trends page says it."""
    import polars as pl

    from ektp.text.i18n import t

    at = run("pages/4_Target.py", {"area": "00", "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if t("reached", lang) in d.value.columns]
    assert tables
    rows = tables[0]
    met = queries.targets("00").filter((pl.col("region_code") == "00") & pl.col("metric").is_in(["recording_rate"]))
    assert met.height
    trend = queries.series(["00"]).filter(pl.col("recording_rate").is_not_null())
    for target in met["target_value"].to_list():
        start = None
        for d, v in zip(trend["as_of"], trend["recording_rate"], strict=True):
            start = (start or d) if v >= target else None
        reached = [r for r in rows[t("reached", lang)].to_list() if r is not None and r == r]
        assert start is not None and start < dt.date(2019, 1, 1)
        assert any(str(r)[:10] == start.isoformat() for r in reached), (target, start, reached)
    assert not any(str(r)[:10] == "2022-07-31" for r in rows[t("reached", lang)].to_list())


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "15", "15.03", "53.71"])
def test_the_overviews_changes_compare_figures_of_one_kind(app_env: Path, area: str, lang: str) -> None:
    """Review finding (2026-12-08): the national tile said "+236,388 since 30 November 2025",
    a published release set against the synthetic fill's sum of the month before: a change of
    source, not of people. A tile's change is against the latest earlier figure of the same kind
    (published against published, synthetic against synthetic), and the page names it."""
    from ektp.data import db
    from ektp.text.i18n import t

    at = run("app.py", {"area": area, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    rows = db.query(
        "SELECT as_of, eligible, recorded, is_synthetic, source_kind, source FROM v_coverage_area "
        "WHERE region_code = $code AND NOT is_partial ORDER BY as_of DESC",
        {"code": area},
    ).rows()
    cur = rows[0]
    prev = next((r for r in rows[1:] if r[3] == cur[3] and r[4] == cur[4]), None)
    tiles = {m.label: m for m in at.metric}
    eligible = tiles[t("eligible", lang)]
    if prev is None:
        assert not eligible.delta
        return
    assert eligible.delta == t(
        "change_since", lang, delta=fmt.signed(cur[1] - prev[1], lang, 0), date=fmt.date(prev[0], lang)
    )
    said = t("change_against", lang, date=fmt.date(prev[0], lang), source=fmt.source(prev[5], lang))
    assert said in [shown(c.value) for c in at.caption]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("area", ["00", "16.71", "53.71", "15"])
def test_the_overviews_kind_of_a_count_is_the_kind_of_what_it_counts(app_env: Path, area: str, lang: str) -> None:
    """Review finding (2026-12-08): the Overview called the national and Palembang "cards not
    collected" a mix of sourced and synthetic, while the only sourced rows (Palembang's 2022
    brief) give no count: the tile is the synthetic fill's alone, as the Backlog page says."""
    import polars as pl

    from ektp.text.i18n import t

    at = run("app.py", {"area": area, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    cur, _ = queries.area_latest(area)
    backlog = queries.backlog_latest(area, cur["as_of"]).filter(pl.col("awaiting_pickup").is_not_null())
    blanko = queries.blanko_latest(area, cur["as_of"]).filter(pl.col("remaining").is_not_null())
    line = next(shown(c.value) for c in at.caption if shown(c.value).startswith(t("awaiting_pickup", lang)))
    said_backlog, said_blanks = (part.split(": ", 1)[1] for part in line.split(" · "))
    assert said_backlog == (fmt.marker(backlog["is_synthetic"].to_list(), lang) if backlog.height else "–")
    assert said_blanks == (fmt.marker(blanko["is_synthetic"].to_list(), lang) if blanko.height else "–")
    if area in ("00", "16.71"):
        assert said_backlog == t("synthetic_marker", lang)  # the case the page got wrong


DATED_CHART_VIEWS = [
    ("pages/3_Antrean_pengambilan.py", {"area": "00", "date": "2019-03-31"}),
    ("pages/3_Antrean_pengambilan.py", {"area": "53.71"}),
    ("pages/3_Antrean_pengambilan.py", {"area": "16.71", "date": "2022-03-31"}),
    ("pages/5_Blangko_dan_kartu_rusak.py", {"area": "15.03", "date": "2019-03-31"}),
    ("pages/5_Blangko_dan_kartu_rusak.py", {"area": "15"}),
]


@pytest.mark.parametrize(
    ("page", "params"), DATED_CHART_VIEWS, ids=lambda v: v if isinstance(v, str) else "-".join(v.values())
)
def test_a_charts_as_of_date_is_its_last_figure_and_it_cites_nothing_later(
    page: str, params: dict, app_env: Path
) -> None:
    """Review finding (2026-12-08): the Backlog trend of 31 March 2019 said "As of 31 March 2019"
    under a line that ran to 2025 and cited a 2020 article; Kupang's burn-down said "As of"
    its deadline under figures two months past it; the Blanks chart of 2019 cited a 2020
    article. A dated chart's "As of" is its last figure, and no source it cites is dated later."""
    import json

    for lang in ("en", "id"):
        at = run(page, {**params, "lang": lang})
        assert not at.exception, [e.value for e in at.exception]
        charts_ = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        dated = 0
        for spec in charts_:
            xs = [
                str(x)[:10] for tr in spec["data"] for x in (tr.get("x") or []) if re.match(r"\d{4}-\d\d-\d\d", str(x))
            ]
            if not xs:
                continue
            dated += 1
            line = next(a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith(("Source", "Sumber")))
            line = line.replace("<br>", " ")
            last = dt.date.fromisoformat(max(xs))
            said = re.search(r"(?:As of|per) (\d{1,2} \w+ \d{4})\.?\s*$", line)
            assert said, line
            said = said[1]
            assert said == fmt.date(last, lang), (spec["layout"].get("title"), line, last)
            if lang == "en":  # every date the sources name, at most the chart's last
                for d in re.findall(
                    r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}",
                    line,
                ):
                    assert dt.datetime.strptime(d, "%d %B %Y").date() <= last, (d, line)
        assert dated, page
