"""Finding whom a data-subject request (or a party command) is about: `PARTY` on the
command line is a party id, a party ref, an e-mail address, a phone number or a name. An
address or number reaches what is stored from and to it even when no party holds it
(store.privacy.subject)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from store.addresses import normalise_email, normalise_phone
from store.db import MAX_INTEGER
from store.errors import UserError
from store.merge import parties_named
from store.models import Party
from store.parties import party_for_counterpart
from store.privacy.subject import (
    Subject,
    call_records_naming,
    contacts_naming,
    messages_naming,
    party_subject,
)


class NoPartyMatches(UserError):
    """`PARTY` reads as nothing a party has (it may still be an address or number)."""


def find_subject(*, session: Session, text: str) -> Subject:
    """The party `text` names with all its addresses and numbers, or, for an address or
    number no party holds, that address alone when anything stored names it."""
    try:
        pid = find_party(session=session, text=text)
    except NoPartyMatches:
        address = _address(text)
        if address is None:
            raise
        subject = Subject(
            party_id=None,
            emails=(address,) if "@" in address else (),
            phones=() if "@" in address else (address,),
        )
        if not (
            contacts_naming(session, subject)
            or messages_naming(session, subject)
            or call_records_naming(session, subject)
        ):
            raise UserError(
                f"no party matches {text.strip()!r} and nothing is stored from or to it; "
                "give a party id, ref, e-mail address, phone number or name"
            ) from None
        return subject
    # Found by an address or number: party_subject has it (it is the party's).
    return party_subject(session, pid)


def _address(text: str) -> str | None:
    """`text` as a normalised e-mail address or phone number, if it reads as one."""
    raw = text.strip()
    if raw.lower().startswith("id:"):
        return None
    return normalise_email(raw) if "@" in raw else normalise_phone(raw)


def find_party(*, session: Session, text: str) -> int:
    """The one party `text` names. Every reading that applies is tried; they must agree.

    "id:17" is always an id; a bare number is an id when short (party ids), and a phone
    number when it normalises to one; anything with "@" is an e-mail address; any text
    may be a party ref or a party's name (case and spacing ignored). A name that more
    than one party has is refused, naming them.
    """
    raw = text.strip()
    if not raw:
        raise UserError(
            "PARTY is empty; give a party id, ref, e-mail address, phone number or name"
        )
    found: dict[int, str] = {}
    if raw.lower().startswith("id:"):
        rest = raw[3:].strip()
        # isdigit() alone takes '²' and other digits int() refuses.
        if not (rest.isascii() and rest.isdigit()) or int(rest) > MAX_INTEGER:
            raise UserError(f"{raw!r}: 'id:' must be followed by a party id number")
        # Past 64 bits no row can have it (and SQLite refuses to bind it).
        pid = session.get(Party, int(rest)) if int(rest) < 2**63 else None
        if pid is None:
            raise UserError(f"no party with id {rest}")
        return int(rest)
    ref_hit = session.scalars(select(col(Party.id)).where(col(Party.ref) == raw)).first()
    if ref_hit is not None:
        found[ref_hit] = "ref"
    if "@" in raw:
        email = normalise_email(raw)
        hit = party_for_counterpart(session=session, counterpart=email) if email else None
        if hit is not None:
            found[hit] = "e-mail"
    else:
        # isascii(): '²' passes isdigit() and breaks int().
        if (
            raw.isascii()
            and raw.isdigit()
            and len(raw) <= 7
            and session.get(Party, int(raw)) is not None
        ):
            found[int(raw)] = "id"
        phone = normalise_phone(raw)
        hit = party_for_counterpart(session=session, counterpart=phone) if phone else None
        if hit is not None:
            found[hit] = "phone"
    named = [] if "@" in raw else parties_named(session, raw, limit=10)
    if len(named) > 1:
        ids = ", ".join(f"id:{n}" for n in named)
        raise UserError(
            f"{raw!r} is the name of {len(named)} parties ({ids}); say 'id:N' to pick one"
        )
    for n in named:
        found.setdefault(n, "name")
    if not found:
        raise NoPartyMatches(
            f"no party matches {raw!r}; give a party id, ref, e-mail address, phone number or name"
        )
    if len(found) > 1:
        readings = ", ".join(f"party {pid} by {how}" for pid, how in sorted(found.items()))
        raise UserError(f"{raw!r} is ambiguous ({readings}); say 'id:N' to pick one")
    return next(iter(found))
