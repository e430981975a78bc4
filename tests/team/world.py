"""A small desk with one general and one whistleblower case, each with a party, a
contact and a note, written by the schema owner."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from store.db import make_engine
from store.models import Case, CaseCreate, CaseNote, Contact, Party
from store.privacy.whistleblower import open_whistleblower_case

WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def build(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as s:
        citizen, reporter = Party(name="Anna Borger"), Party(name="Kim Kilde")
        s.add_all([citizen, reporter])
        s.flush()
        general = Case(ref="2026-001", opened_on=WHEN.date(), party_id=citizen.id)
        s.add(general)
        s.flush()
        wb = open_whistleblower_case(
            session=s,
            case_in=CaseCreate(ref="WB-2026-001", opened_on=WHEN.date(), party_id=reporter.id),
            reporter={"name": "Kim Kilde"},
        )
        ids = {"general": general.id, "wb": wb.id, "citizen": citizen.id, "reporter": reporter.id}
        for key, case_id, party_id in (
            ("c_general", general.id, citizen.id),
            ("c_wb", wb.id, reporter.id),
        ):
            c = Contact(
                channel="email",
                direction="in",
                occurred_at=WHEN,
                occurred_on=WHEN.date(),
                case_id=case_id,
                party_id=party_id,
                summary=f"mail {key}",
            )
            s.add(c)
            s.add(CaseNote(case_id=int(case_id or 0), os_user="x", text=f"note {key}"))
            s.flush()
            ids[key] = c.id
        s.commit()
    engine.dispose()
    return {k: int(v) for k, v in ids.items() if v is not None}
