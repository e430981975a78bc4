"""The reply composer: a template filled in for one contact, every field editable, sent
with ctrl+s through the advisor's own mailbox (store.desk.replies.ReplyDesk).

A contact without an e-mail address (a call, a hidden number) gets the other answer the
issue asks for: the same key logs a call-back on its case. Sending runs in a thread
worker; a reply that cannot go now stays in the outbox, and the dialog says why.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from store.desk.replies import ReplyDesk, ReplyPreview, SendResult, quoted
from tui.i18n import error_text, t
from tui.reply_state import outbox_line
from tui.safe import plain
from tui.screens.dialogs import Dialog


class ComposeScreen(Dialog):
    """Dismisses with the SendResult of a sent (or queued) reply, the new contact id of a
    logged call-back, or None when cancelled."""

    KEYS_HINT = "compose.keys"

    def __init__(self, replies: ReplyDesk, preview: ReplyPreview, **kw: Any) -> None:
        super().__init__(**kw)
        self.replies = replies
        self.preview = preview

    def compose(self) -> ComposeResult:
        p = self.preview
        with Vertical(classes="dialog tall"):
            yield Label(t("compose.title", template=p.template), classes="dialog-title")
            if p.pending is not None:  # a reply not gone: a second one is a choice
                if p.pending.state != "failed":  # it may still arrive
                    yield Static(t("compose.pending"), id="pending", classes="err")
                yield Static(outbox_line(p.pending), id="pending-why")
            if p.to is None:
                yield Static(t("compose.no_email"), id="no-email")
                yield Input(placeholder=t("compose.callback_note"), id="note")
            else:
                yield Label(t("compose.to"))
                yield Input(p.to, id="to")
                yield Label(t("compose.subject"))
                yield Input(p.subject, id="subject")
                yield TextArea(p.body, id="body", soft_wrap=True)
                if p.original:
                    yield Checkbox(t("compose.quote"), id="quote")
                if p.expected is not None:
                    yield Static(
                        plain(t("compose.expected", date=f"{p.expected:%d-%m-%Y}")), id="expected"
                    )
            yield Label("", id="err", classes="err")

    def _body(self) -> str:
        body = self.query_one("#body", TextArea).text
        quote = self.query("#quote")
        if quote and self.query_one("#quote", Checkbox).value and self.preview.original:
            body = f"{body.rstrip()}\n\n{quoted(self.preview.original)}\n"
        return body

    def action_save(self) -> None:
        err = self.query_one("#err", Label)
        if self.preview.to is None:
            note = self.query_one("#note", Input).value.strip() or t("compose.callback_default")
            self._callback(note)
            return
        to = self.query_one("#to", Input).value.strip()
        subject = self.query_one("#subject", Input).value
        if not to:
            err.update(t("compose.to_missing"))
            return
        err.update(t("compose.sending"))
        self._send(to, subject, self._body())

    @work(thread=True, exclusive=True)
    def _send(self, to: str, subject: str, body: str) -> None:
        try:
            result = self.replies.send(
                self.preview.contact_id,
                self.preview.template,
                to=to,
                subject=subject,
                body=body,
                expected=self.preview.expected,
            )
        except Exception as e:  # a bad address, no sender: one line, the dialog stays
            self.app.call_from_thread(self._show_error, error_text(e))
            return
        self.app.call_from_thread(self._sent, result)

    @work(thread=True, exclusive=True)
    def _callback(self, note: str) -> None:
        try:
            contact_id = self.replies.log_callback(self.preview.contact_id, note)
        except Exception as e:
            self.app.call_from_thread(self._show_error, error_text(e))
            return
        self.app.call_from_thread(self.dismiss, contact_id)

    def _show_error(self, line: str) -> None:
        self.query_one("#err", Label).update(plain(line))

    def _sent(self, result: SendResult) -> None:
        if result.state == "sent":
            self.dismiss(result)
            return
        # Not sent: it stays in the outbox (retried if it can be); say why, stay open.
        key = {"queued": "compose.queued", "failed": "compose.failed"}.get(
            result.state, "compose.uncertain"
        )
        self.query_one("#err", Label).update(plain(t(key, error=result.error or "")))
