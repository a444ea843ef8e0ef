"""Command line: `python -m etl build | load FILE --kind K [--dry-run] | status | settings | boundaries`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ektp.core import schema, settings
from ektp.core.served import open_read_only, pending_attempts
from etl.load import FACT_TABLES, LoadLockedError, LoadSpec, run
from etl.transform import KINDS, ParseError, parse_date
from etl.translations import TranslationError


def _date(s: str) -> dt.date:
    try:
        return parse_date(s)[0]
    except ParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _column(s: str) -> tuple[str, str]:
    header, sep, field = s.rpartition("=")
    if not sep or not header.strip() or not field.strip():
        raise argparse.ArgumentTypeError(f"{s!r}: give HEADER=FIELD, e.g. '% BELUM REKAM=not_recorded_pct'")
    return header.strip(), field.strip()


def _schema_of(db: Path) -> str | None:
    con = open_read_only(db)
    try:
        return schema.of_connection(con)
    finally:
        con.close()


def _operator(a: argparse.Namespace) -> int:
    """`operator add NAME` (asks the password twice), `operator remove NAME`, `operator list`."""
    import getpass

    from ektp.core import operators

    try:
        if a.action == "list":
            for name in sorted(operators.read_operators()):
                print(name)
            return 0
        if not a.name:
            print("error: give the operator's name", file=sys.stderr)
            return 2
        if a.action == "remove":
            done = operators.remove_operator(a.name)
            print(f"{a.name} removed" if done else f"no operator named {a.name}", file=sys.stderr)
            return 0 if done else 1
        if a.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"password for {a.name}: ")
            if getpass.getpass("again: ") != password:
                print("error: the passwords differ", file=sys.stderr)
                return 2
        path = operators.add_operator(a.name, password)
    except operators.OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{a.name} can sign in to the Load page (operators file: {path})", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    """Every command and option (the README and docs/ name each one: tests/house/test_docs.py)."""
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    p.add_argument("--db", type=Path, help="DuckDB file (default: setting db_path / EKTP_DB)")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the embedded default DB (sourced + synthetic)")
    b.add_argument("--no-synthetic", action="store_true", help="sourced figures only")
    b.add_argument("--if-missing", action="store_true", help="do nothing when the DB exists")
    ld = sub.add_parser("load", help="load office spreadsheets into the DB")
    ld.add_argument("files", nargs="+", type=Path)
    ld.add_argument("--kind", required=True, choices=KINDS)
    ld.add_argument("--as-of", type=_date, help="date of the figures when the file has none")
    ld.add_argument("--province", help="Kemendagri province code scoping region names, e.g. 15")
    ld.add_argument("--sheet", help="a workbook's sheet (default: every sheet with a header, each a load)")
    ld.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        type=_column,
        help="what a column means (a field of the data dictionary, or 'ignore'), as the preview names the "
        "column; kept for the next file of the same layout. Repeat for more columns",
    )
    ld.add_argument(
        "--codes",
        choices=("kemendagri", "bps"),
        help="how the file's region codes are read (default: from its own code/name pairs)",
    )
    ld.add_argument(
        "--dry-run",
        action="store_true",
        help="print the column plan, header rows, date, first region matches and what would be "
        "rejected or warned; write nothing",
    )
    op = sub.add_parser("operator", help="operators who may load data on a networked internal instance")
    op.add_argument("action", choices=("add", "remove", "list"))
    op.add_argument("name", nargs="?")
    op.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("status", help="row counts and the last loads")
    sub.add_parser("settings", help="every setting, its env var and the value in force")
    sub.add_parser("boundaries", help="reload boundaries only")
    return p


def _status(db: Path) -> int:
    """Row counts of the tables and the last ten loads, read-only."""
    if not db.exists():
        print(f"{db} does not exist: run `python -m etl build`", file=sys.stderr)
        return 1
    con = open_read_only(db)
    for t in ("regions", "boundaries", "coverage", *FACT_TABLES, "loads"):
        print(f"{t:<18} {con.execute(f'SELECT COUNT(*) FROM {t}').fetchall()[0][0]:>10,}")  # noqa: S608
    for row in con.execute(
        "SELECT load_id, file, kind, status, rows_read, rows_accepted, rows_rejected, finished_at FROM loads ORDER BY load_id DESC LIMIT 10"
    ).fetchall():
        print(*row)
    con.close()
    for a in pending_attempts(db):  # refused or failed without a swap: recorded by the next load
        print("not yet in the history:", a.get("files"), a.get("kind"), a.get("status") or "interrupted",
              a.get("started_at"), "—", a.get("error") or "under way or interrupted")  # fmt: skip
    return 0


def _build(db: Path, if_missing: bool, synthetic: bool) -> int:
    """`build`: the default DB from scratch; with --if-missing, an existing file is only brought
    up to date (its schema, the default files, the map geometry)."""
    if if_missing and db.exists():
        from etl.build import refresh_defaults, refresh_static, static_outdated

        upgrade = _schema_of(db) != schema.fingerprint()
        if not upgrade:
            print(f"{db} exists; not rebuilt", file=sys.stderr)
        else:
            # built by another version: its facts stay, the tables and views are brought
            # up to date, and the default files are loaded again by the new code
            print(f"{db} was built with another schema; upgrading it", file=sys.stderr)
            run([], db_path=db, boundaries=False)
        refresh_defaults(db, force=upgrade)  # prints what it replaced
        if static_outdated():
            n = refresh_static(db)
            print(f"map geometry rewritten from {db} ({n:,} units)", file=sys.stderr)
        return 0
    from etl.build import build

    reports = build(db_path=db, synthetic=synthetic)
    return 0 if all(r.status in ("ok", "partial") for r in reports) else 1


def _load(a: argparse.Namespace, db: Path) -> int:
    """`load`: the files into a new copy of the DB swapped in, or with --dry-run their plan only."""
    specs = [
        LoadSpec(
            path=f,
            kind=a.kind,
            as_of=a.as_of,
            province=a.province,
            sheet=a.sheet,
            codes=a.codes,
            columns=dict(a.column),
        )
        for f in a.files
    ]
    if a.dry_run:
        from etl.preview import dry_runs

        previews = [pv for s in specs for pv in dry_runs(s, served=db)]
        for pv in previews:
            print("\n".join(pv.lines()))
        return 0 if all(pv.report.accepted > 0 for pv in previews) else 2
    reports = run(specs, db_path=db)
    if all(r.status == "skipped" for r in reports):
        return 0
    return 0 if sum(r.accepted for r in reports) > 0 else 2


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    db = a.db or settings.path("db_path")
    if a.cmd == "operator":
        return _operator(a)
    if a.cmd == "settings":
        for row in settings.table():
            print(f"{row['name']:<13} {row['env']:<18} {row['value']:<40} {row['help']}")
        return 0
    if a.cmd == "status":
        return _status(db)
    try:
        if a.cmd == "build":
            return _build(db, a.if_missing, not a.no_synthetic)
        if a.cmd == "boundaries":
            run([], db_path=db, boundaries=True)
            return 0
        return _load(a, db)
    except LoadLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TranslationError as exc:  # names the file, row and problem; the served DB is unchanged
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
