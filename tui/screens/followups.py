"""Svarfrister: every open reply target, earliest due first (overdue on top), with the
countdown in working hours. Explain (e), acknowledge (a), no reply needed (w)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from store.desk.rows import FollowupRow, Page
from tui.i18n import t
from tui.keymap import bindings
from tui.messages import PreviewLoaded
from tui.render import (
    call_text,
    channel_mark,
    day_time,
    hours_text,
    status_short,
    status_text,
    who_text,
)
from tui.reply_state import outbox_line, with_mark
from tui.safe import plain
from tui.screens import filing
from tui.screens.assign import AssignTarget
from tui.screens.dialogs import PreviewScreen, TextPrompt
from tui.screens.paged_list import PAGE, ScopedListScreen
from tui.widgets.paged_table import PagedTable, fit_width


class FollowupsScreen(ScopedListScreen[FollowupRow]):
    TITLE_KEY = "screen.followups"
    BINDINGS = bindings("followups")

    def compose_after(self) -> ComposeResult:
        yield Static("", id="explain", classes="explain")

    def on_mount(self) -> None:
        self.query_one("#explain").display = False
        super().on_mount()

    def page_query(self, offset: int) -> Callable[[], Page[FollowupRow]]:
        scope = self.scope
        return lambda: self.desk.followups(offset=offset, limit=PAGE, scope=scope)

    def columns(self) -> list[tuple[str, int | None]]:
        if self.wide:
            return [
                ("col.status", 12),
                ("col.due", 11),
                ("col.left", 9),
                ("col.channel", 2),
                ("col.who", 18),
                ("col.subject", None),
                ("col.ref", fit_width((r.case_ref or "" for r in self.rows), 9)),
            ]
        return [
            ("col.status", 7),
            ("col.due", 11),
            ("col.left", 8),
            ("col.who", 14),
            ("col.subject", None),
        ]

    def key_of(self, row: FollowupRow) -> int:
        return row.target_id

    def cells(self, r: FollowupRow) -> dict[str, Text]:
        return {
            "col.status": status_text(r.status) if self.wide else status_short(r.status),
            "col.due": Text(day_time(r.due_at, self.now)),
            "col.left": Text(hours_text(r.working_hours_left), justify="right"),
            "col.channel": channel_mark(r.channel),
            "col.who": who_text(r.who, r.channel),
            "col.subject": with_mark(
                r.outbox, plain(r.subject or (call_text(r.call) if r.call else ""), limit=200)
            ),
            "col.ref": Text(r.case_ref or "–"),
        }

    def shown(self) -> None:
        self._explain_current()

    @on(PagedTable.RowHighlighted)
    def _explain_current(self) -> None:
        box = self.query_one("#explain", Static)
        row = self.current()
        if box.display and row is not None:
            text = plain(row.explanation or t("explain.none"), one_line=False)
            if row.outbox is not None:
                text.append("\n")
                text.append_text(outbox_line(row.outbox))
            box.update(text)

    def action_explain(self) -> None:
        box = self.query_one("#explain", Static)
        box.display = not box.display
        self._explain_current()

    def action_ack(self) -> None:
        row = self.current()
        if row is not None:
            filing.ask_ack(self, [row.contact_id])

    def action_reply(self) -> None:
        row = self.current()
        if row is not None:
            self.reply_to(row.contact_id)

    def action_quick_ack(self) -> None:
        row = self.current()
        if row is not None:
            self.reply_to(row.contact_id, quick=True)

    def assign_target(self) -> AssignTarget | None:
        """The row's case, or its contact while it waits in triage."""
        row = self.current()
        if row is None:
            return None
        if row.case_id is not None:
            return AssignTarget("case", (row.case_id,), None)
        return AssignTarget("contact", (row.contact_id,), None)

    def action_waive(self) -> None:
        row = self.current()
        if row is None:
            return
        tid = row.target_id

        def chosen(reason: str | None) -> None:
            if reason:
                self.command(lambda: self.desk.waive([tid], reason), lambda _r: t("n.waived"))

        self.app.push_screen(TextPrompt(t("dlg.waive.title"), required="dlg.reason_needed"), chosen)

    def action_open_case(self) -> None:
        """The row's case; a contact still in triage has none: its preview opens, with
        the triage keys."""
        row = self.current()
        if row is None:
            return
        if row.case_id is not None:
            self.desk_app.open_case(row.case_id)
            return
        cid = row.contact_id
        self.load(lambda: PreviewLoaded(self.desk.preview(cid)), main=False)

    def on_preview_loaded(self, msg: PreviewLoaded) -> None:
        if not self.accept(msg) or msg.preview is None:
            return
        preview = msg.preview

        def chosen(action: str | None) -> None:
            if action:
                filing.act(self, action, [preview.contact_id], preview)

        self.app.push_screen(PreviewScreen(preview, actions=True), chosen)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()
