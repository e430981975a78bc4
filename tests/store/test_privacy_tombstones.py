"""A purged or erased call keeps its row key without the number, and an import finds it
by that (store.privacy.tombstones). Runs on SQLite and, in CI's second pass, PostgreSQL
(where the look-up compares keys in the "C" collation)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlmodel import Session

from store.models import Contact
from store.privacy.tombstones import numberless, purged_calls, tombstone_calls

KEYS = [
    "2024-10-01T07:15:00Z|+4522334455|in|125",
    "2024-10-01T07:15:00Z|+4533445566|in|125",  # the same second and length, another number
    "2024-10-01T08:05:10Z|hidden|out|0",
    "2024-12-31T23:59:59Z|+46812345678|in|61",
]


def _add(s: Session, key: str) -> int:
    at = dt.datetime.fromisoformat(key.split("|")[0].replace("Z", "+00:00"))
    c = Contact(
        channel="phone",
        direction=key.split("|")[2],
        occurred_at=at,
        occurred_on=at.date(),
        source_ref="call:" + key,
        counterpart=key.split("|")[1],
    )
    s.add(c)
    s.flush()
    assert c.id is not None
    return c.id


def test_numberless() -> None:
    assert numberless(KEYS[0]) == "2024-10-01T07:15:00Z|in|125"
    assert numberless("mail:abc") is None


def test_tombstones_round_trip_and_keep_no_number(engine: Engine) -> None:
    with Session(engine) as s:
        ids = [_add(s, k) for k in KEYS[:3]]
        kept = _add(s, KEYS[3])
        mail = Contact(
            channel="email",
            direction="in",
            occurred_at=dt.datetime(2024, 10, 1, tzinfo=dt.UTC),
            occurred_on=dt.date(2024, 10, 1),
            source_ref="mail:x",
        )
        s.add(mail)
        s.flush()
        mail_id = mail.id or 0
        assert tombstone_calls(s, [*ids, mail_id]) == 3
        assert tombstone_calls(s, ids) == 0  # twice is harmless
        s.commit()
    with Session(engine) as s:
        refs = {c.id: c.source_ref for c in s.execute(select(Contact)).scalars()}
    assert refs[ids[0]] == "purged-call:2024-10-01T07:15:00Z|in|125"
    # Same key twice: the column is unique, the second carries its contact id.
    assert refs[ids[1]] == f"purged-call:2024-10-01T07:15:00Z|in|125|{ids[1]}"
    assert refs[ids[2]] == "purged-call:2024-10-01T08:05:10Z|out|0"
    assert refs[kept] == "call:" + KEYS[3] and refs[mail_id] == "mail:x"
    assert not any("+45" in (r or "") for r in refs.values() if r != "call:" + KEYS[3])
    incoming = [
        "2024-10-01T07:15:00Z|+4599999999|in|125",  # a purged call (number unknown now)
        "2024-10-01T07:15:00Z|+4522334455|in|126",  # another length: another call
        "2024-10-01T08:05:10Z|hidden|out|0",
        "2024-10-02T09:00:00Z|+4522334455|in|125",  # another day
    ]
    with Session(engine) as s:
        assert purged_calls(s, incoming) == {incoming[0], incoming[2]}
        assert purged_calls(s, incoming[3:]) == set()
        assert purged_calls(s, []) == set()
