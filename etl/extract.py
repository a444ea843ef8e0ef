"""Extract: CSV / XLSX / XLS / ODS / Parquet / JSON → header row found, data rows streamed with
row numbers, every read bounded.

Offices send CSV with commas or semicolons, in UTF-8 or Windows-1252, and workbooks (Excel
2007+, Excel 97–2003, LibreOffice) with title rows and merged title cells above the header;
open-data portals publish JSON records. We find the header by scoring rows against the header
map and keep the lines above it (they often carry the date: 'KEADAAN 31 MARET 2019').

Bounded reading (limits: `Limits`, each a setting): a file is refused, naming the limit, before
memory is spent on it — a workbook whose parts inflate past `max_inflated_mb` (a zip bomb of
1.5 MB that inflates to 1.5 GB), a sheet whose cells span more than `max_sheet_cells` (one cell
at row 10,000,000), a CSV line over `max_line_chars`, a cell over `max_cell_chars`, more than
`max_rows` rows or `max_columns` columns. Workbooks are read by calamine (python-calamine),
which keeps cell types (numbers, dates, text) and allocates a sheet's whole rectangle: so its
extent is measured first, from the file's own cell references, without building the sheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.headers import FileError, HeaderFind, find_header
from etl.limits import ExtractError, Limits, check_columns  # noqa: F401 - ExtractError, Limits: etl.extract's names too
from etl.workbooks import measure

HEADER_SCAN_ROWS = 30
#: What the loader reads, by file suffix.
WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (".csv", ".txt", ".tsv", *WORKBOOKS, ".parquet", ".json")


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
    reshaped: str | None = None  # how etl.reshape turned the file's rows (its rows are not the file's lines)

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


def _counted(rows: Iterator[list[object]], name: str, limits: Limits, first: int = 1) -> Iterator[tuple[int, list]]:
    """Rows numbered from `first`, refused past `max_rows` (a file is read whole or not at all)."""
    n = first - 1
    for cells in rows:
        n += 1
        if n - first + 1 > limits.rows:
            raise ExtractError(f"{name}: more than {limits.rows:,} rows (setting max_rows)")
        yield n, cells


def _table(path: Path, fmt: str, head: list[list[object]], rest: Iterator[list[object]], kind: str,
           close: Callable[[], None], limits: Limits, **extra: object) -> RawTable:  # fmt: skip
    """A RawTable from a sheet's first rows and the stream of the others."""
    try:
        found = _find_header(head, kind, path)
    except ExtractError:
        close()
        raise
    check_columns(len(found.parts), path.name, limits)
    hf = _header_fields(found)
    notes = [*extra.pop("notes", []), *hf.pop("notes")]  # type: ignore[misc]

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for i, cells in enumerate(head[hf["header_row"] :], start=hf["header_row"] + 1):
                yield i, list(cells)
            yield from _counted(rest, path.name, limits, first=len(head) + 1)
        finally:
            close()

    title = [" ".join(str(c) for c in r if c not in (None, "") and str(c).strip()) for r in head[: found.top]]
    return RawTable(file=path, fmt=fmt, title_lines=title, rows=rows(), notes=notes, **hf, **extra)  # type: ignore[arg-type]


# --- CSV ---------------------------------------------------------------------------------------


def _detect_encoding(path: Path) -> str:
    dec = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        first = fh.read(4096)
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ExtractError(f"{path.name}: a UTF-16 text file: save it as CSV UTF-8 (or as .xlsx)")
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


def _fields_in(line: str, delimiter: str) -> int:
    """How many fields a line splits into (0 for a line the CSV reader refuses: a field over the
    limit is said later, with its line number)."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except csv.Error:
        return 0


def _detect_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:40] if ln.strip()]
    best, best_score = ",", -1.0
    for d in (";", ",", "\t", "|"):
        counts = [n for n in (_fields_in(ln, d) for ln in lines) if n > 1]
        if not counts:
            continue
        top = max(set(counts), key=counts.count)
        score = counts.count(top) * top  # many lines agreeing on many fields; title lines ignored
        if score > best_score:
            best, best_score = d, score
    return best


def _bounded_lines(fh: io.TextIOBase, name: str, limit: int) -> Iterator[str]:
    """The file's lines, refused at the first one longer than `limit` characters (read at most
    limit + 1 characters of it: one 50 MB line costs nothing to refuse)."""
    n = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith("\n"):
            raise ExtractError(
                f"{name}: line {n:,} is longer than {limit:,} characters (setting max_line_chars): "
                "not a table a spreadsheet writes"
            )
        yield line


def _csv_rows(reader: Iterator[list[str]], name: str, limits: Limits) -> Iterator[list[str]]:
    """The CSV reader's rows, its errors (a field over the limit) said with the row and limit."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = getattr(reader, "line_num", 0)
            raise ExtractError(
                f"{name}: line {line:,}: {exc} (a cell may hold at most {limits.cell_chars:,} characters, "
                "setting max_cell_chars)"
            ) from None
        check_columns(len(cells), name, limits)
        yield cells


def read_csv(path: Path, kind: str, limits: Limits) -> RawTable:
    enc = _detect_encoding(path)
    notes = [] if enc == "utf-8-sig" else ["not valid UTF-8: read as Windows-1252"]
    with path.open("r", encoding=enc, newline="") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise ExtractError(f"{path.name}: the file is empty")
    delim = _detect_delimiter(sample)
    csv.field_size_limit(limits.cell_chars)
    fh = path.open("r", encoding=enc, newline="")
    reader = _csv_rows(csv.reader(_bounded_lines(fh, path.name, limits.line_chars), delimiter=delim), path.name, limits)
    head: list[list[object]] = []
    try:
        for cells in reader:
            head.append(cells)
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except ExtractError:
        fh.close()
        raise
    enc_name = "utf-8" if enc == "utf-8-sig" else enc
    return _table(path, "csv", head, reader, kind, fh.close, limits, encoding=enc_name, delimiter=delim, notes=notes)


# --- workbooks: .xlsx, .xls, .ods (calamine), each measured before it is read (etl.workbooks) ------


def _open_workbook(path: Path, limits: Limits):  # noqa: ANN202 - a python_calamine.CalamineWorkbook
    import python_calamine as pc

    measure(path, limits)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise ExtractError(f"{path.name}: a password-protected workbook: save it without a password") from None
    except Exception as exc:  # calamine's errors for corrupt files are of several types
        raise ExtractError(f"{path.name}: a corrupt or unreadable workbook: {exc}") from None


def workbook_sheets(path: Path, limits: Limits | None = None) -> list[str]:
    """The visible sheets of a workbook, in order ([] for a file of another kind)."""
    if path.suffix.lower() not in WORKBOOKS:
        return []
    wb = _open_workbook(path, limits or Limits.from_settings())
    try:
        return [m.name for m in wb.sheets_metadata
                if str(m.visible).endswith(".Visible") and str(m.typ).endswith(".WorkSheet")]  # fmt: skip
    finally:
        wb.close()


def _cell(v: object, name: str, row: int, limits: Limits) -> object:
    """A workbook cell as the loader reads it: empty → None; text over the limit refused."""
    if v == "" or v is None:
        return None
    if isinstance(v, str) and len(v) > limits.cell_chars:
        raise ExtractError(
            f"{name}: row {row:,}: a cell of {len(v):,} characters, more than {limits.cell_chars:,} "
            "(setting max_cell_chars)"
        )
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()
    return v


def read_workbook(path: Path, kind: str, sheet: str | None, limits: Limits) -> RawTable:
    """One sheet (the first, or the named one) of an .xlsx, .xls or .ods workbook; cells keep
    their types (numbers, dates, text)."""
    import python_calamine as pc

    wb = _open_workbook(path, limits)
    names = wb.sheet_names
    if sheet is not None and sheet not in names:
        wb.close()
        raise ExtractError(f"{path.name}: no sheet named '{sheet}' (has {names})")
    try:
        ws = wb.get_sheet_by_name(sheet) if sheet is not None else wb.get_sheet_by_index(0)
    except pc.CalamineError as exc:
        wb.close()
        raise ExtractError(f"{path.name}: the sheet cannot be read: {exc}") from None
    # calamine's rectangle starts at the first used row and column: rows above it are empty,
    # and each row is padded on the left so a column keeps its place
    top, left = ws.start if ws.start else (0, 0)

    def cells() -> Iterator[list[object]]:
        for _ in range(top):
            yield []
        for r, row in enumerate(ws.iter_rows(), start=top + 1):
            yield [None] * left + [_cell(v, path.name, r, limits) for v in row]

    it = cells()
    head = []
    for row in it:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not any(any(c is not None for c in r) for r in head):
        wb.close()
        raise ExtractError(f"{path.name}: the sheet '{ws.name}' is empty")
    return _table(path, path.suffix.lower().lstrip(".").replace("xlsm", "xlsx"), head, it, kind, wb.close, limits,
                  sheet=ws.name)  # fmt: skip


# --- Parquet, JSON ------------------------------------------------------------------------------


def read_parquet(path: Path, kind: str, limits: Limits) -> RawTable:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise ExtractError(f"{path.name}: not a readable Parquet file: {exc}") from exc
    headers = list(pf.schema_arrow.names)
    check_columns(len(headers), path.name, limits)
    if pf.metadata.num_rows > limits.rows:
        raise ExtractError(f"{path.name}: {pf.metadata.num_rows:,} rows, more than {limits.rows:,} (setting max_rows)")
    found = _find_header([headers], kind, path)

    def rows() -> Iterator[tuple[int, list[object]]]:
        n = 0
        for batch in pf.iter_batches(batch_size=65536):
            cols = [c.to_pylist() for c in batch.columns]
            for values in zip(*cols, strict=True):
                n += 1
                yield n, list(values)

    return RawTable(file=path, fmt="parquet", header_row=0, headers=headers, title_lines=[], rows=rows(),
                    parts=found.parts, header_rows=[1])  # fmt: skip


#: Where open-data portals put their records: CKAN's {"result": {"records": […]}}, {"data": […]},
#: {"records": […]}, or a bare list.
_RECORD_PATHS = (("result", "records"), ("data",), ("records",), ("result",), ("data", "records"))


def _records(doc: object) -> list | None:
    if isinstance(doc, list):
        return doc
    for path in _RECORD_PATHS:
        cur = doc
        for key in path:
            cur = cur.get(key) if isinstance(cur, dict) else None
        if isinstance(cur, list):
            return cur
    return None


def read_json(path: Path, kind: str, limits: Limits) -> RawTable:
    """Open-data JSON: an array of records (objects), bare or where portals put it; each record
    a row (numbered from 1 in the file's order), its fields the columns in first-seen order."""
    if path.stat().st_size > limits.inflated:
        raise ExtractError(f"{path.name}: larger than {limits.inflated / 2**20:,.0f} MB (setting max_inflated_mb)")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExtractError(f"{path.name}: not valid JSON: {exc}") from None
    records = _records(doc)
    if not records or not all(isinstance(r, dict) for r in records[:1000]):
        raise ExtractError(
            f"{path.name}: no array of records found (read: a list of objects, or one under "
            "'result.records', 'data' or 'records')"
        )
    if len(records) > limits.rows:
        raise ExtractError(f"{path.name}: {len(records):,} records, more than {limits.rows:,} (setting max_rows)")
    headers: dict[str, None] = {}
    for r in records:
        if not isinstance(r, dict):
            raise ExtractError(f"{path.name}: record {len(headers) and records.index(r) + 1}: not an object")
        headers.update(dict.fromkeys(r))
        check_columns(len(headers), path.name, limits)
    names = list(headers)
    found = _find_header([names], kind, path)

    def value(v: object) -> object:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v

    def rows() -> Iterator[tuple[int, list[object]]]:
        for n, r in enumerate(records, start=1):
            yield n, [value(r.get(h)) for h in names]

    return RawTable(file=path, fmt="json", header_row=0, headers=names, title_lines=[], rows=rows(),
                    parts=found.parts, header_rows=[1], notes=[f"{len(records):,} JSON records, each a row"])  # fmt: skip


def read_table(path: Path, kind: str, sheet: str | None = None, limits: Limits | None = None) -> RawTable:
    limits = limits or Limits.from_settings()
    if not path.exists():
        raise ExtractError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise ExtractError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in WORKBOOKS:
        return read_workbook(path, kind, sheet, limits)
    if suffix == ".parquet":
        return read_parquet(path, kind, limits)
    if suffix == ".json":
        return read_json(path, kind, limits)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, kind, limits)
    raise ExtractError(f"{path.name}: unsupported file type '{suffix}' (use {', '.join(SUFFIXES)})")


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
