"""Core tables for the bulk queries (typed `Table`s keep mypy strict without ignores)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, type_coerce, types
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


def raw_time(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A UtcDateTime column without its per-value result processing: the queue and
    recompute read hundreds of thousands of rows, and `aware` does the same work for a
    fraction of the cost."""
    return type_coerce(column, types.NullType())


def aware(value: dt.datetime | str) -> dt.datetime:
    """A stored UTC time as the driver returns it (SQLite: ISO text; PostgreSQL: naive
    datetime), made aware."""
    if isinstance(value, str):
        # Parsing the offset is ~8x cheaper than datetime.replace(tzinfo=...), which the
        # queue paid three times per row; the result's tzinfo is the dt.UTC singleton.
        return dt.datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=dt.UTC)


def naive(value: dt.datetime | str) -> dt.datetime:
    """A stored UTC time as a naive datetime (as stored), without attaching a zone."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)
