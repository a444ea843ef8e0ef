"""What must agree on every map view (issue 31), checked over hundreds of views drawn by
hypothesis: area × level × metric × colour scheme × date × language, on the public instance.
The view model (ektp.mapview) is what the reader page, its files and the Overview draw;
tests/pages/test_one_truth.py checks that the map page says the same on chosen views.

Each view must hold:
- the legend counts each unit once: its classes' counts sum to the units of the view;
- every unit's fill is its class's colour; a unit without a figure never has a scale colour;
- the outline is exactly the units below their own target (queries.UNIT_TARGET_CTE);
- the sentence names first the unit the ranking lists first, with the figure the ranking shows;
- every number in the sentence is written the page's way, and no word of the other language,
  no file path, table name or row number appears in anything the view says.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Areas of every level and kind: the nation, a province of many regencies, a split province,
#: small provinces, regencies with districts (Sarolangun, Kota Kupang, a Papua regency).
AREAS = ("00", "15", "53", "91", "94", "35", "16", "15.03", "53.71", "35.74", "16.71", "91.71", "94.01")
#: A view of the 7,285 districts takes seconds to classify and project: left to the page tests.
TOO_BIG = {("00", "district")}

#: Words only one language uses (whole words; names of places are not in these lists).
OTHER_WORDS = {
    "id": re.compile(r"\b(the|of|below|above|units?|lowest|highest|synthetic|source|figures?|people)\b", re.I),
    "en": re.compile(r"\b(dari|wilayah|di bawah|terendah|tertinggi|sintetis|sumber|angka|jiwa|belum|poin)\b", re.I),
}
#: A number written the other language's way: "86.0%" on an Indonesian page, "86,0%" on an English one.
OTHER_NUMBER = {"id": re.compile(r"\d\.\d{1,2}%"), "en": re.compile(r"\d,\d{1,2}%")}
INTERNAL = re.compile(r"\.parquet|\.csv\b|\.xlsx\b|\brow \d+|synthetic/|coverage_area|v_targets|seed (article|brief)")


def _words(text: str) -> str:
    """Text without addresses (a URL's slug may be in either language)."""
    return " ".join(w for w in text.split() if "/" not in w and not re.search(r"\w\.\w", w))


@st.composite
def views(draw: st.DrawFn) -> dict:
    from ektp.data import geo, queries

    area = draw(st.sampled_from(AREAS))
    info = queries.region(area)
    level = draw(st.sampled_from([lv for lv in geo.LEVELS_UNDER[info["level"]] if (area, lv) not in TOO_BIG]))
    dates = queries.dates(level, area)
    when = draw(st.sampled_from(["latest", "2019", "first", "any"]))
    if not dates:
        date = None
    elif when == "latest":
        date = dates[-1]
    elif when == "first":
        date = dates[0]
    elif when == "2019":
        date = min(dates, key=lambda d: abs((d - dt.date(2019, 3, 31)).days))
    else:
        date = draw(st.sampled_from(dates))
    return {
        "area": [area],
        "level": [level],
        "metric": [draw(st.sampled_from(["recording_rate", "unrecorded_share", "unrecorded", "print_gap"]))],
        "scheme": [draw(st.sampled_from(["gap", "natural", "fixed", "equal", "quantile", "dukcapil"]))],
        "lang": [draw(st.sampled_from(["id", "en"]))],
        **({"date": [date.isoformat()]} if date else {}),
    }


@pytest.fixture
def public(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    return app_env


@settings(
    max_examples=220, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)
@given(query=views())
def test_every_view_agrees_with_itself(public: Path, query: dict) -> None:
    from ektp import charts
    from ektp.analysis import classes
    from ektp.data import geo, queries
    from ektp.mapview.model import gather
    from ektp.mapview.url import choose

    choice, bad = choose(query)
    assert not bad, (query, bad)
    drawn = gather(choice)
    if drawn is None:
        return
    lang = choice.lang
    mv = queries.map_view(choice.level, choice.area, choice.as_of, geo.boundary_name(choice.level, choice.area))
    units = mv.df.height

    # the legend counts each unit once
    def n(count: str) -> int:
        return int(re.match(r"[\d.,]+", count)[0].replace(".", "").replace(",", ""))

    legend = [e for e in drawn.legend if not e.outline]
    assert sum(n(e.count) for e in legend) == units, (query, [(e.label, e.count) for e in legend])
    # every fill is its class's colour; no figure, no scale colour
    colours = {e.colour for e in legend}
    assert set(drawn.fills.values()) <= colours
    missing = {r["code"] for r in mv.df.to_dicts() if charts.metric_value(r, choice.metric) is None}
    scale = colours - {classes.NO_DATA, classes.STALE}
    assert not [c for c in missing if drawn.fills.get(c) in scale and not _stale(mv, c)], query
    # the outline is the units below their own target
    outline = [e for e in drawn.legend if e.outline]
    below = set(classes.below_target(mv.df)["code"].to_list())
    assert set(drawn.outlined) == below and (n(outline[0].count) if outline else 0) == len(below)
    # the sentence names first the unit the ranking lists first
    if drawn.sentence and choice.compare is None:
        first = drawn.table[0]
        assert drawn.sentence.startswith(first[0] + " "), (drawn.sentence[:80], first[:2])
        assert first[1] in drawn.sentence, (first[1], drawn.sentence[:120])
    # each unit's figure as the ranking writes it lies inside its class's bounds as the legend
    # writes them (Tebo's "97,4%" sat in "97,45–97,55%")
    for row in drawn.table:
        bounds = re.fullmatch(r"([\d.,]+)(?:–([\d.,]+))?(%?)", row[2])
        figure = re.fullmatch(r"([\d.,]+)%?", row[1])
        if bounds and figure:
            lo, hi = _number(bounds[1], lang), _number(bounds[2] or bounds[1], lang)
            assert lo - 1e-9 <= _number(figure[1], lang) <= hi + 1e-9, (query, row[:3])
    # the page's language, and nothing internal
    said = [drawn.title, drawn.sentence or "", drawn.source_line, *(e.label for e in drawn.legend)]
    said += [*drawn.table_head, *(cell for row in drawn.table for cell in row[2:3])]
    text = " ".join(said)
    assert not OTHER_WORDS[lang].search(_words(text)), (lang, OTHER_WORDS[lang].search(_words(text)), text[:300])
    assert not OTHER_NUMBER[lang].search(text), (lang, text[:300])
    assert not INTERNAL.search(text + " ".join(str(c) for row in drawn.table for c in row)), text[:300]


def _stale(mv: object, code: str) -> bool:
    row = mv.df.filter(mv.df["code"] == code)
    return bool(row.height and row["is_stale"][0])


def _number(text: str, lang: str) -> float:
    """A number as the page writes it: "1.234,5" in Indonesian, "1,234.5" in English."""
    thousands, decimal = (".", ",") if lang == "id" else (",", ".")
    return float(text.replace(thousands, "").replace(decimal, "."))
