"""A reply drafted from a template for one contact: recipient, subject, body and the exact
bytes, before anything is queued (the CLI's --dry-run and the desk's preview show this)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from store.config import Config
from store.config.mail import MailAccount
from store.contacts import get_contact
from store.errors import UserError
from store.models import Case, EmailMessage, MailLocation, Party, utcnow
from store.outbox.message import build, new_message_id, thread_ids
from store.outbox.templates import ReplyContext, render
from store.timeutil import local_date


class NoSubmission(UserError):
    """No account can send: names the keys to set."""


@dataclass(frozen=True)
class Draft:
    account: str
    sender: str
    to: str
    subject: str
    body: str
    expected: dt.date
    message_id: str
    raw: bytes
    contact_id: int
    case_id: int | None
    template: str


def sending_account(config: Config, preferred: str | None) -> MailAccount:
    """The account the answered mail came to, if it can send; else the first that can."""
    able = [a for a in config.mail.accounts if a.smtp_host]
    for a in able:
        if a.name == preferred:
            return a
    if able:
        return able[0]
    raise NoSubmission(
        "no mail account can send replies; set mail.accounts[].smtp_host (and smtp_port, "
        "smtp_security, from_address if they differ from the defaults) in the config",
        code="no_submission",
    )


def compose(
    session: Session,
    config: Config,
    *,
    contact_id: int,
    template: str,
    to: str | None = None,
    expected: dt.date | None = None,
    now: dt.datetime | None = None,
    body: str | None = None,
    subject: str | None = None,
) -> Draft:
    """The reply to `contact_id` from `template`; `to`, `expected`, `subject` and `body`
    override what the template and the contact give (the composer's edits)."""
    now = now or utcnow()
    try:
        tpl = config.replies.template(template)
    except KeyError:
        names = ", ".join(t.name for t in config.replies.templates)
        raise UserError(f"no reply template {template!r}; the config has: {names}") from None
    contact = get_contact(session=session, contact_id=contact_id)
    assert contact.id is not None
    mail = session.exec(select(EmailMessage).where(EmailMessage.contact_id == contact.id)).first()
    location = None
    if mail is not None:
        location = session.exec(
            select(MailLocation.account).where(MailLocation.email_id == mail.id)
        ).first()
    recipient = to or (
        contact.counterpart if contact.counterpart and "@" in contact.counterpart else None
    )
    if recipient is None:
        raise UserError(
            f"contact {contact_id} has no e-mail address ({contact.channel}); give --to "
            "ADDR, or log a call-back with 'borgerdesk contact add --channel phone "
            "--direction out'"
        )
    party = session.get(Party, contact.party_id) if contact.party_id else None
    case = session.get(Case, contact.case_id) if contact.case_id else None
    ctx = ReplyContext(
        name=party.name if party else None,
        case_ref=case.ref if case else None,
        subject=mail.subject if mail else contact.summary,
        received=contact.occurred_at,
    )
    rendered = render(tpl, config.replies, ctx, today=local_date(now), expected=expected)
    account = sending_account(config, location)
    sender = account.sender
    message_id = new_message_id(sender)
    in_reply_to, references = thread_ids(
        mail.message_id if mail else None, mail.references if mail else None
    )
    final_subject = subject if subject is not None else rendered.subject
    final_body = body if body is not None else rendered.body
    raw = build(
        sender=sender,
        sender_name=account.from_name,
        to=recipient,
        to_name=party.name if party else None,
        subject=final_subject,
        body=final_body,
        message_id=message_id,
        date=now,
        in_reply_to=in_reply_to,
        references=references,
    )
    return Draft(
        account=account.name,
        sender=sender,
        to=recipient.strip().lower(),
        subject=final_subject,
        body=final_body,
        expected=rendered.expected,
        message_id=message_id,
        raw=raw,
        contact_id=contact.id,
        case_id=contact.case_id,
        template=tpl.name,
    )
