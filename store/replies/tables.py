"""Core tables for the bulk queries (typed `Table`s keep mypy strict without ignores)."""

from __future__ import annotations

from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)

_t = SQLModel.metadata.tables
contact = _t["contact"]
case = _t["case_"]
party = _t["party"]
party_email = _t["party_email"]
party_phone = _t["party_phone"]
email_message = _t["email_message"]
call_record = _t["call_record"]
reply_target = _t["reply_target"]
