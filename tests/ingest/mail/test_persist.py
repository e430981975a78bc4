"""The batch contact path gives exactly the rows `store.contacts.add_contact` gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from ingest.mail.parse import parse_message
from ingest.mail.persist import add_contacts, direction_and_counterpart, occurred_at
from store.config.mail import MailAccount
from store.contacts import add_contact
from store.db import make_engine
from store.models import Case, Contact, ContactCreate, PartyCreate
from store.parties import create_party
from tests.ingest.mail.corpus import mail

WHEN = dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)  # the DST night: date in Copenhagen


def _seed(engine: Engine) -> None:
    with Session(engine) as s:
        one = create_party(session=s, party_in=PartyCreate(emails=["one@example.org"])).id
        s.add(Case(ref="C-1", opened_on=dt.date(2025, 1, 1), party_id=one))
        two = create_party(session=s, party_in=PartyCreate(emails=["two@example.org"])).id
        s.add(Case(ref="C-2", opened_on=dt.date(2025, 1, 1), party_id=two))
        s.add(Case(ref="C-3", opened_on=dt.date(2025, 1, 1), party_id=two))
        s.add(
            Contact(
                channel="email",
                direction="in",
                occurred_at=WHEN,
                occurred_on=dt.date(2025, 3, 30),
                source_ref="mail:old",
            )
        )
        s.commit()


def _inputs() -> list[tuple[str, ContactCreate]]:
    out = []
    for i, who in enumerate(
        [
            "one@example.org",
            "two@example.org",
            "new@example.org",
            None,
            "+4522334455",
            "new@example.org",
        ]
    ):
        out.append(
            (
                f"k{i}",
                ContactCreate(
                    channel="email" if who is None or "@" in who else "phone",
                    direction="in",
                    occurred_at=WHEN + dt.timedelta(hours=i),
                    summary=f"s{i}",
                    counterpart=who,
                    source_ref=f"mail:h{i}",
                ),
            )
        )
    out.append(
        (
            "old",
            ContactCreate(channel="email", direction="in", occurred_at=WHEN, source_ref="mail:old"),
        )
    )
    return out


def _dump(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as s:
        rows = s.execute(select(Contact).order_by(Contact.source_ref)).scalars().all()
        return [r.model_dump(exclude={"id", "created_at"}) for r in rows]


def test_batch_path_equals_add_contact(db_url: str, _sqlite_template: Any, tmp_path: Any) -> None:
    import shutil

    # The batch path on the database under test; add_contact on a SQLite file beside it.
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(_sqlite_template, other)
    a, b = make_engine(db_url), make_engine(f"sqlite:///{other}")
    try:
        _seed(a)
        _seed(b)
        with Session(a) as s:
            ids = add_contacts(session=s, contacts=_inputs())
            s.commit()
        with Session(b) as s:
            for _key, c in _inputs():
                add_contact(session=s, contact_in=c)
            s.commit()
        assert _dump(a) == _dump(b)
        assert len(ids) == 7 and len(set(ids.values())) == 7
        linked = [r for r in _dump(a) if r["case_id"] is not None]
        assert [r["counterpart"] for r in linked] == ["one@example.org"]
        # Re-running adds nothing (idempotent on source_ref).
        with Session(a) as s:
            again = add_contacts(session=s, contacts=_inputs())
            s.commit()
        assert again == ids and len(_dump(a)) == 7
    finally:
        a.dispose()
        b.dispose()


def test_direction_and_time_rules() -> None:
    acct = MailAccount(
        name="a",
        host="127.0.0.1",
        security="none",
        username="advisor@example.dk",
        internal_domains=["kommune.dk"],
    )
    p = parse_message(
        mail(1, sender="advisor@example.dk", to="x@kommune.dk, Borger <b@example.org>")
    )
    assert direction_and_counterpart(p, account=acct, is_sent_folder=False) == (
        "out",
        "b@example.org",
    )
    p = parse_message(mail(2))
    assert direction_and_counterpart(p, account=acct, is_sent_folder=False) == (
        "in",
        "borger2@example.org",
    )
    # Date header normally; INTERNALDATE when the Date is missing or absurdly late.
    arrived = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)
    assert occurred_at(p, arrived) == p.sent_at
    late = parse_message(mail(3, when=arrived + dt.timedelta(days=30)))
    assert occurred_at(late, arrived) == arrived
