"""Packed geometry: each map view's GeoJSON in about a seventh of the bytes, for the browser.

GeoJSON spells every vertex out as decimal text and every feature as a small object, so the
7,285 national districts take 1.59 MB (260 KB gzipped) however coarse their shapes. The pack
(`<view>.pack.json`) carries the same FeatureCollection as integers on the file's decimal grid,
each vertex as the difference from the one before, written in a 64-letter alphabet: 231 KB,
105 KB gzipped. `ektp/geopack.js` turns it back into the exact GeoJSON in the browser and hands
it to Plotly before Plotly would fetch the `.json` itself (see that file); the `.json` stays
the server's copy (exports, ids, bounds) and the browser's fallback.

Format (JSON object):

* `f`: "ektp-geopack/1"; `s`: the grid, 10**decimals (a coordinate is an integer / s);
* `c`: the codes in feature order, grouped by parent: `[["11.01", "01 02 03"], …]` stands for
  11.01.01, 11.01.02, 11.01.03 (parent "" for provinces);
* `n`: the names in feature order (null where a unit has none);
* `g`: one string per feature. "*" first for a MultiPolygon; polygons are separated by ";",
  rings by ","; a ring is its vertices without the closing one, each as Δx then Δy from the
  previous vertex of the file (the first from 0, 0). A number z is zigzagged (2z, or -2z-1 for
  negative z) and written five bits at a time, low bits first, as `ALPHABET[bits | 32]` while
  more follow and `ALPHABET[bits]` for the last;
* `bbox`: the FeatureCollection's, when it has one.

Features are numbered 0..n-1 in file order (`id`), as `boundaries.feature_collection` numbers them.
"""

from __future__ import annotations

FORMAT = "ektp-geopack/1"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class PackError(ValueError):
    """A FeatureCollection the pack cannot carry exactly (the build stops rather than draw it wrong)."""


def _put(z: int, out: list[str]) -> None:
    z = 2 * z if z >= 0 else -2 * z - 1
    while z >= 32:
        out.append(ALPHABET[(z & 31) | 32])
        z >>= 5
    out.append(ALPHABET[z])


def pack(fc: dict, decimals: int) -> dict:
    """The pack of a FeatureCollection written by `boundaries.feature_collection` on a grid of
    `decimals` places. Raises PackError for anything it would not restore exactly."""
    s = 10**decimals
    px = py = 0
    groups: list[list] = []
    names: list[str | None] = []
    geoms: list[str] = []
    for i, f in enumerate(fc["features"]):
        if f.get("id") != i:
            raise PackError(f"feature {i}: id {f.get('id')!r}, packs number features 0..n-1")
        code = f["properties"]["c"]
        parent, _, last = code.rpartition(".")
        if not last or " " in last:
            raise PackError(f"feature {i}: code {code!r} cannot be grouped")
        if groups and groups[-1][0] == parent:
            groups[-1][1].append(last)
        else:
            groups.append([parent, [last]])
        names.append(f["properties"].get("n"))
        g = f["geometry"]
        if g["type"] not in ("Polygon", "MultiPolygon"):
            raise PackError(f"feature {i} ({code}): {g['type']} is not polygonal")
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out: list[str] = ["*"] if g["type"] == "MultiPolygon" else []
        for pi, polygon in enumerate(polygons):
            if pi:
                out.append(";")
            for ri, ring in enumerate(polygon):
                if ri:
                    out.append(",")
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise PackError(f"feature {i} ({code}): ring {ri} is not closed")
                for x, y in ring[:-1]:
                    qx, qy = round(x * s), round(y * s)
                    if qx / s != x or qy / s != y:
                        raise PackError(f"feature {i} ({code}): ({x}, {y}) is not on the {decimals}-decimal grid")
                    _put(qx - px, out)
                    _put(qy - py, out)
                    px, py = qx, qy
        geoms.append("".join(out))
    packed: dict = {"f": FORMAT, "s": s, "c": [[p, " ".join(ls)] for p, ls in groups], "n": names, "g": geoms}
    if "bbox" in fc:
        packed["bbox"] = fc["bbox"]
    return packed


def unpack(packed: dict) -> dict:
    """The FeatureCollection a pack stands for: what `geopack.js` builds in the browser, written
    again here so the build can check every pack against its GeoJSON before it is served."""
    if packed.get("f") != FORMAT:
        raise PackError(f"not an {FORMAT} file: {packed.get('f')!r}")
    s = packed["s"]
    codes = [f"{p}.{last}" if p else last for p, lasts in packed["c"] for last in lasts.split(" ")]
    x = y = 0
    features = []
    for i, text in enumerate(packed["g"]):
        multi = text.startswith("*")
        polygons: list[list] = []
        for poly_text in (text[1:] if multi else text).split(";"):
            rings = []
            for ring_text in poly_text.split(","):
                nums: list[int] = []
                z = shift = 0
                for ch in ring_text:
                    d = _VALUE[ch]
                    z |= (d & 31) << shift
                    shift += 5
                    if not d & 32:
                        nums.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
                        z = shift = 0
                ring = []
                for dx, dy in zip(nums[::2], nums[1::2], strict=True):
                    x, y = x + dx, y + dy
                    ring.append([x / s, y / s])
                ring.append(list(ring[0]))
                rings.append(ring)
            polygons.append(rings)
        name = packed["n"][i]
        features.append(
            {
                "type": "Feature",
                "id": i,
                "properties": {"c": codes[i], "n": name} if name is not None else {"c": codes[i]},
                "geometry": {
                    "type": "MultiPolygon" if multi else "Polygon",
                    "coordinates": polygons if multi else polygons[0],
                },
            }
        )
    fc: dict = {"type": "FeatureCollection", "features": features}
    if "bbox" in packed:
        fc["bbox"] = packed["bbox"]
    return fc
