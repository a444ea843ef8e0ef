"""The reader pages over HTTP: `GET /v/map` (HTML) and `/v/map.svg`, `.png`, `.csv`, `.json`.

ASGI middleware mounted by `asgi.py` in front of Streamlit, so a reader page never opens a
websocket, loads no Streamlit bundle and starts no browser or subprocess. Each answer is made
once per view and data build (the DB file's and the geometry folder's identity) and kept in
memory with its brotli and gzip forms; it carries an ETag (a revisit costs a 304) and a
Cache-Control that lets browsers and a CDN keep it for a while and serve it stale while they
check again, so a new build reaches readers within minutes without a purge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import anyio
import anyio.to_thread

from ektp.core import settings
from ektp.data import db
from ektp.reader.page import CSP_FILE, CSP_PAGE, DASHBOARD, FIRST_SPLIT, Request
from ektp.text.i18n import t
from ektp.web.answers import Answer
from ektp.web.answers import answer as _answer
from ektp.web.geoserve import choose_encoding
from ektp.web.guard import origin
from ektp.web.serving import FIRST_VIEW, ASGIApp, FirstView, Receive, Scope, Send, base_path, headers_of

if TYPE_CHECKING:  # the views import the queries, whose caches want Streamlit's runtime: loaded on first use
    from ektp.mapview.url import Choice


log = logging.getLogger(__name__)

#: Path ending → (format, content type).
ROUTES = {
    "/v/map": ("html", "text/html; charset=utf-8"),
    "/v/map.svg": ("svg", "image/svg+xml"),
    "/v/map.png": ("png", "image/png"),
    "/v/map.csv": ("csv", "text/csv; charset=utf-8"),
    "/v/map.json": ("json", "application/json"),
}
#: Kept 5 minutes by browsers and CDNs, then served stale for up to a day while revalidated
#: (an ETag check, answered 304 when the build has not changed).
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"
#: Answers kept in memory, at most this many and this many bytes (the largest, the national
#: district page, is ~1.3 MB with its compressed forms; Jambi's ~25 KB).
MAX_ENTRIES = 256
MAX_BYTES = 64 * 2**20
#: The dashboard's map page, whose HTML shell gets the view's first screen (page.first_view).
MAP_PAGE = "/" + DASHBOARD.rsplit("/", 1)[-1]


def build_stamp() -> tuple:
    """The data build a reader view is drawn from: the DB file and the geometry folder (an ETL
    swap renames into both, which changes their identity)."""
    s = os.stat(settings.path("static_dir")) if settings.path("static_dir").exists() else None
    return (db.stamp(), (s.st_ino, s.st_mtime_ns) if s else ())


def _filename(c: Choice, kind: str) -> str:
    when = f"{c.compare}_{c.as_of}" if c.compare else str(c.as_of)
    return f"peta_{c.metric}_{c.level}_{c.area}_{when}.{kind}"


def render(kind: str, choice: Choice, bad: tuple[str, ...], req: Request) -> Answer:
    """One reader answer of a checked view, drawn from the served DB (no cache: see Reader)."""
    from ektp.mapview.model import gather
    from ektp.reader import page

    req = page.Request(req.origin, req.base, bad)
    if kind == "first" and "multiples" in bad:  # the page draws small multiples, not this map
        return Answer(200, "text/html; charset=utf-8", b"", "", kind)
    drawn = gather(choice)
    if kind == "first":  # not sent alone: kept uncompressed, the shell it goes into is compressed
        body = page.first_view(drawn, choice, req)
        return Answer(200, "text/html; charset=utf-8", body, hashlib.sha256(body).hexdigest()[:20], kind)
    content_type = next(ct for k, ct in ROUTES.values() if k == kind)
    if kind == "html":
        return _answer(200, kind, content_type, page.page(drawn, choice, req))
    if drawn is None:
        return _answer(404, "html", ROUTES["/v/map"][1], page.page(None, choice, req))
    body = {
        "svg": lambda: page.standalone_svg(drawn).encode("utf-8"),
        "png": lambda: page.png(drawn),
        "csv": lambda: page.csv(drawn),
        "json": lambda: page.as_json(drawn, req),
    }[kind]()
    return _answer(200, kind, content_type, body, _filename(choice, kind))


def _fallback(status: int, key: str) -> Answer:
    lg = settings.default_lang()
    body = f'<!doctype html><html lang="{lg}"><meta charset="utf-8"><title>e-KTP</title><p>{t(key, lg)}</p></html>'
    return Answer(status, "text/html; charset=utf-8", body.encode(), "", "html")


class Reader:
    """ASGI middleware answering the reader routes (see the module doc); anything else goes on."""

    def __init__(
        self, app: ASGIApp, base_url: str | None = None, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES
    ) -> None:
        self.app = app
        self.base = base_path(base_url)
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0  # what the kept answers hold (an answer kept under two keys counts twice)
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(2)  # a draw is CPU: no more at once than cores
        self.renders = 0  # how many answers were drawn (not from memory): for tests and benchmarks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        route = ROUTES.get(path[len(self.base) :]) if path.startswith(self.base + "/v/") else None
        if route is None and scope["type"] == "http" and path.startswith(self.base + "/v/"):
            from ektp.web import sitepages

            site = sitepages.route(path[len(self.base) + 3 :])
            route = ("site", site) if site is not None else None
        if scope["type"] == "http" and path == self.base + MAP_PAGE and scope.get("method") in ("GET", "HEAD"):
            first = await self._first_view(scope)
            return await self.app(dict(scope, **{FIRST_VIEW: first}) if first else scope, receive, send)
        if scope["type"] != "http" or route is None:
            return await self.app(scope, receive, send)
        headers = headers_of(scope)
        if scope.get("method") not in ("GET", "HEAD"):
            return await self._send(send, scope, _fallback(405, "reader_error"), headers)
        req = Request(origin(), self.base)
        query = scope.get("query_string", b"").decode("latin-1")
        try:  # the view and the build alone: nothing of the request's Host reaches a page
            # and the day: a live page's citation says the day it was read
            key = (route[0], query, build_stamp(), dt.date.today())
            if route[0] == "site":  # what the page depends on, not the spelling of its link
                from ektp.web import sitepages

                key = (route, sitepages.depends_on(route[1], query), *key[2:])
        except db.DatabaseMissingError:
            return await self._send(send, scope, _fallback(503, "reader_no_db"), headers)
        try:
            answer = await self._kept_or_drawn(key, query, req)
        except Exception:  # never a traceback to a reader; the log has it
            log.exception("reader page %s?%s could not be drawn", path, query)
            return await self._send(send, scope, _fallback(500, "reader_error"), headers)
        return await self._send(send, scope, answer, headers)

    async def _kept_or_drawn(self, key: tuple, query: str, req: Request) -> Answer:
        """The answer from memory, else drawn in a worker thread (no more draws at once than cores)."""
        answer = self._get(key)
        if answer is None:
            answer = await anyio.to_thread.run_sync(self._draw, key, query, req, limiter=self._limiter)
        return answer

    async def _first_view(self, scope: Scope) -> FirstView | None:
        """The map page's first screen for this link (drawn once per view and build, as the
        reader pages are), or None: no database yet, no figures, or a failed draw (logged; the
        page then starts as Streamlit's own empty shell)."""
        req = Request(origin(), self.base)
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            answer = await self._kept_or_drawn(("first", query, build_stamp()), query, req)
        except db.DatabaseMissingError:
            return None
        except Exception:
            log.exception("first view of %s?%s could not be drawn", scope.get("path"), query)
            return None
        if not answer.body:
            return None
        head, _, body = answer.body.partition(FIRST_SPLIT)
        return FirstView(answer.etag, head, body)

    def _draw(self, key: tuple, query: str, req: Request) -> Answer:
        """The answer of a query string not seen in this build: its view checked, then drawn
        unless the same view came by another spelling (parameters in another order, a news
        site's tracking tags): those share one answer, so they cannot make the server draw."""
        from ektp.mapview.url import choose

        if isinstance(key[0], tuple):  # an area page, search, releases, a pinned file: sitepages
            from ektp.web import sitepages

            answer = sitepages.render(key[0][1], query, req.origin, req.base)
            with self._lock:
                self.renders += 1
            if answer.status == 200 and key[1] is not None:  # a miss or a search is not kept
                self._put(key, answer)
            return answer
        choice, bad = choose(parse_qs(query, keep_blank_values=True))
        canonical = (key[0], choice, tuple(bad), *key[2:])
        answer = self._get(canonical)
        if answer is None:
            answer = render(key[0], choice, tuple(bad), req)
            with self._lock:
                self.renders += 1
            self._put(canonical, answer)
        self._put(key, answer)
        return answer

    def _get(self, key: tuple) -> Answer | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _put(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            old = self._cache.pop(key, None)
            self._bytes += answer.size - (old.size if old else 0)
            self._cache[key] = answer
            while self._cache and (len(self._cache) > self.max_entries or self._bytes > self.max_bytes):
                self._bytes -= self._cache.popitem(last=False)[1].size

    async def _send(self, send: Send, scope: Scope, a: Answer, headers: dict[str, str]) -> None:
        out = [
            (b"content-type", a.content_type.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if a.status != 200:
            out.append((b"cache-control", b"no-store"))
        else:
            out += [
                (b"cache-control", (a.cache or CACHE_CONTROL).encode()),
                (b"etag", a.etag.encode()),
                (b"vary", b"Accept-Encoding"),
            ]
            csp = CSP_PAGE if a.kind == "html" else CSP_FILE
            out.append((b"content-security-policy", csp.encode()))
            if a.kind != "html":
                out.append((b"access-control-allow-origin", b"*"))
                if a.filename:
                    out.append((b"content-disposition", f'inline; filename="{a.filename}"'.encode()))
            if a.etag in [x.strip() for x in headers.get("if-none-match", "").split(",")]:
                await send({"type": "http.response.start", "status": 304, "headers": out})
                await send({"type": "http.response.body", "body": b""})
                return
        body = a.body
        coding = choose_encoding(headers.get("accept-encoding", "")) if a.br is not None else None
        if coding == "br":
            body = a.br
            out.append((b"content-encoding", b"br"))
        elif coding == "gzip" and a.gz is not None:
            body = a.gz
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": a.status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})
