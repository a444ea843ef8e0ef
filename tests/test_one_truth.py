"""One truth on a page (issue 31): what the tiles, the sentence and the chart of one page say
agrees, over many views and both languages. Each test reads the page as AppTest renders it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, shown

BACKLOG = "pages/3_Antrean_pengambilan.py"


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
    from ektp import queries

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
        from ektp import fmt

        assert fmt.date(first, lang) in said  # the sentence starts where the chart does


def test_a_slow_pace_is_never_said_as_zero_beside_a_finish_date() -> None:
    """'Current pace: 0.000 pp per day · Projected to reach: 27 May 2026' said a zero pace that
    still arrives: the pace is said per month with the decimals it needs."""
    from ektp import fmt

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
    from ektp import fmt

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
    import json

    at = run("pages/1_Peta_cakupan.py", {**view, "lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [tr.get("name", "") for tr in fig["data"] if tr.get("showlegend")]
    counts = [
        int(m[1].replace(".", "").replace(",", ""))
        for n in names
        if (m := re.search(r"· ([\d.,]+) (?:wilayah|units?)$", n))
    ]
    table = at.dataframe[0].value  # the ranking: every unit of the view, one row each
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
