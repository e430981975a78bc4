"""Reply targets: the 48-hour rule, statutory deadlines, the follow-up queue, compliance.

Entry points:
- `apply_contacts(session=, config=, contact_ids=)` — call right after inserting (or
  re-linking) contacts, in the same transaction.
- `list_followups(session=, now=, status=)` — the follow-up queue as plain dataclasses.
- `ack`, `no_reply` (and the UI's bulk `acknowledge`, `waive`) — audited marks.
- `recompute(session=, config=)` — after the rules or closed days changed.
- `compliance(...)` — per-rule figures for a period.
- `store.replies.calendar` — working-time arithmetic on the Danish calendar.
"""

from store.replies.actions import MarkResult, ack, acknowledge, no_reply, waive
from store.replies.engine import ApplyReport, apply_contacts
from store.replies.followups import FollowUp, count_followups, list_followups
from store.replies.recompute import RecomputeReport, recompute

__all__ = [
    "ApplyReport",
    "FollowUp",
    "MarkResult",
    "RecomputeReport",
    "ack",
    "acknowledge",
    "apply_contacts",
    "count_followups",
    "list_followups",
    "no_reply",
    "recompute",
    "waive",
]
