"""Deterministic synthetic fill so maps and trends are complete.

Every regency and district gets a monthly series from January 2018 to December 2024, sized from
its real number of villages (desa ≈ 2,700 residents, kelurahan ≈ 9,000; in Papua 700 and 5,000)
and shaped like the published national figures: ~97.9% recorded in March 2019 (published 98.2%)
and ~99.3% in December 2021 (published 99.2%), lower in Papua. Regency rows are exact
sums of their districts, so roll-ups agree. Every row says is_synthetic = true and the loader
ranks it below any sourced figure; it never overrides one. Fixed seed: the same files every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl

from etl.regions import regions_frame

SEED = 20190331
START, END = dt.date(2018, 1, 31), dt.date(2024, 12, 31)
PAPUA = {"91", "92", "93", "94", "95", "96"}


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
    # calibrated to the published national rates: 92.1% (Jun 2017), 98.2% (Mar 2019), 99.2% (Dec
    # 2021), with ~1.9M of the 3.4M unrecorded of March 2019 in Papua (ktp_figures_news.csv)
    r0 = np.where(papua, 0.40 + 0.20 * u, 0.94 + 0.05 * u)
    r_max = np.where(papua, 0.90, 0.989 + 0.018 * v)  # some units exceed 100% late on
    speed = np.where(papua, 0.02, 0.06) * (0.6 + 0.8 * v)
    rate = r_max[:, None] - (r_max - r0)[:, None] * np.exp(-speed[:, None] * k[None, :])
    rate = rate + rng.normal(0, 0.002, size=(n, t))
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


def backlog_series(regency: pl.DataFrame) -> pl.DataFrame:
    """One office per regency: printed cards awaiting pickup, aging, and monthly collections."""
    names = regions_frame().filter(pl.col("level") == "regency").select("code", "name")
    df = regency.join(names, left_on="region_code", right_on="code").sort("region_code", "as_of")
    seeds = np.array([_unit_seed("b" + c) for c in df["region_code"].to_list()], dtype=np.uint64)
    u = (seeds % 1000) / 1000.0
    month_idx = df.group_by("region_code", maintain_order=True).agg(pl.len())["len"].to_list()
    k = np.concatenate([np.arange(m) for m in month_idx])
    printed = df["printed"].to_numpy().astype(float)
    share = (0.004 + 0.02 * u) * np.exp(-0.012 * k)
    awaiting = np.round(printed * share)
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


def blanko_series(regency: pl.DataFrame) -> pl.DataFrame:
    """Monthly blank-card stock per regency: deliveries every quarter, use ≈ new prints."""
    df = regency.sort("region_code", "as_of").with_columns(
        pl.col("printed").diff().over("region_code").fill_null(0).clip(0).alias("used")
    )
    out = []
    for (code,), part in df.group_by("region_code", maintain_order=True):
        used = part["used"].to_numpy().astype(np.int64)
        u = (_unit_seed("s" + code) % 1000) / 1000.0
        stock = int(used[:4].mean() * 4 + 500) if len(used) else 500
        rows = []
        for i, (d, use) in enumerate(zip(part["as_of"].to_list(), used, strict=True)):
            # a delivery each quarter, planned from the next quarter's expected use
            planned = used[i : i + 3].mean() * 3.0 * (0.8 + 0.35 * u) if i % 3 == 0 else 0
            received = int(max(planned, 0))
            damaged = int(round(use * 0.01))
            take = min(int(use) + damaged, stock + received)
            stock = stock + received - take
            rows.append((code, d, received, int(use), damaged, stock))
        out.extend(rows)
    res = pl.DataFrame(
        out,
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
