"""Follow-ups ("Svarfrister"): open reply targets for the UI, acknowledging and waiving.

The list, the due-time explanations and the working-hours countdown come from
`store.replies` (the reply-target rules' owner); this module only adds what the desk
shows beside them (who, channel, subject, case ref) and keeps whistleblower targets out:
they live in the whistleblower register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from store.config import Config
from store.desk.queries import WB, _not_whistleblower_contact, first_line, reply_status
from store.desk.rows import FollowupRow, Page
from store.errors import UserError
from store.models import Case, Contact, EmailMessage, Party, ReplyTarget


def _working_hours(config: Config, a: dt.datetime, b: dt.datetime) -> float | None:
    try:
        from store.replies.calendar import working_hours_between
    except ImportError:
        return None
    try:
        return float(working_hours_between(a, b))  # type: ignore[call-arg]
    except TypeError:
        return float(working_hours_between(a, b, config=config))  # type: ignore[call-arg]


def _explanations(session: Session, config: Config, now: dt.datetime, target_ids: list[int]
                  ) -> dict[int, str]:
    try:
        from store.replies.followups import explain
    except ImportError:
        return {}
    out = {}
    for tid in target_ids:
        try:
            out[tid] = str(explain(session=session, config=config, target_id=tid, now=now))
        except Exception as e:  # an explanation must never break the list
            out[tid] = f"({e})"
    return out


def followup_page(*, session: Session, config: Config, now: dt.datetime, offset: int = 0,
                  limit: int = 100) -> Page[FollowupRow]:
    """Open targets, earliest due first, so overdue ones stand on top (ix_reply_open_due)."""
    conds = [ReplyTarget.state == "open", _not_whistleblower_contact()]
    total = session.execute(
        select(func.count()).select_from(ReplyTarget)
        .join(Contact, Contact.id == ReplyTarget.contact_id)  # type: ignore[arg-type]
        .where(*conds)
    ).scalar_one()
    rows = session.execute(
        select(ReplyTarget.id, ReplyTarget.contact_id, ReplyTarget.rule, ReplyTarget.state,
               ReplyTarget.received_at, ReplyTarget.due_at, ReplyTarget.due_soon_at,
               ReplyTarget.met_at, Contact.case_id, Case.ref, Contact.channel,
               Contact.counterpart, Party.name, Contact.summary, EmailMessage.subject)
        .join(Contact, Contact.id == ReplyTarget.contact_id)  # type: ignore[arg-type]
        .outerjoin(Case, Case.id == Contact.case_id)  # type: ignore[arg-type]
        .outerjoin(Party, Party.id == Contact.party_id)  # type: ignore[arg-type]
        .outerjoin(EmailMessage, EmailMessage.contact_id == Contact.id)  # type: ignore[arg-type]
        .where(*conds)
        .order_by(ReplyTarget.due_at, ReplyTarget.id)  # type: ignore[arg-type]
        .limit(limit).offset(offset)
    ).all()
    expl = _explanations(session, config, now, [r[0] for r in rows])
    out = []
    for (tid, cid, rule, state, received, due, soon, met, case_id, ref, channel, cp, pname,
         summary, subject) in rows:
        left = _working_hours(config, now, due) if now < due else (
            -(_working_hours(config, due, now) or 0.0) if _working_hours(config, due, now)
            is not None else None)
        out.append(FollowupRow(
            target_id=tid, contact_id=cid, case_id=case_id, case_ref=ref, rule=rule,
            status=reply_status(state=state, due_at=due, due_soon_at=soon, met_at=met, now=now),
            who=pname or cp or "?", channel=channel,
            subject=subject if subject is not None else first_line(summary),
            received_at=received, due_at=due, working_hours_left=left,
            explanation=expl.get(tid, ""),
        ))
    return Page(rows=tuple(out), offset=offset, total=int(total))


def acknowledge(*, session: Session, config: Config, contact_ids: list[int],
                now: dt.datetime, note: str | None = None) -> int:
    """Mark the open reply targets of these contacts met by an acknowledgement made
    outside the mailbox (a call back, a word at the counter). Returns how many."""
    from store.replies import acknowledge as ack

    return int(ack(session=session, config=config, contact_ids=contact_ids, at=now,
                   note=note))


def waive(*, session: Session, target_ids: Sequence[int], reason: str,
          now: dt.datetime) -> None:
    """Mark targets "no reply needed", with a reason."""
    if not reason.strip():
        raise UserError("give a reason for 'no reply needed'")
    from store.replies import waive as do_waive

    for tid in target_ids:
        do_waive(session=session, target_id=tid, reason=reason.strip(), at=now)


__all__ = ["WB", "Case", "acknowledge", "followup_page", "waive"]
