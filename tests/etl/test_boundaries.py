"""Boundary files: SQL parsing, lat/lng swap, repair, and the pinned download path."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import pytest
import shapely

from ektp.core import settings
from etl import boundaries as geo

MIRROR = settings.ROOT.parent / "shared" / "geo" / "wilayah_boundaries"
KAB15 = "db/kab/wilayah_boundaries_kab_15.sql"


def test_parse_jambi_regencies_swaps_to_lng_lat() -> None:
    units = list(geo.parse_file(MIRROR / KAB15, "regency"))
    assert sorted(u.code for u in units) == [f"15.0{i}" for i in range(1, 10)] + ["15.71", "15.72"]
    for u in units:
        assert u.geom.is_valid and geo.check_lnglat(u.geom)
    saro = next(u for u in units if u.code == "15.03")
    c = saro.geom.centroid
    assert 102 < c.x < 103.5 and -3 < c.y < -1.5  # x is longitude


def test_nesting_and_quotes() -> None:
    poly = geo.to_geometry("[[[-1,100],[-1,101],[-2,101],[-1,100]]]")
    assert poly.geom_type == "Polygon" and poly.bounds == (100.0, -2.0, 101.0, -1.0)
    multi = geo.to_geometry("[[[[-1,100],[-1,101],[-2,101],[-1,100]]],[[[-3,100],[-3,101],[-4,101],[-3,100]]]]")
    assert multi.geom_type == "MultiPolygon"
    sql = "INSERT INTO x VALUES\n('99.01','Kab. O\\'Neil',-1,100,'[[[-1,100],[-1,101],[-2,101],[-1,100]]]'),('99.02','B''C',NULL,NULL,'[[[-1,100],[-1,101],[-2,101],[-1,100]]]');"
    assert [m.group(2) for m in geo._TUPLE.finditer(sql)] == ["Kab. O\\'Neil", "B''C"]
    assert geo._unescape("B''C") == "B'C"


def test_invalid_shells_are_repaired_to_polygons() -> None:
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    fixed = geo._polygonal(shapely.make_valid(bowtie))
    assert fixed is not None and fixed.is_valid and fixed.geom_type in ("Polygon", "MultiPolygon")


@pytest.fixture()
def http_folder(tmp_path: Path):  # noqa: ANN201
    """A small HTTP server on 127.0.0.1 serving a fixture copy of one pinned file."""
    root = tmp_path / "upstream"
    (root / "db" / "kab").mkdir(parents=True)
    shutil.copy(MIRROR / KAB15, root / KAB15)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_download_checks_sha256_and_caches(http_folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    root, url = http_folder
    digest = hashlib.sha256((MIRROR / KAB15).read_bytes()).hexdigest()
    sums = tmp_path / "SUMS"
    sums.write_text(f"{digest}  {KAB15}\n")
    cache = tmp_path / "cache"
    monkeypatch.setenv("EKTP_GEO_URL", url)
    monkeypatch.setenv("EKTP_GEO_SUMS", str(sums))
    monkeypatch.setenv("EKTP_GEO_CACHE", str(cache))
    got = geo.fetch("download")
    assert got == cache and (cache / KAB15).read_bytes() == (MIRROR / KAB15).read_bytes()
    assert len(list(geo.parse_file(cache / KAB15, "regency"))) == 11
    # a tampered upstream file is refused and not cached
    (cache / KAB15).unlink()
    (root / KAB15).write_bytes(b"-- tampered\n")
    with pytest.raises(geo.BoundaryError, match="sha256"):
        geo.fetch("download")
    assert not (cache / KAB15).exists()


def test_missing_mirror_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EKTP_GEO_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(geo.BoundaryError, match="not found"):
        geo.fetch("mirror")


def test_pinned_sums_match_the_mirror() -> None:
    assert geo.read_sums(settings.path("geo_sums")) == geo.read_sums(MIRROR / "SHA256SUMS")
