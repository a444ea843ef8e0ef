"""Extract: CSV / XLSX / Parquet → header row found, data rows streamed with row numbers.

Offices send CSV with commas or semicolons, in UTF-8 or Windows-1252, and XLSX with title rows
and merged title cells above the header. We find the header by scoring rows against the header
map and keep the lines above it (they often carry the date: 'KEADAAN 31 MARET 2019').
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.headers import FileError, HeaderFind, find_header

HEADER_SCAN_ROWS = 30


class ExtractError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RawTable:
    file: Path
    fmt: str
    header_row: int  # 1-based row number of the header's last row in the file (0 for Parquet)
    headers: list[str]  # one name per column: 'WAJIB KTP-EL / JUMLAH' under a stacked header
    title_lines: list[str]
    rows: Iterator[tuple[int, list[object]]]
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    parts: list[tuple[str, str]] = field(default_factory=list)  # (group, sub-column) per column
    header_rows: list[int] = field(default_factory=list)  # 1-based rows the header was read from

    @property
    def stacked(self) -> bool:
        return len(self.header_rows) > 1


def _find_header(head: list[list[object]], kind: str, file: Path) -> HeaderFind:
    try:
        return find_header(head, kind, file.name, HEADER_SCAN_ROWS)
    except FileError as exc:
        raise ExtractError(str(exc)) from None


def _header_fields(found: HeaderFind) -> dict:
    """RawTable fields of a header found in the first rows: the data start below its last row
    (and below a row of column numbers, which real recaps print under the header)."""
    rows = list(range(found.top + 1, found.bottom + 2))
    last = found.bottom + 1 + (1 if found.number_row else 0)
    notes = [f"row {last}: column numbers under the header, skipped"] if found.number_row else []
    return {"header_row": last, "headers": found.names, "parts": found.parts, "header_rows": rows, "notes": notes}


def _detect_encoding(path: Path) -> str:
    dec = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        first = fh.read(4096)
        if b"\x00" in first:
            raise ExtractError(f"{path.name}: binary content (NUL bytes): not a text CSV file")
        fh.seek(0)
        try:
            while chunk := fh.read(1 << 20):
                dec.decode(chunk)
            dec.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            return "cp1252"


def _detect_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:40] if ln.strip()]
    best, best_score = ",", -1.0
    for d in (";", ",", "\t", "|"):
        counts = [n for n in (len(next(csv.reader([ln], delimiter=d))) for ln in lines) if n > 1]
        if not counts:
            continue
        top = max(set(counts), key=counts.count)
        score = counts.count(top) * top  # many lines agreeing on many fields; title lines ignored
        if score > best_score:
            best, best_score = d, score
    return best


def _rows_after_header(
    head: list[list[object]], h: int, rest: Iterator, close: Callable[[], None]
) -> Iterator[tuple[int, list[object]]]:
    """The data rows with their 1-based row numbers: the buffered head, then the stream."""
    try:
        for i, cells in enumerate(head[h + 1 :], start=h + 2):
            yield i, list(cells)
        n = len(head)
        for cells in rest:
            n += 1
            yield n, list(cells)
    finally:
        close()


def read_csv(path: Path, kind: str) -> RawTable:
    enc = _detect_encoding(path)
    notes = [] if enc == "utf-8-sig" else ["not valid UTF-8: read as Windows-1252"]
    with path.open("r", encoding=enc, newline="") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise ExtractError(f"{path.name}: the file is empty")
    delim = _detect_delimiter(sample)
    fh = path.open("r", encoding=enc, newline="")
    reader = csv.reader(fh, delimiter=delim)
    head: list[list[object]] = []
    try:
        for cells in reader:
            head.append(cells)
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except csv.Error as exc:
        fh.close()
        raise ExtractError(f"{path.name}: unreadable CSV: {exc}") from exc
    try:
        found = _find_header(head, kind, path)
    except ExtractError:
        fh.close()
        raise
    hf = _header_fields(found)
    return RawTable(
        file=path,
        fmt="csv",
        title_lines=[" ".join(str(c) for c in r if str(c).strip()) for r in head[: found.top]],
        rows=_rows_after_header(head, hf["header_row"] - 1, reader, fh.close),
        encoding="utf-8" if enc == "utf-8-sig" else enc,
        delimiter=delim,
        **{**hf, "notes": notes + hf["notes"]},
    )


def read_xlsx(path: Path, kind: str, sheet: str | None = None) -> RawTable:
    """First sheet, or the named one. Cells keep their types (numbers, dates, text)."""
    import openpyxl

    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            magic = fh.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise ExtractError(
                f"{path.name}: password-protected or old-format (.xls) workbook: "
                "save it as an unprotected .xlsx or as CSV"
            )
        raise ExtractError(f"{path.name}: not an XLSX workbook (not a zip container)")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise ExtractError(f"{path.name}: corrupt XLSX workbook: {exc}") from exc
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise ExtractError(f"{path.name}: no sheet named '{sheet}' (has {wb.sheetnames})")
        ws = wb[sheet]
    else:
        ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    head = []
    for cells in it:
        head.append(list(cells))
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        wb.close()
        raise ExtractError(f"{path.name}: the sheet '{ws.title}' is empty")
    try:
        found = _find_header(head, kind, path)
    except ExtractError:
        wb.close()
        raise
    hf = _header_fields(found)
    return RawTable(
        file=path,
        fmt="xlsx",
        title_lines=[" ".join(str(c) for c in r if c is not None) for r in head[: found.top]],
        rows=_rows_after_header(head, hf["header_row"] - 1, it, wb.close),
        sheet=ws.title,
        **hf,
    )


def read_parquet(path: Path, kind: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise ExtractError(f"{path.name}: not a readable Parquet file: {exc}") from exc
    headers = list(pf.schema_arrow.names)
    found = _find_header([headers], kind, path)

    def rows() -> Iterator[tuple[int, list[object]]]:
        n = 0
        for batch in pf.iter_batches(batch_size=65536):
            cols = [c.to_pylist() for c in batch.columns]
            for values in zip(*cols, strict=True):
                n += 1
                yield n, list(values)

    return RawTable(
        file=path,
        fmt="parquet",
        header_row=0,
        headers=headers,
        title_lines=[],
        rows=rows(),
        parts=found.parts,
        header_rows=[1],
    )


def read_table(path: Path, kind: str, sheet: str | None = None) -> RawTable:
    if not path.exists():
        raise ExtractError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise ExtractError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, kind, sheet)
    if suffix == ".parquet":
        return read_parquet(path, kind)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, kind)
    raise ExtractError(f"{path.name}: unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")


def raw_text(cells: list[object]) -> str:
    """The row as it was read, for `rejected_rows.raw` (nothing read is dropped silently)."""
    out = io.StringIO()
    csv.writer(out).writerow(["" if c is None else c for c in cells])
    return out.getvalue().rstrip("\r\n")


def sha256_file(path: Path) -> str:
    """A file's SHA-256 (what tells a file already loaded from a new one)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def curated_rows(path: Path, columns: tuple[str, ...], error: type[Exception]) -> list[dict[str, str]]:
    """The rows of one of our own small CSV files (data/sourced: translations, band counts, region
    splits) as text, after checking its header is exactly `columns`; a wrong header raises
    `error` naming the file. Row 2 is the first after the header, as a spreadsheet counts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise error(f"{path.name}: header must be {','.join(columns)}, found {reader.fieldnames}")
        return list(reader)
