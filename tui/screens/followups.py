"""Svarfrister: every open reply target, earliest due first (overdue on top), with the
countdown in working hours. Explain (e), acknowledge (a), no reply needed (w)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, Static

from store.desk.rows import FollowupRow, Page
from tui.i18n import t
from tui.keymap import bindings
from tui.render import (
    call_text,
    channel_mark,
    day_time,
    hours_text,
    status_short,
    status_text,
    who_text,
)
from tui.safe import plain
from tui.screens.base import DeskScreen
from tui.screens.dialogs import TextPrompt
from tui.widgets.paged_table import PagedTable, fit_width

PAGE = 100


class FollowupsScreen(DeskScreen):
    TITLE_KEY = "screen.followups"
    BINDINGS = bindings("followups")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.rows: list[FollowupRow] = []
        self.page_offset = 0
        self._keep: int | None = None
        self._keep_row: int | None = None  # the cursor's place, if `_keep` left the list

    def compose_body(self) -> ComposeResult:
        yield Label(t("loading"), id="pageinfo", classes="pageinfo")
        yield PagedTable(id="list")
        yield Static("", id="explain", classes="explain")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#explain").display = False
        self._layout()
        self.query_one(PagedTable).focus()

    def _layout(self) -> None:
        wide = self.app.size.width >= 110
        cols: list[tuple[str, int | None]] = (
            [("col.status", 12), ("col.due", 11), ("col.left", 9), ("col.channel", 2),
             ("col.who", 18), ("col.subject", None),
             ("col.ref", fit_width((r.case_ref or "" for r in self.rows), 9))] if wide else
            [("col.status", 7), ("col.due", 11), ("col.left", 8), ("col.who", 14),
             ("col.subject", None)])
        if self.query_one(PagedTable).configure(cols, self.app.size.width):
            self._fill()

    def on_resize(self) -> None:
        self._layout()

    def _fill(self) -> None:
        wide = self.app.size.width >= 110
        now = self.desk.now()
        self.query_one(PagedTable).fill([(str(r.target_id), {
            "col.status": status_text(r.status) if wide else status_short(r.status),
            "col.due": Text(day_time(r.due_at, now)),
            "col.left": Text(hours_text(r.working_hours_left), justify="right"),
            "col.channel": channel_mark(r.channel),
            "col.who": who_text(r.who, r.channel),
            "col.subject": plain(r.subject or (call_text(r.call) if r.call else ""), limit=200),
            "col.ref": Text(r.case_ref or "–"),
        }) for r in self.rows])

    def reload(self) -> None:
        row = self.current()
        if row is not None:
            self._keep = row.target_id
            self._keep_row = self.query_one(PagedTable).cursor_row
        offset = self.page_offset
        self.load("page", lambda: self.desk.followups(offset=offset, limit=PAGE))

    def on_paged_table_page_request(self, msg: PagedTable.PageRequest) -> None:
        self.page_offset = max(0, self.page_offset + msg.direction * PAGE)
        self._keep = None
        offset = self.page_offset
        self.load("page", lambda: self.desk.followups(offset=offset, limit=PAGE))

    def show_page(self, page: Page[FollowupRow]) -> None:
        table = self.query_one(PagedTable)
        table.page_offset, table.total = page.offset, page.total
        self.rows = list(page.rows)
        self._layout()
        self._fill()
        target = 0
        if self._keep is not None:
            target = table.row_after_reload(str(self._keep), self._keep_row)
        if self.rows:
            table.move_cursor(row=target, animate=False)
        self.query_one("#pageinfo", Label).update(
            t("page", first=page.offset + 1, last=page.offset + len(self.rows),
              total=page.total) if page.total else t("empty"))
        self._explain_current()

    def current(self) -> FollowupRow | None:
        table = self.query_one(PagedTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(PagedTable.RowHighlighted)
    def _explain_current(self) -> None:
        box = self.query_one("#explain", Static)
        row = self.current()
        if box.display and row is not None:
            box.update(plain(row.explanation or t("explain.none"), one_line=False))

    def action_explain(self) -> None:
        box = self.query_one("#explain", Static)
        box.display = not box.display
        self._explain_current()

    def action_ack(self) -> None:
        row = self.current()
        if row is not None:
            cid = row.contact_id
            self.command(lambda: self.desk.acknowledge([cid]), lambda n: t("n.acked", n=n))

    def action_waive(self) -> None:
        row = self.current()
        if row is None:
            return
        tid = row.target_id

        def chosen(reason: str | None) -> None:
            if reason:
                self.command(lambda: self.desk.waive([tid], reason), lambda _r: t("n.waived"))

        self.app.push_screen(TextPrompt(t("dlg.waive.title")), chosen)

    def action_open_case(self) -> None:
        row = self.current()
        if row is not None and row.case_id is not None:
            self.desk_app.open_case(row.case_id)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()
