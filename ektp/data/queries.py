"""All SQL the app runs, as typed functions with bound parameters (never formatted user values).

Results are cached per arguments and per identity of the served DB file, so a swapped file is
picked up on the next rerun. `area` is a Kemendagri code: '00' (Indonesia), a province, or a
regency; a unit is in the area when its code is the area or starts with the area and a dot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

import polars as pl
import streamlit as st

from ektp.data import db
from ektp.data.targetdata import (  # noqa: F401 - the targets' queries, asked as queries.<name>
    TARGET_METRICS,
    UNIT_TARGET_CTE,
    ViewTarget,
    burndown_window,
    metric_series,
    targets,
    view_target,
)

#: How far back a unit's latest figure may be and still be shown for a chosen date.
WINDOW_DAYS = 92


def _q(sql: str, params: dict | None = None) -> pl.DataFrame:
    return db.query(sql, params)


@st.cache_data(show_spinner=False, max_entries=256)
def _regions(stamp: tuple, level: str, parent: str | None) -> pl.DataFrame:
    return _q(
        "SELECT code, name, parent_code, kind FROM regions WHERE level = $level "
        "AND ($parent IS NULL OR parent_code = $parent) ORDER BY code",
        {"level": level, "parent": parent},
    )


def regions(level: str, parent: str | None = None) -> pl.DataFrame:
    """Units of a level (optionally children of one parent), for pickers."""
    return _regions(db.stamp(), level, parent)


@st.cache_data(show_spinner=False, max_entries=1024)
def _region(stamp: tuple, code: str) -> dict | None:
    df = _q(
        "SELECT code, level, name, parent_code, province_code, kind FROM regions WHERE code = $code", {"code": code}
    )
    return df.row(0, named=True) if df.height else None


def region(code: str) -> dict | None:
    return _region(db.stamp(), code)


@st.cache_resource(show_spinner=False, max_entries=4)
def _province_names(stamp: tuple) -> MappingProxyType:
    df = _regions(stamp, "province", None)
    return MappingProxyType(dict(zip(df["code"].to_list(), df["name"].to_list(), strict=True)))


def province_names() -> MappingProxyType:
    """Province code → name (shared, read only)."""
    return _province_names(db.stamp())


@st.cache_resource(show_spinner=False, max_entries=8)
def _translations(stamp: tuple, lang: str) -> MappingProxyType:
    df = _q("SELECT text, translated FROM translations WHERE lang = $lang", {"lang": lang})
    return MappingProxyType(dict(zip(df["text"].to_list(), df["translated"].to_list(), strict=True)))


def translations(lang: str) -> MappingProxyType:
    """Stored text of the curated files → its reading in `lang` (etl/translations.py; shared,
    read only). Text without a reading (an office's own words) is not in it."""
    return _translations(db.stamp(), lang)


def ancestors(code: str) -> list[dict]:
    """The chain from Indonesia down to the unit: for breadcrumbs."""
    out = []
    cur = region(code)
    while cur is not None:
        out.append(cur)
        cur = region(cur["parent_code"]) if cur["parent_code"] else None
    return list(reversed(out))


@st.cache_data(show_spinner=False, max_entries=256)
def _dates(stamp: tuple, level: str, area: str) -> list[dt.date]:
    df = _q(
        "SELECT DISTINCT as_of FROM coverage_area WHERE level = $level AND in_scope(region_code, $area) ORDER BY as_of",
        {"level": level, "area": area},
    )
    return df["as_of"].to_list()


def dates(level: str, area: str) -> list[dt.date]:
    """Dates with coverage figures for units of a level inside an area."""
    return _dates(db.stamp(), level, area)


MAP_SQL = f"""
WITH {UNIT_TARGET_CTE},
latest AS (
    SELECT * FROM coverage_area
    WHERE level = $level AND as_of <= $as_of AND as_of > $as_of - $window_days::INTEGER
      AND in_scope(region_code, $area) AND NOT coalesce(children_reported < children_total, FALSE)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC) = 1
)
SELECT r.code, r.name, r.kind, l.as_of, l.population, l.eligible, l.recorded, l.printed,
       l.print_ready, l.unrecorded, l.recording_rate,
       CASE WHEN l.recording_rate IS NOT NULL THEN 1 - l.recording_rate END AS unrecorded_share,
       l.print_gap, l.source, l.source_kind, l.is_synthetic, l.warnings, l.origin,
       u.target, u.target_source, u.target_synthetic,
       CASE WHEN l.as_of IS NOT NULL THEN l.as_of < $as_of - $stale_days::INTEGER END AS is_stale
FROM regions r LEFT JOIN latest l ON l.region_code = r.code LEFT JOIN unit_target u ON u.region_code = r.code
WHERE r.level = $level AND in_scope(r.code, $area)
ORDER BY r.code
"""  # noqa: S608 (constants only; values are bound parameters)


@st.cache_data(show_spinner=False, max_entries=256)
def _map_values(stamp: tuple, level: str, area: str, as_of: dt.date, stale_days: int = 45) -> pl.DataFrame:
    params = {"level": level, "area": area, "as_of": as_of, "window_days": WINDOW_DAYS, "stale_days": stale_days}
    return _q(MAP_SQL, params)


def stale_days() -> int:
    """Days a unit's figure may be older than the map's date before it is drawn as stale."""
    from ektp.core import settings

    return int(settings.get("stale_days"))


def map_values(level: str, area: str, as_of: dt.date) -> pl.DataFrame:
    """Every unit of a level in the area with its latest figures on or before as_of (≤ 92 days),
    its own target, and whether its figure is older than stale_days()."""
    return _map_values(db.stamp(), level, area, as_of, stale_days())


@dataclass(frozen=True)
class MapView:
    """A map's data and what the page says about it, made once per view and shared by every
    session and rerun (st.cache_resource: no copy, no hashing of frames). Read only.

    Each polars call on a small frame costs ~0.3 ms; a map rerun made ~15 of them.
    """

    df: pl.DataFrame  # map_values: one row per unit of the level in the area
    key: tuple  # identity of the data: what a figure built from `df` is cached under
    codes: tuple[str, ...]
    names: MappingProxyType  # code → name
    sources: tuple[str, ...]  # distinct non-synthetic sources, sorted
    synthetic: tuple[bool, ...]  # the distinct is_synthetic values of units with figures
    by_province: MappingProxyType  # province code → its units' codes (for pickers of many units)


def map_view(level: str, area: str, as_of: dt.date, boundary: str) -> MapView:
    """map_values of a level in the area, kept per data build and per boundary file it is drawn on
    (geo.boundary_name)."""
    from ektp.data import geo

    return _map_view(db.stamp(), geo.file_stamp(boundary), level, area, as_of, boundary, stale_days())


@st.cache_resource(show_spinner=False, max_entries=256)
def _map_view(
    stamp: tuple, geo_stamp: tuple, level: str, area: str, as_of: dt.date, boundary: str, stale: int = 45
) -> MapView:

    df = _map_values(stamp, level, area, as_of, stale)
    codes = tuple(df["code"].to_list())
    sourced = df.filter(~pl.col("is_synthetic").fill_null(True))["source"].drop_nulls().unique().sort()
    return MapView(
        df=df,
        key=(stamp, geo_stamp, level, area, as_of, boundary, stale),
        codes=codes,
        names=MappingProxyType(dict(zip(codes, df["name"].to_list(), strict=True))),
        sources=tuple(sourced.to_list()),
        synthetic=tuple(sorted(set(df["is_synthetic"].drop_nulls().to_list()))),
        by_province=MappingProxyType(_group_by_province(codes)),
    )


def _group_by_province(codes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for c in codes:
        groups.setdefault(c[:2], []).append(c)
    return {k: tuple(v) for k, v in groups.items()}


@st.cache_data(show_spinner=False, max_entries=512)
def _area_rows(stamp: tuple, code: str, as_of: dt.date | None) -> pl.DataFrame:
    return _q(
        """
        WITH own AS (
            SELECT * FROM v_coverage_area WHERE region_code = $code AND NOT is_partial
              AND ($as_of IS NULL OR as_of <= $as_of)
        ), cur AS (SELECT * FROM own ORDER BY as_of DESC LIMIT 1),
        prev AS (
            SELECT own.* FROM own, cur
            WHERE own.as_of < cur.as_of AND own.is_synthetic = cur.is_synthetic
              AND own.source_kind IS NOT DISTINCT FROM cur.source_kind
            ORDER BY own.as_of DESC LIMIT 1
        )
        SELECT * FROM cur UNION ALL SELECT * FROM prev ORDER BY as_of DESC
        """,
        {"code": code, "as_of": as_of},
    )


def area_latest(code: str, as_of: dt.date | None = None) -> tuple[dict | None, dict | None]:
    """The area's figures on or before as_of, and the latest before them of the same kind (a
    published figure's before it, the synthetic fill's before the fill's): what 'change since'
    compares. Against the row just before, the nation's December release (211,826,747 eligible)
    was set against the fill's November sum: +236,388 "since 30 November", a change of source."""
    df = _area_rows(db.stamp(), code, as_of)
    rows = df.to_dicts()
    return (rows[0] if rows else None, rows[1] if len(rows) > 1 else None)


#: A map metric's value as drawn (rates in percent), over every date: for breaks fixed across dates.
_DRAWN = {
    "recording_rate": "recording_rate * 100",
    "unrecorded_share": "(1 - recording_rate) * 100",
    "unrecorded": "unrecorded",
    "print_gap": "print_gap",
}


@st.cache_data(show_spinner=False, max_entries=64)
def _drawn_values(stamp: tuple, level: str, area: str, metric: str) -> tuple[float, ...]:
    expr = _DRAWN[metric]  # one of four fixed expressions, never user text
    df = _q(
        f"SELECT {expr} AS v FROM coverage_area WHERE level = $level AND in_scope(region_code, $area) "  # noqa: S608
        f"AND {expr} IS NOT NULL",
        {"level": level, "area": area},
    )
    return tuple(df["v"].to_list())


def drawn_values(level: str, area: str, metric: str) -> tuple[float, ...]:
    """Every value a map view draws over all its dates (rates in percent): what classes fixed
    across dates are made of (classes.view_bins)."""
    return _drawn_values(db.stamp(), level, area, metric) if metric in _DRAWN else ()


@st.cache_data(show_spinner=False, max_entries=256)
def _label_points(stamp: tuple, codes: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    df = _q(
        "SELECT code, centroid_lng, centroid_lat FROM boundaries WHERE list_contains($codes, code) "
        "AND centroid_lng IS NOT NULL",
        {"codes": list(codes)},
    )
    return {c: (x, y) for c, x, y in df.iter_rows()}


def label_points(codes: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """Where a unit's value label sits on the map (its centroid, lng/lat), for small views."""
    return _label_points(db.stamp(), tuple(codes))


@st.cache_data(show_spinner=False, max_entries=256)
def _split_by_sex(stamp: tuple, code: str, as_of: dt.date) -> pl.DataFrame:
    return _q(
        "SELECT eligible_male, eligible_female, recorded_male, recorded_female, not_recorded_male, "
        "not_recorded_female, source FROM v_coverage WHERE region_code = $code AND as_of = $as_of "
        "AND (eligible_male IS NOT NULL OR recorded_male IS NOT NULL OR not_recorded_male IS NOT NULL) "
        "ORDER BY precedence, load_id DESC, row_number LIMIT 1",
        {"code": code, "as_of": as_of},
    )


def split_by_sex(code: str, as_of: dt.date) -> dict | None:
    """The split by sex (L / P) of an area's figures on a date, where a loaded file gave one
    (the preferred source among those that did); None where none did."""
    rows = _split_by_sex(db.stamp(), code, as_of).to_dicts()
    return rows[0] if rows else None


@st.cache_data(show_spinner=False, max_entries=256)
def _series(stamp: tuple, codes: tuple[str, ...]) -> pl.DataFrame:
    return _q(
        "SELECT region_code, region_name, as_of, recording_rate, unrecorded, eligible, recorded, printed, "
        "source, source_kind, is_synthetic, origin FROM v_coverage_area "
        "WHERE list_contains($codes, region_code) AND NOT is_partial ORDER BY region_code, as_of",
        {"codes": list(codes)},
    )


def series(codes: list[str]) -> pl.DataFrame:
    """Time series of the displayed figures for several areas."""
    return _series(db.stamp(), tuple(codes))


@st.cache_data(show_spinner=False, max_entries=256)
def _sourced_points(stamp: tuple, codes: tuple[str, ...]) -> pl.DataFrame:
    return _q(
        "SELECT region_code, region_name, as_of, recording_rate, unrecorded, source, warnings "
        "FROM v_coverage WHERE NOT is_synthetic AND list_contains($codes, region_code) ORDER BY as_of",
        {"codes": list(codes)},
    )


def sourced_points(codes: list[str]) -> pl.DataFrame:
    """Every published (non-synthetic) figure for the areas, each with its citation."""
    return _sourced_points(db.stamp(), tuple(codes))


@st.cache_data(show_spinner=False, max_entries=512)
def _sources_for(stamp: tuple, code: str, as_of: dt.date) -> pl.DataFrame:
    return _q(
        "SELECT as_of, source_kind, source, eligible, recorded, not_recorded, recorded_pct_reported, "
        "recording_rate, unrecorded, printed, print_ready, is_synthetic, warnings, note "
        "FROM v_coverage WHERE region_code = $code AND as_of = $as_of ORDER BY precedence, load_id DESC",
        {"code": code, "as_of": as_of},
    )


def sources_for(code: str, as_of: dt.date) -> pl.DataFrame:
    """All sources kept for one area and date (the alternatives when they disagree)."""
    return _sources_for(db.stamp(), code, as_of)


BACKLOG_LATEST_SQL = """
SELECT region_code, region_name, office, as_of, awaiting_pickup, collected, age_0_3m, age_3_6m,
       age_6_12m, age_12m_plus, oldest_card_date, oldest_card_precision, source, source_kind,
       is_synthetic, note, warnings
FROM v_backlog
WHERE as_of <= $as_of AND in_scope(region_code, $area)
QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code, office_key ORDER BY as_of DESC) = 1
ORDER BY oldest_card_date NULLS LAST, age_12m_plus DESC NULLS LAST, awaiting_pickup DESC NULLS LAST
"""


@st.cache_data(show_spinner=False, max_entries=256)
def _backlog_latest(stamp: tuple, area: str, as_of: dt.date) -> pl.DataFrame:
    return _q(BACKLOG_LATEST_SQL, {"area": area, "as_of": as_of})


def backlog_latest(area: str, as_of: dt.date) -> pl.DataFrame:
    """Each office's latest backlog on or before as_of; the oldest waiting cards first."""
    return _backlog_latest(db.stamp(), area, as_of)


BACKLOG_SERIES_SQL = """
SELECT day AS as_of, SUM(awaiting_pickup) AS awaiting_pickup, SUM(collected) AS collected,
       SUM(age_0_3m) AS age_0_3m, SUM(age_3_6m) AS age_3_6m, SUM(age_6_12m) AS age_6_12m,
       SUM(age_12m_plus) AS age_12m_plus, COUNT(*) AS offices,
       COUNT(*) FILTER (WHERE as_of = day) AS offices_reporting, BOOL_OR(is_synthetic) AS is_synthetic,
       STRING_AGG(DISTINCT CASE WHEN NOT is_synthetic THEN source END, '; ') AS sources
FROM v_backlog_carried WHERE in_scope(region_code, $area)
GROUP BY day HAVING offices_reporting > 0 ORDER BY day
"""


@st.cache_data(show_spinner=False, max_entries=256)
def _backlog_series(stamp: tuple, area: str) -> pl.DataFrame:
    return _q(BACKLOG_SERIES_SQL, {"area": area})


def backlog_series(area: str) -> pl.DataFrame:
    """Cards awaiting pickup in the area per date: each office's latest figure on or before the
    date, summed, as the page's headline sums them. Offices report on their own days (an
    article's one office on 27 Jan 2020, the others at month ends): summing only the rows of
    each date drew that one office as the whole country's backlog. `offices_reporting` counts
    the offices with a row on the date itself."""
    return _backlog_series(db.stamp(), area)


@st.cache_data(show_spinner=False, max_entries=256)
def _backlog_series_sources(stamp: tuple, area: str, until: dt.date | None) -> tuple[str, ...]:
    df = _q(
        "SELECT DISTINCT source FROM v_backlog WHERE in_scope(region_code, $area) AND NOT is_synthetic "
        "AND (awaiting_pickup IS NOT NULL OR collected IS NOT NULL) "
        "AND ($until IS NULL OR as_of <= $until) ORDER BY source",
        {"area": area, "until": until},
    )
    return tuple(df["source"].to_list())


def backlog_series_sources(area: str, until: dt.date | None = None) -> tuple[str, ...]:
    """The sources of the figures inside backlog_series' sums that are not synthetic (articles,
    office files), on or before `until`, for the line's source; rows without any count add
    nothing and are left out."""
    return _backlog_series_sources(db.stamp(), area, until)


@st.cache_data(show_spinner=False, max_entries=256)
def _blanko_latest(stamp: tuple, area: str, as_of: dt.date) -> pl.DataFrame:
    return _q(
        "SELECT region_code, region_name, as_of, received, used, damaged, remaining, daily_use_90d, "
        "CAST(ROUND(runway_days) AS BIGINT) AS runway_days, source, source_kind, is_synthetic, note FROM v_blanko_runway "
        "WHERE as_of <= $as_of AND in_scope(region_code, $area) "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC) = 1 "
        "ORDER BY runway_days NULLS LAST",
        {"area": area, "as_of": as_of},
    )


def blanko_latest(area: str, as_of: dt.date) -> pl.DataFrame:
    """Each area's latest blank-card stock and runway; the shortest runway first."""
    return _blanko_latest(db.stamp(), area, as_of)


@st.cache_data(show_spinner=False, max_entries=256)
def _blanko_published(stamp: tuple, area: str, own_area: bool) -> pl.DataFrame:
    return _q(
        """
        WITH pts AS (
            SELECT region_code, region_name, as_of, received, used, damaged, remaining, source, note, 0 AS file_rank
            FROM v_blanko_runway WHERE source_kind = 'citation'
            UNION ALL  -- the stock a published-figures row gives beside its coverage counts
            SELECT region_code, region_name, as_of, NULL, NULL, NULL, blanko_on_hand, source, note, 1
            FROM v_coverage WHERE source_kind = 'citation' AND blanko_on_hand IS NOT NULL
        )
        SELECT * EXCLUDE (file_rank) FROM pts
        WHERE CASE WHEN $own THEN region_code = $area ELSE in_scope(region_code, $area) END
        -- one figure given by both files (Sarolangun's 4,000 and 5,000) is listed once, with the
        -- blank-card file's note
        QUALIFY ROW_NUMBER() OVER (
            PARTITION BY region_code, as_of, received, used, damaged, remaining, source ORDER BY file_rank
        ) = 1
        ORDER BY as_of, region_code, remaining NULLS FIRST
        """,
        {"area": area, "own": own_area},
    )


def blanko_published(area: str, own_area: bool = False, until: dt.date | None = None) -> pl.DataFrame:
    """Blank-card figures from articles in the area (`own_area`: the area's own only, the ones its
    line can carry): the blank-card file's rows and the stock on hand that published-figures
    rows give. The series leaves them out: one regency's count on its own day is not the area's
    stock, so they are drawn as points and listed with their sources. Two readings of one
    article stay apart (Kupang, 27 Jan 2020: 4,000 blanks received in one, on hand in the other).
    `until`: only figures dated on or before it."""
    df = _blanko_published(db.stamp(), area, own_area)
    return df if until is None else df.filter(pl.col("as_of") <= until)


@st.cache_data(show_spinner=False, max_entries=256)
def _blanko_series(stamp: tuple, area: str) -> pl.DataFrame:
    return _q(
        "SELECT as_of, SUM(received) AS received, SUM(used) AS used, SUM(damaged) AS damaged, "
        "SUM(remaining) AS remaining, BOOL_OR(is_synthetic) AS is_synthetic FROM blanko_stock "
        "WHERE in_scope(region_code, $area) AND source_kind <> 'citation' GROUP BY as_of ORDER BY as_of",
        {"area": area},
    )


def blanko_series(area: str, until: dt.date | None = None) -> pl.DataFrame:
    """Stock in the area summed per date over the regular series (office files, synthetic fill);
    one-off published figures are listed in the table instead, so they do not dent the sum.
    `until`: only dates on or before it."""
    df = _blanko_series(db.stamp(), area)
    return df if until is None else df.filter(pl.col("as_of") <= until)


@st.cache_data(show_spinner=False, max_entries=64)
def _destruction(stamp: tuple, area: str) -> pl.DataFrame:
    return _q(
        "SELECT region_code, region_name, event_date, year, destroyed, period_from, period_to, "
        "period_from_precision, period_to_precision, method, "
        "reason_damaged, reason_changed_data, reason_other, witnesses, note, source, is_synthetic "
        "FROM v_destruction WHERE in_scope(region_code, $area) ORDER BY event_date",
        {"area": area},
    )


def destruction(area: str) -> pl.DataFrame:
    """The register of invalid-card destructions in the area."""
    return _destruction(db.stamp(), area)


_DESTRUCTION_TOTALS = {
    # the year as text: it is a label, and a table writes numbers with separators ("2.019")
    "year": "SELECT CAST(year AS VARCHAR) AS key, CAST(SUM(destroyed) AS BIGINT) AS destroyed FROM v_destruction "
    "WHERE in_scope(region_code, $area) GROUP BY year ORDER BY year",
    "region": "SELECT region_name AS key, CAST(SUM(destroyed) AS BIGINT) AS destroyed FROM v_destruction "
    "WHERE in_scope(region_code, $area) GROUP BY region_name ORDER BY destroyed DESC NULLS LAST, key",
}


@st.cache_data(show_spinner=False, max_entries=64)
def _destruction_totals(stamp: tuple, area: str, by: str) -> pl.DataFrame:
    return _q(_DESTRUCTION_TOTALS[by], {"area": area})


def destruction_totals(area: str, by: str) -> pl.DataFrame:
    """Cards destroyed in the area per year or per area ("year" | "region"): columns key, destroyed."""
    return _destruction_totals(db.stamp(), area, by)


@st.cache_data(show_spinner=False, max_entries=8)
def _meta(stamp: tuple) -> dict[str, str]:
    return dict(_q("SELECT key, value FROM meta").iter_rows())


def meta() -> dict[str, str]:
    return _meta(db.stamp())


@st.cache_data(show_spinner=False, max_entries=8)
def _sources(stamp: tuple) -> pl.DataFrame:
    return _q(
        "SELECT source, STRING_AGG(DISTINCT tbl, ', ') AS tables, COUNT(*) AS rows, MIN(d) AS first, MAX(d) AS last FROM ("
        " SELECT source, 'coverage' AS tbl, as_of AS d FROM coverage WHERE source_kind = 'citation'"
        " UNION ALL SELECT source, 'pickup_backlog', as_of FROM pickup_backlog WHERE source_kind = 'citation'"
        " UNION ALL SELECT source, 'blanko_stock', as_of FROM blanko_stock WHERE source_kind = 'citation'"
        " UNION ALL SELECT source, 'card_destruction', event_date FROM card_destruction WHERE source_kind = 'citation'"
        " UNION ALL SELECT source, 'targets', start_date FROM targets WHERE source_kind = 'citation'"
        ") GROUP BY source ORDER BY first"
    )


def sources() -> pl.DataFrame:
    """Every published source cited in the data, with where it is used."""
    return _sources(db.stamp())


EXPORTS = {
    "coverage": "SELECT region_code, region_name, level, as_of, date_precision, population, eligible, recorded, printed, print_ready, not_recorded, recorded_pct_reported, recording_rate, unrecorded, print_gap, source, source_kind, is_synthetic, warnings FROM v_coverage WHERE in_scope(region_code, $area) AND as_of BETWEEN $start AND $end ORDER BY region_code, as_of",
    "coverage_area": "SELECT region_code, region_name, level, as_of, eligible, recorded, printed, print_ready, unrecorded, recording_rate, print_gap, source, source_kind, is_synthetic, origin, warnings FROM v_coverage_area WHERE in_scope(region_code, $area) AND level IN ('country', 'province', 'regency') AND as_of BETWEEN $start AND $end ORDER BY region_code, as_of",
    "pickup_backlog": "SELECT region_code, region_name, office, as_of, awaiting_pickup, collected, age_0_3m, age_3_6m, age_6_12m, age_12m_plus, oldest_card_date, source, is_synthetic, warnings FROM v_backlog WHERE in_scope(region_code, $area) AND as_of BETWEEN $start AND $end ORDER BY region_code, office, as_of",
    "blanko_stock": "SELECT region_code, region_name, as_of, received, used, damaged, remaining, runway_days, source, is_synthetic FROM v_blanko_runway WHERE in_scope(region_code, $area) AND as_of BETWEEN $start AND $end ORDER BY region_code, as_of",
    "card_destruction": "SELECT region_code, region_name, event_date, destroyed, period_from, period_to, period_from_precision, period_to_precision, method, reason_damaged, reason_changed_data, reason_other, witnesses, note, source, is_synthetic FROM v_destruction WHERE in_scope(region_code, $area) ORDER BY event_date",
    "targets": "SELECT t.region_code, r.name AS region_name, metric, target_value, minimum_value, baseline_value, start_date, deadline, set_by, note, source, is_synthetic FROM v_targets t JOIN regions r ON r.code = t.region_code WHERE in_scope(t.region_code, $area) ORDER BY t.region_code",
}


@st.cache_data(show_spinner=False, max_entries=64)
def _export(stamp: tuple, name: str, area: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    sql = EXPORTS[name]
    params = {"area": area}
    if "$start" in sql:
        params.update(start=start, end=end)
    return _q(sql, params)


def export_table(name: str, area: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One downloadable table for the current filters (name from EXPORTS, a fixed allow-list)."""
    if name not in EXPORTS:
        raise KeyError(name)
    return _export(db.stamp(), name, area, start, end)
