"""The reader site: every page of a release by its path, the search page and the release list.

`file(path, links)` draws one file of a release's layout (ektp.reader.links: area pages, map
views, their files, the search index, the release list); the publisher writes every path that
`paths()` lists, and the live server draws the same function for `/v/r/<release>/<path>`, so
a pinned page is the same bytes from either. Pure over the served build.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace

from ektp.data import areadata
from ektp.data.geo import LEVELS_UNDER
from ektp.reader import chrome
from ektp.reader.chrome import escape as _e
from ektp.reader.links import INDEX_PATH, SEARCH_INDEX, Files, area_path, map_path, releases_path, search_path
from ektp.reader.page import document
from ektp.text import fmt
from ektp.text.i18n import LANGS, t

TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
}


def paths() -> Iterator[str]:
    """Every file of the current release, parents before their children (so that each map view
    is drawn once and kept while its units' pages are written)."""
    f = areadata.facts()
    yield INDEX_PATH
    yield SEARCH_INDEX
    order = ["00"]
    i = 0
    while i < len(order):
        order.extend(f.children.get(order[i], ()))
        i += 1
    for lang in LANGS:
        yield search_path(lang)
        yield releases_path(lang)
    for code in order:
        for lang in LANGS:
            for ext in ("html", "csv", "json"):
                yield area_path(code, lang, ext)
            for level in LEVELS_UNDER.get(f.units[code].level, ()):
                for ext in ("html", "embed.html", "svg", "csv", "json"):
                    yield map_path(code, level, lang, ext)


def file(path: str, to: Files) -> bytes | None:
    """The bytes of one file of the release's layout, or None for a path it does not have."""
    from ektp.mapview.area import area_view, map_of
    from ektp.reader import area, page

    if path == INDEX_PATH:
        return _index(to)
    for lang in LANGS:  # a release's own list names only itself (its files never change)
        if path == releases_path(lang):
            return releases_page(to, [(to.release, "wilayah/00.html")], lang, to.release)
    if path == SEARCH_INDEX:
        return search_index()
    parts = path.split("/")
    if len(parts) == 2 and parts[0] in LANGS and parts[1] == "cari.html":
        return az_page(parts[0], to)
    if len(parts) != 3 or parts[0] not in LANGS:
        return None
    lang, kind, name = parts
    stem, _, ext = name.rpartition(".")
    if kind == "wilayah" and ext in ("html", "csv", "json"):
        a = area_view(stem, lang)
        if a is None:
            return None
        return {"html": area.area_page, "csv": lambda a, _: area.area_csv(a), "json": area.area_json}[ext](a, to)
    embed = stem.endswith(".embed") and ext == "html"
    stem = stem.removesuffix(".embed") if embed else stem
    if kind == "peta" and ext in ("html", "svg", "csv", "json") and "_" in stem:
        code, level = stem.rsplit("_", 1)
        d = map_of(code, level, lang) if areadata.facts().units.get(code) else None
        if d is None:
            return None
        req = page.Request(to.origin, to.base, (), to)
        return {
            "html": lambda: page.page(d, replace(d.choice, embed=embed), req),
            "svg": lambda: page.standalone_svg(d).encode("utf-8"),
            "csv": lambda: page.csv(d),
            "json": lambda: page.as_json(d, req),
        }[ext]()
    return None


def _index(to: Files) -> bytes:
    """The site's front door: the national page in each language."""
    links = " · ".join(
        f'<a href="{_e(area_path("00", lg))}" lang="{lg}">{_e(t("area_title", lg, name=t("national", lg)))}</a>'
        for lg in LANGS
    )
    return document(LANGS[0], "e-KTP", "", f"<h1>e-KTP</h1><p>{links}</p>{chrome.footer(to, LANGS[0])}")


def search_index() -> bytes:
    """Every unit's code, name, level and parent, and the alias and former names it is known by
    (a small file for a published site's own search box, if it adds one)."""
    from ektp.analysis import search

    f = areadata.facts()
    aliases = search.aliases()
    for code, olds in f.former.items():
        aliases.setdefault(code, []).extend(o.name for o in olds)
    rows = [
        [u.code, u.name, u.level, u.parent or "", sorted(set(aliases.get(u.code, [])))]
        for u in f.units.values()
        if u.code != "00"
    ]
    return json.dumps({"fields": ["code", "name", "level", "parent", "also"], "units": rows}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")  # fmt: skip


def az_page(lang: str, to: object) -> bytes:
    """A published site's search page: every province and regency/city A–Z (a district is one
    link further, on its regency's page), with the names they are also known by."""
    from ektp.analysis import search

    f = areadata.facts()
    also = search.aliases()
    units = sorted(
        (u for u in f.units.values() if u.level in ("province", "regency")),
        key=lambda u: search.normalise(u.name)[0],
    )
    items = []
    for u in units:
        parent = f.units.get(u.parent or "")
        where = f" · {parent.name}" if parent and parent.code != "00" else ""
        extra = f" ({_e(', '.join(also[u.code]))})" if u.code in also else ""
        items.append(f'<li><a href="{_e(to.area(u.code, lang))}">{_e(u.name)}</a>{_e(where)}{extra}</li>')
    body = (
        chrome.header(to, lang, [("00", t("national", lang))], t("search_head", lang))
        + f"<h1>{_e(t('search_index', lang))}</h1><ul>{''.join(items)}</ul>"
        + chrome.footer(to, lang)
    )
    return document(lang, t("search_head", lang), "", body)


def search_page(q: str, lang: str, to: object) -> bytes:
    """The live reader's search: the areas the words name, each a link to its page."""
    from ektp.analysis import search

    hits = search.search(q) if q else []
    out = [chrome.header(to, lang, [("00", t("national", lang))], t("search_head", lang), query=q)]
    out.append(f"<h1>{_e(t('search_head', lang))}</h1>")
    if q:
        key = ("search_results_one" if len(hits) == 1 else "search_results") if hits else "search_none"
        out.append(f'<p role="status">{_e(t(key, lang, n=fmt.num(len(hits), lang), q=q))}</p>')
    else:  # nothing typed yet (or only spaces): what to type
        out.append(f"<p>{_e(t('search_hint', lang))}</p>")
    items = []
    for h in hits:
        where = " · ".join([t("level_" + h.level, lang), *h.parents])
        said = ""
        if h.said_kind == "alias":
            said = f" · {t('search_alias', lang, alias=h.said)}"
        elif h.said_kind == "former":
            said = f" · {t('search_former', lang, name=h.said)}"
        items.append(
            f'<li><a href="{_e(to.area(h.code, lang))}">{_e(h.name)}</a> <span class="small">{_e(where + said)}</span></li>'
        )
    if items:
        out.append(f'<ol class="cards">{"".join(items)}</ol>')
    out.append(chrome.footer(to, lang))
    return document(lang, t("search_head", lang), '<meta name="robots" content="noindex">', "".join(out))


def releases_page(to: object, entries: list[tuple[str, str]], lang: str, latest_id: str | None) -> bytes:
    """Releases as (id, address of its national page), newest first; `latest_id` is the one
    served as the latest. A release's own files list only itself (they never change); the
    site's root and the live server list every kept one."""
    rows = []
    for rid, href in sorted(entries, reverse=True):
        latest = f" ({_e(t('release_latest', lang))})" if rid == latest_id else ""
        built = fmt.date(dt.date.fromisoformat(rid[:10]), lang)  # the page's language, not ISO
        rows.append(f'<li><a href="{_e(href)}">{_e(t("release_row", lang, id=rid, date=built))}</a>{latest}</li>')
    body = (
        chrome.header(to, lang, [("00", t("national", lang))], t("release_head", lang))
        + f"<h1>{_e(t('release_head', lang))}</h1><p>{_e(t('release_intro', lang))}</p>"
        + (f"<ul>{''.join(rows)}</ul>" if rows else f"<p>{_e(t('release_none', lang))}</p>")
        + chrome.footer(to, lang)
    )
    return document(lang, t("release_head", lang), "", body)
