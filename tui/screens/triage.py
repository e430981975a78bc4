"""Indbakke: contacts without a case, newest first. Link (l), new case (n), not a case
(x), acknowledge (a), preview (enter), multi-select (space)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label

from store.desk.commands import today_of
from store.desk.rows import ContactPreview, Page, TriageRow
from tui.i18n import t
from tui.keymap import bindings
from tui.render import call_text, channel_mark, day_time, reply_text, who_text
from tui.safe import plain
from tui.screens.base import DeskScreen
from tui.screens.dialogs import LinkCaseDialog, NewCaseDialog, PreviewScreen, TextPrompt
from tui.widgets.paged_table import PagedTable

PAGE = 100
FIRST_PAGE_WAIT_S = 0.1


class TriageScreen(DeskScreen):
    TITLE_KEY = "screen.triage"
    BINDINGS = bindings("triage")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.rows: list[TriageRow] = []
        self.selected: set[int] = set()
        self.page_offset = 0
        self._keep: int | None = None
        self._keep_row: int | None = None  # the cursor's place, if `_keep` left the list
        self._used_prefetch = False
        self._now = dt.datetime.now(dt.UTC)  # the desk's clock, read at each fill

    def compose_body(self) -> ComposeResult:
        yield Label(t("loading"), id="pageinfo", classes="pageinfo")
        yield PagedTable(id="list")

    def on_mount(self) -> None:
        super().on_mount()
        self._layout()
        self.query_one(PagedTable).focus()

    @property
    def wide(self) -> bool:
        return self.app.size.width >= 110

    def _layout(self) -> None:
        w = self.wide
        # The due column holds a time and the longest status, "16/11 16:24 besvaret sent"
        # (25), or the narrow form "✓! 16/11 16:24" (14); cut shorter, "late" was lost.
        cols: list[tuple[str, int | None]] = [
            ("col.sel", 1), ("col.channel", 2), ("col.who", 24 if w else 16),
            ("col.subject", None), ("col.received", 11), ("col.due", 25 if w else 14)]
        if self.query_one(PagedTable).configure(cols, self.app.size.width):
            self._fill()

    def on_resize(self) -> None:
        self._layout()

    def reload(self) -> None:
        row = self.current()
        self._keep = row.contact_id if row else None
        self._keep_row = self.query_one(PagedTable).cursor_row if row else None
        offset = self.page_offset
        first = getattr(self.app, "first_page", None)
        if first is not None and offset == 0 and not self._used_prefetch:
            self._used_prefetch = True
            # Fetched while the app started. Waiting for it here, briefly, is what lets
            # it finish: while Textual boots it holds the GIL, and a thread stepping
            # through SQLite rows waits for the GIL at every row (a 6 ms query took
            # 50 ms). Then the rows are in the first frame. A slow database falls back
            # to a worker and the screen shows "loading".
            try:
                version, page = first.result(timeout=FIRST_PAGE_WAIT_S)
            except Exception:  # slow, or failed: the worker waits or reports it
                self.load("page", first.result, versioned=True)
            else:
                self.show_ready("page", version, page)
            return
        self.load("page", lambda: self.desk.triage(offset=offset, limit=PAGE))

    def on_paged_table_page_request(self, msg: PagedTable.PageRequest) -> None:
        self.page_offset = max(0, self.page_offset + msg.direction * PAGE)
        self._keep = None
        self._cursor_at_end = msg.direction < 0
        offset = self.page_offset
        self.load("page", lambda: self.desk.triage(offset=offset, limit=PAGE))

    def show_page(self, page: Page[TriageRow]) -> None:
        if page.offset >= page.total and page.offset > 0:
            self.page_offset = max(0, (page.total - 1) // PAGE * PAGE)
            self.reload()
            return
        table = self.query_one(PagedTable)
        table.page_offset, table.total = page.offset, page.total
        self.rows = list(page.rows)
        self.selected &= {r.contact_id for r in self.rows}
        self._fill()
        target = 0
        if self._keep is not None:
            target = table.row_after_reload(str(self._keep), self._keep_row)
        elif getattr(self, "_cursor_at_end", False):
            target = max(0, len(self.rows) - 1)
            self._cursor_at_end = False
        if self.rows:
            table.move_cursor(row=target, animate=False)
        self._page_info()

    def _page_info(self) -> None:
        table = self.query_one(PagedTable)
        info = self.query_one("#pageinfo", Label)
        if not table.total:
            info.update(t("empty.triage"))
            return
        text = t("page", first=table.page_offset + 1, last=table.page_offset + table.row_count,
                 total=table.total)
        if self.selected:
            text += "  ·  " + t("selected", n=len(self.selected))
        info.update(text)

    def _fill(self) -> None:
        rows = self.rows
        self._now = self.desk.now()
        self.query_one(PagedTable).fill_lazy([str(r.contact_id) for r in rows],
                                             lambda i: self._cells(rows[i]))

    def _cells(self, r: TriageRow) -> dict[str, Text]:
        subject = r.subject or (call_text(r.call) if r.call else "")
        return {
            "col.sel": Text("●" if r.contact_id in self.selected else " "),
            "col.channel": channel_mark(r.channel, r.direction),
            "col.who": who_text(r.who, r.channel),
            "col.subject": plain(subject, limit=200),
            "col.received": Text(day_time(r.occurred_at, self._now)),
            "col.due": reply_text(r.reply, wide=self.wide),
        }

    def current(self) -> TriageRow | None:
        table = self.query_one(PagedTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def targets(self) -> list[int]:
        """The selected contacts, else the one under the cursor."""
        if self.selected:
            return sorted(self.selected)
        row = self.current()
        return [row.contact_id] if row else []

    # ------------------------------------------------------------------ actions

    def action_select(self) -> None:
        row = self.current()
        if row is None:
            return
        self.selected ^= {row.contact_id}
        table = self.query_one(PagedTable)
        table.update_cell(str(row.contact_id), "col.sel",
                          Text("●" if row.contact_id in self.selected else " "))
        table.action_cursor_down()
        self._page_info()

    def action_preview(self) -> None:
        row = self.current()
        if row is not None:
            cid = row.contact_id
            self.load_side("preview", lambda: self.desk.preview(cid))

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_preview()

    def show_preview(self, preview: ContactPreview | None) -> None:
        if preview is not None:
            self.app.push_screen(PreviewScreen(preview))

    def action_link(self) -> None:
        ids = self.targets()
        if not ids:
            self.notify(t("n.nothing"))
            return

        def chosen(case_id: int | None) -> None:
            if case_id:
                self.selected.clear()
                self.command(lambda: self.desk.link(ids, case_id),
                             lambda ref: t("n.linked", n=len(ids), ref=ref))

        self.app.push_screen(LinkCaseDialog(self.desk, len(ids)), chosen)

    def action_new_case(self) -> None:
        ids = self.targets()
        if not ids:
            self.notify(t("n.nothing"))
            return
        first = ids[0]
        self.load_side("newcase", lambda: (ids, self.desk.preview(first)))

    def show_newcase(self, data: tuple[list[int], ContactPreview | None]) -> None:
        ids, preview = data

        def chosen(values: dict[str, Any] | None) -> None:
            if values:
                self.selected.clear()
                self.command(lambda: self.desk.new_case(contact_ids=ids, **values),
                             lambda res: t("n.created", ref=res[1]))

        today = today_of(self.desk.now())
        self.app.push_screen(NewCaseDialog(self.desk.config, preview, today), chosen)

    def action_not_a_case(self) -> None:
        ids = self.targets()
        if not ids:
            self.notify(t("n.nothing"))
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.selected.clear()
                self.command(lambda: self.desk.dismiss(ids, reason),
                             lambda _r: t("n.dismissed", n=len(ids)))

        self.app.push_screen(TextPrompt(t("dlg.dismiss.title")), chosen)

    def action_ack(self) -> None:
        ids = self.targets()
        if not ids:
            self.notify(t("n.nothing"))
            return
        self.command(lambda: self.desk.acknowledge(ids), lambda n: t("n.acked", n=n))
