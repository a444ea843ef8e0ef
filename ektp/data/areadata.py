"""An area page's figures for every unit at once: the queries of the reader's area pages.

A published site has 7,838 area pages in two languages. Asked one unit at a time, their figures
are ~10 queries a page; here each kind of figure is one query over every unit, kept once per
data build (`db.stamp`) and shared read-only by the live route and the publisher, so both draw
from the same rows. No Streamlit: the reader serves without it.

Each area's own figures are its latest row of `v_coverage_area` that is not a partial sum (as
the Overview's `queries.area_latest`); pickup backlog, blanks and destructions are summed over
the area's offices (`in_scope`), each office's latest row counted once.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass
from types import MappingProxyType

import polars as pl

from ektp.data import db

#: The levels that have an area page (villages have none: no figures, no boundaries).
PAGE_LEVELS = ("country", "province", "regency", "district")


@dataclass(frozen=True)
class Unit:
    code: str
    level: str
    name: str
    parent: str | None
    kind: str | None


@dataclass(frozen=True)
class Stock:
    """A summed figure over an area's offices: the total, its latest date, its sources."""

    total: float | None
    as_of: dt.date | None  # the newest of the summed rows' dates
    sources: tuple[str, ...]  # the sourced rows' sources
    synthetic: bool  # some summed row is synthetic
    extra: float | None = None  # blanks: the area's own runway in days, when it has one row
    oldest: dt.date | None = None  # the oldest of the summed rows' dates
    reporting: tuple[str, ...] = ()  # the units whose rows are summed (the area itself, or units below it)


@dataclass(frozen=True)
class Former:
    """An area a unit was part of before a split."""

    former_code: str
    name: str
    effective: dt.date
    successors: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Facts:
    units: MappingProxyType  # code → Unit (every unit with a page)
    children: MappingProxyType  # code → tuple of child codes, in code order
    latest: MappingProxyType  # code → its latest coverage row (dict)
    series: MappingProxyType  # code → ((as_of, rate, is_synthetic), …) in date order
    targets: MappingProxyType  # code → (target, source, synthetic, deadline, set by): its own recording-rate target
    backlog: MappingProxyType  # code → Stock (cards awaiting pickup)
    blanks: MappingProxyType  # code → Stock (blanks in stock; extra: runway days)
    destroyed: MappingProxyType  # code → Stock (invalid cards destroyed, all events)
    events: tuple  # every destruction: (region code, date, cards, method, source, synthetic), by date
    waiting_long: MappingProxyType  # code → Stock (cards waiting for pickup more than 12 months)
    former: MappingProxyType  # successor code → tuple of Former

    def ancestors(self, code: str) -> list[Unit]:
        """Indonesia down to the unit itself."""
        out = []
        cur = self.units.get(code)
        while cur is not None:
            out.append(cur)
            cur = self.units.get(cur.parent) if cur.parent else None
        return out[::-1]

    def own_target(self, code: str) -> tuple | None:
        """The unit's own recording-rate target (value, source, synthetic, deadline, set by), by the
        map's rule (targetdata.UNIT_TARGET_CTE): never its parent's. A province's 98% is not its
        regencies' target; judged by it, the area page called nine of Jambi's regencies below
        target where the map said one of one, and ten without a target of their own."""
        return self.targets.get(code)


_lock = threading.Lock()


def facts() -> Facts:
    """Every area page's figures, for the served build (kept until the file changes)."""
    key = db.stamp()
    with _lock:  # one build of ~1 s, not one per thread that asks at once
        return _facts(key)


@functools.lru_cache(maxsize=1)
def _facts(_stamp: tuple) -> Facts:
    regions = db.query(
        "SELECT code, level, name, parent_code, kind FROM regions WHERE list_contains($levels, level) ORDER BY code",
        {"levels": list(PAGE_LEVELS)},
    )
    units = {c: Unit(c, lv, n, p, k) for c, lv, n, p, k in regions.iter_rows()}
    children: dict[str, list[str]] = {}
    for u in units.values():
        if u.parent:
            children.setdefault(u.parent, []).append(u.code)
    latest = db.query(
        "SELECT region_code AS code, as_of, eligible, recorded, recording_rate, unrecorded, print_ready, printed, "
        "print_gap, source, source_kind, is_synthetic, warnings FROM v_coverage_area WHERE NOT is_partial "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC) = 1"
    )
    rates = db.query(
        "SELECT region_code AS code, list(as_of ORDER BY as_of) AS d, list(recording_rate ORDER BY as_of) AS r, "
        "list(is_synthetic ORDER BY as_of) AS s FROM v_coverage_area "
        "WHERE NOT is_partial AND recording_rate IS NOT NULL GROUP BY region_code"
    )
    targets = db.query(
        "SELECT region_code, target_value, coalesce(source, set_by), is_synthetic, deadline, set_by FROM v_targets "
        "WHERE metric = 'recording_rate' "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY is_synthetic, start_date DESC) = 1"
    )
    backlog = db.query(
        "SELECT region_code, as_of, awaiting_pickup AS v, age_12m_plus, source, is_synthetic FROM v_backlog "
        "WHERE awaiting_pickup IS NOT NULL "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code, office_key ORDER BY as_of DESC) = 1"
    )
    blanks = db.query(
        "SELECT region_code, as_of, remaining AS v, source, is_synthetic, runway_days FROM v_blanko_runway "
        "WHERE remaining IS NOT NULL "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC) = 1"
    )
    destroyed = db.query(
        "SELECT region_code, event_date AS as_of, destroyed AS v, method, source, is_synthetic FROM v_destruction "
        "WHERE destroyed IS NOT NULL ORDER BY event_date, region_code"
    )
    splits = db.query(
        "SELECT former_code, name, effective, list(successor_code ORDER BY successor_code), any_value(source) "
        "FROM region_splits GROUP BY ALL ORDER BY former_code"
    )
    former: dict[str, list[Former]] = {}
    for fc, name, eff, succ, src in splits.iter_rows():
        f = Former(fc, name, eff, tuple(succ), src or "")
        for s in succ:
            former.setdefault(s, []).append(f)
    return Facts(
        units=MappingProxyType(units),
        children=MappingProxyType({k: tuple(v) for k, v in children.items()}),
        latest=MappingProxyType({r["code"]: r for r in latest.to_dicts()}),
        series=MappingProxyType({c: tuple(zip(d, r, s, strict=True)) for c, d, r, s in rates.iter_rows()}),
        targets=MappingProxyType({r[0]: (r[1], r[2], bool(r[3]), r[4], r[5]) for r in targets.iter_rows()}),
        backlog=_summed(backlog, units),
        waiting_long=_summed(
            backlog.filter(pl.col("age_12m_plus").is_not_null()).with_columns(v=pl.col("age_12m_plus")), units
        ),
        events=tuple(
            (r["region_code"], r["as_of"], r["v"], r["method"], r["source"], bool(r["is_synthetic"]))
            for r in destroyed.to_dicts()
        ),
        blanks=_summed(blanks, units, extra="runway_days"),
        destroyed=_summed(destroyed, units),
        former=MappingProxyType({k: tuple(v) for k, v in former.items()}),
    )


def _summed(rows: pl.DataFrame, units: dict[str, Unit], extra: str | None = None) -> MappingProxyType:
    """Each area's total over its offices: the rows of the highest level at or below it (its
    own row when it has one; a province's regency rows, not those and its district rows too),
    their latest date, their sources."""
    acc: dict[str, dict[int, list]] = {}
    for r in rows.to_dicts():
        code = r["region_code"]
        depth = 0 if code == "00" else code.count(".") + 1
        chain = ["00"] + [code[:i] for i in range(2, len(code) + 1) if i == len(code) or code[i] == "."]
        for c in dict.fromkeys(chain):
            if c not in units:
                continue
            a = acc.setdefault(c, {}).setdefault(depth, [0.0, None, set(), False, None, None, set()])
            a[6].add(code)
            a[0] += r["v"]
            a[1] = r["as_of"] if a[1] is None or (r["as_of"] and r["as_of"] > a[1]) else a[1]
            a[5] = r["as_of"] if a[5] is None or (r["as_of"] and r["as_of"] < a[5]) else a[5]
            if r.get("source") and not r["is_synthetic"]:
                a[2].add(r["source"])
            a[3] = a[3] or bool(r["is_synthetic"])
            if extra and c == code:
                a[4] = r.get(extra)
    out = {}
    for c, by_depth in acc.items():
        a = by_depth[min(by_depth)]
        out[c] = Stock(a[0], a[1], tuple(sorted(a[2])), a[3], a[4], a[5], tuple(sorted(a[6])))
    return MappingProxyType(out)


def built_date() -> dt.date:
    """The data build's date (meta.built_at), else today: a release's date, and what an area
    page's "how old" is measured against."""
    return _built(db.stamp())


@functools.lru_cache(maxsize=2)
def _built(_stamp: tuple) -> dt.date:
    rows = db.query("SELECT value FROM meta WHERE key = 'built_at'").to_dicts()
    try:
        return dt.datetime.fromisoformat(rows[0]["value"]).date()
    except (IndexError, ValueError, TypeError):
        return dt.date.today()


#: The tables whose rows a release's figures are made of (a release id changes with any of them).
RELEASE_TABLES = (
    "regions", "coverage", "coverage_area", "pickup_backlog", "blanko_stock", "card_destruction", "targets",
    "region_splits", "published_bands", "translations", "boundaries",
)  # fmt: skip
#: The settings a release's pages say (their addresses, their publisher, their language).
RELEASE_SETTINGS = ("public_url", "site_url", "publisher", "lang")


def release_id() -> str:
    """The served build as a release: its build date and a hash of everything its pages are made
    of: its rows (boundaries included), the code and words that draw them, and the settings they
    say ("2026-12-07-3f9a1c0b"). The same rows drawn by other code are another release, so a
    release's pages never change under its id."""
    from ektp.core import settings

    return _release(db.stamp(), _code_stamp(), tuple(settings.get(k) for k in RELEASE_SETTINGS))


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """A hash of the package's code, words and scripts (read once per process)."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent  # all of ektp/, not only this package
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".toml", ".js", ".css") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=2)
def _release(_stamp: tuple, code: str, said: tuple) -> str:
    import hashlib

    h = hashlib.sha256(f"{code};{said!r};".encode())
    for table in RELEASE_TABLES:  # a fixed list of our own tables, never user text
        row = db.query(f"SELECT count(*) AS n, bit_xor(hash(t)) AS x FROM {table} AS t").row(0)  # noqa: S608
        h.update(f"{table}:{row[0]}:{row[1]};".encode())
    return f"{built_date().isoformat()}-{h.hexdigest()[:8]}"
