"""Stage the boundaries: parse the boundary files into `boundaries` and write the map geometry.

Called by every load that builds a new DB file (etl.load.run) and by `python -m etl boundaries`;
its own module so that the load does not import the build (the two had imported each other).
"""

from __future__ import annotations

import sys

import duckdb
import geopandas as gpd
import shapely

from ektp.core import settings
from etl import boundaries as geo


def load_boundaries(con: duckdb.DuckDBPyConnection, progress: bool = True) -> int:
    """Parse the boundary files into `boundaries` and write the static GeoJSON views.

    Missing boundaries are reported, not fatal: the app then says why maps are off.
    """
    con.execute("DELETE FROM boundaries")
    try:
        root = geo.fetch()
        units = geo.parse_all(root)
    except geo.BoundaryError as exc:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('boundaries_status', ?)", [f"unavailable: {exc}"])
        if progress:
            print(f"boundaries: unavailable ({exc}); everything else still loads", file=sys.stderr)
        return 0
    bad = [u.code for u in units if not geo.check_lnglat(u.geom)]
    units = [u for u in units if u.code not in bad]
    # area in km² on an equal-area projection (EPSG:6933), for densities and sanity checks
    areas = gpd.GeoSeries([u.geom for u in units], crs="EPSG:4326").to_crs("EPSG:6933").area / 1e6
    rows = [
        (
            u.code, u.level, u.name_in_file, u.lat, u.lng, u.repaired, float(a),
            shapely.to_wkb(u.geom), shapely.to_wkb(geo.simplify(u.geom, geo.TOLERANCE[u.level])),
        )
        for u, a in zip(units, areas, strict=True)
    ]  # fmt: skip
    con.executemany("INSERT INTO boundaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    geo.write_static(units, settings.path("static_dir"))
    missing = con.execute(
        "SELECT level, COUNT(*) FROM regions r WHERE level IN ('province','regency','district') "
        "AND NOT EXISTS (SELECT 1 FROM boundaries b WHERE b.code = r.code) GROUP BY level"
    ).fetchall()
    status = f"ok: {len(rows)} units; repaired {sum(u.repaired for u in units)}"
    if bad:
        status += f"; refused (outside Indonesia after lng/lat swap): {', '.join(bad)}"
    if missing:
        status += "; without geometry: " + ", ".join(f"{lv} {n}" for lv, n in missing)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('boundaries_status', ?)", [status])
    con.execute("INSERT OR REPLACE INTO meta VALUES ('boundaries_license', ?)", [geo.LICENSE_NOTICE])
    if progress:
        print(f"boundaries: {status}", file=sys.stderr)
    return len(rows)
