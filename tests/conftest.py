"""Shared fixtures: the real ETL builds the databases the tests read (no mocks of our DB)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full embedded default (regions, boundaries, sourced figures, synthetic fill).

    Built once per run, also when pytest-xdist splits the run over processes: the build writes
    the checkout's own map files (static/geo) and synthetic fill (data/synthetic), which two
    builds at once would tear, so the first process builds under a lock and the others wait and
    read its file (read-only: every test that writes works on a copy)."""
    import fcntl

    from etl.build import build

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder
    folder = shared / "default"
    path, built = folder / "ektp.duckdb", folder / "built"
    with open(shared / "default.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            folder.mkdir(exist_ok=True)
            reports = build(db_path=path, progress=False)
            assert all(r.status == "ok" for r in reports), [r.summary() for r in reports]
            built.touch()
    return path


@pytest.fixture()
def empty_db(tmp_path: Path) -> Path:
    """A small DB with regions only (no boundaries, no facts), built by the real loader."""
    from etl.load import run

    path = tmp_path / "small.duckdb"
    run([], db_path=path, rebuild=True, boundaries=False, progress=False)
    return path


@pytest.fixture()
def writable_db(default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the default DB the test may load into (the app reads it, internal mode)."""
    import shutil

    db = tmp_path / "ektp.duckdb"
    shutil.copy(default_db, db)
    monkeypatch.setenv("EKTP_DB", str(db))
    monkeypatch.delenv("EKTP_PUBLIC", raising=False)
    return db


@pytest.fixture()
def app_env(default_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.delenv("EKTP_PUBLIC", raising=False)
    return default_db


def shown(markdown: str) -> str:
    """Markdown as the reader sees it: text from the data is escaped punctuation by punctuation
    (ui.safe_text), which Markdown shows as the plain character."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


#: The operator the Load page tests sign in as (AppTest has no request: it is never "this machine").
OPERATOR, OPERATOR_PASSWORD = "siti", "sarolangun-98-persen"


@pytest.fixture()
def operator_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operators file with OPERATOR in it (EKTP_OPERATORS), failures forgotten before and after."""
    from ektp.core import operators

    path = tmp_path / "private" / "operators"
    monkeypatch.setenv("EKTP_OPERATORS", str(path))
    operators.add_operator(OPERATOR, OPERATOR_PASSWORD, path=path)
    operators.reset_failures()
    yield path
    operators.reset_failures()


CHROMIUM = Path("/usr/bin/chromium")
#: Tests that need Debian's Chromium (the browser tests, Lighthouse, image exports through kaleido)
#: carry this marker. Without Chromium the run stops with one line saying how to install it,
#: unless SKIP_BROWSER=1 asks to skip them on purpose (said in the summary).
needs_browser = pytest.mark.needs_browser


NGINX = Path("/usr/sbin/nginx")
#: The deploy test (replicas behind nginx) carries this marker; like Chromium, a missing nginx
#: stops the run with the install command, unless SKIP_NGINX=1 asks to skip it on purpose.
needs_nginx = pytest.mark.needs_nginx


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("EKTP_LOCK_TIMEOUT", "5")
    ARTIFACTS.mkdir(exist_ok=True)
    config.addinivalue_line("markers", "needs_browser: needs Debian's Chromium (/usr/bin/chromium)")
    config.addinivalue_line("markers", "needs_nginx: needs Debian's nginx (/usr/sbin/nginx)")


def _require(items: list[pytest.Item], marker: str, exe: Path, what: str, skip_env: str, which: str) -> None:
    """Tests marked `marker` need `exe`: without it the run stops with one line saying how to
    install it, unless `skip_env`=1 asks to skip them on purpose (said in the summary)."""
    needing = [i for i in items if i.get_closest_marker(marker)]
    if not needing or exe.exists():
        return
    if os.environ.get(skip_env) != "1":
        raise pytest.UsageError(
            f"{len(needing)} tests need {what} and {exe} is missing: install it with "
            f"`apt-get install -y {what.lower()}` (as .ci/run does), or run with {skip_env}=1 to skip them on purpose"
        )
    for item in needing:
        item.add_marker(pytest.mark.skip(reason=f"{skip_env}=1: {what} not installed, {which} skipped on purpose"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _require(items, "needs_nginx", NGINX, "nginx", "SKIP_NGINX", "deploy test")
    _require(items, "needs_browser", CHROMIUM, "Chromium", "SKIP_BROWSER", "browser test")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    if not NGINX.exists() and os.environ.get("SKIP_NGINX") == "1":
        terminalreporter.write_line(
            "SKIP_NGINX=1: the deploy test (replicas behind nginx) was skipped on purpose", yellow=True
        )
    if not CHROMIUM.exists() and os.environ.get("SKIP_BROWSER") == "1":
        terminalreporter.write_line(
            "SKIP_BROWSER=1: the browser tests (Chromium, Lighthouse, image exports) were skipped on purpose",
            yellow=True,
        )


def table_cells(element: object) -> list[list[str]]:
    """A dataframe element's cells as the reader sees them: the Styler's display text
    (ui.tables.styled), else the values as Streamlit would write them."""
    import pyarrow as pa

    data = element.proto.arrow_data
    if data.HasField("styler") and data.styler.display_values:
        shown_table = pa.ipc.open_stream(data.styler.display_values).read_all()
        return [[str(v) for v in row.values()] for row in shown_table.to_pylist()]
    return [[str(v) for v in row] for row in element.value.itertuples(index=False)]


def small_tables(at: object) -> list[tuple[list[str], list[list[str]]]]:
    """The static HTML tables on a page (ui.small_table): each as its header and its rows of
    cell text, as the reader sees them."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[tuple[list[str], list[list[str]]]] = []
            self.cell: list[str] | None = None
            self.row: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "table":
                self.tables.append(([], []))
            elif tag == "tr":
                self.row = []
            elif tag in ("td", "th"):
                self.cell = []

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.row.append("".join(self.cell))
                self.cell = None
            elif tag == "tr" and self.tables:
                head, rows = self.tables[-1]
                if not head and not rows and self.row:
                    head.extend(self.row)
                else:
                    rows.append(self.row)

    found = []
    for e in at.get("html"):
        if "ektp-small-table" in e.proto.body:
            parser = Cells()
            parser.feed(e.proto.body)
            found.extend(parser.tables)
    return found


def map_payloads(at: object) -> list[dict]:
    """What each map on an AppTest page draws (ektp.ui.svgmap.payload): the SVG, its legend,
    each unit's words and order. (Iterating a block walks every element under it.)"""
    return [
        json.loads(e.proto.json)
        for e in at.main
        if getattr(getattr(e, "proto", None), "component_name", "") == "ektp_svg_map"
    ]


def map_ranking(at: object) -> "pd.DataFrame":  # noqa: F821, UP037
    """The ranking the map page's element lists under its map: the model's head and rows as the
    reader reads them (ektp.ui.svgmap.payload)."""
    import pandas as pd

    listed = next(p for p in map_payloads(at) if p.get("ranking"))
    return pd.DataFrame(listed["rows"], columns=listed["head"])


def map_fills(payload: dict) -> dict[str, str]:
    """Each unit's fill in a map payload's SVG (code → '#rrggbb')."""
    return dict(re.findall(r'<path data-c="([^"]+)" fill="([^"]+)"', payload["svg"]))


def open_map_page(params: dict[str, str]) -> "AppTest":  # noqa: F821, UP037
    """The map page opened from a link with these parameters (through app.py's navigation), run once."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/1_Peta_cakupan.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()
