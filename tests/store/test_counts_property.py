"""Property: the count engine agrees with a naive Python count on random registers, for
every unit, field pair, filter, kind and flag."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text
from sqlmodel import Session

from store.counts import NONE_LABEL, CountQuery, count
from store.counts.engine import contact_totals
from store.counts.engine import total as grand_total
from store.db import make_engine
from store.models import Case, Contact, Party, utcnow
from store.timeutil import CPH

DEPTS = ["A", "B", "C", None]
CATS = ["Klage", "Vejledning", None]
KINDS = ["citizen", "consultancy", "whistleblower"]
PARTY_KINDS = ["citizen", "company"]
CHANNELS = ["phone", "email", "meeting"]
DAY0 = dt.date(2023, 12, 25)

case_st = st.fixed_dictionaries(
    {
        "department": st.sampled_from(DEPTS),
        "category": st.sampled_from(CATS),
        # Mostly counted cases, so most examples have something to count.
        "kind": st.sampled_from(["citizen"] * 4 + KINDS),
        "excluded": st.sampled_from([False, False, False, True]),
        "opened": st.integers(0, 20),
        "party": st.integers(0, 5),
    }
)
contact_st = st.fixed_dictionaries(
    {
        "case": st.integers(0, 10),  # may point past the cases: then it waits in triage
        "party": st.integers(0, 5),
        "day": st.integers(0, 20),
        # Minutes around local midnight, so the period edge and the UTC offset matter.
        "minute": st.sampled_from([0, 30, 23 * 60 + 59, 60]),
        "direction": st.sampled_from(["in", "out"]),
        "channel": st.sampled_from(CHANNELS),
    }
)
query_st = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["contacts", "parties", "cases"]),
        "rows": st.sampled_from(["department", "category", "party_kind", "month"]),
        "cols": st.sampled_from([None, "category", "channel", "department"]),
        "start": st.integers(0, 8),
        "length": st.integers(0, 14),
        "kind": st.sampled_from(["citizen"] * 4 + KINDS),
        "include_excluded": st.booleans(),
        "include_outbound": st.booleans(),
        "where": st.sampled_from(
            [(), (), (), (("category", "Klage"),), (("department", NONE_LABEL),)]
        ),
    }
)


def _label(v: object) -> str:
    return NONE_LABEL if v is None else str(v)


def naive(cases, contacts, parties, q):  # type: ignore[no-untyped-def]
    start = DAY0 + dt.timedelta(days=q["start"])
    end = start + dt.timedelta(days=q["length"])

    def value(field, case, contact):  # type: ignore[no-untyped-def]
        if field in ("department", "category"):
            return _label(case[field])
        if field == "channel":
            return contact["channel"]
        if field == "party_kind":
            pid = contact["party"] if contact else case["party"]
            return parties[pid]
        if field == "month":
            day = contact["local_day"] if contact else DAY0 + dt.timedelta(days=case["opened"])
            return day.strftime("%Y-%m")
        raise AssertionError(field)

    def counted(case) -> bool:  # type: ignore[no-untyped-def]
        return case["kind"] == q["kind"] and (q["include_excluded"] or not case["excluded"])

    def matches(case, contact) -> bool:  # type: ignore[no-untyped-def]
        return all(value(f, case, contact) == v for f, v in q["where"])

    items = []  # (row, col, identity)
    if q["unit"] == "cases":
        for i, c in enumerate(cases):
            day = DAY0 + dt.timedelta(days=c["opened"])
            if counted(c) and start <= day <= end and matches(c, None):
                items.append(
                    (value(q["rows"], c, None), value(q["cols"], c, None) if q["cols"] else None, i)
                )
    else:
        for j, ct in enumerate(contacts):
            if ct["case"] >= len(cases):
                continue
            c = cases[ct["case"]]
            if not counted(c) or not (start <= ct["local_day"] <= end):
                continue
            if ct["direction"] == "out" and not q["include_outbound"]:
                continue
            if not matches(c, ct):
                continue
            ident = ct["party"] if q["unit"] == "parties" else j
            items.append(
                (value(q["rows"], c, ct), value(q["cols"], c, ct) if q["cols"] else None, ident)
            )
    cells: dict = defaultdict(set)
    rows: dict = defaultdict(set)
    cols: dict = defaultdict(set)
    everything = set()
    for r, c, ident in items:
        cells[(r, c)].add(ident)
        rows[r].add(ident)
        if c is not None:
            cols[c].add(ident)
        everything.add(ident)
    return (
        {k: len(v) for k, v in cells.items()},
        {k: len(v) for k, v in rows.items()},
        {k: len(v) for k, v in cols.items()},
        len(everything),
    )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(case_st, min_size=1, max_size=10),
    contacts=st.lists(contact_st, min_size=1, max_size=40),
    party_kinds=st.lists(st.sampled_from(PARTY_KINDS), min_size=6, max_size=6),
    q=query_st,
)
def test_engine_matches_naive_count(db_url, cases, contacts, party_kinds, q) -> None:
    if q["unit"] == "cases" and q["cols"] == "channel":
        q = dict(q, cols=None)
    if q["cols"] == q["rows"]:
        q = dict(q, cols=None)
    engine = make_engine(db_url)
    now = utcnow()
    with engine.begin() as conn:
        for t in ("contact", "case_", "party"):
            conn.execute(text(f'DELETE FROM "{t}"'))
        conn.execute(
            insert(Party.__table__),
            [{"id": i + 1, "kind": k, "created_at": now} for i, k in enumerate(party_kinds)],
        )
        if cases:
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
        if contacts:
            conn.execute(
                insert(Contact.__table__),
                [
                    {
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
                    for ct in contacts
                ],
            )
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
        # The annual report's key figures use the one-query totals: the same numbers.
        grand = grand_total(session=session, query=query)
        both = (
            contact_totals(session=session, query=replace(query, unit="contacts"))
            if query.unit != "cases"
            else None
        )
    engine.dispose()
    cells, rows, cols, total = naive(cases, contacts, party_kinds, q)
    assert {(c.row, c.col): c.count for c in res.cells} == cells
    assert res.row_totals == rows
    assert res.col_totals == cols
    assert res.total == total
    assert grand == total
    if both is not None:
        assert both[0 if query.unit == "contacts" else 1] == total
