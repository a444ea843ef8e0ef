"""A map's classes: each unit's class, colour and words under the chosen scheme (ektp/analysis/classes.py
holds the schemes), which the view model draws (ektp/mapview). No Plotly: maps are the
model's SVG."""

from __future__ import annotations

import polars as pl

from ektp.analysis import classes
from ektp.analysis.metrics import (
    COUNT_COLOURS,
    RATE_BANDS,
    RATE_COLOURS,
    count_breaks,
    count_class,
    rate_band,
)
from ektp.charts.style import (
    RATE_METRICS,
    metric_value,
)
from ektp.text import fmt
from ektp.text.i18n import t

SCHEMES = classes.SCHEMES


def single_band(df: pl.DataFrame, metric: str, scheme: str) -> tuple[str, int] | None:
    """(band, areas) when every area with a rate falls in one Dukcapil band and there are
    several: the map is then one colour (in 2024 all 38 provinces are at 80–99.99%), and the
    page points to quantile classes. None otherwise."""
    if scheme != "dukcapil" or metric not in RATE_METRICS or "recording_rate" not in df.columns:
        return None
    rates = df["recording_rate"].drop_nulls()
    # the bands are intervals: all rates share one when the lowest and the highest do (a band
    # per distinct rate cost 7,285 calls on every rerun of the national district map)
    bands = {rate_band(rates.min()), rate_band(rates.max())} | ({"band_none"} if rates.is_nan().any() else set())
    return (bands.pop(), rates.len()) if len(bands) == 1 and rates.len() > 1 else None


def classify(
    df: pl.DataFrame,
    metric: str,
    lang: str,
    scheme: str = "dukcapil",
    target: float | None = None,
    fixed_bins: tuple[float, ...] | None = None,
) -> list[dict]:
    """Legend classes for the map (ektp/analysis/classes.py): distance to the target ("gap", a rate with a
    target), natural breaks, equal intervals, quantiles or Dukcapil's bands; then a unit whose
    figure is older than the setting's window (`is_stale`, queries.MAP_SQL) in a class of its
    own, "stale", and a unit without a figure in "no data": neither is a colour of the scale.

    Returns [{'key', 'label', 'colour', 'codes', 'rows'}], one per class, in legend order.
    Classes of the recording rate run dark (lowest) to light, like counts where more is worse.
    """
    out = _classify(df.filter(~pl.col("is_stale").fill_null(False)) if "is_stale" in df.columns else df,
                    metric, lang, scheme, target, fixed_bins)  # fmt: skip
    stale = df.filter(pl.col("is_stale").fill_null(False)).to_dicts() if "is_stale" in df.columns else []
    if stale:
        from ektp.data import queries

        cls = classes.stale_class(queries.stale_days(), lang)
        out.insert(len(out) - 1 if out and out[-1]["key"] == "band_none" else len(out),
                   {**cls, "codes": [r["code"] for r in stale], "rows": stale})  # fmt: skip
    return out


def _classify(
    df: pl.DataFrame,
    metric: str,
    lang: str,
    scheme: str,
    target: float | None,
    fixed_bins: tuple[float, ...] | None,
) -> list[dict]:
    rows = df.to_dicts()
    if scheme == "gap" and (metric not in RATE_METRICS or target is None):
        scheme = "natural"  # no target to measure against: the values' own breaks
    if scheme == "fixed" and not fixed_bins:
        scheme = "natural"  # no values of other dates given: this date's own breaks
    if scheme in ("gap", "natural", "equal", "fixed"):
        values = [metric_value(r, metric) for r in rows]
        if scheme == "gap":
            defs, which = classes.gap_classes([r.get("recording_rate") for r in rows], target, lang)
        elif scheme == "fixed":
            defs, which = classes.breaks_classes(values, metric, "natural", lang, bins=fixed_bins)
        else:
            defs, which = classes.breaks_classes(values, metric, scheme, lang)
        out = [{**d, "codes": [], "rows": []} for d in [*defs, classes.no_data_class(lang)]]
        for r, i in zip(rows, which, strict=True):
            cls = out[i] if i is not None else out[-1]
            cls["codes"].append(r["code"])
            cls["rows"].append(r)
        return out
    classes_: list[dict] = []
    if metric in RATE_METRICS and scheme == "dukcapil":
        keys = [k for k, _ in RATE_BANDS] + ["band_none"]
        for k in keys:
            label = t(k, lang)
            if metric != "recording_rate" and k != "band_none":  # the bands are of the recording rate
                label = t("band_of_rate", lang, band=label)
            classes_.append({"key": k, "label": label, "colour": RATE_COLOURS[k], "codes": [], "rows": []})
        index = {c["key"]: c for c in classes_}
        for r in rows:
            # the band is always that of the recording rate (unrecorded share = 1 − rate)
            index[rate_band(r.get("recording_rate"))]["codes"].append(r["code"])
            index[rate_band(r.get("recording_rate"))]["rows"].append(r)
    else:
        values = [metric_value(r, metric) for r in rows]
        breaks = count_breaks([v for v in values if v is not None])
        rate = metric in RATE_METRICS
        lower = min((v for v in values if v is not None), default=0.0) if rate else 0.0
        spans = []
        for b in breaks:
            spans.append((lower, b))
            lower = b + (0.01 if rate else 1)
        of_span = list(range(len(spans)))
        if rate:
            labels, of_span = classes.rate_classes(spans, lang)
        else:
            labels = [f"{fmt.num(a, lang)}–{fmt.num(b, lang)}" for a, b in spans]
        for i, label in enumerate(labels):
            shade = min(i, 3) + max(0, 4 - len(labels))
            if metric == "recording_rate":
                shade = 3 - shade  # a low rate is the worry: darkest
            classes_.append(
                {"key": f"class_{i}", "label": label, "colour": COUNT_COLOURS[shade], "codes": [], "rows": []}
            )
        classes_.append(
            {
                "key": "band_none",
                "label": t("band_none", lang),
                "colour": RATE_COLOURS["band_none"],
                "codes": [],
                "rows": [],
            }
        )
        for r, v in zip(rows, values, strict=True):
            c = count_class(v, breaks)
            cls = classes_[of_span[c]] if c is not None else classes_[-1]
            cls["codes"].append(r["code"])
            cls["rows"].append(r)
    return classes_


#: Views of up to this many units carry value labels on the map (DHIS2 does the same).
LABEL_UNITS = 40
