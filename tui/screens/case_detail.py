"""One case: its classification, a timeline of every contact (mail as text with its
attachments, calls, meetings), notes and the classification history. Classify (c), add a
manual contact (m), note (n), close/reopen (s), "came wanting to complain" (w),
"excluded" (e), back (escape)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.desk.rows import (
    CLASSIFICATION_FIELDS,
    CaseDetail,
    Classification,
    DuplicateParty,
    IfClosed,
    PartyInfo,
    SearchHit,
    TimelineItem,
)
from store.timeutil import show
from tui.i18n import t, t_or
from tui.keymap import bindings
from tui.messages import DetailLoaded, PartyLoaded
from tui.render import WHEN, call_text, channel_mark, channel_name, reply_text, who_text
from tui.reply_state import outbox_line
from tui.safe import plain
from tui.screens import filing
from tui.screens.assign import AssignTarget, ask_assign
from tui.screens.base import DeskScreen
from tui.screens.dialogs import LinkCaseDialog, ManualContactDialog, TextPrompt
from tui.screens.forms import ChoiceDialog, ClassifyDialog, PartyDialog, PickContactDialog


def summary_text(d: CaseDetail) -> Text:
    out = Text()
    out.append(f"{d.ref} ", style="bold")
    out.append_text(plain(d.title, limit=200, style="bold"))
    if d.kind != "citizen":
        out.append(f"  [{t('casekind.' + d.kind)}]", style="italic")
    out.append("\n")
    out.append_text(plain(d.party or "–", limit=80))
    if d.party_addresses:
        out.append("  ")
        out.append_text(plain(", ".join(d.party_addresses), limit=120, style="dim"))
    out.append("\n")
    for f in CLASSIFICATION_FIELDS:
        v = getattr(d, f)
        out.append(f"{t('f.' + f)}: ", style="dim")
        out.append_text(plain(v or "–", limit=60))
        out.append("  ")
    out.append("\n")
    out.append(f"{t('f.opened')}: {d.opened_on:%d-%m-%Y}  ", style="dim")
    if d.closed_on:
        out.append(f"{t('f.closed')}: {d.closed_on:%d-%m-%Y}  ", style="bold")
    else:
        out.append(f"{t('f.open')}  ", style="bold green")
    out.append(f"{t('f.complain')}: {t('f.yes') if d.wanted_to_complain else t('f.no')}  ")
    out.append(f"{t('f.excluded')}: ")
    if d.excluded:
        out.append(t("f.yes"), style="bold yellow")
        if d.excluded_reason:
            out.append(" (")
            out.append_text(plain(d.excluded_reason, limit=80))
            out.append(")")
    else:
        out.append(t("f.no"))
    return out


def history_field(field: str) -> str:
    """A case history line's field (a column name such as "category") by its label in the
    UI's language; a field without one as it is stored."""
    return t_or(f"f.{field}", field)


def history_value(value: str | None) -> str:
    """A changed value as the history shows it: yes/no for the flags (stored as
    "True"/"False"), a dash for none."""
    if value is None or value == "":
        return "–"
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        # A date (opened_on, closed_on) day first, as every date on screen.
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    return {"True": t("f.yes"), "False": t("f.no")}.get(value, value)


def history_text(d: CaseDetail) -> Text:
    hist = Text(t("tab.history", n=len(d.history)) + "\n", style="bold underline")
    for h in d.history:
        hist.append(f"{show(h.at, WHEN)}  ")
        hist.append_text(plain(h.user, limit=40, style="dim"))
        hist.append(f"  {history_field(h.field)}: ")
        hist.append_text(plain(history_value(h.old), limit=60))
        hist.append(" → ")
        hist.append_text(plain(history_value(h.new), limit=60))
        hist.append("\n")
    return hist


def events_text(d: CaseDetail) -> Text:
    """The case's history: creation, links, moves, unlinks, merges, classifications and
    edits, closing and reopening, newest first."""
    hist = Text(t("tab.history", n=len(d.events)) + "\n", style="bold underline")
    for e in d.events:
        hist.append(f"{show(e.at, WHEN)}  ")
        hist.append_text(plain(e.user, limit=40, style="dim"))
        hist.append("  ")
        what = t_or(f"ev.{e.kind}", e.kind).replace("{ref}", e.other_ref or "–")
        hist.append_text(plain(what, limit=80))
        if e.contact_id is not None:
            hist.append(f" (#{e.contact_id})", style="dim")
        for field, old, new in e.changes:
            hist.append(f"  {history_field(field)}: ")
            hist.append_text(plain(history_value(old), limit=60))
            hist.append(" → ")
            hist.append_text(plain(history_value(new), limit=60))
        hist.append("\n")
    return hist


def timeline_text(items: tuple[TimelineItem, ...], total: int) -> Text:
    out = Text()
    for it in items:
        out.append_text(channel_mark(it.channel, it.direction))
        out.append(
            f" {show(it.occurred_at, WHEN)}  {channel_name(it.channel)} "
            f"({t('dir.' + it.direction)})  ",
            style="bold",
        )
        out.append_text(who_text(it.who, it.channel))
        if it.reply is not None:
            out.append("  ")
            out.append_text(reply_text(it.reply))
        out.append("\n")
        if it.outbox is not None:
            out.append("   ")
            out.append_text(outbox_line(it.outbox))
            out.append("\n")
        if it.call is not None:
            out.append("   " + call_text(it.call) + "\n")
        if it.subject:
            out.append("   ")
            out.append_text(plain(it.subject, limit=300, style="bold"))
            out.append("\n")
        if it.attachments:
            out.append(f"   {t('attachments')}: ", style="italic")
            out.append_text(plain(", ".join(it.attachments), limit=400))
            out.append("\n")
        body = it.body if it.body != it.subject else ""
        if body:
            for line in plain(body, one_line=False, limit=4000).split("\n"):
                out.append("   │ ", style="dim")
                out.append_text(line)
                out.append("\n")
        out.append("\n")
    if total > len(items):
        out.append(t("timeline.more", n=total - len(items)), style="dim")
    return out


class CaseDetailScreen(DeskScreen):
    """Composed once and reused for every case (`DeskApp.open_case`): building a screen's
    widgets and styles costs far more than refilling four Statics."""

    TITLE_KEY = "screen.case"
    BINDINGS = bindings("case")

    def __init__(self, case_id: int = 0, *, whistleblower: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.case_id = case_id
        self.whistleblower = whistleblower
        self.detail: CaseDetail | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(t("loading"), id="summary")
        yield Static("", id="presence")
        with VerticalScroll(id="case-body"):
            yield Static("", id="notes")
            yield Static("", id="timeline")
            yield Static("", id="history")

    def prepare(self, detail: CaseDetail, *, whistleblower: bool = False) -> None:
        """Show another case, already loaded: the screen is pushed with its content, so
        opening a case costs one layout and one frame."""
        self.case_id, self.whistleblower = detail.case_id, whistleblower
        if self.is_mounted:
            self.show_detail(detail)
            self.query_one("#case-body", VerticalScroll).scroll_home(animate=False)
        else:
            self.detail = detail

    def on_mount(self) -> None:
        super().on_mount()
        if not self.app.is_running:
            # Quit just as a case was opened: Textual closes a screen it had not started
            # yet with its widgets in no set order, so they may be gone already.
            return
        self.query_one("#presence").display = False
        self.query_one("#case-body").focus()
        if self.detail is not None:
            self.show_detail(self.detail)

    def on_screen_resume(self) -> None:
        self.refresh_status()
        if self.detail is None or self.detail.case_id != self.case_id:
            self.reload()

    def reload(self) -> None:
        cid, wb = self.case_id, self.whistleblower
        self.load(lambda: DetailLoaded(self.desk.case(cid, allow_whistleblower=wb)))

    def on_detail_loaded(self, msg: DetailLoaded) -> None:
        if self.accept(msg):
            self.show_detail(msg.detail)

    def show_detail(self, d: CaseDetail | None) -> None:
        if d is None:
            self.query_one("#summary", Static).update(Text("?"))
            return
        if d.case_id != self.case_id:
            return
        if self.detail is None or self.detail.case_id != d.case_id:
            self.show_presence(())
        self.detail = d
        if d.kind != "whistleblower":
            # Not for the compartment: the presence table is readable by every advisor,
            # and a row naming a case none of them can see would tell that it exists.
            self.desk_app.presence_open(d.case_id)
        else:
            self.desk_app.presence_close()
        summary = summary_text(d)
        if self.desk_app.team:
            summary.append(f"\n{t('f.assigned_to')}: ", style="dim")
            summary.append_text(plain(d.assigned_to or t("f.nobody"), limit=60, style="bold"))
        self.query_one("#summary", Static).update(summary)
        notes = Text(t("tab.notes", n=len(d.notes)) + "\n", style="bold underline")
        for n in d.notes:
            notes.append(f"{show(n.at, WHEN)}  ", style="bold")
            notes.append_text(plain(n.user, limit=40, style="dim"))
            notes.append("\n")
            notes.append_text(plain(n.text, one_line=False, limit=10_000))
            notes.append("\n")
        notes.rstrip()
        self.query_one("#notes", Static).update(notes)
        timeline = Text(t("tab.timeline", n=d.timeline_total) + "\n", style="bold underline")
        timeline.append_text(timeline_text(d.timeline, d.timeline_total))
        timeline.rstrip()
        self.query_one("#timeline", Static).update(timeline)
        hist = events_text(d) if d.events else history_text(d)
        hist.rstrip()
        self.query_one("#history", Static).update(hist)

    # ------------------------------------------------------------------ actions

    def show_presence(self, others: tuple[str, ...]) -> None:
        """Who else has the case open (a team desk), or nothing."""
        box = self.query_one("#presence", Static)
        box.display = bool(others)
        if others:
            box.update(
                plain(t("presence.others", who=", ".join(others)), limit=200, style="bold yellow")
            )

    def action_back(self) -> None:
        self.desk_app.presence_close()
        self.app.pop_screen()

    def action_assign(self) -> None:
        d = self.detail
        if d is not None:
            ask_assign(self, AssignTarget("case", (d.case_id,), d.assigned_to, d.version))

    def _classify(self, *, closing: bool) -> None:
        d = self.detail
        if d is None:
            return
        current = {f: getattr(d, f) for f in CLASSIFICATION_FIELDS}

        def chosen(res: tuple[Classification, str | None, str | None] | None) -> None:
            if res is None:
                return
            new, department, theme = res

            def save() -> None:
                # Department and theme are fields of their own; category, action and
                # outcome are validated together and make one history entry. All in
                # one transaction, on the version the form was opened on.
                fields = {
                    f: v
                    for f, v in (("department", department), ("theme", theme))
                    if v != current[f]
                }
                same = new == Classification(d.category, d.action, d.outcome)
                self.desk.edit_classification(
                    d.case_id, d.version, fields, None if same else new, close=closing
                )

            self.command(save, lambda _r: t("n.closed" if closing else "n.saved"))

        self.app.push_screen(
            ClassifyDialog(self.desk.config, current, d.opened_on, closing=closing), chosen
        )

    def action_classify(self) -> None:
        self._classify(closing=False)

    def action_manual(self) -> None:
        d = self.detail
        if d is None:
            return

        def chosen(res: tuple[str, str, str, dt.datetime] | None) -> None:
            if res:
                kind, text, direction, at = res
                self.command(
                    lambda: self.desk.add_manual_contact(d.case_id, kind, text, direction, at=at),
                    lambda _r: t("n.saved"),
                )

        self.app.push_screen(ManualContactDialog(self.desk.now()), chosen)

    def action_note(self) -> None:
        d = self.detail
        if d is None:
            return

        def chosen(text: str | None) -> None:
            if text:
                self.command(lambda: self.desk.add_note(d.case_id, text), lambda _r: t("n.saved"))

        self.app.push_screen(TextPrompt(t("dlg.note.title")), chosen)

    def action_toggle_closed(self) -> None:
        """Reopen: one key. Close: at once, unless the case's action has outcomes and
        none is chosen; then the classification form asks for it and closes on save."""
        d = self.detail
        if d is None:
            return
        if d.closed_on is not None:
            self.command(
                lambda: self.desk.set_closed(d.case_id, False, version=d.version),
                lambda _r: t("n.reopened"),
            )
            return
        tax = self.desk.config.taxonomy
        outcomes = [o for a in tax.actions if a.name == d.action for o in a.outcomes]
        if outcomes and d.outcome is None:
            self._classify(closing=True)
            return
        self.command(
            lambda: self.desk.set_closed(d.case_id, True, version=d.version),
            lambda _r: t("n.closed"),
        )

    def _pick_contact(self, title: str, then: Callable[[int], None]) -> None:
        d = self.detail
        if d is None or not d.timeline:
            return
        items = [
            (
                it.contact_id,
                f"{show(it.occurred_at, WHEN)}  {channel_name(it.channel)}  {it.who}  {it.subject}",
            )
            for it in d.timeline
        ]

        def chosen(cid: int | None) -> None:
            if cid:
                then(cid)

        self.app.push_screen(PickContactDialog(title, items), chosen)

    def action_move(self) -> None:
        """Move one of the case's contacts to another case (asking if that one is closed)."""

        def to_case(cid: int) -> None:
            def chosen(hit: SearchHit | None) -> None:
                if hit is None:
                    return

                def move(how: IfClosed) -> None:
                    self.command(
                        lambda: self.desk.move_contact(cid, hit.id, how),
                        lambda ref: t("n.moved", ref=ref),
                    )

                filing.if_closed(self, hit, move)

            self.app.push_screen(LinkCaseDialog(self.desk, 1), chosen)

        self._pick_contact(t("dlg.move.pick"), to_case)

    def action_unlink(self) -> None:
        def confirm(cid: int) -> None:
            def chosen(answer: str | None) -> None:
                if answer:
                    self.command(
                        lambda: self.desk.unlink_contact(cid), lambda ref: t("n.unlinked", ref=ref)
                    )

            self.app.push_screen(
                ChoiceDialog(t("dlg.unlink.title"), "", [("j", t("dlg.unlink.yes"), "yes")]), chosen
            )

        self._pick_contact(t("dlg.unlink.pick"), confirm)

    def action_reply(self) -> None:
        """Reply to one of the case's contacts (chosen from its timeline)."""
        self._pick_contact(t("dlg.reply.pick"), self.reply_to)

    def action_party(self) -> None:
        pid = self.detail.party_id if self.detail is not None else None
        if pid is not None:
            self.load(
                lambda: PartyLoaded(self.desk.party(pid), self.desk.duplicate_parties(pid)),
                main=False,
            )

    def on_party_loaded(self, msg: PartyLoaded) -> None:
        if not self.accept(msg) or msg.info is None:
            return
        info = msg.info

        def chosen(res: tuple[str, Any] | None) -> None:
            if res is None:
                return
            what, value = res
            if what == "edit":
                self.command(
                    lambda: self.desk.edit_party(info.party_id, value, info.version),
                    lambda _r: t("n.saved"),
                )
            elif what == "merge":
                self._merge(info, value, msg.duplicates)

        self.app.push_screen(PartyDialog(info, msg.duplicates), chosen)

    def _merge(
        self, keep: PartyInfo, other_id: int, duplicates: tuple[DuplicateParty, ...]
    ) -> None:
        other = next((p.name for p in duplicates if p.party_id == other_id), str(other_id))

        def chosen(answer: str | None) -> None:
            if answer:
                self.command(
                    lambda: self.desk.merge_parties(keep.party_id, other_id),
                    lambda r: t("n.merged", contacts=r.contacts, cases=r.cases),
                )

        self.app.push_screen(
            ChoiceDialog(
                t("dlg.merge.title"),
                t("dlg.merge.body", keep=keep.name, other=other),
                [("j", t("dlg.merge.yes"), "yes")],
            ),
            chosen,
        )

    def action_toggle_complain(self) -> None:
        d = self.detail
        if d is not None:
            self.command(
                lambda: self.desk.toggle_complain(d.case_id, d.version), lambda _r: t("n.saved")
            )

    def action_toggle_excluded(self) -> None:
        d = self.detail
        if d is None:
            return
        if d.excluded:
            self.command(
                lambda: self.desk.set_excluded(d.case_id, False, version=d.version),
                lambda _r: t("n.saved"),
            )
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.command(
                    lambda: self.desk.set_excluded(d.case_id, True, reason, version=d.version),
                    lambda _r: t("n.saved"),
                )

        self.app.push_screen(TextPrompt(t("dlg.exclude.title")), chosen)
