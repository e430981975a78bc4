"""The desk's replies: the composer's preview, sending, the quick acknowledgement and the
call-back offered when a contact has no e-mail address.

Sending needs the network, which the store never touches: the UI is given a `ReplyDesk`
with a `send` function (ingest.mail.reply_send.send_reply bound to the engine and config;
`borgerdesk ui` builds it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from store.config import Config
from store.contacts import get_contact
from store.db import session_scope, write_scope
from store.desk import commands, first_page
from store.desk import tables as T
from store.desk.rows import OutboxState
from store.errors import UserError
from store.models import EmailMessage, utcnow
from store.outbox import queue
from store.outbox.compose import Draft, compose
from store.outbox.queue import SendQueued
from store.outbox.queue import SendResult as SendResult  # re-exported for the composer


@dataclass(frozen=True)
class ReplyPreview:
    """What the composer shows, and the exact text a quick acknowledgement sends."""

    contact_id: int
    template: str
    templates: tuple[str, ...]
    to: str | None  # None: the contact has no e-mail address (offer a call-back)
    subject: str
    body: str
    expected: dt.date | None
    original: str | None  # the answered mail's text, for quoting
    has_case: bool
    # A reply to this contact already waiting in the outbox (queued, refused, uncertain):
    # the composer says so, so a second one is sent knowingly.
    pending: OutboxState | None = None


# How the lists name an outbox state: a reply being sent, or one a crash left `handed`
# before the daemon looked in Sent, waits like a queued one.
def outbox_states(session: Session, contact_ids: Sequence[int]) -> dict[int, OutboxState]:
    """The newest desk reply to each of these contacts, where it has not gone: what the
    lists, the preview and the case's timeline show beside the contact (one query, on the
    outbox's contact index)."""
    if not contact_ids:
        return {}
    o = T.reply_outbox.c
    newest = (
        core_select(func.max(o.id))
        .where(o.contact_id.in_(list(contact_ids)))
        .group_by(o.contact_id)
    )
    rows = session.execute(
        core_select(o.contact_id, o.id, o.state, o.last_error, o.attempts, o.next_attempt_at).where(
            o.id.in_(newest), o.state != "sent"
        )
    ).all()
    return first_page.outbox_states(rows)


def quoted(text: str) -> str:
    """The original under the reply, each line marked as a mail client does."""
    return "\n".join(f"> {line}" if line else ">" for line in text.rstrip("\n").split("\n"))


class ReplyDesk:
    def __init__(self, engine: Engine, config: Config, send: SendQueued | None = None) -> None:
        self.engine = engine
        self.config = config
        self._send = send

    @property
    def can_send(self) -> bool:
        return self._send is not None and any(a.smtp_host for a in self.config.mail.accounts)

    def default_template(self) -> str:
        for t in self.config.replies.templates:
            if t.kind == "acknowledgement":
                return t.name
        return self.config.replies.templates[0].name

    def _draft(
        self,
        contact_id: int,
        template: str,
        to: str | None,
        expected: dt.date | None,
        subject: str | None,
        body: str | None,
    ) -> Draft:
        with session_scope(self.engine) as s:
            return compose(
                s,
                self.config,
                contact_id=contact_id,
                template=template,
                to=to,
                expected=expected,
                subject=subject,
                body=body,
                now=utcnow(),
            )

    def preview(
        self, contact_id: int, template: str | None = None, *, expected: dt.date | None = None
    ) -> ReplyPreview:
        """The template filled in for this contact; `to` is None when it has no e-mail."""
        name = template or self.default_template()
        names = tuple(t.name for t in self.config.replies.templates)
        with session_scope(self.engine) as s:
            contact = get_contact(session=s, contact_id=contact_id)
            mail = s.exec(select(EmailMessage).where(EmailMessage.contact_id == contact_id)).first()
            original = mail.text if mail else None
            has_case = contact.case_id is not None
            has_email = bool(contact.counterpart and "@" in contact.counterpart)
            pending = outbox_states(s, [contact_id]).get(contact_id)
        if not has_email:
            return ReplyPreview(
                contact_id, name, names, None, "", "", None, original, has_case, pending
            )
        d = self._draft(contact_id, name, None, expected, None, None)
        return ReplyPreview(
            contact_id,
            name,
            names,
            d.to,
            d.subject,
            d.body,
            d.expected,
            original,
            has_case,
            pending,
        )

    def send(
        self,
        contact_id: int,
        template: str,
        *,
        to: str,
        subject: str,
        body: str,
        expected: dt.date | None = None,
    ) -> SendResult:
        """Queue the reply as edited, then send it once. A failure leaves it in the outbox
        (the result says why); the daemon retries what can be retried."""
        if self._send is None:
            raise UserError(
                f"sending is not available here; use 'borgerdesk reply {contact_id}'",
                code="no_sender",
                contact_id=contact_id,
            )
        draft = self._draft(contact_id, template, to, expected, subject, body)
        entry = queue.enqueue(self.engine, draft)
        return self._send(entry.id)

    def quick_acknowledge(self, contact_id: int) -> ReplyPreview:
        """The default acknowledgement, exactly as it would go: shown, then confirmed with
        one key (`send` with these values)."""
        return self.preview(contact_id, self.default_template())

    def log_callback(self, contact_id: int, note: str) -> int:
        """For a contact without e-mail: an outbound call on its case (meets the target
        through the ordinary reply rules)."""
        with write_scope(self.engine) as s:
            contact = get_contact(session=s, contact_id=contact_id)
            if contact.case_id is None:
                raise UserError(
                    "link the contact to a case first, then log the call-back",
                    code="callback_no_case",
                )
            return commands.add_manual_contact(
                session=s,
                config=self.config,
                case_id=contact.case_id,
                kind="call",
                text=note,
                at=utcnow(),
                direction="out",
            )

    def outbox(self) -> list[queue.OutboxEntry]:
        with session_scope(self.engine) as s:
            return queue.entries(s)
