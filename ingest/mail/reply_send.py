"""Sending a queued reply exactly once, and storing it as the case's outbound contact.

The order, each step committed before the next (store.outbox.queue has the states):
1. claim: queued -> sending;
2. SMTP up to the recipient; then `handed` is committed, then the message's data goes;
3. the Sent copy: IMAP APPEND (save_to_sent), the one deliberate write to the mailbox;
4. one transaction: the outbound e-mail contact on the case, its message row, the reply
   targets it meets (the ordinary reply rules), the outbox row `sent`, the audit entry.

A crash in 1-2 before `handed` leaves `sending`: no byte of the message left, so `recover`
queues it again. A crash after leaves `handed`: `recover` looks for the Message-ID in Sent
(EXAMINE and SEARCH, read-only): found, the reply was sent and step 4 is done now; not
found, it is `uncertain` and the advisor decides (`borgerdesk outbox --resend/--was-sent`).
The program never submits a message twice on its own. When the advisor says an uncertain
reply did arrive (`confirm_sent`), it is stored as the contact then, and copied to Sent if
the account keeps copies there and Sent has none.

Fault injection: `crash_point(step)` is called at each step boundary. It does nothing
unless the environment variable BORGERDESK_TEST_KILL_REPLY names that step, in which case
the process kills itself with SIGKILL there, as a power cut would. Only the kill -9 tests
(tests/ingest/mail/test_reply_kill_steps.py) set it; docs/replying.md documents it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
from typing import Any

from imapclient.exceptions import IMAPClientError
from sqlalchemy import Engine, or_
from sqlmodel import col, select

from ingest.mail import fetch as imap
from ingest.mail.connect import MailError, connect
from ingest.mail.parse import parse_message
from ingest.mail.persist import message_row
from ingest.mail.submit import SubmitError, submit
from store.config import Config
from store.config.mail import MailAccount
from store.db import write_scope
from store.errors import UserError
from store.models import Channel, Contact, ContactCreate, Direction, EmailMessage, utcnow
from store.outbox import queue
from store.outbox.queue import SendResult

log = logging.getLogger(__name__)
UNCERTAIN = queue.UNCERTAIN
KILL_ENV = "BORGERDESK_TEST_KILL_REPLY"
# queued: recorded, not claimed; accepted: the server took it, nothing recorded since
# `handed`; appended: the copy is in Sent, the record not updated; marked: all done.
KILL_STEPS = ("queued", "accepted", "appended", "marked")


def crash_point(step: str) -> None:
    """Inert unless BORGERDESK_TEST_KILL_REPLY == step (tests only): then SIGKILL self."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def account_of(config: Config, name: str) -> MailAccount:
    for a in config.mail.accounts:
        if a.name == name:
            return a
    raise UserError(
        f"mail account {name!r} is no longer in the config; add it back or "
        "decide the reply with 'borgerdesk outbox'"
    )


def appends_to_sent(account: MailAccount) -> bool:
    if account.save_to_sent == "auto":
        return not account.is_microsoft365
    return account.save_to_sent == "append"


def sent_folder(client: Any, account: MailAccount) -> str:
    return account.sent_folder or imap.sent_folder(client) or "Sent"


def copy_to_sent(
    account: MailAccount, raw: bytes, at: dt.datetime, *, password: str | None = None
) -> None:
    """IMAP APPEND of the sent reply, marked \\Seen: the one write borgerdesk makes to a
    mailbox, and only for a reply the advisor sent."""
    client = connect(account, password=password)
    try:
        folder = sent_folder(client, account)
        client.append(folder, raw, flags=(b"\\Seen",), msg_time=at)
    except IMAPClientError as e:
        raise MailError(
            f"account {account.name}: cannot copy the reply to Sent ({e}); "
            'set sent_folder, or save_to_sent = "never"'
        ) from None
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def found_in_sent(account: MailAccount, message_id: str, *, password: str | None = None) -> bool:
    """Whether Sent holds a message with this Message-ID (read-only: EXAMINE, SEARCH)."""
    client = connect(account, password=password)
    try:
        client.select_folder(sent_folder(client, account), readonly=True)
        return bool(client.search(["HEADER", "Message-ID", message_id]))
    except IMAPClientError as e:
        raise MailError(f"account {account.name}: cannot search Sent ({e})") from None
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def record_sent(engine: Engine, config: Config, outbox_id: int, *, at: dt.datetime) -> None:
    """Step 4: the sent reply as an outbound e-mail contact on the case. If a sync already
    stored the Sent copy (same bytes, or the same Message-ID as a server rewrote it), that
    row is the reply's; nothing is stored twice."""
    from store.contacts import add_contact
    from store.replies import apply_contacts

    with write_scope(engine) as session:
        row = queue.load(session, outbox_id)
        if row.state == "sent" and row.email_id is not None:
            return
        p = parse_message(row.raw)
        email = session.exec(
            select(EmailMessage).where(
                or_(
                    col(EmailMessage.content_hash) == p.content_hash,
                    col(EmailMessage.message_id) == row.message_id,
                )
            )
        ).first()
        if email is None:
            answered = session.get(Contact, row.contact_id) if row.contact_id else None
            contact = add_contact(session=session, contact_in=ContactCreate(
                channel=Channel.email.value, direction=Direction.outbound.value,
                occurred_at=at, summary=row.subject[:500] or None, counterpart=row.to_addr,
                case_id=row.case_id, party_id=answered.party_id if answered else None,
                source_ref=f"mail:{p.content_hash}",
            ))  # fmt: skip
            email = message_row(row.raw, p, contact_id=contact.id)
            session.add(email)
            session.flush()
            assert contact.id is not None
            apply_contacts(session=session, config=config, contact_ids=[contact.id])
        assert email.id is not None
        queue.mark_sent(session, row, email_id=email.id, at=at)


def send_reply(
    engine: Engine,
    config: Config,
    outbox_id: int,
    *,
    password: str | None = None,
    token: str | None = None,
    now: dt.datetime | None = None,
) -> SendResult:
    """Send one queued reply (steps 1-4). Never raises for a delivery problem: the
    result's state and error say what happened."""
    crash_point("queued")
    row = queue.claim(engine, outbox_id)
    if row is None:
        with write_scope(engine) as session:
            cur = queue.load(session, outbox_id)
            return SendResult(outbox_id, cur.state, cur.message_id, cur.last_error)
    try:
        account = account_of(config, row.account)
        submit(
            account,
            row.raw,
            sender=account.sender,
            recipient=row.to_addr,
            password=password,
            token=token,
            before_data=lambda: queue.handed(engine, outbox_id),
        )
    except SubmitError as e:
        return _after_failure(engine, row.message_id, outbox_id, str(e), e.outcome)
    except UserError as e:  # no secret, account gone: nothing left the machine
        return _after_failure(engine, row.message_id, outbox_id, str(e), "retry")
    crash_point("accepted")
    at = now or utcnow()
    if appends_to_sent(account):
        try:
            copy_to_sent(account, row.raw, at, password=password)
        except MailError as e:
            # Sent, but no copy in the mailbox: the desk still stores it (step 4).
            log.warning("reply %s sent, but not copied to Sent: %s", outbox_id, e)
        crash_point("appended")
    record_sent(engine, config, outbox_id, at=at)
    crash_point("marked")
    return SendResult(outbox_id, "sent", row.message_id)


def _after_failure(
    engine: Engine, message_id: str, outbox_id: int, error: str, outcome: str
) -> SendResult:
    if outcome == "failed":
        queue.fail(engine, outbox_id, error)
        return SendResult(outbox_id, "failed", message_id, error)
    if outcome == "unknown":
        queue.uncertain(engine, outbox_id, f"{UNCERTAIN} ({error})")
        return SendResult(outbox_id, "uncertain", message_id, error)
    alerted = queue.release(engine, outbox_id, error)
    if alerted:
        log.warning("reply %s keeps failing: %s", outbox_id, error)
    return SendResult(outbox_id, "queued", message_id, error)


def recover(
    engine: Engine,
    config: Config,
    *,
    password: str | None = None,
    older_than: dt.timedelta = queue.STALE_CLAIM,
) -> list[SendResult]:
    """Resolve replies a crash interrupted: `sending` -> queued (nothing went out);
    `handed` found in Sent -> sent, else uncertain. A Sent folder that cannot be reached
    now leaves them for the next run."""
    out: list[SendResult] = []
    for outbox_id in queue.interrupted(engine, older_than=older_than):
        with write_scope(engine) as session:
            row = queue.load(session, outbox_id)
            name, message_id, state = row.account, row.message_id, row.state
            began = row.claimed_at or utcnow()
        if state == "sending":
            queue.requeue(engine, outbox_id, "interrupted before the message was sent")
            out.append(SendResult(outbox_id, "queued", message_id))
            continue
        try:
            account = account_of(config, name)
            found = found_in_sent(account, message_id, password=password)
        except UserError as e:
            log.warning("reply %s: cannot look in Sent now: %s", outbox_id, e)
            continue
        if found:
            # It left while this attempt ran: the attempt's start is when it was sent
            # (a recovery the next morning must not make the reply late).
            record_sent(engine, config, outbox_id, at=began)
            out.append(SendResult(outbox_id, "sent", message_id))
        else:
            queue.uncertain(engine, outbox_id, UNCERTAIN)
            out.append(SendResult(outbox_id, "uncertain", message_id, UNCERTAIN))
    return out


def confirm_sent(
    engine: Engine, config: Config, outbox_id: int, *, password: str | None = None
) -> None:
    """The advisor says an uncertain reply did arrive: nothing more is submitted. It is
    stored now as the case's outbound contact (the target met, as of the attempt that sent
    it), and where the account keeps copies in Sent and Sent has none, the copy is
    appended once. A mailbox that cannot be reached now only costs the copy."""
    queue.decide(engine, outbox_id, resend=False)
    with write_scope(engine) as session:
        row = queue.load(session, outbox_id)
        name, message_id, raw = row.account, row.message_id, row.raw
        began = row.claimed_at or utcnow()
    try:
        account = account_of(config, name)
        if appends_to_sent(account) and not found_in_sent(account, message_id, password=password):
            copy_to_sent(account, raw, began, password=password)
    except UserError as e:
        log.warning("reply %s: confirmed sent, but not copied to Sent: %s", outbox_id, e)
    record_sent(engine, config, outbox_id, at=began)


def process_outbox(engine: Engine, config: Config) -> list[SendResult]:
    """The daemon's job: resolve interrupted replies, then send those due."""
    results = recover(engine, config)
    for outbox_id in queue.due(engine):
        results.append(send_reply(engine, config, outbox_id))
    return results
