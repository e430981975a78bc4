"""Defects found by QA on the desk's screens, each pinned by a test that failed before
its fix: the cursor after an action, dialog dropdowns, Danish text, NO_COLOR, quitting,
dates."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from tests.tui.conftest import case_shown, screen_text, wait_for
from tests.tui.test_flows import _open_case
from tui.messages import CaseLoaded, DetailLoaded
from tui.screens.cases import CasesScreen
from tui.screens.followups import FollowupsScreen
from tui.screens.forms import NewCaseDialog
from tui.screens.triage import TriageScreen


async def _triage_ready(pilot: Any) -> TriageScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
    return app.screen  # type: ignore[no-any-return]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_new_case_dropdowns_show_their_options(make_app: Any, size: tuple[int, int]) -> None:
    """The dialog's list style (height: 1fr) once matched the Select's overlay too (an
    OptionList): the dropdown opened with no room, and down+enter picked an unseen value."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _triage_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        dialog = app.screen
        dialog.query_one("#department").focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Børn, Unge og Familier" in text and "Erhverv, Teknik og Kultur" in text
        await pilot.press("escape")
        dialog.query_one("#category").focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Vejledning" in text and "Klage" in text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_new_case_dialog_says_how_to_save(make_app: Any, size: tuple[int, int]) -> None:
    """Enter only moves to the next field and the key bar is hidden under the dialog: the
    form itself names the keys that create the case and cancel (as bound)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _triage_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.pause(0.05)
        assert "Enter: næste felt · ^s: opret sagen · esc: fortryd" in screen_text(app)


# ---------------------------------------------------------------- the cursor after an action


async def test_triage_cursor_stays_in_place_after_an_action(world: Any, make_app: Any) -> None:
    """x on row 6 takes that contact out of the list: the cursor stays on row 6, now the
    next contact, not back on row 1 (the next key would act on a contact not chosen)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        ids = [r.contact_id for r in screen.rows]
        assert len(ids) >= 8
        await pilot.press(*"jjjjj")
        assert screen.current().contact_id == ids[5]  # type: ignore[union-attr]
        await pilot.press("x", *"reklame", "enter")
        await wait_for(pilot, lambda: ids[5] not in [r.contact_id for r in screen.rows])
        cur = screen.current()
        assert cur is not None and cur.contact_id == ids[6]
        # The last row acted on: the cursor stays on the new last row.
        await pilot.press("end")
        last = screen.current()
        assert last is not None and last.contact_id == screen.rows[-1].contact_id
        await pilot.press("x", *"spam", "enter")
        await wait_for(pilot, lambda: last.contact_id not in [r.contact_id for r in screen.rows])
        cur = screen.current()
        assert cur is not None and cur.contact_id == screen.rows[-1].contact_id


async def test_followups_cursor_stays_in_place_after_an_action(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FollowupsScreen) and len(app.screen.rows) > 3
        )
        screen = app.screen
        ids = [r.target_id for r in screen.rows]
        await pilot.press("down", "down")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press("enter")  # the acknowledgement form: now, no note
        await wait_for(pilot, lambda: ids[2] not in [r.target_id for r in screen.rows])
        cur = screen.current()
        assert cur is not None and cur.target_id == ids[3]


async def test_cases_cursor_stays_in_place_when_a_case_leaves_the_list(
    world: Any, make_app: Any
) -> None:
    """Closing a case in its detail view takes it off the open list: back on the list the
    cursor is where it was (on the next case), not on the first."""
    import datetime as dt

    from sqlmodel import Session

    from store.cases import create_case
    from store.models import CaseCreate
    from tui.screens.cases import CasesScreen

    with Session(world.engine) as s:
        for i in range(4):
            create_case(
                session=s,
                case_in=CaseCreate(
                    ref=f"2026-01{i:02}",
                    title=f"Ekstra {i}",
                    department="Andet",
                    category="Vejledning",
                    opened_on=dt.date(2026, 3, 5),
                ),
            )
        s.commit()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CasesScreen) and len(app.screen.rows) >= 6
        )
        screen = app.screen
        ids = [r.case_id for r in screen.rows]
        await pilot.press("down", "down", "enter")
        await wait_for(
            pilot,
            lambda: case_shown(app),
        )
        detail = app.screen
        await pilot.press("s")
        await wait_for(pilot, lambda: detail.detail.closed_on is not None)
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: app.screen is screen and ids[2] not in [r.case_id for r in screen.rows]
        )
        cur = screen.current()
        assert cur is not None and cur.case_id == ids[3]


# ---------------------------------------------------------------- Danish text in the desk


async def test_case_history_names_fields_in_danish(world: Any, make_app: Any) -> None:
    from tests.tui.test_flows import _open_case

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await _open_case(pilot, "2026-0001")
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen is not detail)
        await pilot.press("enter", "k", "enter")
        await wait_for(pilot, lambda: app.screen.query_one("#category").value == "Klage")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: detail.detail.category == "Klage")
        await pilot.press("w")
        await wait_for(pilot, lambda: detail.detail.wanted_to_complain)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Kategori: Vejledning → Klage" in text
        assert "Kom for at klage: nej → ja" in text
        assert "category:" not in text and "wanted_to_complain" not in text


async def test_search_hits_name_state_and_kind_in_danish(world: Any, make_app: Any) -> None:
    from tui.screens.dialogs import SearchDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _triage_ready(pilot)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchDialog))
        dialog = app.screen
        await pilot.press(*"Jens Jensen")
        await wait_for(pilot, lambda: len(dialog._hits) >= 2)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Jens Jensen  borger" in text
        assert "Jens Jensen · Andet · lukket" in text
        from textual.widgets import OptionList

        ol = dialog.query_one(OptionList)
        prompts = [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]
        assert any(p.endswith("Jens Jensen · Børn, Unge og Familier · åben") for p in prompts)
        assert "citizen" not in text and "closed" not in text


def test_hours_left_unit_follows_the_language() -> None:
    from tui import i18n
    from tui.render import hours_text

    assert hours_text(-88.6) == "-88:36 t"
    assert hours_text(1.9999) == "2:00 t"  # not "1:00 t": minutes round up into the hour
    i18n.set_language("en")
    try:
        assert hours_text(-88.6) == "-88:36 h"
    finally:
        i18n.set_language("da")


async def test_theme_picker_prompt_is_danish(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _triage_ready(pilot)
        app.search_themes()
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "Søg efter et farvetema" in text and "Search for themes" not in text


async def test_palette_lists_quit_once(make_app: Any) -> None:
    from tui.commands import DeskCommands

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        names = [name for name, _tip, _cb in DeskCommands(screen, None)._entries()]
        names += [cmd.title for cmd in app.get_system_commands(screen)]
        assert names.count("Afslut") == 1, names


# ----------------------------------------------------- the header, with or without colour


def _luma(c: Any) -> float:
    r, g, b = c.get_truecolor()
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
async def test_header_text_stands_out_from_the_bar(
    make_app: Any, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every word of the status bar is drawn in a colour well apart from its background
    (the bar had no text colour: its text was drawn in the bar's colour)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_for(pilot, lambda: app.status is not None and app.status.open_alerts > 0)
        await pilot.pause(0.1)
        strip = next(iter(app.screen._compositor.render_strips()))
        words = [s for s in strip if s.text.strip() and s.text.strip() != "│"]
        assert "borgerdesk" in words[0].text and any("Advarsler" in s.text for s in words)
        for seg in words:
            style = seg.style
            assert style is not None and style.color is not None and style.bgcolor is not None
            # Without colour only lightness tells text from bar; with it, red on the dark
            # bar reads by its hue though its lightness is close.
            apart = 0.35 if no_color else 0.1
            assert abs(_luma(style.color) - _luma(style.bgcolor)) > apart, (seg.text, style)


# ---------------------------------------------------------------- quitting


async def test_a_result_arriving_while_the_app_quits_is_dropped(make_app: Any) -> None:
    """Textual closes an app's leftover widgets (the installed case screen, popped) in its
    registry's order, a set's: a case loaded by a live reload while the app quits can
    reach the screen after its Statics closed, and the exit ended in a NoMatches
    traceback. Here the screen's widgets close first, then the result arrives."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_case(pilot, "2026-0001")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen))
        close_all = app._close_all

        async def widgets_first() -> None:
            for widget in list(screen.query(Static)):
                await widget._close_messages()
            screen.load(lambda: DetailLoaded(screen.detail))
            await screen.workers.wait_for_complete()
            await close_all()

        app._close_all = widgets_first  # type: ignore[method-assign]
    assert app.return_code in (0, None)


async def test_quitting_just_as_a_case_opens_ends_cleanly(world: Any, make_app: Any) -> None:
    """The case screen is installed and pushed with its case; when the app exits before
    the screen ever ran, Textual closes it with its widgets in its registry's order, and
    the screen's mount then looked for a widget already closed: a traceback at exit (stop
    25's CI failure, after the team desk test's own error shut its app down)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _triage_ready(pilot)
        detail = app.desk.case(world.ids["c1"], allow_whistleblower=False)
        app.on_case_loaded(CaseLoaded(detail, False, app._version))
    assert app.return_code in (0, None)


# ---------------------------------------------------------------- dates far from today


def test_day_time_names_the_year_when_it_is_not_near() -> None:
    import datetime as dt

    from tui.render import day_time

    now = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)
    assert day_time(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC), now) == "20/11 09:00"
    assert day_time(dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC), now) == "01/04/2026"
    assert day_time(dt.datetime(2025, 12, 30, 8, 0, tzinfo=dt.UTC), now) == "30/12/2025"
    assert day_time(dt.datetime(2027, 1, 5, 8, 0, tzinfo=dt.UTC), now) == "05/01/2027"


async def test_followups_show_the_year_of_a_due_date_long_past(make_app: Any) -> None:
    import datetime as dt

    later = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)
    app = make_app(clock=lambda: later)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowupsScreen) and app.screen.rows)
        await pilot.pause(0.1)
        # The list, not the header: its last-sync time ("10/03 10:55") is a recent
        # moment and shows whenever the probe has answered.
        text = "\n".join(screen_text(app).splitlines()[1:])
        assert "/03/2026" in text and "/03 " not in text
