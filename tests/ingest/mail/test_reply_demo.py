"""The demo can send: its submission sink files a reply in the embedded server's Sent
folder; the target is met at once, and the next sync stores nothing twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from borgerdesk.commands.demo import PASSWORD_ENV, demo_config_text
from ingest.mail.embedded_server import EmbeddedServer
from ingest.mail.embedded_smtp import SubmissionSink
from ingest.mail.reply_send import send_reply
from ingest.mail.sync import sync_all
from store.config import load_config_text
from store.models import Contact, EmailMessage, ReplyTarget
from store.outbox import queue
from store.outbox.compose import compose
from tests.ingest.mail.corpus import mail


def test_the_demo_sink_files_the_reply_in_sent(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = mail(
        1,
        sender="karen@example.org",
        subject="Hjælp til ansøgning",
        when=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
    )
    with EmbeddedServer({"INBOX": [citizen], "Sent": []}) as srv:
        monkeypatch.setenv(PASSWORD_ENV, srv.password)
        sink = SubmissionSink(srv).start()
        try:
            text = demo_config_text(
                "odsherred",
                port=srv.port,
                username=srv.username,
                inbox=tmp_path,
                smtp_port=sink.port,
            )
            config = load_config_text(text, "demo")
            sync_all(engine=engine, config=config)
            with Session(engine) as s:
                cid = s.scalars(select(Contact.id).where(Contact.direction == "in")).one()
                draft = compose(s, config, contact_id=cid, template="kvittering")
            result = send_reply(engine, config, queue.enqueue(engine, draft).id)
            assert result.state == "sent", result.error
            assert len(srv.dump()["Sent"]) == 1
            with Session(engine) as s:
                assert s.scalars(select(ReplyTarget.state)).one() == "met"
            sync_all(engine=engine, config=config)
            with Session(engine) as s:
                n = s.scalar(
                    select(func.count())
                    .select_from(EmailMessage)
                    .where(EmailMessage.message_id == result.message_id)
                )
                assert n == 1
        finally:
            sink.stop()


def test_the_sink_wants_the_demo_password(tmp_path: Path) -> None:
    import smtplib

    with EmbeddedServer({"Sent": []}) as srv:
        sink = SubmissionSink(srv).start()
        try:
            with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
                with pytest.raises(smtplib.SMTPAuthenticationError):
                    smtp.login(srv.username, "wrong")
                smtp.mail("a@example.dk")
                smtp.rcpt("b@example.org")
                assert smtp.data(b"Subject: x\r\n\r\nx\r\n")[0] == 530
            assert srv.dump()["Sent"] == []
        finally:
            sink.stop()
