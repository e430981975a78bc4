"""Rendering count results like the published reports: rows x columns with a Sum row and
column, optionally percentages. Formats: table (terminal), md, csv, csv-excel, json, xlsx.

Every human-facing output names the municipality, the period in words, the unit in words
and when it was made (`Heading`), lists every valid taxonomy value (store.counts.values)
and shows unclassified cases as their own row ("Uden kategori") with a note to fix them.
Labels can come from imported files: the terminal table builds `rich.text.Text` cells
(never markup) and CSV/xlsx cells pass store/cells.py's formula guard.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from store.cells import CsvWriter, new_workbook, xlsx_append
from store.config import Config
from store.counts.period import day_name, period_name
from store.counts.presets import TableResult
from store.counts.query import NONE_LABEL, CountResult
from store.counts.words import percent, value_label, word
from store.outfile import atomic_output
from store.plaintext import safe as safe  # its users import it from here too
from store.timeutil import CPH


@dataclass(frozen=True)
class Heading:
    """What every table output says about itself."""

    municipality: str
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    lang: str = "da"

    @classmethod
    def of(
        cls, config: Config, start: dt.date, end: dt.date, now: dt.datetime | None = None
    ) -> Heading:
        return cls(config.municipality, start, end, now or dt.datetime.now(dt.UTC), config.language)

    @property
    def period(self) -> str:
        return period_name(self.start, self.end, self.lang)

    def made(self) -> str:
        local = self.made_at.astimezone(CPH)
        at = "at" if self.lang == "en" else "kl."
        return (
            f"{word('meta.made', self.lang)} {day_name(local.date(), self.lang)} {at} {local:%H:%M}"
        )

    def meta(self, unit: str) -> str:
        parts = [self.municipality] if self.municipality else []
        parts += [
            self.period,
            f"{word('meta.unit', self.lang)}: {word('unit.' + unit, self.lang)}",
            self.made(),
        ]
        return " · ".join(parts)

    def title(self, title: str) -> str:
        """The table's title naming its period, unless it already does."""
        return title if self.period in title else f"{title}, {self.period}"


@dataclass(frozen=True)
class Share:
    """A percentage cell: a share 0..1, or None where the base is 0."""

    value: float | None


GridCell = str | int | Share


def _share(n: int, of: int) -> Share:
    return Share(n / of if of else None)


def grid(res: CountResult, percentages: bool = False, lang: str = "da") -> list[list[GridCell]]:
    """The table: header, body rows, Sum row. Counts are ints (0 included), percentages
    Share, labels as a reader names them."""
    q = res.query
    cols = list(res.col_labels)
    rows_word = word(f"field.{q.rows}", lang)
    header: list[GridCell] = [rows_word]
    header += [value_label(q.cols or "", c, lang) for c in cols] if cols else [word("count", lang)]
    if cols:
        header.append(word("sum", lang))
    if percentages:
        header.append(word("pct", lang))
    out = [header]
    for r in res.row_labels:
        line: list[GridCell] = [value_label(q.rows, r, lang)]
        total = res.row_totals.get(r, 0)
        line += [res.get(r, c) for c in cols]
        line.append(total)
        if percentages:
            # Share of the first column (e.g. complaints) in the row; share of the total
            # for a one-column table.
            line.append(_share(res.get(r, cols[0]), total) if cols else _share(total, res.total))
        out.append(line)
    last: list[GridCell] = [word("sum", lang)]
    last += [res.col_totals.get(c, 0) for c in cols]
    last.append(res.total)
    if percentages:
        last.append(
            _share(res.col_totals.get(cols[0], 0), res.total)
            if cols
            else _share(res.total, res.total)
        )
    out.append(last)
    return out


def text_grid(
    res: CountResult, percentages: bool = False, lang: str = "da", decimals: int = 0
) -> list[list[str]]:
    """The grid as text, laid out as the seeds print it: an empty inner cell is blank,
    totals (Sum row and column) always show their number, a percentage on a zero base is "–"."""
    g = grid(res, percentages, lang)
    n_inner = len(res.col_labels)
    out = [[str(v) for v in g[0]]]
    for n, line in enumerate(g[1:], start=1):
        cells = [str(line[0])]
        body = n < len(g) - 1
        for i, v in enumerate(line[1:], start=1):
            if isinstance(v, Share):
                cells.append(percent(v.value, lang, decimals))
            elif isinstance(v, int) and v == 0 and body and i <= n_inner:
                cells.append("")
            else:
                cells.append(str(v))
        out.append(cells)
    return out


def notes(res: CountResult, lang: str = "da") -> list[str]:
    """What the reader must know to trust the table: unclassified cases (so the advisor
    can fix them) and contacts still in triage."""
    q = res.query
    out = []
    for field, n in (
        (q.rows, res.row_totals.get(NONE_LABEL, 0)),
        (q.cols, res.col_totals.get(NONE_LABEL, 0)),
    ):
        if field and n:
            out.append(
                word("note.unclassified", lang).format(
                    n=n,
                    unit=word(f"unit.{q.unit}", lang).split(" (")[0],
                    field=word(f"field.{field}", lang).lower(),
                )
            )
    if res.triage_waiting:
        out.append(word("note.triage", lang).format(n=res.triage_waiting))
    return out


def to_rich(table: TableResult, lang: str = "da") -> Table:
    g = text_grid(table.result, table.percentages, lang)
    t = Table(show_lines=False)
    for i, h in enumerate(g[0]):
        t.add_column(Text(safe(h)), justify="left" if i == 0 else "right")
    for n, line in enumerate(g[1:]):
        t.add_row(*(Text(safe(v)) for v in line), end_section=n == len(g) - 3)
    return t


def print_tables(tables: Sequence[TableResult], console: Console, head: Heading) -> None:
    # Title and heading as lines of their own: as a table's title they would wrap to
    # the width of a narrow table.
    for t in tables:
        console.print(Text(safe(head.title(t.title)), style="bold"))
        console.print(Text(safe(head.meta(t.result.query.unit)), style="dim"))
        console.print(to_rich(t, head.lang))
        for note in notes(t.result, head.lang):
            console.print(Text(safe(note), style="dim"))
        console.print()


def _md(s: str) -> str:
    # Markdown has no way to make '|' or a leading '#' plain other than escaping.
    return (
        safe(s)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("<", "&lt;")
        .replace("[", "\\[")
    )


def to_markdown(tables: Sequence[TableResult], head: Heading) -> str:
    parts = []
    for t in tables:
        g = text_grid(t.result, t.percentages, head.lang)
        esc = [[_md(v) for v in line] for line in g]
        lines = [f"### {_md(head.title(t.title))}", "", _md(head.meta(t.result.query.unit)), ""]
        lines.append("| " + " | ".join(esc[0]) + " |")
        lines.append("| --- |" + " ---: |" * (len(esc[0]) - 1))
        for line in esc[1:]:
            lines.append("| " + " | ".join(line) + " |")
        extra = notes(t.result, head.lang)
        if extra:
            lines += ["", *(_md(n) for n in extra)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def to_csv(tables: Sequence[TableResult], head: Heading) -> str:
    """For scripts: RFC 4180 (',' and CRLF), UTF-8 without BOM, zeros as 0."""
    buf = io.StringIO(newline="")
    w = CsvWriter(buf)
    for i, t in enumerate(tables):
        if len(tables) > 1:
            if i:
                w.writerow([])
            w.writerow([t.title])
        for line in grid(t.result, t.percentages, head.lang):
            w.writerow([percent(v.value, "en") if isinstance(v, Share) else v for v in line])
    return buf.getvalue()


def to_csv_excel(tables: Sequence[TableResult], head: Heading) -> str:
    """For a Danish Excel: ';', decimal comma, the heading lines; write it with a BOM
    (the report command does). Text lines are padded to the table's width, as Excel's own
    export does, so a reader that picks the delimiter from the first line (the importers'
    store/tabular.py) finds ';' even when a title holds commas."""
    buf = io.StringIO(newline="")
    w = CsvWriter(buf, delimiter=";")
    for i, t in enumerate(tables):
        g = grid(t.result, t.percentages, head.lang)

        def line(text: str, width: int = len(g[0])) -> list[str]:
            return [text] + [""] * (max(width, text.count(",") + 2) - 1)

        if i:
            w.writerow(line(""))
        w.writerow(line(head.title(t.title)))
        w.writerow(line(head.meta(t.result.query.unit)))
        for row in g:
            w.writerow([percent(v.value, "da", 1) if isinstance(v, Share) else v for v in row])
        for note in notes(t.result, head.lang):
            w.writerow(line(note))
    return buf.getvalue()


def to_json(tables: Sequence[TableResult]) -> str:
    if len(tables) == 1:
        data: Any = tables[0].result.to_json()
    else:
        data = [{"title": t.title, **t.result.to_json()} for t in tables]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def sheet_name(title: str, used: set[str]) -> str:
    """Excel's sheet name (31 characters, no []:*?/\\) from a title: cut at a word with
    "…" rather than mid-word, numbered when two titles would give one name. The full
    title stands in the sheet's first row."""
    base = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", safe(title))).strip(" '") or "Tabel"
    if len(base) > 31:
        cut = base[:30].rsplit(" ", 1)[0] if " " in base[:30] else base[:30]
        base = cut.rstrip(" ,.;-–") + "…"
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(tables: Sequence[TableResult], path: Path, head: Heading) -> None:
    """One sheet per table: title in row 1, heading in row 2, the table from row 3 with
    its header frozen; counts are numbers, percentages numbers with a percent format."""
    from openpyxl.styles import Font

    wb = new_workbook()
    used: set[str] = set()
    for t in tables:
        ws = wb.create_sheet(sheet_name(t.title, used))
        xlsx_append(ws, [head.title(t.title)])
        ws["A1"].font = Font(bold=True, size=12)
        xlsx_append(ws, [head.meta(t.result.query.unit)])
        g = grid(t.result, t.percentages, head.lang)
        for line in g:
            xlsx_append(
                ws,
                [
                    v.value
                    if isinstance(v, Share) and v.value is not None
                    else "–"
                    if isinstance(v, Share)
                    else v
                    for v in line
                ],
                formats=["0%" if isinstance(v, Share) else None for v in line],
            )
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for cell in ws[3 + len(g) - 1]:
            cell.font = Font(bold=True)
        for note in notes(t.result, head.lang):
            xlsx_append(ws, [note])
        ws.freeze_panes = "B4"
        size_columns(ws, g)
    with atomic_output(path) as tmp:
        wb.save(tmp)


def size_columns(ws: Any, rows: Sequence[Sequence[object]]) -> None:
    """Each column as wide as its widest cell (the title and notes in rows 1-2 spill)."""
    from openpyxl.utils import get_column_letter

    for i in range(max(len(r) for r in rows)):
        width = max(len(str(r[i])) for r in rows if i < len(r))
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 8), 60)
