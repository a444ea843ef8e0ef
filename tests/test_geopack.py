"""The packed geometry the browser loads (etl.geopack): it must stand for exactly the GeoJSON."""

from __future__ import annotations

import gzip
import json

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from ektp import settings
from ektp.schema import GEO_PACK_SUFFIX
from etl.boundaries import feature_collection
from etl.geopack import FORMAT, PackError, pack, unpack


def small_collection() -> dict:
    """Provinces-style codes (no parent), a hole, a MultiPolygon, a unit without a name."""
    square = Polygon([(106.0, -6.0), (106.5, -6.0), (106.5, -6.5), (106.0, -6.5)])
    holed = Polygon(
        [(110.0, -7.0), (111.0, -7.0), (111.0, -8.0), (110.0, -8.0)],
        [[(110.25, -7.25), (110.75, -7.25), (110.75, -7.75), (110.25, -7.75)]],
    )
    islands = MultiPolygon(
        [Polygon([(95.1, 5.5), (95.3, 5.5), (95.2, 5.7)]), Polygon([(140.9, -2.5), (141.0, -2.6), (140.95, -2.4)])]
    )
    return feature_collection([("31", square), ("33", holed), ("11", islands)], {"31": "DKI Jakarta", "11": "Aceh"}, 4)


def test_a_pack_restores_its_collection_exactly() -> None:
    fc = small_collection()
    packed = pack(fc, 4)
    assert packed["f"] == FORMAT and packed["s"] == 10_000
    assert packed["c"] == [["", "11 31 33"]]
    assert packed["n"] == ["Aceh", "DKI Jakarta", None]
    assert packed["g"][0].startswith("*") and not packed["g"][1].startswith("*")
    assert packed["g"][2].count(",") == 1  # shell and hole
    back = unpack(json.loads(json.dumps(packed)))
    assert back == fc
    assert back["features"][2]["properties"] == {"c": "33"}  # no name, as in the GeoJSON


def test_codes_are_grouped_under_their_parent() -> None:
    tri = Polygon([(102.0, -2.0), (102.1, -2.0), (102.0, -2.1)])
    fc = feature_collection([("15.03.01", tri), ("15.03.02", tri), ("15.04.01", tri)], {}, 2)
    packed = pack(fc, 2)
    assert packed["c"] == [["15.03", "01 02"], ["15.04", "01"]]
    assert [f["properties"]["c"] for f in unpack(packed)["features"]] == ["15.03.01", "15.03.02", "15.04.01"]


def test_what_a_pack_cannot_carry_stops_the_build() -> None:
    fc = small_collection()
    off_grid = json.loads(json.dumps(fc))
    off_grid["features"][1]["geometry"]["coordinates"][0][1] = [106.12345, -6.0]
    with pytest.raises(PackError, match=r"feature 1 \(31\).*4-decimal grid"):
        pack(off_grid, 4)
    open_ring = json.loads(json.dumps(fc))
    open_ring["features"][1]["geometry"]["coordinates"][0].pop()
    with pytest.raises(PackError, match="not closed"):
        pack(open_ring, 4)
    renumbered = json.loads(json.dumps(fc))
    renumbered["features"][0]["id"] = 7
    with pytest.raises(PackError, match="0..n-1"):
        pack(renumbered, 4)
    with pytest.raises(PackError, match="not an ektp-geopack/1"):
        unpack({"type": "FeatureCollection", "features": []})


def test_real_boundaries_pack_and_restore(default_db) -> None:  # noqa: ANN001 - the built default
    """Every view the default build wrote has a pack that restores its GeoJSON, and the national
    district pack is within #4's geometry budget (500 KB, 200 KB gzipped)."""
    static = settings.path("static_dir")
    views = sorted(p.name.removesuffix(".json") for p in static.glob("*.json") if not p.name.endswith(GEO_PACK_SUFFIX))
    assert len(views) > 500
    for view in views:
        fc = json.loads((static / f"{view}.json").read_text(encoding="utf-8"))
        packed = json.loads((static / f"{view}{GEO_PACK_SUFFIX}").read_text(encoding="utf-8"))
        assert unpack(packed) == fc, view
    raw = (static / f"district{GEO_PACK_SUFFIX}").read_bytes()
    assert len(raw) <= 500_000 and len(gzip.compress(raw, 9)) <= 200_000
    plain = (static / "district.json").read_bytes()
    assert len(raw) < len(plain) / 4
    assert shapely.from_geojson(json.dumps(unpack(json.loads(raw))["features"][0]["geometry"])).is_valid


def test_the_loader_script_cannot_be_closed_early() -> None:
    """The view name ends up inside a <script>; whatever it holds, the script ends only where the
    loader ends it (views come from checked URL parameters, and this holds without that check)."""
    from ektp import ui

    html = ui.geometry_loader('x</script><img src=y onerror="alert(1)">', with_decoder=False)
    assert html.count("</script>") == 1 and html.endswith("</script>")
    full = ui.geometry_loader("province")
    assert full.count("</script>") == 1 and "function decode" in full
