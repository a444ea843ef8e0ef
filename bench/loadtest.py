"""Load test: N concurrent headless Chromium sessions against a local server (loopback only).

Each session opens the national map, drills to Jambi's regencies, opens the backlog page, for a
fixed number of rounds, with an optional pause between clicks. Reports errors, p50/p95 time to a
rendered map/chart, and the server's resident memory per session. Bounded in time and count.

    python -m bench.loadtest --sessions 25 --rounds 2
    python -m bench.loadtest --sessions 100 --rounds 1 --think 5 30
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

from deploy.process import CHROME_ARGS, CHROMIUM, percentile, start_server, stop_server
from etl.load import rss_bytes

ROOT = Path(__file__).resolve().parent.parent
STEPS = [
    ("national map", "/Peta_cakupan?lang=en", ".choroplethlayer path"),
    ("Jambi regencies", "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en", ".choroplethlayer path"),
    ("backlog page", "/Antrean_pengambilan?area=16&lang=en", ".js-plotly-plot .main-svg"),
]


async def session(
    browser, base: str, rounds: int, think: tuple[float, float], timings: list, errors: list, step_timeout: float
) -> None:  # noqa: ANN001
    ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await ctx.new_page()
    try:
        for _ in range(rounds):
            for name, path, selector in STEPS:
                t0 = time.perf_counter()
                try:
                    await page.goto(base + path, timeout=step_timeout * 1000)
                    await page.wait_for_selector(selector, timeout=step_timeout * 1000)
                    timings.append((name, time.perf_counter() - t0))
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    errors.append(f"{name}: {type(exc).__name__}")
                if think[1] > 0:
                    await asyncio.sleep(random.uniform(*think))
    finally:
        await ctx.close()


async def drive(
    base: str, n: int, rounds: int, think: tuple[float, float], server_pid: int, step_timeout: float
) -> dict:
    from playwright.async_api import async_playwright

    timings: list = []
    errors: list = []
    peak = [rss_bytes(server_pid)]
    base_rss = peak[0]

    async def watch() -> None:
        while True:
            peak[0] = max(peak[0], rss_bytes(server_pid))
            await asyncio.sleep(0.5)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        w = asyncio.create_task(watch())
        t0 = time.perf_counter()
        await asyncio.gather(*(session(browser, base, rounds, think, timings, errors, step_timeout) for _ in range(n)))
        wall = time.perf_counter() - t0
        w.cancel()
        await browser.close()
    secs = sorted(t for _, t in timings)
    return {
        "sessions": n,
        "steps_ok": len(secs),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "p50_s": percentile(secs, 0.5),
        "p95_s": percentile(secs, 0.95),
        "wall_s": wall,
        "server_rss_mib": peak[0] / 2**20,
        "rss_per_session_mib": (peak[0] - base_rss) / 2**20 / n,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 25])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--think", type=float, nargs=2, default=(0.0, 0.0), metavar=("MIN", "MAX"))
    ap.add_argument("--step-timeout", type=float, default=30.0)
    ap.add_argument("--db", default=str(ROOT / "data" / "ektp.duckdb"))
    a = ap.parse_args()
    server, base = start_server(a.db, public=True)
    try:
        print("| sessions | steps ok | errors | p50 s | p95 s | wall s | server RSS MiB | MiB/session |")
        print("|---|---|---|---|---|---|---|---|")
        best = 0
        for n in a.sessions:
            r = asyncio.run(drive(base, n, a.rounds, tuple(a.think), server.pid, a.step_timeout))
            print(
                f"| {n} | {r['steps_ok']} | {r['errors']} {r['error_kinds'] or ''} | {r['p50_s']:.2f} | {r['p95_s']:.2f} | {r['wall_s']:.1f} | {r['server_rss_mib']:.0f} | {r['rss_per_session_mib']:.1f} |",
                flush=True,
            )
            if r["errors"] == 0 and r["p95_s"] < 2.0:
                best = n
        print(f"highest N with zero errors and p95 < 2 s: {best}")
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
