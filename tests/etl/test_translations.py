"""The curated files' free text in Indonesian (etl/translations.py): complete, checked, loaded."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ektp.core import settings
from ektp.core.served import open_read_only
from etl import translations
from etl.__main__ import main as etl_main
from etl.load import run
from tests.conftest import ROOT

CURATED = {
    "backlog": ("note",),
    "blanko": ("note",),
    "destruction": ("note", "method"),
    "targets": ("note",),
    "ktp_figures_news": ("note",),  # shown beside the blank-card figures, in the map's detail
}


def test_every_curated_note_and_method_has_an_indonesian_reading() -> None:
    """A note added to a curated file without its reading fails here, not on a reader's page."""
    rows = translations.validate(translations.extract(settings.path("translations")), "translations.csv")
    readings = {text for lang, text, _ in rows if lang == "id"}
    missing = []
    for name, cols in CURATED.items():
        df = pl.read_csv(ROOT / "data" / "sourced" / f"{name}.csv", infer_schema=False)
        missing += [(name, v) for c in cols for v in df[c].drop_nulls().to_list() if v.strip() not in readings]
    assert missing == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "text,lang,translated\nburned,id,dibakar\nburned,id,dibakar lagi\n",
            "translations.csv row 3: 'burned' is already translated to id in row 2",
        ),
        ("text,lang,translated\nburned,id,\n", "translations.csv row 2: empty translated"),
        ("text,lang,translated\nburned,jv,diobong\n", "translations.csv row 2: lang 'jv' is not one of id, en"),
        ("text,lang,translated\nburned,id\n", "translations.csv row 2: expected 3 fields"),
        ("teks,bahasa,terjemahan\nburned,id,dibakar\n", "translations.csv: header must be text,lang,translated"),
    ],
)
def test_a_bad_row_names_the_file_the_row_and_the_problem(tmp_path: Path, body: str, problem: str) -> None:
    p = tmp_path / "translations.csv"
    p.write_text(body)
    with pytest.raises(translations.TranslationError) as err:
        translations.validate(translations.extract(p), p.name)
    assert str(err.value).startswith(problem)


def test_a_bad_translations_file_fails_the_load_and_leaves_the_served_db_as_it_was(
    empty_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    con = open_read_only(empty_db)
    before = con.execute("SELECT lang, text, translated FROM translations ORDER BY ALL").fetchall()
    con.close()
    assert ("id", "burned", "dibakar") in before  # the real file went in with the regions
    bad = tmp_path / "translations.csv"
    bad.write_text("text,lang,translated\nburned,id,dibakar\nblanks on hand,xx,?\n")
    monkeypatch.setenv("EKTP_TRANSLATIONS", str(bad))
    data = empty_db.read_bytes()
    with pytest.raises(translations.TranslationError, match="row 3"):
        run([], db_path=empty_db, boundaries=False, progress=False)
    assert empty_db.read_bytes() == data
    # `make data` and `etl load` say it in one line, without a traceback, and fail
    assert etl_main(["--db", str(empty_db), "build", "--if-missing"]) == 1
    assert "translations.csv row 3" in capsys.readouterr().err
    assert empty_db.read_bytes() == data
    good = tmp_path / "good.csv"
    good.write_text("text,lang,translated\nburned,id,dibakar habis\n")
    monkeypatch.setenv("EKTP_TRANSLATIONS", str(good))
    run([], db_path=empty_db, boundaries=False, progress=False)
    con = open_read_only(empty_db)
    assert con.execute("SELECT lang, text, translated FROM translations").fetchall() == [
        ("id", "burned", "dibakar habis")
    ]
    con.close()
