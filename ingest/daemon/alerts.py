"""Raising alerts: a reply target entering due-soon or overdue, and a source failing for
too long.

Each alert is one row with a unique `dedupe_key` ("target:<id>:overdue"), inserted with
ON CONFLICT DO NOTHING in one transaction with nothing else. So an alert is raised exactly
once per stage: never twice (the key), never lost in a crash (it is committed before any
channel hears of it; channels send what is committed and not yet marked sent), never
repeated after a restart (the row is there).

A target first seen when it is already overdue (the daemon was off, or the clock jumped)
raises only the overdue alert: a due-soon warning after the fact is noise, and the clock
jump must not make a storm.

Alert content carries no more personal data than needed: case ref, channel, due time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from store.alerts import source_alert_key
from store.models import Alert, Case, Contact, ReplyTarget, SyncState
from store.timeutil import CPH

log = logging.getLogger("borgerdesk.daemon.alerts")


def target_alert_key(target_id: int, stage: str) -> str:
    return f"target:{target_id}:{stage}"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(CPH).isoformat(timespec="minutes") if moment else None


def _insert_ignore(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert alert rows, skipping any whose dedupe_key exists; returns the new ids."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    ins_mod: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = (
        ins_mod.insert(Alert)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Alert.id)
    )
    return [int(i) for i in session.scalars(stmt).all()]


def _no_alert(stage: str) -> Any:
    """No alert with this target's key for `stage` yet (an index lookup on dedupe_key)."""
    key = literal("target:") + cast(col(ReplyTarget.id), String) + literal(f":{stage}")
    return ~exists().where(col(Alert.dedupe_key) == key)


def evaluate_targets(session: Session, *, now: dt.datetime) -> list[int]:
    """Raise due-soon and overdue alerts for open reply targets; returns new alert ids.

    Only targets that still lack the alert for their stage are read, so a store with
    tens of thousands of long-overdue targets costs one indexed query a minute, not a
    scan of all of them."""
    cols = (
        col(ReplyTarget.id),
        col(ReplyTarget.rule),
        col(ReplyTarget.due_at),
        col(Contact.channel),
        col(Case.ref),
    )

    def query(*where: Any) -> Any:
        return (
            select(*cols)
            .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
            .outerjoin(Case, col(Case.id) == col(Contact.case_id))
            .where(col(ReplyTarget.state) == "open", *where)
        )

    overdue = session.execute(query(col(ReplyTarget.due_at) <= now, _no_alert("overdue"))).all()
    due_soon = session.execute(
        query(
            col(ReplyTarget.due_soon_at) <= now,
            col(ReplyTarget.due_at) > now,
            _no_alert("due_soon"),
        )
    ).all()
    rows = []
    for stage, found in (("overdue", overdue), ("due_soon", due_soon)):
        for r in found:
            payload = {
                "kind": stage,
                "case_ref": r.ref,
                "channel": r.channel,
                "rule": r.rule,
                "due_at": _iso(r.due_at),
            }
            rows.append(
                {
                    "kind": stage,
                    "dedupe_key": target_alert_key(r.id, stage),
                    "target_id": r.id,
                    "created_at": now,
                    "payload": json.dumps(payload, ensure_ascii=False),
                }
            )
    return _insert_ignore(session, rows)


def evaluate_sources(session: Session, *, now: dt.datetime, after_hours: float) -> list[int]:
    """Raise one alert per failing episode of a source failing for over `after_hours`."""
    limit = now - dt.timedelta(hours=after_hours)
    failing = session.execute(
        select(col(SyncState.kind), col(SyncState.name), col(SyncState.failing_since))
        .where(col(SyncState.failing_since).is_not(None), col(SyncState.failing_since) <= limit)
        .distinct()
    ).all()
    rows = []
    seen: set[str] = set()
    for kind, name, since in failing:
        key = source_alert_key(kind, name, since)
        if key in seen:
            continue
        seen.add(key)
        payload = {
            "kind": "source_failing",
            "source": name,
            "source_kind": kind,
            "failing_since": _iso(since),
        }
        rows.append(
            {
                "kind": "source_failing",
                "dedupe_key": key,
                "target_id": None,
                "created_at": now,
                "payload": json.dumps(payload, ensure_ascii=False),
            }
        )
    return _insert_ignore(session, rows)


@dataclass(frozen=True)
class PendingAlert:
    """An alert as channels see it: only what the payload carries."""

    id: int
    kind: str
    created_at: dt.datetime
    payload: dict[str, Any]

    def as_json(self) -> str:
        return json.dumps(
            {"id": self.id, "created_at": _iso(self.created_at), **self.payload},
            ensure_ascii=False,
        )


def _pending(rows: Any) -> list[PendingAlert]:
    return [
        PendingAlert(
            id=a.id, kind=a.kind, created_at=a.created_at, payload=json.loads(a.payload or "{}")
        )
        for a in rows
    ]


def unnotified(session: Session) -> list[PendingAlert]:
    rows = session.scalars(
        select(Alert).where(Alert.notified_at.is_(None)).order_by(Alert.id)  # type: ignore[union-attr, arg-type]
    ).all()
    return _pending(rows)


def unemailed_overdue(session: Session) -> list[PendingAlert]:
    rows = session.scalars(
        select(Alert)
        .where(Alert.emailed_at.is_(None), Alert.kind.in_(["overdue", "source_failing"]))  # type: ignore[union-attr, attr-defined]
        .order_by(Alert.id)  # type: ignore[arg-type]
    ).all()
    return _pending(rows)


def mark(session: Session, ids: list[int], *, column: str, at: dt.datetime) -> None:
    from sqlalchemy import update

    if ids:
        session.execute(update(Alert).where(Alert.id.in_(ids)).values({column: at}))  # type: ignore[union-attr]


def open_due(session: Session, *, now: dt.datetime) -> list[PendingAlert]:
    """Every open target that is overdue or due soon now, as alert-shaped rows (case ref,
    channel, due time): what the morning digest lists."""
    rows = session.execute(
        select(
            col(ReplyTarget.id),
            col(ReplyTarget.rule),
            col(ReplyTarget.due_at),
            col(Contact.channel),
            col(Case.ref),
        )
        .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
        .outerjoin(Case, col(Case.id) == col(Contact.case_id))
        .where(col(ReplyTarget.state) == "open", col(ReplyTarget.due_soon_at) <= now)
        .order_by(col(ReplyTarget.due_at))
    ).all()
    return [
        PendingAlert(
            id=r.id,
            kind="overdue" if r.due_at <= now else "due_soon",
            created_at=now,
            payload={
                "case_ref": r.ref,
                "channel": r.channel,
                "rule": r.rule,
                "due_at": _iso(r.due_at),
            },
        )
        for r in rows
    ]
