"""A Date header that cannot be right is a parse problem: the message is kept, flagged,
and dated by the server's INTERNALDATE; no year is ever invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from ingest.mail.embedded_server import Seed
from ingest.mail.parse import parse_message
from ingest.mail.sync import sync_all
from store.models import Contact, EmailMessage

ARRIVED = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)


def with_date(date: str) -> bytes:
    return (
        f"From: borger@example.org\r\nSubject: Hej\r\nDate: {date}\r\n\r\nMin sag.\r\n"
    ).encode()


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 1 Jan 0001 10:00:00 +0100",  # the stdlib says 2001
        "Sat, 1 Jan 0000 10:00:00 +0100",  # the stdlib says 2000
        "Mon, 1 Jan 0099 10:00:00 +0100",  # the stdlib says 1999
        "Mon, 1 Jan 1899 10:00:00 +0100",
        "Mon, 1 Jan 2026 25:61:00 +0100",  # no such time
    ],
)
def test_an_impossible_date_is_none_and_flagged(date: str) -> None:
    p = parse_message(with_date(date))
    assert p.sent_at is None
    assert p.parse_error is not None and p.parse_error.startswith("date:")
    assert p.text == "Min sag."


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("Mon, 1 Jan 01 10:00:00 +0100", 2001),  # two-digit years are RFC 5322's own
        ("Fri, 1 Jan 99 10:00:00 +0100", 1999),
        ("Fri, 1 Jan 099 10:00:00 +0100", 1999),  # three digits: 1900 + it, by the RFC
        ("Thu, 1 Jan 2026 10:00:00 +0100", 2026),
    ],
)
def test_a_possible_date_is_kept(date: str, year: int) -> None:
    p = parse_message(with_date(date))
    assert p.sent_at is not None and p.sent_at.year == year
    assert p.parse_error is None


def test_sync_dates_such_a_message_by_its_arrival_and_flags_it(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [Seed(with_date("Mon, 1 Jan 0001 10:00:00 +0100"), when=ARRIVED)]})
    password_env(srv)
    reports = sync_all(engine=engine, config=make_config(srv, folders=["INBOX"]))
    assert reports[0].error is None and reports[0].new == 1
    assert reports[0].parse_errors == 1
    with Session(engine) as s:
        m = s.execute(select(EmailMessage)).scalar_one()
        c = s.execute(select(Contact)).scalar_one()
    assert m.sent_at is None and m.parse_error and m.parse_error.startswith("date:")
    occurred = c.occurred_at if c.occurred_at.tzinfo else c.occurred_at.replace(tzinfo=dt.UTC)
    assert occurred == ARRIVED
