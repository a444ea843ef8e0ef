"""`make publish`: the reader site of the served build as plain files, for any static host.

    python -m deploy.publish [--out DIR] [--workers N]

Writes every file of the current release (ektp.reader.site.paths: an area page for every unit
in both languages, a map view for every area and level, their CSV/JSON/SVG files, the search
index, the release list) into `<out>/r/<release>/`, and the same files at `<out>/` as the
latest. Links are relative, so the folder works from any host, path or object store; nothing
runs behind it.

Each text file gets a gzip copy beside it (`<file>.gz`), which nginx's `gzip_static` and most
static hosts send as it is. Incremental: a file whose bytes are already on disk is not written again, and a release's file
that equals the previous release's is a hard link to it; a new release costs only the pages
that changed. The root becomes the new release only once all of its files are drawn (a failed
publish leaves it as it was); the root's files that the new release no longer has are removed. The newest
`releases_kept` releases are kept, older ones deleted. The `r/<release>/` folders are what the
live server's /v/r/<release>/ serves unchanged forever (ektp.web.sitepages).
"""

from __future__ import annotations

import argparse
import filecmp
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ektp.reader.links import INDEX_PATH, releases_path
from ektp.text.i18n import LANGS

#: The lists of releases: at the root they name every kept release, in a release only itself.
RELEASE_LISTS = tuple(releases_path(lang) for lang in LANGS)

#: The release's record in its folder: id, build date, files and when it was published.
RECORD = "release.json"
#: One publish of a folder at a time: the lock file at its root (never removed as stale).
LOCK = ".publish.lock"
#: Files published with a gzip copy beside them (pages, data, index, drawings).
GZIPPED = (".html", ".json", ".csv", ".svg")


def _same(path: Path, body: bytes) -> bool:
    try:
        return path.stat().st_size == len(body) and path.read_bytes() == body
    except FileNotFoundError:
        return False


def _tmp(path: Path) -> Path:
    """A fresh name beside `path` for a file about to replace it (never an old one: a name left
    by a crash may be a hard link to another release's file, which writing into would change)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def _put(path: Path, body: bytes, previous: Path | None, pinned: bool = False) -> str:
    """Write `body` at `path` unless it is there already ('same'); a hard link to the previous
    release's equal file when there is one ('linked'); else a new file ('written'). A `pinned`
    file (in r/<release>/) that is there with other bytes is an error: a release never changes,
    and its id covers everything its pages are made of (ektp.data.areadata.release_id)."""
    if _same(path, body):
        return "same"
    if pinned and path.exists():
        raise RuntimeError(f"{path} would change, but a release's files never do")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    if previous is not None and _same(previous, body):
        os.link(previous, tmp)
        os.replace(tmp, path)
        return "linked"
    with open(tmp, "xb") as fh:  # exclusive: a new file, never one shared by a link
        fh.write(body)
    os.replace(tmp, path)
    return "written"


def compressed(path: str, body: bytes) -> tuple[str, bytes] | None:
    """The gzip copy published beside a text file (`<file>.gz`), or None for other files. nginx
    (`gzip_static`) and most static hosts send it as it is, so a spike of readers costs no
    compression per request; made without a timestamp, so equal pages give equal copies and a
    pinned copy never changes."""
    if not path.endswith(GZIPPED):
        return None
    return path + ".gz", gzip.compress(body, 9, mtime=0)


def _work(job: tuple[list[str], str, str, str | None]) -> dict[str, int]:
    """One worker's share: draw each path and put it, and its gzip copy, in the release folder
    (the root follows once every file of the release is there: `_root`)."""
    from ektp.reader import site
    from ektp.web.sitepages import files_links

    paths, out, rid, previous = job
    release = Path(out) / "r" / rid
    counts = {"same": 0, "linked": 0, "written": 0, "compressed": 0}
    for p in paths:
        body = site.file(p, files_links(p, rid))
        if body is None:
            raise RuntimeError(f"no file for {p}")
        counts[_put(release / p, body, Path(previous) / p if previous else None, pinned=True)] += 1
        gz = compressed(p, body)
        if gz is not None:
            how = _put(release / gz[0], gz[1], Path(previous) / gz[0] if previous else None, pinned=True)
            counts["compressed"] += how != "same"
    return counts


def _root(out: Path, rid: str, paths: list[str]) -> int:
    """The root made the release once all of its files are drawn: each file a hard link to the
    release's (the root's release lists excepted: they name every kept release). Drawing takes
    minutes; the root written as the workers went was half one release and half the other for
    all that time, and stayed so after a publish that failed. Now a failed publish leaves the
    root as it was, and the switch takes the seconds of the links: the release's files first,
    then its pages, the front door last, so that a new page's links find their files. Returns
    how many files changed (their gzip copies not counted)."""
    release, changed = out / "r" / rid, 0
    for p in sorted(paths, key=lambda p: (p == INDEX_PATH, p.endswith(".html"))):
        if p in RELEASE_LISTS:
            continue
        for q in (p, p + ".gz") if p.endswith(GZIPPED) else (p,):
            src, dst = release / q, out / q
            try:
                if os.path.samefile(src, dst):
                    continue
            except FileNotFoundError:
                pass
            # counted by content (sizes first): a file that is only new is not read
            changed += q == p and not (dst.exists() and filecmp.cmp(src, dst, shallow=False))
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = _tmp(dst)
            os.link(src, tmp)  # the root's copy shares the release's file
            os.replace(tmp, dst)
    return changed


def _chunks(paths: list[str], n: int) -> list[list[str]]:
    """Runs of paths by province (a province's pages share its maps, drawn once a worker)."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        parts = p.split("/")
        key = parts[2][:2] if len(parts) == 3 and parts[1] in ("wilayah", "peta") else "00"
        groups.setdefault(key, []).append(p)
    chunks = sorted(groups.values(), key=len, reverse=True)
    return chunks if n > 1 else [paths]


def releases(out: Path) -> list[dict]:
    """The published releases' records, newest first."""
    found = []
    for rec in (out / "r").glob(f"*/{RECORD}"):
        try:
            found.append(json.loads(rec.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda r: (r.get("published", ""), r.get("id", "")), reverse=True)


def publish(out: Path, workers: int = 2, keep: int | None = None, only: str | None = None, force: bool = False) -> dict:
    """See `_publish`. The site is drawn as the public instance draws (an office file is named
    "an office file", never by its name and row), one publish of a folder at a time."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    was = os.environ.get("EKTP_PUBLIC")
    with open(out / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.environ["EKTP_PUBLIC"] = "1"  # the workers inherit it
        try:
            return _publish(out, workers, keep, only, force)
        finally:
            if was is None:
                os.environ.pop("EKTP_PUBLIC", None)
            else:
                os.environ["EKTP_PUBLIC"] = was


def _publish(out: Path, workers: int, keep: int | None, only: str | None, force: bool) -> dict:
    """Publish the served build's release into `out`; returns what was done. `only` (a code
    prefix, "15") publishes that area's files alone: a partial site, for tests of the
    release mechanics that need not draw 50,000 files. A release published whole before is not
    drawn again unless `force` (then only the files whose bytes differ are written)."""
    from ektp.core import settings
    from ektp.data import areadata
    from ektp.reader import site
    from ektp.web.sitepages import files_links

    started = time.monotonic()
    keep = max(1, keep if keep is not None else int(settings.get("releases_kept")))  # the one published stays
    rid = areadata.release_id()
    record_file = out / "r" / rid / RECORD
    earlier = json.loads(record_file.read_text(encoding="utf-8")) if record_file.exists() else {}
    whole = bool(earlier.get("whole"))
    if only is None and not force and whole and (out / INDEX_PATH).exists():
        # published whole before (the record is written last): nothing to draw again
        return {"release": rid, "files": earlier["files"],
                "same": 0, "linked": 0, "written": 0, "root_written": 0, "compressed": 0, "removed": 0,
                "skipped": True,
                "kept": [r["id"] for r in releases(out)], "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
    paths = list(site.paths())
    if only:
        paths = [p for p in paths if p.count("/") == 2 and p.split("/")[2].startswith(only)]
    before = releases(out)
    previous = next((str(out / "r" / r["id"]) for r in before if r.get("id") != rid), None)
    jobs = [(chunk, str(out), rid, previous) for chunk in _chunks(paths, workers)]
    counts = {"same": 0, "linked": 0, "written": 0, "compressed": 0}
    if workers > 1:
        import multiprocessing

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_work, jobs))
    else:
        results = [_work(j) for j in jobs]
    for r in results:
        for k, v in r.items():
            counts[k] += v
    counts["root_written"] = _root(out, rid, paths)
    record = {
        # a partial publish (tests) never stands for the whole release, nor undoes one
        "whole": only is None or whole,
        "id": rid,
        "built": rid[:10],
        "files": max(len(paths), earlier.get("files", 0)) if whole else len(paths),
        "published": earlier.get("published") or time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
    }
    record_file.write_text(json.dumps(record, indent=1), encoding="utf-8")
    # the release just published stays (even one published before, as after a rollback), then
    # the newest others up to `keep`
    others = [r for r in releases(out) if r.get("id") != rid]
    kept = [record, *others[: max(keep - 1, 0)]]
    for r in others[max(keep - 1, 0) :]:
        shutil.rmtree(out / "r" / r["id"], ignore_errors=True)
    # the root lists every kept release; a release's own list names only itself
    for lang, path in zip(LANGS, RELEASE_LISTS, strict=True):
        entries = [(r["id"], f"../r/{r['id']}/{lang}/wilayah/00.html") for r in kept]
        page = site.releases_page(files_links(path, rid), entries, lang, rid)
        _put(out / path, page, None)
        _put(out / (path + ".gz"), compressed(path, page)[1], None)
    wanted = {out / q for p in paths for q in (p, p + ".gz" if p.endswith(GZIPPED) else p)}
    removed = 0
    if only is None:  # the root is this release: what it no longer has goes (a partial run keeps all)
        for f in list(out.glob("*/*/*")) + list(out.glob("*/*")) + list(out.glob("*")):
            if f.is_file() and f.relative_to(out).parts[0] != "r" and f not in wanted and f.name != LOCK:
                f.unlink()
                removed += 1
    size = sum(f.stat().st_size for f in (out / "r" / rid).rglob("*") if f.is_file())
    return {
        "release": rid,
        "files": len(paths),
        **counts,
        "removed": removed,
        "kept": [r["id"] for r in kept],
        "bytes": size,
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    from ektp.core import settings

    ap = argparse.ArgumentParser(prog="python -m deploy.publish", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=settings.path("site_dir"), help="folder (the site_dir setting)")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--force", action="store_true", help="draw every file again (an unchanged one is not rewritten)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    done = publish(args.out, args.workers, force=args.force)
    print(json.dumps(done, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
