"""The default data tells the published national picture (issue 23): the 2022–2025 figures with
their sources, the DKB Semester I 2024 band counts reproduced and shown beside the map, the
national rates of June 2024 and December 2025, and Papua's split told apart."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ektp.analysis import summary
from ektp.core import settings
from ektp.data.db import open_read_only
from etl import bands, splits
from etl.load import LoadSpec, run
from tests.conftest import shown

SOURCED = settings.ROOT / "data" / "sourced"
HIGHLANDS = {"94.03": "Paniai", "95.03": "Yahukimo", "94.07": "Intan Jaya", "95.08": "Nduga", "94.05": "Puncak"}


@pytest.fixture(scope="module")
def con(default_db: Path):  # noqa: ANN201
    c = open_read_only(default_db)
    yield c
    c.close()


def regency_rates(con: duckdb.DuckDBPyConnection, day: str) -> dict[str, float]:
    return dict(
        con.execute(
            "SELECT region_code, recording_rate FROM coverage_area WHERE level = 'regency' AND as_of = ?", [day]
        ).fetchall()
    )


def test_the_band_counts_of_june_2024_are_the_published_ones(con: duckdb.DuckDBPyConnection) -> None:
    """DKB Semester I 2024: 67 at ≥100%, 412 at 80–99.99%, 18 at 60–79.99%, 17 below 60%, of 514."""
    rates = regency_rates(con, "2024-06-30")
    assert len(rates) == 514 and None not in rates.values()
    published = {b.band: b.units for b in bands.read(SOURCED / "dkb_bands.csv")}
    assert published == {">=100": 67, "80-99.99": 412, "60-79.99": 18, "<60": 17}
    own = {
        ">=100": sum(r >= 1 for r in rates.values()),
        "80-99.99": sum(0.8 <= r < 1 for r in rates.values()),
        "60-79.99": sum(0.6 <= r < 0.8 for r in rates.values()),
        "<60": sum(r < 0.6 for r in rates.values()),
    }
    assert own == published
    # the lowest are where the reports put them: Papua's highlands and Pegunungan Arfak, not spread evenly
    lowest = sorted(rates, key=rates.get)[:17]
    assert all(c[:2] in {"92", "94", "95", "96"} for c in lowest)
    assert set(HIGHLANDS) | {"92.12"} <= set(lowest)


def test_the_national_rate_is_the_published_one_in_the_app_and_in_the_fill(con: duckdb.DuckDBPyConnection) -> None:
    """97.19% of 207,889,876 (30 June 2024) and 97.47% of 211,826,747 (31 December 2025): the
    Overview's figure is the release's, and the regencies the map draws sum to the same."""
    for day, rate in (("2024-06-30", 0.9719), ("2025-12-31", 0.9747)):
        shown, source, synthetic = con.execute(
            "SELECT recording_rate, source, is_synthetic FROM coverage_area WHERE region_code = '00' AND as_of = ?",
            [day],
        ).fetchall()[0]
        assert round(shown, 4) == rate and not synthetic and source.startswith("https://")
        e, r = con.execute(
            "SELECT SUM(eligible), SUM(recorded) FROM coverage_area WHERE level = 'regency' AND as_of = ?", [day]
        ).fetchall()[0]
        assert round(r / e, 4) == rate


def test_the_latest_date_is_december_2025_everywhere(con: duckdb.DuckDBPyConnection) -> None:
    for level in ("province", "regency", "district"):
        assert con.execute("SELECT MAX(as_of) FROM coverage_area WHERE level = ?", [level]).fetchall()[0][0] == (
            dt.date(2025, 12, 31)
        )
    for table in ("pickup_backlog", "blanko_stock"):
        assert con.execute(f"SELECT MAX(as_of) FROM {table}").fetchall()[0][0] == dt.date(2025, 12, 31)  # noqa: S608


def test_every_row_of_the_2022_2025_file_is_kept_with_its_source(con: duckdb.DuckDBPyConnection) -> None:
    with (SOURCED / "ktp_figures_2022_2025.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 58
    load_id = con.execute("SELECT load_id FROM loads WHERE file = 'ktp_figures_2022_2025.csv'").fetchall()[0][0]
    kept = con.execute(
        "SELECT c.row_number, c.region_code, c.as_of::VARCHAR, c.source, r.level FROM coverage_rows c "
        "JOIN regions r ON r.code = c.region_code WHERE c.load_id = ? ORDER BY c.row_number",
        [load_id],
    ).fetchall()
    assert len(kept) == len(rows)
    for (row_number, code, as_of, source, level), row in zip(kept, rows, strict=True):
        assert row_number >= 2 and as_of == row["as_of"] and source == row["source"]
        split = splits.former_area(row["region_code"], dt.date.fromisoformat(row["as_of"]))
        assert code == (split.former_code if split else row["region_code"])
        assert (level == "former") == (split is not None)
    # the fill passes through them: Paniai's 6.12% of June 2022 is on the map of that month
    assert round(regency_rates(con, "2022-06-30")["94.03"], 3) == pytest.approx(0.061, abs=0.002)


def test_the_published_band_counts_are_stored_with_their_source(con: duckdb.DuckDBPyConnection) -> None:
    got = con.execute(
        "SELECT band, lower_pct, upper_pct, units, source FROM published_bands ORDER BY coalesce(lower_pct, -1) DESC"
    ).fetchall()
    assert [g[:4] for g in got] == [
        (">=100", 100.0, None, 67),
        ("80-99.99", 80.0, 100.0, 412),
        ("60-79.99", 60.0, 80.0, 18),
        ("<60", None, 60.0, 17),
    ]
    assert all("antaranews.com" in g[4] for g in got)


def test_the_map_line_sets_the_published_counts_beside_its_own() -> None:
    published = pl.DataFrame(
        {"release": ["DKB Sem I 2024"] * 4, "band": [">=100", "80-99.99", "60-79.99", "<60"],
         "lower_pct": [100.0, 80.0, 60.0, None], "upper_pct": [None, 100.0, 80.0, 60.0],
         "units": [1, 1, 0, 1], "source": ["https://antaranews.com/x"] * 4}
    )  # fmt: skip
    df = pl.DataFrame({"recording_rate": [1.01, 0.9999, 0.5, None]})
    line = summary.published_bands_line(published, df, "en")
    assert "≥100%: 1 · 80–99.99%: 1 · 60–79.99%: 0 · <60%: 1 — **this map**: ≥100%: 1 · 80–99.99%: 1" in line
    assert "match" in line
    moved = summary.published_bands_line(published, df.with_columns(pl.lit(0.7).alias("recording_rate")), "id")
    assert "60–79,99%: 4" in moved and "berbeda" in moved
    assert summary.published_bands_line(published.head(0), df, "en") is None


def test_a_pre_split_papua_figure_is_never_todays_91(con: duckdb.DuckDBPyConnection) -> None:
    """45.03% on 23 June 2022 described Papua's 29 regencies: it is the former area 91~2022, beside
    the sum of today's 91, 93, 94 and 95, and no trend of today's 91 holds it."""
    series = con.execute(
        "SELECT as_of, recording_rate, is_synthetic FROM v_coverage_area WHERE region_code = '91' ORDER BY as_of"
    ).fetchall()
    assert series and all(syn or d >= dt.date(2022, 11, 11) for d, _, syn in series)  # no figure of the old area
    papua_sources = con.execute(
        "SELECT DISTINCT source FROM v_coverage WHERE region_code = '91~2022' AND NOT is_synthetic"
    ).fetchall()
    assert len(papua_sources) == 2
    shown = con.execute("SELECT DISTINCT source FROM v_coverage_area WHERE region_code = '91'").fetchall()
    assert not set(papua_sources) & set(shown)
    former = con.execute(
        "SELECT r.level, r.name, c.recorded_pct_reported, c.warnings FROM coverage_rows c JOIN regions r ON r.code = c.region_code "
        "WHERE c.region_code = '91~2022' AND c.as_of = '2022-06-23'"
    ).fetchall()
    assert len(former) == 1
    level, name, pct, warnings = former[0]
    assert level == "former" and name == "Papua" and pct == 45.03 and "91, 93, 94, 95" in warnings
    # the roll-ups never count the former area: the nation is its provinces
    assert not con.execute("SELECT 1 FROM coverage_area WHERE region_code LIKE '%~%'").fetchall()
    # shown beside the successors' sum
    from ektp.data.releases import FORMER_SQL

    row = con.execute(FORMER_SQL, {"codes": ["94"]}).fetchall()
    both = con.execute(FORMER_SQL, {"codes": ["91", "94", "92"]}).fetchall()  # each former area once
    assert [(r[0], r[4]) for r in both] == [(r[0], r[4]) for r in row] + [
        ("92~2022", dt.date(2022, 6, 30)),
        ("92~2022", dt.date(2022, 8, 3)),
    ]
    assert [(r[0], r[4]) for r in row] == [("91~2022", dt.date(2022, 6, 23)), ("91~2022", dt.date(2022, 8, 3))]
    assert all(r[10] is not None and 0.3 < r[10] < 0.6 for r in row)  # today's four provinces summed


def test_a_2021_file_naming_provinsi_papua_loads_to_the_old_area_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "papua_2021.csv"
    f.write_text(
        "Kode,Provinsi,Tanggal,Wajib KTP-el,Sudah Rekam\n"
        "91,Provinsi Papua,2021-12-31,3300000,1400000\n"
        "15,Provinsi Jambi,2021-12-31,2500000,2450000\n"
        "91,Provinsi Papua,2023-06-30,1000000,800000\n",
        encoding="utf-8",
    )
    db = tmp_path / "t.duckdb"
    (rep,) = run([LoadSpec(path=f, kind="coverage")], db_path=db, boundaries=False, progress=False)
    assert rep.accepted == 3 and rep.warned == 1
    assert any("row 2 (2021-12-31)" in m and "former area 91~2022" in m for m in rep.messages)
    c = open_read_only(db)
    try:
        got = c.execute(
            "SELECT region_code, as_of::VARCHAR, warnings FROM coverage ORDER BY as_of, region_code"
        ).fetchall()
        assert got[0][0] == "15" and got[0][2] is None
        assert got[1][:2] == ("91~2022", "2021-12-31") and "split of Papua (91)" in got[1][2]
        assert got[2] == ("91", "2023-06-30", None)  # after the split: today's Papua
        # today's 91 has no 2021 figure; the nation's roll-up of that date leaves the old area out
        assert not c.execute("SELECT 1 FROM coverage_area WHERE region_code = '91' AND as_of = '2021-12-31'").fetchall()
    finally:
        c.close()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("former_code,predecessor_code,name,successor_code,effective,source\n91-2022,91,Papua,93,2022-11-11,x\n",
         "region_splits.csv row 2: former_code '91-2022' must be the predecessor's code"),
        ("former_code,predecessor_code,name,successor_code,effective,source\n91~2022,91,Papua,93,2022-11-11,x\n",
         "region_splits.csv row 2: 91~2022 lists no row for the unit that kept the code"),
        ("former_code,predecessor_code,name,successor_code,effective,source\n91~2022,91,Papua,99,2022-11-11,x\n",
         "region_splits.csv row 2: successor_code '99' is not a Kemendagri code of today"),
        ("former_code,predecessor_code,name,successor_code,effective,source\n91~2022,91,Papua,91,11/11/2022,x\n",
         "region_splits.csv row 2: effective '11/11/2022' is not a date"),
    ],
)  # fmt: skip
def test_a_bad_splits_row_names_the_file_the_row_and_the_problem(tmp_path: Path, body: str, problem: str) -> None:
    p = tmp_path / "region_splits.csv"
    p.write_text(body, encoding="utf-8")
    known = {"91", "93", "94", "95", "92", "96"}
    with pytest.raises(splits.SplitError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        splits.validate(splits.extract(p), p.name, known)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("release,as_of,band,units,level,source\nR,2024-06-30,about 90,3,kabupaten/kota,s\n",
         "dkb_bands.csv row 2: band 'about 90' is not"),
        ("release,as_of,band,units,level,source\nR,2024-06-30,>=80,3,kabupaten/kota,s\nR,2024-06-30,90-99.99,1,kabupaten/kota,s\n",
         "dkb_bands.csv row 3: band 90-99.99 overlaps row 2"),
        ("release,as_of,band,units,level,source\nR,2024-06-30,<60,x,kabupaten/kota,s\n",
         "dkb_bands.csv row 2: as_of must be YYYY-MM-DD and units a whole number"),
    ],
)  # fmt: skip
def test_a_bad_bands_row_names_the_file_the_row_and_the_problem(tmp_path: Path, body: str, problem: str) -> None:
    p = tmp_path / "dkb_bands.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(bands.BandError, match=problem.replace("(", r"\(")):
        bands.validate(bands.extract(p), p.name)


def test_the_pages_show_the_published_picture(app_env: Path) -> None:
    """The June 2024 regency map names the published counts beside its own; the Overview names the
    latest release; Papua Pegunungan's Overview and Trends tell the old province apart."""
    from tests.pages.test_app import run

    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "regency", "date": "2024-06-30", "lang": "en"})
    assert not at.exception, [e.value for e in at.exception]
    line = next(shown(m.value) for m in at.markdown if shown(m.value).startswith("**Published"))
    assert "(DKB Sem I 2024)**: ≥100%: 67 · 80–99.99%: 412 · 60–79.99%: 18 · <60%: 17" in line
    assert "**this map**: ≥100%: 67 · 80–99.99%: 412 · 60–79.99%: 18 · <60%: 17" in line and "match" in line
    # the default date is the latest: December 2025, where nothing was published for the bands
    at = run("pages/1_Peta_cakupan.py", {"area": "00", "level": "regency", "lang": "id"})
    assert at.sidebar.selectbox(key="w_date").value == dt.date(2025, 12, 31)
    assert not [m for m in at.markdown if shown(m.value).startswith("**Dipublikasikan")]

    at = run(None, {"area": "95", "lang": "en"})
    assert not at.exception, [e.value for e in at.exception]
    captions = shown(" ".join(c.value for c in at.caption))
    assert "Latest published release: 97.47% of 211,826,747" in captions and "31 December 2025" in captions
    assert "Before 11 November 2022, Papua covered what are today Papua (91), Papua Selatan (93)" in captions
    table = next(d.value for d in at.dataframe if "Figure for the former area" in d.value.columns)
    assert table["Figure for the former area"].to_list() == ["45.03%", "41.61%"]
    assert all(s.startswith(("44.", "45.", "43.")) for s in table["Today's successors summed"].to_list())

    at = run("pages/2_Tren.py", {"area": "91", "regions": "91", "lang": "id"})
    assert not at.exception, [e.value for e in at.exception]
    assert any(shown(m.value).startswith("**Papua sebelum 11 November 2022") for m in at.markdown)
