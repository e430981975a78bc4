"""The reply keys on the desk's screens: Indbakke's quick acknowledgement (h) and reply
(r) on Indbakke, Svarfrister, the preview and a case open the composer; ctrl+s sends
through a real SMTP server (aiosmtpd) and files the copy in a real Sent folder (pymap).
The composer itself is tested in test_compose.py."""

from __future__ import annotations

import email
from email.policy import default
from typing import Any

from sqlmodel import Session, select
from textual.widgets import Input, Label

from store.models import ReplyTarget
from tests.tui.conftest import World, screen_text, wait_for
from tests.tui.test_flows import _open_case
from tui.app import DeskApp
from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import PreviewScreen
from tui.screens.followups import FollowupsScreen
from tui.screens.forms import PickContactDialog
from tui.screens.triage import TriageScreen


def target_states(world: World, contact_id: int) -> set[str]:
    with Session(world.engine) as s:
        return {
            t.state for t in s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == contact_id))
        }


async def test_quick_ack_from_indbakke_meets_the_target_in_two_keys(
    world: World, mailed: Any
) -> None:
    app, srv, smtp = mailed
    cid = world.ids["t3"]  # an unknown sender's mail, days overdue
    assert target_states(world, cid) == {"open"}
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        await wait_for(pilot, lambda: bool(screen.rows))
        row = next(i for i, r in enumerate(screen.rows) if r.contact_id == cid)
        screen.table.move_cursor(row=row)
        await pilot.pause()

        def status() -> str | None:
            r = next(r for r in screen.rows if r.contact_id == cid)
            return r.reply.status if r.reply else None

        assert status() == "overdue"
        keys = ["h", "ctrl+s"]  # the row selected: quick acknowledgement, send
        await pilot.press(keys[0])
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#to", Input).value == "ukendt3@example.dk"
        await pilot.press(keys[1])
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), timeout=15)
        assert len(keys) <= 3
        # The list shows it met at once (poll_seconds=0: no probe timer runs; the
        # composer's close probes itself).
        await wait_for(pilot, lambda: status() in ("met", "met_late"))
    assert target_states(world, cid) == {"met"}
    [raw] = smtp.sink.received
    sent = srv.dump()["Sent"]
    assert len(sent) == 1
    msg = email.message_from_bytes(sent[0].raw, policy=default)
    assert msg["To"] == "ukendt3@example.dk"
    assert msg["Message-ID"] == email.message_from_bytes(raw, policy=default)["Message-ID"]


async def test_r_from_svarfrister_opens_the_composer_with_the_address(
    world: World, mailed: Any
) -> None:
    app, _srv, smtp = mailed
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FollowupsScreen) and bool(app.screen.rows)
        )
        screen = app.screen
        assert isinstance(screen, FollowupsScreen)
        cid = world.ids["m_hanne"]
        row = next(i for i, r in enumerate(screen.rows) if r.contact_id == cid)
        screen.table.move_cursor(row=row)
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#to", Input).value == "hanne@example.dk"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowupsScreen))
    assert smtp.sink.received == []


async def test_help_lists_the_reply_keys(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
    assert "Send kvittering" in text and "Notér kvittering" in text and "Svar " in text


async def test_without_a_sender_the_composer_says_so_in_danish(world: World, mailed: Any) -> None:
    # The desk as other tests build it: no ReplyDesk given, so none can send.
    app = DeskApp(mailed[0].desk, poll_seconds=0.0)
    cid = world.ids["t3"]
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        await wait_for(pilot, lambda: bool(screen.rows))
        screen.table.move_cursor(
            row=next(i for i, r in enumerate(screen.rows) if r.contact_id == cid)
        )
        await pilot.pause()
        await pilot.press("enter")  # the preview; r there opens the composer too
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                "Der kan ikke sendes herfra" in str(app.screen.query_one("#err", Label).render())
            ),
        )
        assert isinstance(app.screen, ComposeScreen)
    assert target_states(world, cid) == {"open"}


async def test_r_on_a_case_replies_to_the_contact_picked(world: World, mailed: Any) -> None:
    app, _srv, _smtp = mailed
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await _open_case(pilot, "2026-0001")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PickContactDialog))
        await pilot.press("enter")  # the case's one contact: Hanne's mail
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#to", Input).value == "hanne@example.dk"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
