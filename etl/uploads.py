"""The Load page's work (internal mode only): an uploaded file → preview → load, as the CLI does.

The page only draws; this module keeps the upload in a private temporary folder under the
file's own name (the name the load history and every row's source will show), runs the ETL's
dry run for the preview and its real load (lock, copy, atomic swap, history) on confirm, and
removes the temporary file whatever happens. Never imported in public mode.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ektp.core import settings
from ektp.data import db

#: What the loader reads (etl.extract.read_table); anything else is refused before parsing.
UPLOAD_TYPES = ("csv", "xlsx", "xls", "ods", "json", "parquet")
KINDS = ("coverage", "backlog", "blanko", "destruction", "targets")


class UploadError(ValueError):
    """An upload refused before the loader reads it; the message says why."""


@dataclass
class Upload:
    path: Path
    name: str
    folder: Path

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def max_upload_bytes() -> int:
    """The Load page's own size cap (Streamlit's server.maxUploadSize is the outer one)."""
    try:
        return int(float(settings.get("max_upload_mb")) * 2**20)
    except ValueError:
        return 50 * 2**20


def safe_name(name: str) -> str:
    """The upload's name as the loader keeps it (no path, no shell or markup characters)."""
    return _safe_name(name)


def _safe_name(name: str) -> str:
    base = Path(name).name
    base = re.sub(r"[^\w.\- ]+", "_", base).strip() or "upload"
    return base[:120]


def save_upload(name: str, data: bytes) -> Upload:
    """The uploaded bytes in a private temporary folder, checked before any parsing."""
    safe = _safe_name(name)
    suffix = Path(safe).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadError(f"{safe}: only {', '.join(UPLOAD_TYPES)} files are read")
    if not data:
        raise UploadError(f"{safe}: the file is empty")
    cap = max_upload_bytes()
    if len(data) > cap:
        raise UploadError(
            f"{safe}: {len(data):,} bytes is over the {settings.get('max_upload_mb')} MB limit (setting max_upload_mb)"
        )
    if suffix in ("xlsx", "ods") and not data.startswith(b"PK"):
        what = "an XLSX workbook" if suffix == "xlsx" else "an OpenDocument spreadsheet"
        raise UploadError(f"{safe}: not {what} (not a zip container)")
    if suffix == "xls" and not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadError(f"{safe}: not an Excel 97–2003 workbook")
    if suffix == "parquet" and not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise UploadError(f"{safe}: not a Parquet file")
    folder = Path(tempfile.mkdtemp(prefix="ektp-upload-"))
    path = folder / safe
    path.write_bytes(data)
    if suffix in ("xlsx", "ods") and not zipfile.is_zipfile(path):
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadError(f"{safe}: not a workbook (not a zip container)")
    return Upload(path, safe, folder)


def _spec(  # noqa: ANN202
    upload: Upload,
    kind: str,
    as_of: dt.date | None,
    province: str | None,
    codes: str | None,
    operator: str = "Load page",
    origin: str | None = None,
    columns: dict[str, str] | None = None,
):
    from etl.load import LoadSpec

    return LoadSpec(
        path=upload.path,
        kind=kind,
        as_of=as_of,
        province=province or None,
        codes=codes or None,
        label=upload.name,
        operator=operator,
        origin=origin,
        columns=dict(columns or {}),
    )


def preview(
    upload: Upload,
    kind: str,
    as_of: dt.date | None = None,
    province: str | None = None,
    codes: str | None = None,
    columns: dict[str, str] | None = None,
):  # noqa: ANN201 - list[etl.preview.Preview], imported lazily
    """The dry run of the upload, a preview per sheet. The served data (the layouts' saved
    column choices, each area's earlier figures, the same file loaded before) is read through
    the app's own connection: one configuration per file and process (ektp.core.served)."""
    from etl.preview import dry_runs

    spec = _spec(upload, kind, as_of, province, codes, columns=columns)
    if not db.db_path().exists():
        return dry_runs(spec)
    cur = db.connection().cursor()
    try:
        return dry_runs(spec, history=cur)
    finally:
        cur.close()


class LoadBusyError(Exception):
    """Another load holds the lock (etl.load.LoadLockedError, said without a traceback)."""


def load(
    upload: Upload,
    kind: str,
    as_of: dt.date | None = None,
    province: str | None = None,
    codes: str | None = None,
    operator: str = "Load page",
    origin: str | None = None,
    columns: dict[str, str] | None = None,
):  # noqa: ANN201 - list[etl.load.LoadReport]
    """The real load (lock, copy, atomic swap, history), recorded with who ran it and from
    where, a report per sheet; the temporary file goes afterwards, whatever happens. A load
    already running raises LoadBusyError."""
    try:
        if settings.is_public():  # belt and braces: the page never offers it in public mode
            raise PermissionError("the public instance has no write path")
        from etl.load import LoadLockedError, run

        spec = _spec(upload, kind, as_of, province, codes, operator, origin, columns)
        try:
            reports = run([spec], db_path=db.db_path(), progress=False)
        except LoadLockedError as exc:
            raise LoadBusyError(str(exc)) from None
        db.connection()  # the app's connection moves to the swapped-in file now (the old one closes)
        return reports
    finally:
        upload.discard()


def onward(rows: list[tuple[str, str, dt.date]]) -> dict[str, dict[str, str]]:
    """Where to look at what was just loaded: the map of the loaded date, at the level most rows
    are at, over the smallest area holding them, and their trend. `rows`: (code, level, date)."""
    if not rows:
        return {}
    from collections import Counter

    level = Counter(lv for _, lv, _ in rows).most_common(1)[0][0]
    level = {"village": "district", "country": "province"}.get(level, level)
    codes = sorted({c for c, lv, _ in rows if lv != "country"})
    depth = {"province": 0, "regency": 1, "district": 2}[level]
    parents = {".".join(c.split(".")[:depth]) for c in codes} or {""}
    area = parents.pop() if len(parents) == 1 and depth else "00"
    when = max(d for _, _, d in rows)
    trend = [c for c in codes if c.count(".") <= 1][:8] or ([area] if area != "00" else ["00"])
    return {
        "map": {"area": area or "00", "level": level, "date": when.isoformat()},
        "trend": {"area": trend[0].split(".")[0] if trend[0] != "00" else "00", "regions": ",".join(trend)},
    }


def fields(kind: str) -> list[str]:
    """The data dictionary's fields a column of a `kind` file can mean (the Load page asks)."""
    from etl.transform import header_lookup

    return sorted(set(header_lookup(kind).values()))
