"""Parsing of Indonesian numbers, percentages, dates, headers and region names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.regions import RegionMatcher, name_key, normalize_code
from etl.transform import (
    ParseError,
    date_in_title,
    detect_locale,
    header_lookup,
    is_total_row,
    metric_name,
    norm_header,
    parse_count,
    parse_date,
    parse_number,
    parse_pct,
)


@pytest.mark.parametrize(
    ("raw", "locale", "expected"),
    [
        ("1.234.567", "id", 1234567),
        ("1.234", "id", 1234),
        ("1,234,567", "en", 1234567),
        ("1234567", "id", 1234567),
        (" 12 345 ", "id", 12345),
        (1234.0, "id", 1234),
        (17, "en", 17),
    ],
)
def test_counts(raw: object, locale: str, expected: int) -> None:
    assert parse_count(raw, locale) == expected


@pytest.mark.parametrize("raw", ["-5", "(12)", "abc", "1,234", "12.5", "1.23.4", "", "1e5x"])
def test_bad_counts_are_errors(raw: str) -> None:
    with pytest.raises(ParseError):
        parse_count(raw, "id")


def test_ambiguous_thousands_follow_file_locale() -> None:
    assert parse_number("1.234", "id") == 1234
    assert parse_number("1,234", "id") == 1.234
    assert parse_number("1,234", "en") == 1234
    assert parse_number("1.234", "en") == 1.234


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("90,5%", 90.5), ("86", 86.0), ("98.22", 98.22), ("102,38", 102.38), (95.94, 95.94), ("14 %", 14.0)],
)
def test_percentages(raw: object, expected: float) -> None:
    assert parse_pct(raw, "id") == pytest.approx(expected)


@given(st.integers(min_value=0, max_value=10**12))
def test_indonesian_grouping_round_trips(n: int) -> None:
    text = f"{n:,}".replace(",", ".")
    assert parse_count(text, "id") == n
    assert parse_count(f"{n:,}", "en") == n


@pytest.mark.parametrize(
    ("raw", "expected", "precision"),
    [
        ("31/03/2019", dt.date(2019, 3, 31), "day"),
        ("2019-03-31", dt.date(2019, 3, 31), "day"),
        ("31 Maret 2019", dt.date(2019, 3, 31), "day"),
        ("31 March 2019", dt.date(2019, 3, 31), "day"),
        ("Februari 2020", dt.date(2020, 2, 29), "month"),
        ("2020", dt.date(2020, 1, 1), "year"),
        (dt.datetime(2019, 3, 31, 0, 0), dt.date(2019, 3, 31), "day"),
    ],
)
def test_dates(raw: object, expected: dt.date, precision: str) -> None:
    assert parse_date(raw) == (expected, precision)


@pytest.mark.parametrize("raw", ["31/02/2019", "2019-13-01", "kemarin", "31 Smarch 2019"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(ParseError):
        parse_date(raw)


def test_date_in_title_rows() -> None:
    assert date_in_title(["DATA PEREKAMAN", "KEADAAN 31 MARET 2019"]) == (dt.date(2019, 3, 31), "day")
    assert date_in_title(["no date here"]) is None


def test_headers_in_any_case_and_language() -> None:
    lk = header_lookup("coverage")
    assert lk[norm_header("Kabupaten/Kota")] == "region_name"
    assert lk[norm_header("KODE WILAYAH")] == "region_code"
    assert lk[norm_header("wajib ktp-el")] == "eligible"
    assert lk[norm_header("SUDAH REKAM")] == "recorded"
    assert lk[norm_header("% REKAM")] == "recorded_pct"
    assert lk[norm_header("Recorded")] == "recorded"
    assert lk[norm_header("PRR")] == "print_ready"
    assert norm_header("JUMLAH PENDUDUK") in lk


def test_total_rows_and_locale_detection() -> None:
    assert is_total_row(["JUMLAH", "", "1.000"])
    assert is_total_row(["", "TOTAL", "5"])
    assert not is_total_row(["1", "Kabupaten Sarolangun"])
    assert detect_locale(["1.234.567", "90,5"]) == "id"
    assert detect_locale(["1,234,567", "2,345,678"]) == "en"


def test_metric_names() -> None:
    assert metric_name("% rekam") == "recording_rate"
    assert metric_name("belum rekam") == "unrecorded_count"
    assert metric_name("KTP belum diambil") == "pickup_backlog"
    with pytest.raises(ParseError):
        metric_name("cuaca")


def test_codes_and_name_keys() -> None:
    assert normalize_code("1503") == "15.03"
    assert normalize_code("15.03.01") == "15.03.01"
    assert normalize_code("150301") == "15.03.01"
    assert normalize_code("1503.0") == "15.03"
    assert normalize_code("abc") is None
    assert name_key("KAB. SAROLANGUN") == ("kabupaten", "SAROLANGUN")
    assert name_key("Kota Jambi") == ("kota", "JAMBI")


@pytest.fixture(scope="module")
def matcher() -> RegionMatcher:
    return RegionMatcher()


@pytest.mark.parametrize(
    ("name", "province", "code"),
    [
        ("KAB. SAROLANGUN", "15", "15.03"),
        ("Kabupaten Sarolangun", None, "15.03"),
        ("Sarolangun", "15", "15.03"),
        ("Kota Jambi", "15", "15.71"),
        ("BATANG HARI", "15", "15.04"),
        ("Tanjab Timur", "15", "15.07"),
        ("Tanjab Barat", "15", "15.06"),
        ("KUPANG", "53", "53.01"),
        ("KOTA KUPANG", "53", "53.71"),
    ],
)
def test_region_names_as_offices_type_them(matcher: RegionMatcher, name: str, province: str | None, code: str) -> None:
    assert matcher.by_name(name, province=province).code == code


def test_city_needs_kota_and_province_never_matches(matcher: RegionMatcher) -> None:
    m = matcher.by_name("JAMBI", province="15")
    assert m.code is None and "15.71 Kota Jambi" in m.candidates


def test_ambiguous_name_lists_candidates(matcher: RegionMatcher) -> None:
    # 'Barat' districts exist in many regencies: without a parent it is ambiguous
    m = matcher.by_name("Kota Baru", level="district")
    assert m.code is None
    assert len(m.candidates) >= 2
    assert "matches" in (m.error or "")


def test_scope_keeps_names_inside_the_province(matcher: RegionMatcher) -> None:
    m = matcher.by_name("KOTA KUPANG", province="15")
    assert m.code is None


def test_a_destruction_period_is_stored_as_the_span_its_source_wrote() -> None:
    """'2012' to '2018' is 1 Jan 2012 – 31 Dec 2018 at year precision; 'Januari 2019' as a start
    is the month's first day (parse_date alone gives an as-of date, the month's last)."""
    import datetime as dt

    from ektp.text import fmt
    from etl.transform import parse_date
    from etl.validate import period_bound

    def bound(text: str, field: str) -> tuple[dt.date, str]:
        d, p = parse_date(text)
        return period_bound(d, p, field), p

    assert bound("2012", "period_from") == (dt.date(2012, 1, 1), "year")
    assert bound("2018", "period_to") == (dt.date(2018, 12, 31), "year")
    assert bound("Januari 2019", "period_from") == (dt.date(2019, 1, 1), "month")
    assert bound("Januari 2019", "period_to") == (dt.date(2019, 1, 31), "month")
    assert bound("5/7/2021", "period_to") == (dt.date(2021, 7, 5), "day")
    assert fmt.period(dt.date(2019, 1, 1), "month", dt.date(2021, 12, 31), "year", "id") == "Januari 2019 – 2021"
    assert fmt.period(dt.date(2012, 1, 1), "year", None, None, "en") == "2012 – …"
    assert fmt.period(None, None, None, None, "en") == "–"
