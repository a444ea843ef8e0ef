"""The sentence above a map: who lags and by how much, in the reader's language.

Computed from exactly the frame the map draws (one row per unit: code, name, recording_rate,
unrecorded, print_gap, is_synthetic), so it never says a figure the map does not show. It names
the lowest unit as "lowest", gives people counts only where the unit has counts, never invents
a figure, and says when the figures it names are synthetic. Pure: frame in, text out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from ektp.analysis import classes
from ektp.analysis.metrics import STATUS_ORDER, band_counts, project
from ektp.text import fmt
from ektp.text.i18n import t

if TYPE_CHECKING:
    from ektp.data import queries

#: The map's unit word per level, plural (for "8 of 11 regencies").
UNITS = {"province": "units_province", "regency": "units_regency", "district": "units_district"}


def _synthetic_note(rows: list[dict], lang: str) -> str:
    n = sum(1 for r in rows if r.get("is_synthetic"))
    if n == 0:
        return ""
    if n == len(rows):
        return " " + t("sum_all_synthetic", lang)
    return " " + t("sum_some_synthetic", lang, n=n, total=len(rows))


def map_sentence(
    df: pl.DataFrame, metric: str, level: str, area_name: str, target: float | None, lang: str
) -> str | None:
    """One or two sentences on the map's units; None when no unit has a figure to compare."""
    if metric in ("unrecorded", "print_gap"):
        return _count_sentence(df, metric, level, area_name, lang)
    rows = [r for r in df.to_dicts() if r.get("recording_rate") is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (r["recording_rate"], r["code"]))
    low = rows[0]
    units = t(UNITS.get(level, "units_regency"), lang)
    figure = fmt.pct(low["recording_rate"], lang)
    unrec = fmt.pct(1 - low["recording_rate"], lang)
    people = ""
    if low.get("unrecorded") is not None:
        people = t("sum_people", lang, n=fmt.num(low["unrecorded"], lang))
    syn = t("sum_synthetic_figure", lang) if low.get("is_synthetic") else ""
    if len(rows) == 1:
        text = t("sum_only", lang, name=low["name"], area=area_name, rate=figure, unrec=unrec, people=people, syn=syn)
    else:
        text = t("sum_lowest", lang, name=low["name"], area=area_name, rate=figure, unrec=unrec, people=people, syn=syn)
    judged = classes.judged(df)
    if judged.height:  # each unit against its own target (queries.UNIT_TARGET_CTE), none for the rest
        own = low.get("target")
        if own is not None:
            gap = (own - low["recording_rate"]) * 100
            key = "sum_gap" if gap > 0 else "sum_gap_met"
            text += t(key, lang, points=fmt.num(gap, lang, 1), target=fmt.target_pct(own, lang))
        below = classes.below_target(df).height
        text += "; " + t("sum_below", lang, n=below, total=judged.height, units=units)
        if judged.height < len(rows):
            text += " " + t("sum_no_target", lang, n=len(rows) - judged.height)
        text += "."
    else:
        high = rows[-1]
        if len(rows) > 1:
            text += "; " + t("sum_highest", lang, name=high["name"], rate=fmt.pct(high["recording_rate"], lang)) + "."
        else:
            text += "."
    return text + _synthetic_note(rows, lang) + _stale_note(df, lang)


def _stale_note(df: pl.DataFrame, lang: str) -> str:
    """How many units' figures are older than the stale window (the map draws them apart)."""
    if "is_stale" not in df.columns:
        return ""
    n = int(df["is_stale"].fill_null(False).sum())
    if not n:
        return ""
    from ektp.core import settings

    return " " + t("sum_stale", lang, n=n, days=int(settings.get("stale_days")))


def named_first(df: pl.DataFrame, metric: str) -> str | None:
    """The unit a map's sentence names first: the lowest recording rate, or the most unrecorded
    residents or cards waiting (ties: the lower code). The detail opens on it."""
    if metric in ("unrecorded", "print_gap"):
        rows = [r for r in df.to_dicts() if r.get(metric) is not None]
        return min(rows, key=lambda r: (-r[metric], r["code"]))["code"] if rows else None
    rows = [r for r in df.to_dicts() if r.get("recording_rate") is not None]
    return min(rows, key=lambda r: (r["recording_rate"], r["code"]))["code"] if rows else None


def _count_sentence(df: pl.DataFrame, metric: str, level: str, area_name: str, lang: str) -> str | None:
    rows = [r for r in df.to_dicts() if r.get(metric) is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[metric], r["code"]))  # the first is named_first's
    top = rows[0]
    total = sum(r[metric] for r in rows)
    syn = t("sum_synthetic_figure", lang) if top.get("is_synthetic") else ""
    text = t(
        "sum_most_" + metric,
        lang,
        name=top["name"],
        area=area_name,
        n=fmt.num(top[metric], lang),
        share=fmt.pct(top[metric] / total if total else None, lang),
        total=fmt.num(total, lang),
        units=len(rows),
        syn=syn,
    )
    return text + _synthetic_note(rows, lang) + _stale_note(df, lang)


def below_target_line(df: pl.DataFrame, target: float | None, lang: str, named: int = 3) -> str | None:
    """'**Below target (98%)**: 8 of 11 — lowest: A (86.0%), B (97.6%), C (97.6%) … and 5 more':
    a count of the units judged (each against its own target) and the lowest few (markdown,
    names escaped); the ranking lists every unit. None when no unit has a target of its own."""
    import html

    judged = classes.judged(df)
    if not judged.height:
        return None
    below = classes.below_target(df)
    head = f"**{classes.below_label(target, lang)}**: "
    head += t("below_count", lang, n=below.height, total=fmt.num(judged.height, lang))
    lowest = below.head(named)
    listed = ", ".join(
        f"{html.escape(str(n))} ({fmt.pct(r, lang)})"
        for n, r in zip(lowest["name"].to_list(), lowest["recording_rate"].to_list(), strict=True)
    )
    if below.height > named:
        listed += " " + t("below_more", lang, n=below.height - named)
    return head + (f" — {t('below_lowest', lang)}: {listed}" if listed else "")


def trend_sentence(series: pl.DataFrame, names: dict[str, str], lang: str) -> str | None:
    """Each area's first and latest recording rate in the trend chart, and the change between
    (from the series the chart draws: region_code, as_of, recording_rate, is_synthetic)."""
    parts, synthetic = [], False
    for code in dict.fromkeys(series["region_code"].to_list()):
        s = series.filter((pl.col("region_code") == code) & pl.col("recording_rate").is_not_null()).sort("as_of")
        if s.height == 0:
            continue
        first, last = s.row(0, named=True), s.row(-1, named=True)
        synthetic = synthetic or bool(last.get("is_synthetic"))
        if s.height == 1:
            parts.append(t("trend_one", lang, name=names.get(code, code), rate=fmt.pct(last["recording_rate"], lang),
                           date=fmt.date(last["as_of"], lang)))  # fmt: skip
            continue
        change = (last["recording_rate"] - first["recording_rate"]) * 100
        parts.append(
            t(
                "trend_part",
                lang,
                name=names.get(code, code),
                a=fmt.pct(first["recording_rate"], lang),
                d0=fmt.date(first["as_of"], lang),
                b=fmt.pct(last["recording_rate"], lang),
                d1=fmt.date(last["as_of"], lang),
                change=fmt.signed(change, lang, 1),
            )
        )
    if not parts:
        return None
    return "; ".join(parts) + "." + (" " + t("trend_latest_synthetic", lang) if synthetic else "")


def targets_sentence(rows: list[dict], lang: str) -> str | None:
    """How many targets are met, on track, at risk and missed, and the one furthest behind (from
    the rows the Targets chart draws: status, progress, label, deadline)."""
    if not rows:
        return None
    counts = [(s, sum(1 for r in rows if r["status"] == s)) for s in STATUS_ORDER]  # every status the tiles count
    said = ", ".join(f"{n} {t(s, lang)}" for s, n in counts if n)
    text = t("targets_count", lang, n=len(rows), said=said or "–")
    behind = [r for r in rows if r["status"] in ("status_missed", "status_at_risk") and r.get("progress") is not None]
    if behind:
        worst = min(behind, key=lambda r: r["progress"])
        text += "; " + t(
            "targets_worst",
            lang,
            label=worst["label"],
            share=fmt.pct(worst["progress"], lang, 0),
            status=t(worst["status"], lang),
        )
    return text + "."


def _synthetic_word(flags: list, lang: str) -> str:
    return " " + t("sum_includes_synthetic", lang) if any(flags) else ""


def backlog_offices_sentence(
    offices: pl.DataFrame, area_name: str, lang: str, oldest: pl.DataFrame | None = None
) -> str | None:
    """Cards waiting in the area's offices on the chart's date, the office with the most, and the
    oldest waiting card (from the offices the chart draws; the oldest card from `oldest`, every
    office that reported one, when given)."""
    rows = [r for r in offices.to_dicts() if r.get("awaiting_pickup") is not None]
    if not rows:
        return None
    total = sum(r["awaiting_pickup"] for r in rows)
    top = max(rows, key=lambda r: (r["awaiting_pickup"], r["office"] or ""))
    text = t(
        "sum_backlog",
        lang,
        total=fmt.num(total, lang),
        n=len(rows),
        area=area_name,
        office=top["office"] or "–",
        most=fmt.num(top["awaiting_pickup"], lang),
        share=fmt.pct(top["awaiting_pickup"] / total if total else None, lang),
    )
    dated = [r for r in (offices if oldest is None else oldest).to_dicts() if r.get("oldest_card_date") is not None]
    if dated:
        old = min(dated, key=lambda r: r["oldest_card_date"])
        when = fmt.date(old["oldest_card_date"], lang, old.get("oldest_card_precision") or "day")
        text += "; " + t("sum_backlog_oldest", lang, date=when, office=old["office"] or "–")
    return text + "." + _synthetic_word([r.get("is_synthetic") for r in rows], lang)


def series_sentence(series: pl.DataFrame, value: str, what: str, area_name: str, lang: str) -> str | None:
    """A count over time (the backlog line, a burn-down's values): its first and latest figure and
    the change, from the series the chart draws (as_of, `value`, is_synthetic)."""
    s = series.filter(pl.col(value).is_not_null()).sort("as_of")
    if s.height == 0:
        return None
    first, last = s.row(0, named=True), s.row(-1, named=True)
    text = fmt.capital(
        t(
            "sum_series",
            lang,
            what=what,
            area=area_name,
            a=fmt.num(first[value], lang),
            d0=fmt.date(first["as_of"], lang),
            b=fmt.num(last[value], lang),
            d1=fmt.date(last["as_of"], lang),
            change=fmt.signed(last[value] - first[value], lang),
        )
    )
    return text + "." + _synthetic_word(s["is_synthetic"].to_list(), lang)


def destruction_sentence(register: pl.DataFrame, area_name: str, lang: str) -> str | None:
    """Cards destroyed in the register the chart draws, and the largest destruction."""
    rows = [r for r in register.to_dicts() if r.get("destroyed") is not None]
    if not rows:
        return None
    big = max(rows, key=lambda r: (r["destroyed"], r["event_date"]))
    text = t(
        "sum_destroyed",
        lang,
        total=fmt.num(sum(r["destroyed"] for r in rows), lang),
        n=len(rows),
        area=area_name,
        most=fmt.num(big["destroyed"], lang),
        where=big["region_name"],
        date=fmt.date(big["event_date"], lang),
    )
    return text + "." + _synthetic_word([r.get("is_synthetic") for r in rows], lang)


def funnel_sentence(steps: list[tuple[str, int | None]], name: str, lang: str) -> str | None:
    """'Of 223,211 eligible residents of A, 178,804 are recorded (80.1%) and 170,000 printed
    (76.2%)': each known step after eligible as a share of it (from the steps the funnel draws)."""
    known = dict((k, v) for k, v in steps if v is not None)
    eligible = known.get("eligible")
    if not eligible:
        return None
    parts = [
        t(
            "sum_funnel_step",
            lang,
            n=fmt.num(known[k], lang),
            what=t(k, lang).lower(),
            share=fmt.pct(known[k] / eligible, lang),
        )
        for k in ("recorded", "printed", "collected")
        if known.get(k) is not None
    ]
    if not parts:
        return None
    return t("sum_funnel", lang, eligible=fmt.num(eligible, lang), name=name, steps=", ".join(parts)) + "."


def band_label(lower: float | None, upper: float | None, lang: str) -> str:
    """'≥100%', '80–99.99%' (Indonesian '80–99,99%'), '<60%': a published band as printed."""

    def num(v: float) -> str:
        return fmt.num(v, lang, 0 if float(v).is_integer() else 2)

    if upper is None:
        return f"≥{num(lower)}%"
    if lower is None:
        return f"<{num(upper)}%"
    return f"{num(lower)}–{num(round(upper - 0.01, 2))}%"


def published_bands_line(published: pl.DataFrame, df: pl.DataFrame, lang: str) -> str | None:
    """'Published (DKB Sem I 2024): ≥100%: 67 · 80–99.99%: 412 · … — this map: 67 · 412 · …'
    (markdown, texts escaped), and whether the two agree: a map that differs from the
    publisher's own count shows it. None when nothing was published for the map's date."""
    import html

    if not published.height or "recording_rate" not in df.columns:
        return None
    bounds = list(zip(published["lower_pct"].to_list(), published["upper_pct"].to_list(), strict=True))
    own = band_counts(df["recording_rate"].to_list(), bounds)
    labels = [band_label(lo, hi, lang) for lo, hi in bounds]
    theirs = published["units"].to_list()
    pub = " · ".join(f"{lb}: {fmt.num(n, lang)}" for lb, n in zip(labels, theirs, strict=True))
    mine = " · ".join(f"{lb}: {fmt.num(n, lang)}" for lb, n in zip(labels, own, strict=True))
    same = t("published_same", lang) if own == theirs else t("published_differs", lang)
    first = published.row(0, named=True)
    return t(
        "published_bands_line",
        lang,
        release=html.escape(first["release"]),
        published=pub,
        own=mine,
        verdict=same,
        source=html.escape(first["source"]),
    )


def trend_targets(
    codes: list[str], names: dict[str, str], series: pl.DataFrame, targets: pl.DataFrame, lg: str, today: dt.date
) -> tuple[list[tuple], list[tuple], list[str]]:
    """What the Trends chart draws and says about each area's recording target: (target lines
    (label, value, deadline), projections (name, from date, from value, projected date, target),
    one markdown line per area: target, source, status, pace now and needed, projected date).
    The page only draws them (it had built them itself)."""
    target_lines, projections, notes = [], [], []
    for code in codes:
        # the area's own target by the map's rule (queries.UNIT_TARGET_CTE): sourced first, latest set
        rows = targets.filter(pl.col("region_code") == code).sort(
            ["is_synthetic", "start_date"], descending=[False, True], nulls_last=True
        )
        s = series.filter(pl.col("region_code") == code)
        pts = list(zip(s["as_of"].to_list(), s["recording_rate"].to_list(), strict=True))
        if not rows.height:
            continue
        r = rows.row(0, named=True)
        target_lines.append(
            (
                f"{names[code]}: {t('target_line', lg, value=fmt.target_pct(r['target_value'], lg))}",
                r["target_value"],
                r["deadline"],
            )
        )
        p = project(pts, r["target_value"], "recording_rate", r["deadline"], today)
        if p.projected_date and p.latest_date and p.projected_date > p.latest_date:
            projections.append((names[code], p.latest_date, p.latest_value, p.projected_date, r["target_value"]))
        msg = f"**{names[code]}** — {t('target', lg)} {fmt.target_pct(r['target_value'], lg)}"
        msg += f" ({r['source'] or r['set_by']}{', ' + t('synthetic', lg) if r['is_synthetic'] else ''}) · {t(p.status, lg)}"
        if p.status == "status_met" and p.reached_date:
            msg += " · " + t("reached_on", lg, date=fmt.date(p.reached_date, lg))
        elif p.pace_per_day is not None:
            msg += " · " + t("pace_now", lg, pace=fmt.pace(p.pace_per_day, lg))
        if p.projected_date:
            msg += " · " + t("projected_date", lg, date=fmt.date(p.projected_date, lg))
        elif p.status not in ("status_met", "status_missed"):
            msg += " · " + t("not_reached", lg)
        if p.pace_needed is not None and r["deadline"]:
            msg += " · " + t(
                "pace_needed",
                lg,
                pace=fmt.pace(p.pace_needed, lg),
                deadline=fmt.date(r["deadline"], lg),
            )
        notes.append(msg)
    return target_lines, projections, notes


def map_title(metric: str, level: str, area_name: str, lang: str) -> str:
    """'Recording rate by regency, Jambi': the map's title (the page, the reader page, files)."""
    return t(
        "map_title", lang, metric=t("metric_" + metric, lang), level=t("level_" + level, lang).lower(), area=area_name
    )


def map_source_line(
    sources: tuple[str, ...],
    synthetic: tuple[bool, ...],
    as_of: dt.date,
    target: queries.ViewTarget | None,
    lang: str,
) -> tuple[str, str]:
    """(the sources named, the map's source line: sources, synthetic marker, as-of date and the
    units' targets with their sources), said the same on the map page, its reader page and
    their files."""
    src_text = fmt.sources_line(list(sources), lang)
    if True in synthetic:
        src_text = (src_text + "; " if src_text else "") + t("synthetic_marker", lang)
    line = t("figure_source", lang, sources=src_text or "–", date=fmt.date(as_of, lang))
    if target is not None and target.units_with:
        if target.value is not None:
            line += " · " + t("target_line", lang, value=fmt.target_pct(target.value, lang))
        else:
            line += " · " + t("target_line_own", lang, n=target.units_with, total=target.units)
        said = [fmt.source(s, lang) or s for s in target.sources]
        if target.synthetic:
            said.append(t("synthetic_marker", lang))
        line += f" ({'; '.join(said)})" if said else ""
    return src_text, line
