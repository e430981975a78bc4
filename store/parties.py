"""Parties: who made contact, and the addresses and numbers that identify them."""

from __future__ import annotations

from sqlmodel import Session, select

from store.addresses import normalise_email, normalise_phone
from store.models import Case, Party, PartyCreate, PartyEmail, PartyPhone


def party_for_counterpart(*, session: Session, counterpart: str | None) -> int | None:
    """The party id reached at a normalised e-mail address or E.164 number, if known."""
    if not counterpart:
        return None
    if "@" in counterpart:
        return session.exec(
            select(PartyEmail.party_id).where(PartyEmail.address == counterpart)
        ).first()
    return session.exec(select(PartyPhone.party_id).where(PartyPhone.number == counterpart)).first()


def add_address(*, session: Session, party_id: int, raw: str) -> None:
    """Attach an e-mail or phone number to a party (no-op if already there)."""
    email = normalise_email(raw) if "@" in raw else None
    if email:
        if party_for_counterpart(session=session, counterpart=email) is None:
            session.add(PartyEmail(party_id=party_id, address=email))
        return
    phone = normalise_phone(raw)
    if phone and party_for_counterpart(session=session, counterpart=phone) is None:
        session.add(PartyPhone(party_id=party_id, number=phone))


def create_party(*, session: Session, party_in: PartyCreate) -> Party:
    party = Party.model_validate(party_in, update={})
    session.add(party)
    session.flush()
    assert party.id is not None
    for raw in [*party_in.emails, *party_in.phones]:
        add_address(session=session, party_id=party.id, raw=raw)
    session.flush()
    return party


def open_cases_of(*, session: Session, party_id: int) -> list[Case]:
    return list(
        session.exec(
            select(Case)
            .where(Case.party_id == party_id, Case.closed_on.is_(None))  # type: ignore[union-attr]
            .order_by(Case.opened_on.desc())  # type: ignore[attr-defined]
        ).all()
    )
