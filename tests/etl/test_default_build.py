"""The embedded default: real regions, real boundaries, sourced figures with citations, synthetic fill."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ektp.core import settings
from ektp.core.served import open_read_only
from etl import splits


@pytest.fixture(scope="module")
def con(default_db: Path):  # noqa: ANN201
    c = open_read_only(default_db)
    yield c
    c.close()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    return con.execute(sql, params or []).fetchall()[0]


def test_regions_are_the_kemendagri_list(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(con.execute("SELECT level, COUNT(*) FROM regions GROUP BY level").fetchall())
    assert counts["province"] == 38 and counts["regency"] == 514 and counts["district"] == 7285
    assert counts["village"] > 80000
    # Kemendagri, not BPS: 15.06 is Tanjung Jabung Barat (BPS 1506 is Tanjung Jabung Timur)
    assert one(con, "SELECT name FROM regions WHERE code = '15.06'")[0] == "Kabupaten Tanjung Jabung Barat"


def test_sarolangun_figures_with_citations(con: duckdb.DuckDBPyConnection) -> None:
    rate, unrec_share, source, syn = one(
        con,
        "SELECT recording_rate, 1 - recording_rate, source, is_synthetic FROM v_coverage_best WHERE region_code = '15.03' AND as_of = '2019-03-31'",
    )
    assert round(unrec_share * 100, 1) == 14.0 and not syn and "radarjambi" in source
    rate, source = one(
        con, "SELECT recording_rate, source FROM v_coverage_best WHERE region_code = '15.03' AND as_of = '2019-01-31'"
    )
    assert round(rate * 100, 2) == 80.11 and "kabardaerah" in source
    jambi = one(con, "SELECT unrecorded, source FROM v_coverage_best WHERE region_code = '15' AND as_of = '2019-03-31'")
    assert jambi == (100000, "radarjambi.co.id (31 Mar 2019)")


def test_every_news_row_is_kept_as_given(con: duckdb.DuckDBPyConnection) -> None:
    n = one(
        con,
        "SELECT COUNT(*) FROM coverage c JOIN loads l USING (load_id) "
        "WHERE c.source_kind = 'citation' AND l.file = 'ktp_figures_news.csv'",
    )[0]
    src = (settings.ROOT / "data" / "sourced" / "ktp_figures_news.csv").read_text().strip().splitlines()
    assert n == len(src) - 1
    # a percentage-only row stays a percentage: nothing invented
    assert one(
        con,
        "SELECT eligible, recorded, recorded_pct_reported FROM coverage WHERE region_code = '15.03' AND as_of = '2019-03-31' AND NOT is_synthetic",
    ) == (None, None, 86.0)
    # the two disagreeing Probolinggo sources are both there, and flagged
    probo = con.execute(
        "SELECT recording_rate FROM v_coverage_conflicts WHERE region_code = '35.74' AND as_of = '2018-06-30' AND NOT is_synthetic"
    ).fetchall()
    assert len(probo) == 2
    kupang = one(con, "SELECT warnings FROM coverage WHERE region_code = '53.71' AND as_of = '2018-10-31'")[0]
    assert "69354" in kupang and "69399" in kupang


def test_seed_facts(con: duckdb.DuckDBPyConnection) -> None:
    d = dict(con.execute("SELECT region_code, destroyed FROM card_destruction").fetchall())
    assert d == {"15.71": 14120, "35.74": 13659}
    assert one(
        con, "SELECT target_value, baseline_value, deadline::VARCHAR FROM targets WHERE region_code = '53.71'"
    ) == (0.0, 40000.0, "2020-04-27")
    assert one(con, "SELECT target_value, minimum_value FROM targets WHERE region_code = '15.03'") == (0.98, 0.90)
    assert (
        one(con, "SELECT awaiting_pickup FROM pickup_backlog WHERE region_code = '53.71' AND NOT is_synthetic")[0]
        == 5000
    )
    offices = {
        r[0]
        for r in con.execute(
            "SELECT office FROM pickup_backlog WHERE region_code = '16.71' AND NOT is_synthetic"
        ).fetchall()
    }
    assert offices == {"UPT Dukcapil Seberang Ulu II", "UPT Dukcapil Alang-Alang Lebar"}


def test_synthetic_fill_is_complete_flagged_and_never_overrides(con: duckdb.DuckDBPyConnection) -> None:
    n = one(con, "SELECT COUNT(DISTINCT region_code) FROM coverage WHERE is_synthetic AND region_code LIKE '__.__'")[0]
    assert n == 514
    n = one(con, "SELECT COUNT(DISTINCT region_code) FROM coverage WHERE is_synthetic AND length(region_code) = 8")[0]
    assert n == 7285
    assert one(con, "SELECT MIN(as_of)::VARCHAR, MAX(as_of)::VARCHAR FROM coverage WHERE is_synthetic") == (
        "2018-01-31",
        "2025-12-31",  # the latest published semester (DKB Semester II 2025)
    )
    # wherever a sourced row exists, the best row is sourced
    assert (
        one(
            con,
            "SELECT COUNT(*) FROM v_coverage_best b WHERE b.is_synthetic AND EXISTS (SELECT 1 FROM coverage c WHERE c.region_code = b.region_code AND c.as_of = b.as_of AND NOT c.is_synthetic)",
        )[0]
        == 0
    )


def test_rollups_sum_counts(con: duckdb.DuckDBPyConnection) -> None:
    prov = one(
        con,
        "SELECT eligible, recorded, recording_rate FROM coverage_area WHERE region_code = '11' AND as_of = '2020-06-30'",
    )
    sums = one(
        con,
        "SELECT SUM(eligible), SUM(recorded) FROM coverage WHERE is_synthetic AND region_code LIKE '11.__' AND as_of = '2020-06-30'",
    )
    assert prov[:2] == sums
    assert prov[2] == pytest.approx(sums[1] / sums[0])
    nat = one(con, "SELECT eligible FROM coverage_area WHERE region_code = '00' AND as_of = '2020-06-30'")[0]
    assert (
        nat
        == one(
            con,
            "SELECT SUM(eligible) FROM coverage WHERE is_synthetic AND region_code LIKE '__.__' AND as_of = '2020-06-30'",
        )[0]
    )


def test_boundaries_loaded_swapped_and_served(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(con.execute("SELECT level, COUNT(*) FROM boundaries GROUP BY level").fetchall())
    assert counts == {"province": 38, "regency": 514, "district": 7285}
    lng, lat = one(con, "SELECT centroid_lng, centroid_lat FROM boundaries WHERE code = '15.03'")
    assert 102 < lng < 103.5 and -3 < lat < -1.5
    area = one(con, "SELECT area_km2 FROM boundaries WHERE code = '15.03'")[0]
    assert 5000 < area < 8000  # Sarolangun is about 6,200 km²
    static = settings.path("static_dir")
    for view in ("province", "regency", "regency_15", "district_15.03"):
        assert (static / f"{view}.json").exists()
    assert "MIT" in one(con, "SELECT value FROM meta WHERE key = 'boundaries_license'")[0]


def test_each_geometry_file_has_a_brotli_copy_and_the_layout_marker() -> None:
    import brotli

    from ektp.core.schema import GEO_FORMAT, geo_format_of

    static = settings.path("static_dir")
    assert geo_format_of(static) == GEO_FORMAT
    files = sorted(static.glob("*.json"))
    assert len(files) > 500
    for p in (static / "district.json", static / "province.json", files[len(files) // 2]):
        assert brotli.decompress((static / (p.name + ".br")).read_bytes()) == p.read_bytes(), p.name
    assert {p.name.removesuffix(".br") for p in static.glob("*.json.br")} == {p.name for p in files}
    first = json.loads((static / "regency.json").read_text())["features"][0]
    assert first["id"] == 0 and first["properties"] == {"c": "11.01", "n": "Kabupaten Aceh Selatan"}


def test_make_data_rewrites_map_files_of_an_older_layout_from_the_db(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgraded checkout keeps its DB; its map files (no format.txt, keys `code`/`name`)
    are rewritten from the DB's boundaries, with no mirror and no download."""
    import shutil

    from ektp.core.schema import GEO_FORMAT, geo_format_of
    from etl.__main__ import main as etl_main
    from etl.build import static_outdated

    db = shutil.copy(default_db, tmp_path / "ektp.duckdb")  # this module holds the original open
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "province.json").write_text('{"type":"FeatureCollection","features":[]}')
    monkeypatch.setenv("EKTP_STATIC_DIR", str(folder))
    monkeypatch.setenv("EKTP_GEO_MIRROR", str(tmp_path / "no_mirror"))
    assert static_outdated()
    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0
    assert geo_format_of(folder) == GEO_FORMAT and not static_outdated()
    regency = json.loads((folder / "regency_15.json").read_text())
    assert [f["properties"]["c"] for f in regency["features"]][:3] == ["15.01", "15.02", "15.03"]
    assert (folder / "district.json.br").exists()
    stamp = (folder / "district.json").stat().st_mtime_ns
    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0  # current: left alone
    assert (folder / "district.json").stat().st_mtime_ns == stamp


def test_the_synthetic_fill_runs_through_the_published_rates(con: duckdb.DuckDBPyConnection) -> None:
    """The fill is shaped to each area's published figures (etl/demo.anchor_rates): Sarolangun's
    synthetic months agree with its articles, so its line is not a generic 97% beside them."""
    from etl.demo import published_eligible, published_rates

    pub = published_rates()
    sql = (
        "SELECT SUM(recorded) / SUM(eligible) FROM coverage WHERE is_synthetic AND as_of = ? "
        "AND length(region_code) = 8 AND (list_contains(?, '00') OR list_contains(?, region_code[:2]) "
        "OR list_contains(?, region_code[:5]))"
    )
    checked = 0

    def area(code: str) -> list[str]:  # a former area (91~2022) is the sum of its successors
        former = next((s for s in splits.read() if s.former_code == code), None)
        return list(former.successors) if former else [code]

    def covered(code: str, d: dt.date) -> bool:  # every regency inside has its own figure within two months
        inside = [c for c in pub if len(c) == 5 and any(c.startswith(a + ".") for a in area(code)) and code != "00"]
        with_figure = {c for c in inside if any(abs((x - d).days) <= 62 for x, _ in pub[c])}
        total = one(con, "SELECT COUNT(*) FROM regions WHERE level = 'regency' AND list_contains(?, province_code)",
                    [area(code)])[0]  # fmt: skip
        return len(area(code)[0]) == 2 and len(with_figure) == total

    for code, pts in pub.items():
        for d, r in pts:
            if covered(code, d):  # the regencies' own figures make the area's (Papua Barat, June–Aug 2022)
                continue
            month_end = one(con, "SELECT last_day(?::DATE)", [d])[0]
            got = one(con, sql, [month_end, area(code), area(code), area(code)])[0]
            assert abs(got - r) < 0.002, (code, d, r, got)
            checked += 1
    assert checked >= 40 and ("15.03" in pub and len(pub["15.03"]) == 6)  # 5 to 2020, and March 2022
    # and as large as published: Jambi's ~100,000 unrecorded of January 2019 come out as such
    for code, pts in published_eligible().items():
        for d, e in pts:
            month_end = one(con, "SELECT last_day(?::DATE)", [d])[0]
            args = [month_end, area(code), area(code), area(code)]
            got = one(con, sql.replace("SUM(recorded) / SUM(eligible)", "SUM(eligible)"), args)[0]
            assert abs(got / e - 1) < 0.03, (code, d, e, got)
    unrecorded = one(
        con,
        sql.replace("SUM(recorded) / SUM(eligible)", "SUM(eligible) - SUM(recorded)"),
        [dt.date(2019, 1, 31), ["15"], ["15"], ["15"]],
    )[0]
    assert 90_000 < unrecorded < 110_000  # published: 100,269


def test_the_blank_card_fill_keeps_its_books_and_meets_the_published_stock(con: duckdb.DuckDBPyConnection) -> None:
    """Synthetic stock: each month's stock is the last plus received minus used and spoilt,
    nothing goes below zero, and each published stock figure is met in its month (Sarolangun's
    4,000 and 5,000; the fill had ~4,700 and ~8,600). Where a figure cannot be met without an
    empty store later in the quarter (use is not cut to fit), the stock is above it and the
    quarter does run out."""
    from etl.demo import published_blanko

    flows = one(
        con,
        "SELECT COUNT(*) FILTER (WHERE remaining <> prev + received - used - damaged), "
        "COUNT(*) FILTER (WHERE remaining < 0 OR received < 0 OR used < 0), "
        "COUNT(*) FILTER (WHERE used + damaged > prev + received), COUNT(*) "
        "FROM (SELECT *, LAG(remaining) OVER (PARTITION BY region_code ORDER BY as_of) AS prev "
        "FROM blanko_stock WHERE is_synthetic) WHERE prev IS NOT NULL",
    )
    assert flows[:3] == (0, 0, 0) and flows[3] > 40_000, flows
    pub = published_blanko()
    assert pub["15.03"] == [(dt.date(2018, 12, 16), 4000.0), (dt.date(2020, 7, 9), 5000.0)]
    met = 0
    for code, pts in pub.items():
        for d, v in pts:
            got = one(
                con,
                "SELECT remaining FROM blanko_stock WHERE is_synthetic AND region_code = ? AND as_of = last_day(?::DATE)",
                [code, d],
            )[0]
            if got == v:
                met += 1
                continue
            low = one(
                con,
                "SELECT MIN(remaining) FROM blanko_stock WHERE is_synthetic AND region_code = ? "
                "AND date_trunc('quarter', as_of) = date_trunc('quarter', ?::DATE)",
                [code, d],
            )[0]
            assert got > v and low == 0, (code, d, v, got, low)
    assert met >= 2


def test_make_data_replaces_default_files_the_code_has_changed(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a pull, `make data` kept the old synthetic fill and the old seed files until a full
    rebuild, which would also drop the office files loaded by hand. Now each default file whose
    bytes changed replaces its earlier load; other loads stay; a new version that fails leaves
    the old rows."""
    import shutil

    from etl import build as b
    from etl.__main__ import main as etl_main

    db = Path(shutil.copy(default_db, tmp_path / "ektp.duckdb"))
    monkeypatch.setenv("EKTP_DB", str(db))
    office = tmp_path / "upt" / "backlog.csv"  # an office file named like the seed file
    office.parent.mkdir()
    office.write_text("KODE WILAYAH,UPT,TANGGAL,BELUM DIAMBIL\n16.71,UPT Kertapati,2023-05-31,321\n")
    assert etl_main(["--db", str(db), "load", str(office), "--kind", "backlog"]) == 0
    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0
    assert b.outdated_defaults(db) == ([], False)  # the code's own version: nothing to do
    c = duckdb.connect(str(db))  # readings of an older translations.csv: one load brings the new ones
    readings = one(c, "SELECT COUNT(*) FROM translations")[0]
    c.execute("DELETE FROM translations WHERE text = 'burned'")
    c.close()
    assert b.outdated_defaults(db) == ([], True)
    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0
    assert b.outdated_defaults(db) == ([], False)
    c = open_read_only(db)
    assert one(c, "SELECT COUNT(*) FROM translations")[0] == readings >= 27
    c.close()

    # a DB from an older version: another fill (fingerprint and blank-card file) and seed file
    c = duckdb.connect(str(db))
    c.execute("UPDATE meta SET value = 'older' WHERE key = ?", [b.SYNTHETIC_KEY])
    c.execute("UPDATE loads SET sha256 = 'older' WHERE file = 'synthetic/blanko_synthetic.parquet'")
    assert (
        c.execute("DELETE FROM blanko_stock WHERE remaining > 20000").fetchall()[0][0] > 100
    )  # the old fill's rows differ
    c.close()
    seed = tmp_path / "seed" / "backlog.csv"
    seed.parent.mkdir()
    rows = (b.DATA / "sourced" / "backlog.csv").read_text()
    seed.write_text(rows + "53.71,Kota Kupang,Dinas Dukcapil Kota Kupang,2020-02-27,4100,,one month on,test\n")
    monkeypatch.setattr(b, "SOURCED", [(k, seed if k == "backlog" else p) for k, p in b.SOURCED])
    specs, stale = b.outdated_defaults(db)
    assert stale and sorted((s.label or s.path.name) for s in specs) == [
        "backlog.csv",
        "synthetic/blanko_synthetic.parquet",
    ]
    assert [s.replaces for s in specs if s.label is None] == [(4,)]  # the build's own backlog.csv, not the office's
    fresh_rows = pl.read_parquet(b.DATA / "synthetic" / "blanko_synthetic.parquet").height

    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0
    c = open_read_only(db)
    try:
        assert one(c, "SELECT COUNT(*) FROM blanko_stock WHERE is_synthetic")[0] == fresh_rows
        assert one(c, "SELECT COUNT(*) FROM pickup_backlog WHERE NOT is_synthetic AND region_code = '53.71'")[0] == 2
        assert one(c, "SELECT COUNT(*) FROM pickup_backlog WHERE office = 'UPT Kertapati'")[0] == 1  # by hand: kept
        statuses = dict(c.execute("SELECT file, list(status ORDER BY load_id) FROM loads GROUP BY file").fetchall())
        assert statuses["backlog.csv"] == ["replaced", "ok", "ok"]  # the seed's, the office's, the new seed's
        ids = one(c, "SELECT value FROM meta WHERE key = 'default_loads'")[0].split(",")
        new_seed = one(c, "SELECT MAX(load_id) FROM loads WHERE file = 'backlog.csv'")[0]
        assert "4" not in ids and str(new_seed) in ids and len(ids) == len(b.SOURCED) + 4  # and the 4 fill files
        assert statuses["synthetic/blanko_synthetic.parquet"] == ["replaced", "ok"]
        assert statuses["synthetic/coverage_synthetic.parquet"] == ["ok"]  # unchanged bytes: not reloaded
        assert one(c, "SELECT value FROM meta WHERE key = ?", [b.SYNTHETIC_KEY])[0] == b.synthetic_fingerprint()
    finally:
        c.close()
    assert b.outdated_defaults(db) == ([], False)

    seed.write_text("region_code,as_of,awaiting_pickup\n99.99,someday,many\n")  # a broken new version
    assert b.refresh_defaults(db, progress=False)[0].status == "rejected"
    c = open_read_only(db)
    try:
        assert one(c, "SELECT COUNT(*) FROM pickup_backlog WHERE NOT is_synthetic AND region_code = '53.71'")[0] == 2
    finally:
        c.close()


def test_a_schema_upgrade_loads_the_default_files_again(default_db: Path, tmp_path: Path) -> None:
    """Rows loaded by an older version lack what the new code stores (a DB from before the
    destruction periods' precision kept NULL there until a full rebuild). An upgrade now loads
    every default file again with the new code; office files loaded by hand stay."""
    import shutil

    from etl.__main__ import main as etl_main

    db = Path(shutil.copy(default_db, tmp_path / "ektp.duckdb"))
    office = tmp_path / "upt.csv"
    office.write_text("KODE WILAYAH,UPT,TANGGAL,BELUM DIAMBIL\n16.71,UPT Kertapati,2023-05-31,321\n")
    assert etl_main(["--db", str(db), "load", str(office), "--kind", "backlog"]) == 0
    c = duckdb.connect(str(db))
    c.execute("UPDATE card_destruction SET period_from_precision = NULL, period_to_precision = NULL")
    c.execute("UPDATE schema_info SET fingerprint = 'older'")
    c.execute("DELETE FROM meta WHERE key = 'default_loads'")  # a DB from before the key: a build's first loads
    before = dict(c.execute("SELECT file, COUNT(*) FROM loads GROUP BY file").fetchall())
    c.close()
    assert etl_main(["--db", str(db), "build", "--if-missing"]) == 0
    c = open_read_only(db)
    try:
        precisions = c.execute("SELECT DISTINCT period_from_precision FROM card_destruction ORDER BY 1").fetchall()
        assert precisions and all(p is not None for (p,) in precisions)
        statuses = dict(c.execute("SELECT file, list(status ORDER BY load_id) FROM loads GROUP BY file").fetchall())
        assert statuses["destruction.csv"] == ["replaced", "ok"]
        assert statuses["synthetic/coverage_synthetic.parquet"] == ["replaced", "ok"]
        assert statuses["upt.csv"] == ["ok"] and before["upt.csv"] == 1
        assert one(c, "SELECT COUNT(*) FROM pickup_backlog WHERE office = 'UPT Kertapati'")[0] == 1
        assert (
            one(c, "SELECT COUNT(*) FROM coverage_rows")[0]
            == one(c, "SELECT SUM(rows_accepted) FROM loads WHERE status IN ('ok', 'partial') AND kind = 'coverage'")[0]
        )
    finally:
        c.close()


def test_the_backlog_fill_runs_through_the_published_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Kupang's office: 5,000 cards waiting on 27 January 2020 (seed article 003). The fill had
    ~2,600 there, so the line spiked to the article's figure for one day and fell back."""
    from etl.demo import published_backlog

    pub = published_backlog()
    assert pub == {"53.71": [(dt.date(2020, 1, 27), 5000.0)]}
    for code, pts in pub.items():
        for d, v in pts:
            got = one(
                con,
                "SELECT awaiting_pickup FROM pickup_backlog WHERE is_synthetic AND region_code = ? "
                "AND as_of = last_day(?::DATE)",
                [code, d],
            )[0]
            assert abs(got - v) <= 1, (code, d, v, got)
    # the months around it move with it, and the ages still add up to the total
    around = con.execute(
        "SELECT awaiting_pickup, age_0_3m + age_3_6m + age_6_12m + age_12m_plus FROM pickup_backlog "
        "WHERE is_synthetic AND region_code = '53.71' AND as_of BETWEEN '2019-12-01' AND '2020-02-29' ORDER BY as_of"
    ).fetchall()
    assert all(abs(a - 5000) < 250 and a == ages for a, ages in around), around


def test_a_printed_rate_its_own_counts_deny_is_noted(con: duckdb.DuckDBPyConnection) -> None:
    """Review finding (2026-12-08): rows that print a rate beside eligible and not-recorded counts
    that give another loaded with no note: Sarolangun 2013 (67.65% beside 80,189 of 230,646,
    i.e. 65.23%) and Kota Jambi 13 Oct 2025 (99.8% beside 8,000 of 480,000, i.e. 98.33%). The
    rate is kept as printed, and the row says what its counts give."""
    from ektp.core import checks

    rows = dict(
        con.execute(
            "SELECT region_code, warnings FROM v_coverage WHERE (region_code, as_of) IN "
            "(('15.03', DATE '2013-11-15'), ('15.71', DATE '2025-10-13')) AND source_kind = 'citation'"
        ).fetchall()
    )
    assert set(rows) == {"15.03", "15.71"}
    for code, computed in (("15.03", "65.23"), ("15.71", "98.33")):
        notes = dict(checks.read(rows[code]))
        assert notes.get("rate_mismatch_unrecorded", {}).get("computed") == computed, rows[code]
