"""The party view's data: who a party is, and how much is filed under it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from store.desk import tables as T
from store.desk.queries import WB
from store.desk.rows import PartyInfo
from store.models import Party


def party_info(*, session: Session, party_id: int) -> PartyInfo | None:
    """None for an unknown party, and for a whistleblower case's party (the register
    keeps that identity apart from the general views)."""
    p = session.get(Party, party_id)
    if p is None or p.id is None:
        return None
    wb = session.execute(
        select(T.case.c.id).where(T.case.c.party_id == party_id, T.case.c.kind == WB)
    ).first()
    if wb is not None:
        return None
    emails = (
        session.execute(
            select(T.party_email.c.address)
            .where(T.party_email.c.party_id == party_id)
            .order_by(T.party_email.c.id)
        )
        .scalars()
        .all()
    )
    phones = (
        session.execute(
            select(T.party_phone.c.number)
            .where(T.party_phone.c.party_id == party_id)
            .order_by(T.party_phone.c.id)
        )
        .scalars()
        .all()
    )
    cases = session.execute(
        select(func.count()).select_from(T.case).where(T.case.c.party_id == party_id)
    ).scalar_one()
    contacts = session.execute(
        select(func.count()).select_from(T.contact).where(T.contact.c.party_id == party_id)
    ).scalar_one()
    return PartyInfo(
        party_id=p.id,
        name=p.name or "",
        kind=p.kind,
        ref=p.ref,
        emails=tuple(emails),
        phones=tuple(phones),
        cases=int(cases),
        contacts=int(contacts),
        version=p.version,
    )
