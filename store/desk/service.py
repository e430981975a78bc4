"""`Desk`: the one object the UI talks to. Each method opens its own short session, does
one thing, commits (for commands) and returns plain rows. Safe to call from worker
threads: nothing it returns is bound to a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine

from store.config import Config
from store.db import session_scope, write_scope
from store.desk import commands, queries, search
from store.desk.rows import (
    AlertItem,
    CaseDetail,
    CaseFilter,
    CaseRow,
    ContactPreview,
    DataVersion,
    FollowupRow,
    Page,
    SearchHit,
    Status,
    TriageRow,
    WhistleblowerRow,
)
from store.models import utcnow


class Desk:
    def __init__(self, engine: Engine, config: Config,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock

    def now(self) -> dt.datetime:
        return self.clock()

    # ------------------------------------------------------------------ queries

    def triage(self, offset: int = 0, limit: int = 100) -> Page[TriageRow]:
        with session_scope(self.engine) as s:
            return queries.triage_page(session=s, now=self.now(), offset=offset, limit=limit)

    def preview(self, contact_id: int) -> ContactPreview | None:
        with session_scope(self.engine) as s:
            return queries.contact_preview(session=s, contact_id=contact_id, now=self.now())

    def cases(self, filt: CaseFilter, offset: int = 0, limit: int = 100) -> Page[CaseRow]:
        with session_scope(self.engine) as s:
            return queries.case_page(session=s, filt=filt, offset=offset, limit=limit)

    def case(self, case_id: int, *, allow_whistleblower: bool = False) -> CaseDetail | None:
        with session_scope(self.engine) as s:
            detail = queries.case_detail(session=s, case_id=case_id, now=self.now(),
                                         allow_whistleblower=allow_whistleblower)
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
            return queries.whistleblower_register(session=s, now=self.now(), offset=offset,
                                                  limit=limit)

    def version(self) -> DataVersion:
        with session_scope(self.engine) as s:
            return queries.data_version(session=s)

    def status(self) -> Status:
        with session_scope(self.engine) as s:
            return queries.status(session=s)

    def alerts_after(self, after_id: int) -> tuple[AlertItem, ...]:
        with session_scope(self.engine) as s:
            return queries.alerts_after(session=s, after_id=after_id)

    def max_alert_id(self) -> int:
        with session_scope(self.engine) as s:
            return queries.max_alert_id(session=s)

    # ------------------------------------------------------------------ follow-ups

    def followups(self, offset: int = 0, limit: int = 100) -> Page[FollowupRow]:
        from store.desk.followups import followup_page

        with session_scope(self.engine) as s:
            return followup_page(session=s, config=self.config, now=self.now(),
                                 offset=offset, limit=limit)

    def acknowledge(self, contact_ids: Sequence[int], note: str | None = None) -> int:
        from store.desk.followups import acknowledge

        with write_scope(self.engine) as s:
            return acknowledge(session=s, config=self.config, contact_ids=list(contact_ids),
                               now=self.now(), note=note)

    def waive(self, target_ids: Sequence[int], reason: str) -> None:
        from store.desk.followups import waive

        with write_scope(self.engine) as s:
            waive(session=s, target_ids=list(target_ids), reason=reason, now=self.now())

    # ------------------------------------------------------------------ counts

    def counts(self, preset: str | None, start: dt.date, end: dt.date) -> Any:
        from store.desk.stats import run_stats

        with session_scope(self.engine) as s:
            return run_stats(session=s, config=self.config, preset=preset, start=start,
                             end=end, now=self.now())

    def export_counts(self, preset: str | None, start: dt.date, end: dt.date,
                      path: str) -> str:
        from store.desk.stats import export_stats

        with session_scope(self.engine) as s:
            return export_stats(session=s, config=self.config, preset=preset, start=start,
                                end=end, path=path)

    # ------------------------------------------------------------------ commands

    def link(self, contact_ids: Sequence[int], case_id: int) -> str:
        with write_scope(self.engine) as s:
            return commands.link(session=s, config=self.config, contact_ids=contact_ids,
                                 case_id=case_id)

    def new_case(self, **kw: Any) -> tuple[int, str]:
        with write_scope(self.engine) as s:
            return commands.new_case(session=s, config=self.config,
                                     today=commands.today_of(self.now()), **kw)

    def dismiss(self, contact_ids: Sequence[int], reason: str) -> None:
        with write_scope(self.engine) as s:
            commands.dismiss(session=s, contact_ids=contact_ids, reason=reason)

    def add_manual_contact(self, case_id: int, kind: str, text: str,
                           direction: str = "in") -> int:
        with write_scope(self.engine) as s:
            return commands.add_manual_contact(session=s, config=self.config, case_id=case_id,
                                               kind=kind, text=text, at=self.now(),
                                               direction=direction)

    def add_note(self, case_id: int, text: str) -> None:
        with write_scope(self.engine) as s:
            commands.add_note(session=s, case_id=case_id, text=text)

    def classify(self, case_id: int, field: str, value: str | None) -> None:
        with write_scope(self.engine) as s:
            commands.classify(session=s, config=self.config, case_id=case_id, field=field,
                              value=value)

    def set_closed(self, case_id: int, closed: bool) -> None:
        with write_scope(self.engine) as s:
            commands.set_closed(session=s, case_id=case_id,
                                closed_on=commands.today_of(self.now()) if closed else None)

    def toggle_complain(self, case_id: int) -> bool:
        with write_scope(self.engine) as s:
            return commands.toggle_complain(session=s, case_id=case_id)

    def set_excluded(self, case_id: int, excluded: bool, reason: str | None = None) -> None:
        with write_scope(self.engine) as s:
            commands.set_excluded(session=s, case_id=case_id, excluded=excluded, reason=reason)
