"""`export-register`: the store as a register file, in the import's own format.

Round trip: exporting, importing into an empty store and exporting again gives the same
file. Whistleblower cases are never part of a general export; ask for them by kind.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from store.cells import CsvWriter, write_plain_xlsx
from store.models import Case, Contact, Party, PartyEmail, PartyPhone
from store.outfile import atomic_output, check_output
from store.register.columns import DANISH_HEADERS, EXPORT_COLUMNS
from store.timeutil import CPH


def _fmt_moment(c: Contact) -> str:
    local = c.occurred_at.astimezone(CPH)
    if local.second:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if local.hour or local.minute:
        return local.strftime("%Y-%m-%d %H:%M")
    return local.date().isoformat()


def register_rows(*, session: Session, kinds: tuple[str, ...]) -> list[dict[str, str]]:
    cases = (
        session.execute(select(Case).where(col(Case.kind).in_(kinds)).order_by(col(Case.ref)))
        .scalars()
        .all()
    )
    party_ids = {c.party_id for c in cases if c.party_id is not None}
    parties = {
        p.id: p
        for p in session.execute(select(Party).where(col(Party.id).in_(party_ids))).scalars()
    }
    emails: dict[int, list[str]] = defaultdict(list)
    for pid, a in session.execute(
        select(col(PartyEmail.party_id), col(PartyEmail.address))
        .where(col(PartyEmail.party_id).in_(party_ids))
        .order_by(col(PartyEmail.address))
    ):
        emails[pid].append(a)
    phones: dict[int, list[str]] = defaultdict(list)
    for pid, n in session.execute(
        select(col(PartyPhone.party_id), col(PartyPhone.number))
        .where(col(PartyPhone.party_id).in_(party_ids))
        .order_by(col(PartyPhone.number))
    ):
        phones[pid].append(n)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    case_ids = [c.id for c in cases]
    for i in range(0, len(case_ids), 5000):
        for ct in session.execute(
            select(Contact)
            .where(col(Contact.case_id).in_(case_ids[i : i + 5000]))
            .order_by(col(Contact.occurred_at), col(Contact.id))
        ).scalars():
            assert ct.case_id is not None
            contacts[ct.case_id].append(ct)

    out: list[dict[str, str]] = []
    for c in cases:
        p = parties.get(c.party_id) if c.party_id is not None else None
        base = {
            "case_ref": c.ref,
            # A party without a ref gets a stable one so a re-import groups its cases.
            "party_ref": (p.ref or f"P{p.id}") if p else "",
            "party_name": (p.name or "") if p else "",
            "party_kind": p.kind if p else "",
            "party_email": ";".join(emails.get(p.id, [])) if p and p.id else "",
            "party_phone": ";".join(phones.get(p.id, [])) if p and p.id else "",
            "department": c.department or "",
            "category": c.category or "",
            "theme": c.theme or "",
            "action": c.action or "",
            "outcome": c.outcome or "",
            "case_kind": c.kind,
            "case_opened": c.opened_on.isoformat(),
            "case_closed": c.closed_on.isoformat() if c.closed_on else "",
            "excluded": "true" if c.excluded else "false",
            "excluded_reason": c.excluded_reason or "",
            "wanted_to_complain": "true" if c.wanted_to_complain else "false",
        }
        cs = contacts.get(c.id or -1, [])
        if not cs:
            out.append({**base, "contact_at": "", "channel": "", "direction": "", "summary": ""})
        for ct in cs:
            out.append(
                {
                    **base,
                    "contact_at": _fmt_moment(ct),
                    "channel": ct.channel,
                    "direction": ct.direction,
                    "summary": ct.summary or "",
                }
            )
    return out


def export_register(
    *, session: Session, path: Path, kinds: tuple[str, ...], lang: str = "en"
) -> int:
    """CSV (for scripts: the import's English column names) or xlsx (Danish column names
    when `lang` is "da", the importer's own aliases)."""
    check_output(path)  # before the query, not only before the write
    rows = register_rows(session=session, kinds=kinds)
    with atomic_output(path, mode=0o600) as tmp:
        if path.suffix.lower() == ".xlsx":
            header = [DANISH_HEADERS[c] if lang == "da" else c for c in EXPORT_COLUMNS]
            write_plain_xlsx(
                tmp, "Register", [header, *([r[c] for c in EXPORT_COLUMNS] for r in rows)]
            )
        else:
            buf = io.StringIO(newline="")
            w = CsvWriter(buf, lineterminator="\n")
            w.writerow(EXPORT_COLUMNS)
            w.writerows([r[c] for c in EXPORT_COLUMNS] for r in rows)
            tmp.write_text(buf.getvalue(), "utf-8")
    return len(rows)
