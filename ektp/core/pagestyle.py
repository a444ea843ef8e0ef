"""The app's own page style, in one place: `ui.setup` sends it with every script run, and
`asgi.py` writes it into Streamlit's HTML shell (ektp/web/pageshell.py), so it holds from the
first paint."""

#: Captions in a grey with 7:1 contrast on white (Streamlit's #828180 gives 3.9:1: Lighthouse
#: and WCAG AA ask 4.5:1 for 14 px text); the script-only elements (map geometry loader,
#: chart-sentence linker) take no room (hidden once drawn, they had moved the map up twice);
#: on a phone a little more width and columns stacked.
PAGE_CSS = (
    "[data-testid='stCaptionContainer'],.stCaption,[data-testid='stCaptionContainer'] p"
    "{color:#595959 !important;opacity:1 !important;}"
    "[class*='st-key-ektp_hidden_']{display:none}"
    # ui.small_table: a short static table in plain HTML; in a narrow place (a phone, a column of
    # the page) a card per row, as its own width decides (a container query)
    ".ektp-small-table{container-type:inline-size}"
    ".ektp-small-table table{border-collapse:collapse;font-size:.875rem;width:100%}"
    ".ektp-small-table th,.ektp-small-table td{text-align:left;vertical-align:top;padding:.35rem .5rem;"
    "border-bottom:1px solid rgba(49,51,63,.2);overflow-wrap:break-word}"
    ".ektp-small-table .num{text-align:right;white-space:nowrap}"
    "@container (max-width: 40rem){.ektp-small-table thead{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0)}"
    " .ektp-small-table table,.ektp-small-table tbody,.ektp-small-table tr,.ektp-small-table td{display:block}"
    " .ektp-small-table tr{border-bottom:1px solid rgba(49,51,63,.2);padding:.35rem 0}"
    " .ektp-small-table td,.ektp-small-table .num{border:0;padding:.1rem 0;text-align:left;white-space:normal}"
    " .ektp-small-table td::before{content:attr(data-label) ': ';color:#595959}}"
    "@media (max-width: 640px){.block-container{padding-left:0.4rem !important;padding-right:0.4rem !important;}"
    " [data-testid='stHorizontalBlock']{flex-wrap:wrap;}"
    " [data-testid='stHorizontalBlock']>div{min-width:100% !important;}}"
)

#: The sidebar's open button drawn as a text arrow: its icon was the only glyph of Streamlit's
#: icon font on a page's first screen (fetched before the page's own content on a slow phone
#: link). The icon's ligature text is not displayed at all (at font size 0 a checker still read
#: "keyboard_double_arrow_right" as the button's visible words, which its name "Expand sidebar"
#: must contain); the arrow is drawn after it.
SHELL_CSS = (
    "[data-testid='stExpandSidebarButton'] [data-testid='stIconMaterial']{display:none !important}"
    "[data-testid='stExpandSidebarButton']>span::after"
    "{content:'\\00BB';font-size:1.5rem;line-height:1;font-family:sans-serif}"
    # the map page's first view (ektp.reader.page.first_view), over the app (hidden meanwhile)
    # until the app's map is drawn (ektp.web.pageshell, ektp/ui/svgmap.js)
    "#ektp-cover{position:absolute;top:0;left:0;right:0;min-height:100%;background:#fff;z-index:999990}"
    "#ektp-cover~#root{visibility:hidden}"
    "#ektp-first{max-width:46rem;margin:0 auto;padding:3.5rem 1rem 1rem;color:#111;"
    "font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}"
    "#ektp-first h1{font-size:1.3rem;line-height:1.25;margin:.5rem 0}"
    "#ektp-first .ektp-first-lede{font-size:1.05rem;margin:.25rem 0 .75rem}"
    "#ektp-first figure{margin:0}"
    "#ektp-first img{display:block;width:100%;height:auto;max-height:70vh;object-fit:contain}"
    "#ektp-first .legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem}"
    "#ektp-first .legend svg{vertical-align:-2px;margin-right:.3rem}"
    "#ektp-first figcaption,.ektp-first-status{font-size:.85rem;color:#333;overflow-wrap:anywhere}"
    ".ektp-first-status{background:#f0f2f6;padding:.4rem .6rem;border-radius:.4rem}"
    "#ektp-first a{color:#1a56a6}"
)

#: The map page's map element (its key; `.st-key-map_svg` in the page).
MAP_KEY = "map_svg"
#: The least room the words around a map take (title, tip, hint, legend, source) by the page's
#: width, under what was measured in Chromium (2026-12-07: 320 px 24–37rem, 412 px 21–32rem,
#: 800 px 16–22rem, 1280 px 12–18rem).
_WORDS_REM = ((360, 22), (640, 19), (1000, 15), (None, 11))


def map_room_css(key: str, width: int, height: int) -> str:
    """The map's place kept before its script draws it (the element is empty until then, and the
    ranking and notes under it were pushed a screen down: layout shift 0.24–0.27 on a phone): a
    minimum height of the map at the column's width (its aspect, capped at 78vh as drawn) plus
    the least room its words take. Under the drawn height, it changes nothing once drawn.
    The map page's shell carries it for the first view (a style-only st.html applies only once
    Streamlit's HTML renderer has loaded, with the map's own script); ektp.ui.svgmap adds it for
    each view after."""
    sel = f".st-key-{key}"
    rules = [f"[data-testid='stVerticalBlock']:has(> {sel}){{container-type:inline-size}}"]
    low = 0
    for top, rem in _WORDS_REM:
        media = f"(min-width:{low + 1}px)" + (f" and (max-width:{top}px)" if top else "")
        rules.append(f"@media {media}{{{sel}{{min-height:calc(min(100cqw * {height} / {width}, 78vh) + {rem}rem)}}}}")
        low = top or low
    return "".join(rules)
