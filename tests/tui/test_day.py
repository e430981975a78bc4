"""The advisor's day in the desk, driven by keys, each flow checked in the database:
a walk-in registered as a new case, an unclassified case saved only on purpose, a link
to a closed case, the sender's other mail linked with one key, a wrong link moved or
undone, "not a case" undone, two parties merged, the Indbakke filter remembered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from store.db import session_scope
from store.models import Case, Contact, Party, PartyCreate
from store.parties import create_party
from tests.tui.conftest import case_shown, screen_text, wait_for, wait_shows
from tests.tui.test_flows import _contact, _cursor_to, _open_case, _triage_ready
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.dialogs import LinkCaseDialog, PreviewScreen, TextPrompt
from tui.screens.dismissed import DismissedScreen
from tui.screens.followups import FollowupsScreen
from tui.screens.forms import (
    ChoiceDialog,
    NewCaseDialog,
    NewContactDialog,
    PartyDialog,
    PickContactDialog,
)
from tui.screens.triage import TriageScreen


def _case(world: Any, ref: str) -> Case:
    with Session(world.engine) as s:
        c = s.exec(select(Case).where(Case.ref == ref)).one()
        s.expunge(c)
        return c


async def _pick_dropdown(pilot: Any, dialog: Any, wid: str, downs: int) -> None:
    dialog.query_one(f"#{wid}").focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await wait_for(pilot, lambda: dialog.query_one(f"#{wid}").value is not None)
    await pilot.pause(0.05)


async def _new_contact_form(pilot: Any) -> NewContactDialog:
    """`N` on a ready Indbakke: the new-contact form (a walk-in, a call, a letter)."""
    app = pilot.app
    await _triage_ready(pilot)
    await pilot.press("N")
    await wait_for(pilot, lambda: isinstance(app.screen, NewContactDialog))
    return app.screen  # type: ignore[no-any-return]


async def test_walk_in_registered_as_a_new_case(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_contact_form(pilot)
        form.query_one("#when").value = "09-03-2026 10:30"  # DD-MM-YYYY HH:MM
        form.query_one("#summary").value = "Spurgte om handicapbil"
        form.query_one("#party-q").focus()
        await pilot.press(*"Walter Walk")
        await wait_for(pilot, lambda: form.query_one("#parties").option_count > 0)
        await pilot.press("enter")  # "Ny borger: Walter Walk"
        form.query_one("#new-phone").value = "+45 22 33 44 99"
        await pilot.press("ctrl+s")  # file it into a new case (the default)
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        case_form = app.screen
        assert case_form.query_one("#party").value == "Walter Walk"
        assert case_form.query_one("#opened").value == "09-03-2026"
        await _pick_dropdown(pilot, case_form, "department", 1)
        await _pick_dropdown(pilot, case_form, "category", 1)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: any(
                "oprettet" in n.message or "registreret" in n.message for n in app._notifications
            ),
        )
    with Session(world.engine) as s:
        c = s.exec(select(Contact).where(Contact.summary == "Spurgte om handicapbil")).one()
        assert (c.channel, c.direction) == ("meeting", "in")
        assert c.occurred_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 3, 9, 9, 30, tzinfo=dt.UTC)
        assert c.case_id is not None
        case = s.get(Case, c.case_id)
        party = s.get(Party, case.party_id)  # type: ignore[union-attr]
        assert case is not None and case.opened_on == dt.date(2026, 3, 9)
        assert party is not None and party.name == "Walter Walk"


async def test_walk_in_name_typed_fast_is_not_an_earlier_prefix_match(
    world: Any, make_app: Any
) -> None:
    """Enter right after the last key takes what the typed name found, not the person
    the first letters listed (Hanne Hansen for "Ha"): a new citizen is not filed on
    somebody else."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_contact_form(pilot)
        form.query_one("#party-q").focus()
        await pilot.press(*"Ha")
        await wait_for(pilot, lambda: any(h.label == "Hanne Hansen" for h in form._hits.values()))
        await pilot.press(*"x Zorrosen", "enter")
        await wait_for(pilot, lambda: form._shown == "Hax Zorrosen")
        await wait_for(pilot, lambda: not form.query_one("#parties").display)
        assert form.party is None
        await wait_shows(pilot, "Hax Zorrosen")


async def test_unclassified_case_needs_a_warning_and_a_second_save(
    world: Any, make_app: Any
) -> None:
    app = make_app()
    target = world.ids["m_new"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.press("ctrl+s")
        await wait_shows(pilot, "Uden kategori")
        assert isinstance(app.screen, NewCaseDialog)
        assert _contact(world, target).case_id is None
        await pilot.press("ctrl+s")  # on purpose
        await wait_for(pilot, lambda: _contact(world, target).case_id is not None)


async def test_link_to_a_closed_case_asks_and_reopens(world: Any, make_app: Any) -> None:
    app = make_app()
    target = world.ids["call"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        dialog = app.screen
        await pilot.press(*"2026-0003")
        await wait_for(pilot, lambda: any(h.tag == "closed" for h in dialog._hits.values()))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await wait_shows(pilot, "lukket")
        assert _contact(world, target).case_id is None  # nothing yet
        await pilot.press("g")  # reopen and link
        await wait_for(pilot, lambda: _contact(world, target).case_id == world.ids["c3"])
    assert _case(world, "2026-0003").closed_on is None


async def test_enter_right_after_typing_picks_the_typed_case(world: Any, make_app: Any) -> None:
    """Enter before the look-up of the last keys has answered waits for it: the open
    cases listed first (or a prefix's best match) are not what the advisor picked."""
    app = make_app()
    target = world.ids["call"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        dialog = app.screen
        await wait_for(pilot, lambda: bool(dialog._hits))  # the open cases, first
        await pilot.press(*"2026-0003", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await wait_shows(pilot, "2026-0003")
        assert _contact(world, target).case_id is None


async def test_sender_other_mail_linked_with_one_key(world: Any, make_app: Any) -> None:
    from tests.tui.conftest import _mail

    with session_scope(world.engine) as s:
        second = _mail(
            s,
            world.config,
            at=dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC),
            sender="ny.borger@example.dk",
            subject="Og en ting mere",
            body="…",
            ref="n2",
        )
    app = make_app()
    first = world.ids["m_new"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, first)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.press("ctrl+s", "ctrl+s")  # unclassified, on purpose
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await wait_shows(pilot, "Og en ting mere")
        await pilot.press("l")
        await wait_for(pilot, lambda: _contact(world, second).case_id is not None)
    assert _contact(world, second).case_id == _contact(world, first).case_id


async def test_wrong_link_moved_then_unlinked(world: Any, make_app: Any) -> None:
    app = make_app()
    mail = world.ids["m_hanne"]
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await _open_case(pilot, "2026-0001")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PickContactDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        dialog = app.screen
        await pilot.press(*"2026-0002")
        await wait_for(
            pilot, lambda: [h.id for h in dialog._hits.values()][:1] == [world.ids["c2"]]
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: _contact(world, mail).case_id == world.ids["c2"])
        await wait_for(
            pilot, lambda: detail.detail is not None and detail.detail.timeline_total == 0
        )
        assert "flyttet" in screen_text(app)  # the history says where it went
        await pilot.press("escape")  # back to Sager
        await _open_case_from_list(pilot, "2026-0002")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, PickContactDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("j")
        await wait_for(pilot, lambda: _contact(world, mail).case_id is None)


async def _open_case_from_list(pilot: Any, ref: str) -> CaseDetailScreen:
    from tui.screens.cases import CasesScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
    screen = app.screen
    idx = next(i for i, r in enumerate(screen.rows) if r.ref == ref)
    screen.table.move_cursor(row=idx)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: case_shown(app, ref),
    )
    return app.screen  # type: ignore[no-any-return]


async def test_not_a_case_undone(world: Any, make_app: Any) -> None:
    app = make_app()
    target = world.ids["t0"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"reklame", "enter")
        await wait_for(pilot, lambda: _contact(world, target).dismissed)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DismissedScreen) and app.screen.rows)
        await wait_shows(pilot, "reklame")
        await pilot.press("u")
        await wait_for(pilot, lambda: not _contact(world, target).dismissed)
        await pilot.press("escape")  # back to Indbakke
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TriageScreen)
                and any(r.contact_id == target for r in app.screen.rows)
            ),
        )


async def test_two_parties_merged_from_the_case(world: Any, make_app: Any) -> None:
    with session_scope(world.engine) as s:
        dup = create_party(
            session=s, party_in=PartyCreate(name="Hanne Hansen", phones=["40112233"])
        )
        dup_id = dup.id
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_case(pilot, "2026-0001")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PartyDialog))
        await wait_shows(pilot, "samme")  # the duplicate and why
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("j")
        await wait_for(pilot, lambda: any("lagt sammen" in n.message for n in app._notifications))
    with Session(world.engine) as s:
        assert s.get(Party, dup_id) is None  # merged away; its number is Hanne's now
        hanne = s.get(Party, _case(world, "2026-0001").party_id)
        assert hanne is not None
    from store.desk import Desk

    info = Desk(world.engine, world.config).party(hanne.id or 0)
    assert info is not None and any("40112233" in p for p in info.phones)


async def test_triage_filter_is_remembered_between_runs(
    world: Any, make_app: Any, tmp_path: Path
) -> None:
    from store.desk import Desk
    from tests.tui.conftest import NOW
    from tui.app import DeskApp

    state = tmp_path / "ui.json"

    def app() -> DeskApp:
        return DeskApp(
            Desk(world.engine, world.config, clock=lambda: NOW), poll_seconds=0, ui_state=state
        )

    first = app()
    async with first.run_test(size=(120, 40)) as pilot:
        await _triage_ready(pilot)
        assert "kun dem der skal besvares" not in screen_text(first)
        await pilot.press("f")  # only those owing a reply
        await wait_for(pilot, lambda: "kun dem der skal besvares" in screen_text(first))
    second = app()
    async with second.run_test(size=(120, 40)) as pilot:
        await _triage_ready(pilot)
        await wait_shows(pilot, "kun dem der skal besvares")
    assert oct(state.stat().st_mode & 0o777) == "0o600"


async def test_followups_enter_on_a_contact_without_case_opens_its_preview(
    world: Any, make_app: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowupsScreen) and app.screen.rows)
        screen = app.screen
        idx = next(i for i, r in enumerate(screen.rows) if r.case_id is None)
        screen.table.move_cursor(row=idx)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        bar = " ".join(screen_text(app).splitlines()[-1].split())
        assert "Tilknyt" in bar and "Ny sag" in bar and "Gem" not in bar


async def test_header_counts_overdue_now_without_a_daemon(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.status is not None)
        await pilot.pause(0.1)
        top = screen_text(app).splitlines()[0]
        assert f"Overskredet: {app.status.overdue}" in top and app.status.overdue > 0


async def test_statistik_names_and_counts_unclassified_cases(world: Any, make_app: Any) -> None:
    from tui.screens.stats import StatsScreen

    app = make_app()
    target = world.ids["m_new"]
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        await pilot.press("ctrl+s", "ctrl+s")  # unclassified, on purpose
        await wait_for(pilot, lambda: _contact(world, target).case_id is not None)
        await pilot.pause(0.2)
        if isinstance(app.screen, ChoiceDialog):
            await pilot.press("a")
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
        )
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Uden kategori" in text and "(none)" not in text
        assert "uden kategori i denne tabel" in text


def test_header_says_when_the_daemon_has_not_run() -> None:
    from store.desk.rows import Status
    from tui.widgets.statusbar import render_status

    now = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    never = render_status(
        "Indbakke",
        Status(sources=(), open_alerts=0, triage=3, overdue=2, daemon_late=True),
        demo=False,
        now=now,
    ).plain
    assert "Overskredet: 2" in never and "synkronisering har ikke kørt" in never
    assert "Advarsler" not in never  # none raised: the overdue count says it
    late = render_status(
        "Indbakke",
        Status(
            sources=(),
            open_alerts=0,
            triage=3,
            daemon_late=True,
            daemon_last_seen=now - dt.timedelta(hours=5),
        ),
        demo=False,
        now=now,
    ).plain
    assert "synkronisering kører ikke (sidst 10/03 06:00)" in late


def test_acknowledging_a_contact_with_no_deadline_says_so() -> None:
    from store.desk.rows import AckResult
    from tui.screens.filing import ack_text

    assert ack_text(AckResult(met=0, no_deadline=(5,))).startswith("Ingen svarfrist")
    assert ack_text(AckResult(met=2, no_deadline=(5,))) == "2 svarfrist(er) kvitteret; 1 uden frist"
    assert ack_text(AckResult(met=1, no_deadline=())) == "1 svarfrist(er) kvitteret"


async def test_indbakke_preview_explains_the_due_time(world: Any, make_app: Any) -> None:
    """Issue 16 §4: the preview says why the reply is due when it is, in the desk's
    language, the same text the follow-ups list shows for that target."""
    from store.replies.followups import explain

    app = make_app()
    target = world.ids["m_new"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        preview = app.screen.preview
        assert preview.reply is not None
        with session_scope(world.engine) as s:
            expected = explain(
                session=s,
                config=world.config,
                target_id=preview.reply.target_id,
                now=app.desk.now(),
                lang="da",
            )
        assert preview.explanation == expected
        assert "arbejdstimer" in expected  # Danish, the desk's language
        assert " ".join(expected.split())[:40] in " ".join(screen_text(app).split())


@pytest.mark.parametrize("key", ["m_new", "call"])
async def test_unknown_address_added_to_the_party_with_one_key(
    world: Any, make_app: Any, key: str
) -> None:
    """Issue 16 §3: linking a contact from an address or number the party lacks offers
    to add it; one key saves it, and a later contact from it finds the party and case."""
    from store.models import PartyEmail, PartyPhone
    from tests.tui.conftest import _call, _mail

    app = make_app()
    target = world.ids[key]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        dialog = app.screen
        await pilot.press(*"2026-0001")
        await wait_for(
            pilot, lambda: [h.id for h in dialog._hits.values()][:1] == [world.ids["c1"]]
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert _contact(world, target).case_id == world.ids["c1"]
        assert "Tilføj" in screen_text(app)
        await pilot.press("a")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceDialog))
        await pilot.pause(0.3)
    hanne = _case(world, "2026-0001").party_id
    with Session(world.engine) as s:
        emails = set(s.exec(select(PartyEmail.address).where(PartyEmail.party_id == hanne)))
        phones = set(s.exec(select(PartyPhone.number).where(PartyPhone.party_id == hanne)))
    at = dt.datetime(2026, 3, 10, 11, tzinfo=dt.UTC)
    with session_scope(world.engine) as s:
        if key == "call":
            assert "+4522334455" in phones
            later = _call(
                s,
                world.config,
                at=at,
                number="+4522334455",
                status="answered",
                dur=60,
                ref="k-later",
            )
        else:
            assert "ny.borger@example.dk" in emails
            later = _mail(
                s,
                world.config,
                at=at,
                sender="ny.borger@example.dk",
                subject="Endnu et spørgsmål",
                body="…",
                ref="n-later",
            )
    c = _contact(world, later)
    assert c.party_id == hanne and c.case_id == world.ids["c1"]
