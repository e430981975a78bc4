"""`Desk`: the one object the UI talks to. Each method opens its own short session, does
one thing, commits (for commands) and returns plain rows. Safe to call from worker
threads: nothing it returns is bound to a session.

Commands raise `store.errors.UserError` (with a `code` and values for the UI's own
language) on anything the user can fix, and change nothing then: each runs in one
transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Engine
from sqlmodel import Session

from store.concurrency import lock_case
from store.config import Config
from store.db import session_scope, write_scope
from store.desk import commands, queries, search, team
from store.desk.rows import (
    AckResult,
    AlertItem,
    CaseDetail,
    CaseFilter,
    CaseRow,
    Classification,
    ContactAdded,
    ContactPreview,
    DataVersion,
    DismissedRow,
    DuplicateParty,
    FollowupRow,
    IfClosed,
    LinkResult,
    MergeResult,
    NewCaseRequest,
    NewContactRequest,
    Page,
    PartyEdit,
    PartyInfo,
    Related,
    SearchHit,
    Status,
    TriageFilter,
    TriageRow,
    WhistleblowerFactsRow,
    WhistleblowerRow,
)
from store.desk.stats import StatsComparison, StatsView
from store.desk.team import MineCounts, Scope, Workload
from store.models import utcnow
from store.team import presence
from store.team.live import ChangeListener, missing_triggers


def _me(session: Session, scope: Scope) -> str | None:
    """Who "mine" is, when the scope needs to know."""
    return team.current_person(session) if scope is Scope.mine else None


class Desk:
    def __init__(
        self, engine: Engine, config: Config, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        # This desk's identity for presence (store.team.presence): one per running desk.
        self.desk_id = uuid.uuid4().hex

    def now(self) -> dt.datetime:
        return self.clock()

    # ------------------------------------------------------------------ queries

    def triage(
        self,
        offset: int = 0,
        limit: int = 100,
        filt: TriageFilter = TriageFilter.everything,
        scope: Scope = Scope.everyone,
    ) -> Page[TriageRow]:
        """Indbakke: waiting contacts under `filt` and `scope`, newest first."""
        with session_scope(self.engine) as s:
            return queries.triage_page(
                session=s,
                now=self.now(),
                offset=offset,
                limit=limit,
                filt=filt,
                scope=scope,
                me=_me(s, scope),
            )

    def dismissed(self, offset: int = 0, limit: int = 100) -> Page[DismissedRow]:
        """Contacts marked "not a case", newest first, with their reasons."""
        from store.desk.related import dismissed_page

        with session_scope(self.engine) as s:
            return dismissed_page(session=s, offset=offset, limit=limit)

    def related(self, contact_id: int) -> Related:
        """After a new case or a link: the sender's other waiting contacts and the rest
        of the mail thread, to offer linking them too."""
        from store.desk.related import related

        with session_scope(self.engine) as s:
            return related(session=s, contact_id=contact_id, now=self.now())

    def preview(self, contact_id: int) -> ContactPreview | None:
        with session_scope(self.engine) as s:
            return queries.contact_preview(
                session=s, config=self.config, contact_id=contact_id, now=self.now()
            )

    def cases(
        self, filt: CaseFilter, offset: int = 0, limit: int = 100, scope: Scope = Scope.everyone
    ) -> Page[CaseRow]:
        """Sager, in `filt.sort` order, with each case's next deadline (overdue marked)
        and last activity; under `scope` (mine, unassigned, all)."""
        with session_scope(self.engine) as s:
            return queries.case_page(
                session=s,
                filt=filt,
                offset=offset,
                limit=limit,
                now=self.now(),
                scope=scope,
                me=_me(s, scope),
            )

    def case(self, case_id: int, *, allow_whistleblower: bool = False) -> CaseDetail | None:
        with session_scope(self.engine) as s:
            detail = queries.case_detail(
                session=s, case_id=case_id, now=self.now(), allow_whistleblower=allow_whistleblower
            )
        if detail is not None and detail.kind == "whistleblower":
            with write_scope(self.engine) as s:
                commands.audit_view(session=s, what="case", entity_id=detail.ref)
        return detail

    def search(self, query: str, limit: int = 10) -> tuple[SearchHit, ...]:
        with session_scope(self.engine) as s:
            return search.search_all(session=s, query=query, limit=limit)

    def search_cases(self, query: str, limit: int = 20) -> tuple[SearchHit, ...]:
        with session_scope(self.engine) as s:
            return search.search_cases(session=s, query=query, limit=limit)

    def whistleblower(self, offset: int = 0, limit: int = 100) -> Page[WhistleblowerRow]:
        if not self.config.ui.whistleblower_register:
            return Page(rows=(), offset=0, total=0)
        with write_scope(self.engine) as s:
            commands.audit_view(session=s, what="whistleblower_register")
        with session_scope(self.engine) as s:
            return queries.whistleblower_register(
                session=s, now=self.now(), offset=offset, limit=limit
            )

    def whistleblower_facts(self, case_id: int) -> WhistleblowerFactsRow:
        """The case's facts for the annual report (all unset if never given)."""
        from store.desk.whistleblower import read_facts

        with session_scope(self.engine) as s:
            return read_facts(session=s, case_id=case_id)

    def set_whistleblower_facts(self, facts: WhistleblowerFactsRow) -> None:
        """Save the case's facts; audited with the change (never anything about the
        reporter)."""
        from store.desk.whistleblower import save_facts

        with write_scope(self.engine) as s:
            save_facts(session=s, facts=facts)

    def version(self) -> DataVersion:
        with session_scope(self.engine) as s:
            return queries.data_version(session=s)

    def status(self) -> Status:
        """The header: sources, open alerts, triage size, what is overdue now (from the
        store) and whether the daemon is late."""
        with session_scope(self.engine) as s:
            return queries.status(session=s, config=self.config, now=self.now())

    def alerts_after(self, after_id: int) -> tuple[AlertItem, ...]:
        with session_scope(self.engine) as s:
            return queries.alerts_after(session=s, after_id=after_id)

    def max_alert_id(self) -> int:
        with session_scope(self.engine) as s:
            return queries.max_alert_id(session=s)

    # ------------------------------------------------------------------ follow-ups

    def followups(
        self, offset: int = 0, limit: int = 100, scope: Scope = Scope.everyone
    ) -> Page[FollowupRow]:
        from store.desk.followups import followup_page

        with session_scope(self.engine) as s:
            return followup_page(
                session=s,
                config=self.config,
                now=self.now(),
                offset=offset,
                limit=limit,
                scope=scope,
                me=_me(s, scope),
            )

    def acknowledge(
        self, contact_ids: Sequence[int], note: str | None = None, at: dt.datetime | None = None
    ) -> AckResult:
        """Acknowledge contacts' open reply targets, with an optional note, at `at`
        (default now; `store.dateinput.read_moment` reads what the advisor typed)."""
        from store.desk.followups import acknowledge

        with write_scope(self.engine) as s:
            return acknowledge(
                session=s,
                config=self.config,
                contact_ids=list(contact_ids),
                at=at or self.now(),
                note=note,
            )

    def waive(self, target_ids: Sequence[int], reason: str) -> None:
        from store.desk.followups import waive

        with write_scope(self.engine) as s:
            waive(session=s, target_ids=list(target_ids), reason=reason, now=self.now())

    # ------------------------------------------------------------------ counts

    def counts(self, preset: str | None, start: dt.date, end: dt.date) -> StatsView:
        from store.desk.stats import run_stats

        with session_scope(self.engine) as s:
            return run_stats(
                session=s, config=self.config, preset=preset, start=start, end=end, now=self.now()
            )

    def export_counts(self, preset: str | None, start: dt.date, end: dt.date, path: str) -> str:
        from store.desk.stats import export_stats

        with session_scope(self.engine) as s:
            return export_stats(
                session=s, config=self.config, preset=preset, start=start, end=end, path=path
            )

    def compare_counts(self, preset: str | None, start: dt.date, end: dt.date) -> StatsComparison:
        """The preset's row totals for the period against the previous period of equal
        length, with each row's change."""
        from store.desk.stats import compare_stats

        with session_scope(self.engine) as s:
            return compare_stats(session=s, config=self.config, preset=preset, start=start, end=end)

    def export_annual_report(
        self, preset: str | None, start: dt.date, end: dt.date, path: str
    ) -> str:
        """The annual report of the period to `path` (.docx or .html); returns the path."""
        from store.desk.stats import export_annual_report

        with session_scope(self.engine) as s:
            return export_annual_report(
                session=s,
                config=self.config,
                preset=preset,
                start=start,
                end=end,
                path=path,
                now=self.now(),
            )

    # ------------------------------------------------------------------ commands

    def link(
        self,
        contact_ids: Sequence[int],
        case_id: int,
        if_closed: IfClosed = IfClosed.ask,
        seen: Mapping[int, int | str] | None = None,
    ) -> LinkResult:
        """Link contacts to a case. A closed case raises `store.cases.CaseClosed` unless
        `if_closed` is reopen or link. The result names addresses new to the case's
        party (offer `add_party_address`). `seen`: where the list showed each contact
        (`store.concurrency.TRIAGE` or its case id); one another desk took since raises
        `ContactTaken` naming who."""
        with write_scope(self.engine) as s:
            return commands.link(
                session=s,
                config=self.config,
                contact_ids=contact_ids,
                case_id=case_id,
                if_closed=if_closed,
                seen=seen,
            )

    def new_case(self, request: NewCaseRequest) -> tuple[int, str]:
        """Open a case (validated by the store); returns (case id, ref)."""
        with write_scope(self.engine) as s:
            return commands.new_case(
                session=s, config=self.config, today=commands.today_of(self.now()), request=request
            )

    def add_contact(
        self, request: NewContactRequest, if_closed: IfClosed = IfClosed.ask
    ) -> ContactAdded:
        """Register a contact by hand and file it (triage, a case, a new case)."""
        with write_scope(self.engine) as s:
            return commands.register_contact(
                session=s,
                config=self.config,
                today=commands.today_of(self.now()),
                request=request,
                if_closed=if_closed,
                now=self.now(),
            )

    def move_contact(
        self, contact_id: int, case_id: int, if_closed: IfClosed = IfClosed.ask
    ) -> str:
        """Move a linked contact to another case; returns the new case's ref."""
        from store.corrections import move_contact

        reopen = {IfClosed.ask: None, IfClosed.reopen: True, IfClosed.link: False}[if_closed]
        with write_scope(self.engine) as s:
            return move_contact(
                session=s, config=self.config, contact_id=contact_id, case_id=case_id, reopen=reopen
            )

    def unlink_contact(self, contact_id: int) -> str:
        """Take a contact out of its case, back to triage; returns the old case's ref."""
        from store.corrections import unlink_contact

        with write_scope(self.engine) as s:
            return unlink_contact(session=s, config=self.config, contact_id=contact_id)

    def undismiss(self, contact_ids: Sequence[int]) -> None:
        """Undo "not a case": the contacts wait in triage again."""
        from store.corrections import undismiss_contact

        with write_scope(self.engine) as s:
            for cid in contact_ids:
                undismiss_contact(session=s, config=self.config, contact_id=cid)

    # ------------------------------------------------------------------ parties

    def party(self, party_id: int) -> PartyInfo | None:
        from store.desk.parties import party_info

        with session_scope(self.engine) as s:
            return party_info(session=s, party_id=party_id)

    def edit_party(self, party_id: int, edit: PartyEdit, version: int | None = None) -> None:
        """Set name, kind and the whole lists of e-mail addresses and phone numbers.
        `version`: `PartyInfo.version` as read, or `StaleEdit`."""
        from store.parties import edit_party

        with write_scope(self.engine) as s:
            edit_party(
                session=s,
                party_id=party_id,
                name=edit.name,
                kind=edit.kind,
                emails=edit.emails,
                phones=edit.phones,
                version=version,
            )

    def add_party_address(self, party_id: int, address: str) -> None:
        """Add a contact's address or number to the party (offered after a link), so
        later mail from it is recognised and auto-linked."""
        from store.parties import adopt_address

        with write_scope(self.engine) as s:
            adopt_address(session=s, party_id=party_id, address=address)

    def merge_parties(self, keep_id: int, other_id: int) -> MergeResult:
        from store.merge import merge_parties

        with write_scope(self.engine) as s:
            return merge_parties(session=s, keep_id=keep_id, other_id=other_id)

    def duplicate_parties(self, party_id: int) -> tuple[DuplicateParty, ...]:
        """Likely duplicates of a party (same number or address, same name)."""
        from store.merge import duplicate_parties

        with session_scope(self.engine) as s:
            return duplicate_parties(session=s, party_id=party_id)

    # ------------------------------------------------------------------ triage, cases

    def dismiss(self, contact_ids: Sequence[int], reason: str) -> None:
        with write_scope(self.engine) as s:
            commands.dismiss(session=s, config=self.config, contact_ids=contact_ids, reason=reason)

    def add_manual_contact(
        self,
        case_id: int,
        kind: str,
        text: str,
        direction: str = "in",
        at: dt.datetime | None = None,
    ) -> int:
        """A contact typed in inside a case (`m`), at `at` (default now)."""
        with write_scope(self.engine) as s:
            return commands.add_manual_contact(
                session=s,
                config=self.config,
                case_id=case_id,
                kind=kind,
                text=text,
                at=at or self.now(),
                direction=direction,
                now=self.now(),
            )

    def add_note(self, case_id: int, text: str) -> None:
        with write_scope(self.engine) as s:
            commands.add_note(session=s, case_id=case_id, text=text)

    def classify(
        self, case_id: int, field: str, value: str | None, version: int | None = None
    ) -> None:
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            commands.classify(
                session=s, config=self.config, case_id=case_id, field=field, value=value
            )

    def set_classification(
        self, case_id: int, new: Classification, version: int | None = None
    ) -> bool:
        """Category, action and outcome at once: validated together, one history entry.
        Returns whether anything changed."""
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            return commands.set_classification(
                session=s, config=self.config, case_id=case_id, new=new
            )

    def set_closed(
        self, case_id: int, closed: bool, outcome: str | None = None, version: int | None = None
    ) -> None:
        """Close (today) or reopen a case; closing may set the outcome in the same step
        (see `outcome_needed`)."""
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            commands.set_closed(
                session=s,
                config=self.config,
                case_id=case_id,
                closed_on=commands.today_of(self.now()) if closed else None,
                outcome=outcome,
            )

    def edit_classification(
        self,
        case_id: int,
        version: int | None,
        fields: Mapping[str, str | None],
        new: Classification | None,
        close: bool = False,
    ) -> None:
        """The classification form's save in one transaction, checked against the
        version the form was opened on: single `fields` (department, theme), then
        category, action and outcome together (`new`, None: unchanged), then closing."""
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            for field, value in fields.items():
                commands.classify(
                    session=s, config=self.config, case_id=case_id, field=field, value=value
                )
            if new is not None:
                commands.set_classification(session=s, config=self.config, case_id=case_id, new=new)
            if close:
                commands.set_closed(
                    session=s,
                    config=self.config,
                    case_id=case_id,
                    closed_on=commands.today_of(self.now()),
                )

    def outcome_needed(self, case_id: int) -> tuple[str, ...]:
        """The outcomes to ask for when closing: those the case's action allows, when
        the taxonomy expects one and none is set; empty when nothing needs asking."""
        from store.models import Case

        with session_scope(self.engine) as s:
            case = s.get(Case, case_id)
            if case is None or case.outcome is not None:
                return ()
            return commands.outcomes_for(self.config, case)

    def toggle_complain(self, case_id: int, version: int | None = None) -> bool:
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            return commands.toggle_complain(session=s, case_id=case_id)

    def set_excluded(
        self, case_id: int, excluded: bool, reason: str | None = None, version: int | None = None
    ) -> None:
        with write_scope(self.engine) as s:
            lock_case(s, case_id, version)
            commands.set_excluded(session=s, case_id=case_id, excluded=excluded, reason=reason)

    # ------------------------------------------------------------ team (store.desk.team)

    def me(self) -> str:
        """The person at this desk: her database role (PostgreSQL) or OS user (SQLite)."""
        with session_scope(self.engine) as s:
            return team.current_person(s)

    def assign_case(self, case_id: int, person: str | None, version: int | None = None) -> bool:
        """Assign (None: unassign); audited. `version` as read, or `StaleEdit`."""
        with write_scope(self.engine) as s:
            return team.assign_case(session=s, case_id=case_id, person=person, version=version)

    def assign_contact(self, contact_id: int, person: str | None) -> bool:
        with write_scope(self.engine) as s:
            return team.assign_contact(session=s, contact_id=contact_id, person=person)

    def people(self) -> list[str]:
        """Whom work can be assigned to: the team's members (PostgreSQL), else only
        the person at this desk."""
        if self.engine.dialect.name != "postgresql":
            return [self.me()]
        from store.team.roles import members

        return sorted({m.name for m in members(self.engine)})

    def mine_counts(self) -> MineCounts:
        """The header's counts of my work: overdue, due soon, waiting in triage."""
        with session_scope(self.engine) as s:
            return team.mine_counts(session=s, me=team.current_person(s), now=self.now())

    def workload(self) -> list[Workload]:
        """Statistik: open cases and overdue targets per person."""
        with session_scope(self.engine) as s:
            return team.workload(session=s, now=self.now())

    def open_case_presence(self, case_id: int) -> list[str]:
        """This desk has the case open: say so, and return who else has it open."""
        with write_scope(self.engine) as s:
            presence.open_case(
                session=s,
                desk=self.desk_id,
                person=team.current_person(s),
                case_id=case_id,
                now=self.now(),
            )
            return presence.others(session=s, desk=self.desk_id, case_id=case_id, now=self.now())

    def close_case_presence(self, case_id: int) -> None:
        with write_scope(self.engine) as s:
            presence.close_case(session=s, desk=self.desk_id, case_id=case_id)

    def presence_heartbeat(self) -> None:
        """Call every `store.team.presence.HEARTBEAT` while the desk runs."""
        with write_scope(self.engine) as s:
            presence.heartbeat(session=s, desk=self.desk_id, now=self.now())

    def others_on_case(self, case_id: int) -> list[str]:
        with session_scope(self.engine) as s:
            return presence.others(session=s, desk=self.desk_id, case_id=case_id, now=self.now())

    def change_listener(self) -> ChangeListener | None:
        """On PostgreSQL a listener to wait on instead of polling `data_version`; None
        on SQLite, and on a PostgreSQL database whose tables send no notifications (no
        `team init` yet): keep polling there."""
        if self.engine.dialect.name != "postgresql":
            return None
        with self.engine.connect() as conn:
            if missing_triggers(conn):
                return None
        return ChangeListener(self.engine)
