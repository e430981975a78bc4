"""Removing personal data while keeping the anonymous count facts.

Shared by the retention purge (expired cases) and the right to erasure (one party).
What goes: case titles, notes and free-text history; contact summaries, counterparts and
dismissal reasons; every stored mail's raw bytes, text, subject, addresses, headers and
attachment list; call records; reply notes; the whistleblower reporter's identity; the
names, refs, addresses and numbers of parties with nothing left.

What stays (the count engine reads only these): contact channel, direction, occurred_at,
occurred_on, case_id, party_id, dismissed, access_request; the case's kind,
classification, dates, excluded flag and party key; the party's kind (a party with nothing
left becomes a bare counting key with `anonymised_at` set, so "distinct parties" stays the
same for past periods). So every report for every period counts the same before and after.

Mail tombstones keep `content_hash`/`header_hash` (one-way hashes of whole messages) so a
re-sync of a message still on the server is recognised instead of imported again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, String, cast, delete, func, literal, not_, or_, select, text, update
from sqlmodel import Session

from store.models import (
    AuditLog,
    AuditPurgePermit,
    CallRecord,
    Case,
    CaseHistory,
    CaseNote,
    Contact,
    EmailMessage,
    Party,
    PartyEmail,
    PartyPhone,
    ReplyTarget,
    WhistleblowerReporter,
)

CHUNK = 500
T = TypeVar("T")

# Case fields whose history rows hold free text (the classification fields do not).
FREE_TEXT_CASE_FIELDS = ("title", "excluded_reason")
# Audit actions whose detail holds only taxonomy values, references and counts: they stay
# when the entity they describe is purged. Every other entry about a purged case, contact
# or reply target (edit_case titles, dismissal reasons, reply notes...) goes with it.
SAFE_AUDIT_ACTIONS = frozenset(
    {"link", "classify", "open_whistleblower", "purge", "erase", "export"}
)
# Source refs that carry no personal data stay, so re-importing the same register file or
# mail is still recognised; any other (a call's row key holds the number) is replaced.
KEPT_SOURCE_PREFIXES = ("mail:", "register:", "manual:")


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Removed:
    """How much personal data went (or would go, in a dry run)."""

    cases: int = 0
    contacts: int = 0
    messages: int = 0
    calls: int = 0
    notes: int = 0
    reporters: int = 0
    parties_anonymised: int = 0
    parties_deleted: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def any(self) -> bool:
        return any(self.as_dict().values())


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(stmt).scalar_one())


# --------------------------------------------------------------------------- measuring


def measure(
    session: Session,
    *,
    case_ids: Sequence[int],
    contact_ids: Sequence[int],
    orphan_message_ids: Sequence[int] = (),
    orphan_call_ids: Sequence[int] = (),
) -> Removed:
    """What scrubbing these would remove (read-only; parties and audit not included)."""
    r = Removed(cases=len(case_ids), contacts=len(contact_ids))
    for ch in chunks(case_ids):
        r.notes += _count(
            session,
            select(func.count()).select_from(CaseNote).where(CaseNote.case_id.in_(ch)),  # type: ignore[attr-defined]
        )
        r.reporters += _count(
            session,
            select(func.count())
            .select_from(WhistleblowerReporter)
            .where(WhistleblowerReporter.case_id.in_(ch)),  # type: ignore[attr-defined]
        )
    for ch in chunks(contact_ids):
        r.messages += _count(
            session,
            select(func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.contact_id.in_(ch), EmailMessage.purged_at.is_(None)),  # type: ignore[union-attr]
        )
        r.calls += _count(
            session,
            select(func.count()).select_from(CallRecord).where(CallRecord.contact_id.in_(ch)),  # type: ignore[union-attr]
        )
    r.messages += len(orphan_message_ids)
    r.calls += len(orphan_call_ids)
    return r


# --------------------------------------------------------------------------- scrubbing


def secure_delete(session: Session) -> None:
    """SQLite keeps deleted and overwritten content in free pages until reused; with
    secure_delete it zeroes them, so purged text does not linger in the file. (Per
    connection; harmless to leave on.) PostgreSQL reclaims dead rows by VACUUM."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))


def flush_to_disk(engine: Engine) -> None:
    """After a purge or erasure has committed: copy the WAL into the database file and
    truncate it, so the old page versions leave the -wal file too (SQLite). On
    PostgreSQL, VACUUM the tables the purge rewrote, so dead row versions are reclaimed."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (
            "contact",
            "email_message",
            "call_record",
            "case_",
            "case_note",
            "party",
            "party_email",
            "party_phone",
            "audit_log",
        ):
            conn.exec_driver_sql(f"VACUUM {table}")


def scrub_cases(session: Session, case_ids: Sequence[int], now: dt.datetime) -> None:
    for ch in chunks(case_ids):
        session.execute(
            update(Case)
            .where(Case.id.in_(ch))  # type: ignore[union-attr]
            .values(title=None, excluded_reason=None, purged_at=now)
        )
        session.execute(delete(CaseNote).where(CaseNote.case_id.in_(ch)))  # type: ignore[attr-defined]
        session.execute(
            delete(CaseHistory).where(
                CaseHistory.case_id.in_(ch),  # type: ignore[attr-defined]
                CaseHistory.field.in_(FREE_TEXT_CASE_FIELDS),  # type: ignore[attr-defined]
            )
        )
        session.execute(
            delete(WhistleblowerReporter).where(WhistleblowerReporter.case_id.in_(ch))  # type: ignore[attr-defined]
        )


_MESSAGE_BLANK: dict[str, Any] = {
    "raw": None,
    "subject": None,
    "from_addr": None,
    "to_addrs": None,
    "cc_addrs": None,
    "message_id": None,
    "in_reply_to": None,
    "references": None,
    "text": None,
    "attachments": None,
    "parse_error": None,
    "headers": None,
}


def scrub_messages(session: Session, message_ids: Sequence[int], now: dt.datetime) -> None:
    for ch in chunks(message_ids):
        session.execute(
            update(EmailMessage)
            .where(EmailMessage.id.in_(ch))  # type: ignore[union-attr]
            .values(**_MESSAGE_BLANK, purged_at=now)
        )


def delete_calls(session: Session, call_ids: Sequence[int]) -> None:
    for ch in chunks(call_ids):
        session.execute(delete(CallRecord).where(CallRecord.id.in_(ch)))  # type: ignore[union-attr]


def scrub_contacts(session: Session, contact_ids: Sequence[int], now: dt.datetime) -> None:
    for ch in chunks(contact_ids):
        session.execute(
            update(Contact)
            .where(Contact.id.in_(ch))  # type: ignore[union-attr]
            .values(summary=None, counterpart=None, dismissed_reason=None, purged_at=now)
        )
        keep = or_(*(Contact.source_ref.startswith(p) for p in KEPT_SOURCE_PREFIXES))  # type: ignore[union-attr]
        session.execute(
            update(Contact)
            .where(Contact.id.in_(ch), Contact.source_ref.is_not(None), not_(keep))  # type: ignore[union-attr]
            .values(source_ref=literal("purged:") + cast(Contact.id, String))
        )
        session.execute(
            update(EmailMessage)
            .where(EmailMessage.contact_id.in_(ch), EmailMessage.purged_at.is_(None))  # type: ignore[union-attr]
            .values(**_MESSAGE_BLANK, purged_at=now)
        )
        session.execute(delete(CallRecord).where(CallRecord.contact_id.in_(ch)))  # type: ignore[union-attr]
        session.execute(
            update(ReplyTarget)
            .where(ReplyTarget.contact_id.in_(ch))  # type: ignore[attr-defined]
            .values(met_note=None, waived_reason=None)
        )


# --------------------------------------------------------------------------- parties


def party_fates(
    session: Session,
    party_ids: Iterable[int],
    *,
    gone_cases: set[int],
    gone_contacts: set[int],
    force: Iterable[int] = (),
) -> tuple[list[int], list[int]]:
    """Which of `party_ids` have nothing personal left once `gone_*` are scrubbed:
    (to anonymise, to delete). A party still referenced by any contact or case row stays
    as a bare counting key (anonymised); one referenced by nothing is deleted. `force`
    parties (an erasure) go regardless of live data."""
    forced = set(force)
    anonymise: list[int] = []
    remove: list[int] = []
    for ch in chunks(sorted(set(party_ids) | forced)):
        live: set[int] = set()
        for pid, cid in session.execute(
            select(Case.party_id, Case.id).where(
                Case.party_id.in_(ch),
                Case.purged_at.is_(None),  # type: ignore[union-attr]
            )
        ):
            if cid not in gone_cases:
                live.add(pid)
        for pid, cid in session.execute(
            select(Contact.party_id, Contact.id).where(
                Contact.party_id.in_(ch),
                Contact.purged_at.is_(None),  # type: ignore[union-attr]
            )
        ):
            if cid not in gone_contacts:
                live.add(pid)
        referenced = set(
            session.scalars(select(Case.party_id).where(Case.party_id.in_(ch)).distinct())  # type: ignore[union-attr]
        ) | set(
            session.scalars(select(Contact.party_id).where(Contact.party_id.in_(ch)).distinct())  # type: ignore[union-attr]
        )
        already = set(
            session.scalars(
                select(Party.id).where(Party.id.in_(ch), Party.anonymised_at.is_not(None))  # type: ignore[union-attr]
            )
        )
        for pid in ch:
            if pid in live and pid not in forced:
                continue
            if pid in referenced:
                if pid not in already:
                    anonymise.append(pid)
            else:
                remove.append(pid)
    return anonymise, remove


def settle_parties(
    session: Session, anonymise: Sequence[int], remove: Sequence[int], now: dt.datetime
) -> None:
    for ch in chunks([*anonymise, *remove]):
        session.execute(delete(PartyEmail).where(PartyEmail.party_id.in_(ch)))  # type: ignore[attr-defined]
        session.execute(delete(PartyPhone).where(PartyPhone.party_id.in_(ch)))  # type: ignore[attr-defined]
    for ch in chunks(anonymise):
        session.execute(
            update(Party)
            .where(Party.id.in_(ch))  # type: ignore[union-attr]
            .values(name=None, ref=None, anonymised_at=now)
        )
    for ch in chunks(remove):
        session.execute(delete(Party).where(Party.id.in_(ch)))  # type: ignore[union-attr]


# --------------------------------------------------------------------------- audit


@contextmanager
def audit_delete_permit(session: Session, reason: str) -> Iterator[None]:
    """Let this transaction delete audit rows (the database triggers refuse otherwise).

    The permit row lives only inside the caller's open transaction: it is inserted, the
    deletes run, and it is removed before the transaction commits, so no other
    connection ever sees it. Only the purge and the erasure use this, and both write
    their own audit entry in the same transaction."""
    permit = AuditPurgePermit(reason=reason[:200])
    session.add(permit)
    session.flush()
    # No try/finally: if the body fails, the caller's rollback removes the permit with
    # everything else (and on PostgreSQL the failed transaction accepts no more SQL).
    yield
    session.execute(delete(AuditPurgePermit).where(AuditPurgePermit.id == permit.id))  # type: ignore[arg-type]
    session.expunge(permit)


def audit_rows_about(
    session: Session,
    *,
    case_ids: Sequence[int],
    case_refs: Sequence[str],
    contact_ids: Sequence[int],
) -> list[int]:
    """Ids of audit entries with free text about these cases and contacts (and the reply
    targets of the contacts): they go with the personal data they describe. Case entries
    name the case by ref or by id (both are in use)."""
    ids: list[int] = []
    unsafe = AuditLog.action.not_in(SAFE_AUDIT_ACTIONS)  # type: ignore[attr-defined]
    for ch in chunks([*case_refs, *(str(i) for i in case_ids)]):
        ids += session.scalars(
            select(AuditLog.id).where(AuditLog.entity == "case", AuditLog.entity_id.in_(ch), unsafe)  # type: ignore[union-attr,arg-type]
        ).all()
    for ch in chunks(contact_ids):
        keys = [str(i) for i in ch]
        ids += session.scalars(
            select(AuditLog.id).where(
                AuditLog.entity == "contact", AuditLog.entity_id.in_(keys), unsafe
            )  # type: ignore[union-attr,arg-type]
        ).all()
        targets = [
            str(t)
            for t in session.scalars(
                select(ReplyTarget.id).where(ReplyTarget.contact_id.in_(ch))  # type: ignore[attr-defined]
            )
        ]
        for tch in chunks(targets):
            ids += session.scalars(
                select(AuditLog.id).where(
                    AuditLog.entity.in_(("reply_target", "target")),  # type: ignore[attr-defined]
                    AuditLog.entity_id.in_(tch),  # type: ignore[union-attr]
                    unsafe,
                )
            ).all()
    return sorted({i for i in ids if i is not None})


def delete_audit_rows(session: Session, ids: Sequence[int]) -> None:
    """Only inside `audit_delete_permit`."""
    for ch in chunks(ids):
        session.execute(delete(AuditLog).where(AuditLog.id.in_(ch)))  # type: ignore[union-attr]


def detail_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
