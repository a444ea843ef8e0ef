"""What every request passes first (outermost layer in asgi.py): a Host the app trusts, and the
headers every page of the app carries.

A Host is trusted when it is this machine's (localhost, 127.x, [::1]), public_url's, or listed
in `allowed_hosts`; any other request, HTTP or websocket, gets 400 before it reaches anything.
That ends DNS rebinding (a hostile page whose name resolves to 127.0.0.1 would reach the
loopback Load page: Streamlit's websocket accepts an Origin equal to the Host) and the Host
header games against caches (a page drawn for a forged name). Links in pages never come from
the request anyway (`origin()`).

The app's own pages may be framed only by the app itself (clickjacking of the Load page's
buttons): `frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN`, plus a CSP that forbids
plugins, foreign base URLs and form targets; the internal instance also never sends a Referer
off the site. A reply that sets its own CSP (the reader pages, embeddable anywhere) keeps it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit

from ektp.core import settings
from ektp.core.operators import loopback_host
from ektp.web.serving import ASGIApp, Receive, Scope, Send, headers_of

#: The app's pages: framed by the app only, no plugins, no foreign <base> or form targets.
CSP_APP = "frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"


def _name(host: str) -> str:
    """'Example.org:8501' → 'example.org'; '[::1]:80' → '::1'."""
    h = host.strip().lower()
    if h.startswith("["):
        return h[1 : h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def allowed(host: str | None) -> bool:
    """A request's Host is one this server answers to (setting allowed_hosts)."""
    if not host:
        return False
    if loopback_host(host):
        return True
    names = {_name(x) for x in settings.items("allowed_hosts")}
    if "*" in names:
        return True
    public = settings.get("public_url").strip()
    if public:
        names.add(_name(urlsplit(public).netloc))
    return _name(host) in names


def origin(port: int | None = None) -> str:
    """Where readers reach this server, for links, embeds and citations: the `public_url`
    setting, else this machine (http://localhost:<Streamlit's port>). Never the request's Host."""
    fixed = settings.get("public_url").strip().rstrip("/")
    if fixed:
        return fixed
    if port is None:
        from streamlit import config

        port = int(config.get_option("server.port") or 8501)
    return f"http://localhost:{port}"


REFUSED = (
    b"400 Bad Request: this server does not answer to that host name. "
    b"Its administrator lists the names it answers to in the setting allowed_hosts (EKTP_ALLOWED_HOSTS)."
)


class Guard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not allowed(headers_of(scope).get("host")):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await send({"type": "http.response.start", "status": 400, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"), (b"content-length", str(len(REFUSED)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": REFUSED})
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        internal = not settings.is_public()

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in have:
                    headers += [(b"content-security-policy", CSP_APP.encode()), (b"x-frame-options", b"SAMEORIGIN")]
                if b"referrer-policy" not in have:
                    policy = b"same-origin" if internal else b"strict-origin-when-cross-origin"
                    headers.append((b"referrer-policy", policy))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
