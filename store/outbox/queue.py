"""The outbox's states, and the only code that moves a reply between them.

    queued --claim--> sending --(before DATA)--> handed --(accepted, copy stored)--> sent
                         |                         |--(refused for good)--> failed
                         |--(not delivered: auth, unreachable, 4xx)--> queued (retry later)
                         '--(crash)--> queued      '--(crash: found in Sent)--> sent
                                                      (not found)--> uncertain

Each step is its own committed transaction, so a kill -9 anywhere leaves a row whose state
says how far it got: `queued` and `sending` never had a byte of the message go out (safe
to send again); `handed` may have been accepted, so it is never sent again blindly:
`ingest.mail.reply_send.recover` looks for its Message-ID in Sent, and otherwise leaves it
`uncertain` for the advisor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from store import audit
from store.alerts import reply_alert_key
from store.db import session_scope, write_scope
from store.errors import UserError
from store.models import Alert, ReplyOutbox, utcnow
from store.outbox.compose import Draft
from store.reply_status import UNCERTAIN as UNCERTAIN
from store.reply_status import reason_of as reason_of

STATES = ("queued", "sending", "handed", "sent", "failed", "uncertain")
# UNCERTAIN: the reason an uncertain reply carries (then, in brackets, what broke).
# Retry backoff after a failed attempt n (1-based): 1, 2, 4 … minutes, at most an hour.
MAX_BACKOFF = dt.timedelta(hours=1)
# After this many attempts a still-queued reply raises an alert (it keeps being retried).
ALERT_AFTER = 5
# A submission is bounded by its SMTP timeouts (a minute each step) and the Sent copy's
# IMAP timeouts; a `sending` row older than this has no live sender.
STALE_CLAIM = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class SendResult:
    """What one attempt to send a reply came to."""

    outbox_id: int
    state: str  # the outbox state afterwards
    message_id: str
    error: str | None = None


# Sends one queued reply (ingest.mail.reply_send.send_reply, bound to an engine and config):
# the store cannot reach the network, so the desk is given this.
SendQueued = Callable[[int], SendResult]


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class OutboxEntry:
    """One reply as the outbox list shows it."""

    id: int
    state: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    account: str
    to: str
    subject: str
    message_id: str
    contact_id: int | None
    case_id: int | None
    template: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None


def _entry(r: ReplyOutbox) -> OutboxEntry:
    assert r.id is not None
    return OutboxEntry(
        id=r.id, state=r.state, created_at=r.created_at, sent_at=r.sent_at, account=r.account,
        to=r.to_addr, subject=r.subject, message_id=r.message_id, contact_id=r.contact_id,
        case_id=r.case_id, template=r.template, attempts=r.attempts, last_error=r.last_error,
        next_attempt_at=r.next_attempt_at,
    )  # fmt: skip


# A reply in one of these states may still reach the citizen (the daemon retries it).
PENDING = ("queued", "sending", "handed", "uncertain")


def enqueue(engine: Engine, draft: Draft) -> OutboxEntry:
    """Record the reply, Message-ID and bytes fixed, before any server sees it. Refused
    while the same template's reply to the same contact is still pending: its retry
    would give the citizen the same letter twice."""
    with write_scope(engine) as session:
        if draft.contact_id is not None:
            waiting = session.exec(
                select(ReplyOutbox.id, ReplyOutbox.state).where(
                    ReplyOutbox.contact_id == draft.contact_id,
                    ReplyOutbox.template == draft.template,
                    col(ReplyOutbox.state).in_(PENDING),
                )
            ).first()
            if waiting is not None:
                raise UserError(
                    f"a '{draft.template}' reply to contact {draft.contact_id} is already "
                    f"in the outbox (#{waiting[0]}, {waiting[1]}); see 'borgerdesk outbox'",
                    code="reply_pending",
                    outbox_id=waiting[0],
                    template=draft.template,
                )
        row = ReplyOutbox(
            os_user=audit.actor(session), account=draft.account, contact_id=draft.contact_id,
            case_id=draft.case_id, template=draft.template, message_id=draft.message_id,
            to_addr=draft.to, subject=draft.subject, raw=draft.raw,
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(
            session, action="reply.queue", entity="reply_outbox", entity_id=row.id, detail=_who(row)
        )
        return _entry(row)


def _who(row: ReplyOutbox) -> dict[str, object]:
    return {
        "contact_id": row.contact_id,
        "case_id": row.case_id,
        "template": row.template,
        "account": row.account,
        "message_id": row.message_id,
    }


def load(session: Session, outbox_id: int) -> ReplyOutbox:
    row = session.get(ReplyOutbox, outbox_id)
    if row is None:
        raise UserError(f"no reply {outbox_id} in the outbox; see 'borgerdesk outbox'")
    return row


def claim(engine: Engine, outbox_id: int) -> ReplyOutbox | None:
    """Mark a queued reply `sending` (committed) and return it; None if it is not queued
    (another process took it, or it is done). Only the holder of the claim may send."""
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        if row.state != "queued":
            return None
        row.state = "sending"
        row.attempts += 1
        row.claimed_at = utcnow()
        session.add(row)
        return row


def handed(engine: Engine, outbox_id: int) -> None:
    """The message's data is about to go to the server: from now on it may arrive."""
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        row.state = "handed"
        session.add(row)


def release(engine: Engine, outbox_id: int, error: str, *, now: dt.datetime | None = None) -> bool:
    """Not delivered (the server never took the message): back to queued, retried after
    the backoff. True when it has now failed often enough to raise an alert (once)."""
    now = now or utcnow()
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        row.state = "queued"
        row.last_error = error
        row.next_attempt_at = now + backoff(row.attempts)
        raise_alert = row.attempts >= ALERT_AFTER and not row.alerted
        if raise_alert:
            row.alerted = True
            session.add(
                Alert(
                    kind="reply_failing",
                    dedupe_key=reply_alert_key(outbox_id),
                    payload=f'{{"outbox_id": {row.id}}}',
                )
            )
        session.add(row)
        return raise_alert


def requeue(engine: Engine, outbox_id: int, why: str) -> None:
    """A crash before any of the message went out: send it again at the next pass."""
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        row.state = "queued"
        row.last_error = why
        row.next_attempt_at = None
        session.add(row)


def fail(engine: Engine, outbox_id: int, error: str) -> None:
    """Refused for good (the recipient, the sender): not retried; the advisor sees why."""
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        row.state = "failed"
        row.last_error = error
        session.add(row)
        audit.record(
            session,
            action="reply.fail",
            entity="reply_outbox",
            entity_id=row.id,
            detail={**_who(row), "error": error},
        )


def uncertain(engine: Engine, outbox_id: int, why: str) -> None:
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        row.state = "uncertain"
        row.last_error = why
        session.add(row)


def mark_sent(session: Session, row: ReplyOutbox, *, email_id: int, at: dt.datetime) -> None:
    """In the transaction that stores the sent copy as a contact (ingest.mail.reply_send)."""
    row.state = "sent"
    row.sent_at = at
    row.email_id = email_id
    row.last_error = None
    row.next_attempt_at = None
    session.add(row)
    audit.record(
        session, action="reply.send", entity="reply_outbox", entity_id=row.id, detail=_who(row)
    )


def decide(engine: Engine, outbox_id: int, *, resend: bool) -> None:
    """The advisor's answer for an uncertain reply: it did not arrive (send it again,
    same Message-ID) or it did (`resend=False`: nothing more is sent; the sync stores the
    Sent copy)."""
    with write_scope(engine) as session:
        row = load(session, outbox_id)
        if row.state != "uncertain":
            raise UserError(f"reply {outbox_id} is {row.state}, not uncertain; nothing to decide")
        # Was sent: `sent` with no stored copy yet; the sync stores the one in Sent (and
        # that meets the target through the reply rules).
        row.state = "queued" if resend else "sent"
        row.last_error = None if resend else "marked as sent by the advisor (see Sent)"
        row.next_attempt_at = None
        session.add(row)
        audit.record(
            session,
            action="reply.decide",
            entity="reply_outbox",
            entity_id=row.id,
            detail={**_who(row), "resend": resend},
        )


def due(engine: Engine, now: dt.datetime | None = None) -> list[int]:
    """Queued replies whose retry time has come."""
    now = now or utcnow()
    with session_scope(engine) as session:
        return [int(i) for i in session.exec(
            select(ReplyOutbox.id).where(
                ReplyOutbox.state == "queued",
                or_(col(ReplyOutbox.next_attempt_at).is_(None),
                    col(ReplyOutbox.next_attempt_at) <= now),
            ).order_by(col(ReplyOutbox.id))
        ) if i is not None]  # fmt: skip


def interrupted(
    engine: Engine, *, older_than: dt.timedelta = STALE_CLAIM, now: dt.datetime | None = None
) -> list[int]:
    """Replies left `sending` or `handed` by a crash (claimed longer ago than any live
    send takes)."""
    limit = (now or utcnow()) - older_than
    with session_scope(engine) as session:
        return [int(i) for i in session.exec(
            select(ReplyOutbox.id).where(col(ReplyOutbox.state).in_(("sending", "handed")),
                                         col(ReplyOutbox.claimed_at) <= limit)
            .order_by(col(ReplyOutbox.id))
        ) if i is not None]  # fmt: skip


def entries(session: Session, *, limit: int = 500) -> list[OutboxEntry]:
    rows = session.exec(select(ReplyOutbox).order_by(col(ReplyOutbox.id).desc()).limit(limit))
    return [_entry(r) for r in rows]
