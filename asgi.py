"""The server entry: `streamlit run asgi.py` (what `make run` does) serves app.py and its pages
behind a guard (a Host the app trusts; frame and referrer headers: ektp.guard), the reader pages
of every map view at /v/map (ektp.reader.serve), the HTML shell with the app's style and
language written in (ektp.pageshell), Streamlit's own JS/CSS/fonts compressed once by `make
assets` (ektp.assets) and map geometry sent once per browser and build (ektp.geoserve).
`streamlit run app.py` still works, without /v/map and uncompressed; the geometry then comes
through Streamlit's static route, uncached."""

import streamlit as st
from starlette.middleware import Middleware

from ektp import nodelay
from ektp.assets import CompressedAssets
from ektp.geoserve import GeometryFiles
from ektp.guard import Guard
from ektp.pageshell import PageShell
from ektp.publicsurface import PublicSurface
from ektp.reader.serve import Reader

nodelay.install()  # before the server binds: small replies without a 40 ms stall (ektp/nodelay.py)

app = st.App(
    "app.py",
    middleware=[
        Middleware(Guard),
        Middleware(PublicSurface),
        Middleware(Reader),
        Middleware(PageShell),
        Middleware(CompressedAssets),
        Middleware(GeometryFiles),
    ],
)
