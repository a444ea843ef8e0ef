"""The bulk path (etl.bulk) gives exactly the row-by-row result.

Every CSV/Parquet input the tests know (the fixtures, the whole hostile corpus, and a file made
to mix every lane) is loaded twice, with EKTP_ETL_BULK=on and =off, and the loaded facts, the
rejected rows, the load history and the summaries must be identical.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ektp.core.served import open_read_only
from etl.load import LoadReport, LoadSpec, run
from tests.conftest import FIXTURES, TODAY
from tests.etl.test_hostile import CASES

# One file that sends rows down every lane: fast rows, exact duplicates of fast and of slow rows,
# a total row, a blank row, whitespace and NBSP around cells, missing tokens, ambiguous numbers,
# a percent column (agreeing and not), the warning rules, unknown codes, names instead of codes,
# d/m/Y and ISO dates, a future and a pre-2011 date, a '.0' code, a synthetic flag and a source.
MIXED = (
    "LAPORAN PEREKAMAN KTP-EL\n"
    "KEADAAN 31 MARET 2019\n"
    "KODE WILAYAH,NAMA WILAYAH,TANGGAL,JUMLAH PENDUDUK,WAJIB KTP-EL,SUDAH REKAM,BELUM REKAM,% REKAM,"
    "SUDAH CETAK,SINTETIS,SUMBER\n"
    "15.01,KERINCI,31/03/2019,250000,180000,170000,10000,94.44,160000,,\n"
    "15.02,MERANGIN,2019-03-31,400000,280000,260000,20000,,250000,,\n"
    "15.02,MERANGIN,2019-03-31,400000,280000,260000,20000,,250000,,\n"
    " 15.03 ,\u00a0SAROLANGUN ,31/03/2019,300000,200000,172000,28000,86,170000,,\n"
    "15.03,SAROLANGUN,31/03/2019,300000,200000,172000,28000,86,170000,,\n"
    '15.04,BATANG HARI,31/03/2019,1.234,900,800,100,"88,89",700,,\n'
    '15.04,BATANG HARI,31/03/2019,1.234,900,800,100,"88,89",700,,\n'
    "JUMLAH,,31/03/2019,950000,660000,602000,58000,,580000,,\n"
    ",,,,,,,,,,\n"
    "15.05,,31/03/2019,100,90,95,,,,,\n"
    "15.06,,31/03/2019,100,90,80,5,,,,\n"
    "15.07,,31/03/2019,100,90,80,10,50,,,\n"
    "15.08,,31/03/2019,100,90,80,10,,85,,\n"
    # a rate beside eligible and not recorded only: disagreeing (77.78% by its counts), agreeing
    "15.08,,30/04/2019,100,90,,20,95,,,\n"
    "15.08,,31/05/2019,100,90,,20,77.78,,,\n"
    "99.99,,31/03/2019,100,90,80,10,,,,\n"
    "1509.0,,31/03/2019,100,90,80,10,,,yes,Contoh sumber\n"
    "15.10,,31/03/2035,100,90,80,10,,,,\n"
    "15.71,,31/03/2009,100,90,80,10,,,,\n"
    "15.72,,-,100,90,80,10,,,,\n"
    "15.72,,31/02/2019,100,90,80,10,,,,\n"
    "15.72,,30/06/2019,-5,90,80,10,,,,\n"
    ",MUARO JAMBI,30/06/2019,100,n/a,80,,,,,\n"
    ",TEBO,2019-6-30,100,90,80,10,,,TRUE,\n"
    ",BUNGO,30.06.2019,100,90,80,10,,,,\n"
    ",Kota Jambi,30-06-2019,100,90,80,10,,,,\n"
    "15.01,KERINCI,30/06/2019,250000,180000,170000,10000,94.44,160000,,\n"
    # the bulk fast paths' edges: one-digit d/m, day 00, a sign, 29 February, ISO with a time
    "15.01,,1/4/2019,100,90,80,10,,,,\n"
    "15.01,,00/04/2019,100,90,80,10,,,,\n"
    "15.01,,+1/04/2019,100,90,80,10,,,,\n"
    "15.01,,29/02/2019,100,90,80,10,,,,\n"
    "15.01,,29/02/2020,100,90,80,10,,,,\n"
    "15.01,,2019-02-29,100,90,80,10,,,,\n"
    "15.01,,2019-07-31 00:00:00,100,90,80,10,,,,\n"
    # counts written '5.0', '+5', '05', '5_000', '1e3', with a leading space
    "15.02,,31/07/2019,100.0,90,80,10,,,,\n"
    "15.02,,31/08/2019,+100,90,80,10,,,,\n"
    "15.02,,30/09/2019,0100,090,80,10,,,,\n"
    "15.02,,31/10/2019,5_000,90,80,10,,,,\n"
    "15.02,,30/11/2019,1e3,90,80,10,,,,\n"
    "15.02,,31/12/2019, 100,90,80,10,,,,\n"
    # village codes (canonical, unknown, undotted), a code with a trailing space, '15 03', '00'
    "15.03.01.2001,,31/03/2019,100,90,80,10,,,,\n"
    "15.03.01.9999,,31/03/2019,100,90,80,10,,,,\n"
    "1503012002,,31/03/2019,100,90,80,10,,,,\n"
    "15.04 ,,30/04/2019,100,90,80,10,,,,\n"
    "15 04,,31/05/2019,100,90,80,10,,,,\n"
    "00,,31/03/2019,100,90,80,10,,,,\n"
)


def snapshot(db: Path) -> dict[str, list]:
    con = open_read_only(db)
    out = {}
    for table in ("coverage", "pickup_backlog", "blanko_stock", "rejected_rows"):
        out[table] = sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))  # noqa: S608
    out["loads"] = con.execute(
        "SELECT load_id, file, kind, rows_read, rows_accepted, rows_rejected, rows_skipped, rows_warned, status,"
        " message FROM loads ORDER BY load_id"
    ).fetchall()
    con.close()
    return out


def load_both(
    path: Path, kind: str, base: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch, **opts: object
) -> tuple[dict[str, LoadReport], dict[str, dict]]:
    reports, snaps = {}, {}
    for mode in ("off", "on"):
        monkeypatch.setenv("EKTP_ETL_BULK", mode)
        db = tmp / f"{mode}.duckdb"
        shutil.copy(base, db)
        reports[mode] = run([LoadSpec(path=path, kind=kind, **opts)], db_path=db, today=TODAY, progress=False)[0]
        snaps[mode] = snapshot(db)
    return reports, snaps


def assert_same(reports: dict[str, LoadReport], snaps: dict[str, dict]) -> None:
    off, on = reports["off"], reports["on"]
    assert on.summary() == off.summary()
    for table in snaps["off"]:
        assert snaps["on"][table] == snaps["off"][table], table


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulkbase") / "base.duckdb"
    run([], db_path=path, rebuild=True, boundaries=False, progress=False)
    return path


def test_mixed_lanes_file_same_both_ways(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "mixed.csv"
    f.write_text(MIXED, encoding="utf-8")
    reports, snaps = load_both(f, "coverage", base, tmp_path, monkeypatch)
    assert reports["on"].reader == "bulk" and reports["off"].reader == "rows"
    assert_same(reports, snaps)
    rep = reports["on"]
    # the file exercises what it claims: duplicates, skips, rejections, warnings and clean rows
    assert rep.skipped == 2 and rep.rejected >= 8 and rep.warned >= 4 and rep.accepted >= 10, rep.summary()
    assert 5 <= rep.fast_rows < rep.accepted  # both lanes carried accepted rows
    reasons = " | ".join(rep.messages)
    assert "row 6: exact duplicate of row 5" in reasons
    assert "row 8: exact duplicate of row 7" in reasons  # NBSP and spaces stripped like Python does
    assert "row 10: exact duplicate of row 9" in reasons  # a duplicate of a slow-lane row


@pytest.mark.parametrize(
    "name,kind", [("backlog_palembang.csv", "backlog"), ("jambi_2019_03_second_office.csv", "coverage")]
)
def test_fixture_files_same_both_ways(
    name: str, kind: str, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports, snaps = load_both(FIXTURES / name, kind, base, tmp_path, monkeypatch)
    assert reports["on"].reader == "bulk"
    assert_same(reports, snaps)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_corpus_same_both_ways(case, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    f = tmp_path / case.name
    f.write_bytes(case.content)
    reports, snaps = load_both(f, case.kind, base, tmp_path, monkeypatch, **case.opts)
    assert_same(reports, snaps)


def test_hostile_corpus_mostly_takes_the_bulk_path(base: Path, tmp_path: Path) -> None:
    """Guard against a bulk path that silently never runs: clean-enough CSVs are staged."""
    bulk = 0
    for case in CASES:
        if case.kind not in ("coverage", "backlog", "blanko") or not case.name.endswith(".csv"):
            continue
        f = tmp_path / case.name
        f.write_bytes(case.content)
        db = tmp_path / "x.duckdb"
        shutil.copy(base, db)
        rep = run([LoadSpec(path=f, kind=case.kind, **case.opts)], db_path=db, today=TODAY, progress=False)[0]
        bulk += rep.reader == "bulk"
    assert bulk >= 10


def test_parquet_typed_columns_same_both_ways(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "typed.parquet"
    pl.DataFrame(
        {
            "kode_wilayah": ["15.01", "15.02", "15.02", "99.99", "15.03", "15.04"],
            "tanggal": [dt.date(2024, 1, 31)] * 4 + [dt.date(2030, 1, 1), dt.date(2024, 1, 31)],
            "wajib_ktp_el": [100, 200, 200, 10, 10, 50],
            "sudah_rekam": [90, 150, 150, 5, 5, 60],
            "sudah_cetak": [80.0, 140.0, 140.0, None, 1.5, 40.0],
        }
    ).write_parquet(f)
    reports, snaps = load_both(f, "coverage", base, tmp_path, monkeypatch)
    assert reports["on"].reader == "bulk"
    assert_same(reports, snaps)
    rep = reports["on"]
    assert (rep.rejected, rep.warned, rep.fast_rows) == (3, 1, 2), rep.summary()  # 15.01 and 15.02 are clean


def test_files_bulk_cannot_map_line_to_row_fall_back(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "quoted_newline.csv"
    f.write_text('KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,KETERANGAN\n15.01,31/03/2019,100,90,"two\nlines"\n\n')
    reports, snaps = load_both(f, "coverage", base, tmp_path, monkeypatch)
    assert reports["on"].reader.startswith("rows (")
    assert_same(reports, snaps)


def test_village_rows_load_by_code_and_sum_into_their_district(base: Path, tmp_path: Path) -> None:
    from etl.regions import regions_frame

    villages = regions_frame().filter(pl.col("parent_code") == "15.03.01")["code"].sort().to_list()
    assert len(villages) > 2
    f = tmp_path / "desa.csv"
    f.write_text(
        "KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
        f"{villages[0]},31/12/2024,1000,900\n{villages[1]},31/12/2024,500,450\n"
        "15.03.01.9999,31/12/2024,10,9\n"
    )
    db = tmp_path / "v.duckdb"
    shutil.copy(base, db)
    rep = run([LoadSpec(path=f, kind="coverage")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.accepted, rep.rejected, rep.reader) == (2, 1, "bulk"), rep.summary()
    assert "unknown region code '15.03.01.9999'" in rep.summary()
    con = open_read_only(db)
    district = con.execute(
        "SELECT eligible, recorded, origin, warnings FROM coverage_area WHERE region_code = '15.03.01'"
    ).fetchall()
    village_rows = con.execute("SELECT COUNT(*) FROM coverage_area WHERE level = 'village'").fetchall()[0][0]
    regency = con.execute("SELECT eligible FROM coverage_area WHERE region_code = '15.03'").fetchall()
    con.close()
    assert district == [(1500, 1350, "rollup", f"partial sum: 2 of {len(villages)} units")]
    assert village_rows == 0 and regency == [(1500,)]


def test_padded_text_cells_stay_in_the_fast_lane(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Office exports pad text cells; that alone must not send every row to the row-by-row rules."""
    f = tmp_path / "padded.csv"
    rows = "".join(f"15.0{i},31/03/2019,100,90, catatan rekap {i}  \n" for i in range(1, 10))
    f.write_text("KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,KETERANGAN\n" + rows + "15.01,31/03/2019,100,90,-\n")
    reports, snaps = load_both(f, "coverage", base, tmp_path, monkeypatch)
    assert_same(reports, snaps)
    assert reports["on"].fast_rows == 10, reports["on"].summary()
    assert any("'catatan rekap 1'" in r for r in snaps["on"]["coverage"])  # stored stripped, as Python does


def test_staged_rows_are_numbered_by_their_line_and_never_inside_a_transaction(tmp_path: Path) -> None:
    """rn is the file line; a stage inside an open transaction would get provisional rowids, so it refuses."""
    from etl import bulk
    from etl.extract import read_table

    f = tmp_path / "lines.csv"
    f.write_text(
        "Rekap\nKODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
        + "".join(f"15.0{i},31/03/2019,{i}00,{i}0\n" for i in range(1, 6))
    )
    con = duckdb.connect()
    staged = bulk.stage(con, read_table(f, "coverage"))
    assert staged.rows == 5
    assert con.execute("SELECT rn, c0 FROM stage ORDER BY rn").fetchall() == [(i + 2, f"15.0{i}") for i in range(1, 6)]
    con.execute("BEGIN TRANSACTION")
    with pytest.raises(bulk.NotBulk, match="transaction"):
        bulk.stage(con, read_table(f, "coverage"))
    con.execute("ROLLBACK")


def test_count_only_file_goes_to_the_narrow_table_and_reads_the_same(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code, date, eligible, recorded: clean rows go to coverage_counts; the view `coverage`
    (and everything above it) reads exactly what the row-by-row path puts in coverage_rows."""
    f = tmp_path / "counts.csv"
    f.write_text(
        "KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
        "15.01,31/03/2019,100,90\n15.02,31/03/2019,200,150\n15.03,31/03/2019,100,120\n15.71,2019-03-31,5,\n"
    )
    reports, snaps = load_both(f, "coverage", base, tmp_path, monkeypatch)
    assert_same(reports, snaps)
    placed = {}
    for mode in ("on", "off"):
        con = open_read_only(tmp_path / f"{mode}.duckdb")
        placed[mode] = [
            con.execute(f"SELECT region_code FROM {t} ORDER BY 1").fetchall()  # noqa: S608
            for t in ("coverage_counts", "coverage_rows")
        ]
        areas = con.execute("SELECT region_code, recording_rate, source FROM v_coverage_area ORDER BY 1").fetchall()
        con.close()
        assert ("15.01", 0.9, "counts.csv row 2") in areas
    # 15.03 warns (recorded > eligible): it takes the row-by-row rules and their table
    assert placed["on"] == [[("15.01",), ("15.02",), ("15.71",)], [("15.03",)]]
    assert placed["off"] == [[], [("15.01",), ("15.02",), ("15.03",), ("15.71",)]]


def test_a_file_with_more_than_counts_keeps_the_full_table(base: Path, tmp_path: Path) -> None:
    f = tmp_path / "more.csv"
    f.write_text("KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,SUDAH CETAK\n15.01,31/03/2019,100,90,80\n")
    db = tmp_path / "m.duckdb"
    shutil.copy(base, db)
    rep = run([LoadSpec(path=f, kind="coverage")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.accepted, rep.reader) == (1, "bulk")
    con = open_read_only(db)
    assert con.execute("SELECT COUNT(*) FROM coverage_counts").fetchall() == [(0,)]
    assert con.execute("SELECT printed FROM coverage_rows").fetchall() == [(80,)]
    con.close()
