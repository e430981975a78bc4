"""What the reply rules read about a contact, loaded in batches as plain data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from store.replies import tables

CHUNK = 500  # ids per IN (...) list: well under every backend's parameter limit


def _split_addrs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(a.strip().lower() for a in text.split(",") if a.strip())


def _message_ids(text: str | None) -> tuple[str, ...]:
    """Message-IDs in an In-Reply-To / References value, as stored ('<a@b>' tokens)."""
    if not text:
        return ()
    out: list[str] = []
    for tok in text.replace(",", " ").split():
        tok = tok.strip()
        if tok:
            out.append(tok)
    return tuple(out)


def parse_headers(raw: str | None) -> dict[str, list[str]]:
    """The stored headers JSON as {lowercase name: [values]}. Accepts a mapping of name to
    value or values, or a list of [name, value] pairs / {"name", "value"} objects."""
    if not raw:
        return {}
    try:
        data: Any = json.loads(raw)
    except ValueError:
        return {}
    out: dict[str, list[str]] = {}

    def add(name: Any, value: Any) -> None:
        if not isinstance(name, str):
            return
        values = value if isinstance(value, list) else [value]
        out.setdefault(name.lower(), []).extend("" if v is None else str(v) for v in values)

    if isinstance(data, dict):
        for k, v in data.items():
            add(k, v)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, list | tuple) and len(item) == 2:
                add(item[0], item[1])
            elif isinstance(item, dict):
                add(item.get("name"), item.get("value"))
    return out


@dataclass(frozen=True)
class MailFacts:
    message_id: str | None
    from_addr: str | None
    recipients: tuple[str, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    is_auto: bool
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.in_reply_to, *self.references)))


@dataclass(frozen=True)
class ContactFacts:
    contact_id: int
    channel: str
    direction: str
    occurred_at: dt.datetime
    occurred_on: dt.date
    counterpart: str | None
    party_id: int | None
    case_id: int | None
    case_kind: str | None
    case_category: str | None
    access_request: bool
    call_status: str | None  # None: no call record (e.g. registered by hand)
    mail: MailFacts | None


def mail_facts(row: Any) -> MailFacts:
    return MailFacts(
        message_id=row.message_id,
        from_addr=(row.from_addr or "").lower() or None,
        recipients=_split_addrs(row.to_addrs) + _split_addrs(row.cc_addrs),
        in_reply_to=_message_ids(row.in_reply_to),
        references=_message_ids(row.references),
        is_auto=bool(row.is_auto),
        headers=parse_headers(row.headers),
    )


_contact = tables.contact
_case = tables.case
_mail = tables.email_message
_call = tables.call_record

MAIL_COLUMNS = tuple(
    _mail.c[name]
    for name in (
        "contact_id",
        "message_id",
        "from_addr",
        "to_addrs",
        "cc_addrs",
        "in_reply_to",
        "references",
        "is_auto",
        "headers",
    )
)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def load_facts(session: Session, contact_ids: Iterable[int]) -> list[ContactFacts]:
    """Facts for the given contacts (unknown ids are skipped), ordered by time."""
    ids = sorted(set(contact_ids))
    out: list[ContactFacts] = []
    for chunk in _chunks(ids):
        c = _contact.c
        rows = session.execute(
            select(
                c.id,
                c.channel,
                c.direction,
                c.occurred_at,
                c.occurred_on,
                c.counterpart,
                c.party_id,
                c.case_id,
                c.access_request,
                _case.c.kind,
                _case.c.category,
            )
            .select_from(_contact.outerjoin(_case, _case.c.id == c.case_id))
            .where(c.id.in_(chunk))
        ).all()
        mails = {
            r.contact_id: mail_facts(r)
            for r in session.execute(
                select(*MAIL_COLUMNS).where(_mail.c.contact_id.in_(chunk))
            ).all()
        }
        calls: dict[int, str] = {
            r.contact_id: r.status
            for r in session.execute(
                select(_call.c.contact_id, _call.c.status).where(_call.c.contact_id.in_(chunk))
            ).all()
        }
        for r in rows:
            out.append(
                ContactFacts(
                    contact_id=r[0],
                    channel=r.channel,
                    direction=r.direction,
                    occurred_at=r.occurred_at,
                    occurred_on=r.occurred_on,
                    counterpart=r.counterpart,
                    party_id=r.party_id,
                    case_id=r.case_id,
                    case_kind=r.kind,
                    case_category=r.category,
                    access_request=bool(r.access_request),
                    call_status=calls.get(r[0]),
                    mail=mails.get(r[0]),
                )
            )
    out.sort(key=lambda f: (f.occurred_at, f.contact_id))
    return out
