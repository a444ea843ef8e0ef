"""The web layer: every ASGI layer in front of Streamlit and every route of ours, in the order
`asgi.py` stacks them (a request meets them top to bottom):

- `guard.Guard`: a Host the app trusts; frame and referrer headers
- `publicsurface.PublicSurface`: public mode's 404s for what a reader never needs; /robots.txt
- `reader.Reader`: /v/map (HTML, .svg, .png, .csv, .json) — the light reader pages — and, through
  `sitepages`, /v/wilayah/<code> (area pages), /v/cari (search), /v/rilis and /v/r/<release>/…
- `pageshell.PageShell`: Streamlit's HTML shell with the page's style, language and first view
- `assets.CompressedAssets`: Streamlit's JS/CSS/fonts, compressed once
- `geoserve.GeometryFiles`: map geometry, once per browser and build

`serving` holds what they share (ASGI types, the base path, request headers), `answers` a kept
reader answer (body, compressed forms, ETag, cache time); `nodelay` sets
TCP_NODELAY on the listening socket; `warm` builds the default map view beside a starting server."""
