"""The annual report as a list of plain blocks (headings, paragraphs, tables, images),
built once and written by store/annual/docx_writer.py and html_writer.py.

Every text here is data: labels from the taxonomy and the advisor's own text are inserted
as text by both writers (python-docx runs, html.escape), never as markup or template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from store.annual import charts
from store.annual.figures import AckLine, AnnualFigures
from store.counts.period import day_name
from store.counts.render import text_grid
from store.counts.rules import counting_rules
from store.counts.words import number, percent, value_label, word


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" | "title" | "subtitle" | "note" | "bullet"


@dataclass(frozen=True)
class TableBlock:
    rows: tuple[tuple[str, ...], ...]  # first row is the header
    total_row: bool = True  # the last row is a Sum row (bold)
    caption: str = ""


@dataclass(frozen=True)
class Image:
    png: bytes
    alt: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | TableBlock | Image | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    lang: str
    blocks: tuple[Block, ...] = field(default=())


_T: dict[str, tuple[str, str]] = {
    "title": ("Borgerrådgiverens årsrapport", "The citizens' advisor's annual report"),
    "made": ("Udarbejdet {day}", "Prepared {day}"),
    "key": ("Nøgletal", "Key figures"),
    "k.parties": (
        "Henvendere (forskellige personer og virksomheder)",
        "Parties (distinct people and companies)",
    ),
    "k.contacts": ("Henvendelser", "Contacts"),
    "k.cases": ("Sager oprettet", "Cases opened"),
    "col.change": ("Ændring", "Change"),
    "channels": ("Henvendelser fordelt på kanal", "Contacts by channel"),
    "consultancy": ("Konsulentopgaver", "Consultancy tasks"),
    "consultancy.none": (
        "Ingen konsulentopgaver i perioden.",
        "No consultancy tasks in the period.",
    ),
    "tables": ("Statistik", "Statistics"),
    "ack": ("Svar inden for 48 timer", "Replies within 48 hours"),
    "ack.in_time": ("Kvitteret i tide", "Acknowledged in time"),
    "ack.late": ("Kvitteret for sent", "Acknowledged late"),
    "ack.open": ("Stadig åbne", "Still open"),
    "ack.median": (
        "Median tid til kvittering (arbejdstimer)",
        "Median time to acknowledgement (working hours)",
    ),
    "ack.total": ("I alt", "Total"),
    "ack.by_channel": ("Fordelt på kanal", "By channel"),
    "ack.by_month": ("Fordelt på måned", "By month"),
    "ack.explain": (
        "Borgerrådgiveren kvitterer for hver almindelig henvendelse inden for 48 timer, "
        "talt i arbejdstimer: weekender, helligdage og lukkedage stopper uret. En kvittering "
        "er et svar til borgeren, også uden det endelige svar, eller en samtale. Frister der "
        'er frafaldet (fx spam eller en kollega), tælles ikke med. "Stadig åbne" er '
        "henvendelser fra perioden der endnu ikke er kvitteret for.",
        "The advisor acknowledges every day-to-day contact within 48 hours, counted in "
        "working hours: weekends, public holidays and closed days stop the clock. An "
        "acknowledgement is a reply to the citizen, even without the final answer, or a "
        'conversation. Waived targets (spam, a colleague) are not counted. "Still open" '
        "are contacts from the period not yet acknowledged.",
    ),
    "wb": ("Whistleblowerordningen", "The whistleblower scheme"),
    "wb.received": ("Indberetninger modtaget", "Reports received"),
    "wb.within": ("Inden for ordningens område", "Within the scheme's scope"),
    "wb.outside": ("Uden for ordningens område", "Outside the scheme's scope"),
    "wb.forwarded": ("Videresendt til anden myndighed", "Forwarded to another body"),
    "wb.examined": ("Undersøgt", "Examined"),
    "wb.dismissed": ("Udfald: afvist", "Outcome: dismissed"),
    "wb.criticism": ("Udfald: kritik", "Outcome: criticism"),
    "wb.police": ("Udfald: politianmeldt", "Outcome: reported to the police"),
    "wb.ack": ("Modtagelse kvitteret inden for 7 dage", "Receipt acknowledged within 7 days"),
    "wb.feedback": ("Tilbagemelding inden for 3 måneder", "Feedback within 3 months"),
    "wb.note": (
        "Kun antal: afsendernes identitet indgår ikke i rapporten.",
        "Counts only: no reporter's identity is part of this report.",
    ),
    "appendix": ("Bilag: Sådan er der talt", "Appendix: How the figures are counted"),
    "own": ("Tilgang", "Approach"),
    "own.recommendations": ("Anbefalinger", "Recommendations"),
    "own.followup": ("Opfølgning", "Follow-up"),
    "own.blank": ("(Skriv her.)", "(Write here.)"),
    "figure": ("Antal", "Count"),
    "of": ("{a} af {b}", "{a} of {b}"),
}


def t(key: str, lang: str, **kw: object) -> str:
    da, en = _T[key]
    return (en if lang == "en" else da).format(**kw)


def _change(n: int, share: float | None, lang: str) -> str:
    sign = "+" if n > 0 else ""
    pct = "" if share is None else f" ({'+' if share > 0 else ''}{percent(share, lang)})"
    return f"{sign}{n}{pct}"


def _ack_rows(
    lines: tuple[AckLine, ...], first: str, lang: str, label: str = ""
) -> tuple[tuple[str, ...], ...]:
    head = (first, t("ack.in_time", lang), t("ack.late", lang), t("ack.open", lang))
    body = tuple(
        (
            value_label(label, x.label, lang) if label else x.label,
            str(x.in_time),
            str(x.late),
            str(x.still_open),
        )
        for x in lines
    )
    return (head, *body)


def build(
    fig: AnnualFigures,
    *,
    municipality: str,
    lang: str,
    made: dt.date,
    own_text: list[tuple[str, list[str]]] | None = None,
) -> Document:
    """The document, in `lang`. own_text: the advisor's sections (heading, paragraphs)
    from --text FILE.md; without it the sections stand blank, headed."""
    p = fig.period.name(lang)
    b: list[Block] = [
        Paragraph(municipality, "subtitle"),
        Paragraph(t("title", lang), "title"),
        Paragraph(p, "subtitle"),
        Paragraph(t("made", lang, day=day_name(made, lang)), "subtitle"),
        PageBreak(),
        Heading(t("key", lang)),
    ]
    prev = fig.previous.name(lang)
    rows: list[tuple[str, ...]] = [("", p, prev, t("col.change", lang))]
    for k in fig.key:
        rows.append(
            (
                t(f"k.{k.key}", lang),
                str(k.current),
                str(k.previous),
                _change(k.change, k.change_share, lang),
            )
        )
    b.append(TableBlock(tuple(rows), total_row=False))
    b.append(Heading(t("channels", lang), 2))
    b.append(TableBlock(tuple(tuple(r) for r in text_grid(fig.channels, True, lang))))
    b.append(Heading(t("consultancy", lang), 2))
    if fig.consultancy.total:
        b.append(TableBlock(tuple(tuple(r) for r in text_grid(fig.consultancy, False, lang))))
    else:
        b.append(Paragraph(t("consultancy.none", lang)))
    b += [PageBreak(), Heading(t("tables", lang))]
    for table in fig.tables:
        b.append(Heading(table.title, 2))
        unit = word(f"unit.{table.result.query.unit}", lang)
        b.append(
            TableBlock(
                tuple(tuple(r) for r in text_grid(table.result, table.percentages, lang)),
                caption=f"{p} · {word('meta.unit', lang)}: {unit}",
            )
        )
        b.append(Image(charts.table_chart(table.result, lang), alt=table.title))
    ack = fig.acknowledgement
    b += [PageBreak(), Heading(t("ack", lang)), Paragraph(t("ack.explain", lang))]
    tot = ack.total
    judged = tot.in_time + tot.late + tot.still_open
    b.append(
        TableBlock(
            (
                ("", t("figure", lang)),
                (t("ack.in_time", lang), str(tot.in_time)),
                (t("ack.late", lang), str(tot.late)),
                (t("ack.open", lang), str(tot.still_open)),
                (
                    t("ack.median", lang),
                    "–" if ack.median_hours is None else number(ack.median_hours, lang),
                ),
                (t("ack.total", lang), str(judged)),
            )
        )
    )
    b.append(Heading(t("ack.by_channel", lang), 2))
    b.append(
        TableBlock(
            _ack_rows(ack.by_channel, word("field.channel", lang), lang, "channel"), total_row=False
        )
    )
    b.append(Heading(t("ack.by_month", lang), 2))
    b.append(TableBlock(_ack_rows(ack.by_month, word("field.month", lang), lang), total_row=False))
    b.append(Image(charts.ack_chart(ack.by_month, lang), alt=t("ack.by_month", lang)))
    wb = fig.whistleblower
    b += [PageBreak(), Heading(t("wb", lang)), Paragraph(t("wb.note", lang), "note")]
    wrows: list[tuple[str, ...]] = [("", t("figure", lang))]
    wrows += [
        (t("wb.received", lang), str(wb.received)),
        (t("wb.within", lang), str(wb.within_scope)),
        (t("wb.outside", lang), str(wb.outside_scope)),
        (t("wb.forwarded", lang), str(wb.forwarded)),
        (t("wb.examined", lang), str(wb.examined)),
    ]
    wrows += [(t(f"wb.{o}", lang), str(n)) for o, n in wb.outcomes]
    wrows += [
        (t("wb.ack", lang), t("of", lang, a=wb.ack_in_time, b=wb.ack_targets)),
        (t("wb.feedback", lang), t("of", lang, a=wb.feedback_in_time, b=wb.feedback_targets)),
    ]
    b.append(TableBlock(tuple(wrows), total_row=False))
    b.append(PageBreak())
    sections = own_text or [
        (t(k, lang), []) for k in ("own", "own.recommendations", "own.followup")
    ]
    for heading, paras in sections:
        b.append(Heading(heading))
        for para in paras or [t("own.blank", lang)]:
            b.append(Paragraph(para[2:], "bullet") if para.startswith("- ") else Paragraph(para))
    b += [PageBreak(), Heading(t("appendix", lang))]
    for heading, paras in counting_rules(lang):
        b.append(Heading(heading, 2))
        b += [Paragraph(x[2:], "bullet") if x.startswith("- ") else Paragraph(x) for x in paras]
    return Document(title=f"{t('title', lang)} · {p}", lang=lang, blocks=tuple(b))


def read_own_text(text: str) -> list[tuple[str, list[str]]]:
    """The advisor's --text FILE.md: `# ` or `## ` lines start a section; paragraphs are
    separated by blank lines; `- ` lines are bullets. Everything else is plain text (no
    inline markup is interpreted, so nothing in it can become markup)."""
    sections: list[tuple[str, list[str]]] = []
    para: list[str] = []

    def flush() -> None:
        if para and sections:
            sections[-1][1].append(" ".join(para))
        para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            flush()
            sections.append((line.lstrip("#").strip(), []))
        elif not line:
            flush()
        elif line.startswith(("- ", "* ")):
            flush()
            if sections:
                sections[-1][1].append("- " + line[2:].strip())
        else:
            if not sections:
                sections.append(("", []))
            para.append(line)
    flush()
    return sections
