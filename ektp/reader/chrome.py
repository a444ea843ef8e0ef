"""What every reader page has around its content: the way back up (a breadcrumb), the search
box (a plain GET form on the server; on a published site, a link to its A–Z index), the other
language and the releases. Pure: links (ektp.reader.links) and words in, HTML out."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ektp.text.i18n import LANGS, t


def escape(text: object) -> str:
    """Text as HTML, quotes included (it goes into attributes too): every reader page's words."""
    return html.escape(str(text), quote=True)


_e = escape


def other_lang(lang: str) -> str:
    return next(x for x in LANGS if x != lang)


def header(
    links: object, lang: str, crumbs: Sequence[tuple[str, str]], here: str | None = None, query: str = ""
) -> str:
    """The breadcrumb (Indonesia › … › this page's name, `here`) and the search box, holding the
    words searched (`query`) on the search page, so a reader mends a typo instead of retyping."""
    trail = [f'<li><a href="{_e(links.area(code, lang))}">{_e(name)}</a></li>' for code, name in crumbs]
    if here:
        trail.append(f'<li aria-current="page">{_e(here)}</li>')
    nav = (
        f'<nav class="crumbs" aria-label="{_e(t("breadcrumb", lang))}"><ol>{"".join(trail)}</ol></nav>' if trail else ""
    )
    if links.static:
        find = f'<p class="find"><a href="{_e(links.search(lang))}">{_e(t("search_static", lang))}</a></p>'
    else:
        action = links.search(lang)
        hidden = "" if "lang=" not in action else f'<input type="hidden" name="lang" value="{_e(lang)}">'
        find = (
            f'<form class="find" role="search" method="get" action="{_e(action.split("?")[0])}">'
            f'<label for="q">{_e(t("search_label", lang))}</label> '
            f'<input id="q" name="q" type="search" autocomplete="off" maxlength="100" size="18"'
            f' placeholder="{_e(t("search_placeholder", lang))}" value="{_e(query[:100])}">{hidden} '
            f'<button type="submit">{_e(t("search_button", lang))}</button></form>'
        )
    return f"<header>{nav}{find}</header>"


def footer(links: object, lang: str) -> str:
    return (
        f'<footer class="small"><p><a href="{_e(links.releases(lang))}">{_e(t("release_head", lang))}</a></p>'
        f"<p>{_e(t('reader_boundaries', lang))} {_e(t('codes_licence', lang))}</p></footer>"
    )


def lang_link(href: str | None, lang: str) -> str:
    """A link to the same page in the other language."""
    if not href:
        return ""
    other = other_lang(lang)
    return f'<a href="{_e(href)}" hreflang="{other}" lang="{other}">{_e(t("reader_other_lang", lang))}</a>'


def citation(
    to: object, lang: str, title: str, path: str | None, latest: str | None, built: object, here: str | None = None
) -> str:
    """The citation of a page: publisher, title, release, the day it was read (a release's page:
    the release's own date) and its lasting address (`path` in the release, when the page is one
    of its files), else the live one (`here`: the view as read, its date in it; else `latest`);
    "always the latest" (`latest`: no date) beside it."""
    from ektp.core import settings
    from ektp.text import fmt

    pinned = to.pinned(path) if path else None
    when = to.accessed or built
    line = t(
        # a release's file never changes, so it cannot know the day it is read: it names the
        # release's date as such (it said "accessed" on the day it was built)
        "cite_area" if to.accessed else "cite_release",
        lang,
        publisher=settings.get("publisher"),
        title=title,
        release=to.release or "–",
        date=fmt.date(when, lang),
        url=pinned or here or latest or "",
    )
    out = [f'<h2>{_e(t("reader_cite_head", lang))}</h2><p class="small cite">{_e(line)}</p><ul class="small">']
    if pinned:
        out.append(f'<li>{_e(t("cite_pinned", lang))}: <a href="{_e(pinned)}">{_e(pinned)}</a></li>')
    if latest:
        out.append(f'<li>{_e(t("cite_always", lang))}: <a href="{_e(latest)}">{_e(latest)}</a></li>')
    out.append("</ul>")
    return "".join(out)
