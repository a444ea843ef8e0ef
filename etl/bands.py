"""Published band counts (data/sourced/dkb_bands.csv) — extract → validate → load.

Dukcapil's semester releases count how many kabupaten/kota fall in each recording band (DKB
Semester I 2024: 67 at ≥100%, 412 at 80–99.99%, 18 at 60–79.99%, 17 below 60%). The map page
shows such a count beside its own for the same date (ektp.data.queries.published_bands), and the
synthetic fill is shaped to reproduce it (etl/demo.py shape_bands).

The file is ours and small: a bad row fails the load with the file, row and problem, and the
DB already served stays as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from ektp.core import settings
from etl.extract import curated_rows

PATH = settings.ROOT / "data" / "sourced" / "dkb_bands.csv"
COLUMNS = ("release", "as_of", "band", "units", "level", "source")
#: The release's words for a level → ours.
LEVELS = {"kabupaten/kota": "regency", "provinsi": "province", "kecamatan": "district"}
_BAND = re.compile(
    r"(?:>=\s*(?P<ge>\d+(?:\.\d+)?)|<\s*(?P<lt>\d+(?:\.\d+)?)|(?P<lo>\d+(?:\.\d+)?)\s*-\s*(?P<hi>\d+(?:\.\d+)?))"
)


class BandError(ValueError):
    """A row of the bands file that cannot be used."""


@dataclass(frozen=True)
class Band:
    release: str
    as_of: dt.date
    level: str
    band: str
    lower_pct: float | None  # lower_pct <= rate (percent); None: open below
    upper_pct: float | None  # rate < upper_pct; None: open above
    units: int
    source: str


def bounds(text: str) -> tuple[float | None, float | None] | None:
    """'>=100' → (100, None); '<60' → (None, 60); '80-99.99' → (80, 100): a band printed to two
    decimals ends where the next begins."""
    m = _BAND.fullmatch(text.strip())
    if not m:
        return None
    if m["ge"]:
        return float(m["ge"]), None
    if m["lt"]:
        return None, float(m["lt"])
    hi = float(m["hi"])
    return float(m["lo"]), round(hi + 0.01, 2) if m["hi"].endswith(".99") else hi


def extract(path: Path) -> list[dict[str, str]]:
    return curated_rows(path, COLUMNS, BandError)


def validate(rows: list[dict[str, str]], name: str) -> list[Band]:
    """One Band per row; the first problem raises, naming the file and row. The bands of one
    release must not overlap."""
    out: list[Band] = []
    for i, r in enumerate(rows, start=2):
        if any(not (r.get(c) or "").strip() for c in COLUMNS):
            raise BandError(f"{name} row {i}: every column must be filled ({', '.join(COLUMNS)})")
        b = bounds(r["band"])
        if b is None:
            raise BandError(f"{name} row {i}: band {r['band']!r} is not '>=N', '<N' or 'N-M'")
        level = LEVELS.get(r["level"].strip().lower())
        if level is None:
            raise BandError(f"{name} row {i}: level {r['level']!r} is not one of {', '.join(LEVELS)}")
        try:
            as_of, units = dt.date.fromisoformat(r["as_of"]), int(r["units"])
        except ValueError:
            raise BandError(f"{name} row {i}: as_of must be YYYY-MM-DD and units a whole number") from None
        band = Band(r["release"].strip(), as_of, level, r["band"].strip(), *b, units, r["source"].strip())
        for j, other in enumerate(out, start=2):
            same = (other.as_of, other.level) == (band.as_of, band.level)
            if same and _overlap(other, band):
                raise BandError(f"{name} row {i}: band {band.band} overlaps row {j} ({other.band})")
        out.append(band)
    return out


def _overlap(a: Band, b: Band) -> bool:
    lo = max(a.lower_pct if a.lower_pct is not None else -1e9, b.lower_pct if b.lower_pct is not None else -1e9)
    hi = min(a.upper_pct if a.upper_pct is not None else 1e9, b.upper_pct if b.upper_pct is not None else 1e9)
    return lo < hi


@lru_cache(maxsize=4)
def read(path: Path = PATH) -> tuple[Band, ...]:
    """The file's bands, checked; none when the file is missing."""
    return tuple(validate(extract(path), path.name)) if path.exists() else ()


def load(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """Replace `published_bands` with the file's rows."""
    path = Path(path) if path is not None else PATH
    rows = validate(extract(path), path.name) if path.exists() else []
    con.execute("DELETE FROM published_bands")
    con.executemany(
        "INSERT INTO published_bands VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(b.release, b.as_of, b.level, b.band, b.lower_pct, b.upper_pct, b.units, b.source) for b in rows],
    )
    return len(rows)
