"""Hostile-input corpus: each case asserts the exact outcome of a load.

For every case: the summary names the file, the row and the problem; bad rows are kept in
`rejected_rows` with their reason; good rows of the same file load (or the whole file is refused,
as documented); on refusal the served DB's facts are unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from ektp.core.served import open_read_only
from etl.load import LoadSpec, pending_attempts, run
from tests.conftest import TODAY

H = "KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\n"


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = sheet
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def not_xlsx_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buf.getvalue()


@dataclass
class Case:
    name: str
    content: bytes
    kind: str = "coverage"
    opts: dict = field(default_factory=dict)
    status: str = "partial"  # ok | partial | rejected | failed
    accepted: int = 0
    message: str | None = None  # substring of the summary
    reasons: dict[int, str] = field(default_factory=dict)  # row number → substring of its reason


CASES = [
    Case("empty.csv", b"", status="failed", message="empty.csv: the file is empty"),
    Case("header_only.csv", H.encode(), status="rejected", message="nothing was accepted"),
    Case("garbage.xlsx", bytes(range(256)) * 20, status="failed", message="garbage.xlsx: not an XLSX workbook"),
    Case(
        "protected.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        status="failed",
        message="a password-protected workbook or an Excel 97–2003 file named .xlsx",
    ),
    Case(
        "corrupt.xlsx",
        not_xlsx_zip(),
        status="failed",
        message="corrupt.xlsx: not an XLSX workbook (no worksheet inside)",
    ),
    Case(
        "cp1252.csv",
        (H + "15.03,31/03/2019,100,90\n").encode() + '15.04,31/03/2019,100,90,"Batang Hari – ok"\n'.encode("cp1252"),
        accepted=1,
        message="Windows-1252",
        reasons={3: "fields where the header has 4"},
    ),
    Case(
        "mixed_delims.csv",
        (H + "15.03,31/03/2019,100,90\n15.04;31/03/2019;100;90\n15.05,31/03/2019,100,90,7,8\n").encode(),
        accepted=1,
        reasons={3: "not a Kemendagri code", 4: "6 fields where the header has 4 (mixed delimiters?)"},
    ),
    Case(
        "header_row7.csv",
        ("LAPORAN\n\nDINAS DUKCAPIL\n\nPROVINSI JAMBI\n\n" + H + "15.03,31/03/2019,100,90\n").encode(),
        status="ok",
        accepted=1,
    ),
    Case(
        "dup_headers.csv",
        b"KODE WILAYAH,SUDAH REKAM,REKAM,TANGGAL\n15.03,1,2,31/03/2019\n",
        status="failed",
        message="both mean 'recorded' (duplicate header)",
    ),
    Case(
        "unknown_cols.csv",
        b"KODE WILAYAH,TANGGAL,SUDAH REKAM,WARNA FAVORIT\n15.03,31/03/2019,5,biru\n",
        status="ok",
        accepted=1,
        message="ignored columns: WARNA FAVORIT (not a column the loader knows)",
    ),
    Case(
        "missing_required.csv",
        b"KODE WILAYAH,TANGGAL,PENDUDUK\n15.03,31/03/2019,100\n",
        status="failed",
        message="missing required column for coverage",
    ),
    Case("no_region_col.csv", b"TANGGAL,SUDAH REKAM\n31/03/2019,5\n", status="failed", message="no header row found"),
    Case(
        "ambiguous_1234.csv",
        (H + '15.03,31/03/2019,1.234,1.000\n15.04,31/03/2019,"1,234",1000\n').encode(),
        accepted=1,
        reasons={3: "count is not a whole number: '1,234'"},
    ),
    Case(
        "english_numbers.csv",
        (H + '15.03,31/03/2019,"1,234,567","1,200,000"\n15.04,31/03/2019,"2,345,678","2,000,000"\n').encode(),
        status="ok",
        accepted=2,
        message="English separators",
    ),
    Case(
        "negative.csv",
        (H + "15.03,31/03/2019,100,-5\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "recorded: negative count: '-5'"},
    ),
    Case(
        "non_numeric.csv",
        (H + "15.03,31/03/2019,seratus,90\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "eligible: not a number: 'seratus'"},
    ),
    Case("over_100.csv", (H + "15.03,31/03/2019,100,120\n").encode(), status="ok", accepted=1),
    Case(
        "pct_disagrees.csv",
        b"KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,% REKAM\n15.03,31/03/2019,200,150,90\n",
        status="ok",
        accepted=1,
    ),
    Case(
        "future.csv",
        (H + "15.03,31/03/2031,100,90\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "date 2031-03-31 is in the future"},
    ),
    Case(
        "before_2011.csv",
        (H + "15.03,31/12/2009,100,90\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "before e-KTP began (2011)"},
    ),
    Case(
        "impossible_date.csv",
        (H + "15.03,31/02/2019,100,90\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "impossible date '31/02/2019'"},
    ),
    Case(
        "unknown_code.csv",
        (H + "99.99,31/03/2019,100,90\n15.04,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={2: "unknown region code '99.99'"},
    ),
    Case(
        "bps_code.csv",
        (H + "1571,31/03/2019,100,90\n1599,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={3: "unknown region code '15.99'"},
    ),
    Case(
        "two_regions.csv",
        b"KECAMATAN,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\nKota Baru,31/03/2019,100,90\n",
        status="rejected",
        reasons={2: "matches"},
    ),
    Case(
        "bare_city.csv",
        b"KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\nJAMBI,31/03/2019,100,90\nKOTA JAMBI,31/03/2019,100,90\n",
        opts={"province": "15"},
        accepted=1,
        reasons={2: "candidates: 15.71 Kota Jambi"},
    ),
    Case(
        "homoglyph.csv",
        "KABUPATEN/KOTA,TANGGAL,WAJIB KTP-EL,SUDAH REKAM\nKAB. S\u0410ROLANGUN,31/03/2019,100,90\n".encode(),
        opts={"province": "15"},
        status="rejected",
        reasons={2: "no regency named"},
    ),
    Case(
        "total_in_middle.csv",
        (H + "15.03,31/03/2019,100,90\nJUMLAH,,100,90\n15.04,31/03/2019,100,90\n").encode(),
        status="ok",
        accepted=2,
        reasons={3: "skipped: total row"},
    ),
    Case(
        "duplicate_row.csv",
        (H + "15.03,31/03/2019,100,90\n15.03,31/03/2019,100,90\n").encode(),
        accepted=1,
        reasons={3: "exact duplicate of row 2"},
    ),
    Case(
        "formula.csv",
        b'KODE WILAYAH,TANGGAL,SUDAH REKAM,KETERANGAN\n15.03,31/03/2019,5,"=HYPERLINK(""http://x.example/"",""klik"")"\n',
        status="ok",
        accepted=1,
    ),
    Case(
        "script_office.csv",
        b"KODE WILAYAH,UPT,TANGGAL,BELUM DIAMBIL\n16.71,<script>alert(1)</script>,2022-03-24,5\n",
        kind="backlog",
        status="ok",
        accepted=1,
    ),
    Case(
        "no_date.csv",
        b"KODE WILAYAH,WAJIB KTP-EL,SUDAH REKAM\n15.03,100,90\n",
        status="rejected",
        reasons={2: "no date in the row, the title or --as-of"},
    ),
    Case("bom_utf8.csv", ("\ufeff" + H + "15.03,31/03/2019,100,90\n").encode("utf-8"), status="ok", accepted=1),
    Case(
        "wrong_sheet.xlsx",
        xlsx_bytes([["KODE WILAYAH", "SUDAH REKAM"], ["15.03", 5]]),
        opts={"sheet": "Rekap"},
        status="failed",
        message="no sheet named 'Rekap'",
    ),
    Case(
        "typed_xlsx.xlsx",
        xlsx_bytes(
            [
                ["REKAP"],
                [],
                ["KODE WILAYAH", "TANGGAL", "WAJIB KTP-EL", "SUDAH REKAM"],
                [1503, dt.datetime(2019, 3, 31), 223500, 192210.0],
            ]
        ),
        status="ok",
        accepted=1,
    ),
    Case("document.pdf", b"%PDF-1.4 ...", status="failed", message="unsupported file type '.pdf'"),
    Case(
        "deadline_before_start.csv",
        b"KODE WILAYAH,INDIKATOR,TARGET,MULAI,BATAS WAKTU\n53.71,belum rekam,0,27/04/2020,27/01/2020\n53.71,% rekam,98,27/01/2020,31/12/2020\n",
        kind="targets",
        accepted=1,
        reasons={2: "deadline: before the start date"},
    ),
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "base.duckdb"
    run([], db_path=path, rebuild=True, boundaries=False, progress=False)
    return path


def facts(db: Path) -> tuple:
    con = open_read_only(db)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchall()[0][0] for t in ("coverage", "pickup_backlog", "targets")
        )  # noqa: S608
    finally:
        con.close()


def test_corpus_has_at_least_30_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, base_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(base_db, db)
    before = facts(db)
    f = tmp_path / case.name
    f.write_bytes(case.content)
    inode = db.stat().st_ino
    rep = run([LoadSpec(path=f, kind=case.kind, **case.opts)], db_path=db, today=TODAY, progress=False)[0]
    summary = rep.summary()
    if case.status in ("failed", "rejected"):  # refused: the served file is untouched, the attempt waits
        assert db.stat().st_ino == inode and [a["status"] for a in pending_attempts(db)] == [case.status]
        run([], db_path=db, progress=False)  # the next swap records it, with its rejected rows
    assert rep.status == case.status, summary
    assert rep.accepted == case.accepted, summary
    assert summary.startswith(case.name)
    if case.message:
        assert case.message in summary, summary
    con = open_read_only(db)
    kept = dict(con.execute("SELECT row_number, reason FROM rejected_rows").fetchall())
    status = con.execute("SELECT status FROM loads WHERE file = ?", [case.name]).fetchall()
    con.close()
    for row, text in case.reasons.items():
        assert text in kept.get(row, ""), (row, kept)
        if not kept[row].startswith("skipped"):
            assert f"row {row}: " in summary or rep.rejected > 20
    assert status == [(case.status,)]  # the attempt is in load history
    if case.status in ("failed", "rejected"):
        assert facts(db) == before  # refused: the facts served are unchanged
    else:
        assert sum(facts(db)) == sum(before) + case.accepted


# --- issue 30: bounded reading, counts no unit can hold, nothing from a file runs ---------------------

XLSX_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {XLSX_NS} xmlns:r="{XLSX_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}  # fmt: skip


def _s(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


XLSX_HEAD = '<row r="1">' + _s("A1", "KODE WILAYAH") + _s("B1", "TANGGAL") + _s("C1", "SUDAH REKAM") + "</row>"
XLSX_ROW2 = '<row r="2">' + _s("A2", "15.03") + _s("B2", "31/03/2019") + '<c r="C2"><v>5</v></c></row>'


def raw_xlsx(path: Path, write_sheet) -> Path:  # noqa: ANN001
    """A workbook written part by part, as the review's generator (security-probes.md) writes
    its hostile ones: what a spreadsheet program never would."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for part, text in XLSX_PARTS.items():
            z.writestr(part, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {XLSX_NS}><sheetData>{XLSX_HEAD}'.encode())
            write_sheet(fh)
            fh.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.5 GiB of whitespace after a valid row, deflated to ~1.5 MB (the review's bomb_ws.xlsx)."""

    def body(fh) -> None:  # noqa: ANN001
        fh.write(XLSX_ROW2.encode())
        for _ in range(96):
            fh.write(b" " * (1 << 24))

    return raw_xlsx(tmp_path_factory.mktemp("bomb") / "bomb_ws.xlsx", body)


def _peak_while(fn):  # noqa: ANN001, ANN202
    """(result, seconds, peak growth of this process's resident memory in bytes) of fn()."""
    import threading
    import time

    from etl.load import rss_bytes

    start, peak, done = rss_bytes(), [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes())
            time.sleep(0.01)

    th = threading.Thread(target=watch)
    th.start()
    t0 = time.monotonic()
    try:
        out = fn()
    finally:
        done.set()
        th.join()
    return out, time.monotonic() - t0, max(peak[0], rss_bytes()) - start


def test_a_zip_bomb_is_refused_unread_in_under_two_seconds_and_200_mb(
    zip_bomb: Path, base_db: Path, tmp_path: Path
) -> None:
    """H3: 1.5 MB that inflates to 1.5 GiB: refused by its declared size before anything inflates,
    by the dry run (the Load page's preview, run inside the server) and by a load alike."""
    from etl.preview import dry_run

    assert zip_bomb.stat().st_size < 2_000_000
    pv, seconds, grew = _peak_while(lambda: dry_run(LoadSpec(zip_bomb, "coverage"), served=base_db))
    assert pv.report.status == "failed" and "inflate to 1,536 MB, more than the limit of 256 MB" in pv.report.summary()
    assert seconds < 2 and grew < 200 * 2**20, (seconds, grew)
    db = tmp_path / "served.duckdb"
    shutil.copy(base_db, db)
    inode = db.stat().st_ino
    rep, seconds, grew = _peak_while(lambda: run([LoadSpec(zip_bomb, "coverage")], db_path=db, progress=False)[0])
    assert rep.status == "failed" and seconds < 2 and grew < 200 * 2**20
    assert db.stat().st_ino == inode and pending_attempts(db)[0]["status"] == "failed"


def test_one_row_at_row_ten_million_is_refused_not_ten_million_rejected_rows(tmp_path: Path, base_db: Path) -> None:
    """M6: the sheet's rectangle is measured from its own cell references before it is read."""
    from etl.preview import dry_run

    far = raw_xlsx(tmp_path / "far_row.xlsx", lambda fh: fh.write(
        (XLSX_ROW2 + '<row r="10000000">' + _s("A10000000", "15.04") + _s("B10000000", "31/03/2019")
         + '<c r="C10000000"><v>7</v></c></row>').encode()))  # fmt: skip
    pv, seconds, _ = _peak_while(lambda: dry_run(LoadSpec(far, "coverage"), served=base_db))
    assert "spans 10,000,000 rows × 3 columns = 30,000,000 cells, more than 2,000,000 (setting max_sheet_cells)" in (
        pv.report.summary()
    )
    assert seconds < 2


def test_blank_rows_past_the_data_are_counted_as_one_run(tmp_path: Path, base_db: Path) -> None:
    """M6: 300,000 empty lines between two rows: both rows load, the blanks are one line of the
    rejected-rows table with their count, never 300,000 lines."""
    f = tmp_path / "blanks.csv"
    f.write_text("KODE WILAYAH,TANGGAL,SUDAH REKAM\n15.03,31/03/2019,6\n" + "\n" * 300_000 + "15.04,31/03/2019,7\n")
    db = tmp_path / "served.duckdb"
    shutil.copy(base_db, db)
    rep = run([LoadSpec(f, "coverage")], db_path=db, today=TODAY, progress=False)[0]
    assert (rep.status, rep.accepted, rep.skipped) == ("ok", 2, 300_000), rep.summary()
    con = open_read_only(db)
    kept = con.execute("SELECT row_number, reason FROM rejected_rows WHERE file = 'blanks.csv'").fetchall()
    con.close()
    assert kept == [(3, "skipped: blank rows 3–300,002 (300,000 rows)")]


def test_one_long_line_is_refused_at_once_naming_the_limit(tmp_path: Path, base_db: Path) -> None:
    """M7: one line of 5 million fields (the review's was 50 MB): refused after reading the
    limit's worth of it, in well under a second of work per megabyte."""
    from etl.preview import dry_run

    f = tmp_path / "long_line.csv"
    f.write_text("a," * 2_500_000 + "a")
    pv, seconds, grew = _peak_while(lambda: dry_run(LoadSpec(f, "coverage"), served=base_db))
    assert "line 1 is longer than 200,000 characters (setting max_line_chars)" in pv.report.summary()
    assert seconds < 2 and grew < 100 * 2**20


def test_a_long_field_after_the_header_refuses_the_file_with_its_line(tmp_path: Path, base_db: Path) -> None:
    """L5: no traceback: the file is refused naming the line and the limit, the served file untouched."""
    f = tmp_path / "late_field.csv"
    f.write_text(
        "KODE WILAYAH,TANGGAL,SUDAH REKAM\n" + "15.03,31/03/2019,5\n" * 40 + "15.04,31/03/2019," + "9" * 50_000 + "\n"
    )
    db = tmp_path / "served.duckdb"
    shutil.copy(base_db, db)
    inode = db.stat().st_ino
    rep = run([LoadSpec(f, "coverage")], db_path=db, today=TODAY, progress=False)[0]
    assert rep.status == "failed" and rep.accepted == 0
    assert "line 42" in rep.summary() and "setting max_cell_chars" in rep.summary()
    assert db.stat().st_ino == inode


@pytest.mark.parametrize("bulk", ["on", "off"])
def test_counts_no_unit_can_hold_are_rejected_per_row_and_the_dry_run_agrees(
    bulk: str, tmp_path: Path, base_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M9, L8: 10²³, 2⁶³, two counts whose sum passes 2⁶³, 10¹⁸ eligible: each row refused with
    the reason; the good row loads; the dry run says what the load does."""
    from etl.preview import dry_run

    monkeypatch.setenv("EKTP_ETL_BULK", bulk)
    f = tmp_path / "big.csv"
    f.write_text(H + "15.03,31/03/2019,99999999999999999999999,5\n15.04,31/03/2019,9223372036854775808,5\n"
                 "15.05,31/03/2019,5000000000000000000,4000000000000000000\n15.06,31/03/2019,1000000000000000000,5\n"
                 "15.07,31/03/2019,1000,900\n")  # fmt: skip
    pv = dry_run(LoadSpec(f, "coverage"), served=base_db, today=TODAY)
    db = tmp_path / "served.duckdb"
    shutil.copy(base_db, db)
    rep = run([LoadSpec(f, "coverage")], db_path=db, today=TODAY, progress=False)[0]
    for r in (pv.report, rep):
        assert (r.status, r.accepted, r.rejected) == ("partial", 1, 4), r.summary()
    assert (
        "row 2: eligible: 99,999,999,999,999,999,999,999 is more than any regency can hold (at most 15,000,000)"
        in rep.summary()
    )
    con = open_read_only(db)
    assert con.execute(
        "SELECT region_code, eligible FROM coverage WHERE load_id = (SELECT MAX(load_id) FROM loads)"
    ).fetchall() == [("15.07", 1000)]
    con.close()


HOSTILE_SOURCES = (
    "KODE WILAYAH,TANGGAL,WAJIB KTP-EL,SUDAH REKAM,SUMBER\n"
    '15.04,31/03/2019,1000,910,"=HYPERLINK(""http://x.example/"",""klik"")"\n'
    "15.05,31/03/2019,1000,920,=cmd|' /C calc'!A0\n"
    "15.06,31/03/2019,1000,930,+1+1\n"
    "15.07,31/03/2019,1000,940,@SUM(1)\n"
    "15.08,31/03/2019,1000,950,x;=cmd|' /C calc'!A0\n"
    "15.09,31/03/2019,1000,960,[klik di sini](http://evil.example/) ![p](http://evil.example/p.png)\n"
)


def test_the_public_reader_csv_runs_nothing_from_an_offices_file(
    writable_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M1, L7: the reader page's .csv (public, CORS *) carries an office's SUMBER cells as text: a
    spreadsheet with ',' or ';' as its separator finds no formula in it."""
    import csv
    import io

    from ektp.web.reader import Reader
    from tests.asgi_client import Downstream, call

    f = tmp_path / "hostile_source.csv"
    f.write_text(HOSTILE_SOURCES)
    assert run([LoadSpec(f, "coverage")], db_path=writable_db, today=TODAY, progress=False)[0].accepted == 6
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    status, _, body = call(Reader(Downstream(), base_url=""), "/v/map.csv", "area=15&level=regency&date=2019-03-31")
    text = body.decode()
    assert status == 200 and "'=HYPERLINK" in text and "x;'=cmd" in text
    for sep in (",", ";"):
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=sep) for c in row]
        assert not [c for c in cells if c.lstrip().startswith(("=", "+", "@"))], sep


def test_a_source_cells_markdown_is_text_on_the_public_data_page(
    writable_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M8: no live link and no image from evil.example on the Data page's list of sources."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    f = tmp_path / "hostile_source.csv"
    f.write_text(HOSTILE_SOURCES)
    run([LoadSpec(f, "coverage")], db_path=writable_db, today=TODAY, progress=False)
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/6_Data_dan_metode.py")
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    listed = [t for t in texts if "klik di sini" in t]
    assert listed, "the hostile source is listed"
    for t in listed:  # every bracket and parenthesis escaped: Markdown shows them, makes no link or image
        assert "](http://evil" not in t and "\\]\\(http\\:" in t
