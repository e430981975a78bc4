"""Two parties that are one person: merging them, and finding likely duplicates.

A merge moves everything of OTHER to KEEP (addresses, numbers, contacts, cases) and
removes OTHER's row. The counts read the contacts' party, so the person then counts once
in every period, past ones included: that is the correction the merge is for.

What a merge refuses, so that nothing is lost and the privacy records stay true:
- a party anonymised by a purge or an erasure (its anonymous count key must not be
  joined to a named person again);
- a party of a whistleblower case (the register keeps that identity apart);
- two different register refs (a re-import would bring the dropped one back as a new
  party).
The audit entry holds ids and numbers only: the audit log outlives an erasure.
"""

from __future__ import annotations

import re

from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from store.audit import record
from store.cases import PARTY_MERGED, note_event
from store.desk.rows import DuplicateParty, MergeResult
from store.errors import UserError
from store.models import Case, CaseKind, Contact, Party, PartyEmail, PartyPhone
from store.parties import get_party


def _check_mergeable(session: Session, party: Party) -> None:
    if party.anonymised_at is not None:
        raise UserError(
            f"party {party.id} was anonymised (purge or erasure) and cannot be merged",
            code="party_anonymised",
            party_id=party.id,
        )
    wb = session.exec(
        select(Case.id).where(Case.party_id == party.id, Case.kind == CaseKind.whistleblower.value)
    ).first()
    if wb is not None:
        raise UserError(
            f"party {party.id} is the party of a whistleblower case and cannot be merged",
            code="party_whistleblower",
            party_id=party.id,
        )


def merge_parties(*, session: Session, keep_id: int, other_id: int) -> MergeResult:
    """Merge party `other_id` into `keep_id`. KEEP's name and kind stay; OTHER's name,
    ref and kind fill in what KEEP lacks."""
    if keep_id == other_id:
        raise UserError(
            f"party {keep_id} cannot be merged with itself", code="merge_self", party_id=keep_id
        )
    keep = get_party(session=session, party_id=keep_id)
    other = get_party(session=session, party_id=other_id)
    _check_mergeable(session, keep)
    _check_mergeable(session, other)
    if keep.ref and other.ref and keep.ref != other.ref:
        raise UserError(
            f"parties {keep_id} and {other_id} have different register refs "
            f"({keep.ref}, {other.ref}); merge them in the register and "
            "import it again",
            code="merge_refs",
            keep=keep.ref,
            other=other.ref,
        )
    other_ref, other.ref = other.ref, None
    session.add(other)
    session.flush()  # the ref is unique: free it before KEEP takes it
    keep.name = keep.name or other.name
    keep.ref = keep.ref or other_ref
    session.add(keep)
    moved = {}
    for model in (PartyEmail, PartyPhone, Contact):
        moved[model.__name__] = int(
            session.execute(
                select(func.count()).select_from(model).where(col(model.party_id) == other_id)
            ).scalar_one()
        )
    cases = list(session.exec(select(Case.id, Case.ref).where(Case.party_id == other_id)))
    refs = [ref for _id, ref in cases]
    if _team_merge(session):
        # Rows the person merging cannot see (a whistleblower contact of the same person)
        # name OTHER too; the team's function moves everything with the owner's rights
        # and deletes OTHER, so the report keeps its reporter (ON DELETE SET NULL would
        # unlink it). The counts above are what she can see.
        session.flush()
        session.execute(
            text("SELECT borgerdesk_merge_party(:k, :o)"), {"k": keep_id, "o": other_id}
        )
        session.expunge(other)
    else:
        for table in (PartyEmail, PartyPhone, Contact, Case):
            session.execute(
                update(table).where(col(table.party_id) == other_id).values(party_id=keep_id)
            )
        session.delete(other)
    for case_id, _ref in cases:
        assert case_id is not None
        note_event(session, case_id=case_id, event=PARTY_MERGED, old=other_id, new=keep_id)
    result = MergeResult(
        kept=keep_id,
        merged=other_id,
        addresses=moved["PartyEmail"] + moved["PartyPhone"],
        contacts=moved["Contact"],
        cases=len(refs),
    )
    record(
        session,
        action="merge",
        entity="party",
        entity_id=keep_id,
        detail={
            "merged": other_id,
            "addresses": result.addresses,
            "contacts": result.contacts,
            "cases": refs,
        },
    )
    session.flush()
    return result


def name_key(name: str | None) -> str:
    """A name as compared for duplicates: case and spacing ignored."""
    return " ".join((name or "").split()).casefold()


_NAME_LENGTH = Party.__table__.c.name.type.length  # type: ignore[attr-defined]


def parties_named(session: Session, name: str, limit: int = 200) -> list[int]:
    """Ids of the parties whose `name_key` is `name`'s, lowest first. The database
    narrows by the longest ASCII run of the name (SQLite lowercases ASCII only: "Ø"
    stays "Ø"); the comparison itself is Python's."""
    key = name_key(name)
    # Longer than the column no stored name can be; and SQLite refuses a LIKE pattern
    # past 50,000 bytes ("pattern too complex": a traceback for a pasted 100,000 chars).
    if not key or len(key) > _NAME_LENGTH:
        return []
    runs = re.findall(r"[a-z0-9]+", key)
    stmt = select(col(Party.id), col(Party.name)).where(col(Party.name).is_not(None))
    if runs:
        stmt = stmt.where(func.lower(col(Party.name)).contains(max(runs, key=len), autoescape=True))
    return [
        int(pid) for pid, n in session.execute(stmt.order_by(col(Party.id))) if name_key(n) == key
    ][:limit]


def duplicate_parties(
    *, session: Session, party_id: int, limit: int = 20
) -> tuple[DuplicateParty, ...]:
    """Parties that are likely the same person as `party_id`: reached at the same number
    or address (one of them wrote from the other's), or with the same name."""
    party = get_party(session=session, party_id=party_id)
    mine = {
        *session.exec(select(PartyEmail.address).where(PartyEmail.party_id == party_id)),
        *session.exec(select(PartyPhone.number).where(PartyPhone.party_id == party_id)),
    }
    theirs = set(
        session.exec(
            select(Contact.counterpart).where(
                Contact.party_id == party_id, col(Contact.counterpart).is_not(None)
            )
        ).all()
    )
    found: dict[int, str] = {}
    if mine:
        for pid in session.exec(
            select(Contact.party_id)
            .where(
                col(Contact.counterpart).in_(mine),
                col(Contact.party_id).is_not(None),
                Contact.party_id != party_id,
            )
            .distinct()
            .limit(limit)
        ):
            if pid is not None:
                found.setdefault(pid, "phone")
    if theirs:
        owners = [
            *session.exec(select(PartyEmail.party_id).where(col(PartyEmail.address).in_(theirs))),
            *session.exec(select(PartyPhone.party_id).where(col(PartyPhone.number).in_(theirs))),
        ]
        for pid in owners:
            if pid != party_id:
                found.setdefault(pid, "phone")
    for pid in parties_named(session, party.name or ""):
        if pid != party_id:
            found.setdefault(pid, "name")
    if not found:
        return ()
    rows = session.exec(
        select(Party.id, Party.name).where(
            col(Party.id).in_(list(found)),
            col(Party.anonymised_at).is_(None),
            ~select(Case.id)
            .where(Case.party_id == Party.id, Case.kind == CaseKind.whistleblower.value)
            .exists(),
        )
    ).all()
    return tuple(
        sorted(
            (
                DuplicateParty(party_id=pid, name=name or "", reason=found[pid])
                for pid, name in rows
                if pid is not None
            ),
            key=lambda d: (d.reason != "phone", d.party_id),
        )
    )[:limit]


def _team_merge(session: Session) -> bool:
    """A team's PostgreSQL, where the compartment hides rows (store.team.compartment_seal
    MERGE)."""
    return session.get_bind().dialect.name == "postgresql" and bool(
        session.execute(
            text("SELECT to_regprocedure('borgerdesk_merge_party(integer, integer)') IS NOT NULL")
        ).scalar_one()
    )
