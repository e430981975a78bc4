"""Builders shared by the reply-target tests: real rows through the store's own CRUD."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from sqlmodel import Session, select

from store.config import Config
from store.contacts import add_contact
from store.models import Contact, ContactCreate, EmailMessage, ReplyTarget
from store.replies import apply_contacts
from store.timeutil import CPH

_seq = itertools.count(1)


def cph(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=CPH)


def mail(
    s: Session,
    config: Config,
    *,
    at: dt.datetime,
    direction: str = "in",
    addr: str = "knud@example.dk",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    is_auto: bool = False,
    apply: bool = True,
    access_request: bool = False,
) -> Contact:
    n = next(_seq)
    c = add_contact(
        session=s,
        contact_in=ContactCreate(
            channel="email",
            direction=direction,
            occurred_at=at,
            counterpart=addr,
            source_ref=f"mail:{n}",
            access_request=access_request,
        ),
    )
    s.add(
        EmailMessage(
            contact_id=c.id,
            message_id=message_id or f"<m{n}@test>",
            header_hash=f"h{n}",
            content_hash=f"c{n}",
            from_addr=addr if direction == "in" else "advisor@kommune.dk",
            to_addrs=(to or addr) if direction == "out" else "advisor@kommune.dk",
            sent_at=at,
            in_reply_to=in_reply_to,
            references=references,
            is_auto=is_auto,
            headers=json.dumps(headers) if headers else None,
        )
    )
    s.flush()
    if apply:
        assert c.id is not None
        apply_contacts(session=s, config=config, contact_ids=[c.id])
    return c


def call(
    s: Session,
    config: Config,
    *,
    at: dt.datetime,
    direction: str = "in",
    number: str = "+4522334455",
    status: str = "missed",
    apply: bool = True,
) -> Contact:
    n = next(_seq)
    c = add_contact(
        session=s,
        contact_in=ContactCreate(
            channel="phone",
            direction=direction,
            occurred_at=at,
            counterpart=number,
            source_ref=f"call:{n}",
        ),
    )
    c.call_status, c.call_duration_s = status, 0
    s.add(c)
    s.flush()
    if apply:
        assert c.id is not None
        apply_contacts(session=s, config=config, contact_ids=[c.id])
    return c


def other(
    s: Session,
    config: Config,
    *,
    at: dt.datetime,
    channel: str,
    direction: str,
    addr: str = "knud@example.dk",
    case_id: int | None = None,
    apply: bool = True,
) -> Contact:
    n = next(_seq)
    c = add_contact(
        session=s,
        contact_in=ContactCreate(
            channel=channel,
            direction=direction,
            occurred_at=at,
            counterpart=addr,
            source_ref=f"manual:{n}",
            case_id=case_id,
        ),
    )
    if apply:
        assert c.id is not None
        apply_contacts(session=s, config=config, contact_ids=[c.id])
    return c


def targets(s: Session, contact: Contact) -> dict[str, ReplyTarget]:
    return {
        t.rule: t for t in s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == contact.id))
    }


def target(s: Session, contact: Contact, rule: str = "dag-til-dag") -> ReplyTarget:
    return targets(s, contact)[rule]
