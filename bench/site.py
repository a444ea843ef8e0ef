"""The published reader site, measured (issue 33): the full national publish's time and size on
this machine, area pages' compressed size, nginx serving the files on one core beside the live
reader route, and Lighthouse mobile on a regency page.

    python -m bench.site [--db data/ektp.duckdb] [--seconds 5] [--runs 3]

Writes bench/results/site.json. It measures; it does not fail a build. The client is one
asyncio process with keep-alive connections on the same two cores as the server: a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.readers import _client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results"
#: Issue 33's targets: publish ≤ 10 min on 2 cores; an area page ≤ 30 KB compressed;
#: Lighthouse on a regency page perf ≥ 0.98, LCP ≤ 1.5 s, accessibility 1.0.
TARGETS = {"publish_s": 600, "area_page_gz_bytes": 30 * 1024, "performance": 0.98, "lcp_ms": 1500, "accessibility": 1.0}


def publish(db: str, out: Path) -> dict:
    env = dict(os.environ, EKTP_DB=db)
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "deploy.publish", "--out", str(out), "--workers", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    result["wall_s"] = round(time.monotonic() - t0, 1)
    return result


def area_sizes(out: Path) -> dict:
    """Every area page's size gzipped (level 6, as nginx's gzip_comp_level 5 gives about)."""
    sizes = sorted(len(gzip.compress(p.read_bytes(), 6)) for p in out.glob("*/wilayah/*.html"))
    return {
        "pages": len(sizes),
        "gz_median": statistics.median(sizes),
        "gz_p99": sizes[int(len(sizes) * 0.99)],
        "gz_max": sizes[-1],
        "over_target": sum(1 for s in sizes if s > TARGETS["area_page_gz_bytes"]),
    }


async def _load(base: str, paths: list[str], seconds: float, connections: int, coding: str = "gzip") -> dict:
    u = urlsplit(base)
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(u.hostname, u.port, paths[i::connections] or paths, t0 + seconds, [0], errors, lat, coding)
                           for i in range(connections)))  # fmt: skip
    wall = time.perf_counter() - t0
    lat.sort()
    return {
        "requests": len(lat),
        "per_second": round(len(lat) / wall),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 2) if lat else None,
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2) if lat else None,
        "errors": len(errors),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=os.environ.get("EKTP_DB", str(ROOT / "data" / "ektp.duckdb")))
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    results: dict = {"targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="ektp-site-") as tmp:
        out = Path(tmp)
        results["publish"] = publish(a.db, out)
        print("publish", results["publish"])
        results["area_pages"] = area_sizes(out)
        print("area pages", results["area_pages"])
        codes = [p.stem for p in out.glob("id/wilayah/*.html")]
        random.Random(33).shuffle(codes)
        static_paths = [f"/id/wilayah/{c}.html" for c in codes[:2000]]
        live_paths = [f"/v/wilayah/{c}" for c in codes[:2000]]
        from deploy.static import start

        served = start(out, workers=1)
        try:
            asyncio.run(_load(served.url, static_paths, 1, 2))  # warm the file cache
            results["nginx_files_1_core"] = asyncio.run(_load(served.url, static_paths, a.seconds, a.connections))
            print("nginx files, 1 worker", results["nginx_files_1_core"])
            # nginx gzips each answer as it sends it; uncompressed it only reads the file
            results["nginx_files_1_core_identity"] = asyncio.run(
                _load(served.url, static_paths, a.seconds, a.connections, "identity")
            )
            print("nginx files, 1 worker, uncompressed", results["nginx_files_1_core_identity"])
            from bench.lighthouse import LIGHTHOUSE, run_once

            if LIGHTHOUSE.exists():
                url = served.url + "/id/wilayah/15.03.html"
                runs = [run_once(url, OUT / f"lighthouse_area_{i}.json") for i in range(a.runs)]
                median = sorted(runs, key=lambda r: r["lcp_ms"])[len(runs) // 2]
                results["lighthouse_regency_page"] = {"url": "/id/wilayah/15.03.html", "median": median, "runs": runs}
                print("lighthouse regency page", median)
        finally:
            served.stop()
    from deploy.process import start_server, stop_server

    proc, base = start_server(a.db, public=True)
    try:
        results["live_route_cold"] = asyncio.run(_load(base, live_paths, a.seconds, a.connections))
        results["live_route_cached"] = asyncio.run(_load(base, live_paths[:50], a.seconds, a.connections))
    finally:
        stop_server(proc)
    print("live route", results["live_route_cold"], results["live_route_cached"])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "site.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
