"""The SQLModel schema: every table borgerdesk stores.

Times are stored as naive UTC datetimes (`UtcDateTime` makes them aware on the way out) so
that SQLite and PostgreSQL behave identically; they are shown in Europe/Copenhagen.

Model families follow the full-stack-fastapi-template pattern: `XBase` holds the shared
fields, `X(table=True)` the row, `XCreate`/`XUpdate` what callers may set, and `XPublic` is
what crosses out of the store.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint, text
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Store aware datetimes as naive UTC; return them aware (UTC).

    Naive input is refused: every time entering the store must say which zone it is in.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a time zone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PartyKind(enum.StrEnum):
    citizen = "citizen"
    company = "company"
    association = "association"


class CaseKind(enum.StrEnum):
    citizen = "citizen"
    consultancy = "consultancy"
    whistleblower = "whistleblower"


class Channel(enum.StrEnum):
    phone = "phone"
    email = "email"
    meeting = "meeting"
    letter = "letter"
    home_visit = "home_visit"


class Direction(enum.StrEnum):
    inbound = "in"
    outbound = "out"


# --------------------------------------------------------------------------- parties


class PartyBase(SQLModel):
    kind: str = Field(default=PartyKind.citizen.value, max_length=40)
    name: str | None = Field(default=None, max_length=300)
    # The advisor's own identifier from a spreadsheet register ("party_ref"), if any.
    ref: str | None = Field(default=None, max_length=100, unique=True)


class Party(PartyBase, table=True):
    __tablename__ = "party"
    # AUTOINCREMENT on SQLite: a deleted or merged-away party's id is never handed out
    # again, so an audit entry or an export naming it cannot come to mean someone else
    # (PostgreSQL's sequence never reuses one anyway). Migration 0012.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # Set by a retention purge or an erasure: the row survives only as an anonymous
    # counting key, so "distinct parties" stays stable for past periods.
    anonymised_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Bumped by every edit; an edit based on an older version is refused (store.concurrency).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class PartyCreate(PartyBase):
    emails: list[str] = []
    phones: list[str] = []


class PartyEmail(SQLModel, table=True):
    __tablename__ = "party_email"
    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", index=True, ondelete="CASCADE")
    address: str = Field(max_length=320, unique=True)  # normalised lowercase


class PartyPhone(SQLModel, table=True):
    __tablename__ = "party_phone"
    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", index=True, ondelete="CASCADE")
    number: str = Field(max_length=32, unique=True)  # E.164


# --------------------------------------------------------------------------- cases


class CaseBase(SQLModel):
    ref: str = Field(max_length=100, unique=True)
    title: str | None = Field(default=None, max_length=300)
    kind: str = Field(default=CaseKind.citizen.value, max_length=20)
    department: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    action: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=200)
    opened_on: dt.date
    closed_on: dt.date | None = None
    excluded: bool = False
    excluded_reason: str | None = Field(default=None, max_length=500)
    wanted_to_complain: bool = False


class Case(CaseBase, table=True):
    __tablename__ = "case_"  # "case" is reserved in SQL
    __table_args__ = (
        Index("ix_case_count", "kind", "excluded", "opened_on"),
        Index("ix_case_party", "party_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    party_id: int | None = Field(default=None, foreign_key="party.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # Set when retention or an erasure removed the case's personal data (title, notes,
    # texts); the classification stays for the statistics (store.privacy).
    purged_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The person it is assigned to (database role; OS user on SQLite); None: unassigned.
    assigned_to: str | None = Field(default=None, max_length=100, index=True)


class CaseCreate(CaseBase):
    party_id: int | None = None


class CaseUpdate(SQLModel):
    title: str | None = None
    department: str | None = None
    category: str | None = None
    theme: str | None = None
    action: str | None = None
    outcome: str | None = None
    closed_on: dt.date | None = None
    excluded: bool | None = None
    excluded_reason: str | None = None
    wanted_to_complain: bool | None = None


class CaseHistory(SQLModel, table=True):
    """One classification change of a case: the counting rule uses the current values,
    this table keeps how they came to be."""

    __tablename__ = "case_history"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", index=True, ondelete="CASCADE")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    os_user: str = Field(max_length=100)
    field: str = Field(max_length=40)
    old_value: str | None = None
    new_value: str | None = None


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", index=True, ondelete="CASCADE")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    os_user: str = Field(max_length=100)
    text: str


# --------------------------------------------------------------------------- contacts


class ContactBase(SQLModel):
    channel: str = Field(max_length=20)
    direction: str = Field(max_length=3)
    occurred_at: dt.datetime = Field(sa_type=UtcDateTime)
    summary: str | None = None
    # The raw counterpart address or number (lowercase e-mail / E.164), kept even when a
    # party is known: triage shows it, and reply matching uses it before anyone classifies.
    counterpart: str | None = Field(default=None, max_length=320)
    # Flagged "aktindsigt": a statutory access request.
    access_request: bool = False


class Contact(ContactBase, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        # The count engine's hot path: period filter and join to cases; channel last so
        # contacts by channel (the annual report's channels) are counted from the index.
        Index("ix_contact_count", "direction", "occurred_on", "case_id", "party_id", "channel"),
        # Partial: only linked contacts are looked up by case or party, and a phone
        # import's hundreds of thousands of triage calls would each add an entry of NULL.
        Index(
            "ix_contact_case",
            "case_id",
            "occurred_at",
            sqlite_where=text("case_id IS NOT NULL"),
            postgresql_where=text("case_id IS NOT NULL"),
        ),
        Index(
            "ix_contact_party",
            "party_id",
            "occurred_at",
            sqlite_where=text("party_id IS NOT NULL"),
            postgresql_where=text("party_id IS NOT NULL"),
        ),
        Index("ix_contact_counterpart", "counterpart"),
        Index("ix_contact_triage", "case_id", "dismissed", "occurred_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # The Copenhagen calendar date of occurred_at. Derived, but stored: reports filter and
    # group by local date/month on a million rows, and SQLite has no time zone support.
    occurred_on: dt.date
    case_id: int | None = Field(default=None, foreign_key="case_.id", ondelete="SET NULL")
    party_id: int | None = Field(default=None, foreign_key="party.id", ondelete="SET NULL")
    # Unique reference of where this contact came from, for idempotent imports:
    # "mail:<hash>", "call:<rowkey>", "register:<file-hash>:<line>", "manual:<uuid>".
    source_ref: str | None = Field(default=None, max_length=200, unique=True)
    # Marked "not a case" in triage, with a reason; leaves triage but counts nowhere.
    dismissed: bool = False
    dismissed_reason: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # Set when retention or an erasure removed the contact's personal data; the row stays
    # as an anonymous count fact (channel, direction, dates, case, party key).
    purged_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    # An imported call is one contact row with these (None for every other contact):
    # a million-row export writes one row per call, not a contact and a call record.
    # Its row key is `source_ref` "call:<start UTC>|<number>|<direction>|<duration>".
    call_status: str | None = Field(default=None, max_length=20)  # answered|missed|voicemail
    call_duration_s: int | None = None
    call_raw_number: str | None = Field(default=None, max_length=100)  # as exported
    call_line: str | None = Field(default=None, max_length=200)  # UPN / extension
    call_file_id: int | None = Field(default=None, foreign_key="imported_file.id")
    # A triage contact's assignee (see Case.assigned_to).
    assigned_to: str | None = Field(default=None, max_length=100, index=True)


class ContactCreate(ContactBase):
    case_id: int | None = None
    party_id: int | None = None
    source_ref: str | None = None


# --------------------------------------------------------------------------- mail


class EmailMessage(SQLModel, table=True):
    __tablename__ = "email_message"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    # Identity: Message-ID when present, content hash always (keys mail without one).
    message_id: str | None = Field(default=None, max_length=998, index=True)
    header_hash: str = Field(max_length=64, index=True)
    content_hash: str = Field(max_length=64, unique=True)
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    raw_size: int = 0
    subject: str | None = None
    from_addr: str | None = Field(default=None, max_length=320, index=True)
    to_addrs: str | None = None  # comma-separated, lowercase
    cc_addrs: str | None = None
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: str | None = None
    text: str | None = None
    attachments: str | None = None  # JSON list of {filename, content_type, size}
    is_auto: bool = False  # auto-generated: owes no reply
    too_large: bool = False  # above max_message_bytes: headers only
    parse_error: str | None = None  # the parser failed: raw kept, shown flagged
    headers: str | None = None  # JSON of the headers reply rules read
    # Set by retention/erasure: everything but the hashes is gone; the row stays as a
    # tombstone so a re-sync of a message still on the server does not import it again.
    purged_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class MailLocation(SQLModel, table=True):
    """Where a stored message lives on the server. One message, many locations."""

    __tablename__ = "mail_location"
    __table_args__ = (UniqueConstraint("account", "folder", "uidvalidity", "uid"),)
    id: int | None = Field(default=None, primary_key=True)
    email_id: int = Field(foreign_key="email_message.id", index=True, ondelete="CASCADE")
    account: str = Field(max_length=100)
    folder: str = Field(max_length=300)
    # UIDs and UIDVALIDITY are unsigned 32-bit: they overflow PostgreSQL's INTEGER.
    uidvalidity: int = Field(sa_type=BigInteger)
    uid: int = Field(sa_type=BigInteger)


# --------------------------------------------------------------------------- calls


class CallRecord(SQLModel, table=True):
    """Legacy: a call whose contact was removed before migration 0004 moved the call
    details of every linked call into its contact row (`Contact.call_*`). Nothing writes
    new rows; they stay as the record of those calls and as row keys a re-import skips,
    and retention and erasure handle them."""

    __tablename__ = "call_record"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    file_id: int | None = Field(default=None, foreign_key="imported_file.id", index=True)
    # (start time, number, direction, duration): weekly exports overlap.
    row_key: str = Field(max_length=200, unique=True)
    started_at: dt.datetime = Field(sa_type=UtcDateTime)
    direction: str = Field(max_length=3)
    number: str | None = Field(default=None, max_length=32)  # E.164, None if hidden
    raw_number: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=20)  # answered | missed | voicemail
    duration_s: int = 0
    line: str | None = Field(default=None, max_length=200)  # UPN / extension


# --------------------------------------------------------------------------- bookkeeping


class SyncState(SQLModel, table=True):
    """Per-source state: an IMAP folder of an account, or the phone inbox."""

    __tablename__ = "sync_state"
    __table_args__ = (UniqueConstraint("kind", "name", "folder"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # imap | phone
    name: str = Field(max_length=100)
    folder: str = Field(default="", max_length=300)
    uidvalidity: int | None = Field(default=None, sa_type=BigInteger)
    last_uid: int | None = Field(default=None, sa_type=BigInteger)
    uidnext: int | None = Field(default=None, sa_type=BigInteger)
    highestmodseq: int | None = Field(default=None, sa_type=BigInteger)
    last_success: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = None
    last_error_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    consecutive_failures: int = 0
    failing_since: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_run: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReplyRulesState(SQLModel, table=True):
    """The reply rules the stored due times were computed under: a fingerprint of the
    `[replies]` section. A config whose fingerprint differs has new rules or closed days,
    and the due times are recomputed (store.replies.recompute.recompute_if_stale)."""

    __tablename__ = "reply_rules_state"
    id: int | None = Field(default=None, primary_key=True)  # one row
    fingerprint: str = Field(max_length=64)
    applied_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ImportedFile(SQLModel, table=True):
    """The file-hash ledger: one row per file imported, per kind of import (the same
    file may be both a register and a call list; store.ledger)."""

    __tablename__ = "imported_file"
    __table_args__ = (UniqueConstraint("kind", "sha256", name="uq_imported_file_kind_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    kind: str = Field(max_length=20)  # register | calls
    name: str = Field(max_length=500)
    imported_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    rows: int = 0
    skipped: int = 0
    skipped_detail: str | None = None  # JSON list of skipped rows and reasons


# --------------------------------------------------------------------------- reply targets


class ReplyTarget(SQLModel, table=True):
    """A reply owed for one contact under one rule. Due times are stored and indexed and
    recomputed only when the rules or closed days change."""

    __tablename__ = "reply_target"
    __table_args__ = (
        UniqueConstraint("contact_id", "rule"),
        Index("ix_reply_open_due", "state", "due_at"),
        Index("ix_reply_open_soon", "state", "due_soon_at"),
        Index("ix_reply_rule_received", "rule", "received_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    rule: str = Field(max_length=60)
    received_at: dt.datetime = Field(sa_type=UtcDateTime)
    due_at: dt.datetime = Field(sa_type=UtcDateTime)
    due_soon_at: dt.datetime = Field(sa_type=UtcDateTime)
    # open | met | waived. "due soon", "overdue" and "met late" derive from times.
    state: str = Field(default="open", max_length=10)
    met_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    met_by_contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    met_note: str | None = None
    waived_reason: str | None = None


class Alert(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("dedupe_key"),)
    id: int | None = Field(default=None, primary_key=True)
    # due_soon | overdue | source_failing
    kind: str = Field(max_length=20)
    # One alert per stage: "target:<id>:overdue", "source:<name>:<failing_since>".
    dedupe_key: str = Field(max_length=200)
    target_id: int | None = Field(default=None, foreign_key="reply_target.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    payload: str | None = None  # JSON: case ref, channel, due time; no more
    emailed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    notified_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    seen_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReplyOutbox(SQLModel, table=True):
    """A reply sent from the desk, from the moment it is written: queued (Message-ID and
    bytes fixed), sending (connecting), handed (its data went to the server; a crash here
    is resolved by looking for the Message-ID in Sent), then sent, failed (refused for
    good) or uncertain (the advisor checks Sent and decides). store.outbox.queue owns the
    transitions."""

    __tablename__ = "reply_outbox"
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    os_user: str = Field(max_length=100)
    account: str = Field(max_length=100)
    # The contact answered, and its case (the sent reply becomes a contact there).
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    case_id: int | None = Field(default=None, foreign_key="case_.id", ondelete="SET NULL")
    template: str | None = Field(default=None, max_length=100)
    message_id: str = Field(max_length=998, unique=True)
    to_addr: str = Field(max_length=320)
    subject: str
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # queued | sending | handed | sent | failed | uncertain
    state: str = Field(default="queued", max_length=10, index=True)
    attempts: int = 0
    # When the current `sending` began: a reply is recovered only once no live sender can
    # still hold it (store.outbox.queue.interrupted).
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = None
    next_attempt_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The stored copy (email_message + outbound contact) made when it was sent.
    email_id: int | None = Field(default=None, foreign_key="email_message.id", ondelete="SET NULL")
    alerted: bool = False


class Presence(SQLModel, table=True):
    """A desk that has a case open, refreshed by a heartbeat (store.team.presence)."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("desk", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    desk: str = Field(max_length=64)
    person: str = Field(max_length=100)
    case_id: int = Field(foreign_key="case_.id", index=True, ondelete="CASCADE")
    seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class AuditLog(SQLModel, table=True):
    """Append-only: the application never updates or deletes these rows, except a purge,
    which logs itself."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    os_user: str = Field(max_length=100)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=100)
    detail: str | None = None  # JSON


class AuditPurgePermit(SQLModel, table=True):
    """The one way past audit_log's append-only triggers: a purge inserts a row here,
    deletes the audit rows it must, removes the row and logs itself, all in one
    transaction, so no other connection ever sees the permit (store.privacy.purge)."""

    __tablename__ = "audit_purge_permit"
    id: int | None = Field(default=None, primary_key=True)
    reason: str = Field(max_length=200)


# --------------------------------------------------------------------------- whistleblower


def _confidential(**kw: Any) -> Any:
    return Field(default=None, schema_extra={"json_schema_extra": {"confidential": True}}, **kw)


class WhistleblowerReporter(SQLModel, table=True):
    """Who reported a whistleblower case, if they chose to say. Every identity field is
    optional and confidential: shown only in the whistleblower register, never in general
    lists, search, exports or reports (store.privacy.whistleblower)."""

    __tablename__ = "whistleblower_reporter"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", unique=True, ondelete="CASCADE")
    anonymous: bool = True
    name: str | None = _confidential(max_length=300)
    email: str | None = _confidential(max_length=320)
    phone: str | None = _confidential(max_length=32)
    address: str | None = _confidential(max_length=500)
    note: str | None = _confidential()
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# The outcomes the annual report counts for a whistleblower case.
WHISTLEBLOWER_OUTCOMES: tuple[str, ...] = ("dismissed", "criticism", "police")


class WhistleblowerFacts(SQLModel, table=True):
    """What the annual report counts about a whistleblower case: scope, handling and
    outcome. Facts about the case only, never about who reported it (that is
    WhistleblowerReporter, which no report reads)."""

    __tablename__ = "whistleblower_facts"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_.id", unique=True, ondelete="CASCADE")
    # Within the scheme's scope; None until assessed.
    in_scope: bool | None = None
    # Forwarded to another body (e.g. the Danish Data Protection Agency's external scheme).
    forwarded: bool = False
    examined: bool = False
    # One of WHISTLEBLOWER_OUTCOMES, or None while open.
    outcome: str | None = Field(default=None, max_length=20)
