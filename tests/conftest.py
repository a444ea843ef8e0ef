"""Shared fixtures: the real ETL builds the databases the tests read (no mocks of our DB)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full embedded default (regions, boundaries, sourced figures, synthetic fill)."""
    from etl.build import build

    path = tmp_path_factory.mktemp("default") / "ektp.duckdb"
    reports = build(db_path=path, progress=False)
    assert all(r.status == "ok" for r in reports), [r.summary() for r in reports]
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


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("EKTP_LOCK_TIMEOUT", "5")
    ARTIFACTS.mkdir(exist_ok=True)
