"""Side-by-side benchmark: our map path vs a naive Streamlit + pandas page, and the ETL.

Not part of the test suite. Run `make bench` (or `python -m bench.bench --help`). Medians over
repeated runs in one invocation on this machine; prints and writes bench/results/results.{md,csv}.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "work"
DATE = dt.date(2024, 12, 31)


def median_time(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def gen_workload(level: str, months: int) -> Path:
    """Dukcapil-style CSV: every unit of a level × monthly periods (deterministic, d/m/Y dates).

    district: 7,285 × 120 ≈ 870k rows; village: 83,762 × 120 ≈ 10M rows (≈350 MB).
    """
    import duckdb
    import polars as pl

    from etl.regions import regions_frame

    path = WORK / f"workload_{level}_{months}m.csv"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    codes = regions_frame().filter(pl.col("level") == level).select("code").to_arrow()
    con = duckdb.connect()
    con.register("codes", codes)
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""
        COPY (
          SELECT c.code AS "KODE WILAYAH",
                 strftime(last_day(DATE '2015-01-01' + INTERVAL (m) MONTH), '%d/%m/%Y') AS "TANGGAL",
                 e AS "WAJIB KTP-EL",
                 (e * (0.7 + 0.3 * ((hash(c.code, m) % 1000) / 1000.0)))::BIGINT AS "SUDAH REKAM"
          FROM (SELECT code, (500 + hash(code) % 5000)::BIGINT AS e FROM codes) c, range({int(months)}) t(m)
          ORDER BY c.code, m
        ) TO '{tmp}' (HEADER, DELIMITER ',', FORMAT csv)
        """  # noqa: S608 - a generated path and an int
    )
    con.close()
    tmp.rename(path)
    return path


def plain_import(path: Path) -> float:
    """The floor: DuckDB importing the same CSV with no validation at all."""
    import duckdb

    db = WORK / "plain.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    # the code stays text: sniffed alone, '11.01.01' (a district) reads as a %y.%m.%d date
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, types = {'KODE WILAYAH': 'VARCHAR'})", [str(path)])
    secs = time.perf_counter() - t0
    con.close()
    db.unlink(missing_ok=True)
    return secs


def map_workload_db() -> Path:
    """A DB holding the national district workload (7,285 districts × 120 months, loaded by our
    ETL with regions and boundaries), which the map step and the naive page are timed on.
    Made once and kept in bench/work/ until the workload file changes."""
    csv_path = gen_workload("district", 120)
    db = WORK / "map_bench.duckdb"
    if db.exists() and db.stat().st_mtime >= csv_path.stat().st_mtime:
        return db
    db.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(csv_path), "--kind", "coverage"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return db


def bench_etl(path: Path) -> dict:
    db = WORK / "etl_bench.duckdb"
    db.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "--db",
            str(db),
            "load",
            str(ROOT / "tests/fixtures/targets_kupang.csv"),
            "--kind",
            "targets",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(path), "--kind", "coverage"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    from deploy.process import watch_peak_rss

    peak = watch_peak_rss(proc, 0.2)
    proc.communicate()
    return {"seconds": time.perf_counter() - t0, "peak_mib": peak() / 2**20}


def ours(level: str, cold: bool) -> int:
    """Our map step, as the page runs it: the checked view → the view model (cached queries, the
    geometry projected once per file) → the map element's payload (ektp.ui.svgmap), the bytes
    the browser gets on a rerun. Cold clears the query caches and the projections first."""
    import json

    from ektp.data import queries
    from ektp.mapview import model, svg
    from ektp.mapview.url import choose
    from ektp.ui.svgmap import payload

    if cold:
        queries._map_values.clear()
        queries._map_view.clear()
        svg._cache.clear()
        model._gather.cache_clear()
    choice, _ = choose({"area": ["00"], "level": [level], "date": [DATE.isoformat()], "lang": ["id"]})
    return len(json.dumps(payload(model.gather(choice), drillable=level != "district")).encode())


def naive(level: str, con) -> int:  # noqa: ANN001
    """A plain Streamlit user's page: pandas frame, unsimplified geometry, px.choropleth, no cache."""
    import geopandas as gpd
    import pandas as pd
    import plotly.express as px
    import shapely

    data = con.execute(
        "SELECT region_code, region_name, recording_rate FROM v_coverage_area WHERE level = ? AND as_of = ?",
        [level, DATE],
    ).df()
    data = pd.DataFrame(data)
    geom = con.execute("SELECT code, geom_wkb FROM boundaries WHERE level = ?", [level]).df()
    gdf = gpd.GeoDataFrame(
        geom[["code"]], geometry=shapely.from_wkb([bytes(b) for b in geom["geom_wkb"]]), crs="EPSG:4326"
    )
    gj = json.loads(gdf.to_json())
    fig = px.choropleth(
        data, geojson=gj, locations="region_code", featureidkey="properties.code", color="recording_rate"
    )
    fig.update_geos(fitbounds="locations", visible=False)
    return len(fig.to_json().encode())


def apptest_rerun(repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/1_Peta_cakupan.py")
    at.query_params["level"] = "regency"
    at.run()
    t, _ = median_time(lambda: at.run(), repeat)
    return t


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument(
        "--etl",
        choices=["none", "district", "village"],
        default="district",
        help="ETL workload: district (≈870k rows) or village (≈10M rows)",
    )
    p.add_argument("--etl-repeat", type=int, default=3, help="ETL runs (the median is reported)")
    a = p.parse_args()
    # the map is timed on the generated national workload, not on the app's demo data
    os.environ["EKTP_DB"] = str(map_workload_db())
    from ektp.data import db

    rows: list[dict] = []
    con = db.open_read_only(os.environ["EKTP_DB"])
    for level, n in (("regency", 514), ("district", 7285)):
        cold, size = median_time(lambda level=level: ours(level, True), a.repeat)
        warm, _ = median_time(lambda level=level: ours(level, False), a.repeat)
        nv, nsize = median_time(lambda level=level: naive(level, con), max(1, a.repeat // 2))
        for cache, secs in (("cold", cold), ("warm", warm)):
            rows.append(
                {
                    "figure": f"{level} map ({n} units), {cache}",
                    "ours_s": secs,
                    "naive_s": nv,
                    "ratio": nv / secs,
                    "ours_bytes": size,
                    "naive_bytes": nsize,
                }
            )
        gc.collect()
    con.close()
    rerun = apptest_rerun(a.repeat)
    rows.append({"figure": "AppTest rerun, regency map page", "ours_s": rerun})
    etl = None
    if a.etl != "none":
        path = gen_workload(a.etl, 120)
        from etl.bulk import line_count

        runs = [bench_etl(path) for _ in range(a.etl_repeat)]
        secs = sorted(r["seconds"] for r in runs)
        etl = {"rows": line_count(path) - 1, "seconds": statistics.median(secs)}  # rows: minus the header
        etl.update(rows_per_s=etl["rows"] / etl["seconds"], peak_mib=max(r["peak_mib"] for r in runs))
        print(f"ETL runs: {', '.join(f'{x:.1f} s' for x in secs)}", file=sys.stderr)
        plain = statistics.median(plain_import(path) for _ in range(a.etl_repeat))
        rows.append(
            {
                "figure": f"ETL load of {etl['rows']:,} {a.etl}-months (CSV; 'naive' = plain DuckDB import, no checks)",
                "ours_s": etl["seconds"],
                "naive_s": plain,
                "ratio": plain / etl["seconds"],
                "rows_per_s": etl["rows_per_s"],
                "peak_mib": etl["peak_mib"],
            }
        )
    OUT.mkdir(parents=True, exist_ok=True)
    keys = sorted(
        {k for r in rows for k in r},
        key=lambda k: [
            "figure",
            "ours_s",
            "naive_s",
            "ratio",
            "ours_bytes",
            "naive_bytes",
            "rows_per_s",
            "peak_mib",
        ].index(k),
    )
    with (OUT / "results.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, keys)
        w.writeheader()
        w.writerows(rows)
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        lines.append(
            "| " + " | ".join(f"{r[k]:.3f}" if isinstance(r.get(k), float) else str(r.get(k, "")) for k in keys) + " |"
        )
    md = "\n".join(lines)
    (OUT / "results.md").write_text(f"Benchmark {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores\n\n{md}\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
