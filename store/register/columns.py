"""The register's columns, their Danish aliases, and value vocabularies."""

from __future__ import annotations

CASE_COLUMNS = (
    "case_ref",
    "party_ref",
    "party_name",
    "party_kind",
    "party_email",
    "party_phone",
    "department",
    "category",
    "theme",
    "action",
    "outcome",
    "case_kind",
    "case_opened",
    "case_closed",
    "excluded",
    "excluded_reason",
    "wanted_to_complain",
)
CONTACT_COLUMNS = ("contact_at", "channel", "direction", "summary")
COLUMNS = CASE_COLUMNS + CONTACT_COLUMNS
# The columns an export writes, in this order (every column; the round trip is lossless).
EXPORT_COLUMNS = COLUMNS

ALIASES: dict[str, str] = {
    "sag": "case_ref",
    "sagsnr": "case_ref",
    "sagsnummer": "case_ref",
    "sags_ref": "case_ref",
    "henvender": "party_ref",
    "henvender_ref": "party_ref",
    "borger_ref": "party_ref",
    "navn": "party_name",
    "henvender_navn": "party_name",
    "henvendertype": "party_kind",
    "type": "party_kind",
    "email": "party_email",
    "e-mail": "party_email",
    "mail": "party_email",
    "telefon": "party_phone",
    "tlf": "party_phone",
    "center": "department",
    "forvaltning": "department",
    "direktørområde": "department",
    "afdeling": "department",
    "kategori": "category",
    "tema": "theme",
    "handling": "action",
    "udfald": "outcome",
    "sagstype": "case_kind",
    "oprettet": "case_opened",
    "åbnet": "case_opened",
    "lukket": "case_closed",
    "udgår": "excluded",
    "udgået": "excluded",
    "udgår_grund": "excluded_reason",
    "ville_klage": "wanted_to_complain",
    "tidspunkt": "contact_at",
    "dato": "contact_at",
    "henvendelse": "contact_at",
    "kanal": "channel",
    "retning": "direction",
    "resumé": "summary",
    "resume": "summary",
    "note": "summary",
}

# The Danish header an xlsx export writes when the UI is Danish: each an alias above, so
# the file imports back as it is.
DANISH_HEADERS: dict[str, str] = {
    "case_ref": "sagsnr",
    "party_ref": "henvender",
    "party_name": "navn",
    "party_kind": "henvendertype",
    "party_email": "e-mail",
    "party_phone": "telefon",
    "department": "afdeling",
    "category": "kategori",
    "theme": "tema",
    "action": "handling",
    "outcome": "udfald",
    "case_kind": "sagstype",
    "case_opened": "oprettet",
    "case_closed": "lukket",
    "excluded": "udgår",
    "excluded_reason": "udgår_grund",
    "wanted_to_complain": "ville_klage",
    "contact_at": "tidspunkt",
    "channel": "kanal",
    "direction": "retning",
    "summary": "resumé",
}

CHANNELS = {
    "phone": "phone",
    "telefon": "phone",
    "tlf": "phone",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "meeting": "meeting",
    "møde": "meeting",
    "letter": "letter",
    "brev": "letter",
    "home_visit": "home_visit",
    "hjemmebesøg": "home_visit",
}
DIRECTIONS = {"in": "in", "ind": "in", "out": "out", "ud": "out"}
CASE_KINDS = {
    "citizen": "citizen",
    "borger": "citizen",
    "borgersag": "citizen",
    "consultancy": "consultancy",
    "konsulentopgave": "consultancy",
    "rådgivning": "consultancy",
    "whistleblower": "whistleblower",
    "whistleblowersag": "whistleblower",
}
PARTY_KINDS = {
    "citizen": "citizen",
    "borger": "citizen",
    "person": "citizen",
    "company": "company",
    "virksomhed": "company",
    "association": "association",
    "forening": "association",
}
BOOLEANS = {
    "true": True,
    "1": True,
    "ja": True,
    "yes": True,
    "x": True,
    "false": False,
    "0": False,
    "nej": False,
    "no": False,
    "": False,
}


def canonical(name: str) -> str | None:
    key = name.strip().lower().replace(" ", "_")
    if key in COLUMNS:
        return key
    return ALIASES.get(key)
