"""Lighthouse 12.2.3 as a phone reader meets the public instance (mobile profile: simulated
150 ms RTT, 1.6 Mbit/s, 4× CPU): the Jambi reader page and the interactive map permalink.

`make lighthouse` and `make bench` (or `python -m bench.lighthouse [--runs N]`) start the real
public server on the default DB (`asgi.py`, as `make run-public`), run Lighthouse N times per
page, and write each JSON report and a summary (the median run) to bench/results/. Beside our
map page they measure the naive page (bench/naive_page.py: the same view as a plain Streamlit
user writes it, `streamlit run` from a folder without our config). Issues 20's and 32's targets
are printed beside the figures; this measures, it does not fail a build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from deploy.process import CHROMIUM, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
LIGHTHOUSE = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
#: Debian's Chromium as Lighthouse starts it (the accessibility test uses the same).
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)
#: page → (URL path, targets: score ≥, LCP ≤ ms, CLS ≤, bytes ≤, TTI ≤ ms, TBT ≤ ms); the map
#: permalink's are issue 32's (its SVG map, no plotly.js)
PAGES = {
    "reader_jambi": ("/v/map?area=15&level=regency&date=2019-03-31&lang=en", (0.95, 2000, 0.1, 150 * 1024, None, None)),
    "map_permalink": (
        "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en",
        (None, 2000, 0.1, 1.2 * 2**20, 8000, 2000),
    ),
}


def run_once(url: str, out: Path) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-flags={FLAGS}",
        ],  # fmt: skip
        env=dict(os.environ, CHROME_PATH=str(CHROMIUM)),
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "tti_ms": audits["interactive"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default=str(ROOT / "data" / "ektp.duckdb"))
    args = ap.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"Lighthouse is not installed at {LIGHTHOUSE}: `make lighthouse` installs it")
    OUT.mkdir(parents=True, exist_ok=True)
    proc, base = start_server(args.db, public=True)
    summary: dict[str, dict] = {}

    def measure(name: str, base: str, path: str, targets: tuple) -> None:
        runs = [run_once(base + path, OUT / f"lighthouse_{name}_{i}.json") for i in range(args.runs)]
        median = sorted(runs, key=lambda r: r["tti_ms"])[len(runs) // 2]
        summary[name] = {"url": path, "median": median, "runs": runs, "targets": targets,
                         "performance_median": statistics.median(r["performance"] for r in runs)}  # fmt: skip

    try:
        for name, (path, targets) in PAGES.items():
            measure(name, base, path, targets)
    finally:
        stop_server(proc)
    with tempfile.TemporaryDirectory() as bare:  # no .streamlit/config.toml: Streamlit's defaults
        script = ROOT / "bench" / "naive_page.py"
        proc, base = start_server(args.db, public=False, script=script, cwd=bare, timeout=120)
        try:
            measure("naive_map", base, "/", PAGES["map_permalink"][1])
        finally:
            stop_server(proc)
    (OUT / "lighthouse.json").write_text(json.dumps(summary, indent=1))
    for name, s in summary.items():
        m, (score, lcp, cls, size, tti, tbt) = s["median"], s["targets"]
        print(
            f"{name}: performance {m['performance']:.2f} (target {score or '–'}), LCP {m['lcp_ms'] / 1000:.1f} s "
            f"(≤ {lcp / 1000:.1f}), CLS {m['cls']:.3f} (≤ {cls}), {m['bytes'] / 1024:.0f} KB (≤ {size / 1024:.0f}), "
            f"TTI {m['tti_ms'] / 1000:.1f} s (≤ {tti / 1000 if tti else '–'}), TBT {m['tbt_ms'] / 1000:.1f} s "
            f"(≤ {tbt / 1000 if tbt else '–'}), accessibility {m['accessibility']:.2f}"
        )
    ours, plain = summary["map_permalink"]["median"], summary["naive_map"]["median"]
    print(
        f"map page, ours beside the naive page: TTI {ours['tti_ms'] / 1000:.1f} / {plain['tti_ms'] / 1000:.1f} s, "
        f"TBT {ours['tbt_ms'] / 1000:.1f} / {plain['tbt_ms'] / 1000:.1f} s, LCP {ours['lcp_ms'] / 1000:.1f} / "
        f"{plain['lcp_ms'] / 1000:.1f} s, {ours['bytes'] / 1024:.0f} / {plain['bytes'] / 1024:.0f} KB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
