"""The server entry: `streamlit run asgi.py` (what `make run` does) serves app.py and its pages
behind a guard (a Host the app trusts; frame and referrer headers: ektp.web.guard), the reader pages
of every map view at /v/map (ektp.web.reader), the HTML shell with the app's style and
language written in (ektp.web.pageshell), Streamlit's own JS/CSS/fonts compressed once by `make
assets` (ektp.web.assets) and map geometry sent once per browser and build (ektp.web.geoserve).
`streamlit run app.py` still works, without /v/map and uncompressed; the geometry then comes
through Streamlit's static route, uncached."""

import streamlit as st
from starlette.middleware import Middleware

from ektp.web import nodelay, warm
from ektp.web.assets import CompressedAssets
from ektp.web.geoserve import GeometryFiles
from ektp.web.guard import Guard
from ektp.web.pageshell import PageShell
from ektp.web.publicsurface import PublicSurface
from ektp.web.reader import Reader

nodelay.install()  # before the server binds: small replies without a 40 ms stall (ektp/web/nodelay.py)
warm.start()  # the first reader's map need not wait for imports and the first queries (ektp/web/warm.py)

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
