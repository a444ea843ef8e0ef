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

from ektp import db, settings

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
    )


def preview(
    upload: Upload, kind: str, as_of: dt.date | None = None, province: str | None = None, codes: str | None = None
):  # noqa: ANN201 - etl.preview.Preview, imported lazily
    """The dry run of the upload; whether the served DB loaded the same file is asked through
    the app's own connection (one configuration per file and process, see ektp.served)."""
    from etl.preview import dry_run, loaded_before

    spec = _spec(upload, kind, as_of, province, codes)
    pv = dry_run(spec)
    if db.db_path().exists():
        cur = db.connection().cursor()
        try:
            pv.loaded_before = loaded_before(cur, spec)
        finally:
            cur.close()
    return pv


def load(
    upload: Upload,
    kind: str,
    as_of: dt.date | None = None,
    province: str | None = None,
    codes: str | None = None,
    operator: str = "Load page",
    origin: str | None = None,
):  # noqa: ANN201 - etl.load.LoadReport
    """The real load (lock, copy, atomic swap, history), recorded with who ran it and from
    where; the temporary file goes afterwards, whatever happens."""
    try:
        if settings.is_public():  # belt and braces: the page never offers it in public mode
            raise PermissionError("the public instance has no write path")
        from etl.load import run

        spec = _spec(upload, kind, as_of, province, codes, operator, origin)
        report = run([spec], db_path=db.db_path(), progress=False)[0]
        db.connection()  # the app's connection moves to the swapped-in file now (the old one closes)
        return report
    finally:
        upload.discard()
