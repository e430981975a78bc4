"""Reply targets: the 48-hour rule, statutory deadlines, the follow-up queue, compliance.

Entry points:
- `apply_contacts(session=, config=, contact_ids=)` — call right after inserting contacts,
  in the same transaction.
- `store.replies.followups.list_followups(...)` — the follow-up queue as plain data.
- `store.replies.calendar` — working-time arithmetic on the Danish calendar.
"""

from store.replies.engine import ApplyReport, apply_contacts

__all__ = ["ApplyReport", "apply_contacts"]
