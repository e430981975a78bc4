"""Property: after any sequence of corrections (contacts moved between cases, unlinked
back to triage, parties merged) made through the store's own functions, every report
equals a naive recount of the corrected register (issue 16).

The register and the queries are those of test_counts_property; the naive count is its
own. A merged party counts once: its contacts now carry the kept party's key.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text
from sqlmodel import Session

from store.config import Config
from store.corrections import move_contact, unlink_contact
from store.counts import CountQuery, count
from store.db import make_engine, session_scope
from store.errors import UserError
from store.merge import merge_parties
from store.models import Case, Contact, Party, utcnow
from store.timeutil import CPH
from tests.store.test_counts_property import (
    DAY0,
    PARTY_KINDS,
    case_st,
    contact_st,
    naive,
    query_st,
)

op_st = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 29), st.integers(0, 7)),
    st.tuples(st.just("unlink"), st.integers(0, 29), st.just(0)),
    st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
)


def _load(engine, cases, contacts, party_kinds) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with engine.begin() as conn:
        # (audit_log is append-only; the earlier examples' entries do not matter here)
        for t in ("reply_target", "contact", "case_", "party"):
            conn.execute(text(f'DELETE FROM "{t}"'))
        conn.execute(
            insert(Party.__table__),
            [{"id": i + 1, "kind": k, "created_at": now} for i, k in enumerate(party_kinds)],
        )
        conn.execute(
            insert(Case.__table__),
            [
                {
                    "id": i + 1,
                    "ref": f"C{i}",
                    "kind": c["kind"],
                    "department": c["department"],
                    "category": c["category"],
                    "excluded": c["excluded"],
                    "opened_on": DAY0 + dt.timedelta(days=c["opened"]),
                    "party_id": c["party"] + 1,
                    "wanted_to_complain": False,
                    "created_at": now,
                }
                for i, c in enumerate(cases)
            ],
        )
        for ct in contacts:
            local = dt.datetime.combine(
                DAY0 + dt.timedelta(days=ct["day"]), dt.time(0), tzinfo=CPH
            ) + dt.timedelta(minutes=ct["minute"])
            ct["local_day"] = local.date()
            ct["at"] = local.astimezone(dt.UTC)
        conn.execute(
            insert(Contact.__table__),
            [
                {
                    "id": j + 1,
                    "channel": ct["channel"],
                    "direction": ct["direction"],
                    "occurred_at": ct["at"],
                    "occurred_on": ct["local_day"],
                    "case_id": ct["case"] + 1 if ct["case"] < len(cases) else None,
                    "party_id": ct["party"] + 1,
                    "access_request": False,
                    "dismissed": False,
                    "created_at": now,
                }
                for j, ct in enumerate(contacts)
            ],
        )


def _apply(engine, config, op, cases, contacts) -> None:  # type: ignore[no-untyped-def]
    """Do `op` in the database and in the model; a refused op must change neither."""
    what, a, b = op
    try:
        with session_scope(engine) as s:
            if what == "move" and a < len(contacts) and b < len(cases):
                move_contact(session=s, config=config, contact_id=a + 1, case_id=b + 1, reopen=None)
                contacts[a]["case"] = b
            elif what == "unlink" and a < len(contacts):
                unlink_contact(session=s, config=config, contact_id=a + 1)
                contacts[a]["case"] = len(cases)
            elif what == "merge":
                merge_parties(session=s, keep_id=a + 1, other_id=b + 1)
                for x in (*cases, *contacts):
                    if x["party"] == b:
                        x["party"] = a
    except UserError as e:
        # Refused: a triage contact moved, a contact moved where it is, a party merged
        # with itself or already merged away, a whistleblower case's party.
        assert e.code in {
            "contact_not_linked",
            "contact_already_there",
            "merge_self",
            "no_party",
            "party_whistleblower",
        }, e


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(case_st, min_size=1, max_size=8),
    contacts=st.lists(contact_st, min_size=1, max_size=30),
    party_kinds=st.lists(st.sampled_from(PARTY_KINDS), min_size=6, max_size=6),
    ops=st.lists(op_st, min_size=1, max_size=8),
    queries=st.lists(query_st, min_size=1, max_size=4),
)
def test_corrections_keep_every_report_equal_to_a_naive_recount(
    db_url, cases, contacts, party_kinds, ops, queries
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    config = Config()
    _load(engine, cases, contacts, party_kinds)
    for op in ops:
        _apply(engine, config, op, cases, contacts)
    # Besides the drawn queries, every unit over the whole span by party kind: a
    # correction that loses a contact's party or case shows there at once.
    whole = [
        dict(
            unit=u,
            rows="party_kind",
            cols=None,
            start=0,
            length=20,
            kind=k,
            include_excluded=True,
            include_outbound=True,
            where=(),
        )
        for u in ("contacts", "parties", "cases")
        for k in ("citizen", "consultancy")
    ]
    for q in [*queries, *whole]:
        if q["unit"] == "cases" and q["cols"] == "channel":
            q = dict(q, cols=None)
        if q["cols"] == q["rows"]:
            q = dict(q, cols=None)
        start = DAY0 + dt.timedelta(days=q["start"])
        query = CountQuery(
            unit=q["unit"],
            start=start,
            end=start + dt.timedelta(days=q["length"]),
            rows=q["rows"],
            cols=q["cols"],
            where=q["where"],
            kind=q["kind"],
            include_excluded=q["include_excluded"],
            include_outbound=q["include_outbound"],
        )
        with Session(engine) as session:
            res = count(session=session, query=query)
        cells, rows, cols, total = naive(cases, contacts, party_kinds, q)
        assert {(c.row, c.col): c.count for c in res.cells} == cells
        assert res.row_totals == rows
        assert res.col_totals == cols
        assert res.total == total
    engine.dispose()
