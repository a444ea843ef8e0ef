"""A reader view in its five forms: the HTML page (no script, no websocket: the map inline as
SVG), the standalone SVG, the PNG (resvg, no browser), the CSV and the JSON.

Pure: a `Drawn` in, bytes out. The page is built for a phone on a slow link (one request,
~10–60 KB compressed), for print, and for an `<iframe>` in an article (`embed=1`: the map, its
legend and source only).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import quote

from ektp.core import spreadsheet
from ektp.core.pagestyle import MAP_KEY, map_room_css
from ektp.mapview import svg
from ektp.reader.chrome import escape as _e
from ektp.reader.chrome import other_lang
from ektp.text import fmt
from ektp.text.i18n import t

if TYPE_CHECKING:
    from ektp.mapview.model import Drawn
    from ektp.mapview.url import Choice

#: The HTML ranking lists at most this many units (all 7,285 districts would be ~1.5 MB); the
#: CSV and JSON have every unit.
TABLE_ROWS = 600

#: The dashboard's map page, relative to /v/ (Streamlit serves pages/1_Peta_cakupan.py there).
DASHBOARD = "../Peta_cakupan"

CSS = """
:root{color-scheme:light}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#111;background:#fff}
main{max-width:60rem;margin:0 auto;padding:.75rem}
h1{font-size:1.3rem;line-height:1.25;margin:.25rem 0 .5rem}
p,li,h1{overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:1.25rem 0 .4rem}
.lede{font-size:1.05rem;margin:.25rem 0 .75rem}
.notice{background:#fff4ce;border-left:4px solid #b35806;padding:.4rem .6rem}
figure{margin:0}
figure>svg{display:block;width:100%;height:auto;max-height:75vh}
.legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem}
.legend svg{vertical-align:-2px;margin-right:.3rem}
.small,figcaption{font-size:.85rem;color:#333;overflow-wrap:anywhere}
.links a{margin-right:.6rem;white-space:nowrap}
a{color:#1a56a6}
.table{overflow-x:auto}
table{border-collapse:collapse;font-size:.88rem;width:100%}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #ddd;vertical-align:top}
td.n{text-align:right;white-space:nowrap}
pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:.5rem;font-size:.8rem}
@media (max-width:30rem){figure>svg .labels,.labelkey{display:none}}
body.embed main{display:flex;flex-direction:column;height:100vh;box-sizing:border-box;padding:.5rem}
body.embed figure{flex:1 1 auto;min-height:0;display:flex;flex-direction:column}
body.embed figure>svg{flex:1 1 auto;min-height:0;max-height:none;height:100%}
header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;justify-content:space-between;font-size:.9rem}
.crumbs ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap}
.crumbs li+li:before{content:"›";padding:0 .35rem;color:#666}
.find{margin:.25rem 0}.find input{font:inherit;font-size:16px;max-width:11rem}.find button{font:inherit}
.find label{position:absolute;left:-9999px}
figure a path:hover,figure a:focus path{stroke:#111;stroke-width:2}
.figs td:first-child:not(.small){font-weight:600}.figs td.small{border-bottom:2px solid #bbb;padding-bottom:.5rem}
.cards{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.35rem}
.cards li{border:1px solid #ddd;border-radius:4px;padding:.35rem .5rem}
.cards .n{float:right;font-variant-numeric:tabular-nums}
.trend svg{width:100%;height:auto;max-width:40rem}
.locator svg{width:100%;height:auto;max-width:22rem;max-height:18rem}
@media (max-width:40rem){.rank table,.rank thead,.rank tbody,.rank tr,.rank th,.rank td{display:block}
.rank thead{display:none}.rank tr{border-bottom:1px solid #bbb;padding:.3rem 0}.rank th,.rank td{border:0;padding:.05rem 0;text-align:left}
.rank td:before{content:attr(data-h) ": ";color:#555}.rank td.n{text-align:left}}
@media print{.links,.embed,.notice,.find{display:none}a{color:#111;text-decoration:none}figure{break-inside:avoid}}
""".strip()
#: The page's only style, allowed by its hash (the Content-Security-Policy forbids any other).
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
#: Reader pages load nothing but themselves; they may be framed by any site (they are embeds).
CSP_PAGE = (
    f"default-src 'none'; style-src '{CSS_HASH}'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors *"
)
CSP_FILE = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"


@dataclass(frozen=True)
class Request:
    """What a page needs to know of its request: the address readers reach it at (for the embed
    snippet and the citation) and the parameters that fell back to the default."""

    origin: str  # the `public_url` setting, else this machine (ektp.web.guard.origin): never the request's Host
    base: str  # path up to /v/, e.g. '' or '/ektp'
    notices: tuple[str, ...] = ()
    links: object = None  # ektp.reader.links.Live or Files; None: the live reader at origin + base

    @property
    def to(self) -> object:
        """Where this page's links point (ektp.reader.links)."""
        if self.links is not None:
            return self.links
        import datetime as dt

        from ektp.core.settings import default_lang
        from ektp.data.areadata import release_id
        from ektp.reader.links import Live

        return Live(self.origin, self.base, default_lang(), release_id(), dt.date.today())


def _md(text: str) -> str:
    """Our own markdown lines (`**bold**` only, texts escaped when written) as HTML."""
    parts = text.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def notes(d: Drawn) -> list[str]:
    """The lines under a map file: source and date, marker, licences."""
    lg = d.choice.lang
    marker = "" if d.marker and d.marker in d.source_line else d.marker  # said once
    key = t("label_key", lg, units=d.label_key) if d.label_key else ""
    symbols = t("symbol_key", lg) if d.sizes else ""  # what a circle stands for, on a map of counts
    return [x for x in (symbols, key, d.source_line, marker, t("reader_boundaries", lg), t("codes_licence", lg)) if x]


def standalone_svg(d: Drawn) -> str:
    """The `.svg` file (and the source of the `.png`): the figure whole, as the app exports it."""
    if d.projected is None:
        empty = svg.Projected(640, 40, {}, (0.0, 0.0, 1.0, 1.0), 1.0)
        return svg.standalone_svg(empty, "", d.title, t("reader_maps_off", d.choice.lang), (), notes(d))
    return svg.standalone_svg(d.projected, d.map_body(), d.title, d.sentence, d.legend, notes(d), d.sizes)


def png(d: Drawn) -> bytes:
    """The standalone SVG rasterised (svg.rasterised: resvg, no browser)."""
    return svg.rasterised(standalone_svg(d))


def map_file(choice: Choice, kind: str) -> bytes:
    """A view's SVG or PNG as `/v/map.svg`/`.png` serve it, or that SVG as a page of its own
    (html): the app's map download buttons use this, so every file of a map is the view model's
    drawing and none starts a browser, on either instance."""
    from ektp.mapview.model import gather

    drawn = gather(choice)
    if drawn is None:
        raise ValueError(f"no figures for {choice}")
    return svg.figure_file(standalone_svg(drawn), drawn.title, choice.lang, kind)


def csv(d: Drawn) -> bytes:
    return spreadsheet.csv_bytes(d.data)  # the public file: nothing from an office's file runs


def as_json(d: Drawn, req: Request) -> bytes:
    """The data the map draws with what the page says about it: title, sentence, sources,
    classes, every unit, the view's parameters and its links."""
    c = d.choice

    def plain(v: object) -> object:
        return v.isoformat() if isinstance(v, dt.date) else v

    doc = {
        "title": d.title,
        "sentence": d.sentence,
        "source_line": d.source_line,
        "marker": d.marker,
        "published_bands": d.published.replace("**", "") if d.published else None,
        "licence": [t("reader_boundaries", c.lang), t("codes_licence", c.lang)],
        "view": c.params(),
        "links": {"page": _url(req, c), "dashboard": f"{req.origin}{req.base}/Peta_cakupan?{c.query()}"},
        "classes": [{"label": e.label, "colour": e.colour, "units": e.count, "outline": e.outline} for e in d.legend],
        "units": [{k: plain(v) for k, v in r.items()} for r in d.data.to_dicts()],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _url(req: Request, c: Choice, suffix: str = "", **extra: object) -> str:
    return f"{req.origin}{req.base}/v/map{suffix}?{c.query(**extra)}"


def legend_html(d: Drawn) -> str:
    """The view's legend as the reader page and the app's map draw it (mapview.svg.legend_html)."""
    return svg.legend_html(d.legend, d.label_key, d.choice.lang, d.sizes)


def _table_html(d: Drawn, to: object) -> str:
    """The ranking: a table on a wide screen, a card a unit on a phone (CSS), each name a link to
    its area page."""
    lg = d.choice.lang
    numeric = {1} if d.choice.compare is None else {2, 3, 4}
    at = 3 if d.choice.compare is None else 1  # the code's column
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in d.table_head)
    body = []
    for row in d.table[:TABLE_ROWS]:
        name = f'<a href="{_e(to.area(row[at], lg))}">{_e(row[0])}</a>'
        cells = [
            f'<th scope="row">{name}</th>'
            if i == 0
            else f'<td data-h="{_e(d.table_head[i])}"{" class=n" if i in numeric else ""}>{_e(v)}</td>'
            for i, v in enumerate(row)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    capped = ""
    if len(d.table) > TABLE_ROWS:
        capped = f'<p class="small">{_e(t("reader_table_capped", lg, shown=fmt.num(TABLE_ROWS, lg), total=fmt.num(len(d.table), lg)))}</p>'
    return f'<div class="table rank"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{capped}'


def _files_html(d: Drawn, to: object) -> str:
    c = d.choice
    kinds = [(k, to.map_file(c, k)) for k in ("png", "svg", "csv", "json")]
    links = " ".join(f'<a href="{_e(href)}" download>{k.upper()}</a>' for k, href in kinds if href)
    return f"{_e(t('reader_downloads', c.lang))}: {links}"


def _date_text(c: Choice, lang: str) -> str:
    if c.compare is not None:
        return f"{fmt.date(c.compare, lang)} → {fmt.date(c.as_of, lang)}"
    return fmt.date(c.as_of, lang)


def unit_links(d: Drawn, to: object) -> dict[str, str]:
    """Each unit of a map to its area page."""
    return {code: to.area(code, d.choice.lang) for code in (d.projected.paths if d.projected else ())}


def page(d: Drawn | None, choice: Choice, req: Request) -> bytes:
    """The reader page (or, with `embed=1`, its compact form for an iframe)."""
    from ektp.reader import chrome

    lg = choice.lang
    to = req.to
    other = other_lang(lg)
    notice = (
        f'<p class="notice" role="status">{_e(t("invalid_param", lg, names=", ".join(req.notices)))}</p>'
        if req.notices
        else ""
    )
    dash = to.dashboard(choice)
    if dash is not None and not to.static and not req.base:
        dash = f"{DASHBOARD}?{choice.query()}"  # relative: the page works behind any prefix
    target = ' target="_top"' if choice.embed else ""
    explore = f'<a href="{_e(dash)}"{target}>{_e(t("reader_explore", lg))}</a>' if dash else ""
    if d is None:
        title = t("page_map", lg)
        main = f"<h1>{_e(title)}</h1><p>{_e(t('no_data', lg))}</p><p class='links'>{explore}</p>"
        return document(lg, title, "", notice + main)
    links = unit_links(d, to) if not choice.embed else None
    figure = d.picture(links) if d.projected is not None else f"<p>{_e(t('reader_maps_off', lg))}</p>"
    said = "<br>".join(_e(x) for x in notes(d)[:2])
    caption = f"<figcaption>{said}</figcaption>"
    parts = [
        notice,
        f"<h1>{_e(d.title)}</h1>",
        f'<p class="lede">{_e(d.sentence)}</p>' if d.sentence else "",
        f"<figure>{figure}{legend_html(d)}{caption}</figure>",
    ]
    if choice.embed:
        parts.append(f'<p class="small links">{explore}</p>')
        return document(lg, d.title, _preview_meta(d, choice, req), "".join(parts), embed=True)
    from ektp.mapview.area import trail

    parts.insert(0, chrome.header(to, lg, trail(choice.area, lg)))
    if d.published:
        parts.append(f'<p class="small">{_md(d.published)}</p>')
    switch = chrome.lang_link(to.map(choice, lang=other), lg)
    parts.append(f'<p class="links">{explore} {switch}</p><p class="links small">{_files_html(d, to)}</p>')
    parts.append(f"<h2>{_e(t('ranking', lg))}</h2>{_table_html(d, to)}")
    from ektp.data.areadata import built_date
    from ektp.reader.links import published_view, view_path

    in_release = published_view(choice)  # only a release's default views are its files
    # "always the latest": the view with no date, so it opens on the newest figures as they come;
    # cited without a release, the view is named with its date (what the reader read)
    latest = _url(req, choice, date="") if not to.static else None
    here = _url(req, choice) if not to.static else None
    title = f"{d.title} ({_date_text(choice, lg)})"  # the figures' date in the cited title
    parts.append(chrome.citation(to, lg, title, view_path(choice) if in_release else None, latest, built_date(), here))
    frames = []  # the embed snippet: always the latest figures, or this release's
    if latest:
        frames.append((t("cite_always", lg), _url(req, choice, date="", embed=1)))
    pinned = to.pinned(view_path(replace(choice, embed=True))) if in_release else None
    if pinned:
        frames.append((t("cite_pinned", lg), pinned))
    if frames:
        frame_title = t("reader_embed_title", lg, title=d.title)
        help_key = "reader_embed_help_two" if len(frames) == 2 else "reader_embed_help"
        snippets = "".join(
            f'<p class="small">{_e(label)}</p><pre><code>'
            + _e(
                f'<iframe src="{_e(src)}" title="{_e(frame_title)}" width="100%" height="{embed_height(d)}" '
                'loading="lazy" style="border:0"></iframe>'
            )
            + "</code></pre>"
            for label, src in frames
        )
        parts.append(
            f'<section class="embed"><h2>{_e(t("reader_embed_head", lg))}</h2><p class="small">{_e(t(help_key, lg))}</p>'
            f"{snippets}</section>"
        )
    parts.append(chrome.footer(to, lg))
    meta = _preview_meta(d, choice, req) if not to.static else ""
    return document(lg, d.title, meta, "".join(parts))


#: Between the head part and the body part of a first view (one cached answer, two places).
FIRST_SPLIT = b"\n<!-- ektp-first -->\n"
#: A first view's map image at most this long (the 514 regencies are ~220 KB, 32 KB gzipped;
#: the 7,285 districts ~1 MB, too slow to draw on a phone before the app's own map).
FIRST_IMAGE_MAX = 512 * 1024


def _preview_meta(d: Drawn, choice: Choice, req: Request) -> str:
    """The view named for link previews (a chat app or social site shows the title, the
    sentence and the map's PNG): description, Open Graph and Twitter card tags."""
    said = _e(d.sentence) if d.sentence else ""
    return (
        (f'<meta name="description" content="{said}">' if said else "")
        + f'<meta property="og:title" content="{_e(d.title)}">'
        + (f'<meta property="og:description" content="{said}">' if said else "")
        + f'<meta property="og:image" content="{_e(_url(req, choice, ".png"))}">'
        + '<meta name="twitter:card" content="summary_large_image">'
    )


def first_view(d: Drawn | None, choice: Choice, req: Request) -> bytes:
    """The map page's first screen, written into Streamlit's HTML shell (ektp.web.pageshell): on a
    phone on a slow link the interactive page needs seconds of script before it draws, so the
    view's title, sentence, map (an image of the same SVG the reader page inlines), legend and
    source come with the HTML itself, with a link to the light page. React replaces it when the
    app mounts. The head part names the view for link previews (title, description, image).

    Returns head + FIRST_SPLIT + body; empty when the view has no figures."""
    if d is None:
        return b""
    lg = choice.lang
    light = f"{req.base}/v/map?{choice.query()}"
    head = f"<title>{_e(d.title)}</title>{_preview_meta(d, choice, req)}"
    if d.projected is not None:  # the app's map takes its place without pushing what is under it
        head += f"<style>{map_room_css(MAP_KEY, d.projected.width + 8, d.projected.height + 8)}</style>"
    figure = ""
    image = svg.inline_svg(d.projected, d.map_body(), d.title) if d.projected is not None else ""
    if d.projected is not None and len(image) <= FIRST_IMAGE_MAX:  # else: text and legend only
        # percent-encoded (not base64): the page's gzip then packs it as well as the SVG itself
        src = "data:image/svg+xml," + quote(image, safe="=:/;,.-_()'")
        w, h = d.projected.width + 8, d.projected.height + 8
        figure = f'<img src="{src}" width="{w}" height="{h}" alt="{_e(t("reader_embed_title", lg, title=d.title))}" fetchpriority="high">'
    said = "<br>".join(_e(x) for x in notes(d)[:2])
    body = (
        f'<div id="ektp-first" lang="{lg}">'
        f'<p class="ektp-first-status" role="status">{_e(t("first_loading", lg))} '
        f'<a href="{_e(light)}">{_e(t("first_light", lg))}</a></p>'
        f"<h1>{_e(d.title)}</h1>"
        + (f'<p class="ektp-first-lede">{_e(d.sentence)}</p>' if d.sentence else "")
        + f"<figure>{figure}{legend_html(d)}<figcaption>{said}</figcaption></figure></div>"
    )
    return head.encode() + FIRST_SPLIT + body.encode()


def document(lang: str, title: str, meta: str, body: str, embed: bool = False) -> bytes:
    """A whole page; `meta`: tags for its head, already escaped (_preview_meta). An embed is laid
    out to its frame's height: the map takes the room the words leave, so the words (the source
    line above all) are never cut off, whatever the frame's height and width."""
    cls = ' class="embed"' if embed else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title>{meta}<style>{CSS}</style></head>"
        f"<body{cls}><main>{body}</main></body></html>"
    ).encode()


#: An embed's height when no script sizes it: its words at a phone's width (~360 px: ~34
#: characters a line for the title, ~38 for the sentence, a legend class a line) and a map of
#: at least MAP_PX_MIN. Measured in Chromium at 390 and 700 px (tests/browser/test_browser.py).
EMBED_MAP_PX_MIN = 300


def embed_height(d: Drawn) -> int:
    """The iframe height the embed snippet gives this view: its words never cut off."""
    import math

    title = math.ceil(len(d.title) / 30) * 27
    lede = math.ceil(len(d.sentence or "") / 36) * 26
    legend = len(d.legend) * 22
    caption = sum(math.ceil(len(x) / 44) for x in notes(d)[:2]) * 20
    words = 16 + title + 12 + lede + 16 + legend + 16 + caption + 28 + 16
    return int(math.ceil((words + EMBED_MAP_PX_MIN) / 20) * 20)
