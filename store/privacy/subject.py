"""Whom a data-subject request is about, and every row that names them.

A request names a party, or an e-mail address or phone number that may not have a party
yet: a citizen's mail waits in triage unlinked, is dismissed, or its contact is gone,
and a register row may give the address a party only later. Access and erasure must
reach all of it, so a request is about a `Subject`: the party (if any) and every address
and number that is theirs. What names those addresses is found by what the rows hold
(a contact's counterpart, a message's From/To/Cc, a legacy call record's number), not by
which party the rows were linked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session, col

from store.errors import UserError
from store.models import (
    CallRecord,
    Contact,
    EmailMessage,
    Party,
    PartyEmail,
    PartyPhone,
    ReplyOutbox,
)
from store.privacy.anonymise import chunks, id_list


@dataclass(frozen=True)
class Subject:
    party_id: int | None
    emails: tuple[str, ...]  # normalised, lowercase
    phones: tuple[str, ...]  # E.164

    @property
    def addresses(self) -> tuple[str, ...]:
        return (*self.emails, *self.phones)

    def describe(self) -> str:
        """For messages on the advisor's own screen (the audit log never gets the
        addresses: an erasure must not leave them behind in its own entry)."""
        if self.party_id is not None:
            return f"party {self.party_id}"
        return ", ".join(self.addresses)


def party_subject(session: Session, party_id: int) -> Subject:
    """The party and its stored addresses and numbers."""
    if session.get(Party, party_id) is None:
        raise UserError(f"no party with id {party_id}")
    emails = session.scalars(
        select(col(PartyEmail.address)).where(col(PartyEmail.party_id) == party_id)
    )
    phones = session.scalars(
        select(col(PartyPhone.number)).where(col(PartyPhone.party_id) == party_id)
    )
    return Subject(party_id=party_id, emails=tuple(sorted(emails)), phones=tuple(sorted(phones)))


def _like_any(column: Any, emails: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(func.lower(column).contains(e, autoescape=True) for e in emails))


def _names(stored: str | None, emails: set[str]) -> bool:
    """A comma-separated address list holds one of `emails` exactly (the LIKE that found
    it also matches "xknud@…")."""
    return bool(stored) and any(a.strip().lower() in emails for a in (stored or "").split(","))


def contacts_naming(session: Session, subject: Subject) -> list[int]:
    """Live contacts whose counterpart is one of the subject's addresses or numbers, in
    triage, dismissed or linked to any case."""
    out: list[int] = []
    for ch in chunks(list(subject.addresses)):
        out += id_list(
            session.scalars(
                select(col(Contact.id)).where(
                    col(Contact.counterpart).in_(ch), col(Contact.purged_at).is_(None)
                )
            )
        )
    return sorted(set(out))


def messages_naming(session: Session, subject: Subject) -> dict[int, int | None]:
    """Live stored messages from, to or copied to one of the subject's e-mail addresses:
    message id -> its contact id (None when it has none)."""
    emails = set(subject.emails)
    out: dict[int, int | None] = {}
    for ch in chunks(sorted(emails)):
        rows = session.execute(
            select(
                col(EmailMessage.id),
                col(EmailMessage.contact_id),
                col(EmailMessage.from_addr),
                col(EmailMessage.to_addrs),
                col(EmailMessage.cc_addrs),
            ).where(
                col(EmailMessage.purged_at).is_(None),
                or_(
                    col(EmailMessage.from_addr).in_(ch),
                    _like_any(col(EmailMessage.to_addrs), ch),
                    _like_any(col(EmailMessage.cc_addrs), ch),
                ),
            )
        ).all()
        for mid, cid, frm, to, cc in rows:
            if (frm or "").lower() in emails or _names(to, emails) or _names(cc, emails):
                out[mid] = cid
    return out


def call_records_naming(session: Session, subject: Subject) -> list[int]:
    """Legacy call records (store.models.CallRecord) of the subject's numbers."""
    out: list[int] = []
    for ch in chunks(list(subject.phones)):
        out += id_list(
            session.scalars(select(col(CallRecord.id)).where(col(CallRecord.number).in_(ch)))
        )
    return sorted(set(out))


def rows_naming(session: Session, subject: Subject) -> int:
    """How many rows anywhere still name the subject's addresses or numbers: an
    erasure is complete only when this is 0."""
    n = len(call_records_naming(session, subject)) + len(messages_naming(session, subject))
    for ch in chunks(list(subject.addresses)):
        n += int(
            session.execute(
                select(func.count()).select_from(PartyEmail).where(col(PartyEmail.address).in_(ch))
            ).scalar_one()
        )
        n += int(
            session.execute(
                select(func.count()).select_from(PartyPhone).where(col(PartyPhone.number).in_(ch))
            ).scalar_one()
        )
        n += int(
            session.execute(
                select(func.count()).select_from(Contact).where(col(Contact.counterpart).in_(ch))
            ).scalar_one()
        )
        n += int(
            session.execute(
                select(func.count())
                .select_from(ReplyOutbox)
                .where(func.lower(col(ReplyOutbox.to_addr)).in_(ch))
            ).scalar_one()
        )
    return n
