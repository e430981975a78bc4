"""Reading the ids and names the day's commands take (`contact`, `party`): each bad
value is one line and exit 2, before anything is opened or changed."""

from __future__ import annotations

from sqlmodel import Session

from store.cases import get_case_by_ref
from store.db import MAX_INTEGER
from store.errors import UserError
from store.privacy.lookup import find_party

# Ids are SQL BIGINTs: a larger number can name no row, and SQLite refuses to bind it.
MAX_ID = MAX_INTEGER


def row_id(value: str | None, name: str) -> int:
    """A positive id within 64 bits."""
    if value is None or not value.strip():
        raise UserError(f"{name} is missing; give the number the desk or 'followups' shows")
    text = value.strip()
    # isdigit() alone takes '²' and other digits int() refuses.
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise UserError(f"{name} {value!r}: not an id (a whole number from 1 to {MAX_ID})")
    return int(text)


def case_id_of(session: Session, ref: str | None, option: str = "--case") -> int:
    """The id of the case `ref` names."""
    if ref is None or not ref.strip():
        raise UserError(f"{option} is missing; give a case ref such as 2026-0001")
    case = get_case_by_ref(session=session, ref=ref.strip())
    if case is None or case.id is None:
        raise UserError(f"{option} {ref!r}: no case with that ref; see 'borgerdesk report' or "
                        "the desk's Sager for the refs")
    return case.id


def party_id_of(session: Session, text: str | None, name: str = "PARTY") -> int:
    """The one party `text` names (id, ref, e-mail, phone or an unambiguous name)."""
    if text is None:
        raise UserError(f"{name} is missing; give a party id, ref, e-mail address, phone "
                        "number or name")
    return find_party(session=session, text=text)
