"""The annual report as a Word document (python-docx). Every text is added as a run's
text, so nothing in a label or the advisor's text is read as a field or template."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from store.annual.blocks import Document, Heading, Image, PageBreak, Paragraph, TableBlock


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot carry most control characters; python-docx would refuse them.
    return "".join(ch if ch in "\t\n" or ord(ch) >= 0x20 else "\ufffd" for ch in text)


def _table(doc: Any, block: TableBlock) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    n_cols = max(len(r) for r in block.rows)
    table = doc.add_table(rows=0, cols=n_cols)
    table.style = "Light Grid Accent 1"
    for i, row in enumerate(block.rows):
        cells = table.add_row().cells
        bold = i == 0 or (block.total_row and i == len(block.rows) - 1)
        for j, value in enumerate(row):
            para = cells[j].paragraphs[0]
            para.add_run(_xml_safe(value)).bold = bold
            if j:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.caption:
        doc.add_paragraph().add_run(_xml_safe(block.caption)).italic = True


def write_docx(document: Document, path: Path) -> None:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Docx()
    doc.core_properties.title = _xml_safe(document.title)
    doc.core_properties.language = "da-DK" if document.lang != "en" else "en-GB"
    for block in document.blocks:
        if isinstance(block, Heading):
            h = doc.add_heading(level=block.level)
            h.add_run(_xml_safe(block.text))
        elif isinstance(block, Paragraph):
            style = "List Bullet" if block.style == "bullet" else None
            p = doc.add_paragraph(style=style)
            run = p.add_run(_xml_safe(block.text))
            if block.style == "title":
                run.bold, run.font.size = True, Pt(26)
            elif block.style == "subtitle":
                run.font.size = Pt(14)
            elif block.style == "note":
                run.italic = True
            if block.style in ("title", "subtitle"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, TableBlock):
            _table(doc, block)
        elif isinstance(block, Image):
            doc.add_picture(io.BytesIO(block.png), width=Cm(16))
        elif isinstance(block, PageBreak):
            doc.add_page_break()  # type: ignore[no-untyped-call]
    doc.save(str(path))
