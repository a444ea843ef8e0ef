"""Bands, classes, projections and target status."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.analysis.metrics import (
    count_breaks,
    count_class,
    funnel,
    progress_share,
    project,
    rate_band,
)
from ektp.text import fmt

D = dt.date


def test_dukcapil_bands() -> None:
    assert rate_band(1.02) == "band_ge100"
    assert rate_band(1.0) == "band_ge100"
    assert rate_band(0.9999) == "band_80"
    assert rate_band(0.8) == "band_80"
    assert rate_band(0.7999) == "band_60"
    assert rate_band(0.59) == "band_lt60"
    assert rate_band(None) == "band_none"


def test_count_classes() -> None:
    b = count_breaks([1, 2, 3, 4, 5, 6, 7, 8])
    assert b == [2, 4, 6, 8]
    assert count_class(1, b) == 0 and count_class(8, b) == 3 and count_class(None, b) is None


def test_projection_on_track_and_pace_needed() -> None:
    pts = [(D(2024, 1, 1), 0.90), (D(2024, 1, 31), 0.91), (D(2024, 3, 1), 0.92)]
    p = project(pts, 0.98, "recording_rate", D(2025, 12, 31), today=D(2024, 3, 2))
    assert p.status == "status_on_track"
    assert p.projected_date is not None and D(2024, 8, 1) < p.projected_date < D(2024, 10, 1)
    assert abs(p.pace_needed - 0.06 / (D(2025, 12, 31) - D(2024, 3, 1)).days) < 1e-12
    late = project(pts, 0.98, "recording_rate", D(2024, 4, 1), today=D(2024, 3, 2))
    assert late.status == "status_at_risk"


def test_past_deadline_met_or_missed_and_decreasing_metrics() -> None:
    pts = [(D(2020, 1, 27), 40000.0), (D(2020, 2, 29), 30000.0), (D(2020, 4, 30), 20000.0)]
    assert project(pts, 0, "unrecorded_count", D(2020, 4, 27), today=D(2026, 1, 1)).status == "status_missed"
    assert project(pts, 35000, "unrecorded_count", D(2020, 3, 1), today=D(2026, 1, 1)).status == "status_met"
    assert project([], 1, "recording_rate", None).status == "status_no_data"
    assert project(pts, 0, "unrecorded_count", None, today=D(2020, 5, 1)).status == "status_no_deadline"


def test_progress_and_funnel() -> None:
    assert progress_share(40000, 20000, 0, "unrecorded_count") == 0.5
    # a rate's share of the gap closed since its baseline, not current / target (97% of 98% is
    # not "99% done": from 96% it is half way)
    assert progress_share(0.96, 0.97, 0.98, "recording_rate") == pytest.approx(0.5)
    assert progress_share(0.96, 0.95, 0.98, "recording_rate") == pytest.approx(-0.5)  # the wrong way
    assert progress_share(0.985, 0.99, 0.98, "recording_rate") == 1.0  # met at the start and held
    assert progress_share(0.985, 0.97, 0.98, "recording_rate") == 0.0  # met at the start, then lost
    assert progress_share(None, 0.49, 0.98, "recording_rate") is None  # no baseline: no share
    assert progress_share(None, None, 0.98, "recording_rate") is None
    steps = dict(funnel(100, 90, 5, 80, 10))
    assert steps["collected"] == 70


def test_number_formats() -> None:
    assert fmt.num(1234567, "id") == "1.234.567"
    assert fmt.num(1234567, "en") == "1,234,567"
    assert fmt.pct(0.14, "id") == "14,0%"
    assert fmt.pct(0.14, "en") == "14.0%"
    assert fmt.date(D(2019, 3, 31), "id") == "31 Maret 2019"
    assert fmt.date(D(2019, 3, 31), "en", "month") == "March 2019"
    assert fmt.date(D(2024, 12, 31), "id", "short") == "31 Des 2024"
    assert fmt.date(D(2024, 8, 17), "en", "short") == "17 Aug 2024"
    # a roll-up's source in the reader's language; other sources untouched
    assert fmt.source("sum of 11 regency rows", "id") == "jumlah 11 baris kabupaten/kota"
    assert fmt.source("sum of 1234 district rows", "en") == "sum of 1,234 district rows"
    # the synthetic fill's file row is the synthetic fill to a reader, never a file name
    assert fmt.source("synthetic/coverage.parquet row 3", "id") == "isian sintetis (contoh, bukan angka resmi)"
    assert fmt.source(None, "id") is None


def test_every_check_note_the_etl_writes_reads_back_in_both_languages() -> None:
    """ektp/core/checks.py: what the ETL stores, the app reads back field by field, and says again."""
    import re

    from ektp.core import checks
    from ektp.text.i18n import LANGS, strings

    for key, template in checks.TEMPLATES.items():
        fields = re.findall(r"\{(\w+)\}", template)
        text = {"level": "regency", "measure": "eligible", "name": "Kabupaten Tebo", "typed": "KAB TEBO",
                "code": "15.09", "code_bps": "1508", "effective": "2022-11-11", "successors": "91, 93, 94, 95",
                "former": "91~2022", "when": "2019-03-31"}  # fmt: skip
        values = {
            f: text.get(f) or str(1000 + i) + ("." + "5" * i if "%" in template else "") for i, f in enumerate(fields)
        }
        stored = checks.write(key, **values)
        assert checks.read(stored) == [(key, values)], stored
        numbers = [v for f, v in values.items() if f not in text]
        for lg in LANGS:
            said = fmt.notes(stored, lg)
            assert said and "{" not in said and f"check_{key}" in strings(lg), (key, lg, said)
            for f in ("name", "code", "code_bps", "typed", "successors", "former"):  # names and codes as stored
                assert f not in values or values[f] in said, (key, lg, said)
            if numbers:  # the numbers written the reader's way
                assert fmt.num(float(numbers[0]), lg, len(numbers[0].split(".")[1]) if "." in numbers[0] else 0) in said
    # several notes in one text, one holding the separator itself, and one no template knows
    text = checks.SEP.join(
        [
            checks.write("over_eligible", recorded=183289, eligible=183238),
            "a hand-written note",
            checks.write("rate_mismatch", reported="94.31", computed="92.13"),
        ]
    )
    assert [k for k, _ in checks.read(text)] == ["over_eligible", None, "rate_mismatch"]
    assert fmt.notes(text, "id") == (
        "rekam 183.289 > wajib KTP-el 183.238 (lebih dari 100%; wajib KTP-el mungkin dari semester sebelumnya); "
        "a hand-written note; persentase tertulis 94,31% tidak sama dengan rekam / wajib KTP-el = 92,13%"
    )
    assert fmt.notes(None, "id") is None and fmt.notes("", "en") == ""
    assert fmt.source("sum of 1 district rows", "en") == "sum of 1 district row"


def test_the_etl_writes_its_notes_from_the_shared_templates() -> None:
    from ektp.core import checks
    from etl.validate import coverage_warnings

    notes = coverage_warnings(
        {
            "population": 90,
            "eligible": 100,
            "recorded": 120,
            "printed": 130,
            "not_recorded": 5,
            "recorded_pct_reported": 94.31,
        }
    )
    keys = [k for k, _ in checks.read(checks.SEP.join(notes))]
    assert keys == [
        "over_eligible",
        "printed_over_recorded",
        "eligible_over_population",
        "not_recorded_mismatch",
        "rate_mismatch",
    ]


def test_a_target_is_judged_on_its_series_from_the_last_value_before_its_start() -> None:
    """Kupang's '40,000 unrecorded done in 3 months': a falling count, baseline from the series."""
    from ektp.analysis.metrics import target_state

    target = {
        "metric": "unrecorded_count",
        "target_value": 0.0,
        "baseline_value": None,
        "start_date": D(2019, 4, 1),
        "deadline": D(2019, 7, 1),
    }
    points = [(D(2019, 3, 31), 40000.0, False), (D(2019, 5, 31), 30000.0, False), (D(2019, 6, 30), 10000.0, True)]
    s = target_state(target, points, today=D(2019, 8, 1))
    assert s.baseline == 40000.0  # the last value on or before the start
    assert s.projection.status == "status_missed" and s.projection.latest_value == 10000.0
    assert s.progress == 0.75 and s.value_synthetic  # the judged value is the synthetic one
    s = target_state({**target, "baseline_value": 50000.0}, points[:2], today=D(2019, 8, 1))
    assert s.baseline == 50000.0 and s.progress == 0.4 and not s.value_synthetic
    assert target_state(target, [], today=D(2019, 8, 1)).projection.status == "status_no_data"


def test_a_met_target_says_since_when_not_a_projection() -> None:
    """A target met at the latest value was 'projected to reach' on that date; it is met since
    the start of its last unbroken run of values at or past the target."""
    pts = [(D(2022, 1, 31), 0.97), (D(2022, 2, 28), 0.981), (D(2022, 3, 31), 0.979), (D(2022, 4, 30), 0.98)]
    pts += [(D(2022, 5, 31), 0.99)]
    p = project(pts, 0.98, "recording_rate", None, today=D(2022, 6, 1))
    assert p.status == "status_met" and p.projected_date is None and p.reached_date == D(2022, 4, 30)
    past = project(pts, 0.98, "recording_rate", D(2022, 3, 1), today=D(2026, 1, 1))
    assert past.status == "status_met" and past.reached_date == D(2022, 2, 28)
    missed = project(pts, 0.995, "recording_rate", None, today=D(2022, 6, 1))
    assert missed.reached_date is None and missed.projected_date is not None  # still heading there
    down = [(D(2020, 1, 27), 40000.0), (D(2020, 2, 29), 30000.0), (D(2020, 4, 30), 20000.0)]
    assert project(down, 30000, "unrecorded_count", None, today=D(2020, 5, 1)).reached_date == D(2020, 2, 29)


def test_targets_needing_attention_come_first() -> None:
    from ektp.analysis.metrics import attention_order

    rows = [
        {"status": s, "target_synthetic": syn, "label": lab}
        for s, syn, lab in [
            ("status_met", False, "a"),
            ("status_on_track", False, "b"),
            ("status_missed", True, "c"),
            ("status_at_risk", False, "d"),
            ("status_missed", False, "e"),
        ]
    ]
    assert [r["label"] for r in sorted(rows, key=attention_order)] == ["e", "d", "b", "a", "c"]


def test_a_target_row_says_its_deadline_and_projected_date_on_one_line() -> None:
    import polars as pl

    from ektp import ui

    targets = pl.DataFrame(
        {
            "region_code": ["15"], "region_name": ["Jambi"], "metric": ["recording_rate"], "target_value": [0.98],
            "minimum_value": [None], "baseline_value": [0.90], "start_date": [dt.date(2019, 1, 1)],
            "deadline": [dt.date(2019, 12, 31)], "set_by": ["Gubernur"], "source": ["x"], "is_synthetic": [False],
        }
    )  # fmt: skip
    series = pl.DataFrame(
        {"as_of": [dt.date(2019, 1, 31), dt.date(2019, 3, 31)], "value": [0.90, 0.91], "is_synthetic": [False, False]}
    )
    (row,) = ui.target_rows(targets, lambda code, metric: series, "en", dt.date(2019, 4, 30))
    assert row["status"] == "status_at_risk"
    assert row["label"].startswith("Jambi · recording rate · 31 Dec 2019 → ")
    assert row["projected"] > dt.date(2019, 12, 31)


def test_runway_is_the_stock_over_the_recent_daily_use() -> None:
    from ektp.analysis.metrics import runway_days

    assert runway_days([1200, 300, None], [10, 5, None]) == pytest.approx(100.0)
    assert runway_days([1200], [0]) is None  # nothing used: no pace to divide by
    assert runway_days([500, float("nan")], [None, 2.5]) == pytest.approx(200.0)
    assert runway_days([], []) is None


def test_sources_disagree_when_two_published_or_published_beside_the_fill() -> None:
    from ektp.analysis.metrics import sources_disagree

    assert sources_disagree([False, False]) and sources_disagree([False, True])
    assert not sources_disagree([False]) and not sources_disagree([True, True]) and not sources_disagree([])


def test_oldest_card_across_offices_keeps_its_precision() -> None:
    import polars as pl

    from ektp.analysis.metrics import oldest_card

    offices = pl.DataFrame(
        {
            "oldest_card_date": [dt.date(2021, 5, 31), None, dt.date(2020, 12, 31)],
            "oldest_card_precision": ["month", None, "year"],
        }
    )
    assert oldest_card(offices) == (dt.date(2020, 12, 31), "year")
    assert oldest_card(offices.head(0)) is None


def test_target_statuses_are_counted_and_only_published_sources_named() -> None:
    from ektp.analysis.metrics import published_target_sources, status_counts

    rows = [
        {"status": "missed", "source": "radarjambi.co.id (31 Mar 2019)", "target_synthetic": False},
        {"status": "met", "source": "synthetic fill", "target_synthetic": True},
        {"status": "missed", "source": "radarjambi.co.id (31 Mar 2019)", "target_synthetic": False},
        {"status": "at_risk", "source": "kupangkota.go.id", "target_synthetic": False},
    ]
    assert status_counts(rows) == {"at_risk": 1, "met": 1, "missed": 2}
    assert list(status_counts(rows)) == ["at_risk", "met", "missed"]
    assert published_target_sources(rows) == "kupangkota.go.id; radarjambi.co.id (31 Mar 2019)"
    assert published_target_sources(rows[1:2]) == "" and status_counts([]) == {}
