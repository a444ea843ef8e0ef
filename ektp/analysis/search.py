"""Finding an area by what a reader types: "sarolangun", "Kab. Sarolangun", "sarolngun",
"Tanjabtim", "papua" (the province before its 2022 split).

Names are compared without accents, case, punctuation and the level's word ("Kabupaten",
"Kab.", "Kota", "Kecamatan", "Provinsi"); a "kota" or "kab." typed still prefers the city or
the regency of that name. Every unit's own name, the loader's alias spellings
(data/region_aliases.csv, the table the ETL reads) and the former areas of region splits are
searched; a typo is forgiven by a similarity score (rapidfuzz). Pure over `areadata.facts()`.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from ektp.data import areadata, db

ALIASES_CSV = Path(__file__).resolve().parent.parent.parent / "data" / "region_aliases.csv"
#: Words that name a level, not a place: left out of what is compared.
LEVEL_WORDS = {
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kota": "kota",
    "kotamadya": "kota",
    "kecamatan": "kecamatan",
    "kec": "kecamatan",
    "distrik": "kecamatan",
    "provinsi": "provinsi",
    "propinsi": "provinsi",
    "prov": "provinsi",
    "city": "kota",
    "regency": "kabupaten",
    "district": "kecamatan",
    "province": "provinsi",
    "adm": "",
    "administrasi": "",
}
#: Most results a search lists; a fuzzy match scores at least this (0–100).
LIMIT = 40
MIN_SCORE = 80
#: A near spelling listed beside names that hold the words scores at least this ("sarolngun" 95,
#: "napua" for "papua" 80).
NEAR_SCORE = 88
LEVEL_ORDER = {"country": 0, "province": 1, "regency": 2, "district": 3}


def normalise(text: str) -> tuple[str, str | None]:
    """(the words of a place name, plain and lower case; the level word typed, if any)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    kind = None
    rest = []
    for w in words:
        if w in LEVEL_WORDS and (kind is None or not rest):
            kind = LEVEL_WORDS[w] or kind
            continue
        rest.append(w)
    return " ".join(rest), kind


@dataclass(frozen=True)
class Hit:
    code: str
    level: str
    name: str
    parents: tuple[str, ...]  # the names above it, nearest first (not Indonesia)
    said: str | None  # an alias or former name it was found by
    said_kind: str | None  # "alias" or "former"
    score: float


@dataclass(frozen=True)
class _Entry:
    code: str
    text: str  # normalised
    said: str | None
    said_kind: str | None


def aliases() -> dict[str, list[str]]:
    """Unit code → the loader's alias spellings of it, in the table's order (the search, the
    published site's A–Z page and its search index read them here)."""
    out: dict[str, list[str]] = {}
    if ALIASES_CSV.exists():
        with ALIASES_CSV.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r.get("alias") and r.get("code"):
                    out.setdefault(r["code"], []).append(r["alias"])
    return out


@functools.lru_cache(maxsize=1)
def _index(_stamp: tuple) -> tuple[tuple[_Entry, ...], tuple[str, ...]]:
    f = areadata.facts()
    entries = [_Entry(c, normalise(u.name)[0], None, None) for c, u in f.units.items() if c != "00"]
    entries += [_Entry(c, normalise(a)[0], a, "alias") for c, names in aliases().items() if c in f.units for a in names]
    for code, olds in f.former.items():
        for old in olds:
            if code in f.units:
                entries.append(_Entry(code, normalise(old.name)[0], old.name, "former"))
    return tuple(entries), tuple(e.text for e in entries)


def search(query: str, limit: int = LIMIT) -> list[Hit]:
    """The units a reader's words name, best first: exact names, then names that begin with the
    words, then names holding them, then near spellings; provinces before regencies before
    districts at equal score."""
    q, kind = normalise(query[:100])
    if len(q) < 2:
        return []
    f = areadata.facts()
    entries, texts = _index(db.stamp())
    scored: dict[str, tuple[float, _Entry]] = {}
    for e in entries:
        if e.text == q:
            s = 100.0
        elif e.text.startswith(q):
            s = 95.0
        elif f" {q}" in f" {e.text}":
            s = 90.0
        else:
            continue
        _keep(scored, e, s)
    if len(scored) < limit:
        # beside names that hold the words, only close spellings: "papua" listed Napua and Padua
        cutoff = NEAR_SCORE if scored else MIN_SCORE
        for _, s, i in process.extract(q, texts, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=cutoff):
            _keep(scored, entries[i], min(float(s), 89.0))
    hits = []
    for code, (s, e) in scored.items():
        u = f.units[code]
        if kind and u.kind and _kind_word(u.kind) == kind:
            s += 5  # "kota jambi": the city before the regency or the province of that name
        parents = tuple(p.name for p in reversed(f.ancestors(code)[1:-1]))
        hits.append(Hit(code, u.level, u.name, parents, e.said, e.said_kind, s))
    hits.sort(key=lambda h: (-h.score, LEVEL_ORDER.get(h.level, 9), h.name, h.code))
    return hits[:limit]


def _kind_word(kind: str) -> str:
    """A unit's kind as the level word a reader types for it (Papua's districts are distrik)."""
    return "kecamatan" if kind == "distrik" else kind


def _keep(scored: dict, e: _Entry, s: float) -> None:
    old = scored.get(e.code)
    if old is None or s > old[0] or (s == old[0] and e.said is None):
        scored[e.code] = (s, e)
