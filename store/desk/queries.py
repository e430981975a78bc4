"""Read-only queries for the desk UI. Every function takes a keyword-only session and
returns plain rows (store.desk.rows); lists are paged with limit/offset and never load
every row. Whistleblower cases, and the contacts linked to them, never appear here except
through `whistleblower_register` and `case_detail(..., allow_whistleblower=True)`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from store.alerts import count_open_alerts
from store.config import Config
from store.contacts import waiting_in_triage
from store.desk import tables as T
from store.desk.first_page import first_line as first_line  # (search, related, followups)
from store.desk.first_page import pick_replies, triage_row, unique_contacts
from store.desk.first_page import who as _who
from store.desk.history import case_events
from store.desk.replies import outbox_states
from store.desk.rows import (
    AlertItem,
    CallFacts,
    CaseDetail,
    CaseFilter,
    CaseRow,
    CaseSort,
    ContactPreview,
    DataVersion,
    HistoryItem,
    NoteItem,
    Page,
    ReplyDue,
    Status,
    TimelineItem,
    TriageFilter,
    TriageRow,
    WhistleblowerRow,
)
from store.desk.signature import signature_name
from store.desk.team import Scope, scope_where
from store.models import (
    Case,
    CaseHistory,
    CaseKind,
    CaseNote,
    Contact,
    EmailMessage,
    Party,
)
from store.source_health import source_health
from store.team.compartment import READ_ACTION

WB = CaseKind.whistleblower.value
TIMELINE_LIMIT = 200

CT = T.contact.c
CS = T.case.c
PT = T.party.c
PE = T.party_email.c
PP = T.party_phone.c
EM = T.email_message.c
RT = T.reply_target.c
CH = T.case_history.c
CN = T.case_note.c
AL = T.alert.c
SS = T.sync_state.c


# --------------------------------------------------------------------------- helpers


def reply_status(
    *,
    state: str,
    due_at: dt.datetime,
    due_soon_at: dt.datetime,
    met_at: dt.datetime | None,
    now: dt.datetime,
) -> str:
    """The derived status of a reply target at `now`: the reply rules' own definition."""
    from store.replies.followups import status_of

    return str(
        status_of(state=state, due_at=due_at, due_soon_at=due_soon_at, met_at=met_at, now=now)
    )


def _attachments(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        items = json.loads(raw)
    except ValueError:
        return ("?",)
    out = []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict):
            name = str(it.get("filename") or "?")
            size = it.get("size")
            out.append(f"{name} ({size} B)" if isinstance(size, int) else name)
    return tuple(out)


def _replies_for(
    session: Session, contact_ids: Sequence[int], now: dt.datetime
) -> dict[int, ReplyDue]:
    """The most pressing reply target of each contact: the earliest open one, else the
    latest closed one."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(
            RT.id,
            RT.contact_id,
            RT.rule,
            RT.state,
            RT.due_at,
            RT.due_soon_at,
            RT.met_at,
        ).where(RT.contact_id.in_(list(contact_ids)))
    ).all()
    return pick_replies(rows, now)


def _not_whistleblower_contact() -> ColumnElement[bool]:
    return or_(
        CT.case_id.is_(None),
        not_(exists().where(CS.id == CT.case_id, CS.kind == WB)),
    )


# --------------------------------------------------------------------------- triage


def triage_where(filt: TriageFilter) -> ColumnElement[bool]:
    """The waiting contacts Indbakke lists under a filter."""
    waiting = waiting_in_triage()
    if filt == TriageFilter.owes_reply:
        return and_(waiting, exists().where(RT.contact_id == CT.id, RT.state == "open"))
    if filt == TriageFilter.hide_outbound_answered:
        return and_(
            waiting,
            not_(and_(CT.channel == "email", CT.direction == "out")),
            or_(CT.call_status.is_(None), CT.call_status != "answered"),
        )
    return waiting


def triage_page(
    *,
    session: Session,
    now: dt.datetime,
    offset: int = 0,
    limit: int = 100,
    filt: TriageFilter = TriageFilter.everything,
    scope: Scope = Scope.everyone,
    me: str | None = None,
) -> Page[TriageRow]:
    """Unlinked, undismissed contacts, newest first (served by ix_contact_triage); under
    `scope` those assigned to `me`, to nobody, or all."""
    waiting = and_(triage_where(filt), *scope_where(CT.assigned_to, scope, me))
    total = session.execute(select(func.count()).select_from(T.contact).where(waiting)).scalar_one()
    ids = (
        select(CT.id)
        .where(waiting)
        .order_by(CT.occurred_at.desc(), CT.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    return Page(rows=triage_rows(session, select(ids.c.id), now), offset=offset, total=int(total))


def triage_rows(session: Session, ids: Any, now: dt.datetime) -> tuple[TriageRow, ...]:
    """Triage rows for the contacts `ids` (a select of contact ids), newest first."""
    sub = ids.subquery()
    rows = session.execute(
        select(
            CT.id,
            CT.channel,
            CT.direction,
            CT.counterpart,
            CT.party_id,
            CT.summary,
            CT.occurred_at,
            PT.name,
            EM.subject,
            CT.call_status,
            CT.call_duration_s,
            CT.assigned_to,
        )
        .join(sub, sub.c[0] == CT.id)
        .outerjoin(T.party, PT.id == CT.party_id)
        .outerjoin(T.email_message, EM.contact_id == CT.id)
        .order_by(CT.occurred_at.desc(), CT.id.desc())
    ).all()
    unique = unique_contacts(rows)
    replies = _replies_for(session, [r[0] for r in unique], now)
    outbox = outbox_states(session, [r[0] for r in unique])
    return tuple(triage_row(r, replies, outbox) for r in unique)


def contact_preview(
    *, session: Session, config: Config, contact_id: int, now: dt.datetime
) -> ContactPreview | None:
    c = session.get(Contact, contact_id)
    if c is None or c.id is None:
        return None
    items = _timeline_items(session, [c], now)
    it = items[0]
    raw = session.execute(select(EM.raw).where(EM.contact_id == c.id)).scalars().first()
    return ContactPreview(
        contact_id=c.id,
        channel=c.channel,
        direction=c.direction,
        who=it.who,
        counterpart=c.counterpart,
        occurred_at=c.occurred_at,
        subject=it.subject,
        body=it.body,
        attachments=it.attachments,
        call=it.call,
        reply=it.reply,
        party_id=c.party_id,
        sender_name=sender_name(raw) or signature_name(it.body or ""),
        explanation=_explanation(session, config, it.reply, now),
        outbox=it.outbox,
    )


def _explanation(session: Session, config: Config, reply: ReplyDue | None, now: dt.datetime) -> str:
    """The follow-ups list's explanation of the preview's reply target (one writer of
    those texts: store.replies)."""
    if reply is None:
        return ""
    from store.replies.followups import explain

    return explain(
        session=session, config=config, target_id=reply.target_id, now=now, lang=config.language
    )


def sender_name(raw: bytes | None) -> str:
    """The display name of a stored message's From header ("" if none or unreadable).
    Only the header block is parsed."""
    if not raw:
        return ""
    from email.header import decode_header, make_header
    from email.parser import BytesHeaderParser
    from email.utils import parseaddr

    try:
        head = BytesHeaderParser().parsebytes(raw.split(b"\r\n\r\n", 1)[0][:65536])
        name, _addr = parseaddr(str(make_header(decode_header(head.get("From", "")))))
    except (ValueError, LookupError, UnicodeError):
        return ""
    # One line of plain text: control characters would reach the dialog's field.
    return " ".join("".join(ch for ch in name if ch.isprintable()).split())[:300]


def _timeline_items(
    session: Session, contacts: Sequence[Contact], now: dt.datetime
) -> list[TimelineItem]:
    ids = [c.id for c in contacts if c.id is not None]
    mails = {
        m.contact_id: m
        for m in session.execute(select(EmailMessage).where(EM.contact_id.in_(ids))).scalars()
    }
    party_ids = {c.party_id for c in contacts if c.party_id is not None}
    names = (
        dict(session.execute(select(PT.id, PT.name).where(PT.id.in_(party_ids))).all())
        if party_ids
        else {}
    )
    replies = _replies_for(session, ids, now)
    outbox = outbox_states(session, ids)
    out = []
    for c in contacts:
        assert c.id is not None
        m = mails.get(c.id)
        subject = (m.subject or "") if m is not None else first_line(c.summary)
        body = (m.text or "") if m is not None else (c.summary or "")
        if m is not None and m.parse_error:
            body = f"[parse error: {m.parse_error}]\n{body}"
        out.append(
            TimelineItem(
                contact_id=c.id,
                channel=c.channel,
                direction=c.direction,
                occurred_at=c.occurred_at,
                who=_who(names.get(c.party_id), c.counterpart),
                subject=subject,
                body=body,
                attachments=_attachments(m.attachments) if m is not None else (),
                call=CallFacts(c.call_status, c.call_duration_s or 0)
                if c.call_status is not None
                else None,
                reply=replies.get(c.id),
                outbox=outbox.get(c.id),
            )
        )
    return out


# --------------------------------------------------------------------------- cases


def _case_where(f: CaseFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    conds.append(CS.kind == f.kind if f.kind else CS.kind != WB)
    if f.status == "open":
        conds.append(CS.closed_on.is_(None))
    elif f.status == "closed":
        conds.append(CS.closed_on.is_not(None))
    if f.department:
        conds.append(CS.department == f.department)
    if f.category:
        conds.append(CS.category == f.category)
    if f.party:
        for tok in f.party.split():
            conds.append(PT.name.ilike(f"%{_like(tok)}%", escape="\\"))
    if f.text:
        for tok in f.text.split():
            pat = f"%{_like(tok)}%"
            conds.append(
                or_(
                    CS.ref.ilike(pat, escape="\\"),
                    CS.title.ilike(pat, escape="\\"),
                    PT.name.ilike(pat, escape="\\"),
                )
            )
    return conds


def _like(tok: str) -> str:
    return tok.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def case_page(
    *,
    session: Session,
    filt: CaseFilter,
    offset: int = 0,
    limit: int = 100,
    now: dt.datetime | None = None,
    scope: Scope = Scope.everyone,
    me: str | None = None,
) -> Page[CaseRow]:
    """One page of cases, in `filt.sort` order (newest opened first by default). The
    page's ids are picked on the case table alone (joined to party only when a party or
    text filter needs it, and to its contacts only when sorting by deadline or
    activity); names, contact counts, the next deadline and the last activity are looked
    up for those ids only. A case is overdue when its next deadline is before `now`.
    `scope`: the cases assigned to `me`, to nobody, or all."""
    conds = [*_case_where(filt), *scope_where(CS.assigned_to, scope, me)]
    src: Any = (
        T.case.outerjoin(T.party, PT.id == CS.party_id) if filt.party or filt.text else T.case
    )
    total = session.execute(select(func.count()).select_from(src).where(*conds)).scalar_one()
    next_due = (
        select(func.min(RT.due_at))
        .select_from(T.reply_target.join(T.contact, CT.id == RT.contact_id))
        .where(CT.case_id == CS.id, RT.state == "open")
        .correlate(T.case)
        .scalar_subquery()
    )
    last_activity = (
        select(func.max(CT.occurred_at))
        .where(CT.case_id == CS.id)
        .correlate(T.case)
        .scalar_subquery()
    )
    key: Any = {
        CaseSort.opened: CS.opened_on,
        CaseSort.last_activity: last_activity,
        CaseSort.next_due: None,
    }[filt.sort]
    if filt.sort == CaseSort.next_due:
        # From the open targets' side, grouped once: few targets are open, and asking
        # each case for its minimum cost ~0.3 s over 40,000 cases.
        due = (
            select(CT.case_id.label("cid"), func.min(RT.due_at).label("due"))
            .select_from(T.reply_target.join(T.contact, CT.id == RT.contact_id))
            .where(RT.state == "open", CT.case_id.is_not(None))
            .group_by(CT.case_id)
            .subquery()
        )
        src = src.outerjoin(due, due.c.cid == CS.id)
        key = due.c.due
    # Cases without a deadline (or without contacts) go last whichever way.
    order = [
        key.is_(None),
        key.desc() if filt.descending else key.asc(),
        CS.id.desc() if filt.descending else CS.id.asc(),
    ]
    ids = list(
        session.execute(
            select(CS.id)
            .select_from(src)
            .where(*conds)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    n_contacts = (
        select(func.count())
        .select_from(T.contact)
        .where(CT.case_id == CS.id)
        .correlate(T.case)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            CS.id,
            CS.ref,
            CS.title,
            CS.kind,
            PT.name,
            CS.department,
            CS.category,
            CS.opened_on,
            CS.closed_on,
            n_contacts,
            next_due,
            last_activity,
            CS.assigned_to,
        )
        .select_from(T.case.outerjoin(T.party, PT.id == CS.party_id))
        .where(CS.id.in_(ids))
    ).all()
    place = {cid: i for i, cid in enumerate(ids)}
    out = []
    for i, ref, title, kind, pname, dep, cat, op, cl, n, due, last, owner in sorted(
        rows, key=lambda r: place[r[0]]
    ):
        due_at = _aware(due)
        out.append(
            CaseRow(
                case_id=i,
                ref=ref,
                title=title or "",
                kind=kind,
                party=pname or "",
                department=dep or "",
                category=cat or "",
                opened_on=op,
                closed_on=cl,
                contacts=int(n),
                next_due=due_at,
                overdue=due_at is not None and now is not None and due_at < now,
                last_activity=_aware(last),
                assigned_to=owner,
            )
        )
    return Page(rows=tuple(out), offset=offset, total=int(total))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A UTC time from an aggregate (min/max lose the column's type, so SQLite hands back
    a naive time or even a string)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def case_detail(
    *, session: Session, case_id: int, now: dt.datetime, allow_whistleblower: bool = False
) -> CaseDetail | None:
    case = session.get(Case, case_id)
    if case is None or case.id is None:
        return None
    if case.kind == WB and not allow_whistleblower:
        return None
    party_name, addresses = "", ()
    if case.party_id is not None:
        p = session.get(Party, case.party_id)
        party_name = (p.name or "") if p else ""
        emails = (
            session.execute(select(PE.address).where(PE.party_id == case.party_id)).scalars().all()
        )
        phones = (
            session.execute(select(PP.number).where(PP.party_id == case.party_id)).scalars().all()
        )
        addresses = (*emails, *phones)
    total = session.execute(
        select(func.count()).select_from(T.contact).where(CT.case_id == case_id)
    ).scalar_one()
    contacts = (
        session.execute(
            select(Contact)
            .where(CT.case_id == case_id)
            .order_by(CT.occurred_at.desc(), CT.id.desc())
            .limit(TIMELINE_LIMIT)
        )
        .scalars()
        .all()
    )
    notes = (
        session.execute(select(CaseNote).where(CN.case_id == case_id).order_by(CN.at.desc()))
        .scalars()
        .all()
    )
    hist = (
        session.execute(
            select(CaseHistory).where(CH.case_id == case_id).order_by(CH.at.desc(), CH.id.desc())
        )
        .scalars()
        .all()
    )
    return CaseDetail(
        case_id=case.id,
        ref=case.ref,
        title=case.title or "",
        kind=case.kind,
        party_id=case.party_id,
        party=party_name,
        party_addresses=tuple(addresses),
        department=case.department,
        category=case.category,
        theme=case.theme,
        action=case.action,
        outcome=case.outcome,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        excluded=case.excluded,
        excluded_reason=case.excluded_reason,
        wanted_to_complain=case.wanted_to_complain,
        timeline=tuple(_timeline_items(session, contacts, now)),
        timeline_total=int(total),
        notes=tuple(NoteItem(n.at, n.os_user, n.text) for n in notes),
        history=tuple(
            HistoryItem(h.at, h.os_user, h.field, h.old_value, h.new_value) for h in hist
        ),
        events=case_events(session=session, case_id=case_id),
        version=case.version,
        assigned_to=case.assigned_to,
    )


# --------------------------------------------------------------------------- whistleblower


def whistleblower_register(
    *, session: Session, now: dt.datetime, offset: int = 0, limit: int = 100
) -> Page[WhistleblowerRow]:
    where = CS.kind == WB
    total = session.execute(select(func.count()).select_from(T.case).where(where)).scalar_one()
    cases = session.execute(
        select(CS.id, CS.ref, CS.title, CS.opened_on, CS.closed_on)
        .where(where)
        .order_by(CS.opened_on.desc(), CS.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [c[0] for c in cases]
    targets: dict[tuple[int, str], tuple[dt.datetime, str]] = {}
    if ids:
        for case_id, rule, state, due, soon, met in session.execute(
            select(CT.case_id, RT.rule, RT.state, RT.due_at, RT.due_soon_at, RT.met_at)
            .join(T.contact, CT.id == RT.contact_id)
            .where(CT.case_id.in_(ids))
            .order_by(RT.due_at)
        ).all():
            stage = "feedback" if "feedback" in rule else "ack"
            status = reply_status(state=state, due_at=due, due_soon_at=soon, met_at=met, now=now)
            targets.setdefault((case_id, stage), (due, status))
    rows = []
    for cid, ref, title, op, cl in cases:
        ack = targets.get((cid, "ack"))
        fb = targets.get((cid, "feedback"))
        rows.append(
            WhistleblowerRow(
                case_id=cid,
                ref=ref,
                title=title or "",
                opened_on=op,
                closed_on=cl,
                ack_due=ack[0] if ack else None,
                ack_status=ack[1] if ack else None,
                feedback_due=fb[0] if fb else None,
                feedback_status=fb[1] if fb else None,
            )
        )
    return Page(rows=tuple(rows), offset=offset, total=int(total))


# --------------------------------------------------------------------------- header, live


# Audit entries that record reading, not a change: the whistleblower register's "view",
# and the database's own log of compartment reads (store.team.compartment).
QUIET_ACTIONS = ("view", READ_ACTION)


def data_version(*, session: Session) -> DataVersion:
    """Changes whenever a contact, case, note, classification, audit entry, reply target,
    alert or source state is added or changed. Costs a few index look-ups."""
    parts: list[Any] = []
    for table in (T.contact, T.case, T.case_history, T.case_note, T.reply_target, T.alert):
        parts.append(session.execute(select(func.max(table.c.id))).scalar_one())
    # The audit log catches edits, which change no max id. Not its "view" rows: reading
    # the whistleblower register writes one, and counting it made the register's screen
    # reload itself at every poll. (Newest first, stopping at the first match: an index
    # walk, not a scan.)
    audit = T.audit_log.c
    parts.append(
        session.execute(
            select(audit.id)
            .where(audit.action.notin_(QUIET_ACTIONS))
            .order_by(audit.id.desc())
            .limit(1)
        ).scalar()
    )
    parts.append(
        session.execute(
            select(func.count()).select_from(T.reply_target).where(RT.state == "open")
        ).scalar_one()
    )
    # Replies that have not gone: the daemon's retries change their attempts, reason
    # and next try, which the lists show (few rows: sent ones are left out).
    ob = T.reply_outbox.c
    parts.append(session.execute(select(func.max(ob.id))).scalar_one())
    parts.append(
        tuple(
            session.execute(
                select(ob.id, ob.state, ob.attempts, ob.next_attempt_at)
                .where(ob.state != "sent")
                .order_by(ob.id)
                .limit(200)
            ).all()
        )
    )
    parts.append(
        tuple(
            session.execute(select(SS.id, SS.last_success, SS.last_error_at).order_by(SS.id)).all()
        )
    )
    return DataVersion(parts=tuple(parts))


def status(*, session: Session, config: Config, now: dt.datetime) -> Status:
    sources = source_health(session)
    # Open as `borgerdesk status` counts them: unseen, and the cause still stands (the
    # target still open, the source still in the same failing episode). An overdue
    # alert answered since is not open, though nobody marked it seen.
    alerts = count_open_alerts(session)
    waiting = waiting_in_triage()
    triage = session.execute(
        select(func.count()).select_from(T.contact).where(waiting)
    ).scalar_one()
    # What is overdue now, from the reply targets themselves: alerts are raised only by
    # the daemon, and on a day it does not run the header would say 0.
    # All overdue targets less those of whistleblower cases (found from the few cases),
    # as Svarfrister counts: filtering every open target row by row is what costs.
    overdue_all = session.execute(
        select(func.count()).select_from(T.reply_target).where(RT.state == "open", RT.due_at < now)
    ).scalar_one()
    wb_contacts = select(CT.id).where(CT.case_id.in_(select(CS.id).where(CS.kind == WB)))
    overdue_wb = session.execute(
        select(func.count())
        .select_from(T.reply_target)
        .where(RT.state == "open", RT.due_at < now, RT.contact_id.in_(wb_contacts))
    ).scalar_one()
    overdue = overdue_all - overdue_wb
    seen = [t for s in sources for t in (s.last_success,) if t is not None]
    seen += [t for t in session.execute(select(SS.last_error_at)).scalars() if t is not None]
    last = max(seen, default=None)
    interval = daemon_interval(config)
    late = interval is not None and (last is None or now - last > dt.timedelta(seconds=interval))
    return Status(
        sources=sources,
        open_alerts=int(alerts),
        triage=int(triage),
        overdue=int(overdue),
        daemon_last_seen=last,
        daemon_late=late,
    )


def daemon_interval(config: Config) -> int | None:
    """How long (seconds) the daemon may go without touching a source before the desk
    says it is not running: its longest source interval plus the misfire grace. None when
    no source is configured (nothing for a daemon to do)."""
    intervals = []
    if config.mail.accounts:
        intervals.append(config.daemon.mail_interval_seconds or config.mail.sync_minutes * 60)
    if config.phone.inbox is not None:
        intervals.append(config.daemon.phone_scan_seconds)
    if not intervals:
        return None
    return max(intervals) + config.daemon.misfire_grace_seconds


def alerts_after(*, session: Session, after_id: int, limit: int = 20) -> tuple[AlertItem, ...]:
    """Alerts newer than `after_id`, oldest first, for the UI's notifications. The payload
    holds a case ref, channel and due time; no personal data."""
    rows = session.execute(
        select(AL.id, AL.kind, AL.created_at, AL.payload)
        .where(AL.id > after_id)
        .order_by(AL.id)
        .limit(limit)
    ).all()
    out = []
    for aid, kind, at, payload in rows:
        summary = ""
        try:
            data = json.loads(payload) if payload else {}
            if isinstance(data, dict):
                summary = " ".join(f"{k}={v}" for k, v in sorted(data.items()))
        except ValueError:
            summary = payload or ""
        out.append(AlertItem(alert_id=aid, kind=kind, created_at=at, summary=summary))
    return tuple(out)


def max_alert_id(*, session: Session) -> int:
    return int(session.execute(select(func.max(AL.id))).scalar_one() or 0)
