"""Core `Table`s of the ORM models: the desk's queries select columns, not entities, and
typed core columns keep mypy strict without `type: ignore` on every comparison."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)

_t = SQLModel.metadata.tables
contact: Table = _t["contact"]
case: Table = _t["case_"]
case_history: Table = _t["case_history"]
case_note: Table = _t["case_note"]
party: Table = _t["party"]
party_email: Table = _t["party_email"]
party_phone: Table = _t["party_phone"]
email_message: Table = _t["email_message"]
call_record: Table = _t["call_record"]
reply_target: Table = _t["reply_target"]
reply_outbox: Table = _t["reply_outbox"]
alert: Table = _t["alert"]
audit_log: Table = _t["audit_log"]
sync_state: Table = _t["sync_state"]
