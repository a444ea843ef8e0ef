"""The public instance's surface: only what a reader needs answers.

Mounted by `asgi.py` in front of Streamlit. In public mode (setting `public`) the endpoints a
reader never needs answer 404: `/_stcore/metrics` listed the app's internal function names and
timings, `/_stcore/upload_file` takes files, which the public instance has no use for, the agent
API (`/_stcore/agent/…`: a protocol for driving the app without a browser, and its description),
the script health check (it runs the app's script on request) and the custom-component routes
(the app has none). Every reply says `X-Content-Type-Options: nosniff`. The internal instance
is passed through as it is. What the page itself needs stays: `/_stcore/health`,
`/_stcore/host-config`, `/_stcore/stream`, `/media/` (downloads), `/static/`, `/app/static/`.

`/robots.txt` (at the host's root, where crawlers look) is answered on both instances: the
public one may be indexed, its reader pages first, but not Streamlit's endpoints or download
files; an internal one asks not to be indexed at all.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from ektp.core import settings
from ektp.web.serving import ASGIApp, Receive, Scope, Send

#: Path endings a public reader never needs (under any base path).
CLOSED = (
    "/_stcore/metrics",
    "/_stcore/upload_file",
    "/_stcore/agent",
    "/_stcore/script-health-check",
    "/_stcore/bidi-components",
    "/component",
)


ROBOTS_PUBLIC = "User-agent: *\nDisallow: /_stcore/\nDisallow: /media/\nAllow: /\n"
ROBOTS_INTERNAL = "User-agent: *\nDisallow: /\n"


class PublicSurface:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == "/robots.txt" and scope.get("method") in ("GET", "HEAD"):
            body = (ROBOTS_PUBLIC if settings.is_public() else ROBOTS_INTERNAL).encode()
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"public, max-age=86400"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        if scope["type"] != "http" or not settings.is_public():
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if any(path.endswith(c) or f"{c}/" in path for c in CLOSED):
            await send({"type": "http.response.start", "status": 404, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff")]})  # fmt: skip
            await send({"type": "http.response.body", "body": b"Not found"})
            return

        async def with_nosniff(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-content-type-options"]
                message["headers"] = [*headers, (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, with_nosniff)
