"""Compare two dates (issue 19): the change frame, its diverging classes, the change map, the
sentence naming the biggest gain and fall, and the map page's `compare=` permalink."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from ektp.analysis import changes
from tests.conftest import open_map_page, shown


def frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    now = pl.DataFrame(
        {"code": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "recording_rate": [0.98, 0.90, 0.955, None],
         "unrecorded": [200, 900, 450, None], "is_synthetic": [False, False, True, False], "fid": [0, 1, 2, 3]}
    )  # fmt: skip
    before = pl.DataFrame(
        {"code": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "recording_rate": [0.86, 0.92, 0.95, 0.5],
         "unrecorded": [1400, 700, 500, 10], "is_synthetic": [False, False, False, False]}
    )  # fmt: skip
    return now, before


def test_change_frame_points_for_rates_people_for_counts_worst_first() -> None:
    now, before = frames()
    ch = changes.change_frame(now, before, "recording_rate")
    assert ch["code"].to_list()[:3] == ["b", "c", "a"]  # the fall first, the biggest gain last
    row = ch.filter(pl.col("code") == "a").row(0, named=True)
    assert round(row["change"], 6) == 12.0 and round(row["before"], 6) == 86.0
    assert ch.filter(pl.col("code") == "d")["change"].to_list() == [None]  # no figure now: no change invented
    counts = changes.change_frame(now, before, "unrecorded")
    assert counts["code"].to_list()[0] == "b" and counts.filter(pl.col("code") == "b")["change"].item() == 200


def test_diverging_classes_centred_on_no_change_coloured_by_better_or_worse() -> None:
    defs, which = changes.classes([-7.0, -2.0, 0.3, 2.0, 12.0, None], "recording_rate", "en")
    assert which == [0, 1, 2, 3, 4, None]
    assert defs[2]["label"] == "About the same (within 1 points)" and defs[2]["colour"] == "#f7f7f7"
    assert defs[4]["label"] == "Rose more than 5 points" and defs[4]["colour"] == "#542788"  # better: purple
    up, _ = changes.classes([100.0, -100.0], "unrecorded", "id")
    assert (
        up[4]["label"].startswith("Naik lebih dari 50 jiwa") and up[4]["colour"] == "#b35806"
    )  # more unrecorded: worse


def test_change_sentence_names_the_biggest_gain_and_fall_in_both_languages() -> None:
    now, before = frames()
    ch = changes.change_frame(now, before, "recording_rate")
    en = changes.change_sentence(ch, "recording_rate", "X", dt.date(2019, 3, 31), dt.date(2024, 12, 31), "en")
    assert en == (
        "Between 31 March 2019 and 31 December 2024, A improved most: +12.0 points (86.0% → 98.0%); "
        "B went back most: -2.0 points (92.0% → 90.0%); 2 of 3 units improved. "
        "1 of 3 figures on this map are synthetic (demonstration fill)."
    )
    idn = changes.change_sentence(ch, "recording_rate", "X", dt.date(2019, 3, 31), dt.date(2024, 12, 31), "id")
    assert idn.startswith("Antara 31 Maret 2019 dan 31 Desember 2024, A paling membaik: +12,0 poin (86,0% → 98,0%)")
    counts = changes.change_frame(now, before, "unrecorded")
    said = changes.change_sentence(counts, "unrecorded", "X", dt.date(2019, 3, 31), dt.date(2024, 12, 31), "en")
    assert "A improved most: -1,200 (1,400 → 200); B went back most: +200 (700 → 900); 2 of 3 units improved" in said


def test_change_map_structure(app_env: Path) -> None:
    """The change map (the view model's, `compare=`): every unit in a class of the change, each
    unit's words with both figures."""
    from ektp.mapview.model import gather
    from ektp.mapview.url import Choice

    d = gather(Choice("15", "regency", "recording_rate", "", dt.date(2024, 12, 31), dt.date(2019, 3, 31), "en"))
    assert len(d.tips) == 11 and set(d.fills) <= set(d.tips)
    (entry,) = [e for e in d.legend if e.colour == d.fills["15.03"]]
    assert entry.label.startswith("Rose more than 5 points")
    assert "86.0% → " in d.tips["15.03"]


def run(params: dict[str, str]) -> AppTest:
    return open_map_page(params)


def test_compare_permalink_and_hostile_values(app_env: Path) -> None:
    base = {"area": "15", "level": "regency", "date": "2024-12-31", "lang": "en"}
    at = run({**base, "compare": "2019-03-31"})
    assert not at.exception and not at.warning
    said = [
        shown(m.value) for m in at.markdown if shown(m.value).startswith("Between 31 March 2019 and 31 December 2024")
    ]
    assert said and "Kabupaten Sarolangun improved most: +11.7 points (86.0% → 97.7%)" in said[0]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Name", "Code", "31 March 2019", "31 December 2024", "Change"] and len(table) == 11
    from tests.conftest import map_payloads

    assert map_payloads(at)[0]["title"].startswith("Change in recording rate by regency/city, Jambi")
    assert at.query_params["compare"] == "2019-03-31"
    for bad in ("1999-01-01", "'; DROP TABLE coverage; --", "2024-12-31x"):
        at = run({**base, "compare": bad})
        assert not at.exception
        assert any("compare" in w.value for w in at.warning)
        assert not [m for m in at.markdown if shown(m.value).startswith("Between ")]  # the plain map instead
    at = run({**base, "compare": "2019-03-31", "lang": "id"})
    assert any(shown(m.value).startswith("Antara 31 Maret 2019 dan 31 Desember 2024") for m in at.markdown)


def test_no_comparison_leaves_the_parameter_out_of_the_link(app_env: Path) -> None:
    at = run({"area": "15", "level": "regency", "lang": "en"})
    assert not at.exception and "compare" not in at.query_params
    assert at.selectbox(key="w_compare").value == "none"
    assert at.selectbox(key="w_compare").format_func("none") == "(no comparison)"
