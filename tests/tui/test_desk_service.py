"""The headless service layer (store.desk) on its own: paging, search, isolation of
whistleblower cases, the data-version probe, and that nothing it returns is an ORM row."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session, select

from store.cases import create_case
from store.db import session_scope
from store.desk import Desk
from store.desk.rows import CaseFilter
from store.errors import UserError
from store.models import CaseCreate, ReplyTarget
from tests.tui.conftest import NOW


@pytest.fixture
def desk(world: Any) -> Desk:
    return Desk(world.engine, world.config, clock=lambda: NOW)


def test_pages_hold_at_most_limit_rows(desk: Desk) -> None:
    first = desk.triage(offset=0, limit=4)
    second = desk.triage(offset=4, limit=4)
    assert len(first.rows) == 4 and first.total == 9 and second.offset == 4
    assert not {r.contact_id for r in first.rows} & {r.contact_id for r in second.rows}
    assert [r.occurred_at for r in first.rows] == sorted(
        (r.occurred_at for r in first.rows), reverse=True
    )
    for row in (*first.rows, *desk.cases(CaseFilter(status="all")).rows):
        assert dataclasses.is_dataclass(row)
        assert dataclasses.fields(row)  # plain, frozen values; no session attached


def test_an_exact_ref_is_found_among_many_similar_ones(desk: Desk, world: Any) -> None:
    with session_scope(world.engine) as s:
        for i in range(5, 80):
            create_case(
                session=s,
                case_in=CaseCreate(
                    ref=f"2026-{i:04d}", title="Vejvisning", opened_on=dt.date(2026, 3, 1)
                ),
            )
    hits = desk.search_cases("2026-0042")
    assert hits[0].label.startswith("2026-0042")
    # ... and a typo still reaches the ranking step.
    assert desk.search_cases("hansn")[0].detail.startswith("Hanne Hansen")


def test_whistleblower_cases_never_appear_in_general_lists(desk: Desk, world: Any) -> None:
    assert all(r.kind != "whistleblower" for r in desk.cases(CaseFilter(status="all")).rows)
    for q in ("hemmelig", "WB-2026", "kilde@example.dk", "Whistle Kilde"):
        assert desk.search(q) == (), q
    page = desk.followups()
    assert all(r.contact_id != world.ids["m_wb"] for r in page.rows)
    # ... nor in the count of the list: the whistleblower mail's targets are open.
    assert page.total == len(page.rows)
    with Session(desk.engine) as s:
        wb_open = s.exec(
            select(ReplyTarget).where(
                ReplyTarget.contact_id == world.ids["m_wb"], ReplyTarget.state == "open"
            )
        ).all()
    assert wb_open
    assert desk.case(world.ids["wb"]) is None
    assert desk.case(world.ids["wb"], allow_whistleblower=True) is not None
    assert [r.ref for r in desk.whistleblower().rows] == ["WB-2026-01"]


def test_data_version_moves_on_every_kind_of_change(desk: Desk, world: Any) -> None:
    v0 = desk.version()
    desk.add_note(world.ids["c1"], "note")
    v1 = desk.version()
    desk.classify(world.ids["c1"], "category", "Klage")
    v2 = desk.version()
    desk.dismiss([world.ids["t0"]], "spam")
    v3 = desk.version()
    assert len({v0, v1, v2, v3}) == 4


def test_commands_refuse_bad_input_with_one_line(desk: Desk, world: Any) -> None:
    with pytest.raises(UserError, match="reason"):
        desk.dismiss([world.ids["t0"]], "  ")
    with pytest.raises(UserError, match="not in the taxonomy"):
        desk.classify(world.ids["c1"], "category", "Nonsens")
    with pytest.raises(UserError, match="unknown contact kind"):
        desk.add_manual_contact(world.ids["c1"], "fax", "x")


def test_a_contact_hit_is_dated_by_its_copenhagen_day(engine: Any) -> None:
    """Stored UTC, shown in Copenhagen: a mail at 00:30 on 10 March (23:30 UTC on the
    9th) is dated the 10th, day first as the desk writes dates."""
    import datetime as dt

    from sqlmodel import Session

    from store.contacts import add_contact
    from store.desk.search import search_contacts
    from store.models import ContactCreate

    with Session(engine) as s:
        add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email",
                direction="in",
                summary="Natlig henvendelse",
                occurred_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
                counterpart="natugle@example.dk",
                source_ref="night",
            ),
        )
        s.commit()
        hits = search_contacts(session=s, query="natugle")
    assert [h.detail for h in hits] == ["natugle@example.dk · 10-03-2026"]
