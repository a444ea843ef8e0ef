"""The map permalink in a real Chromium throttled as Lighthouse's mobile profile assumes a phone
(150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, 4× slower CPU; devtools throttling, so
every request pays it), timed as a reader meets it: the first paint, the largest paint, and
when the interactive map has drawn its regencies. Lighthouse's simulation gives no figure for
that last one, which is what the first view in the page's HTML (ektp.reader.page.first_view)
must not delay.

`python -m bench.phone [--runs N]` starts the real public server on the default DB and writes
bench/results/phone.json. It measures; it does not fail a build.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from deploy.process import CHROME_ARGS, CHROMIUM, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
PATH = "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en"
#: Installed before the page's HTML: first and largest paint, and when the app's map (its SVG
#: element, ektp.ui.svgmap) has its 11 regencies.
WATCH = """window.__t = {};
new PerformanceObserver(l => l.getEntries().forEach(e => { window.__t.lcp_ms = e.startTime; }))
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => l.getEntries().forEach(e => {
  if (e.name === 'first-contentful-paint') window.__t.fcp_ms = e.startTime; }))
  .observe({type: 'paint', buffered: true});
const seen = setInterval(() => {  // the map's SVG lives in its element's shadow root
  const n = [...document.querySelectorAll('.stElementContainer[class*="st-key-map_svg"] *')]
    .filter(e => e.shadowRoot).reduce((k, e) => k + e.shadowRoot.querySelectorAll('.ektp-map [data-c]').length, 0);
  if (n >= 11) { window.__t.map_ms = performance.now(); clearInterval(seen); }
}, 50);"""
PHONE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}


def run_once(browser, url: str) -> dict[str, float]:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 412, "height": 823})
    try:
        ctx.add_init_script(WATCH)
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", PHONE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.goto(url)
        page.wait_for_function("window.__t.map_ms", timeout=180_000)
        return {k: round(v) for k, v in page.evaluate("window.__t").items()}
    finally:
        ctx.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default=str(ROOT / "data" / "ektp.duckdb"))
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    proc, base = start_server(args.db, public=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            runs = [run_once(browser, base + PATH) for _ in range(args.runs)]
            browser.close()
    finally:
        stop_server(proc)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    (OUT / "phone.json").write_text(
        json.dumps({"url": PATH, "throttling": PHONE, "median": median, "runs": runs}, indent=1)
    )
    print(
        f"map permalink on a throttled phone: first paint {median['fcp_ms'] / 1000:.2f} s, "
        f"largest paint {median['lcp_ms'] / 1000:.2f} s, interactive map drawn {median['map_ms'] / 1000:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
