"""A reply target's status at a moment: the reply rules' own definition, in a module that
loads nothing else, so the desk's first page (`store.desk.first_page`) can derive it
without SQLAlchemy (issue 20). `store.replies.followups` re-exports it."""

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
