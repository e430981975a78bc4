"""Indbakke: contacts without a case, newest first. Link (l), new case (n), not a case
(x), acknowledge (a), preview (enter), multi-select (space)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on

from store.desk.rows import Page, Scope, TriageFilter, TriageRow
from tui.i18n import t
from tui.keymap import bindings
from tui.messages import PageLoaded, PreviewLoaded
from tui.render import call_text, channel_mark, day_time, reply_text, who_text
from tui.reply_state import with_mark
from tui.safe import plain
from tui.screens import filing
from tui.screens.assign import AssignTarget
from tui.screens.dialogs import PreviewScreen
from tui.screens.dismissed import DismissedScreen
from tui.screens.paged_list import PAGE, ScopedListScreen
from tui.ui_state import UiState
from tui.widgets.paged_table import PagedTable

FIRST_PAGE_WAIT_S = 0.1
FILTERS = tuple(TriageFilter)


def triage_filter(state: UiState) -> TriageFilter:
    """The Indbakke filter chosen last time (remembered between runs)."""
    value = state.get("triage_filter", TriageFilter.everything.value)
    known = {f.value for f in TriageFilter}
    return TriageFilter(value) if value in known else TriageFilter.everything


class TriageScreen(ScopedListScreen[TriageRow]):
    TITLE_KEY = "screen.triage"
    BINDINGS = bindings("triage")
    EMPTY_KEY = "empty.triage"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.selected: set[int] = set()
        self._used_prefetch = False

    def columns(self) -> list[tuple[str, int | None]]:
        # The due column holds a time and the longest status, "16/11 16:24 besvaret sent"
        # (25), or the narrow form "✓! 16/11 16:24" (14); cut shorter, "late" was lost.
        w = self.wide
        return [
            ("col.sel", 1),
            ("col.channel", 2),
            ("col.who", 24 if w else 16),
            ("col.subject", None),
            ("col.received", 11),
            ("col.due", 25 if w else 14),
        ]

    @property
    def filt(self) -> TriageFilter:
        return triage_filter(self.desk_app.ui_state)

    def page_query(self, offset: int) -> Callable[[], Page[TriageRow]]:
        filt, scope = self.filt, self.scope
        return lambda: self.desk.triage(offset=offset, limit=PAGE, filt=filt, scope=scope)

    def action_cycle_filter(self) -> None:
        filt = FILTERS[(FILTERS.index(self.filt) + 1) % len(FILTERS)]
        self.desk_app.ui_state.set("triage_filter", filt.value)
        self.notify(t("n.tfilter", name=t(f"tfilter.{filt.value}")), timeout=3)
        self.page_offset = 0
        self.reload()

    def action_dismissed(self) -> None:
        self.app.push_screen(DismissedScreen())

    def key_of(self, row: TriageRow) -> int:
        return row.contact_id

    def cells(self, r: TriageRow) -> dict[str, Text]:
        subject = r.subject or (call_text(r.call) if r.call else "")
        return {
            "col.sel": Text("●" if r.contact_id in self.selected else " "),
            "col.channel": channel_mark(r.channel, r.direction),
            "col.who": who_text(r.who, r.channel),
            "col.subject": with_mark(r.outbox, plain(subject, limit=200)),
            "col.received": Text(day_time(r.occurred_at, self.now)),
            "col.due": reply_text(r.reply, wide=self.wide),
        }

    def assign_target(self) -> AssignTarget | None:
        ids = self.targets()
        row = self.current()
        current = row.assigned_to if row is not None and len(ids) == 1 else None
        return AssignTarget("contact", tuple(ids), current) if ids else None

    def reload(self) -> None:
        first = getattr(self.app, "first_page", None)
        if (
            first is None
            or self.page_offset != 0
            or self._used_prefetch
            or self.scope is not Scope.everyone
        ):
            super().reload()
            return
        self._used_prefetch = True
        self.remember_cursor()
        # Fetched while the app started. Waiting for it here, briefly, is what lets it
        # finish: while Textual boots it holds the GIL, and a thread stepping through
        # SQLite rows waits for the GIL at every row (a 6 ms query took 50 ms). Then the
        # rows are in the first frame. A slow database falls back to a worker and the
        # screen shows "loading"; a failed one reaches the failed-worker handler.
        try:
            version, page = first.result(timeout=FIRST_PAGE_WAIT_S)
        except Exception:

            def wait() -> PageLoaded[TriageRow]:
                v, p = first.result()
                return PageLoaded(p, version=v)

            self.load(wait, versioned=True)
        else:
            self.take_ready(version)
            self.show_page(page)

    def show_page(self, page: Page[TriageRow]) -> None:
        self.selected &= {r.contact_id for r in page.rows}
        super().show_page(page)

    def info_text(self) -> str:
        text = super().info_text()
        if self.filt is not TriageFilter.everything:
            text += "  ·  " + t(f"tfilter.{self.filt.value}")
        if self.selected:
            text += "  ·  " + t("selected", n=len(self.selected))
        return text

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
        table = self.table
        table.update_cell(
            str(row.contact_id), "col.sel", Text("●" if row.contact_id in self.selected else " ")
        )
        table.action_cursor_down()
        self.update_info()

    def action_preview(self) -> None:
        row = self.current()
        if row is not None:
            cid = row.contact_id
            self.load(lambda: PreviewLoaded(self.desk.preview(cid)), main=False)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_preview()

    def on_preview_loaded(self, msg: PreviewLoaded) -> None:
        if not self.accept(msg) or msg.preview is None:
            return
        if msg.purpose == "new_case":
            rows = {r.contact_id: r for r in self.rows}
            opened = filing.earliest(
                [rows[i].occurred_at for i in msg.ids if i in rows] or [msg.preview.occurred_at]
            )
            filing.ask_new_case(self, msg.ids, msg.preview, opened, self.selected.clear)
        else:
            preview = msg.preview

            def chosen(action: str | None) -> None:
                if action:
                    filing.act(self, action, [preview.contact_id], preview, self.selected.clear)

            self.app.push_screen(PreviewScreen(preview, actions=True), chosen)

    def _on_targets(self, action: str) -> None:
        """A triage key on the selected contacts, or the one under the cursor."""
        ids = self.targets()
        if not ids:
            self.notify(t("n.nothing"))
            return
        clear = self.selected.clear
        if action == "link":
            filing.ask_link(self, ids, clear)
        elif action == "new_case":
            first = ids[0]  # the form is prefilled from the first contact's preview
            self.load(
                lambda: PreviewLoaded(self.desk.preview(first), purpose="new_case", ids=tuple(ids)),
                main=False,
            )
        elif action == "not_a_case":
            filing.ask_dismiss(self, ids, clear)
        elif action == "ack":
            filing.ask_ack(self, ids)

    def action_link(self) -> None:
        self._on_targets("link")

    def action_new_case(self) -> None:
        self._on_targets("new_case")

    def action_not_a_case(self) -> None:
        self._on_targets("not_a_case")

    def action_ack(self) -> None:
        self._on_targets("ack")

    def action_reply(self) -> None:
        row = self.current()
        if row is not None:
            self.reply_to(row.contact_id)

    def action_quick_ack(self) -> None:
        row = self.current()
        if row is not None:
            self.reply_to(row.contact_id, quick=True)
