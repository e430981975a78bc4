"""Reading an exported phone log into a header and rows of cells, whatever its shape.

Exports come as CSV with `,` `;` or tab, in UTF-8 (with or without BOM), UTF-16 with BOM
or cp1252, sometimes with Excel's "sep=;" first line; or as XLSX. This module only finds
the text and the grid: which columns mean what is `profiles`' job.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from store.errors import UserError

DELIMITERS = (";", "\t", ",")
DELIMITER_NAMES = {";": "semicolon", "\t": "tab", ",": "comma"}

# How many leading rows may precede the header (titles, an export date) in XLSX sheets.
_XLSX_MAX_PREAMBLE = 10


class FileFormatError(UserError):
    """The file cannot be read as a table at all."""


@dataclass
class Table:
    """A file as a grid: the header and the data rows with their line (or sheet row)
    numbers. Cells are strings for CSV, typed values (datetime, int, ...) for XLSX."""

    name: str
    kind: str  # "csv" | "xlsx"
    encoding: str | None
    delimiter: str | None
    header: list[str]
    header_line: int
    # Every row after the header, blank rows included: the parser decides what a blank
    # or trailing row means.
    cells: list[list[Any]] = field(default_factory=list)
    # The line (or sheet row) number of each row; None when row i is simply on line
    # header_line + 1 + i (a CSV without line breaks inside fields: the common case,
    # where keeping a million numbers would be waste).
    lines: list[int] | None = None

    def line_of(self, i: int) -> int:
        return self.lines[i] if self.lines is not None else self.header_line + 1 + i

    def describe(self) -> str:
        if self.kind == "xlsx":
            return "XLSX"
        return f"{self.encoding}, {DELIMITER_NAMES.get(self.delimiter or '', self.delimiter)}"


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with.

    A BOM decides; otherwise UTF-8 if the bytes are valid UTF-8, else cp1252 (the Danish
    Excel default). UTF-16 without a BOM is not guessed: it would be a guess.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as e:
            raise FileFormatError(
                f"{name}: cannot read the file as {encoding} ({e.__class__.__name__}); "
                "check the profile's encoding"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            enc = "cp1252"
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as e:
        raise FileFormatError(
            f"{name}: byte {e.start} is not valid {enc}; save the export as UTF-8 or "
            "Windows-1252 text"
        ) from None


def _split_first_line(text: str) -> tuple[str, str]:
    end = text.find("\n")
    if end < 0:
        return text, ""
    return text[:end].rstrip("\r"), text[end + 1 :]


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def choose_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields.

    Header inspection beats csv.Sniffer here: a header has no numbers or dates to mislead
    it, and Danish decimal commas in data rows are what makes Sniffer pick `,` wrongly.
    """
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(data: bytes, name: str, *, encoding: str | None = None,
             delimiter: str | None = None) -> Table:
    text, enc = decode(data, name, encoding)
    text = text.lstrip("\ufeff")  # a BOM that survived an explicit encoding
    line_offset = 0
    first, rest = _split_first_line(text)
    # Excel's "sep=;" hint line: it names the delimiter and is not the header.
    if first.lower().startswith("sep=") and len(first) <= 6:
        # Not stripped: the delimiter may be a tab.
        hint = first[4:5] or ","
        delimiter = delimiter or hint
        text = rest
        line_offset = 1
        first, _ = _split_first_line(text)
    # Leading blank lines before the header.
    while text and not first.strip() and "\n" in text:
        _, text = _split_first_line(text)
        line_offset += 1
        first, _ = _split_first_line(text)
    if not text.strip():
        raise FileFormatError(f"{name}: the file is empty; export the call log again")
    delim = delimiter or choose_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    lines: list[int] | None = None
    try:
        header = next(reader)
        header_line = reader.line_num + line_offset
        after_header = reader.line_num
        rows: list[list[Any]] = list(reader)
        if reader.line_num - after_header != len(rows):
            # Some quoted field spans lines: read again, noting where each record starts.
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
            next(reader)
            lines = []
            prev = reader.line_num
            for _cells in reader:
                lines.append(prev + 1 + line_offset)  # the record's first line
                prev = reader.line_num
    except csv.Error as e:
        raise FileFormatError(
            f"{name}: line {reader.line_num + line_offset}: not valid CSV ({e}); "
            "check the export"
        ) from None
    header = [h.strip().strip("\ufeff") for h in header]
    return Table(name=name, kind="csv", encoding=enc, delimiter=delim, header=header,
                 header_line=header_line, cells=rows, lines=lines)


def _cell_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def read_xlsx(data: bytes, name: str) -> Table:
    """The first sheet of a workbook. The header is the first row with at least two
    non-empty cells (exports sometimes put a title above it)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise FileFormatError(
            f"{name}: not a readable XLSX workbook ({e.__class__.__name__}); "
            "open it in Excel and save it again as .xlsx or .csv"
        ) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise FileFormatError(f"{name}: the workbook has no sheets")
        it: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        header_line = 0
        rows: list[list[Any]] = []
        lines: list[int] = []
        for i, values in enumerate(it, start=1):
            cells = list(values)
            if header is None:
                if sum(1 for v in cells if _cell_text(v)) >= 2:
                    header = [_cell_text(v) for v in cells]
                    header_line = i
                elif i >= _XLSX_MAX_PREAMBLE:
                    break
                continue
            rows.append(cells)
            lines.append(i)
    finally:
        wb.close()
    if header is None:
        raise FileFormatError(f"{name}: the first sheet holds no table; export the call log again")
    while header and not header[-1]:
        header.pop()
    return Table(name=name, kind="xlsx", encoding=None, delimiter=None, header=header,
                 header_line=header_line, cells=rows, lines=lines)


def read_table(data: bytes, name: str, *, encoding: str | None = None,
               delimiter: str | None = None) -> Table:
    """Any supported export as a `Table`; a one-line `FileFormatError` otherwise."""
    if not data or not data.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise FileFormatError(f"{name}: the file is empty; export the call log again")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            f"{name}: an old Excel .xls workbook; open it in Excel and save it as .xlsx or .csv"
        )
    return read_csv(data, name, encoding=encoding, delimiter=delimiter)
