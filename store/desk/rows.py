"""Plain, frozen rows that cross from the store to the UI.

No ORM object or session ever leaves `store.desk`: the UI gets these dataclasses, which
it can keep across awaits and threads without touching the database again.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

# For the UI. (This module loads no ORM: the first frame uses it.)
from store.classification import CLASSIFICATION_FIELDS as CLASSIFICATION_FIELDS

if TYPE_CHECKING:
    from store.source_health import SourceHealth  # the desk's header shows it as is

T = TypeVar("T")

# Reply statuses, as the follow-up rules define them.
PENDING, DUE_SOON, OVERDUE, MET, MET_LATE, WAIVED = (
    "pending",
    "due_soon",
    "overdue",
    "met",
    "met_late",
    "waived",
)


@dataclass(frozen=True)
class ReplyDue:
    target_id: int
    rule: str
    status: str  # pending | due_soon | overdue | met | met_late | waived
    due_at: dt.datetime


@dataclass(frozen=True)
class OutboxState:
    """A desk reply to a contact that has not gone (its newest one; a sent one hides
    older failures): queued (sending, or waiting to be retried), failed (refused for
    good) or uncertain (a crash while sending: the advisor checks Sent). `reason` is the
    server's or the program's words, untrusted plain text; `retry_at` the next attempt."""

    outbox_id: int
    state: str  # queued | failed | uncertain
    reason: str
    attempts: int
    retry_at: dt.datetime | None


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
    assigned_to: str | None = None  # the person it is assigned to (None: nobody)
    outbox: OutboxState | None = None  # a reply from the desk that has not gone


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
    # The display name in the mail's From header ("Karen Holm" <k@example.dk>), to
    # prefill the new-case dialog's party name; "" when there is none.
    sender_name: str = ""
    # Why the reply is due when it is (rule, received, closed days), in the desk's
    # language, as the follow-ups list explains it; "" when there is no reply target.
    explanation: str = ""
    outbox: OutboxState | None = None  # a reply from the desk that has not gone


class CaseSort(enum.StrEnum):
    """What the case list is ordered by. `next_due` puts cases with no open reply
    target last whichever way; `last_activity` is the newest linked contact."""

    opened = "opened"
    next_due = "next_due"
    last_activity = "last_activity"


class TriageFilter(enum.StrEnum):
    """Which waiting contacts Indbakke lists."""

    everything = "everything"
    owes_reply = "owes_reply"  # only contacts with an open reply target
    # leave out outbound mail and answered calls: nothing to decide about them
    hide_outbound_answered = "hide_outbound_answered"


@dataclass(frozen=True)
class CaseFilter:
    status: str = "open"  # open | closed | all
    department: str | None = None
    category: str | None = None
    party: str | None = None
    text: str | None = None
    kind: str | None = None  # None: every kind except whistleblower
    sort: CaseSort = CaseSort.opened
    descending: bool = True


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
    # The earliest due time of the case's open reply targets, and whether it has passed.
    next_due: dt.datetime | None = None
    overdue: bool = False
    # The newest linked contact's time (None: no contacts).
    last_activity: dt.datetime | None = None
    assigned_to: str | None = None  # the person it is assigned to (None: nobody)


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
    outbox: OutboxState | None = None  # a reply from the desk that has not gone


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
    # Creation, links, moves, unlinks, merges and classifications, newest first.
    events: tuple[CaseEvent, ...] = ()
    # The case's version when read: an edit names it, and is refused (StaleEdit) when
    # another desk changed the case since.
    version: int = 0
    assigned_to: str | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One thing that happened to a case, from its history (`store.desk.history`).

    kind: created | linked | moved_in | moved_out | unlinked | party_merged |
    classified | edited | reopened | closed. `contact_id` for the contact events; `other_ref`
    the case a contact came from (moved_in) or went to (moved_out); `changes` the
    (field, old, new) of a classification or edit (for `created`: opened_on);
    `party_id` the party merged away. `user` is "" for the creation.
    """

    at: dt.datetime
    user: str
    kind: str
    contact_id: int | None = None
    other_ref: str | None = None
    party_id: int | None = None
    changes: tuple[tuple[str, str | None, str | None], ...] = ()


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
    # A contact marked "not a case" (Desk.undismiss brings it back to triage).
    dismissed: bool = False


@dataclass(frozen=True)
class Status:
    """What the header shows: source health and open alerts."""

    sources: tuple[SourceHealth, ...]
    open_alerts: int
    triage: int
    # Open reply targets past their due time now (whistleblower cases left out, as in
    # Svarfrister), computed from the store: true on a day no daemon has run.
    overdue: int = 0
    # When a source was last handled by the daemon (None: never), and whether that is
    # longer ago than the daemon's interval allows (a stopped or never started daemon).
    daemon_last_seen: dt.datetime | None = None
    daemon_late: bool = False


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
    outbox: OutboxState | None = None  # a reply from the desk that has not gone


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


@dataclass(frozen=True)
class WhistleblowerFactsRow:
    """What the annual report counts about a whistleblower case (store.whistleblower_facts);
    read to prefill the register's dialog and given back to save it."""

    case_id: int
    in_scope: bool | None  # None until assessed
    forwarded: bool
    examined: bool
    outcome: str | None  # one of store.models.WHISTLEBLOWER_OUTCOMES, or none yet


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class NewParty:
    """A party that does not exist yet. Addresses are normalised by the store; one that
    already belongs to another party is refused."""

    name: str
    kind: str = "citizen"  # store.models.PartyKind
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewCaseRequest:
    """What the new-case dialog sends (validated by the store, `store.desk.commands`).

    The party: `party_id`, else the first linked contact's party, else a new party named
    `party_name` holding the contacts' addresses. `opened_on` None means the Copenhagen
    date of the earliest linked contact (the day the matter began, as the register
    import does), or today when no contact is linked.
    """

    contact_ids: tuple[int, ...] = ()
    party_id: int | None = None
    party_name: str | None = None
    party_kind: str = "citizen"
    title: str | None = None
    department: str | None = None
    category: str | None = None
    kind: str = "citizen"  # store.models.CaseKind
    opened_on: dt.date | None = None


class FileTo(enum.StrEnum):
    """Where a new contact goes."""

    triage = "triage"
    case = "case"  # an existing case: NewContactRequest.case_id
    new_case = "new_case"  # a new case: NewContactRequest.new_case


@dataclass(frozen=True)
class NewContactRequest:
    """A contact registered by hand: a walk-in, a home visit, a letter, a call.

    channel: meeting | home_visit | letter | phone | email; direction: in | out.
    `occurred_at` must be aware (`store.dateinput.read_moment` gives one). The party is
    `party_id`, or `new_party`, or none (then it waits in triage unnamed). `new_case`
    holds the case's fields when `file_to` is new_case (its contact_ids and party are
    filled in by the store).
    """

    channel: str
    occurred_at: dt.datetime
    direction: str = "in"
    summary: str | None = None
    party_id: int | None = None
    new_party: NewParty | None = None
    file_to: FileTo = FileTo.triage
    case_id: int | None = None
    new_case: NewCaseRequest | None = None


@dataclass(frozen=True)
class ContactAdded:
    contact_id: int
    case_id: int | None
    case_ref: str | None
    party_id: int | None


class IfClosed(enum.StrEnum):
    """What linking to a closed case does: `ask` raises `store.cases.CaseClosed` (the UI
    asks reopen / link anyway / cancel), `reopen` reopens it first, `link` links anyway."""

    ask = "ask"
    reopen = "reopen"
    link = "link"


@dataclass(frozen=True)
class LinkResult:
    case_ref: str
    reopened: bool
    # Addresses or numbers of the linked contacts the case's party does not have yet:
    # the desk may offer to add them (`Desk.add_party_address`).
    new_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Related:
    """Waiting (triage) contacts that likely belong with a contact just filed: the same
    sender's (party or address/number), and the rest of its mail thread."""

    same_sender: tuple[TriageRow, ...]
    thread: tuple[TriageRow, ...]


@dataclass(frozen=True)
class Classification:
    """Category, action and outcome set together (validated together; one history
    entry). None clears a field."""

    category: str | None
    action: str | None
    outcome: str | None


@dataclass(frozen=True)
class AckResult:
    """`met`: reply targets met; `no_deadline`: the contacts that had no open target
    (the desk says so rather than "0 met")."""

    met: int
    no_deadline: tuple[int, ...]


@dataclass(frozen=True)
class PartyEdit:
    """The party's fields as edited (the whole lists: addresses not listed are removed
    from the party)."""

    name: str | None
    kind: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]


@dataclass(frozen=True)
class PartyInfo:
    party_id: int
    name: str
    kind: str
    ref: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    cases: int
    contacts: int
    version: int = 0  # as read: an edit names it (see CaseDetail.version)


@dataclass(frozen=True)
class MergeResult:
    kept: int
    merged: int
    addresses: int
    contacts: int
    cases: int


@dataclass(frozen=True)
class DuplicateParty:
    """Another party that is likely the same person: `reason` "phone" (same normalised
    number) or "name" (same name, case and spacing ignored)."""

    party_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class DismissedRow:
    contact_id: int
    channel: str
    direction: str
    who: str
    subject: str
    occurred_at: dt.datetime
    reason: str


# --------------------------------------------------------------- team desk


class Scope(enum.StrEnum):
    """The lists' assignment filter."""

    mine = "mine"  # Mine
    unassigned = "unassigned"  # Ikke tildelt
    everyone = "all"  # Alle


@dataclass(frozen=True)
class MineCounts:
    """The header: reply targets on my work that are overdue or due soon, and triage
    contacts assigned to me still waiting."""

    overdue: int
    due_soon: int
    waiting: int


@dataclass(frozen=True)
class Workload:
    """Statistik: one person's open cases and overdue reply targets (person None:
    unassigned)."""

    person: str | None
    open_cases: int
    overdue: int
