"""Sager: the case list with filters (open/closed, department, category, party, text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Select

from store.desk.rows import CaseFilter, CaseRow, Page
from tui.i18n import t
from tui.keymap import bindings
from tui.safe import plain
from tui.screens.paged_list import PAGE, PagedListScreen
from tui.widgets.paged_table import PagedTable, fit_width

STATUSES = ("open", "closed", "all")


class CasesScreen(PagedListScreen[CaseRow]):
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
            yield Select([(t(f"filter.{s}"), s) for s in STATUSES], value=self.filt.status,
                         allow_blank=False, id="f-status")
            yield Select([(d.name, d.name) for d in tax.departments],
                         prompt=t("col.department"), id="f-department")
            yield Select([(c, c) for c in tax.categories], prompt=t("col.category"),
                         id="f-category")
            yield Input(self.filt.party or "", placeholder=t("filter.party"), id="f-party")
            yield Input(placeholder=t("filter.text"), id="f-text")

    def columns(self) -> list[tuple[str, int | None]]:
        ref = fit_width((r.ref for r in self.rows), 9)  # a ref is never cut
        if self.wide:
            return [("col.ref", ref), ("col.title", None), ("col.party", 18),
                    ("col.department", 22), ("col.category", 12), ("col.opened", 10),
                    ("col.contacts", 5)]
        return [("col.ref", ref), ("col.title", None), ("col.party", 14),
                ("col.category", 10), ("col.opened", 8)]

    def page_query(self, offset: int) -> Callable[[], Page[CaseRow]]:
        filt = self.filt
        return lambda: self.desk.cases(filt, offset=offset, limit=PAGE)

    def key_of(self, row: CaseRow) -> int:
        return row.case_id

    def cells(self, r: CaseRow) -> dict[str, Text]:
        title = plain(r.title, limit=200)
        if r.closed_on:
            title.stylize("dim")
        return {
            "col.ref": Text(r.ref), "col.title": title,
            "col.party": plain(r.party, limit=60),
            "col.department": plain(r.department, limit=40),
            "col.category": plain(r.category, limit=30),
            "col.opened": Text(r.opened_on.strftime("%d-%m-%Y" if self.wide else "%d-%m-%y")),
            "col.contacts": Text(str(r.contacts), justify="right"),
        }

    # ------------------------------------------------------------------ filters

    @on(Select.Changed)
    @on(Input.Submitted)
    def _filters_changed(self, _event: Any = None) -> None:
        def val(wid: str) -> str | None:
            v = self.query_one(f"#{wid}", Select).value
            return None if v is Select.NULL else str(v)

        self.filt = CaseFilter(
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
