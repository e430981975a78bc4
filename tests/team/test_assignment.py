"""Assignment: audited, versioned, the Mine / Ikke tildelt / Alle scopes, the header's
mine-counts, workload per person and whom an alert is for; PostgreSQL (the person is the
database role) and SQLite (the OS user)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from store.audit import os_user
from store.concurrency import StaleEdit
from store.config import Config
from store.db import make_engine
from store.desk import Desk
from store.desk.team import MineCounts, Scope, Workload, alert_recipient, scope_clause
from store.errors import UserError
from store.models import Alert, AuditLog, Case, Contact, ReplyTarget

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def desk_url(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(owner URL, the advisor's desk URL)."""
    if request.param == "sqlite":
        url = str(request.getfixturevalue("sqlite_url"))
        return url, url
    person: Callable[[str], str] = request.getfixturevalue("person")
    return str(request.getfixturevalue("pg_url")), person("advisor")


def _world(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as s:
        cases = [Case(ref=f"2026-00{i}", opened_on=NOW.date()) for i in range(3)]
        s.add_all(cases)
        s.flush()
        linked = Contact(
            channel="email",
            direction="in",
            occurred_at=NOW,
            occurred_on=NOW.date(),
            case_id=cases[0].id,
        )
        triage = Contact(channel="email", direction="in", occurred_at=NOW, occurred_on=NOW.date())
        s.add_all([linked, triage])
        s.flush()
        late = ReplyTarget(
            contact_id=int(linked.id or 0),
            rule="ack",
            received_at=NOW - dt.timedelta(days=9),
            due_at=NOW - dt.timedelta(days=1),
            due_soon_at=NOW - dt.timedelta(days=2),
        )
        soon = ReplyTarget(
            contact_id=int(triage.id or 0),
            rule="ack",
            received_at=NOW,
            due_at=NOW + dt.timedelta(days=1),
            due_soon_at=NOW - dt.timedelta(hours=1),
        )
        s.add_all([late, soon])
        s.flush()
        alert = Alert(kind="overdue", dedupe_key=f"target:{late.id}:overdue", target_id=late.id)
        s.add(alert)
        s.commit()
        ids = {
            "case": int(cases[0].id or 0),
            "triage": int(triage.id or 0),
            "alert": int(alert.id or 0),
        }
    engine.dispose()
    return ids


def test_assignment_scopes_counts_and_workload(
    desk_url: tuple[str, str], odsherred_config: Config
) -> None:
    owner_url, url = desk_url
    ids = _world(owner_url)
    engine = make_engine(url)
    desk = Desk(engine, odsherred_config, clock=lambda: NOW)
    me = desk.me()
    assert me == (os_user() if url.startswith("sqlite") else url.split("//")[1].split(":")[0])
    assert desk.mine_counts() == MineCounts(overdue=0, due_soon=0, waiting=0)

    assert desk.assign_case(ids["case"], me, version=1) is True
    assert desk.assign_case(ids["case"], me) is False  # already hers: nothing logged
    with pytest.raises(StaleEdit):  # an assignment is an edit: version 1 is gone
        desk.assign_case(ids["case"], None, version=1)
    assert desk.assign_contact(ids["triage"], me) is True

    assert desk.mine_counts() == MineCounts(overdue=1, due_soon=1, waiting=1)
    assert desk.workload() == [Workload(me, 1, 1), Workload(None, 2, 0)]
    with Session(engine) as s:

        def count(scope: Scope) -> int:
            return int(
                s.execute(
                    select(func.count())
                    .select_from(Case)
                    .where(scope_clause(Case.assigned_to, scope, me))
                ).scalar_one()
            )

        assert (count(Scope.mine), count(Scope.unassigned), count(Scope.everyone)) == (1, 2, 3)
        assert alert_recipient(session=s, alert_id=ids["alert"]) == me
        logged = s.execute(
            select(AuditLog.os_user, AuditLog.entity)
            .where(col(AuditLog.action) == "assign")
            .order_by(col(AuditLog.id))
        ).all()
    assert [tuple(r) for r in logged] == [(me, "case"), (me, "contact")]

    desk.assign_case(ids["case"], None)  # unassigned work alerts the whole team
    with Session(engine) as s:
        assert alert_recipient(session=s, alert_id=ids["alert"]) is None
    if not url.startswith("sqlite"):
        with pytest.raises(UserError, match="no such person"):
            desk.assign_case(ids["case"], "nobody_here")
    engine.dispose()
