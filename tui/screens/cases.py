"""Sager: the case list with filters (open/closed, department, category, party, text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Select

from store.desk.rows import CaseFilter, CaseRow, CaseSort, Page
from tui.i18n import t
from tui.keymap import bindings
from tui.render import day_time
from tui.safe import plain
from tui.screens.assign import AssignTarget
from tui.screens.paged_list import PAGE, ScopedListScreen
from tui.widgets.paged_table import PagedTable, fit_width

STATUSES = ("open", "closed", "all")
SORTS = tuple(CaseSort)
TITLE_MIN = 20


def due_text(due: dt.datetime | None, overdue: bool, now: dt.datetime) -> Text:
    """A case's next deadline; an overdue one marked (‼, as in Svarfrister) and red."""
    if due is None:
        return Text("–")
    if overdue:
        return Text(f"‼ {day_time(due, now)}", style="bold red")
    return Text(f"  {day_time(due, now)}")


class CasesScreen(ScopedListScreen[CaseRow]):
    TITLE_KEY = "screen.cases"
    BINDINGS = bindings("cases")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.filt = CaseFilter()
        self._prefetch_timer: Timer | None = None

    def compose_filters(self) -> ComposeResult:
        tax = self.desk.config.taxonomy
        with Horizontal(id="filters"):
            # From self.filt: a search hit may set the filter before the screen is built.
            yield Select(
                [(t(f"filter.{s}"), s) for s in STATUSES],
                value=self.filt.status,
                allow_blank=False,
                id="f-status",
            )
            yield Select(
                [(d.name, d.name) for d in tax.departments],
                prompt=t("col.department"),
                id="f-department",
            )
            yield Select(
                [(c, c) for c in tax.categories], prompt=t("col.category"), id="f-category"
            )
            yield Input(self.filt.party or "", placeholder=t("filter.party"), id="f-party")
            yield Input(placeholder=t("filter.text"), id="f-text")

    def columns(self) -> list[tuple[str, int | None]]:
        """Every column that fits with the title at least TITLE_MIN wide; when the
        terminal is narrow the least useful go first (the number of contacts, then the
        department, the opening date, ...). A ref is never cut."""
        ref = fit_width((r.ref for r in self.rows), 9)
        date_w = 10 if self.wide else 8
        party_w = 16 if self.wide else 14
        cols: list[tuple[str, int | None, float]] = [
            ("col.ref", ref, 0),
            ("col.title", None, 0),
            ("col.party", party_w, 3),
            ("col.next_due", 13, 1),
            ("col.activity", 11, 4),
            ("col.category", 12, 2),
            ("col.department", 20, 6),
            ("col.opened", date_w, 5),
            ("col.contacts", 5, 7),
        ]
        if self.desk_app.team:  # who has each case: kept longer than the opening date
            cols.insert(3, ("col.assigned", 12, 4.5))
        room = self.app.size.width - 2 - TITLE_MIN
        while sum(w + 2 for _k, w, _p in cols if w) + 2 > room:
            worst = max(p for _k, _w, p in cols)
            if worst == 0:
                break
            cols = [c for c in cols if c[2] != worst]
        return [(k, w) for k, w, _p in cols]

    def page_query(self, offset: int) -> Callable[[], Page[CaseRow]]:
        filt, scope = self.filt, self.scope
        return lambda: self.desk.cases(filt, offset=offset, limit=PAGE, scope=scope)

    def key_of(self, row: CaseRow) -> int:
        return row.case_id

    def cells(self, r: CaseRow) -> dict[str, Text]:
        title = plain(r.title, limit=200)
        if r.closed_on:
            title.stylize("dim")
        return {
            "col.ref": Text(r.ref),
            "col.title": title,
            "col.party": plain(r.party, limit=60),
            "col.department": plain(r.department, limit=40),
            "col.category": plain(r.category, limit=30),
            "col.opened": Text(r.opened_on.strftime("%d-%m-%Y" if self.wide else "%d-%m-%y")),
            "col.contacts": Text(str(r.contacts), justify="right"),
            "col.assigned": plain(r.assigned_to or "–", limit=40),
            "col.next_due": due_text(r.next_due, r.overdue, self.now),
            "col.activity": Text(day_time(r.last_activity, self.now) if r.last_activity else "–"),
        }

    # ------------------------------------------------------------------ filters

    @on(Select.Changed)
    @on(Input.Submitted)
    def _filters_changed(self, _event: Any = None) -> None:
        def val(wid: str) -> str | None:
            v = self.query_one(f"#{wid}", Select).value
            return None if v is Select.NULL else str(v)

        self.filt = replace(
            self.filt,  # the sort stays
            status=val("f-status") or "open",
            department=val("f-department"),
            category=val("f-category"),
            party=self.query_one("#f-party", Input).value.strip() or None,
            text=self.query_one("#f-text", Input).value.strip() or None,
        )
        self.page_offset = 0
        self.remember_cursor()
        self._keep_row = None  # a new filter: its first row, unless the case is in it
        self.load_page()
        if isinstance(_event, Input.Submitted):
            self.query_one(PagedTable).focus()

    def action_filter(self) -> None:
        self.query_one("#f-status", Select).focus()

    def action_cycle_sort(self) -> None:
        """Opened (newest first), next deadline (soonest first), latest activity."""
        sort = SORTS[(SORTS.index(self.filt.sort) + 1) % len(SORTS)]
        self.filt = replace(self.filt, sort=sort, descending=sort is not CaseSort.next_due)
        self.notify(t("n.sorted", by=t(f"sort.{sort.value}")), timeout=3)
        self.page_offset = 0
        self.reload()

    def info_text(self) -> str:
        return f"{super().info_text()}  ·  {t('sort.' + self.filt.sort.value)}"

    def action_cycle_status(self) -> None:
        sel = self.query_one("#f-status", Select)
        sel.value = STATUSES[(STATUSES.index(self.filt.status) + 1) % len(STATUSES)]

    def set_party_filter(self, name: str) -> None:
        """Show the party's cases, open and closed. Before the screen was ever shown (a
        search hit chosen first thing) only the filter is set: compose reads it."""
        if not self.is_mounted:
            self.filt = CaseFilter(status="all", party=name)
            return
        self.query_one("#f-party", Input).value = name
        self.query_one("#f-status", Select).value = "all"
        self._filters_changed()

    def assign_target(self) -> AssignTarget | None:
        row = self.current()
        return AssignTarget("case", (row.case_id,), row.assigned_to) if row else None

    def action_open_case(self) -> None:
        row = self.current()
        if row is not None:
            self.desk_app.open_case(row.case_id)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()

    @on(PagedTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        # Prefetch the case under a resting cursor, so enter opens it without a query.
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(0.08, self._prefetch)

    def _prefetch(self) -> None:
        row = self.current()
        if row is not None:
            self.desk_app.prefetch_case(row.case_id)
