"""Who else has a case open. Each desk keeps a row per open case and refreshes it with a
heartbeat; closing the case deletes the row, and a desk that died stops refreshing, so
its rows count as gone after STALE. Works on SQLite too (where it is only ever you)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from store.models import Presence

HEARTBEAT = dt.timedelta(seconds=10)
STALE = 3 * HEARTBEAT


def open_case(*, session: Session, desk: str, person: str, case_id: int, now: dt.datetime) -> None:
    row = session.execute(
        select(Presence).where(col(Presence.desk) == desk, col(Presence.case_id) == case_id)
    ).scalar_one_or_none()
    if row is None:
        session.add(Presence(desk=desk, person=person, case_id=case_id, seen_at=now))
    else:
        row.seen_at = now
    session.flush()


def close_case(*, session: Session, desk: str, case_id: int) -> None:
    session.execute(
        delete(Presence).where(col(Presence.desk) == desk, col(Presence.case_id) == case_id)
    )


def heartbeat(*, session: Session, desk: str, now: dt.datetime) -> None:
    """Every HEARTBEAT: this desk is alive; also sweeps rows of desks long dead."""
    session.execute(update(Presence).where(col(Presence.desk) == desk).values(seen_at=now))
    session.execute(delete(Presence).where(col(Presence.seen_at) < now - 10 * STALE))


def others(*, session: Session, desk: str, case_id: int, now: dt.datetime) -> list[str]:
    """The people (other desks) who have the case open now, sorted."""
    rows = (
        session.execute(
            select(col(Presence.person))
            .distinct()
            .where(
                col(Presence.case_id) == case_id,
                col(Presence.desk) != desk,
                col(Presence.seen_at) >= now - STALE,
            )
        )
        .scalars()
        .all()
    )
    return sorted(rows)
