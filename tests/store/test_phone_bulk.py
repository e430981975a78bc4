"""The phone importer's bulk writer on the store's backends (SQLite here, PostgreSQL in
CI's second pass): values written without SQLAlchemy's bind processors must read back
through the ORM exactly, each call is one contact row with its details, and linking must match
`add_contact`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from ingest.phone.importer import import_bytes
from store.cases import create_case
from store.models import CaseCreate, Contact, ImportedFile, PartyCreate
from store.parties import create_party
from tests.ingest.phone.samples import DK_HEADER, csv_bytes, dk_rows, make_config

UTC = dt.UTC


def test_bulk_import_round_trips_on_this_backend(engine):
    config = make_config()
    with Session(engine) as s:
        p = create_party(session=s, party_in=PartyCreate(name="Knud", phones=["22334455"]))
        case = create_case(
            session=s,
            case_in=CaseCreate(ref="2024-0001", party_id=p.id, opened_on=dt.date(2024, 9, 1)),
        )
        s.commit()
        pid, cid = p.id, case.id
    rep = import_bytes(
        csv_bytes(DK_HEADER, dk_rows()),
        "uge40.csv",
        engine=engine,
        config=config,
        now=dt.datetime(2024, 10, 7, 12, tzinfo=UTC),
    )
    assert rep.imported == 6
    # Again, as another export with the same calls: nothing new.
    rep = import_bytes(
        csv_bytes(DK_HEADER, dk_rows(), delimiter=","), "igen.csv", engine=engine, config=config
    )
    assert (rep.imported, rep.duplicates) == (0, 6)
    with Session(engine) as s:
        rows = s.execute(select(Contact).order_by(Contact.occurred_at)).scalars().all()
        file_ids = s.execute(select(ImportedFile.id)).scalars().all()
    assert len(rows) == 6
    contact = rows[0]
    assert contact.occurred_at == dt.datetime(2024, 10, 1, 7, 15, tzinfo=UTC)
    assert contact.occurred_on == dt.date(2024, 10, 1)
    assert contact.created_at == dt.datetime(2024, 10, 7, 12, tzinfo=UTC)
    assert (contact.party_id, contact.case_id) == (pid, cid)
    assert contact.source_ref == "call:2024-10-01T07:15:00Z|+4522334455|in|125"
    assert (
        contact.call_status,
        contact.call_duration_s,
        contact.call_raw_number,
        contact.call_line,
    ) == ("answered", 125, "22 33 44 55", None)
    assert contact.call_file_id in file_ids
    assert [c.counterpart for c in rows].count(None) == 1
    assert all(c.channel == "phone" and c.call_status for c in rows)
