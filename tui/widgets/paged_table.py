"""A DataTable that shows one page of a long list and asks its screen for the next or
previous page when the cursor runs off an edge: lists never load every row."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from tui.i18n import t
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
        self._col_keys: list[str] = []

    def configure(self, columns: list[tuple[str, int | None]], width: int) -> bool:
        """Set the columns: (i18n key, width); one width None takes what is left of
        `width`. Returns True when the set of columns changed (rows must be refilled)."""
        keys = [k for k, _w in columns]
        changed = keys != self._col_keys
        if changed:
            self.clear(columns=True)
            for key, w in columns:
                self.add_column(t(key), key=key, width=w or 8)
            self._col_keys = keys
        fixed = sum(w for _k, w in columns if w) + 2 * len(columns) + 2
        for key, w in columns:
            if w is None:
                col = self.columns.get(key)  # type: ignore[call-overload]
                if col is not None:
                    col.width = max(8, width - fixed)
                    col.auto_width = False
        self.refresh()
        return changed

    def fill(self, rows: list[tuple[str, dict[str, Text]]]) -> None:
        """Replace the rows: (row key, {column key: cell})."""
        self.clear()
        empty = Text("")
        for key, cells in rows:
            self.add_row(*[cells.get(k, empty) for k in self._col_keys], key=key)

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
