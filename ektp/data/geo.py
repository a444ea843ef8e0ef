"""Which boundary file draws which map view, and whether maps are available at all.

The simplified GeoJSON files are written by the ETL under static/geo/ and served once by
Streamlit's static file server (`server.enableStaticServing`), so a rerun sends only ids and
values to the browser. Exports embed the geometry instead, so a saved SVG/PNG/HTML is whole.
"""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from ektp.core import settings
from ektp.core.schema import GEO_FORMAT, geo_files_status, geo_format_of

CHILD_LEVEL = {"country": "province", "province": "regency", "regency": "district"}
#: The levels a map of an area may show (the map page's and the reader page's choice).
LEVELS_UNDER = {
    "country": ("province", "regency", "district"),
    "province": ("regency", "district"),
    "regency": ("district",),
}


def boundary_name(level: str, area: str) -> str:
    """The boundary file of `area`'s units at `level`: 'province', 'regency', 'regency_15',
    'district', 'district_15', 'district_15.03'."""
    if area == "00":
        return level
    return f"{level}_{area}"


def static_url(boundary: str) -> str:
    """URL of a boundary file relative to any page (Streamlit serves ./static at app/static/).

    `?v=` carries the file's content digest: `asgi.py` answers such a URL from memory,
    gzipped once, as immutable for a year, so a browser fetches each build's file once; a
    rebuilt file has a new URL. A missing file gets no digest (the map says maps are off).
    """
    return _url(boundary, ".json")


def _url(boundary: str, suffix: str) -> str:
    rel = settings.path("static_dir").relative_to(settings.ROOT / "static").as_posix()
    stamp = file_stamp(boundary, suffix)
    version = f"?v={_digest(*stamp)}" if stamp else ""
    return f"app/static/{rel}/{boundary}{suffix}{version}"


def file_digest(data: bytes) -> str:
    """The version of a geometry file's bytes in its URL (16 hex digits of sha256)."""
    return hashlib.sha256(data).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=256)
def _digest(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return file_digest(fh.read())


def status(boundary: str = "province") -> str:
    """'ok', 'missing' (no such file) or 'outdated' (written by another version)."""
    return geo_files_status(settings.path("static_dir"), boundary)


def available(boundary: str = "province") -> bool:
    return status(boundary) == "ok"


def file_stamp(boundary: str, suffix: str = ".json") -> tuple:
    """The boundary file's identity, () when the file is missing or of another layout (maps off)."""
    if geo_format_of(settings.path("static_dir")) != GEO_FORMAT:
        return ()
    try:
        return _stamp(boundary, suffix)
    except FileNotFoundError:
        return ()


def _stamp(boundary: str, suffix: str = ".json") -> tuple[str, int]:
    """The file's identity: a rebuilt (swapped) file is a new cache entry, never a stale one."""
    p = settings.path("static_dir") / f"{boundary}{suffix}"
    return str(p), p.stat().st_mtime_ns


def geojson(boundary: str) -> dict:
    """The FeatureCollection of a boundary file, kept once per process (big and immutable)."""
    return _geojson(*_stamp(boundary))


@st.cache_resource(show_spinner=False, max_entries=64)
def _geojson(path: str, mtime_ns: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
