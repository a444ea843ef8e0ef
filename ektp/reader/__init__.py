"""Reader pages: every map view as plain HTML with an inline SVG map, and as SVG, PNG, CSV and
JSON, drawn on the server without a browser (ektp.mapview's model → page.py; served at /v/map
by ektp/web/reader.py)."""
