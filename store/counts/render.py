"""Rendering count results like the published reports: rows x columns with a Sum row and
column, optionally percentages. Formats: table (terminal), md, csv, json, xlsx.

Labels can come from imported files, so the terminal table builds `rich.text.Text` cells:
never markup.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from store.cells import CsvWriter, new_workbook, xlsx_append
from store.counts.presets import TableResult
from store.counts.query import CountResult
from store.outfile import atomic_output

SUM = "Sum"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Untrusted text without control characters or bidi overrides."""
    return _CONTROL.sub("\ufffd", text)


def _pct(n: int, of: int) -> str:
    return f"{round(100 * n / of)} %" if of else ""


def grid(res: CountResult, percentages: bool = False) -> list[list[str]]:
    """The table as rows of strings: header, body rows, Sum row. Empty cells are ''."""
    cols = list(res.col_labels)
    header = [""] + (cols if cols else ["Antal"]) + ([SUM] if cols else [])
    if percentages:
        header.append("%")
    out = [header]
    for r in res.row_labels:
        line = [r]
        if cols:
            for c in cols:
                n = res.get(r, c)
                line.append(str(n) if n else "")
            line.append(str(res.row_totals.get(r, 0)))
        else:
            line.append(str(res.row_totals.get(r, 0)))
        if percentages:
            # Share of the first column (e.g. complaints) in the row; share of total
            # for a one-column table.
            line.append(
                _pct(res.get(r, cols[0]), res.row_totals.get(r, 0))
                if cols
                else _pct(res.row_totals.get(r, 0), res.total)
            )
        out.append(line)
    last = [SUM] + [str(res.col_totals.get(c, 0)) for c in cols] + [str(res.total)]
    if percentages:
        last.append(_pct(res.col_totals.get(cols[0], 0), res.total) if cols else "100 %")
    out.append(last)
    return out


def to_rich(table: TableResult) -> Table:
    g = grid(table.result, table.percentages)
    t = Table(title=Text(safe(table.title)), title_justify="left", show_lines=False)
    for i, h in enumerate(g[0]):
        t.add_column(Text(safe(h)), justify="left" if i == 0 else "right")
    for n, line in enumerate(g[1:]):
        t.add_row(*(Text(safe(v)) for v in line), end_section=n == len(g) - 3)
    return t


def print_tables(tables: Sequence[TableResult], console: Console) -> None:
    for t in tables:
        console.print(to_rich(t))
        r = t.result
        notes = [f"{r.query.unit}, {r.query.start} – {r.query.end}"]
        if r.triage_waiting:
            notes.append(f"{r.triage_waiting} contact(s) wait in triage and count nowhere")
        console.print(Text("; ".join(notes), style="dim"))
        console.print()


def to_markdown(tables: Sequence[TableResult]) -> str:
    parts = []
    for t in tables:
        g = grid(t.result, t.percentages)
        esc = [[safe(v).replace("|", "\\|") for v in line] for line in g]
        lines = [f"### {esc_title(t.title)}", ""]
        lines.append("| " + " | ".join(esc[0]) + " |")
        lines.append("| --- |" + " ---: |" * (len(esc[0]) - 1))
        for line in esc[1:]:
            lines.append("| " + " | ".join(line) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def esc_title(s: str) -> str:
    return safe(s).replace("|", "\\|")


def to_csv(tables: Sequence[TableResult]) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    for i, t in enumerate(tables):
        if len(tables) > 1:
            if i:
                w.writerow([])
            w.writerow([t.title])
        w.writerows(grid(t.result, t.percentages))
    return buf.getvalue()


def to_json(tables: Sequence[TableResult]) -> str:
    if len(tables) == 1:
        data: Any = tables[0].result.to_json()
    else:
        data = [{"title": t.title, **t.result.to_json()} for t in tables]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Tabel"
    name, n = base, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(tables: Sequence[TableResult], path: Path) -> None:
    """One sheet per table, numbers as numbers."""
    from openpyxl.styles import Font

    wb = new_workbook()
    used: set[str] = set()
    for t in tables:
        ws = wb.create_sheet(_sheet_name(t.title, used))
        xlsx_append(ws, [t.title])
        ws["A1"].font = Font(bold=True)
        for line in grid(t.result, t.percentages):
            xlsx_append(ws, [int(v) if v.isdigit() else v for v in line])
        ws.column_dimensions["A"].width = (
            max([len(x) for x in t.result.row_labels] + [len(SUM), 10]) + 2
        )
    with atomic_output(path) as tmp:
        wb.save(tmp)
