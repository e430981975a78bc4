"""Property: for any store, any retention and any purge moment, every report for every
period counts the same before and after the purge (and after a second purge later)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from store.cases import create_case
from store.config import Config, load_config_text, preset_text
from store.contacts import add_contact
from store.counts import KINDS, CountQuery, FieldNotCountable, count
from store.models import CaseCreate, ContactCreate, EmailMessage, PartyCreate
from store.parties import create_party
from store.privacy.purge import purge

BASE = dt.date(2016, 1, 1)
# PostgreSQL round trips cost more; CI's second pass runs fewer examples.
EXAMPLES = 6 if os.environ.get("BORGERDESK_TEST_DATABASE_URL") else 15
DEPARTMENTS = ["Børn, Unge og Familier", "Omsorg og Sundhed", "Andet", None]
CATEGORIES = ["Vejledning", "Udredning", "Klage", None]

contact_st = st.tuples(
    st.sampled_from(["phone", "email", "meeting", "letter"]),
    st.sampled_from(["in", "in", "out"]),
    st.integers(0, 120),  # days after the case opened
    st.one_of(st.none(), st.integers(0, 5)),  # another party writes
    st.booleans(),  # linked to the case (else waiting in triage)
)
case_st = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 3650),  # opened, days after BASE
    st.one_of(st.none(), st.integers(0, 900)),  # closed, days after opening
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(CATEGORIES),
    st.booleans(),  # excluded
    st.one_of(st.none(), st.integers(0, 5)),  # party
    st.lists(contact_st, min_size=0, max_size=4),
)
years_st = st.one_of(st.none(), st.floats(0.25, 6.0))


def _report(session: Session) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    # Multi-year periods: any changed record shows in the period covering it, and the
    # month rows split each period finely; plus one October-to-September report year.
    periods = [
        (dt.date(a, 1, 1), dt.date(b, 12, 31))
        for a, b in ((2016, 2018), (2019, 2021), (2022, 2024), (2025, 2029))
    ]
    periods += [
        (dt.date(2020, 10, 1), dt.date(2021, 9, 30)),
        (dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
    ]
    for unit in ("contacts", "parties", "cases"):
        for rows, cols in (("department", "category"), ("channel", "party_kind"), ("month", None)):
            for kind in KINDS:
                for start, end in periods:
                    flag = start.year % 2 == 0
                    q = CountQuery(
                        unit=unit,
                        start=start,
                        end=end,
                        rows=rows,
                        cols=cols,
                        kind=kind,
                        include_excluded=flag,
                        include_outbound=flag,
                    )
                    try:
                        r = count(session=session, query=q)
                    except FieldNotCountable:
                        continue
                    out[q] = (r.cells, r.row_totals, r.col_totals, r.total, r.triage_waiting)
    return out


def _build(session: Session, cases: list[Any]) -> None:
    parties = []
    for i in range(6):
        p = create_party(
            session=session,
            party_in=PartyCreate(
                kind=["citizen", "company", "association"][i % 3],
                name=f"P{i}",
                emails=[f"p{i}@example.dk"],
                phones=[f"+452000000{i}"],
            ),
        )
        parties.append(p.id)
    seq = 0
    for n, (kind, opened, closed, dep, cat, excl, pidx, contacts) in enumerate(cases):
        opened_on = BASE + dt.timedelta(days=opened)
        pid = None if pidx is None else parties[pidx]
        case = create_case(
            session=session,
            case_in=CaseCreate(
                ref=f"C{n}",
                title=f"T{n}",
                kind=kind,
                department=dep,
                category=cat,
                excluded=excl,
                opened_on=opened_on,
                party_id=pid,
                closed_on=None if closed is None else opened_on + dt.timedelta(days=closed),
            ),
        )
        for channel, direction, day, other, linked in contacts:
            seq += 1
            cp = pid if other is None else parties[other]
            at = dt.datetime.combine(
                opened_on + dt.timedelta(days=day), dt.time(23, 30), tzinfo=dt.UTC
            )  # near midnight: the local date matters
            c = add_contact(
                session=session,
                auto_link=False,
                contact_in=ContactCreate(
                    channel=channel,
                    direction=direction,
                    occurred_at=at,
                    summary=f"S{seq}",
                    counterpart=f"x{seq}@example.dk",
                    party_id=cp,
                    case_id=case.id if linked else None,
                    source_ref=f"call:{seq}|+4520",
                ),
            )
            if channel == "email":
                session.add(
                    EmailMessage(
                        contact_id=c.id,
                        header_hash=f"h{seq}",
                        content_hash=f"c{seq}",
                        raw=b"x",
                        sent_at=at,
                    )
                )
            if channel == "phone":
                c.call_status, c.call_duration_s = "answered", 0
                session.add(c)
    session.flush()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(case_st, min_size=1, max_size=12),
    citizen=years_st,
    consultancy=years_st,
    whistleblower=years_st,
    unlinked=st.one_of(st.none(), st.floats(0.5, 5.0)),
    now_days=st.integers(365, 5000),
    later_days=st.integers(0, 2000),
)
def test_purge_never_changes_a_report(
    engine: Engine,
    odsherred_config: Config,
    cases: list[Any],
    citizen: float | None,
    consultancy: float | None,
    whistleblower: float | None,
    unlinked: float | None,
    now_days: int,
    later_days: int,
) -> None:
    lines = ["", "[retention]"]
    for key, v in (
        ("citizen_years", citizen),
        ("consultancy_years", consultancy),
        ("whistleblower_years", whistleblower),
        ("unlinked_years", unlinked),
    ):
        if v is not None:
            lines.append(f"{key} = {v!r}")
    cfg = load_config_text(preset_text("odsherred") + "\n".join(lines) + "\n", "prop")
    now = dt.datetime.combine(BASE + dt.timedelta(days=now_days), dt.time(12), tzinfo=dt.UTC)
    # One transaction per example, rolled back: works the same on SQLite and PostgreSQL.
    with Session(engine) as session:
        try:
            _build(session, cases)
            before = _report(session)
            purge(session=session, config=cfg, now=now, dry_run=False)
            assert _report(session) == before
            later = now + dt.timedelta(days=later_days)
            purge(session=session, config=cfg, now=later, dry_run=False)
            assert _report(session) == before
        finally:
            session.rollback()
