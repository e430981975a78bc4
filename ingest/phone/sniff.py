"""Reading an exported phone log into a header and rows of cells, whatever its shape.

Exports come as CSV with `,` `;` or tab, in UTF-8 (with or without BOM), UTF-16 with BOM
or cp1252, sometimes with Excel's "sep=;" first line; or as XLSX. The reading itself is
`store.tabular`'s (one sniffer, one CSV and one XLSX reader for every import); this module
shapes it for the phone import: a title above an XLSX header, typed XLSX cells. Which
columns mean what is `profiles`' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from store.errors import UserError
from store.tabular import decode_as, xlsx_rows
from store.tabular import read_csv as csv_grid

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


def read_csv(
    data: bytes, name: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    text, enc = decode_as(data, name, encoding)
    grid = csv_grid(
        text, name, delimiter=delimiter, what="the call log", empty_hint="export the call log again"
    )
    return Table(
        name=name,
        kind="csv",
        encoding=enc,
        delimiter=grid.delimiter,
        header=grid.header,
        header_line=grid.header_line,
        cells=grid.rows,
        lines=grid.lines,
    )


def _cell_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def read_xlsx(data: bytes, name: str) -> Table:
    """The first sheet of a workbook, every row of it. The header is the first row with
    at least two non-empty cells (exports sometimes put a title above it)."""
    header: list[str] | None = None
    header_line = 0
    rows: list[list[Any]] = []
    lines: list[int] = []
    for i, cells in xlsx_rows(data, name):
        if header is None:
            if sum(1 for v in cells if _cell_text(v)) >= 2:
                header = [_cell_text(v) for v in cells]
                header_line = i
            elif i >= _XLSX_MAX_PREAMBLE:
                break
            continue
        rows.append(cells)
        lines.append(i)
    if header is None:
        raise FileFormatError(f"{name}: the first sheet holds no table; export the call log again")
    while header and not header[-1]:
        header.pop()
    return Table(
        name=name,
        kind="xlsx",
        encoding=None,
        delimiter=None,
        header=header,
        header_line=header_line,
        cells=rows,
        lines=lines,
    )


def read_table(
    data: bytes, name: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """Any supported export as a `Table`; a one-line `FileFormatError` otherwise."""
    if not data or not data.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise FileFormatError(f"{name}: the file is empty; export the call log again")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            f"{name}: an old Excel .xls workbook; open it in Excel and save it as .xlsx or .csv"
        )
    try:
        if data.startswith(b"PK\x03\x04"):
            return read_xlsx(data, name)
        return read_csv(data, name, encoding=encoding, delimiter=delimiter)
    except FileFormatError:
        raise
    except UserError as e:  # store.tabular's: the same one line, as this module's kind
        raise FileFormatError(str(e)) from None
