"""The Load page (internal mode): upload → preview an official reads → answers → load → the map of
what was loaded, through AppTest on a copy of the default DB, after other pages have run in the
same process (the app's connection to the served file is open, as on any real server); absent
from the public instance."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ektp.core.served import open_read_only
from etl import uploads
from tests.conftest import FIXTURES, OPERATOR, OPERATOR_PASSWORD, ROOT

PAGE = "pages/7_Muat_data.py"
STACKED = FIXTURES / "layouts" / "stacked_lp_jambi_2019_01.csv"
BELUM = FIXTURES / "layouts" / "belum_pct_stacked_jambi_2019_01.csv"


def page(lang: str = "en", sign_in: bool = True, at: AppTest | None = None) -> AppTest:
    """The Load page in AppTest, signed in as the test operator (AppTest has no request headers,
    so it is never a browser on this machine: operators.who_is_asking)."""
    at = at or AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(PAGE)
    at.query_params["lang"] = lang
    at.run()
    if sign_in and at.text_input and not at.file_uploader:
        at.text_input(key="w_op_name").input(OPERATOR)
        at.text_input(key="w_op_password").input(OPERATOR_PASSWORD)
        at.button[0].click().run()
    return at


def other_pages_first(lang: str = "en") -> AppTest:
    """A server that has served other pages: the Overview and the map run first, in this process."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/1_Peta_cakupan.py").run()
    assert not at.exception
    return page(lang, at=at)


def upload(at: AppTest, path: Path, name: str | None = None) -> AppTest:
    at.file_uploader(key="w_upload").set_value((name or path.name, path.read_bytes(), "text/csv"))
    return at.run()


def _uploads() -> set[Path]:
    return set(Path(uploads.tempfile.gettempdir()).glob("ektp-upload-*"))


def texts(at: AppTest) -> list[str]:
    """Every text the page shows: headings, paragraphs, captions, notices, labels, table cells."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                                "success") for e in getattr(at, kind)]  # fmt: skip
    out += [w.label for w in [*at.selectbox, *at.button, *at.date_input]]
    for df in at.dataframe:
        frame = df.value
        out += [str(c) for c in frame.columns] + [str(v) for row in frame.itertuples(index=False) for v in row]
    return [x for x in out if x]


def test_the_journey_after_other_pages_preview_load_and_the_map_of_the_date(
    writable_db: Path, operator_file: Path
) -> None:
    """The operators' journey on a server that served other pages first: no crash; the preview
    is tables (the figures as they will be stored, what each column means), never a log; after
    the load, nothing says 'dry run' and the page links to the map of the loaded date."""
    before = _uploads()
    at = upload(other_pages_first(), STACKED)
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(texts(at))
    assert "dry run" not in shown and "→" not in shown  # not the command line's log
    figures = at.dataframe[0].value
    assert list(figures.columns)[:4] == ["Row", "Outcome", "Region (dictionary)", "Date"]
    sarolangun = figures[figures["Region (dictionary)"] == "Kabupaten Sarolangun (15.03)"].iloc[0]
    assert sarolangun["Eligible (wajib KTP-el)"] == "223,211" and sarolangun["Date"] == "31 January 2019"
    assert sarolangun["% recorded (from the counts)"] == "80.11%"
    plan = at.dataframe[1].value
    assert ("WAJIB KTP-EL / JUMLAH", "Eligible (wajib KTP-el)") in set(
        zip(plan.iloc[:, 0], plan.iloc[:, 1], strict=True)
    )
    con = open_read_only(writable_db)
    assert con.execute("SELECT COUNT(*) FROM loads WHERE file = ?", [STACKED.name]).fetchall() == [(0,)]
    con.close()
    at.button(key="w_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Loaded: 2 rows (load ") for s in at.success)
    assert "dry run" not in " ".join(texts(at)) and not at.dataframe  # the preview is gone
    links = {p.proto.page: p.proto.page_link_query_params if hasattr(p.proto, "page_link_query_params") else None
             for p in at.get("page_link")}  # fmt: skip
    assert "Peta_cakupan" in links
    con = open_read_only(writable_db)
    got = con.execute(
        "SELECT c.eligible, c.eligible_male FROM coverage_rows c JOIN loads l USING (load_id) "
        "WHERE l.file = ? AND c.region_code = '15.03'",
        [STACKED.name],
    ).fetchall()
    con.close()
    assert got == [(223211, 113837)]
    assert _uploads() == before  # every run's temporary upload is gone


def test_the_map_link_after_a_load_is_the_loaded_date_and_area() -> None:
    rows = [("15", "province", __import__("datetime").date(2019, 1, 31)),
            ("15.03", "regency", __import__("datetime").date(2019, 1, 31)),
            ("15.04", "regency", __import__("datetime").date(2019, 1, 31))]  # fmt: skip
    assert uploads.onward(rows) == {
        "map": {"area": "15", "level": "regency", "date": "2019-01-31"},
        "trend": {"area": "15", "regions": "15,15.03,15.04"},
    }


def test_the_preview_reads_as_plain_indonesian(writable_db: Path, operator_file: Path) -> None:
    """BELUM REKAM over JUMLAH | %, in Indonesian: figures with Indonesian numbers and dates, each
    column's meaning in the dictionary's words; no English word of the loader's log."""
    at = upload(page("id"), BELUM)
    assert not at.exception
    shown = texts(at)
    english = re.compile(r"\b(row|rows|column|columns|rejected|ignored|would|dry run|date taken|accepted|header)\b")
    leaks = [s for s in shown if english.search(s) and "KTP-EL" not in s and s != BELUM.name]
    assert not leaks, leaks
    figures = at.dataframe[0].value
    jambi = figures[figures["Wilayah (kamus)"] == "Jambi (15)"].iloc[0]
    assert (jambi["Wajib KTP-el"], jambi["% rekam (berkas)"], jambi["Tanggal"]) == (
        "2.467.725",
        "95,94%",
        "Januari 2019",
    )
    plan = at.dataframe[1].value
    assert ("BELUM REKAM / %", "% belum rekam") in set(zip(plan.iloc[:, 0], plan.iloc[:, 1], strict=True))


def test_an_unknown_column_is_asked_once_and_the_next_file_of_its_layout_needs_no_answer(
    writable_db: Path, operator_file: Path, tmp_path: Path
) -> None:
    first = tmp_path / "rekap_jan.csv"
    first.write_text(
        "KODE WILAYAH,TANGGAL,SUDAH REKAM,jml_cetak_kia,REKAM ULANG KTP\n15.03,31/01/2019,178804,5000,12\n"
    )
    at = upload(page("en"), first)
    assert not at.exception
    ask = [s for s in at.selectbox if s.key and s.key.startswith("w_col_")]
    assert len(ask) == 1 and "REKAM ULANG KTP" in ask[0].label  # KIA is ignored and listed, not asked
    assert any("KIA (kartu identitas anak)" in " ".join(texts(at)) for _ in [0])
    assert not [b for b in at.button if b.key == "w_confirm"]  # no load before the answer
    ask[0].set_value("ignore").run()
    assert not at.exception
    at.button(key="w_confirm").click().run()
    assert any(s.value.startswith("Loaded: 1 rows") for s in at.success), [s.value for s in at.success]
    second = tmp_path / "rekap_feb.csv"
    second.write_text(
        "KODE WILAYAH,TANGGAL,SUDAH REKAM,jml_cetak_kia,REKAM ULANG KTP\n15.03,28/02/2019,179900,5100,9\n"
    )
    at = upload(page("en"), second)
    assert not [s for s in at.selectbox if s.key and s.key.startswith("w_col_")]
    plan = at.dataframe[1].value
    said = dict(zip(plan.iloc[:, 0], plan.iloc[:, 2], strict=True))
    assert said["REKAM ULANG KTP"].startswith(f"the layout's saved choice ({OPERATOR}, ")
    assert [b for b in at.button if b.key == "w_confirm"]


def test_a_file_with_no_date_asks_for_one(writable_db: Path, operator_file: Path, tmp_path: Path) -> None:
    f = tmp_path / "tanpa_tanggal.csv"
    f.write_text("KODE WILAYAH,WAJIB KTP-EL,SUDAH REKAM\n15.03,223211,178804\n")
    at = upload(page("en"), f)
    assert any("gives no date for its figures" in w.value for w in at.warning)
    import datetime as dt

    at.date_input(key="w_as_of").set_value(dt.date(2019, 1, 31)).run()
    assert not at.exception and [b for b in at.button if b.key == "w_confirm"]


def test_a_load_while_another_runs_says_so_without_a_traceback(
    writable_db: Path, operator_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L6: a busy lock is a message in the page's language; nothing changes."""
    from etl.load import load_lock

    monkeypatch.setenv("EKTP_LOCK_TIMEOUT", "1")
    at = upload(page("id"), STACKED)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with load_lock(writable_db, timeout=5):
            held.set()
            release.wait(30)

    th = threading.Thread(target=hold)
    th.start()
    held.wait(5)
    try:
        at.button(key="w_confirm").click().run()
    finally:
        release.set()
        th.join()
    assert not at.exception
    assert any("Pemuatan lain sedang berjalan" in e.value for e in at.error)


def test_wrong_files_are_refused_before_parsing(writable_db: Path, operator_file: Path) -> None:
    at = page()
    at.file_uploader(key="w_upload").set_value(("figures.xlsx", b"KODE,SUDAH REKAM\n15.03,1\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("figures.xlsx: not a workbook (not a zip container)" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert not [b for b in at.button if b.key == "w_confirm"]
    with pytest.raises(uploads.UploadError, match="only csv, xlsx, xls, ods, json, parquet files are read"):
        uploads.save_upload("figures.txt", b"x")
    with pytest.raises(uploads.UploadError, match="not a Parquet file"):
        uploads.save_upload("figures.parquet", b"KODE\n")


def test_public_instance_has_no_load_page(default_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = page()
    assert not at.exception
    assert not at.file_uploader
    assert any("public, read-only instance" in e.value for e in at.error)
    with pytest.raises(PermissionError):
        uploads.load(uploads.save_upload(STACKED.name, STACKED.read_bytes()), "coverage")
    # and no page links to it (the internal instance's sidebar does)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    links = [p.proto.page for p in at.get("page_link")]
    assert "Data_dan_metode" in links and "Muat_data" not in links
    monkeypatch.delenv("EKTP_PUBLIC")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert "Muat_data" in [p.proto.page for p in at.get("page_link")]


def test_loaded_split_by_sex_shows_in_the_map_detail(writable_db: Path, operator_file: Path) -> None:
    """After the stacked recap is loaded, Sarolangun's detail for 31 January 2019 gives the L/P
    split next to its source, in the page's language."""
    at = upload(page(), STACKED)
    at.button(key="w_confirm").click().run()
    at.switch_page("pages/1_Peta_cakupan.py")
    for k, v in {"area": "15", "level": "regency", "date": "2019-01-31", "unit": "15.03", "lang": "id"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    want = "Menurut jenis kelamin — Wajib KTP-el: L 113.837 · P 109.374; Sudah rekam: L 91.190 · P 87.614"
    assert any(c.startswith(want) for c in captions), captions


def test_the_confirm_click_does_not_run_the_dry_run_again(
    writable_db: Path, operator_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dry run (a whole load into memory) runs once per file, options, answers and served DB:
    the rerun the confirm button makes reuses it; the load itself swaps the DB."""
    calls = []
    real = uploads.preview
    monkeypatch.setattr(uploads, "preview", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = upload(page(), STACKED)
    at.selectbox(key="w_kind").set_value("coverage").run()  # another rerun, same file and options
    assert len(calls) == 1
    at.button(key="w_confirm").click().run()
    assert not at.exception and any(s.value.startswith("Loaded: ") for s in at.success)
    assert len(calls) == 1  # the confirm's rerun reused it; the page after the load shows its outcome
