"""The whistleblower register: kept apart from every general list and search, shown only
when `[ui] whistleblower_register = true`; every viewing is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on

from store.desk.rows import Page, WhistleblowerRow
from store.timeutil import show
from tui.keymap import bindings
from tui.render import status_short
from tui.safe import plain
from tui.screens.paged_list import PAGE, PagedListScreen
from tui.widgets.paged_table import PagedTable, fit_width


def _due(when: Any, status: str | None) -> Text:
    if when is None:
        return Text("–")
    out = Text(show(when, "%d/%m/%y") + " ")
    if status:
        out.append_text(status_short(status))
    return out


class WhistleblowerScreen(PagedListScreen[WhistleblowerRow]):
    TITLE_KEY = "screen.whistleblower"
    BINDINGS = bindings("whistleblower")

    def page_query(self, offset: int) -> Callable[[], Page[WhistleblowerRow]]:
        return lambda: self.desk.whistleblower(offset=offset, limit=PAGE)

    def columns(self) -> list[tuple[str, int | None]]:
        return [("col.ref", fit_width((r.ref for r in self.rows), 9)), ("col.title", None),
                ("col.opened", 10), ("col.ack", 17), ("col.feedback", 17)]

    def key_of(self, row: WhistleblowerRow) -> int:
        return row.case_id

    def cells(self, r: WhistleblowerRow) -> dict[str, Text]:
        return {
            "col.ref": Text(r.ref), "col.title": plain(r.title, limit=100),
            "col.opened": Text(r.opened_on.strftime("%d-%m-%Y")),
            "col.ack": _due(r.ack_due, r.ack_status),
            "col.feedback": _due(r.feedback_due, r.feedback_status),
        }

    def action_open_case(self) -> None:
        row = self.current()
        if row is not None:
            self.desk_app.open_case(row.case_id, whistleblower=True)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()
