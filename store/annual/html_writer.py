"""The annual report as one self-contained HTML file for the intranet: inline CSS,
charts as data: URIs, no script, nothing fetched. Every text goes through html.escape."""

from __future__ import annotations

import base64
from html import escape

from store.annual.blocks import Document, Heading, Image, PageBreak, Paragraph, TableBlock

CSS = """
body { font-family: Calibri, Arial, sans-serif; max-width: 50em; margin: 2em auto;
       color: #222; line-height: 1.4; }
h1 { color: #1f4e79; border-bottom: 2px solid #1f4e79; }
h2 { color: #1f4e79; }
.title { font-size: 2.2em; font-weight: bold; text-align: center; margin: 0.5em 0; }
.subtitle { font-size: 1.2em; text-align: center; }
.note, .caption { font-style: italic; color: #555; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #9db3cc; padding: 0.2em 0.6em; }
th { background: #dde8f3; }
td.n, th.n { text-align: right; }
tr.sum td { font-weight: bold; }
img { max-width: 100%; }
.pagebreak { break-after: page; }
@media print { body { margin: 0; } }
"""


def _cells(tag: str, row: tuple[str, ...]) -> str:
    # Counts are right-aligned, as in the seeds' tables; the first column is the label.
    num = ' class="n"'
    return "".join(f"<{tag}{num if j else ''}>{escape(v)}</{tag}>" for j, v in enumerate(row))


def _table(block: TableBlock) -> str:
    head, *body = block.rows
    out = ["<table>", f"<tr>{_cells('th', head)}</tr>"]
    for i, row in enumerate(body):
        cls = ' class="sum"' if block.total_row and i == len(body) - 1 else ""
        out.append(f"<tr{cls}>{_cells('td', row)}</tr>")
    out.append("</table>")
    if block.caption:
        out.append(f'<p class="caption">{escape(block.caption)}</p>')
    return "\n".join(out)


def render_html(document: Document) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"en" if document.lang == "en" else "da"}">',
        '<head><meta charset="utf-8">',
        # Self-contained and inert: no script, no external fetch, even if opened locally.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(document.title)}</title>",
        f"<style>{CSS}</style></head><body>",
    ]
    bullets: list[str] = []
    for block in document.blocks:
        if bullets and not (isinstance(block, Paragraph) and block.style == "bullet"):
            parts.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        if isinstance(block, Heading):
            n = min(block.level, 3)
            parts.append(f"<h{n}>{escape(block.text)}</h{n}>")
        elif isinstance(block, Paragraph):
            if block.style == "bullet":
                bullets.append(f"<li>{escape(block.text)}</li>")
            else:
                cls = f' class="{block.style}"' if block.style else ""
                parts.append(f"<p{cls}>{escape(block.text)}</p>")
        elif isinstance(block, TableBlock):
            parts.append(_table(block))
        elif isinstance(block, Image):
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f'<img alt="{escape(block.alt)}" src="data:image/png;base64,{data}">')
        elif isinstance(block, PageBreak):
            parts.append('<div class="pagebreak"></div>')
    if bullets:
        parts.append("<ul>" + "".join(bullets) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
