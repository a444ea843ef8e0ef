"""Deterministic synthetic fill so maps and trends are complete.

Every regency and district gets a monthly series from January 2018 to December 2024, sized from
its real number of villages (desa ≈ 2,700 residents, kelurahan ≈ 9,000; in Papua 700 and 5,000),
scaled to every published wajib KTP-el count from 2018 on (`anchor_sizes`: Jambi 2.5M, not the
4.2M its villages suggest), rising toward ~99% (lower in Papua), and drawn through every
published rate from 2018 on (`anchor_rates`): the nation's 98.2% in March 2019 and 99.2% in
December 2021, Jambi's, Sarolangun's 75% → 86% → 96% (2018–2020), Kupang's, Probolinggo's and
Palembang's. Regency rows are exact sums of their districts, so roll-ups agree. Every row says is_synthetic = true and the loader
ranks it below any sourced figure; it never overrides one. Fixed seed: the same files every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from etl import bands, splits
from etl.regions import regions_frame

SEED = 20190331
#: The fill's months: to the latest published semester (DKB Semester II 2025).
START, END = dt.date(2018, 1, 31), dt.date(2025, 12, 31)
PAPUA = {"91", "92", "93", "94", "95", "96"}
#: Where the published reports put the lowest recording (Papua's central highlands, 2022: Paniai
#: 6.12%, Yahukimo 7.09%, Intan Jaya 8.74%, Nduga 11.07%, Puncak 15.25%; Jayawijaya 34.7%;
#: Pegunungan Arfak ~32% in 2022–2023): their generic curve starts low and rises slowly. The
#: highland regencies of Papua Pegunungan (95) and Papua Tengah, and Pegunungan Arfak.
HIGHLAND = ("95.", "94.02", "94.03", "94.05", "94.06", "94.07", "94.08", "92.12")
#: Rates are held within these (a fraction; above 1 happens where eligible is from an older semester).
RATE_FLOOR, RATE_CEILING = 0.02, 1.05


def month_ends(start: dt.date = START, end: dt.date = END) -> list[dt.date]:
    out, y, m = [], start.year, start.month
    while True:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        d = nxt - dt.timedelta(days=1)
        if d > end:
            return out
        out.append(d)
        y, m = nxt.year, nxt.month


def _unit_seed(code: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{SEED}:{code}".encode()).digest()[:4], "little")


#: The published figures the fill is drawn through (data/sourced, copied from ../shared/real).
SOURCED = Path(__file__).resolve().parent.parent / "data" / "sourced"
PUBLISHED = (SOURCED / "ktp_figures_news.csv", SOURCED / "ktp_figures_2022_2025.csv")
#: The published band counts the fill reproduces (shape_bands), and the region splits that say
#: which area a pre-split figure describes.
BANDS, SPLITS = bands.PATH, splits.PATH
#: Published figures from before the fill's first month do not shape it (Jambi's 2013 rate is
#: not 2018's; a 2017 figure has no synthetic month to be compared with).
ANCHOR_FROM = dt.date(2018, 1, 1)
#: Passes over all areas: a regency's shift moves its province's sum, which the next pass mends.
ANCHOR_PASSES = 5
#: After an area's last published figure its gap to the generic curve halves every this many months.
GAP_HALF_LIFE_MONTHS = 12


def _published(value: pl.Expr, paths: tuple[Path, ...]) -> dict[str, list[tuple[dt.date, float]]]:
    """Area code → [(date, value)] from the published figures from ANCHOR_FROM on; sources that
    disagree on one date (Kota Probolinggo, June 2018) count as their mean. A figure dated
    before its unit's split is keyed by the former area ('91~2022': today's 91, 93, 94, 95),
    which the fill meets as the sum of the successors, never as the unit that kept the code."""
    df = pl.concat([pl.read_csv(p, infer_schema_length=0) for p in paths], how="diagonal").with_columns(
        pl.col("as_of").str.to_date(),
        *(pl.col(c).cast(pl.Float64) for c in ("eligible", "recorded", "not_recorded", "recorded_pct")),
    )
    former = [
        (s.former_code if (s := splits.former_area(c, d)) else c)
        for c, d in zip(df["region_code"].to_list(), df["as_of"].to_list(), strict=True)
    ]
    return _by_area(df.with_columns(value=value, region_code=pl.Series(former)), pl.col("value").mean())


def _by_area(df: pl.DataFrame, agg: pl.Expr) -> dict[str, list[tuple[dt.date, float]]]:
    """Area code → [(date, value)] in date order: the rows' `value` from ANCHOR_FROM on,
    combined per area and date by `agg`."""
    rows = (
        df.filter(pl.col("value").is_not_null() & (pl.col("as_of") >= ANCHOR_FROM))
        .group_by("region_code", "as_of")
        .agg(agg)
        .sort("region_code", "as_of")
    )
    out: dict[str, list[tuple[dt.date, float]]] = {}
    for code, d, v in rows.iter_rows():
        out.setdefault(code, []).append((d, v))
    return out


def published_rates(path: tuple[Path, ...] = PUBLISHED) -> dict[str, list[tuple[dt.date, float]]]:
    """Area code → [(date, recording rate)], computed as the app computes a rate (recorded /
    eligible, else the printed %, else 1 − unrecorded / eligible)."""
    rate = pl.coalesce(
        pl.col("recorded") / pl.col("eligible"),
        pl.col("recorded_pct") / 100,
        1 - pl.col("not_recorded") / pl.col("eligible"),
    )
    return _published(rate, path)


def published_eligible(path: tuple[Path, ...] = PUBLISHED) -> dict[str, list[tuple[dt.date, float]]]:
    """Area code → [(date, wajib KTP-el)]."""
    return _published(pl.col("eligible"), path)


def members_of(code: str, codes: list[str]) -> np.ndarray:
    """Which of the districts `codes` are inside an area: the nation, a unit by its code prefix,
    or a former area ('91~2022') as the union of its successors."""
    prefix = np.array([c[:5] for c in codes])
    if code == "00":
        return np.ones(len(codes), bool)
    former = next((s for s in splits.read() if s.former_code == code), None)
    parts = former.successors if former else (code,)
    out = np.zeros(len(codes), bool)
    for part in parts:
        out |= np.char.startswith(prefix, part)
    return out


def _anchor_passes(codes: list[str], anchors: dict) -> Iterator[tuple[str, np.ndarray]]:
    """(area, its districts) for every area with published figures: the nation first, then
    former areas and provinces, then regencies, ANCHOR_PASSES times (a regency's shift moves its
    province's sum)."""
    order = sorted(anchors, key=lambda c: (c != "00", len(c.split("~")[0]), c))
    members = {code: members_of(code, codes) for code in order}
    for code in order * ANCHOR_PASSES:
        if members[code].any():
            yield code, members[code]


def anchor_sizes(eligible: np.ndarray, codes: list[str], anchors: dict[str, list[tuple[dt.date, float]]]) -> np.ndarray:
    """Per-district factors (population and eligible alike) so each area with published counts
    is as large as published: villages alone made Jambi 4.2M wajib KTP-el against a published
    2.5M. Each factor is the mean over the area's figures."""
    t = eligible.shape[1]
    factor = np.ones(len(codes))
    for code, members in _anchor_passes(codes, anchors):
        sums = (eligible[members] * factor[members, None]).sum(axis=0)
        ratios = [e / sums[_month_at(d, t)] for d, e in anchors[code]]
        factor[members] *= float(np.mean(ratios))
    return factor


def _month_at(d: dt.date, t: int) -> int:
    """The fill's month of a date, held within its t months."""
    return min(max(_month_index(d), 0), t - 1)


def _month_index(d: dt.date) -> int:
    return (d.year - START.year) * 12 + d.month - START.month


def _anchor_curve(t: int, xs: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Per month of t: `gaps` at months `xs`, interpolated between them, and halving every
    GAP_HALF_LIFE_MONTHS away from them, before the first and after the last. What the rates, the blank-card
    stock and the backlog are shifted by (or, less 1, scaled by) to meet the published figures."""
    k = np.arange(t)
    curve = np.interp(k, xs, gaps)
    after, before = k > xs[-1], k < xs[0]
    curve[after] = gaps[-1] * 0.5 ** ((k[after] - xs[-1]) / GAP_HALF_LIFE_MONTHS)
    # and before the first: a figure of 2022 says little about 2018 (Tanjabtim's 102.66% had
    # lifted its 2019 above Jambi's other regencies, which the province's 2019 figure then pushed down)
    curve[before] = gaps[0] * 0.5 ** ((xs[0] - k[before]) / GAP_HALF_LIFE_MONTHS)
    return curve


def anchor_rates(
    rate: np.ndarray,
    eligible: np.ndarray,
    codes: list[str],
    months: list[dt.date],
    anchors: dict[str, list[tuple[dt.date, float]]],
) -> np.ndarray:
    """District rates shifted so that each area with published figures passes through them:
    the nation first, then provinces, then regencies, each on top of the last. Between two
    figures the shift is interpolated by month; before the first and after the last it halves
    every GAP_HALF_LIFE_MONTHS. Sarolangun's line thus rises from 75% (Aug 2018) through
    86% (Mar 2019) to 96% (Jul 2020), as published, instead of a generic 97% throughout. In a
    month where the shift would take a district below RATE_FLOOR it scales the area's rates
    instead (the same move of the area's rate, no district clipped away from it)."""
    rate = rate.copy()
    t = len(months)
    for code, members in _anchor_passes(codes, anchors):
        e = eligible[members]
        agg = (rate[members] * e).sum(axis=0) / e.sum(axis=0)
        xs = np.array([_month_index(d) for d, _ in anchors[code]], dtype=float)
        gaps = np.array([r - agg[_month_at(d, t)] for d, r in anchors[code]])
        shift = _anchor_curve(t, xs, gaps)
        # far below its curve (Paniai's 6%), a month's shift scales the area's rates instead of
        # adding to them, so no district is clipped away from the area's figure
        scaled = (rate[members] + shift[None, :]).min(axis=0) < RATE_FLOOR
        factor = np.where(scaled, np.maximum(agg + shift, RATE_FLOOR) / np.maximum(agg, 1e-9), 1.0)
        rate[members] = rate[members] * factor[None, :] + np.where(scaled, 0.0, shift)[None, :]
    return np.clip(rate, RATE_FLOOR, RATE_CEILING)


#: A band's fill is kept this far inside the band's edges (a fraction), so rounding never moves a
#: unit across one; and a unit's band shift ramps in over this many months before the band's date.
BAND_MARGIN, BAND_RAMP_MONTHS = 0.003, 18


def _regency_rates(
    rate: np.ndarray, eligible: np.ndarray, inv: np.ndarray, n: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, eligible) per regency in month m, summed from its districts."""
    e = np.bincount(inv, eligible[:, m], minlength=n)
    return np.bincount(inv, rate[:, m] * eligible[:, m], minlength=n) / e, e


def _band_targets(
    r: np.ndarray,
    e: np.ndarray,
    regencies: np.ndarray,
    published: list[bands.Band],
    fixed: np.ndarray,
    national: float | None,
) -> np.ndarray:
    """Each regency's rate for the band date: the lowest `units` of the first band in it, and so
    on by rank (so the lowest stay the lowest: the highlands), each moved only as far as its band
    needs; then the largest band's free units moved together so the sum meets the national
    figure."""
    ranked = sorted(published, key=lambda b: -1e9 if b.lower_pct is None else b.lower_pct)
    if sum(b.units for b in ranked) != len(r):
        raise ValueError(f"published bands count {sum(b.units for b in ranked)} units, the fill has {len(r)} regencies")
    order = np.lexsort((regencies, r))
    lo, hi = np.empty(len(r)), np.empty(len(r))
    big = np.zeros(len(r), bool)
    start = 0
    largest = max(ranked, key=lambda b: b.units)
    for b in ranked:
        idx = order[start : start + b.units]
        lo[idx] = (RATE_FLOOR if b.lower_pct is None else b.lower_pct / 100) + BAND_MARGIN
        hi[idx] = (RATE_CEILING if b.upper_pct is None else b.upper_pct / 100) - BAND_MARGIN
        big[idx] = b is largest
        start += b.units
    target = np.where(fixed, r, np.clip(r, lo, hi))
    free = big & ~fixed
    for _ in range(20 if national is not None else 0):
        gap = national * e.sum() - (target * e).sum()
        if abs(gap) < 1e-9 * e.sum():
            break
        target[free] = np.clip(target[free] + gap / e[free].sum(), lo[free], hi[free])
    return target


def _shift_curve(t: int, at: int, gap: float, zeros: list[int]) -> np.ndarray:
    """A shift of `gap` in month `at`, zero at the months `zeros` (where published figures hold the
    area) and BAND_RAMP_MONTHS before: interpolated between, zero before, and after `at` down to
    the next zero or, with none, held (no newer published distribution says otherwise)."""
    before = max([z for z in zeros if z < at] + [at - BAND_RAMP_MONTHS])
    after = [z for z in zeros if z > at][:1]
    # with no later zero the latest published distribution holds until a newer one
    return np.interp(np.arange(t), [before, at, *after], [0.0, gap, *(0.0 for _ in after)], 0.0, 0.0 if after else gap)


def shape_bands(
    rate: np.ndarray,
    eligible: np.ndarray,
    codes: list[str],
    months: list[dt.date],
    anchors: dict[str, list[tuple[dt.date, float]]],
) -> np.ndarray:
    """District rates moved so that on each date with published band counts (DKB Semester I
    2024: 67 / 412 / 18 / 17) the regencies fall in the bands exactly as counted, by rank, with
    the national rate still the published one; then the nation is brought to its published
    figures after the band date, by the largest band's free units together. A regency
    with its own figure that month is not moved; published figures of a regency or its province
    before or after hold it there (the shift is zero in their months)."""
    rate = rate.copy()
    t = len(months)
    reg = np.array([c[:5] for c in codes])
    regencies, inv = np.unique(reg, return_inverse=True)
    held: dict[str, list[int]] = {}
    for code, pts in anchors.items():
        if code == "00":
            continue
        for r_code in regencies[members_of(code, list(regencies))]:
            held.setdefault(str(r_code), []).extend(_month_index(d) for d, _ in pts)
    by_date: dict[dt.date, list[bands.Band]] = {}
    for b in bands.read(BANDS):
        if b.level == "regency" and START <= b.as_of <= END:
            by_date.setdefault(b.as_of, []).append(b)
    national = {_month_index(d): v for d, v in anchors.get("00", [])}
    last, free_band = 0, (0.0, 0.0)
    for d, published in sorted(by_date.items()):
        m = _month_index(d)
        fixed = np.array([m in held.get(str(c), ()) for c in regencies])
        largest = max(published, key=lambda b: b.units)
        free_band = (largest.lower_pct or 0) / 100 + BAND_MARGIN, (largest.upper_pct or 1e9) / 100 - BAND_MARGIN
        for _ in range(2):  # a second pass absorbs what clipping districts took off the first
            r, e = _regency_rates(rate, eligible, inv, len(regencies), m)
            target = _band_targets(r, e, regencies, published, fixed, national.get(m))
            for i in np.flatnonzero(np.abs(target - r) > 1e-12):
                curve = _shift_curve(t, m, float(target[i] - r[i]), sorted(held.get(str(regencies[i]), [])))
                rate[inv == i] += curve[None, :]
            rate = np.clip(rate, RATE_FLOOR, RATE_CEILING)
        last = m
    # the nation's later figures (97.47% in December 2025): the free units of the last band date move together
    for m in sorted(k for k in national if last and k > last and k < t):
        r, e = _regency_rates(rate, eligible, inv, len(regencies), m)
        free = np.array([not held.get(str(c)) or max(held[str(c)]) <= last for c in regencies])
        free &= (r > free_band[0]) & (r < free_band[1])
        gap = (national[m] * e.sum() - (r * e).sum()) / e[free].sum()
        curve = _shift_curve(t, m, gap, [last])
        rate[free[inv]] += curve[None, :]
        last = m
    return rate


def district_series(months: list[dt.date]) -> pl.DataFrame:
    regions = regions_frame()
    villages = (
        regions.filter(pl.col("level") == "village")
        .with_columns(pl.col("parent_code").alias("district"))
        .group_by("district")
        .agg(
            (pl.col("kind") == "kelurahan").sum().alias("kel"),
            (pl.col("kind") != "kelurahan").sum().alias("desa"),
        )
    )
    districts = (
        regions.filter(pl.col("level") == "district")
        .join(villages, left_on="code", right_on="district", how="left")
        .with_columns(pl.col("kel").fill_null(0), pl.col("desa").fill_null(1))
        .sort("code")
    )
    codes = districts["code"].to_list()
    n, t = len(codes), len(months)
    rng = np.random.default_rng(SEED)
    seeds = np.array([_unit_seed(c) for c in codes], dtype=np.uint64)
    u = (seeds % 10_000) / 10_000.0  # per-unit deterministic uniform
    v = ((seeds // 10_000) % 10_000) / 10_000.0
    papua = np.array([c[:2] in PAPUA for c in codes])
    # Papua's kampung are small (~5.4M people in ~7,300 villages in the 2020 census), Java's desa large
    desa_size = np.where(papua, 700, 2700)
    kel_size = np.where(papua, 5000, 9000)
    pop0 = (districts["desa"].to_numpy() * desa_size + districts["kel"].to_numpy() * kel_size) * (0.7 + 0.6 * u)
    pop0 = np.maximum(pop0, 800)
    growth = 1 + 0.0009 + 0.0006 * v  # per month
    k = np.arange(t)
    pop = pop0[:, None] * growth[:, None] ** k[None, :]
    eligible_share = np.where(papua, 0.62, 0.70) + 0.04 * (v - 0.5)
    eligible = pop * eligible_share[:, None]
    size = anchor_sizes(eligible, codes, published_eligible())
    pop, eligible = pop * size[:, None], eligible * size[:, None]
    # a generic curve near the published national rates (anchor_rates then draws it through
    # them), with ~1.5M of the nation's unrecorded of March 2019 in Papua (published: ~1.9M of 3.4M)
    highland = np.array([c.startswith(HIGHLAND) for c in codes])
    r0 = np.where(highland, 0.03 + 0.12 * u, np.where(papua, 0.40 + 0.20 * u, 0.94 + 0.05 * u))
    r_max = np.where(highland, 0.62 + 0.10 * v, np.where(papua, 0.90, 0.989 + 0.018 * v))  # some exceed 100% late on
    speed = np.where(highland, 0.012, np.where(papua, 0.02, 0.06)) * (0.6 + 0.8 * v)
    rate = r_max[:, None] - (r_max - r0)[:, None] * np.exp(-speed[:, None] * k[None, :])
    rate = rate + rng.normal(0, 0.002, size=(n, t))
    anchors = published_rates()
    rate = anchor_rates(rate, eligible, codes, months, anchors)
    rate = shape_bands(rate, eligible, codes, months, anchors)
    recorded = eligible * rate
    printed = recorded * (0.90 + 0.08 * (1 - np.exp(-0.05 * k)))[None, :] * (0.97 + 0.02 * u)[:, None]
    print_ready = recorded - printed
    df = pl.DataFrame(
        {
            "region_code": np.repeat(np.array(codes, dtype=object), t),
            "as_of": np.tile(np.array(months, dtype="datetime64[D]"), n),
            "population": np.round(pop).astype(np.int64).ravel(),
            "eligible": np.round(eligible).astype(np.int64).ravel(),
            "recorded": np.round(recorded).astype(np.int64).ravel(),
            "printed": np.round(printed).astype(np.int64).ravel(),
            "print_ready": np.round(print_ready).astype(np.int64).ravel(),
        }
    )
    return df.with_columns(pl.col("as_of").cast(pl.Date))


def regency_series(districts: pl.DataFrame) -> pl.DataFrame:
    return (
        districts.with_columns(pl.col("region_code").str.slice(0, 5).alias("region_code"))
        .group_by("region_code", "as_of")
        .agg(pl.col("population", "eligible", "recorded", "printed", "print_ready").sum())
        .sort("region_code", "as_of")
    )


#: Published backlog counts (data/sourced/backlog.csv) the fill is drawn through.
PUBLISHED_BACKLOG = SOURCED / "backlog.csv"


def published_backlog(path: Path = PUBLISHED_BACKLOG) -> dict[str, list[tuple[dt.date, float]]]:
    """Regency code → [(date, cards awaiting pickup)]: Kupang's 5,000 of 27 January 2020. Offices
    of one regency on one day are summed (the fill has one office per regency)."""
    df = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("as_of").str.to_date(), value=pl.col("awaiting_pickup").cast(pl.Float64)
    )
    return _by_area(df, pl.col("value").sum())


def anchor_factors(values: np.ndarray, anchors: list[tuple[dt.date, float]]) -> np.ndarray:
    """Monthly factors that take `values` through each published figure in its month:
    interpolated between figures, and their distance from 1 halving every GAP_HALF_LIFE_MONTHS
    before the first and after the last (as the rates' shift does)."""
    t = len(values)
    at = np.array([_month_at(d, t) for d, _ in anchors], dtype=float)
    ratios = np.array([v / max(values[int(m)], 1.0) for m, (_, v) in zip(at, anchors, strict=True)])
    return 1 + _anchor_curve(t, at, ratios - 1)


def backlog_series(regency: pl.DataFrame) -> pl.DataFrame:
    """One office per regency: printed cards awaiting pickup, aging, and monthly collections,
    drawn through the published counts (anchor_factors)."""
    names = regions_frame().filter(pl.col("level") == "regency").select("code", "name")
    df = regency.join(names, left_on="region_code", right_on="code").sort("region_code", "as_of")
    seeds = np.array([_unit_seed("b" + c) for c in df["region_code"].to_list()], dtype=np.uint64)
    u = (seeds % 1000) / 1000.0
    month_idx = df.group_by("region_code", maintain_order=True).agg(pl.len())["len"].to_list()
    k = np.concatenate([np.arange(m) for m in month_idx])
    printed = df["printed"].to_numpy().astype(float)
    share = (0.004 + 0.02 * u) * np.exp(-0.012 * k)
    awaiting = printed * share
    codes = df["region_code"].to_numpy()
    for code, pts in published_backlog().items():
        rows = np.flatnonzero(codes == code)
        if rows.size:
            awaiting[rows] *= anchor_factors(awaiting[rows], pts)
    awaiting = np.round(awaiting)
    a0 = np.round(awaiting * (0.45 - 0.1 * u))
    a1 = np.round(awaiting * 0.25)
    a2 = np.round(awaiting * (0.15 + 0.05 * u))
    a3 = awaiting - a0 - a1 - a2
    collected = np.round(awaiting * (0.3 + 0.3 * u))
    return pl.DataFrame(
        {
            "region_code": df["region_code"],
            "office": ("Disdukcapil " + df["name"]).to_list(),
            "as_of": df["as_of"],
            "awaiting_pickup": awaiting.astype(np.int64),
            "collected": collected.astype(np.int64),
            "age_0_3m": a0.astype(np.int64),
            "age_3_6m": a1.astype(np.int64),
            "age_6_12m": a2.astype(np.int64),
            "age_12m_plus": a3.astype(np.int64),
            "is_synthetic": True,
        }
    )


#: Blank-card stock an office orders toward, in months of its expected use (a synthetic office
#: tops up quarterly; each gets its own appetite between 1.5 and 3.5 months).
BLANKO_BUFFER_MONTHS = (1.5, 2.0)


def published_blanko(path: tuple[Path, ...] = PUBLISHED) -> dict[str, list[tuple[dt.date, float]]]:
    """Area code → [(date, blank cards on hand)]: Sarolangun's 4,000 (Dec 2018) and 5,000 (Jul 2020)."""
    return _published(pl.col("blanko_on_hand").cast(pl.Float64), path)


def _stock_run(used: np.ndarray, u: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Monthly (received, used, damaged, remaining): a delivery each quarter of the next
    quarter's expected use, plus what tops the stock up to the office's buffer (months of its
    use over the past year, so a busy quarter is not stocked for years). Use is what the stock
    allows, 1% of it spoilt."""
    t = len(used)
    buffer = BLANKO_BUFFER_MONTHS[0] + BLANKO_BUFFER_MONTHS[1] * u
    received, took, damaged, remaining = (np.zeros(t, np.int64) for _ in range(4))
    usual = float(used[1:7].mean()) if t > 1 else 0.0  # the first month's use is not known (a diff)
    stock = int(usual * buffer) + 500
    for i in range(t):
        if i % 3 == 0:
            if i >= 12:
                usual = float(used[i - 12 : i].mean())
            quarter = float(used[i : i + 3].sum()) * 1.01
            received[i] = int(max(quarter + usual * buffer - stock, 0))
        want = int(used[i])
        spoilt = int(round(want * 0.01))
        available = stock + int(received[i])
        took[i] = min(want, max(available - spoilt, 0))
        damaged[i] = min(spoilt, available - took[i])
        stock = available - took[i] - damaged[i]
        remaining[i] = stock
    return received, took, damaged, remaining


def _anchor_stock(
    received: np.ndarray, remaining: np.ndarray, months: list[dt.date], anchors: list[tuple[dt.date, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """(received, remaining) shifted through the published stock figures. The shift changes
    only with a quarter's delivery and holds for the quarter, so a figure's month shows the
    figure; between figures it is interpolated, after the last it halves every
    GAP_HALF_LIFE_MONTHS. Received moves with the shift, so that stock = last stock + received −
    used − damaged still holds; neither a delivery nor the stock goes below zero (a shift the
    quarter cannot take waits for the next delivery)."""
    t = len(months)
    at = [_month_at(d, t) for d, _ in anchors]
    gaps = np.array([v - remaining[m] for m, (_, v) in zip(at, anchors, strict=True)])
    shift = _anchor_curve(t, np.array(at, dtype=float), gaps)
    off = np.zeros(t)
    initial = remaining[0] - received[0]  # before the first month's delivery, as used and spoilt are
    prev = max(shift[0], -initial)
    for i in range(0, t, 3):
        quarter = range(i, min(i + 3, t))
        target = next((shift[m] for m in at if m in quarter), shift[i])
        floor = -remaining[i : i + 3].min()
        if i:
            floor = max(floor, prev - received[i])
        prev = max(target, floor)
        off[i : i + 3] = prev
    off = np.round(off).astype(np.int64)
    before = np.concatenate([[off[0]], off[:-1]])
    return received + off - before, remaining + off


def blanko_series(regency: pl.DataFrame) -> pl.DataFrame:
    """Monthly blank-card stock per regency: quarterly deliveries toward a buffer, use ≈ new
    prints as far as the stock allows, drawn through published stock figures (Sarolangun)."""
    df = regency.sort("region_code", "as_of").with_columns(
        pl.col("printed").diff().over("region_code").fill_null(0).clip(0).alias("used")
    )
    anchors = published_blanko()
    out = []
    for (code,), part in df.group_by("region_code", maintain_order=True):
        months = part["as_of"].to_list()
        u = (_unit_seed("s" + code) % 1000) / 1000.0
        received, used, damaged, remaining = _stock_run(part["used"].to_numpy().astype(np.int64), u)
        if code in anchors:
            received, remaining = _anchor_stock(received, remaining, months, anchors[code])
        out.extend(zip([code] * len(months), months, received, used, damaged, remaining, strict=True))
    res = pl.DataFrame(
        [tuple(int(v) if isinstance(v, np.integer) else v for v in row) for row in out],
        schema=["region_code", "as_of", "received", "used", "damaged", "remaining"],
        orient="row",
    )
    return res.with_columns(pl.lit(True).alias("is_synthetic"))


def targets_rows() -> pl.DataFrame:
    provs = regions_frame().filter(pl.col("level") == "province")
    return pl.DataFrame(
        {
            "region_code": provs["code"],
            "metric": "recording_rate",
            "target_value": 98.0,
            "minimum_value": 90.0,
            "start_date": dt.date(2023, 1, 31),
            "deadline": dt.date(2024, 12, 31),
            "set_by": "synthetic demo target",
            "is_synthetic": True,
        }
    )


def generate(out_dir: Path) -> dict[str, Path]:
    """Write the synthetic input files; returns kind → path. Same bytes for the same code."""
    out_dir.mkdir(parents=True, exist_ok=True)
    months = month_ends()
    districts = district_series(months)
    regency = regency_series(districts)
    coverage = pl.concat([regency, districts]).with_columns(pl.lit(True).alias("is_synthetic"))
    files = {
        "coverage": out_dir / "coverage_synthetic.parquet",
        "backlog": out_dir / "backlog_synthetic.parquet",
        "blanko": out_dir / "blanko_synthetic.parquet",
        "targets": out_dir / "targets_synthetic.parquet",
    }
    coverage.write_parquet(files["coverage"])
    backlog_series(regency).write_parquet(files["backlog"])
    blanko_series(regency).write_parquet(files["blanko"])
    targets_rows().write_parquet(files["targets"])
    return files
