"""A reply from the desk that has not gone is shown where the advisor reads: a mark in
Indbakke's and Svarfrister's subject column ("Svar afvist", "Svar i kø", "Svar usikkert"),
and the reason in the preview, Svarfrister's explanation (e) and the case's timeline.
Sent for real through aiosmtpd (a refused recipient) and pymap, and as the daemon's
failed retry (a server that is down); two snapshots of the marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import Session

from ingest.mail.embedded_server import free_port
from ingest.mail.reply_send import send_reply
from store.config import Config
from store.config.mail import Mail, MailAccount
from store.db import session_scope
from store.desk.rows import OutboxState
from store.outbox import queue
from store.outbox.compose import compose
from tests.tui.conftest import NOW, World, screen_text, wait_for, wait_shows
from tests.tui.test_flows import _open_case
from tui.i18n import set_language
from tui.reply_state import outbox_line
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import PreviewScreen
from tui.screens.followups import FollowupsScreen
from tui.screens.triage import TriageScreen

REFUSED = "550 5.1.1 <ukendt3@example.dk>: Recipient address rejected: User unknown"
DOWN = (
    "account raadgiver (SMTP smtp.example.dk:587): cannot connect (Connection refused); "
    "the reply stays queued and is retried"
)


def _queue(world: World, config: Config, contact_id: int) -> int:
    with session_scope(world.engine) as s:
        draft = compose(s, config, contact_id=contact_id, template="kvittering", now=NOW)
    return queue.enqueue(world.engine, draft).id


def _row(screen: Any, contact_id: int) -> Any:
    return next((r for r in screen.rows if r.contact_id == contact_id), None)


async def _cursor_to(pilot: Any, screen: Any, contact_id: int) -> None:
    await wait_for(pilot, lambda: _row(screen, contact_id) is not None)
    screen.table.move_cursor(
        row=next(i for i, r in enumerate(screen.rows) if r.contact_id == contact_id)
    )
    await pilot.pause()


async def test_a_refused_reply_is_marked_on_the_list_with_the_servers_words(
    world: World, mailed: Any
) -> None:
    app, _srv, smtp = mailed
    cid = world.ids["t3"]
    smtp.sink.refuse.add("ukendt3@example.dk")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        await _cursor_to(pilot, screen, cid)
        assert _row(screen, cid).outbox is None
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Afvist af serveren" in screen_text(app), timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        # The list reloaded behind the composer: the row says so, in words.
        await wait_for(pilot, lambda: getattr(_row(screen, cid), "outbox", None) is not None)
        state = _row(screen, cid).outbox
        assert state.state == "failed" and "550 5.1.1" in state.reason
        assert "Svar afvist · " in screen_text(app)
        assert _row(screen, cid).reply.status == "overdue"  # not met: nothing went
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Svar afvist: afvist af serveren og sendes ikke igen" in text
        assert "Årsag: account raadgiver (SMTP 127.0.0.1:" in text
        assert "recipient ukendt3@example.dk refused (550" in text and "User unknown" in text
        # A new reply after a refused one: the reason is shown, no "two mails" warning.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Svar afvist: afvist af serveren" in text and "allerede et svar" not in text
    assert len(smtp.sink.received) == 0


async def test_a_failed_retry_is_queued_with_its_reason_on_svarfrister_and_the_case(
    world: World, mailed: Any
) -> None:
    app, _srv, smtp = mailed
    cid = world.ids["m_hanne"]
    acct = app.replies.config.mail.accounts[0]
    dead = app.replies.config.model_copy(
        update={"mail": Mail(accounts=[acct.model_copy(update={"smtp_port": free_port()})])}
    )
    outbox_id = _queue(world, dead, cid)
    # The daemon's retry, while the server is down: queued again, with the reason.
    res = send_reply(world.engine, dead, outbox_id)
    assert res.state == "queued" and "cannot connect" in (res.error or "")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FollowupsScreen) and bool(app.screen.rows)
        )
        screen = app.screen
        await _cursor_to(pilot, screen, cid)
        assert _row(screen, cid).outbox.state == "queued"
        assert "Svar i kø · " in screen_text(app)
        await pilot.press("e")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Svar i kø: ikke sendt endnu; prøves igen" in text and "(forsøg 1)" in text
        assert "Årsag: account raadgiver (SMTP 127.0.0.1:" in text
        assert "cannot connect (Connection refused)" in text
        # Another acknowledgement now would be a second mail: the composer says so.
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Der ligger allerede et svar til denne henvendelse i udbakken" in text
        assert "Svar i kø: ikke sendt endnu" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowupsScreen))
        await pilot.press("1")
        await _open_case(pilot, "2026-0001")
        assert isinstance(app.screen, CaseDetailScreen)
        await wait_shows(pilot, "Svar i kø: ikke sendt endnu")
    # The server is back: the daemon sends it; the lists lose the mark.
    with Session(world.engine) as s:
        row = s.get(queue.ReplyOutbox, outbox_id)
        assert row is not None
        row.next_attempt_at = None
        s.add(row)
        s.commit()
    assert send_reply(world.engine, app.replies.config, outbox_id).state == "sent"
    with session_scope(world.engine) as s:
        from store.desk.replies import outbox_states

        assert outbox_states(s, [cid]) == {}
    assert len(smtp.sink.received) == 1


async def test_the_daemons_next_failed_retry_reaches_an_open_desk(world: World) -> None:
    """A retry changes no case, contact or audit entry, only the outbox row: the desk's
    change probe must see it, or the list would keep the old attempt and reason."""
    from store.desk import Desk
    from tui.app import DeskApp

    acct = MailAccount(
        name="raadgiver",
        host="127.0.0.1",
        username="r@odsherred.dk",
        password_env="BD_TEST_NO_SUCH_PW",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        from_address="raadgiver@odsherred.dk",
    )
    dead = world.config.model_copy(update={"mail": Mail(accounts=[acct])})
    cid = world.ids["m_hanne"]
    outbox_id = _queue(world, dead, cid)
    assert send_reply(world.engine, dead, outbox_id).state == "queued"
    app = DeskApp(Desk(world.engine, world.config, clock=lambda: NOW), poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FollowupsScreen) and bool(app.screen.rows)
        )
        screen = app.screen
        await _cursor_to(pilot, screen, cid)
        await pilot.press("e")
        await wait_for(pilot, lambda: "(forsøg 1)" in screen_text(app))
        with Session(world.engine) as s:  # its backoff has passed
            row = s.get(queue.ReplyOutbox, outbox_id)
            assert row is not None
            row.next_attempt_at = None
            s.add(row)
            s.commit()
        assert send_reply(world.engine, dead, outbox_id).state == "queued"
        await wait_for(pilot, lambda: "(forsøg 2)" in screen_text(app), timeout=10)


def test_the_reason_in_english_and_an_uncertain_reply() -> None:
    o = OutboxState(outbox_id=7, state="uncertain", reason="", attempts=1, retry_at=None)
    assert outbox_line(o).plain.startswith(
        "Svar usikkert: uvist om det nåede frem; se efter det i Sendt post"
    )
    assert "'borgerdesk outbox --resend 7' eller '--was-sent 7'" in outbox_line(o).plain
    set_language("en")
    try:
        q = OutboxState(
            outbox_id=3,
            state="queued",
            reason="421 try later \x1b[31m",
            attempts=2,
            retry_at=dt.datetime(2026, 3, 10, 8, 5, tzinfo=dt.UTC),
        )
        # The server's words as plain text: the terminal escape is shown, not obeyed.
        assert outbox_line(q).plain == (
            "Reply queued: not sent yet; next try 10/03 09:05 "
            "(attempt 2) Reason: 421 try later ␛[31m"
        )
        assert outbox_line(o).plain.startswith("Reply uncertain: unknown whether it arrived")
    finally:
        set_language("da")


# ------------------------------------------------------------------------- snapshots


@pytest.fixture
def marked(world: World) -> World:
    """t3's acknowledgement refused by the server; Hanne's waiting for a retry (made
    through the outbox's own functions, with fixed times and reasons)."""
    acct = MailAccount(
        name="raadgiver",
        host="imap.example.dk",
        username="r@odsherred.dk",
        smtp_host="smtp.example.dk",
        from_address="raadgiver@odsherred.dk",
    )
    config = world.config.model_copy(update={"mail": Mail(accounts=[acct])})
    refused = _queue(world, config, world.ids["t3"])
    queue.claim(world.engine, refused)
    queue.fail(world.engine, refused, REFUSED)
    waiting = _queue(world, config, world.ids["m_hanne"])
    queue.claim(world.engine, waiting)
    queue.release(world.engine, waiting, DOWN, now=NOW)
    return world


def _at(contact_key: str, *keys: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.status is not None and bool(app.screen.rows))
        for k in keys:
            await pilot.press(k)
            await wait_for(pilot, lambda: bool(getattr(app.screen, "rows", None)))
        cid = app.desk_ids[contact_key]
        await _cursor_to(pilot, app.screen, cid)
        await pilot.pause(0.1)

    return run_before


def test_snapshot_indbakke_marks_a_refused_reply(
    marked: World, make_app: Any, snap_compare: Any
) -> None:
    """Indbakke at 120x40, the cursor on the third hostile subject (t3): its subject
    starts with the red "Svar afvist · " mark; every other row as in the plain Indbakke
    snapshot, and the key bar with the reply keys (a Notér kvittering, r Svar,
    h Send kvittering, N Ny henvendelse) before "… ? Hjælp"."""
    app = make_app()
    app.desk_ids = marked.ids
    assert snap_compare(app, terminal_size=(120, 40), run_before=_at("t3"))


def test_snapshot_svarfrister_explains_a_queued_reply(
    marked: World, make_app: Any, snap_compare: Any
) -> None:
    """Svarfrister at 80x24, the cursor on Hanne's mail, the explanation open (e): the
    subject starts with the yellow "Svar i kø · " mark, and under the due-time
    explanation "Svar i kø: ikke sendt endnu; prøves igen 10/03 11:01 (forsøg 1) Årsag:
    account raadgiver (SMTP smtp.example.dk:587): cannot connect …" (plain text: the
    reason is the program's words). The key bar keeps a, r and h."""
    app = make_app()
    app.desk_ids = marked.ids
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at("m_hanne", "3", "e"))
