"""Pure calculations the pages show: Dukcapil bands, count classes, projections, target status.

No I/O here, so every rule is tested directly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import polars as pl

from ektp.text.numbers import missing

#: Bands Dukcapil itself reports for the recording rate, as (key, lower bound inclusive).
RATE_BANDS = (("band_ge100", 1.0), ("band_80", 0.8), ("band_60", 0.6), ("band_lt60", -math.inf))
#: Colour-blind-safe (ColorBrewer PuOr): purple = good, orange = lagging, grey = no data.
RATE_COLOURS = {
    "band_ge100": "#542788",
    "band_80": "#998ec3",
    "band_60": "#f1a340",
    "band_lt60": "#b35806",
    "band_none": "#d9d9d9",
}
#: For counts (more is worse): light to dark, colour-blind-safe (ColorBrewer YlOrBr).
COUNT_COLOURS = ("#fff7bc", "#fec44f", "#ec7014", "#993404")
INCREASING = {"recording_rate", "recorded_count"}
#: Map metrics that are rates (drawn in percent); the others are counts of people.
RATE_METRICS = {"recording_rate", "unrecorded_share"}


def rate_band(rate: float | None) -> str:
    """Dukcapil band of a recording rate (fraction): ≥100%, 80–99.99%, 60–79.99%, <60%."""
    if missing(rate):
        return "band_none"
    for key, lower in RATE_BANDS:
        if rate >= lower - 1e-12:
            return key
    return "band_lt60"


def count_breaks(values: list[float], n: int = 4) -> list[float]:
    """Quantile class breaks (upper bounds) for counts; duplicates removed."""
    vals = sorted(v for v in values if v is not None and not math.isnan(v))
    if not vals:
        return []
    out = []
    for i in range(1, n + 1):
        k = min(len(vals) - 1, max(0, math.ceil(i * len(vals) / n) - 1))
        out.append(vals[k])
    return sorted(set(out))


def count_class(value: float | None, breaks: list[float]) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not breaks:
        return None
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


@dataclass
class Projection:
    latest_date: dt.date | None
    latest_value: float | None
    pace_per_day: float | None  # change of the metric per day at the recent pace
    projected_date: dt.date | None  # when the target is reached at that pace
    pace_needed: float | None  # per day, from the latest value to the target by the deadline
    status: str  # status_met | status_on_track | status_at_risk | status_missed | status_no_deadline | status_no_data
    reached_date: dt.date | None = None  # met: since when (the start of the last run of values meeting it)


def _reached_since(pts: list[tuple[dt.date, float]], target: float, increasing: bool) -> dt.date | None:
    """The first date of the last unbroken run of values meeting the target (None if the last misses)."""
    since = None
    for d, v in pts:
        since = (since or d) if _meets(v, target, increasing) else None
    return since


def _meets(value: float, target: float, increasing: bool) -> bool:
    return value >= target - 1e-12 if increasing else value <= target + 1e-12


def pace(points: list[tuple[dt.date, float]], window: int = 6) -> float | None:
    """Least-squares slope per day over the last `window` points."""
    pts = [(d, v) for d, v in points if v is not None][-window:]
    if len(pts) < 2:
        return None
    xs = [(d - pts[0][0]).days for d, _ in pts]
    ys = [v for _, v in pts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    if den == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def project(
    points: list[tuple[dt.date, float]],
    target: float,
    metric: str,
    deadline: dt.date | None,
    today: dt.date | None = None,
) -> Projection:
    """Where the metric is heading: projected date at the current pace, pace needed, status.

    A past deadline is judged on the last value on or before it (met or missed); a future one on
    whether the current pace reaches the target in time (on track or at risk).
    """
    today = today or dt.date.today()
    increasing = metric in INCREASING
    pts = sorted((d, v) for d, v in points if v is not None)
    if not pts:
        return Projection(None, None, None, None, None, "status_no_data")
    if deadline is not None and deadline < today:
        judged = [p for p in pts if p[0] <= deadline] or pts[:1]
        d, v = judged[-1]
        p = pace(judged)
        status = "status_met" if _meets(v, target, increasing) else "status_missed"
        return Projection(d, v, p, None, None, status, _reached_since(judged, target, increasing))
    d, v = pts[-1]
    p = pace(pts)
    projected = None  # a met target is not projected: it says since when it is met
    if not _meets(v, target, increasing) and p is not None and ((p > 0 and increasing) or (p < 0 and not increasing)):
        days = (target - v) / p
        if days < 365 * 50:
            projected = d + dt.timedelta(days=math.ceil(days))
    needed = None
    if deadline is not None and deadline > d:
        needed = (target - v) / (deadline - d).days
    if _meets(v, target, increasing):
        status = "status_met"
    elif deadline is None:
        status = "status_no_deadline"
    elif projected is not None and projected <= deadline:
        status = "status_on_track"
    else:
        status = "status_at_risk"
    return Projection(d, v, p, projected, needed, status, _reached_since(pts, target, increasing))


def progress_share(
    baseline: float | None, current: float | None, target: float, metric: str = "unrecorded_count"
) -> float | None:
    """How far along a target is: the share of the gap between the baseline and the target that
    has been closed (0–1; below 0 when it went the wrong way, above 1 past the target), for a
    rising metric (recording rate, recorded count) as for a falling one (unrecorded, backlog).

    current / target put a rate at 97% of its 98% target at "99% done" and every bar at the
    100% line, missed targets too. A baseline already at the target leaves no gap: done (1)
    while the target holds, none (0) once it is lost. No baseline: None (not drawn as a share).
    """
    if current is None or baseline is None:
        return None
    increasing = metric in INCREASING
    if _meets(baseline, target, increasing):
        return 1.0 if _meets(current, target, increasing) else 0.0
    return (current - baseline) / (target - baseline)


@dataclass
class TargetState:
    """One target judged against its metric's series: what the Target page shows for it."""

    baseline: float | None  # as set with the target, else the last value on or before its start
    projection: Projection
    progress: float | None  # progress_share
    value_synthetic: bool  # the value judged is a synthetic one


#: Targets in the order a reader needs them: what was missed and what is at risk first.
STATUS_ORDER = (
    "status_missed",
    "status_at_risk",
    "status_on_track",
    "status_no_deadline",
    "status_no_data",
    "status_met",
)


def attention_order(row: dict) -> tuple:
    """Sort key of a target row (ui.target_rows): sourced before synthetic, then missed, at risk,
    on track, no deadline, no data, met; then the label."""
    status = row["status"]
    rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
    return (row["target_synthetic"], rank, row["label"])


def status_counts(rows: list[dict]) -> dict[str, int]:
    """How many targets are in each status ('met', 'on_track', …), sorted by status name."""
    return dict(sorted(Counter(r["status"] for r in rows).items()))


def published_target_sources(rows: list[dict]) -> str:
    """The sources of the targets that were published (not the synthetic fill), once each."""
    return "; ".join(sorted({r["source"] for r in rows if not r["target_synthetic"]}))


def target_state(target: dict, points: list[tuple[dt.date, float, bool]], today: dt.date) -> TargetState:
    """`target`: a targets row (metric, target_value, baseline_value, start_date, deadline);
    `points`: the metric's series as (date, value, is_synthetic), in date order."""
    pairs = [(d, v) for d, v, _ in points]
    p = project(pairs, target["target_value"], target["metric"], target["deadline"], today)
    before_start = [v for d, v in pairs if d <= target["start_date"]]
    baseline = target["baseline_value"]
    if baseline is None and before_start:
        baseline = before_start[-1]
    judged = [syn for d, _, syn in points if d <= (p.latest_date or today)]
    return TargetState(
        baseline,
        p,
        progress_share(baseline, p.latest_value, target["target_value"], target["metric"]),
        bool(judged and judged[-1]),
    )


def funnel(
    eligible: int | None, recorded: int | None, print_ready: int | None, printed: int | None, awaiting: int | None
) -> list[tuple[str, int | None]]:
    """Steps eligible → recorded → print-ready → printed → collected (printed − awaiting pickup)."""
    collected = printed - awaiting if printed is not None and awaiting is not None else None
    return [
        ("eligible", eligible),
        ("recorded", recorded),
        ("print_ready", print_ready),
        ("printed", printed),
        ("collected", collected),
    ]


def band_counts(rates: list[float | None], bounds: list[tuple[float | None, float | None]]) -> list[int]:
    """How many rates (fractions) fall in each band, given as (lower %, upper %) with None for
    an open end: lower ≤ rate < upper. What a map's own units count in a release's bands."""
    out = []
    for lo, hi in bounds:
        out.append(
            sum(
                1
                for r in rates
                if not missing(r) and (lo is None or r * 100 >= lo - 1e-9) and (hi is None or r * 100 < hi - 1e-9)
            )
        )
    return out


def runway_days(remaining: list[float | None], daily_use: list[float | None]) -> float | None:
    """Days the stock in hand lasts at the recent pace: the areas' blanks over their daily use
    (each of the last 90 days), None when nothing is used (no pace to divide by)."""
    stock = [v for v in remaining if not missing(v)]
    use = [v for v in daily_use if not missing(v)]
    return sum(stock) / sum(use) if use and sum(use) > 0 else None


def funnel_frame(steps: list[tuple[str, int | None]]) -> pl.DataFrame:
    """The funnel's steps as the table its CSV download carries."""
    return pl.DataFrame({"step": [k for k, _ in steps], "value": [v for _, v in steps]})


def sources_disagree(synthetic: list[bool | None]) -> bool:
    """Whether a unit's figures for one date come from several sources worth comparing: more
    than one published, or a published one beside the synthetic fill."""
    sourced = sum(1 for s in synthetic if not s)
    return sourced > 1 or (sourced > 0 and len(synthetic) > sourced)


def counted_offices(offices: pl.DataFrame) -> pl.DataFrame:
    """The offices a backlog page counts, draws and names: those that report how many printed
    cards wait. One rule for the tile, the sentence, the chart and its files (an office that gave
    only its oldest card's date is no office with a backlog figure: the tile said 516, the
    sentence 514). The oldest card is read from every office (`oldest_card`)."""
    return offices.filter(pl.col("awaiting_pickup").is_not_null())


def oldest_card(offices: pl.DataFrame) -> tuple[dt.date, str] | None:
    """The oldest printed card still waiting across offices, with its date's precision."""
    dated = offices.filter(pl.col("oldest_card_date").is_not_null()).sort("oldest_card_date")
    if not dated.height:
        return None
    return dated["oldest_card_date"][0], dated["oldest_card_precision"][0] or "day"
