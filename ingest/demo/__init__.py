"""Generated demo data: a citizens' advisor's year of mail, phone log and register.

Deterministic for a seed and a "now", so the demo and its tests see the same world:
citizens who write and call, the advisor's replies in Sent, auto-replies, newsletters,
colleagues' mail, and a few inquiries that are overdue or due soon right now.
"""

from ingest.demo.history import demo_register
from ingest.demo.mailbox import demo_mailbox
from ingest.demo.people import Citizen, citizens
from ingest.demo.phonelog import demo_phone_log

__all__ = ["Citizen", "citizens", "demo_mailbox", "demo_phone_log", "demo_register"]
