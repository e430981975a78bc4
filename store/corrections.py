"""Correcting what triage got wrong: a contact moved to another case, unlinked back to
triage, or its "not a case" undone.

Each correction is audited, and the reply rules see the contact again in the same
transaction (a contact moved out of a whistleblower case owes a citizen's replies). The
counts follow by themselves: they read the contacts' current case.
"""

from __future__ import annotations

from sqlmodel import Session

from store.audit import record
from store.cases import UNLINKED, CaseClosed, note_event, note_move, update_case
from store.config import Config
from store.contacts import get_contact
from store.errors import UserError
from store.models import Case, CaseUpdate
from store.replies import apply_contacts


def _case_ref(session: Session, case_id: int | None) -> str | None:
    case = session.get(Case, case_id) if case_id is not None else None
    return case.ref if case is not None else None


def move_contact(
    *, session: Session, config: Config, contact_id: int, case_id: int, reopen: bool | None
) -> str:
    """Move a linked contact to another case; returns the new case's ref. A closed
    target case raises `CaseClosed` when `reopen` is None; True reopens it, False moves
    the contact in anyway."""
    contact = get_contact(session=session, contact_id=contact_id)
    case = session.get(Case, case_id)
    if case is None or case.id is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    if contact.case_id is None:
        raise UserError(
            f"contact {contact_id} is in triage, not in a case; link it instead",
            code="contact_not_linked",
            contact_id=contact_id,
        )
    if contact.case_id == case.id:
        raise UserError(
            f"contact {contact_id} is already in case {case.ref}",
            code="contact_already_there",
            contact_id=contact_id,
            ref=case.ref,
        )
    if case.closed_on is not None:
        if reopen is None:
            raise CaseClosed(case_id=case.id, ref=case.ref, closed_on=case.closed_on)
        if reopen:
            update_case(session=session, case_id=case.id, changes=CaseUpdate(closed_on=None))
    old_case = session.get(Case, contact.case_id)
    old_ref = old_case.ref if old_case is not None else None
    note_move(session, contact_id=contact_id, old=old_case, new=case)
    contact.case_id = case.id
    if contact.party_id is None:
        contact.party_id = case.party_id
    session.add(contact)
    record(
        session,
        action="move",
        entity="contact",
        entity_id=contact_id,
        detail={"case": case.ref, "from_case": old_ref},
    )
    apply_contacts(session=session, config=config, contact_ids=[contact_id])
    return case.ref


def unlink_contact(*, session: Session, config: Config, contact_id: int) -> str:
    """Take a contact out of its case, back to triage; returns the case's ref. It keeps
    its party (the address still says who wrote)."""
    contact = get_contact(session=session, contact_id=contact_id)
    if contact.case_id is None:
        raise UserError(
            f"contact {contact_id} is not in a case",
            code="contact_not_linked",
            contact_id=contact_id,
        )
    old_ref = _case_ref(session, contact.case_id) or ""
    note_event(session, case_id=contact.case_id, event=UNLINKED, old=contact_id)
    contact.case_id = None
    session.add(contact)
    record(
        session,
        action="unlink",
        entity="contact",
        entity_id=contact_id,
        detail={"from_case": old_ref},
    )
    apply_contacts(session=session, config=config, contact_ids=[contact_id])
    return old_ref


def undismiss_contact(*, session: Session, config: Config, contact_id: int) -> None:
    """Undo "not a case": the contact waits in triage again."""
    contact = get_contact(session=session, contact_id=contact_id)
    if not contact.dismissed:
        raise UserError(
            f"contact {contact_id} is not marked 'not a case'",
            code="contact_not_dismissed",
            contact_id=contact_id,
        )
    contact.dismissed = False
    contact.dismissed_reason = None
    session.add(contact)
    record(session, action="undismiss", entity="contact", entity_id=contact_id)
    apply_contacts(session=session, config=config, contact_ids=[contact_id])
