"""Reader pages: every map view as plain HTML with an inline SVG map, and as SVG, PNG, CSV and
JSON, drawn on the server without a browser (view → page → serve)."""
