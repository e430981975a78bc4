"""The whistleblower register: kept apart from every general list and search, shown only
when `[ui] whistleblower_register = true`; every viewing is audited."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label

from store.desk.rows import Page, WhistleblowerRow
from store.timeutil import show
from tui.i18n import t
from tui.keymap import bindings
from tui.render import status_short
from tui.safe import plain
from tui.screens.base import DeskScreen
from tui.widgets.paged_table import PagedTable, fit_width

PAGE = 100


def _due(when: Any, status: str | None) -> Text:
    if when is None:
        return Text("–")
    out = Text(show(when, "%d/%m/%y") + " ")
    if status:
        out.append_text(status_short(status))
    return out


class WhistleblowerScreen(DeskScreen):
    TITLE_KEY = "screen.whistleblower"
    BINDINGS = bindings("whistleblower")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.rows: list[WhistleblowerRow] = []
        self.page_offset = 0

    def compose_body(self) -> ComposeResult:
        yield Label(t("loading"), id="pageinfo", classes="pageinfo")
        yield PagedTable(id="list")

    def on_mount(self) -> None:
        super().on_mount()
        self._layout()
        self.query_one(PagedTable).focus()

    def _layout(self) -> None:
        cols: list[tuple[str, int | None]] = [
            ("col.ref", fit_width((r.ref for r in self.rows), 9)), ("col.title", None),
            ("col.opened", 10), ("col.ack", 17),
            ("col.feedback", 17)]
        if self.query_one(PagedTable).configure(cols, self.app.size.width):
            self._fill()

    def on_resize(self) -> None:
        self._layout()

    def _fill(self) -> None:
        self.query_one(PagedTable).fill([(str(r.case_id), {
            "col.ref": Text(r.ref), "col.title": plain(r.title, limit=100),
            "col.opened": Text(r.opened_on.strftime("%d-%m-%Y")),
            "col.ack": _due(r.ack_due, r.ack_status),
            "col.feedback": _due(r.feedback_due, r.feedback_status),
        }) for r in self.rows])

    def reload(self) -> None:
        offset = self.page_offset
        self.load("page", lambda: self.desk.whistleblower(offset=offset, limit=PAGE))

    def on_paged_table_page_request(self, msg: PagedTable.PageRequest) -> None:
        self.page_offset = max(0, self.page_offset + msg.direction * PAGE)
        self.reload()

    def show_page(self, page: Page[WhistleblowerRow]) -> None:
        table = self.query_one(PagedTable)
        table.page_offset, table.total = page.offset, page.total
        self.rows = list(page.rows)
        self._layout()
        self._fill()
        self.query_one("#pageinfo", Label).update(
            t("page", first=page.offset + 1, last=page.offset + len(self.rows),
              total=page.total) if page.total else t("empty"))

    def action_open_case(self) -> None:
        table = self.query_one(PagedTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            self.desk_app.open_case(self.rows[table.cursor_row].case_id, whistleblower=True)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()
