"""A map view's address: its URL parameters ⇄ the checked choice, in one place.

The map page, the reader page, the exports and the published files write and read a view's
link here. `choose` reads the map page's query parameters (area, level, metric, date, scheme,
compare, lang, embed); a value that is not allowed falls back to the page's default and is
named, never an exception. `Choice.params` writes the canonical link back, so that
`choose(parse_qs(c.query()))` is `c` again. No Streamlit here: the reader serves without it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from ektp import charts
from ektp.analysis import classes
from ektp.core.settings import default_lang
from ektp.data import db, queries
from ektp.data.geo import CHILD_LEVEL, LEVELS_UNDER
from ektp.text.i18n import LANGS

#: A link parameter is at most this long; longer is not a value the app writes.
MAX_PARAM_LEN = 64
#: What a link parameter may hold (the map page and the reader page check it alike).
SAFE_PARAM = re.compile(r"^[0-9A-Za-z._,\-]{1,64}$")

#: The map page's parameters, in the order a canonical link writes them.
PARAMS = ("area", "level", "metric", "date", "scheme", "compare", "lang")
#: Names links used before (old name → the parameter's name now): `bands=` was the colour
#: scheme's until 2026-12-07, when the link took the word the code and docs use. Links shared
#: before still open their view; the page then shows the link's new form.
OLD_PARAMS = {"bands": "scheme"}

# A parameter left out of a link means its default, here and in the map page's pickers alike
# (the page asks these functions, so a link and the page cannot open different views).
DEFAULT_AREA, DEFAULT_METRIC = "00", "recording_rate"


def default_level(area_level: str | None) -> str:
    """An area's own units: a province's regencies, a regency's districts, the nation's provinces."""
    return CHILD_LEVEL.get(area_level or "country", "district")


def default_scheme(level: str, area: str, metric: str) -> str:
    """The colour scheme of a view: the distance to the target where its units share one."""
    return classes.default_scheme(metric, queries.view_target(level, area).value)


@dataclass(frozen=True)
class Choice:
    """One reader view: the map page's choices, checked."""

    area: str = "00"
    level: str = "province"
    metric: str = "recording_rate"
    scheme: str = "gap"
    as_of: dt.date | None = None
    compare: dt.date | None = None
    lang: str = "id"
    embed: bool = False

    def params(self, **override: object) -> dict[str, str]:
        """The canonical query parameters of this view (what the dashboard link carries)."""
        values = {
            "area": self.area,
            "level": self.level,
            "metric": self.metric,
            "date": self.as_of.isoformat() if self.as_of else "",
            "scheme": self.scheme,
            "compare": self.compare.isoformat() if self.compare else "",
            "lang": self.lang,
        }
        values.update({k: str(v) for k, v in override.items()})
        return {k: values[k] for k in (*PARAMS, *(k for k in override if k not in PARAMS)) if values.get(k)}

    def query(self, **override: object) -> str:
        return urlencode(self.params(**override))


def _one(query: Mapping[str, list[str]], name: str, bad: list[str]) -> str | None:
    values = query.get(name) or []
    if not values or values[0] == "":
        return None
    if len(values[0]) > MAX_PARAM_LEN or not SAFE_PARAM.match(values[0]):
        bad.append(name)
        return None
    return values[0]


def _given_name(query: Mapping[str, list[str]], name: str) -> str:
    """The name a link gives the parameter `name`: its own, else the one a link shared before
    the rename gave it (OLD_PARAMS), so that a bad value is named as the link wrote it."""
    if query.get(name):
        return name
    return next((old for old, new in OLD_PARAMS.items() if new == name and query.get(old)), name)


def _date(text: str | None, allowed: list[dt.date], name: str, bad: list[str]) -> dt.date | None:
    if text is None:
        return None
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        d = None
    if d not in allowed:
        bad.append(name)
        return None
    return d


def choose(query: Mapping[str, list[str]]) -> tuple[Choice, list[str]]:
    """The view a query string asks for, and the names of the parameters that were not allowed
    (each replaced by the map page's default). Parameters the map page does not know (a news
    site's tracking tags) are left alone; `multiples` is not drawn here and is named."""
    bad: list[str] = []
    lang = _one(query, "lang", bad) or default_lang()
    if lang not in LANGS:
        bad.append("lang")
        lang = default_lang()
    area = _one(query, "area", bad) or DEFAULT_AREA
    info = queries.region(area)
    if info is None or info["level"] not in LEVELS_UNDER:
        bad.append("area")
        area, info = DEFAULT_AREA, queries.region(DEFAULT_AREA)
    allowed = LEVELS_UNDER[info["level"]] if info else LEVELS_UNDER["country"]
    level = _one(query, "level", bad) or default_level(info["level"] if info else None)
    if "area" in bad and level != default_level(info["level"] if info else None):
        # the level was asked of another area: `area=15.03.03&level=district` drew all 7,285
        # districts of the nation (1.4 MB) in place of the one it meant
        bad.append("level")
        level = default_level(info["level"] if info else None)
    if level not in allowed:
        bad.append("level")
        level = default_level(info["level"] if info else None)
    metric = _one(query, "metric", bad) or DEFAULT_METRIC
    if metric not in charts.METRICS:
        bad.append("metric")
        metric = DEFAULT_METRIC
    given = _given_name(query, "scheme")
    scheme = _one(query, given, bad) or default_scheme(level, area, metric)
    if scheme not in charts.SCHEMES:
        bad.append(given)
        scheme = default_scheme(level, area, metric)
    dates = queries.dates(level, area)
    as_of = _date(_one(query, "date", bad), dates, "date", bad) or (dates[-1] if dates else None)
    compare = _date(_one(query, "compare", bad), [d for d in dates if d != as_of], "compare", bad)
    if (_one(query, "multiples", bad) or "off") != "off":
        bad.append("multiples")
    embed = (_one(query, "embed", bad) or "0") == "1"
    return Choice(area, level, metric, scheme, as_of, compare, lang, embed), sorted(set(bad))


def default_view(area: str, level: str, lang: str) -> Choice:
    """The view a link with only `area`, `level` and `lang` opens (the latest date, the recording
    rate, its default classes): the one a release publishes as a file for each area and level."""
    return _default_view(area, level, lang, db.stamp())


@functools.lru_cache(maxsize=4096)
def _default_view(area: str, level: str, lang: str, _stamp: tuple) -> Choice:
    return choose({"area": [area], "level": [level], "lang": [lang]})[0]


def is_default_view(c: Choice) -> bool:
    """Whether `c` is its area and level's default view (embedded or not)."""
    return c.compare is None and replace(c, embed=False) == default_view(c.area, c.level, c.lang)
