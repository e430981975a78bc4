"""How the desk shows a reply from the desk that has not gone (store.desk.rows.OutboxState):
a short mark in the lists' subject column, and a sentence with the reason in the preview,
the follow-ups explanation and the case's timeline. Spelled out in words as well as
coloured, so it reads with NO_COLOR; the reason is the server's words, shown plain."""

from __future__ import annotations

from rich.text import Text

from store.desk.rows import OutboxState
from store.timeutil import show
from tui.i18n import t
from tui.safe import plain

STYLE = {"queued": "bold yellow", "failed": "bold red", "uncertain": "bold magenta"}


def outbox_mark(o: OutboxState) -> Text:
    """ "Svar i kø", "Svar afvist" or "Svar usikkert", coloured."""
    return Text(t(f"outbox.mark.{o.state}"), style=STYLE.get(o.state, ""))


def with_mark(o: OutboxState | None, subject: Text) -> Text:
    """A list's subject cell with the reply's mark in front of it."""
    if o is None:
        return subject
    out = outbox_mark(o)
    out.append(" · ")
    out.append_text(subject)
    out.no_wrap, out.overflow = True, "ellipsis"
    return out


def outbox_line(o: OutboxState) -> Text:
    """The mark, what it means and what to do, and the reason."""
    out = outbox_mark(o)
    if o.state == "queued" and o.retry_at is None:  # not tried yet, or being sent now
        why = t("outbox.why.sending")
    else:
        retry = show(o.retry_at, "%d/%m %H:%M") if o.retry_at is not None else ""
        why = t(f"outbox.why.{o.state}", id=o.outbox_id, n=o.attempts, at=retry)
    out.append(": " + why)
    if o.reason:
        out.append(" " + t("outbox.reason") + " ")
        out.append_text(plain(o.reason, limit=400, style="italic"))
    return out
