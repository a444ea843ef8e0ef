"""Map classes that show the gap: which colour each unit gets, and the legend that says why.

Dukcapil's own bands (≥100%, 80–99.99%, 60–79.99%, <60%) put Sarolangun at 86% in one colour
with neighbours at 98%. The default here for a rate with a target colours each unit by its
distance to the target: at or above it in one calm class, below it graded in points. Natural
breaks (Fisher–Jenks) and equal intervals come from `mapclassify` (PySAL); count metrics get
their own sequential classes. Pure: values in, classes out.
"""

from __future__ import annotations

import functools
import math
import warnings

import polars as pl

from ektp.analysis.metrics import RATE_METRICS
from ektp.text import fmt
from ektp.text.i18n import t

#: The schemes the map offers, default first where it applies (gap needs a target and a rate).
SCHEMES = ("gap", "natural", "fixed", "equal", "quantile", "dukcapil")
#: Natural breaks are computed from at most this many values (a seeded sample beyond, with the
#: lowest and highest kept): mapclassify's Fisher–Jenks is quadratic without numba (1,000
#: values 1.4 s, 3,000 values 10.6 s, measured here), and a national district view holds 7,285
#: units (870,000 unit-months across dates). 500 values take ~0.25 s, once per view.
BREAKS_SAMPLE = 500
#: Points below the target where a gap class ends: 0–1, 1–2, 2–5, 5–10, more than 10.
GAP_STEPS = (1.0, 2.0, 5.0, 10.0)
#: ColorBrewer PuOr: one calm purple for "met", oranges deepening with the gap (colour-blind safe).
GAP_MET = "#8073ac"
GAP_COLOURS = ("#fee0b6", "#fdb863", "#e08214", "#b35806", "#7f3b08")
#: ColorBrewer YlOrBr, light to dark: more of what is wrong is darker.
SEQUENTIAL = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
NO_DATA = "#d9d9d9"


def default_scheme(metric: str, target: float | None) -> str:
    """Distance to the target for a rate that has one; natural breaks otherwise."""
    return "gap" if metric in RATE_METRICS and target is not None else "natural"


def below_target(df: pl.DataFrame) -> pl.DataFrame:
    """The units of a map's frame whose recording rate is below their own target (the frame's
    `target` column, queries.UNIT_TARGET_CTE), lowest first: what the outline draws, the
    sentence counts and the line under the map lists. A unit without a target is never below."""
    if "target" not in df.columns:
        return df.clear()
    return df.filter(
        pl.col("recording_rate").is_not_null()
        & pl.col("target").is_not_null()
        & (pl.col("recording_rate") < pl.col("target"))
    ).sort(["recording_rate", "code"])


def judged(df: pl.DataFrame) -> pl.DataFrame:
    """The units with both a recording rate and a target of their own (below_target's whole)."""
    if "target" not in df.columns:
        return df.clear()
    return df.filter(pl.col("recording_rate").is_not_null() & pl.col("target").is_not_null())


def below_label(target: float | None, lang: str, key: str = "below_target_outlined") -> str:
    """ "Below target (98%)" when the units share one target; "below their own target" otherwise."""
    if target is None:
        return t(key + "_own", lang)
    return t(key, lang, value=fmt.target_pct(target, lang))


def _finite(v: float | None) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def gap_points(rate: float | None, target: float) -> float | None:
    """Points below the target (0 or less: met) of a recording rate (fractions in)."""
    if not _finite(rate):
        return None
    return round((target - rate) * 100.0, 9)


def gap_classes(rates: list[float | None], target: float, lang: str) -> tuple[list[dict], list[int | None]]:
    """Classes by points below the target, and each unit's class (None: no figure)."""
    bounds = (0.0, *GAP_STEPS)
    classes = [{"key": "gap_met", "label": t("gap_met", lang, target=fmt.target_pct(target, lang)), "colour": GAP_MET}]
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] if i + 1 < len(bounds) else None
        label = (
            t("gap_below", lang, lo=fmt.num(lo, lang), hi=fmt.num(hi, lang))
            if hi is not None
            else t("gap_far", lang, lo=fmt.num(lo, lang))
        )
        classes.append({"key": f"gap_{i}", "label": label, "colour": GAP_COLOURS[i]})
    out: list[int | None] = []
    for r in rates:
        g = gap_points(r, target)
        if g is None:
            out.append(None)
        elif g <= 0:
            out.append(0)
        else:
            out.append(1 + next((i for i, hi in enumerate(GAP_STEPS) if g <= hi), len(GAP_STEPS)))
    return classes, out


def _bins(values: list[float], scheme: str) -> list[float]:
    """Upper bounds of the classes, from mapclassify: Fisher–Jenks natural breaks (up to 5
    classes) or equal intervals (4)."""
    import mapclassify
    import numpy as np

    distinct = sorted(set(values))
    if len(distinct) <= 1:
        return distinct
    arr = np.asarray(values, dtype=float)
    if scheme != "equal" and arr.size > BREAKS_SAMPLE:
        pick = np.random.default_rng(0).choice(arr, BREAKS_SAMPLE - 2, replace=False)
        arr = np.concatenate([pick, [arr.min(), arr.max()]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed": the pure-Python path is fine here
        if scheme == "equal":
            c = mapclassify.EqualInterval(arr, k=min(4, len(distinct)))
        else:
            c = mapclassify.FisherJenks(arr, k=min(5, len(distinct)))
    return [float(b) for b in c.bins]


def fixed_bins(all_values: list[float]) -> tuple[float, ...]:
    """Natural breaks over every date of a view (the values of all its units and dates, rates in
    percent), so that two dates compare on one legend (a larger view: BREAKS_SAMPLE values)."""
    return tuple(_bins([v for v in all_values if _finite(v)], "natural"))


def view_bins(level: str, area: str, metric: str) -> tuple[float, ...]:
    """Natural breaks of a map view over all its dates: one legend for every date."""
    from ektp.data import queries

    return _view_bins(queries.drawn_values(level, area, metric))


@functools.lru_cache(maxsize=32)
def _view_bins(values: tuple[float, ...]) -> tuple[float, ...]:
    return fixed_bins(list(values)) if values else ()


def _rate_label(lo: float, hi: float, lang: str) -> str:
    if abs(hi - lo) < 1e-9:
        return fmt.num(lo, lang, 1) + "%"
    low, high = math.floor(round(lo * 10, 6)) / 10, math.ceil(round(hi * 10, 6)) / 10
    return f"{fmt.num(low, lang, 1)}–{fmt.num(high, lang, 1)}%"


def rate_classes(spans: list[tuple[float, float]], lang: str) -> tuple[list[str], list[int]]:
    """Class labels of rates in per cent that hold every value as the ranking and the map's tips
    write it (one decimal): the lower bound rounded down, the upper up, so Tebo's 97.4458%
    ("97.4%") is in "97.4–97.6%", never in "97.45–97.55%"; a class of one value is that value as
    written. Classes a reader could not tell apart at that precision (two "97.9–98.0%") are one
    class: (labels, the merged class of each span)."""
    merged: list[tuple[float, float]] = []
    of_span = []
    for lo, hi in spans:
        alike = merged and _rate_label(*merged[-1], lang) in (
            _rate_label(lo, hi, lang),
            _rate_label(merged[-1][0], hi, lang),
        )
        if alike:  # written alike, or this class within the last one's bounds as written
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
        of_span.append(len(merged) - 1)
    return [_rate_label(lo, hi, lang) for lo, hi in merged], of_span


def breaks_classes(
    values: list[float | None], metric: str, scheme: str, lang: str, bins: tuple[float, ...] | None = None
) -> tuple[list[dict], list[int | None]]:
    """Natural-breaks or equal-interval classes of the values drawn (rates in percent), darkest
    where the worry is: the lowest recording rates, the highest unrecorded shares and counts.
    `bins` (fixed_bins): class bounds fixed across dates instead of the values' own."""
    present = [v for v in values if _finite(v)]
    fixed = bins is not None
    bins = list(bins) if fixed else _bins(present, scheme)
    rate = metric in RATE_METRICS
    ordered = sorted(present)
    lower = ordered[0] if ordered else 0.0
    if fixed:  # the classes of every date: the first from the lowest value any date had
        lower = bins[0] if not ordered else min(ordered[0], bins[0])
    spans = []
    for b in bins:
        spans.append((lower, b))
        lower = b if fixed else next((v for v in ordered if v > b), b)
    of_span = list(range(len(spans)))
    if rate:
        labels, of_span = rate_classes(spans, lang)
    else:
        labels = [fmt.num(lo, lang) if fmt.num(lo, lang) == fmt.num(hi, lang) else f"{fmt.num(lo, lang)}–{fmt.num(hi, lang)}"
                  for lo, hi in spans]  # fmt: skip
    n = len(labels)
    ramp = SEQUENTIAL[-n:] if n else ()
    if metric == "recording_rate":
        ramp = tuple(reversed(SEQUENTIAL))[:n]  # a low rate is the worry: darkest first
    classes = [{"key": f"class_{i}", "label": label, "colour": ramp[i]} for i, label in enumerate(labels)]
    out: list[int | None] = []
    for v in values:
        if not _finite(v):
            out.append(None)
        else:
            out.append(of_span[next((i for i, b in enumerate(bins) if v <= b + 1e-9), len(bins) - 1)])
    return classes, out


#: A unit whose figure is older than the stale window: a cool grey-blue that no scale uses.
STALE = "#a9b8c6"


def stale_class(days: int, lang: str) -> dict:
    return {"key": "stale", "label": t("class_stale", lang, days=days), "colour": STALE}


def no_data_class(lang: str) -> dict:
    return {"key": "band_none", "label": t("band_none", lang), "colour": NO_DATA}
