"""A workbook's size measured before it is read: what calamine would allocate, from the file's
own parts and cell references, so that a file over the limits (etl.extract.Limits) is refused
before memory is spent on it — a zip bomb by its parts' declared sizes, one cell at row
10,000,000 by the sheet's rectangle. Nothing here builds a sheet.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from etl.limits import ExtractError, Limits, check_columns

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


# a row or a cell start tag with its reference (prefixed tags in some writers: x:row, x:c)
_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_XLSX_REF = re.compile(rb'\br="([A-Z]{0,3})(\d+)"')


def _xlsx_extent(z: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) of one worksheet's rectangle from its cell references, streamed in
    chunks (the sheet is never built): what calamine would allocate."""
    rows = cols = cur_row = col_in_row = 0
    tail = b""
    with z.open(member) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            cut = buf.rfind(b"<")  # a tag cut at the chunk's end is read with the next chunk
            body, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            for m in _XLSX_TAG.finditer(body):
                ref = _XLSX_REF.search(m[2])
                if m[1] == b"row":
                    cur_row = int(ref[2]) if ref else cur_row + 1
                    col_in_row = 0
                    rows = max(rows, cur_row)
                else:
                    col_in_row = _col_number(ref[1]) if ref and ref[1] else col_in_row + 1
                    cols = max(cols, col_in_row)
                    if ref:
                        rows = max(rows, int(ref[2]))
            if len(tail) > 1 << 20:  # one tag of a megabyte: no spreadsheet writes that
                raise ExtractError(f"{z.filename}: {member}: an XML tag of over a megabyte")
    return rows, cols


def _ods_extent(z: zipfile.ZipFile) -> tuple[int, int]:
    """(rows, columns) of the largest sheet of content.xml up to its last cell with a value:
    repeated empty rows and cells count only where a value follows them (LibreOffice ends a
    sheet with a million empty rows repeated, which calamine trims)."""
    import xml.parsers.expat

    ns_t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    ns_o = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0, "best": (0, 0), "rep": 1, "filled": False, "cell": 0}

    def start(name: str, attrs: dict) -> None:
        if name == f"{ns_t} table":
            state.update(row=0, rows=0, cols=0)
        elif name == f"{ns_t} table-row":
            state["rep"] = int(attrs.get(f"{ns_t} number-rows-repeated", "1"))
            state.update(col=0, filled=False)
        elif name in (f"{ns_t} table-cell", f"{ns_t} covered-table-cell"):
            rep = int(attrs.get(f"{ns_t} number-columns-repeated", "1"))
            state["cell"] = rep
            if f"{ns_o} value-type" in attrs:
                state["cols"] = max(state["cols"], state["col"] + rep)
                state["filled"] = True
            state["col"] += rep
        elif name == "urn:oasis:names:tc:opendocument:xmlns:text:1.0 p" and state["cell"]:
            state["cols"] = max(state["cols"], state["col"])
            state["filled"] = True

    def end(name: str) -> None:
        if name == f"{ns_t} table-row":
            state["row"] += state["rep"]
            if state["filled"]:
                state["rows"] = state["row"]
        elif name in (f"{ns_t} table-cell", f"{ns_t} covered-table-cell"):
            state["cell"] = 0
        elif name == f"{ns_t} table":
            b = state["best"]
            if state["rows"] * state["cols"] > b[0] * b[1]:
                state["best"] = (state["rows"], state["cols"])

    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartElementHandler, p.EndElementHandler = start, end
    try:
        with z.open("content.xml") as fh:
            while chunk := fh.read(1 << 20):
                p.Parse(chunk, False)
        p.Parse(b"", True)
    except (KeyError, xml.parsers.expat.ExpatError) as exc:
        raise ExtractError(f"{z.filename}: not a readable spreadsheet (content.xml: {exc})") from None
    return state["best"]


#: BIFF cell records (row and column in their first four bytes), and the multi-cell ones
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0201, 0x0205, 0x00D6, 0x0207}
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column (last 2 bytes)


def _xls_extent(path: Path) -> tuple[int, int]:
    """(rows, columns) of the largest sheet of an Excel 97–2003 workbook, from its cell
    records (olefile reads the container; the BIFF records are walked, nothing is built)."""
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except Exception as exc:  # olefile raises OSError, ValueError, struct.error for a broken container
        raise ExtractError(f"{path.name}: not a readable Excel 97–2003 workbook ({exc})") from None
    try:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            if ole.exists("EncryptedPackage"):
                raise ExtractError(f"{path.name}: a password-protected workbook: save it without a password")
            raise ExtractError(f"{path.name}: not an Excel workbook (no Workbook stream)")
        data = ole.openstream(stream).read()
    finally:
        ole.close()
    best, rows, cols, pos = (0, 0), 0, 0, 0
    while pos + 4 <= len(data):
        rtype, size = struct.unpack_from("<HH", data, pos)
        body = pos + 4
        if rtype == 0x0809:  # BOF: a new substream (a sheet)
            rows = cols = 0
        elif rtype == 0x000A:  # EOF
            if rows * cols > best[0] * best[1]:
                best = (rows, cols)
        elif size >= 4 and (rtype in _BIFF_CELLS or rtype in _BIFF_MULTI):
            r, c = struct.unpack_from("<HH", data, body)
            if rtype in _BIFF_MULTI and size >= 6:
                c = struct.unpack_from("<H", data, body + size - 2)[0]
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        pos = body + size
    return best


def measure(path: Path, limits: Limits) -> None:
    """Refuse a workbook that would cost more than the limits to read, before it is read."""
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        magic = fh.read(8)
    if suffix == ".xls" or magic == _OLE2:
        if magic != _OLE2:
            raise ExtractError(f"{path.name}: not an Excel 97–2003 workbook")
        if suffix != ".xls":  # Excel writes a password-protected .xlsx as an OLE2 container
            raise ExtractError(
                f"{path.name}: a password-protected workbook or an Excel 97–2003 file named {suffix}: "
                "save it without a password, or name it .xls"
            )
        extents = [_xls_extent(path)]
    else:
        if not zipfile.is_zipfile(path):
            kind = "an OpenDocument spreadsheet" if suffix == ".ods" else "an XLSX workbook"
            raise ExtractError(f"{path.name}: not {kind} (not a zip container)")
        with zipfile.ZipFile(path) as z:
            inflated = sum(i.file_size for i in z.infolist())
            if inflated > limits.inflated:
                raise ExtractError(
                    f"{path.name}: its parts inflate to {inflated / 2**20:,.0f} MB, more than the limit of "
                    f"{limits.inflated / 2**20:,.0f} MB (setting max_inflated_mb): refused unread"
                )
            if suffix == ".ods":
                extents = [_ods_extent(z)]
            else:
                sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
                if not sheets:
                    raise ExtractError(f"{path.name}: not an XLSX workbook (no worksheet inside)")
                extents = [_xlsx_extent(z, s) for s in sheets]
    for rows, cols in extents:
        if rows > limits.rows:
            raise ExtractError(
                f"{path.name}: a sheet reaches row {rows:,}, more than {limits.rows:,} (setting max_rows)"
            )
        check_columns(cols, path.name, limits)
        if rows * cols > limits.sheet_cells:
            raise ExtractError(
                f"{path.name}: a sheet spans {rows:,} rows × {cols:,} columns = {rows * cols:,} cells, more than "
                f"{limits.sheet_cells:,} (setting max_sheet_cells): refused before it is read"
            )
