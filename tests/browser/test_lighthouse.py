"""Accessibility of every page as a phone reader meets it: Lighthouse 12.2.3's accessibility
audit (mobile profile, Debian's Chromium) on the public server, each page ≥ 0.98. Lighthouse
comes from the npm registry (`make test` installs it into .lighthouse/); the JSON reports are
kept in tests/artifacts/."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bench.lighthouse import FLAGS, LIGHTHOUSE
from deploy.process import CHROMIUM, start_server, stop_server
from tests.conftest import ARTIFACTS, needs_browser

PAGES = {
    "overview": "/?lang=en",
    "map": "/Peta_cakupan?area=15&level=regency&date=2019-03-31&lang=en",
    "map_compare": "/Peta_cakupan?area=15&level=regency&date=2024-12-31&compare=2019-03-31&lang=id",
    "map_multiples": "/Peta_cakupan?area=15&level=regency&multiples=on&lang=id",  # twelve dates, one legend
    "trends": "/Tren?area=15&lang=en",
    "backlog": "/Antrean_pengambilan?lang=en",
    "targets": "/Target?area=15&lang=en",
    "blanks": "/Blangko_dan_kartu_rusak?lang=id",
    "data": "/Data_dan_metode?lang=id",
    "reader": "/v/map?area=15&level=regency&date=2019-03-31&lang=en",
}

pytestmark = needs_browser  # tests/conftest.py: a missing Chromium stops the run, unless SKIP_BROWSER=1


@pytest.fixture(scope="module")
def server(default_db: Path):  # noqa: ANN201
    if not LIGHTHOUSE.exists():
        pytest.fail(f"Lighthouse is not installed at {LIGHTHOUSE}: run `make test` (it runs npm install) first")
    proc, base = start_server(default_db, public=True)
    yield base
    stop_server(proc)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_scores_at_least_098_for_accessibility(server: str, page: str) -> None:
    out = ARTIFACTS / f"lighthouse_{page}.json"
    run = subprocess.run(
        [
            str(LIGHTHOUSE),
            server + PAGES[page],
            "--only-categories=accessibility",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-flags={FLAGS}",
        ],  # fmt: skip
        env=dict(os.environ, CHROME_PATH=CHROMIUM),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    failing = [
        f"{aid}: {a['title']}"
        for aid, a in report["audits"].items()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
    ]
    assert report["configSettings"]["formFactor"] == "mobile"
    assert report["categories"]["accessibility"]["score"] >= 0.98, failing
    if page in ("map", "map_multiples", "reader"):  # issue 32: the maps as a phone meets them, every audit passed
        assert report["categories"]["accessibility"]["score"] == 1, failing
