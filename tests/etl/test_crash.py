"""Crash safety and big files: a 200 MB office file streams in bounded memory; a load killed
mid-way leaves the served DB as it was; a second concurrent load fails cleanly."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from deploy.process import watch_peak_rss
from ektp.core.served import open_read_only
from etl.demo import month_ends
from etl.load import LoadSpec, run
from etl.regions import regions_frame
from tests.conftest import FIXTURES, ROOT, TODAY

BIG_BYTES = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~200 MB Dukcapil-style CSV: every district × 120 months, Indonesian number format."""
    path = tmp_path_factory.mktemp("big") / "rekap_nasional_kecamatan.csv"
    codes = regions_frame().filter(pl.col("level") == "district")["code"]
    months = month_ends(dt.date(2012, 1, 31), dt.date(2021, 12, 31))  # 120 months
    df = (
        pl.DataFrame({"KODE WILAYAH": codes})
        .join(pl.DataFrame({"TANGGAL": months}), how="cross")
        .with_row_index("i")
        .with_columns(
            (pl.col("i") % 90_000 + 10_000).alias("WAJIB KTP-EL"),
            (pl.col("i") % 80_000 + 5_000).alias("SUDAH REKAM"),
            pl.lit("data kecamatan hasil rekap bulanan dinas kependudukan dan pencatatan sipil " * 3).alias(
                "KETERANGAN"
            ),
        )
        .drop("i")
        .with_columns(pl.col("TANGGAL").dt.strftime("%d/%m/%Y"))
    )
    df.write_csv(path)
    assert path.stat().st_size > BIG_BYTES * 0.9
    return path


def base(tmp_path: Path) -> Path:
    db = tmp_path / "served.duckdb"
    run(
        [LoadSpec(path=FIXTURES / "jambi_2019_03_second_office.csv", kind="coverage")],
        db_path=db,
        rebuild=True,
        boundaries=False,
        today=TODAY,
        progress=False,
    )
    return db


def counts(db: Path) -> tuple:
    con = open_read_only(db)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchall()[0][0] for t in ("coverage", "loads", "rejected_rows")
        )  # noqa: S608
    finally:
        con.close()


def etl_proc(db: Path, *args: str, timeout: str = "30") -> subprocess.Popen:
    env = dict(os.environ, EKTP_LOCK_TIMEOUT=timeout)
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", str(db), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_200mb_file_streams_in_bounded_memory(big_csv: Path, tmp_path: Path) -> None:
    db = base(tmp_path)
    proc = etl_proc(db, "load", str(big_csv), "--kind", "coverage")
    peak = watch_peak_rss(proc)
    _, err = proc.communicate(timeout=900)
    peak_bytes = peak()
    assert proc.returncode == 0, err[-2000:]
    assert "rows (" in err  # progress on big files
    n_rows = 7285 * 120
    assert f"accepted {n_rows}" in err
    assert counts(db)[0] == n_rows + 2
    # bounded: DuckDB is limited to 1 GB (EKTP_ETL_MEMORY) and Python holds one batch at a time
    assert peak_bytes < 1.5 * 1024**3, f"peak RSS {peak_bytes / 2**20:.0f} MiB"


def test_killed_load_leaves_served_db_and_next_load_succeeds(big_csv: Path, tmp_path: Path) -> None:
    db = base(tmp_path)
    before = counts(db)
    a = etl_proc(db, "load", str(big_csv), "--kind", "coverage")
    # wait until A is well into the file (it holds the lock and has written its temp copy)
    for line in a.stderr:
        if "rows (" in line:
            break
    assert a.poll() is None
    # a second load at the same time fails cleanly, naming the reason
    b = etl_proc(db, "load", str(FIXTURES / "targets_kupang.csv"), "--kind", "targets", timeout="1")
    _, err_b = b.communicate(timeout=60)
    assert b.returncode == 3 and "another load is running" in err_b
    os.kill(a.pid, signal.SIGKILL)
    a.wait(30)
    # the served DB still opens with the same rows
    assert counts(db) == before
    # the next load succeeds, cleans the dead temp file and records the interrupted attempt
    c = etl_proc(db, "load", str(FIXTURES / "targets_kupang.csv"), "--kind", "targets")
    _, err_c = c.communicate(timeout=120)
    assert c.returncode == 0, err_c
    assert not list(db.parent.glob(db.name + ".tmp-*"))
    con = open_read_only(db)
    hist = con.execute("SELECT file, status, message FROM loads ORDER BY load_id").fetchall()
    con.close()
    assert [h[1] for h in hist] == ["ok", "interrupted", "ok"]
    assert hist[1][0] == big_csv.name and "ended before it finished" in hist[1][2]
