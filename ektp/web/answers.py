"""A reader answer made once and kept: its body, its brotli and gzip forms, its ETag and how long
caches may keep it. Shared by the reader routes (reader.py, sitepages.py)."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

import brotli

#: Kinds sent compressed when the client accepts it.
_COMPRESSED = {"html", "svg", "csv", "json"}


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    etag: str
    kind: str
    filename: str = ""
    br: bytes | None = None
    gz: bytes | None = None
    cache: str | None = None  # Cache-Control when not CACHE_CONTROL (a pinned release's: immutable)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.br or b"") + len(self.gz or b"")


def answer(status: int, kind: str, content_type: str, body: bytes, filename: str = "") -> Answer:
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    if kind in _COMPRESSED and len(body) > 512:
        return Answer(
            status,
            content_type,
            body,
            etag,
            kind,
            filename,
            brotli.compress(body, quality=9),
            gzip.compress(body, 6, mtime=0),
        )
    return Answer(status, content_type, body, etag, kind, filename)
