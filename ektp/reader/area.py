"""An area's page, and its CSV and JSON: what an `AreaView` (ektp.mapview.area) says, as HTML with
no script for a phone on a slow link, every unit and name a link (ektp.reader.links). Pure."""

from __future__ import annotations

import csv as csvmod
import io
import json
from typing import TYPE_CHECKING

from ektp.data.geo import LEVELS_UNDER
from ektp.reader import chrome
from ektp.reader.chrome import escape as _e
from ektp.reader.links import area_path
from ektp.reader.page import document, legend_html
from ektp.text import fmt
from ektp.text.i18n import t

if TYPE_CHECKING:
    from ektp.mapview.area import AreaView


def _figures_html(a: AreaView) -> str:
    """The latest figures, those of one date and source together with that date, age and source
    said once under them (the coverage counts share one report; backlog and blanks have their own)."""
    lg = a.lang
    groups: list[tuple[tuple, list]] = []
    for f in a.figures:
        key = (f.date, f.age_days, f.source)
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(f)
    if not groups:
        return ""
    bodies = []
    for (date, age, source), figs in groups:
        rows = "".join(f'<tr><td>{_e(f.label)}</td><td class="n">{_e(f.value)}</td></tr>' for f in figs)
        when = date + (f" · {t('area_age', lg, days=fmt.num(age, lg))}" if age is not None else "")
        said = f'<tr><td colspan="2" class="small">{_e(when)} · {_e(t("source", lg))}: {_e(source)}</td></tr>'
        bodies.append(f"<tbody>{rows}{said}</tbody>")
    head = f"<thead><tr><th scope='col'>{_e(t('area_figure_col', lg))}</th><th scope='col'>{_e(t('area_value_col', lg))}</th></tr></thead>"
    return (
        f'<h2>{_e(t("area_figures_head", lg))}</h2><div class="table figs"><table>{head}{"".join(bodies)}</table></div>'
    )


def _cards(items: list[tuple[str, str, str, str]], a: AreaView, to: object) -> str:
    """Units as cards (name, figure, class): fits a 320 px phone, no sideways scroll."""
    lg = a.lang
    li = "".join(
        f'<li><a href="{_e(to.area(code, lg))}">{_e(name)}</a> <span class="n">{_e(fig)}</span>'
        + (f'<br><span class="small">{_e(cls)}</span>' if cls and cls != "–" else "")
        + "</li>"
        for code, name, fig, cls in items
    )
    return f'<ol class="cards">{li}</ol>'


def _maps_html(a: AreaView, to: object) -> str:
    """Links to the map views of this area, one per level below it."""
    from ektp.mapview.url import default_view

    lg = a.lang
    out = []
    for level in LEVELS_UNDER.get(a.level, ()):
        c = default_view(a.code, level, lg)
        href = to.map(c) if c.as_of is not None else None
        if href:
            out.append(f'<a href="{_e(href)}">{_e(t("area_map_level", lg, level=t("level_" + level, lg)))}</a>')
    return f'<p class="links">{_e(t("area_maps", lg))}: {" ".join(out)}</p>' if out else ""


def area_page(a: AreaView, to: object) -> bytes:
    lg = a.lang
    parts = [
        chrome.header(to, lg, a.crumbs, a.name),
        f"<h1>{_e(a.title)}</h1>",
        f'<p class="lede">{_e(a.sentence)}</p>',
    ]
    parts.append(_figures_html(a))
    # a unit without a target of its own is not judged (docs/ONE_TRUTH.md), and says so
    target = a.target or t("area_target_none", lg)
    parts.append(f'<p class="small">{_e(t("area_target", lg))}: {_e(target)}</p>')
    if a.gaps:
        parts.append("<ul>" + "".join(f"<li>{_e(g)}</li>" for g in a.gaps) + "</ul>")
    if a.trend:
        parts.append(
            f'<h2>{_e(t("area_trend_head", lg))}</h2><figure class="trend">{a.trend}'
            f"<figcaption>{_e(a.trend_said)}</figcaption></figure>"
        )
    if a.child_map is not None:
        d = a.child_map
        picture = d.picture({c: to.area(c, lg) for c in d.projected.paths}) if d.projected is not None else ""
        parts.append(
            f"<h2>{_e(t('area_children_head', lg, name=a.name))}</h2>"
            f"<figure>{picture}{legend_html(d)}<figcaption>{_e(d.source_line)}</figcaption></figure>"
            + _cards(list(a.children), a, to)
        )
    parts.append(_maps_html(a, to))
    if a.parent_map is not None:
        units = a.parent_map.projected.paths if a.parent_map.projected else ()
        locator = a.locator({c: to.area(c, lg) for c in units})
        parts.append(f"<h2>{_e(t('area_place_head', lg))}</h2>")
        if locator:
            parts.append(f'<figure class="locator">{locator}</figure>')
        if a.siblings:
            parent_name = a.crumbs[-1][1]
            sib = [(c, n, "", "") for c, n in a.siblings]
            parts.append(f"<h3>{_e(t('area_siblings_head', lg, parent=parent_name))}</h3>" + _cards(sib, a, to))
    if a.destroyed:
        parts.append(
            f"<h2>{_e(t('cards_destroyed', lg))}</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in a.destroyed) + "</ul>"
        )
    if a.former:
        parts.append(f"<h2>{_e(t('area_former_head', lg))}</h2>" + "".join(f"<p>{_e(x)}</p>" for x in a.former))
    files = " ".join(f'<a href="{_e(to.area_file(a.code, lg, k))}" download>{k.upper()}</a>' for k in ("csv", "json"))
    other = chrome.other_lang(lg)
    parts.append(
        f'<p class="links small">{_e(t("area_files", lg))}: {files} {chrome.lang_link(to.area(a.code, other), lg)}</p>'
    )
    latest = to.absolute(to.area(a.code, lg)) if not to.static else None
    parts.append(chrome.citation(to, lg, a.title, area_path(a.code, lg), latest, a.built))
    parts.append(chrome.footer(to, lg))
    # named for link previews (a chat app shows the title and the sentence)
    meta = (
        f'<meta name="description" content="{_e(a.sentence)}">'
        f'<meta property="og:title" content="{_e(a.title)}">'
        f'<meta property="og:description" content="{_e(a.sentence)}">'
        '<meta name="twitter:card" content="summary">'
    )
    return document(lg, a.title, meta, "".join(p for p in parts if p))


def area_csv(a: AreaView) -> bytes:
    """The area's latest figures, one a row, each with its date, source and age."""
    out = io.StringIO()
    w = csvmod.writer(out, lineterminator="\n")
    w.writerow(["code", "name", "figure", "value", "date", "source", "age_days", "is_synthetic"])
    for f in a.figures:
        w.writerow([a.code, a.name, f.key, "" if f.raw is None else f.raw, f.date, f.source, f.age_days, f.synthetic])
    return out.getvalue().encode("utf-8")


def area_json(a: AreaView, to: object) -> bytes:
    doc = {
        "code": a.code,
        "name": a.name,
        "level": a.level,
        "title": a.title,
        "sentence": a.sentence,
        "figures": [
            {
                "figure": f.key,
                "label": f.label,
                "value": f.raw,
                "text": f.value,
                "date": f.date,
                "source": f.source,
                "age_days": f.age_days,
                "synthetic": f.synthetic,
            }
            for f in a.figures
        ],  # fmt: skip
        "rank": {"position": a.rank[0], "of": a.rank[1], "in": a.rank[3]} if a.rank else None,
        "gaps": list(a.gaps),
        "target": a.target,
        "children": [{"code": c, "name": n, "figure": v, "class": k} for c, n, v, k in a.children],
        "former": list(a.former),
        "destroyed": list(a.destroyed),
        "parents": [{"code": c, "name": n} for c, n in a.crumbs],
        "release": to.release,
        "built": a.built.isoformat(),
        "licence": [t("reader_boundaries", a.lang), t("codes_licence", a.lang)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
