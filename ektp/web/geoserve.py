"""Map geometry over HTTP: once per browser and build, compressed once per build.

Streamlit's own static route answers every request from disk with no Cache-Control and
gzips the body again each time (level 5, in the event loop): the national district file cost
~36 ms of server CPU and 272 KB per page visit, and a returning reader fetched it again.

This ASGI middleware (mounted by `asgi.py`, outside Streamlit's own middleware) answers
`GET <base>/app/static/geo/<name>.json?v=<digest>` (a view's GeoJSON, as published for anyone
who draws the boundaries themselves) when `v` is the file's current digest (`geo.static_url`):
the body is kept in memory compressed, and the reply says
`immutable` for a year with an ETag, so a browser or CDN keeps it until the file changes,
which changes the URL. Anything else (no or stale `v`, other paths) goes on to Streamlit
unchanged, so a stale page still gets a file, just not a cacheable one.

A client that accepts brotli (every current browser) gets the `.json.br` copy the ETL wrote
(national districts: 198 KB), checked against the file's digest when read; others get gzip at
level 9, made here once per build (260 KB), or the file itself.
"""

from __future__ import annotations

import gzip
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import anyio.to_thread
import brotli

from ektp.core import settings
from ektp.data.geo import file_digest
from ektp.web.serving import ASGIApp, Receive, Scope, Send, base_path, headers_of

#: A year: the longest lifetime caches honour; the URL changes when the file does.
CACHE_CONTROL = "public, max-age=31536000, immutable"
_NAME = re.compile(r"[A-Za-z0-9_.]+\.json")


@dataclass(frozen=True)
class Entry:
    stamp: tuple[int, int]  # (mtime_ns, size) of the file these bytes were read from
    digest: str
    gzipped: bytes
    brotli: bytes | None = None  # the ETL's .br copy, when it holds exactly these bytes


def read_entry(path: Path) -> Entry:
    st = path.stat()
    data = path.read_bytes()
    digest = file_digest(data)
    try:
        br: bytes | None = path.with_name(path.name + ".br").read_bytes()
        if file_digest(brotli.decompress(br)) != digest:  # a copy from another build: not sent
            br = None
    except (OSError, brotli.error):
        br = None
    return Entry((st.st_mtime_ns, st.st_size), digest, gzip.compress(data, 9, mtime=0), br)


def _weights(accept_encoding: str) -> dict[str, float]:
    """Accept-Encoding as coding → q (1 when not given; an unreadable q counts as 1)."""
    out: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 1.0
        if coding.strip():
            out[coding.strip()] = q
    return out


def choose_encoding(accept_encoding: str, offered: tuple[str, ...] = ("br", "gzip")) -> str | None:
    """The offered coding the client weights highest (ties: the offer's order), None for none:
    a coding named with `q=0` is refused, one not named takes `*`'s weight, else is refused."""
    w = _weights(accept_encoding)
    best, best_q = None, 0.0
    for coding in offered:
        q = w.get(coding, w.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


class GeometryFiles:
    """ASGI middleware serving the versioned geometry URLs from memory (see the module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        static_dir: Path | None = None,
        url_dir: str | None = None,
        base_url: str | None = None,
        max_entries: int = 64,
    ) -> None:
        self.app = app
        self.dir = Path(static_dir) if static_dir is not None else settings.path("static_dir")
        if url_dir is None:  # the folder's URL under Streamlit's static route, as geo.static_url writes it
            try:
                url_dir = "app/static/" + self.dir.relative_to(settings.ROOT / "static").as_posix()
            except ValueError:  # outside ./static Streamlit cannot serve it either: maps say so
                url_dir = None
        base = base_path(base_url)
        self.prefix = f"{base}/{url_dir.strip('/')}/" if url_dir else None
        self.max_entries = max_entries
        self._cache: OrderedDict[str, Entry] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not self.prefix
            or not path.startswith(self.prefix)
        ):
            return await self.app(scope, receive, send)
        name = path[len(self.prefix) :]
        wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        entry = await self._entry(name) if wanted and _NAME.fullmatch(name) and ".." not in name else None
        if entry is None or entry.digest != wanted:
            return await self.app(scope, receive, send)
        headers = headers_of(scope)
        etag = f'"{entry.digest}"'
        out = [
            (b"content-type", b"application/json"),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"etag", etag.encode()),
            (b"vary", b"Accept-Encoding"),
            (b"access-control-allow-origin", b"*"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if etag in [t.strip() for t in headers.get("if-none-match", "").split(",")]:
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return None
        coding = choose_encoding(headers.get("accept-encoding", ""), ("br", "gzip") if entry.brotli else ("gzip",))
        if coding == "br" and entry.brotli is not None:
            body = entry.brotli
            out.append((b"content-encoding", b"br"))
        elif coding == "gzip":
            body = entry.gzipped
            out.append((b"content-encoding", b"gzip"))
        else:  # rare: a client that cannot inflate reads the file itself
            try:
                body = await anyio.to_thread.run_sync((self.dir / name).read_bytes)
            except OSError:
                body = b""
            if file_digest(body) != entry.digest:  # rebuilt meanwhile: never cache other bytes
                return await self.app(scope, receive, send)
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
        return None

    async def _entry(self, name: str) -> Entry | None:
        """The file's digest and gzipped bytes, read again when the file changed (a rebuild)."""
        path = self.dir / name
        try:
            st = path.stat()
        except OSError:
            return None
        entry = self._cache.get(name)
        if entry is None or entry.stamp != (st.st_mtime_ns, st.st_size):
            try:
                entry = await anyio.to_thread.run_sync(read_entry, path)  # gzip 9 takes ~0.2 s: not in the loop
            except OSError:
                return None
            self._cache[name] = entry
        self._cache.move_to_end(name)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return entry
