"""Finding the party a data-subject request is about: `PARTY` on the command line is a
party id, a party ref, an e-mail address or a phone number."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from store.addresses import normalise_email, normalise_phone
from store.db import MAX_INTEGER
from store.errors import UserError
from store.models import Party
from store.parties import party_for_counterpart


def find_party(*, session: Session, text: str) -> int:
    """The one party `text` names. Every reading that applies is tried; they must agree.

    "id:17" is always an id; a bare number is an id when short (party ids), and a phone
    number when it normalises to one; anything with "@" is an e-mail address; any text
    may be a party ref.
    """
    raw = text.strip()
    if not raw:
        raise UserError("PARTY is empty; give a party id, ref, e-mail address or phone number")
    found: dict[int, str] = {}
    if raw.lower().startswith("id:"):
        rest = raw[3:].strip()
        # isdigit() alone takes '²' and other digits int() refuses.
        if not (rest.isascii() and rest.isdigit()) or int(rest) > MAX_INTEGER:
            raise UserError(f"{raw!r}: 'id:' must be followed by a party id number")
        pid = session.get(Party, int(rest))
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
        if raw.isdigit() and len(raw) <= 7 and session.get(Party, int(raw)) is not None:
            found[int(raw)] = "id"
        phone = normalise_phone(raw)
        hit = party_for_counterpart(session=session, counterpart=phone) if phone else None
        if hit is not None:
            found[hit] = "phone"
    if not found:
        raise UserError(
            f"no party matches {raw!r}; give a party id, ref, e-mail address or phone number"
        )
    if len(found) > 1:
        readings = ", ".join(f"party {pid} by {how}" for pid, how in sorted(found.items()))
        raise UserError(f"{raw!r} is ambiguous ({readings}); say 'id:N' to pick one")
    return next(iter(found))
