"""Real layouts (issue: files from outside): each class of file offices, provincial templates and
open-data portals publish loads with the right numbers, in the right region, or is refused with a
message naming file, row, column and reason. Fixtures: tests/fixtures/layouts (README: sources)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.core.served import open_read_only
from etl.headers import combine, plan_columns
from etl.load import LoadSpec, run
from etl.regions import RegionMatcher
from etl.transform import parse_date, period_of
from tests.conftest import FIXTURES, TODAY
from tests.etl.test_bulk import assert_same, load_both

L = FIXTURES / "layouts"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layouts") / "base.duckdb"
    run([], db_path=path, rebuild=True, boundaries=False, progress=False)
    return path


def load(base: Path, tmp: Path, path: Path, **kw: object):  # noqa: ANN201
    db = tmp / "served.duckdb"
    shutil.copy(base, db)
    rep = run([LoadSpec(path=path, kind="coverage", **kw)], db_path=db, today=TODAY, progress=False)[0]
    return rep, db


def q(db: Path, sql: str) -> list[tuple]:
    con = open_read_only(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


COLS = (
    "region_code, as_of, date_precision, eligible, recorded, not_recorded, recorded_pct_reported, "
    "eligible_male, eligible_female, recorded_male, recorded_female, not_recorded_male, not_recorded_female"
)


def _stacked_xlsx(path: Path) -> Path:
    """The stacked CSV as an office saves it in Excel: merged title, merged group cells."""
    import csv

    rows = list(csv.reader((L / "stacked_lp_jambi_2019_01.csv").open(encoding="utf-8")))
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append([c if c != "" else None for c in r])
    ws.merge_cells("A1:M1")
    for rng in ("D3:F3", "G3:I3", "J3:L3", "A3:A4", "B3:B4", "C3:C4", "M3:M4"):
        ws.merge_cells(rng)
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_two_header_rows_take_jumlah_as_the_count_and_keep_the_split(base: Path, tmp_path: Path, fmt: str) -> None:
    path = L / "stacked_lp_jambi_2019_01.csv" if fmt == "csv" else _stacked_xlsx(tmp_path / "stacked.xlsx")
    rep, db = load(base, tmp_path, path)
    assert (rep.status, rep.accepted, rep.rejected) == ("ok", 2, 0), rep.summary()
    assert rep.header_rows == [3, 4]
    assert "'WAJIB KTP-EL / JUMLAH' → eligible" in rep.columns
    assert "'WAJIB KTP-EL / L' → eligible_male" in rep.columns
    assert "'NO' ignored: a row number: not a figure" in rep.columns
    got = q(db, f"SELECT {COLS} FROM coverage_rows ORDER BY row_number")
    jan = dt.date(2019, 1, 31)
    # the published JUMLAH, never the men-only first sub-column
    assert got[0] == ("15.03", jan, "day", 223211, 178804, 44407, 80.11, 113837, 109374, 91190, 87614, 22647, 21760)
    # the province's own row among its regencies: loaded at province level; one regency of eleven
    # is no sum to compare it with
    assert got[1][:7] == ("15", jan, "day", 2467725, 2367456, 100269, 95.94)
    assert q(db, "SELECT warnings FROM coverage_rows WHERE region_code = '15'") == [(None,)]
    assert q(db, "SELECT level FROM v_coverage WHERE region_code = '15'") == [("province",)]
    stored = q(db, "SELECT columns FROM loads ORDER BY load_id DESC LIMIT 1")[0][0]
    assert '"header_rows": [3, 4]' in stored and "eligible_male" in stored


def test_a_split_without_its_total_is_refused_never_taken_for_it(base: Path, tmp_path: Path) -> None:
    f = tmp_path / "lp_only.csv"
    f.write_text(
        "KODE,KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,,SUDAH REKAM,,\n,,,L,P,L,P\n"
        "15.03,Sarolangun,31/01/2019,113837,109374,91190,87614\n"
    )
    rep, db = load(base, tmp_path, f)
    assert rep.status == "failed" and rep.accepted == 0
    assert "two header rows: WAJIB KTP-EL / L, P: no JUMLAH or TOTAL column for eligible" in rep.summary()
    assert q(db, "SELECT COUNT(*) FROM coverage_rows") == [(0,)]


def test_a_column_the_loader_cannot_place_waits_for_one_choice_and_the_layout_remembers_it(
    base: Path, tmp_path: Path
) -> None:
    """A sub-column under SUDAH REKAM that is neither L, P nor JUMLAH, and a figure-like column
    no alias names, are questions, not reasons to refuse the file: the load waits for a choice
    (naming the column and why), a choice loads it, and the next file of that layout needs none."""
    f = tmp_path / "odd_sub.csv"
    f.write_text(
        "KODE,KABUPATEN/KOTA,TANGGAL,SUDAH REKAM,REKAM ULANG KTP\n,,,BARU,\n15.03,Sarolangun,31/01/2019,178804,12\n"
    )
    rep, db = load(base, tmp_path, f)
    assert rep.status == "failed" and rep.accepted == 0
    summary = rep.summary()
    assert "'SUDAH REKAM / BARU': under 'SUDAH REKAM' (recorded), 'BARU' is neither L, P nor JUMLAH/TOTAL" in summary
    assert "'REKAM ULANG KTP': it looks like a figure" in summary and "--column 'HEADER=field'" in summary
    choice = {"SUDAH REKAM / BARU": "recorded", "REKAM ULANG KTP": "ignore"}
    rep = run([LoadSpec(f, "coverage", columns=choice, operator="siti")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.status, rep.accepted) == ("ok", 1), rep.summary()
    assert q(db, "SELECT region_code, recorded FROM coverage_rows") == [("15.03", 178804)]
    g = tmp_path / "odd_sub_feb.csv"  # next month, the same template: no question asked
    g.write_text(
        "KODE,KABUPATEN/KOTA,TANGGAL,SUDAH REKAM,REKAM ULANG KTP\n,,,BARU,\n15.03,Sarolangun,28/02/2019,179900,9\n"
    )
    rep = run([LoadSpec(g, "coverage")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.status, rep.accepted) == ("ok", 1), rep.summary()
    assert {(h, fld, who) for h, fld, who, _ in rep.choices} == {
        ("SUDAH REKAM / BARU", "recorded", "siti"), ("REKAM ULANG KTP", "ignore", "siti")}  # fmt: skip
    bad = run([LoadSpec(g, "coverage", columns={"REKAM ULANG KTP": "warna"})], db_path=db, today=TODAY, progress=False)
    assert "cannot mean 'warna': not a coverage field of the dictionary" in bad[0].summary()


def test_bps_codes_are_read_by_name_and_warned_on_each_row(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "opendata_bps_jambi.csv")
    assert (rep.status, rep.accepted, rep.warned) == ("ok", 6, 4), rep.summary()
    assert "codes read as BPS codes: 4 of 6 code/name pairs" in rep.summary()
    got = dict(q(db, "SELECT region_code, eligible FROM coverage_rows"))
    # BPS 1508 is Tebo (Kemendagri 15.09), BPS 1509 is Bungo (15.08): never swapped
    assert got == {"15.03": 223445, "15.07": 150001, "15.06": 210002, "15.09": 240003, "15.08": 250004, "15.71": 420005}
    warn = dict(q(db, "SELECT region_code, warnings FROM coverage_rows"))
    assert warn["15.09"] == "BPS code 1508 read as Kabupaten Tebo (15.09)"
    assert warn["15.08"] == "BPS code 1509 read as Kabupaten Bungo (15.08)"
    assert warn["15.03"] is None and warn["15.71"] is None
    # the open-data layout: one measure column, its unit in satuan, its period in tahun
    assert set(q(db, "SELECT as_of, date_precision FROM coverage_rows")) == {(dt.date(2018, 12, 31), "year")}


def test_a_kemendagri_file_whose_name_says_otherwise_rejects_the_row_with_both_readings(
    base: Path, tmp_path: Path
) -> None:
    f = tmp_path / "kem.csv"
    f.write_text(
        "KODE WILAYAH,KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
        "15.03,Kabupaten Sarolangun,31/01/2019,223211,178804\n15.08,Kabupaten Tebo,31/01/2019,100,90\n"
        "15.71,JAMBI,31/01/2019,100,90\n"
    )
    rep, db = load(base, tmp_path, f)
    assert (rep.accepted, rep.rejected) == (2, 1), rep.summary()
    reason = q(db, "SELECT reason FROM rejected_rows WHERE row_number = 3")[0][0]
    assert reason.startswith("code 15.08 is Kabupaten Bungo but the name 'Kabupaten Tebo' is Kabupaten Tebo (15.09)")
    assert sorted(c for (c,) in q(db, "SELECT region_code FROM coverage_rows")) == ["15.03", "15.71"]
    # forced either way from the command line
    rep, db = load(base, tmp_path, f, codes="bps")
    assert (
        rep.accepted == 3
        and "BPS code 15.08 read as Kabupaten Tebo (15.09)"
        in q(db, "SELECT warnings FROM coverage_rows WHERE region_code = '15.09'")[0][0]
    )


def test_template_rows_without_figures_are_skipped_and_kept(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "template_jambi_2019_03.csv", province="15")
    assert (rep.accepted, rep.rejected, rep.skipped) == (1, 0, 11), rep.summary()
    assert q(db, "SELECT region_code, as_of, recorded_pct_reported FROM coverage_rows") == [
        ("15.03", dt.date(2019, 3, 31), 86.0)
    ]
    skipped = q(db, "SELECT reason FROM rejected_rows WHERE reason LIKE 'skipped: no figure%'")
    assert len(skipped) == 10  # ten regencies with empty or '-' cells; the JUMLAH row is its own


def test_open_data_units_and_two_cell_periods(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "opendata_pct_units.csv")
    assert (rep.accepted, rep.rejected) == (1, 1), rep.summary()
    assert q(db, "SELECT region_code, as_of, date_precision, recorded_pct_reported FROM coverage_rows") == [
        ("15.03", dt.date(2020, 6, 30), "semester", 96.23)
    ]
    assert q(db, "SELECT row_number, reason FROM rejected_rows") == [
        (3, "unit: satuan 'JIWA' but column 'persentase_perekaman_ktp_el' holds a percentage")
    ]


def test_periods_as_offices_write_them(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "periods_semesters.csv")
    assert (rep.accepted, rep.rejected) == (4, 0), rep.summary()
    assert q(db, "SELECT region_code, as_of, date_precision FROM coverage_rows ORDER BY row_number") == [
        ("00", dt.date(2017, 6, 30), "semester"),
        ("00", dt.date(2021, 12, 31), "semester"),
        ("15.03", dt.date(2019, 12, 31), "year"),
        ("15.03", dt.date(2020, 9, 30), "quarter"),
    ]


def test_eligible_derived_from_recorded_and_not_recorded_says_so(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "derived_kupang_2019_03.csv")
    assert rep.accepted == 1
    (row,) = q(db, "SELECT eligible, recorded, not_recorded, basis FROM coverage_rows")
    assert row[:3] == (339901, 272859, 67042)  # the source's own wajib KTP-el: 339,901
    assert row[3] == "eligible derived: recorded + not recorded (the file gives no wajib KTP-el)"
    rate = q(db, "SELECT recording_rate FROM v_coverage")[0][0]
    assert rate == pytest.approx(272859 / 339901)


def test_print_only_sheet_loads_print_ready_and_reports_its_total(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "print_only_belum_cetak.csv")
    assert (rep.status, rep.accepted, rep.skipped) == ("ok", 2, 1), rep.summary()
    assert "row 5 (JUMLAH): print_ready 82,000 disagrees with the sum of the 2 rows loaded, 81,966" in rep.summary()
    got = q(db, "SELECT region_code, print_ready, eligible, recorded FROM coverage_rows ORDER BY row_number")
    assert got == [("16.71", 52000, None, None), ("35.13", 29966, None, None)]
    assert q(db, "SELECT recording_rate FROM v_coverage WHERE region_code = '16.71'") == [(None,)]  # none invented
    reason = q(db, "SELECT reason FROM rejected_rows WHERE row_number = 5")[0][0]
    assert "print_ready 82,000 disagrees with the sum of the 2 rows loaded, 81,966 (difference 34)" in reason


def test_provincial_recap_template_columns_are_all_accounted_for(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "recap_template_kab.csv")
    assert rep.accepted == 1
    assert "'persentase_jml_perekaman' → recorded_pct" in rep.columns
    assert "'kd_wilayah' → region_code" in rep.columns
    assert any(c.startswith("'sisa_suket' ignored: suket") for c in rep.columns)
    assert len(rep.columns) == 9  # every column: mapped or ignored
    assert q(
        db,
        "SELECT region_code, eligible, recorded, recorded_pct_reported, print_ready, blanko_on_hand FROM coverage_rows",
    ) == [("35.13", 936735, 795331, 84.90, 29966, 10000)]


def test_province_spellings_and_a_table_of_provinces(base: Path, tmp_path: Path) -> None:
    rep, db = load(base, tmp_path, L / "provinces_spelled.csv")
    assert (rep.accepted, rep.rejected) == (6, 0), rep.summary()
    assert [c for (c,) in q(db, "SELECT region_code FROM coverage_rows ORDER BY row_number")] == [
        "34", "31", "11", "19", "21", "95",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("DI Yogyakarta", "34"), ("D.I. Yogyakarta", "34"), ("DIY", "34"), ("DKI", "31"), ("DKI Jakarta", "31"),
        ("NAD", "11"), ("Babel", "19"), ("Kep. Riau", "21"), ("Kepri", "21"), ("Irian Jaya Barat", "92"),
        ("Papua Selatan", "93"), ("Papua Tengah", "94"), ("Papua Pegunungan", "95"), ("Papua Barat Daya", "96"),
    ],
)  # fmt: skip
def test_province_aliases(typed: str, code: str) -> None:
    assert RegionMatcher().by_name(typed, level="province").code == code


def test_a_province_row_is_flagged_where_it_disagrees_with_all_its_regencies(base: Path, tmp_path: Path) -> None:
    """Kalimantan Utara's five kabupaten/kota and the province's own row (illustrative figures):
    a recap whose province row is not the sum of its rows is flagged; one that is, is not."""
    head = "KODE,KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
    names = {"01": "Bulungan", "02": "Malinau", "03": "Nunukan", "04": "Tana Tidung", "71": "Kota Tarakan"}
    kids = "".join(f"65.{c},{n},31/12/2021,{1000 + i},{900 + i}\n" for i, (c, n) in enumerate(names.items()))
    for prov, warned in (
        ("65,Provinsi Kalimantan Utara,31/12/2021,5012,4510\n", True),
        ("65,Kaltara,31/12/2021,5010,4510\n", False),
    ):
        f = tmp_path / f"kaltara_{warned}.csv"
        f.write_text(head + kids + prov)
        rep, db = load(base, tmp_path, f)
        assert (rep.accepted, rep.warned) == (6, int(warned)), rep.summary()
        warn = q(db, "SELECT warnings FROM coverage_rows WHERE region_code = '65'")[0][0]
        if warned:
            assert warn == "province eligible 5012 disagrees with the sum of its 5 regencies in this file, 5010"
            assert "the province's own figure" in rep.summary()
        else:
            assert warn is None


def test_a_province_row_by_name_among_regencies(base: Path, tmp_path: Path) -> None:
    f = tmp_path / "prov.csv"
    f.write_text(
        "KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"
        "Kabupaten Sarolangun,31/01/2019,223211,178804\nProvinsi Jambi,31/01/2019,2467725,2367456\n"
    )
    rep, db = load(base, tmp_path, f)
    assert rep.accepted == 2
    assert q(db, "SELECT region_code, eligible FROM coverage_rows ORDER BY row_number") == [
        ("15.03", 223211),
        ("15", 2467725),
    ]


@pytest.mark.parametrize(
    "name",
    ["template_jambi_2019_03.csv", "derived_kupang_2019_03.csv", "print_only_belum_cetak.csv", "periods_semesters.csv",
     "opendata_bps_jambi.csv", "stacked_lp_jambi_2019_01.csv", "recap_template_kab.csv"],
)  # fmt: skip
def test_layouts_same_both_lanes(name: str, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports, snaps = load_both(
        L / name, "coverage", base, tmp_path, monkeypatch, province="15" if "template" in name else None
    )
    assert_same(reports, snaps)


# --- properties ---------------------------------------------------------------------------------

GROUPS = {"WAJIB KTP-EL": "eligible", "SUDAH REKAM": "recorded", "BELUM REKAM": "not_recorded"}
SUBS = {"L": "male", "P": "female", "JUMLAH": None, "TOTAL": None, "LK": "male", "PR": "female"}


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(st.sampled_from(sorted(GROUPS)), min_size=1, max_size=3, unique=True),
    subs=st.permutations(["L", "P", "JUMLAH"]),
    total_word=st.sampled_from(["JUMLAH", "TOTAL"]),
    male=st.sampled_from(["L", "LK"]),
)
def test_header_combination_property(groups: list[str], subs: list[str], total_word: str, male: str) -> None:
    """Whatever the order of the sub-columns, each group's total column is its field and each
    sex sub-column its split, never the total."""
    subs = [total_word if s == "JUMLAH" else male if s == "L" else s for s in subs]
    top: list[object] = ["KODE", "KABUPATEN/KOTA"]
    sub: list[object] = [None, None]
    for g in groups:
        top += [g, None, None]
        sub += subs
    parts = combine(top, sub)
    plan = plan_columns(parts, "coverage", "x.csv", [1, 2])
    for gi, g in enumerate(groups):
        for si, s in enumerate(subs):
            col = 2 + 3 * gi + si
            sex = SUBS[s]
            want = GROUPS[g] if sex is None else f"{GROUPS[g]}_{sex}"
            assert plan.index[want] == col


@settings(max_examples=80, deadline=None)
@given(
    year=st.integers(2011, 2025),
    half=st.sampled_from([("I", 6), ("II", 12), ("1", 6), ("2", 12)]),
    quarter=st.sampled_from([("I", 3), ("II", 6), ("III", 9), ("IV", 12), ("3", 9)]),
    word=st.sampled_from(["Semester", "Sem.", "SEMESTER", "semester"]),
)
def test_period_parsing_property(year: int, half: tuple[str, int], quarter: tuple[str, int], word: str) -> None:
    def end(m: int) -> dt.date:
        return (dt.date(year + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)

    assert parse_date(f"{word} {half[0]} {year}") == (end(half[1]), "semester")
    assert parse_date(f"Triwulan {quarter[0]} {year}") == (end(quarter[1]), "quarter")
    assert period_of(str(year), quarter[0], "period_quarter") == (end(quarter[1]), "quarter")
    assert period_of(year, None) == (dt.date(year, 12, 31), "year")


def test_dry_run_prints_the_plan_and_writes_nothing(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.__main__ import main

    db = tmp_path / "served.duckdb"
    shutil.copy(base, db)
    before = db.read_bytes()
    code = main(["--db", str(db), "load", str(L / "stacked_lp_jambi_2019_01.csv"), "--kind", "coverage", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "header rows: 3, 4" in out
    assert "'WAJIB KTP-EL / JUMLAH' → eligible" in out and "'NO' ignored: a row number: not a figure" in out
    assert "date: the title rows: 2019-01-31 (day)" in out
    assert "row 6: KAB. SAROLANGUN → 15.03 Kabupaten Sarolangun (regency), 2019-01-31" in out
    assert "row 7: PROVINSI JAMBI → 15 Jambi (province), 2019-01-31" in out
    assert out.rstrip().endswith("dry run: nothing was written")
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("served.duckdb.tmp-*"))


def test_every_header_alias_maps_to_its_field() -> None:
    """Each entry of data/header_map.csv reads as its field in each of its kinds (no alias is
    shadowed by another field's), and each `ignore` entry gives its reason."""
    import csv as _csv

    from etl.transform import HEADER_MAP_CSV, KINDS, header_lookup, ignore_reasons, norm_header

    n = 0
    for row in _csv.DictReader(HEADER_MAP_CSV.open(encoding="utf-8")):
        kinds = KINDS if row["kinds"] == "all" else row["kinds"].split("|")
        for kind in kinds:
            for alias in row["aliases"].split("|"):
                key = norm_header(alias)
                if row["field"] == "ignore":
                    assert ignore_reasons(kind)[key] == row["meaning"], (kind, alias)
                    assert key not in header_lookup(kind), (kind, alias)
                else:
                    assert header_lookup(kind)[key] == row["field"], (kind, alias)
                n += 1
    assert n > 300


def test_every_region_alias_resolves_to_its_code() -> None:
    import csv as _csv

    from etl.regions import ALIASES_CSV

    m = RegionMatcher()
    for row in _csv.DictReader(ALIASES_CSV.open(encoding="utf-8")):
        level = m.level_of(row["code"])
        assert level is not None, row
        typed = row["alias"]
        if m.units[row["code"]].kind == "kota" and not typed.lower().startswith("kota"):
            typed = "Kota " + typed  # a bare name means the kabupaten; a city is written with 'Kota'
        got = m.by_name(typed, level=level, province=row["province_code"] or None)
        assert got.code == row["code"], (row, got)


def test_the_loaders_new_notes_read_in_both_languages() -> None:
    """What the loader writes on a row (BPS code, name, split, province sum) is said in the
    reader's language, names and codes as stored, numbers the reader's way."""
    from ektp.core import checks
    from ektp.text import fmt

    bps = checks.write("bps_code", code_bps="1508", name="Kabupaten Tebo", code="15.09")
    assert bps == "BPS code 1508 read as Kabupaten Tebo (15.09)"
    split = checks.write("split_sum", measure="eligible", male=113837, female=109374, sum=223211, total=223212)
    prov = checks.write("province_sum", measure="recorded", own=2367456, n=11, summed=2360000)
    text = checks.SEP.join([bps, split, prov])
    assert fmt.notes(text, "id") == (
        "kode BPS 1508 dibaca sebagai Kabupaten Tebo (15.09); "
        "wajib KTP-el: L 113.837 + P 109.374 = 223.211, bukan JUMLAH 223.212; "
        "sudah rekam provinsi 2.367.456 tidak sama dengan jumlah 11 kabupaten/kotanya dalam berkas yang sama, 2.360.000"
    )
    assert fmt.notes(text, "en").startswith(
        "BPS code 1508 read as Kabupaten Tebo (15.09); eligible (wajib KTP-el): L 113,837"
    )


# --- issue 29: every class of real layout loads to the printed figures or is refused, both lanes ----


def both(base: Path, tmp: Path, path: Path, monkeypatch: pytest.MonkeyPatch, kind: str = "coverage", **kw: object):  # noqa: ANN201
    """The file loaded with the bulk lane on and off: the same report and facts (test_bulk), and
    the served file of the second load to read from."""
    tmp.mkdir(parents=True, exist_ok=True)
    reports, snaps = load_both(path, kind, base, tmp, monkeypatch, **kw)
    assert_same(reports, snaps)
    return reports["on"], tmp / "on.duckdb"


def facts(db: Path, cols: str = "region_code, as_of, eligible, recorded, not_recorded, recorded_pct_reported") -> set:
    return set(q(db, f"SELECT {cols} FROM coverage_rows"))  # noqa: S608


@pytest.mark.parametrize("name", ["belum_pct_stacked_jambi_2019_01.csv", "belum_pct_flat_jambi_2019_01.csv"])
def test_a_percent_under_belum_rekam_is_the_unrecorded_share(
    name: str, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BELUM REKAM over JUMLAH | %, or '% BELUM REKAM' written flat: the share not recorded,
    stored as the recorded share 95.94 (jambi.kabardaerah.com, January 2019), never as 4.06."""
    rep, db = both(base, tmp_path, L / name, monkeypatch)
    assert (rep.status, rep.accepted, rep.warned) == ("ok", 2, 0), rep.summary()
    d = dt.date(2019, 1, 31)
    assert facts(db) == {("15", d, 2467725, 2367456, 100269, 95.94), ("15.03", d, 223211, 178804, 44407, 80.11)}
    assert q(db, "SELECT DISTINCT date_precision FROM coverage_rows") == [("month",)]


def test_a_percent_column_the_counts_contradict_is_refused_naming_both_readings(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, db = both(base, tmp_path, L / "pct_mislabelled_jambi_2019_01.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("failed", 0)
    assert (
        "column '%' read as % sudah rekam (recorded share) contradicts the file's own counts on 2 of 2 rows"
        in rep.summary()
    )
    assert "row 3: it says 4.06, sudah rekam / wajib KTP-el = 95.94%); it reads as % belum rekam" in rep.summary()
    assert q(db, "SELECT COUNT(*) FROM coverage_rows") == [(0,)]
    rep, db = both(base, tmp_path / "chosen", L / "pct_mislabelled_jambi_2019_01.csv", monkeypatch,
                   columns={"%": "not_recorded_pct"})  # fmt: skip
    assert rep.status == "ok" and ("15.03", dt.date(2019, 1, 31), 223211, 178804, 44407, 80.11) in facts(db)


def test_a_name_column_of_several_levels_places_each_row_at_its_own(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Kabupaten Karimun' then 'Kec. Karimun': the kecamatan's figure is the kecamatan's, never a
    second figure of the kabupaten (figures illustrative, README)."""
    rep, db = both(base, tmp_path, L / "mixed_levels_karimun.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("ok", 4), rep.summary()
    assert set(q(db, "SELECT region_code, eligible FROM coverage_rows")) == {
        ("21.02", 170000), ("21.02.03", 30000), ("15.03", 223211), ("15.03.03", 30500)}  # fmt: skip


def test_a_kelurahan_column_places_rows_at_the_village_never_on_the_district(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, db = both(base, tmp_path, L / "kelurahan_kota_jambi.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("ok", 2), rep.summary()
    assert set(q(db, "SELECT region_code, eligible, recorded FROM coverage_rows")) == {
        ("15.71.01.1001", 9200, 9050), ("15.71.01.1002", 6100, 5980)}  # fmt: skip
    assert q(db, "SELECT COUNT(*) FROM coverage_rows WHERE region_code = '15.71.01'") == [(0,)]


def test_a_title_naming_the_regency_scopes_its_kecamatan_names(base: Path, tmp_path: Path) -> None:
    f = tmp_path / "kec.csv"  # 'Sarolangun' is a kecamatan name in Sarolangun only, 'Pelawan' too: scoped by the title
    f.write_text("REKAPITULASI PER KECAMATAN KABUPATEN SAROLANGUN KEADAAN 31 JANUARI 2019\n"
                 "KECAMATAN,WAJIB KTP-EL,SUDAH REKAM\nSarolangun,30500,25100\n")  # fmt: skip
    rep, db = load(base, tmp_path, f)
    assert rep.status == "ok" and q(db, "SELECT region_code FROM coverage_rows") == [("15.03.03",)]


def test_a_long_table_is_pivoted_one_row_per_region_and_date(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kategori/indikator + nilai: Sumba Timur June 2022 and Manggarai Timur January 2024 as
    published (README), one stored row each."""
    rep, db = both(base, tmp_path, L / "long_ntt.csv", monkeypatch)
    assert (rep.status, rep.accepted, rep.warned) == ("ok", 2, 0), rep.summary()
    assert facts(db) == {
        ("53.11", dt.date(2022, 6, 30), 172682, 170236, 2446, 98.58),
        ("53.19", dt.date(2024, 1, 31), 207589, 205836, None, 99.16),
    }


def test_month_columns_become_one_dated_row_per_month(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, db = both(base, tmp_path, L / "months_sarolangun_2019.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("ok", 2), rep.summary()
    assert set(q(db, "SELECT region_code, as_of, date_precision, recorded_pct_reported FROM coverage_rows")) == {
        ("15.03", dt.date(2019, 1, 31), "month", 80.11), ("15.03", dt.date(2019, 3, 31), "month", 86.0)}  # fmt: skip


def test_dates_as_offices_write_them_keep_their_precision(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, db = both(base, tmp_path, L / "date_phrases.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("ok", 4), rep.summary()
    assert set(q(db, "SELECT region_code, as_of, date_precision FROM coverage_rows")) == {
        ("53.19", dt.date(2024, 1, 31), "month"),
        ("91.71", dt.date(2023, 12, 31), "year"),
        ("00", dt.date(2019, 4, 17), "before"),
        ("15.71", dt.date(2025, 10, 1), "early-month"),
    }


def test_kosong_in_a_stock_column_is_a_stock_out(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rep, db = both(base, tmp_path, L / "stock_kosong_sarolangun.csv", monkeypatch)
    assert (rep.status, rep.accepted) == ("ok", 2), rep.summary()
    assert set(q(db, "SELECT as_of, not_recorded, blanko_on_hand FROM coverage_rows")) == {
        (dt.date(2018, 12, 16), 51888, 4000), (dt.date(2020, 7, 9), 9300, 0)}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("ckan_kupang_2018.json", {("53.71", dt.date(2018, 10, 31), 325826, 256427, 69354, None),
                                   ("53.71", dt.date(2019, 3, 31), 339901, 272859, 67042, None)}),
        ("data_kecamatan_kupang.json", {("53.71.01", dt.date(2019, 3, 31), 41200, 33100, None, None),
                                        ("53.71.02", dt.date(2019, 3, 31), 58700, 47000, None, None)}),
    ],
)  # fmt: skip
def test_portal_json_records_load(
    name: str, want: set, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, db = both(base, tmp_path, L / "json" / name, monkeypatch)
    assert rep.status == "ok" and rep.accepted == 2, rep.summary()
    assert facts(db) == want


def test_a_print_backlog_target_is_refused_never_read_as_unrecorded(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(base, db)
    rep = run([LoadSpec(L / "targets_prr_kupang.csv", "targets")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.status, rep.accepted, rep.rejected) == ("partial", 1, 1), rep.summary()
    assert "row 2: metric: target 'sisa PRR dan suket belum dicetak' is for printing, PRR or blanks" in rep.summary()
    assert q(db, "SELECT metric, target_value FROM targets") == [("unrecorded_count", 0.0)]


KUPANG = [["KODE WILAYAH", "TANGGAL", "WAJIB KTP-EL", "SUDAH REKAM", "BELUM REKAM"],
          ["53.71", "31/10/2018", 325826, 256427, 69354], ["53.71", "31/03/2019", 339901, 272859, 67042]]  # fmt: skip
KUPANG_FACTS = {("53.71", dt.date(2018, 10, 31), 325826, 256427, 69354, None),
                ("53.71", dt.date(2019, 3, 31), 339901, 272859, 67042, None)}  # fmt: skip


def test_excel_97_2003_xls_loads_with_its_cell_types(base: Path, tmp_path: Path) -> None:
    """Kota Kupang October 2018 and March 2019 as published (README), in an .xls written by xlwt."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Kupang")
    for r, row in enumerate(KUPANG):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    f = tmp_path / "kupang.xls"
    wb.save(str(f))
    rep, db = load(base, tmp_path, f)
    assert (rep.status, rep.accepted) == ("ok", 2), rep.summary()
    assert facts(db) == KUPANG_FACTS
    assert "not_recorded 69354 disagrees with eligible - recorded = 69399" in q(
        db, "SELECT warnings FROM coverage_rows WHERE as_of = '2018-10-31'")[0][0]  # fmt: skip


def ods_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """A LibreOffice spreadsheet (content.xml, typed cells) of the given sheets."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    def cell(v: object) -> str:
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row></table:table>'
        for name, rows in sheets.items()
    )
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')  # fmt: skip
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def test_an_opendocument_ods_loads_past_its_million_empty_rows(base: Path, tmp_path: Path) -> None:
    f = tmp_path / "kupang.ods"
    f.write_bytes(ods_bytes({"Kupang": KUPANG}))
    rep, db = load(base, tmp_path, f)
    assert (rep.status, rep.accepted) == ("ok", 2), rep.summary()
    assert facts(db) == KUPANG_FACTS


def test_every_sheet_of_a_workbook_is_read_or_named(base: Path, tmp_path: Path) -> None:
    """One sheet per office: each read as a load of its own ('file › sheet'); a sheet with no
    header (notes) named in the summary, never skipped in silence."""
    wb = openpyxl.Workbook()
    wb.active.title = "Kupang"
    for row in KUPANG:
        wb.active.append(row)
    jambi = wb.create_sheet("Sarolangun")
    for row in (["KODE WILAYAH", "TANGGAL", "WAJIB KTP-EL", "SUDAH REKAM"], ["15.03", "31/01/2019", 223211, 178804]):
        jambi.append(row)
    wb.create_sheet("Catatan").append(["Data dari Dinas Dukcapil; lihat sheet lain"])
    f = tmp_path / "kantor.xlsx"
    wb.save(f)
    db = tmp_path / "served.duckdb"
    shutil.copy(base, db)
    reps = run([LoadSpec(f, "coverage")], db_path=db, today=TODAY, progress=False)
    assert [(r.file, r.status, r.accepted) for r in reps] == [
        ("kantor.xlsx › Kupang", "ok", 2), ("kantor.xlsx › Sarolangun", "ok", 1)]  # fmt: skip
    first = reps[0].summary()
    assert "2 of 3 sheets read, each a load of its own: Kupang, Sarolangun" in first
    assert "sheet 'Catatan' not read: no header row found" in first
    assert ("15.03", dt.date(2019, 1, 31), 223211, 178804, None, None) in facts(db)
