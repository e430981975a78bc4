"""Alert e-mail over a real SMTP server (aiosmtpd) with STARTTLS and a verified
certificate: overdue alerts go at once, the morning digest goes on working days only and
once a day; logs never carry addresses in full."""

from __future__ import annotations

import datetime as dt
import email
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine

from ingest.daemon.logs import LogfmtFormatter, redact
from ingest.daemon.scheduler import Daemon
from store.errors import UserError
from tests.daemon.helpers import add_target, count, make_config
from tests.daemon.tls import make_certs

PASSWORD = "s3cret-smtp-pw"


@dataclass
class Mailbox:
    messages: list[email.message.Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    ca: Path
    box: Mailbox


@pytest.fixture
def smtp_server(tmp_path: Path, unused_port: int) -> Iterator[SmtpServer]:
    ca, cert, key = make_certs(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = Mailbox()

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        if ok:
            box.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=unused_port,
        tls_context=ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield SmtpServer(port=unused_port, ca=ca, box=box)
    finally:
        controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unused_port() -> int:
    return _free_port()


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _smtp_config(srv: SmtpServer, pw_file: Path) -> str:
    return (
        "[daemon.smtp]\n"
        f'host = "127.0.0.1"\nport = {srv.port}\nsecurity = "starttls"\n'
        f'ca_file = "{srv.ca}"\nusername = "advisor"\npassword_file = "{pw_file}"\n'
        'sender = "borgerdesk@example.dk"\nto = "advisor@example.dk"\n'
        'digest_at = "08:00:00"\n'
    )


@pytest.fixture
def pw_file(tmp_path: Path) -> Path:
    p = tmp_path / "smtp-password"
    p.write_text(PASSWORD + "\n")
    p.chmod(0o600)
    return p


T0 = dt.datetime(2024, 3, 25, 7, 0, tzinfo=dt.UTC)  # Monday of Easter week, 08:00 CET


def test_overdue_alert_is_mailed_at_once_due_soon_is_not(
    engine: Engine, smtp_server: SmtpServer, pw_file: Path
) -> None:
    clock = Clock(T0)
    cfg = make_config(_smtp_config(smtp_server, pw_file))
    add_target(
        engine,
        received=T0 - dt.timedelta(days=3),
        due=T0 - dt.timedelta(hours=1),
        due_soon=T0 - dt.timedelta(hours=9),
        ref="m1",
        counterpart="knud@example.dk",
    )
    add_target(
        engine,
        received=T0,
        due=T0 + dt.timedelta(hours=4),
        due_soon=T0 - dt.timedelta(minutes=1),
        ref="m2",
    )
    d = Daemon(engine=engine, config=cfg, clock=clock)
    d.evaluate_job()
    assert len(smtp_server.box.messages) == 1
    msg = smtp_server.box.messages[0]
    body = msg.get_payload()
    assert "Reply overdue" in msg["Subject"] and "email" in body
    assert "knud" not in body and "knud" not in msg["Subject"]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert smtp_server.box.logins == ["advisor"]
    d.evaluate_job()
    assert len(smtp_server.box.messages) == 1  # never twice
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE emailed_at IS NOT NULL") == 1


def test_smtp_failure_is_retried(engine: Engine, smtp_server: SmtpServer, pw_file: Path) -> None:
    """The SMTP server unreachable: nothing is marked sent, and the next evaluation sends."""
    add_target(
        engine,
        received=T0 - dt.timedelta(days=3),
        due=T0 - dt.timedelta(hours=1),
        due_soon=T0 - dt.timedelta(hours=9),
        ref="m1",
    )
    down = make_config(
        _smtp_config(smtp_server, pw_file).replace(
            f"port = {smtp_server.port}", f"port = {_free_port()}"
        )
    )
    Daemon(engine=engine, config=down, clock=Clock(T0)).evaluate_job()
    assert smtp_server.box.messages == []
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE emailed_at IS NULL") == 1
    good = make_config(_smtp_config(smtp_server, pw_file))
    Daemon(engine=engine, config=good, clock=Clock(T0 + dt.timedelta(minutes=1))).evaluate_job()
    assert len(smtp_server.box.messages) == 1
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE emailed_at IS NULL") == 0


def test_untrusted_certificate_is_refused(
    engine: Engine, smtp_server: SmtpServer, pw_file: Path, tmp_path: Path
) -> None:
    other_ca, _, _ = make_certs(
        tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path
    )
    text = _smtp_config(smtp_server, pw_file).replace(str(smtp_server.ca), str(other_ca))
    add_target(
        engine,
        received=T0 - dt.timedelta(days=3),
        due=T0 - dt.timedelta(hours=1),
        due_soon=T0 - dt.timedelta(hours=9),
        ref="m1",
    )
    Daemon(engine=engine, config=make_config(text), clock=Clock(T0)).evaluate_job()
    assert smtp_server.box.messages == []
    assert count(engine, "SELECT COUNT(*) FROM alert WHERE emailed_at IS NULL") == 1


def test_digest_on_working_days_once(
    engine: Engine, smtp_server: SmtpServer, pw_file: Path
) -> None:
    cfg = make_config(_smtp_config(smtp_server, pw_file))
    add_target(
        engine,
        received=T0 - dt.timedelta(days=3),
        due=T0 - dt.timedelta(hours=1),
        due_soon=T0 - dt.timedelta(hours=9),
        ref="m1",
    )
    clock = Clock(T0)  # Monday 25 March 2024: a working day
    d = Daemon(engine=engine, config=cfg, clock=clock)
    assert d.digest_job() is True
    assert d.digest_job() is False  # once a day, also after a restart:
    assert Daemon(engine=engine, config=cfg, clock=clock).digest_job() is False
    digest = smtp_server.box.messages[-1]
    assert digest["Subject"] == "borgerdesk: today's follow-ups"
    assert "Reply overdue" in digest.get_payload()
    sent = len(smtp_server.box.messages)
    for day in (3, 4, 5, 6):  # Maundy Thursday, Good Friday, Saturday, Sunday
        clock.now = T0 + dt.timedelta(days=day)
        assert d.digest_job() is False
    clock.now = T0 + dt.timedelta(days=7)  # Easter Monday
    assert d.digest_job() is False
    assert len(smtp_server.box.messages) == sent
    clock.now = T0 + dt.timedelta(days=8)  # Tuesday 2 April
    assert d.digest_job() is True


def test_plain_smtp_refused_for_remote_host() -> None:
    with pytest.raises(UserError, match="loopback"):
        make_config(
            '[daemon.smtp]\nhost = "smtp.example.dk"\nsecurity = "none"\n'
            'sender = "a@example.dk"\nto = "b@example.dk"\n'
        )


def test_log_lines_mask_addresses_and_numbers() -> None:
    assert redact("from knud.hansen@example.dk at +4522334455") == (
        "from k***@example.dk at +45****4455"
    )
    rec = logging.LogRecord(
        "borgerdesk.daemon", logging.INFO, __file__, 1, "mail from %s", ("Knud@Example.dk",), None
    )
    rec.fields = {"to": "22 33 44 55", "count": 12}  # type: ignore[attr-defined]
    line = LogfmtFormatter(journal=True, timestamps=False).format(rec)
    assert line == (
        '<6>level=info logger=borgerdesk.daemon event="mail from k***@example.dk" '
        "to=223****4455 count=12"
    )


def _subject(msg: email.message.Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(msg["Subject"])))


def _two_overdue(engine: Engine) -> None:
    for ref in ("m1", "m2"):
        add_target(
            engine,
            received=T0 - dt.timedelta(days=3),
            due=T0 - dt.timedelta(hours=1),
            due_soon=T0 - dt.timedelta(hours=9),
            ref=ref,
        )


@pytest.mark.parametrize(
    ("language", "subject", "line", "more", "digest"),
    [
        (
            "",
            "borgerdesk: 2 advarsler",
            "Svarfrist overskredet: ikke knyttet til en sag, mail, frist 25-03-2024 07:00",
            "… og 1 til; se dem alle i borgerdesk (Svarfrister)",
            "borgerdesk: dagens opfølgning",
        ),
        (
            'language = "en"\n',
            "borgerdesk: 2 alerts",
            "Reply overdue: not linked to a case, email, due 2024-03-25 07:00",
            "… and 1 more; see them all in borgerdesk (Follow-ups)",
            "borgerdesk: today's follow-ups",
        ),
    ],
    ids=["danish-by-default", "english-when-chosen"],
)
def test_alert_mail_speaks_the_configured_language(
    engine: Engine,
    smtp_server: SmtpServer,
    pw_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    subject: str,
    line: str,
    more: str,
    digest: str,
) -> None:
    """Danish unless the config says English: subject, sentences, channel words, the
    date as the language writes it, and the line for alerts past the mail's limit."""
    from ingest.daemon import channels
    from store.config import load_config_text

    monkeypatch.setattr(channels, "MAIL_MAX_LINES", 1)
    cfg = load_config_text(
        f'municipality = "Testkommune"\n{language}' + _smtp_config(smtp_server, pw_file), "test"
    )
    _two_overdue(engine)
    d = Daemon(engine=engine, config=cfg, clock=Clock(T0))
    d.evaluate_job()
    (msg,) = smtp_server.box.messages
    assert _subject(msg) == subject
    assert msg.get_payload(decode=True).decode("utf-8").splitlines() == [line, more]
    assert d.digest_job() is True
    sent = smtp_server.box.messages[-1]
    assert _subject(sent) == digest
    assert sent.get_payload(decode=True).decode("utf-8").splitlines() == [line, line]
