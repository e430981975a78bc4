"""The whistleblower register's visibility rule and the reporter's confidential identity."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from store.cases import create_case
from store.contacts import add_contact
from store.counts import CountQuery, count
from store.db import session_scope
from store.errors import UserError
from store.models import AuditLog, Case, CaseCreate, Contact, ContactCreate, Party, PartyCreate
from store.parties import create_party
from store.privacy.whistleblower import (
    ALL_KINDS,
    GENERAL_KINDS,
    case_clause,
    confidential_fields,
    contact_clause,
    get_reporter,
    kinds_for,
    open_whistleblower_case,
    party_hidden_clause,
)

T0 = dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC)


def test_kinds_for() -> None:
    assert kinds_for(None) == GENERAL_KINDS == ("citizen", "consultancy")
    assert kinds_for("whistleblower") == ("whistleblower",)
    assert kinds_for("all") == ALL_KINDS
    with pytest.raises(UserError, match="--kind 'secret'"):
        kinds_for("secret")


def test_whistleblower_records_stay_out_of_general_scopes(engine: Engine) -> None:
    with session_scope(engine) as s:
        citizen = create_party(session=s, party_in=PartyCreate(name="Borger", emails=["b@x.dk"]))
        reporter = create_party(session=s, party_in=PartyCreate(name="Melder", emails=["m@x.dk"]))
        both = create_party(session=s, party_in=PartyCreate(name="Begge", emails=["c@x.dk"]))
        create_party(session=s, party_in=PartyCreate(name="Ny"))
        c1 = create_case(
            session=s,
            case_in=CaseCreate(
                ref="C1", opened_on=dt.date(2026, 4, 1), party_id=citizen.id, category="Klage"
            ),
        )
        w1 = open_whistleblower_case(
            session=s,
            case_in=CaseCreate(
                ref="W1", opened_on=dt.date(2026, 4, 1), party_id=reporter.id, category="Klage"
            ),
            reporter={"name": "Melder Navn", "email": "m@x.dk", "phone": None},
        )
        w2 = open_whistleblower_case(
            session=s, case_in=CaseCreate(ref="W2", opened_on=dt.date(2026, 4, 1), party_id=both.id)
        )
        create_case(
            session=s, case_in=CaseCreate(ref="C2", opened_on=dt.date(2026, 4, 1), party_id=both.id)
        )
        for i, (case, who) in enumerate(((c1, citizen), (w1, reporter), (w2, both), (None, None))):
            add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="email",
                    direction="in",
                    occurred_at=T0,
                    case_id=case and case.id,
                    party_id=who and who.id,
                    source_ref=f"mail:{i}",
                ),
            )
    with session_scope(engine) as s:
        general = kinds_for(None)
        refs = set(s.scalars(select(Case.ref).where(case_clause(general))))
        assert refs == {"C1", "C2"}
        contacts = set(s.scalars(select(Contact.source_ref).where(contact_clause(general))))
        assert contacts == {"mail:0", "mail:3"}  # the triage contact is general
        only_wb = set(
            s.scalars(select(Contact.source_ref).where(contact_clause(kinds_for("whistleblower"))))
        )
        assert only_wb == {"mail:1", "mail:2"}
        parties = set(s.scalars(select(Party.name).where(~party_hidden_clause(Party.id))))
        # the reporter known only through a report is hidden; a party with other
        # business, and one with none yet, are not
        assert parties == {"Borger", "Begge", "Ny"}
        # Default reports count citizen cases only.
        q = CountQuery(
            unit="contacts", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), rows="category"
        )
        assert count(session=s, query=q).total == 1
        wq = CountQuery(
            unit="contacts",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            rows="category",
            kind="whistleblower",
        )
        assert count(session=s, query=wq).total == 2
        # The reporter's identity: optional, confidential, audited opening.
        assert w1.id and w2.id
        r1, r2 = get_reporter(session=s, case_id=w1.id), get_reporter(session=s, case_id=w2.id)
        assert r1 is not None and r1.name == "Melder Navn" and not r1.anonymous
        assert r1.phone is None
        assert r2 is not None and r2.anonymous and r2.name is None
        opened = s.scalars(
            select(AuditLog.entity_id).where(AuditLog.action == "open_whistleblower")
        ).all()
        assert sorted(opened) == sorted([str(w1.id), str(w2.id)])


def test_reporter_fields_are_marked_confidential() -> None:
    assert set(confidential_fields()) == {"name", "email", "phone", "address", "note"}


def test_unknown_reporter_field_is_refused(engine: Engine) -> None:
    with pytest.raises(UserError, match="unknown reporter"), session_scope(engine) as s:
        open_whistleblower_case(
            session=s,
            case_in=CaseCreate(ref="W9", opened_on=T0.date()),
            reporter={"cpr": "010101-1234"},
        )
    with session_scope(engine) as s:
        assert s.scalars(select(Case)).all() == []
