"""URL and widget state, and the page frame: setup, language, pickers mirrored in the URL,
the page header and links, and the error guard.

Every selection lives in the URL query string (st.query_params), so any view is a shareable
link. Values from the URL are checked against allow-lists; an invalid one falls back to the
default and the page shows a notice naming it — never an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ektp.core import settings
from ektp.core.pagestyle import PAGE_CSS
from ektp.data import db
from ektp.mapview.url import MAX_PARAM_LEN, SAFE_PARAM  # one check for every link
from ektp.text import fmt
from ektp.text.i18n import LANGS, t

PAGES = [
    ("app.py", "page_overview", "🏠"),
    ("pages/1_Peta_cakupan.py", "page_map", "🗺️"),
    ("pages/2_Tren.py", "page_trends", "📈"),
    ("pages/3_Antrean_pengambilan.py", "page_backlog", "📦"),
    ("pages/4_Target.py", "page_targets", "🎯"),
    ("pages/5_Blangko_dan_kartu_rusak.py", "page_blanks", "🗃️"),
    ("pages/6_Data_dan_metode.py", "page_data", "📚"),
]


#: The Load page: linked on the internal instance only (the public one has no write path).
LOAD_PAGE = ("pages/7_Muat_data.py", "page_load", "📥")


def _invalid() -> list[str]:
    return st.session_state.setdefault("_invalid_params", [])


def raw_param(name: str) -> str | None:
    v = st.query_params.get(name)
    if v is None:
        return None
    if len(v) > MAX_PARAM_LEN or not SAFE_PARAM.match(v):
        _invalid().append(name)
        return None
    return v


def lang() -> str:
    return st.session_state.get("_lang", settings.default_lang())


def setup(page_key: str) -> str:
    """Page config, language switch and public-mode notice; returns the language."""
    st.set_page_config(page_icon="🪪", layout="wide")
    st.session_state["_invalid_params"] = []
    _rename_old_params()
    st.session_state["_said_n"] = 0  # chart sentences of this run (said)
    current = lang()
    url_lang = raw_param("lang")
    if url_lang is not None and url_lang not in LANGS:
        _invalid().append("lang")
        url_lang = None
    _follow_url("lang")
    _adopt("w_lang")
    if "w_lang" not in st.session_state:
        st.session_state["w_lang"] = url_lang or current
    chosen = st.sidebar.radio(
        t("lang_label", st.session_state["w_lang"]),
        LANGS,
        key="w_lang",
        format_func=lambda x: {"id": "Bahasa Indonesia", "en": "English"}[x],
        horizontal=True,
    )
    st.session_state["_lang"] = chosen
    _sync_url("lang", chosen)
    # the tab's title in the chosen language (the URL's `lang` is only known from here on)
    st.set_page_config(page_title=t(page_key, chosen) + " · KTP-el")
    # The page's own style, as a style-only st.html: applied with the first elements (a style in
    # st.markdown waits for the lazily loaded raw-HTML renderer, so a phone's padding changed after
    # the title was painted and moved every line: layout shift 0.135 on the map permalink).
    st.html(f"<style>{PAGE_CSS}</style>")  # ektp/core/pagestyle.py (asgi.py also writes it into the shell)
    if settings.is_public():
        st.sidebar.caption(t("public_note", chosen))
    return chosen


def require_db(lg: str) -> bool:
    """False (with the command to run) when the DB file is missing or was built by another version."""
    path = "data/ektp.duckdb" if settings.is_public() else str(db.db_path())
    try:
        current = db.schema_current()
    except db.DatabaseMissingError:
        st.error(t("missing_db", lg, path=path))
        return False
    if not current:
        st.error(t("outdated_db", lg, path=path))
    return current


def _rename_old_params() -> None:
    """A link shared before a parameter was renamed (mapview.url.OLD_PARAMS) opens its view: the
    old name's value goes under the new one, and the address shows the new form."""
    from ektp.mapview.url import OLD_PARAMS

    for old, new in OLD_PARAMS.items():
        if old in st.query_params:
            value = st.query_params[old]
            del st.query_params[old]
            if new not in st.query_params:
                st.query_params[new] = value


def show_invalid_notice(lg: str) -> None:
    bad = sorted(set(_invalid()))
    if bad:
        st.warning(t("invalid_param", lg, names=", ".join(bad)))


def _follow_url(name: str) -> None:
    """Forget widget `w_{name}` when the URL's `name` differs from what this session last wrote
    there: the reader went back or forward in the browser history (or opened another link in
    the tab), so the URL, read again below, wins over the widget's remembered value."""
    wkey = f"w_{name}"
    written = st.session_state.get("_url_written", {})
    now = st.query_params.get(name)
    if wkey in st.session_state and now is not None and name in written and now != written[name]:
        del st.session_state[wkey]


def _adopt(wkey: str) -> None:
    """Hand the value under widget key `wkey` to this page's widget of that key.

    A value another page's widget left there (the language, the area) reaches this page's
    widget only when code sets it in this run: Streamlit gives a widget new to the page its
    default otherwise, and English switched back to Indonesian on the next page.
    """
    if wkey in st.session_state:
        st.session_state[wkey] = st.session_state[wkey]


def _sync_url(name: str, value: str) -> None:
    """Mirror a widget in the URL; an empty value (no comparison) leaves the parameter out."""
    st.session_state.setdefault("_url_written", {})[name] = value
    if value == "":
        if name in st.query_params:
            del st.query_params[name]
        return
    st.query_params[name] = value


def choice(
    name: str,
    options: Sequence[Any],
    default: Any,
    label: str,
    format_func: Callable[[Any], str] = str,
    where: Any = None,
    to_str: Callable[[Any], str] = str,
    widget: str = "selectbox",
) -> Any:
    """A picker whose value is mirrored in the URL (`?name=`) and restored from it."""
    where = where or st.sidebar
    options = list(options)
    if not options:
        return default
    by_str = {to_str(o): o for o in options}
    wkey = f"w_{name}"
    if default not in options:
        default = options[0]
    if wkey in st.session_state and st.session_state[wkey] not in options:
        st.session_state[wkey] = default  # options changed with another choice: not a bad link
    _follow_url(name)
    _adopt(wkey)
    if wkey not in st.session_state:
        raw = raw_param(name)
        if raw is not None and raw not in by_str:
            _invalid().append(name)
            raw = None
        remembered = st.session_state.get(f"_{name}")
        st.session_state[wkey] = by_str[raw] if raw is not None else (remembered if remembered in options else default)
    if widget == "radio":
        value = where.radio(label, options, key=wkey, format_func=format_func, horizontal=True)
    else:
        value = where.selectbox(label, options, key=wkey, format_func=format_func)
    st.session_state[f"_{name}"] = value
    _sync_url(name, to_str(value))
    return value


def multi_choice(
    name: str,
    options: Sequence[str],
    default: list[str],
    label: str,
    format_func: Callable[[str], str],
    max_items: int = 8,
) -> list[str]:
    """A multiselect mirrored in the URL as a comma list."""
    wkey = f"w_{name}"
    _follow_url(name)
    _adopt(wkey)
    if wkey not in st.session_state:
        raw = raw_param(name)
        picked = default
        if raw is not None:
            vals = [v for v in raw.split(",") if v]
            if vals and all(v in options for v in vals) and len(vals) <= max_items:
                picked = vals
            else:
                _invalid().append(name)
        st.session_state[wkey] = [v for v in picked if v in options]
    value = st.multiselect(label, list(options), key=wkey, format_func=format_func, max_selections=max_items)
    _sync_url(name, ",".join(value))
    return value


def date_choice(dates: list[dt.date], lg: str, name: str = "date", where: Any = None) -> dt.date | None:
    if not dates:
        return None
    return choice(
        name,
        list(reversed(dates)),
        dates[-1],
        t("date", lg),
        format_func=lambda d: fmt.date(d, lg),
        where=where,
        to_str=lambda d: d.isoformat(),
    )


def area_choice(lg: str, allow_regency: bool = True) -> str:
    """Area picker: Indonesia, a province, or a regency (for the area-level pages)."""
    options, names = _area_options(db.stamp(), lg, allow_regency)
    return choice("area", options, "00", t("area", lg), format_func=names.get)


@st.cache_resource(max_entries=16, show_spinner=False)
def _area_options(stamp: tuple, lg: str, allow_regency: bool) -> tuple[list[str], dict[str, str]]:
    """The picker's 553 codes and labels, made once per DB file and language (every rerun of
    every page shows this picker; rebuilding it was ~4% of a rerun). Never mutated."""
    from ektp.data import queries

    names = {"00": t("national", lg)} | dict(queries.province_names())
    options = list(names)
    if allow_regency:
        regencies = queries.regions("regency")
        for c, n in zip(regencies["code"].to_list(), regencies["name"].to_list(), strict=True):
            names[c] = f"{n} ({names[c[:2]]})"
        options += regencies["code"].to_list()
    return options, names


def page_header(title_key: str, lg: str) -> str | None:
    """Title, DB check, translated page links and the area picker every page starts with.

    Returns the chosen area code, or None (after saying what to run) when the DB is missing.
    """
    st.title(t(title_key, lg))
    if not require_db(lg):
        return None
    page_links(lg)
    return area_choice(lg)


def area_name(code: str, lg: str) -> str:
    """'Indonesia (nasional)' for '00', else the unit's Kemendagri name (mapview.model)."""
    from ektp.mapview.model import place_name

    return place_name(code, lg)


def page_links(lg: str) -> None:
    st.sidebar.markdown(f"**{t('pages', lg)}**")
    for path, key, icon in PAGES + ([] if settings.is_public() else [LOAD_PAGE]):
        st.sidebar.page_link(path, label=t(key, lg), icon=icon, query_params={"lang": lg})


def guarded(body: Callable[[], None]) -> None:
    """Run a page body; in public mode an error shows a friendly message, never a traceback."""
    try:
        body()
    except Exception:
        if settings.is_public():
            st.error(t("error_page", lang()))
        else:
            raise


def fragment(fn: Callable[..., None]) -> Callable[..., None]:
    """st.fragment with `guarded`'s public-mode rule: a widget inside reruns only this part of
    the page (no map rebuild, no full delta stream), and its errors never show a traceback."""
    import functools

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        guarded(lambda: fn(*args, **kwargs))

    return st.fragment(run)
