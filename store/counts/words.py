"""The words of written reports and exports, in Danish and English.

tui/i18n.py holds the UI's texts; documents and exports are written by the store (the CLI
and the annual report have no UI), so they carry their own small vocabulary here. The
language is the config's `language` (store.config.model.Config).
"""

from __future__ import annotations

from store.counts.query import NONE_LABEL

_W: dict[str, tuple[str, str]] = {
    "sum": ("Sum", "Sum"),
    "count": ("Antal", "Count"),
    "pct": ("%", "%"),
    "none": ("Uden kategori", "Unclassified"),
    "unit.contacts": ("henvendelser", "contacts"),
    "unit.parties": (
        "henvendere (personer og virksomheder, talt én gang)",
        "parties (people and companies, each counted once)",
    ),
    "unit.cases": ("sager", "cases"),
    "field.department": ("Afdeling", "Department"),
    "field.category": ("Kategori", "Category"),
    "field.theme": ("Tema", "Theme"),
    "field.action": ("Handling", "Action"),
    "field.outcome": ("Udfald", "Outcome"),
    "field.channel": ("Kanal", "Channel"),
    "field.party_kind": ("Henvendertype", "Party kind"),
    "field.month": ("Måned", "Month"),
    "channel.phone": ("Telefon", "Phone"),
    "channel.email": ("Mail", "E-mail"),
    "channel.meeting": ("Møde", "Meeting"),
    "channel.letter": ("Brev", "Letter"),
    "channel.home_visit": ("Hjemmebesøg", "Home visit"),
    "party_kind.citizen": ("Borger", "Citizen"),
    "party_kind.company": ("Virksomhed", "Company"),
    "party_kind.association": ("Forening", "Association"),
    "meta.unit": ("Enhed", "Unit"),
    "meta.made": ("Dannet", "Made"),
    "note.unclassified": (
        "{n} {unit} uden kategori ({field}): ret dem i registret",
        "{n} {unit} without a {field}: classify them in the register",
    ),
    # Only the period's contacts: the desk's Indbakke and `status` count them all.
    "note.triage": (
        "{n} henvendelse(r) fra perioden venter i indbakken og tælles ikke med",
        "{n} contact(s) from the period wait in triage and count nowhere",
    ),
    # compliance (store.replies.compliance)
    "c.rule": ("Regel", "Rule"),
    "c.targets": ("Frister", "Targets"),
    "c.met_in_time": ("Svaret i tide", "Met in time"),
    "c.met_late": ("Svaret for sent", "Met late"),
    "c.waived": ("Frafaldet", "Waived"),
    "c.still_open": ("Stadig åbne", "Still open"),
    "c.overdue_now": ("Overskredet nu", "Overdue now"),
    "c.median": ("Median, timer", "Median h"),
    "c.p90": ("90 %-fraktil, timer", "p90 h"),
    "c.in_time": ("I tide, %", "In time %"),
    "c.title": ("Svarfrister", "Reply compliance"),
}


def word(key: str, lang: str = "da") -> str:
    da, en = _W[key]
    return en if lang == "en" else da


def value_label(field: str, value: str, lang: str = "da") -> str:
    """A counted value as a reader names it: taxonomy labels as configured, the built-in
    channel and party-kind codes in words, and no classification as "Uden kategori"."""
    if value == NONE_LABEL:
        return word("none", lang)
    key = f"{field}.{value}"
    return word(key, lang) if key in _W else value


def number(n: float, lang: str = "da", decimals: int = 1) -> str:
    """A decimal number with the language's decimal mark (Danish: comma)."""
    s = f"{n:.{decimals}f}"
    return s.replace(".", ",") if lang != "en" else s


def percent(share: float | None, lang: str = "da", decimals: int = 0) -> str:
    """A share (0..1) as the reports print it ("54 %"); "–" where the base is 0."""
    if share is None:
        return "–"
    return f"{number(100 * share, lang, decimals)} %"
