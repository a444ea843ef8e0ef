"""Targets in the served data: each area's targets, the one rule for which target a map's unit is
judged against (UNIT_TARGET_CTE, also part of queries.MAP_SQL), and a target's metric over time.
Asked as `queries.<name>`; typed functions with bound parameters, cached per data version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from ektp.data import db


def _q(sql: str, params: dict | None = None) -> pl.DataFrame:
    return db.query(sql, params)


#: Which recording-rate target a unit is judged against, the one rule every map, sentence,
#: legend, ranking and file uses: the unit's own — the sourced one before the synthetic fill's,
#: the latest set — never its parent's or another area's (a province's target, or one a local
#: article quotes, is not its regencies'; the national map judged every province against the
#: national 93.86% while the Targets page gave each its own 98%). A unit with none is not judged.
UNIT_TARGET_CTE = """unit_target AS (
    SELECT region_code, target_value AS target, coalesce(source, set_by) AS target_source,
           is_synthetic AS target_synthetic
    FROM v_targets WHERE metric = 'recording_rate' AND in_scope(region_code, $area)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY is_synthetic, start_date DESC) = 1
)"""


@st.cache_data(show_spinner=False, max_entries=64)
def _targets(stamp: tuple, area: str) -> pl.DataFrame:
    return _q(
        "SELECT t.region_code, r.name AS region_name, t.metric, t.target_value, t.minimum_value, "
        "t.baseline_value, t.start_date, t.deadline, t.set_by, t.note, t.source, t.is_synthetic "
        "FROM v_targets t JOIN regions r ON r.code = t.region_code "
        "WHERE in_scope(t.region_code, $area) OR t.region_code = '00' "
        "ORDER BY t.is_synthetic, t.region_code, t.start_date",
        {"area": area},
    )


def targets(
    area: str, metrics: tuple[str, ...] | None = None, dated_only: bool = False, sourced_only: bool = False
) -> pl.DataFrame:
    """Targets of the area and the units in it (and national ones); only those of `metrics`, only those with
    a deadline, only sourced ones (not the synthetic fill's), when asked."""
    keep = [
        pl.col("metric").is_in(list(metrics)) if metrics is not None else pl.lit(True),
        pl.col("deadline").is_not_null() if dated_only else pl.lit(True),
        ~pl.col("is_synthetic") if sourced_only else pl.lit(True),
    ]
    return _targets(db.stamp(), area).filter(*keep)


@dataclass(frozen=True)
class ViewTarget:
    """The targets of a map's units (UNIT_TARGET_CTE): `value` is the one every unit has as its
    own (what the gap classes and labels measure against), None when some unit has none or
    they differ; the units are then judged each against its own, where it has one."""

    value: float | None
    sources: tuple[str, ...]  # the targets' sources, sorted
    synthetic: bool  # some unit's target is the synthetic fill's
    units_with: int
    units: int


@st.cache_data(show_spinner=False, max_entries=256)
def _view_target(stamp: tuple, level: str, area: str) -> ViewTarget:
    df = _q(
        f"WITH {UNIT_TARGET_CTE} SELECT u.target, u.target_source, u.target_synthetic FROM regions r "  # noqa: S608
        "LEFT JOIN unit_target u ON u.region_code = r.code WHERE r.level = $level AND in_scope(r.code, $area)",
        {"level": level, "area": area},
    )
    have = df.filter(pl.col("target").is_not_null())
    values = have["target"].unique().to_list()
    shared = values[0] if have.height == df.height and len(values) == 1 else None
    sources = have.filter(~pl.col("target_synthetic"))["target_source"].drop_nulls().unique().sort().to_list()
    return ViewTarget(shared, tuple(sources), bool(have["target_synthetic"].any()), have.height, df.height)


def view_target(level: str, area: str) -> ViewTarget:
    """The recording-rate targets of the units of a level in the area (each its own)."""
    return _view_target(db.stamp(), level, area)


TARGET_METRICS = ("recording_rate", "unrecorded_count", "recorded_count", "pickup_backlog")


@st.cache_data(show_spinner=False, max_entries=256)
def _metric_series(stamp: tuple, code: str, metric: str) -> pl.DataFrame:
    if metric not in TARGET_METRICS:
        raise KeyError(metric)
    return _q(
        "SELECT as_of, value, is_synthetic FROM v_metric_series "
        "WHERE region_code = $code AND metric = $metric ORDER BY as_of",
        {"code": code, "metric": metric},
    )


def metric_series(code: str, metric: str) -> pl.DataFrame:
    """A target's metric over time for one area: as_of, value, is_synthetic."""
    return _metric_series(db.stamp(), code, metric)


def burndown_window(code: str, metric: str, start: dt.date, deadline: dt.date) -> pl.DataFrame:
    """A target's metric from its start to as far past its deadline as the target ran before it
    (a burn-down shows what came after the deadline too)."""
    s = metric_series(code, metric)
    return s.filter(pl.col("as_of").is_between(start, deadline + (deadline - start)))
