"""Assignment on the desk: who a case or a triage contact is assigned to, the
"Mine / Ikke tildelt / Alle" scopes, the header's mine-counts, workload per person, and
whom an alert is for.

A person is the database role on PostgreSQL (the desk connects as her) and the OS user
on SQLite (one advisor; assignment is then simply hers or nobody's).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlmodel import Session, col

from store.audit import actor, record
from store.concurrency import claim_contact, lock_case
from store.contacts import waiting_in_triage

# The rows the UI gets live in store.desk.rows, which loads no ORM (the first frame).
from store.desk.rows import MineCounts as MineCounts
from store.desk.rows import Scope as Scope
from store.desk.rows import Workload as Workload
from store.errors import UserError
from store.models import Alert, Case, Contact, ReplyTarget
from store.privacy.whistleblower import GENERAL_KINDS


def current_person(session: Session) -> str:
    return actor(session)


def scope_clause(assigned_to: str | None, scope: Scope, me: str) -> ColumnElement[bool]:
    """WHERE clause for a list's `assigned_to` column (`Case.assigned_to`,
    `Contact.assigned_to`) under `scope`."""
    column = col(assigned_to)
    if scope is Scope.mine:
        return column == me
    if scope is Scope.unassigned:
        return column.is_(None)
    return column.is_(None) | column.is_not(None)


def scope_where(
    column: ColumnElement[str | None], scope: Scope, me: str | None
) -> list[ColumnElement[bool]]:
    """The list's extra conditions under `scope` on a core `assigned_to` column (none
    for everyone, so the list's own index serves it as before)."""
    if scope is Scope.mine:
        return [column == me]
    if scope is Scope.unassigned:
        return [column.is_(None)]
    return []


def _check_person(session: Session, person: str | None) -> None:
    if person is None or session.get_bind().dialect.name != "postgresql":
        return
    from store.team.roles_sql import GROUPS

    known = session.execute(
        text(
            "SELECT 1 FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
            "JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolname = :n AND g.rolname = ANY(:g)"
        ),
        {"n": person, "g": list(GROUPS.values())},
    ).first()
    if known is None:
        raise UserError(
            f"{person}: no such person on the team; see 'borgerdesk team list'",
            code="no_person",
            person=person,
        )


def assign_case(
    *, session: Session, case_id: int, person: str | None, version: int | None = None
) -> bool:
    """Assign a case to `person` (None: unassign). False when it already was. Audited;
    bumps the case's version (an assignment is an edit)."""
    _check_person(session, person)
    case = lock_case(session, case_id, version)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    if case.assigned_to == person:
        return False
    record(
        session,
        action="assign",
        entity="case",
        entity_id=case.ref,
        detail={"field": "assigned_to", "old": case.assigned_to, "new": person},
    )
    case.assigned_to = person
    case.version += 1
    session.add(case)
    session.flush()
    return True


def assign_contact(*, session: Session, contact_id: int, person: str | None) -> bool:
    """Assign a contact waiting in triage; False when it already was."""
    _check_person(session, person)
    contact = claim_contact(session, contact_id, None)
    if contact is None:
        raise UserError(
            f"no contact with id {contact_id}", code="contact_gone", contact_id=contact_id
        )
    if contact.assigned_to == person:
        return False
    record(
        session,
        action="assign",
        entity="contact",
        entity_id=contact_id,
        detail={"field": "assigned_to", "old": contact.assigned_to, "new": person},
    )
    contact.assigned_to = person
    session.add(contact)
    session.flush()
    return True


def _owner() -> ColumnElement[str | None]:
    """Whose a reply target is: its case's assignee, or its triage contact's."""
    return func.coalesce(col(Case.assigned_to), col(Contact.assigned_to))


def _targets(now: dt.datetime):  # type: ignore[no-untyped-def]
    return (
        select(
            _owner().label("person"),
            func.count().filter(col(ReplyTarget.due_at) <= now).label("overdue"),
            func.count()
            .filter(and_(col(ReplyTarget.due_soon_at) <= now, col(ReplyTarget.due_at) > now))
            .label("due_soon"),
        )
        .select_from(ReplyTarget)
        .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
        .outerjoin(Case, col(Case.id) == col(Contact.case_id))
        .where(
            col(ReplyTarget.state) == "open",
            or_(col(Case.id).is_(None), col(Case.kind).in_(GENERAL_KINDS)),
        )
    )


def mine_counts(*, session: Session, me: str, now: dt.datetime) -> MineCounts:
    q = _targets(now).where(_owner() == me).group_by(_owner())
    row = session.execute(q).first()
    waiting = session.execute(
        select(func.count())
        .select_from(Contact)
        .where(waiting_in_triage(), col(Contact.assigned_to) == me)
    ).scalar_one()
    return MineCounts(
        overdue=row.overdue if row else 0, due_soon=row.due_soon if row else 0, waiting=int(waiting)
    )


def workload(*, session: Session, now: dt.datetime) -> list[Workload]:
    """Per person (and unassigned, last): open general cases and overdue targets."""
    cases = {
        r[0]: int(r[1])
        for r in session.execute(
            select(col(Case.assigned_to), func.count())
            .where(col(Case.closed_on).is_(None), col(Case.kind).in_(GENERAL_KINDS))
            .group_by(col(Case.assigned_to))
        ).all()
    }
    overdue = {r.person: r.overdue for r in session.execute(_targets(now).group_by(_owner())).all()}
    people = sorted({*cases, *overdue} - {None})
    return [
        Workload(p, int(cases.get(p, 0)), int(overdue.get(p, 0)))
        for p in [*people, None]
        if p in cases or p in overdue
    ]


def alert_recipient(*, session: Session, alert_id: int) -> str | None:
    """The person an alert is for: the assignee of its case (or triage contact); None
    means the whole team (unassigned work, or an alert about a source)."""
    return session.execute(
        select(_owner())
        .select_from(Alert)
        .join(ReplyTarget, col(ReplyTarget.id) == col(Alert.target_id))
        .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
        .outerjoin(Case, col(Case.id) == col(Contact.case_id))
        .where(col(Alert.id) == alert_id)
    ).scalar_one_or_none()
