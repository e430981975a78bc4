"""The annual report to the municipal council (`borgerdesk annual-report`): the key
figures, every table of a report preset with a chart, the 48-hour section, the
whistleblower counts, the advisor's own sections and the counting rules, as .docx
(python-docx) or one self-contained .html.

figures.py counts, blocks.py lays the document out (in the config's language),
docx_writer.py / html_writer.py write it. python-docx and matplotlib are imported only
on this path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from store.config import Config
from store.config.reports import ReportPreset
from store.counts.period import Period
from store.errors import UserError
from store.infile import read_input
from store.outfile import atomic_output, check_output
from store.timeutil import CPH

SUFFIXES = (".docx", ".html")


def check_target(path: Path) -> None:
    """Refuse a wrong name or folder before anything is counted."""
    if not path.parent.is_dir():
        raise UserError(
            f"--out {path}: folder {path.parent} does not exist",
            code="annual_folder",
            path=str(path),
        )
    check_output(path, label="--out ", suffixes=SUFFIXES)


def read_text_file(path: Path) -> str:
    """The advisor's own sections (--text): a regular UTF-8 file (a FIFO or device is
    refused at once by store.infile, never read without end)."""
    data = read_input(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UserError(
            f"--text {path}: byte {e.start}: not UTF-8 text; save it as UTF-8",
            code="annual_text",
            path=str(path),
        ) from None


def write_annual_report(
    *,
    session: Session,
    config: Config,
    preset: ReportPreset,
    period: Period,
    out: Path,
    text: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Count, lay out and write; the file appears whole (temporary name, then rename)."""
    from store.annual.blocks import build, read_own_text
    from store.annual.figures import gather

    check_target(out)
    now = now or dt.datetime.now(dt.UTC)
    figures = gather(session=session, config=config, preset=preset, period=period, now=now)
    document = build(
        figures,
        municipality=config.municipality,
        lang=config.language,
        made=now.astimezone(CPH).date(),
        own_text=read_own_text(text) if text is not None else None,
    )
    with atomic_output(out) as tmp:
        if out.suffix.lower() == ".docx":
            from store.annual.docx_writer import write_docx

            write_docx(document, tmp)
        else:
            from store.annual.html_writer import render_html

            tmp.write_text(render_html(document), "utf-8")
    return out
