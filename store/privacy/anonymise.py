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
from sqlmodel import Session, col

from store.models import (
    AuditLog,
    AuditPurgePermit,
    CallRecord,
    Case,
    CaseHistory,
    CaseNote,
    Contact,
    EmailMessage,
    ImportedFile,
    Party,
    PartyEmail,
    PartyPhone,
    ReplyOutbox,
    ReplyTarget,
    WhistleblowerReporter,
)
from store.privacy.tombstones import TOMBSTONE_PREFIX, tombstone_calls

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


def id_list(values: Iterable[int | None]) -> list[int]:
    """Row ids from a query (typed optional by the models; never None from the DB)."""
    return [v for v in values if v is not None]


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
    import_logs: int = 0  # imported_file rows whose skipped-row values were blanked

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
            select(func.count()).select_from(CaseNote).where(col(CaseNote.case_id).in_(ch)),
        )
        r.reporters += _count(
            session,
            select(func.count())
            .select_from(WhistleblowerReporter)
            .where(col(WhistleblowerReporter.case_id).in_(ch)),
        )
    for ch in chunks(contact_ids):
        r.messages += _count(
            session,
            select(func.count())
            .select_from(EmailMessage)
            .where(col(EmailMessage.contact_id).in_(ch), col(EmailMessage.purged_at).is_(None)),
        )
        r.calls += _count(
            session,
            select(func.count())
            .select_from(Contact)
            .where(col(Contact.id).in_(ch), col(Contact.call_status).is_not(None)),
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


def flush_to_disk(engine: Engine) -> bool:
    """After a purge or erasure has committed: copy the WAL into the database file and
    truncate it, so the old page versions leave the -wal file too (SQLite). On
    PostgreSQL, VACUUM the tables the purge rewrote, so dead row versions are reclaimed.

    False when SQLite could not truncate the WAL (another connection, the daemon's or
    the desk's, was still reading an older snapshot after the busy timeout): the old
    versions then stay in the -wal file until a later checkpoint, and the caller says so.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return row is None or row[0] == 0
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
    return True


def scrub_cases(session: Session, case_ids: Sequence[int], now: dt.datetime) -> None:
    for ch in chunks(case_ids):
        session.execute(delete(ReplyOutbox).where(col(ReplyOutbox.case_id).in_(ch)))
    for ch in chunks(case_ids):
        session.execute(
            update(Case)
            .where(col(Case.id).in_(ch))
            .values(title=None, excluded_reason=None, purged_at=now)
        )
        session.execute(delete(CaseNote).where(col(CaseNote.case_id).in_(ch)))
        session.execute(
            delete(CaseHistory).where(
                col(CaseHistory.case_id).in_(ch),
                col(CaseHistory.field).in_(FREE_TEXT_CASE_FIELDS),
            )
        )
        session.execute(
            delete(WhistleblowerReporter).where(col(WhistleblowerReporter.case_id).in_(ch))
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
            .where(col(EmailMessage.id).in_(ch))
            .values(**_MESSAGE_BLANK, purged_at=now)
        )


def delete_replies_to(session: Session, addresses: Sequence[str]) -> None:
    """Replies written to any of `addresses` (lowercase), whichever contact they answered:
    the advisor may have typed the address into the composer."""
    for ch in chunks(list(addresses)):
        session.execute(delete(ReplyOutbox).where(func.lower(col(ReplyOutbox.to_addr)).in_(ch)))


def scrub_import_logs(session: Session, file_ids: Sequence[int]) -> None:
    """Blank the cell values in these import logs' skipped-row detail. Line, column
    and reason stay: they say what was wrong with the file, not who called."""
    for ch in chunks(file_ids):
        for fid, detail in session.execute(
            select(col(ImportedFile.id), col(ImportedFile.skipped_detail)).where(
                col(ImportedFile.id).in_(ch)
            )
        ):
            try:
                entries = json.loads(detail or "[]")
            except ValueError:
                entries = None
            if isinstance(entries, list):
                kept: str | None = json.dumps(
                    [{**e, "value": None} if isinstance(e, dict) else None for e in entries],
                    ensure_ascii=False,
                )
            else:
                kept = None
            session.execute(
                update(ImportedFile).where(col(ImportedFile.id) == fid).values(skipped_detail=kept)
            )


def delete_calls(session: Session, call_ids: Sequence[int]) -> None:
    for ch in chunks(call_ids):
        session.execute(delete(CallRecord).where(col(CallRecord.id).in_(ch)))


# A call's details go with the contact's personal data, as its call record did.
_CALL_BLANK: dict[str, Any] = {
    "call_status": None,
    "call_duration_s": None,
    "call_raw_number": None,
    "call_line": None,
    "call_file_id": None,
}


def scrub_contacts(session: Session, contact_ids: Sequence[int], now: dt.datetime) -> None:
    for ch in chunks(contact_ids):
        session.execute(
            update(Contact)
            .where(col(Contact.id).in_(ch))
            .values(
                summary=None, counterpart=None, dismissed_reason=None, purged_at=now, **_CALL_BLANK
            )
        )
        # An imported call keeps its row key without the number, so a later export
        # that covers the same days does not bring it back (store.privacy.tombstones).
        tombstone_calls(session, ch)
        keep = or_(
            *(
                col(Contact.source_ref).startswith(p)
                for p in (*KEPT_SOURCE_PREFIXES, TOMBSTONE_PREFIX)
            )
        )
        session.execute(
            update(Contact)
            .where(col(Contact.id).in_(ch), col(Contact.source_ref).is_not(None), not_(keep))
            .values(source_ref=literal("purged:") + cast(col(Contact.id), String))
        )
        session.execute(
            update(EmailMessage)
            .where(col(EmailMessage.contact_id).in_(ch), col(EmailMessage.purged_at).is_(None))
            .values(**_MESSAGE_BLANK, purged_at=now)
        )
        session.execute(
            update(ReplyTarget)
            .where(col(ReplyTarget.contact_id).in_(ch))
            .values(met_note=None, waived_reason=None)
        )
        # A reply written from the desk holds the whole letter to the person (and the
        # quoted mail): it goes with the contact it answered, sent or still queued.
        session.execute(delete(ReplyOutbox).where(col(ReplyOutbox.contact_id).in_(ch)))


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
            select(col(Case.party_id), col(Case.id)).where(
                col(Case.party_id).in_(ch),
                col(Case.purged_at).is_(None),
            )
        ):
            if cid not in gone_cases:
                live.add(pid)
        for pid, cid in session.execute(
            select(col(Contact.party_id), col(Contact.id)).where(
                col(Contact.party_id).in_(ch),
                col(Contact.purged_at).is_(None),
            )
        ):
            if cid not in gone_contacts:
                live.add(pid)
        referenced = set(
            session.scalars(select(col(Case.party_id)).where(col(Case.party_id).in_(ch)).distinct())
        ) | set(
            session.scalars(
                select(col(Contact.party_id)).where(col(Contact.party_id).in_(ch)).distinct()
            )
        )
        already = set(
            session.scalars(
                select(col(Party.id)).where(
                    col(Party.id).in_(ch), col(Party.anonymised_at).is_not(None)
                )
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
        session.execute(delete(PartyEmail).where(col(PartyEmail.party_id).in_(ch)))
        session.execute(delete(PartyPhone).where(col(PartyPhone.party_id).in_(ch)))
    for ch in chunks(anonymise):
        session.execute(
            update(Party)
            .where(col(Party.id).in_(ch))
            .values(name=None, ref=None, anonymised_at=now)
        )
    for ch in chunks(remove):
        session.execute(delete(Party).where(col(Party.id).in_(ch)))


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
    session.execute(delete(AuditPurgePermit).where(col(AuditPurgePermit.id) == permit.id))
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
    unsafe = col(AuditLog.action).not_in(SAFE_AUDIT_ACTIONS)
    for keys in chunks([*case_refs, *(str(i) for i in case_ids)]):
        ids += id_list(
            session.scalars(
                select(col(AuditLog.id)).where(
                    col(AuditLog.entity) == "case", col(AuditLog.entity_id).in_(keys), unsafe
                )
            )
        )
    for ch in chunks(contact_ids):
        keys = [str(i) for i in ch]
        ids += id_list(
            session.scalars(
                select(col(AuditLog.id)).where(
                    col(AuditLog.entity) == "contact", col(AuditLog.entity_id).in_(keys), unsafe
                )
            )
        )
        targets = [
            str(t)
            for t in session.scalars(
                select(col(ReplyTarget.id)).where(col(ReplyTarget.contact_id).in_(ch))
            )
        ]
        for tch in chunks(targets):
            ids += id_list(
                session.scalars(
                    select(col(AuditLog.id)).where(
                        col(AuditLog.entity).in_(("reply_target", "target")),
                        col(AuditLog.entity_id).in_(tch),
                        unsafe,
                    )
                )
            )
    return sorted(set(ids))


def delete_audit_rows(session: Session, ids: Sequence[int]) -> None:
    """Only inside `audit_delete_permit`."""
    for ch in chunks(ids):
        session.execute(delete(AuditLog).where(col(AuditLog.id).in_(ch)))
