"""What changed between two dates of one map view: the frame, its classes and the sentence (the
map is the view model's, ektp/mapview/model.py).

`?compare=YYYY-MM-DD` on the map page draws, for every unit, its figure at `date` minus its
figure at `compare`: points gained for rates, people for counts, on a diverging scale centred
on no change (purple where things got better, orange where worse, whatever the metric's
direction). Pure: frames in, frame / classes / text out.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ektp.analysis.metrics import RATE_METRICS
from ektp.charts import format_value
from ektp.text import fmt
from ektp.text.i18n import t

#: More is better for these; for the others (unrecorded people, their share, the print gap) more is worse.
BETTER_UP = {"recording_rate"}
#: Steps of a rate's change, in points: fell > 5, fell 1–5, within 1, gained 1–5, gained > 5.
RATE_STEPS = (-5.0, -1.0, 1.0, 5.0)
#: ColorBrewer PuOr, worse → better (colour-blind safe); the middle is "about the same".
WORSE_TO_BETTER = ("#b35806", "#f1a340", "#f7f7f7", "#998ec3", "#542788")
#: A unit without a figure on either date.
NO_FIGURE = "#d9d9d9"

#: Borders on a change map: its middle class is near white, so white borders vanished there.
BORDER = "#555555"


def change_frame(now: pl.DataFrame, before: pl.DataFrame, metric: str) -> pl.DataFrame:
    """One row per unit of the view (map_values of two dates): code, name, before, now, change
    (in drawn units: points for rates), is_synthetic (either figure); the worst change first."""
    keep = ["code", "name", metric, "is_synthetic"]
    b = before.select(keep).rename({metric: "before", "is_synthetic": "syn_before"})
    df = now.select(keep).rename({metric: "now"})
    df = df.join(b.drop("name"), on="code", how="left")
    scale = 100.0 if metric in RATE_METRICS else 1.0
    df = df.with_columns(
        (pl.col("before") * scale).alias("before"),
        (pl.col("now") * scale).alias("now"),
    ).with_columns(
        (pl.col("now") - pl.col("before")).alias("change"),
        (pl.col("is_synthetic").fill_null(False) | pl.col("syn_before").fill_null(False)).alias("is_synthetic"),
    )
    worst_first = metric in BETTER_UP  # a fall of the rate first; a rise of what is wrong first
    return df.drop("syn_before").sort("change", descending=not worst_first, nulls_last=True)


def change_table(df: pl.DataFrame, metric: str, names: dict[str, str]) -> pl.DataFrame:
    """The change frame as the reader's table (and its CSV): rates to a tenth of a point, counts
    whole, the columns named in the reader's language (`names`: column → label)."""
    digits = 1 if metric in RATE_METRICS else 0
    return df.select(
        pl.col("name").alias(names["name"]),
        pl.col("code").alias(names["code"]),
        *(pl.col(c).round(digits).alias(names[c]) for c in ("before", "now", "change")),
    )


def steps(values: list[float], metric: str) -> tuple[float, float, float, float]:
    """The four bounds of the five classes: fixed points for rates; for counts, a tenth and a
    half of the largest change either way (centred on no change)."""
    if metric in RATE_METRICS:
        return RATE_STEPS
    top = max((abs(v) for v in values), default=0.0) or 1.0
    return (-top / 2, -top / 10, top / 10, top / 2)


def classes(values: list[float | None], metric: str, lang: str) -> tuple[list[dict], list[int | None]]:
    """Five classes, worse → better in legend order, and each value's class (None: no figure)."""
    present = [v for v in values if v is not None]
    s = steps(present, metric)
    unit = t("points", lang) if metric in RATE_METRICS else t("people", lang)

    def n(x: float) -> str:
        return fmt.num(abs(x), lang)

    up_good = metric in BETTER_UP
    by_value = [  # named by the direction of the value; coloured by better or worse
        t("change_fell_more", lang, lo=n(s[0]), unit=unit),
        t("change_fell", lang, lo=n(s[1]), hi=n(s[0]), unit=unit),
        t("change_same", lang, x=n(s[2]), unit=unit),
        t("change_rose", lang, lo=n(s[2]), hi=n(s[3]), unit=unit),
        t("change_rose_more", lang, lo=n(s[3]), unit=unit),
    ]
    colours = WORSE_TO_BETTER if up_good else tuple(reversed(WORSE_TO_BETTER))
    defs = [{"key": f"change_{i}", "label": by_value[i], "colour": colours[i]} for i in range(5)]
    out: list[int | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif v < s[0]:
            out.append(0)
        elif v < s[1]:
            out.append(1)
        elif v <= s[2]:
            out.append(2)
        elif v <= s[3]:
            out.append(3)
        else:
            out.append(4)
    return defs, out


def _signed(v: float | None, metric: str, lang: str) -> str:
    if v is None:
        return "–"
    unit = " " + t("points", lang) if metric in RATE_METRICS else ""
    return fmt.signed(v, lang, 1 if metric in RATE_METRICS else 0) + unit


def change_title(metric: str, level: str, area_name: str, before: dt.date, now: dt.date, lang: str) -> str:
    """'Change in recording rate by regency/city, Jambi: 31 March 2019 → 31 December 2024'."""
    return t("change_title", lang, metric=t("metric_" + metric, lang).lower(), level=t("level_" + level, lang).lower(),
             area=area_name, d0=fmt.date(before, lang), d1=fmt.date(now, lang))  # fmt: skip


def change_text(row: dict, metric: str, lang: str) -> str:
    """'86.0% → 98.0% (+12.0 points)': a unit's two figures and its change."""
    before, now = format_value(row["before"], metric, lang), format_value(row["now"], metric, lang)
    return f"{before} → {now} ({_signed(row['change'], metric, lang)})"


def change_groups(rows: list[dict], metric: str, lang: str) -> list[tuple[dict, list[dict]]]:
    """The change classes, worse → better, then "no figure" (grey), each with its rows."""
    defs, which = classes([r["change"] for r in rows], metric, lang)
    none = {"key": "band_none", "label": t("band_none", lang), "colour": NO_FIGURE}
    groups: list[list[dict]] = [[] for _ in range(len(defs) + 1)]
    for r, i in zip(rows, which, strict=True):
        groups[i if i is not None else len(defs)].append(r)
    return list(zip([*defs, none], groups, strict=True))


def change_sentence(
    df: pl.DataFrame, metric: str, area_name: str, before: dt.date, now: dt.date, lang: str
) -> str | None:
    """'Between 31 March 2019 and 31 December 2024, A gained most: +12.0 points (86.0% → 98.0%);
    B fell most: −0.5 points (…); 9 of 11 units improved.' From the frame the map draws."""
    rows = [r for r in df.to_dicts() if r.get("change") is not None]
    if not rows:
        return None
    up_good = metric in BETTER_UP
    best = max(rows, key=lambda r: r["change"] if up_good else -r["change"])
    worst = min(rows, key=lambda r: r["change"] if up_good else -r["change"])
    better = sum(1 for r in rows if (r["change"] > 0 if up_good else r["change"] < 0))

    def said(r: dict) -> str:
        return f"{_signed(r['change'], metric, lang)} ({format_value(r['before'], metric, lang)} → {format_value(r['now'], metric, lang)})"

    text = t("change_between", lang, d0=fmt.date(before, lang), d1=fmt.date(now, lang)) + " "
    text += t("change_best", lang, name=best["name"], what=said(best))
    worse_than_before = (worst["change"] < 0) if up_good else (worst["change"] > 0)
    if worse_than_before and worst is not best:
        text += "; " + t("change_worst", lang, name=worst["name"], what=said(worst))
    text += "; " + t("change_improved", lang, n=better, total=len(rows)) + "."
    syn = sum(1 for r in rows if r.get("is_synthetic"))
    if syn:
        text += " " + t("sum_some_synthetic", lang, n=syn, total=len(rows))
    return text
