"""The daemon's writes of per-source health in `sync_state`: last success, last error,
consecutive failures, failing since, next run (store/source_health.py reads them).

The sources' own code (IMAP sync, phone inbox) writes their sync position in the same
rows; the daemon only writes the health columns, with UPDATE statements naming just
those columns, so the two never overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, and_, delete, func, select, update
from sqlmodel import Session, col

from store.db import bulk_write_scope
from store.models import SyncState


def backoff_delay(failures: int, *, base: float, maximum: float) -> float:
    """Seconds until the next try after `failures` consecutive failures: base, 2×base,
    4×base … capped at `maximum`. The scheduler does the retrying (the job's next run
    time is moved); this is only the spacing."""
    if failures <= 0:
        return 0.0
    return float(min(maximum, base * 2 ** min(failures - 1, 30)))


def _rows(kind: str, name: str) -> Any:
    return and_(SyncState.kind == kind, SyncState.name == name)  # type: ignore[arg-type]


def record_success(
    session: Session, *, kind: str, name: str, now: dt.datetime, next_run: dt.datetime | None
) -> None:
    res: Any = session.execute(
        update(SyncState)
        .where(_rows(kind, name))
        .values(last_success=now, consecutive_failures=0, failing_since=None, next_run=next_run)
    )
    if res.rowcount == 0:
        session.add(
            SyncState(
                kind=kind,
                name=name,
                folder="",
                last_success=now,
                consecutive_failures=0,
                next_run=next_run,
            )
        )
        return
    # The account-level placeholder written while the account was unreachable is
    # superseded once the source has written its own (per-folder) rows.
    has_real = session.scalar(
        select(func.count())
        .select_from(SyncState)
        .where(
            _rows(kind, name),
            SyncState.folder != "",  # type: ignore[arg-type]
        )
    )
    if has_real:
        session.execute(
            delete(SyncState).where(_rows(kind, name), SyncState.folder == "")  # type: ignore[arg-type]
        )


def record_failure(
    session: Session,
    *,
    kind: str,
    name: str,
    now: dt.datetime,
    error: str,
) -> int:
    """Count one more failure on every row of the source; returns the new count."""
    res: Any = session.execute(
        update(SyncState)
        .where(_rows(kind, name))
        .values(
            last_error=error,
            last_error_at=now,
            consecutive_failures=SyncState.consecutive_failures + 1,
        )
    )
    rows = res.rowcount
    session.execute(
        update(SyncState)
        .where(_rows(kind, name), col(SyncState.failing_since).is_(None))
        .values(failing_since=now)
    )
    if rows == 0:
        session.add(
            SyncState(
                kind=kind,
                name=name,
                folder="",
                last_error=error,
                last_error_at=now,
                consecutive_failures=1,
                failing_since=now,
            )
        )
        session.flush()
        return 1
    return int(
        session.scalar(select(func.max(SyncState.consecutive_failures)).where(_rows(kind, name)))
        or 1
    )


def record_next_run(engine: Engine, *, kind: str, name: str, next_run: dt.datetime | None) -> None:
    with bulk_write_scope(engine) as session:
        session.execute(update(SyncState).where(_rows(kind, name)).values(next_run=next_run))
