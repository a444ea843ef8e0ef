"""Which boundary file draws which map view, and whether maps are available at all.

The simplified GeoJSON files are written by the ETL under static/geo/ and served once by
Streamlit's static file server (`server.enableStaticServing`), so a rerun sends only ids and
values to the browser. Exports embed the geometry instead, so a saved SVG/PNG/HTML is whole.
"""

from __future__ import annotations

import json

import streamlit as st

from ektp import settings

CHILD_LEVEL = {"country": "province", "province": "regency", "regency": "district"}


def view_name(level: str, scope: str) -> str:
    """'province', 'regency', 'regency_15', 'district', 'district_15', 'district_15.03'."""
    if scope == "00":
        return level
    return f"{level}_{scope}"


def static_url(view: str) -> str:
    """URL of a view's file relative to any page (Streamlit serves ./static at app/static/)."""
    rel = settings.path("static_dir").relative_to(settings.ROOT / "static").as_posix()
    return f"app/static/{rel}/{view}.json"


def available(view: str = "province") -> bool:
    return (settings.path("static_dir") / f"{view}.json").exists()


@st.cache_resource(show_spinner=False, max_entries=64)
def geojson(view: str) -> dict:
    """The FeatureCollection of a view, kept once per process (big and immutable)."""
    with (settings.path("static_dir") / f"{view}.json").open(encoding="utf-8") as fh:
        return json.load(fh)
