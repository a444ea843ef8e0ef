"""Integration: the real ETL on tiny office files into a temp DuckDB, rows, rejects, warnings, views."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from ektp.core.served import open_read_only
from etl.__main__ import main as etl_main
from etl.load import LoadLockedError, LoadSpec, load_lock, pending_attempts, run
from etl.regions import regions_frame
from tests.conftest import FIXTURES, TODAY

JAMBI_CSV = FIXTURES / "jambi_2019_03_semicolon_cp1252.csv"


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = open_read_only(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def load(db: Path, path: Path, kind: str, **kw: object):  # noqa: ANN201
    return run([LoadSpec(path=path, kind=kind, **kw)], db_path=db, today=TODAY, progress=False)[0]


def test_office_csv_with_title_rows_semicolons_cp1252_and_total(empty_db: Path) -> None:
    rep = load(empty_db, JAMBI_CSV, "coverage", province="15")
    assert (rep.rows_read, rep.accepted, rep.rejected, rep.skipped) == (12, 6, 5, 1)
    assert rep.status == "partial"
    assert any("Windows-1252" in m for m in rep.messages)
    assert any("2019-03-31" in m for m in rep.messages)  # date from the title rows
    got = dict(rows(empty_db, "SELECT region_code, recorded FROM coverage"))
    assert got == {"15.03": 192210, "15.04": 170000, "15.07": 140000, "15.71": 430000, "15.02": 180000, "15.09": 150000}
    # the en dash survived the Windows-1252 decoding
    assert rows(empty_db, "SELECT note FROM coverage WHERE region_code = '15.03'")[0][0] == "data sementara – revisi"
    reasons = dict(rows(empty_db, "SELECT row_number, reason FROM rejected_rows"))
    assert "negative count" in reasons[9]
    assert "a city must be written with 'Kota'" in reasons[10] and "15.71 Kota Jambi" in reasons[10]
    assert "no regency named 'Muara Sabak'" in reasons[11]
    assert "not a number" in reasons[14]
    assert reasons[15] == "exact duplicate of row 7"
    assert reasons[16].startswith("skipped: total row")
    # every row read is accounted for
    assert len(reasons) == rep.rejected + rep.skipped


def test_warnings_are_stored_and_counts_win(empty_db: Path) -> None:
    load(empty_db, JAMBI_CSV, "coverage", province="15")
    w = dict(rows(empty_db, "SELECT region_code, warnings FROM coverage"))
    assert w["15.03"] is None
    assert "recorded 430000 > eligible 420000" in w["15.71"]
    assert "not_recorded 25000 disagrees with eligible - recorded = 20000" in w["15.02"]
    assert "reported 99% disagrees" in w["15.09"]
    rate = dict(rows(empty_db, "SELECT region_code, recording_rate FROM v_coverage"))
    assert rate["15.09"] == pytest.approx(150000 / 160000)  # the counts win over the 99%
    assert rate["15.71"] == pytest.approx(430000 / 420000)  # over 100% kept as reported


def test_same_region_and_date_from_another_file_is_kept_beside(empty_db: Path) -> None:
    load(empty_db, JAMBI_CSV, "coverage", province="15")
    rep = load(empty_db, FIXTURES / "jambi_2019_03_second_office.csv", "coverage")
    assert rep.accepted == 2
    both = rows(empty_db, "SELECT recorded, source FROM v_coverage WHERE region_code = '15.03' ORDER BY load_id")
    assert [b[0] for b in both] == [192210, 190000]
    best = rows(
        empty_db, "SELECT recorded, n_sources, rate_spread > 0 FROM v_coverage_best WHERE region_code = '15.03'"
    )
    assert best == [(190000, 2, True)]  # latest office load preferred; both kept


def test_loading_the_same_file_twice_changes_nothing(empty_db: Path) -> None:
    load(empty_db, JAMBI_CSV, "coverage", province="15")
    before = (
        rows(empty_db, "SELECT COUNT(*) FROM coverage")[0][0],
        rows(empty_db, "SELECT COUNT(*) FROM rejected_rows")[0][0],
    )
    rep = load(empty_db, JAMBI_CSV, "coverage", province="15")
    assert rep.status == "skipped"
    after = (
        rows(empty_db, "SELECT COUNT(*) FROM coverage")[0][0],
        rows(empty_db, "SELECT COUNT(*) FROM rejected_rows")[0][0],
    )
    assert before == after


def _xlsx(path: Path, header_row: int, rows_: list[list[object]], sheet: str = "Rekap") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Catatan"
    ws["A1"] = "sheet pertama tanpa data"
    ws2 = wb.create_sheet(sheet)
    ws2["A1"] = "REKAPITULASI PEREKAMAN KTP-EL KOTA KUPANG"
    ws2.merge_cells("A1:F1")
    ws2["A2"] = "Per 31/10/2018"
    ws2.merge_cells("A2:F2")
    for i, r in enumerate(rows_):
        for j, v in enumerate(r):
            ws2.cell(row=header_row + i, column=j + 1, value=v)
    wb.save(path)
    return path


def test_xlsx_named_sheet_merged_titles_districts_roll_up(empty_db: Path, tmp_path: Path) -> None:
    districts = regions_frame().filter(regions_frame()["parent_code"] == "53.71")
    codes = districts["code"].to_list()
    data = [["KODE WILAYAH", "KECAMATAN", "WAJIB KTP", "SUDAH REKAM", "SUDAH CETAK"]]
    for i, c in enumerate(codes):
        data.append([c.replace(".", ""), districts["name"][i], 40000 + i, 30000 + i, 29000])
    data.append(["TOTAL", None, None, None, None])
    path = _xlsx(tmp_path / "kupang.xlsx", 5, data)
    rep = load(empty_db, path, "coverage", sheet="Rekap")
    assert rep.accepted == len(codes) and rep.rejected == 0 and rep.skipped == 1
    eligible, recorded, origin, n = rows(
        empty_db,
        "SELECT eligible, recorded, origin, children_reported FROM coverage_area WHERE region_code = '53.71' AND as_of = '2018-10-31'",
    )[0]
    assert eligible == sum(40000 + i for i in range(len(codes)))
    assert recorded == sum(30000 + i for i in range(len(codes)))
    assert (origin, n) == ("rollup", len(codes))
    # province and country roll up from the regency: counts summed, rate recomputed
    prov = rows(
        empty_db,
        "SELECT eligible, recording_rate, warnings FROM coverage_area WHERE region_code = '53' AND as_of = '2018-10-31'",
    )[0]
    assert prov[0] == eligible and prov[1] == pytest.approx(recorded / eligible)
    assert "partial sum: 1 of" in prov[2]


def test_bad_files_are_refused_with_clear_messages(empty_db: Path, tmp_path: Path) -> None:
    cases = {
        "empty.csv": (b"", "the file is empty"),
        "garbage.xlsx": (os.urandom(2000), "not an XLSX workbook"),
        "header_only.csv": (b"KODE WILAYAH,WAJIB KTP-EL,SUDAH REKAM\n", None),
        "no_region.csv": (b"FOO,BAR\n1,2\n", "no header row found"),
        "dup.csv": (b"KODE WILAYAH,SUDAH REKAM,REKAM\n15.03,1,2\n", "duplicate header"),
        "missing.csv": (b"KODE WILAYAH,PENDUDUK\n15.03,100\n", "missing required column"),
    }
    before = rows(empty_db, "SELECT COUNT(*) FROM coverage")[0][0]
    for name, (content, message) in cases.items():
        p = tmp_path / name
        p.write_bytes(content)
        rep = load(empty_db, p, "coverage", as_of=dt.date(2019, 3, 31))
        assert rep.accepted == 0, name
        if message:
            assert rep.status == "failed" and any(message in m for m in rep.messages), (name, rep.messages)
        else:
            assert rep.status == "rejected"
    assert rows(empty_db, "SELECT COUNT(*) FROM coverage")[0][0] == before
    # a refused file leaves the served file as it was: the attempts wait in its journal, and the
    # next load that swaps writes them into the history
    assert [a["status"] for a in pending_attempts(empty_db)].count("failed") == 5
    assert load(empty_db, JAMBI_CSV, "coverage", province="15").accepted
    statuses = [r[0] for r in rows(empty_db, "SELECT status FROM loads ORDER BY load_id")]
    assert statuses.count("failed") == 5 and statuses.count("rejected") == 1


def test_backlog_dates_and_hostile_text(empty_db: Path) -> None:
    rep = load(empty_db, FIXTURES / "backlog_palembang.csv", "backlog")
    assert rep.accepted == 4 and rep.rejected == 1
    assert (
        "in the future"
        in rows(empty_db, "SELECT reason FROM rejected_rows WHERE NOT starts_with(reason, 'skipped')")[0][0]
    )
    got = rows(
        empty_db,
        "SELECT office, awaiting_pickup, oldest_card_date, oldest_card_precision FROM pickup_backlog ORDER BY office",
    )
    assert ("UPT Dukcapil Seberang Ulu II", 1250, dt.date(2020, 1, 1), "year") in got
    assert ("UPT Dukcapil Alang-Alang Lebar", 980, dt.date(2021, 6, 30), "month") in got
    # stored as text, exactly as typed (rendering and exports neutralise it)
    assert any(o.startswith("<script>") for o, *_ in got)


def test_targets_in_percent_become_fractions(empty_db: Path) -> None:
    rep = load(empty_db, FIXTURES / "targets_kupang.csv", "targets")
    assert rep.accepted == 2
    got = dict(rows(empty_db, "SELECT metric, target_value FROM targets"))
    assert got == {"unrecorded_count": 0.0, "recording_rate": 0.98}


def test_failed_swap_leaves_served_db_untouched_and_is_recorded(empty_db: Path) -> None:
    load(empty_db, JAMBI_CSV, "coverage", province="15")
    size, mtime = empty_db.stat().st_size, empty_db.stat().st_mtime_ns

    def crash(tmp: Path) -> None:
        raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError):
        run(
            [LoadSpec(path=FIXTURES / "jambi_2019_03_second_office.csv", kind="coverage")],
            db_path=empty_db,
            today=TODAY,
            progress=False,
            before_swap=crash,
        )
    assert (empty_db.stat().st_size, empty_db.stat().st_mtime_ns) == (size, mtime)
    assert rows(empty_db, "SELECT COUNT(*) FROM coverage")[0][0] == 6
    assert not list(empty_db.parent.glob("*.tmp-*"))
    # the next load succeeds and records the failed attempt
    rep = load(empty_db, FIXTURES / "jambi_2019_03_second_office.csv", "coverage")
    assert rep.accepted == 2
    hist = rows(empty_db, "SELECT status, message FROM loads WHERE status = 'interrupted'")
    assert len(hist) == 1 and "disk full (simulated)" in hist[0][1]


def test_second_concurrent_load_waits_then_fails_cleanly(empty_db: Path) -> None:
    released = threading.Event()

    def hold() -> None:
        with load_lock(empty_db, timeout=1):
            released.wait(5)

    th = threading.Thread(target=hold)
    th.start()
    time.sleep(0.3)
    with pytest.raises(LoadLockedError), load_lock(empty_db, timeout=0.5):
        pass
    released.set()
    th.join()
    with load_lock(empty_db, timeout=0.5):
        pass


def test_cli_exit_codes(empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("KODE WILAYAH,SUDAH REKAM\n99.99,5\n")
    assert etl_main(["--db", str(empty_db), "load", str(bad), "--kind", "coverage", "--as-of", "2019-03-31"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 2" in err and "unknown region code '99.99'" in err
    copy = tmp_path / "good.csv"
    shutil.copy(FIXTURES / "jambi_2019_03_second_office.csv", copy)
    assert etl_main(["--db", str(empty_db), "load", str(copy), "--kind", "coverage"]) == 0


def test_everything_loads_without_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_GEO_MIRROR", str(tmp_path / "no_mirror"))
    monkeypatch.setenv("EKTP_STATIC_DIR", str(tmp_path / "static_geo"))
    db = tmp_path / "nogeo.duckdb"
    reps = run(
        [LoadSpec(path=JAMBI_CSV, kind="coverage", province="15")],
        db_path=db,
        rebuild=True,
        boundaries=True,
        today=TODAY,
        progress=False,
    )
    assert reps[0].accepted == 6
    status = rows(db, "SELECT value FROM meta WHERE key = 'boundaries_status'")[0][0]
    assert status.startswith("unavailable") and "not found" in status
    assert rows(db, "SELECT COUNT(*) FROM boundaries")[0][0] == 0


def test_an_office_row_is_named_by_file_and_row_in_every_view(empty_db: Path) -> None:
    """The tables keep NULL for a file without a source column; the views name file and row."""
    load(empty_db, JAMBI_CSV, "coverage", province="15", label="jambi-office.csv")
    load(empty_db, FIXTURES / "backlog_palembang.csv", "backlog")
    load(empty_db, FIXTURES / "targets_kupang.csv", "targets")
    assert rows(empty_db, "SELECT COUNT(*) FROM coverage WHERE source IS NOT NULL") == [(0,)]
    named = rows(empty_db, "SELECT row_number, source FROM v_coverage WHERE region_code = '15.03'")
    assert named == [(5, "jambi-office.csv row 5")]  # the line of the file
    best = rows(empty_db, "SELECT source FROM v_coverage_area WHERE region_code = '15.03'")
    assert best == [("jambi-office.csv row 5",)]
    for view, table in (("v_backlog", "pickup_backlog"), ("v_targets", "targets")):
        got = rows(
            empty_db,
            f"SELECT v.source, t.source_kind, v.row_number FROM {view} v JOIN {table} t USING (load_id, row_number)",
        )  # noqa: S608
        assert got, view
        for source, kind, row_number in got:
            if kind != "citation":
                assert source.endswith(f".csv row {row_number}"), (view, source)


def test_a_file_made_when_source_was_required_still_loads(empty_db: Path) -> None:
    """An older DB file (source NOT NULL, 'file row N' stored) takes new loads and shows both alike."""
    con = duckdb.connect(str(empty_db))  # as it was: `coverage` the table, no narrow table
    con.execute("DROP VIEW coverage; DROP TABLE coverage_counts; ALTER TABLE coverage_rows RENAME TO coverage")
    con.execute("ALTER TABLE coverage ALTER COLUMN source SET NOT NULL")
    con.execute(
        "INSERT INTO coverage (load_id, row_number, region_code, as_of, eligible, recorded, source, source_kind, "
        "is_synthetic) VALUES (99, 3, '15.04', DATE '2019-01-31', 100, 90, 'old.csv row 3', 'office', FALSE)"
    )
    con.close()
    load(empty_db, JAMBI_CSV, "coverage", province="15", label="new.csv")
    counts = empty_db.with_name("counts_only.csv")
    counts.write_text("KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n15.04,30/04/2019,100,95\n")
    load(empty_db, counts, "coverage")
    got = dict(rows(empty_db, "SELECT as_of, source FROM v_coverage WHERE region_code = '15.04'"))
    assert got[dt.date(2019, 1, 31)] == "old.csv row 3"
    assert got[dt.date(2019, 3, 31)].startswith("new.csv row ")
    assert got[dt.date(2019, 4, 30)] == "counts_only.csv row 2"
    assert rows(empty_db, "SELECT table_type FROM information_schema.tables WHERE table_name = 'coverage'") == [
        ("VIEW",)
    ]
    assert rows(empty_db, "SELECT COUNT(*) FROM coverage_counts") == [(1,)]


def test_build_if_missing_upgrades_a_file_of_another_version_and_keeps_its_facts(empty_db: Path) -> None:
    from ektp.core import schema

    load(empty_db, JAMBI_CSV, "coverage", province="15")
    con = duckdb.connect(str(empty_db))  # as a file built before fingerprints, v_targets and periods' precision
    con.execute("DROP TABLE schema_info; DROP VIEW v_target_progress; DROP VIEW v_targets; DROP VIEW v_destruction")
    con.execute("ALTER TABLE card_destruction DROP COLUMN period_from_precision")
    con.execute("ALTER TABLE card_destruction DROP COLUMN period_to_precision")
    con.close()
    before = rows(empty_db, "SELECT * FROM coverage ORDER BY row_number")
    assert etl_main(["--db", str(empty_db), "build", "--if-missing"]) == 0
    assert rows(empty_db, "SELECT fingerprint FROM schema_info") == [(schema.fingerprint(),)]
    assert rows(empty_db, "SELECT COUNT(*) FROM v_targets") == [(0,)]
    assert rows(empty_db, "SELECT COUNT(period_to_precision) FROM v_destruction") == [(0,)]
    assert rows(empty_db, "SELECT * FROM coverage ORDER BY row_number") == before
    mtime = empty_db.stat().st_mtime_ns
    assert etl_main(["--db", str(empty_db), "build", "--if-missing"]) == 0  # current: left alone
    assert empty_db.stat().st_mtime_ns == mtime


def test_a_sum_takes_each_childs_best_row_with_counts_while_the_child_shows_its_best_row(empty_db: Path) -> None:
    """Batang Asai: the office reports only a percentage, a cited article the counts. The district
    shows the office's 90%; Sarolangun's sum takes the article's counts (the best row *with* counts)."""
    office = empty_db.with_name("office_pct.csv")
    office.write_text("KODE WILAYAH,TANGGAL,% REKAM\n15.03.01,31/03/2019,90\n")
    article = empty_db.with_name("article_counts.csv")
    article.write_text(
        "KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,SUMBER\n15.03.01,31/03/2019,100,80,koran (1 Apr 2019)\n"
    )
    load(empty_db, office, "coverage")
    load(empty_db, article, "coverage")
    area = dict(
        (r[0], r[1:])
        for r in rows(
            empty_db,
            "SELECT region_code, recording_rate, eligible, recorded, source, origin FROM coverage_area "
            "WHERE as_of = DATE '2019-03-31' AND region_code IN ('15.03.01', '15.03')",
        )
    )
    assert area["15.03.01"][0] == pytest.approx(0.9) and area["15.03.01"][3:] == ("office_pct.csv row 2", "reported")
    assert area["15.03"][1:3] == (100, 80) and area["15.03"][4] == "rollup"
    best = rows(empty_db, "SELECT source, n_sources FROM v_coverage_best WHERE region_code = '15.03.01'")
    assert best == [("office_pct.csv row 2", 2)]


def test_the_backlog_series_sums_each_offices_latest_figure_on_every_date(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offices report on their own days. Summing only each date's rows drew one office's
    figure as the whole area's backlog (the national line fell to Kupang's 5,000 on 27 Jan
    2020); each date now sums every office's latest figure, as the page's headline does."""
    f = empty_db.with_name("two_offices.csv")
    f.write_text(
        "KODE WILAYAH,UPT,TANGGAL,BELUM DIAMBIL,SUDAH DIAMBIL\n"
        "16.71,UPT A,2022-01-31,100,10\n"
        "16.71,UPT B,2022-02-15,50,5\n"
        "16.71,UPT A,2022-02-28,90,20\n"
        "16.72,UPT C,2022-02-28,7,\n"
        "16.71,UPT A,2022-03-10,80,\n"
    )
    assert load(empty_db, f, "backlog").accepted == 5
    monkeypatch.setenv("EKTP_DB", str(empty_db))
    from ektp.data import queries

    s = queries.backlog_series("16")
    got = [
        (r["as_of"], int(r["awaiting_pickup"]), r["offices"], r["offices_reporting"]) for r in s.iter_rows(named=True)
    ]
    assert got == [
        (dt.date(2022, 1, 31), 100, 1, 1),
        (dt.date(2022, 2, 15), 150, 2, 1),
        (dt.date(2022, 2, 28), 147, 3, 2),
        (dt.date(2022, 3, 10), 137, 3, 1),
    ]
    # UPT C never gave a collected count: a gap is not a zero. UPT A's row of 10 March leaves
    # it out: A's previous count (20) still counts, where the sum had fallen to B's 5
    assert [int(v) for v in s["collected"]] == [10, 15, 25, 25]
    latest = queries.backlog_latest("16", dt.date(2022, 3, 10))
    assert int(latest["awaiting_pickup"].sum()) == got[-1][1]  # the line ends at the headline
    assert [int(v) for v in queries.backlog_series("16.71")["awaiting_pickup"]] == [100, 150, 140, 130]
    # a pickup-backlog target reads the same sums
    from ektp.data import db

    got = db.query(
        "SELECT as_of, value FROM v_metric_series WHERE metric = 'pickup_backlog' AND region_code = '16.71' ORDER BY as_of"
    ).rows()
    assert got == [
        (dt.date(2022, 1, 31), 100.0),
        (dt.date(2022, 2, 15), 150.0),
        (dt.date(2022, 2, 28), 140.0),
        (dt.date(2022, 3, 10), 130.0),
    ]


def test_one_office_spelled_two_ways_is_counted_once(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kupang's article names 'Dinas Dukcapil Kota Kupang', the office file 'Disdukcapil Kota
    Kupang': one office. Taken as two, the headline added the file's latest figure to the
    article's older one; now the office's latest row counts, whatever its spelling."""
    f = empty_db.with_name("kupang.csv")
    f.write_text(
        "KODE WILAYAH,UPT,TANGGAL,BELUM DIAMBIL\n"
        "53.71,Dinas Dukcapil Kota Kupang,2020-01-27,5000\n"
        "53.71,Disdukcapil Kota Kupang,2020-02-29,4000\n"
        "53.71,DISDUKCAPIL KUPANG,2020-03-31,3500\n"
        "53.71,UPT Dukcapil Alak,2020-03-31,20\n"
        "53.07,Dinas Kependudukan dan Pencatatan Sipil Kab. Sikka,2020-03-31,7\n"
    )
    assert load(empty_db, f, "backlog").accepted == 5
    keys = rows(empty_db, "SELECT DISTINCT region_code, office_key FROM v_backlog ORDER BY ALL")
    assert keys == [("53.07", "disdukcapil"), ("53.71", "disdukcapil"), ("53.71", "upt disdukcapil alak")]
    monkeypatch.setenv("EKTP_DB", str(empty_db))
    from ektp.data import queries

    latest = queries.backlog_latest("53.71", dt.date(2020, 3, 31))
    assert sorted(latest["awaiting_pickup"].to_list()) == [20, 3500]  # not 5,000 + 4,000 + 3,500 + 20
    assert latest.filter(pl.col("awaiting_pickup") == 3500)["office"].to_list() == ["DISDUKCAPIL KUPANG"]
    s = queries.backlog_series("53")
    assert [(r["as_of"], int(r["awaiting_pickup"])) for r in s.iter_rows(named=True)] == [
        (dt.date(2020, 1, 27), 5000),
        (dt.date(2020, 2, 29), 4000),
        (dt.date(2020, 3, 31), 3527),
    ]
    assert s["offices"].to_list() == [1, 1, 3]
    from ektp.data import db

    got = db.query(
        "SELECT as_of, value FROM v_metric_series WHERE metric = 'pickup_backlog' AND region_code = '53.71' ORDER BY as_of"
    ).rows()
    assert [v for _, v in got] == [5000.0, 4000.0, 3520.0]
