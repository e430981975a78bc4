"""Plain, frozen rows that cross from the store to the UI.

No ORM object or session ever leaves `store.desk`: the UI gets these dataclasses, which
it can keep across awaits and threads without touching the database again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from store.cases import CLASSIFICATION_FIELDS as CLASSIFICATION_FIELDS  # for the UI
from store.source_health import SourceHealth  # the desk's header shows it as is

T = TypeVar("T")

# Reply statuses, as the follow-up rules define them.
PENDING, DUE_SOON, OVERDUE, MET, MET_LATE, WAIVED = (
    "pending", "due_soon", "overdue", "met", "met_late", "waived"
)


@dataclass(frozen=True)
class ReplyDue:
    target_id: int
    rule: str
    status: str  # pending | due_soon | overdue | met | met_late | waived
    due_at: dt.datetime


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the rows, where they start, and how many there are in all."""

    rows: tuple[T, ...]
    offset: int
    total: int


@dataclass(frozen=True)
class CallFacts:
    status: str  # answered | missed | voicemail
    duration_s: int


@dataclass(frozen=True)
class TriageRow:
    contact_id: int
    channel: str
    direction: str
    who: str  # the party's name, or the raw address / number
    party_id: int | None
    subject: str  # the mail subject, or the first line of the summary
    occurred_at: dt.datetime
    reply: ReplyDue | None
    call: CallFacts | None = None


@dataclass(frozen=True)
class ContactPreview:
    contact_id: int
    channel: str
    direction: str
    who: str
    counterpart: str | None
    occurred_at: dt.datetime
    subject: str
    body: str
    attachments: tuple[str, ...]
    call: CallFacts | None
    reply: ReplyDue | None
    party_id: int | None


@dataclass(frozen=True)
class CaseFilter:
    status: str = "open"  # open | closed | all
    department: str | None = None
    category: str | None = None
    party: str | None = None
    text: str | None = None
    kind: str | None = None  # None: every kind except whistleblower


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    ref: str
    title: str
    kind: str
    party: str
    department: str
    category: str
    opened_on: dt.date
    closed_on: dt.date | None
    contacts: int


@dataclass(frozen=True)
class TimelineItem:
    contact_id: int
    channel: str
    direction: str
    occurred_at: dt.datetime
    who: str
    subject: str
    body: str
    attachments: tuple[str, ...]
    call: CallFacts | None
    reply: ReplyDue | None


@dataclass(frozen=True)
class NoteItem:
    at: dt.datetime
    user: str
    text: str


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime
    user: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class CaseDetail:
    case_id: int
    ref: str
    title: str
    kind: str
    party_id: int | None
    party: str
    party_addresses: tuple[str, ...]
    department: str | None
    category: str | None
    theme: str | None
    action: str | None
    outcome: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    excluded: bool
    excluded_reason: str | None
    wanted_to_complain: bool
    timeline: tuple[TimelineItem, ...]
    timeline_total: int
    notes: tuple[NoteItem, ...]
    history: tuple[HistoryItem, ...]


@dataclass(frozen=True)
class SearchHit:
    kind: str  # party | case | contact
    id: int
    label: str
    detail: str  # free text only (names, department, dates); no English words
    score: float
    case_id: int | None = None
    # A stored value the UI names in its language: a case's state ("open", "closed"), a
    # party's kind ("citizen", "company", ...), a contact's channel ("email", ...).
    tag: str | None = None


@dataclass(frozen=True)
class Status:
    """What the header shows: source health and open alerts."""

    sources: tuple[SourceHealth, ...]
    open_alerts: int
    triage: int


@dataclass(frozen=True)
class AlertItem:
    alert_id: int
    kind: str
    created_at: dt.datetime
    summary: str


@dataclass(frozen=True)
class DataVersion:
    """A cheap fingerprint of everything the screens show. Any insert or edit changes it:
    max ids are index look-ups, sync_state is a handful of rows."""

    parts: tuple[object, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FollowupRow:
    target_id: int
    contact_id: int
    case_id: int | None
    case_ref: str | None
    rule: str
    status: str
    who: str
    channel: str
    subject: str
    received_at: dt.datetime
    due_at: dt.datetime
    working_hours_left: float | None
    explanation: str
    call: CallFacts | None = None  # a call has no subject: the desk shows what happened


@dataclass(frozen=True)
class WhistleblowerRow:
    case_id: int
    ref: str
    title: str
    opened_on: dt.date
    closed_on: dt.date | None
    ack_due: dt.datetime | None
    ack_status: str | None
    feedback_due: dt.datetime | None
    feedback_status: str | None
