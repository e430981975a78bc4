"""Reading the ids and names the day's commands take (`contact`, `party`): each bad
value is one line and exit 2, before anything is opened or changed.

This module is imported to parse every command's arguments, before anything runs, so it
imports nothing heavy itself: the store's modules come in inside the readers
that need a session, and the few store values a command's options name are copied here
(tests/test_startup_imports.py checks each copy against the store's own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import UserError

if TYPE_CHECKING:
    from sqlmodel import Session

# store.db.MAX_INTEGER. Ids are SQL BIGINTs: a larger number can name no row, and SQLite
# refuses to bind it.
MAX_INTEGER = 2**63 - 1
MAX_ID = MAX_INTEGER

# The values of store.models.Channel, as the options spell them.
CHANNELS = "|".join(("phone", "email", "meeting", "letter", "home-visit"))
# The values of store.models.Direction.
DIRECTIONS = ("in", "out")

# store.config.PRESETS: the presets `init` writes.
PRESETS = ("odsherred", "haderslev")


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
    from store.cases import get_case_by_ref

    if ref is None or not ref.strip():
        raise UserError(f"{option} is missing; give a case ref such as 2026-0001")
    case = get_case_by_ref(session=session, ref=ref.strip())
    if case is None or case.id is None:
        raise UserError(
            f"{option} {ref!r}: no case with that ref; see 'borgerdesk report' or "
            "the desk's Sager for the refs"
        )
    return case.id


def party_id_of(session: Session, text: str | None, name: str = "PARTY") -> int:
    """The one party `text` names (id, ref, e-mail, phone or an unambiguous name)."""
    from store.privacy.lookup import find_party

    if text is None:
        raise UserError(
            f"{name} is missing; give a party id, ref, e-mail address, phone number or name"
        )
    return find_party(session=session, text=text)
