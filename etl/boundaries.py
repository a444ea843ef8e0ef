"""Boundaries: mirror folder or pinned download → parsed, repaired, simplified geometry.

The upstream files are MySQL INSERT scripts whose polygons are JSON arrays of [lat, lng]
(latitude first, the reverse of GeoJSON). We parse the SQL VALUES tuples ourselves (no MySQL),
swap to (lng, lat), repair with make_valid, keep only polygon parts, and write:

* rows for the DuckDB `boundaries` table (full geometry and a simplified variant, as WKB);
* one small GeoJSON file per map view under the static folder (coordinates rounded to
  4 decimals), so the browser fetches geometry once and each rerun sends only ids and values,
  each with a brotli copy beside it (`<view>.json.br`) that the server sends as it is: the
  server draws each view's SVG from it (ektp.mapview.svg).

Nothing derived from these files is committed; `python -m etl build` recreates it.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from ektp.core import settings
from ektp.core.schema import GEO_FORMAT, GEO_FORMAT_FILE
from etl.extract import sha256_file

LICENSE_NOTICE = (
    "Boundaries: cahyadsn/wilayah_boundaries (commit "
    + settings.GEO_UPSTREAM_COMMIT[:7]
    + "), MIT License, copyright (c) 2025 Cahya DSN."
)

#: Simplification tolerance in degrees stored per level (≈ 1.1 km, 550 m, 220 m).
TOLERANCE = {"province": 0.01, "regency": 0.005, "district": 0.002}
#: Per drawn view: (tolerance in degrees, smallest island kept in square degrees, decimals).
#: National views drop islets under the threshold (each unit keeps its largest part) and round
#: coarser: a national map is ~900 px across 46° of longitude, 0.05° a pixel, so 0.03° and two
#: decimals (1.1 km) stay under a pixel. Drilled views keep 4 decimals (11 m).
VIEW_TOLERANCE = {
    "province": (0.03, 0.003, 3),
    "regency": (0.02, 0.002, 3),
    "district": (0.03, 0.002, 2),
    "regency_of_province": (0.004, 0.0, 4),
    "district_of_province": (0.004, 0.0001, 4),
    "district_of_regency": (0.001, 0.0, 4),
}
FOLDERS = {"province": "prov", "regency": "kab", "district": "kec"}

_Q = r"'([^'\\]*(?:(?:\\.|'')[^'\\]*)*)'"
_NUM = r"(-?[0-9.eE+\-]+|NULL)"
_TUPLE = re.compile(
    r"\(\s*" + _Q + r"\s*,\s*" + _Q + r"\s*,\s*" + _NUM + r"\s*,\s*" + _NUM + r"\s*,\s*" + _Q + r"\s*\)"
)


class BoundaryError(Exception):
    """Boundary files missing, or failing their checksum."""


@dataclass
class Unit:
    code: str
    level: str
    name_in_file: str
    lat: float | None
    lng: float | None
    geom: Polygon | MultiPolygon
    repaired: bool


def _unescape(s: str) -> str:
    return s.replace("''", "'").replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")


def read_sums(path: Path) -> dict[str, str]:
    sums = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest
    return sums


def source_files(sums: dict[str, str]) -> list[str]:
    return sorted(n for n in sums if re.match(r"db/(prov|kab|kec)/.*\.sql$", n))


def fetch(source: str | None = None, timeout: float = 30.0) -> Path:
    """A folder holding db/{prov,kab,kec}/*.sql, each file checked against the pinned sums.

    'mirror' reads the configured folder; 'download' fetches missing files from the pinned
    upstream into the cache folder. A file whose sha256 differs is refused, never used.
    """
    source = source or settings.get("geo_source")
    sums = read_sums(settings.path("geo_sums"))
    names = source_files(sums)
    if source == "mirror":
        root = settings.path("geo_mirror")
        if not (root / "db").is_dir():
            raise BoundaryError(f"boundary mirror folder not found: {root}")
    elif source == "download":
        root = settings.path("geo_cache")
        base = settings.get("geo_url").rstrip("/") + "/"
        for name in names:
            target = root / name
            if target.exists() and sha256_file(target) == sums[name]:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            try:
                with urllib.request.urlopen(base + name, timeout=timeout) as resp, tmp.open("wb") as out:
                    while chunk := resp.read(1 << 20):
                        out.write(chunk)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise BoundaryError(f"download of {name} failed: {exc}") from exc
            if sha256_file(tmp) != sums[name]:
                tmp.unlink(missing_ok=True)
                raise BoundaryError(f"{name}: sha256 does not match the pinned SHA256SUMS")
            tmp.replace(target)
    else:
        raise BoundaryError(f"unknown geo_source '{source}' (use mirror or download)")
    for name in names:
        p = root / name
        if not p.exists():
            raise BoundaryError(f"boundary file missing: {p}")
        if sha256_file(p) != sums[name]:
            raise BoundaryError(f"{p}: sha256 does not match the pinned SHA256SUMS")
    return root


def _rings(coords: list) -> list[list[tuple[float, float]]]:
    return [[(float(p[1]), float(p[0])) for p in ring] for ring in coords]


def to_geometry(path_json: str) -> Polygon | MultiPolygon:
    """[lat, lng] JSON nesting (polygon or multipolygon) → shapely geometry in (lng, lat)."""
    data = json.loads(path_json)
    depth, probe = 0, data
    while isinstance(probe, list) and probe:
        depth += 1
        probe = probe[0]
    if depth == 3:
        rings = _rings(data)
        return Polygon(rings[0], rings[1:])
    if depth == 4:
        polys = []
        for poly in data:
            rings = _rings(poly)
            polys.append(Polygon(rings[0], rings[1:]))
        return MultiPolygon(polys)
    raise ValueError(f"unexpected nesting depth {depth}")


def _polygonal(geom: shapely.Geometry) -> Polygon | MultiPolygon | None:
    """Keep the polygon parts of a repaired geometry (drops stray lines and points)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    flat: list[Polygon] = []
    for g in parts:
        flat.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def parse_file(path: Path, level: str) -> Iterator[Unit]:
    text = path.read_text(encoding="utf-8")
    for m in _TUPLE.finditer(text):
        code, name, lat, lng, geo = m.groups()
        geom = to_geometry(_unescape(geo))
        repaired = False
        if not geom.is_valid:
            geom = _polygonal(shapely.make_valid(geom))
            repaired = True
        if geom is None or geom.is_empty:
            continue
        yield Unit(
            code=code,
            level=level,
            name_in_file=_unescape(name),
            lat=None if lat == "NULL" else float(lat),
            lng=None if lng == "NULL" else float(lng),
            geom=geom,
            repaired=repaired,
        )


def parse_all(root: Path) -> list[Unit]:
    units: list[Unit] = []
    for level, folder in FOLDERS.items():
        for p in sorted((root / "db" / folder).glob("*.sql")):
            units.extend(parse_file(p, level))
    return units


def check_lnglat(geom: shapely.Geometry) -> bool:
    """True when the geometry lies where Indonesia is in (lng, lat): catches a missed swap."""
    minx, miny, maxx, maxy = geom.bounds
    return minx >= 94 and maxx <= 142 and miny >= -12 and maxy <= 7


def _drop_islets(geom: shapely.Geometry, min_area: float) -> shapely.Geometry:
    if min_area <= 0 or not isinstance(geom, MultiPolygon):
        return geom
    parts = sorted(geom.geoms, key=lambda g: g.area, reverse=True)
    kept = [parts[0]] + [g for g in parts[1:] if g.area >= min_area]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def simplify(geom: shapely.Geometry, tolerance: float, min_area: float = 0.0, decimals: int = 4) -> shapely.Geometry:
    """Topology-preserving simplification per unit, snapped to a grid of `decimals` (4 ≈ 11 m).

    A unit smaller than the grid would vanish (a city district on a 1 km grid): it is snapped
    to the next finer grid instead, down to 4 decimals.
    """
    geom = _drop_islets(geom, min_area)
    s0 = shapely.simplify(geom, tolerance, preserve_topology=True)
    for d in range(decimals, 5):
        s = shapely.set_precision(s0, 10.0**-d)  # fewer decimals: about half the JSON
        if not s.is_empty:
            break
    if s.is_empty or not s.is_valid:
        s = _polygonal(shapely.make_valid(s)) or geom
    return s


def _round(coords, decimals: int = 4):  # noqa: ANN001 - nested tuples from shapely.mapping
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], decimals), round(coords[1], decimals)]
    return [_round(c, decimals) for c in coords]


def feature_collection(
    features: list[tuple[str, shapely.Geometry]], names: dict[str, str] | None = None, decimals: int = 4
) -> dict:
    """Features numbered 0..n-1 in code order (`id`), with the Kemendagri code and name in
    `properties` as `c` and `n`. A rerun then locates units by a small integer (a typed array,
    ~2.7 bytes a unit instead of ~11 for a code string); the hover reads code and name from this
    file, sent once. The one-letter keys spare 44 KB of the national district file.
    `bbox` (lng/lat min, max) lets the map frame the view without measuring it at run time."""
    out = []
    names = names or {}
    box = shapely.total_bounds([g for _, g in features]) if features else None
    for i, (code, geom) in enumerate(sorted(features, key=lambda f: f[0])):
        g = mapping(geom)
        props = {"c": code, "n": names[code]} if code in names else {"c": code}
        out.append(
            {
                "type": "Feature",
                "id": i,
                "properties": props,
                "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"], decimals)},
            }
        )
    fc: dict = {"type": "FeatureCollection", "features": out}
    if box is not None:  # GeoJSON's own member: the map frames exactly this (Plotly's fitbounds pads ~25%)
        fc["bbox"] = [round(float(v), 4) for v in box]
    return fc


#: Files from this size are compressed at brotli's slowest, smallest setting (the national
#: district file: 1.6 MB → 198 KB, 2.5 s); smaller ones at 10, a fifth of the time for ~5% more.
BROTLI_BEST_FROM = 250_000


def write_brotli(path: Path) -> Path:
    """`<file>.br` beside a geometry file: compressed once per build, so the server (ektp.web.geoserve)
    only reads it. Brotli at 11 makes the national districts 198 KB against gzip's 260 KB."""
    data = path.read_bytes()
    out = path.with_name(path.name + ".br")
    out.write_bytes(brotli.compress(data, quality=11 if len(data) >= BROTLI_BEST_FROM else 10))
    return out


def write_static(units: list[Unit], out_dir: Path) -> list[Path]:
    """One GeoJSON per map view: all provinces, all regencies, regencies of each province,
    districts of each province and of each regency, all districts; each simplified for its
    scale. Written to a temp folder and swapped in."""
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        for p in tmp.glob("*"):
            p.unlink()
    tmp.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[tuple[str, shapely.Geometry]]] = {}
    decimals: dict[str, int] = {}

    def add(group: str, view: str, u: Unit) -> None:
        tol, min_area, dec = VIEW_TOLERANCE[view]
        groups.setdefault(group, []).append((u.code, simplify(u.geom, tol, min_area, dec)))
        decimals[group] = dec

    for u in sorted(units, key=lambda u: u.code):
        if u.level == "province":
            add("province", "province", u)
        elif u.level == "regency":
            add("regency", "regency", u)
            add(f"regency_{u.code[:2]}", "regency_of_province", u)
        elif u.level == "district":
            add("district", "district", u)
            add(f"district_{u.code[:2]}", "district_of_province", u)
            add(f"district_{u.code[:5]}", "district_of_regency", u)
    from etl.regions import regions_frame

    names = dict(regions_frame().select("code", "name").iter_rows())
    written = []
    for name, feats in groups.items():
        p = tmp / f"{name}.json"
        fc = feature_collection(feats, names, decimals[name])
        p.write_text(json.dumps(fc, separators=(",", ":"), ensure_ascii=False))
        written.append(p)
    with ThreadPoolExecutor(2) as pool:  # brotli lets go of the GIL: ~7 s for all files on 2 cores
        list(pool.map(write_brotli, written))
    (tmp / "LICENSE.txt").write_text(LICENSE_NOTICE + "\n")
    (tmp / GEO_FORMAT_FILE).write_text(GEO_FORMAT + "\n")
    if out_dir.exists():
        old = out_dir.with_name(out_dir.name + ".old")
        if old.exists():
            for p in old.glob("*"):
                p.unlink()
            old.rmdir()
        out_dir.rename(old)
        tmp.rename(out_dir)
        for p in old.glob("*"):
            p.unlink()
        old.rmdir()
    else:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(out_dir)
    return [out_dir / p.name for p in written]
