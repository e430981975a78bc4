"""The counting rules, written once in English and Danish, side by side.

docs/counting.md is generated from the English text (tests/test_docs.py checks it is
current) and the annual report's appendix "Sådan er der talt" from the Danish (or the
English when the UI is English), so the documentation and the report cannot drift.
Regenerate the docs with:
  uv run python -c 'from store.counts.rules import write; write()'
"""

from __future__ import annotations

from pathlib import Path

# (heading (en, da), [paragraph or "- bullet" (en, da)])
Rule = tuple[tuple[str, str], list[tuple[str, str]]]

INTRO = (
    "The annual counts go to the municipal council, so every number has one documented "
    "meaning. `borgerdesk report`, `borgerdesk annual-report` and the UI's statistics "
    "screen use the same engine (`store/counts`)."
)

RULES: list[Rule] = [
    (
        ("Periods", "Perioder"),
        [
            (
                "- A period is a pair of **inclusive** dates in Europe/Copenhagen: `--year 2024` "
                "is "
                "1 January 00:00 to 31 December 24:00 local time. A contact at 23:30 local time on "
                "31 December belongs to that year even though it is stored as 22:30 UTC.",
                "- En periode er to datoer, begge medregnet, i dansk tid: år 2024 er 1. januar kl. "
                "00.00 til 31. december kl. 24.00. En henvendelse kl. 23.30 den 31. december hører "
                "til det år.",
            ),
            (
                "- `--period` names the periods offices report on: `2024` (calendar year), "
                "`2024/25` (the report year from `[reports] year_starts`, e.g. 1 October 2024 – "
                "30 September 2025), `2024H2`, `2024Q3` and `ytd` (the report year so far); "
                "`--from/--to` gives any other.",
                "- Perioden kan være et kalenderår, et beretningsår (fx 1. oktober 2024 – 30. "
                "september 2025), et halvår, et kvartal eller året indtil nu.",
            ),
            (
                "- The previous period that key figures compare with has the same length and ends "
                "the day before: the previous year, half-year, quarter or report year.",
                "- Nøgletal sammenlignes med perioden før af samme længde: året, halvåret, "
                "kvartalet "
                "eller beretningsåret før.",
            ),
        ],
    ),
    (
        ("Which cases count", "Hvilke sager tæller"),
        [
            (
                "- Cases of the requested kind: `citizen` by default; consultancy tasks and the "
                "whistleblower register are counted on their own and never mixed in.",
                "- Borgersager. Konsulentopgaver og whistleblowerordningen tælles for sig og "
                "blandes "
                "aldrig ind i borgertallene.",
            ),
            (
                '- Cases marked **excluded** ("udgår af statistikken") are left out unless asked '
                'for. Haderslev\'s "118 registered, 7 excluded, 111 counted" is `--unit cases` '
                "with and without `--include-excluded`.",
                '- Sager markeret "udgår af statistikken" tælles ikke med. Fx 118 registrerede '
                "sager, hvoraf 7 udgår: 111 tælles.",
            ),
        ],
    ),
    (
        ("Units", "Enheder"),
        [
            (
                "- **contacts** (henvendelser): inbound contacts on counted cases that occurred in "
                "the period.",
                "- Henvendelser: indgående henvendelser på talte sager, der fandt sted i perioden.",
            ),
            (
                "- **parties** (henvendere): distinct people and companies with at least one such "
                "contact. A party counts once in every cell where it has a contact; row, column "
                "and "
                "grand totals count each party once, so totals can be smaller than the sum of "
                "their cells.",
                "- Henvendere: forskellige personer og virksomheder med mindst én henvendelse. En "
                "henvender tælles én gang i hver celle, hvor vedkommende har en henvendelse, og én "
                "gang i hver sum; derfor kan en sum være mindre end cellerne lagt sammen.",
            ),
            (
                "- **cases** (sager): counted cases opened in the period.",
                "- Sager: talte sager oprettet i perioden.",
            ),
            (
                "- Outbound contacts (the advisor's replies, calls back) count only with "
                "`--include-outbound`. Contacts still waiting in triage, and contacts marked "
                '"not a case", count nowhere; each table says how many of the period\'s incoming '
                "contacts wait in triage (the desk's Indbakke and `status` count all of them).",
                "- Borgerrådgiverens egne svar og opringninger tælles ikke som henvendelser. "
                "Henvendelser, der endnu ikke er knyttet til en sag, tælles ingen steder; tabellen "
                "oplyser hvor mange fra perioden der venter (Indbakken og `status` tæller dem "
                "alle).",
            ),
        ],
    ),
    (
        ("Classification and reclassification", "Kategorier og omklassificering"),
        [
            (
                "- A contact is classified by its case: department, category, theme, action and "
                "outcome are the case's **current** values. Reclassifying a case moves all its "
                "contacts, in every period, to the new cell.",
                "- En henvendelse tælles under sagens nuværende afdeling, kategori, tema, handling "
                "og udfald. Ændres en sags kategori, flytter alle dens henvendelser med, i alle "
                "perioder.",
            ),
            (
                "- Every classification change is kept in the case history (who, when, old and new "
                "value) and in the audit log, so what a past report showed can be reconstructed.",
                "- Hver ændring gemmes i sagens historik og i revisionssporet (hvem, hvornår, før "
                "og "
                "efter), så et tidligere tal kan genskabes.",
            ),
            (
                '- A case without a value is shown as its own row, "Uden kategori" '
                '("Unclassified"), and the table says how many there are so they can be fixed; '
                "filter for them with `--where theme=(none)`.",
                '- Sager uden en værdi vises i deres egen række, "Uden kategori", og tabellen '
                "oplyser antallet, så de kan rettes.",
            ),
            (
                "- Every taxonomy value valid in the period is a row, zeros included (a preset "
                "table's `zero_rows = false` shows only those that occur).",
                "- Alle værdier, der gælder i perioden, vises, også dem med 0.",
            ),
        ],
    ),
    (
        ("Departments over time", "Afdelinger over tid"),
        [
            (
                "- Departments carry `valid_from` / `valid_to` dates. A case is classified under a "
                "department valid on the day it was opened. A period spanning a reorganisation "
                "shows old and new departments side by side, each with its own cases.",
                "- Afdelinger har en gyldighedsperiode. En sag hører til en afdeling, der gjaldt "
                "den "
                "dag, sagen blev oprettet. Spænder perioden over en omorganisering, vises gamle og "
                "nye afdelinger side om side med hver deres sager.",
            ),
        ],
    ),
    (
        ("Purge and erasure", "Sletning"),
        [
            (
                "- When retention or an erasure removes a case's personal data (names, texts, "
                "addresses), its classification, dates and the facts counted here stay: the counts "
                "of past periods do not change.",
                "- Når personoplysninger slettes efter de faste frister eller på anmodning, "
                "bevares "
                "sagens kategorier og datoer. Derfor ændrer tallene for tidligere perioder sig "
                "ikke.",
            ),
            (
                "- The whistleblower section counts reports and their handling only; no reporter's "
                "identity is ever read by a report.",
                "- Afsnittet om whistleblowerordningen indeholder kun antal; ingen oplysninger om, "
                "hvem der har indberettet.",
            ),
        ],
    ),
]

OUTPUT = [
    "- `--format json` has exactly this shape (zero cells may be left out): "
    '`{"unit", "from", "to", "rows_field", "cols_field", "cells": [{"row", '
    '"col", "count"}], "row_totals", "col_totals", "total"}`; labels are the '
    "stored values and an empty one is `(none)`. A preset gives a list of such objects, each "
    "with its `title`.",
    "- `table`, `md`, `xlsx`, `csv-excel` and the desk's export look like the reports: rows "
    "× columns with a Sum row and column, headed by the municipality, the period in words, "
    "the unit and when it was made. `--percentages` adds the share of the first column in "
    'each row (Haderslev\'s complaint share: 54 %); a share of 0 is shown as "–".',
    "- `--format csv` is RFC 4180, UTF-8 without BOM, for scripts; `--format csv-excel` uses "
    "`;`, a UTF-8 BOM and a decimal comma, which a Danish Excel opens as it is. Every CSV and "
    "xlsx cell passes one formula guard (`store/cells.py`).",
]


def counting_rules(lang: str = "da") -> list[tuple[str, list[str]]]:
    """The rules for a document, without Markdown marks."""
    i = 0 if lang == "en" else 1
    return [(h[i], [p[i].replace("`", "").replace("**", "") for p in paras]) for h, paras in RULES]


def _wrap(text: str, first: str, rest: str, width: int = 92) -> list[str]:
    out, line = [], first
    for w in text.split():
        if len(line) + len(w) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = rest
        line += w + " "
    out.append(line.rstrip())
    return out


def render() -> str:
    """docs/counting.md."""
    lines = ["# Counting rules", "", *_wrap(INTRO, "", ""), ""]
    for (h, _), paras in [*RULES, (("Output", ""), [(x, "") for x in OUTPUT])]:
        lines += [f"## {h}"]
        for en, _ in paras:
            lines += _wrap(en[2:], "- ", "  ") if en.startswith("- ") else _wrap(en, "", "")
        lines.append("")
    return "\n".join(lines)


def write(path: Path = Path("docs/counting.md")) -> None:
    path.write_text(render(), "utf-8")
