"""A NUL (and other control characters) in a synced mail's headers and body: unlike typed
text, ingested mail is never refused. The raw message is kept byte for byte and its parsed
fields are made storable, on SQLite and PostgreSQL alike (CI's PostgreSQL pass runs the
store suite there; PostgreSQL refuses NUL in text, so a NUL reaching a text column would
fail the whole batch on every retry). Synced from pymap, in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.mail.embedded_server import EmbeddedServer
from ingest.mail.sync import sync_all
from store.config import Config
from store.config.mail import Mail, MailAccount
from store.models import Contact, EmailMessage

RAW = (
    b"From: Borger\x00 Hansen <borger@example.org>\r\nTo: advisor@example.dk\r\n"
    b"Subject: Klage\x00 over\x1b[2J afg\xc3\xb8relsen\r\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMessage-ID: <nul\x00@example.org>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Jeg\x00 har ikke f\xc3\xa5et svar.\r\n"
)


@pytest.fixture
def server() -> Iterator[EmbeddedServer]:
    srv = EmbeddedServer({"INBOX": [RAW], "Sent": []}).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_a_nul_in_a_mail_is_kept_raw_and_stored_safely(
    engine: Engine,
    odsherred_config: Config,
    server: EmbeddedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("store.secrets._keyring_get", lambda key: None)
    monkeypatch.setenv("BD_TEST_IMAP_PW", server.password)
    config = odsherred_config.model_copy(
        update={
            "mail": Mail(
                accounts=[
                    MailAccount(
                        name="advisor",
                        host=server.host,
                        port=server.port,
                        security="none",
                        username=server.username,
                        password_env="BD_TEST_IMAP_PW",
                        internal_domains=["example.dk"],
                    )
                ]
            )
        }
    )
    reports = sync_all(engine=engine, config=config)
    assert [r.error for r in reports] == [None, None]
    with Session(engine) as s:
        (msg,) = s.exec(select(EmailMessage)).all()
        assert msg.raw == RAW  # the mail as it came, NUL and all
        for text in (msg.subject, msg.from_addr, msg.message_id, msg.text):
            assert text is None or "\x00" not in text
        assert msg.subject is not None and "afgørelsen" in msg.subject
        (contact,) = s.exec(select(Contact)).all()
        assert contact.counterpart == "borger@example.org"
