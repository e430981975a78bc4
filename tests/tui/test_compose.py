"""The reply composer, pushed directly (the `r` bindings that open it belong to the
screens): prefilled from the template, edited, sent with ctrl+s through a real SMTP
server (aiosmtpd) and a real Sent folder (pymap); a contact without e-mail logs a
call-back instead."""

from __future__ import annotations

import datetime as dt
import email
import time
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session
from textual.app import App
from textual.widgets import Checkbox, Input, TextArea

from ingest.mail.embedded_server import EmbeddedServer
from ingest.mail.reply_send import send_reply
from store.cases import create_case
from store.config import Config
from store.config.mail import Mail, MailAccount
from store.db import make_engine, session_scope
from store.desk.replies import ReplyDesk
from store.models import CaseCreate, Contact, PartyCreate, ReplyTarget
from store.parties import create_party
from tests.servers.smtp import smtp_server
from tests.tui.conftest import _call, _mail, make_config
from tui.screens.compose import ComposeScreen

AT = dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)


class Host(App[None]):
    def __init__(self, screen: ComposeScreen) -> None:
        super().__init__()
        self.compose_screen = screen
        self.result: Any = "open"

    def on_mount(self) -> None:
        self.push_screen(self.compose_screen, callback=self._done)

    def _done(self, value: Any) -> None:
        self.result = value


async def _until_closed(pilot: Any, app: Host, timeout: float = 10.0) -> None:
    """Wait for the dialog to close with a result. Not `app.workers.wait_for_complete()`:
    the send worker closes the dialog from inside itself (call_from_thread), and closing a
    screen cancels its workers, so awaiting that worker can raise WorkerCancelled."""
    screen = app.compose_screen
    end = time.monotonic() + timeout
    while app.result == "open":
        if time.monotonic() > end:
            raise AssertionError(f"still open: {screen.query_one('#err').render()}")
        await pilot.pause(0.02)


@pytest.fixture
def world(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    srv = EmbeddedServer({"INBOX": [], "Sent": []}).start()
    monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
    with smtp_server(tmp_path / "smtp", srv.password) as smtp:
        acct = MailAccount(
            name="raadgiver",
            host=srv.host,
            port=srv.port,
            security="none",
            username=srv.username,
            password_env="BD_TEST_IMAP_PW",
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            ca_file=smtp.ca,
            from_address="raadgiver@odsherred.dk",
            folders=["INBOX", "Sent"],
        )
        config: Config = make_config().model_copy(update={"mail": Mail(accounts=[acct])})
        engine = make_engine(db_url)
        with session_scope(engine) as s:
            hanne = create_party(
                session=s,
                party_in=PartyCreate(
                    name="Hanne Ærø Hansen", emails=["hanne@example.dk"], phones=["+4540112233"]
                ),
            )
            case = create_case(
                session=s,
                case_in=CaseCreate(
                    ref="2026-0001",
                    title="Boligstøtte",
                    opened_on=dt.date(2026, 3, 2),
                    party_id=hanne.id,
                ),
            )
            ids = {
                "mail": _mail(
                    s,
                    config,
                    at=AT,
                    sender="hanne@example.dk",
                    subject="Spørgsmål om boligstøtte",
                    body="Hej\nHvornår?",
                    ref="h1",
                    case_id=case.id,
                ),
                "call": _call(
                    s,
                    config,
                    at=AT,
                    number="+4540112233",
                    status="missed",
                    dur=0,
                    ref="k1",
                    case_id=case.id,
                ),
            }
        replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
        yield replies, smtp, engine, ids
        engine.dispose()
    srv.stop()


async def test_prefilled_edited_and_sent_with_ctrl_s(world: Any) -> None:
    replies, smtp, engine, ids = world
    preview = replies.quick_acknowledge(ids["mail"])
    app = Host(ComposeScreen(replies, preview))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert screen.query_one("#to", Input).value == "hanne@example.dk"
        assert screen.query_one("#subject", Input).value == "Sv: Spørgsmål om boligstøtte"
        body = screen.query_one("#body", TextArea)
        assert body.text.startswith("Kære Hanne\n")
        body.text = body.text.replace("Tak for din henvendelse", "Tak for din mail")
        screen.query_one("#quote", Checkbox).value = True
        await pilot.press("ctrl+s")
        await _until_closed(pilot, app)
        assert app.result.state == "sent"
    [raw] = smtp.sink.received
    msg = email.message_from_bytes(raw, policy=default)
    text = msg.get_content().replace("\r\n", "\n")
    assert "Tak for din mail" in text and "> Hvornår?" in text
    with Session(engine) as s:
        states = s.scalars(
            select(ReplyTarget.state).where(ReplyTarget.contact_id == ids["mail"])
        ).all()
        assert states and set(states) == {"met"}


async def test_no_email_offers_a_call_back(world: Any) -> None:
    replies, smtp, engine, ids = world
    preview = replies.preview(ids["call"])
    assert preview.to is None
    app = Host(ComposeScreen(replies, preview))
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#note", Input).value = "Ringet op, svar i næste uge"
        await pilot.press("ctrl+s")
        await _until_closed(pilot, app)
    assert isinstance(app.result, int)
    with Session(engine) as s:
        c = s.get(Contact, app.result)
        assert c is not None and c.channel == "phone" and c.direction == "out"
    assert smtp.sink.received == []


async def test_a_refused_recipient_keeps_the_dialog_open_and_says_why(world: Any) -> None:
    replies, smtp, _engine, ids = world
    smtp.sink.refuse.add("nobody@example.dk")
    app = Host(ComposeScreen(replies, replies.quick_acknowledge(ids["mail"])))
    async with app.run_test(size=(100, 40)) as pilot:
        app.screen.query_one("#to", Input).value = "nobody@example.dk"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.result == "open"
        assert "550" in str(app.screen.query_one("#err").render())
