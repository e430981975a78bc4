"""`borgerdesk reply` and `borgerdesk outbox` through the console script, and kill -9 of
the sending process at each step: nothing is ever submitted twice, nothing is lost."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ingest.mail.reply_send import process_outbox, recover
from ingest.mail.sync import sync_all
from store.config import load_config
from store.models import Contact, EmailMessage, ReplyOutbox, ReplyTarget
from tests.ingest.mail.corpus import mail
from tests.servers.smtp import SmtpServer, smtp_server

SCRIPT = Path(sys.executable).parent / "borgerdesk"


def _toml(srv: Any, smtp_port: int, ca: Path, **extra: str) -> str:
    more = "".join(f'{k} = "{v}"\n' for k, v in extra.items())
    return f"""
language = "da"
[[mail.accounts]]
name = "advisor"
host = "{srv.host}"
port = {srv.port}
security = "none"
username = "{srv.username}"
password_env = "BD_TEST_IMAP_PW"
internal_domains = ["example.dk"]
folders = ["INBOX", "Sent"]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
ca_file = "{ca}"
from_address = "advisor@example.dk"
{more}"""


class World:
    def __init__(self, srv: Any, smtp: SmtpServer, tmp: Path, url: str, engine: Engine) -> None:
        self.srv, self.smtp, self.tmp, self.url, self.engine = srv, smtp, tmp, url, engine
        self.cfg_path = tmp / "config.toml"
        self.write()

    def write(self, port: int | None = None, **extra: str) -> None:
        text = _toml(self.srv, port or self.smtp.port, self.smtp.ca, **extra)
        self.cfg_path.write_text(text, "utf-8")

    @property
    def config(self) -> Any:
        return load_config(self.cfg_path)[0]

    def argv(self, *args: str) -> list[str]:
        return [str(SCRIPT), "--config", str(self.cfg_path), "--db", self.url, *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, timeout=120, env=_env(self.tmp)
        )

    def contact_id(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalars(select(Contact.id).where(Contact.direction == "in")).one())

    def count(self, model: Any, *where: Any) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def states(self) -> list[str]:
        with Session(self.engine) as s:
            return list(s.scalars(select(ReplyOutbox.state).order_by(ReplyOutbox.id)))


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "xdg")}


@pytest.fixture
def world(
    make_server: Any, password_env: Any, engine: Engine, db_url: str, tmp_path: Path
) -> Iterator[World]:
    citizen = mail(
        1,
        sender="soren@example.org",
        subject="Spørgsmål om hjemmehjælp",
        when=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    srv = make_server({"INBOX": [citizen], "Sent": []})
    password_env(srv)
    with smtp_server(tmp_path / "smtp", srv.password) as smtp:
        w = World(srv, smtp, tmp_path, db_url, engine)
        sync_all(engine=engine, config=w.config)
        yield w


def test_dry_run_prints_the_message_and_changes_nothing(world: World) -> None:
    res = world.run(
        "reply",
        str(world.contact_id()),
        "--template",
        "kvittering",
        "--dry-run",
        "--expected",
        "2026-12-22",
    )
    assert res.returncode == 0, res.stderr
    msg = email.message_from_string(res.stdout, policy=default)
    assert msg["In-Reply-To"] == "<msg1@example.org>" and msg["Message-ID"].startswith("<")
    assert str(msg["Subject"]) == "Sv: Spørgsmål om hjemmehjælp"
    assert "senest tirsdag den 22. december" in msg.get_content()
    assert world.count(ReplyOutbox) == 0 and world.smtp.sink.received == []


def test_send_prints_the_message_id_then_outbox_lists_it(world: World) -> None:
    res = world.run("reply", str(world.contact_id()), "--template", "kvittering")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("sendt: <") and res.stdout.strip().endswith("@example.dk>")
    assert world.count(ReplyTarget, ReplyTarget.state == "met") == 1
    listed = world.run("outbox", "--format", "json")
    [row] = json.loads(listed.stdout)
    assert row["state"] == "sent" and row["template"] == "kvittering"
    assert row["message_id"] == res.stdout.split(": ", 1)[1].strip()
    human = world.run("outbox")
    assert "sendt" in human.stdout and "soren@example.org" in human.stdout


# Refused before anything is queued or sent. One world for all of them (each is a process
# of its own): a server and a database per case cost more than the cases.
BAD_INPUT = [
    (["reply", "x1"], "CONTACT_ID 'x1': not an id"),
    (["reply", "1", "--template", "nope"], "no reply template 'nope'"),
    (["reply", "1", "--to", "a@b\nBcc: c@d", "--dry-run"], "line break"),
    (["reply", "1", "--expected", "31-02-2026", "--dry-run"], "--expected"),
    (["reply", "999", "--dry-run"], "999"),
    # Addresses a parser reads otherwise (markup, two @, a comment) or too long.
    (["reply", "1", "--to", "[bold]x[/]@x.dk", "--dry-run"], "is not an e-mail address"),
    (["reply", "1", "--to", "a@b@x.dk", "--dry-run"], "is not an e-mail address"),
    (["reply", "1", "--to", "a(b)@x.dk", "--dry-run"], "is not an e-mail address"),
    (["reply", "1", "--to", "x" * 100 + "@x.dk", "--dry-run"], "too long"),
    (["reply", "1", "--expected", "01-01-1999", "--dry-run"], "before today"),
    (["outbox", "--format", "xml"], "--format 'xml'"),
    (["outbox", "--resend", "5"], "no reply 5 in the outbox"),
]


def test_bad_input_is_one_line_exit_2(world: World) -> None:
    wrong = []
    for args, words in BAD_INPUT:
        res = world.run(*args)
        one_line = len(res.stderr.strip().splitlines()) == 1
        if res.returncode != 2 or words not in res.stderr or not one_line:
            wrong.append(f"{args!r}: exit {res.returncode}, {res.stdout!r} {res.stderr!r}")
        assert "Traceback" not in res.stderr, (args, res.stderr)
        assert world.count(ReplyOutbox) == 0, args
    assert not wrong, "\n".join(wrong)


def test_a_second_reply_while_the_first_is_queued_is_refused(world: World) -> None:
    """The server is down: the first reply stays queued for the daemon's retry; the same
    template again would give the citizen the same letter twice, so it is refused."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        world.write(port=closed.getsockname()[1])  # nothing listens there
    cid = str(world.contact_id())
    first = world.run("reply", cid)
    assert first.returncode == 1 and world.states() == ["queued"], first.stderr
    second = world.run("reply", cid)
    assert second.returncode == 2, (second.stdout, second.stderr)
    assert "already in the outbox (#1, queued)" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert world.states() == ["queued"]
    # Another template (a delay notice) is a different letter: it may be queued.
    assert world.run("reply", cid, "--template", "forsinkelse").returncode == 1
    assert world.states() == ["queued", "queued"]


def test_no_submission_settings_name_the_keys(world: World) -> None:
    world.cfg_path.write_text(
        world.cfg_path.read_text("utf-8").replace('smtp_host = "127.0.0.1"\n', ""), "utf-8"
    )
    res = world.run("reply", str(world.contact_id()))
    assert res.returncode == 2
    assert "mail.accounts[].smtp_host" in res.stderr and len(res.stderr.splitlines()) == 1


def _kill_at(world: World, *, hold: str | None, tarpit: socket.socket | None = None) -> None:
    """Start `reply`, wait until the SMTP server holds it at `hold` (or the tarpit got its
    connection), kill -9 it, then let the server finish what it was doing."""
    if tarpit is not None:
        world.write(port=tarpit.getsockname()[1])
    world.smtp.sink.hold = hold
    proc = subprocess.Popen(
        world.argv("reply", str(world.contact_id())),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(world.tmp),
    )
    conn: socket.socket | None = None
    try:
        if tarpit is not None:
            # Connected; it waits for a greeting that never comes. The connection stays open
            # until the kill: closed first, the child would read EOF, release the reply with
            # a backoff, and the test would race that instead of a crash.
            conn, _ = tarpit.accept()
        else:
            assert world.smtp.sink.reached.wait(60), proc.communicate(timeout=5)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        if conn is not None:
            conn.close()
    world.smtp.sink.release.set()
    world.write()


def test_kill_before_any_byte_left_is_sent_once_later(world: World) -> None:
    with socket.socket() as tarpit:
        tarpit.bind(("127.0.0.1", 0))
        tarpit.listen(1)
        tarpit.settimeout(60)
        _kill_at(world, hold=None, tarpit=tarpit)
    # Killed once it had connected: it had claimed the reply ("sending", committed before
    # the connect) and sent nothing; recovery queues it again, due at once.
    assert world.states() == ["sending"]
    [r] = recover(world.engine, world.config, older_than=dt.timedelta(0))
    assert r.state == "queued"
    assert [x.state for x in process_outbox(world.engine, world.config)] == ["sent"]
    assert len(world.smtp.sink.received) == 1


def test_kill_during_data_is_never_sent_twice(world: World) -> None:
    _kill_at(world, hold="DATA")
    assert world.states() == ["handed"]
    # The server took it after all (it had the whole message): the citizen has it once.
    results = recover(world.engine, world.config, older_than=dt.timedelta(0))
    assert [r.state for r in results] == ["uncertain"]
    process_outbox(world.engine, world.config)
    assert world.states() == ["uncertain"]
    res = world.run("outbox")
    assert "usikker" in res.stdout and "check Sent" in res.stdout
    # The advisor finds it in Sent (or hears from the citizen): nothing more is sent.
    decided = world.run("outbox", "--was-sent", "1")
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout.strip() == "svar 1: sendt"
    assert world.states() == ["sent"]
    assert len(world.smtp.sink.received) <= 1


def test_kill_after_the_server_accepted_is_found_in_sent(world: World) -> None:
    # Like Microsoft 365: the server files the submission in Sent itself.
    world.smtp.sink.deliver = lambda raw: _file_in_sent(world.srv, raw)
    world.write(save_to_sent="never")
    _kill_at(world, hold="QUIT")
    assert world.states() == ["handed"]
    results = recover(world.engine, world.config, older_than=dt.timedelta(0))
    assert [r.state for r in results] == ["sent"]
    assert world.count(ReplyTarget, ReplyTarget.state == "met") == 1
    assert len(world.smtp.sink.received) == 1
    sync_all(engine=world.engine, config=world.config)
    mid = results[0].message_id
    assert world.count(EmailMessage, EmailMessage.message_id == mid) == 1
    assert world.count(Contact, Contact.direction == "out") == 1


def _file_in_sent(srv: Any, raw: bytes) -> None:
    if hasattr(srv, "deliver"):
        srv.deliver("Sent", raw)
    else:
        srv.append("Sent", raw)
