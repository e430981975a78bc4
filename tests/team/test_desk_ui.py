"""The team desk's UI on the real PostgreSQL: a desk (the app, as one advisor's role)
sees another desk's (another role's) assignment and link through LISTEN/NOTIFY, with no
polling at all; presence shows who else has a case open and clears; a stale edit and an
assignment to a person removed meanwhile are refused in one Danish line. How fast a change
shows (the 1 s target) is measured in benchmarks/bench_team_live.py, not asserted here: a
timed test fails on a loaded machine (1.24 s once, in a CI run beside other load)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlmodel import Session

from store.db import make_engine
from store.desk import Desk
from store.models import Case
from store.team.roles import remove_user
from tests.tui.conftest import NOW, build_world, case_shown, make_config, screen_text, wait_for
from tui.app import DeskApp
from tui.messages import LiveChanged
from tui.screens.assign import AssignDialog
from tui.screens.cases import CasesScreen
from tui.screens.triage import TriageScreen


def _desk(url: str) -> Desk:
    return Desk(make_engine(url), make_config(), clock=lambda: NOW)


def _app(desk: Desk) -> DeskApp:
    app = DeskApp(desk, poll_seconds=0)  # no polling at all: only the listener
    app.heartbeat_seconds = 3600  # no tick within a test: only what it does itself
    return app


def test_assign_and_link_on_one_desk_show_on_another_without_polling(
    pg_url: str, person: Callable[[str], str]
) -> None:
    asyncio.run(_assign_and_link(pg_url, person))


async def _assign_and_link(pg_url: str, person: Callable[[str], str]) -> None:
    ids = build_world(pg_url, make_config())
    anne, bo = _desk(person("advisor")), _desk(person("advisor"))
    app = _app(bo)
    app.ui_state.set("scope", "mine")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            assert app.team
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, TriageScreen) and app.screen.data_version is not None
                ),
            )
            triage = app.screen
            assert triage.rows == [] and "Mine" in screen_text(app)  # nothing is mine yet
            await pilot.press("2")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, CasesScreen) and app.screen.data_version is not None,
            )
            cases = app.screen
            assert cases.rows == []
            await pilot.pause(0.3)  # the listener is connected
            anne.assign_case(ids["c1"], bo.me())
            await wait_for(pilot, lambda: [r.case_id for r in cases.rows] == [ids["c1"]])
            await wait_for(pilot, lambda: app.mine is not None)
            # Back to Alle on Indbakke; Anne links a waiting mail: it leaves Bo's list.
            await pilot.press("1")
            await wait_for(pilot, lambda: app.screen is triage)
            await pilot.press("m", "m")  # mine -> unassigned -> all
            await wait_for(pilot, lambda: ids["m_new"] in {r.contact_id for r in triage.rows})
            await pilot.pause(0.2)
            anne.link([ids["m_new"]], ids["c2"])
            await wait_for(pilot, lambda: ids["m_new"] not in {r.contact_id for r in triage.rows})
        assert app._live is not None and not app._live.is_alive()  # stopped on exit
    finally:
        anne.engine.dispose()
        bo.engine.dispose()


def test_presence_and_refusals_in_the_case_view(pg_url: str, person: Callable[[str], str]) -> None:
    asyncio.run(_presence_and_refusals(pg_url, person))


async def _presence_and_refusals(pg_url: str, person: Callable[[str], str]) -> None:
    ids = build_world(pg_url, make_config())
    anne, bo = _desk(person("advisor")), _desk(person("advisor"))
    carl_url = person("advisor")
    carl = make_engine(carl_url).url.username
    case_id = ids["c1"]
    app = _app(bo)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
            app.open_case(case_id)
            await wait_for(
                pilot,
                lambda: case_shown(app),
            )
            screen = app.screen
            box = screen.query_one("#presence")
            await wait_for(pilot, lambda: anne.others_on_case(case_id) == [bo.me()])
            # Anne opens it too: Bo sees her, and no longer when she closes it.
            assert anne.open_case_presence(case_id) == [bo.me()]
            await wait_for(
                pilot, lambda: box.display and f"Også åben hos: {anne.me()}" in screen_text(app)
            )
            anne.close_case_presence(case_id)
            await wait_for(pilot, lambda: not box.display)
            # Answering a presence notification writes nothing: a heartbeat there would
            # notify the other desk, which would answer in turn, without end.
            spy = anne.change_listener()
            assert spy is not None
            try:
                app.post_message(LiveChanged(frozenset({"presence"})))
                await pilot.pause(0.5)
                assert "presence" not in spy.wait(0.3)
            finally:
                spy.close()
            # A stale edit: Bo starts excluding the case, Anne changes it meanwhile.
            await pilot.press("e")
            await pilot.pause(0.2)
            seen = screen.detail.version
            anne.toggle_complain(case_id, seen)
            await wait_for(pilot, lambda: screen.detail.version == seen + 1)  # live reload
            await pilot.press(*"dublet", "enter")
            await wait_for(
                pilot, lambda: any("blev ændret af" in n.message for n in app._notifications)
            )
            note = next(n.message for n in app._notifications if "blev ændret af" in n.message)
            assert f"{anne.me()} kl. " in note and "intet er gemt" in note
            assert app.screen is screen
            # Assigning to a colleague removed after the dialog listed him.
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog))
            dialog = app.screen
            options = dialog.query_one("#people")
            index = next(
                i
                for i in range(options.option_count)
                if options.get_option_at_index(i).id == f"p:{carl}"
            )
            owner = make_engine(pg_url)
            remove_user(owner, str(carl))
            owner.dispose()
            options.highlighted = index
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: any("er ikke med i teamet" in n.message for n in app._notifications)
            )
            # Back: Bo no longer has it open.
            await pilot.press("escape")
            await wait_for(pilot, lambda: anne.others_on_case(case_id) == [])
        with Session(anne.engine) as s:
            case = s.get(Case, case_id)
            assert case is not None and not case.excluded and case.wanted_to_complain
            assert case.assigned_to is None
    finally:
        anne.engine.dispose()
        bo.engine.dispose()
