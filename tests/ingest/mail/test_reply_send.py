"""Replies through a real SMTP server (aiosmtpd: STARTTLS, AUTH PLAIN/LOGIN, XOAUTH2)
and a real Sent folder (pymap, and Dovecot where installed): the target met at once,
the Sent copy recognised by the next sync, failures classified, nothing sent twice."""

from __future__ import annotations

import datetime as dt
import email
from collections.abc import Iterator
from email.policy import default
from pathlib import Path
from typing import Any

import imapclient
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ingest.mail.reply_send import recover, send_reply
from ingest.mail.sync import sync_all
from store.config import Config
from store.models import AuditLog, Contact, EmailMessage, ReplyOutbox, ReplyTarget
from store.outbox import queue
from store.outbox.compose import compose
from tests.ingest.mail.corpus import mail
from tests.servers.smtp import SmtpServer, smtp_server


@pytest.fixture
def world(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine, tmp_path: Path
) -> Iterator[tuple[Any, SmtpServer, Any]]:
    citizen = mail(
        1,
        sender="soren@example.org",
        subject="Hjælp med ældrepleje",
        when=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    srv = make_server({"INBOX": [citizen], "Sent": []})
    password_env(srv)
    with smtp_server(tmp_path, srv.password) as smtp:

        def cfg(**kw: Any) -> Config:
            acct = {
                "smtp_host": smtp.host,
                "smtp_port": smtp.port,
                "ca_file": smtp.ca,
                "from_address": "advisor@example.dk",
                "from_name": "Borgerrådgiveren",
                "folders": ["INBOX", "Sent"],
            }
            acct.update(kw)
            return make_config(srv, **acct)  # type: ignore[no-any-return]

        yield srv, smtp, cfg


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _inbound(engine: Engine) -> Contact:
    with Session(engine) as s:
        return s.scalars(select(Contact).where(Contact.direction == "in")).one()


def _sent_folder(srv: Any) -> list[bytes]:
    c = imapclient.IMAPClient(srv.host, port=srv.port, ssl=False)
    c.login(srv.username, srv.password)
    try:
        c.select_folder("Sent", readonly=True)
        uids = c.search("ALL")
        return [v[b"BODY[]"] for v in c.fetch(uids, ["BODY.PEEK[]"]).values()] if uids else []
    finally:
        c.logout()


def _queue(engine: Engine, cfg: Config, template: str = "kvittering", **kw: Any) -> int:
    with Session(engine) as s:
        draft = compose(s, cfg, contact_id=_inbound(engine).id, template=template, **kw)
    return queue.enqueue(engine, draft).id


def test_round_trip_send_target_met_sync_no_duplicate(world: Any, engine: Engine) -> None:
    srv, smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    inbound = _inbound(engine)
    assert _count(engine, ReplyTarget, ReplyTarget.state == "open") == 1

    outbox_id = _queue(engine, cfg)
    result = send_reply(engine, cfg, outbox_id)

    assert result.state == "sent", result.error
    assert smtp.sink.logins == [("PLAIN", srv.username)]
    [got] = smtp.sink.messages
    assert got["In-Reply-To"] == "<msg1@example.org>"
    assert got["References"] == "<msg1@example.org>"
    assert got["Message-ID"] == result.message_id
    assert result.message_id.endswith("@example.dk>")
    assert "Auto-Submitted" not in got
    parsed = email.message_from_bytes(smtp.sink.received[0], policy=default)
    assert str(parsed["Subject"]) == "Sv: Hjælp med ældrepleje"
    assert str(parsed["From"]) == "Borgerrådgiveren <advisor@example.dk>"
    assert "Kære Borger" not in parsed.get_content()  # no party: "Kære borger"
    assert "senest " in parsed.get_content()
    # The target is met at once, by the stored outbound contact.
    with Session(engine) as s:
        target = s.scalars(select(ReplyTarget)).one()
        assert target.state == "met"
        out = s.get(Contact, target.met_by_contact_id)
        assert out is not None and out.direction == "out" and out.counterpart == "soren@example.org"
        assert out.case_id == inbound.case_id
        row = s.get(ReplyOutbox, outbox_id)
        assert row is not None and row.state == "sent" and row.email_id is not None
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "reply_outbox")).all()
        assert actions == ["reply.queue", "reply.send"]
    # The one deliberate write: the copy in Sent, byte for byte what was submitted.
    assert _sent_folder(srv) == [smtp.sink.received[0]]
    # The next sync meets it in Sent and stores nothing new.
    sync_all(engine=engine, config=cfg)
    assert _count(engine, EmailMessage, EmailMessage.message_id == result.message_id) == 1
    assert _count(engine, Contact, Contact.direction == "out") == 1
    # Sending again does nothing: the reply is sent.
    assert send_reply(engine, cfg, outbox_id).state == "sent"
    assert len(smtp.sink.received) == 1


def test_login_and_xoauth2(world: Any, engine: Engine, tmp_path: Path) -> None:
    srv, _smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    with smtp_server(tmp_path / "l", srv.password, exclude=("PLAIN",)) as login_only:
        c2 = make(smtp_port=login_only.port, ca_file=login_only.ca)
        assert send_reply(engine, c2, _queue(engine, c2)).state == "sent"
        assert login_only.sink.logins == [("LOGIN", srv.username)]
    with smtp_server(tmp_path / "x", "unused", exclude=("PLAIN", "LOGIN")) as oauth:
        # Microsoft 365 style: XOAUTH2 (the token msal would give is passed in), and
        # save_to_sent = "auto" appends nothing: the server files its own copy.
        c3 = make(
            smtp_port=oauth.port,
            ca_file=oauth.ca,
            auth="xoauth2",
            tenant_id="kommune.onmicrosoft.com",
            client_id="00000000-0000-0000-0000-000000000001",
        )
        res = send_reply(engine, c3, _queue(engine, c3), token=oauth.sink.token)
        assert res.state == "sent", res.error
        assert oauth.sink.logins == [("XOAUTH2", srv.username)]
    assert len(_sent_folder(srv)) == 1  # the first (password) reply's copy only


def test_implicit_tls_465(world: Any, engine: Engine, tmp_path: Path) -> None:
    srv, _smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    with smtp_server(tmp_path / "t", srv.password, implicit_tls=True) as tls:
        c2 = make(smtp_port=tls.port, ca_file=tls.ca, smtp_security="tls")
        res = send_reply(engine, c2, _queue(engine, c2))
        assert res.state == "sent", res.error
        assert len(tls.sink.received) == 1


def test_wrong_password_stays_queued_untrusted_cert_too(
    world: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _srv, smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    outbox_id = _queue(engine, cfg)
    res = send_reply(engine, cfg, outbox_id, password="wrong")
    assert res.state == "queued"
    assert res.error is not None and "login refused" in res.error and "\n" not in res.error
    assert "wrong" not in res.error
    untrusted = make(ca_file=None)
    with Session(engine) as s:
        s.get(ReplyOutbox, outbox_id).next_attempt_at = None  # type: ignore[union-attr]
    res = send_reply(engine, untrusted, outbox_id)
    assert res.state == "queued" and "certificate" in (res.error or "")
    assert smtp.sink.received == []


def test_refused_recipient_fails_with_the_servers_words(world: Any, engine: Engine) -> None:
    _srv, smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    smtp.sink.refuse.add("soren@example.org")
    res = send_reply(engine, cfg, _queue(engine, cfg))
    assert res.state == "failed"
    assert "550 5.1.1" in (res.error or "") and "User unknown" in (res.error or "")


def test_unreachable_is_retried_with_backoff_and_alerts(world: Any, engine: Engine) -> None:
    from ingest.mail.embedded_server import free_port
    from store.models import Alert

    _srv, _smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    dead = make(smtp_port=free_port())
    outbox_id = _queue(engine, dead)
    for attempt in range(1, queue.ALERT_AFTER + 1):
        res = send_reply(engine, dead, outbox_id)
        assert res.state == "queued" and "cannot connect" in (res.error or "")
        with Session(engine) as s:
            row = s.get(ReplyOutbox, outbox_id)
            assert row is not None and row.attempts == attempt
            assert row.next_attempt_at is not None
        assert queue.due(engine) == []  # waiting for its backoff
    assert _count(engine, Alert, Alert.kind == "reply_failing") == 1
    # The server is back: the daemon's pass sends it.
    future = dt.datetime.now(dt.UTC) + queue.MAX_BACKOFF + dt.timedelta(minutes=1)
    assert queue.due(engine, future) == [outbox_id]
    assert send_reply(engine, cfg, outbox_id).state == "sent"


def test_recover_finds_the_sent_copy_or_marks_uncertain(world: Any, engine: Engine) -> None:
    from ingest.mail.reply_send import copy_to_sent

    _srv, smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    # Three letters (one template's reply is refused while another is pending).
    in_sent = _queue(engine, cfg)
    lost = _queue(engine, cfg, "forsinkelse")
    early = _queue(engine, cfg, "afslutning")
    for i in (in_sent, lost, early):
        assert queue.claim(engine, i) is not None
    for i in (in_sent, lost):
        queue.handed(engine, i)  # then "the process died"
    with Session(engine) as s:
        raw = s.get(ReplyOutbox, in_sent).raw  # type: ignore[union-attr]
    copy_to_sent(cfg.mail.accounts[0], raw, dt.datetime.now(dt.UTC))
    assert recover(engine, cfg) == []  # a claim this young may still have its sender
    results = {r.outbox_id: r.state for r in recover(engine, cfg, older_than=dt.timedelta(0))}
    assert results == {in_sent: "sent", lost: "uncertain", early: "queued"}
    assert smtp.sink.received == []  # none was submitted again by the recovery
    with Session(engine) as s:
        assert s.scalars(select(ReplyTarget.state)).one() == "met"
        # Met as of the attempt that sent it, not as of the recovery (maybe next morning).
        out = s.scalars(select(Contact).where(Contact.direction == "out")).one()
        assert out.occurred_at == s.get(ReplyOutbox, in_sent).claimed_at  # type: ignore[union-attr]
    assert queue.due(engine) == [early]  # nothing of it went out: it goes again
    queue.decide(engine, lost, resend=True)
    assert send_reply(engine, cfg, lost).state == "sent"
    assert len(smtp.sink.received) == 1


def test_a_rewritten_sent_copy_is_recognised_by_message_id(world: Any, engine: Engine) -> None:
    """Microsoft 365 files the submission in Sent Items itself, with headers of its own:
    other bytes, the same Message-ID. The sync stores it once (the desk's row)."""
    srv, smtp, make = world

    def file_rewritten(raw: bytes) -> None:
        copy = b"X-MS-Exchange-Organization-SCL: -1\r\n" + raw
        (srv.deliver if hasattr(srv, "deliver") else srv.append)("Sent", copy)

    smtp.sink.deliver = file_rewritten
    cfg = make(save_to_sent="never")
    sync_all(engine=engine, config=cfg)
    res = send_reply(engine, cfg, _queue(engine, cfg))
    assert res.state == "sent"
    assert len(_sent_folder(srv)) == 1  # the server's copy only: nothing appended
    sync_all(engine=engine, config=cfg)
    assert _count(engine, EmailMessage, EmailMessage.message_id == res.message_id) == 1
    assert _count(engine, Contact, Contact.direction == "out") == 1


def test_the_daemon_sends_what_waits_and_the_alert_closes(world: Any, engine: Engine) -> None:
    from ingest.daemon.scheduler import Daemon
    from ingest.mail.embedded_server import free_port
    from store.alerts import count_open_alerts

    _srv, smtp, make = world
    cfg = make()
    sync_all(engine=engine, config=cfg)
    dead = make(smtp_port=free_port())
    outbox_id = _queue(engine, dead)
    for _ in range(queue.ALERT_AFTER):
        with Session(engine) as s:
            row = s.get(ReplyOutbox, outbox_id)
            assert row is not None
            row.next_attempt_at = None  # due now
            s.add(row)
            s.commit()
        send_reply(engine, dead, outbox_id)
    with Session(engine) as s:
        before = count_open_alerts(s)
        row = s.get(ReplyOutbox, outbox_id)
        assert row is not None
        row.next_attempt_at = None
        s.add(row)
        s.commit()
    Daemon(engine=engine, config=cfg).run_once()
    with Session(engine) as s:
        assert s.get(ReplyOutbox, outbox_id).state == "sent"  # type: ignore[union-attr]
        assert count_open_alerts(s) == before - 1
    assert len(smtp.sink.received) == 1
