"""The map page as a plain Streamlit user would write it, measured by bench/lighthouse.py beside
ours: a pandas frame from DuckDB, the unsimplified boundaries as GeoJSON, `px.choropleth`, the
ranking in Streamlit's data grid, no cache, Streamlit's own server and files. Not part of the
app; it draws the view of ours that Lighthouse opens (Jambi's regencies, 31 March 2019)."""

import json
import os

import duckdb
import geopandas as gpd
import plotly.express as px
import shapely
import streamlit as st

AREA, LEVEL, DATE = "15", "regency", "2019-03-31"

con = duckdb.connect(os.environ["EKTP_DB"], read_only=True)
data = con.execute(
    "SELECT region_code, region_name, recording_rate FROM v_coverage_area "
    "WHERE level = ? AND as_of = ? AND region_code LIKE ? ORDER BY recording_rate",
    [LEVEL, DATE, AREA + ".%"],
).df()
geom = con.execute("SELECT code, geom_wkb FROM boundaries WHERE level = ? AND code LIKE ?", [LEVEL, AREA + ".%"]).df()
con.close()
shapes = gpd.GeoDataFrame(
    geom[["code"]], geometry=shapely.from_wkb([bytes(b) for b in geom["geom_wkb"]]), crs="EPSG:4326"
)
fig = px.choropleth(
    data,
    geojson=json.loads(shapes.to_json()),
    locations="region_code",
    featureidkey="properties.code",
    color="recording_rate",
    hover_name="region_name",
)
fig.update_geos(fitbounds="locations", visible=False)
st.title("Coverage map")
st.plotly_chart(fig)
st.subheader("Ranking")
st.dataframe(data)
