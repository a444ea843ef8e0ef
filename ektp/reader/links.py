"""Where a reader page's links point: one home for every reader address.

Two forms of one site. `Live` is the reader on the server (`/v/wilayah/15.03`, `/v/map?…`,
`/v/cari?q=…`). `Files` is a release as plain files (`id/wilayah/15.03.html`, …) with relative
links, as `make publish` writes it and as `/v/r/<release>/…` serves it: the same page drawn
with `Files` links is the same bytes wherever it is served. Page code asks these objects for
an address and never writes one itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from ektp.mapview.url import Choice


def area_path(code: str, lang: str, ext: str = "html") -> str:
    """An area page's file in a release."""
    return f"{lang}/wilayah/{code}.{ext}"


def map_path(area: str, level: str, lang: str, ext: str = "html") -> str:
    """A map view's file in a release (the recording rate at the latest date: its default link)."""
    return f"{lang}/peta/{area}_{level}.{ext}"


def search_path(lang: str) -> str:
    return f"{lang}/cari.html"


def releases_path(lang: str) -> str:
    """The list of releases: in a release, itself; at a published site's root, every kept one."""
    return f"{lang}/rilis.html"


INDEX_PATH = "index.html"
SEARCH_INDEX = "cari.json"


def published_view(c: Choice) -> bool:
    """Whether a map view is one a release has as a file: the default link of an area and level."""
    from ektp.mapview.url import is_default_view

    return is_default_view(c)


def view_path(c: Choice, ext: str = "html") -> str:
    """A published view's file (`embed.html`: its compact form for an iframe)."""
    return map_path(c.area, c.level, c.lang, "embed.html" if c.embed and ext == "html" else ext)


@dataclass(frozen=True)
class Live:
    """The reader on the server: `base` is the path up to /v/ ('' or '/ektp'); `origin` the
    address readers reach it at (for citations and embeds); `release` the served build's id."""

    origin: str
    base: str
    default_lang: str
    release: str | None = None
    accessed: dt.date | None = None  # the day the page is drawn: what its citation says
    static = False

    def _lang(self, lang: str, sep: str = "?") -> str:
        return "" if lang == self.default_lang else f"{sep}lang={lang}"

    def area(self, code: str, lang: str) -> str:
        return f"{self.base}/v/wilayah/{quote(code)}{self._lang(lang)}"

    def area_file(self, code: str, lang: str, ext: str) -> str:
        return f"{self.base}/v/wilayah/{quote(code)}.{ext}{self._lang(lang)}"

    def map(self, c: Choice, **extra: object) -> str:
        return f"{self.base}/v/map?{c.query(**extra)}"

    def map_file(self, c: Choice, ext: str) -> str:
        return f"{self.base}/v/map.{ext}?{c.query()}"

    def search(self, lang: str) -> str:
        return f"{self.base}/v/cari{self._lang(lang)}"

    def releases(self, lang: str) -> str:
        return f"{self.base}/v/rilis{self._lang(lang)}"

    def dashboard(self, c: Choice) -> str:
        return f"{self.base}/Peta_cakupan?{c.query()}"

    def absolute(self, href: str) -> str:
        return f"{self.origin}{href}"

    def pinned(self, path: str) -> str | None:
        """This page's address in the served release (never changes), or None without one."""
        return f"{self.origin}{self.base}/v/r/{self.release}/{path}" if self.release else None


@dataclass(frozen=True)
class Files:
    """A release as files: `here` is the page's own path in the release; links are relative to
    it. `origin` and `base` name the live server for the pinned address, when there is one."""

    here: str
    release: str
    origin: str = ""
    base: str = ""
    static = True

    def _rel(self, target: str) -> str:
        """`target` relative to this page (a release's paths are at most two folders deep)."""
        here_dir, _, _ = self.here.rpartition("/")
        there_dir, _, name = target.rpartition("/")
        if here_dir == there_dir:
            return name
        return "../" * (here_dir.count("/") + 1 if here_dir else 0) + target

    def area(self, code: str, lang: str) -> str:
        return self._rel(area_path(code, lang))

    def area_file(self, code: str, lang: str, ext: str) -> str:
        return self._rel(area_path(code, lang, ext))

    def map(self, c: Choice, **extra: object) -> str | None:
        lang = str(extra.get("lang", c.lang))
        if extra.keys() - {"lang"} or not published_view(c):
            return None
        return self._rel(map_path(c.area, c.level, lang, "embed.html" if c.embed else "html"))

    def map_file(self, c: Choice, ext: str) -> str | None:
        return self._rel(map_path(c.area, c.level, c.lang, ext)) if published_view(c) and ext != "png" else None

    def search(self, lang: str) -> str:
        return self._rel(search_path(lang))

    def releases(self, lang: str) -> str:
        return self._rel(releases_path(lang))

    def dashboard(self, c: Choice) -> str | None:
        return f"{self.origin}{self.base}/Peta_cakupan?{c.query()}" if self.origin else None

    def absolute(self, href: str) -> str:
        return href

    site_url: str = ""  # where the published site is served (the `site_url` setting), if anywhere
    accessed = None  # a release's page cites the release's own date (it never changes)

    def pinned(self, path: str) -> str | None:
        """This page's lasting address: on the published site when it has one, else on the live
        server's /v/r/ route, else none (the citation then names the release without a link)."""
        if self.site_url:
            return f"{self.site_url.rstrip('/')}/r/{self.release}/{path}"
        return f"{self.origin}{self.base}/v/r/{self.release}/{path}" if self.origin else None
