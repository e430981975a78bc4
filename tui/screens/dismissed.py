"""Contacts marked "not a case", with their reasons: the list where "not a case" is
undone (u), putting the contact back in Indbakke. Opened from Indbakke (d)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from store.desk.rows import DismissedRow, Page
from tui.i18n import t
from tui.keymap import bindings
from tui.render import channel_mark, day_time, who_text
from tui.safe import plain
from tui.screens.paged_list import PAGE, PagedListScreen


class DismissedScreen(PagedListScreen[DismissedRow]):
    TITLE_KEY = "screen.dismissed"
    BINDINGS = bindings("dismissed")
    EMPTY_KEY = "empty.dismissed"

    def page_query(self, offset: int) -> Callable[[], Page[DismissedRow]]:
        return lambda: self.desk.dismissed(offset=offset, limit=PAGE)

    def columns(self) -> list[tuple[str, int | None]]:
        return [
            ("col.channel", 2),
            ("col.who", 22 if self.wide else 14),
            ("col.subject", None),
            ("col.received", 11),
            ("col.reason", 30 if self.wide else 16),
        ]

    def key_of(self, row: DismissedRow) -> int:
        return row.contact_id

    def cells(self, r: DismissedRow) -> dict[str, Text]:
        return {
            "col.channel": channel_mark(r.channel, r.direction),
            "col.who": who_text(r.who, r.channel),
            "col.subject": plain(r.subject, limit=200),
            "col.received": Text(day_time(r.occurred_at, self.now)),
            "col.reason": plain(r.reason, limit=100),
        }

    def action_undismiss(self) -> None:
        row = self.current()
        if row is None:
            return
        cid = row.contact_id
        self.command(lambda: self.desk.undismiss([cid]), lambda _r: t("n.undismissed", n=1))

    def action_back(self) -> None:
        self.app.pop_screen()
