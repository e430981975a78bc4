"""Reading spreadsheet-like files (CSV in the encodings Danish offices produce, or XLSX)
into header + numbered rows. Used by the register import.

CSV: UTF-8 with or without BOM, UTF-16 with BOM, else cp1252; delimiter `,` `;` or tab,
chosen from the header line; an Excel "sep=;" first line is honoured.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from store.cells import unguard
from store.errors import UserError

DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    header: list[str]
    # (1-based line number in the file, cells as text; XLSX values are rendered by cell_text).
    rows: Iterator[tuple[int, list[str]]]


def decode(data: bytes, source: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # cp1252 leaves five bytes undefined; a file with them is not text we know.
        return data.decode("cp1252")
    except UnicodeDecodeError as e:
        raise UserError(
            f"{source}: byte {e.start}: not UTF-8, UTF-16 or cp1252 text; "
            "save the file as UTF-8 CSV or XLSX"
        ) from None


def _pick_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_text(text: str, source: str) -> Table:
    first_nl = text.find("\n")
    first = text[: first_nl if first_nl >= 0 else len(text)].strip("\r\n")
    line_offset = 0
    if first.lower().startswith("sep=") and len(first) >= 5:
        delimiter = first[4]
        text = text[first_nl + 1 :] if first_nl >= 0 else ""
        line_offset = 1
    else:
        delimiter = _pick_delimiter(first)
    nul = text.find("\x00")
    if nul >= 0:
        # No text file has one, and PostgreSQL refuses it in any text column: the
        # import would fail at its insert, with a traceback.
        line = text.count("\n", 0, nul) + 1 + line_offset
        raise UserError(
            f"{source}: line {line}: a NUL character; this is not a text table, "
            "export the register again as CSV or XLSX"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(
            f"{source}: the file is empty; export the register with a header row"
        ) from None
    except csv.Error as e:
        raise UserError(f"{source}: line {1 + line_offset}: {e}") from None
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if not "".join(row).strip():  # blank line (cheaper than any(strip))
                    continue
                # Cells our own exports guarded against formulas read back as exported.
                yield reader.line_num + line_offset, [unguard(c) for c in row]
        except csv.Error as e:
            raise UserError(f"{source}: line {reader.line_num + line_offset}: {e}") from None

    return Table(header, rows())


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise UserError(
            f"{path}: not a readable XLSX workbook ({type(e).__name__}); re-save it in Excel"
        ) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = ["" if v is None else str(v).strip() for v in next(it)]
    except StopIteration:
        raise UserError(
            f"{path}: the first sheet is empty; put the register there with a header row"
        ) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n, values in enumerate(it, start=2):
            # Cells become text here, as CSV cells are, so parsers handle one type.
            cells = ["" if v is None else cell_text(v) for v in values]
            if not any(c for c in cells):
                continue
            yield n, cells
        wb.close()

    return Table(header, rows())


def read_table(path: Path) -> Table:
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(path)
    return read_csv_text(decode(data, str(path)), str(path))


def cell_text(v: object) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()

