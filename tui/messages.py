"""Typed messages posted by thread workers back to the UI ("attributes down, messages
up"). Each carries plain rows from `store.desk`, never an ORM object. Worker results are
for the node that asked, not its parents (bubble=False: by Textual's default a screen's
result would go on to the app). A worker that fails posts nothing: its
`Worker.StateChanged` reaches the app's one handler for failed workers
(`DeskApp.worker_failed`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

from store.desk.rows import (
    AlertItem,
    CaseDetail,
    ContactPreview,
    DataVersion,
    DuplicateParty,
    MineCounts,
    Page,
    PartyInfo,
    SearchHit,
    Status,
    Workload,
)

if TYPE_CHECKING:  # (the first frame loads no ORM)
    from store.desk.replies import ReplyPreview
    from store.desk.stats import StatsComparison, StatsView

R = TypeVar("R")


@dataclass
class Result(Message, bubble=False):
    """A screen's query finished. `seq` (set by the worker) lets the screen drop the
    result of a superseded query; `version`, the data version read before the query, is
    set for a screen's main data (what the live probe compares)."""

    seq: int = field(default=0, kw_only=True)
    version: DataVersion | None = field(default=None, kw_only=True)


@dataclass
class PageLoaded(Result, Generic[R], bubble=False):
    page: Page[R]


@dataclass
class StatsLoaded(Result, bubble=False):
    view: StatsView
    comparison: StatsComparison | None = None  # when "compare" is on
    workload: tuple[Workload, ...] = ()  # a team desk's workload per person


@dataclass
class DetailLoaded(Result, bubble=False):
    detail: CaseDetail | None


@dataclass
class PreviewLoaded(Result, bubble=False):
    """A contact's preview, to show (`purpose` "show") or to start a new case from
    (`purpose` "new_case", for the contacts `ids`)."""

    preview: ContactPreview | None
    purpose: str = "show"
    ids: tuple[int, ...] = ()


@dataclass
class ReplyLoaded(Result, bubble=False):
    """A contact's reply, filled in from its template, for the composer."""

    preview: ReplyPreview


@dataclass
class PartyLoaded(Result, bubble=False):
    info: PartyInfo | None
    duplicates: tuple[DuplicateParty, ...]


@dataclass
class HitsFound(Message, bubble=False):
    """A dialog's look-up finished (search, case picker)."""

    query: str
    hits: tuple[SearchHit, ...]


@dataclass
class Done(Message, bubble=False):
    """A command finished; `text` is the notification to show, `then` what to offer
    next (a question that follows from the result)."""

    text: str
    then: Callable[[], None] | None = None


@dataclass
class Probed(Message):
    """The live-refresh probe: data fingerprint, header status, new alerts."""

    version: DataVersion
    status: Status
    alerts: tuple[AlertItem, ...]
    mine: MineCounts | None = None  # a team desk's own counts, for the header


@dataclass
class CaseLoaded(Message):
    """A case to show, loaded before its screen is pushed."""

    detail: CaseDetail
    whistleblower: bool
    version: DataVersion | None = None


@dataclass
class CasePrefetched(Message):
    """A case loaded ahead of opening, at data version `version`."""

    detail: CaseDetail
    version: DataVersion | None


@dataclass
class PeopleLoaded(Result, bubble=False):
    """Whom the work can be assigned to, for the assign dialog (`tui.team`)."""

    people: tuple[str, ...]
    me: str
    target: Any


@dataclass
class Presence(Message):
    """Who else has case `case_id` open (other desks), for the case view."""

    case_id: int
    others: tuple[str, ...]


@dataclass
class LiveChanged(Message):
    """PostgreSQL said these tables changed (LISTEN/NOTIFY, `tui.team.listen`)."""

    tables: frozenset[str]


class LiveUnavailable(Message):
    """Nothing notifies on this database (no `team init` triggers): poll instead."""
