"""Follow-ups ("Svarfrister"): open reply targets for the UI, acknowledging and waiving.

The rows, statuses and due-time explanations come from `store.replies` (the reply rules'
owner); this module picks the page (keeping whistleblower targets out: they live in the
whistleblower register) and adds what the desk shows beside them: the subject, the case
and the countdown in working hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from store.config import Config
from store.desk import tables as T
from store.desk.queries import WB, _not_whistleblower_contact, first_line
from store.desk.replies import outbox_states
from store.desk.rows import AckResult, CallFacts, FollowupRow, Page
from store.desk.team import Scope, scope_where
from store.errors import UserError
from store.plaintext import typed_text
from store.replies import acknowledge as _acknowledge
from store.replies import list_followups
from store.replies import waive as _waive
from store.replies.calendar import calendar_for, working_hours_between

CT = T.contact.c
EM = T.email_message.c
RT = T.reply_target.c


def followup_page(
    *,
    session: Session,
    config: Config,
    now: dt.datetime,
    offset: int = 0,
    limit: int = 100,
    scope: Scope = Scope.everyone,
    me: str | None = None,
) -> Page[FollowupRow]:
    """Open targets, earliest due first, so overdue ones stand on top (ix_reply_open_due).
    `scope`: the targets on work assigned to `me` (the case's assignee, or the triage
    contact's), to nobody, or all."""
    conds = [RT.state == "open", _not_whistleblower_contact()]
    src = T.reply_target.join(T.contact, CT.id == RT.contact_id)
    if scope is not Scope.everyone:
        # An alias: the whistleblower test above correlates on the case table itself.
        case = T.case.alias("owner_case")
        owner = func.coalesce(case.c.assigned_to, CT.assigned_to)
        conds += scope_where(owner, scope, me)
        src = src.outerjoin(case, case.c.id == CT.case_id)
        total = session.execute(select(func.count()).select_from(src).where(*conds)).scalar_one()
    else:
        total = _open_total(session)
    ids = list(
        session.execute(
            select(RT.id)
            .select_from(src)
            .where(*conds)
            .order_by(RT.due_at, RT.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    return _page(session, config, now, ids, offset, int(total))


def _open_total(session: Session) -> int:
    # Counted as all open targets less those of whistleblower cases: the filter row by
    # row over every open target cost ~50 ms on the benchmark store, on every reload;
    # the few whistleblower cases' targets are found from the cases (~1 ms).
    open_all = session.execute(
        select(func.count()).select_from(T.reply_target).where(RT.state == "open")
    ).scalar_one()
    wb_contacts = select(CT.id).where(
        CT.case_id.in_(select(T.case.c.id).where(T.case.c.kind == WB))
    )
    open_wb = session.execute(
        select(func.count())
        .select_from(T.reply_target)
        .where(RT.state == "open", RT.contact_id.in_(wb_contacts))
    ).scalar_one()
    return int(open_all - open_wb)


def _page(
    session: Session, config: Config, now: dt.datetime, ids: list[int], offset: int, total: int
) -> Page[FollowupRow]:
    if not ids:
        return Page(rows=(), offset=offset, total=int(total))
    # The explanations in the UI's language (the desk is Danish unless set to English).
    rows = list_followups(
        session=session, now=now, status="all", config=config, target_ids=ids, lang=config.language
    )
    extra = {
        cid: (
            case_id,
            subj if subj is not None else first_line(summ),
            CallFacts(cstatus, cdur or 0) if cstatus is not None else None,
        )
        for cid, case_id, summ, subj, cstatus, cdur in session.execute(
            select(CT.id, CT.case_id, CT.summary, EM.subject, CT.call_status, CT.call_duration_s)
            .outerjoin(T.email_message, EM.contact_id == CT.id)
            .where(CT.id.in_([r.contact_id for r in rows]))
        ).all()
    }
    cal = calendar_for(config.replies)
    outbox = outbox_states(session, [r.contact_id for r in rows])
    out = []
    for r in rows:
        if now < r.due_at:
            left = working_hours_between(now, r.due_at, cal)
        else:
            left = -working_hours_between(r.due_at, now, cal)
        case_id, subject, call = extra.get(r.contact_id, (None, "", None))
        out.append(
            FollowupRow(
                target_id=r.target_id,
                contact_id=r.contact_id,
                case_id=case_id,
                case_ref=r.case_ref,
                rule=r.rule,
                status=r.status,
                who=r.party or "",
                channel=r.channel,
                subject=subject,
                received_at=r.received_at,
                due_at=r.due_at,
                working_hours_left=round(left, 2),
                explanation=r.explanation,
                call=call,
                outbox=outbox.get(r.contact_id),
            )
        )
    return Page(rows=tuple(out), offset=offset, total=int(total))


def acknowledge(
    *,
    session: Session,
    config: Config,
    contact_ids: list[int],
    at: dt.datetime,
    note: str | None = None,
) -> AckResult:
    """Mark the open reply targets of these contacts met by an acknowledgement made
    outside the mailbox (a call back, a word at the counter) at `at`. Says which
    contacts had no open reply target, so the desk can say "no deadline" rather than
    "0 met"."""
    owing = set(
        session.execute(
            select(RT.contact_id).where(RT.contact_id.in_(contact_ids), RT.state == "open")
        ).scalars()
    )
    met = _acknowledge(
        session=session,
        config=config,
        contact_ids=contact_ids,
        at=at,
        note=typed_text(note or "", "the note", lines=True) or None,
    )
    return AckResult(met=met, no_deadline=tuple(c for c in contact_ids if c not in owing))


def waive(*, session: Session, target_ids: Sequence[int], reason: str, now: dt.datetime) -> None:
    """Mark targets "no reply needed", with a reason."""
    reason = typed_text(reason, "the reason", lines=True)
    if not reason:
        raise UserError("give a reason for 'no reply needed'", code="reason_no_reply")
    for tid in target_ids:
        _waive(session=session, target_id=tid, reason=reason, at=now)
