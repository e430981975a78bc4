"""The right to erasure for one party: a targeted purge.

Everything personal about the party goes (its cases' titles, notes and reporter identity,
the texts, addresses and numbers of its contacts and of every contact on its cases, every
stored mail and call record, its name, ref, addresses and numbers), exactly as a
retention purge would remove it; the anonymous count facts stay, so the statistics of
every period are unchanged. Free-text audit entries about the erased records go too
(through the purge's audit permit); the erasure writes its own audit entry.

All case kinds are erased: an erasure is about a person, and the confirmation shows
totals only, so it reveals no whistleblower case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from store.audit import record
from store.errors import UserError
from store.models import CallRecord, Case, Contact, EmailMessage, Party, PartyEmail, PartyPhone
from store.privacy import anonymise as an


@dataclass(frozen=True)
class ErasePlan:
    party_id: int
    case_ids: list[int]
    case_refs: list[str]
    contact_ids: list[int]
    orphan_message_ids: list[int]
    orphan_call_ids: list[int]
    removed: an.Removed


def plan_erase(*, session: Session, party_id: int) -> ErasePlan:
    party = session.get(Party, party_id)
    if party is None:
        raise UserError(f"no party with id {party_id}")
    cases = session.execute(
        select(col(Case.id), col(Case.ref)).where(
            col(Case.party_id) == party_id, col(Case.purged_at).is_(None)
        )
    ).all()
    case_ids = [c[0] for c in cases]
    contact_ids = an.id_list(
        session.scalars(
            select(col(Contact.id)).where(
                col(Contact.purged_at).is_(None),
                or_(col(Contact.party_id) == party_id, col(Contact.case_id).in_(case_ids)),
            )
        )
    )
    emails = list(
        session.scalars(select(col(PartyEmail.address)).where(col(PartyEmail.party_id) == party_id))
    )
    phones = list(
        session.scalars(select(col(PartyPhone.number)).where(col(PartyPhone.party_id) == party_id))
    )
    orphan_messages = an.id_list(
        session.scalars(
            select(col(EmailMessage.id)).where(
                and_(
                    col(EmailMessage.contact_id).is_(None),
                    col(EmailMessage.purged_at).is_(None),
                    col(EmailMessage.from_addr).in_(emails),
                )
            )
        )
    )
    orphan_calls = an.id_list(
        session.scalars(
            select(col(CallRecord.id)).where(
                col(CallRecord.contact_id).is_(None),
                col(CallRecord.number).in_(phones),
            )
        )
    )
    removed = an.measure(
        session,
        case_ids=case_ids,
        contact_ids=contact_ids,
        orphan_message_ids=orphan_messages,
        orphan_call_ids=orphan_calls,
    )
    if party.anonymised_at is not None and not removed.any():
        raise UserError(f"party {party_id} is already anonymised; nothing left to erase")
    return ErasePlan(
        party_id=party_id,
        case_ids=case_ids,
        case_refs=[c[1] for c in cases],
        contact_ids=contact_ids,
        orphan_message_ids=orphan_messages,
        orphan_call_ids=orphan_calls,
        removed=removed,
    )


def erase_party(*, session: Session, plan: ErasePlan, now: dt.datetime) -> an.Removed:
    """Carry out a plan from `plan_erase` in the caller's transaction."""
    party = session.get(Party, plan.party_id)
    if party is None:
        raise UserError(f"no party with id {plan.party_id}")
    if party.anonymised_at is not None and not plan.removed.any():
        raise UserError(f"party {plan.party_id} is already anonymised; nothing left to erase")
    removed = an.Removed(**plan.removed.as_dict())
    # Parties that only wrote on this party's cases lose those contacts' data; they stay
    # unless that was all they had.
    others = set(
        an.id_list(
            session.scalars(
                select(col(Contact.party_id)).where(
                    col(Contact.id).in_(plan.contact_ids),
                    col(Contact.party_id).is_not(None),
                )
            )
        )
    ) - {plan.party_id}
    anonymise, remove = an.party_fates(
        session,
        others,
        gone_cases=set(plan.case_ids),
        gone_contacts=set(plan.contact_ids),
        force=[plan.party_id],
    )
    removed.parties_anonymised, removed.parties_deleted = len(anonymise), len(remove)
    audit_ids = an.audit_rows_about(
        session, case_ids=plan.case_ids, case_refs=plan.case_refs, contact_ids=plan.contact_ids
    )
    removed.audit_entries = len(audit_ids)
    an.secure_delete(session)
    an.scrub_cases(session, plan.case_ids, now)
    an.scrub_contacts(session, plan.contact_ids, now)
    an.scrub_messages(session, plan.orphan_message_ids, now)
    an.delete_calls(session, plan.orphan_call_ids)
    an.settle_parties(session, anonymise, remove, now)
    if audit_ids:
        with an.audit_delete_permit(session, "erasure"):
            an.delete_audit_rows(session, audit_ids)
    record(
        session,
        action="erase",
        entity="party",
        entity_id=plan.party_id,
        detail={"removed": removed.as_dict(), "case_refs": plan.case_refs},
    )
    session.flush()
    return removed
