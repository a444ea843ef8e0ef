"""What the publishers said, beside what the app draws: a release's band counts, the figures of
an area before its split, the latest national release. Typed, parameterised and cached like
`ektp.data.queries` (its own module so that one stays readable)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from ektp.data import db


@st.cache_data(show_spinner=False, max_entries=64)
def _published_bands(stamp: tuple, level: str, area: str, as_of: dt.date) -> pl.DataFrame:
    return db.query(
        "SELECT release, as_of, band, lower_pct, upper_pct, units, source FROM published_bands "
        "WHERE level = $level AND $area = '00' AND as_of = $as_of ORDER BY coalesce(lower_pct, -1) DESC",
        {"level": level, "area": area, "as_of": as_of},
    )


def published_bands(level: str, area: str, as_of: dt.date) -> pl.DataFrame:
    """The band counts a release published for this map (the whole nation's units of a level on
    that date; DKB Semester I 2024 for regencies), highest band first; empty when none."""
    return _published_bands(db.stamp(), level, area, as_of)


FORMER_SQL = """
WITH k AS (
    SELECT former_code, name, effective, COUNT(*) AS n_successors,
           STRING_AGG(successor_code, ', ' ORDER BY successor_code) AS successors
    FROM region_splits GROUP BY ALL
    HAVING BOOL_OR(list_contains($codes, predecessor_code) OR list_contains($codes, successor_code))
), fig AS (
    SELECT v.region_code AS former_code, v.as_of, v.recording_rate, v.eligible, v.recorded, v.source, v.note,
           v.load_id, v.row_number
    FROM v_coverage v SEMI JOIN k ON k.former_code = v.region_code
), succ AS (
    SELECT fig.load_id, fig.row_number, COUNT(*) AS n, SUM(a.eligible) AS eligible, SUM(a.recorded) AS recorded,
           MIN(a.as_of) AS as_of, BOOL_OR(a.is_synthetic) AS is_synthetic
    FROM fig JOIN region_splits s ON s.former_code = fig.former_code
    ASOF JOIN coverage_area a ON a.region_code = s.successor_code AND fig.as_of >= a.as_of
    WHERE a.eligible > 0 AND a.recorded IS NOT NULL AND a.as_of > fig.as_of - INTERVAL 62 DAY
    GROUP BY ALL
)
SELECT fig.former_code, k.name, k.effective, k.successors, fig.as_of, fig.recording_rate, fig.eligible,
       fig.recorded, fig.source, fig.note,
       CASE WHEN succ.n = k.n_successors THEN succ.recorded::DOUBLE / succ.eligible END AS successors_rate,
       succ.as_of AS successors_as_of, succ.is_synthetic AS successors_synthetic
FROM fig JOIN k USING (former_code)
LEFT JOIN succ ON succ.load_id = fig.load_id AND succ.row_number = fig.row_number
ORDER BY fig.former_code, fig.as_of
"""


@st.cache_data(show_spinner=False, max_entries=64)
def _former_figures(stamp: tuple, codes: tuple[str, ...]) -> pl.DataFrame:
    return db.query(FORMER_SQL, {"codes": list(codes)})


def former_figures(codes: list[str]) -> pl.DataFrame:
    """Figures for the areas the units `codes` belonged to before a split (pre-2022 "Provinsi
    Papua" for 91, 93, 94, 95), each once however many of its successors are asked for, each beside the sum of today's successors on that date (their latest figures of
    the two months before it; none when one successor has no counts): the old area is never
    drawn as today's unit that kept its code."""
    return _former_figures(db.stamp(), tuple(codes))


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_release(stamp: tuple) -> dict | None:
    rows = db.query(
        "SELECT as_of, recording_rate, eligible, recorded, source, note FROM v_coverage "
        "WHERE region_code = '00' AND NOT is_synthetic AND recording_rate IS NOT NULL "
        "ORDER BY as_of DESC, precedence, load_id DESC LIMIT 1"
    ).to_dicts()
    return rows[0] if rows else None


def latest_release() -> dict | None:
    """The latest published national figure (a Dukcapil semester release) with its source."""
    return _latest_release(db.stamp())
