"""Names on a map: which units carry their name and figure at their label point, and which a
number that a key under the map spells out, so that no two labels overlap.

A map that wrote only values ("97,8%97,4%" where two collided) named nothing. On views of up
to charts.LABEL_UNITS units each unit gets "Name / figure" where it fits; where it would cover
a label already placed it is tried above, below and beside its point, then it gets a number.
Units are placed in the order given (the laggards first: they are the story), so the names a
reader most needs are the ones written out. Pure: points in, placements out. The map page
(Plotly) and the reader page (SVG) both place with it, on the same Mercator canvas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Font size (px) of a map label and the share of it an average character is wide.
FONT_PX = 11
CHAR_W = 0.64  # bold
LINE_H = 1.2
#: Words a reader does not need on a small map: "Kabupaten Sarolangun" → "Sarolangun" ("Kota"
#: stays: Kota Jambi and Kabupaten Jambi would otherwise read the same).
_DROP = re.compile(r"^(Kabupaten|Kab\.|Provinsi)\s+", re.I)


def merc(lat: float) -> float:
    """Mercator's northing in degrees: the projection of the app's map and the reader's SVG."""
    lat = max(min(lat, 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def unmerc(y: float) -> float:
    """The latitude of a Mercator northing (merc's inverse)."""
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


@dataclass(frozen=True)
class Placed:
    """A label: at (x, y) on the canvas, its lines; `number` when it stands for a key entry."""

    code: str
    x: float
    y: float
    lines: tuple[str, ...]
    number: int | None = None


def short_name(name: str) -> str:
    return _DROP.sub("", name).strip()


def _box(x: float, y: float, lines: tuple[str, ...], font: float) -> tuple[float, float, float, float]:
    w = max(len(s) for s in lines) * font * CHAR_W
    h = len(lines) * font * LINE_H
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(
    points: dict[str, tuple[float, float]],
    names: dict[str, str],
    figures: dict[str, str],
    order: list[str],
    font: float = FONT_PX,
    canvas: tuple[float, float] | None = None,
) -> tuple[list[Placed], list[tuple[int, str, str]]]:
    """Labels for the units in `order` that have a point: (placements, key entries (number,
    name, figure) for the units that got a number). `points` are canvas pixels (y down);
    `canvas` (width, height), when given, keeps every label inside it."""
    taken: list[tuple[float, float, float, float]] = []
    placed: list[Placed] = []
    key: list[tuple[int, str, str]] = []

    def fits(box: tuple[float, float, float, float]) -> bool:
        inside = canvas is None or (box[0] >= 0 and box[1] >= 0 and box[2] <= canvas[0] and box[3] <= canvas[1])
        return inside and not any(_overlaps(box, t) for t in taken)

    def first_fit(x: float, y: float, lines: tuple[str, ...], rings: int = 1) -> tuple[float, float] | None:
        h = len(lines) * font * LINE_H
        w = max(len(s) for s in lines) * font * CHAR_W
        tries = [(0.0, 0.0)]
        for r in range(1, rings + 1):  # the point itself, then around it, nearest first
            tries += [(0, -h * r), (0, h * r), (w * 0.6 * r + (r - 1) * font, 0), (-w * 0.6 * r - (r - 1) * font, 0)]
            tries += [(w * 0.6 * r, -h * r), (-w * 0.6 * r, h * r), (w * 0.6 * r, h * r), (-w * 0.6 * r, -h * r)]
        for dx, dy in tries:
            if fits(_box(x + dx, y + dy, lines, font)):
                return x + dx, y + dy
        return None

    for code in order:
        if code not in points:
            continue
        x, y = points[code]
        lines = (short_name(names[code]), figures.get(code, "–"))
        at = first_fit(x, y, lines)
        number = None
        if at is None:  # a number where the name does not fit; the key spells it out
            number = len(key) + 1
            lines = (str(number),)
            at = first_fit(x, y, lines, rings=4) or (x, y)  # a number is small: looked for further out
            key.append((number, names[code], figures.get(code, "–")))
        taken.append(_box(*at, lines, font))
        placed.append(Placed(code, at[0], at[1], lines, number))
    return placed, key


def key_line(key: list[tuple[int, str, str]]) -> str:
    """The numbered units spelled out: "1 Kota Jambi 97,8% · 2 Kabupaten Muaro Jambi 97,4%"."""
    return " · ".join(f"{n} {name} {figure}" for n, name, figure in key)
