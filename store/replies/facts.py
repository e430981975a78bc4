"""What the reply rules read about a contact, loaded in batches as plain data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select, type_coerce, types
from sqlmodel import Session

from store.replies import tables
from store.replies.tables import aware, raw_time

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
    call_status: str | None  # None: not an imported call (e.g. registered by hand)
    mail: MailFacts | None
    dismissed: bool = False  # "not a case": owes nobody a reply


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


# A run of at least this many consecutive ids is read with one BETWEEN instead of IN
# lists: a bulk import hands over id ranges of a million contacts, and 2,000 expanded
# IN statements cost more in SQLAlchemy's parameter handling than in the database.
MIN_RUN = 32


def id_clauses(column: ColumnElement[Any], ids: Iterable[int]) -> list[ColumnElement[bool]]:
    """WHERE clauses that together select exactly `ids` of `column`: BETWEEN for runs of
    consecutive ids, chunked IN lists for the rest."""
    vals = sorted(set(ids))
    n = len(vals)
    if not n:
        return []
    if vals[-1] - vals[0] + 1 == n and n >= MIN_RUN:
        return [column.between(vals[0], vals[-1])]
    out: list[ColumnElement[bool]] = []
    singles: list[int] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and vals[j + 1] == vals[j] + 1:
            j += 1
        if j - i + 1 >= MIN_RUN:
            out.append(column.between(vals[i], vals[j]))
        else:
            singles.extend(vals[i : j + 1])
        i = j + 1
    for k in range(0, len(singles), CHUNK):
        out.append(column.in_(singles[k : k + CHUNK]))
    return out


def load_facts(
    session: Session,
    contact_ids: Iterable[int],
    known: dict[int, ContactFacts] | None = None,
) -> list[ContactFacts]:
    """Facts for the given contacts (unknown ids are skipped), ordered by time.

    `known` is a per-batch cache: facts found there are not read again, and the ones
    read are added to it (apply_contacts reads the same contacts as targets, as stored
    replies and as owners of met targets)."""
    ids = set(contact_ids)
    out: list[ContactFacts] = []
    if known is not None:
        out.extend(known[i] for i in ids if i in known)
        ids.difference_update(known)
    c = _contact.c
    for clause in id_clauses(c.id, ids):
        rows = session.execute(
            select(
                c.id,
                c.channel,
                c.direction,
                raw_time(c.occurred_at),
                type_coerce(c.occurred_on, types.NullType()),
                c.counterpart,
                c.party_id,
                c.case_id,
                c.access_request,
                c.call_status,
                c.dismissed,
                _case.c.kind,
                _case.c.category,
            )
            .select_from(_contact.outerjoin(_case, _case.c.id == c.case_id))
            .where(clause)
        ).all()
        # Mail rows only for mail contacts (a phone import has no mail to look for).
        mail_ids = [r[0] for r in rows if r[1] == "email"]
        mails: dict[int, MailFacts] = {}
        for mclause in id_clauses(_mail.c.contact_id, mail_ids):
            for r in session.execute(select(*MAIL_COLUMNS).where(mclause)).all():
                mails[r.contact_id] = mail_facts(r)
        times: dict[Any, dt.datetime] = {}
        days: dict[Any, dt.date] = {}
        for row in rows:
            cid, channel, direction, at, on, cp, party, case, access, status, dis, kind, cat = row
            occurred = times.get(at)
            if occurred is None:
                occurred = times[at] = aware(at)
            day = days.get(on)
            if day is None:
                # SQLite returns the ISO text, PostgreSQL a date; a batch has few days.
                day = days[on] = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
            f = ContactFacts(
                contact_id=cid,
                channel=channel,
                direction=direction,
                occurred_at=occurred,
                occurred_on=day,
                counterpart=cp,
                party_id=party,
                case_id=case,
                case_kind=kind,
                case_category=cat,
                access_request=bool(access),
                call_status=status,
                mail=mails.get(cid),
                dismissed=bool(dis),
            )
            out.append(f)
            if known is not None:
                known[cid] = f
    out.sort(key=lambda f: (f.occurred_at, f.contact_id))
    return out
