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

from ektp.served import open_read_only
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
