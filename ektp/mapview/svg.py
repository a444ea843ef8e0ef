"""A map view as SVG, drawn on the server without a browser: the reader page inlines it, `.svg`
serves it, `.png` is it rasterised by resvg (`reader.png`).

The view's GeoJSON (lng/lat, the same file the app's map loads) is projected once per file
(Web Mercator, as the app's map) into integer coordinates on a canvas `CANVAS` units wide, as
relative path data: the 514 regencies are ~130 KB of path text, ~45 KB compressed. Colouring a
view is then only joining those paths with a fill each. Pure: geometry and classes in, text out.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ektp.core.labels import merc

#: Width of the drawing in SVG units; the height follows the area's shape (Mercator).
CANVAS = 1000
#: A tall area (a regency running north–south) is drawn at most this high, narrower instead.
MAX_HEIGHT = 1100
#: Legend and text of the standalone file: font size, line height and row height in SVG units.
FONT, LINE, ROW = 15, 20, 24
#: Characters per line of the standalone file's title and notes (~0.55 em a character).
WRAP = 110
FONT_FAMILY = "DejaVu Sans, Noto Sans, Arial, Helvetica, sans-serif"
#: The line between two units: white between the classes of one scale, dark (changes.BORDER)
#: on a change map, whose middle class is near white.
BORDER = "#ffffff"
#: A map of counts draws its units in this light fill under circles sized by the count (a
#: choropleth of counts is read as a map of area: a big regency looks worst for its size).
BASE_FILL = "#f1f1f1"
BASE_BORDER = "#b8b8b8"
#: The outline of a unit below the target (the app's map draws the same, #111 at 2 px).
OUTLINE = "#111111"


@dataclass(frozen=True)
class Projected:
    """A view's geometry on the canvas: each unit's path data, and where a lng/lat lands."""

    width: int
    height: int
    paths: dict[str, str]  # code → relative path data ("m x y l dx dy … z")
    bbox: tuple[float, float, float, float]
    scale: float

    def point(self, lng: float, lat: float) -> tuple[float, float]:
        x0, _, _, y1 = self.bbox
        return (lng - x0) * self.scale, (merc(y1) - merc(lat)) * self.scale


def _bbox(features: Sequence[dict]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for f in features:
        for ring in _rings(f.get("geometry") or {}):
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    if not xs:
        return (0.0, 0.0, 1.0, 1.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _rings(geometry: dict) -> Iterable[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        yield from coords
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon


def project(collection: dict) -> Projected:
    """The FeatureCollection (lng/lat, `properties.c` the code) on the canvas. Rings that
    shrink below three distinct points at this scale (a tiny island) are left out."""
    features = collection.get("features", [])
    box = collection.get("bbox")
    bbox = tuple(box) if box and len(box) == 4 else _bbox(features)
    x0, y0, x1, y1 = bbox
    span_x, span_y = max(x1 - x0, 1e-9), max(merc(y1) - merc(y0), 1e-9)
    scale = min(CANVAS / span_x, MAX_HEIGHT / span_y)
    top = merc(y1)
    paths: dict[str, str] = {}
    for f in features:
        parts: list[str] = []
        for ring in _rings(f.get("geometry") or {}):
            pts: list[tuple[int, int]] = []
            for lng, lat, *_ in ring:
                p = (round((lng - x0) * scale), round((top - merc(lat)) * scale))
                if not pts or p != pts[-1]:
                    pts.append(p)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(set(pts)) < 3:
                continue
            steps = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in zip(pts, pts[1:], strict=False)]
            parts.append(f"M{pts[0][0]} {pts[0][1]}l" + " ".join(steps) + "z")
        code = (f.get("properties") or {}).get("c")
        if code and parts:
            paths[code] = paths.get(code, "") + "".join(parts)
    return Projected(round(span_x * scale), round(span_y * scale), paths, bbox, scale)


_cache: OrderedDict[tuple, Projected] = OrderedDict()
_lock = threading.Lock()


def projected(path: Path | str, mtime_ns: int, load: Callable[[], dict]) -> Projected:
    """`project` of a view's file, kept per file identity (a rebuilt file is projected again);
    `load` reads the FeatureCollection (geo.geojson, itself kept once per process)."""
    key = (str(path), mtime_ns)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = project(load())
    with _lock:
        _cache[key] = result
        while len(_cache) > 32:
            _cache.popitem(last=False)
    return result


@dataclass(frozen=True)
class Legend:
    """One legend row: the colour, its words, the units in it, and whether it is the outline."""

    colour: str
    label: str
    count: str
    outline: bool = False


def map_group(
    geo: Projected,
    fills: dict[str, str],
    tips: dict[str, str],
    outlined: Iterable[str] = (),
    labels: Sequence[tuple[float, float, str]] = (),
    no_data: str = "#d9d9d9",
    border: str = BORDER,
    symbols: Sequence[tuple[str, float, float, float]] = (),
    links: dict[str, str] | None = None,
) -> str:
    """The map's shapes (one path per unit, coloured by `fills`, grey without a figure, its
    name and figure as the tooltip `tips`), the outlines of units below the target on top, and
    value labels (x, y on the canvas, text). With `symbols` (code, x, y, radius: a map of counts)
    the units are drawn light and each count is a circle in its class's colour. With `links`
    (code → address: the reader's area pages) each unit is a link, its name the link's text."""
    base = bool(symbols)  # counts: light units under the circles, the circles in the classes' colours
    out = [f'<g stroke="{BASE_BORDER if base else border}" stroke-width="0.6" stroke-linejoin="round">']
    for code, d in geo.paths.items():
        fill = (BASE_FILL if code in fills else no_data) if base else fills.get(code, no_data)
        shape = f'<path data-c="{html.escape(code)}" fill="{fill}" d="{d}"><title>{html.escape(tips.get(code, code))}</title></path>'
        href = links.get(code) if links else None
        out.append(f'<a href="{html.escape(href)}">{shape}</a>' if href else shape)
    out.append("</g>")
    if symbols:  # the largest first, so a small circle stays on top of a large neighbour
        out.append('<g class="symbols" stroke="#666666" stroke-width="0.7" fill-opacity="0.85">')
        for code, x, y, r in sorted(symbols, key=lambda s_: -s_[3]):
            out.append(
                f'<circle data-c="{html.escape(code)}" cx="{x:.0f}" cy="{y:.0f}" r="{r:.1f}" '
                f'fill="{fills.get(code, no_data)}"><title>{html.escape(tips.get(code, code))}</title></circle>'
            )
        out.append("</g>")
    lines = [geo.paths[c] for c in outlined if c in geo.paths]
    if lines:
        out.append(
            f'<path fill="none" stroke="{OUTLINE}" stroke-width="2" stroke-linejoin="round" d="{"".join(lines)}"/>'
        )
    if labels:
        out.append(
            f'<g class="labels" font-family="{FONT_FAMILY}" font-size="13" font-weight="bold" text-anchor="middle" '
            'fill="#111111" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
        )
        for x, y, s in labels:  # a name and its figure on two lines, centred on the point
            parts = s.split("\n")
            top = y + 4 - (len(parts) - 1) * 7
            spans = "".join(
                f'<tspan x="{x:.0f}" y="{top + i * 14:.0f}">{html.escape(p)}</tspan>' for i, p in enumerate(parts)
            )
            out.append(f"<text>{spans}</text>")
        out.append("</g>")
    return "".join(out)


def size_key_svg(sizes: Sequence[tuple[str, float]]) -> str:
    """Reference circles of a map of counts (figure, radius in canvas units, drawn at half scale
    beside the legend), nested at their bottoms as a cartographer's size key."""
    if not sizes:
        return ""
    big = max(r for _, r in sizes) / 2
    w, h = int(2 * big + 90), int(2 * big + 4)
    parts = []
    for text, r in sizes:
        rr = r / 2
        cy = h - 2 - rr
        parts.append(f'<circle cx="{big + 2:.0f}" cy="{cy:.1f}" r="{rr:.1f}" fill="none" stroke="#555555"/>')
        parts.append(
            f'<text x="{2 * big + 10:.0f}" y="{h - 2 - 2 * rr + 4:.1f}" font-size="11" fill="#111111">{html.escape(text)}</text>'
        )
    return f'<svg width="{w}" height="{h}" aria-hidden="true" font-family="{FONT_FAMILY}">{"".join(parts)}</svg>'


def legend_html(
    legend: Sequence[Legend], label_key: str | None, lang: str, sizes: Sequence[tuple[str, float]] = ()
) -> str:
    """The classes, each unit counted once; the outline of the units below target on a line of
    its own (it is no class: beside them it read as one, and the counts added up past the units);
    the units a number stands for on the map, spelled out. HTML: the reader page, the app's map
    and the Overview show the same lines."""
    from ektp.text.i18n import t

    e_ = html.escape
    items, notes_ = [], []
    if label_key:
        notes_.append(f'<p class="small labelkey">{e_(t("label_key", lang, units=label_key))}</p>')
    for e in legend:
        if e.outline:
            mark = f'<rect x="1" y="1" width="12" height="12" fill="none" stroke="{OUTLINE}" stroke-width="2"/>'
            notes_.append(f'<p class="small"><svg width="14" height="14" aria-hidden="true">{mark}</svg> '
                          f"{e_(e.label)} · {e_(e.count)}</p>")  # fmt: skip
            continue
        mark = f'<rect width="14" height="14" fill="{e_(e.colour)}" stroke="#999" stroke-width="0.5"/>'
        said = f"{e.label} · {e.count}" if e.count else e.label  # small multiples: no one count
        items.append(f'<li><svg width="14" height="14" aria-hidden="true">{mark}</svg>{e_(said)}</li>')
    if sizes:  # a map of counts: what a circle's size stands for
        said = e_(t("symbol_key", lang))
        notes_.insert(0, f'<p class="small">{said}<br>{size_key_svg(sizes)}</p>')
    return f'<ul class="legend">{"".join(items)}</ul>' + "".join(notes_)


def inline_svg(geo: Projected, body: str, label: str) -> str:
    """The map alone, scaling to its container (the reader page says the rest in HTML)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {geo.width + 8} {geo.height + 8}" '
        f'role="img" aria-label="{html.escape(label)}" preserveAspectRatio="xMidYMid meet">{body}</svg>'
    )


def wrap(text: str, width: int = WRAP) -> list[str]:
    """Words into lines of at most `width` characters (a longer word gets its own line)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


#: Pictographs (the markers' 🧪, 📰, ⚠️): a rasteriser without a colour emoji font draws a box.
_PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]\\s?")


def plain(text: str) -> str:
    """A line of a file's text without pictographs (the words say the same)."""
    return _PICTOGRAPHS.sub("", text).strip()


def _text_lines(lines: Sequence[str], x: int, y: int, size: int, weight: str = "normal", fill: str = "#111111") -> str:
    return "".join(
        f'<text x="{x}" y="{y + i * LINE}" font-size="{size}" font-weight="{weight}" fill="{fill}">{html.escape(plain(s))}</text>'
        for i, s in enumerate(lines)
    )


def _legend_rows(legend: Sequence[Legend], x: int, y: int, width: int) -> tuple[str, int]:
    """Legend entries in as many columns as fit the width; returns the markup and its height."""
    cells = [f"{e.label} · {e.count}" if e.count else e.label for e in legend]
    cell_w = min(width, max((len(c) for c in cells), default=10) * FONT * 0.6 + 40)
    cols = max(1, int(width // cell_w))
    out: list[str] = []
    for i, (e, text) in enumerate(zip(legend, cells, strict=True)):
        cx, cy = x + int((i % cols) * cell_w), y + (i // cols) * ROW
        if e.outline:
            out.append(
                f'<rect x="{cx + 1}" y="{cy - 13}" width="16" height="16" fill="none" stroke="{OUTLINE}" stroke-width="2"/>'
            )
        else:
            out.append(
                f'<rect x="{cx}" y="{cy - 14}" width="18" height="18" fill="{e.colour}" stroke="#999999" stroke-width="0.5"/>'
            )
        out.append(f'<text x="{cx + 26}" y="{cy}" font-size="{FONT}" fill="#111111">{html.escape(text)}</text>')
    rows = -(-len(legend) // cols)
    return "".join(out), rows * ROW


def standalone_svg(
    geo: Projected,
    body: str,
    title: str,
    sentence: str | None,
    legend: Sequence[Legend],
    notes: Sequence[str],
    sizes: Sequence[tuple[str, float]] = (),
) -> str:
    """A whole figure in one file: title, the sentence, the map, its legend, then the source,
    as-of date, marker and licence lines (`notes`), as the app's exported maps carry them."""
    pad = 16
    w = max(geo.width, 640)
    title_lines = wrap(title, int(WRAP * 0.8))
    said = wrap(sentence or "")
    y = pad + 20
    parts = [_text_lines(title_lines, pad, y, 20, "bold")]
    y += len(title_lines) * (LINE + 6)
    if said:
        parts.append(_text_lines(said, pad, y, FONT, fill="#333333"))
        y += len(said) * LINE
    y += 8
    map_x = pad + (w - geo.width) // 2
    parts.append(f'<g transform="translate({map_x} {y})">{body}</g>')
    y += geo.height + 34
    legend_svg, legend_h = _legend_rows(legend, pad, y, w)
    parts.append(legend_svg)
    y += legend_h + 8
    if sizes:  # a map of counts: the circles' size key, at the map's own scale
        big = max(r for _, r in sizes)
        for text, r in sizes:
            cy = y + 2 * big - r
            parts.append(f'<circle cx="{pad + big:.0f}" cy="{cy:.1f}" r="{r:.1f}" fill="none" stroke="#555555"/>')
            parts.append(
                f'<text x="{pad + 2 * big + 10:.0f}" y="{cy - r + 5:.1f}" font-size="12" fill="#111111">{html.escape(text)}</text>'
            )
        y += int(2 * big) + 12
    note_lines = [line for n in notes for line in wrap(n, WRAP + 10)]
    parts.append(_text_lines(note_lines, pad, y, 12, fill="#444444"))
    height = y + len(note_lines) * LINE + pad
    total_w = w + 2 * pad
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{height}" '
        f'viewBox="0 0 {total_w} {height}" font-family="{FONT_FAMILY}">'
        f"<title>{html.escape(title)}</title>"
        f'<rect width="{total_w}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


def standalone_html(figure: str, title: str, lang: str) -> str:
    """A figure's file (`standalone_svg`) as a web page of its own, the HTML download: the same
    drawing, each unit's words shown on hover by the browser, nothing fetched."""
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{margin:0}svg{display:block;max-width:100%;height:auto}</style>"
        f"</head><body>{figure}</body></html>"
    )


def rasterised(figure: str) -> bytes:
    """A figure's file (`standalone_svg`) as PNG, by resvg at 1.5× (no browser); fonts from the
    system."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=figure, zoom=1.5, background="#ffffff"))


def figure_file(figure: str, title: str, lang: str, kind: str) -> bytes:
    """A figure's file (`standalone_svg`) as the download of `kind`: the SVG itself, its PNG
    or its page of its own (html). Every map's downloads, the small multiples' too."""
    if kind == "png":
        return rasterised(figure)
    if kind == "html":
        return standalone_html(figure, title, lang).encode("utf-8")
    return figure.encode("utf-8")
