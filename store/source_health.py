"""Each source's health as `sync_state` holds it (the daemon and the sources write it):
the one shape the desk's header, `borgerdesk status` and the daemon read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from store.models import SyncState


@dataclass(frozen=True)
class SourceHealth:
    """One source row: a mail folder (kind "imap") or the phone inbox (kind "phone")."""

    kind: str
    name: str
    folder: str
    last_success: dt.datetime | None
    last_error: str | None
    consecutive_failures: int
    last_error_at: dt.datetime | None = None
    failing_since: dt.datetime | None = None
    next_run: dt.datetime | None = None


def source_health(session: Session) -> tuple[SourceHealth, ...]:
    """Every source, ordered by kind, name and folder."""
    rows = session.execute(
        select(SyncState).order_by(SyncState.kind, SyncState.name, SyncState.folder)
    ).scalars()
    return tuple(
        SourceHealth(
            kind=r.kind,
            name=r.name,
            folder=r.folder,
            last_success=r.last_success,
            last_error=r.last_error,
            consecutive_failures=r.consecutive_failures,
            last_error_at=r.last_error_at,
            failing_since=r.failing_since,
            next_run=r.next_run,
        )
        for r in rows
    )
