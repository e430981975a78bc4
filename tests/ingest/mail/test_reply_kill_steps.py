"""kill -9 of `borgerdesk reply` at each step of a send, stopped deterministically by the
fault-injection hook (ingest.mail.reply_send.crash_point, inert unless
BORGERDESK_TEST_KILL_REPLY names the step), then recovered the way the daemon and the
advisor would: `borgerdesk daemon --once` (a quarter of an hour later), and for a reply
left uncertain `borgerdesk outbox --was-sent`. Each time the citizen got exactly one
message (the aiosmtpd sink), Sent holds exactly one copy (pymap, and Dovecot where
installed), the outbox row ends `sent`, and the reply target is met exactly once, by the
one outbound contact."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from typing import Any

import imapclient
import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from ingest.mail.reply_send import KILL_ENV, KILL_STEPS
from store.models import Contact, EmailMessage, ReplyOutbox, ReplyTarget
from tests.ingest.mail.test_reply_cli import World, _env, world  # noqa: F401

# What a kill at each step leaves in the outbox, and how many messages had reached the
# server by then.
LEFT = {"queued": ("queued", 0), "accepted": ("handed", 1), "appended": ("handed", 1),
        "marked": ("sent", 1)}  # fmt: skip


def _sent_copies(srv: Any) -> list[bytes]:
    c = imapclient.IMAPClient(srv.host, port=srv.port, ssl=False)
    c.login(srv.username, srv.password)
    try:
        c.select_folder("Sent", readonly=True)
        uids = c.search("ALL")
        return [v[b"BODY[]"] for v in c.fetch(uids, ["BODY.PEEK[]"]).values()] if uids else []
    finally:
        c.logout()


def _run(w: World, *args: str) -> subprocess.CompletedProcess[str]:
    res = w.run(*args)
    assert res.returncode == 0, (args, res.stdout, res.stderr)
    return res


def _a_quarter_later(w: World) -> None:
    """The daemon runs after any live sender would have finished (queue.STALE_CLAIM)."""
    with Session(w.engine) as s:
        for row in s.scalars(select(ReplyOutbox)):
            if row.claimed_at is not None:
                s.execute(update(ReplyOutbox).where(ReplyOutbox.id == row.id).values(
                    claimed_at=row.claimed_at - dt.timedelta(minutes=16)))  # fmt: skip
        s.commit()


def _assert_once(w: World, killed_at: dt.datetime) -> None:
    assert w.states() == ["sent"]
    assert len(w.smtp.sink.received) == 1  # the citizen got it once
    assert _sent_copies(w.srv) == w.smtp.sink.received  # one copy in Sent, the same bytes
    with Session(w.engine) as s:
        [out] = s.scalars(select(Contact).where(Contact.direction == "out")).all()
        [target] = s.scalars(select(ReplyTarget)).all()
        assert target.state == "met" and target.met_by_contact_id == out.id
        # Met as of the send (before the kill), not as of the recovery.
        assert out.occurred_at <= killed_at
        row = s.scalars(select(ReplyOutbox)).one()
        [stored] = s.scalars(select(EmailMessage).where(EmailMessage.contact_id == out.id))
        assert row.email_id == stored.id and stored.message_id == row.message_id


@pytest.mark.parametrize("step", KILL_STEPS)
def test_kill_9_at_each_step_is_sent_once_and_recovered(world: World, step: str) -> None:  # noqa: F811
    env = {**_env(world.tmp), KILL_ENV: step}
    proc = subprocess.run(world.argv("reply", str(world.contact_id())), env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, (proc.stdout, proc.stderr)
    killed_at = dt.datetime.now(dt.UTC)
    state, reached = LEFT[step]
    assert world.states() == [state]
    assert len(world.smtp.sink.received) == reached

    _a_quarter_later(world)
    _run(world, "daemon", "--once")
    if step == "queued":  # nothing had left: the daemon's pass sent it
        killed_at = dt.datetime.now(dt.UTC)
    if step == "accepted":
        # The server took it, but nothing says so: not in Sent, so never sent again on
        # the program's own; the advisor is asked.
        assert world.states() == ["uncertain"]
        assert world.count(ReplyTarget, ReplyTarget.state == "met") == 0
        listed = _run(world, "outbox").stdout
        assert "usikker" in listed and "check Sent" in listed
        assert _run(world, "outbox", "--was-sent", "1").stdout.strip() == "svar 1: sendt"
    _assert_once(world, killed_at)
    # The next pass (sync meets the copy in Sent, outbox has nothing to do) adds nothing.
    _run(world, "daemon", "--once")
    _assert_once(world, killed_at)
    assert world.count(Contact, Contact.direction == "out") == 1
