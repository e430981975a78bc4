"""A reply target's status at a moment (the reply rules' own definition), and what the desk
shows of a reply from the outbox that has not gone: in a module that loads nothing else,
so the desk's first page (`store.desk.first_page`) can derive both without SQLAlchemy.
`store.replies.followups` re-exports `status_of`, `store.outbox.queue` the outbox words."""

from __future__ import annotations

import datetime as dt
from typing import Literal

Status = Literal["pending", "due_soon", "overdue", "met", "met_late", "waived"]
STATUSES: tuple[Status, ...] = ("pending", "due_soon", "overdue", "met", "met_late", "waived")


def status_of(
    *,
    state: str,
    due_at: dt.datetime,
    due_soon_at: dt.datetime,
    met_at: dt.datetime | None,
    now: dt.datetime,
) -> Status:
    """Overdue once `now` is past the due time; met in time if met at or before it."""
    if state == "waived":
        return "waived"
    if state == "met":
        return "met" if met_at is not None and met_at <= due_at else "met_late"
    if now > due_at:
        return "overdue"
    if now >= due_soon_at:
        return "due_soon"
    return "pending"


# The outbox's states as the desk shows them: still trying, refused for good, or a crash
# while sending (the advisor checks Sent).
UNCERTAIN = "uncertain: check Sent"
OUTBOX_SHOWN = {"queued": "queued", "sending": "queued", "handed": "queued",
                "failed": "failed", "uncertain": "uncertain"}  # fmt: skip


def reason_of(state: str, error: str | None) -> str:
    """The words behind a reply's state, for the desk: the server's or the program's
    line; for an uncertain one only what broke (the desk says "uncertain" itself)."""
    text = (error or "").strip()
    if state == "uncertain" and text.startswith(UNCERTAIN):
        text = text[len(UNCERTAIN) :].strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
    return text
