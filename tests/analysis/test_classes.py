"""Map classes that show the gap (ektp/analysis/classes.py): on the real default data, Jambi's regencies
on 31 March 2019 put Sarolangun (86%, the published figure) in a class of its own by default and
under natural breaks; labels name the target; counts get sequential classes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ektp import charts
from ektp.analysis import classes
from ektp.data.db import open_read_only


@pytest.fixture(scope="module")
def jambi_2019(default_db: Path) -> pl.DataFrame:
    con = open_read_only(default_db)  # the app's configuration: other tests hold the file open too
    try:
        tbl = con.sql(
            "SELECT region_code AS code, region_name AS name, recording_rate, unrecorded_share, unrecorded, "
            "print_gap FROM v_coverage_area WHERE parent_code = '15' AND as_of = '2019-03-31'"
        ).to_arrow_table()
    finally:
        con.close()
    return pl.from_arrow(tbl)


def _class_of(cls: list[dict], code: str) -> dict:
    return next(c for c in cls if code in c["codes"])


@pytest.mark.parametrize("scheme", ["gap", "natural"])
def test_sarolangun_has_a_colour_of_its_own(jambi_2019: pl.DataFrame, scheme: str) -> None:
    assert jambi_2019.height == 11
    cls = charts.classify(jambi_2019, "recording_rate", "en", scheme, target=0.98)
    own = _class_of(cls, "15.03")
    assert own["codes"] == ["15.03"]
    assert sum(c["colour"] == own["colour"] for c in cls if c["codes"]) == 1
    if scheme == "gap":
        assert own["label"] == "More than 10 points below"
        top = jambi_2019.sort("recording_rate").row(-1, named=True)  # a unit at or above 98% (synthetic)
        assert top["recording_rate"] >= 0.98
        met = _class_of(cls, top["code"])
        assert met["label"] == "At or above the 98% target" and met["colour"] == classes.GAP_MET


def test_gap_classes_count_points_below_the_target_in_both_languages() -> None:
    rates = [0.99, 0.98, 0.975, 0.965, 0.95, 0.90, 0.86, None]
    defs, which = classes.gap_classes(rates, 0.98, "id")
    assert which == [0, 0, 1, 2, 3, 4, 5, None]
    assert [d["label"] for d in defs] == [
        "Mencapai target 98% atau lebih",
        "0–1 poin di bawah",
        "1–2 poin di bawah",
        "2–5 poin di bawah",
        "5–10 poin di bawah",
        "Lebih dari 10 poin di bawah",
    ]
    assert len({d["colour"] for d in defs}) == len(defs)


def test_counts_get_sequential_natural_breaks_darker_for_more() -> None:
    values = [100.0, 120.0, 130.0, 5000.0, 5200.0, 40000.0]
    defs, which = classes.breaks_classes(values, "unrecorded", "natural", "en")
    assert which[-1] == len(defs) - 1 and which[0] == 0
    assert defs[-1]["colour"] == classes.SEQUENTIAL[-1]  # the most unrecorded people: darkest
    assert defs[-1]["label"] == "40,000"
    # a low recording rate is the worry: the lowest class is the darkest
    defs, which = classes.breaks_classes([86.0, 97.6, 97.9, 98.1], "recording_rate", "natural", "en")
    assert which[0] == 0 and defs[0]["colour"] == classes.SEQUENTIAL[-1]
    eq, _ = classes.breaks_classes([86.0, 97.6, 97.9, 98.1], "recording_rate", "equal", "en")
    assert len(eq) == 4


def test_default_scheme() -> None:
    assert classes.default_scheme("recording_rate", 0.98) == "gap"
    assert classes.default_scheme("unrecorded_share", 0.98) == "gap"
    assert classes.default_scheme("recording_rate", None) == "natural"
    assert classes.default_scheme("unrecorded", 0.98) == "natural"


def test_the_map_draws_sarolangun_in_its_own_colour(app_env: Path) -> None:
    """The map the map page draws for Jambi, 31 March 2019, in its default scheme (Jambi's
    regencies share no target: only Sarolangun has one, so natural breaks): Sarolangun's colour
    is its own, its legend entry names its class and one unit, and its outline marks it below its
    own target."""
    import datetime as dt

    from ektp.data import queries
    from ektp.mapview.model import gather
    from ektp.mapview.url import Choice

    scheme = classes.default_scheme("recording_rate", queries.view_target("regency", "15").value)
    d = gather(Choice("15", "regency", "recording_rate", scheme, dt.date(2019, 3, 31), None, "en"))
    colour = d.fills["15.03"]
    assert [c for c, f in d.fills.items() if f == colour] == ["15.03"]
    (entry,) = [e for e in d.legend if e.colour == colour]
    assert entry.label == "86.0%" and entry.count == "1 unit"
    assert d.outlined == ("15.03",) and any(e.outline and e.count == "1 unit" for e in d.legend)


def test_small_views_carry_value_labels_on_the_map(app_env: Path) -> None:
    """Up to LABEL_UNITS units: each unit's name and value sit on the map at its label point
    (DHIS2 does the same); the national regency map (514 units) carries none."""
    import datetime as dt

    from ektp.mapview.model import gather
    from ektp.mapview.url import Choice

    d = gather(Choice("15", "regency", "recording_rate", "gap", dt.date(2019, 3, 31), None, "id"))
    texts = [text for _, _, text in d.labels]
    assert len(texts) == 11 and "Sarolangun\n86,0%" in texts  # its name and figure
    x, y, _ = d.labels[texts.index("Sarolangun\n86,0%")]
    assert 0 < x < d.projected.width and 0 < y < d.projected.height
    nation = gather(Choice("00", "regency", "recording_rate", "gap", dt.date(2024, 12, 31), None, "en"))
    assert nation.labels == ()


def test_fixed_breaks_stay_fixed_across_two_dates(app_env: Path) -> None:
    """Breaks fixed over every date of the view: March 2019 and December 2024 share one legend,
    where each date's own natural breaks differ."""
    import datetime as dt

    from ektp.data import queries

    bins = classes.view_bins("regency", "15", "recording_rate")
    assert 2 <= len(bins) <= 5 and list(bins) == sorted(bins)
    early = queries.map_values("regency", "15", dt.date(2019, 3, 31))
    late = queries.map_values("regency", "15", dt.date(2024, 12, 31))
    fixed = [charts.classify(df, "recording_rate", "en", "fixed", fixed_bins=bins) for df in (early, late)]
    assert [c["label"] for c in fixed[0]] == [c["label"] for c in fixed[1]]
    assert [c["colour"] for c in fixed[0]] == [c["colour"] for c in fixed[1]]
    own = [charts.classify(df, "recording_rate", "en", "natural") for df in (early, late)]
    assert [c["label"] for c in own[0]] != [c["label"] for c in own[1]]
    # a unit falls in the class whose bounds hold its value
    for cls in fixed[1]:
        for r in cls["rows"]:
            if cls["key"].startswith("class_"):
                i = int(cls["key"].split("_")[1])
                assert r["recording_rate"] * 100 <= bins[i] + 1e-9
                assert i == 0 or r["recording_rate"] * 100 > bins[i - 1]


def test_the_ranking_says_each_units_class_in_words(app_env: Path) -> None:
    """Colour is never the only carrier: the map page's ranking names each unit's class."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, map_ranking

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/1_Peta_cakupan.py")
    # the provinces: each has a target of its own, so the default classes are distance to it
    for k, v in {"area": "00", "level": "province", "date": "2019-03-31", "lang": "en"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    table = map_ranking(at)  # the ranking listed under the map
    row = table[table["Code"] == "94"].iloc[0]  # Papua, far below in 2019
    assert row["Map class"] == "More than 10 points below"
    assert set(table["Map class"]) <= {
        "At or above the 98% target", "0–1 points below", "1–2 points below", "2–5 points below",
        "5–10 points below", "More than 10 points below",
    }  # fmt: skip
