"""Streamlit's HTML shell with the app's style and the page's language written in.

Every page of the app starts as the same small HTML file from Streamlit (`<html lang="en">`,
the script tags). This ASGI middleware (mounted by `asgi.py`) writes into it, before the first
paint: the app's page style (ektp/core/pagestyle.py; otherwise it arrives with the first script
run, after Streamlit's own elements were drawn), with a system theme font no Source Sans (neither
its preload nor Streamlit's first screens in it), the sidebar button's arrow as text (so the
375 KB icon font is not fetched for the first screen), and `lang` from the link's `lang`
parameter or the default language (a screen reader reads an Indonesian page as Indonesian).
The shell is small (~5 KB); it is sent gzipped when the browser accepts it. Every other
response goes on unchanged.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qs

from ektp.core import settings
from ektp.core.pagestyle import PAGE_CSS, SHELL_CSS
from ektp.web.geoserve import choose_encoding
from ektp.web.serving import FIRST_VIEW, ASGIApp, FirstView, Receive, Scope, Send, base_path, headers_of

#: Paths (after the base) that are never a page's shell.
NOT_PAGES = ("_stcore/", "static/", "app/static/", "media/", "component/", "v/")
#: Shells kept written and compressed (each ≤ ~250 KB with a national map's first view).
MAX_ENTRIES = 64
_HTML_LANG = re.compile(rb'<html lang="[A-Za-z-]*"')
_TITLE = re.compile(rb"<title>[^<]*</title>")
_ENTRY = re.compile(rb'<script type="module" crossorigin src="(\./static/js/index\.[A-Za-z0-9_-]+\.js)"></script>')
#: Streamlit's preload of its Source Sans font (170 KB), which its HTML starts before the style.
_FONT_PRELOAD = re.compile(rb'[ \t]*<link\s+rel="preload"\s+href="[^"]*/SourceSans[^"]*"[^>]*>\n?')
_PRELOAD = re.compile(rb'[ \t]*<link rel="modulepreload" crossorigin href="(\./static/js/[A-Za-z0-9_.-]+\.js)">\n?')


def _boot_after_first_paint(html: bytes) -> bytes:
    """Streamlit's entry module and its ~60 module preloads, started once the first view has
    been painted (the browser's first-contentful-paint entry). Fetched from the first byte, the
    preloads (~600 KB) shared a phone's link with the style the first paint waits for, and the
    app's run empties the root element, once or twice before the view was ever shown (6 of 12
    runs on loopback). Now the view is painted first and the app follows: on a slow link its
    modules then start ~1 s later. A hidden tab (no frames), a browser without paint timing,
    or no paint within 3 s starts at once. A shell of another form is left as it is."""
    entry = _ENTRY.search(html)
    if entry is None:
        return html
    preloads = [m.group(1).decode() for m in _PRELOAD.finditer(html)]
    html = _PRELOAD.sub(b"", html)
    script = (
        f'<script type="module">const pre={json.dumps(preloads)};let started=false;'
        "const go=()=>{if(started)return;started=true;"
        'for(const h of pre){const l=document.createElement("link");l.rel="modulepreload";l.crossOrigin="";'
        "l.href=h;document.head.append(l)}"
        f"import({json.dumps(entry.group(1).decode())})}};"
        'if(document.visibilityState==="hidden"){go()}else{try{new PerformanceObserver(l=>{'
        'if(l.getEntriesByName("first-contentful-paint").length)go()}).observe({type:"paint",buffered:true})}'
        "catch(e){go()}setTimeout(go,3000)}</script>"
    )
    return html.replace(entry.group(0), script.encode(), 1)


def uses_source_sans() -> bool:
    """Whether the theme's text font (config.toml `theme.font`) is Streamlit's Source Sans. Ours
    is the system's, as on the reader pages: no font to fetch (Source Sans was 170 KB, preloaded
    before the page's own style and script on a phone's slow link) and the first view, drawn in
    it, is not restyled when the app takes over."""
    from streamlit import config

    first = str(config.get_option("theme.font") or "sans-serif").split(",")[0].strip().strip("'\"")
    return first.lower() in ("sans-serif", "sans serif", "source sans")


#: The first view's cover and its way out when no map comes: once the app has drawn a page
#: without the map's element (another page, a view without a map, an error), or after 30 s.
#: Its watcher stops once the cover is gone (it would otherwise look at every change of the app).
COVER_OPEN = b'<div id="ektp-cover">'
COVER_CLOSE = (
    b"</div><script>(()=>{const go=()=>{const c=document.getElementById('ektp-cover');if(c)c.remove()};"
    b"setTimeout(go,30000);let t=null;new MutationObserver((_,o)=>{const r=document.getElementById('root');"
    b"if(!document.getElementById('ektp-cover')){o.disconnect();return}"
    b"if(!r||!r.querySelector('[data-testid=stMainBlockContainer] h1')||r.querySelector('[class*=st-key-map_svg]'))return;"
    b"clearTimeout(t);t=setTimeout(()=>{if(!r.querySelector('[class*=st-key-map_svg]'))go()},3000)})"
    b".observe(document.documentElement,{childList:true,subtree:true})})()</script>"
)


def _first_theme() -> str:
    """Streamlit draws its first screens in its default theme, in Source Sans, until the app's
    theme comes with the session: that moment's text fetched the 170 KB font anyway. Streamlit
    takes a host page's light theme from `window.__streamlit.LIGHT_THEME` (meant for pages that
    embed it; not a documented API: if an upgrade drops it the font is fetched again, which
    tests/browser/test_browser.py catches). It gets config.toml's fonts, so the first screens are in
    the app's own."""
    from streamlit import config

    fonts = {"bodyFont": config.get_option("theme.font"), "headingFont": config.get_option("theme.headingFont")}
    theme = json.dumps({k: v for k, v in fonts.items() if v}).replace("<", "\\u003c")
    return f"<script>window.__streamlit=Object.assign(window.__streamlit||{{}},{{LIGHT_THEME:{theme}}})</script>"


def shell(html: bytes, lang: str, first: FirstView | None = None) -> bytes:
    """The shell with the style before `</head>` and the page's language on `<html>`; with a
    first view (the map page's, from ektp.web.reader), its title and link-preview tags in
    place of Streamlit's title and its screen inside the root element (React replaces it)."""
    style = f'<style id="ektp-shell">{SHELL_CSS}{PAGE_CSS}</style>'.encode()
    html = _HTML_LANG.sub(f'<html lang="{lang}"'.encode(), html, count=1)
    if not uses_source_sans():
        html = _FONT_PRELOAD.sub(b"", html, count=1)
        html = html.replace(b"</head>", _first_theme().encode() + b"</head>", 1)
    if first is not None:
        head, body = first.head, first.body
        if head and _TITLE.search(html):
            html = _TITLE.sub(lambda _m: head, html, count=1)
        # beside the app's root, not in it: React empties the root when the app mounts, which
        # left an empty page on a slow phone until the map came (seconds); the view stays over
        # the app, hidden until then, and goes when the app's map is drawn (ektp/ui/svgmap.js)
        html = html.replace(b'<div id="root"></div>', COVER_OPEN + body + COVER_CLOSE + b'<div id="root"></div>', 1)
        html = _boot_after_first_paint(html)
    return html.replace(b"</head>", style + b"</head>", 1)


class PageShell:
    def __init__(self, app: ASGIApp, base_url: str | None = None, max_entries: int = MAX_ENTRIES) -> None:
        self.app = app
        self.base = base_path(base_url)
        self.max_entries = max_entries
        self._made: OrderedDict[tuple, tuple[bytes, bytes]] = OrderedDict()
        self.made = 0  # shells written and compressed (not from memory): for tests

    def _written(self, html: bytes, lang: str, first: FirstView | None) -> tuple[bytes, bytes]:
        """The shell written and gzipped, once per Streamlit shell, language and first view (a
        national map's first view is ~200 KB: gzip each time would cost ~5 ms a request)."""
        key = (hashlib.sha256(html).digest(), lang, first.key if first else None)
        made = self._made.get(key)
        if made is None:
            plain = shell(html, lang, first)
            made = (plain, gzip.compress(plain, 6, mtime=0))
            self.made += 1
            self._made[key] = made
            while len(self._made) > self.max_entries:
                self._made.popitem(last=False)
        self._made.move_to_end(key)
        return made

    def _is_page(self, scope: Scope) -> bool:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or not path.startswith(self.base):
            return False
        rest = path[len(self.base) :].lstrip("/")
        return not rest.startswith(NOT_PAGES) and "." not in rest.rsplit("/", 1)[-1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._is_page(scope):
            return await self.app(scope, receive, send)
        headers = headers_of(scope)
        wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
        lang = wanted if wanted in ("id", "en") else settings.default_lang()
        # the shell comes uncompressed from Streamlit, to be written into
        inner = dict(scope, headers=[(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"])
        start: MutableMapping[str, Any] | None = None
        chunks: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                ctype = dict((k.lower(), v) for k, v in message.get("headers", [])).get(b"content-type", b"")
                if message.get("status") == 200 and ctype.startswith(b"text/html"):
                    start = message
                    return
                start = None
                await send(message)
                return
            if start is None:  # not the shell: as it came
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            plain, gzipped = self._written(b"".join(chunks), lang, scope.get(FIRST_VIEW))
            out = [
                (k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-encoding")
            ]
            body = plain
            if choose_encoding(headers.get("accept-encoding", ""), ("gzip",)) == "gzip":
                body = gzipped
                out.append((b"content-encoding", b"gzip"))
            out += [(b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding")]
            await send({"type": "http.response.start", "status": 200, "headers": out})
            await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})

        await self.app(inner, receive, capture)
