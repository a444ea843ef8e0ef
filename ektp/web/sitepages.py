"""The reader site's routes besides /v/map, answered by `reader.Reader` with its cache and headers:

- `/v/wilayah/<code>` (and `.csv`, `.json`; `?lang=`): an area's page, drawn live;
- `/v/cari?q=…`: search;
- `/v/rilis`: the releases this server keeps;
- `/v/r/<release>/<path>`: a release's file, unchanged forever — from the published folder
  (`site_dir`, written by `make publish`) when it is there, else drawn when `<release>` is the
  served build (the same function the publisher writes with, so the same bytes), else a 404
  that links to the latest figures;
- any other path under /v/: a 404 page with the search box, in the reader's language. /v/ is
  the reader's alone: passed on, a mistyped link (`/v/wilayah/abc`) got Streamlit's app shell,
  whose scripts it then asked for under /v/ and got HTML back: a blank white page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

from ektp.core import settings
from ektp.reader.links import Files, Live
from ektp.reader.page import Request
from ektp.text.i18n import LANGS, t
from ektp.web.answers import Answer
from ektp.web.answers import answer as _answer

#: A kept release answers with this: a pinned page never changes.
IMMUTABLE = "public, max-age=31536000, immutable"
RELEASE_ID = re.compile(r"^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$")
#: Every path a release's layout can have (ektp.reader.links): nothing else is looked up on disk.
RELEASE_PATH = re.compile(
    r"^(?:index\.html|cari\.json|(?:id|en)/(?:cari|rilis)\.html"
    r"|(?:id|en)/wilayah/[0-9.]{2,13}\.(?:html|csv|json)"
    r"|(?:id|en)/peta/[0-9.]{2,13}_(?:province|regency|district)\.(?:html|embed\.html|svg|csv|json))$"
)
AREA = re.compile(r"^wilayah/([0-9.]{2,13})(?:\.(csv|json))?$")


def route(rest: str) -> tuple | None:
    """The route of a path after /v/, or None when it is not one of these."""
    if m := AREA.match(rest):
        return ("area", m.group(1), m.group(2) or "html")
    if rest in ("cari", "rilis"):
        return (rest,)
    if rest.startswith("r/"):
        rid, _, path = rest[2:].partition("/")
        return ("pinned", rid, path)
    return ("missing",)


def depends_on(r: tuple, query: str) -> tuple | None:
    """What an answer of route `r` depends on besides the build and the day, for the reader's
    cache: an area page on its language; the release list on its language and the releases kept;
    a pinned file on nothing else (its query is ignored); a search is never kept (None: each
    reader's words are their own, and kept they would push the pages out)."""
    if r[0] == "cari":
        return None
    if r[0] == "rilis":
        return (_lang(query), tuple(kept_releases()))
    if r[0] == "pinned":
        return ()
    return (_lang(query),)


def _lang(query: str) -> str:
    lang = (parse_qs(query).get("lang") or [settings.default_lang()])[0]
    return lang if lang in LANGS else settings.default_lang()


def _type(ext: str) -> str:
    from ektp.reader.site import TYPES

    return TYPES[ext]


def kept_releases() -> list[str]:
    """The releases published into `site_dir` (each a folder r/<release>/)."""
    root = settings.path("site_dir") / "r"
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if RELEASE_ID.match(p.name) and p.is_dir()), reverse=True)


def render(r: tuple, query: str, origin: str, base: str) -> Answer:
    """The answer of one of these routes (see the module doc)."""
    from ektp.mapview.area import area_view
    from ektp.reader import area, site

    live = Request(origin, base).to  # the page module's own live links (release, today)
    rid = live.release
    lang = _lang(query)
    if r[0] == "missing":
        return _missing(live, lang, 404, t("reader_no_page", lang))
    if r[0] == "area":
        a = area_view(r[1], lang)
        if a is None:
            return _missing(live, lang, 404, t("area_unknown", lang, code=r[1]))
        body = {
            "html": lambda: area.area_page(a, live),
            "csv": lambda: area.area_csv(a),
            "json": lambda: area.area_json(a, live),
        }[r[2]]()
        name = f"wilayah_{r[1]}_{rid}.{r[2]}" if r[2] != "html" else ""
        return _answer(200, r[2] if r[2] != "html" else "html", _type(r[2]), body, name)
    if r[0] == "cari":
        q = (parse_qs(query).get("q") or [""])[0][:100]
        return _answer(200, "html", _type("html"), site.search_page(q, lang, live))
    if r[0] == "rilis":
        kept = dict.fromkeys([*kept_releases(), rid])
        entries = [(k, live.base + f"/v/r/{k}/{lang}/wilayah/00.html") for k in kept]
        return _answer(200, "html", _type("html"), site.releases_page(live, entries, lang, rid))
    _, want, path = r
    lang = path.split("/", 1)[0] if path.split("/", 1)[0] in LANGS else lang  # a release's page says its language
    if not RELEASE_ID.match(want) or not RELEASE_PATH.match(path):
        return _missing(live, lang, 404)
    ext = path.rpartition(".")[2]
    kept = settings.path("site_dir") / "r" / want / path
    if kept.is_file() and _inside(kept, settings.path("site_dir")):
        return _pinned(_answer(200, ext if ext != "html" else "html", _type(ext), kept.read_bytes()))
    if want == rid:
        body = site.file(path, files_links(path, rid))
        if body is not None:
            return _pinned(_answer(200, ext if ext != "html" else "html", _type(ext), body))
    known = want == rid or want in kept_releases()
    return _missing(live, lang, 404, t("release_no_page" if known else "release_missing", lang))


def files_links(path: str, rid: str) -> Files:
    """The links of a release's file, the publisher's and the live /v/r/ route's alike (so both
    make the same bytes): relative within the release; its lasting address on `site_url`, else
    on `public_url`'s /v/r/ route, else none (never this machine's own name)."""
    return Files(path, rid, settings.get("public_url").strip().rstrip("/"), "", settings.get("site_url"))


def _inside(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _pinned(a: Answer) -> Answer:
    return Answer(a.status, a.content_type, a.body, a.etag, a.kind, a.filename, a.br, a.gz, IMMUTABLE)


def _missing(live: Live, lang: str, status: int, said: str | None = None) -> Answer:
    from ektp.reader import chrome
    from ektp.reader.page import document

    _e = chrome.escape
    home = live.area("00", lang)
    head = t("reader_not_found", lang)
    body = (
        chrome.header(live, lang, [])
        + f'<h1>{_e(head)}</h1><p>{_e(said or "")}</p><p><a href="{_e(home)}">{_e(t("national", lang))}</a></p>'
    )
    return _answer(status, "html", _type("html"), document(lang, f"{head} · e-KTP", "", body))
