"""Contacts (henvendelser): adding them, linking them to cases, triage."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from store.audit import record
from store.cases import note_move
from store.concurrency import TRIAGE, claim_contact
from store.errors import UserError
from store.models import Case, Contact, ContactCreate
from store.parties import open_cases_of, party_for_counterpart
from store.plaintext import typed_text
from store.timeutil import local_date


def add_contact(*, session: Session, contact_in: ContactCreate, auto_link: bool = True) -> Contact:
    """Add a contact; idempotent on `source_ref` (returns the existing row).

    A contact from a known address or number becomes that party's contact, and is linked
    automatically when the party has exactly one open case, opened on or before the
    contact's day; otherwise it waits in triage. Mail or a call from before the case
    existed (a first sync of a year of history, a phone export that comes days late) is
    not assumed to belong to it: linking it would put it in the case's counts, last
    year's already reported ones included, without anyone deciding so.
    """
    if contact_in.source_ref is not None:
        existing = session.exec(
            select(Contact).where(Contact.source_ref == contact_in.source_ref)
        ).first()
        if existing is not None:
            return existing
    contact = Contact.model_validate(
        contact_in, update={"occurred_on": local_date(contact_in.occurred_at)}
    )
    if contact.party_id is None:
        contact.party_id = party_for_counterpart(session=session, counterpart=contact.counterpart)
    if auto_link and contact.case_id is None and contact.party_id is not None:
        cases = open_cases_of(session=session, party_id=contact.party_id)
        if len(cases) == 1 and cases[0].opened_on <= contact.occurred_on:
            contact.case_id = cases[0].id
    session.add(contact)
    session.flush()
    return contact


def get_contact(*, session: Session, contact_id: int) -> Contact:
    """The contact, or a `UserError` (it may have been removed since the list was read)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise UserError(
            f"no contact with id {contact_id}", code="contact_gone", contact_id=contact_id
        )
    return contact


def link_contacts(
    *,
    session: Session,
    contact_ids: list[int],
    case_id: int,
    seen: Mapping[int, int | str] | None = None,
) -> None:
    """Link contacts (waiting in triage or not) to a case, and give them the case's party
    when they have none. `seen`: where the caller saw each contact (a case id, or
    `store.concurrency.TRIAGE`); one that has moved since is refused (`ContactTaken`)."""
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    for cid in contact_ids:
        claim_contact(session, cid, (seen or {}).get(cid))
        contact = get_contact(session=session, contact_id=cid)
        old = contact.case_id
        if old != case_id:
            note_move(
                session,
                contact_id=cid,
                new=case,
                old=session.get(Case, old) if old is not None else None,
            )
        contact.case_id = case_id
        # A contact filed into a case is a case's contact: "not a case" no longer holds
        # (a dismissed contact found by search and linked counts again, as it should).
        contact.dismissed = False
        contact.dismissed_reason = None
        if contact.party_id is None:
            contact.party_id = case.party_id
        session.add(contact)
        record(
            session,
            action="link",
            entity="contact",
            entity_id=cid,
            detail={"case": case.ref, "from_case_id": old},
        )
    session.flush()


def dismiss_contact(*, session: Session, contact_id: int, reason: str) -> None:
    """Mark a triage contact "not a case". Only a contact waiting in triage can be: one in
    a case counts in the council's figures through its case, so "not a case" would be a
    contradiction that still counted. `ContactTaken` names who linked (or dismissed) it
    and when, whether that was another desk a moment ago or the advisor herself."""
    reason = typed_text(reason, "the reason", lines=True)
    get_contact(session=session, contact_id=contact_id)  # a missing id: contact_gone
    claim_contact(session, contact_id, TRIAGE)
    contact = get_contact(session=session, contact_id=contact_id)
    contact.dismissed = True
    contact.dismissed_reason = reason
    session.add(contact)
    record(
        session, action="dismiss", entity="contact", entity_id=contact_id, detail={"reason": reason}
    )
    session.flush()


def waiting_in_triage() -> ColumnElement[bool]:
    """A contact waiting in triage: on no case and not dismissed. It counts in no report
    until the advisor links it (served by ix_contact_triage)."""
    return and_(col(Contact.case_id).is_(None), col(Contact.dismissed).is_(False))


def triage_count(*, session: Session) -> int:
    from sqlalchemy import func

    return session.exec(select(func.count()).select_from(Contact).where(waiting_in_triage())).one()
