"""Which alerts are open: one definition for the daemon's `status`, the desk's header and
anything else that counts them, so they never disagree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlmodel import Session, col

from store.models import Alert, ReplyOutbox, ReplyTarget, SyncState


def source_alert_key(kind: str, name: str, failing_since: dt.datetime) -> str:
    """One alert per failing episode of a source (a new episode after a recovery alerts
    again)."""
    return f"source:{kind}:{name}:{failing_since.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def count_open_alerts(session: Session) -> int:
    """An alert is open while nobody has seen it and its cause still stands: the reply
    target is still open, or the source is still in the same failing episode."""
    target_open = (
        select(col(ReplyTarget.id))
        .where(col(ReplyTarget.id) == col(Alert.target_id), col(ReplyTarget.state) == "open")
        .exists()
    )
    n_targets = session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(col(Alert.seen_at).is_(None), col(Alert.target_id).is_not(None), target_open)
    )
    failing = {
        source_alert_key(r.kind, r.name, r.failing_since)
        for r in session.execute(
            select(col(SyncState.kind), col(SyncState.name), col(SyncState.failing_since)).where(
                col(SyncState.failing_since).is_not(None)
            )
        )
    }
    unseen_source_keys = session.scalars(
        select(col(Alert.dedupe_key)).where(
            col(Alert.kind) == "source_failing",
            Alert.seen_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    return (
        int(n_targets or 0)
        + sum(1 for k in unseen_source_keys if k in failing)
        + _open_reply_alerts(session)
    )


def reply_alert_key(outbox_id: int) -> str:
    return f"reply:{outbox_id}:failing"


def _open_reply_alerts(session: Session) -> int:
    """A reply that keeps failing alerts while it still waits to be sent."""
    keys = session.scalars(
        select(col(Alert.dedupe_key)).where(
            col(Alert.kind) == "reply_failing", col(Alert.seen_at).is_(None)
        )
    ).all()
    if not keys:
        return 0
    waiting = {
        reply_alert_key(i)
        for i in session.scalars(
            select(col(ReplyOutbox.id)).where(
                col(ReplyOutbox.state).in_(("queued", "sending", "handed"))
            )
        )
        if i is not None
    }
    return sum(1 for k in keys if k in waiting)
