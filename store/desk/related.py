"""Lists around triage: the contacts that likely belong with one just filed (the same
sender's, the rest of its mail thread), and the contacts marked "not a case"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from store.contacts import waiting_in_triage
from store.desk import tables as T
from store.desk.first_page import who as _who
from store.desk.queries import _not_whistleblower_contact, first_line, triage_rows
from store.desk.rows import DismissedRow, Page, Related, TriageRow
from store.models import Contact, EmailMessage

CT = T.contact.c
EM = T.email_message.c
PT = T.party.c
# A thread reaches this many message-ids at most (a References header can be long).
THREAD_IDS = 50


def related(*, session: Session, contact_id: int, now: dt.datetime, limit: int = 50) -> Related:
    """The waiting contacts of the same sender (party, or address/number when it has
    no party), and the waiting contacts of the same mail thread (messages this one
    names in In-Reply-To/References, and those naming it or the same ones)."""
    c = session.get(Contact, contact_id)
    if c is None:
        return Related(same_sender=(), thread=())
    waiting = and_(waiting_in_triage(), CT.id != contact_id, _not_whistleblower_contact())
    sender = []
    if c.party_id is not None:
        sender.append(CT.party_id == c.party_id)
    if c.counterpart:
        sender.append(CT.counterpart == c.counterpart)
    same = (
        triage_rows(
            session,
            select(CT.id).where(waiting, or_(*sender)).order_by(CT.occurred_at.desc()).limit(limit),
            now,
        )
        if sender
        else ()
    )
    thread: tuple[TriageRow, ...] = ()
    mail = (
        session.execute(select(EmailMessage).where(EM.contact_id == contact_id)).scalars().first()
    )
    if mail is not None:
        ids = {
            i for i in [mail.message_id, mail.in_reply_to, *(mail.references or "").split()] if i
        }
        ids = set(sorted(ids)[:THREAD_IDS])
        if ids:
            conds: list[ColumnElement[bool]] = [EM.message_id.in_(ids), EM.in_reply_to.in_(ids)]
            conds += [EM.references.contains(i, autoescape=True) for i in ids]
            others = {r.contact_id for r in same}
            thread = tuple(
                r
                for r in triage_rows(
                    session,
                    select(CT.id)
                    .join(T.email_message, EM.contact_id == CT.id)
                    .where(waiting, or_(*conds))
                    .order_by(CT.occurred_at.desc())
                    .limit(limit),
                    now,
                )
                if r.contact_id not in others
            )
    return Related(same_sender=same, thread=thread)


def dismissed_page(*, session: Session, offset: int = 0, limit: int = 100) -> Page[DismissedRow]:
    """Contacts marked "not a case", newest first, with the reason given."""
    where = and_(CT.dismissed.is_(True), _not_whistleblower_contact())
    total = session.execute(select(func.count()).select_from(T.contact).where(where)).scalar_one()
    rows = session.execute(
        select(
            CT.id,
            CT.channel,
            CT.direction,
            CT.counterpart,
            CT.summary,
            CT.occurred_at,
            CT.dismissed_reason,
            PT.name,
            EM.subject,
        )
        .outerjoin(T.party, PT.id == CT.party_id)
        .outerjoin(T.email_message, EM.contact_id == CT.id)
        .where(where)
        .order_by(CT.occurred_at.desc(), CT.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(
        rows=tuple(
            DismissedRow(
                contact_id=cid,
                channel=ch,
                direction=d,
                who=_who(name, cp),
                subject=subj if subj is not None else first_line(summ),
                occurred_at=at,
                reason=reason or "",
            )
            for cid, ch, d, cp, summ, at, reason, name, subj in rows
        ),
        offset=offset,
        total=int(total),
    )
