"""The team desk's UI on SQLite (the logic is the same as on PostgreSQL, where
`tests/team/test_desk_ui.py` runs two desks against one server): the lists' scope
(Mine / Ikke tildelt / Alle), assigning with one key, the header's own counts, a stale
edit refused in Danish with the screen reloaded. A SQLite desk is a single advisor's,
so there the team keys are hidden; these tests switch the app to a team desk."""

from __future__ import annotations

import threading
from typing import Any

from sqlmodel import Session, select

from store.audit import os_user
from store.desk import Desk
from store.desk.team import Scope
from store.models import AuditLog, Case, Contact
from tests.tui.conftest import NOW, case_shown, screen_text, wait_for
from tui.screens.assign import AssignDialog
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.cases import CasesScreen
from tui.screens.stats import StatsScreen
from tui.screens.triage import TriageScreen
from tui.widgets.keybar import KeyBar
from tui.widgets.statusbar import StatusBar


def _team(app: Any) -> Any:
    app.team = True  # as on PostgreSQL; the person is the OS user here
    return app


def _keys(app: Any) -> str:
    return str(app.screen.query_one(KeyBar).render())


def test_lists_are_scoped_by_assignee(world: Any) -> None:
    """The store side of the scope: triage, cases and follow-ups."""
    desk = Desk(world.engine, world.config, clock=lambda: NOW)
    me, ids = os_user(), world.ids
    desk.assign_case(ids["c1"], me)
    desk.assign_contact(ids["t0"], me)

    def cases(scope: Scope) -> set[int]:
        return {r.case_id for r in desk.cases(_all(), scope=scope).rows}

    assert cases(Scope.mine) == {ids["c1"]}
    assert ids["c1"] not in cases(Scope.unassigned) and ids["c2"] in cases(Scope.unassigned)
    assert cases(Scope.everyone) == cases(Scope.mine) | cases(Scope.unassigned)
    mine = desk.triage(scope=Scope.mine)
    assert [r.contact_id for r in mine.rows] == [ids["t0"]] and mine.total == 1
    assert mine.rows[0].assigned_to == me
    everyone = desk.triage()
    assert desk.triage(scope=Scope.unassigned).total == everyone.total - 1
    followups = desk.followups(scope=Scope.mine)
    # The open targets on my work: my triage contact's, and my case's (the case's
    # assignee owns its contacts' targets).
    assert {r.contact_id for r in followups.rows} >= {ids["t0"]}
    assert followups.total == len(followups.rows)
    assert all(r.case_id in (None, ids["c1"]) for r in followups.rows)
    rest = desk.followups(scope=Scope.unassigned).total
    assert followups.total + rest == desk.followups().total


def _all() -> Any:
    from store.desk.rows import CaseFilter

    return CaseFilter(status="all")


async def test_sqlite_desk_hides_the_team_keys(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
        assert "Tildel" not in _keys(app) and "Mine/alle" not in _keys(app)
        await pilot.press("t")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, AssignDialog)
        assert "Mine:" not in str(app.screen.query_one(StatusBar).render())


async def test_assign_with_one_key_then_scope_mine(world: Any, make_app: Any) -> None:
    app = _team(make_app())
    me = os_user()
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
        cases = app.screen
        keys = _keys(app)
        assert " m  Mine/alle " in keys and " t  Tildel " in keys
        case_id = cases.current().case_id
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog))
        dialog_text = screen_text(app)
        assert f"Mig ({me})" in dialog_text and "Ingen (ikke tildelt)" in dialog_text
        await pilot.press("enter")  # the first: me
        await wait_for(pilot, lambda: any(f"Tildelt {me}" in n.message for n in app._notifications))
        with Session(world.engine) as s:
            case = s.get(Case, case_id)
            assert case is not None and case.assigned_to == me
            entry = s.exec(select(AuditLog).where(AuditLog.action == "assign")).one()
            assert entry.entity_id == case.ref
        # Mine: only that case; the info line says so; the choice is remembered.
        await pilot.press("m")
        await wait_for(pilot, lambda: [r.case_id for r in cases.rows] == [case_id])
        assert "Mine" in str(cases.query_one("#pageinfo").render())
        assert app.ui_state.get("scope", "") == "mine"
        # The header counts my work.
        await wait_for(pilot, lambda: app.mine is not None)
        assert "Mine: " in str(cases.query_one(StatusBar).render())
        # Ikke tildelt: the case is gone from it; Alle: back.
        await pilot.press("m")
        await wait_for(
            pilot, lambda: case_id not in {r.case_id for r in cases.rows} and bool(cases.rows)
        )
        await pilot.press("m")
        await wait_for(
            pilot, lambda: case_id in {r.case_id for r in cases.rows} and len(cases.rows) > 1
        )
        # Unassign: nobody is the last choice.
        cases.table.move_cursor(row=[r.case_id for r in cases.rows].index(case_id))
        await pilot.pause(0.05)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog))
        await pilot.press("end", "enter")
        await wait_for(
            pilot, lambda: any("Ikke tildelt længere" in n.message for n in app._notifications)
        )
        with Session(world.engine) as s:
            case = s.get(Case, case_id)
            assert case is not None and case.assigned_to is None


async def test_assign_triage_contacts(world: Any, make_app: Any) -> None:
    app = _team(make_app())
    me = os_user()
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        triage = app.screen
        first, second = triage.rows[0].contact_id, triage.rows[1].contact_id
        await pilot.press("space", "space", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(f"Tildelt {me}" in n.message for n in app._notifications))
        with Session(world.engine) as s:
            for cid in (first, second):
                contact = s.get(Contact, cid)
                assert contact is not None and contact.assigned_to == me
        await pilot.press("m")
        await wait_for(pilot, lambda: {r.contact_id for r in triage.rows} == {first, second})
        await wait_for(pilot, lambda: app.mine is not None and app.mine.waiting == 2)
        assert "2 venter" in str(triage.query_one(StatusBar).render())


async def test_an_older_probe_never_overwrites_a_newer_one(world: Any, make_app: Any) -> None:
    """The start's probe reads her counts, is slow to finish, and a write here probes
    again: the slow one's older counts must not replace the newer ones in the header."""
    app = _team(make_app())
    real, calls, release = app.desk.mine_counts, [], threading.Event()

    def slow_first() -> Any:
        counts = real()
        calls.append(counts)
        if len(calls) == 1:
            release.wait(5)  # read before the write below, posted after it
        return counts

    app.desk.mine_counts = slow_first
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: len(calls) == 1)
        assert calls[0].waiting == 0
        app.desk.assign_contact(world.ids["t0"], os_user())
        app.changed_here()
        await wait_for(pilot, lambda: app.mine is not None and app.mine.waiting == 1)
        release.set()
        await pilot.pause(0.3)
        assert app.mine.waiting == 1


async def test_stale_edit_is_refused_in_danish_and_the_case_reloads(
    world: Any, make_app: Any
) -> None:
    app = make_app()
    other = Desk(world.engine, world.config, clock=lambda: NOW)  # another desk
    case_id = world.ids["c1"]
    async with app.run_test(size=(120, 40)) as pilot:
        # After the start's one probe (poll 0: no more), which would reload the case.
        await wait_for(
            pilot, lambda: isinstance(app.screen, TriageScreen) and app.status is not None
        )
        app.open_case(case_id)
        await wait_for(
            pilot,
            lambda: case_shown(app),
        )
        screen = app.screen
        seen = screen.detail.version
        other.toggle_complain(case_id)  # no probe runs here: this desk does not know
        await pilot.press("w")
        await wait_for(
            pilot, lambda: any("blev ændret af" in n.message for n in app._notifications)
        )
        note = next(n.message for n in app._notifications if "blev ændret af" in n.message)
        assert "intet er gemt" in note and "Traceback" not in note
        assert f"{os_user()} kl. " in note and "ændring" in note  # who, when, what
        await wait_for(pilot, lambda: screen.detail.version == seen + 1)
        assert screen.detail.wanted_to_complain  # the other desk's change, shown
        assert isinstance(app.screen, CaseDetailScreen)
    with Session(world.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None and case.wanted_to_complain and case.version == seen + 1


async def test_workload_per_person_in_statistik(world: Any, make_app: Any) -> None:
    Desk(world.engine, world.config, clock=lambda: NOW).assign_case(world.ids["c1"], "anne")
    app = _team(make_app())
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
        )
        await pilot.pause(0.1)
        await pilot.press("end")
        await pilot.pause(0.1)
        box = screen_text(app)
        assert "Arbejdsbyrde pr. person" in box and "anne" in box and "Ikke tildelt" in box


def test_classification_is_a_versioned_edit(world: Any) -> None:
    """Category, action and outcome set together bump the version like every other
    edit (they did not: a stale edit after one went through)."""
    import pytest

    from store.concurrency import StaleEdit
    from store.desk.rows import Classification

    desk = Desk(world.engine, world.config, clock=lambda: NOW)
    case_id = world.ids["c1"]
    before = desk.case(case_id)
    assert before is not None
    assert desk.set_classification(case_id, Classification("Udredning", None, None), before.version)
    after = desk.case(case_id)
    assert after is not None and after.version == before.version + 1
    with pytest.raises(StaleEdit):
        desk.toggle_complain(case_id, before.version)
    with pytest.raises(StaleEdit):
        desk.edit_classification(case_id, before.version, {"theme": None}, None, close=True)
    final = desk.case(case_id)
    assert final is not None and final.closed_on is None and not final.wanted_to_complain
