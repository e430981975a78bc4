"""The right of access's readable summary (`summary.html` of store.privacy.export).

Every untrusted text is escaped: `_table` cells are built from `_e(...)` only; no
scripts, and a CSP that forbids loading anything.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from store.timeutil import show

# The summary goes to the citizen who asked: in the config's language, Danish by default.
# The English is the key; records.json keeps its English field names for scripts.
_DA = {
    "Data held about": "Oplysninger om",
    "party": "part",
    "Exported": "Udtrukket",
    "Case kinds": "Sagstyper",
    "Every record is also in records.json; every message byte for byte in "
    "messages/*.eml; every call in calls.csv.": "Alle oplysninger findes også i records.json; hver "
    "mail uændret i messages/*.eml; "
    "hvert opkald i calls.csv.",
    "None.": "Ingen.",
    "(not stored)": "(ikke gemt)",
    "Party": "Part",
    "Cases": "Sager",
    "Case notes": "Sagsnotater",
    "Contacts": "Henvendelser",
    "Messages": "Mails",
    "Calls": "Opkald",
    "Audit entries": "Logposter",
    "Whistleblower reporter identity (confidential)": "Whistleblowerens identitet (fortrolig)",
    "Name": "Navn",
    "Ref": "Reference",
    "Kind": "Type",
    "E-mail addresses": "Mailadresser",
    "Phone numbers": "Telefonnumre",
    "Anonymised": "Anonymiseret",
    "Title": "Titel",
    "Department": "Afdeling",
    "Category": "Kategori",
    "Theme": "Tema",
    "Action": "Handling",
    "Outcome": "Udfald",
    "Opened": "Oprettet",
    "Closed": "Lukket",
    "Case": "Sag",
    "When": "Tidspunkt",
    "By": "Af",
    "Text": "Tekst",
    "Channel": "Kanal",
    "Direction": "Retning",
    "Address / number": "Adresse / nummer",
    "Summary": "Resumé",
    "Sent": "Sendt",
    "From": "Fra",
    "To": "Til",
    "Subject": "Emne",
    "File": "Fil",
    "Start": "Start",
    "Number": "Nummer",
    "Status": "Status",
    "Seconds": "Sekunder",
    "Line": "Linje",
    "Case id": "Sags-id",
    "Anonymous": "Anonym",
    "E-mail": "Mail",
    "Phone": "Telefon",
    "Address": "Adresse",
    "Note": "Note",
    "Entity": "Genstand",
    "Detail": "Detaljer",
}


def _words(lang: str) -> Callable[[str], str]:
    return (lambda text: text) if lang == "en" else _DA.__getitem__


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _when(v: str | None) -> str:
    if not v:
        return ""
    return show(dt.datetime.fromisoformat(v))


def _table(w: Callable[[str], str], headers: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return f"<p><em>{_e(w('None.'))}</em></p>"
    head = "".join(f"<th>{_e(w(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_html(data: dict[str, Any], lang: str = "da") -> str:
    """Everything escaped: `_table` cells are built from `_e(...)` only. Danish, or
    English when `lang` is "en"."""
    w = _words(lang)
    p = data["party"]
    who = f"{w('party')} {p['id']}" if p["id"] is not None else ", ".join(p["emails"] + p["phones"])
    parts = [
        "<!doctype html>",
        f'<html lang="{"en" if lang == "en" else "da"}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Indsigt / access: {_e(who)}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;vertical-align:top}"
        "td{white-space:pre-wrap}</style></head><body>",
        f"<h1>{w('Data held about')} {_e(who)}</h1>",
        f"<p>{w('Exported')} {_e(_when(data['exported_at']))} (Europe/Copenhagen). "
        f"{w('Case kinds')}: {_e(', '.join(data['case_kinds']))}. "
        + w(
            "Every record is also in records.json; every message byte for byte in "
            "messages/*.eml; every call in calls.csv."
        )
        + "</p>",
        f"<h2>{w('Party')}</h2>",
        _table(
            w,
            ["Name", "Ref", "Kind", "E-mail addresses", "Phone numbers", "Anonymised"],
            [
                [
                    _e(p["name"]),
                    _e(p["ref"]),
                    _e(p["kind"]),
                    _e(", ".join(p["emails"])),
                    _e(", ".join(p["phones"])),
                    _e(_when(p["anonymised_at"])),
                ]
            ],
        ),
        f"<h2>{w('Cases')}</h2>",
        _table(
            w,
            [
                "Ref",
                "Title",
                "Kind",
                "Department",
                "Category",
                "Theme",
                "Action",
                "Outcome",
                "Opened",
                "Closed",
            ],
            [
                [
                    _e(c["ref"]),
                    _e(c["title"]),
                    _e(c["kind"]),
                    _e(c["department"]),
                    _e(c["category"]),
                    _e(c["theme"]),
                    _e(c["action"]),
                    _e(c["outcome"]),
                    _e(c["opened_on"]),
                    _e(c["closed_on"]),
                ]
                for c in data["cases"]
            ],
        ),
        f"<h2>{w('Case notes')}</h2>",
        _table(
            w,
            ["Case", "When", "By", "Text"],
            [
                [_e(c["ref"]), _e(_when(n["at"])), _e(n["os_user"]), _e(n["text"])]
                for c in data["cases"]
                for n in c["notes"]
            ],
        ),
        f"<h2>{w('Contacts')}</h2>",
        _table(
            w,
            ["When", "Channel", "Direction", "Case", "Address / number", "Summary"],
            [
                [
                    _e(_when(c["occurred_at"])),
                    _e(c["channel"]),
                    _e(c["direction"]),
                    _e(c["case_ref"]),
                    _e(c["counterpart"]),
                    _e(c["summary"]),
                ]
                for c in data["contacts"]
            ],
        ),
        f"<h2>{w('Messages')}</h2>",
        _table(
            w,
            ["Sent", "From", "To", "Subject", "File", "Text"],
            [
                [
                    _e(_when(m["sent_at"])),
                    _e(m["from_addr"]),
                    _e(m["to_addrs"]),
                    _e(m["subject"]),
                    _e(m["eml_file"] or w("(not stored)")),
                    _e(m["text"]),
                ]
                for m in data["messages"]
            ],
        ),
        f"<h2>{w('Calls')}</h2>",
        _table(
            w,
            ["Start", "Direction", "Number", "Status", "Seconds", "Line"],
            [
                [
                    _e(_when(c["started_at"])),
                    _e(c["direction"]),
                    _e(c["number"] or c["raw_number"]),
                    _e(c["status"]),
                    _e(c["duration_s"]),
                    _e(c["line"]),
                ]
                for c in data["calls"]
            ],
        ),
        *(
            [
                f"<h2>{w('Whistleblower reporter identity (confidential)')}</h2>",
                _table(
                    w,
                    ["Case id", "Anonymous", "Name", "E-mail", "Phone", "Address", "Note"],
                    [
                        [
                            _e(r["case_id"]),
                            _e(r["anonymous"]),
                            _e(r["name"]),
                            _e(r["email"]),
                            _e(r["phone"]),
                            _e(r["address"]),
                            _e(r["note"]),
                        ]
                        for r in data["whistleblower_reporters"]
                    ],
                ),
            ]
            if data["whistleblower_reporters"]
            else []
        ),
        f"<h2>{w('Audit entries')}</h2>",
        _table(
            w,
            ["When", "By", "Action", "Entity", "Detail"],
            [
                [
                    _e(_when(a["at"])),
                    _e(a["os_user"]),
                    _e(a["action"]),
                    _e(f"{a['entity']} {a['entity_id'] or ''}"),
                    _e(a["detail"]),
                ]
                for a in data["audit"]
            ],
        ),
        "</body></html>",
    ]
    return "\n".join(parts)
