"""Reading tabular input files: the one reader behind every import (the register here,
phone exports through `ingest.phone.sniff`).

- Inputs are read by `store.infile.read_input` (regular files only).
- CSV: UTF-8 with or without BOM, UTF-16 with BOM, else cp1252 (`decode`); delimiter `,`
  `;` or tab from the header line, quotes respected (`choose_delimiter`, the one
  sniffer); an Excel "sep=;" first line is honoured. A quote left open is an error that
  names the line where it opened (`read_csv`): never rows read into one cell.
- XLSX: every row of the first sheet, whatever its `<dimension>` tag claims (`xlsx_rows`),
  with the unpacked size and each cell bounded.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.cells import unguard
from store.errors import UserError
from store.infile import printable, read_input

DELIMITERS = (";", "\t", ",")  # on a tie, the first wins
# csv's own field limit (csv.field_size_limit()): a longer CSV cell is refused, and so is
# a longer XLSX cell.
MAX_CELL_CHARS = 131_072
# A workbook's parts: its shared strings are held in memory whole (at most this many
# bytes unpacked), and no part may unpack to more than MAX_UNPACK_RATIO times its packed
# size once past a MiB (Excel's XML packs ~10:1; a zip bomb packs 1,000:1).
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
MAX_UNPACK_RATIO = 100
# Marks the end of the text, so that a quote still open at the end is seen: it would
# swallow this line too.
_END = "\ue000borgerdesk-end\ue000"


@dataclass
class Table:
    header: list[str]
    # (1-based line number in the file, cells as text; XLSX values are rendered by cell_text).
    rows: Iterator[tuple[int, list[str]]]


def decode(data: bytes, source: str) -> str:
    """The text of a CSV file (`decode_as`)."""
    return decode_as(data, source)[0]


def decode_as(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with: `encoding` if given,
    else a BOM decides, else UTF-8 if the bytes are valid UTF-8, else cp1252 (the Danish
    Excel default). UTF-16 without a BOM is not guessed: it would be a guess."""
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError) as e:
            raise UserError(
                f"{source}: cannot read the file as {encoding} ({type(e).__name__}); "
                "check the encoding"
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
        # cp1252 leaves five bytes undefined; a file with them is not text we know.
        return data.decode(enc).lstrip("\ufeff"), enc
    except UnicodeDecodeError as e:
        raise UserError(
            f"{source}: byte {e.start}: not valid {enc} text; save the file as UTF-8 CSV or XLSX"
        ) from None


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def choose_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields, quotes respected
    (`"Emne; kort",Dato,Navn` is comma-separated).

    Header inspection beats csv.Sniffer here: a header has no numbers or dates to mislead
    it, and Danish decimal commas in data rows are what makes Sniffer pick `,` wrongly.
    """
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


@dataclass
class CsvGrid:
    """A CSV file as a grid: the header and every record after it, blank ones included."""

    header: list[str]
    header_line: int
    delimiter: str
    rows: list[list[str]]
    # The line each record starts on; None when record i is simply on line
    # header_line + 1 + i (no line breaks inside cells: the common case, where keeping a
    # million numbers would be waste).
    lines: list[int] | None


def _split_first_line(text: str) -> tuple[str, str]:
    end = text.find("\n")
    if end < 0:
        return text, ""
    return text[:end].rstrip("\r"), text[end + 1 :]


@dataclass
class _Csv:
    """CSV text ready to read: after any "sep=" line and blank lines, with the end mark."""

    text: str
    source: str
    delimiter: str
    line_offset: int

    def reader(self) -> Any:
        return csv.reader(
            io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=False
        )

    def error(self, line: int, e: csv.Error) -> UserError:
        return UserError(
            f"{self.source}: line {line + self.line_offset}: not valid CSV ({e}; "
            f"a cell may hold at most {MAX_CELL_CHARS:,} characters); check the file"
        )


def _prepare(text: str, source: str, delimiter: str | None, empty_hint: str, what: str) -> _Csv:
    line_offset = 0
    first, rest = _split_first_line(text)
    if first.lower().startswith("sep=") and len(first) <= 6:
        # Excel's hint line names the delimiter and is not the header (not stripped: the
        # delimiter may be a tab).
        delimiter = delimiter or first[4:5] or ","
        text, line_offset = rest, 1
        first, _ = _split_first_line(text)
    while text and not first.strip() and "\n" in text:  # blank lines before the header
        _, text = _split_first_line(text)
        line_offset += 1
        first, _ = _split_first_line(text)
    if not text.strip():
        raise UserError(f"{source}: the file is empty; {empty_hint}")
    nul = text.find("\x00")
    if nul >= 0:
        # No text file has one, and PostgreSQL refuses it in any text column: the
        # import would fail at its insert, with a traceback.
        line = text.count("\n", 0, nul) + 1 + line_offset
        raise UserError(
            f"{source}: line {line}: a NUL character; this is not a text "
            f"table, export {what} again as CSV or XLSX"
        )
    ended = text + ("" if text.endswith("\n") else "\r\n") + _END + "\r\n"
    return _Csv(ended, source, delimiter or choose_delimiter(first), line_offset)


def _header(c: _Csv, r: Any) -> list[str]:
    try:
        header = next(r)
    except csv.Error as e:
        raise c.error(r.line_num, e) from None
    if _END in "".join(header):
        raise _open_quote(c.source, 1 + c.line_offset, header, c.delimiter)
    return list(header)


def _records(c: _Csv, width: int, *, skip_blank: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Every record after the header (or every one with text, `skip_blank`) with the line
    it starts on; at the end, a `UserError` for a quote left open (every caller reads the
    whole file before writing anything, so nothing is imported)."""
    r = c.reader()
    next(r)
    prev = r.line_num
    # column -> (records whose cell there breaks lines, the first one's line and cells)
    broken: dict[int, tuple[int, int, list[str]]] = {}
    held: tuple[int, list[str]] | None = None  # one record behind: the last is the end mark
    try:
        for cells in r:
            start = prev + 1 + c.line_offset
            if r.line_num - prev > 1:
                for j, cell in enumerate(cells):
                    if "\n" in cell or "\r" in cell:
                        n, line, first = broken.get(j, (0, start, cells))
                        broken[j] = (n + 1, line, first)
            prev = r.line_num
            if skip_blank and not "".join(cells).strip():  # cheaper than any(strip)
                continue
            if held is not None:
                yield held
            held = (start, cells)
    except csv.Error as e:
        raise c.error(prev + 1, e) from None
    if held is None or held[1] != [_END]:
        line, cells = held if held is not None else (prev, [])
        raise _open_quote(c.source, line, cells, c.delimiter)
    for col, (n, line, cells) in broken.items():
        if n == 1 and _holds_rows(cells[col], c.delimiter, width):
            raise _open_quote(c.source, line, cells, c.delimiter, col)


def read_csv(
    text: str,
    source: str,
    *,
    delimiter: str | None = None,
    empty_hint: str = "export it again with its header row",
    what: str = "it",
) -> CsvGrid:
    """The records of CSV text, each with the line it starts on, in memory. A one-line
    `UserError` for an empty file, a cell over MAX_CELL_CHARS, or a quote left open: one
    still open at the end of the file, or one whose cell runs over line breaks into what
    look like further rows while no other record breaks lines in that column. Either
    would read other rows into one cell (other people's names included) and import the
    file short."""
    c = _prepare(text, source, delimiter, empty_hint, what)
    r = c.reader()
    header = _header(c, r)
    header_line = r.line_num + c.line_offset
    after_header = r.line_num
    try:
        rows: list[list[str]] = list(r)  # at C speed: the common case ends here
    except csv.Error as e:
        raise c.error(r.line_num, e) from None
    if rows and rows[-1] == [_END] and r.line_num - after_header == len(rows):
        rows.pop()
        return CsvGrid(_names(header), header_line, c.delimiter, rows, None)
    # Some record spans lines: read again, noting where each starts.
    lines: list[int] = []
    rows = []
    for line, cells in _records(c, len(header)):
        lines.append(line)
        rows.append(cells)
    return CsvGrid(_names(header), header_line, c.delimiter, rows, lines)


def iter_csv(
    text: str, source: str, *, empty_hint: str, what: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and, one at a time, the records that hold text with the lines they
    start on: as `read_csv`, for a caller that keeps little of each row (a register of a
    million rows would otherwise be held whole twice)."""
    c = _prepare(text, source, None, empty_hint, what)
    header = _header(c, c.reader())
    return _names(header), _records(c, len(header), skip_blank=True)


def _names(header: list[str]) -> list[str]:
    return [h.strip().strip("\ufeff") for h in header]


def _holds_rows(cell: str, delim: str, width: int) -> bool:
    """Whether a cell's later lines look like rows of the file (as many delimiters)."""
    need = max(width - 1, 1)
    return any(line.count(delim) >= need for line in cell.splitlines()[1:])


def _open_quote(
    source: str, start: int, cells: list[str], delim: str, col: int | None = None
) -> UserError:
    """The error for a quote left open in the record that starts on line `start`: in
    cell `col`, or in the cell the end of the file ran into."""
    what = (
        "is never closed"
        if col is None
        else "runs over line breaks into what look like the next rows"
    )
    if col is None:
        col = next((j for j, c in enumerate(cells) if _END in c), len(cells) - 1)
    line = start + sum(c.count("\n") for c in cells[:col])
    return UserError(
        f"{source}: line {line}: a quote opens here (column {col + 1}) and {what}; the rows "
        "after it would be read into one cell. Close the quote where the cell ends, or "
        "remove it, and import again"
    )


def _check_parts(data: bytes, source: str) -> None:
    """Refuse a workbook that would unpack beyond the bounds, before anything unpacks."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UserError(
            f"{source}: not a readable XLSX workbook ({type(e).__name__}); "
            "open it in Excel and save it again"
        ) from None
    for info in infos:
        size = info.file_size
        if (
            info.filename.lower().endswith("sharedstrings.xml") and size > MAX_SHARED_STRINGS_BYTES
        ) or (size > 1024 * 1024 and size > MAX_UNPACK_RATIO * max(info.compress_size, 1)):
            raise UserError(
                f"{source}: its part {printable(info.filename)} unpacks to {size:,} bytes from "
                f"{info.compress_size:,}, beyond what a workbook holds (at most "
                f"{MAX_SHARED_STRINGS_BYTES:,} bytes of text, {MAX_UNPACK_RATIO}x packing); "
                "open it in Excel and save it again, or export it as CSV"
            )


def xlsx_rows(data: bytes, source: str) -> Iterator[tuple[int, list[Any]]]:
    """Every row of a workbook's first sheet: (row number, typed values). Every row that
    is there: openpyxl's read-only mode would stop where the sheet's `<dimension>` tag
    says (a stale tag dropped rows without a word). Bounded (`_check_parts`, each text
    cell at most MAX_CELL_CHARS); a damaged workbook is a one-line `UserError`, raised
    before the caller has written anything, since every reader reads the whole file
    first."""
    from openpyxl import load_workbook

    _check_parts(data, source)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise UserError(
            f"{source}: not a readable XLSX workbook ({type(e).__name__}); "
            "open it in Excel and save it again"
        ) from None
    n = 0
    try:
        if not wb.worksheets:
            raise UserError(f"{source}: the workbook has no sheets")
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
            for j, v in enumerate(values):
                if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                    raise UserError(
                        f"{source}: row {n}, column {j + 1}: a cell of {len(v):,} characters "
                        f"(at most {MAX_CELL_CHARS:,}); shorten it"
                    )
            yield n, list(values)
    except UserError:
        raise
    except Exception as e:  # a truncated or damaged part shows only while reading it
        raise UserError(
            f"{source}: row {n + 1}: the workbook is damaged from here "
            f"({type(e).__name__}); open it in Excel and save it again"
        ) from None
    finally:
        wb.close()


def read_csv_text(text: str, source: str) -> Table:
    header, records = iter_csv(
        text, source, what="the register", empty_hint="export the register with a header row"
    )
    # Cells our own exports guarded against formulas read back as exported.
    return Table(header, ((line, [unguard(c) for c in row]) for line, row in records))


def read_xlsx(data: bytes, source: str) -> Table:
    it = xlsx_rows(data, source)
    try:
        _n, first = next(it)
    except StopIteration:
        raise UserError(
            f"{source}: the first sheet is empty; put the register there with a header row"
        ) from None
    header = ["" if v is None else str(v).strip() for v in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n, values in it:
            # Cells become text here, as CSV cells are, so parsers handle one type.
            cells = ["" if v is None else cell_text(v) for v in values]
            if any(c for c in cells):
                yield n, cells

    return Table(header, rows())


def read_table(path: Path) -> Table:
    """A register file (CSV or XLSX) as a header and numbered rows."""
    return table_of(read_input(path), printable(str(path)), path.suffix)


def table_of(data: bytes, source: str, suffix: str = "") -> Table:
    if data[:4] == b"PK\x03\x04" or suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(data, source)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise UserError(
            f"{source}: an old Excel .xls workbook; open it in Excel and save it as .xlsx or .csv"
        )
    return read_csv_text(decode(data, source), source)


def cell_text(v: object) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
