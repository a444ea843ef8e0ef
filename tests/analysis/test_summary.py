"""The sentence above the map (ektp/analysis/summary.py): figures, wording and language, from exactly the
frame the map draws; synthetic-only, no-count and count-metric cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from ektp.analysis import summary
from ektp.data import queries
from tests.conftest import shown

D = dt.date(2019, 3, 31)


def test_jambi_2019_in_english_and_indonesian(app_env: Path) -> None:
    df = queries.map_values("regency", "15", D)
    en = summary.map_sentence(df, "recording_rate", "regency", "Jambi", 0.98, "en")
    assert en.startswith(
        "Kabupaten Sarolangun has the lowest recording rate in Jambi: 86.0% (14.0% unrecorded), "
        "12.0 points below the 98% target; "
    )
    # only Sarolangun has a target of its own: it alone is judged (Jambi's is the province's)
    assert "1 of 1 regencies/cities is below target (10 without a target of their own)." in en
    # the article gave a rate, no counts: no people count is said for Sarolangun
    assert "people" not in en.split(";")[0]
    # ten of the eleven figures are the demonstration fill, and the sentence says so
    assert en.endswith("10 of 11 figures on this map are synthetic (demonstration fill).")
    idn = summary.map_sentence(df, "recording_rate", "regency", "Jambi", 0.98, "id")
    assert idn.startswith(
        "Kabupaten Sarolangun memiliki persentase perekaman terendah di Jambi: 86,0% (14,0% belum rekam), 12,0 poin di bawah target 98%"
    )


def frame(rows: list[dict]) -> pl.DataFrame:
    base = {
        "code": None,
        "name": None,
        "recording_rate": None,
        "unrecorded": None,
        "print_gap": None,
        "is_synthetic": False,
    }
    return pl.DataFrame([{**base, **r} for r in rows])


def test_counts_only_where_they_exist_and_synthetic_only() -> None:
    df = frame(
        [
            {"code": "a", "name": "Kota A", "recording_rate": 0.90, "unrecorded": 1234, "is_synthetic": True},
            {"code": "b", "name": "Kab. B", "recording_rate": 0.99, "unrecorded": 10, "is_synthetic": True},
        ]
    )
    text = summary.map_sentence(df, "recording_rate", "district", "X", None, "en")
    assert text == (
        "Kota A has the lowest recording rate in X: 90.0% (10.0% unrecorded, 1,234 people) (a synthetic figure); "
        "the highest is Kab. B at 99.0%. All figures on this map are synthetic (demonstration fill), not published."
    )
    one = summary.map_sentence(
        df.head(1).with_columns(pl.lit(False).alias("is_synthetic"), pl.lit(0.9).alias("target")),
        "recording_rate",
        "district",
        "X",
        0.9,
        "en",
    )
    assert (
        one
        == "Kota A is the only unit with a figure in X: 90.0% recorded (10.0% unrecorded, 1,234 people), at or above the 90% target; 0 of 1 districts are below target."
    )


def test_count_metric_and_nothing_to_say() -> None:
    df = frame(
        [
            {"code": "a", "name": "Kota A", "recording_rate": 0.9, "unrecorded": 300},
            {"code": "b", "name": "Kab. B", "recording_rate": 0.8, "unrecorded": 700},
            {"code": "c", "name": "Kab. C", "recording_rate": 0.7},
        ]
    )
    text = summary.map_sentence(df, "unrecorded", "regency", "Y", 0.98, "id")
    assert text == "Kab. B memiliki penduduk belum rekam terbanyak di Y: 700 dari 1.000 (70,0%) di 2 wilayah."
    assert (
        summary.map_sentence(frame([{"code": "a", "name": "A"}]), "recording_rate", "regency", "Y", 0.98, "en") is None
    )


def test_below_target_line_judges_each_unit_against_its_own_target() -> None:
    df = frame(
        [
            {"code": "a", "name": "Kota A", "recording_rate": 0.90, "target": 0.98},
            {"code": "b", "name": "Kab. B", "recording_rate": 0.95, "target": 0.93},  # met its own
            {"code": "c", "name": "Kab. C", "recording_rate": 0.80},  # no target: never below
            {"code": "d", "name": "Kab. D", "recording_rate": 0.97, "target": 0.98},
        ]
    )
    line = summary.below_target_line(df, None, "en", named=1)
    assert line == (
        "**Below its own target, outlined on the map**: 2 of 3 — lowest: Kota A (90.0%) … and 1 more"
        " (sort the ranking to see them all)"
    )
    shared = df.filter(pl.col("target").is_not_null()).with_columns(pl.lit(0.5).alias("target"))
    assert summary.below_target_line(shared, 0.5, "id") == "**Di bawah target (50%), bergaris tebal di peta**: 0 dari 3"
    assert summary.below_target_line(df.drop("target"), None, "en") is None  # nobody judged: no line
    assert summary.map_sentence(df, "recording_rate", "regency", "Y", None, "en").endswith(
        "; 2 of 3 regencies/cities are below target (1 without a target of their own)."
    )


def test_trend_sentence_from_the_series_drawn() -> None:
    series = pl.DataFrame(
        {
            "region_code": ["15", "15", "15.03", "15.03"],
            "as_of": [dt.date(2013, 11, 15), dt.date(2024, 12, 31), dt.date(2013, 11, 15), dt.date(2019, 3, 31)],
            "recording_rate": [0.7361, 0.997, 0.6765, 0.86],
            "is_synthetic": [False, True, False, False],
        }
    )
    names = {"15": "Jambi", "15.03": "Kabupaten Sarolangun"}
    assert summary.trend_sentence(series, names, "en") == (
        "Jambi: from 73.6% (15 November 2013) to 99.7% (31 December 2024), +26.1 points; "
        "Kabupaten Sarolangun: from 67.7% (15 November 2013) to 86.0% (31 March 2019), +18.4 points. "
        "The latest figures include synthetic ones (demonstration fill)."
    )
    one = series.filter(pl.col("region_code") == "15.03").tail(1)
    assert summary.trend_sentence(one, names, "id") == "Kabupaten Sarolangun: 86,0% pada 31 Maret 2019."
    assert summary.trend_sentence(series.head(0), names, "en") is None


def test_targets_sentence_counts_statuses_and_names_the_furthest_behind() -> None:
    rows = [
        {"status": "status_met", "progress": 1.0, "label": "Jambi · recording rate"},
        {"status": "status_missed", "progress": 0.17, "label": "Kota Kupang · unrecorded residents"},
        {"status": "status_at_risk", "progress": 0.6, "label": "Sarolangun · recording rate"},
        {"status": "status_no_data", "progress": None, "label": "x"},
    ]
    assert summary.targets_sentence(rows, "en") == (
        "Of 4 targets: 1 missed, 1 at risk, 1 no data, 1 met; furthest behind: Kota Kupang · unrecorded residents, "
        "17% of the way from its baseline (missed)."
    )
    assert summary.targets_sentence(rows[:1], "id") == "Dari 1 target: 1 tercapai."
    assert summary.targets_sentence([], "en") is None


def test_trend_and_targets_pages_say_their_sentence(app_env: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    for page, start in (("pages/2_Tren.py", "Jambi: from "), ("pages/4_Target.py", "Of ")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.switch_page(page)
        at.query_params["area"], at.query_params["lang"] = "15", "en"
        at.run()
        assert not at.exception
        assert any(shown(m.value).startswith(start) for m in at.markdown), [shown(m.value) for m in at.markdown]


def test_backlog_series_and_destruction_sentences() -> None:
    offices = pl.DataFrame(
        {
            "office": ["UPT A", "UPT B"], "awaiting_pickup": [5000, 1250], "is_synthetic": [False, False],
            "oldest_card_date": [None, dt.date(2020, 1, 1)], "oldest_card_precision": [None, "year"],
        }
    )  # fmt: skip
    assert summary.backlog_offices_sentence(offices, "Kota Kupang", "en") == (
        "6,250 printed cards await pickup at 2 offices in Kota Kupang; the most at UPT A: 5,000 (80.0%); "
        "the oldest waiting card was printed in 2020 (UPT B)."
    )
    series = pl.DataFrame(
        {
            "as_of": [dt.date(2020, 1, 27), dt.date(2020, 6, 30)],
            "value": [40000.0, 28484.0],
            "is_synthetic": [False, True],
        }
    )
    assert summary.series_sentence(series, "value", "unrecorded residents", "Kota Kupang", "id") == (
        "Unrecorded residents di Kota Kupang: 40.000 pada 27 Januari 2020, 28.484 pada 30 Juni 2020 (-11.516). "
        "Termasuk angka sintetis (isian demonstrasi)."
    )
    register = pl.DataFrame(
        {
            "destroyed": [13659, 14120], "region_name": ["Kota Probolinggo", "Kota Jambi"],
            "event_date": [dt.date(2018, 12, 28), dt.date(2021, 7, 5)], "is_synthetic": [False, False],
        }
    )  # fmt: skip
    assert summary.destruction_sentence(register, "Indonesia", "en") == (
        "27,779 invalid cards destroyed in 2 events in Indonesia; the largest: 14,120 in Kota Jambi on 5 July 2021."
    )
    assert summary.destruction_sentence(register.head(0), "Indonesia", "en") is None


def test_backlog_and_blanks_pages_say_their_sentences(app_env: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    for page, starts in (
        ("pages/3_Antrean_pengambilan.py", ("printed cards await pickup at", "Printed, not collected in")),
        ("pages/5_Blangko_dan_kartu_rusak.py", ("Blank cards in stock in", "invalid cards destroyed in")),
    ):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.switch_page(page)
        at.query_params["lang"] = "en"
        at.run()
        assert not at.exception
        text = " ".join(shown(m.value) for m in at.markdown)
        assert all(s in text for s in starts), (page, text[:600])


def test_funnel_sentence_shares_of_the_eligible() -> None:
    from ektp.analysis.metrics import funnel

    assert summary.funnel_sentence(funnel(223211, 178804, 5000, 170000, 2000), "Kabupaten Sarolangun", "en") == (
        "Of 223,211 residents of Kabupaten Sarolangun who must hold a card: 178,804 recorded (80.1%), "
        "170,000 printed (76.2%), 168,000 collected (75.3%)."
    )
    assert summary.funnel_sentence(funnel(None, 178804, None, None, None), "X", "en") is None


def test_a_figure_export_carries_its_sentence_after_the_title() -> None:
    import plotly.graph_objects as go

    from ektp import charts

    fig = charts.funnel_chart([("eligible", 100), ("recorded", 90)], "en", "Funnel — X", "Source: y")
    top, height = fig.layout.margin.t, fig.layout.height
    sentence = "Of 100 residents of X who must hold a card: 90 recorded (90.0%)."
    out = charts.with_sentence(fig, sentence)
    assert out.layout.meta["title"] == "Funnel — X — " + sentence
    assert out.layout.title.text.replace("<br>", " ") == "Funnel — X — " + sentence
    assert out.layout.margin.t > top and out.layout.height > height  # room for the longer title
    printed = charts.for_print(out)  # a 1,200 px print re-wraps the whole title
    assert printed.layout.title.text.replace("<br>", " ") == "Funnel — X — " + sentence
    assert charts.with_sentence(go.Figure(), sentence).layout.title.text is None  # nothing to add to


def test_trend_targets_says_each_areas_status_and_projects_the_unmet_ones() -> None:
    """summary.trend_targets (what the Trends page draws and writes about targets, moved out of
    the page): a met target says since when; an unmet one with a deadline is projected."""
    import datetime as dt

    d = [dt.date(2024, 1, 31), dt.date(2024, 7, 31), dt.date(2025, 1, 31)]
    series = pl.DataFrame(
        {"region_code": ["A"] * 3 + ["B"] * 3, "as_of": d * 2, "recording_rate": [0.97, 0.981, 0.985, 0.90, 0.92, 0.94]}
    )
    targets = pl.DataFrame(
        {"region_code": ["A", "B"], "target_value": [0.98, 0.98], "deadline": [None, dt.date(2026, 12, 31)],
         "source": ["s", None], "set_by": ["x", "demo"], "is_synthetic": [False, True],
         "start_date": [dt.date(2023, 1, 1), dt.date(2023, 1, 1)]}
    )  # fmt: skip
    lines, projections, notes = summary.trend_targets(
        ["A", "B", "C"], {"A": "Alpha", "B": "Beta", "C": "Gamma"}, series, targets, "en", dt.date(2025, 2, 1)
    )
    assert [(label, v) for label, v, _ in lines] == [("Alpha: Target 98%", 0.98), ("Beta: Target 98%", 0.98)]
    assert notes[0].startswith("**Alpha** — Target 98% (s) · met · since 31 July 2024")
    assert notes[1].startswith("**Beta** — Target 98% (demo, synthetic) ·") and "Projected to reach" in notes[1]
    assert [p[0] for p in projections] == ["Beta"] and projections[0][1] == dt.date(2025, 1, 31)
