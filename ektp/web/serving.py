"""What the ASGI layers in front of Streamlit share (asgi.py mounts them): the ASGI types, the
base URL path every route sits under, and a request's headers read once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The scope key under which ektp.web.reader hands the map page's FirstView to ektp.web.pageshell,
#: which writes it into Streamlit's HTML shell.
FIRST_VIEW = "ektp.first_view"


@dataclass(frozen=True)
class FirstView:
    """A map view's first screen for the page shell: what goes in `<head>` and in the root."""

    key: str  # the same view and data build, the same key (the shell made with it is kept)
    head: bytes
    body: bytes


def base_path(base_url: str | None = None) -> str:
    """'' or '/ektp': Streamlit's `server.baseUrlPath` (or the one given) as a path prefix."""
    if base_url is None:
        from streamlit import config

        base_url = config.get_option("server.baseUrlPath") or ""
    return "/" + base_url.strip("/") if base_url.strip("/") else ""


def headers_of(scope: Scope) -> dict[str, str]:
    """The request's headers, names lower-cased (the last of a repeated name wins)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
