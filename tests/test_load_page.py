"""The Load page (internal mode): upload → preview → load, through AppTest on a copy of the
default DB; absent from the public instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ektp import loading
from ektp.served import open_read_only
from tests.conftest import FIXTURES, OPERATOR, OPERATOR_PASSWORD, ROOT

PAGE = "pages/7_Muat_data.py"
STACKED = FIXTURES / "layouts" / "stacked_lp_jambi_2019_01.csv"


def page(lang: str = "en", sign_in: bool = True) -> AppTest:
    """The Load page in AppTest, signed in as the test operator (AppTest has no request headers,
    so it is never a browser on this machine: operators.who_is_asking)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(PAGE)
    at.query_params["lang"] = lang
    at.run()
    if sign_in and at.text_input:
        at.text_input(key="w_op_name").input(OPERATOR)
        at.text_input(key="w_op_password").input(OPERATOR_PASSWORD)
        at.button[0].click().run()
    return at


def _uploads() -> set[Path]:
    return set(Path(loading.tempfile.gettempdir()).glob("ektp-upload-*"))


def test_upload_preview_and_load(writable_db: Path, operator_file: Path) -> None:
    before = _uploads()
    at = page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Load data"
    at.file_uploader(key="w_upload").set_value((STACKED.name, STACKED.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.code[0].value
    assert "'WAJIB KTP-EL / JUMLAH' → eligible" in preview and "dry run: nothing was written" in preview
    con = open_read_only(writable_db)
    assert con.execute("SELECT COUNT(*) FROM loads WHERE file = ?", [STACKED.name]).fetchall() == [(0,)]
    con.close()
    at.button(key="w_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Loaded as load ") and "accepted 2" in s.value for s in at.success)
    con = open_read_only(writable_db)
    got = con.execute(
        "SELECT c.eligible, c.eligible_male FROM coverage_rows c JOIN loads l USING (load_id) "
        "WHERE l.file = ? AND c.region_code = '15.03'",
        [STACKED.name],
    ).fetchall()
    con.close()
    assert got == [(223211, 113837)]
    assert _uploads() == before  # every run's temporary upload is gone


def test_wrong_files_are_refused_before_parsing(writable_db: Path, operator_file: Path) -> None:
    at = page()
    at.file_uploader(key="w_upload").set_value(("figures.xlsx", b"KODE,SUDAH REKAM\n15.03,1\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("figures.xlsx: not an XLSX workbook (not a zip container)" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "w_confirm"]
    # a type the loader does not read: Streamlit's uploader refuses it on the server too
    at.file_uploader(key="w_upload").set_value(("figures.txt", b"x", "text/plain"))
    at.run()
    assert any("Invalid file extension" in str(e.value) for e in at.exception)
    with pytest.raises(loading.UploadError, match="only csv, xlsx, parquet files are read"):
        loading.save_upload("figures.txt", b"x")
    with pytest.raises(loading.UploadError, match="not a Parquet file"):
        loading.save_upload("figures.parquet", b"KODE\n")


def test_public_instance_has_no_load_page(default_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = page()
    assert not at.exception
    assert not at.file_uploader
    assert any("public, read-only instance" in e.value for e in at.error)
    with pytest.raises(PermissionError):
        loading.load(loading.save_upload(STACKED.name, STACKED.read_bytes()), "coverage")
    # and no page links to it (the internal instance's sidebar does)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    links = [p.proto.page for p in at.get("page_link")]
    assert "Data_dan_metode" in links and "Muat_data" not in links
    monkeypatch.delenv("EKTP_PUBLIC")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert "Muat_data" in [p.proto.page for p in at.get("page_link")]


def test_loaded_split_by_sex_shows_in_the_map_detail(writable_db: Path, operator_file: Path) -> None:
    """After the stacked recap is loaded, Sarolangun's detail for 31 January 2019 gives the L/P
    split beside the published JUMLAH."""
    from etl.load import LoadSpec, run

    rep = run([LoadSpec(path=STACKED, kind="coverage")], db_path=writable_db, progress=False)[0]
    assert rep.accepted == 2
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
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
    """The dry run (a whole load into memory) runs once per file, options and served DB: the
    rerun the confirm button makes reuses it; the load itself swaps the DB, so the page after it
    reads the new file."""
    calls = []
    real = loading.preview
    monkeypatch.setattr(loading, "preview", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = page()
    at.file_uploader(key="w_upload").set_value((STACKED.name, STACKED.read_bytes(), "text/csv"))
    at.run()
    at.selectbox(key="w_kind").set_value("coverage").run()  # another rerun, same file and options
    assert len(calls) == 1
    at.button(key="w_confirm").click().run()
    assert not at.exception and any(s.value.startswith("Loaded as load ") for s in at.success)
    assert len(calls) == 1  # the confirm's rerun reused it
    at.run()
    assert len(calls) == 2  # the served DB was swapped: the next run looks at the file again
