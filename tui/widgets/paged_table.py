"""A DataTable that shows one page of a long list and asks its screen for the next or
previous page when the cursor runs off an edge: lists never load every row."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import DataTable

from tui.keymap import bindings, localise


class PagedTable(DataTable[object]):
    BINDINGS = bindings("list")

    @dataclass
    class PageRequest(Message):
        table: PagedTable
        direction: int  # +1 next, -1 previous

    def __init__(self, **kw: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)  # type: ignore[arg-type]
        localise(self)
        self.page_offset = 0
        self.total = 0

    @property
    def has_next(self) -> bool:
        return self.page_offset + self.row_count < self.total

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.has_next:
            self.post_message(self.PageRequest(self, +1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.page_offset > 0:
            self.post_message(self.PageRequest(self, -1))
            return
        super().action_cursor_up()

    def action_page(self, which: str) -> None:
        if which == "next" and self.has_next:
            self.post_message(self.PageRequest(self, +1))
        elif which == "prev" and self.page_offset > 0:
            self.post_message(self.PageRequest(self, -1))
