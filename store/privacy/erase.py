"""The right to erasure for one data subject: a targeted purge.

Everything personal about the subject goes (its cases' titles, notes and reporter
identity, the texts, addresses and numbers of its contacts and of every contact on its
cases, every stored mail and call record, its name, ref, addresses and numbers), exactly
as a retention purge would remove it; the anonymous count facts stay, so the statistics of
every period are unchanged. Free-text audit entries about the erased records go too
(through the purge's audit permit); the erasure writes its own audit entry.

The subject is a party, or an address or number no party holds yet (store.privacy.
subject): every contact whose counterpart is one of its addresses or numbers goes, in
triage, dismissed or linked, and every stored message from, to or copied to its
addresses, with or without a contact. The audit entry says "complete" only once no row
names any of them; otherwise the erasure fails and changes nothing.

All case kinds are erased: an erasure is about a person, and the confirmation shows
totals only, so it reveals no whistleblower case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlmodel import Session, col

from store.audit import record
from store.errors import UserError
from store.models import Case, Contact, Party
from store.privacy import anonymise as an
from store.privacy.subject import (
    Subject,
    call_records_naming,
    contacts_naming,
    messages_naming,
    party_subject,
    rows_naming,
)


@dataclass(frozen=True)
class ErasePlan:
    subject: Subject
    case_ids: list[int]
    case_refs: list[str]
    contact_ids: list[int]
    orphan_message_ids: list[int]
    orphan_call_ids: list[int]
    removed: an.Removed

    @property
    def party_id(self) -> int | None:
        return self.subject.party_id


def plan_erase(
    *, session: Session, party_id: int | None = None, subject: Subject | None = None
) -> ErasePlan:
    """What erasing `subject` (or the party `party_id` with its addresses) removes."""
    if subject is None:
        if party_id is None:
            raise ValueError("plan_erase needs a party_id or a subject")
        subject = party_subject(session, party_id)
    pid = subject.party_id
    party = session.get(Party, pid) if pid is not None else None
    if pid is not None and party is None:
        raise UserError(f"no party with id {pid}")
    cases = (
        session.execute(
            select(col(Case.id), col(Case.ref)).where(
                col(Case.party_id) == pid, col(Case.purged_at).is_(None)
            )
        ).all()
        if pid is not None
        else []
    )
    case_ids = [c[0] for c in cases]
    linked = (
        an.id_list(
            session.scalars(
                select(col(Contact.id)).where(
                    col(Contact.purged_at).is_(None),
                    or_(col(Contact.party_id) == pid, col(Contact.case_id).in_(case_ids)),
                )
            )
        )
        if pid is not None
        else []
    )
    contact_ids = sorted(set(linked) | set(contacts_naming(session, subject)))
    gone = set(contact_ids)
    # Messages scrubbed with their contact are counted there; these are the others.
    orphan_messages = sorted(
        mid for mid, cid in messages_naming(session, subject).items() if cid not in gone
    )
    orphan_calls = call_records_naming(session, subject)
    removed = an.measure(
        session,
        case_ids=case_ids,
        contact_ids=contact_ids,
        orphan_message_ids=orphan_messages,
        orphan_call_ids=orphan_calls,
    )
    if not removed.any() and (party is None or party.anonymised_at is not None):
        if party is not None:
            raise UserError(f"party {pid} is already anonymised; nothing left to erase")
        raise UserError(f"nothing is stored from or to {subject.describe()}; nothing to erase")
    return ErasePlan(
        subject=subject,
        case_ids=case_ids,
        case_refs=[c[1] for c in cases],
        contact_ids=contact_ids,
        orphan_message_ids=orphan_messages,
        orphan_call_ids=orphan_calls,
        removed=removed,
    )


def erase_party(*, session: Session, plan: ErasePlan, now: dt.datetime) -> an.Removed:
    """Carry out a plan from `plan_erase` in the caller's transaction."""
    pid = plan.party_id
    party = session.get(Party, pid) if pid is not None else None
    if pid is not None and party is None:
        raise UserError(f"no party with id {pid}")
    if party is not None and party.anonymised_at is not None and not plan.removed.any():
        raise UserError(f"party {pid} is already anonymised; nothing left to erase")
    removed = an.Removed(**plan.removed.as_dict())
    # Parties that only wrote on this party's cases (or whose contacts name the
    # subject's addresses) lose those contacts' data; they stay unless that was all
    # they had.
    others = set(
        an.id_list(
            session.scalars(
                select(col(Contact.party_id)).where(
                    col(Contact.id).in_(plan.contact_ids),
                    col(Contact.party_id).is_not(None),
                )
            )
        )
    ) - {pid}
    anonymise, remove = an.party_fates(
        session,
        others,
        gone_cases=set(plan.case_ids),
        gone_contacts=set(plan.contact_ids),
        force=[pid] if pid is not None else [],
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
    an.delete_replies_to(session, plan.subject.emails)
    an.settle_parties(session, anonymise, remove, now)
    if audit_ids:
        with an.audit_delete_permit(session, "erasure"):
            an.delete_audit_rows(session, audit_ids)
    session.flush()
    # Rows the plan did not see (a caller that planned in an earlier transaction; another
    # writer on PostgreSQL, whose transactions see each other's commits): the entry
    # below must not call an incomplete erasure complete.
    left = rows_naming(session, plan.subject)
    if left:
        raise UserError(
            f"erasure of {plan.subject.describe()} incomplete: {left} row(s) still name its "
            "addresses or numbers; nothing was changed, run it again"
        )
    record(
        session,
        action="erase",
        entity="party" if pid is not None else "address",
        entity_id=pid,
        detail={"removed": removed.as_dict(), "case_refs": plan.case_refs, "complete": True},
    )
    session.flush()
    return removed
