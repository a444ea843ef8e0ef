"""Drive an ASGI app as a server would, with a recording app standing where Streamlit would be."""

from __future__ import annotations

import asyncio


class Downstream:
    """Stands where Streamlit's own app would: records what was handed on."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"downstream"})


def call(app, path: str, query: str = "", method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:  # noqa: ANN001
    """(status, headers, body) of one request; header names as keywords (accept_encoding=…)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(msg: dict) -> None:
        sent.append(msg)

    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": query.encode(),
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(app(scope, receive, send))
    head = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


class StreamlitShell:
    """Stands where Streamlit would, with Streamlit's own HTML shell (the installed version's
    index.html, so a change in its markup shows here) for every page path."""

    def __init__(self) -> None:
        from pathlib import Path

        import streamlit

        self.html = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()
        self.scopes: list[dict] = []

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        self.scopes.append(scope)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(self.html)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": self.html})
